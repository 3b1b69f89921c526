//===- frontend/LineTable.cpp - Line numbers and source positions ---------===//
//
// One decoder per table format. Each follows the CPython routine named in
// its comment; the references are to Objects/codeobject.c of that version
// and to Lib/dis.py (3.8, 3.9).
//
//===----------------------------------------------------------------------===//

#include "frontend/LineTable.h"

#include <string>

namespace bcc {

namespace {

/// Lines and columns are C ints in CPython; we refuse varints that would not
/// fit rather than reproduce the overflow.
constexpr unsigned kMaxVarintShift = 30;

Error tableError(const std::string &what, size_t offset) {
  return Error("malformed line table: " + what, offset);
}

/// Builds the per-unit line view of ranges that carry only lines.
std::vector<SourcePosition>
positionsFromRanges(const std::vector<LineRange> &ranges) {
  std::vector<SourcePosition> positions;
  for (const LineRange &r : ranges) {
    // A unit belongs to the range that holds its first byte.
    for (uint32_t unit = (r.start + 1) / 2; 2 * unit < r.end; ++unit) {
      if (positions.size() <= unit)
        positions.resize(unit + 1);
      positions[unit].line = r.line;
    }
  }
  return positions;
}

//===----------------------------------------------------------------------===//
// 3.8, 3.9: co_lnotab, read as dis.findlinestarts() reads it
//===----------------------------------------------------------------------===//

Expected<std::vector<LineRange>>
decodeLnotab(llvm::StringRef table, int32_t firstLineNo, size_t codeBytes) {
  if (table.size() % 2)
    return tableError("co_lnotab has odd length " +
                          std::to_string(table.size()),
                      table.size() - 1);
  std::vector<std::pair<uint32_t, int32_t>> starts;
  std::optional<int32_t> lastLine;
  int64_t line = firstLineNo;
  uint64_t addr = 0;
  bool pastEnd = false;
  for (size_t i = 0; i < table.size(); i += 2) {
    unsigned byteIncr = (unsigned char)table[i];
    int lineIncr = (signed char)table[i + 1];
    if (byteIncr) {
      if (line != lastLine) {
        starts.emplace_back(uint32_t(addr), int32_t(line));
        lastLine = int32_t(line);
      }
      addr += byteIncr;
      if (addr >= codeBytes) {
        // The rest describes lines that were optimized away.
        pastEnd = true;
        break;
      }
    }
    line += lineIncr;
    if (line < INT32_MIN || line > INT32_MAX)
      return tableError("line number out of range", i + 1);
  }
  if (!pastEnd && line != lastLine)
    starts.emplace_back(uint32_t(addr), int32_t(line));

  std::vector<LineRange> ranges;
  for (size_t i = 0; i < starts.size(); ++i) {
    uint32_t end =
        i + 1 < starts.size()
            ? starts[i + 1].first
            : uint32_t(std::max<uint64_t>(codeBytes, starts[i].first));
    ranges.push_back({starts[i].first, end, starts[i].second});
  }
  return ranges;
}

//===----------------------------------------------------------------------===//
// 3.10: PEP 626 co_linetable (PyLineTable_NextAddressRange)
//===----------------------------------------------------------------------===//

Expected<std::vector<LineRange>> decodeLinetable310(llvm::StringRef table,
                                                    int32_t firstLineNo) {
  if (table.size() % 2)
    return tableError("co_linetable has odd length " +
                          std::to_string(table.size()),
                      table.size() - 1);
  std::vector<LineRange> ranges;
  int64_t computedLine = firstLineNo;
  uint32_t end = 0;
  for (size_t i = 0; i < table.size(); i += 2) {
    unsigned delta = (unsigned char)table[i];
    int lineDelta = (signed char)table[i + 1];
    uint32_t start = end;
    end += delta;
    std::optional<int32_t> line;
    if (lineDelta != -128) {
      computedLine += lineDelta;
      if (computedLine < INT32_MIN || computedLine > INT32_MAX)
        return tableError("line number out of range", i + 1);
      line = int32_t(computedLine);
    }
    // co_lines() skips empty ranges: they only adjust the line.
    if (start != end)
      ranges.push_back({start, end, line});
  }
  return ranges;
}

//===----------------------------------------------------------------------===//
// 3.11+: PEP 657 location table (advance_with_locations)
//===----------------------------------------------------------------------===//

enum LocationCode : unsigned {
  kOneLine0 = 10,
  kOneLine1 = 11,
  kOneLine2 = 12,
  kNoColumns = 13,
  kLong = 14,
  kNone = 15,
};

class LocationReader {
public:
  explicit LocationReader(llvm::StringRef table) : table(table) {}

