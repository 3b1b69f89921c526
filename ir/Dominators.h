//===- ir/Dominators.h - Dominator tree of a function ---------------------===//
//
// Which blocks every path from the entry goes through, computed with
// Boost.Graph's Lengauer-Tarjan algorithm.
//
// Exception edges need care. An exception may leave a block before its
// first instruction has run, so the values its instructions define are not
// available in its handler, although the block dominates the handler in the
// ordinary sense. The tree is therefore computed on a graph with two
// vertices per block: its entry (parameters; the handler edge leaves from
// here) and its body (instructions; the normal edges leave from here).
// Block dominance, dominates(a, b), compares entries and is the usual one;
// instructionsDominate(a, b) asks whether every path to b runs all of a's
// instructions first, which is what the availability of a's results in b
// needs.
//
// Unreachable blocks are dominated by every block, as in LLVM, and
// dominate nothing but themselves.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_DOMINATORS_H
#define BCC_IR_DOMINATORS_H

#include <vector>

#include "ir/ControlFlowGraph.h"

namespace bcc {

class DominatorTree {
public:
  explicit DominatorTree(const Function &function);

  const ControlFlowGraph &cfg() const { return cfg_; }

  bool isReachable(const Block *block) const;
  /// The immediate dominator; null for the entry and unreachable blocks.
  const Block *idom(const Block *block) const;
  /// The blocks `block` immediately dominates, in function order.
  llvm::ArrayRef<const Block *> children(const Block *block) const;
  /// Reachable blocks in dominator-tree pre-order, children in function
  /// order (a def-before-use order for passes).
  llvm::ArrayRef<const Block *> preorder() const { return preorder_; }

  /// Every path from the entry to `b` goes through `a` (reflexive).
  bool dominates(const Block *a, const Block *b) const;
  bool properlyDominates(const Block *a, const Block *b) const {
    return a != b && dominates(a, b);
  }
  /// Every path from the entry to `b`'s entry runs all of `a`'s
  /// instructions: `a`'s results are available in `b`. False for a == b.
  bool instructionsDominate(const Block *a, const Block *b) const;

private:
  /// Vertices of the split graph: 2i is block i's entry, 2i+1 its body.
  static unsigned entryVertex(unsigned block) { return 2 * block; }
  static unsigned bodyVertex(unsigned block) { return 2 * block + 1; }
  bool vertexDominates(unsigned a, unsigned b) const;

  ControlFlowGraph cfg_;
  /// Per split-graph vertex: pre- and post-order numbers in the dominator
  /// tree; 0 for an unreachable vertex (numbers start at 1).
  std::vector<unsigned> preNumber_, postNumber_;
  std::vector<const Block *> idoms_;                 ///< per block
  std::vector<std::vector<const Block *>> children_; ///< per block
  std::vector<const Block *> preorder_;
};

} // namespace bcc

#endif // BCC_IR_DOMINATORS_H
