//===- tests/unit/IRTextTest.cpp - Printing and parsing the IR ------------===//
//
// Functions built with IRBuilder are printed, parsed and printed again, and
// both prints must be equal; a few exact prints pin the format that
// docs/ir.md describes; bad text must fail with a line:column message.
//
//===----------------------------------------------------------------------===//

#include "ir/ConstantLiteral.h"
#include "ir/IR.h"
#include "ir/IRParser.h"
#include "ir/IRPrinter.h"

#include <cmath>
#include <gtest/gtest.h>

using namespace bcc;

namespace {

PyString str(const char *s) {
  PyString p;
  p.utf8 = s;
  return p;
}

/// print(parse(text)); fails the test on a parse error.
std::string reprint(const std::string &text) {
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  EXPECT_TRUE(bool(m)) << (m ? "" : m.error().message) << "\n" << text;
  if (!m)
    return "";
  return printModule(**m);
}

/// The message of the error parsing `text` gives, or "" if it parses.
std::string parseError(const std::string &text) {
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  return m ? "" : m.error().message;
}

/// def fibonacci(n):
///     a, b = 0, 1
///     for _ in range(n):
///         a, b = b, a + b
///     return a
/// as CPython 3.12 compiles it, lifted by hand (module code @0 makes it).
std::unique_ptr<Module> buildFibonacci() {
  auto m = std::make_unique<Module>(PythonVersion(3, 12));
  Function *top = m->createFunction();
  Function *fib = m->createFunction();

  top->name = top->qualName = str("<module>");
  top->fileName = str("fib.py");
  top->firstLineNo = 1;
  top->consts = {PoolConstant::code(fib),
                 PoolConstant::value(Constant::none())};
  top->names = {str("fibonacci")};
  {
    IRBuilder b(*top);
    Block *entry = b.createBlock();
    b.setInsertPoint(entry);
    b.setOrigin(SourceLocation::span(0, 0, 1, 0), 0);
    b.createPy("RESUME", 0, {}, 0);
    b.setOrigin(SourceLocation::span(1, 0, 5, 12), 2);
    Value *code = b.constant(0);
    b.setOrigin(SourceLocation::span(1, 0, 5, 12), 4);
    Value *func = b.createPy("MAKE_FUNCTION", 0, {{code}}, 1)->result();
    b.setOrigin(SourceLocation::span(1, 0, 5, 12), 6);
    b.storeName(0, func);
    b.setOrigin(SourceLocation::span(1, 0, 5, 12), 8);
    b.ret(b.constant(1));
  }

  fib->name = fib->qualName = str("fibonacci");
  fib->fileName = str("fib.py");
  fib->firstLineNo = 1;
  fib->flags = CO_OPTIMIZED | CO_NEWLOCALS;
  fib->argCount = 1;
  fib->localsPlus = {{str("n"), CO_FAST_LOCAL},
                     {str("a"), CO_FAST_LOCAL},
                     {str("b"), CO_FAST_LOCAL},
                     {str("_"), CO_FAST_LOCAL}};
  fib->consts = {PoolConstant::value(Constant::none()),
                 PoolConstant::value(Constant::tuple(
                     {Constant::integer(0), Constant::integer(1)}))};
  fib->names = {str("range")};
  IRBuilder b(*fib);
  Block *entry = b.createBlock();
  Block *loop = b.createBlock(1);
  Block *body = b.createBlock(2);
  Block *exit = b.createBlock(2);

  b.setInsertPoint(entry);
  b.setOrigin(SourceLocation::span(1, 0, 1, 0), 0);
  b.createPy("RESUME", 0, {}, 0);
  b.setOrigin(SourceLocation::span(2, 11, 2, 15), 2);
  Value *pair = b.constant(1);
  b.setOrigin(SourceLocation::span(2, 4, 2, 8), 4);
  Instruction *unpack = b.createPy("UNPACK_SEQUENCE", 2, {{pair}}, 2);
  b.setOrigin(SourceLocation::span(2, 4, 2, 5), 8);
  b.storeFast(1, unpack->result(1));
  b.setOrigin(SourceLocation::span(2, 7, 2, 8), 10);
  b.storeFast(2, unpack->result(0));
  b.setOrigin(SourceLocation::span(3, 13, 3, 18), 12);
  Instruction *range = b.loadGlobal(0, /*withNull=*/true);
  b.setOrigin(SourceLocation::span(3, 19, 3, 20), 22);
  Value *n = b.loadFast(0);
  b.setOrigin(SourceLocation::span(3, 13, 3, 21), 24);
  Value *iterable = b.call(range->result(0), range->result(1), {n});
  b.setOrigin(SourceLocation::span(3, 13, 3, 21), 32);
  Value *iter = b.createPy("GET_ITER", 0, {{iterable}}, 1)->result();
  b.clearOrigin();
  b.br(loop, {iter});

  b.setInsertPoint(loop);
  b.setOrigin(SourceLocation::span(3, 4, 4, 25), 34);
  // dis's view of 3.12: the exhausted path jumps to END_FOR, which pops
  // the iterator and the pushed slot.
  Instruction *next = b.createPy("FOR_ITER", 12, {{loop->param(0), true}}, 1,
                                 {{exit, {}}, {body, {}}});
  next->successor(0).setArgs({loop->param(0), next->result()});
  next->successor(1).setArgs({loop->param(0), next->result()});

  b.setInsertPoint(body);
  b.setOrigin(SourceLocation::span(3, 8, 3, 9), 38);
  b.storeFast(3, body->param(1));
  b.setOrigin(SourceLocation::span(4, 15, 4, 16), 40);
  Value *bv = b.loadFast(2);
  b.setOrigin(SourceLocation::span(4, 18, 4, 19), 42);
  Value *av = b.loadFast(1);
  b.setOrigin(SourceLocation::span(4, 22, 4, 23), 44);
  Value *bv2 = b.loadFast(2);
  b.setOrigin(SourceLocation::span(4, 18, 4, 23), 46);
  Value *sum = b.createPy("BINARY_OP", 0, {{av}, {bv2}}, 1)->result();
  b.setOrigin(SourceLocation::span(4, 15, 4, 23), 50);
  Instruction *swap = b.createPy("SWAP", 2, {{bv}, {sum}}, 2);
  b.setOrigin(SourceLocation::span(4, 8, 4, 9), 52);
  b.storeFast(1, swap->result(1));
  b.setOrigin(SourceLocation::span(4, 11, 4, 12), 54);
  b.storeFast(2, swap->result(0));
  b.setOrigin(SourceLocation::span(3, 4, 4, 25), 56);
  b.br(loop, {body->param(0)});

  b.setInsertPoint(exit);
  b.setOrigin(SourceLocation::span(3, 4, 4, 25), 60);
  b.createPy("END_FOR", 0, {{exit->param(0)}, {exit->param(1)}}, 0);
  b.setOrigin(SourceLocation::span(5, 11, 5, 12), 62);
  b.ret(b.loadFast(1));
  return m;
}

const char *const kFibonacciText = R"(module python 3.12

function @0 '<module>' qualname '<module>' file 'fib.py' firstline 1 flags 0x0 args 0 posonly 0 kwonly 0 {
  locals:
  consts: @1, None
  names: fibonacci
bb0:
  py RESUME 0                                   @0:0-1:0 #0
  %0 = const @1                                 @1:0-5:12 #2
  %1 = py MAKE_FUNCTION 0 %0                    @1:0-5:12 #4
  store_name fibonacci %1                       @1:0-5:12 #6
  %2 = const None                               @1:0-5:12 #8
  return %2                                     @1:0-5:12 #8
}

function @1 'fibonacci' qualname 'fibonacci' file 'fib.py' firstline 1 flags 0x3 args 1 posonly 0 kwonly 0 {
  locals: n, a, b, _
  consts: None, (0, 1)
  names: range
bb0:
  py RESUME 0                                   @1:0-1:0 #0
  %0 = const (0, 1)                             @2:11-2:15 #2
  %1, %2 = py UNPACK_SEQUENCE 2 %0              @2:4-2:8 #4
  store_fast a %2                               @2:4-2:5 #8
  store_fast b %1                               @2:7-2:8 #10
  %3, %4 = load_global range                    @3:13-3:18 #12
  %5 = load_fast n                              @3:19-3:20 #22
  %6 = call %3, %4, %5                          @3:13-3:21 #24
  %7 = py GET_ITER %6                           @3:13-3:21 #32
  br ^bb1(%7)
bb1(%8):
  %9 = py FOR_ITER 12 peek %8, ^bb3(%8, %9), ^bb2(%8, %9) @3:4-4:25 #34
bb2(%10, %11):
  store_fast _ %11                              @3:8-3:9 #38
  %12 = load_fast b                             @4:15-4:16 #40
  %13 = load_fast a                             @4:18-4:19 #42
  %14 = load_fast b                             @4:22-4:23 #44
  %15 = py BINARY_OP 0 %13, %14                 @4:18-4:23 #46
  %16, %17 = py SWAP 2 %12, %15                 @4:15-4:23 #50
  store_fast a %17                              @4:8-4:9 #52
  store_fast b %16                              @4:11-4:12 #54
  br ^bb1(%10)                                  @3:4-4:25 #56
bb3(%18, %19):
  py END_FOR %18, %19                           @3:4-4:25 #60
  %20 = load_fast a                             @5:11-5:12 #62
  return %20                                    @5:11-5:12 #62
}
)";

