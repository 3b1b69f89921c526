// Unit tests for ir/Opcodes.h: the generated per-version tables, checked
// against facts from the reference (docs §2) that a wrong generator or a
// wrong reading of its output would break.
// tests/python/test_opcode_tables.py checks the same tables against the
// live interpreters.

#include "ir/Opcodes.h"

#include <bitset>
#include <map>
#include <string>

#include <gtest/gtest.h>

using namespace bcc;

namespace {

const OpcodeTable &tableFor(uint8_t minor) {
  const OpcodeTable *table = OpcodeTable::forVersion(PythonVersion(3, minor));
  if (!table) {
    ADD_FAILURE() << "no table for 3." << int(minor);
    std::abort();
  }
  return *table;
}

/// The number of `name` in 3.`minor`; fails the test if it does not exist.
uint8_t opNumber(uint8_t minor, const char *name) {
  std::optional<uint8_t> number = tableFor(minor).lookup(name);
  EXPECT_TRUE(number.has_value()) << name << " missing in 3." << int(minor);
  return number.value_or(0);
}

const OpcodeInfo &opInfo(uint8_t minor, const char *name) {
  return *tableFor(minor).info(opNumber(minor, name));
}

std::optional<int> effect(uint8_t minor, const char *name, uint32_t arg,
                          bool jump = false) {
  return tableFor(minor).stackEffect(opNumber(minor, name), arg, jump);
}

int popcount(uint32_t bits) { return int(std::bitset<32>(bits).count()); }

} // namespace

TEST(Opcodes, EverySupportedVersionHasATable) {
  for (PythonVersion v : kSupportedVersions) {
    const OpcodeTable *table = OpcodeTable::forVersion(v);
    ASSERT_NE(table, nullptr) << v.str();
    EXPECT_EQ(table->version(), v);
    EXPECT_EQ(table->magicNumber(), v.magicNumber()) << v.str();
  }
  EXPECT_EQ(OpcodeTable::forVersion(PythonVersion(3, 7)), nullptr);
  EXPECT_EQ(OpcodeTable::forVersion(PythonVersion(3, 16)), nullptr);
}

TEST(Opcodes, NamesAndNumbersRoundTrip) {
  for (PythonVersion v : kSupportedVersions) {
    const OpcodeTable &table = *OpcodeTable::forVersion(v);
    EXPECT_GT(table.opcodes().size(), 100u) << v.str();
    int previous = -1;
    for (const OpcodeInfo &info : table.opcodes()) {
      EXPECT_GT(int(info.number), previous) << "sorted by number";
      previous = info.number;
      EXPECT_EQ(table.info(info.number), &info);
      EXPECT_EQ(table.lookup(info.name), info.number) << info.name;
    }
    EXPECT_FALSE(table.lookup("NOT_AN_OPCODE").has_value());
    EXPECT_FALSE(table.lookup("").has_value());
  }
  // 3.13 renumbered almost everything.
  EXPECT_EQ(opNumber(12, "LOAD_CONST"), 100);
  EXPECT_EQ(opNumber(13, "LOAD_CONST"), 83);
  // ... and 3.14 and 3.15 again (opcodes came and went).
  EXPECT_EQ(opNumber(14, "LOAD_CONST"), 82);
  EXPECT_EQ(opNumber(15, "LOAD_CONST"), 81);
  EXPECT_EQ(tableFor(12).info(148), nullptr) << "a hole, though in hasfree";
}

TEST(Opcodes, VersionConstants) {
  for (uint8_t minor = 8; minor <= 12; ++minor) {
    EXPECT_EQ(tableFor(minor).haveArgument(), 90);
    EXPECT_EQ(tableFor(minor).extendedArg(), 144);
  }
  EXPECT_EQ(tableFor(13).haveArgument(), 44);
  EXPECT_EQ(tableFor(13).extendedArg(), 71);
  EXPECT_EQ(opNumber(13, "EXTENDED_ARG"), 71);
  EXPECT_EQ(tableFor(14).haveArgument(), 43);
  EXPECT_EQ(tableFor(14).extendedArg(), 69);
  EXPECT_EQ(tableFor(15).haveArgument(), 41);
  EXPECT_EQ(tableFor(15).extendedArg(), 67);
  EXPECT_EQ(tableFor(14).magicNumber(), 3627);
  EXPECT_EQ(tableFor(15).magicNumber(), 3666);
  EXPECT_FALSE(tableFor(10).cacheOpcode().has_value());
  for (uint8_t minor = 11; minor <= 15; ++minor)
    EXPECT_EQ(tableFor(minor).cacheOpcode(), std::optional<uint8_t>(0));
  EXPECT_EQ(tableFor(8).jumpUnit(), 1u);
  EXPECT_EQ(tableFor(9).jumpUnit(), 1u);
  for (uint8_t minor = 10; minor <= 15; ++minor)
    EXPECT_EQ(tableFor(minor).jumpUnit(), 2u);
}

TEST(Opcodes, HasArgument) {
  // Up to 3.12, `op >= HAVE_ARGUMENT` decides.
  for (uint8_t minor = 8; minor <= 12; ++minor)
    for (const OpcodeInfo &info : tableFor(minor).opcodes())
      EXPECT_EQ(info.hasArg, info.number >= 90) << info.name;
  // 3.13: WITH_EXCEPT_START is HAVE_ARGUMENT itself but takes no argument.
  const OpcodeInfo &withExceptStart = opInfo(13, "WITH_EXCEPT_START");
  EXPECT_EQ(withExceptStart.number, tableFor(13).haveArgument());
  EXPECT_FALSE(withExceptStart.hasArg);
  EXPECT_TRUE(opInfo(13, "BINARY_OP").hasArg);
  EXPECT_FALSE(opInfo(13, "MAKE_FUNCTION").hasArg);
  EXPECT_TRUE(opInfo(13, "RESUME").hasArg);
  // 3.14: CALL_FUNCTION_EX lost its argument, END_ASYNC_FOR gained one;
  // 3.15: GET_ITER takes one.
  EXPECT_TRUE(opInfo(13, "CALL_FUNCTION_EX").hasArg);
  EXPECT_FALSE(opInfo(14, "CALL_FUNCTION_EX").hasArg);
  EXPECT_FALSE(opInfo(13, "END_ASYNC_FOR").hasArg);
  EXPECT_TRUE(opInfo(14, "END_ASYNC_FOR").hasArg);
  EXPECT_FALSE(opInfo(14, "GET_ITER").hasArg);
  EXPECT_TRUE(opInfo(15, "GET_ITER").hasArg);
}

TEST(Opcodes, OperandKinds) {
  for (uint8_t minor = 8; minor <= 15; ++minor) {
    EXPECT_TRUE(opInfo(minor, "LOAD_CONST").hasConst);
    EXPECT_TRUE(opInfo(minor, "LOAD_NAME").hasName);
    EXPECT_TRUE(opInfo(minor, "LOAD_GLOBAL").hasName);
    EXPECT_TRUE(opInfo(minor, "LOAD_FAST").hasLocal);
    // 3.14's dis lists LOAD_DEREF in haslocal (its argument indexes the
    // same localsplus array either way).
    EXPECT_EQ(opInfo(minor, "LOAD_DEREF").hasFree, minor <= 13);
    EXPECT_EQ(opInfo(minor, "LOAD_DEREF").hasLocal, minor >= 14);
    EXPECT_TRUE(opInfo(minor, "STORE_DEREF").hasFree);
    EXPECT_TRUE(opInfo(minor, "COMPARE_OP").hasCompare);
    EXPECT_FALSE(opInfo(minor, "LOAD_CONST").hasName);
    for (const OpcodeInfo &info : tableFor(minor).opcodes())
      EXPECT_FALSE(info.hasExc) << "only pseudo-ops have hasexc: " << info.name;
  }
  EXPECT_TRUE(opInfo(12, "RETURN_CONST").hasConst);
  EXPECT_TRUE(opInfo(13, "LOAD_FAST_LOAD_FAST").hasLocal);
  EXPECT_TRUE(opInfo(14, "LOAD_FAST_BORROW").hasLocal);
  EXPECT_TRUE(opInfo(14, "LOAD_FAST_BORROW_LOAD_FAST_BORROW").hasLocal);
  EXPECT_FALSE(opInfo(14, "LOAD_SMALL_INT").hasConst) << "the arg is the int";
}

