//===- backend/LocationTableEncoder.cpp - The PEP 657 location table ------===//
//
// Mirrors write_location_info_entry and its helpers in CPython's
// Python/compile.c (3.11) and Python/assemble.c (3.12, 3.13); the format is
// in the bytecode reference, section 4.3.
//
//===----------------------------------------------------------------------===//

#include "backend/LocationTableEncoder.h"

namespace bcc {

namespace {
enum : unsigned {
  kOneLine0 = 10,
  kNoColumn = 13,
  kLong = 14,
  kNone = 15,
};
constexpr int32_t kAbsent = SourceLocation::kAbsent;
} // namespace

LocationTableEncoder::LocationTableEncoder(PythonVersion version,
                                           int32_t firstLineNo)
    : mergeRuns_(version.minor >= 12), previousLine_(firstLineNo) {}

void LocationTableEncoder::addInstruction(const SourceLocation &location,
                                          uint32_t units) {
  if (mergeRuns_ && runUnits_ && location == runLocation_) {
    runUnits_ += units;
    return;
  }
  writeRun(runLocation_, runUnits_);
  runLocation_ = location;
  runUnits_ = units;
}

std::string LocationTableEncoder::finish() {
  writeRun(runLocation_, runUnits_);
  runUnits_ = 0;
  std::string table(out_.begin(), out_.end());
  out_.clear();
  return table;
}

void LocationTableEncoder::writeRun(const SourceLocation &location,
                                    uint32_t units) {
  while (units > 8) {
    writeEntry(location, 8);
    units -= 8;
  }
  if (units)
    writeEntry(location, units);
}

char *LocationTableEncoder::writeFirst(char *p, unsigned code,
                                       uint32_t units) {
  *p++ = static_cast<char>(0x80 | (code << 3) | (units - 1));
  return p;
}

char *LocationTableEncoder::writeVarint(char *p, uint32_t value) {
  while (value >= 64) {
    *p++ = static_cast<char>(0x40 | (value & 63));
    value >>= 6;
  }
  *p++ = static_cast<char>(value);
  return p;
}

char *LocationTableEncoder::writeSignedVarint(char *p, int32_t value) {
  uint32_t mapped = value < 0 ? ((0u - static_cast<uint32_t>(value)) << 1) | 1
                              : static_cast<uint32_t>(value) << 1;
  return writeVarint(p, mapped);
}

void LocationTableEncoder::writeEntry(const SourceLocation &loc,
                                      uint32_t units) {
  // Written in place, with room for the longest entry made first.
  size_t start = out_.size();
  out_.resize_for_overwrite(start + kMaxEntryBytes);
  char *p = out_.data() + start;
  // CPython's location uses -1 for an absent field; a location without a
  // line is "no location" whatever the other fields say.
  bool noLine = loc.line == kAbsent || loc.line < 0;
  int32_t lineDelta = noLine ? 0 : loc.line - previousLine_;
  int32_t column = loc.column == kAbsent ? -1 : loc.column;
  int32_t endColumn = loc.endColumn == kAbsent ? -1 : loc.endColumn;
  int32_t endLine = loc.endLine == kAbsent ? -1 : loc.endLine;
  if (noLine) {
    p = writeFirst(p, kNone, units);
  } else if ((column < 0 || endColumn < 0) &&
             (endLine == loc.line || endLine == -1)) {
    p = writeFirst(p, kNoColumn, units);
    p = writeSignedVarint(p, lineDelta);
    previousLine_ = loc.line;
  } else if (column >= 0 && endColumn >= 0 && endLine == loc.line &&
             lineDelta == 0 && column < 80 && endColumn - column < 16 &&
             endColumn >= column) {
    p = writeFirst(p, static_cast<unsigned>(column / 8), units);
    *p++ = static_cast<char>(((column % 8) << 4) | (endColumn - column));
  } else if (column >= 0 && endColumn >= 0 && endLine == loc.line &&
             lineDelta >= 0 && lineDelta < 3 && column < 128 &&
             endColumn < 128) {
    p = writeFirst(p, kOneLine0 + static_cast<unsigned>(lineDelta), units);
    *p++ = static_cast<char>(column);
    *p++ = static_cast<char>(endColumn);
    previousLine_ = loc.line;
  } else {
    p = writeFirst(p, kLong, units);
    p = writeSignedVarint(p, lineDelta);
    p = writeVarint(p, static_cast<uint32_t>(endLine - loc.line));
    p = writeVarint(p, static_cast<uint32_t>(column + 1));
    p = writeVarint(p, static_cast<uint32_t>(endColumn + 1));
    previousLine_ = loc.line;
  }
  out_.truncate(size_t(p - out_.data()));
}

} // namespace bcc
