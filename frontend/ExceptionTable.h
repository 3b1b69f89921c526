//===- frontend/ExceptionTable.h - The 3.11+ exception table --------------===//
//
// From 3.11 on, a code object's `co_exceptiontable` maps ranges of
// instructions to their handlers (the byte format: ir/ExceptionTableFormat.h,
// shared with the backend's writer).
//
// Entries here use byte offsets into co_code, like `dis` shows them:
// `start` inclusive, `end` exclusive. Decoding checks the format only;
// `validateExceptionTable` also checks the entries against the code.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_FRONTEND_EXCEPTIONTABLE_H
#define BCC_FRONTEND_EXCEPTIONTABLE_H

#include <cstdint>
#include <string>
#include <vector>

#include "ir/Support.h"
#include "llvm/ADT/StringRef.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

struct ExceptionTableEntry {
  uint32_t start = 0;  // byte offset of the first covered instruction
  uint32_t end = 0;    // byte offset just past the last covered one
  uint32_t target = 0; // byte offset of the handler
  uint32_t depth = 0;  // stack depth the handler unwinds to
  bool lasti = false;  // push the raising instruction's offset first
  bool operator==(const ExceptionTableEntry &o) const {
    return start == o.start && end == o.end && target == o.target &&
           depth == o.depth && lasti == o.lasti;
  }
};

/// Decodes a whole table. A truncated entry, a missing or misplaced entry
/// marker, or a value that does not fit in 32 bits is an Error whose offset
/// is in the table.
Expected<std::vector<ExceptionTableEntry>>
decodeExceptionTable(llvm::StringRef table);

/// Checks decoded entries against code of `codeBytes` bytes: each range is
/// non-empty and inside the code, and each target is inside the code.
Status validateExceptionTable(const std::vector<ExceptionTableEntry> &entries,
                              size_t codeBytes);

/// Encodes entries as CPython writes them (the inverse of decoding; offsets
/// must be even).
std::string
encodeExceptionTable(const std::vector<ExceptionTableEntry> &entries);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_FRONTEND_EXCEPTIONTABLE_H
