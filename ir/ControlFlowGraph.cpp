//===- ir/ControlFlowGraph.cpp --------------------------------------------===//

#include "ir/ControlFlowGraph.h"

namespace bcc {

ControlFlowGraph::ControlFlowGraph(const Function &function)
    : function_(function) {
  for (const Block &block : function) {
    indices_[&block] = unsigned(blocks_.size());
    blocks_.push_back(&block);
  }
  successors_.resize(blocks_.size());
  predecessors_.resize(blocks_.size());
  graph_ = Graph(blocks_.size());
  for (unsigned i = 0; i < blocks_.size(); ++i) {
    auto addEdge = [&](const Block *target) {
      std::optional<unsigned> j = find(target);
      if (!j)
        return;
      successors_[i].push_back(*j);
      boost::add_edge(i, *j, graph_);
    };
    for (const Block *target : blocks_[i]->successors())
      addEdge(target);
    if (blocks_[i]->hasHandler())
      addEdge(blocks_[i]->handler());
  }
  for (unsigned i = 0; i < blocks_.size(); ++i)
    for (unsigned j : successors_[i])
      predecessors_[j].push_back(i);
}

std::optional<unsigned> ControlFlowGraph::find(const Block *block) const {
  auto it = indices_.find(block);
  if (it == indices_.end())
    return std::nullopt;
  return it->second;
}

unsigned ControlFlowGraph::index(const Block *block) const {
  std::optional<unsigned> i = find(block);
  assert(i && "block is not in the function");
  return *i;
}

} // namespace bcc
