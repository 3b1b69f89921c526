//===- ir/Loops.cpp - Natural loops from back edges -----------------------===//

#include "ir/Loops.h"

#include <algorithm>

#include <boost/graph/depth_first_search.hpp>

namespace bcc {

bool Loop::contains(const Block *block) const {
  std::optional<unsigned> i = cfg_->find(block);
  return i && members_.test(*i);
}

namespace {

/// Records the edges a depth-first search finds to a vertex still on its
/// stack (Boost calls them back edges; in CFG terms, retreating edges).
struct RetreatingEdgeRecorder : boost::default_dfs_visitor {
  std::vector<std::pair<unsigned, unsigned>> *edges;
  template <class Edge, class Graph> void back_edge(Edge e, const Graph &g) {
    edges->push_back(
        {unsigned(boost::source(e, g)), unsigned(boost::target(e, g))});
  }
};

} // namespace

LoopInfo::LoopInfo(const DominatorTree &dominators) : dominators_(dominators) {
  const ControlFlowGraph &cfg = dominators.cfg();
  const unsigned n = cfg.numBlocks();
  innermost_.assign(n, nullptr);
  if (n == 0)
    return;
  auto reachable = [&](unsigned i) {
    return dominators.isReachable(cfg.block(i));
  };

  // Back edges, grouped by header.
  std::vector<std::vector<unsigned>> latchesOf(n);
  for (unsigned i = 0; i < n; ++i) {
    if (!reachable(i))
      continue;
    for (unsigned j : cfg.successors(i))
      if (dominators.dominates(cfg.block(j), cfg.block(i)) &&
          (latchesOf[j].empty() || latchesOf[j].back() != i))
        latchesOf[j].push_back(i);
  }

  // One natural loop per header: walk backwards from the latches.
  for (unsigned h = 0; h < n; ++h) {
    if (latchesOf[h].empty())
      continue;
    auto loop = std::make_unique<Loop>();
    loop->cfg_ = &cfg;
    loop->header_ = cfg.block(h);
    loop->members_.resize(n);
    loop->members_.set(h);
    std::vector<unsigned> work(latchesOf[h].begin(), latchesOf[h].end());
    while (!work.empty()) {
      unsigned b = work.back();
      work.pop_back();
      if (loop->members_.test(b))
        continue;
      loop->members_.set(b);
      for (unsigned p : cfg.predecessors(b))
        if (reachable(p) && !loop->members_.test(p))
          work.push_back(p);
    }
    for (unsigned b : loop->members_.set_bits())
      loop->blocks_.push_back(cfg.block(b));
    for (unsigned l : latchesOf[h])
      loop->latches_.push_back(cfg.block(l));
    loops_.push_back(std::move(loop));
  }

  // Nesting: the parent is the smallest other loop holding the header.
  for (auto &loop : loops_) {
    unsigned header = cfg.index(loop->header_);
    for (auto &other : loops_) {
      if (other.get() == loop.get() || !other->members_.test(header))
        continue;
      if (!loop->parent_ ||
          other->blocks_.size() < loop->parent_->blocks_.size())
        loop->parent_ = other.get();
    }
  }
  for (auto &loop : loops_) {
    if (loop->parent_)
      loop->parent_->subLoops_.push_back(loop.get());
    else
      topLevel_.push_back(loop.get());
    unsigned depth = 1;
    for (const Loop *p = loop->parent_; p; p = p->parent_)
      ++depth;
    loop->depth_ = depth;
  }

  // Innermost loop per block: the deepest loop that holds it.
  for (auto &loop : loops_)
    for (unsigned b : loop->members_.set_bits())
      if (!innermost_[b] || innermost_[b]->depth_ < loop->depth_)
        innermost_[b] = loop.get();

  // Irreducible cycles: retreating edges whose target does not dominate
  // their source.
  std::vector<std::pair<unsigned, unsigned>> retreating;
  RetreatingEdgeRecorder recorder;
  recorder.edges = &retreating;
  std::vector<boost::default_color_type> colors(n, boost::white_color);
  boost::depth_first_visit(
      cfg.graph(), boost::vertex(0, cfg.graph()), recorder,
      boost::make_iterator_property_map(
          colors.begin(), boost::get(boost::vertex_index, cfg.graph())));
  for (auto [from, to] : retreating)
    if (!dominators.dominates(cfg.block(to), cfg.block(from)))
      irreducibleEdges_.push_back({cfg.block(from), cfg.block(to)});
}

std::vector<const Loop *> LoopInfo::loopsInPreorder() const {
  std::vector<const Loop *> out;
  std::vector<const Loop *> work(topLevel_.rbegin(), topLevel_.rend());
  while (!work.empty()) {
    const Loop *loop = work.back();
    work.pop_back();
    out.push_back(loop);
    work.insert(work.end(), loop->subLoops_.rbegin(), loop->subLoops_.rend());
  }
  return out;
}

const Loop *LoopInfo::loopFor(const Block *block) const {
  std::optional<unsigned> i = dominators_.cfg().find(block);
  return i ? innermost_[*i] : nullptr;
}

unsigned LoopInfo::loopDepth(const Block *block) const {
  const Loop *loop = loopFor(block);
  return loop ? loop->depth() : 0;
}

} // namespace bcc
