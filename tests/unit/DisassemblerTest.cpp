//===- tests/unit/DisassemblerTest.cpp - Decoding and dis edge cases ------===//
//
// What real code looks like is covered by tests/python/test_dis_compare.py,
// which compares `bcc dis` with `python3.X -m dis` on the standard library.
// These tests cover what the compiler never produces: EXTENDED_ARG chains,
// unknown opcodes, indexes and jumps out of range, malformed tables. Code is
// assembled by opcode name through ir/Opcodes.h; the expected lines follow
// the column layout of each version's Lib/dis.py.
//
//===----------------------------------------------------------------------===//

#include "frontend/Disassembler.h"
#include "frontend/BytecodeDecoder.h"
#include "ir/Opcodes.h"

#include <gtest/gtest.h>

using namespace bcc;

namespace {

/// Assembles (name, arg) pairs for `version`, adding zeroed CACHE units.
class Assembler {
public:
  explicit Assembler(PythonVersion v) : table(*OpcodeTable::forVersion(v)) {}

  Assembler &op(const char *name, unsigned arg = 0) {
    auto number = table.lookup(name);
    EXPECT_TRUE(number) << name;
    code += char(*number);
    code += char(arg & 0xff);
    for (unsigned i = 0; i < table.info(*number)->cacheEntries; ++i)
      code += std::string(2, '\0');
    return *this;
  }
  Assembler &raw(unsigned opcode, unsigned arg) {
    code += char(opcode);
    code += char(arg);
    return *this;
  }

  const OpcodeTable &table;
  std::string code;
};

std::shared_ptr<CodeObject> makeCode(PythonVersion v, std::string code) {
  auto co = std::make_shared<CodeObject>();
  co->version = v;
  co->name.utf8 = "f";
  co->qualName.utf8 = "f";
  co->fileName.utf8 = "x.py";
  co->firstLineNo = 1;
  co->code = std::move(code);
  // One line for everything.
  if (v.atLeast(3, 11)) {
    size_t units = co->code.size() / 2;
    // "No column" entries of up to 8 units, line delta 0.
    while (units) {
      size_t n = std::min<size_t>(units, 8);
      co->lineTable += char(0x80 | (13 << 3) | (n - 1));
      co->lineTable += char(0);
      units -= n;
    }
  } else if (v.atLeast(3, 10)) {
    for (size_t bytes = co->code.size(); bytes;) {
      size_t n = std::min<size_t>(bytes, 254);
      co->lineTable += char(n);
      co->lineTable += char(0); // line delta 0: firstLineNo
      bytes -= n;
    }
  }
  return co;
}

TEST(Disassembler, FoldsExtendedArgPerVersion) {
  // 3.8: EXTENDED_ARG 1; JUMP_ABSOLUTE 4 -> argument 260, a byte offset.
  Assembler a38({3, 8});
  a38.op("EXTENDED_ARG", 1).op("JUMP_ABSOLUTE", 4);
  auto co = makeCode({3, 8}, a38.code);
  auto ins = decodeInstructions(*co);
  ASSERT_TRUE(ins);
  ASSERT_EQ(ins->size(), 2u);
  EXPECT_EQ((*ins)[0].arg, 1);
  EXPECT_EQ((*ins)[1].arg, 260);
  EXPECT_EQ((*ins)[1].offset, 2u);
  EXPECT_EQ((*ins)[1].startOffset, 0u);
  EXPECT_EQ((*ins)[1].jumpTarget, 260);

  // 3.8/3.9 keep a pending EXTENDED_ARG across an argument-less opcode;
  // 3.10 drops it.
  for (PythonVersion v : {PythonVersion{3, 9}, PythonVersion{3, 10}}) {
    Assembler a(v);
    a.op("EXTENDED_ARG", 1).op("NOP").op("LOAD_CONST", 0);
    auto decoded = decodeInstructions(*makeCode(v, a.code));
    ASSERT_TRUE(decoded);
    EXPECT_EQ((*decoded)[2].arg, v.minor == 9 ? 256 : 0) << v.str();
  }

  // 3.11+: four prefixes wrap to a negative C int, as dis shows them.
  Assembler a311({3, 11});
  a311.op("EXTENDED_ARG", 0xff)
      .op("EXTENDED_ARG", 0xff)
      .op("EXTENDED_ARG", 0xff)
      .op("LOAD_FAST", 0xff);
  auto wrapped = decodeInstructions(*makeCode({3, 11}, a311.code));
  ASSERT_TRUE(wrapped);
  EXPECT_EQ((*wrapped)[3].arg, -1);
  EXPECT_EQ((*wrapped)[3].startOffset, 0u);
}

TEST(Disassembler, SkipsCachesAndComputesRelativeTargets) {
  // 3.12: LOAD_GLOBAL has 4 caches; JUMP_BACKWARD counts from after its own
  // (none in 3.12), POP_JUMP_IF_FALSE forward.
  Assembler a({3, 12});
  a.op("RESUME", 0)               // 0
      .op("LOAD_GLOBAL", 0)       // 2, caches 4..10
      .op("POP_JUMP_IF_FALSE", 1) // 12 -> 16
      .op("JUMP_BACKWARD", 6)     // 14 -> 4
      .op("RETURN_CONST", 0);     // 16
  auto co = makeCode({3, 12}, a.code);
  auto ins = decodeInstructions(*co);
  ASSERT_TRUE(ins);
  ASSERT_EQ(ins->size(), 5u);
  EXPECT_EQ((*ins)[1].cacheEntries, 4u);
  EXPECT_EQ((*ins)[2].offset, 12u);
  EXPECT_EQ((*ins)[2].jumpTarget, 16);
  EXPECT_EQ((*ins)[3].jumpTarget, 4);
}

// The disassembler keeps a byte that is no opcode (dis prints `<N>`); the
// lifter asks decodeBytecode() to stop there.
TEST(BytecodeDecoder, UnknownOpcodesAreKeptOrRefused) {
  const OpcodeTable &table = *OpcodeTable::forVersion({3, 12});
  unsigned hole = 0;
  while (hole < 256 &&
         (table.info(uint8_t(hole)) || table.deoptimize(uint8_t(hole))))
    ++hole;
  ASSERT_LT(hole, 256u);
  Assembler a({3, 12});
  a.op("RESUME", 0).raw(hole, 0).op("RETURN_CONST", 0);
  auto co = makeCode({3, 12}, a.code);
  std::vector<uint32_t> offsets;
  auto record = [&offsets](const DecodedInstruction &ins) {
    offsets.push_back(ins.offset);
  };

  EXPECT_TRUE(decodeBytecode(*co, UnknownOpcodes::Keep, record));
  EXPECT_EQ(offsets, (std::vector<uint32_t>{0, 2, 4}));
  auto kept = decodeInstructions(*co);
  ASSERT_TRUE(kept);
  ASSERT_EQ(kept->size(), 3u);
  EXPECT_EQ((*kept)[1].info, nullptr);

  offsets.clear();
  Status refused = decodeBytecode(*co, UnknownOpcodes::AreErrors, record);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message,
            "code object 'f', offset 2: unknown opcode " +
                std::to_string(hole));
  EXPECT_EQ(offsets, (std::vector<uint32_t>{0}));
}

