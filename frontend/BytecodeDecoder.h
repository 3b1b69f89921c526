//===- frontend/BytecodeDecoder.h - The one walk over co_code ---*- C++ -*-===//
//
// decodeBytecode() walks co_code the way the version's `dis` does and hands
// each instruction to a callback, as a DecodedInstruction:
//
//   * every EXTENDED_ARG prefix is an instruction of its own and carries the
//     argument accumulated so far; the next instruction gets the folded
//     argument. 3.8 and 3.9 keep a pending EXTENDED_ARG across an opcode
//     without an argument, 3.10+ drop it; 3.11+ fold it as a signed 32-bit
//     C int ("the oparg is stored as a signed integer");
//   * up to 3.11 "has an argument" is `opcode >= HAVE_ARGUMENT`, from 3.12
//     it is `opcode.hasarg`;
//   * specialized opcodes stand for their real (base) opcode;
//   * 3.11+ inline CACHE units are skipped;
//   * a jump gets its target as a byte offset (OpcodeTable::rawJumpTarget,
//     unchecked: it may lie outside the code).
//
// Everything that reads bytecode decodes through it: the disassembler and
// CodeDiff through decodeInstructions(), which collects the instructions
// into a vector, and the lifter's BytecodeCFG, which keeps the real ones in
// its own form. It is a template so that the callback is inlined: the lifter
// decodes every code object it lifts, and a call or a copy per instruction
// shows in its cost. What each of the 256 byte values means as an opcode is
// worked out once per version (DecodingFacts).
//
// Errors stop the walk, each naming the code object and, where there is one,
// the byte offset in co_code: an unsupported version, co_code of odd length,
// and, for callers that ask (UnknownOpcodes::AreErrors), a byte that is no
// opcode of the version. A last EXTENDED_ARG without its instruction and
// caches cut short by the end of the code are not errors: dis shows such
// code as it is, and so does the disassembler.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_FRONTEND_BYTECODEDECODER_H
#define BCC_FRONTEND_BYTECODEDECODER_H

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "ir/CodeObject.h"
#include "ir/Opcodes.h"
#include "ir/Support.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// One instruction of co_code as `dis` sees it.
struct DecodedInstruction {
  /// Byte offset of this instruction's own code unit.
  uint32_t offset = 0;
  /// Byte offset of its first EXTENDED_ARG prefix (== offset without one,
  /// and for an EXTENDED_ARG itself). Jump targets, exception-table
  /// boundaries and line starts land on start offsets.
  uint32_t startOffset = 0;
  /// The opcode as stored, and the real opcode it stands for (they differ
  /// only for specialized opcodes, which co_code never holds).
  uint8_t opcode = 0;
  uint8_t baseOpcode = 0;
  /// Table entry of baseOpcode; nullptr for an opcode the version lacks.
  const OpcodeInfo *info = nullptr;
  /// The argument with the EXTENDED_ARG prefixes folded in, computed as the
  /// version's dis does (3.11+ wraps it as a signed 32-bit C int); nullopt
  /// for an opcode without argument.
  std::optional<int64_t> arg;
  /// CACHE units after the instruction (3.11+).
  uint32_t cacheEntries = 0;
  /// For a jump, the target byte offset (may lie outside the code when the
  /// code is malformed).
  std::optional<int64_t> jumpTarget;

  bool isExtendedArg(const OpcodeTable &table) const {
    return opcode == table.extendedArg();
  }
};

/// What decodeBytecode() does with a byte that is no opcode of the version
/// (neither a real nor a specialized one).
enum class UnknownOpcodes {
  /// Report it, with info == nullptr, as dis does (it prints `<N>`).
  Keep,
  /// Stop: "code object 'QUALNAME', offset N: unknown opcode X".
  AreErrors,
};

