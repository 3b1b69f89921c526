//===- passes/PassRegistry.h - The passes by name -------------------------===//
//
// A PassRegistry is the set of passes a pipeline can name: bcc's own, from
// passes/Passes.def, and those that pass plugins (passes/PassPlugin.h)
// register while they load. It feeds the pipeline parser, the -O pipelines'
// extension points, the driver's --list-passes, --print-after and
// --remarks, and (later) the Python listing.
//
// A pass's parameters come from the pipeline text: `inline<max-size=60>`
// gives the factory {"max-size": "60"}; a factory rejects a parameter it
// does not know.
//
// Extension points are named places in the -O pipelines (Pipelines.cpp)
// where a registered callback may add passes: at the start, after each run
// of the cleanups, and last before lowering. They apply at -O1 and above;
// -O0 stays lift, verify, lower, and `--passes=` replaces the pipeline and
// so its extension points too.
//
// What it assumes: one registry per driver run (or per Python process),
// filled before any pipeline is built. Nothing here is global: the
// built-in registry, `PassRegistry::builtin()`, is immutable.
//
// What it refuses: a second pass of the same name (bcc's own passes come
// first, so a plugin cannot replace one), names that are not lowercase
// words joined by '-', and kinds other than exact, facts and test.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_PASSREGISTRY_H
#define BCC_PASSES_PASSREGISTRY_H

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ir/Support.h"
#include "passes/Options.h"
#include "passes/Pass.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace bcc {

class PassManager;

/// The `<...>` of one pass in a pipeline, in the order written.
class PassParameters {
public:
  PassParameters() = default;
  explicit PassParameters(std::vector<std::pair<std::string, std::string>> v)
      : values_(std::move(v)) {}

  /// An error naming the first parameter that is not in `known`.
  Status allowOnly(llvm::StringRef pass,
                   llvm::ArrayRef<llvm::StringRef> known) const;
  /// The value of `name` as an unsigned number, or `fallback` if absent.
  Expected<uint64_t> getUnsigned(llvm::StringRef pass, llvm::StringRef name,
                                 uint64_t fallback) const;
  bool empty() const { return values_.empty(); }

private:
  std::vector<std::pair<std::string, std::string>> values_;
};

using PassFactory = std::function<Expected<std::unique_ptr<Pass>>(
    const PassParameters &parameters)>;

struct PassInfo {
  std::string name;        ///< what pipelines call it; Pass::name() returns it
  std::string kind;        ///< "exact", "facts" or "test" (docs/passes.md)
  std::string parameters;  ///< "max-size=60;..." or ""
  std::string description; ///< one line, for --list-passes
  PassFactory create;
  /// The plugin that registered it ("" for bcc's own); the registry fills
  /// it in while a plugin loads.
  std::string plugin;
};

/// Named places in the -O pipelines where registered callbacks add passes.
enum class ExtensionPoint : uint8_t {
  PipelineStart, ///< "pipeline-start": first, before the cleanups
  CleanupsEnd,   ///< "cleanups-end": after each run of the four cleanups
  OptimizerLast, ///< "optimizer-last": last, before the IR is lowered
};
inline constexpr unsigned kNumExtensionPoints = 3;

/// "pipeline-start", "cleanups-end", "optimizer-last".
const char *extensionPointName(ExtensionPoint point);

/// Adds passes to `pm` at an extension point; `options` says the level and
/// the facts granted, for a callback that wants only some of them.
using PipelineExtension =
    std::function<void(PassManager &pm, const OptimizationOptions &options)>;

class PassRegistry {
public:
  /// bcc's own passes (Passes.def), in their order, and no extensions.
  PassRegistry();

  /// The registry of bcc's own passes alone, for code that loads no
  /// plugin (tests, the fuzz targets).
  static const PassRegistry &builtin();

  /// Adds a pass after the others; an Error if its name is taken or
  /// malformed, its kind unknown, or it has no factory.
  Status registerPass(PassInfo info);
  /// Has `extension` called each time a -O pipeline reaches `point`.
  void registerExtension(ExtensionPoint point, PipelineExtension extension);

  /// Every pass: bcc's own first, then those registered, in order.
  llvm::ArrayRef<PassInfo> passes() const { return passes_; }
  /// The pass called `name`, or null.
  const PassInfo *find(llvm::StringRef name) const;
  /// A new instance of the pass called `name` with `parameters`; an Error
  /// names an unknown pass or parameter, or a factory whose pass's name()
  /// is not the name it was registered under.
  Expected<std::unique_ptr<Pass>>
  create(llvm::StringRef name, const PassParameters &parameters = {}) const;

  /// Runs the callbacks registered at `point`, in order, on `pm`.
  void extend(ExtensionPoint point, PassManager &pm,
              const OptimizationOptions &options) const;
  /// How many callbacks `point` has.
  size_t numExtensions(ExtensionPoint point) const {
    return extensions_[unsigned(point)].size();
  }

  /// While a plugin's registration callback runs (passes/PassPlugin.cpp):
  /// the passes it registers carry its name, the first registration error
  /// is kept, and close() with an error removes all it registered.
  class PluginScope {
  public:
    PluginScope(PassRegistry &registry, std::string plugin);
    ~PluginScope();
    PluginScope(const PluginScope &) = delete;
    PluginScope &operator=(const PluginScope &) = delete;
    /// The first registration that failed, if any (then everything the
    /// plugin registered is taken back).
    Status close();
    /// Takes back everything the plugin registered (its callback failed in
    /// some other way).
    void abandon();

  private:
    void takeBack();

    PassRegistry &registry_;
    size_t passes_;
    size_t extensions_[kNumExtensionPoints];
    bool closed_ = false;
  };

private:
  std::vector<PassInfo> passes_;
  std::vector<PipelineExtension> extensions_[kNumExtensionPoints];
  std::string currentPlugin_;          ///< set by PluginScope
  std::optional<Error> pluginError_;   ///< the first error in a PluginScope
};

} // namespace bcc

#endif // BCC_PASSES_PASSREGISTRY_H