TEST(IRText, PrintsTheDocumentedFormat) {
  std::unique_ptr<Module> m = buildFibonacci();
  EXPECT_EQ(printModule(*m), kFibonacciText);
}

TEST(IRText, RoundTripsBuiltModule) {
  std::unique_ptr<Module> m = buildFibonacci();
  std::string text = printModule(*m);
  EXPECT_EQ(reprint(text), text);
}

TEST(IRText, ParsedModuleKeepsStructure) {
  Expected<std::unique_ptr<Module>> m = parseModule(kFibonacciText);
  ASSERT_TRUE(bool(m)) << m.error().message;
  Module &mod = **m;
  ASSERT_EQ(mod.numFunctions(), 2u);
  EXPECT_EQ(mod.version(), PythonVersion(3, 12));
  Function *top = mod.function(0);
  Function *fib = mod.function(1);
  ASSERT_TRUE(top->consts[0].isCode());
  EXPECT_EQ(top->consts[0].codeFunction(), fib);
  EXPECT_EQ(fib->argCount, 1);
  EXPECT_EQ(fib->flags, 3u);
  EXPECT_EQ(fib->numBlocks(), 4u);

  Block *loop = &*std::next(fib->begin());
  ASSERT_EQ(loop->numParams(), 1u);
  Instruction &forIter = loop->front();
  ASSERT_TRUE(forIter.is(Op::Py));
  EXPECT_STREQ(forIter.pyOpname(), "FOR_ITER");
  EXPECT_EQ(forIter.pyOparg(), 12u);
  EXPECT_TRUE(forIter.isTerminator());
  EXPECT_TRUE(forIter.operandUses()[0].isPeeked());
  EXPECT_EQ(forIter.operand(0), loop->param(0));
  ASSERT_EQ(forIter.numSuccessors(), 2u);
  // The FOR_ITER passes its own result to the body.
  EXPECT_EQ(forIter.successor(1).arg(1), forIter.result());
  EXPECT_EQ(forIter.offset(), 34u);
  EXPECT_EQ(forIter.location(), SourceLocation::span(3, 4, 4, 25));
  // Use lists: the loop parameter is used by the operand and two edges.
  EXPECT_EQ(loop->param(0)->numUses(), 3u);
  EXPECT_EQ(forIter.result()->numUses(), 2u);
}

