//===- ir/ExceptionTableFormat.h - co_exceptiontable's byte format --------===//
//
// The encoding of the 3.11+ exception table, shared by its reader
// (frontend/ExceptionTable) and its writer (backend/ExceptionTableBuilder).
// Each entry is four varints: start, length and target, in code units, and
// (depth << 1) | lasti. A varint is big-endian in 6-bit chunks, 0x40 meaning
// "more follows"; bit 0x80 marks the first byte of each entry, and no other
// (CPython's InternalDocs/exception_handling.md).
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_EXCEPTIONTABLEFORMAT_H
#define BCC_IR_EXCEPTIONTABLEFORMAT_H

#include <cstddef>
#include <cstdint>
#include <string>

#include "ir/Support.h"
#include "llvm/ADT/StringRef.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// One table entry, in code units: [startUnit, endUnit) goes to targetUnit.
struct ExceptionRange {
  uint32_t startUnit = 0;
  uint32_t endUnit = 0;
  uint32_t targetUnit = 0;
  uint32_t depth = 0; // stack depth the handler unwinds to
  bool lasti = false; // push the raising instruction's offset first
};

/// Appends one entry to `out` (endUnit >= startUnit; depth < 2**31).
void writeExceptionRange(std::string &out, const ExceptionRange &range);

/// Reads the entry that starts at `pos` and moves `pos` past it. A truncated
/// entry, a missing or misplaced entry marker, or a value that does not fit
/// in 32 bits is an Error whose offset is in the table.
Expected<ExceptionRange> readExceptionRange(llvm::StringRef table, size_t &pos);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_IR_EXCEPTIONTABLEFORMAT_H
