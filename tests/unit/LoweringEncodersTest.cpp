//===- tests/unit/LoweringEncodersTest.cpp - The backend's byte encoders --===//
//
// LocationTableEncoder, buildExceptionTable, assemble and computeStackDepth
// on small hand-made MachineCode whose bytes follow from the formats
// (bytecode reference sections 2, 3.2, 4.3), plus one real location table
// (3.12, produced by python3.12 on a function with a try/except and a
// comprehension spanning two lines) decoded and written back. The whole
// stdlib check is tests/tools/lower_check.cpp.
//
//===----------------------------------------------------------------------===//

#include "backend/Assembler.h"
#include "backend/ExceptionTableBuilder.h"
#include "backend/LocationTableEncoder.h"
#include "backend/StackDepth.h"
#include "frontend/LineTable.h"

#include <gtest/gtest.h>

using namespace bcc;

namespace {

std::string hex(const std::string &bytes) {
  static const char *digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string unhex(const std::string &text) {
  std::string out;
  for (size_t i = 0; i + 1 < text.size(); i += 2)
    out += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
  return out;
}

const OpcodeTable &tableFor(uint8_t minor) {
  return *OpcodeTable::forVersion(PythonVersion(3, minor));
}

MachineInstr instr(const OpcodeTable &t, const char *name, uint32_t arg = 0,
                   int32_t target = MachineInstr::kNone) {
  MachineInstr in;
  std::optional<uint8_t> op = t.lookup(name);
  EXPECT_TRUE(op.has_value()) << name;
  in.opcode = op.value_or(0);
  in.arg = arg;
  in.target = target;
  return in;
}

TEST(LocationTableEncoder, EachForm) {
  LocationTableEncoder e(PythonVersion(3, 12), 1);
  e.addInstruction(SourceLocation::span(1, 4, 1, 10), 2); // short, code 0
  e.addInstruction(SourceLocation::span(2, 0, 2, 5), 1);  // one-line, +1
  SourceLocation noColumn = SourceLocation::lineOnly(3);
  noColumn.endLine = 3;
  e.addInstruction(noColumn, 1);                           // no column
  e.addInstruction(SourceLocation::none(), 1);             // none
  e.addInstruction(SourceLocation::span(10, 2, 12, 3), 1); // long
  EXPECT_EQ(hex(e.finish()), "8146"
                             "d80005"
                             "e802"
                             "f8"
                             "f00e020304");
}

TEST(LocationTableEncoder, RunsSplitAtEightUnits) {
  LocationTableEncoder e(PythonVersion(3, 12), 10);
  e.addInstruction(SourceLocation::span(10, 0, 10, 1), 4);
  e.addInstruction(SourceLocation::span(10, 0, 10, 1), 6); // merged: 10
  EXPECT_EQ(hex(e.finish()), "8701"
                             "8101");
}

TEST(LocationTableEncoder, ThreeElevenDoesNotMerge) {
  LocationTableEncoder e(PythonVersion(3, 11), 10);
  e.addInstruction(SourceLocation::span(10, 0, 10, 1), 1);
  e.addInstruction(SourceLocation::span(10, 0, 10, 1), 1);
  EXPECT_EQ(hex(e.finish()), "8001"
                             "8001");
}

TEST(LocationTableEncoder, RealTableRoundTrips) {
  // Merging makes 3.12's table independent of instruction boundaries, so
  // one-unit instructions reproduce it.
  const std::string table =
      "8000f002040514e4181d98619b08f603010d22d81314f003000e0fd80d0ef303010e0f"
      "f000010d228801f000010d22f008000c0d8048f9f209010d22f8e40b15f200010514dc"
      "0f13fbf003010514fa";
  const size_t codeBytes = 116;
  Expected<LineTable> decoded =
      LineTable::decode(PythonVersion(3, 12), unhex(table), 2, codeBytes);
  ASSERT_TRUE(decoded);
  LocationTableEncoder e(PythonVersion(3, 12), 2);
  for (size_t unit = 0; unit < codeBytes / 2; ++unit) {
    SourcePosition p = decoded->position(unit);
    e.addInstruction(SourceLocation::fromOptionals(p.line, p.endLine,
                                                   p.column, p.endColumn),
                     1);
  }
  EXPECT_EQ(hex(e.finish()), table);
}

TEST(ExceptionTableBuilder, DocumentedExample) {
  std::string out;
  ExceptionRange r;
  r.startUnit = 20;
  r.endUnit = 28;
  r.targetUnit = 100;
  r.depth = 3;
  // InternalDocs/exception_handling.md's example.
  writeExceptionRange(out, r);
  EXPECT_EQ(hex(out), "9408412406");
}

TEST(ExceptionTableBuilder, RunsOfTheSameHandler) {
  const OpcodeTable &t = tableFor(12);
  MachineCode m;
  for (int i = 0; i < 6; ++i)
    m.instrs.push_back(instr(t, "NOP"));
  m.handlers.push_back({5, 0, false});
  m.handlers.push_back({5, 0, false}); // equal to the first: same run
  m.handlers.push_back({4, 1, true});
  m.instrs[1].handler = 0;
  m.instrs[2].handler = 1;
  m.instrs[3].handler = 2;
  std::vector<uint32_t> offsets = {0, 1, 2, 3, 4, 5, 6};
  std::string out = buildExceptionTable(m, offsets);
  // (1, 3, 5, 0, no lasti) and (3, 4, 4, 1, lasti).
  EXPECT_EQ(hex(out), "8102050083010403");
}

TEST(Assembler, PrefixesAndCaches) {
  const OpcodeTable &t = tableFor(12);
  MachineCode m;
  m.instrs.push_back(instr(t, "LOAD_CONST", 0x1234));
  m.instrs.push_back(instr(t, "LOAD_GLOBAL", 1)); // 4 caches on 3.12
  m.instrs.push_back(instr(t, "RETURN_VALUE"));
  Expected<AssembledCode> a = assemble(t, m);
  ASSERT_TRUE(a);
  std::string expected;
  expected += static_cast<char>(t.extendedArg());
  expected += '\x12';
  expected += static_cast<char>(*t.lookup("LOAD_CONST"));
  expected += '\x34';
  expected += static_cast<char>(*t.lookup("LOAD_GLOBAL"));
  expected += '\x01';
  expected += std::string(8, '\0');
  expected += static_cast<char>(*t.lookup("RETURN_VALUE"));
  expected += '\0';
  EXPECT_EQ(hex(a->code), hex(expected));
  EXPECT_EQ(a->unitOffsets, (std::vector<uint32_t>{0, 2, 7, 8}));
}

TEST(Assembler, JumpsReachAFixedPoint) {
  // A forward jump over 298 NOPs and a backward jump to the start; both
  // need a prefix, which moves the backward jump's own position.
  const OpcodeTable &t = tableFor(12);
  MachineCode m;
  m.instrs.push_back(instr(t, "NOP"));
  m.instrs.push_back(instr(t, "JUMP_FORWARD", 0, 300));
  for (int i = 0; i < 298; ++i)
    m.instrs.push_back(instr(t, "NOP"));
  m.instrs.push_back(instr(t, "JUMP_BACKWARD", 0, 0)); // index 300
  m.instrs.push_back(instr(t, "RETURN_CONST", 0));
  Expected<AssembledCode> a = assemble(t, m);
  ASSERT_TRUE(a);
  // JUMP_FORWARD: real unit 2 (after its prefix), so from 3 to 301.
  EXPECT_EQ(m.instrs[1].arg, 298u);
  EXPECT_EQ(a->unitOffsets[300], 301u);
  // JUMP_BACKWARD (no cache on 3.12): real unit 302, from 303 back to 0.
  EXPECT_EQ(m.instrs[300].arg, 303u);
  EXPECT_GE(a->rounds, 2u);
  EXPECT_EQ(static_cast<uint8_t>(a->code[2]), t.extendedArg());
  EXPECT_EQ(static_cast<uint8_t>(a->code[3]), 1);
}

TEST(Assembler, WrongDirectionIsAnError) {
  const OpcodeTable &t = tableFor(12);
  MachineCode m;
  m.instrs.push_back(instr(t, "NOP"));
  m.instrs.push_back(instr(t, "JUMP_FORWARD", 0, 0));
  EXPECT_FALSE(assemble(t, m));
}

TEST(StackDepth, BranchesAndHandlers) {
  const OpcodeTable &t = tableFor(12);
  MachineCode m;
  m.instrs.push_back(instr(t, "LOAD_CONST", 0));            // 1
  m.instrs.push_back(instr(t, "POP_JUMP_IF_FALSE", 0, 4)); // 0
  m.instrs.push_back(instr(t, "LOAD_CONST", 0));            // 1
  m.instrs.push_back(instr(t, "RETURN_VALUE"));             // 0
  m.instrs.push_back(instr(t, "RETURN_CONST", 0));          // index 4
  m.instrs.push_back(instr(t, "PUSH_EXC_INFO"));            // handler
  m.instrs.push_back(instr(t, "POP_EXCEPT"));
  m.instrs.push_back(instr(t, "RERAISE", 0));
  Expected<int32_t> plain = computeStackDepth(t, m);
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, 1);
  m.handlers.push_back({5, 1, true}); // entered at 1 + 1 + 1, then +1
  m.instrs[2].handler = 0;
  Expected<int32_t> withHandler = computeStackDepth(t, m);
  ASSERT_TRUE(withHandler);
  EXPECT_EQ(*withHandler, 4);
}

TEST(StackDepth, InconsistentDepthsAreAnError) {
  // A loop that leaves one more value on the stack each time round: the
  // paths into its head disagree (CPython refuses such code), and the
  // walk must say so instead of going round for ever.
  const OpcodeTable &t = tableFor(12);
  MachineCode m;
  m.instrs.push_back(instr(t, "NOP"));
  m.instrs.push_back(instr(t, "LOAD_CONST", 0));
  m.instrs.push_back(instr(t, "JUMP_BACKWARD", 0, 1));
  Expected<int32_t> d = computeStackDepth(t, m);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().message,
            "inconsistent stack depth at instruction 1: 0 and 1");
}

TEST(StackDepth, VersionRules) {
  // RETURN_GENERATOR counts +1 on 3.11 and 3.12; 3.13 reports at least 1.
  const OpcodeTable &t12 = tableFor(12);
  MachineCode gen;
  gen.instrs.push_back(instr(t12, "RETURN_GENERATOR"));
  gen.instrs.push_back(instr(t12, "POP_TOP"));
  gen.instrs.push_back(instr(t12, "RETURN_CONST", 0));
  Expected<int32_t> d = computeStackDepth(t12, gen);
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, 1);
  const OpcodeTable &t13 = tableFor(13);
  MachineCode empty;
  empty.instrs.push_back(instr(t13, "RETURN_CONST", 0));
  Expected<int32_t> d13 = computeStackDepth(t13, empty);
  ASSERT_TRUE(d13);
  EXPECT_EQ(*d13, 1);
}

} // namespace
