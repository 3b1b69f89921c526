//===- tests/unit/IRCoreTest.cpp - Values, uses, blocks and the op table --===//
//
// The in-memory API: use lists stay right through every edit (operands,
// growing and shrinking edge arguments, replace-all-uses, erasing and moving
// instructions and blocks), per-instance properties, the call protocol per
// version, code-object metadata in and out, and a module taking another's
// functions in place.
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

std::unique_ptr<Module> makeModule(PythonVersion version = {3, 12}) {
  auto m = std::make_unique<Module>(version);
  Function *f = m->createFunction();
  f->name = f->qualName = str("f");
  f->localsPlus = {{str("x"), CO_FAST_LOCAL}, {str("y"), CO_FAST_LOCAL}};
  f->consts = {PoolConstant::value(Constant::none())};
  f->names = {str("g"), str("attr")};
  return m;
}

std::string verifyMessage(const Function &f) {
  Status s = verify(f);
  return s ? "" : s.error().message;
}

TEST(IRCore, OpTable) {
  EXPECT_EQ(lookupOp("load_fast"), Op::LoadFast);
  EXPECT_EQ(lookupOp("py"), Op::Py);
  EXPECT_EQ(lookupOp("LOAD_FAST"), std::nullopt);
  EXPECT_STREQ(opInfo(Op::CondBr).mnemonic, "cond_br");
  EXPECT_TRUE(opInfo(Op::Const).has(opprops::Pure));
  EXPECT_TRUE(opInfo(Op::Call).has(opprops::MayRaise | opprops::MayRunCode));
  EXPECT_TRUE(opInfo(Op::StoreFast).has(opprops::WritesLocals));
  EXPECT_FALSE(opInfo(Op::LoadFast).has(opprops::MayRaise));
  EXPECT_TRUE(opInfo(Op::LoadFastCheck).has(opprops::MayRaise));
  EXPECT_STREQ(opInfo(Op::Call).optionalOperand, "kwnames");
  EXPECT_EQ(opInfo(Op::LoadGlobal).maxResults, 2);
  EXPECT_EQ(opInfo(Op::Py).successors, FromOpcode);
  // Every mnemonic is unique and names its own row.
  for (unsigned i = 0; i < kNumOps; ++i)
    EXPECT_EQ(lookupOp(opInfo(Op(i)).mnemonic), Op(i));
  EXPECT_EQ(lookupBranchTest("if_not_none"), BranchTest::IfNotNone);
  EXPECT_STREQ(branchTestName(BranchTest::IfFalse), "if_false");
}

TEST(IRCore, UseListsFollowEdits) {
  auto m = makeModule();
  Function &f = *m->function(0);
  IRBuilder b(f);
  Block *entry = b.createBlock();
  Block *join = b.createBlock(1);
  b.setInsertPoint(entry);
  Value *x = b.loadFast(0);
  Value *y = b.loadFast(1);
  Instruction *store = b.storeFast(1, x);
  Instruction *br = b.br(join, {x});
  b.setInsertPoint(join);
  b.ret(y);

  EXPECT_EQ(x->numUses(), 2u);
  EXPECT_TRUE(y->hasOneUse());
  store->setOperand(0, y);
  EXPECT_EQ(x->numUses(), 1u);
  EXPECT_EQ(y->numUses(), 2u);
  bool storeUsesY = false;
  for (const Use &u : y->uses())
    storeUsesY |= u.user() == store;
  EXPECT_TRUE(storeUsesY);

  x->replaceAllUsesWith(y);
  EXPECT_FALSE(x->hasUses());
  EXPECT_EQ(y->numUses(), 3u);
  EXPECT_EQ(br->successor(0).arg(0), y);

  // Growing an edge far past its inline capacity moves the uses; every
  // one must stay linked.
  join->eraseParam(0);
  br->successor(0).eraseArg(0);
  EXPECT_EQ(y->numUses(), 2u);
  for (int i = 0; i < 20; ++i) {
    join->addParam();
    br->successor(0).appendArg(i % 2 ? x : y);
  }
  EXPECT_EQ(x->numUses(), 10u);
  EXPECT_EQ(y->numUses(), 12u);
  for (const Use &u : x->uses())
    EXPECT_EQ(u.get(), x);
  EXPECT_EQ(verifyMessage(f), "");

  // Shrinking from the front moves the rest down.
  for (int i = 0; i < 5; ++i)
    br->successor(0).eraseArg(0);
  while (join->numParams() > 15)
    join->eraseParam(join->numParams() - 1);
  EXPECT_EQ(x->numUses(), 8u);
  EXPECT_EQ(y->numUses(), 9u);
  EXPECT_EQ(verifyMessage(f), "");
  br->successor(0).setArgs({});
  EXPECT_EQ(x->numUses(), 0u);
  EXPECT_EQ(y->numUses(), 2u);
}

