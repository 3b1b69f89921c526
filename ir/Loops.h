//===- ir/Loops.h - Natural loops and their nesting -----------------------===//
//
// A back edge is an edge (exception edges included) whose target dominates
// its source; the target is a loop header. The natural loop of a header is
// the header plus every block that reaches one of its back edges' sources
// without passing through the header. Loops with the same header are one
// loop; loops with different headers are disjoint or nested, which gives the
// nesting tree.
//
// A retreating edge of a depth-first search (Boost.Graph's) that is not a
// back edge enters a cycle somewhere other than at a dominating header: the
// cycle is irreducible and forms no natural loop. Such edges are listed, so
// a pass can refuse irreducible functions. CPython's compiler emits only
// reducible control flow for ordinary code.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_LOOPS_H
#define BCC_IR_LOOPS_H

#include <memory>
#include <utility>
#include <vector>

#include "ir/Dominators.h"
#include "llvm/ADT/BitVector.h"

namespace bcc {

class Loop {
public:
  const Block *header() const { return header_; }
  /// Every block of the loop, nested loops' included, in function order.
  llvm::ArrayRef<const Block *> blocks() const { return blocks_; }
  /// The sources of the back edges to the header, in function order.
  llvm::ArrayRef<const Block *> latches() const { return latches_; }
  /// The innermost loop that contains this one, or null.
  const Loop *parent() const { return parent_; }
  /// Loops directly nested in this one, by header in function order.
  llvm::ArrayRef<const Loop *> subLoops() const { return subLoops_; }
  /// 1 for an outermost loop.
  unsigned depth() const { return depth_; }
  bool contains(const Block *block) const;

private:
  friend class LoopInfo;
  const ControlFlowGraph *cfg_ = nullptr;
  const Block *header_ = nullptr;
  std::vector<const Block *> blocks_;
  std::vector<const Block *> latches_;
  llvm::BitVector members_; ///< by CFG vertex
  Loop *parent_ = nullptr;
  std::vector<const Loop *> subLoops_;
  unsigned depth_ = 0;
};

class LoopInfo {
public:
  /// `dominators` must outlive this object.
  explicit LoopInfo(const DominatorTree &dominators);

  /// Outermost loops, by header in function order.
  llvm::ArrayRef<const Loop *> topLevelLoops() const { return topLevel_; }
  /// Every loop, outer loops before the loops they contain.
  std::vector<const Loop *> loopsInPreorder() const;
  /// The innermost loop that contains `block`, or null.
  const Loop *loopFor(const Block *block) const;
  /// The number of loops that contain `block`.
  unsigned loopDepth(const Block *block) const;

  /// Retreating edges (source, target) that are not back edges, in
  /// depth-first order: each is the entry of an irreducible cycle.
  llvm::ArrayRef<std::pair<const Block *, const Block *>>
  irreducibleEdges() const {
    return irreducibleEdges_;
  }
  bool isIrreducible() const { return !irreducibleEdges_.empty(); }

private:
  const DominatorTree &dominators_;
  std::vector<std::unique_ptr<Loop>> loops_; ///< by header, function order
  std::vector<const Loop *> topLevel_;
  std::vector<const Loop *> innermost_; ///< per CFG vertex
  std::vector<std::pair<const Block *, const Block *>> irreducibleEdges_;
};

} // namespace bcc

#endif // BCC_IR_LOOPS_H
