//===- backend/ExceptionTableBuilder.cpp - co_exceptiontable --------------===//

#include "backend/ExceptionTableBuilder.h"

namespace bcc {

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
    bool same =
        handler == current || (handler && current && *handler == *current);
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