TEST(BytecodeDecoder, ErrorsNameTheCodeObject) {
  auto odd = makeCode({3, 10}, std::string("\x09\x00\x09", 3));
  odd->qualName.utf8.clear(); // 3.10 has no co_qualname
  auto r1 = decodeInstructions(*odd);
  ASSERT_FALSE(r1);
  EXPECT_EQ(r1.error().message, "code object 'f': co_code has odd length 3");

  auto unsupported = makeCode({3, 12}, std::string(2, '\0'));
  unsupported->version = {3, 7};
  auto r2 = decodeInstructions(*unsupported);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().message,
            "code object 'f': unsupported Python version 3.7");
}

// As in dis: a last EXTENDED_ARG is an instruction of its own, and an
// instruction whose caches the code cuts short is still decoded.
TEST(BytecodeDecoder, DanglingPrefixAndCutCachesDecode) {
  const OpcodeTable &table = *OpcodeTable::forVersion({3, 12});
  Assembler a({3, 12});
  a.op("RESUME", 0).op("RETURN_CONST", 0).op("EXTENDED_ARG", 1);
  auto dangling = decodeInstructions(*makeCode({3, 12}, a.code));
  ASSERT_TRUE(dangling);
  ASSERT_EQ(dangling->size(), 3u);
  EXPECT_TRUE((*dangling)[2].isExtendedArg(table));
  EXPECT_EQ((*dangling)[2].arg, 1);

  Assembler b({3, 12});
  b.op("RESUME", 0).op("RETURN_CONST", 0).raw(*table.lookup("LOAD_GLOBAL"), 0);
  auto cut = decodeInstructions(*makeCode({3, 12}, b.code));
  ASSERT_TRUE(cut);
  ASSERT_EQ(cut->size(), 3u);
  EXPECT_EQ((*cut)[2].offset, 4u);
  EXPECT_EQ((*cut)[2].cacheEntries, 4u);
}