TEST(IRText, HandlerEdgesAndKwNames) {
  // try: f(x=1) except: pass, on 3.11: the call has a KW_NAMES tuple.
  const char *text = R"(module python 3.11

function @0 'g' qualname 'g' file 'g.py' firstline 3 flags 0x3 args 0 posonly 0 kwonly 0 {
  locals:
  consts: None, 1, ('x',)
  names: f
bb0:
  nop                                           @4:4-4:7 #2
  br ^bb1
bb1 handler ^bb3 depth 0:
  %0, %1 = load_global f                        @5:8-5:9 #4
  %2 = const 1                                  @5:12-5:13 #16
  %3 = const ('x',)                             #18
  %4 = call %0, %1, %2, kwnames %3              @5:8-5:14 #20
  drop %4                                       @5:8-5:14 #32
  br ^bb2
bb2:
  %5 = const None
  return %5
bb3(%6) handler ^bb4(%6) depth 0 lasti:
  %7 = py PUSH_EXC_INFO %6                      @6:4-6:10 #34
  py POP_EXCEPT peek %7
  br ^bb2
bb4(%8, %9):
  py RERAISE 0 %8, %9
}
)";
  EXPECT_EQ(reprint(text), text);
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  ASSERT_TRUE(bool(m));
  Function &g = *(*m)->function(0);
  Block &protectedBlock = *std::next(g.begin());
  EXPECT_TRUE(protectedBlock.hasHandler());
  EXPECT_EQ(protectedBlock.handlerDepth(), 0u);
  EXPECT_FALSE(protectedBlock.handlerPushesLasti());
  Instruction &call = *std::next(protectedBlock.begin(), 3);
  ASSERT_TRUE(call.is(Op::Call));
  CallOperands ops = callOperands(call);
  EXPECT_EQ(ops.args.size(), 1u);
  ASSERT_NE(ops.kwNames, nullptr);
  EXPECT_EQ(ops.kwNames->definingBlock(), &protectedBlock);
  // 3.11: LOAD_GLOBAL's NULL is below the callable.
  std::optional<StaticCallee> callee = staticCallee(call);
  ASSERT_TRUE(callee.has_value());
  EXPECT_EQ(callee->callable, call.operand(1));
  EXPECT_EQ(callee->self, nullptr);
  Block &handler = *std::next(g.begin(), 3);
  EXPECT_TRUE(handler.handlerPushesLasti());
  EXPECT_EQ(handler.handlerArg(0), handler.param(0));
}

