//===- backend/LocationTableEncoder.h - The PEP 657 location table --------===//
//
// Writes co_linetable for 3.11+ as CPython's assembler does
// (write_location_info_entry): each entry covers 1-8 code units and takes
// the shortest of the short form (same line, column < 80, width < 16), the
// one-line forms (line delta 0-2, columns < 128), the no-column form, the
// no-location form and the long form. 3.12 and 3.13 merge consecutive
// instructions with identical locations into one run first; 3.11 writes one
// run per instruction (with its EXTENDED_ARG prefixes and caches). Runs are
// split into entries of 8 units.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BACKEND_LOCATIONTABLEENCODER_H
#define BCC_BACKEND_LOCATIONTABLEENCODER_H

#include <cstdint>
#include <string>

#include "ir/PythonVersion.h"
#include "ir/SourceLocation.h"
#include "llvm/ADT/SmallVector.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

class LocationTableEncoder {
public:
  LocationTableEncoder(PythonVersion version, int32_t firstLineNo);

  /// Appends one instruction of `units` code units (prefixes and caches
  /// included) at `location`.
  void addInstruction(const SourceLocation &location, uint32_t units);

  /// Flushes the pending run and returns the table.
  std::string finish();

private:
  void writeRun(const SourceLocation &location, uint32_t units);
  void writeEntry(const SourceLocation &location, uint32_t units);
  /// Entry encoders: each writes at `p` and returns the end. One entry
  /// takes at most kMaxEntryBytes.
  static constexpr size_t kMaxEntryBytes = 32;
  static char *writeFirst(char *p, unsigned code, uint32_t units);
  static char *writeVarint(char *p, uint32_t value);
  static char *writeSignedVarint(char *p, int32_t value);

  bool mergeRuns_;
  int32_t previousLine_;
  SourceLocation runLocation_;
  uint32_t runUnits_ = 0;
  /// The table so far, appended an entry at a time.
  llvm::SmallVector<char, 256> out_;
};

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_BACKEND_LOCATIONTABLEENCODER_H
