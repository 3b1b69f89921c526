//===- passes/PassPlugin.h - Passes from a shared object ------------------===//
//
// A pass plugin is a shared object with one C entry point,
//
//   extern "C" BCC_PLUGIN_EXPORT const bcc::PassPluginInfo *
//   bccGetPassPluginInfo();
//
// that returns (a pointer to a static struct holding) the plugin API
// version it was built with, its name and version, and a callback that
// registers its passes (and, if it wants, extension-point callbacks) in
// the PassRegistry it is given. A pointer rather than the struct itself:
// bcc must read the version of a plugin built for another API, whose
// struct may have another size, and returning a struct of another size
// by value would write past the caller's. `bcc opt
// --load-pass-plugin=PATH` loads it with loadPassPlugin(); then
// `--passes=`, `--list-passes`, `--print-after=`, `--stats` and
// `--remarks` know its passes as they know bcc's own (docs/embedding.md).
//
// What it assumes: the plugin was compiled against the installed headers
// of a bcc with the same BCC_PLUGIN_API_VERSION, by a compiler with the
// same C++ ABI, and links none of bcc's libraries (nor LLVM's): every
// symbol of bcc it uses resolves to the executable that loads it, which
// exports them (the bcc driver is linked with ENABLE_EXPORTS for this).
//
// What it refuses, each as an Error naming the file: a missing file, one
// that is not a shared object or whose symbols do not resolve, one without
// the entry point, a plugin built for another API version (only the
// version is read then: the rest of the struct may differ), any
// registration the registry refuses (a name that clashes with a pass
// already there), and a registration callback that throws. A refused
// plugin registers nothing. A loaded plugin is
// never unloaded: its passes' code must outlive every pipeline.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_PASSPLUGIN_H
#define BCC_PASSES_PASSPLUGIN_H

#include <cstdint>
#include <string>

#include "ir/Support.h"
#include "passes/PassRegistry.h"

/// The plugin API version: bumped whenever a change to bcc's installed
/// headers could break a plugin built against the old ones (a class's
/// layout or virtual functions, a signature, PassPluginInfo itself). A
/// plugin whose number differs is refused at load time.
#define BCC_PLUGIN_API_VERSION 1

/// Marks the entry point visible even when a plugin is built with
/// -fvisibility=hidden.
#define BCC_PLUGIN_EXPORT __attribute__((visibility("default")))

namespace bcc {

/// What bccGetPassPluginInfo() points to (a static object of the plugin).
/// `apiVersion` stays the first field in every version of the API, so that
/// bcc can read it from any plugin and refuse the others before it touches
/// the rest.
struct PassPluginInfo {
  uint32_t apiVersion;       ///< BCC_PLUGIN_API_VERSION when it was built
  const char *pluginName;    ///< "count-calls": messages, --list-passes
  const char *pluginVersion; ///< the plugin's own version, e.g. "1.0"
  /// Registers the plugin's passes and extensions; errors are returned by
  /// PassRegistry::registerPass and also make the load fail.
  void (*registerPasses)(PassRegistry &registry);
};

/// The name of the entry point, for dlsym.
inline constexpr const char *kPassPluginEntryPoint = "bccGetPassPluginInfo";

/// A plugin that loadPassPlugin() loaded.
struct LoadedPassPlugin {
  std::string path;
  std::string name;
  std::string version;
};

/// Opens the shared object at `path`, checks its entry point and API
/// version and runs its registration callback on `registry`. An Error's
/// message does not repeat the path (Error::format(path) adds it).
Expected<LoadedPassPlugin> loadPassPlugin(const std::string &path,
                                          PassRegistry &registry);

} // namespace bcc

extern "C" {
/// Defined by each plugin (not by bcc).
BCC_PLUGIN_EXPORT const bcc::PassPluginInfo *bccGetPassPluginInfo();
}

#endif // BCC_PASSES_PASSPLUGIN_H