TEST(Opcodes, InlineCacheEntries) {
  // Reference §2.3; -1: the opcode does not exist in that version.
  // 3.11 to 3.15.
  const std::map<std::string, std::array<int, 5>> expected = {
      {"BINARY_SUBSCR", {4, 1, 1, -1, -1}},
      {"STORE_SUBSCR", {1, 1, 1, 1, 1}},
      {"UNPACK_SEQUENCE", {1, 1, 1, 1, 1}},
      {"STORE_ATTR", {4, 4, 4, 4, 4}},
      {"LOAD_ATTR", {4, 9, 9, 9, 9}},
      {"LOAD_METHOD", {10, -1, -1, -1, -1}},
      {"COMPARE_OP", {2, 1, 1, 1, 1}},
      {"LOAD_GLOBAL", {5, 4, 4, 4, 4}},
      {"BINARY_OP", {1, 1, 1, 5, 5}},
      {"PRECALL", {1, -1, -1, -1, -1}},
      {"CALL", {4, 3, 3, 3, 3}},
      {"FOR_ITER", {0, 1, 1, 1, 1}},
      {"SEND", {0, 1, 1, 1, 1}},
      {"LOAD_SUPER_ATTR", {-1, 1, 1, 1, 1}},
      {"CONTAINS_OP", {0, 0, 1, 1, 1}},
      {"TO_BOOL", {-1, -1, 3, 3, 3}},
      {"JUMP_BACKWARD", {0, 0, 1, 1, 1}},
      {"POP_JUMP_IF_TRUE", {-1, 0, 1, 1, 1}},
      {"POP_JUMP_IF_FALSE", {-1, 0, 1, 1, 1}},
      {"POP_JUMP_IF_NONE", {-1, 0, 1, 1, 1}},
      {"POP_JUMP_IF_NOT_NONE", {-1, 0, 1, 1, 1}},
      {"CALL_KW", {-1, -1, 0, 3, 3}},
      {"CALL_FUNCTION_EX", {0, 0, 0, 0, 1}},
      {"GET_ITER", {0, 0, 0, 0, 1}},
      {"RESUME", {0, 0, 0, 0, 1}},
  };
  for (uint8_t minor = 11; minor <= 15; ++minor) {
    const OpcodeTable &table = tableFor(minor);
    for (const auto &[name, counts] : expected) {
      int want = counts[minor - 11];
      std::optional<uint8_t> number = table.lookup(name);
      EXPECT_EQ(number.has_value(), want >= 0) << name << " 3." << int(minor);
      if (number) {
        EXPECT_EQ(table.info(*number)->cacheEntries, want)
            << name << " 3." << int(minor);
      }
    }
    for (const OpcodeInfo &info : table.opcodes()) {
      if (expected.count(info.name))
        continue;
      EXPECT_EQ(info.cacheEntries, 0) << info.name << " 3." << int(minor);
    }
  }
  for (uint8_t minor = 8; minor <= 10; ++minor)
    for (const OpcodeInfo &info : tableFor(minor).opcodes())
      EXPECT_EQ(info.cacheEntries, 0) << info.name;
}

TEST(Opcodes, JumpKinds) {
  EXPECT_EQ(opInfo(8, "JUMP_FORWARD").jump, JumpKind::RelativeForward);
  EXPECT_EQ(opInfo(8, "SETUP_FINALLY").jump, JumpKind::RelativeForward);
  EXPECT_EQ(opInfo(8, "CALL_FINALLY").jump, JumpKind::RelativeForward);
  EXPECT_EQ(opInfo(8, "POP_JUMP_IF_FALSE").jump, JumpKind::Absolute);
  EXPECT_EQ(opInfo(9, "JUMP_IF_NOT_EXC_MATCH").jump, JumpKind::Absolute);
  EXPECT_EQ(opInfo(10, "JUMP_ABSOLUTE").jump, JumpKind::Absolute);
  EXPECT_EQ(opInfo(10, "LOAD_CONST").jump, JumpKind::None);

  EXPECT_EQ(opInfo(11, "JUMP_IF_FALSE_OR_POP").jump, JumpKind::RelativeForward);
  EXPECT_EQ(opInfo(11, "POP_JUMP_FORWARD_IF_NONE").jump,
            JumpKind::RelativeForward);
  for (const char *name :
       {"JUMP_BACKWARD", "JUMP_BACKWARD_NO_INTERRUPT",
        "POP_JUMP_BACKWARD_IF_TRUE", "POP_JUMP_BACKWARD_IF_FALSE",
        "POP_JUMP_BACKWARD_IF_NONE", "POP_JUMP_BACKWARD_IF_NOT_NONE"})
    EXPECT_EQ(opInfo(11, name).jump, JumpKind::RelativeBackward) << name;

  for (uint8_t minor = 12; minor <= 15; ++minor) {
    EXPECT_EQ(opInfo(minor, "POP_JUMP_IF_TRUE").jump,
              JumpKind::RelativeForward);
    EXPECT_EQ(opInfo(minor, "JUMP_BACKWARD").jump, JumpKind::RelativeBackward);
    EXPECT_EQ(opInfo(minor, "SEND").jump, JumpKind::RelativeForward);
  }
  // 3.14: END_ASYNC_FOR names the END_SEND of its loop, behind it.
  EXPECT_EQ(opInfo(13, "END_ASYNC_FOR").jump, JumpKind::None);
  EXPECT_EQ(opInfo(14, "END_ASYNC_FOR").jump, JumpKind::RelativeBackward);
  // No absolute jumps from 3.11 on.
  for (uint8_t minor = 11; minor <= 15; ++minor)
    for (const OpcodeInfo &info : tableFor(minor).opcodes())
      EXPECT_NE(info.jump, JumpKind::Absolute) << info.name;
}

TEST(Opcodes, JumpTargets) {
  // 3.8: bytes. JUMP_FORWARD at 10 with arg 4 lands on 10 + 2 + 4.
  EXPECT_EQ(tableFor(8).jumpTarget(opNumber(8, "JUMP_FORWARD"), 10, 4), 16u);
  EXPECT_EQ(tableFor(8).jumpTarget(opNumber(8, "POP_JUMP_IF_FALSE"), 10, 20),
            20u);
  // 3.10: code units.
  EXPECT_EQ(tableFor(10).jumpTarget(opNumber(10, "JUMP_FORWARD"), 10, 4), 20u);
  EXPECT_EQ(tableFor(10).jumpTarget(opNumber(10, "JUMP_ABSOLUTE"), 40, 10),
            20u);
  // 3.11: backward, no caches on jumps.
  EXPECT_EQ(tableFor(11).jumpTarget(opNumber(11, "JUMP_BACKWARD"), 100, 10),
            82u);
  // 3.12: from the end of FOR_ITER's one cache entry.
  EXPECT_EQ(tableFor(12).jumpTarget(opNumber(12, "FOR_ITER"), 100, 5), 114u);
  // 3.13: JUMP_BACKWARD has a cache entry too.
  EXPECT_EQ(tableFor(13).jumpTarget(opNumber(13, "JUMP_BACKWARD"), 100, 10),
            84u);
  EXPECT_EQ(tableFor(13).jumpTarget(opNumber(13, "POP_JUMP_IF_TRUE"), 0, 0),
            4u);
  // Not a jump, or before the start of the code.
  EXPECT_FALSE(tableFor(13).jumpTarget(opNumber(13, "LOAD_CONST"), 0, 1));
  EXPECT_FALSE(tableFor(12).jumpTarget(opNumber(12, "JUMP_BACKWARD"), 4, 10));

  // jumpArgument inverts jumpTarget for every jump of every version.
  for (PythonVersion v : kSupportedVersions) {
    const OpcodeTable &table = *OpcodeTable::forVersion(v);
    for (const OpcodeInfo &info : table.opcodes()) {
      if (!info.isJump())
        continue;
      for (uint32_t arg : {0u, 1u, 7u, 300u, 70000u}) {
        std::optional<uint32_t> target =
            table.jumpTarget(info.number, 200000, arg);
        ASSERT_TRUE(target.has_value()) << info.name;
        EXPECT_EQ(table.jumpArgument(info.number, 200000, *target), arg)
            << v.str() << " " << info.name;
      }
    }
  }
  // Wrong direction, or between code units.
  EXPECT_FALSE(
      tableFor(12).jumpArgument(opNumber(12, "JUMP_FORWARD"), 100, 50));
  EXPECT_FALSE(
      tableFor(12).jumpArgument(opNumber(12, "JUMP_BACKWARD"), 100, 150));
  EXPECT_FALSE(tableFor(10).jumpArgument(opNumber(10, "JUMP_FORWARD"), 0, 5));
  EXPECT_EQ(tableFor(9).jumpArgument(opNumber(9, "JUMP_FORWARD"), 0, 5), 3u);
}

