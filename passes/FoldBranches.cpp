//===- passes/FoldBranches.cpp - fold-branches: branches on known values --===//
//
// What it does:
//  * a `cond_br` whose condition is a constant becomes a `br` to the
//    successor the test picks (`if DEBUG:` once DEBUG is folded, the arms
//    of `DEBUG and f()`, `x if DEBUG else y`); so does one whose two edges
//    go to the same block with the same values;
//  * a block parameter that every incoming edge passes the same constant
//    becomes that constant inside the block (the `and`/`or` and
//    conditional-expression joins), and the edges stop passing it, when
//    every edge into the block is a `br`.
// The arm that can no longer run is left for `simplify-cfg`. When the
// branch was the last instruction of its line, a NOP keeps the line for
// tracing, as CPython keeps one for `if False:`.
//
// What it assumes: nothing; the truth of a constant cannot be overridden.
//
// What it refuses: parameters of handler blocks (the exception mechanism
// fills them) and the bottom parameters a block passes to its handler.
//
//===----------------------------------------------------------------------===//

#include "passes/ConstantEval.h"
#include "passes/IRUtils.h"
#include "passes/BuiltinPasses.h"
#include "passes/Transforms.h"

namespace bcc {

namespace {

class FoldBranches final : public FunctionPass {
public:
  llvm::StringRef name() const override { return "fold-branches"; }
  bool runOnFunction(Function &f, PassContext &context) override {
    return foldBranches(f, context);
  }
};

constexpr const char *kPass = "fold-branches";

/// Which successor a cond_br on `value` takes, if the value is known.
std::optional<unsigned> takenSuccessor(const Instruction &branch) {
  const Constant *k = constantOf(branch.operand(0));
  if (!k)
    return std::nullopt;
  bool holds = false; // every BranchTest is a case below
  switch (branch.branchTest()) {
  case BranchTest::IfNone:
  case BranchTest::IfNotNone:
    holds = k->is(ConstantKind::None) ==
            (branch.branchTest() == BranchTest::IfNone);
    break;
  case BranchTest::IfTrue:
  case BranchTest::IfFalse: {
    std::optional<bool> t = truthValue(*k);
    if (!t)
      return std::nullopt;
    holds = *t == (branch.branchTest() == BranchTest::IfTrue);
    break;
  }
  }
  return holds ? 0u : 1u;
}

bool foldBranch(Instruction &branch, PassContext &context) {
  std::optional<unsigned> taken = takenSuccessor(branch);
  const Successor &a = branch.successor(0), &b = branch.successor(1);
  if (!taken && a.target() == b.target()) {
    // Both ways lead to the same place. Only exact when the test runs no
    // code: a None test, or a bool (3.13 branches only take bools).
    bool same = a.numArgs() == b.numArgs();
    for (unsigned i = 0; same && i < a.numArgs(); ++i)
      same = a.arg(i) == b.arg(i);
    BranchTest test = branch.branchTest();
    bool silent = test == BranchTest::IfNone ||
                  test == BranchTest::IfNotNone ||
                  branch.function()->version().atLeast(3, 13);
    if (same && silent)
      taken = 0;
  }
  if (!taken)
    return false;
  Block *block = branch.parent();
  if (context.wantsRemarks())
    context.remark(kPass, true, *block->parent(), lineOf(branch),
                   constantOf(branch.operand(0))
                       ? std::string("the branch always goes one way: its "
                                     "condition is a constant")
                       : std::string("both ways of the branch lead to the "
                                     "same place"));
  const Successor &edge = branch.successor(*taken);
  llvm::SmallVector<Value *, 4> args;
  for (unsigned i = 0; i < edge.numArgs(); ++i)
    args.push_back(edge.arg(i));
  Block *target = edge.target();
  Value *condition = branch.operand(0);
  IRBuilder builder(*block->parent());
  builder.setInsertPoint(block);
  Instruction *jump = builder.br(target, args);
  eraseKeepingLine(branch);
  // The branch popped its condition; now nothing does.
  if (!condition->hasUses()) {
    Instruction *def = definer(condition);
    if (def && def->numResults() == 1 && isRemovableWhenUnused(*def)) {
      eraseKeepingLine(*def);
    } else {
      builder.setInsertPoint(jump);
      builder.drop(condition);
    }
  }
  context.count(kPass, "branches folded");
  return true;
}

bool foldParameters(Function &f, PassContext &context) {
  f.renumber();
  std::vector<std::vector<Block *>> preds = predecessors(f);
  llvm::SmallPtrSet<const Block *, 8> handlers = handlerTargets(f);
  bool changed = false;
  for (Block &block : f) {
    if (&block == f.entry() || handlers.count(&block) ||
        preds[block.number()].empty())
      continue;
    unsigned protectedParams = block.hasHandler() ? block.handlerDepth() : 0;
    for (unsigned i = block.numParams(); i-- > protectedParams;) {
      // Every edge into the block, and the constant each passes here.
      ConstantRef common;
      bool same = true;
      for (Block *pred : preds[block.number()]) {
        // Only a `br` can stop passing one value: both edges of a cond_br
        // pass the same stack, and a `py` jump's edges are its opcode's.
        if (!pred->terminator()->is(Op::Br))
          same = false;
        for (Successor &s : pred->terminator()->successors()) {
          if (s.target() != &block)
            continue;
          ConstantRef k = constantRefOf(s.arg(i));
          if (!k || (common && (common->kind() != k->kind() ||
                                !common->equals(*k))))
            same = false;
          common = k;
        }
      }
      if (!same || !common)
        continue;
      // The constant inside the block, and no more on the edges.
      Instruction *first = &block.front();
      Value *value = insertConstant(*first, common);
      definer(value)->setLocation(SourceLocation::none());
      block.param(i)->replaceAllUsesWith(value);
      block.eraseParam(i);
      for (Block *pred : preds[block.number()]) {
        Instruction *term = pred->terminator();
        for (Successor &s : term->successors()) {
          if (s.target() != &block || s.numArgs() <= i)
            continue;
          Value *arg = s.arg(i);
          s.eraseArg(i);
          if (!arg->hasUses())
            if (Instruction *def = definer(arg))
              if (def->is(Op::Const) && def->parent() == pred)
                eraseKeepingLine(*def);
        }
      }
      context.count(kPass, "constant parameters");
      changed = true;
    }
  }
  return changed;
}

} // namespace

bool foldBranches(Function &f, PassContext &context) {
  bool changed = false;
  for (Block &block : f) {
    Instruction *term = block.terminator();
    if (term && term->is(Op::CondBr))
      changed |= foldBranch(*term, context);
  }
  changed |= foldParameters(f, context);
  return changed;
}

Expected<std::unique_ptr<Pass>>
createFoldBranchesPass(const PassParameters &parameters) {
  if (Status s = parameters.allowOnly("fold-branches", {}); !s)
    return s.error();
  return std::unique_ptr<Pass>(new FoldBranches());
}

} // namespace bcc
