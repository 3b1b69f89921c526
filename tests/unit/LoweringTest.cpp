//===- tests/unit/LoweringTest.cpp - IR back to bytecode ------------------===//
//
// Small functions written as IR text, lowered, and checked as the
// instruction listing they assemble to ("NAME arg; ..."): the stack
// scheduler's COPY/SWAP, block exits, jump polarity and direction, and the
// per-version selection (RETURN_CONST, KW_NAMES/PRECALL, CALL_KW,
// superinstructions, LIST_APPEND's depth). The round trip on the real
// stdlib is bcc-lower-check --roundtrip (tests/tools/lower_check.cpp).
//
//===----------------------------------------------------------------------===//

#include "backend/Lowering.h"
#include "backend/MachineCode.h"
#include "backend/StackScheduler.h"
#include "ir/Opcodes.h"
#include "frontend/BytecodeDecoder.h"
#include "frontend/LineTable.h"
#include "ir/IRBuilder.h"
#include "ir/IRParser.h"
#include "ir/Verifier.h"

#include <gtest/gtest.h>

using namespace bcc;

namespace {

/// Lowers `f` and lists its instructions.
std::string lowerAndList(const Function &f, LoweringReport *report = nullptr) {
  Expected<std::shared_ptr<CodeObject>> code = lowerFunction(f, report);
  if (!code)
    return "lowering error: " + code.error().message;
  Expected<std::vector<DecodedInstruction>> insts =
      decodeInstructions(**code);
  if (!insts)
    return "decode error";
  std::string out;
  for (const DecodedInstruction &d : *insts) {
    if (!out.empty())
      out += "; ";
    out += d.info ? d.info->name : "?";
    if (d.info && d.info->hasArg)
      out += " " + std::to_string(*d.arg);
  }
  return out;
}

/// Lowers the first function of `text` and lists its instructions, each
/// with its line ("NAME arg @line", @- for none).
std::string lowerTextWithLines(const std::string &text) {
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  if (!m)
    return "parse error: " + m.error().message;
  Expected<std::shared_ptr<CodeObject>> code =
      lowerFunction(*(*m)->function(0), nullptr);
  if (!code)
    return "lowering error: " + code.error().message;
  Expected<std::vector<DecodedInstruction>> insts =
      decodeInstructions(**code);
  Expected<LineTable> lines = LineTable::decode(**code);
  if (!insts || !lines)
    return "decode error";
  std::string out;
  for (const DecodedInstruction &d : *insts) {
    if (!out.empty())
      out += "; ";
    out += d.info ? d.info->name : "?";
    if (d.info && d.info->hasArg)
      out += " " + std::to_string(*d.arg);
    std::optional<int32_t> line = lines->lineAt(d.offset);
    out += line ? " @" + std::to_string(*line) : std::string(" @-");
  }
  return out;
}

/// Lowers the first function of `text` and lists its instructions.
std::string lowerText(const std::string &text,
                      LoweringReport *report = nullptr) {
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  if (!m)
    return "parse error: " + m.error().message;
  return lowerAndList(*(*m)->function(0), report);
}

std::string header(const char *version) {
  return std::string("module python ") + version +
         "\nfunction @0 'f' qualname 'f' file 'x.py' firstline 1 flags 0x3 "
         "args 2 posonly 0 kwonly 0 {\n"
         "  locals: a, b, c\n"
         "  consts: None, 1, ('x',)\n"
         "  names: g, attr\n";
}

TEST(Lowering, ReturnConstAndStraightLine) {
  std::string text = header("3.12") + R"(bb0:
  py RESUME 0                                   #0
  %0 = load_fast a                              #2
  store_fast c %0                               #4
  %1 = const None                               #6
  return %1                                     #6
}
)";
  EXPECT_EQ(lowerText(text),
            "RESUME 0; LOAD_FAST 0; STORE_FAST 2; RETURN_CONST 0");
}

TEST(Lowering, CopyForASecondUse) {
  // a = b = value: LOAD_FAST; COPY 1; STORE_FAST; STORE_FAST.
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a                              #0
  store_fast b %0                               #4
  store_fast c %0                               #6
  %1 = const None                               #8
  return %1                                     #8
}
)";
  LoweringReport report;
  EXPECT_EQ(lowerText(text, &report),
            "LOAD_FAST 0; COPY 1; STORE_FAST 1; STORE_FAST 2; RETURN_CONST 0");
  EXPECT_EQ(report.copies, 1u);
}

TEST(Lowering, SwapForOperandsOutOfOrder) {
  // x.attr += 1: the object is below the new value, STORE_ATTR wants the
  // value below the object.
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a                              #0
  %1 = load_attr attr %0                        #4
  %2 = const 1                                  #24
  %3 = py BINARY_OP 13 %1, %2                   #26
  store_attr attr %3, %0                        #32
  %4 = const None                               #42
  return %4                                     #42
}
)";
  LoweringReport report;
  EXPECT_EQ(lowerText(text, &report),
            "LOAD_FAST 0; COPY 1; LOAD_ATTR 2; LOAD_CONST 1; BINARY_OP 13; "
            "SWAP 2; STORE_ATTR 1; RETURN_CONST 0");
  EXPECT_EQ(report.swaps, 1u);
}

TEST(Lowering, MovesGoWhereTheOffsetsLeaveAGap) {
  // `x, y = y, x`-like: CPython swapped at offset 4, before pushing the
  // constant; the lifter dropped the SWAP but left the gap.
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a                              #0
  %1 = load_fast b                              #2
  %2 = const 1                                  #6
  %3 = py BINARY_OP 0 %0, %2                    #8
  store_fast c %3                               #12
  store_fast b %1                               #14
  %4 = const None                               #16
  return %4                                     #16
}
)";
  EXPECT_EQ(lowerText(text), "LOAD_FAST 0; LOAD_FAST 1; SWAP 2; LOAD_CONST 1; "
                             "BINARY_OP 0; STORE_FAST 2; STORE_FAST 1; "
                             "RETURN_CONST 0");
}

TEST(Lowering, AHoleAMovedInstructionLeftIsNoGap) {
  // The load of c (#4) was moved after the constant (#6): the offsets skip
  // #4 at the constant, but no move of the original was there, so the
  // tuple's operands are arranged where the tuple is built, not early.
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a                              #0
  %1 = load_fast b                              #2
  %3 = const 1                                  #6
  %2 = load_fast c                              #4
  %4 = py BUILD_TUPLE 4 %1, %0, %2, %3          #8
  return %4                                     #10
}
)";
  EXPECT_EQ(lowerText(text), "LOAD_FAST 0; LOAD_FAST 1; LOAD_CONST 1; "
                             "LOAD_FAST_CHECK 2; COPY 4; SWAP 3; "
                             "BUILD_TUPLE 4; RETURN_VALUE");
}