TEST(IRCore, HandlerArgumentsAreUses) {
  auto m = makeModule();
  Function &f = *m->function(0);
  IRBuilder b(f);
  Block *entry = b.createBlock();
  Block *body = b.createBlock(1);
  Block *handler = b.createBlock(2);
  b.setInsertPoint(entry);
  Value *x = b.loadFast(0);
  b.br(body, {x});
  b.setInsertPoint(body);
  b.ret(body->param(0));
  b.setInsertPoint(handler);
  b.createPy("RERAISE", 0, {{handler->param(0)}, {handler->param(1)}}, 0);

  body->setHandler(handler, 1, false, {body->param(0)});
  EXPECT_EQ(body->param(0)->numUses(), 2u);
  Use &use = body->handlerArgUses()[0];
  EXPECT_EQ(use.user(), nullptr);
  EXPECT_EQ(use.handlerBlock(), body);
  EXPECT_EQ(verifyMessage(f), "");
  EXPECT_EQ(printFunction(f).find("bb1(%1) handler ^bb2(%1) depth 1:") !=
                std::string::npos,
            true);
  body->clearHandler();
  EXPECT_EQ(body->param(0)->numUses(), 1u);
}

TEST(IRCore, EraseAndMove) {
  auto m = makeModule();
  Function &f = *m->function(0);
  IRBuilder b(f);
  Block *entry = b.createBlock();
  Block *dead = b.createBlock();
  b.setInsertPoint(entry);
  Value *x = b.loadFast(0);
  Instruction *nop = b.nop();
  Instruction *drop = b.drop(x);
  Value *none = b.constant(0);
  Instruction *ret = b.ret(none);
  b.setInsertPoint(dead);
  Value *y = b.loadFast(1);
  b.ret(x);
  EXPECT_EQ(x->numUses(), 2u);

  // Erasing a block drops its uses of other blocks' values.
  dead->eraseFromParent();
  EXPECT_EQ(f.numBlocks(), 1u);
  EXPECT_EQ(x->numUses(), 1u);
  (void)y;

  drop->eraseFromParent();
  EXPECT_FALSE(x->hasUses());
  nop->moveBefore(ret);
  EXPECT_EQ(&*std::prev(entry->end(), 2), nop);
  // Insert before an instruction.
  b.setInsertPoint(ret);
  b.storeFast(1, x);
  EXPECT_EQ(printFunction(f).substr(printFunction(f).find("bb0:")),
            "bb0:\n  %0 = load_fast x\n  %1 = const None\n  nop\n"
            "  store_fast y %0\n  return %1\n}\n");
  EXPECT_EQ(verifyMessage(f), "");

  Block *second = b.createBlock();
  second->moveBefore(entry);
  EXPECT_EQ(f.entry(), second);
  second->moveToEnd();
  EXPECT_EQ(f.entry(), entry);
  ret->moveToEnd(second);
  EXPECT_EQ(ret->parent(), second);
  EXPECT_EQ(verifyMessage(f),
            "function @0 'f', bb0: the block does not end with a terminator");
}

TEST(IRCore, PerInstanceProperties) {
  auto m = makeModule();
  Function &f = *m->function(0);
  IRBuilder b(f);
  Block *entry = b.createBlock();
  Block *other = b.createBlock();
  b.setInsertPoint(entry);
  Value *x = b.loadFast(0);
  Instruction *iter = b.createPy("GET_ITER", 0, {{x}}, 1);
  Instruction *isNone =
      b.condBr(BranchTest::IfNone, iter->result(), {other}, {other});
  EXPECT_FALSE(iter->isTerminator());
  EXPECT_TRUE(iter->mayRaise());
  EXPECT_TRUE(isNone->isTerminator());
  EXPECT_FALSE(isNone->mayRaise());
  isNone->setImmediate(unsigned(BranchTest::IfTrue));
  EXPECT_TRUE(isNone->mayRaise());
  b.setInsertPoint(other);
  Instruction *reraise = b.createPy("RERAISE", 0, {{x}}, 0);
  EXPECT_TRUE(reraise->isTerminator());
  EXPECT_EQ(reraise->numSuccessors(), 0u);
  EXPECT_EQ(reraise->pyFlow(), FlowKind::ScopeExit);
  EXPECT_STREQ(reraise->pyOpname(), "RERAISE");
  EXPECT_TRUE(b.constant(0)->definingBlock() == other);
}

