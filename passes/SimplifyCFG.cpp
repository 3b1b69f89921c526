//===- passes/SimplifyCFG.cpp - simplify-cfg: fewer blocks and jumps -------===//
//
// What it does, repeated until nothing changes:
//  * removes blocks that no edge (normal or exception) reaches from the
//    entry;
//  * merges a block into its only predecessor when that predecessor ends
//    in a `br` to it: the jump goes, the block's parameters become the
//    values the jump passed;
//  * threads a `br` to a block that only jumps on (`br` to a `br`): the
//    first jump goes straight to the final target;
//  * removes NOPs that no longer carry a line of their own (the
//    instruction before or after them is on the same line).
// A jump that disappears keeps its line as a NOP when no neighbour has it,
// so tracing still sees the `break` or `continue` line.
//
// What it assumes: nothing.
//
// What it refuses: functions no pass changed (PassContext::isPristine):
// CPython's own output keeps its bytes, even its dead code, which test_dis
// and debuggers look at; handler blocks (their entry is the exception
// mechanism's); merges across different exception handlers, threading a
// conditional branch (on 3.12+ a backward conditional jump costs a jump of
// its own, which is why CPython lays those out as it does), and threading
// through a jump whose line would be lost.
//
//===----------------------------------------------------------------------===//

#include "passes/IRUtils.h"
#include "passes/BuiltinPasses.h"
#include "passes/Transforms.h"