TEST(Lowering, NoCopyLeavesADeadSlotBehind) {
  // b and a are loaded before the call's NULL and callable: COPY 3; COPY 5
  // would be the shortest arrangement, but the slots of a and b would stay
  // below, keeping their objects alive after `del b` (CPython's test_code
  // frees a code object by deleting its last reference). SWAPs move them
  // instead.
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a
  %1 = load_fast b
  %2 = push_null
  %3 = load_fast c
  %4 = call %2, %3, %1, %0
  store_fast c %4
  delete_fast b
  %5 = const None
  return %5
}
)";
  EXPECT_EQ(lowerText(text), "LOAD_FAST 0; LOAD_FAST 1; PUSH_NULL; "
                             "LOAD_FAST_CHECK 2; SWAP 3; SWAP 2; SWAP 4; CALL 2; "
                             "STORE_FAST 2; DELETE_FAST 1; RETURN_CONST 0");
}

TEST(Lowering, CodeOfUnknownOriginLeavesNoGapBehind) {
  // The const has no offset (a pass made it, or forgot where it came
  // from: here it was #24, moved into bb0). The hole it left before the
  // call (#24) is no move of the original's, so the call's operands are
  // arranged by SWAPs where the call is, not early by a COPY whose
  // original slot would stay behind, dead.
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a                              #2
  %1 = const 1
  br ^bb1(%1, %0)
bb1(%2, %3):
  %4, %5 = load_attr attr %3                    #4
  %6 = call %4, %5, %2                          #26
  drop %6                                       #34
  %7 = const None                               #36
  return %7                                     #36
}
)";
  EXPECT_EQ(lowerText(text), "LOAD_FAST 0; LOAD_CONST 1; SWAP 2; "
                             "LOAD_ATTR 3; SWAP 2; SWAP 3; CALL 1; POP_TOP; "
                             "RETURN_CONST 0");
}

TEST(Lowering, MovesAtAGapPrepareTheUsesThatFollow) {
  // `a.attr, b.attr, b.attr = a, b, b`: CPython reverses the three values
  // with one SWAP 3 at the gap, so that each STORE_ATTR finds its value on
  // top. Keeping the values below in their order would take a COPY 3 and
  // leave dead slots behind.
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a                              #0
  %1 = load_fast b                              #2
  %2 = load_fast b                              #4
  %3 = load_fast a                              #8
  store_attr attr %0, %3                        #10
  %4 = load_fast b                              #20
  store_attr attr %1, %4                        #22
  %5 = load_fast b                              #32
  store_attr attr %2, %5                        #34
  %6 = const None                               #44
  return %6                                     #44
}
)";
  EXPECT_EQ(lowerText(text),
            "LOAD_FAST 0; LOAD_FAST 1; LOAD_FAST 1; SWAP 3; LOAD_FAST 0; "
            "STORE_ATTR 1; LOAD_FAST 1; STORE_ATTR 1; LOAD_FAST 1; "
            "STORE_ATTR 1; RETURN_CONST 0");
}

TEST(Lowering, ASuperinstructionLeavesNoGapBehindIt) {
  // The same on 3.13, where the first two loads are one
  // LOAD_FAST_LOAD_FAST: its second half writes nothing and must not
  // make the next load look as if a move came before it.
  std::string text = header("3.13") + R"(bb0:
  %0 = load_fast a                              #0
  %1 = load_fast b                              #0
  %2 = load_fast a                              #2
  %3 = load_fast b                              #6
  store_attr attr %0, %3                        #8
  %4 = load_fast b                              #18
  store_attr attr %1, %4                        #20
  %5 = load_fast b                              #30
  store_attr attr %2, %5                        #32
  %6 = const None                               #42
  return %6                                     #42
}
)";
  EXPECT_EQ(lowerText(text),
            "LOAD_FAST_LOAD_FAST 1; LOAD_FAST 0; SWAP 3; LOAD_FAST 1; "
            "STORE_ATTR 1; LOAD_FAST 1; STORE_ATTR 1; LOAD_FAST 1; "
            "STORE_ATTR 1; RETURN_CONST 0");
}

TEST(Lowering, ADeadValueIsSwappedUpToBePopped) {
  // POP_TOP of a value nothing else needs: SWAP 3, as CPython and the
  // step-by-step builder write it, even though the values below change
  // order; COPY 3 would leave its slot behind, dead, and bcc's own
  // output (SWAP 3; POP_TOP, lifted to a drop) would not come back.
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a                              #0
  %1 = load_fast b                              #2
  %2 = load_fast a                              #4
  drop %0                                       #6
  store_fast b %1                               #8
  store_fast c %2                               #10
  %3 = const None                               #12
  return %3                                     #12
}
)";
  EXPECT_EQ(lowerText(text),
            "LOAD_FAST 0; LOAD_FAST 1; LOAD_FAST 0; SWAP 3; POP_TOP; "
            "STORE_FAST 1; STORE_FAST 2; RETURN_CONST 0");
}

TEST(Lowering, AGapBeforeATerminatorIsTheExitsArrangement) {
  // The moves at a gap right before a branch are the block exit's: one
  // SWAP 3 makes the stack the successors' parameters and puts the
  // condition on top. Arranging the condition first, at the gap, would
  // copy it and then shuffle again.
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a                              #0
  %1 = load_fast b                              #2
  %2 = load_fast a                              #4
  cond_br if_true %0, ^bb1(%2, %1), ^bb2(%2, %1) #8
bb1(%3, %4):
  drop %4                                       #10
  drop %3                                       #12
  %5 = const None                               #14
  return %5                                     #14
bb2(%6, %7):
  drop %7                                       #16
  drop %6                                       #18
  %8 = const None                               #20
  return %8                                     #20
}
)";
  EXPECT_EQ(lowerText(text),
            "LOAD_FAST 0; LOAD_FAST 1; LOAD_FAST 0; SWAP 3; "
            "POP_JUMP_IF_FALSE 3; POP_TOP; POP_TOP; RETURN_CONST 0; POP_TOP; "
            "POP_TOP; RETURN_CONST 0");
}

TEST(Lowering, BranchPolarityAndDirection) {
  // Successor 0 is taken when the test holds; when it is the next block the
  // test is inverted so that the other one is jumped to.
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a                              #0
  cond_br if_true %0, ^bb1, ^bb2                #2
bb1:
  %1 = const None                               #4
  return %1                                     #4
bb2:
  %2 = load_fast b                              #6
  return %2                                     #8
}
)";
  EXPECT_EQ(lowerText(text), "LOAD_FAST 0; POP_JUMP_IF_FALSE 1; "
                             "RETURN_CONST 0; LOAD_FAST 1; RETURN_VALUE");
  std::string loop = header("3.11") + R"(bb0:
  br ^bb1
