//===- backend/ExceptionTableBuilder.h - co_exceptiontable from handlers --===//
//
// Builds the 3.11+ exception table as CPython's assemble_exception_table
// does: walking the instructions in layout order, every maximal run of
// instructions covered by the same handler (target, depth, lasti) becomes
// one entry; uncovered instructions get none. Entries are written as four
// big-endian 6-bit varints (start, length, target in code units;
// depth << 1 | lasti), bit 7 marking an entry's first byte.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BACKEND_EXCEPTIONTABLEBUILDER_H
#define BCC_BACKEND_EXCEPTIONTABLEBUILDER_H

#include <cstdint>
#include <string>
#include <vector>

#include "backend/MachineCode.h"
#include "llvm/ADT/ArrayRef.h"

namespace bcc {

/// One table entry, in code units.
struct ExceptionRange {
  uint32_t startUnit = 0;
  uint32_t endUnit = 0;
  uint32_t targetUnit = 0;
  uint32_t depth = 0;
  bool lasti = false;
};

/// Appends one entry to `out` in the table's format.
void writeExceptionRange(std::string &out, const ExceptionRange &range);

/// The table for `code` once assembled: `unitOffsets[i]` is the first code
/// unit of instruction i (its first EXTENDED_ARG), with one extra element,
/// the code's length in units.
std::string buildExceptionTable(const MachineCode &code,
                                llvm::ArrayRef<uint32_t> unitOffsets);

} // namespace bcc

#endif // BCC_BACKEND_EXCEPTIONTABLEBUILDER_H
