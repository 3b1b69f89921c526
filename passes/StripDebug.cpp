//===- passes/StripDebug.cpp - strip-debug: calls of functions that do nothing
//
// What it does: once the debug flags are folded (fold-globals) and their
// dead arms removed (fold-branches, simplify-cfg), a helper such as
//
//     def DEBUG(*args):
//         if VERBOSE:
//             print(*args)
//
// does nothing but return None. Every call of such a function of the
// module is removed: its arguments are still evaluated when that may have
// effects (`DEBUG(f(x))` still calls f), its result is None. This is the
// inliner (passes/Inliner.h) with an empty body, so the call is guarded the
// same way: if the name no longer holds the module's function, it is called.
// The dead arms of `if DEBUG:`, `DEBUG and f()` and `x if DEBUG else y` go
// with the cleanups that follow fold-globals.
//
// What it assumes: nothing beyond the folded facts; under stable-functions
// the guard goes.
//
// What it refuses: generators and coroutines (calling one makes an
// object), closures, calls that would raise TypeError, helpers that read
// their *args or **kwargs (those do something).
//
//===----------------------------------------------------------------------===//

#include "passes/Inliner.h"
#include "passes/IRUtils.h"
#include "passes/BuiltinPasses.h"
#include "passes/Transforms.h"

namespace bcc {

namespace {

constexpr const char *kPass = "strip-debug";

class StripDebug final : public Pass {
public:
  llvm::StringRef name() const override { return kPass; }
  bool run(Module &module, PassContext &context) override;
};

bool StripDebug::run(Module &module, PassContext &context) {
  const ModuleFacts &facts = context.facts(module);
  bool guarded = !context.options().assumptions.has(Assumption::StableFunctions);
  bool changed = false;
  for (const auto &function : module.functions()) {
    Function &caller = *function;
    std::vector<Instruction *> calls;
    for (Block &block : caller)
      for (Instruction &inst : block)
        if (inst.is(Op::Call) && !context.isFallbackCall(inst))
          calls.push_back(&inst);
    bool here = false;
    for (Instruction *call : calls) {
      std::string why;
      std::optional<CallSite> site = findCallSite(*call, facts, context.tree(), why);
      if (!site || !isNoOp(*site->callee))
        continue;
      int line = lineOf(*call);
      std::optional<ArgumentBinding> arguments =
          bindArguments(*site, *site->callee, why);
      if (!arguments) {
        context.remark(kPass, false, caller, line,
                       "the call of '" + site->name +
                           "', which does nothing, stays: " + why);
        continue;
      }
      inlineCall(*site, *site->callee, *arguments, guarded,
                 context);
      context.verifyStep(caller, "removing the call of '" + site->name +
                                     "' in '" + caller.qualName.utf8 + "'");
      context.remark(kPass, true, caller, line,
                     "removed the call of '" + site->name +
                         "', which does nothing (" +
                         (guarded ? "guarded" : "no guard: stable-functions") +
                         ")");
      context.count(kPass, "calls removed");
      here = true;
    }
    if (here) {
      context.markChanged(caller);
      cleanUp(caller, context);
      changed = true;
    }
  }
  return changed;
}

} // namespace

Expected<std::unique_ptr<Pass>>
createStripDebugPass(const PassParameters &parameters) {
  if (Status s = parameters.allowOnly(kPass, {}); !s)
    return s.error();
  return std::unique_ptr<Pass>(new StripDebug());
}

} // namespace bcc