bb1:
  %0 = load_fast a                              #0
  cond_br if_true %0, ^bb1, ^bb2                #2
bb2:
  %1 = const None                               #4
  return %1                                     #6
}
)";
  EXPECT_EQ(lowerText(loop), "LOAD_FAST 0; POP_JUMP_BACKWARD_IF_TRUE 2; "
                             "LOAD_CONST 0; RETURN_VALUE");
  // 3.12+ has no backward conditional jump: the opposite test jumps over a
  // JUMP_BACKWARD.
  std::string loop12 = loop;
  loop12.replace(loop12.find("3.11"), 4, "3.12");
  EXPECT_EQ(lowerText(loop12), "LOAD_FAST 0; POP_JUMP_IF_FALSE 1; "
                               "JUMP_BACKWARD 3; LOAD_CONST 0; RETURN_VALUE");
}

TEST(Lowering, BlockExitsMatchTheSuccessorsParameters) {
  // The edge passes the two values swapped.
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a                              #0
  %1 = load_fast b                              #2
  br ^bb1(%1, %0)
bb1(%2, %3):
  py POP_TOP %3                                 #6
  return %2                                     #8
}
)";
  EXPECT_EQ(lowerText(text), "LOAD_FAST 0; LOAD_FAST 1; SWAP 2; POP_TOP; "
                             "RETURN_VALUE");
}

TEST(Lowering, CallsPerVersion) {
  const char *body = R"(bb0:
  %0, %1 = load_global g                        #0
  %2 = load_fast a                              #10
  %3 = const ('x',)                             #12
  %4 = call %0, %1, %2, kwnames %3              #14
  return %4                                     #22
}
)";
  EXPECT_EQ(lowerText(header("3.11") + body),
            "LOAD_GLOBAL 1; LOAD_FAST 0; KW_NAMES 2; PRECALL 1; CALL 1; "
            "RETURN_VALUE");
  EXPECT_EQ(lowerText(header("3.12") + body),
            "LOAD_GLOBAL 1; LOAD_FAST 0; KW_NAMES 2; CALL 1; RETURN_VALUE");
  std::string body13 = R"(bb0:
  %0, %1 = load_global g                        #0
  %2 = load_fast a                              #10
  %3 = const ('x',)                             #12
  %4 = call %0, %1, %2, kwnames %3              #14
  return %4                                     #22
}
)";
  EXPECT_EQ(lowerText(header("3.13") + body13),
            "LOAD_GLOBAL 1; LOAD_FAST 0; LOAD_CONST 2; CALL_KW 1; "
            "RETURN_VALUE");
}

TEST(Lowering, KwNamesComeRightBeforeTheirCall) {
  // The names tuple made before another call among the arguments: that
  // call must not take the KW_NAMES (the interpreter keeps its argument
  // for the next CALL only).
  const char *early = R"(bb0:
  %0, %1 = load_global g
  %2 = const ('x',)
  %3, %4 = load_global g
  %5 = call %3, %4
  %6 = call %0, %1, %5, kwnames %2
  return %6
}
)";
  EXPECT_EQ(lowerText(header("3.11") + early),
            "LOAD_GLOBAL 1; LOAD_GLOBAL 1; PRECALL 0; CALL 0; KW_NAMES 2; "
            "PRECALL 1; CALL 1; RETURN_VALUE");
  EXPECT_EQ(lowerText(header("3.12") + early),
            "LOAD_GLOBAL 1; LOAD_GLOBAL 1; CALL 0; KW_NAMES 2; CALL 1; "
            "RETURN_VALUE");
  // The names reach the call through a block parameter: the tuple is on
  // the stack, so it is popped and named by KW_NAMES.
  const char *param = R"(bb0:
  %0, %1 = load_global g
  %2 = load_fast a
  %3 = const ('x',)
  br ^bb1(%0, %1, %2, %3)
bb1(%4, %5, %6, %7):
  %8 = call %4, %5, %6, kwnames %7
  return %8
}
)";
  EXPECT_EQ(lowerText(header("3.12") + param),
            "LOAD_GLOBAL 1; LOAD_FAST 0; LOAD_CONST 2; POP_TOP; KW_NAMES 2; "
            "CALL 1; RETURN_VALUE");
  // Names that are not one constant cannot be KW_NAMES's argument.
  const char *unknown = R"(bb0:
  %0, %1 = load_global g
  %2 = load_fast a
  %3 = load_fast b
  %4 = call %0, %1, %2, kwnames %3
  return %4
}
)";
  EXPECT_NE(lowerText(header("3.12") + unknown)
                .find("the keyword names of the call are not one constant"),
            std::string::npos);
  // 3.13 keeps the tuple on the stack for CALL_KW wherever it was made.
  EXPECT_EQ(lowerText(header("3.13") + param),
            "LOAD_GLOBAL 1; LOAD_FAST 0; LOAD_CONST 2; CALL_KW 1; "
            "RETURN_VALUE");
}

TEST(Lowering, AnExhaustedForIterLandsOnEndFor) {
  // 3.12+ FOR_ITER, when exhausted, jumps past the END_FOR at its target
  // (3.13: END_FOR and POP_TOP): those must come first there, or whatever
  // stands before them is skipped.
  auto loop = [](const char *version, const char *exit) {
    return header(version) + R"(bb0:
  %0 = load_fast a
  %1 = py GET_ITER %0
  br ^bb1(%1)
bb1(%2):
  %3 = py FOR_ITER 0 peek %2, ^bb3(%2, %3), ^bb2(%2, %3)
bb2(%4, %5):
  drop %5
  br ^bb1(%4)
)" + exit + "}\n";
  };
  const char *endFor12 = R"(bb3(%6, %7):
  py END_FOR %6, %7
  %8 = const None
  return %8
)";
  EXPECT_EQ(lowerText(loop("3.12", endFor12)),
            "LOAD_FAST 0; GET_ITER; FOR_ITER 2; POP_TOP; JUMP_BACKWARD 4; "
            "END_FOR; RETURN_CONST 0");
  const char *constFirst12 = R"(bb3(%6, %7):
  %8 = const None
  py END_FOR %6, %7
  return %8
)";
  EXPECT_EQ(lowerText(loop("3.12", constFirst12)),
            "lowering error: function 'f': instruction 2: the exhausted path "
            "of FOR_ITER does not begin with END_FOR, which the interpreter "
            "skips");
  const char *endFor13 = R"(bb3(%6, %7):
  py END_FOR %7
  drop %6
  %8 = const None
  return %8
)";
  EXPECT_EQ(lowerText(loop("3.13", endFor13)),
            "LOAD_FAST 0; GET_ITER; FOR_ITER 3; POP_TOP; JUMP_BACKWARD 5; "
            "END_FOR; POP_TOP; RETURN_CONST 0");
  // The value FOR_ITER passes is below another one: a SWAP before END_FOR.
  const char *swapped13 = R"(bb3(%6, %7):
  %8 = const None
  py END_FOR %7
  drop %6
  return %8
)";
  EXPECT_EQ(lowerText(loop("3.13", swapped13)),
            "lowering error: function 'f': instruction 2: the exhausted path "
            "of FOR_ITER does not begin with END_FOR, POP_TOP, which the "
            "interpreter skips");
}

