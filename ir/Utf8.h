//===- ir/Utf8.h - UTF-8 with surrogatepass, as CPython writes str --------===//
//
// A str constant is held as UTF-8 in which lone surrogates are 3-byte
// sequences ("surrogatepass"). Decoding such text never fails: a byte that
// does not start a valid sequence stands for itself, as the surrogate escape
// U+DC80+byte. Shared by repr (ir/PyRepr.cpp) and hash (ir/PyHash.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_UTF8_H
#define BCC_IR_UTF8_H

#include <cstddef>
#include <cstdint>
#include <string>

#include "llvm/ADT/StringRef.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// Decodes one code point of UTF-8 with surrogatepass at `i`, advancing
/// `i`. An invalid byte decodes to the surrogate escape U+DC80+byte.
inline uint32_t nextCodePoint(llvm::StringRef s, size_t &i) {
  auto byteAt = [&](size_t k) { return (unsigned char)s[k]; };
  unsigned char b0 = byteAt(i);
  auto isCont = [&](size_t k) {
    return k < s.size() && (byteAt(k) & 0xC0) == 0x80;
  };
  if (b0 < 0x80) {
    i += 1;
    return b0;
  }
  if (b0 >= 0xC2 && b0 < 0xE0 && isCont(i + 1)) {
    uint32_t cp = ((b0 & 0x1Fu) << 6) | (byteAt(i + 1) & 0x3Fu);
    i += 2;
    return cp;
  }
  if (b0 >= 0xE0 && b0 < 0xF0 && isCont(i + 1) && isCont(i + 2)) {
    uint32_t cp = ((b0 & 0x0Fu) << 12) | ((byteAt(i + 1) & 0x3Fu) << 6) |
                  (byteAt(i + 2) & 0x3Fu);
    if (cp >= 0x800) { // surrogates allowed (surrogatepass)
      i += 3;
      return cp;
    }
  }
  if (b0 >= 0xF0 && b0 < 0xF5 && isCont(i + 1) && isCont(i + 2) &&
      isCont(i + 3)) {
    uint32_t cp = ((b0 & 0x07u) << 18) | ((byteAt(i + 1) & 0x3Fu) << 12) |
                  ((byteAt(i + 2) & 0x3Fu) << 6) | (byteAt(i + 3) & 0x3Fu);
    if (cp >= 0x10000 && cp <= 0x10FFFF) {
      i += 4;
      return cp;
    }
  }
  i += 1;
  return 0xDC00 + b0; // not valid UTF-8: shown like surrogateescape
}

/// Appends `cp` as UTF-8; surrogates are encoded like any other code point
/// (surrogatepass).
inline void appendUtf8(std::string &out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_IR_UTF8_H
