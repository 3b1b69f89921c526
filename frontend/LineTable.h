//===- frontend/LineTable.h - Line numbers and source positions -----------===//
//
// Decodes a code object's line information into what the interpreter itself
// reports, for every supported version:
//
//   3.8, 3.9   co_lnotab: (byte delta u8, line delta i8) pairs
//   3.10       co_linetable (PEP 626): (byte delta u8, line delta i8) pairs,
//              line delta -128 meaning "no line"
//   3.11+      the location table (PEP 657): entries of 1-8 code units with
//              start/end line and start/end column
//
// `ranges()` is co_lines(): address ranges in bytes with their line, split
// and merged exactly as that version's co_lines() does (3.11 yields one range
// per table entry; 3.10, 3.12 and 3.13 merge or skip as their C code does).
// 3.8 and 3.9 have no co_lines(); there the ranges are built from the line
// starts that dis.findlinestarts() reports, each running to the next start.
//
// `position(unit)` is co_positions() for one code unit: all four fields on
// 3.11+, only the line before. Units the table does not cover have no
// position, as CPython reports for them.
//
// Malformed tables (odd length, a truncated entry, an entry without its
// start marker, absurd varints) are an Error; nothing reads out of bounds.
// Tables that cover fewer or more units than the code are accepted, as
// CPython accepts them.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_FRONTEND_LINETABLE_H
#define BCC_FRONTEND_LINETABLE_H

#include <cstdint>
#include <optional>
#include <vector>

#include "ir/CodeObject.h"
#include "ir/PythonVersion.h"
#include "ir/SourceLocation.h"
#include "ir/Support.h"
#include "llvm/ADT/StringRef.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// One co_lines() item: bytes [start, end) of co_code and their line.
struct LineRange {
  uint32_t start = 0;
  uint32_t end = 0;
  std::optional<int32_t> line;
  bool operator==(const LineRange &o) const {
    return start == o.start && end == o.end && line == o.line;
  }
};

/// One co_positions() item. Any field may be absent.
struct SourcePosition {
  std::optional<int32_t> line;
  std::optional<int32_t> endLine;
  std::optional<int32_t> column;
  std::optional<int32_t> endColumn;
  bool operator==(const SourcePosition &o) const {
    return line == o.line && endLine == o.endLine && column == o.column &&
           endColumn == o.endColumn;
  }
};

class LineTable {
public:
  /// Decodes `code.lineTable` for `code.version`.
  static Expected<LineTable> decode(const CodeObject &code);
  /// Decodes a raw table: `table` is co_lnotab (3.8, 3.9) or co_linetable
  /// (3.10+), `codeBytes` is len(co_code).
  static Expected<LineTable> decode(PythonVersion version,
                                    llvm::StringRef table, int32_t firstLineNo,
                                    size_t codeBytes);

  /// co_positions() of every code unit the table covers, into `out` (whose
  /// storage a caller may reuse): what position() gives, without building
  /// co_lines(). Fails exactly where decode() does.
  static Status decodeLocations(const CodeObject &code,
                                std::vector<SourceLocation> &out);

  /// co_lines(), in address order.
  const std::vector<LineRange> &ranges() const { return ranges_; }

  /// co_positions() for the code unit at byte offset 2*unit; an empty
  /// position for units the table does not cover.
  SourcePosition position(size_t unit) const;
  /// Number of code units the table describes (may differ from the code's
  /// length for a hand-made table).
  size_t coveredUnits() const { return positions_.size(); }

  /// The line of the instruction at byte `offset`, if any.
  std::optional<int32_t> lineAt(uint32_t offset) const {
    return position(offset / 2).line;
  }

private:
  std::vector<LineRange> ranges_;
  std::vector<SourcePosition> positions_; // one per code unit
};

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_FRONTEND_LINETABLE_H