TEST(IRText, ForwardReferencesResolve) {
  // Values and blocks used before their definitions, labels that are not
  // bbN, and value names that are not numbers: printing renumbers them.
  const char *text = R"(module python 3.13
function @7 'f' {
  locals: x
  consts: None
entry:
  br ^exit(%v)
exit(%p):
  return %p
middle:
  %v = load_fast x
  br ^exit(%v)
}
)";
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  ASSERT_TRUE(bool(m)) << m.error().message;
  std::string printed = printModule(**m);
  EXPECT_NE(printed.find("function @0 'f' qualname 'f' file '' firstline 0 "
                         "flags 0x0"),
            std::string::npos)
      << printed;
  EXPECT_NE(printed.find("bb0:\n  br ^bb1(%1)\nbb1(%0):\n  return %0\n"
                         "bb2:\n  %1 = load_fast x\n  br ^bb1(%1)\n"),
            std::string::npos)
      << printed;
  EXPECT_EQ(reprint(printed), printed);
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

/// Parses `text` as one literal and prints it back with 3.12's rules.
std::string literalRoundTrip(const std::string &text) {
  TextReader reader(text);
  Expected<ConstantRef> c = parseConstantLiteral(reader);
  if (!c)
    return "error: " + c.error().message;
  reader.skipBlanks();
  if (!reader.atEnd())
    return "error: trailing text";
  return printConstantLiteral(**c, PythonVersion(3, 12));
}

TEST(IRText, ConstantLiteralsRoundTrip) {
  const char *literals[] = {"None",
                            "True",
                            "False",
                            "Ellipsis",
                            "StopIteration",
                            "0",
                            "-7",
                            "123456789012345678901234567890",
                            "-340282366920938463463374607431768211456",
                            "9223372036854775807",
                            "-9223372036854775808",
                            "9223372036854775808",
                            "1.0",
                            "-0.0",
                            "0.1",
                            "1e+16",
                            "1e-05",
                            "inf",
                            "-inf",
                            "nan",
                            "1j",
                            "-0j",
                            "-1j",
                            "(1+2j)",
                            "(-0-1j)",
                            "(nan+infj)",
                            "(1.5-infj)",
                            "(1e+16+1j)",
                            "infj",
                            "'str'",
                            "\"it's\"",
                            "'\\n\\t\\x00\\\\'",
                            "'\\udc80'",
                            "'\\U000e0001'",
                            "'\xe2\x82\xac'",
                            "b''",
                            "b'\\x00\\xff\"'",
                            "()",
                            "(1,)",
                            "(1, 'a', (2, (3,)))",
                            "[]",
                            "[1, [2]]",
                            "{1, 2}",
                            "set()",
                            "frozenset()",
                            "frozenset({'b', 'a'})",
                            "{}",
                            "{1: 'a', 'b': (2,)}",
                            "slice(1, None, -1)",
                            "frozendict()",
                            "frozendict({'a': [1], 2: frozendict()})"};
  for (const char *text : literals)
    EXPECT_EQ(literalRoundTrip(text), text);
}

