//===- passes/Pipelines.cpp - What each -O level runs ----------------------===//
//
// The pipelines are straight-line code. docs/passes.md says what each level
// may change; keep the two in step. The extension points (PassRegistry.h,
// docs/embedding.md) are the calls of `extend`: at the start, after each
// run of the cleanups, and last.
//
//===----------------------------------------------------------------------===//

#include "passes/Pipelines.h"

#include "passes/PassRegistry.h"

namespace bcc {

namespace {

/// A default pipeline under construction: the manager, the options and
/// the registry the passes and extensions come from.
struct Builder {
  PassManager &pm;
  const OptimizationOptions &options;
  const PassRegistry &registry;

  /// Adds bcc's pass `name` with no parameters.
  void addPass(llvm::StringRef name) {
    Expected<std::unique_ptr<Pass>> pass = registry.create(name);
    if (!pass)
      bcc_unreachable("a default pipeline names a pass that is not "
                      "registered, or one that rejects no parameters");
    pm.add(std::move(*pass));
  }

  void extend(ExtensionPoint point) { registry.extend(point, pm, options); }

  /// The exact cleanups, in the order they feed each other: folding makes
  /// constant branches, folded branches make dead blocks and constant
  /// parameters, and what is left unused goes last.
  void addCleanups() {
    addPass("const-fold");
    addPass("fold-branches");
    addPass("simplify-cfg");
    addPass("dce");
    extend(ExtensionPoint::CleanupsEnd);
  }

  /// The level's passes between the first and the last extension point.
  void addLevelPasses();
};

void Builder::addLevelPasses() {
  // -O2 and -O3 first give the functions the module decorates with the
  // Python package's decorators the code those would give them at import
  // (docs/passes.md, apply-decorators): from CPython's code, before any
  // other pass changes it.
  if (options.level >= 2)
    addPass("apply-decorators");
  // -O1: the exact cleanups.
  addCleanups();
  if (options.level == 1)
    return;
  // -O2: the passes that use facts the user granted, each followed by the
  // cleanups; without such facts, nothing more (docs/passes.md).
  const Assumptions &assumed = options.assumptions;
  bool level3 = options.level >= 3;
  if (!options.constants.empty() || assumed.has(Assumption::ModuleConstants) ||
      options.finalConstants()) {
    addPass("fold-globals");
    addCleanups();
  }
  if (assumed.has(Assumption::NoPrint)) {
    addPass("strip-print");
    addCleanups();
  }
  // -O3: calls of functions that do nothing once the flags are folded go,
  // small functions are inlined (guarded unless stable-functions); both
  // clean up the functions they change.
  if (level3) {
    addPass("strip-debug");
    addPass("inline");
  }
  // Last, once inlining has brought the loops' reads together.
  if (level3 || assumed.has(Assumption::StableGlobals)) {
    addPass("hoist-globals");
    addCleanups();
  }
}

} // namespace

Status buildPipeline(PassManager &pm, const OptimizationOptions &options,
                     const PassRegistry &registry) {
  if (options.level == 0)
    return Status::ok();
  Builder builder{pm, options, registry};
  builder.extend(ExtensionPoint::PipelineStart);
  builder.addLevelPasses();
  builder.extend(ExtensionPoint::OptimizerLast);
  return Status::ok();
}

Status parsePipeline(PassManager &pm, llvm::StringRef text,
                     const PassRegistry &registry) {
  llvm::StringRef rest = text.trim();
  if (rest.empty())
    return Error("--passes needs a list of passes (see --list-passes)");
  while (!rest.empty()) {
    // One element: a name, optionally <...>, up to the next top-level ','.
    size_t end = 0;
    unsigned depth = 0;
    while (end < rest.size() && (depth || rest[end] != ',')) {
      if (rest[end] == '<')
        ++depth;
      else if (rest[end] == '>' && depth)
        --depth;
      ++end;
    }
    llvm::StringRef element = rest.take_front(end).trim();
    rest = end < rest.size() ? rest.drop_front(end + 1) : llvm::StringRef();
    if (element.empty())
      return Error("--passes: an empty pass name in '" + text.str() + "'");
    llvm::StringRef name = element;
    std::vector<std::pair<std::string, std::string>> parameters;
    size_t open = element.find('<');
    if (open != llvm::StringRef::npos) {
      if (!element.endswith(">"))
        return Error("--passes: '" + element.str() +
                     "' opens '<' without closing it");
      name = element.take_front(open).trim();
      llvm::StringRef inside = element.drop_front(open + 1).drop_back();
      llvm::SmallVector<llvm::StringRef, 4> items;
      inside.split(items, ';', -1, false);
      for (llvm::StringRef item : items) {
        auto [key, value] = item.split('=');
        key = key.trim();
        if (key.empty() || key.size() == item.size())
          return Error("--passes: '" + item.str() + "' in '" + element.str() +
                       "' is not NAME=VALUE");
        parameters.push_back({key.str(), value.trim().str()});
      }
    }
    Expected<std::unique_ptr<Pass>> pass =
        registry.create(name, PassParameters(std::move(parameters)));
    if (!pass)
      return Error("--passes: " + pass.error().message);
    pm.add(std::move(*pass));
  }
  return Status::ok();
}

} // namespace bcc