TEST(Opcodes, FlowKinds) {
  for (uint8_t minor = 8; minor <= 15; ++minor) {
    const OpcodeTable &table = tableFor(minor);
    EXPECT_EQ(opInfo(minor, "RETURN_VALUE").flow, FlowKind::ScopeExit);
    EXPECT_EQ(opInfo(minor, "RAISE_VARARGS").flow, FlowKind::ScopeExit);
    EXPECT_EQ(opInfo(minor, "JUMP_FORWARD").flow, FlowKind::UnconditionalJump);
    EXPECT_EQ(opInfo(minor, "FOR_ITER").flow, FlowKind::ConditionalJump);
    EXPECT_EQ(opInfo(minor, "LOAD_CONST").flow, FlowKind::Normal);
    EXPECT_EQ(opInfo(minor, "END_ASYNC_FOR").flow, FlowKind::Normal);
    // Jumps are exactly the conditional and unconditional ones, but for
    // 3.14's END_ASYNC_FOR, whose target is for sys.monitoring only.
    for (const OpcodeInfo &info : table.opcodes()) {
      bool neverJumps =
          minor >= 14 && llvm::StringRef(info.name) == "END_ASYNC_FOR";
      EXPECT_EQ(info.isJump() && !neverJumps,
                info.flow == FlowKind::ConditionalJump ||
                    info.flow == FlowKind::UnconditionalJump)
          << info.name;
    }
  }
  EXPECT_FALSE(tableFor(8).lookup("RERAISE").has_value());
  EXPECT_EQ(opInfo(9, "RERAISE").flow, FlowKind::ScopeExit);
  EXPECT_EQ(opInfo(10, "JUMP_ABSOLUTE").flow, FlowKind::UnconditionalJump);
  EXPECT_EQ(opInfo(10, "POP_JUMP_IF_TRUE").flow, FlowKind::ConditionalJump);
  EXPECT_EQ(opInfo(11, "JUMP_BACKWARD").flow, FlowKind::UnconditionalJump);
  EXPECT_EQ(opInfo(11, "POP_JUMP_BACKWARD_IF_NONE").flow,
            FlowKind::ConditionalJump);
  EXPECT_EQ(opInfo(12, "RETURN_CONST").flow, FlowKind::ScopeExit);
  EXPECT_EQ(opInfo(13, "JUMP_BACKWARD_NO_INTERRUPT").flow,
            FlowKind::UnconditionalJump);
}

TEST(Opcodes, StackEffectsOfLoadsAndCalls) {
  // LOAD_GLOBAL 3.11+: +1, or +2 when bit 0 asks for a NULL too.
  for (uint8_t minor = 11; minor <= 15; ++minor)
    for (uint32_t arg : {0u, 1u, 2u, 3u, 254u, 255u, 256u, 257u, 70001u})
      EXPECT_EQ(effect(minor, "LOAD_GLOBAL", arg), 1 + int(arg & 1)) << arg;
  EXPECT_EQ(effect(10, "LOAD_GLOBAL", 1), 1);
  // LOAD_ATTR 3.12+: 0, or +1 with the method bit.
  EXPECT_EQ(effect(12, "LOAD_ATTR", 4), 0);
  EXPECT_EQ(effect(12, "LOAD_ATTR", 5), 1);
  EXPECT_EQ(effect(11, "LOAD_ATTR", 5), 0);

  // CALL family.
  for (uint32_t n : {0u, 1u, 2u, 255u, 256u, 1000u, 65536u}) {
    EXPECT_EQ(effect(8, "CALL_FUNCTION", n), -int(n));
    EXPECT_EQ(effect(10, "CALL_METHOD", n), -int(n) - 1);
    EXPECT_EQ(effect(10, "CALL_FUNCTION_KW", n), -int(n) - 1);
    EXPECT_EQ(effect(11, "PRECALL", n), -int(n));
    EXPECT_EQ(effect(11, "CALL", n), -1);
    EXPECT_EQ(effect(12, "CALL", n), -int(n) - 1);
    EXPECT_EQ(effect(13, "CALL", n), -int(n) - 1);
    EXPECT_EQ(effect(13, "CALL_KW", n), -int(n) - 2);
    EXPECT_EQ(effect(13, "BUILD_TUPLE", n), 1 - int(n));
    EXPECT_EQ(effect(13, "BUILD_MAP", n), 1 - 2 * int(n));
    for (uint8_t minor = 14; minor <= 15; ++minor) {
      EXPECT_EQ(effect(minor, "CALL", n), -int(n) - 1);
      EXPECT_EQ(effect(minor, "CALL_KW", n), -int(n) - 2);
      // 3.14: a slice of n values (2 or 3).
      EXPECT_EQ(effect(minor, "BUILD_SLICE", n), 1 - int(n));
    }
  }
  // 3.14: f(*args) pushes a NULL for the missing **kwargs; no argument.
  EXPECT_EQ(effect(14, "CALL_FUNCTION_EX", 0), -3);
  // 3.14: [attribute, self or NULL] for the owner.
  EXPECT_EQ(effect(14, "LOAD_SPECIAL", 1), 1);
  // 3.15: GET_ITER pushes [iterator, NULL] or [sequence, index].
  EXPECT_EQ(effect(14, "GET_ITER", 0), 0);
  EXPECT_EQ(effect(15, "GET_ITER", 0), 1);
  EXPECT_EQ(effect(15, "POP_ITER", 0), -2);
  EXPECT_EQ(effect(15, "END_SEND", 0), -2);
  EXPECT_EQ(effect(10, "CALL_FUNCTION_EX", 0), -1);
  EXPECT_EQ(effect(10, "CALL_FUNCTION_EX", 1), -2);
  EXPECT_EQ(effect(11, "CALL_FUNCTION_EX", 0), -2);
  EXPECT_EQ(effect(11, "CALL_FUNCTION_EX", 1), -3);
}

TEST(Opcodes, StackEffectsOfFunctionsAndUnpacking) {
  for (uint32_t flags = 0; flags < 16; ++flags) {
    for (uint8_t minor = 8; minor <= 10; ++minor)
      EXPECT_EQ(effect(minor, "MAKE_FUNCTION", flags), -1 - popcount(flags));
    for (uint8_t minor = 11; minor <= 12; ++minor)
      EXPECT_EQ(effect(minor, "MAKE_FUNCTION", flags), -popcount(flags));
    // 3.13: MAKE_FUNCTION has no argument; the attributes come one at a time.
    for (uint8_t minor = 13; minor <= 15; ++minor) {
      EXPECT_EQ(effect(minor, "MAKE_FUNCTION", flags), 0);
      EXPECT_EQ(effect(minor, "SET_FUNCTION_ATTRIBUTE", flags), -1);
    }
  }
  // UNPACK_EX: (arg & 0xff) names before the star, (arg >> 8) after; the
  // sequence is replaced by all of them plus the starred list.
  for (uint8_t minor = 8; minor <= 15; ++minor) {
    EXPECT_EQ(effect(minor, "UNPACK_EX", 0), 0);
    EXPECT_EQ(effect(minor, "UNPACK_EX", 0x0102), 3);
    EXPECT_EQ(effect(minor, "UNPACK_EX", 0x0305), 8);
    EXPECT_EQ(effect(minor, "UNPACK_EX", 0x10000), 256);
    EXPECT_EQ(effect(minor, "UNPACK_SEQUENCE", 3), 2);
    if (minor <= 12) {
      // FORMAT_VALUE pops the format spec too when bit 2 is set.
      EXPECT_EQ(effect(minor, "FORMAT_VALUE", 0x03), 0);
      EXPECT_EQ(effect(minor, "FORMAT_VALUE", 0x04), -1);
    }
  }
}

TEST(Opcodes, StackEffectsThatDependOnTheJump) {
  EXPECT_EQ(effect(8, "FOR_ITER", 0, false), 1);
  EXPECT_EQ(effect(8, "FOR_ITER", 0, true), -1);
  EXPECT_EQ(effect(12, "FOR_ITER", 0, true), 1) << "END_FOR pops in 3.12";
  EXPECT_EQ(effect(8, "SETUP_FINALLY", 0, false), 0);
  EXPECT_EQ(effect(8, "SETUP_FINALLY", 0, true), 6);
  EXPECT_EQ(effect(10, "JUMP_IF_TRUE_OR_POP", 0, false), -1);
  EXPECT_EQ(effect(10, "JUMP_IF_TRUE_OR_POP", 0, true), 0);
  EXPECT_EQ(effect(11, "SEND", 0, true), -1);
  EXPECT_EQ(effect(12, "SEND", 0, true), 0);
}

