//===- passes/DCE.cpp - dce: values nobody uses ----------------------------===//
//
// What it does: removes instructions whose results are unused and that
// have no effect at all (isRemovableWhenUnused: constants, NULLs, loads of
// locals that cannot raise, identity tests, building a tuple, list or
// slice; a checked load of a local that is certainly bound), and `drop`s
// of such values, repeating until nothing more goes.
// A line that loses its last instruction keeps a NOP, so that tracing sees
// the same lines.
//
// What it assumes: nothing.
//
// What it refuses: functions no pass changed (PassContext::isPristine);
// anything that may raise or run code, however unused
// its result (a global load raises NameError; an attribute load runs a
// descriptor); stores to locals, which locals() and debuggers see.
//
//===----------------------------------------------------------------------===//

#include "ir/CodeObject.h"
#include "passes/IRUtils.h"
#include "passes/BuiltinPasses.h"
#include "passes/Transforms.h"

namespace bcc {

namespace {

class DCE final : public FunctionPass {
public:
  llvm::StringRef name() const override { return "dce"; }
  bool runOnFunction(Function &f, PassContext &context) override {
    if (context.isPristine(f))
      return false;
    return removeDeadCode(f, context);
  }
};

bool unused(const Instruction &inst) {
  for (const InstResult &r : inst.results())
    if (r.hasUses())
      return false;
  return true;
}

} // namespace

bool removeDeadCode(Function &f, PassContext &context) {
  // A checked load of a local that is certainly bound cannot raise: it
  // goes like a plain load (3.11 checks every load).
  llvm::SmallPtrSet<const Instruction *, 4> unbound;
  bool unboundKnown = false;
  auto removable = [&](const Instruction &inst) {
    if (!inst.is(Op::LoadFastCheck))
      return isRemovableWhenUnused(inst);
    const LocalsPlusSlot &slot = f.localsPlus[inst.localIndex()];
    if (slot.kind & (CO_FAST_CELL | CO_FAST_FREE))
      return false;
    if (!unboundKnown) {
      unbound = maybeUnboundLoads(f);
      unboundKnown = true;
    }
    return !unbound.count(&inst);
  };  std::vector<Instruction *> work;
  for (Block &block : f)
    for (Instruction &inst : block)
      if (inst.is(Op::Drop) || (inst.numResults() && unused(inst)))
        work.push_back(&inst);
  if (work.empty())
    return false;
  // Instructions already erased must not be looked at again: the worklist
  // only ever holds live ones, since an instruction is pushed when one of
  // its users goes, and erased right when it is popped.
  llvm::SmallPtrSet<Instruction *, 16> erased;
  uint64_t removed = 0;
  auto eraseAndRequeue = [&](Instruction &inst) {
    llvm::SmallVector<Instruction *, 4> operands;
    for (const Use &u : inst.operandUses())
      if (Instruction *def = definer(u.get()))
        operands.push_back(def);
    erased.insert(&inst);
    eraseKeepingLine(inst);
    ++removed;
    for (Instruction *def : operands)
      if (!erased.count(def))
        work.push_back(def);
  };
  while (!work.empty()) {
    Instruction *inst = work.back();
    work.pop_back();
    if (erased.count(inst))
      continue;
    if (inst->is(Op::Drop)) {
      Instruction *def = definer(inst->operand(0));
      if (def && def->numResults() == 1 && inst->operand(0)->hasOneUse() &&
          removable(*def))
        eraseAndRequeue(*inst);
      continue;
    }
    if (inst->numResults() && unused(*inst) && removable(*inst))
      eraseAndRequeue(*inst);
  }
  context.count("dce", "instructions removed", removed);
  return removed > 0;
}

Expected<std::unique_ptr<Pass>> createDCEPass(const PassParameters &parameters) {
  if (Status s = parameters.allowOnly("dce", {}); !s)
    return s.error();
  return std::unique_ptr<Pass>(new DCE());
}

} // namespace bcc
