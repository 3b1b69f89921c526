//===- backend/ExceptionTableBuilder.cpp - co_exceptiontable --------------===//

#include "backend/ExceptionTableBuilder.h"

namespace bcc {

namespace {
void writeVarint(std::string &out, uint32_t value, bool entryStart) {
  // Big-endian 6-bit chunks; 0x40 on every chunk but the last.
  char chunks[6];
  int n = 0;
  do {
    chunks[n++] = static_cast<char>(value & 63);
    value >>= 6;
  } while (value);
  for (int i = n - 1; i >= 0; --i) {
    char byte = chunks[i];
    if (i)
      byte = static_cast<char>(byte | 0x40);
    if (entryStart && i == n - 1)
      byte = static_cast<char>(byte | 0x80);
    out.push_back(byte);
  }
}
} // namespace

void writeExceptionRange(std::string &out, const ExceptionRange &range) {
  writeVarint(out, range.startUnit, /*entryStart=*/true);
  writeVarint(out, range.endUnit - range.startUnit, false);
  writeVarint(out, range.targetUnit, false);
  writeVarint(out, (range.depth << 1) | (range.lasti ? 1u : 0u), false);
}

std::string buildExceptionTable(const MachineCode &code,
                                llvm::ArrayRef<uint32_t> unitOffsets) {
  std::string out;
  const ExceptionHandler *current = nullptr;
  uint32_t runStart = 0;
  auto flush = [&](uint32_t end) {
    if (!current || end == runStart)
      return;
    ExceptionRange r;
    r.startUnit = runStart;
    r.endUnit = end;
    r.targetUnit = unitOffsets[current->target];
    r.depth = current->depth;
    r.lasti = current->lasti;
    writeExceptionRange(out, r);
  };
  for (size_t i = 0; i < code.instrs.size(); ++i) {
    int32_t h = code.instrs[i].handler;
    const ExceptionHandler *handler =
        h == MachineInstr::kNone ? nullptr : &code.handlers[h];
    bool same = handler == current ||
                (handler && current && *handler == *current);
    if (same)
      continue;
    flush(unitOffsets[i]);
    current = handler;
    runStart = unitOffsets[i];
  }
  flush(unitOffsets[code.instrs.size()]);
  return out;
}

} // namespace bcc
