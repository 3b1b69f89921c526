//===- backend/MachineCode.h - Instructions ready to be assembled ---------===//
//
// The backend's last representation before bytes: a flat sequence of real
// CPython instructions in layout order, each with its opcode, argument,
// source location and (for jumps) the index of the instruction it jumps to,
// plus the exception handler that covers it. EXTENDED_ARG prefixes and
// CACHE units are not in the sequence: the assembler adds them.
//
// Every encoder of the backend works on this form (Assembler, StackDepth,
// LocationTableEncoder, ExceptionTableBuilder), so each can be checked on
// instructions decoded from real code objects before any IR exists.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BACKEND_MACHINECODE_H
#define BCC_BACKEND_MACHINECODE_H

#include <cstdint>
#include <vector>

#include "ir/SourceLocation.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// Where an exception raised inside a covered instruction goes.
struct ExceptionHandler {
  uint32_t target = 0; ///< index of the handler's first instruction
  uint32_t depth = 0;  ///< stack depth the handler unwinds to
  bool lasti = false;  ///< push the raising instruction's offset first
  bool operator==(const ExceptionHandler &o) const {
    return target == o.target && depth == o.depth && lasti == o.lasti;
  }
};

struct MachineInstr {
  static constexpr int32_t kNone = -1;
  uint8_t opcode = 0;
  /// A LOAD_FAST[_LOAD_FAST] that must keep its own reference
  /// (Instruction::isStrongLoad): borrowLoads() leaves it.
  bool strong = false;
  /// The argument; for a jump the assembler computes it from `target`.
  uint32_t arg = 0;
  /// For a jump, the index of the target instruction; kNone otherwise.
  int32_t target = kNone;
  /// Index into MachineCode::handlers, or kNone when nothing covers it.
  int32_t handler = kNone;
  SourceLocation location;
};

struct MachineCode {
  std::vector<MachineInstr> instrs;
  std::vector<ExceptionHandler> handlers;
};

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_BACKEND_MACHINECODE_H