TEST(Disassembler, BadInputGivesBestEffortLines) {
  // An unknown opcode, a constant and a name index out of range, a jump far
  // past the end: printed, never a crash.
  Assembler a({3, 10});
  a.op("LOAD_CONST", 5).op("LOAD_NAME", 3).op("JUMP_FORWARD", 200);
  a.raw(0, 0); // opcode 0 does not exist in 3.10
  auto co = makeCode({3, 10}, a.code);
  auto text = disassemble(*co);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text, "  1           0 LOAD_CONST               5 (<bad const "
                   "index 5>)\n"
                   "              2 LOAD_NAME                3 (<bad name "
                   "index 3>)\n"
                   "              4 JUMP_FORWARD           200 (to 406)\n"
                   "              6 <0>\n");

  // 3.13: the same jump gets a label that no instruction carries.
  Assembler b({3, 13});
  b.op("RESUME", 0).op("JUMP_FORWARD", 100).op("LOAD_FAST", 9);
  auto co13 = makeCode({3, 13}, b.code);
  auto text13 = disassemble(*co13);
  ASSERT_TRUE(text13) << text13.error().message;
  EXPECT_EQ(*text13, "  1           RESUME                   0\n"
                     "              JUMP_FORWARD           100 (to L1)\n"
                     "              LOAD_FAST                9 (<bad local "
                     "index 9>)\n");
}

TEST(Disassembler, ArgumentReprsOf314) {
  // The reprs 3.14's dis adds, as `dis` prints this code (checked with
  // code.replace(co_code=...) under scripts/python3.14): constants and
  // special methods by name, `is`/`in` spelled out, the subscript
  // BINARY_OP, the borrowed pair, the "annotate" flag, LOAD_SMALL_INT
  // without a repr, and END_ASYNC_FOR's "from", a target it never jumps to.
  Assembler a({3, 14});
  a.op("RESUME", 0)                               // 0
      .op("NOP")                                  // 2, L1
      .op("LOAD_COMMON_CONSTANT", 0)              // 4
      .op("LOAD_COMMON_CONSTANT", 4)              // 6
      .op("LOAD_SPECIAL", 1)                      // 8
      .op("IS_OP", 0)                             // 10
      .op("IS_OP", 1)                             // 12
      .op("CONTAINS_OP", 0)                       // 14, 1 cache
      .op("CONTAINS_OP", 1)                       // 18, 1 cache
      .op("LOAD_SMALL_INT", 7)                    // 22
      .op("BINARY_OP", 26)                        // 24, 5 caches
      .op("LOAD_FAST_BORROW_LOAD_FAST_BORROW", 1) // 36
      .op("SET_FUNCTION_ATTRIBUTE", 16 | 1)       // 38
      .op("END_ASYNC_FOR", 20);                   // 40: 42 - 40 = L1
  auto co = makeCode({3, 14}, a.code);
  co->localsPlus = {{PyString{"a"}, 0x20}, {PyString{"b"}, 0x20}};
  auto text = disassemble(*co);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text,
            "  1           RESUME                   0\n"
            "      L1:     NOP\n"
            "              LOAD_COMMON_CONSTANT     0 (AssertionError)\n"
            "              LOAD_COMMON_CONSTANT     4 (<built-in function "
            "any>)\n"
            "              LOAD_SPECIAL             1 (__exit__)\n"
            "              IS_OP                    0 (is)\n"
            "              IS_OP                    1 (is not)\n"
            "              CONTAINS_OP              0 (in)\n"
            "              CONTAINS_OP              1 (not in)\n"
            "              LOAD_SMALL_INT           7\n"
            "              BINARY_OP               26 ([])\n"
            "              LOAD_FAST_BORROW_LOAD_FAST_BORROW 1 (a, b)\n"
            "              SET_FUNCTION_ATTRIBUTE  17 (defaults, annotate)\n"
            "              END_ASYNC_FOR           20 (from L1)\n");

  // 3.13 prints no repr for IS_OP and CONTAINS_OP.
  Assembler b({3, 13});
  b.op("RESUME", 0).op("IS_OP", 1).op("CONTAINS_OP", 0);
  auto text13 = disassemble(*makeCode({3, 13}, b.code));
  ASSERT_TRUE(text13) << text13.error().message;
  EXPECT_EQ(*text13, "  1           RESUME                   0\n"
                     "              IS_OP                    1\n"
                     "              CONTAINS_OP              0\n");
}