/// What decoding needs to know of one byte value as an opcode.
struct ByteOpcode {
  /// Table entry of `base`; nullptr if the byte is no opcode of the version.
  const OpcodeInfo *info = nullptr;
  /// The real opcode: the byte itself, or the one a specialized opcode
  /// stands for.
  uint8_t base = 0;
  uint8_t cacheEntries = 0;
  bool isExtendedArg = false; ///< base is EXTENDED_ARG
  bool takesArgument = false; ///< by the version's rule (see the top)
  bool isJump = false;
};

/// The 256 ByteOpcodes of one version and its folding rules, worked out
/// once per version: versionFacts<DecodingFacts>(table).
struct DecodingFacts {
  explicit DecodingFacts(const OpcodeTable &table);

  const OpcodeTable &table;
  std::array<ByteOpcode, 256> bytes;
  bool signedArgument;        ///< 3.11+
  bool keepsExtendedArgument; ///< across argument-less opcodes: 3.8, 3.9
};

namespace detail {
/// The facts for `code`'s version, or why `code` cannot be decoded at all:
/// an unsupported version, co_code of odd length.
Expected<const DecodingFacts *> startDecoding(const CodeObject &code);
/// "code object 'QUALNAME', offset N: unknown opcode X".
Error unknownOpcode(const CodeObject &code, uint32_t offset, uint8_t opcode);
} // namespace detail

/// Calls `onInstruction(const DecodedInstruction &)` for each instruction
/// of `code`, EXTENDED_ARG prefixes included, in offset order. Stops at the
/// first error (see the top); instructions before it have been reported.
template <typename OnInstruction>
Status decodeBytecode(const CodeObject &code, UnknownOpcodes unknown,
                      OnInstruction &&onInstruction) {
  Expected<const DecodingFacts *> started = detail::startDecoding(code);
  if (!started)
    return started.takeError();
  const DecodingFacts &facts = **started;
  const auto *bytes = reinterpret_cast<const unsigned char *>(code.code.data());
  const size_t size = code.code.size();
  int64_t extended = 0;  // what the EXTENDED_ARGs so far add to the argument
  uint32_t prefixes = 0; // EXTENDED_ARG units right before this one
  for (size_t i = 0; i < size;) {
    const uint8_t opcode = bytes[i];
    const ByteOpcode &byte = facts.bytes[opcode];
    if (!byte.info && unknown == UnknownOpcodes::AreErrors)
      return detail::unknownOpcode(code, uint32_t(i), opcode);
    DecodedInstruction ins;
    ins.offset = uint32_t(i);
    ins.opcode = opcode;
    ins.baseOpcode = byte.base;
    ins.info = byte.info;
    ins.cacheEntries = byte.cacheEntries;
    if (byte.takesArgument) {
      const int64_t arg = int64_t(bytes[i + 1]) | extended;
      ins.arg = arg;
      // Python's `arg << 8`, without overflow UB.
      extended = byte.isExtendedArg ? int64_t(uint64_t(arg) << 8) : 0;
      if (facts.signedArgument && extended >= (int64_t(1) << 31))
        extended -= int64_t(1) << 32;
    } else if (!facts.keepsExtendedArgument) {
      extended = 0;
    }
    if (byte.isExtendedArg) {
      ins.startOffset = ins.offset;
      ++prefixes;
    } else {
      ins.startOffset = ins.offset - 2 * prefixes;
      prefixes = 0;
    }
    if (byte.isJump && ins.arg)
      ins.jumpTarget =
          facts.table.rawJumpTarget(*byte.info, ins.offset, *ins.arg);
    onInstruction(static_cast<const DecodedInstruction &>(ins));
    i += 2 + 2 * size_t(byte.cacheEntries);
  }
  return Status::ok();
}

/// Every instruction of `code` (decodeBytecode with unknown opcodes kept).
/// Errors: unsupported version, odd length.
Expected<std::vector<DecodedInstruction>>
decodeInstructions(const CodeObject &code);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_FRONTEND_BYTECODEDECODER_H
