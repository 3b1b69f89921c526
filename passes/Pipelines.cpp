//===- passes/Pipelines.cpp - What each -O level runs ----------------------===//
//
// The pipelines are straight-line code. docs/passes.md says what each level
// may change; keep the two in step.
//
//===----------------------------------------------------------------------===//

#include "passes/Pipelines.h"

#include "passes/PassRegistry.h"

namespace bcc {

namespace {

/// Adds the pass `name` with no parameters; the registry must have it.
void addPass(PassManager &pm, llvm::StringRef name) {
  const PassInfo *info = findPass(name);
  assert(info && "a default pipeline names a pass that is not registered");
  Expected<std::unique_ptr<Pass>> pass = info->create(PassParameters());
  assert(pass && "a pass rejected its default parameters");
  pm.add(std::move(*pass));
}

/// The exact cleanups, in the order they feed each other: folding makes
/// constant branches, folded branches make dead blocks and constant
/// parameters, and what is left unused goes last.
void addCleanups(PassManager &pm) {
  addPass(pm, "const-fold");
  addPass(pm, "fold-branches");
  addPass(pm, "simplify-cfg");
  addPass(pm, "dce");
}

} // namespace

Status buildPipeline(PassManager &pm, const OptimizationOptions &options) {
  if (options.level == 0)
    return Status::ok();
  // -O1: the exact cleanups.
  addCleanups(pm);
  if (options.level == 1)
    return Status::ok();
  // -O2: the passes that use facts the user granted, each followed by the
  // cleanups; without such facts, nothing more (docs/passes.md).
  const Assumptions &assumed = options.assumptions;
  bool level3 = options.level >= 3;
  if (!options.constants.empty() || assumed.has(Assumption::ModuleConstants) ||
      options.finalConstants()) {
    addPass(pm, "fold-globals");
    addCleanups(pm);
  }
  if (assumed.has(Assumption::NoPrint)) {
    addPass(pm, "strip-print");
    addCleanups(pm);
  }
  // -O3: calls of functions that do nothing once the flags are folded go,
  // small functions are inlined (guarded unless stable-functions); both
  // clean up the functions they change.
  if (level3) {
    addPass(pm, "strip-debug");
    addPass(pm, "inline");
  }
  // Last, once inlining has brought the loops' reads together.
  if (level3 || assumed.has(Assumption::StableGlobals)) {
    addPass(pm, "hoist-globals");
    addCleanups(pm);
  }
  return Status::ok();
}

Status parsePipeline(PassManager &pm, llvm::StringRef text) {
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
    const PassInfo *info = findPass(name);
    if (!info)
      return Error("--passes: unknown pass '" + name.str() +
                   "' (bcc opt --list-passes lists them)");
    Expected<std::unique_ptr<Pass>> pass =
        info->create(PassParameters(std::move(parameters)));
    if (!pass)
      return Error("--passes: " + pass.error().message);
    pm.add(std::move(*pass));
  }
  return Status::ok();
}

} // namespace bcc