TEST(IRCore, CallProtocolPerVersion) {
  for (PythonVersion version :
       {PythonVersion(3, 11), PythonVersion(3, 12), PythonVersion(3, 13)}) {
    auto m = makeModule(version);
    Function &f = *m->function(0);
    IRBuilder b(f);
    b.setInsertPoint(b.createBlock());
    bool is313 = version.atLeast(3, 13);
    // print(x): LOAD_GLOBAL with the NULL bit.
    Instruction *g = b.loadGlobal(0, /*withNull=*/true);
    unsigned nullIndex = loadGlobalNullResult(version);
    EXPECT_EQ(nullIndex, is313 ? 1u : 0u);
    Value *callable = g->result(1 - nullIndex);
    Value *x = b.loadFast(0);
    Value *slot0 = g->result(0), *slot1 = g->result(1);
    Instruction *call =
        llvm::cast<InstResult>(b.call(slot0, slot1, {x}))->instruction();
    std::optional<StaticCallee> callee = staticCallee(*call);
    ASSERT_TRUE(callee) << version.str();
    EXPECT_EQ(callee->callable, callable);
    EXPECT_EQ(callee->self, nullptr);

    // x.attr(): the method form decides at run time.
    Instruction *method = b.loadAttr(1, x, /*methodForm=*/true);
    Instruction *methodCall =
        llvm::cast<InstResult>(b.call(method->result(0), method->result(1), {}))
            ->instruction();
    EXPECT_FALSE(staticCallee(*methodCall)) << version.str();

    // PUSH_NULL: before the callable up to 3.12, after it on 3.13.
    Value *null = b.pushNull();
    Value *fn = b.loadFast(1);
    Instruction *pushNullCall =
        llvm::cast<InstResult>(is313 ? b.call(fn, null, {x})
                                     : b.call(null, fn, {x}))
            ->instruction();
    callee = staticCallee(*pushNullCall);
    ASSERT_TRUE(callee) << version.str();
    EXPECT_EQ(callee->callable, fn);
    EXPECT_TRUE(isCallProtocolNull(null));
    EXPECT_FALSE(isCallProtocolNull(fn));

    CallOperands ops = callOperands(*pushNullCall);
    EXPECT_EQ(ops.args.size(), 1u);
    EXPECT_EQ(ops.kwNames, nullptr);
    b.ret(x);
    EXPECT_EQ(verifyMessage(f), "") << version.str();
  }
}

TEST(IRCore, MetadataFromAndToCodeObjects) {
  auto inner = std::make_shared<CodeObject>();
  inner->version = {3, 12};
  inner->name = str("inner");
  CodeObject outer;
  outer.version = {3, 12};
  outer.name = str("outer");
  outer.qualName = str("mod.outer");
  outer.fileName = str("mod.py");
  outer.argCount = 2;
  outer.posOnlyArgCount = 1;
  outer.kwOnlyArgCount = 1;
  outer.flags = CO_OPTIMIZED | CO_NEWLOCALS | CO_GENERATOR;
  outer.firstLineNo = 12;
  outer.localsPlus = {{str("a"), CO_FAST_LOCAL},
                      {str("c"), CO_FAST_LOCAL | CO_FAST_CELL}};
  outer.consts = {Constant::none(), Constant::code(inner),
                  Constant::integer(3)};
  outer.names = {str("len")};

  Module m(PythonVersion(3, 12));
  Function *f = m.createFunction();
  Function *child = m.createFunction();
  f->copyMetadataFrom(outer, [&](const CodeObject &code) {
    EXPECT_EQ(&code, inner.get());
    return child;
  });
  EXPECT_EQ(f->qualName.utf8, "mod.outer");
  EXPECT_EQ(f->argCount, 2);
  EXPECT_EQ(f->posOnlyArgCount, 1);
  EXPECT_EQ(f->localsPlus, outer.localsPlus);
  ASSERT_EQ(f->consts.size(), 3u);
  EXPECT_TRUE(f->consts[1].isCode());
  EXPECT_EQ(f->consts[1].codeFunction(), child);

  CodeObject back;
  f->copyMetadataTo(back, [&](const Function &fn) {
    EXPECT_EQ(&fn, child);
    return std::shared_ptr<const CodeObject>(inner);
  });
  back.code = outer.code;
  back.lineTable = outer.lineTable;
  back.exceptionTable = outer.exceptionTable;
  back.stackSize = outer.stackSize;
  EXPECT_TRUE(back.equals(outer));
}

