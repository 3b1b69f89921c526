//===- tests/unit/IRVerifierTest.cpp - One negative test per rule ---------===//
//
// Each case is a function that breaks exactly one invariant, written as
// text where the text can say it and built with the API where it cannot
// (null operands, values and blocks of other functions, broken use lists),
// next to the message the verifier must give.
//
//===----------------------------------------------------------------------===//

#include "ir/IR.h"
#include "ir/IRParser.h"
#include "ir/IRPrinter.h"
#include "ir/Verifier.h"

#include <gtest/gtest.h>

using namespace bcc;

namespace {

PyString str(const char *s) {
  PyString p;
  p.utf8 = s;
  return p;
}

/// The verifier's message for the module in `text` ("" if it verifies).
std::string verifyText(const std::string &body,
                       const std::string &version = "3.12",
                       const std::string &consts = "None") {
  std::string text = "module python " + version +
                     "\nfunction @0 'f' {\n  locals: x\n  consts: " +
                     consts + "\n  names: g\n" + body + "}\n";
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  if (!m)
    return "parse error: " + m.error().message;
  Status s = verify(**m);
  return s ? "" : s.error().message;
}

std::string verifyFunction(const Function &f) {
  Status s = verify(f);
  return s ? "" : s.error().message;
}

/// A 3.12 module with one function 'f' (locals x, consts None, names g).
std::unique_ptr<Module> makeModule() {
  auto m = std::make_unique<Module>(PythonVersion(3, 12));
  Function *f = m->createFunction();
  f->name = f->qualName = str("f");
  f->localsPlus = {{str("x"), CO_FAST_LOCAL}};
  f->consts = {PoolConstant::value(Constant::none())};
  f->names = {str("g")};
  return m;
}

TEST(IRVerifier, AcceptsWellFormedFunctions) {
  EXPECT_EQ(verifyText(R"(bb0:
  %0 = load_fast x
  cond_br if_true %0, ^bb1(%0), ^bb2
bb1(%1):
  br ^bb3(%1)
bb2:
  %2 = const None
  br ^bb3(%2)
bb3(%3) handler ^bb4(%3) depth 1 lasti:
  %4 = py GET_ITER %3
  br ^bb5(%4)
bb4(%5, %6, %7):
  py RERAISE 1 %5, %6, %7
bb5(%8):
  %9 = py FOR_ITER 3 peek %8, ^bb6(%8, %9), ^bb7(%8, %9)
bb6(%10, %11):
  py END_FOR %10, %11
  return %0
bb7(%12, %13):
  store_fast x %13
  br ^bb5(%12)
)"),
            "");
}

struct TextCase {
  const char *name;
  const char *body;
  const char *message;
};

const TextCase kTextCases[] = {
    {"entry block with parameters", "bb0(%0):\n  return %0\n",
     "function @0 'f', bb0: the entry block has parameters"},
    {"no terminator", "bb0:\n  %0 = load_fast x\n",
     "function @0 'f', bb0: the block does not end with a terminator"},
    {"empty block", "bb0:\n  br ^bb1\nbb1:\n",
     "function @0 'f', bb1: the block does not end with a terminator"},
    {"terminator in the middle",
     "bb0:\n  %0 = const None\n  return %0\n"
     "  nop\n",
     "function @0 'f', bb0: `return %0`: terminator before the end of the "
     "block"},
    {"too few operands", "bb0:\n  store_fast x\n  br ^bb0\n",
     "function @0 'f', bb0: `store_fast x`: store_fast takes 1 operand, but "
     "has 0"},
    {"too few call operands",
     "bb0:\n  %0 = push_null\n  %1 = call %0\n"
     "  return %1\n",
     "function @0 'f', bb0: `%1 = call %0`: call takes at least 2 operands, "
     "but has 1"},
    {"kwnames counts as an operand",
     "bb0:\n  %0 = push_null\n  %1 = call %0, kwnames %0\n  return %1\n",
     "function @0 'f', bb0: `%1 = call %0, kwnames %0`: call takes at least "
     "3 operands, but has 2"},
    {"too many results", "bb0:\n  %0, %1, %2 = load_global g\n  return %0\n",
     "function @0 'f', bb0: `%0, %1, %2 = load_global g`: load_global "
     "defines 1 to 2 results, but has 3"},
    {"py successors against the opcode",
     "bb0:\n  %0 = load_fast x\n  %1 = py FOR_ITER 4 peek %0, ^bb0\n",
     "function @0 'f', bb0: `%1 = py FOR_ITER 4 peek %0, ^bb0`: py FOR_ITER "
     "takes 2 successors, but has 1"},
    {"successor count", "bb0:\n  br ^bb0, ^bb0\n",
     "function @0 'f', bb0: `br ^bb0, ^bb0`: br takes 1 successor, but has "
     "2"},
    {"constant outside the pool", "bb0:\n  %0 = const $5\n  return %0\n",
     "function @0 'f', bb0: `%0 = const $5`: constant index 5 is outside the "
     "consts pool (1 entry)"},
    {"name outside the pool", "bb0:\n  %0 = load_name $1\n  return %0\n",
     "function @0 'f', bb0: `%0 = load_name $1`: name index 1 is outside the "
     "names pool (1 entry)"},
    {"py argument outside the names pool",
     "bb0:\n  %0 = const None\n  %1 = const None\n"
     "  %2 = py IMPORT_NAME 4 %0, %1\n  return %2\n",
     "function @0 'f', bb0: `%2 = py IMPORT_NAME 4 %0, %1`: IMPORT_NAME's "
     "argument 4 is outside the pool it indexes"},
    {"local outside localsplus", "bb0:\n  %0 = load_fast $3\n  return %0\n",
     "function @0 'f', bb0: `%0 = load_fast $3`: local index 3 is outside "
     "localsplus (1 slot)"},
    {"edge arity",
     "bb0:\n  %0 = const None\n  br ^bb1(%0)\nbb1:\n"
     "  return %0\n",
     "function @0 'f', bb0: `br ^bb1(%0)`: the edge to bb1 passes 1 "
     "argument, but bb1 has 0 parameters"},
    {"conditional edge arity",
     "bb0:\n  %0 = const None\n  cond_br if_none %0, ^bb1, ^bb1(%0)\n"
     "bb1(%1):\n  return %1\n",
     "function @0 'f', bb0: `cond_br if_none %0, ^bb1, ^bb1(%0)`: the edge "
     "to bb1 passes 0 arguments, but bb1 has 1 parameter"},
    {"handler edge arity against depth",
     "bb0:\n  br ^bb1\nbb1 handler ^bb2 depth 1:\n  %0 = const None\n"
     "  return %0\nbb2(%1, %2):\n  py RERAISE 0 %1, %2\n",
     "function @0 'f', bb1: the handler edge passes 0 values, but its depth "
     "is 1"},
    {"handler block parameters",
     "bb0:\n  br ^bb1\nbb1 handler ^bb2 depth 0 lasti:\n  %0 = const None\n"
     "  return %0\nbb2(%1):\n  py RERAISE 0 %1\n",
     "function @0 'f', bb1: handler bb2 has 1 parameter, but depth 0, lasti "
     "and the exception make 2"},
    {"use not dominated across a diamond",
     "bb0:\n  %0 = load_fast x\n  cond_br if_true %0, ^bb1, ^bb2\nbb1:\n"
     "  %1 = const None\n  br ^bb3\nbb2:\n  br ^bb3\nbb3:\n  return %1\n",
     "function @0 'f', bb3: `return %1`: operand 0 (%1) is not dominated by "
     "its definition"},
    {"edge argument not dominated",
     "bb0:\n  %0 = load_fast x\n  cond_br if_true %0, ^bb1, ^bb2\nbb1:\n"
     "  %1 = const None\n  br ^bb3\nbb2:\n  br ^bb4(%1)\nbb3:\n  return %0\n"
     "bb4(%2):\n  return %2\n",
     "function @0 'f', bb2: `br ^bb4(%1)`: argument 0 (%1) of the edge to "
     "bb4 is not dominated by its definition"},
    {"use before the definition in one block",
     "bb0:\n  %0 = py GET_ITER %1\n  %1 = const None\n  return %0\n",
     "function @0 'f', bb0: `%0 = py GET_ITER %1`: operand 0 (%1) is not "
     "dominated by its definition"},
    {"an instruction using its own result",
     "bb0:\n  %0 = py GET_ITER %0\n  return %0\n",
     "function @0 'f', bb0: `%0 = py GET_ITER %0`: operand 0 (%0) is not "
     "dominated by its definition"},
    {"block parameter of a block that does not dominate",
     "bb0:\n  %0 = load_fast x\n  cond_br if_true %0, ^bb1(%0), ^bb2\n"
     "bb1(%1):\n  br ^bb2\nbb2:\n  return %1\n",
     "function @0 'f', bb2: `return %1`: operand 0 (%1) is not dominated by "
     "its definition"},
    {"handler argument defined inside the block",
     "bb0:\n  br ^bb1\nbb1 handler ^bb2(%0) depth 1:\n  %0 = const None\n"
     "  return %0\nbb2(%1, %2):\n  py RERAISE 0 %1, %2\n",
     "function @0 'f', bb1: handler argument 0 (%0) is not available on "
     "entry to the block"},
    {"a block's result used in its own handler",
     // bb1 dominates bb2, but an exception may leave bb1 before %0 exists.
     "bb0:\n  br ^bb1\nbb1 handler ^bb2 depth 0:\n  %0 = load_fast x\n"
     "  return %0\nbb2(%1):\n  return %0\n",
     "function @0 'f', bb2: `return %0`: operand 0 (%0) is not dominated by "
     "its definition"},
};

TEST(IRVerifier, TextCases) {
  for (const TextCase &c : kTextCases)
    EXPECT_EQ(verifyText(c.body), c.message) << c.name;
}

TEST(IRVerifier, ResultOfADominatingBlockIsAvailableInTheHandler) {
  // The counterpart of the last case: %0 comes from bb0, whose
  // instructions all run before bb1 starts.
  EXPECT_EQ(verifyText("bb0:\n  %0 = load_fast x\n  br ^bb1\n"
                       "bb1 handler ^bb2 depth 0:\n  return %0\n"
                       "bb2(%1):\n  return %0\n"),
            "");
}

TEST(IRVerifier, UnreachableBlocksAreNotCheckedForDominance) {
  EXPECT_EQ(verifyText("bb0:\n  %0 = const None\n  return %0\n"
                       "bb1:\n  return %1\nbb2:\n  %1 = const None\n"
                       "  br ^bb1\n"),
            "");
}

TEST(IRVerifier, NoBlocks) {
  std::unique_ptr<Module> m = makeModule();
  EXPECT_EQ(verifyFunction(*m->function(0)),
            "function @0 'f': the function has no blocks");
}

TEST(IRVerifier, NullOperand) {
  std::unique_ptr<Module> m = makeModule();
  Function &f = *m->function(0);
  IRBuilder b(f);
  b.setInsertPoint(b.createBlock());
  b.ret(nullptr);
  EXPECT_EQ(verifyFunction(f),
            "function @0 'f', bb0: `return <null>`: operand 0 (<null>) is "
            "null");
}

TEST(IRVerifier, ValueOfAnotherFunction) {
  std::unique_ptr<Module> m = makeModule();
  Function &f = *m->function(0);
  Function &other = *m->createFunction();
  IRBuilder ob(other);
  ob.setInsertPoint(ob.createBlock());
  Value *foreign = ob.pushNull();
  ob.ret(foreign);

  IRBuilder b(f);
  b.setInsertPoint(b.createBlock());
  b.ret(foreign);
  EXPECT_EQ(verifyFunction(f),
            "function @0 'f', bb0: `return %?`: operand 0 (%?) is not "
            "defined in this function");
}

TEST(IRVerifier, SuccessorOutsideTheFunction) {
  std::unique_ptr<Module> m = makeModule();
  Function &f = *m->function(0);
  Function &other = *m->createFunction();
  Block *foreign = other.createBlock();
  IRBuilder b(f);
  b.setInsertPoint(b.createBlock());
  b.br(foreign);
  EXPECT_EQ(verifyFunction(f), "function @0 'f', bb0: `br ^?`: successor 0 "
                               "is not a block of this function");
}

TEST(IRVerifier, SuccessorErased) {
  std::unique_ptr<Module> m = makeModule();
  Function &f = *m->function(0);
  IRBuilder b(f);
  Block *entry = b.createBlock();
  Block *gone = b.createBlock();
  b.setInsertPoint(gone);
  b.ret(b.pushNull());
  b.setInsertPoint(entry);
  b.br(gone);
  gone->eraseFromParent();
  EXPECT_EQ(verifyFunction(f), "function @0 'f', bb0: `br ^?`: successor 0 "
                               "is not a block of this function");
}

TEST(IRVerifier, HandlerOutsideTheFunction) {
  std::unique_ptr<Module> m = makeModule();
  Function &f = *m->function(0);
  Block *foreign = m->createFunction()->createBlock();
  IRBuilder b(f);
  Block *entry = b.createBlock();
  b.setInsertPoint(entry);
  b.ret(b.pushNull());
  entry->setHandler(foreign, 0, false, {});
  EXPECT_EQ(verifyFunction(f),
            "function @0 'f', bb0: the handler edge goes to a block that is "
            "not in this function");
}

TEST(IRVerifier, BranchTestOutOfRange) {
  std::unique_ptr<Module> m = makeModule();
  Function &f = *m->function(0);
  IRBuilder b(f);
  Block *entry = b.createBlock();
  b.setInsertPoint(entry);
  Value *v = b.pushNull();
  b.create(Op::CondBr, 9, {v}, 0, {{entry}, {entry}});
  EXPECT_EQ(verifyFunction(f),
            "function @0 'f', bb0: `cond_br test9 %0, ^bb0, ^bb0`: branch "
            "test 9 does not exist");
}

TEST(IRVerifier, UnknownOpcode) {
  std::unique_ptr<Module> m = makeModule();
  Function &f = *m->function(0);
  IRBuilder b(f);
  b.setInsertPoint(b.createBlock());
  b.createPy(uint8_t(200), 0, {}, 0);
  b.ret(b.pushNull());
  EXPECT_EQ(verifyFunction(f),
            "function @0 'f', bb0: `py opcode200 0`: CPython 3.12 has no "
            "opcode 200");
}

TEST(IRVerifier, OnlyLoadFastIsStrong) {
  std::unique_ptr<Module> m = makeModule();
  Function &f = *m->function(0);
  IRBuilder b(f);
  b.setInsertPoint(b.createBlock());
  Value *v = b.loadFastCheck(0);
  b.ret(v);
  ASSERT_EQ(verifyFunction(f), "");
  llvm::cast<InstResult>(v)->instruction()->setStrongLoad(true);
  EXPECT_EQ(verifyFunction(f),
            "function @0 'f', bb0: `%0 = load_fast_check x`: "
            "load_fast_check is marked strong; only load_fast can be");
}

TEST(IRVerifier, BrokenUseList) {
  std::unique_ptr<Module> m = makeModule();
  Function &f = *m->function(0);
  IRBuilder b(f);
  b.setInsertPoint(b.createBlock());
  Value *v = b.loadFast(0);
  Instruction *ret = b.ret(v);
  ASSERT_EQ(verifyFunction(f), "");
  ret->operandUses()[0].unlinkFromValueForTesting();
  EXPECT_EQ(verifyFunction(f),
            "function @0 'f', bb0: `%0 = load_fast x`: the use list of %0 "
            "has 0 uses, but 1 operand slot points at it");
}

TEST(IRVerifier, CodeConstantOfAnotherModule) {
  std::unique_ptr<Module> m = makeModule();
  std::unique_ptr<Module> other = makeModule();
  Function &f = *m->function(0);
  f.consts.push_back(PoolConstant::code(other->function(0)));
  EXPECT_EQ(verify(*m).error().message,
            "function @0 'f': constant 1 is a function of another module");
}

} // namespace

