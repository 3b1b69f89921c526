//===- ir/Dominators.cpp - Lengauer-Tarjan on the split CFG ---------------===//

#include "ir/Dominators.h"

#include <boost/graph/dominator_tree.hpp>

namespace bcc {

DominatorTree::DominatorTree(const Function &function) : cfg_(function) {
  const unsigned numBlocks = cfg_.numBlocks();
  idoms_.assign(numBlocks, nullptr);
  children_.assign(numBlocks, {});
  preNumber_.assign(2 * numBlocks, 0);
  postNumber_.assign(2 * numBlocks, 0);
  if (numBlocks == 0)
    return;

  // The split graph: entry -> body for every block, the handler edge from
  // the entry, the normal edges from the body.
  using Graph = ControlFlowGraph::Graph;
  using Vertex = ControlFlowGraph::Vertex;
  Graph split(2 * numBlocks);
  for (unsigned i = 0; i < numBlocks; ++i) {
    const Block *block = cfg_.block(i);
    boost::add_edge(entryVertex(i), bodyVertex(i), split);
    for (const Block *target : block->successors())
      if (std::optional<unsigned> j = cfg_.find(target))
        boost::add_edge(bodyVertex(i), entryVertex(*j), split);
    if (block->hasHandler())
      if (std::optional<unsigned> j = cfg_.find(block->handler()))
        boost::add_edge(entryVertex(i), entryVertex(*j), split);
  }

  const Vertex none = boost::graph_traits<Graph>::null_vertex();
  std::vector<Vertex> idom(2 * numBlocks, none);
  boost::lengauer_tarjan_dominator_tree(
      split, boost::vertex(entryVertex(0), split),
      boost::make_iterator_property_map(
          idom.begin(), boost::get(boost::vertex_index, split)));

  // Number the vertex dominator tree in pre- and post-order, iteratively.
  std::vector<std::vector<unsigned>> treeChildren(2 * numBlocks);
  for (unsigned v = 0; v < 2 * numBlocks; ++v)
    if (idom[v] != none)
      treeChildren[idom[v]].push_back(v);
  unsigned pre = 0, post = 0;
  std::vector<std::pair<unsigned, size_t>> stack{{entryVertex(0), 0}};
  preNumber_[entryVertex(0)] = ++pre;
  while (!stack.empty()) {
    auto &[v, next] = stack.back();
    if (next < treeChildren[v].size()) {
      unsigned child = treeChildren[v][next++];
      preNumber_[child] = ++pre;
      stack.push_back({child, 0});
    } else {
      postNumber_[v] = ++post;
      stack.pop_back();
    }
  }

  // Block-level tree: a block's idom is the block of its entry's idom.
  for (unsigned i = 1; i < numBlocks; ++i) {
    Vertex d = idom[entryVertex(i)];
    if (d == none)
      continue;
    idoms_[i] = cfg_.block(unsigned(d / 2));
    children_[d / 2].push_back(cfg_.block(i));
  }
  std::vector<const Block *> work{cfg_.block(0)};
  while (!work.empty()) {
    const Block *b = work.back();
    work.pop_back();
    preorder_.push_back(b);
    const auto &kids = children_[cfg_.index(b)];
    work.insert(work.end(), kids.rbegin(), kids.rend());
  }
}

bool DominatorTree::isReachable(const Block *block) const {
  return preNumber_[entryVertex(cfg_.index(block))] != 0;
}

const Block *DominatorTree::idom(const Block *block) const {
  return idoms_[cfg_.index(block)];
}

llvm::ArrayRef<const Block *>
DominatorTree::children(const Block *block) const {
  return children_[cfg_.index(block)];
}

bool DominatorTree::vertexDominates(unsigned a, unsigned b) const {
  return preNumber_[a] != 0 && preNumber_[a] <= preNumber_[b] &&
         postNumber_[b] <= postNumber_[a];
}

bool DominatorTree::dominates(const Block *a, const Block *b) const {
  if (a == b || !isReachable(b))
    return true;
  return vertexDominates(entryVertex(cfg_.index(a)),
                         entryVertex(cfg_.index(b)));
}

bool DominatorTree::instructionsDominate(const Block *a, const Block *b) const {
  if (a == b)
    return false;
  if (!isReachable(b))
    return true;
  return vertexDominates(bodyVertex(cfg_.index(a)), entryVertex(cfg_.index(b)));
}

} // namespace bcc
