//===- frontend/BytecodeCFG.h - Instructions and blocks of bytecode -*- C++
//-*-===//
//
// The first half of lifting (frontend/Lifter.h): a 3.11+ code object's
// instructions, decoded by decodeBytecode() (frontend/BytecodeDecoder.h)
// with EXTENDED_ARG folded and caches skipped, with jump targets and
// exception-table entries resolved to instruction indices, and split into
// basic blocks. A block starts at offset 0, at
// every jump target and handler, at every exception-table boundary (so all
// instructions of a block share one handler) and after every jump or frame
// exit. Blocks are in offset order.
//
// One BytecodeCFG is reused for every code object of a module, so its
// storage is allocated once.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_FRONTEND_BYTECODECFG_H
#define BCC_FRONTEND_BYTECODECFG_H

#include <cstdint>
#include <string>
#include <vector>

#include "frontend/ExceptionTable.h"
#include "ir/CodeObject.h"
#include "ir/Opcodes.h"
#include "ir/Support.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// "code object 'QUALNAME', offset N: MESSAGE", the form of every lifting
/// error.
Error liftError(const CodeObject &code, uint32_t offset,
                const std::string &message);

struct BytecodeInstruction {
  uint32_t offset;      ///< of its own code unit (after EXTENDED_ARGs)
  uint32_t start;       ///< of its first EXTENDED_ARG (where jumps land)
  uint32_t arg;         ///< folded; 0 without argument
  int32_t target = -1;  ///< index of the instruction a jump goes to
  int32_t handler = -1; ///< index of the exception-table entry covering it
  uint8_t opcode;       ///< the real (base) opcode
  const OpcodeInfo *info;
};

struct BytecodeBlock {
  uint32_t first = 0, end = 0; ///< instruction indices [first, end)
  int32_t handler = -1;        ///< exception-table entry of all of them
};

class BytecodeCFG {
public:
  /// Decodes `code` and finds its blocks. Errors: undecodable code, an
  /// unknown opcode, a jump that lands outside the code or inside an
  /// instruction, an exception table that does not fit the instructions.
  Status build(const CodeObject &code, const OpcodeTable &table);

  std::vector<BytecodeInstruction> instructions;
  /// The exception table, sorted by start.
  std::vector<ExceptionTableEntry> handlers;
  std::vector<BytecodeBlock> blocks;

  /// The block that starts at instruction `index`; -1 if none does.
  int32_t blockAt(uint32_t index) const { return blockAtInstruction_[index]; }
  /// The instruction starting (with its prefixes) at byte `offset`; the
  /// number of instructions for the end of the code; -1 otherwise.
  int32_t instructionAt(uint64_t offset) const;

  std::string opname(const BytecodeInstruction &inst) const {
    return inst.info ? inst.info->name
                     : "opcode " + std::to_string(inst.opcode);
  }

private:
  Status decode(const CodeObject &code, const OpcodeTable &table);
  Status findBlocks(const CodeObject &code);

  size_t codeBytes_ = 0;
  std::vector<int32_t> instructionAtUnit_;
  std::vector<int32_t> blockAtInstruction_;
  std::vector<uint8_t> leader_;
  /// decode()'s jumps: instruction index and target byte offset.
  std::vector<std::pair<uint32_t, int64_t>> jumps_;
};

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_FRONTEND_BYTECODECFG_H