TEST(IRText, ConstantLiteralValues) {
  auto parse = [](const char *text) {
    TextReader reader(text);
    Expected<ConstantRef> c = parseConstantLiteral(reader);
    EXPECT_TRUE(bool(c)) << text;
    return c ? *c : Constant::none();
  };
  EXPECT_TRUE(std::signbit(parse("-0.0")->asFloat()));
  EXPECT_TRUE(std::isnan(parse("nan")->asFloat()));
  EXPECT_TRUE(std::isinf(parse("-inf")->asFloat()));
  EXPECT_FALSE(std::signbit(parse("-1j")->asComplex().real));
  EXPECT_EQ(parse("-1j")->asComplex().imag, -1.0);
  EXPECT_TRUE(std::signbit(parse("(-0-0j)")->asComplex().real));
  EXPECT_TRUE(parse("123456789012345678901234567890")
                  ->equals(*Constant::integer(
                      PyInt::fromDigits(false, {0x0ad2, 0x1c7e, 0x03b9, 0x1b9f,
                                                0x7f6c, 0x5d21, 0x0063}))));
  EXPECT_EQ(parse("'\\udc80'")->asString().utf8, "\xed\xb2\x80");
  EXPECT_EQ(parse("b'\\xff'")->asBytes(), "\xff");
  EXPECT_TRUE(parse("(1,)")->is(ConstantKind::Tuple));
  EXPECT_TRUE(parse("{1}")->is(ConstantKind::Set));
  EXPECT_TRUE(parse("{}")->is(ConstantKind::Dict));
}

TEST(IRText, DuplicatePoolEntriesPrintByIndex) {
  const char *text = R"(module python 3.12

function @0 'f' qualname 'f' file '' firstline 1 flags 0x0 args 0 posonly 0 kwonly 0 {
  locals: x, x:cell
  consts: 1, nan, 1, nan
  names: y, y
bb0:
  %0 = const 1
  %1 = const $2
  %2 = const nan
  %3 = const $3
  %4 = load_fast x
  %5 = load_deref $1
  %6 = load_name y
  %7 = load_name $1
  return %0
}
)";
  EXPECT_EQ(reprint(text), text);
}

TEST(IRText, LocationsOfEveryShape) {
  const char *text = R"(module python 3.13

function @0 'f' qualname 'f' file '' firstline 1 flags 0x0 args 0 posonly 0 kwonly 0 {
  locals:
  consts: None
  names:
bb0:
  nop                                           @7
  nop                                           @7-7
  nop                                           @7:1-8:2
  nop                                           @7:1
  nop                                           @?:1-?:2
  nop                                           @7-?:5
  nop                                           @-1:0--1:4
  nop                                           #12
  nop
  %0 = const None                               @9:0-9:4 #14
  return %0
}
)";
  EXPECT_EQ(reprint(text), text);
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  ASSERT_TRUE(bool(m));
  Block &entry = *(*m)->function(0)->entry();
  auto it = entry.begin();
  EXPECT_EQ(it->location(), SourceLocation::lineOnly(7));
  ++it;
  EXPECT_EQ(it->location().getEndLine(), 7);
  EXPECT_EQ(it->location().getColumn(), std::nullopt);
  std::advance(it, 4);
  EXPECT_EQ(it->location().getEndColumn(), 5);
  EXPECT_EQ(it->location().getEndLine(), std::nullopt);
  ++it;
  EXPECT_EQ(it->location(), SourceLocation::span(-1, 0, -1, 4));
  ++it;
  EXPECT_TRUE(it->location().isNone());
  EXPECT_EQ(it->offset(), 12u);
  ++it;
  EXPECT_FALSE(it->hasOffset());
}

TEST(IRText, MoveLocations) {
  // The lifter's hint for where the stack moves before an instruction go;
  // lowering uses it, so the text must keep it. A local may be called moves.
  const char *text = R"(module python 3.12

function @0 'f' qualname 'f' file '' firstline 1 flags 0x0 args 0 posonly 0 kwonly 0 {
  locals: moves
  consts: None
  names:
bb0:
  %0 = const None                               @2:4-2:8 #2
  store_fast moves %0                           @2:9-2:14 moves @2:0-2:20 #4
  %1 = load_fast moves                          moves @3 #6
  store_fast moves %1                           moves @?:1-?:2
  return %0
}
)";
  EXPECT_EQ(reprint(text), text);
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  ASSERT_TRUE(bool(m));
  auto it = (*m)->function(0)->entry()->begin();
  EXPECT_TRUE(it->moveLocation().isNone());
  ++it;
  EXPECT_EQ(it->location(), SourceLocation::span(2, 9, 2, 14));
  EXPECT_EQ(it->moveLocation(), SourceLocation::span(2, 0, 2, 20));
  ++it;
  EXPECT_TRUE(it->location().isNone());
  EXPECT_EQ(it->moveLocation(), SourceLocation::lineOnly(3));
  EXPECT_EQ(it->offset(), 6u);
}