TEST(Lowering, MovesLeaveTheHandlersSlotsAlone) {
  // %5 lies in the slot the handler keeps (depth 1) and nothing else uses
  // it: popping it (SWAP 4; POP_TOP) would be the shortest way to put the
  // call's operands in order, and the handler would then find the NULL
  // there instead.
  const char *text = R"(bb0:
  %0 = load_fast a
  br ^bb1(%0)
bb1(%1) handler ^bb2(%1) depth 1:
  %2, %3 = load_global g
  %4 = load_fast b
  br ^bb3(%1, %3, %4, %2)
bb3(%5, %6, %7, %8) handler ^bb2(%5) depth 1:
  %9 = call %8, %6, %7
  return %9
bb2(%10, %11):
  py RERAISE 0 %11
}
)";
  EXPECT_EQ(lowerText(header("3.12") + text),
            "LOAD_FAST 0; LOAD_GLOBAL 1; LOAD_FAST 1; SWAP 2; SWAP 3; "
            "SWAP 3; SWAP 2; CALL 1; RETURN_VALUE; RERAISE 0");
}

TEST(Lowering, DeadSlotsMakeWayForAValuePeekedAtItsDepth) {
  // LIST_EXTEND 1 needs the list right below the value: nine slots nothing
  // needs lie between, too deep for the search, so the shape is built step
  // by step, popping them.
  std::string consts, args, params;
  for (int i = 0; i < 9; ++i) {
    consts += "  %c" + std::to_string(i) + " = const 1\n";
    args += ", %c" + std::to_string(i);
    params += ", %p" + std::to_string(i);
  }
  std::string text = header("3.12") + "bb0:\n  %l = py BUILD_LIST 0\n" +
                     consts + "  %a = load_fast a\n  br ^bb1(%l" + args +
                     ", %a)\nbb1(%pl" + params +
                     ", %pa):\n  py LIST_EXTEND 1 peek %pl, %pa\n"
                     "  return %pl\n}\n";
  std::string expected = "BUILD_LIST 0; ";
  for (int i = 0; i < 9; ++i)
    expected += "LOAD_CONST 1; ";
  expected += "LOAD_FAST 0; ";
  for (int i = 0; i < 9; ++i)
    expected += "SWAP 2; POP_TOP; ";
  expected += "LIST_EXTEND 1; RETURN_VALUE";
  LoweringReport report;
  EXPECT_EQ(lowerText(text, &report), expected);
  EXPECT_EQ(report.constructed, 1u);
}

TEST(Lowering, AScopeExitFindsAPeekedValueAtItsDepth) {
  // RERAISE 1 sets f_lasti from the value right below the exception; a
  // value between them would be taken for lasti ("lasti is not an int").
  const char *text = R"(bb0:
  %0 = load_fast a
  %1 = load_fast b
  %2 = const None
  br ^bb1(%0, %2, %1)
bb1(%3, %4, %5):
  py RERAISE 1 peek %3, %5
}
)";
  EXPECT_EQ(lowerText(header("3.12") + text),
            "LOAD_FAST 0; LOAD_FAST 1; LOAD_CONST 0; SWAP 2; SWAP 2; POP_TOP; "
            "RERAISE 1");
}

TEST(Lowering, MovesTakeNoLineOfTheirOwn) {
  // bb1 writes nothing but its exit's SWAP, into a loop header: with no
  // instruction before it in the block, the SWAP takes the line of what
  // follows (a SWAP without a line would be a line event for line 2 of its
  // own on 3.12+). And the COPY before UNARY_NEGATIVE (line 3) does not
  // take the line of the store that takes the copy (line 4): that would be
  // a line 4 event in the middle of line 3.
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a                              @1:0-1:1
  %1 = load_fast b                              @1:2-1:3
  br ^bb1(%0, %1)
bb1(%2, %3):
  br ^bb2(%3, %2)
bb2(%4, %5):
  store_fast a %4                               @2:0-2:1
  store_fast b %5                               @2:0-2:1
  %6 = load_fast a                              @2:0-2:1
  cond_br if_true %6, ^bb4, ^bb3                @2:0-2:1
bb4:
  %7 = load_fast a                              @2:0-2:1
  %8 = load_fast b                              @2:0-2:1
  br ^bb2(%7, %8)                               @2:0-2:1 #100
bb3:
  %9 = load_fast a                              @3:4-3:5
  %10 = py UNARY_NEGATIVE %9                    @3:0-3:5
  store_fast b %10                              @3:0-3:5
  store_fast c %9                               @4:0-4:5
  %11 = const None                              @4:0-4:5
  return %11                                    @4:0-4:5
}
)";
  EXPECT_EQ(lowerTextWithLines(text),
            "LOAD_FAST 0 @1; LOAD_FAST 1 @1; SWAP 2 @2; SWAP 2 @2; "
            "STORE_FAST 0 @2; STORE_FAST 1 @2; LOAD_FAST 0 @2; "
            "POP_JUMP_IF_FALSE 3 @2; LOAD_FAST 0 @2; LOAD_FAST 1 @2; "
            "JUMP_BACKWARD 8 @2; LOAD_FAST 0 @3; COPY 1 @3; UNARY_NEGATIVE @3; "
            "STORE_FAST 1 @3; STORE_FAST 2 @4; RETURN_CONST 0 @4");
}

TEST(Lowering, SuperinstructionsOn313) {
  std::string text = header("3.13") + R"(bb0:
  %0 = load_fast a                              #0
  %1 = load_fast b                              #0
  %2 = py BINARY_OP 0 %0, %1                    #2
  store_fast c %2                               #8
  %3 = load_fast c                              #8
  return %3                                     #10
}
)";
  LoweringReport report;
  EXPECT_EQ(lowerText(text, &report),
            "LOAD_FAST_LOAD_FAST 1; BINARY_OP 0; STORE_FAST_LOAD_FAST 34; "
            "RETURN_VALUE");
  EXPECT_EQ(report.fused, 2u);
}