TEST(Opcodes, ReturnGeneratorCorrectionIsSeparate) {
  // stackEffect() is dis.stack_effect as-is; the correction is separate.
  EXPECT_EQ(effect(11, "RETURN_GENERATOR", 0), 0);
  EXPECT_EQ(effect(12, "RETURN_GENERATOR", 0), 0);
  EXPECT_EQ(effect(13, "RETURN_GENERATOR", 0), 1);
  EXPECT_EQ(tableFor(11).stackDepthCorrection(opNumber(11, "RETURN_GENERATOR")),
            1);
  EXPECT_EQ(tableFor(12).stackDepthCorrection(opNumber(12, "RETURN_GENERATOR")),
            1);
  EXPECT_EQ(tableFor(13).stackDepthCorrection(opNumber(13, "RETURN_GENERATOR")),
            0);
  for (PythonVersion v : kSupportedVersions) {
    const OpcodeTable &table = *OpcodeTable::forVersion(v);
    for (const OpcodeInfo &info : table.opcodes()) {
      if (llvm::StringRef(info.name) == "RETURN_GENERATOR")
        continue;
      EXPECT_EQ(table.stackDepthCorrection(info.number), 0) << info.name;
    }
  }
}

TEST(Opcodes, StackEffectRuleShapes) {
  // BUILD_SLICE (-1, or -2 for 3 arguments) fits no closed shape: a table.
  const OpcodeInfo &buildSlice = opInfo(12, "BUILD_SLICE");
  EXPECT_EQ(buildSlice.effect.shape, StackEffectRule::Shape::Table);
  EXPECT_EQ(buildSlice.effect.evaluate(2), -1);
  EXPECT_EQ(buildSlice.effect.evaluate(3), -2);
  EXPECT_FALSE(buildSlice.effect.evaluate(256).has_value());
  EXPECT_EQ(opInfo(14, "BUILD_SLICE").effect.shape,
            StackEffectRule::Shape::Linear);

  EXPECT_EQ(opInfo(12, "UNPACK_EX").effect.shape,
            StackEffectRule::Shape::ByteLinear);
  EXPECT_EQ(opInfo(10, "MAKE_FUNCTION").effect.shape,
            StackEffectRule::Shape::BitWeights);
  EXPECT_EQ(opInfo(12, "CALL").effect.shape, StackEffectRule::Shape::Linear);
  EXPECT_EQ(opInfo(12, "POP_TOP").effect.shape,
            StackEffectRule::Shape::Constant);

  // Exact arithmetic; nullopt when the result leaves int.
  StackEffectRule buildTuple = StackEffectRule::linear(1, -1);
  EXPECT_EQ(buildTuple.evaluate(1u << 30), 1 - (1 << 30));
  EXPECT_FALSE(buildTuple.evaluate(UINT32_MAX).has_value());
  StackEffectRule bits =
      StackEffectRule::bitWeights(-1, {-1, 0, 2, 0, 0, 0, 0, 5});
  EXPECT_EQ(bits.evaluate(0x85), -1 - 1 + 2 + 5);
  EXPECT_EQ(bits.evaluate(0x100), -1) << "bits above 7 do not count";

  // Unknown opcodes have no effect.
  EXPECT_FALSE(tableFor(12).stackEffect(148, 0, false).has_value());
}

TEST(Opcodes, AdaptiveOpcodes) {
  EXPECT_TRUE(tableFor(8).adaptiveOpcodes().empty());
  EXPECT_TRUE(tableFor(10).adaptiveOpcodes().empty());
  for (uint8_t minor = 11; minor <= 15; ++minor) {
    const OpcodeTable &table = tableFor(minor);
    EXPECT_FALSE(table.adaptiveOpcodes().empty());
    for (const AdaptiveOpcode &adaptive : table.adaptiveOpcodes()) {
      EXPECT_EQ(table.info(adaptive.number), nullptr) << adaptive.name;
      if (adaptive.baseOpcode >= 0) {
        EXPECT_NE(table.info(uint8_t(adaptive.baseOpcode)), nullptr);
      }
    }
  }
  auto adaptiveNumber = [](const OpcodeTable &table, llvm::StringRef name) {
    for (const AdaptiveOpcode &adaptive : table.adaptiveOpcodes())
      if (name == adaptive.name)
        return adaptive.number;
    ADD_FAILURE() << name.str() << " missing";
    return uint8_t(0);
  };
  const OpcodeTable &t12 = tableFor(12);
  EXPECT_EQ(t12.deoptimize(adaptiveNumber(t12, "LOAD_ATTR_SLOT")),
            opNumber(12, "LOAD_ATTR"));
  EXPECT_EQ(t12.deoptimize(adaptiveNumber(t12, "INSTRUMENTED_JUMP_FORWARD")),
            opNumber(12, "JUMP_FORWARD"));
  EXPECT_FALSE(t12.deoptimize(adaptiveNumber(t12, "INSTRUMENTED_LINE")));
  EXPECT_EQ(t12.deoptimize(opNumber(12, "LOAD_CONST")),
            opNumber(12, "LOAD_CONST"));
  EXPECT_FALSE(t12.deoptimize(255).has_value()) << "not an opcode at all";
  const OpcodeTable &t11 = tableFor(11);
  EXPECT_EQ(t11.deoptimize(adaptiveNumber(t11, "LOAD_GLOBAL_BUILTIN")),
            opNumber(11, "LOAD_GLOBAL"));
  // 3.14 moved ENTER_EXECUTOR among the instrumented opcodes; it stands for
  // whatever it replaced.
  EXPECT_TRUE(tableFor(13).lookup("ENTER_EXECUTOR").has_value());
  const OpcodeTable &t14 = tableFor(14);
  EXPECT_FALSE(t14.lookup("ENTER_EXECUTOR").has_value());
  EXPECT_EQ(adaptiveNumber(t14, "ENTER_EXECUTOR"), 255);
  EXPECT_FALSE(t14.deoptimize(255).has_value());
  EXPECT_EQ(t14.deoptimize(adaptiveNumber(t14, "BINARY_OP_SUBSCR_DICT")),
            opNumber(14, "BINARY_OP"));
}

TEST(Opcodes, ArgumentReprTables) {
  const std::vector<std::string> compareOps = {
      "<", "<=", "==", "!=", ">", ">="};
  const std::vector<std::string> converters = {"", "str", "repr", "ascii"};
  const std::vector<std::string> functionFlags = {"defaults", "kwdefaults",
                                                  "annotations", "closure"};
  auto strings = [](llvm::ArrayRef<const char *> list) {
    return std::vector<std::string>(list.begin(), list.end());
  };
  for (uint8_t minor = 8; minor <= 15; ++minor) {
    const OpcodeTable &table = tableFor(minor);
    std::vector<std::string> actualCompareOps = strings(table.compareOps());
    if (minor == 8) {
      // 3.8 still had the pre-IS_OP/CONTAINS_OP entries after these six.
      ASSERT_EQ(actualCompareOps.size(), 12u);
      EXPECT_EQ(actualCompareOps[6], "in");
      EXPECT_EQ(actualCompareOps[10], "exception match");
      actualCompareOps.resize(6);
    }
    EXPECT_EQ(actualCompareOps, compareOps);
    EXPECT_EQ(strings(table.formatValueConverters()), converters);
    std::vector<std::string> actualFunctionFlags =
        strings(table.makeFunctionFlags());
    if (minor >= 14) {
      // 3.14 adds the __annotate__ function of PEP 649.
      ASSERT_EQ(actualFunctionFlags.size(), 5u);
      EXPECT_EQ(actualFunctionFlags[4], "annotate");
      actualFunctionFlags.resize(4);
    }
    EXPECT_EQ(actualFunctionFlags, functionFlags);
    EXPECT_EQ(table.commonConstants().empty(), minor < 14);
    EXPECT_EQ(table.specialMethodNames().empty(), minor < 14);
    EXPECT_EQ(table.binaryOps().empty(), minor < 11);
    EXPECT_EQ(table.intrinsic1().empty(), minor < 12);
    EXPECT_EQ(table.intrinsic2().empty(), minor < 12);
    bool sawGenerator = false;
    for (const CompilerFlagName &flag : table.compilerFlagNames())
      sawGenerator |=
          flag.flag == 0x20 && llvm::StringRef(flag.name) == "GENERATOR";
    EXPECT_TRUE(sawGenerator);
  }
  const OpcodeTable &t11 = tableFor(11);
  ASSERT_EQ(t11.binaryOps().size(), 26u);
  EXPECT_STREQ(t11.binaryOps()[0], "+");
  EXPECT_STREQ(t11.binaryOpNames()[0], "NB_ADD");
  EXPECT_STREQ(t11.binaryOps()[13], "+=");
  EXPECT_STREQ(tableFor(12).intrinsic1()[1], "INTRINSIC_PRINT");
  EXPECT_STREQ(tableFor(12).intrinsic2()[1], "INTRINSIC_PREP_RERAISE_STAR");
  EXPECT_STREQ(tableFor(13).intrinsic2()[1], "INTRINSIC_PREP_RERAISE_STAR");
  // 3.14: subscripts are BINARY_OP too.
  ASSERT_EQ(tableFor(14).binaryOps().size(), 27u);
  EXPECT_STREQ(tableFor(14).binaryOps()[26], "[]");
  EXPECT_STREQ(tableFor(14).binaryOpNames()[26], "NB_SUBSCR");
  // 3.14's LOAD_COMMON_CONSTANT and LOAD_SPECIAL, as dis prints them.
  EXPECT_STREQ(tableFor(14).commonConstants()[0], "AssertionError");
  EXPECT_STREQ(tableFor(14).commonConstants()[3], "<built-in function all>");
  EXPECT_EQ(tableFor(14).commonConstants().size(), 5u);
  ASSERT_EQ(tableFor(15).commonConstants().size(), 12u);
  EXPECT_STREQ(tableFor(15).commonConstants()[7], "None");
  EXPECT_STREQ(tableFor(15).commonConstants()[8], "''");
  EXPECT_STREQ(tableFor(14).specialMethodNames()[1], "__exit__");
  EXPECT_STREQ(tableFor(15).specialMethodNames()[3], "__aexit__");
}

