//===- tests/unit/IRAnalysisTest.cpp - Dominators and loops ---------------===//
//
// Small CFGs written as IR text: a diamond, nested loops, a loop with an
// exception handler, unreachable code and an irreducible cycle.
//
//===----------------------------------------------------------------------===//

#include "ir/Dominators.h"
#include "ir/IRParser.h"
#include "ir/Loops.h"
#include "ir/Verifier.h"

#include <algorithm>
#include <gtest/gtest.h>

using namespace bcc;

namespace {

/// Parses a function body (locals x, consts None) and checks that it
/// verifies, so that the analyses only ever see valid IR here.
std::unique_ptr<Module> parse(const std::string &body) {
  std::string text = "module python 3.12\nfunction @0 'f' {\n  locals: x\n"
                     "  consts: None\n" +
                     body + "}\n";
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  EXPECT_TRUE(bool(m)) << (m ? "" : m.error().message);
  if (!m)
    return nullptr;
  Status s = verify(**m);
  EXPECT_TRUE(bool(s)) << (s ? "" : s.error().message);
  return std::move(*m);
}

/// The blocks of the function by number.
std::vector<const Block *> blocksOf(const Module &m) {
  std::vector<const Block *> out;
  for (const Block &b : *m.function(0))
    out.push_back(&b);
  return out;
}

/// Block numbers of a list of blocks.
std::vector<unsigned> numbers(llvm::ArrayRef<const Block *> blocks,
                              const std::vector<const Block *> &all) {
  std::vector<unsigned> out;
  for (const Block *b : blocks)
    out.push_back(unsigned(std::find(all.begin(), all.end(), b) - all.begin()));
  return out;
}

const char *const kDiamond = R"(bb0:
  %0 = load_fast x
  cond_br if_true %0, ^bb1, ^bb2
bb1:
  br ^bb3
bb2:
  br ^bb3
bb3:
  return %0
)";

TEST(IRDominators, Diamond) {
  auto m = parse(kDiamond);
  ASSERT_TRUE(m);
  auto bb = blocksOf(*m);
  DominatorTree dt(*m->function(0));
  EXPECT_EQ(dt.idom(bb[0]), nullptr);
  EXPECT_EQ(dt.idom(bb[1]), bb[0]);
  EXPECT_EQ(dt.idom(bb[2]), bb[0]);
  EXPECT_EQ(dt.idom(bb[3]), bb[0]);
  EXPECT_TRUE(dt.dominates(bb[0], bb[3]));
  EXPECT_FALSE(dt.dominates(bb[1], bb[3]));
  EXPECT_TRUE(dt.dominates(bb[1], bb[1]));
  EXPECT_FALSE(dt.properlyDominates(bb[1], bb[1]));
  EXPECT_TRUE(dt.instructionsDominate(bb[0], bb[3]));
  EXPECT_FALSE(dt.instructionsDominate(bb[0], bb[0]));
  EXPECT_EQ(numbers(dt.children(bb[0]), bb), (std::vector<unsigned>{1, 2, 3}));
  EXPECT_EQ(numbers(dt.preorder(), bb), (std::vector<unsigned>{0, 1, 2, 3}));
  LoopInfo loops(dt);
  EXPECT_TRUE(loops.topLevelLoops().empty());
  EXPECT_FALSE(loops.isIrreducible());
}

// while x:            bb1 header of the outer loop, latch bb5
//     while x:        bb2 header of the inner loop, latch bb3
//         pass
//     if x: continue  bb4
// return
const char *const kNestedLoops = R"(bb0:
  br ^bb1
bb1:
  %0 = load_fast x
  cond_br if_false %0, ^bb6, ^bb2
bb2:
  %1 = load_fast x
  cond_br if_false %1, ^bb4, ^bb3
bb3:
  br ^bb2
bb4:
  %2 = load_fast x
  cond_br if_true %2, ^bb1, ^bb5
bb5:
  br ^bb1
bb6:
  %3 = const None
  return %3
)";

TEST(IRLoops, NestedLoops) {
  auto m = parse(kNestedLoops);
  ASSERT_TRUE(m);
  auto bb = blocksOf(*m);
  DominatorTree dt(*m->function(0));
  EXPECT_EQ(dt.idom(bb[6]), bb[1]);
  EXPECT_EQ(dt.idom(bb[4]), bb[2]);
  EXPECT_EQ(dt.idom(bb[5]), bb[4]);
  EXPECT_EQ(numbers(dt.preorder(), bb),
            (std::vector<unsigned>{0, 1, 2, 3, 4, 5, 6}));

  LoopInfo loops(dt);
  ASSERT_EQ(loops.topLevelLoops().size(), 1u);
  const Loop *outer = loops.topLevelLoops()[0];
  EXPECT_EQ(outer->header(), bb[1]);
  EXPECT_EQ(numbers(outer->blocks(), bb),
            (std::vector<unsigned>{1, 2, 3, 4, 5}));
  EXPECT_EQ(numbers(outer->latches(), bb), (std::vector<unsigned>{4, 5}));
  EXPECT_EQ(outer->depth(), 1u);
  EXPECT_EQ(outer->parent(), nullptr);
  ASSERT_EQ(outer->subLoops().size(), 1u);
  const Loop *inner = outer->subLoops()[0];
  EXPECT_EQ(inner->header(), bb[2]);
  EXPECT_EQ(numbers(inner->blocks(), bb), (std::vector<unsigned>{2, 3}));
  EXPECT_EQ(inner->parent(), outer);
  EXPECT_EQ(inner->depth(), 2u);
  EXPECT_TRUE(outer->contains(bb[3]));
  EXPECT_FALSE(inner->contains(bb[4]));

  EXPECT_EQ(loops.loopFor(bb[0]), nullptr);
  EXPECT_EQ(loops.loopFor(bb[3]), inner);
  EXPECT_EQ(loops.loopFor(bb[4]), outer);
  EXPECT_EQ(loops.loopDepth(bb[3]), 2u);
  EXPECT_EQ(loops.loopDepth(bb[5]), 1u);
  EXPECT_EQ(loops.loopDepth(bb[6]), 0u);
  EXPECT_EQ(loops.loopsInPreorder(), (std::vector<const Loop *>{outer, inner}));
  EXPECT_FALSE(loops.isIrreducible());
}