// 3.13's POP_JUMP_IF_TRUE/FALSE compare with True/False by identity, so a
// branch on true or false must get a bool; 3.12 converts anything itself.
TEST(IRVerifier, BranchesOn313NeedABool) {
  auto verify13 = [](const std::string &body) {
    return verifyText(body, "3.13", "None, True");
  };
  const char *raw = R"(bb0:
  %0 = load_fast x
  cond_br if_true %0, ^bb1, ^bb1
bb1:
  %1 = const None
  return %1
)";
  std::string error = verify13(raw);
  EXPECT_NE(error.find("needs a bool"), std::string::npos) << error;
  EXPECT_NE(error.find("comes from `%0 = load_fast x`"), std::string::npos)
      << error;
  EXPECT_EQ(verifyText(raw), "");
  // if_none tests any object.
  EXPECT_EQ(verify13(R"(bb0:
  %0 = load_fast x
  cond_br if_none %0, ^bb1, ^bb1
bb1:
  %1 = const None
  return %1
)"),
            "");
  // to_bool, a bool constant, and a parameter every edge feeds a bool.
  EXPECT_EQ(verify13(R"(bb0:
  %0 = load_fast x
  %1 = to_bool %0
  cond_br if_true %1, ^bb1(%1), ^bb2
bb1(%2):
  cond_br if_false %2, ^bb2, ^bb2
bb2:
  %3 = const True
  cond_br if_true %3, ^bb3, ^bb3
bb3:
  %4 = const None
  return %4
)"),
            "");
  // A parameter fed a bool on one edge and anything on another is not.
  error = verify13(R"(bb0:
  %0 = load_fast x
  %1 = to_bool %0
  cond_br if_true %1, ^bb1(%1), ^bb1(%0)
bb1(%2):
  cond_br if_false %2, ^bb2, ^bb2
bb2:
  %3 = const None
  return %3
)");
  EXPECT_NE(error.find("comes from a block parameter"), std::string::npos)
      << error;
  // (And the plural of "entry".)
  error = verify13("bb0:\n  %0 = const $5\n  return %0\n");
  EXPECT_NE(error.find("outside the consts pool (2 entries)"),
            std::string::npos)
      << error;
}

TEST(IRVerifier, ThreeFourteenOperationsNeedThreeFourteen) {
  std::string text = R"(module python 3.13
function @0 'f' qualname 'f' file 'x.py' firstline 1 flags 0x3 args 0 posonly 0 kwonly 0 {
bb0:
  %0 = small_int 3
  return %0
}
)";
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  ASSERT_TRUE(bool(m)) << m.error().message;
  Status s = verify(**m);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("small_int needs CPython 3.14 or later"),
            std::string::npos)
      << s.error().message;
}