// Instructions a pass made have no offset: they are fused as CPython 3.13's
// compiler does it (Python/flowgraph.c, insert_superinstructions): two
// LOAD_FAST/STORE_FAST next to each other in one block, both arguments
// below 16, not on two different lines (an absent line does not count).
TEST(Lowering, SuperinstructionsForInstructionsWithoutOffsets) {
  std::string text = header("3.13") + R"(bb0:
  %0 = load_fast a                              @2:4-2:5
  %1 = load_fast b                              @2:8-2:9
  %2 = py BINARY_OP 0 %0, %1                    @2:4-2:9
  store_fast c %2                               @2:0-2:1
  %3 = load_fast c                              @3:7-3:8
  %4 = load_fast a                              @3:11-3:12
  %5 = py BINARY_OP 0 %3, %4                    @3:7-3:12
  return %5                                     @3:0-3:12
}
)";
  LoweringReport report;
  // STORE_FAST c and LOAD_FAST c are on lines 2 and 3.
  EXPECT_EQ(lowerText(text, &report),
            "LOAD_FAST_LOAD_FAST 1; BINARY_OP 0; STORE_FAST 2; "
            "LOAD_FAST_LOAD_FAST 32; BINARY_OP 0; RETURN_VALUE");
  EXPECT_EQ(report.fused, 2u);

  // One of a pair with an offset and one without, or no line at all:
  // CPython's rule too.
  std::string mixed = header("3.13") + R"(bb0:
  %0 = load_fast a                              #0
  %1 = load_fast b
  %2 = py BUILD_TUPLE 2 %0, %1                  @4:6-4:10 #4
  %3, %4 = py UNPACK_SEQUENCE 2 %2              @4:0-4:10 #6
  store_fast a %4                               @4:0-4:1
  store_fast b %3                               @4:3-4:4 #10
  %5 = load_fast a                              @5:0-5:1
  store_fast c %5                               @5:4-5:5
  %6 = load_fast c                              @5:4-5:5
  return %6                                     @5:4-5:5
}
)";
  EXPECT_EQ(lowerText(mixed),
            "LOAD_FAST_LOAD_FAST 1; BUILD_TUPLE 2; UNPACK_SEQUENCE 2; "
            "STORE_FAST_STORE_FAST 1; LOAD_FAST 0; STORE_FAST_LOAD_FAST 34; "
            "RETURN_VALUE");

  // Both with offsets: only a shared offset fuses, whatever the lines say,
  // so that lifted IR comes back as it was.
  std::string lifted = header("3.13") + R"(bb0:
  %0 = load_fast a                              @2:4-2:5 #0
  %1 = load_fast b                              @2:8-2:9 #2
  %2 = py BINARY_OP 0 %0, %1                    @2:4-2:9 #4
  return %2                                     @2:0-2:9 #8
}
)";
  EXPECT_EQ(lowerText(lifted),
            "LOAD_FAST 0; LOAD_FAST 1; BINARY_OP 0; RETURN_VALUE");
}

// What an inliner does: IRBuilder adds instructions without an offset next
// to lifted ones (`return a` becomes `return a + b`).
TEST(Lowering, SuperinstructionsNextToInstructionsAPassMade) {
  auto addB = [](int32_t line) {
    Expected<std::unique_ptr<Module>> m = parseModule(header("3.13") + R"(bb0:
  %0 = load_fast a                              @2:11-2:12 #0
  return %0                                     @2:4-2:12 #2
}
)");
    if (!m)
      return "parse error: " + m.error().message;
    Function &f = *(*m)->function(0);
    Instruction &load = f.entry()->front();
    Instruction &ret = *std::next(f.entry()->begin());
    IRBuilder b(f);
    b.setInsertPoint(&ret);
    b.setOrigin(SourceLocation::span(line, 15, line, 16));
    Value *other = b.loadFast(1);
    b.setOrigin(SourceLocation::span(2, 11, line, 16));
    Instruction *sum =
        b.createPy("BINARY_OP", 0, {{load.result()}, {other}}, 1);
    ret.setOperand(0, sum->result());
    if (Status s = verify(f); !s)
      return "verifier: " + s.error().message;
    return lowerAndList(f);
  };
  EXPECT_EQ(addB(2), "LOAD_FAST_LOAD_FAST 1; BINARY_OP 0; RETURN_VALUE");
  // `b` on the next line: CPython would not fuse them.
  EXPECT_EQ(addB(3), "LOAD_FAST 0; LOAD_FAST 1; BINARY_OP 0; RETURN_VALUE");
}

TEST(Lowering, NoSuperinstructionForAnArgumentOf16OrMore) {
  std::string text = R"(module python 3.13
function @0 'f' qualname 'f' file 'x.py' firstline 1 flags 0x3 args 17 posonly 0 kwonly 0 {
  locals: l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15, l16
  consts: None
bb0:
  %0 = load_fast l16                            @2:4-2:7
  %1 = load_fast l1                             @2:10-2:12
  %2 = py BINARY_OP 0 %0, %1                    @2:4-2:12
  %3 = load_fast l15                            @2:4-2:7
  %4 = load_fast l1                             @2:10-2:12
  %5 = py BINARY_OP 0 %3, %4                    @2:4-2:12
  %6 = py BINARY_OP 0 %2, %5                    @2:4-2:12
  return %6                                     @2:0-2:12
}
)";
  EXPECT_EQ(lowerText(text),
            "LOAD_FAST 16; LOAD_FAST 1; BINARY_OP 0; LOAD_FAST_LOAD_FAST 241; "
            "BINARY_OP 0; BINARY_OP 0; RETURN_VALUE");
}

// CPython 3.12+ always writes LOAD_CONST + RETURN_VALUE as RETURN_CONST; a
// const and return without offsets get the same. With both offsets, only a
// shared one does (the lift of RETURN_CONST).
TEST(Lowering, ReturnConstForInstructionsWithoutOffsets) {
  auto body = [](const char *constOffset, const char *returnOffset) {
    return header("3.12") + "bb0:\n  %0 = const 1 " + constOffset +
           "\n  return %0 " + returnOffset + "\n}\n";
  };
  EXPECT_EQ(lowerText(body("", "")), "RETURN_CONST 1");
  EXPECT_EQ(lowerText(body("#0", "")), "RETURN_CONST 1");
  EXPECT_EQ(lowerText(body("", "#2")), "RETURN_CONST 1");
  EXPECT_EQ(lowerText(body("#0", "#0")), "RETURN_CONST 1");
  EXPECT_EQ(lowerText(body("#0", "#2")), "LOAD_CONST 1; RETURN_VALUE");
  // Not right before its return, or used twice: on the stack.
  std::string apart = header("3.12") + R"(bb0:
  %0 = const 1
  %1 = load_fast a
  drop %1
  return %0
}
)";
  EXPECT_EQ(lowerText(apart),
            "LOAD_CONST 1; LOAD_FAST 0; POP_TOP; RETURN_VALUE");
  std::string twice = header("3.13") + R"(bb0:
  %0 = const 1
  store_fast c %0
  return %0
}
)";
  EXPECT_EQ(lowerText(twice),
            "LOAD_CONST 1; COPY 1; STORE_FAST 2; RETURN_VALUE");
}

