//===- passes/PassPlugin.cpp - dlopen, the entry point, the version ------===//

#include "passes/PassPlugin.h"

#include <dlfcn.h>

#include <cerrno>
#include <cstring>
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
  // dlopen searches the library path for a name without '/'; a plugin is
  // always the file named.
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  // RTLD_NOW: a symbol the executable does not provide is an error here,
  // not a crash in the middle of a pipeline.
  void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return Error("not a loadable shared object: " + dlMessage(file));
  dlerror();
  void *symbol = dlsym(handle, kPassPluginEntryPoint);
  if (!symbol) {
    dlclose(handle);
    return Error(std::string("not a bcc pass plugin: it has no function ") +
                 kPassPluginEntryPoint);
  }
  using EntryPoint = PassPluginInfo (*)();
  PassPluginInfo info = reinterpret_cast<EntryPoint>(symbol)();
  // Nothing but the version is read until it matches.
  if (info.apiVersion != BCC_PLUGIN_API_VERSION) {
    dlclose(handle);
    return Error("pass plugin built for bcc plugin API version " +
                 std::to_string(info.apiVersion) + ", but this bcc has " +
                 std::to_string(BCC_PLUGIN_API_VERSION) +
                 " (rebuild it against this bcc's headers)");
  }
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
  info.registerPasses(registry);
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
