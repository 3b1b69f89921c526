//===- backend/SipHash.cpp - importlib.util.source_hash -------------------===//
//
// Hash-based .pyc files (PEP 552) carry `importlib.util.source_hash(source)`:
// SipHash keyed with k0 = the four magic bytes read as a little-endian
// integer and k1 = 0, stored as 8 little-endian bytes. CPython 3.8-3.10 use
// SipHash-2-4; 3.11 switched its keyed hash to SipHash-1-3.
//
// SipHash-c-d (Aumasson and Bernstein): four 64-bit lanes initialised from
// the key, c compression rounds per 8-byte word, the length in the top byte
// of the last word, then d finalisation rounds.
//
//===----------------------------------------------------------------------===//

#include "backend/MarshalWriter.h"

namespace bcc {

namespace {

inline uint64_t rotl(uint64_t x, unsigned b) {
  return (x << b) | (x >> (64 - b));
}

struct SipState {
  uint64_t v0, v1, v2, v3;

  SipState(uint64_t k0, uint64_t k1)
      : v0(k0 ^ 0x736f6d6570736575ULL), v1(k1 ^ 0x646f72616e646f6dULL),
        v2(k0 ^ 0x6c7967656e657261ULL), v3(k1 ^ 0x7465646279746573ULL) {}

  void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }

  void compress(uint64_t m, unsigned rounds) {
    v3 ^= m;
    for (unsigned i = 0; i < rounds; ++i)
      round();
    v0 ^= m;
  }
};

uint64_t sipHash(unsigned cRounds, unsigned dRounds, uint64_t k0, uint64_t k1,
                 llvm::StringRef data) {
  SipState s(k0, k1);
  const auto *p = reinterpret_cast<const uint8_t *>(data.data());
  const size_t n = data.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t m = 0;
    for (unsigned k = 8; k-- > 0;)
      m = (m << 8) | p[i + k];
    s.compress(m, cRounds);
  }
  uint64_t last = uint64_t(n & 0xff) << 56;
  for (size_t k = 0; i + k < n; ++k)
    last |= uint64_t(p[i + k]) << (8 * k);
  s.compress(last, cRounds);
  s.v2 ^= 0xff;
  for (unsigned r = 0; r < dRounds; ++r)
    s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

} // namespace

std::array<uint8_t, 8> sourceHash(llvm::StringRef source,
                                  PythonVersion version) {
  // The magic bytes on disk: uint16 magic number, then "\r\n".
  const uint64_t k0 = uint64_t(version.magicNumber()) | (uint64_t('\r') << 16) |
                      (uint64_t('\n') << 24);
  const uint64_t hash = version.atLeast(3, 11) ? sipHash(1, 3, k0, 0, source)
                                               : sipHash(2, 4, k0, 0, source);
  std::array<uint8_t, 8> out;
  for (unsigned i = 0; i < 8; ++i)
    out[i] = uint8_t(hash >> (8 * i));
  return out;
}

} // namespace bcc