TEST(Lowering, ListAppendTakesTheRealDepth) {
  std::string text = header("3.12") + R"(bb0:
  %0 = py BUILD_LIST 0                          #0
  %1 = load_fast a                              #2
  %2 = load_fast b                              #4
  py LIST_APPEND 7 peek %0, %2                  #6
  py POP_TOP %1                                 #8
  return %0                                     #10
}
)";
  EXPECT_EQ(lowerText(text), "BUILD_LIST 0; LOAD_FAST 0; LOAD_FAST 1; "
                             "LIST_APPEND 2; POP_TOP; RETURN_VALUE");
}

} // namespace

// An inlined comprehension's saved locals (load_fast_and_clear, NULL when
// the local was unbound) are restored after the loop. They may only be
// swapped into place: a COPY of a NULL crashes CPython 3.12. CPython's own
// answer, and ours, is a single SWAP 3 and no dead slot left behind.
TEST(Lowering, SavedLocalsAreSwappedNeverCopied) {
  std::string text = header("3.12") + R"(bb0:
  py RESUME 0                                   #0
  %0 = load_fast_and_clear b                    #2
  %1 = load_fast_and_clear c                    #4
  %2 = py BUILD_LIST 0                          #6
  store_fast b %0                               #10
  store_fast c %1                               #12
  %3 = load_fast a                              #14
  store_attr attr %2, %3                        #16
  %4 = const None                               #26
  return %4                                     #26
}
)";
  std::string out = lowerText(text);
  EXPECT_EQ(out.find("COPY"), std::string::npos) << out;
  EXPECT_NE(out.find("BUILD_LIST 0; SWAP 3; STORE_FAST 1; STORE_FAST 2; LOAD_FAST 0"), std::string::npos)
      << out;
}

// The safety net: whatever the scheduler does, lowering never hands out
// code that would COPY or POP_TOP a value that may be NULL.
TEST(Lowering, SafetyNetRejectsCopyOfNull) {
  const OpcodeTable *table = OpcodeTable::forVersion(PythonVersion(3, 12));
  ASSERT_TRUE(table);
  auto op = [&](const char *name) { return *table->lookup(name); };
  auto code = [&](std::initializer_list<std::pair<const char *, uint32_t>> l) {
    MachineCode m;
    for (const auto &[name, arg] : l) {
      MachineInstr in;
      in.opcode = op(name);
      in.arg = arg;
      m.instrs.push_back(in);
    }
    return m;
  };
  MachineCode copy = code({{"RESUME", 0},
                           {"PUSH_NULL", 0},
                           {"COPY", 1},
                           {"POP_TOP", 0},
                           {"POP_TOP", 0},
                           {"RETURN_CONST", 0}});
  Status s = checkNullSafety(*table, copy);
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("COPY a NULL"), std::string::npos)
      << s.error().message;

  MachineCode pop = code({{"RESUME", 0},
                          {"LOAD_FAST_AND_CLEAR", 0},
                          {"POP_TOP", 0},
                          {"RETURN_CONST", 0}});
  Status p = checkNullSafety(*table, pop);
  ASSERT_FALSE(p);
  EXPECT_NE(p.error().message.find("POP_TOP of a maybe-NULL"),
            std::string::npos);

  // Swapped to its consumer, a NULL is fine.
  MachineCode swap = code({{"RESUME", 0},
                           {"LOAD_FAST_AND_CLEAR", 0},
                           {"LOAD_CONST", 0},
                           {"SWAP", 2},
                           {"STORE_FAST", 0},
                           {"POP_TOP", 0},
                           {"RETURN_CONST", 0}});
  EXPECT_TRUE(checkNullSafety(*table, swap));
}

// A block exit beyond the search's window (ten values reversed, plus one
// dropped and one duplicated) is built step by step; simulating the
// emitted moves gives exactly the successor's parameters.
TEST(Lowering, DeepExitShuffleIsBuiltStepByStep) {
  std::string text =
      "module python 3.12\n"
      "function @0 'f' qualname 'f' file 'x.py' firstline 1 flags 0x3 "
      "args 0 posonly 0 kwonly 0 {\n"
      "  locals:\n"
      "  consts: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9\n"
      "  names:\n"
      "bb0:\n";
  for (int i = 0; i < 10; ++i)
    text += "  %" + std::to_string(i) + " = const " + std::to_string(i) +
            "  #" + std::to_string(2 * i) + "\n";
  // Successor order: 9 8 7 6 5 4 3 2 0 0 (1 is dropped, 0 twice).
  text += "  br ^bb1(%9, %8, %7, %6, %5, %4, %3, %2, %0, %0)\n"
          "bb1(%10, %11, %12, %13, %14, %15, %16, %17, %18, %19):\n"
          "  %20 = py BUILD_TUPLE 10 %10, %11, %12, %13, %14, %15, %16, "
          "%17, %18, %19  #40\n"
          "  return %20  #42\n}\n";
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  ASSERT_TRUE(m) << m.error().message;
  LoweringReport report;
  Expected<std::shared_ptr<CodeObject>> code =
      lowerFunction(*(*m)->function(0), &report);
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(report.constructed, 1u);
  Expected<std::vector<DecodedInstruction>> insts = decodeInstructions(**code);
  ASSERT_TRUE(insts);
  std::vector<int64_t> stack;
  for (const DecodedInstruction &d : *insts) {
    std::string name = d.info ? d.info->name : "?";
    if (name == "LOAD_CONST")
      stack.push_back(*d.arg);
    else if (name == "COPY")
      stack.push_back(stack[stack.size() - *d.arg]);
    else if (name == "SWAP")
      std::swap(stack.back(), stack[stack.size() - *d.arg]);
    else if (name == "POP_TOP")
      stack.pop_back();
    else if (name == "BUILD_TUPLE")
      break;
  }
  EXPECT_EQ(stack, (std::vector<int64_t>{9, 8, 7, 6, 5, 4, 3, 2, 0, 0}));
}