TEST(Opcodes, IsPrintable) {
  for (uint8_t minor = 8; minor <= 15; ++minor) {
    const OpcodeTable &table = tableFor(minor);
    EXPECT_TRUE(table.isPrintable('a'));
    EXPECT_TRUE(table.isPrintable(' '));
    EXPECT_TRUE(table.isPrintable('~'));
    EXPECT_FALSE(table.isPrintable(0x00));
    EXPECT_FALSE(table.isPrintable('\n'));
    EXPECT_FALSE(table.isPrintable(0x7F));
    EXPECT_FALSE(table.isPrintable(0xA0)) << "no-break space is a separator";
    EXPECT_FALSE(table.isPrintable(0xAD)) << "soft hyphen is a format char";
    EXPECT_TRUE(table.isPrintable(0xE9));
    EXPECT_FALSE(table.isPrintable(0x200B));
    EXPECT_FALSE(table.isPrintable(0x3000));
    EXPECT_FALSE(table.isPrintable(0xD800)) << "surrogate";
    EXPECT_TRUE(table.isPrintable(0x1F600));
    EXPECT_FALSE(table.isPrintable(0x10FFFF));
    EXPECT_FALSE(table.isPrintable(0x110000));
  }
  // Characters that later Unicode versions added.
  EXPECT_FALSE(tableFor(8).isPrintable(0x1F6D7)); // Unicode 13.0
  EXPECT_TRUE(tableFor(9).isPrintable(0x1F6D7));
  EXPECT_FALSE(tableFor(10).isPrintable(0x1F6DD)); // 14.0
  EXPECT_TRUE(tableFor(11).isPrintable(0x1F6DD));
  EXPECT_FALSE(tableFor(11).isPrintable(0x1FAE8)); // 15.0
  EXPECT_TRUE(tableFor(12).isPrintable(0x1FAE8));
  EXPECT_FALSE(tableFor(12).isPrintable(0x2EBF0)); // 15.1
  EXPECT_TRUE(tableFor(13).isPrintable(0x2EBF0));
  EXPECT_FALSE(tableFor(13).isPrintable(0x1FAE9)); // 16.0
  EXPECT_TRUE(tableFor(14).isPrintable(0x1FAE9));
  EXPECT_FALSE(tableFor(14).isPrintable(0x1FAEA)); // 17.0
  EXPECT_TRUE(tableFor(15).isPrintable(0x1FAEA));
  EXPECT_EQ(tableFor(8).unicodeVersion(), "12.1.0");
  EXPECT_EQ(tableFor(13).unicodeVersion(), "15.1.0");
  EXPECT_EQ(tableFor(14).unicodeVersion(), "16.0.0");
  EXPECT_EQ(tableFor(15).unicodeVersion(), "17.0.0");

  EXPECT_TRUE(isPrintable(PythonVersion(3, 13), 0x2EBF0));
  EXPECT_FALSE(isPrintable(PythonVersion(3, 12), 0x2EBF0));
  EXPECT_TRUE(isPrintable(PythonVersion(3, 99), 'x'));
  EXPECT_FALSE(isPrintable(PythonVersion(3, 99), 0xE9));
}

//===----------------------------------------------------------------------===//
// Stack signatures (3.11+). scripts/gen_tables.py checks their net effect
// against dis.stack_effect; these tests pin down the parts dis cannot see:
// which slots are popped, read in place, moved, copied, or may be NULL.
//===----------------------------------------------------------------------===//

namespace {

StackSignature signatureOf(uint8_t minor, const char *name, uint32_t arg,
                           bool jump = false) {
  std::optional<StackSignature> result =
      tableFor(minor).signature(opNumber(minor, name), arg, jump);
  EXPECT_TRUE(result.has_value())
      << name << " " << arg << " on 3." << int(minor);
  return result.value_or(StackSignature());
}

std::vector<uint32_t> depths(std::initializer_list<uint32_t> list) {
  return std::vector<uint32_t>(list);
}

} // namespace

TEST(StackSignatures, OnlyFrom311AndForEveryOpcodeThatRuns) {
  for (uint8_t minor = 8; minor <= 10; ++minor) {
    const OpcodeTable &table = tableFor(minor);
    EXPECT_FALSE(table.hasStackSignatures());
    for (const OpcodeInfo &info : table.opcodes()) {
      EXPECT_FALSE(table.signature(info.number, 1, false)) << info.name;
      EXPECT_FALSE(table.signatureNotation(info.number, false)) << info.name;
    }
  }
  for (uint8_t minor = 11; minor <= 15; ++minor) {
    const OpcodeTable &table = tableFor(minor);
    EXPECT_TRUE(table.hasStackSignatures());
    int signedPaths = 0;
    for (const OpcodeInfo &info : table.opcodes()) {
      llvm::StringRef name = info.name;
      bool neverRuns =
          name == "CACHE" || name == "RESERVED" || name == "ENTER_EXECUTOR";
      for (bool jump : {false, true}) {
        // Argument 2 is valid for every opcode (SWAP needs 2 or more).
        std::optional<StackSignature> sig =
            table.signature(info.number, 2, jump);
        EXPECT_EQ(sig.has_value(), !neverRuns) << info.name;
        if (!sig)
          continue;
        ++signedPaths;
        // The net effect is dis's, but for the documented differences.
        int expected = *table.stackEffect(info.number, 2, jump) +
                       table.stackDepthCorrection(info.number);
        if (minor == 11 && name == "PRECALL")
          expected += 2;
        if (minor == 11 && name == "CALL")
          expected -= 2;
        if (minor >= 14 && name == "RETURN_VALUE")
          expected -= 1; // dis counts the value pushed in the caller

        EXPECT_EQ(sig->effect(), expected) << info.name << " 3." << int(minor);
        EXPECT_EQ(sig->inputSlots() - sig->pops(), sig->keptSlots());
        EXPECT_EQ(sig->outputSlots() - sig->pushes(), sig->keptSlots());
        // Only jumps may have a jump path of their own.
        if (!info.isJump()) {
          EXPECT_EQ(table.signatureNotation(info.number, true),
                    table.signatureNotation(info.number, false))
              << info.name;
        }
      }
    }
    EXPECT_GT(signedPaths, 2 * 100) << "3." << int(minor);
  }
  EXPECT_FALSE(tableFor(12).signature(148, 0, false)) << "a hole";
  EXPECT_FALSE(tableFor(13).signature(opNumber(13, "ENTER_EXECUTOR"), 0, 0));
}

