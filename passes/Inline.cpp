//===- passes/Inline.cpp - inline: calls of the module's small functions --===//
//
// What it does: a call of a plain function of the same module (bound once
// at top level by a `def` without decorator) is replaced by the callee's
// body (passes/Inliner.h): positional, keyword and default arguments bound
// to the callee's parameters, which become hidden locals of the caller or,
// when the callee never assigns them and the argument is a constant or a
// local, are read in place; every return joins the code after the call.
// Callees are done before their callers, so a chain of small helpers
// collapses into the outermost caller. After inlining into a function, the
// cleanups run on it.
//
// What it assumes: by default nothing the program could notice besides
// tracebacks (the inlined frame is gone; the caller's frame shows the
// call's line): a guard checks that the name still holds the function the
// module defined, and calls the name otherwise. Under stable-functions the
// guard goes.
//
// What it refuses, with the reason as a missed remark: generators and
// coroutines, closures and functions with cells, callees that read their
// *args or **kwargs, nested functions or comprehensions of their own (3.11),
// code that looks at the stack of frames, itself or through the module's
// functions it calls (sys._getframe, inspect.stack, warnings.warn,
// stacklevel=, locals(), super(), ...), reads of locals that may be
// unbound, recursion, calls that would
// raise TypeError, keyword-only defaults, and callees bigger than
// `max-size` IR instructions (default 60).
//
//===----------------------------------------------------------------------===//

#include "passes/Inliner.h"
#include "passes/IRUtils.h"
#include "passes/BuiltinPasses.h"
#include "passes/Transforms.h"

#include <set>

namespace bcc {

namespace {

constexpr const char *kPass = "inline";

class Inline final : public Pass {
public:
  explicit Inline(unsigned maxSize) : maxSize_(maxSize) {}
  llvm::StringRef name() const override { return kPass; }
  bool run(Module &module, PassContext &context) override;

private:
  bool inlineInto(Function &caller, const ModuleFacts &facts,
                  PassContext &context);
  unsigned maxSize_;
};

bool Inline::inlineInto(Function &caller, const ModuleFacts &facts,
                        PassContext &context) {
  bool guarded = !context.options().assumptions.has(Assumption::StableFunctions);
  std::vector<Instruction *> calls;
  for (Block &block : caller)
    for (Instruction &inst : block)
      if (inst.is(Op::Call) && !context.isFallbackCall(inst))
        calls.push_back(&inst);
  bool changed = false;
  for (Instruction *call : calls) {
    std::string why;
    std::optional<CallSite> site = findCallSite(*call, facts, context.tree(), why);
    int line = lineOf(*call);
    if (!site) {
      if (!why.empty())
        context.remark(kPass, false, caller, line, "not inlined: " + why);
      continue;
    }
    Function &callee = *site->callee;
    // A callee from another module was checked there, with its facts.
    std::string refusal =
        site->foreign ? "" : inlineRefusal(callee, caller, facts);
    if (!refusal.empty()) {
      context.remark(kPass, false, caller, line,
                     "'" + site->name + "' is not inlined: " + refusal);
      continue;
    }
    unsigned cost = inlineCost(callee, &context);
    if (cost > maxSize_) {
      context.remark(kPass, false, caller, line,
                     "'" + site->name + "' is not inlined: it has " +
                         std::to_string(cost) +
                         " instructions, more than max-size=" +
                         std::to_string(maxSize_));
      continue;
    }
    std::optional<ArgumentBinding> arguments =
        bindArguments(*site, callee, why);
    if (!arguments) {
      context.remark(kPass, false, caller, line,
                     "'" + site->name + "' is not inlined: " + why);
      continue;
    }
    inlineCall(*site, callee, *arguments, guarded, context);
    context.verifyStep(caller, "inlining '" + site->name + "' into '" +
                                   caller.qualName.utf8 + "'");
    context.remark(kPass, true, caller, line,
                   "inlined '" + site->name + "'" +
                       (site->foreign ? " from another module" : "") + " (" +
                       std::to_string(cost) +
                       " instructions, " +
                       (guarded ? "guarded" : "no guard: stable-functions") +
                       ")");
    context.count(kPass, guarded ? "calls inlined with a guard"
                                 : "calls inlined");
    changed = true;
  }
  if (changed) {
    context.markChanged(caller);
    cleanUp(caller, context);
  }
  return changed;
}

bool Inline::run(Module &module, PassContext &context) {
  const ModuleFacts &facts = context.facts(module);
  // Callees before callers: a post-order of the module's call graph.
  std::vector<Function *> order;
  std::set<const Function *> visited;
  std::function<void(Function &)> visit = [&](Function &f) {
    if (!visited.insert(&f).second)
      return;
    std::string why;
    for (Block &block : f)
      for (Instruction &inst : block)
        if (inst.is(Op::Call))
          if (std::optional<CallSite> site =
                  findCallSite(inst, facts, context.tree(), why))
            if (!site->foreign)
              visit(*site->callee);
    order.push_back(&f);
  };
  for (const auto &function : module.functions())
    visit(*function);
  bool changed = false;
  for (Function *f : order)
    changed |= inlineInto(*f, facts, context);
  return changed;
}

} // namespace

Expected<std::unique_ptr<Pass>>
createInlinePass(const PassParameters &parameters) {
  if (Status s = parameters.allowOnly(kPass, {"max-size"}); !s)
    return s.error();
  Expected<uint64_t> maxSize = parameters.getUnsigned(kPass, "max-size", 60);
  if (!maxSize)
    return maxSize.error();
  return std::unique_ptr<Pass>(new Inline(unsigned(*maxSize)));
}

} // namespace bcc
