//===- frontend/ExceptionTable.cpp - The 3.11+ exception table ------------===//

#include "frontend/ExceptionTable.h"

#include "ir/ExceptionTableFormat.h"

namespace bcc {

Expected<std::vector<ExceptionTableEntry>>
decodeExceptionTable(llvm::StringRef table) {
  std::vector<ExceptionTableEntry> entries;
  size_t pos = 0;
  while (pos < table.size()) {
    size_t at = pos;
    Expected<ExceptionRange> range = readExceptionRange(table, pos);
    if (!range)
      return range.takeError();
    // Code units to byte offsets.
    if (uint64_t(range->endUnit) * 2 > UINT32_MAX ||
        uint64_t(range->targetUnit) * 2 > UINT32_MAX)
      return Error("malformed exception table: offset does not fit in 32 "
                   "bits",
                   at);
    ExceptionTableEntry e;
    e.start = range->startUnit * 2;
    e.end = range->endUnit * 2;
    e.target = range->targetUnit * 2;
    e.depth = range->depth;
    e.lasti = range->lasti;
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
  for (const ExceptionTableEntry &e : entries)
    writeExceptionRange(
        out, {e.start / 2, e.end / 2, e.target / 2, e.depth, e.lasti});
  return out;
}

} // namespace bcc