// for ...: try: body except: continue — the handler is part of the loop,
// reached through the exception edge of bb2.
const char *const kLoopWithHandler = R"(bb0:
  br ^bb1
bb1:
  %0 = load_fast x
  cond_br if_false %0, ^bb4, ^bb2
bb2 handler ^bb3 depth 0:
  %1 = load_fast x
  drop %1
  br ^bb1
bb3(%2):
  drop %2
  br ^bb1
bb4:
  %3 = const None
  return %3
)";

TEST(IRLoops, HandlerInsideALoop) {
  auto m = parse(kLoopWithHandler);
  ASSERT_TRUE(m);
  auto bb = blocksOf(*m);
  DominatorTree dt(*m->function(0));
  EXPECT_EQ(dt.idom(bb[3]), bb[2]);
  EXPECT_TRUE(dt.dominates(bb[2], bb[3]));
  // An exception may come before bb2's instructions have run.
  EXPECT_FALSE(dt.instructionsDominate(bb[2], bb[3]));
  EXPECT_TRUE(dt.instructionsDominate(bb[1], bb[3]));

  LoopInfo loops(dt);
  ASSERT_EQ(loops.topLevelLoops().size(), 1u);
  const Loop *loop = loops.topLevelLoops()[0];
  EXPECT_EQ(loop->header(), bb[1]);
  EXPECT_EQ(numbers(loop->blocks(), bb), (std::vector<unsigned>{1, 2, 3}));
  EXPECT_EQ(numbers(loop->latches(), bb), (std::vector<unsigned>{2, 3}));
}

TEST(IRDominators, UnreachableBlocks) {
  auto m = parse(R"(bb0:
  %0 = const None
  return %0
bb1:
  br ^bb2
bb2:
  br ^bb1
)");
  ASSERT_TRUE(m);
  auto bb = blocksOf(*m);
  DominatorTree dt(*m->function(0));
  EXPECT_TRUE(dt.isReachable(bb[0]));
  EXPECT_FALSE(dt.isReachable(bb[1]));
  EXPECT_EQ(dt.idom(bb[1]), nullptr);
  EXPECT_TRUE(dt.dominates(bb[0], bb[2]));
  EXPECT_FALSE(dt.dominates(bb[2], bb[0]));
  EXPECT_EQ(numbers(dt.preorder(), bb), (std::vector<unsigned>{0}));
  LoopInfo loops(dt);
  EXPECT_TRUE(loops.topLevelLoops().empty());
}

// Two ways into the cycle bb1 <-> bb2: neither block dominates the other,
// so there is no natural loop, and the retreating edge is reported.
const char *const kIrreducible = R"(bb0:
  %0 = load_fast x
  cond_br if_true %0, ^bb1, ^bb2
bb1:
  %1 = load_fast x
  cond_br if_true %1, ^bb2, ^bb3
bb2:
  br ^bb1
bb3:
  return %0
)";

TEST(IRLoops, IrreducibleEntry) {
  auto m = parse(kIrreducible);
  ASSERT_TRUE(m);
  auto bb = blocksOf(*m);
  DominatorTree dt(*m->function(0));
  EXPECT_EQ(dt.idom(bb[1]), bb[0]);
  EXPECT_EQ(dt.idom(bb[2]), bb[0]);
  LoopInfo loops(dt);
  EXPECT_TRUE(loops.topLevelLoops().empty());
  ASSERT_TRUE(loops.isIrreducible());
  ASSERT_EQ(loops.irreducibleEdges().size(), 1u);
  EXPECT_EQ(loops.irreducibleEdges()[0].first, bb[2]);
  EXPECT_EQ(loops.irreducibleEdges()[0].second, bb[1]);
}

TEST(IRLoops, SelfLoopAndSharedHeader) {
  // bb1 loops to itself and is also re-entered from bb2: one loop, two
  // latches.
  auto m = parse(R"(bb0:
  br ^bb1
bb1:
  %0 = load_fast x
  cond_br if_true %0, ^bb1, ^bb2
bb2:
  %1 = load_fast x
  cond_br if_true %1, ^bb1, ^bb3
bb3:
  return %1
)");
  ASSERT_TRUE(m);
  auto bb = blocksOf(*m);
  DominatorTree dt(*m->function(0));
  LoopInfo loops(dt);
  ASSERT_EQ(loops.topLevelLoops().size(), 1u);
  const Loop *loop = loops.topLevelLoops()[0];
  EXPECT_EQ(numbers(loop->blocks(), bb), (std::vector<unsigned>{1, 2}));
  EXPECT_EQ(numbers(loop->latches(), bb), (std::vector<unsigned>{1, 2}));
  EXPECT_TRUE(loop->subLoops().empty());
}

} // namespace
