//===- backend/Assembler.cpp - MachineCode to co_code ---------------------===//

#include "backend/Assembler.h"

namespace bcc {

namespace {
uint32_t prefixUnits(uint32_t arg) {
  return arg > 0xFFFFFF ? 3 : arg > 0xFFFF ? 2 : arg > 0xFF ? 1 : 0;
}
} // namespace

uint32_t instructionUnits(const OpcodeTable &table, uint8_t opcode,
                          uint32_t arg) {
  const OpcodeInfo *info = table.info(opcode);
  return 1 + prefixUnits(arg) + (info ? info->cacheEntries : 0);
}

Expected<AssembledCode> assemble(const OpcodeTable &table, MachineCode &code) {
  AssembledCode out;
  std::vector<MachineInstr> &instrs = code.instrs;
  size_t n = instrs.size();
  // Where the fixed point starts decides which one is reached when two
  // exist (a backward jump of 255 units without a prefix, or 256 with one).
  // 3.11 and 3.12 resolve jumps on the CFG starting from argument 0; 3.13
  // resolves them on the instruction sequence, where a jump's argument is
  // still its target's index.
  bool zeroStart = table.version().minor <= 12;
  for (size_t i = 0; i < n; ++i)
    if (instrs[i].target != MachineInstr::kNone)
      instrs[i].arg = zeroStart ? 0 : static_cast<uint32_t>(instrs[i].target);

  std::vector<uint32_t> &offsets = out.unitOffsets;
  offsets.resize(n + 1);
  bool changed = true;
  while (changed) {
    ++out.rounds;
    uint32_t total = 0;
    for (size_t i = 0; i < n; ++i) {
      offsets[i] = total;
      total += instructionUnits(table, instrs[i].opcode, instrs[i].arg);
    }
    offsets[n] = total;
    changed = false;
    for (size_t i = 0; i < n; ++i) {
      MachineInstr &in = instrs[i];
      if (in.target == MachineInstr::kNone)
        continue;
      uint32_t real = offsets[i] + prefixUnits(in.arg);
      std::optional<uint32_t> arg =
          table.jumpArgument(in.opcode, real * 2, offsets[in.target] * 2);
      if (!arg)
        return Error("instruction " + std::to_string(i) +
                     " cannot jump to instruction " +
                     std::to_string(in.target));
      if (prefixUnits(*arg) != prefixUnits(in.arg))
        changed = true;
      in.arg = *arg;
    }
  }

  std::string &bytes = out.code;
  bytes.assign(static_cast<size_t>(offsets[n]) * 2, '\0');
  uint8_t extendedArg = table.extendedArg();
  for (size_t i = 0; i < n; ++i) {
    const MachineInstr &in = instrs[i];
    char *p = &bytes[static_cast<size_t>(offsets[i]) * 2];
    uint32_t prefixes = prefixUnits(in.arg);
    for (uint32_t k = prefixes; k > 0; --k) {
      *p++ = static_cast<char>(extendedArg);
      *p++ = static_cast<char>((in.arg >> (8 * k)) & 0xFF);
    }
    *p++ = static_cast<char>(in.opcode);
    *p++ = static_cast<char>(in.arg & 0xFF);
    // CACHE units stay zero: CACHE is opcode 0 with argument 0.
  }
  return out;
}

} // namespace bcc
