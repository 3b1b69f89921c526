//===- ir/SipHash.h - SipHash-c-d with a 128-bit key ----------------------===//
//
// SipHash (Aumasson and Bernstein), the keyed hash CPython uses in two
// places bcc reproduces:
//   * hash() of str and bytes (Python/pyhash.c): SipHash-2-4 up to 3.10,
//     SipHash-1-3 from 3.11; bcc uses the zero key of PYTHONHASHSEED=0
//     (ir/PyHash.h);
//   * importlib.util.source_hash for hash-based .pyc files (PEP 552), keyed
//     with the magic number, with the same 2-4 / 1-3 switch
//     (backend/MarshalWriter.h).
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_SIPHASH_H
#define BCC_IR_SIPHASH_H

#include <cstdint>

#include "llvm/ADT/StringRef.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// SipHash-c-d of `data` under the key (k0, k1): `compressionRounds` (c)
/// rounds per 8-byte little-endian word, the length in the top byte of the
/// last word, then `finalizationRounds` (d) rounds.
uint64_t sipHash(unsigned compressionRounds, unsigned finalizationRounds,
                 uint64_t k0, uint64_t k1, llvm::StringRef data);

/// pyhash.c's siphash13 (CPython 3.11+).
inline uint64_t sipHash13(uint64_t k0, uint64_t k1, llvm::StringRef data) {
  return sipHash(1, 3, k0, k1, data);
}

/// pyhash.c's siphash24 (CPython 3.8-3.10).
inline uint64_t sipHash24(uint64_t k0, uint64_t k1, llvm::StringRef data) {
  return sipHash(2, 4, k0, k1, data);
}

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_IR_SIPHASH_H
