//===- ir/MarshalFormat.h - The constants of CPython's marshal format -----===//
//
// Type codes, limits and error reporting shared by frontend/MarshalReader.cpp
// and backend/MarshalWriter.cpp (see docs/code-objects.md and CPython's
// Python/marshal.c).
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_MARSHALFORMAT_H
#define BCC_IR_MARSHALFORMAT_H

#include <cstddef>
#include <cstdint>
#include <optional>

#include "ir/PythonVersion.h"
#include "ir/Support.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc::marshal {

enum Type : uint8_t {
  TYPE_NULL = '0',
  TYPE_NONE = 'N',
  TYPE_FALSE = 'F',
  TYPE_TRUE = 'T',
  TYPE_STOPITER = 'S',
  TYPE_ELLIPSIS = '.',
  TYPE_INT = 'i',
  TYPE_INT64 = 'I', // legacy, read only
  TYPE_FLOAT = 'f', // marshal version 0 text form, read only
  TYPE_BINARY_FLOAT = 'g',
  TYPE_COMPLEX = 'x', // marshal version 0 text form, read only
  TYPE_BINARY_COMPLEX = 'y',
  TYPE_LONG = 'l',
  TYPE_STRING = 's', // bytes
  TYPE_INTERNED = 't',
  TYPE_REF = 'r',
  TYPE_TUPLE = '(',
  TYPE_LIST = '[',
  TYPE_DICT = '{',
  TYPE_CODE = 'c',
  TYPE_UNICODE = 'u',
  TYPE_SET = '<',
  TYPE_FROZENSET = '>',
  TYPE_ASCII = 'a',
  TYPE_ASCII_INTERNED = 'A',
  TYPE_SMALL_TUPLE = ')',
  TYPE_SHORT_ASCII = 'z',
  TYPE_SHORT_ASCII_INTERNED = 'Z',
  TYPE_SLICE = ':',      // marshal version 5 (3.14+)
  TYPE_FROZENDICT = '}', // marshal version 6 (3.15+); NULL-terminated as '{'
};

/// The marshal version `version` writes its .pyc files in (marshal.version):
/// 4 for 3.8-3.13, 5 for 3.14 (slices), 6 for 3.15 (frozendicts). bcc reads
/// and writes a type code only for the versions that have it.
constexpr int marshalVersion(PythonVersion version) {
  return version.atLeast(3, 15) ? 6 : version.atLeast(3, 14) ? 5 : 4;
}

/// Bit 7 of a type code: the object goes into the reference table.
constexpr uint8_t kFlagRef = 0x80;
/// The deepest nesting CPython's reader accepts.
constexpr unsigned kMaxDepth = 2000;
/// The size of a PEP 552 .pyc header.
constexpr size_t kPycHeaderSize = 16;

/// The first error of a marshal reader or writer, which stop at it.
class FirstError {
public:
  bool failed() const { return error_.has_value(); }
  Error take() { return std::move(*error_); }

  /// Records the error (at `offset` in the input; the writer has none)
  /// unless one is already recorded, and returns false. Messages are
  /// formatted here, printf-style, never at the call sites: a std::string
  /// temporary in a recursive function costs stack at every level (a lot of
  /// it under AddressSanitizer, which gives each one its own guarded slot).
  [[gnu::noinline, gnu::cold, gnu::format(printf, 3, 4)]] bool
  fail(std::optional<uint64_t> offset, const char *format, ...);

private:
  std::optional<Error> error_;
};

} // namespace bcc::marshal
#pragma GCC visibility pop

#endif // BCC_IR_MARSHALFORMAT_H