TEST(Disassembler, ArgumentReprsOf315) {
  // 3.15: IMPORT_NAME's name is arg >> 2, bit 0 a lazy import, bit 1 an
  // eager one; LOAD_COMMON_CONSTANT has literal values too.
  Assembler a({3, 15});
  a.op("RESUME", 0)
      .op("IMPORT_NAME", 1 << 2)
      .op("IMPORT_NAME", 1 << 2 | 1)
      .op("IMPORT_NAME", 1 << 2 | 2)
      .op("IMPORT_NAME", 2 << 2 | 2) // `from . import x`: the name ''
      .op("LOAD_COMMON_CONSTANT", 7)
      .op("LOAD_COMMON_CONSTANT", 8)
      .op("LOAD_COMMON_CONSTANT", 11)
      .op("LOAD_COMMON_CONSTANT", 12);
  auto co = makeCode({3, 15}, a.code);
  co->names = {PyString{"os"}, PyString{"sys"}, PyString{""}};
  auto text = disassemble(*co);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(*text,
            "  1           RESUME                   0\n"
            "              IMPORT_NAME              4 (sys)\n"
            "              IMPORT_NAME              5 (sys + lazy)\n"
            "              IMPORT_NAME              6 (sys + eager)\n"
            "              IMPORT_NAME             10\n"
            "              LOAD_COMMON_CONSTANT     7 (None)\n"
            "              LOAD_COMMON_CONSTANT     8 ('')\n"
            "              LOAD_COMMON_CONSTANT    11 (-1)\n"
            "              LOAD_COMMON_CONSTANT    12 (<bad common constant "
            "index 12>)\n");
}

TEST(Disassembler, MalformedCodeAndTablesAreErrors) {
  auto odd = makeCode({3, 12}, std::string("\x01", 1));
  auto r1 = disassemble(*odd);
  ASSERT_FALSE(r1);
  EXPECT_NE(r1.error().message.find("odd length"), std::string::npos);

  Assembler a({3, 12});
  a.op("RESUME", 0).op("NOP");
  auto badExceptions = makeCode({3, 12}, a.code);
  badExceptions->exceptionTable = std::string("\x82\x02", 2); // truncated
  auto r2 = disassemble(*badExceptions);
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().message.find("exception table"), std::string::npos);

  auto badLines = makeCode({3, 12}, a.code);
  badLines->lineTable = std::string("\x70", 1); // no entry marker
  auto r3 = disassemble(*badLines);
  ASSERT_FALSE(r3);
  EXPECT_NE(r3.error().message.find("line table"), std::string::npos);

  auto unsupported = makeCode({3, 12}, a.code);
  unsupported->version = {3, 7};
  EXPECT_FALSE(disassemble(*unsupported));
}

TEST(Disassembler, NestedCodeObjectsGetDistinctAddresses) {
  Assembler inner({3, 12});
  inner.op("RESUME", 0).op("RETURN_CONST", 0);
  auto g = makeCode({3, 12}, inner.code);
  g->name.utf8 = "g";
  g->consts = {Constant::none()};
  auto h = makeCode({3, 12}, inner.code);
  h->name.utf8 = "h";
  h->consts = {Constant::none()};

  Assembler outer({3, 12});
  outer.op("RESUME", 0)
      .op("LOAD_CONST", 0)
      .op("LOAD_CONST", 1)
      .op("RETURN_CONST", 2);
  auto module = makeCode({3, 12}, outer.code);
  module->consts = {Constant::code(g), Constant::code(h), Constant::none()};
  auto text = disassemble(*module);
  ASSERT_TRUE(text) << text.error().message;
  const std::string gRepr =
      "<code object g at 0xbcc000000100, file \"x.py\", line 1>";
  const std::string hRepr =
      "<code object h at 0xbcc000000200, file \"x.py\", line 1>";
  EXPECT_NE(text->find("LOAD_CONST               0 (" + gRepr + ")"),
            std::string::npos)
      << *text;
  EXPECT_NE(text->find("\nDisassembly of " + gRepr + ":\n"), std::string::npos);
  EXPECT_NE(text->find("\nDisassembly of " + hRepr + ":\n"), std::string::npos);

  DisOptions flat;
  flat.recursive = false;
  auto flatText = disassemble(*module, flat);
  ASSERT_TRUE(flatText);
  EXPECT_EQ(flatText->find("Disassembly of"), std::string::npos);
}

} // namespace