namespace bcc {

namespace {

class SimplifyCFG final : public FunctionPass {
public:
  llvm::StringRef name() const override { return "simplify-cfg"; }
  bool runOnFunction(Function &f, PassContext &context) override {
    if (context.isPristine(f))
      return false;
    return simplifyCFG(f, context);
  }
};

constexpr const char *kPass = "simplify-cfg";

bool removeUnreachable(Function &f, PassContext &context) {
  f.renumber();
  std::vector<bool> reached = reachableBlocks(f);
  std::vector<Block *> dead;
  for (Block &b : f)
    if (!reached[b.number()])
      dead.push_back(&b);
  if (dead.empty())
    return false;
  // Cut every use first: dead blocks may use each other's values.
  for (Block *b : dead) {
    b->clearHandler();
    for (Instruction &inst : *b) {
      for (Use &u : inst.operandUses())
        u.set(nullptr);
      for (Successor &s : inst.successors())
        for (Use &u : s.argUses())
          u.set(nullptr);
    }
  }
  for (Block *b : dead) {
    for (unsigned i = 0; i < b->numParams(); ++i)
      b->param(i)->replaceAllUsesWith(nullptr);
    for (Instruction &inst : *b)
      for (InstResult &r : inst.results())
        r.replaceAllUsesWith(nullptr);
  }
  for (Block *b : dead)
    b->eraseFromParent();
  context.count(kPass, "unreachable blocks removed", dead.size());
  return true;
}

/// Whether two blocks see exceptions the same way once merged: the same
/// handler, depth and lasti, and the merged block's handler arguments are
/// the predecessor's.
bool sameHandler(const Block &pred, const Block &block,
                 llvm::ArrayRef<Value *> passed) {
  if (pred.hasHandler() != block.hasHandler())
    return false;
  if (!pred.hasHandler())
    return true;
  if (pred.handler() != block.handler() ||
      pred.handlerDepth() != block.handlerDepth() ||
      pred.handlerPushesLasti() != block.handlerPushesLasti())
    return false;
  for (unsigned i = 0; i < block.numHandlerArgs(); ++i) {
    const auto *param = llvm::dyn_cast<BlockParam>(block.handlerArg(i));
    if (!param || param->block() != &block || param->index() >= passed.size() ||
        passed[param->index()] != pred.handlerArg(i))
      return false;
  }
  return true;
}

bool mergeBlocks(Function &f, PassContext &context) {
  bool changed = false;
  bool again = true;
  while (again) {
    again = false;
    f.renumber();
    std::vector<std::vector<Block *>> preds = predecessors(f);
    llvm::SmallPtrSet<const Block *, 8> handlers = handlerTargets(f);
    for (Block &block : f) {
      if (&block == f.entry() || handlers.count(&block) ||
          preds[block.number()].size() != 1)
        continue;
      Block *pred = preds[block.number()].front();
      Instruction *jump = pred->terminator();
      if (pred == &block || !jump || !jump->is(Op::Br))
        continue;
      llvm::SmallVector<Value *, 4> passed;
      for (unsigned i = 0; i < jump->successor(0).numArgs(); ++i)
        passed.push_back(jump->successor(0).arg(i));
      if (!sameHandler(*pred, block, passed))
        continue;
      for (unsigned i = 0; i < block.numParams(); ++i)
        block.param(i)->replaceAllUsesWith(passed[i]);
      block.clearHandler();
      SourceLocation jumpLocation = jump->location();
      jump->eraseFromParent();
      // The jump's line, if nothing else around it has it.
      int line = jumpLocation.line == SourceLocation::kAbsent
                     ? -1
                     : jumpLocation.line;
      bool covered = line < 0 ||
                     (!pred->empty() && lineOf(pred->back()) == line) ||
                     lineOf(block.front()) == line;
      if (!covered) {
        IRBuilder b(f);
        b.setInsertPoint(pred);
        b.setOrigin(jumpLocation);
        b.nop();
      }
      while (!block.empty())
        block.front().moveToEnd(pred);
      for (unsigned i = block.numParams(); i-- > 0;)
        block.eraseParam(i);
      block.eraseFromParent();
      context.count(kPass, "blocks merged");
      changed = again = true;
      break; // the predecessor lists are stale
    }
  }
  return changed;
}

bool threadJumps(Function &f, PassContext &context) {
  bool changed = false;
  llvm::SmallPtrSet<const Block *, 8> handlers = handlerTargets(f);
  for (Block &block : f) {
    Instruction *jump = block.terminator();
    if (!jump || !jump->is(Op::Br))
      continue;
    // Follow a chain of blocks that only jump, a few steps at most.
    for (unsigned steps = 0; steps < 8; ++steps) {
      Successor &edge = jump->successor(0);
      Block *through = edge.target();
      if (through == &block || through == f.entry() ||
          handlers.count(through) || through->size() != 1 ||
          !through->front().is(Op::Br))
        break;
      Instruction &next = through->front();
      int nextLine = lineOf(next);
      if (nextLine >= 0 && nextLine != lineOf(*jump))
        break; // its line would be lost
      // Map the through block's parameters to what this edge passes.
      Successor &onward = next.successor(0);
      if (onward.target() == through)
        break;
      llvm::SmallVector<Value *, 4> args;
      bool mappable = true;
      for (unsigned i = 0; i < onward.numArgs() && mappable; ++i) {
        const auto *param = llvm::dyn_cast<BlockParam>(onward.arg(i));
        if (!param || param->block() != through)
          mappable = false;
        else
          args.push_back(edge.arg(param->index()));
      }
      if (!mappable)
        break;
      edge.setTarget(onward.target());
      edge.setArgs(args);
      context.count(kPass, "jumps threaded");
      changed = true;
    }
  }
  return changed;
}

/// The line tracing last saw when control leaves `block` normally: that
/// of its last instruction that has one; -2 if none has.
int exitLine(const Block &block) {
  for (auto it = block.end(); it != block.begin();) {
    --it;
    if (lineOf(*it) >= 0)
      return lineOf(*it);
  }
  return -2;
}

bool removeNops(Function &f, PassContext &context) {
  uint64_t removed = 0;
  f.renumber();
  std::vector<std::vector<Block *>> preds = predecessors(f);
  llvm::SmallPtrSet<const Block *, 8> handlers = handlerTargets(f);
  for (Block &block : f) {
    for (auto it = block.begin(); it != block.end();) {
      Instruction &inst = *it++;
      if (!inst.is(Op::Nop))
        continue;
      int line = lineOf(inst);
      bool first = inst.getIterator() == block.begin();
      bool before = !first && lineOf(*std::prev(inst.getIterator())) == line;
      bool after = it != block.end() && lineOf(*it) == line &&
                   !it->is(Op::Br); // a fall-through has no instruction
      // First in its block: every way in comes forward, from code on the
      // same line (a backward jump would report the line again).
      if (first && !before && &block != f.entry() && !handlers.count(&block) &&
          !preds[block.number()].empty()) {
        before = true;
        for (Block *pred : preds[block.number()])
          before = before && pred->number() < block.number() &&
                   exitLine(*pred) == line;
      }
      if (line < 0 || before || after) {
        inst.eraseFromParent();
        ++removed;
      }
    }
  }
  context.count(kPass, "NOPs removed", removed);
  return removed > 0;
}

} // namespace

bool simplifyCFG(Function &f, PassContext &context) {
  bool changed = false;
  for (unsigned round = 0; round < 4; ++round) {
    bool any = removeUnreachable(f, context);
    any |= threadJumps(f, context);
    any |= removeUnreachable(f, context);
    any |= mergeBlocks(f, context);
    any |= removeNops(f, context);
    changed |= any;
    if (!any)
      break;
  }
  return changed;
}

Expected<std::unique_ptr<Pass>>
createSimplifyCFGPass(const PassParameters &parameters) {
  if (Status s = parameters.allowOnly("simplify-cfg", {}); !s)
    return s.error();
  return std::unique_ptr<Pass>(new SimplifyCFG());
}

} // namespace bcc