// 3.12+: a load_fast of a local that may be unbound on some path is written
// as LOAD_FAST_CHECK (a plain LOAD_FAST would push NULL); parameters and
// locals stored on every path before the load stay LOAD_FAST.
TEST(Lowering, LoadsOfMaybeUnboundLocalsAreChecked) {
  std::string text = header("3.12") + R"(bb0:
  %0 = load_fast a                              #0
  cond_br if_true %0, ^bb1, ^bb2                #2
bb1:
  %1 = load_fast b                              #4
  store_fast c %1                               #6
  br ^bb2
bb2:
  %2 = load_fast c                              #8
  %3 = load_fast c                              #10
  py POP_TOP %3                                 #12
  return %2                                     #14
}
)";
  // The first load of c may find it unbound (the path through bb0 only);
  // the second one runs after the first succeeded.
  EXPECT_EQ(lowerText(text), "LOAD_FAST 0; POP_JUMP_IF_FALSE 2; "
                             "LOAD_FAST 1; STORE_FAST 2; LOAD_FAST_CHECK 2; "
                             "LOAD_FAST 2; POP_TOP; RETURN_VALUE");
  // Stored on every path: no check. After delete_fast: checked again.
  std::string stored = header("3.12") + R"(bb0:
  %0 = load_fast a                              #0
  store_fast c %0                               #2
  %1 = load_fast c                              #4
  py POP_TOP %1                                 #6
  delete_fast c                                 #8
  %2 = load_fast c                              #10
  return %2                                     #12
}
)";
  EXPECT_EQ(lowerText(stored), "LOAD_FAST 0; STORE_FAST 2; LOAD_FAST 2; "
                               "POP_TOP; DELETE_FAST 2; LOAD_FAST_CHECK 2; "
                               "RETURN_VALUE");
}

//===----------------------------------------------------------------------===//
// CPython 3.14
//===----------------------------------------------------------------------===//

namespace {
bool enable314() { return PythonVersion(3, 14).hasIR(); }
} // namespace

TEST(Lowering314, NewConstantsAndNoReturnConst) {
  ASSERT_TRUE(enable314());
  // small_int and common_const are LOAD_SMALL_INT and LOAD_COMMON_CONSTANT;
  // 3.14 has no RETURN_CONST; a const a pass made that holds a small int is
  // LOAD_SMALL_INT, as CPython's compiler writes it.
  std::string text = header("3.14") + R"(bb0:
  py RESUME 0                                   #0
  %0 = small_int 7                              #2
  store_fast c %0                               #4
  %1 = common_const 0                           #6
  drop %1                                       #8
  %2 = const 1
  drop %2
  %3 = const None                               #10
  return %3                                     #12
}
)";
  EXPECT_EQ(lowerText(text),
            "RESUME 0; LOAD_SMALL_INT 7; STORE_FAST 2; LOAD_COMMON_CONSTANT 0; "
            "POP_TOP; LOAD_SMALL_INT 1; POP_TOP; LOAD_CONST 0; RETURN_VALUE");
}

TEST(Lowering314, NotTakenFollowsEveryConditionalJump) {
  ASSERT_TRUE(enable314());
  // A lifted not_taken stays where it is; a branch without one gets it, also
  // when the test is inverted and in the backward form.
  std::string lifted = header("3.14") + R"(bb0:
  %0 = load_fast a                              #0
  %1 = to_bool %0                               #2
  cond_br if_false %1, ^bb2, ^bb1               #10
bb1:
  not_taken                                     #12
  %2 = const None                               #14
  return %2                                     #16
bb2:
  %3 = load_fast b                              #18
  return %3                                     #20
}
)";
  EXPECT_EQ(lowerText(lifted),
            "LOAD_FAST_BORROW 0; TO_BOOL; POP_JUMP_IF_FALSE 3; NOT_TAKEN; "
            "LOAD_CONST 0; RETURN_VALUE; LOAD_FAST_BORROW 1; RETURN_VALUE");
  std::string made = header("3.14") + R"(bb0:
  %0 = load_fast a
  %1 = to_bool %0
  cond_br if_true %1, ^bb1, ^bb2
bb1:
  %2 = const None
  return %2
bb2:
  not_taken
  %3 = load_fast b
  return %3
}
)";
  // Inverted: the not_taken that now starts the jump target is dropped.
  EXPECT_EQ(lowerText(made),
            "LOAD_FAST_BORROW 0; TO_BOOL; POP_JUMP_IF_FALSE 3; NOT_TAKEN; "
            "LOAD_CONST 0; RETURN_VALUE; LOAD_FAST_BORROW 1; RETURN_VALUE");
  std::string loop = header("3.14") + R"(bb0:
  br ^bb1
bb1:
  %0 = load_fast a
  %1 = to_bool %0
  cond_br if_true %1, ^bb1, ^bb2
bb2:
  %2 = const None
  return %2
}
)";
  EXPECT_EQ(lowerText(loop),
            "LOAD_FAST_BORROW 0; TO_BOOL; POP_JUMP_IF_FALSE 3; NOT_TAKEN; "
            "JUMP_BACKWARD 10; LOAD_CONST 0; RETURN_VALUE");
}

TEST(Lowering314, BorrowedLoads) {
  ASSERT_TRUE(enable314());
  // Borrowed: consumed in its block before its local changes (the pair on
  // line 1). Not: stored into a local (line 3), on the stack when its local
  // is written (line 4's c), still on the stack at the end of its block
  // (line 6's b, passed to the loop). Each line apart, so that nothing is
  // fused.
  std::string text = header("3.14") + R"(bb0:
  %0 = load_fast a                              @1
  %1 = load_fast b                              @1
  %2 = py BINARY_OP 0 %0, %1                    @1
  store_fast c %2                               @2
  %3 = load_fast a                              @3
  store_fast b %3                               @3
  %4 = load_fast c                              @4
  %5 = small_int 1                              @5
  store_fast c %5                               @5
  %6 = load_fast b                              @6
  br ^bb1(%4, %6)                               @6
bb1(%7, %8):
  %9 = py BINARY_OP 0 %7, %8                    @7
  %10 = to_bool %9                              @7
  cond_br if_true %10, ^bb1(%7, %8), ^bb2       @7
bb2:
  %11 = const None                              @8
  return %11                                    @8
}
)";
  LoweringReport report;
  EXPECT_EQ(lowerText(text, &report),
            "LOAD_FAST_BORROW_LOAD_FAST_BORROW 1; BINARY_OP 0; STORE_FAST 2; "
            "LOAD_FAST 0; STORE_FAST 1; LOAD_FAST 2; LOAD_SMALL_INT 1; "
            "STORE_FAST 2; LOAD_FAST 1; "
            // the loop keeps its operands with a COPY of each
            "COPY 2; COPY 2; BINARY_OP 0; TO_BOOL; POP_JUMP_IF_FALSE 3; "
            "NOT_TAKEN; JUMP_BACKWARD 17; LOAD_CONST 0; RETURN_VALUE");
  EXPECT_EQ(report.borrowed, 1u);
}

