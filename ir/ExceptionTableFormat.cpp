//===- ir/ExceptionTableFormat.cpp - co_exceptiontable's byte format ------===//

#include "ir/ExceptionTableFormat.h"

namespace bcc {

namespace {

constexpr unsigned kEntryStart = 0x80;
constexpr unsigned kMore = 0x40;
constexpr unsigned kChunk = 0x3F;

Error tableError(const std::string &what, size_t offset) {
  return Error("malformed exception table: " + what, offset);
}

void writeVarint(std::string &out, uint32_t value, bool entryStart) {
  char chunks[6];
  int n = 0;
  do {
    chunks[n++] = char(value & kChunk);
    value >>= 6;
  } while (value);
  for (int i = n - 1; i >= 0; --i) {
    unsigned byte = (unsigned char)chunks[i];
    if (i > 0)
      byte |= kMore;
    if (i == n - 1 && entryStart)
      byte |= kEntryStart;
    out += char(byte);
  }
}

/// Reads one varint at `pos`. The first varint of an entry must carry the
/// entry marker and no other byte may.
Expected<uint32_t> readVarint(llvm::StringRef table, size_t &pos,
                              bool entryStart) {
  size_t at = pos;
  uint64_t value = 0;
  for (bool first = true;; first = false) {
    if (pos >= table.size())
      return tableError("entry is truncated", pos);
    unsigned byte = (unsigned char)table[pos];
    bool marked = byte & kEntryStart;
    if (marked != (first && entryStart))
      return tableError(marked ? "entry start marker inside an entry"
                               : "entry does not start with a marker byte",
                        pos);
    ++pos;
    value = (value << 6) | (byte & kChunk);
    if (value > UINT32_MAX)
      return tableError("value does not fit in 32 bits", at);
    if (!(byte & kMore))
      return uint32_t(value);
  }
}

} // namespace

void writeExceptionRange(std::string &out, const ExceptionRange &range) {
  writeVarint(out, range.startUnit, /*entryStart=*/true);
  writeVarint(out, range.endUnit - range.startUnit, false);
  writeVarint(out, range.targetUnit, false);
  writeVarint(out, (range.depth << 1) | (range.lasti ? 1u : 0u), false);
}

Expected<ExceptionRange> readExceptionRange(llvm::StringRef table,
                                            size_t &pos) {
  size_t at = pos;
  uint32_t fields[4];
  for (int i = 0; i < 4; ++i) {
    Expected<uint32_t> v = readVarint(table, pos, /*entryStart=*/i == 0);
    if (!v)
      return v.takeError();
    fields[i] = *v;
  }
  uint64_t end = uint64_t(fields[0]) + fields[1];
  if (end > UINT32_MAX)
    return tableError("offset does not fit in 32 bits", at);
  ExceptionRange range;
  range.startUnit = fields[0];
  range.endUnit = uint32_t(end);
  range.targetUnit = fields[2];
  range.depth = fields[3] >> 1;
  range.lasti = fields[3] & 1;
  return range;
}

} // namespace bcc