// The cheap queries say what the full signature says.
TEST(StackSignatures, SlotCountsAndNullsAgreeWithTheSignature) {
  for (uint8_t minor = 8; minor <= 15; ++minor) {
    const OpcodeTable &table = tableFor(minor);
    for (unsigned op = 0; op < 256; ++op) {
      bool anyNull = false;
      for (bool jump : {false, true}) {
        for (uint32_t arg :
             {0u, 1u, 2u, 3u, 7u, 16u, 255u, 256u, 0x7FFFFFFFu, 0xFFFFFFFFu}) {
          std::optional<StackSignature> sig = table.signature(op, arg, jump);
          std::optional<OpcodeTable::StackSlots> slots =
              table.stackSlots(op, arg, jump);
          ASSERT_EQ(sig.has_value(), slots.has_value())
              << op << " 3." << int(minor) << " arg " << arg;
          if (!sig)
            continue;
          EXPECT_EQ(sig->inputSlots(), slots->inputs) << op;
          EXPECT_EQ(sig->outputSlots(), slots->outputs) << op;
          if (slots->outputs <= 1024) {
            llvm::SmallVector<OpcodeTable::OutputSlot, 4> facts;
            std::optional<OpcodeTable::StackSlots> counted =
                table.outputSlots(op, arg, jump, facts);
            ASSERT_TRUE(counted) << op;
            EXPECT_EQ(counted->inputs, slots->inputs) << op;
            ASSERT_EQ(facts.size(), slots->outputs) << op;
            for (uint32_t d = 1; d <= slots->outputs; ++d) {
              const OpcodeTable::OutputSlot &f = facts[slots->outputs - d];
              EXPECT_EQ(f.source, sig->outputSource(d)) << op << " depth " << d;
              EXPECT_EQ(f.maybeNull, sig->outputMayBeNull(d)) << op;
            }
          }
          for (const StackItem &item : sig->outputs) {
            anyNull = anyNull || item.maybeNull;
            if (!item.isNew()) {
              EXPECT_FALSE(table.outputsAreNew(op)) << op;
            }
          }
          if (table.outputsAreNew(op)) {
            for (const StackItem &item : sig->outputs) {
              EXPECT_TRUE(item.isNew()) << op;
            }
          }
        }
      }
      if (anyNull) {
        EXPECT_TRUE(table.mayOutputNull(op)) << op << " 3." << int(minor);
      }
    }
  }
  EXPECT_TRUE(tableFor(12).mayOutputNull(opNumber(12, "PUSH_NULL")));
  EXPECT_TRUE(tableFor(13).mayOutputNull(opNumber(13, "LOAD_GLOBAL")));
  EXPECT_FALSE(tableFor(13).mayOutputNull(opNumber(13, "LOAD_CONST")));
  EXPECT_FALSE(tableFor(11).mayOutputNull(opNumber(11, "COPY")));
  EXPECT_TRUE(tableFor(12).outputsAreNew(opNumber(12, "BINARY_OP")));
  EXPECT_FALSE(tableFor(12).outputsAreNew(opNumber(12, "COPY")));
  EXPECT_FALSE(tableFor(13).outputsAreNew(opNumber(13, "LIST_APPEND")));
}

TEST(StackSignatures, StacksDependOnlyOnTheirArgumentBits) {
  auto text = [](const std::optional<StackSignature> &sig) {
    return sig ? sig->str() : std::string("none");
  };
  for (uint8_t minor = 11; minor <= 15; ++minor) {
    const OpcodeTable &table = tableFor(minor);
    unsigned independent = 0;
    for (unsigned op = 0; op < 256; ++op) {
      for (bool jump : {false, true}) {
        uint32_t bits = table.stackArgBits(op, jump);
        independent += bits == 0;
        for (uint32_t arg : {1u, 2u, 3u, 6u, 7u, 16u, 255u, 256u, 257u,
                             0xFFFFu, 0x12345u, 0xFFFFFFFFu}) {
          EXPECT_EQ(text(table.signature(op, arg, jump)),
                    text(table.signature(op, arg & bits, jump)))
              << op << " 3." << int(minor) << " arg " << arg;
          EXPECT_EQ(table.stackEffect(op, arg, jump),
                    table.stackEffect(op, arg & bits, jump))
              << op << " 3." << int(minor) << " arg " << arg;
        }
      }
    }
    // Most opcodes ignore their argument; calls and LOAD_GLOBAL do not.
    EXPECT_GT(independent, 100u) << "3." << int(minor);
    EXPECT_EQ(table.stackArgBits(opNumber(minor, "POP_TOP"), false), 0u);
    EXPECT_EQ(table.stackArgBits(opNumber(minor, "LOAD_GLOBAL"), false), 1u);
    EXPECT_EQ(table.stackArgBits(opNumber(minor, "CALL"), false), UINT32_MAX);
  }
}

TEST(StackSignatures, ContainerBuildersPeekTheirContainer) {
  for (uint8_t minor = 11; minor <= 15; ++minor) {
    // [list, x, y, value]: pops the value, appends it to the list, which is
    // at depth 3 once the value is gone (PEEK(oparg)).
    StackSignature append = signatureOf(minor, "LIST_APPEND", 3);
    EXPECT_EQ(append.pops(), 1u);
    EXPECT_EQ(append.pushes(), 0u);
    EXPECT_EQ(append.keptSlots(), 3u);
    EXPECT_EQ(append.inputSlots(), 4u);
    EXPECT_EQ(append.peekedDepths(), depths({3}));
    EXPECT_EQ(append.str(), "list:1 _items:2 value:1 -- list:1=0 _items:2=1");
    EXPECT_EQ(tableFor(minor).signatureNotation(opNumber(minor, "LIST_APPEND"),
                                                false),
              llvm::StringRef(
                  "list, _items[oparg-1], value -- list, _items[oparg-1]"));
    // MAP_ADD 2 pops key and value; the dict is at depth 2.
    StackSignature mapAdd = signatureOf(minor, "MAP_ADD", 2);
    EXPECT_EQ(mapAdd.pops(), 2u);
    EXPECT_EQ(mapAdd.peekedDepths(), depths({2}));
    // DICT_MERGE 1 reads the dict and, for its error message, the callable:
    // [NULL, callable, args, dict, update] up to 3.12, [callable, NULL,
    // args, dict, update] in 3.13.
    StackSignature merge = signatureOf(minor, "DICT_MERGE", 1);
    EXPECT_EQ(merge.pops(), 1u);
    EXPECT_EQ(merge.peekedDepths(),
              minor <= 12 ? depths({1, 3}) : depths({1, 4}));
    // Operand 0 is not a valid container position.
    EXPECT_FALSE(
        tableFor(minor).signature(opNumber(minor, "LIST_APPEND"), 0, false));
  }
}

TEST(StackSignatures, SwapAndCopyAreMovesAndCopies) {
  for (uint8_t minor = 11; minor <= 15; ++minor) {
    StackSignature swap = signatureOf(minor, "SWAP", 3);
    EXPECT_EQ(swap.pops(), 3u);
    EXPECT_EQ(swap.pushes(), 3u);
    EXPECT_EQ(swap.effect(), 0);
    EXPECT_EQ(swap.outputSource(1), 3u);
    EXPECT_EQ(swap.outputSource(2), 2u);
    EXPECT_EQ(swap.outputSource(3), 1u);
    EXPECT_FALSE(swap.outputSource(4));
    EXPECT_TRUE(swap.peekedDepths().empty());
    StackSignature swap2 = signatureOf(minor, "SWAP", 2);
    EXPECT_EQ(swap2.outputSource(1), 2u);
    EXPECT_EQ(swap2.outputSource(2), 1u);

    StackSignature copy = signatureOf(minor, "COPY", 2);
    EXPECT_EQ(copy.pops(), 0u);
    EXPECT_EQ(copy.pushes(), 1u);
    EXPECT_EQ(copy.outputSource(1), 2u) << "the new top is the old depth 2";
    EXPECT_EQ(copy.outputSource(3), 2u) << "and the original stays";
    EXPECT_EQ(copy.peekedDepths(), depths({2}));

    EXPECT_FALSE(tableFor(minor).signature(opNumber(minor, "SWAP"), 1, 0));
    EXPECT_FALSE(tableFor(minor).signature(opNumber(minor, "COPY"), 0, 0));
  }
}

