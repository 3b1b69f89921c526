//===- ir/SourceLocation.h - Where an instruction came from in the source -===//
//
// What co_positions() says about one instruction: start line, end line,
// start column, end column, each of which may be absent. An instruction
// with all four absent has no location (PEP 657's "no location" entry, or
// an instruction a pass made up). 3.8-3.10 code only has lines.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_SOURCELOCATION_H
#define BCC_IR_SOURCELOCATION_H

#include <climits>
#include <cstdint>
#include <optional>

namespace bcc {

struct SourceLocation {
  /// Marks an absent field.
  static constexpr int32_t kAbsent = INT32_MIN;

  int32_t line = kAbsent;
  int32_t endLine = kAbsent;
  int32_t column = kAbsent;
  int32_t endColumn = kAbsent;

  static SourceLocation none() { return {}; }
  static SourceLocation lineOnly(int32_t line) {
    SourceLocation loc;
    loc.line = line;
    return loc;
  }
  static SourceLocation span(int32_t line, int32_t column, int32_t endLine,
                             int32_t endColumn) {
    SourceLocation loc;
    loc.line = line;
    loc.column = column;
    loc.endLine = endLine;
    loc.endColumn = endColumn;
    return loc;
  }
  static SourceLocation fromOptionals(std::optional<int32_t> line,
                                      std::optional<int32_t> endLine,
                                      std::optional<int32_t> column,
                                      std::optional<int32_t> endColumn) {
    SourceLocation loc;
    loc.line = line.value_or(kAbsent);
    loc.endLine = endLine.value_or(kAbsent);
    loc.column = column.value_or(kAbsent);
    loc.endColumn = endColumn.value_or(kAbsent);
    return loc;
  }

  /// All four fields absent.
  bool isNone() const {
    return line == kAbsent && endLine == kAbsent && column == kAbsent &&
           endColumn == kAbsent;
  }
  static std::optional<int32_t> field(int32_t v) {
    if (v == kAbsent)
      return std::nullopt;
    return v;
  }
  std::optional<int32_t> getLine() const { return field(line); }
  std::optional<int32_t> getEndLine() const { return field(endLine); }
  std::optional<int32_t> getColumn() const { return field(column); }
  std::optional<int32_t> getEndColumn() const { return field(endColumn); }

  bool operator==(const SourceLocation &o) const {
    return line == o.line && endLine == o.endLine && column == o.column &&
           endColumn == o.endColumn;
  }
  bool operator!=(const SourceLocation &o) const { return !(*this == o); }
};

} // namespace bcc

#endif // BCC_IR_SOURCELOCATION_H
