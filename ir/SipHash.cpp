//===- ir/SipHash.cpp - SipHash-c-d with a 128-bit key --------------------===//
//
// Four 64-bit lanes initialised from the key; each 8-byte word is mixed in
// with c rounds, the last (partial) word carries the length in its top byte;
// then d finalisation rounds, and the lanes are folded into one.
//
//===----------------------------------------------------------------------===//

#include "ir/SipHash.h"

namespace bcc {

namespace {

uint64_t rotl(uint64_t x, unsigned b) { return (x << b) | (x >> (64 - b)); }

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

  void compress(uint64_t word, unsigned rounds) {
    v3 ^= word;
    for (unsigned i = 0; i < rounds; ++i)
      round();
    v0 ^= word;
  }
};

} // namespace

uint64_t sipHash(unsigned compressionRounds, unsigned finalizationRounds,
                 uint64_t k0, uint64_t k1, llvm::StringRef data) {
  SipState s(k0, k1);
  const auto *p = reinterpret_cast<const uint8_t *>(data.data());
  const size_t n = data.size();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word = 0;
    for (unsigned k = 8; k-- > 0;)
      word = (word << 8) | p[i + k];
    s.compress(word, compressionRounds);
  }
  uint64_t last = uint64_t(n & 0xff) << 56;
  for (size_t k = 0; i + k < n; ++k)
    last |= uint64_t(p[i + k]) << (8 * k);
  s.compress(last, compressionRounds);
  s.v2 ^= 0xff;
  for (unsigned r = 0; r < finalizationRounds; ++r)
    s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

} // namespace bcc
