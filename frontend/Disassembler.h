//===- frontend/Disassembler.h - Bytecode decoding and `dis` output -------===//
//
// Two layers:
//
//   decodeInstructions()  walks co_code the way the version's `dis` does:
//                         every EXTENDED_ARG prefix is an instruction of its
//                         own carrying the argument accumulated so far,
//                         inline CACHE units are skipped, and each jump gets
//                         its target as a byte offset. Unknown opcodes are
//                         kept (info == nullptr), never an error.
//
//   disassemble()         prints a code object and, recursively, the code
//                         objects in its co_consts exactly as
//                         `python3.X -m dis SOURCE.py` prints the module of
//                         version 3.X (3.8-3.13): line numbers, `>>` jump
//                         markers or 3.13 labels, offsets, opnames,
//                         arguments and their reprs, and the 3.11+ exception
//                         table. Only the addresses in code object reprs
//                         differ: they are made up, one per code object in
//                         printing order (see ir/PyRepr.h).
//
// Bad input never crashes. A table that cannot be decoded (line table,
// exception table) or co_code of odd length is an Error. Within otherwise
// readable code, an argument that indexes past its table is printed as
// `<bad const index 7>` (dis itself would stop with IndexError there), and
// unknown opcodes print as `<N>` the way dis names them.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_FRONTEND_DISASSEMBLER_H
#define BCC_FRONTEND_DISASSEMBLER_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/CodeObject.h"
#include "ir/Opcodes.h"
#include "ir/Support.h"

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

/// Decodes co_code of `code`. Errors: unsupported version, odd length.
Expected<std::vector<DecodedInstruction>>
decodeInstructions(const CodeObject &code);

struct DisOptions {
  /// Also print the code objects found in co_consts, recursively, each
  /// after a blank line and "Disassembly of <code object ...>:", as
  /// dis.dis(code) does.
  bool recursive = true;
  /// 3.13's `-O/--show-offsets`. Earlier versions always show offsets.
  bool showOffsets = false;
};

/// The text `python3.X -m dis` prints for a module whose code is `module`,
/// for the version of `module`.
Expected<std::string> disassemble(const CodeObject &module,
                                  const DisOptions &opts = {});

} // namespace bcc

#endif // BCC_FRONTEND_DISASSEMBLER_H