TEST(StackSignatures, Calls) {
  // 3.11: PRECALL leaves [method_or_null, callable_or_self, args] alone and
  // reads the two below the arguments; CALL pops all of them.
  StackSignature precall = signatureOf(11, "PRECALL", 2);
  EXPECT_EQ(precall.pops(), 0u);
  EXPECT_EQ(precall.pushes(), 0u);
  EXPECT_EQ(precall.peekedDepths(), depths({3, 4}));
  EXPECT_EQ(effect(11, "PRECALL", 2), -2) << "what dis books instead";
  for (uint8_t minor = 11; minor <= 15; ++minor) {
    StackSignature call = signatureOf(minor, "CALL", 2);
    EXPECT_EQ(call.pops(), 4u) << "3." << int(minor);
    EXPECT_EQ(call.pushes(), 1u);
    EXPECT_TRUE(call.outputs[0].isNew());
    ASSERT_EQ(call.inputs.size(), 3u);
    EXPECT_EQ(call.inputs[2].name, "args");
    EXPECT_EQ(call.inputs[2].count, 2u);
  }
  EXPECT_EQ(signatureOf(11, "CALL", 2).inputs[0].name, "method_or_null");
  EXPECT_EQ(signatureOf(13, "CALL", 2).inputs[1].name, "self_or_null");
  EXPECT_EQ(signatureOf(13, "CALL_KW", 2).pops(), 5u);
  // CALL_FUNCTION_EX pops the NULL too: below func up to 3.12, above it in
  // 3.13; bit 0 adds the kwargs mapping.
  EXPECT_EQ(signatureOf(11, "CALL_FUNCTION_EX", 1).pops(), 4u);
  EXPECT_EQ(signatureOf(12, "CALL_FUNCTION_EX", 0).pops(), 3u);
  EXPECT_EQ(signatureOf(12, "CALL_FUNCTION_EX", 0).inputs[0].name, "null");
  EXPECT_EQ(signatureOf(13, "CALL_FUNCTION_EX", 0).inputs[1].name, "null");
  // 3.14: no argument; the kwargs slot is always there, NULL without **.
  EXPECT_EQ(signatureOf(14, "CALL_FUNCTION_EX", 0).pops(), 4u);
  EXPECT_EQ(signatureOf(14, "CALL_FUNCTION_EX", 0).inputs[3].name,
            "kwargs_or_null");
  // MAKE_FUNCTION: one operand per flag bit up to 3.12; 3.13 sets them
  // with SET_FUNCTION_ATTRIBUTE, which passes the function through.
  EXPECT_EQ(signatureOf(12, "MAKE_FUNCTION", 0x9).pops(), 3u);
  EXPECT_EQ(signatureOf(13, "MAKE_FUNCTION", 0).pops(), 1u);
  StackSignature setAttribute = signatureOf(13, "SET_FUNCTION_ATTRIBUTE", 8);
  EXPECT_EQ(setAttribute.pops(), 2u);
  EXPECT_EQ(setAttribute.pushes(), 1u);
  EXPECT_EQ(setAttribute.outputSource(1), 1u) << "the function, moved down";
}

TEST(StackSignatures, MethodLoadsAndTheirNulls) {
  // 3.11: LOAD_ATTR is plain; LOAD_METHOD pushes [method or NULL, self or
  // attribute].
  StackSignature attr11 = signatureOf(11, "LOAD_ATTR", 1);
  EXPECT_EQ(attr11.pushes(), 1u);
  EXPECT_FALSE(attr11.outputMayBeNull(1));
  StackSignature method11 = signatureOf(11, "LOAD_METHOD", 0);
  EXPECT_EQ(method11.pushes(), 2u);
  EXPECT_TRUE(method11.outputMayBeNull(2));
  EXPECT_FALSE(method11.outputMayBeNull(1));
  // 3.12: bit 0 of LOAD_ATTR asks for the method form, NULL-or-method
  // first (deeper).
  StackSignature method12 = signatureOf(12, "LOAD_ATTR", 5);
  EXPECT_EQ(method12.pops(), 1u);
  EXPECT_EQ(method12.pushes(), 2u);
  EXPECT_TRUE(method12.outputMayBeNull(2));
  EXPECT_FALSE(method12.outputMayBeNull(1));
  EXPECT_TRUE(method12.outputs[0].isNew()) << "not the owner: a new value";
  StackSignature plain12 = signatureOf(12, "LOAD_ATTR", 4);
  EXPECT_EQ(plain12.pushes(), 1u);
  EXPECT_EQ(plain12.outputs[0].count, 0u) << "the absent NULL item";
  EXPECT_FALSE(plain12.outputMayBeNull(1));
  // 3.13 turns the pair over: [attribute or method, NULL or self].
  StackSignature method13 = signatureOf(13, "LOAD_ATTR", 5);
  EXPECT_EQ(method13.pushes(), 2u);
  EXPECT_TRUE(method13.outputMayBeNull(1));
  EXPECT_FALSE(method13.outputMayBeNull(2));
  EXPECT_TRUE(signatureOf(12, "LOAD_SUPER_ATTR", 5).outputMayBeNull(2));
  EXPECT_TRUE(signatureOf(13, "LOAD_SUPER_ATTR", 5).outputMayBeNull(1));
  EXPECT_EQ(signatureOf(13, "LOAD_SUPER_ATTR", 4).pops(), 3u);
  // LOAD_GLOBAL's NULL: below the global up to 3.12, above it in 3.13.
  EXPECT_TRUE(signatureOf(11, "LOAD_GLOBAL", 3).outputMayBeNull(2));
  EXPECT_TRUE(signatureOf(12, "LOAD_GLOBAL", 3).outputMayBeNull(2));
  EXPECT_TRUE(signatureOf(13, "LOAD_GLOBAL", 3).outputMayBeNull(1));
  EXPECT_EQ(signatureOf(13, "LOAD_GLOBAL", 2).pushes(), 1u);
  for (uint8_t minor = 11; minor <= 15; ++minor)
    EXPECT_TRUE(signatureOf(minor, "PUSH_NULL", 0).outputMayBeNull(1));
  EXPECT_TRUE(signatureOf(12, "LOAD_FAST_AND_CLEAR", 0).outputMayBeNull(1));
  // 3.14's LOAD_SPECIAL: [attribute or method, NULL or self], like 3.13's
  // LOAD_ATTR in method form.
  StackSignature special = signatureOf(14, "LOAD_SPECIAL", 1);
  EXPECT_EQ(special.pops(), 1u);
  EXPECT_EQ(special.pushes(), 2u);
  EXPECT_TRUE(special.outputMayBeNull(1));
  EXPECT_FALSE(special.outputMayBeNull(2));
  EXPECT_FALSE(signatureOf(12, "LOAD_FAST", 0).outputMayBeNull(1));
}

TEST(StackSignatures, IterationPerPath) {
  // 3.11: FOR_ITER reads the iterator in place and pushes the next value;
  // leaving the loop it pops the iterator.
  StackSignature next11 = signatureOf(11, "FOR_ITER", 10, false);
  EXPECT_EQ(next11.pops(), 0u);
  EXPECT_EQ(next11.pushes(), 1u);
  EXPECT_EQ(next11.peekedDepths(), depths({1}));
  StackSignature exit11 = signatureOf(11, "FOR_ITER", 10, true);
  EXPECT_EQ(exit11.pops(), 1u);
  EXPECT_EQ(exit11.pushes(), 0u);
  EXPECT_EQ(tableFor(11).signatureNotation(opNumber(11, "FOR_ITER"), true),
            llvm::StringRef("iter --"));
  // 3.12/3.13: the jump lands on END_FOR, which pops what the compiler
  // thinks is there: the iterator and a placeholder (3.12), or the
  // placeholder with POP_TOP after it for the iterator (3.13).
  for (uint8_t minor = 12; minor <= 15; ++minor) {
    StackSignature exit = signatureOf(minor, "FOR_ITER", 10, true);
    EXPECT_EQ(exit.pops(), 0u);
    EXPECT_EQ(exit.pushes(), 1u);
    EXPECT_TRUE(exit.outputMayBeNull(1));
    EXPECT_FALSE(signatureOf(minor, "FOR_ITER", 10, false).outputMayBeNull(1));
  }
  EXPECT_EQ(signatureOf(12, "END_FOR", 0).pops(), 2u);
  EXPECT_EQ(signatureOf(13, "END_FOR", 0).pops(), 1u);
  // SEND: 3.11 replaces [receiver, value] by the return value when it
  // jumps; from 3.12 the receiver stays and END_SEND pops it.
  StackSignature send11 = signatureOf(11, "SEND", 4, false);
  EXPECT_EQ(send11.pops(), 1u);
  EXPECT_EQ(send11.pushes(), 1u);
  EXPECT_EQ(send11.peekedDepths(), depths({1}));
  StackSignature sendExit11 = signatureOf(11, "SEND", 4, true);
  EXPECT_EQ(sendExit11.pops(), 2u);
  EXPECT_EQ(sendExit11.pushes(), 1u);
  for (uint8_t minor = 12; minor <= 14; ++minor) {
    EXPECT_EQ(signatureOf(minor, "SEND", 4, true).str(),
              signatureOf(minor, "SEND", 4, false).str());
    StackSignature endSend = signatureOf(minor, "END_SEND", 0);
    EXPECT_EQ(endSend.pops(), 2u);
    EXPECT_EQ(endSend.pushes(), 1u);
    EXPECT_EQ(endSend.outputSource(1), 1u) << "the value, moved down";
  }
  for (uint8_t minor = 11; minor <= 15; ++minor)
    EXPECT_EQ(signatureOf(minor, "GET_ANEXT", 0).peekedDepths(), depths({1}));
  // 3.14 pops the iterator with POP_ITER; 3.15 iterates lists and tuples
  // in place, and GET_ITER, FOR_ITER, SEND and their ends carry an index
  // (NULL for a real iterator) above the iterable.
  EXPECT_EQ(signatureOf(14, "POP_ITER", 0).pops(), 1u);
  EXPECT_EQ(signatureOf(14, "GET_ITER", 0).pushes(), 1u);
  StackSignature getIter15 = signatureOf(15, "GET_ITER", 0);
  EXPECT_EQ(getIter15.pushes(), 2u);
  EXPECT_TRUE(getIter15.outputMayBeNull(1));
  EXPECT_EQ(signatureOf(15, "POP_ITER", 0).pops(), 2u);
  EXPECT_EQ(signatureOf(15, "FOR_ITER", 3, false).peekedDepths(),
            depths({1, 2}));
  EXPECT_EQ(signatureOf(15, "END_SEND", 0).pops(), 3u);
  EXPECT_EQ(signatureOf(15, "SEND", 3, false).keptSlots(), 2u);
  EXPECT_FALSE(tableFor(15).lookup("GET_YIELD_FROM_ITER").has_value());
}

