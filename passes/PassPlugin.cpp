//===- passes/PassPlugin.cpp - dlopen, the entry point, the version ------===//

#include "passes/PassPlugin.h"

#include <dlfcn.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <sys/stat.h>

namespace bcc {

namespace {

/// dlerror() without the path it usually starts with ("PATH: ..."), since
/// the caller names the file.
std::string dlMessage(const std::string &path) {
  const char *raw = dlerror();
  std::string message = raw ? raw : "unknown error";
  std::string prefix = path + ": ";
  if (message.compare(0, prefix.size(), prefix) == 0)
    message.erase(0, prefix.size());
  return message;
}

} // namespace

Expected<LoadedPassPlugin> loadPassPlugin(const std::string &path,
                                          PassRegistry &registry) {
  struct stat status;
  if (::stat(path.c_str(), &status) != 0)
    return Error(std::string("cannot load pass plugin: ") +
                 std::strerror(errno));
  if (S_ISDIR(status.st_mode))
    return Error("cannot load pass plugin: it is a directory");
  // The loader's own message for a file that is no ELF object at all is
  // "invalid ELF header" or "file too short": say it plainly.
  {
    char magic[4] = {0, 0, 0, 0};
    std::ifstream in(path, std::ios::binary);
    if (!in.read(magic, sizeof magic) || std::memcmp(magic, "\x7f" "ELF", 4))
      return Error("cannot load pass plugin: it is not a shared object");
  }
  // dlopen searches the library path for a name without '/'; a plugin is
  // always the file named.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  // RTLD_NOW: a symbol the executable does not provide is an error here,
  // not a crash in the middle of a pipeline.
  void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return Error("cannot load pass plugin: " + dlMessage(file));
  dlerror();
  void *symbol = dlsym(handle, kPassPluginEntryPoint);
  if (!symbol) {
    dlclose(handle);
    return Error(std::string("not a bcc pass plugin: it has no function ") +
                 kPassPluginEntryPoint);
  }
  using EntryPoint = const PassPluginInfo *(*)();
  const PassPluginInfo *returned = reinterpret_cast<EntryPoint>(symbol)();
  if (!returned) {
    dlclose(handle);
    return Error(std::string("pass plugin: ") + kPassPluginEntryPoint +
                 " returned null");
  }
  // Nothing but the version is read until it matches.
  if (returned->apiVersion != BCC_PLUGIN_API_VERSION) {
    uint32_t version = returned->apiVersion;
    dlclose(handle);
    return Error("pass plugin built for bcc plugin API version " +
                 std::to_string(version) + ", but this bcc has " +
                 std::to_string(BCC_PLUGIN_API_VERSION) +
                 " (rebuild it against this bcc's headers)");
  }
  const PassPluginInfo info = *returned;
  if (!info.pluginName || !*info.pluginName || !info.registerPasses) {
    dlclose(handle);
    return Error("pass plugin has no name or no registration callback");
  }
  LoadedPassPlugin loaded{path, info.pluginName,
                          info.pluginVersion ? info.pluginVersion : ""};
  for (const PassInfo &pass : registry.passes())
    if (pass.plugin == loaded.name) {
      // Its passes are registered already; its code stays loaded.
      return Error("pass plugin '" + loaded.name + "' is already loaded");
    }
  PassRegistry::PluginScope scope(registry, loaded.name);
  // bcc throws nothing, but a plugin's callback might (std::bad_alloc, or
  // its own): that is its error, not a crash of bcc.
  try {
    info.registerPasses(registry);
  } catch (const std::exception &e) {
    scope.abandon();
    return Error("pass plugin '" + loaded.name +
                 "': its registration threw: " + e.what());
  } catch (...) {
    scope.abandon();
    return Error("pass plugin '" + loaded.name +
                 "': its registration threw an exception");
  }
  // A refused registration takes back all the plugin registered; the
  // object stays loaded all the same (the callback may have kept pointers
  // to its code anywhere), as a loaded plugin always does.
  if (Status registered = scope.close(); !registered)
    return Error("pass plugin '" + loaded.name +
                 "': " + registered.error().message);
  // Never dlclose'd: the registry holds factories from its code.
  return loaded;
}

} // namespace bcc