std::unique_ptr<Module> parse(const std::string &text) {
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  EXPECT_TRUE(bool(m)) << (m ? "" : m.error().message);
  return m ? std::move(*m) : nullptr;
}

/// Every block of every function of `m` says it belongs to that function.
bool parentsAreRight(const Module &m) {
  for (unsigned i = 0; i < m.numFunctions(); ++i) {
    const Function *f = m.function(i);
    if (f->parent() != &m || f->index() != i)
      return false;
    for (const Block &b : *f)
      if (b.parent() != f)
        return false;
  }
  return true;
}

TEST(IRCore, ReplaceModuleContentsInPlace) {
  const char *header = "module python 3.12\n";
  const char *moduleF =
      "function @0 '<module>' {\n  consts: @1, None\n  names: f\nbb0:\n"
      "  %0 = const @1\n  %1 = py MAKE_FUNCTION 0 %0\n  store_name f %1\n"
      "  %2 = const None\n  return %2\n}\n";
  const char *f = "function @1 'f' flags 0x3 {\n  consts: None, 2\nbb0:\n"
                  "  %0 = const 2\n  return %0\n}\n";
  const char *moduleGH =
      "function @0 '<module>' {\n  consts: @2, @1, None\n  names: g, h\n"
      "bb0:\n  %0 = const @1\n  %1 = py MAKE_FUNCTION 0 %0\n"
      "  store_name g %1\n  %2 = const @2\n  %3 = py MAKE_FUNCTION 0 %2\n"
      "  store_name h %3\n  %4 = const None\n  return %4\n}\n";
  const char *g = "function @1 'g' flags 0x3 args 1 {\n  locals: x\nbb0:\n"
                  "  %0 = load_fast x\n  br ^bb1(%0)\nbb1(%1):\n"
                  "  return %1\n}\n";
  const char *h = "function @2 'h' flags 0x3 {\n  consts: 3\nbb0:\n"
                  "  %0 = const 3\n  return %0\n}\n";

  std::unique_ptr<Module> m =
      parse(std::string(header) + moduleF + "\n" + f);
  std::unique_ptr<Module> other =
      parse(std::string(header) + moduleGH + "\n" + g + "\n" + h);
  ASSERT_TRUE(m && other);
  Function *top = m->function(0), *first = m->function(1);
  Function *third = other->function(2);
  std::string expected = printModule(*other);

  // Grows: the two functions stay the same objects, the third moves over.
  m->replaceWith(std::move(*other));
  EXPECT_EQ(other->numFunctions(), 0u);
  ASSERT_EQ(m->numFunctions(), 3u);
  EXPECT_EQ(m->function(0), top);
  EXPECT_EQ(m->function(1), first);
  EXPECT_EQ(m->function(2), third);
  EXPECT_TRUE(parentsAreRight(*m));
  EXPECT_EQ(printModule(*m), expected);
  // Code constants point into this module, not the emptied one.
  EXPECT_EQ(top->consts[0].codeFunction(), third);
  EXPECT_EQ(top->consts[1].codeFunction(), first);
  EXPECT_EQ(verifyMessage(*first), "");
  EXPECT_TRUE(bool(verify(*m)));
  // The function's allocator came along: new blocks belong to it.
  Block *added = first->createBlock();
  EXPECT_EQ(added->parent(), first);
  first->createBlock(added);
  EXPECT_EQ(first->numBlocks(), 4u);

  // Shrinks: the surplus function goes.
  std::unique_ptr<Module> single =
      parse(std::string(header) +
            "function @0 'only' {\n  consts: None\nbb0:\n"
            "  %0 = const None\n  return %0\n}\n");
  ASSERT_TRUE(single);
  expected = printModule(*single);
  m->replaceWith(std::move(*single));
  ASSERT_EQ(m->numFunctions(), 1u);
  EXPECT_EQ(m->function(0), top);
  EXPECT_TRUE(parentsAreRight(*m));
  EXPECT_EQ(printModule(*m), expected);
  EXPECT_EQ(top->name.utf8, "only");
}

} // namespace
