//===- ir/ControlFlowGraph.h - A function's CFG as a Boost graph ----------===//
//
// The analyses run Boost.Graph algorithms on this snapshot of a Function:
// vertex i is the i-th block in function order; the out-edges of a block
// are its terminator's successor edges in order, then its exception-handler
// edge. An edge to a block that is not in the function is left out (the
// verifier reports it). The snapshot does not follow later edits.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_CONTROLFLOWGRAPH_H
#define BCC_IR_CONTROLFLOWGRAPH_H

#include <optional>
#include <vector>

#include "ir/Function.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"

#include <boost/graph/adjacency_list.hpp>

namespace bcc {

class ControlFlowGraph {
public:
  using Graph =
      boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
  using Vertex = boost::graph_traits<Graph>::vertex_descriptor;

  explicit ControlFlowGraph(const Function &function);

  const Graph &graph() const { return graph_; }
  const Function &function() const { return function_; }

  unsigned numBlocks() const { return unsigned(blocks_.size()); }
  const Block *block(unsigned index) const { return blocks_[index]; }
  llvm::ArrayRef<const Block *> blocks() const { return blocks_; }
  /// The vertex of `block`, or nullopt if it is not in the function.
  std::optional<unsigned> find(const Block *block) const;
  /// The vertex of `block`, which must be in the function.
  unsigned index(const Block *block) const;

  /// Successors of vertex `index`: edge targets in order, handler last.
  llvm::ArrayRef<unsigned> successors(unsigned index) const {
    return successors_[index];
  }
  /// Predecessors of vertex `index`, by increasing vertex, once per edge.
  llvm::ArrayRef<unsigned> predecessors(unsigned index) const {
    return predecessors_[index];
  }

private:
  const Function &function_;
  std::vector<const Block *> blocks_;
  llvm::DenseMap<const Block *, unsigned> indices_;
  std::vector<std::vector<unsigned>> successors_, predecessors_;
  Graph graph_;
};

} // namespace bcc

#endif // BCC_IR_CONTROLFLOWGRAPH_H