TEST(IRText, OddNamesAndLocalKinds) {
  const char *text = R"(module python 3.12

function @0 '<listcomp>' qualname 'f.<locals>.<listcomp>' file 'a b.py' firstline -3 flags 0x13 args 1 posonly 0 kwonly 0 {
  locals: '.0', x:hidden+local, c:local+cell, fr:free, odd:0x1, z:0x0
  consts: None
  names: 'not an identifier', 'é'
bb0:
  %0 = load_fast '.0'
  %1 = load_name 'not an identifier'
  make_cell c
  return %0
}
)";
  EXPECT_EQ(reprint(text), text);
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  ASSERT_TRUE(bool(m));
  const Function &f = *(*m)->function(0);
  EXPECT_EQ(f.localsPlus[1].kind, CO_FAST_HIDDEN | CO_FAST_LOCAL);
  EXPECT_EQ(f.localsPlus[4].kind, 0x1);
  EXPECT_EQ(f.localsPlus[5].kind, 0x0);
  EXPECT_EQ(f.firstLineNo, -3);
  EXPECT_EQ(f.names[1].utf8, "\xc3\xa9");
}

TEST(IRText, MinimumStackSize) {
  // `minstack` (the original co_stacksize) prints only when it is not 0.
  const char *text = R"(module python 3.12

function @0 'f' qualname 'f' file 'x.py' firstline 1 flags 0x3 args 0 posonly 0 kwonly 0 minstack 7 {
  locals:
  consts: None
  names:
bb0:
  %0 = const None
  return %0
}
)";
  EXPECT_EQ(reprint(text), text);
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  ASSERT_TRUE(bool(m));
  EXPECT_EQ((*m)->function(0)->minStackSize, 7);
  std::string none = text;
  none.replace(none.find(" minstack 7"), 11, "");
  EXPECT_EQ(reprint(none), none);
  m = parseModule(none);
  ASSERT_TRUE(bool(m));
  EXPECT_EQ((*m)->function(0)->minStackSize, 0);
}

TEST(IRText, LocalsNamedLikeKeywords) {
  // Found by lifting the stdlib: a local called "handler" after an operation
  // name was taken for a block header.
  const char *text = R"(module python 3.12

function @0 'f' qualname 'f' file 'x.py' firstline 1 flags 0x3 args 1 posonly 0 kwonly 0 {
  locals: handler, depth, lasti, peek
  consts: None
  names:
bb0:
  %0 = load_fast handler
  store_fast handler %0
  store_fast depth %0
  %1 = load_fast lasti
  store_fast peek %1
  %2 = const None
  return %2
}
)";
  EXPECT_EQ(reprint(text), text);
}

TEST(IRText, StrongLoads) {
  // A load CPython 3.14 did not borrow keeps `strong` through the text, with
  // and without a location and an offset; a local may be called so.
  const char *text = R"(module python 3.14

function @0 'f' qualname 'f' file 'x.py' firstline 1 flags 0x3 args 1 posonly 0 kwonly 0 {
  locals: strong
  consts: None
  names:
bb0:
  %0 = load_fast strong                         @2:4-2:10 strong #2
  drop %0                                       @2:4-2:10 #4
  %1 = load_fast strong                         strong
  store_fast strong %1
  %2 = load_fast strong
  return %2
}
)";
  EXPECT_EQ(reprint(text), text);
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  ASSERT_TRUE(bool(m));
  Block &entry = *(*m)->function(0)->begin();
  std::vector<bool> strong;
  for (Instruction &inst : entry)
    if (inst.is(Op::LoadFast))
      strong.push_back(inst.isStrongLoad());
  EXPECT_EQ(strong, (std::vector<bool>{true, true, false}));
}

