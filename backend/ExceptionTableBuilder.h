//===- backend/ExceptionTableBuilder.h - co_exceptiontable from handlers --===//
//
// Builds the 3.11+ exception table as CPython's assemble_exception_table
// does: walking the instructions in layout order, every maximal run of
// instructions covered by the same handler (target, depth, lasti) becomes
// one entry; uncovered instructions get none. The entries' byte format is
// ir/ExceptionTableFormat.h, shared with the frontend's reader.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BACKEND_EXCEPTIONTABLEBUILDER_H
#define BCC_BACKEND_EXCEPTIONTABLEBUILDER_H

#include <cstdint>
#include <string>
#include <vector>

#include "backend/MachineCode.h"
#include "ir/ExceptionTableFormat.h"
#include "llvm/ADT/ArrayRef.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// The table for `code` once assembled: `unitOffsets[i]` is the first code
/// unit of instruction i (its first EXTENDED_ARG), with one extra element,
/// the code's length in units.
std::string buildExceptionTable(const MachineCode &code,
                                llvm::ArrayRef<uint32_t> unitOffsets);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_BACKEND_EXCEPTIONTABLEBUILDER_H