  bool atEnd() const { return pos >= table.size(); }
  size_t offset() const { return pos; }

  Expected<unsigned> byte() {
    if (atEnd())
      return tableError("location entry is truncated", pos);
    return (unsigned char)table[pos++];
  }

  /// Little-endian 6-bit chunks, 0x40 = more (read_varint).
  Expected<uint32_t> varint() {
    size_t at = pos;
    uint32_t value = 0;
    for (unsigned shift = 0;; shift += 6) {
      if (shift > kMaxVarintShift)
        return tableError("varint too large", at);
      auto b = byte();
      if (!b)
        return b.takeError();
      if (*b & 0x80)
        return tableError("location entry is truncated", pos - 1);
      value |= uint32_t(*b & 63) << shift;
      if (!(*b & 64))
        return value;
    }
  }

  /// Zig-zag-like signed varint (read_signed_varint).
  Expected<int32_t> signedVarint() {
    auto u = varint();
    if (!u)
      return u.takeError();
    return (*u & 1) ? -int32_t(*u >> 1) : int32_t(*u >> 1);
  }

private:
  llvm::StringRef table;
  size_t pos = 0;
};

/// Walks the entries of a location table, calling `sink(units, position)`
/// for each: a template so that each caller's sink is inlined and no list
/// of entries is built.
template <typename Sink>
Status walkLocations(llvm::StringRef table, int32_t firstLineNo, Sink &&sink) {
  LocationReader in(table);
  int64_t computedLine = firstLineNo;
  auto checkLine = [&](size_t at) -> Status {
    if (computedLine < INT32_MIN || computedLine > INT32_MAX)
      return tableError("line number out of range", at);
    return Status::ok();
  };
  while (!in.atEnd()) {
    size_t at = in.offset();
    unsigned first = *in.byte();
    if (!(first & 0x80))
      return tableError("location entry does not start with a marker byte", at);
    unsigned code = (first >> 3) & 15;
    uint32_t units = (first & 7) + 1;
    SourcePosition p;
    switch (code) {
    case kNone:
      break;
    case kLong: {
      auto lineDelta = in.signedVarint();
      if (!lineDelta)
        return lineDelta.takeError();
      computedLine += *lineDelta;
      if (Status s = checkLine(at); !s)
        return s.error();
      auto endDelta = in.varint();
      if (!endDelta)
        return endDelta.takeError();
      auto col = in.varint();
      if (!col)
        return col.takeError();
      auto endCol = in.varint();
      if (!endCol)
        return endCol.takeError();
      p.line = int32_t(computedLine);
      int64_t endLine = computedLine + *endDelta;
      if (endLine > INT32_MAX)
        return tableError("end line out of range", at);
      // CPython keeps -1 for "none" in a C int and converts it to None.
      if (endLine != -1)
        p.endLine = int32_t(endLine);
      if (*col != 0)
        p.column = int32_t(*col) - 1;
      if (*endCol != 0)
        p.endColumn = int32_t(*endCol) - 1;
      break;
    }
    case kNoColumns: {
      auto lineDelta = in.signedVarint();
      if (!lineDelta)
        return lineDelta.takeError();
      computedLine += *lineDelta;
      if (Status s = checkLine(at); !s)
        return s.error();
      p.line = p.endLine = int32_t(computedLine);
      break;
    }
    case kOneLine0:
    case kOneLine1:
    case kOneLine2: {
      computedLine += code - kOneLine0;
      if (Status s = checkLine(at); !s)
        return s.error();
      auto col = in.byte();
      if (!col)
        return col.takeError();
      auto endCol = in.byte();
      if (!endCol)
        return endCol.takeError();
      if ((*col & 0x80) || (*endCol & 0x80))
        return tableError("location entry is truncated", at);
      p.line = p.endLine = int32_t(computedLine);
      p.column = int32_t(*col);
      p.endColumn = int32_t(*endCol);
      break;
    }
    default: { // short forms 0-9: same line, column in 7 bits
      auto second = in.byte();
      if (!second)
        return second.takeError();
      if (*second & 0x80)
        return tableError("location entry is truncated", at);
      p.line = p.endLine = int32_t(computedLine);
      p.column = int32_t((code << 3) | (*second >> 4));
      p.endColumn = *p.column + int32_t(*second & 15);
      break;
    }
    }
    // -1 stands for "none" in CPython's C ints.
    for (std::optional<int32_t> *field :
         {&p.line, &p.endLine, &p.column, &p.endColumn})
      if (*field == -1)
        field->reset();
    sink(units, p);
  }
  return Status::ok();
}

/// walkLocations() into SourceLocations for a well-formed table, without
/// Expected or optionals on the way: the lifter decodes every code
/// object's table. Returns false at anything walkLocations() would report,
/// leaving `out` partly filled; the caller then walks the table again for
/// the error.
bool fastLocations(llvm::StringRef table, int32_t firstLineNo,
                   std::vector<SourceLocation> &out) {
  const auto *p = reinterpret_cast<const uint8_t *>(table.data());
  const uint8_t *const end = p + table.size();
  // read_varint; false where LocationReader::varint() fails.
  auto varint = [&](uint32_t &value) {
    value = 0;
    for (unsigned shift = 0;; shift += 6) {
      if (shift > kMaxVarintShift || p == end || (*p & 0x80))
        return false;
      unsigned b = *p++;
      value |= uint32_t(b & 63) << shift;
      if (!(b & 64))
        return true;
    }
  };
  auto signedVarint = [&](int32_t &value) {
    uint32_t u;
    if (!varint(u))
      return false;
    value = (u & 1) ? -int32_t(u >> 1) : int32_t(u >> 1);
    return true;
  };
  auto inRange = [](int64_t line) {
    return line >= INT32_MIN && line <= INT32_MAX;
  };
  // CPython keeps -1 for "none" in its C ints.
  auto field = [](int64_t value) {
    return value == -1 ? SourceLocation::kAbsent : int32_t(value);
  };
  int64_t computedLine = firstLineNo;
  while (p != end) {
    unsigned first = *p++;
    if (!(first & 0x80))
      return false;
    unsigned code = (first >> 3) & 15;
    uint32_t units = (first & 7) + 1;
    SourceLocation loc;
    switch (code) {
    case kNone:
      break;
    case kLong: {
      int32_t lineDelta;
      uint32_t endDelta, col, endCol;
      if (!signedVarint(lineDelta))
        return false;
      computedLine += lineDelta;
      if (!inRange(computedLine) || !varint(endDelta) || !varint(col) ||
          !varint(endCol))
        return false;
      int64_t endLine = computedLine + endDelta;
      if (endLine > INT32_MAX)
        return false;
      loc.line = field(computedLine);
      loc.endLine = field(endLine);
      if (col != 0)
        loc.column = field(int64_t(col) - 1);
      if (endCol != 0)
        loc.endColumn = field(int64_t(endCol) - 1);
      break;
    }
    case kNoColumns: {
      int32_t lineDelta;
      if (!signedVarint(lineDelta))
        return false;
      computedLine += lineDelta;
      if (!inRange(computedLine))
        return false;
      loc.line = loc.endLine = field(computedLine);
      break;
    }
    case kOneLine0:
    case kOneLine1:
    case kOneLine2:
      computedLine += code - kOneLine0;
      if (!inRange(computedLine) || end - p < 2 || ((p[0] | p[1]) & 0x80))
        return false;
      loc.line = loc.endLine = field(computedLine);
      loc.column = p[0];
      loc.endColumn = p[1];
      p += 2;
      break;
    default: // short forms 0-9: same line, column in 7 bits
      if (p == end || (*p & 0x80))
        return false;
      loc.line = loc.endLine = field(computedLine);
      loc.column = int32_t((code << 3) | (*p >> 4));
      loc.endColumn = loc.column + int32_t(*p & 15);
      ++p;
      break;
    }
    // Not insert(end, units, loc): its general path costs more than these
    // one to eight copies.
    for (uint32_t k = 0; k < units; ++k)
      out.push_back(loc);
  }
  return true;
}

} // namespace

Expected<LineTable> LineTable::decode(const CodeObject &code) {
  return decode(code.version, code.lineTable, code.firstLineNo,
                code.code.size());
}

Expected<LineTable> LineTable::decode(PythonVersion version,
                                      llvm::StringRef table,
                                      int32_t firstLineNo, size_t codeBytes) {
  LineTable result;
  if (!version.atLeast(3, 10)) {
    auto ranges = decodeLnotab(table, firstLineNo, codeBytes);
    if (!ranges)
      return ranges.takeError();
    result.ranges_ = std::move(*ranges);
    result.positions_ = positionsFromRanges(result.ranges_);
    return result;
  }
  if (!version.atLeast(3, 11)) {
    auto ranges = decodeLinetable310(table, firstLineNo);
    if (!ranges)
      return ranges.takeError();
    result.ranges_ = std::move(*ranges);
    result.positions_ = positionsFromRanges(result.ranges_);
    return result;
  }

  // 3.12 and later merge consecutive ranges with the same line in
  // co_lines(); 3.11 yields one range per entry.
  bool merge = version.atLeast(3, 12);
  result.positions_.reserve(codeBytes / 2);
  uint32_t unit = 0;
  Status status = walkLocations(
      table, firstLineNo, [&](uint32_t units, const SourcePosition &position) {
        LineRange r{2 * unit, 2 * (unit + units), position.line};
        if (merge && !result.ranges_.empty() &&
            result.ranges_.back().line == r.line)
          result.ranges_.back().end = r.end;
        else
          result.ranges_.push_back(r);
        result.positions_.insert(result.positions_.end(), units, position);
        unit += units;
      });
  if (!status)
    return status.error();
  return result;
}

Status LineTable::decodeLocations(const CodeObject &code,
                                  std::vector<SourceLocation> &out) {
  out.clear();
  if (!code.version.atLeast(3, 11)) {
    Expected<LineTable> lines = decode(code);
    if (!lines)
      return lines.takeError();
    for (const SourcePosition &p : lines->positions_)
      out.push_back(SourceLocation::fromOptionals(p.line, p.endLine, p.column,
                                                  p.endColumn));
    return Status::ok();
  }
  out.reserve(code.codeUnits());
  if (fastLocations(code.lineTable, code.firstLineNo, out))
    return Status::ok();
  // Something is wrong with the table: the exact walk says what.
  out.clear();
  return walkLocations(
      code.lineTable, code.firstLineNo,
      [&](uint32_t units, const SourcePosition &p) {
        out.insert(out.end(), units,
                   SourceLocation::fromOptionals(p.line, p.endLine, p.column,
                                                 p.endColumn));
      });
}

SourcePosition LineTable::position(size_t unit) const {
  return unit < positions_.size() ? positions_[unit] : SourcePosition();
}

} // namespace bcc