//===----------------------------------------------------------------------===//
// Parser errors
//===----------------------------------------------------------------------===//

const char *const kHeader =
    "module python 3.12\nfunction @0 'f' {\n  locals: x\n  consts: None\n"
    "  names: g\nbb0:\n";

TEST(IRTextErrors, ReportLineAndColumn) {
  struct Case {
    std::string text;
    const char *message;
  };
  const Case cases[] = {
      {"modul python 3.12\n", "1:1: expected 'module python 3.X'"},
      {"module python 2.7\n",
       "1:15: expected a supported Python version such as 3.12"},
      {std::string(kHeader) + "  %0 = lod_fast x\n}\n",
       "7:8: unknown operation 'lod_fast'"},
      {std::string(kHeader) + "  %0 = load_fast y\n}\n",
       "7:18: local y is not in the function's pool"},
      {std::string(kHeader) + "  %0 = const 1\n}\n",
       "7:14: constant 1 is not in the function's pool"},
      {std::string(kHeader) + "  return %4\n}\n",
       "7:10: use of undefined value %4"},
      {std::string(kHeader) + "  br ^bb9\n}\n",
       "7:6: block ^bb9 is used but never defined"},
      {std::string(kHeader) + "  %0 = load_fast x\n  %0 = load_fast x\n}\n",
       "8:3: value %0 is defined twice"},
      {std::string(kHeader) + "  %0 = load_fast_check x strong\n}\n",
       "7:26: only load_fast can be marked 'strong'"},
      {std::string(kHeader) + "  br ^bb0\nbb0:\n  br ^bb0\n}\n",
       "8:1: block ^bb0 is defined twice"},
      {std::string(kHeader) + "  py LOAD_METHOD 0\n}\n",
       "7:6: CPython 3.12 has no opcode LOAD_METHOD"},
      {std::string(kHeader) + "  %0 = load_fast x @3:\n}\n",
       "7:20: bad source location; expected @LINE[:COL][-ENDLINE[:ENDCOL]] "
       "with '?' for an absent field"},
      {std::string(kHeader) + "  %0 = load_fast x @3 moves #4\n}\n",
       "7:29: expected a source location after 'moves'"},
      {std::string(kHeader) + "  %0 = load_fast x extra\n}\n",
       "7:20: expected a value such as %3"},
      {std::string(kHeader) + "  cond_br if_maybe %0, ^bb0, ^bb0\n}\n",
       "7:11: expected a branch test (if_true, if_false, if_none, "
       "if_not_none)"},
      {std::string(kHeader) + "  drop peek %0\n}\n",
       "7:8: only py operands can be peeked"},
      {std::string(kHeader) + "  br ^bb0, %1\n}\n",
       "7:12: operands must come before successors"},
      {std::string(kHeader) + "  return %0\n",
       "8:1: expected '}' at the end of the function"},
      {"module python 3.12\nfunction @0 'f' {\n  consts: @4\nbb0:\n}\n",
       "3:11: unknown function @4"},
      {"module python 3.12\nfunction @0 'f' colour 3 {\n}\n",
       "2:17: unknown function attribute 'colour'"},
      {"module python 3.12\nfunction @0 'f' {\n  consts: 'abc\n}\n",
       "3:11: unterminated string literal"},
      {"module python 3.12\nfunction @0 'f' {\n  consts: (1)\n}\n",
       "3:11: a one-element tuple is written '(x,)'"},
      {"module python 3.12\nfunction @0 'f' {\n  consts: (1, @0)\n}\n",
       "3:15: a code constant (@N) may only appear at the top level of the "
       "consts pool"},
      {"module python 3.12\nfunction @0 'f' {\n  consts: '\\q'\n}\n",
       "3:12: unknown escape sequence in a string literal"},
      {"module python 3.12\nfunction @0 'f' {\n}\nfunction @0 'g' {\n}\n",
       "4:11: function @0 is defined twice"},
      {"module python 3.12\nfunction @0 'f' {\n  locals: x:warm\n}\n",
       "3:13: expected a local kind (local, cell, free, hidden or hex bits)"},
      {"module python 3.12\nfunction @0 'f' {\n  nop\n}\n",
       "3:3: instruction outside a block; expected a label such as 'bb0:'"},
  };
  for (const Case &c : cases)
    EXPECT_EQ(parseError(c.text), c.message) << c.text;
}

} // namespace
