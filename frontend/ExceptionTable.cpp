//===- frontend/ExceptionTable.cpp - The 3.11+ exception table ------------===//

#include "frontend/ExceptionTable.h"

namespace bcc {

namespace {

Error tableError(const std::string &what, size_t offset) {
  return Error("malformed exception table: " + what, offset);
}

/// Reads one varint at `pos`. The first varint of an entry must carry the
/// 0x80 start marker and no other byte may.
Expected<uint32_t> readVarint(llvm::StringRef table, size_t &pos,
                              bool entryStart) {
  size_t at = pos;
  uint64_t value = 0;
  for (bool first = true;; first = false) {
    if (pos >= table.size())
      return tableError("entry is truncated", pos);
    unsigned b = (unsigned char)table[pos];
    bool marked = b & 0x80;
    if (marked != (first && entryStart))
      return tableError(marked ? "entry start marker inside an entry"
                               : "entry does not start with a marker byte",
                        pos);
    ++pos;
    value = (value << 6) | (b & 63);
    if (value > UINT32_MAX)
      return tableError("value does not fit in 32 bits", at);
    if (!(b & 64))
      return uint32_t(value);
  }
}

void writeVarint(std::string &out, uint32_t value, bool entryStart) {
  char chunks[6];
  int n = 0;
  do {
    chunks[n++] = char(value & 63);
    value >>= 6;
  } while (value);
  for (int i = n - 1; i >= 0; --i) {
    unsigned char b = (unsigned char)chunks[i];
    if (i > 0)
      b |= 64;
    if (i == n - 1 && entryStart)
      b |= 128;
    out += char(b);
  }
}

} // namespace

Expected<std::vector<ExceptionTableEntry>>
decodeExceptionTable(llvm::StringRef table) {
  std::vector<ExceptionTableEntry> entries;
  size_t pos = 0;
  while (pos < table.size()) {
    size_t at = pos;
    uint32_t fields[4];
    for (int i = 0; i < 4; ++i) {
      auto v = readVarint(table, pos, /*entryStart=*/i == 0);
      if (!v)
        return v.takeError();
      fields[i] = *v;
    }
    uint64_t start = uint64_t(fields[0]) * 2;
    uint64_t end = start + uint64_t(fields[1]) * 2;
    uint64_t target = uint64_t(fields[2]) * 2;
    if (end > UINT32_MAX || target > UINT32_MAX)
      return tableError("offset does not fit in 32 bits", at);
    ExceptionTableEntry e;
    e.start = uint32_t(start);
    e.end = uint32_t(end);
    e.target = uint32_t(target);
    e.depth = fields[3] >> 1;
    e.lasti = fields[3] & 1;
    entries.push_back(e);
  }
  return entries;
}

Status validateExceptionTable(const std::vector<ExceptionTableEntry> &entries,
                              size_t codeBytes) {
  for (size_t i = 0; i < entries.size(); ++i) {
    const ExceptionTableEntry &e = entries[i];
    std::string which = "exception table entry " + std::to_string(i) + ": ";
    if (e.start >= e.end)
      return Error(which + "empty range");
    if (e.end > codeBytes)
      return Error(which + "range ends at " + std::to_string(e.end) +
                   ", past the code (" + std::to_string(codeBytes) + " bytes)");
    if (e.target >= codeBytes)
      return Error(which + "handler " + std::to_string(e.target) +
                   " is past the code (" + std::to_string(codeBytes) +
                   " bytes)");
  }
  return Status::ok();
}

std::string
encodeExceptionTable(const std::vector<ExceptionTableEntry> &entries) {
  std::string out;
  for (const ExceptionTableEntry &e : entries) {
    writeVarint(out, e.start / 2, /*entryStart=*/true);
    writeVarint(out, (e.end - e.start) / 2, false);
    writeVarint(out, e.target / 2, false);
    writeVarint(out, (e.depth << 1) | (e.lasti ? 1 : 0), false);
  }
  return out;
}

} // namespace bcc