TEST(StackSignatures, ExceptionsAndBranches) {
  for (uint8_t minor = 11; minor <= 15; ++minor) {
    // The new exception moves up; the previous one is pushed below it.
    StackSignature push = signatureOf(minor, "PUSH_EXC_INFO", 0);
    EXPECT_EQ(push.pops(), 1u);
    EXPECT_EQ(push.pushes(), 2u);
    EXPECT_EQ(push.outputSource(1), 1u);
    EXPECT_FALSE(push.outputSource(2));
    // [exit_func, lasti, prev_exc, exc]: calls exit_func with exc; 3.14
    // has [exit_func, self or NULL, lasti, prev_exc, exc].
    StackSignature withExcept = signatureOf(minor, "WITH_EXCEPT_START", 0);
    EXPECT_EQ(withExcept.pops(), 0u);
    EXPECT_EQ(withExcept.pushes(), 1u);
    EXPECT_EQ(withExcept.peekedDepths(),
              minor <= 13 ? depths({1, 4}) : depths({1, 4, 5}));
    StackSignature match = signatureOf(minor, "CHECK_EXC_MATCH", 0);
    EXPECT_EQ(match.pops(), 1u);
    EXPECT_EQ(match.peekedDepths(), depths({1}));
    // RERAISE 1 reads the saved lasti below the exception.
    StackSignature reraise = signatureOf(minor, "RERAISE", 1);
    EXPECT_EQ(reraise.pops(), 1u);
    EXPECT_EQ(reraise.peekedDepths(), depths({1}));
    EXPECT_EQ(signatureOf(minor, "RERAISE", 0).pops(), 1u);
    EXPECT_EQ(signatureOf(minor, "RETURN_GENERATOR", 0).effect(), 1);
  }
  // 3.11's JUMP_IF_*_OR_POP keep the condition only when they jump.
  StackSignature orPop = signatureOf(11, "JUMP_IF_TRUE_OR_POP", 5, false);
  EXPECT_EQ(orPop.pops(), 1u);
  StackSignature orKeep = signatureOf(11, "JUMP_IF_TRUE_OR_POP", 5, true);
  EXPECT_EQ(orKeep.pops(), 0u);
  EXPECT_EQ(orKeep.peekedDepths(), depths({1}));
  EXPECT_EQ(signatureOf(11, "POP_JUMP_BACKWARD_IF_NONE", 5, true).pops(), 1u);
  for (uint8_t minor = 12; minor <= 15; ++minor)
    for (bool jump : {false, true})
      EXPECT_EQ(signatureOf(minor, "POP_JUMP_IF_TRUE", 5, jump).pops(), 1u);
}

TEST(StackSignatures, VersionSpecificShapes) {
  // 3.13 superinstructions.
  EXPECT_EQ(signatureOf(13, "LOAD_FAST_LOAD_FAST", 0x12).pushes(), 2u);
  EXPECT_EQ(signatureOf(13, "STORE_FAST_STORE_FAST", 0x12).pops(), 2u);
  StackSignature storeLoad = signatureOf(13, "STORE_FAST_LOAD_FAST", 0x12);
  EXPECT_EQ(storeLoad.pops(), 1u);
  EXPECT_EQ(storeLoad.pushes(), 1u);
  EXPECT_TRUE(storeLoad.outputs[0].isNew());
  // 3.13 f-strings and truthiness.
  EXPECT_EQ(signatureOf(13, "CONVERT_VALUE", 2).effect(), 0);
  EXPECT_EQ(signatureOf(13, "FORMAT_WITH_SPEC", 0).pops(), 2u);
  EXPECT_EQ(signatureOf(13, "TO_BOOL", 0).pops(), 1u);
  // FORMAT_VALUE (<= 3.12): bit 2 adds a format spec operand.
  EXPECT_EQ(signatureOf(12, "FORMAT_VALUE", 0x4).pops(), 2u);
  EXPECT_EQ(signatureOf(12, "FORMAT_VALUE", 0x3).pops(), 1u);
  // Counts that depend on the argument in other ways.
  for (uint8_t minor = 11; minor <= 15; ++minor) {
    EXPECT_EQ(signatureOf(minor, "BUILD_SLICE", 3).pops(), 3u);
    EXPECT_EQ(signatureOf(minor, "BUILD_SLICE", 2).pops(), 2u);
    StackSignature unpackEx = signatureOf(minor, "UNPACK_EX", 0x0102);
    EXPECT_EQ(unpackEx.pushes(), 4u);
    EXPECT_EQ(unpackEx.outputs[0].count, 1u) << "one after the star";
    EXPECT_EQ(unpackEx.outputs[2].count, 2u) << "two before it, on top";
    EXPECT_EQ(signatureOf(minor, "BUILD_MAP", 3).pops(), 6u);
    // More slots than an int holds: rejected rather than wrapped.
    EXPECT_FALSE(tableFor(minor).signature(opNumber(minor, "BUILD_MAP"),
                                           1u << 30, false));
    EXPECT_FALSE(tableFor(minor).signature(opNumber(minor, "BUILD_TUPLE"),
                                           UINT32_MAX, false));
  }
  // Opcodes that exist in one version only.
  EXPECT_TRUE(tableFor(11).signature(opNumber(11, "KW_NAMES"), 0, false));
  EXPECT_EQ(signatureOf(12, "CLEANUP_THROW", 0).pops(), 3u);
  EXPECT_EQ(signatureOf(12, "CLEANUP_THROW", 0).pushes(), 2u);
  EXPECT_EQ(signatureOf(11, "PREP_RERAISE_STAR", 0).pops(), 2u);
}

// The lifter reads one signature for both paths of an opcode that does not
// jump.
TEST(StackSignatures, OpcodesThatDoNotJumpHaveOneSignature) {
  for (PythonVersion version :
       {PythonVersion{3, 11}, PythonVersion{3, 12}, PythonVersion{3, 13}}) {
    const OpcodeTable &table = *OpcodeTable::forVersion(version);
    for (const OpcodeInfo &info : table.opcodes()) {
      if (info.isJump() || info.flow == FlowKind::ConditionalJump)
        continue;
      for (uint32_t arg : {0u, 1u, 2u, 3u, 7u, 8u, 15u, 16u, 31u, 255u, 256u,
                           1000u, 1u << 20}) {
        std::optional<StackSignature> fall =
            table.signature(info.number, arg, false);
        std::optional<StackSignature> jump =
            table.signature(info.number, arg, true);
        ASSERT_EQ(bool(fall), bool(jump)) << info.name << " " << arg;
        if (fall) {
          EXPECT_EQ(fall->str(), jump->str())
              << version.str() << " " << info.name << " " << arg;
        }
      }
    }
  }
}