TEST(Lowering314, AStrongLoadStaysStrong) {
  ASSERT_TRUE(enable314());
  // The rule would borrow both loads; the one marked strong (CPython wrote
  // LOAD_FAST there) stays LOAD_FAST, and a pair with a strong half is a
  // strong pair.
  std::string text = header("3.14") + R"(bb0:
  %0 = load_fast a                              @1 strong
  drop %0                                       @1
  %1 = load_fast b                              @2
  drop %1                                       @2
  %2 = load_fast a                              @3
  %3 = load_fast b                              @3 strong
  %4 = py BINARY_OP 0 %2, %3                    @3
  return %4                                     @3
}
)";
  LoweringReport report;
  EXPECT_EQ(lowerText(text, &report),
            "LOAD_FAST 0; POP_TOP; LOAD_FAST_BORROW 1; POP_TOP; "
            "LOAD_FAST_LOAD_FAST 1; BINARY_OP 0; RETURN_VALUE");
  EXPECT_EQ(report.borrowed, 1u);
}

TEST(Lowering314, ALoadAHandlerKeepsIsBorrowedOnlyIfTheHandlerLeavesItsLocal) {
  ASSERT_TRUE(enable314());
  // %0 lies in the slot the handler keeps (depth 1), consumed in its block.
  // If the call raises, the handler runs with it still on the stack: it may
  // be borrowed when the handler's code never writes `a`, not when it does
  // (the object could be freed under the borrowed reference).
  auto text = [](const char *handlerWrites) {
    return header("3.14") + R"(bb0:
  %0 = load_fast a                              @1
  br ^bb1(%0)                                   @1
bb1(%1) handler ^bb2(%1) depth 1:
  %2, %3 = load_global g                        @2
  %4 = call %2, %3                              @2
  %5 = py BINARY_OP 0 %1, %4                    @3
  return %5                                     @3
bb2(%10, %11):
  %12 = const None                              @4
  store_fast )" + std::string(handlerWrites) + R"( %12                     @4
  py RERAISE 0 %11                              @4
}
)";
  };
  EXPECT_EQ(lowerText(text("b")),
            "LOAD_FAST_BORROW 0; LOAD_GLOBAL 1; CALL 0; BINARY_OP 0; "
            "RETURN_VALUE; LOAD_CONST 0; STORE_FAST 1; RERAISE 0");
  EXPECT_EQ(lowerText(text("a")),
            "LOAD_FAST 0; LOAD_GLOBAL 1; CALL 0; BINARY_OP 0; "
            "RETURN_VALUE; LOAD_CONST 0; STORE_FAST 0; RERAISE 0");
}

TEST(Lowering314, EndAsyncForPointsAtItsLoopsEndSend) {
  ASSERT_TRUE(enable314());
  // `async for x in a: pass` as lifted (its END_ASYNC_FOR keeps the
  // original's argument, 8), then with two more instructions in the loop's
  // body: the argument follows the END_SEND back (10), as CPython's
  // compiler computes it.
  auto text = [](const char *body) {
    return std::string(R"(module python 3.14
function @0 'f' qualname 'f' file 'x.py' firstline 1 flags 0x83 args 1 posonly 0 kwonly 0 {
  locals: a, x
  consts: None
  names:
bb0:
  %0 = py RETURN_GENERATOR                      @1-1 #0
  drop %0                                       @1-1 #2
  br ^bb1
bb1 handler ^bb11 depth 0 lasti:
  py RESUME 0                                   @1:0-1:0 #4
  %1 = load_fast a                              @2:19-2:20 #6
  %2 = py GET_AITER %1                          @2:19-2:20 #8
  br ^bb2(%2)
bb2(%3) handler ^bb10(%3) depth 1:
  %4 = py GET_ANEXT peek %3                     @2:4-3:12 #10
  %5 = const None                               @2:4-3:12 #12
  br ^bb3(%3, %4, %5)
bb3(%6, %7, %8) handler ^bb10(%6) depth 1:
  %9 = py SEND 3 peek %7, %8, ^bb6(%6, %7, %9), ^bb4(%6, %7, %9) @2:4-3:12 #14
bb4(%10, %11, %12) handler ^bb8(%10, %11, %12) depth 3:
  %13 = py YIELD_VALUE 1 %12                    @2:4-3:12 #18
  br ^bb5(%10, %11, %13)
bb5(%14, %15, %16) handler ^bb10(%14) depth 1:
  py RESUME 3                                   @2:4-3:12 #20
  py JUMP_BACKWARD_NO_INTERRUPT 5 ^bb3(%14, %15, %16) @2:4-3:12 #22
bb6(%17, %18, %19) handler ^bb10(%17) depth 1:
  %20 = py END_SEND %18, %19                    @2:4-3:12 #24
  br ^bb7(%17, %20)
bb7(%21, %22) handler ^bb11 depth 0 lasti:
  not_taken                                     @2:4-3:12 #26
  store_fast x %22                              @2:14-2:15 #28
)") + body + R"(  br ^bb2(%21)                                  @3:8-3:12 #30
bb8(%23, %24, %25, %26) handler ^bb10(%23) depth 1:
  %27, %28 = py CLEANUP_THROW %24, %25, %26     @2:4-3:12 #34
  br ^bb9(%23, %27, %28)
bb9(%29, %30, %31):
  py JUMP_BACKWARD_NO_INTERRUPT 7 ^bb6(%29, %30, %31) @2:4-3:12 #36
bb10(%32, %33) handler ^bb11 depth 0 lasti:
  py END_ASYNC_FOR 8 %32, %33                   @2:19-2:20 #38
  %34 = const None                              @2:19-2:20 #40
  return %34                                    @2:19-2:20 #42
bb11(%35, %36):
  %37 = py CALL_INTRINSIC_1 3 %36               #44
  py RERAISE 1 peek %35, %37                    #46
}
)";
  };
  auto endAsyncFor = [](const std::string &listing) {
    size_t at = listing.find("END_ASYNC_FOR ");
    return at == std::string::npos
               ? std::string("none in: " + listing)
               : listing.substr(at, listing.find(';', at) - at);
  };
  EXPECT_EQ(endAsyncFor(lowerText(text(""))), "END_ASYNC_FOR 8");
  // No SEND its handler protects (no compiler writes that): it names
  // itself, so that the code still decodes.
  std::string alone = header("3.14") + R"(bb0:
  %0 = load_fast a
  br ^bb1(%0)
bb1(%1) handler ^bb2(%1) depth 1:
  %2, %3 = load_global g
  %4 = call %2, %3
  drop %4
  drop %1
  %5 = const None
  return %5
bb2(%6, %7):
  py END_ASYNC_FOR 8 %6, %7
  %8 = const None
  return %8
}
)";
  EXPECT_EQ(endAsyncFor(lowerText(alone)), "END_ASYNC_FOR 1");
  EXPECT_EQ(endAsyncFor(lowerText(text("  %40 = const None @3:8-3:12\n"
                                       "  drop %40 @3:8-3:12\n"))),
            "END_ASYNC_FOR 10");
}
