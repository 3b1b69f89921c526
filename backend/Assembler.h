//===- backend/Assembler.h - MachineCode to co_code -----------------------===//
//
// Lays out instructions as wordcode: EXTENDED_ARG prefixes for wide
// arguments, zeroed CACHE units after each instruction that has them, and
// jump arguments resolved to a fixed point, as CPython's assembler does
// (an argument that grows past a byte grows its instruction, which moves
// later targets, so offsets are recomputed until no size changes). The
// start of the iteration is CPython's: 3.11 and 3.12 begin with every jump
// argument at 0, 3.13 with the index of the target instruction, which
// decides which fixed point is reached in rare cases (measured on the
// stdlib: either start alone loses a few code objects on the other
// versions).
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BACKEND_ASSEMBLER_H
#define BCC_BACKEND_ASSEMBLER_H

#include <cstdint>
#include <string>
#include <vector>

#include "backend/MachineCode.h"
#include "ir/Opcodes.h"
#include "ir/Support.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

struct AssembledCode {
  std::string code; ///< co_code
  /// First code unit of each instruction (its first EXTENDED_ARG), plus the
  /// total length in units as the last element.
  std::vector<uint32_t> unitOffsets;
  /// Rounds of the jump fixed point (1 when no argument changed size).
  unsigned rounds = 0;
};

/// Code units an instruction with argument `arg` takes, prefixes and
/// caches included.
uint32_t instructionUnits(const OpcodeTable &table, uint8_t opcode,
                          uint32_t arg);

/// Assembles `code`, writing the resolved jump arguments back into it. A
/// jump whose opcode cannot reach its target (a forward-only jump pointing
/// backwards) is an Error.
Expected<AssembledCode> assemble(const OpcodeTable &table, MachineCode &code);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_BACKEND_ASSEMBLER_H
