//===- ir/PyHash.cpp - Python's hash() of a Constant and set order --------===//
//
// Each function mirrors the CPython routine named in its comment: the
// tp_hash of each constant type (Python/pyhash.c, Objects/*object.c) and
// the insertion into a set's table (Objects/setobject.c).
//
//===----------------------------------------------------------------------===//

#include "ir/PyHash.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "ir/SipHash.h"
#include "ir/Utf8.h"
#include "llvm/ADT/StringRef.h"

namespace bcc {

namespace {

//===----------------------------------------------------------------------===//
// Hashes: Python/pyhash.c and the tp_hash of each constant type
//===----------------------------------------------------------------------===//

constexpr uint64_t kHashModulus = (uint64_t(1) << 61) - 1; // _PyHASH_MODULUS
constexpr int kHashBits = 61;

uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

/// _Py_HashBytes with PYTHONHASHSEED=0 (a zero SipHash key, no small-string
/// cutoff).
int64_t hashBytes(llvm::StringRef data, PythonVersion v) {
  if (data.empty())
    return 0;
  uint64_t h = v.atLeast(3, 11) ? sipHash13(0, 0, data) : sipHash24(0, 0, data);
  return h == uint64_t(-1) ? -2 : int64_t(h);
}

/// str hashes the PEP 393 buffer: 1, 2 or 4 bytes per code point, by the
/// largest code point, in native (little-endian) order.
int64_t hashString(llvm::StringRef utf8, PythonVersion v) {
  std::vector<uint32_t> cps;
  for (size_t i = 0; i < utf8.size();)
    cps.push_back(nextCodePoint(utf8, i));
  uint32_t maxCp = 0;
  for (uint32_t cp : cps)
    maxCp = std::max(maxCp, cp);
  unsigned width = maxCp < 0x100 ? 1 : maxCp < 0x10000 ? 2 : 4;
  std::string buffer;
  buffer.reserve(cps.size() * width);
  for (uint32_t cp : cps)
    for (unsigned k = 0; k < width; ++k)
      buffer.push_back(char(cp >> (8 * k)));
  return hashBytes(buffer, v);
}

/// long_hash: the value modulo 2**61 - 1, with its sign.
int64_t hashInt(const PyInt &value) {
  uint64_t x = 0;
  std::vector<uint16_t> digits = value.magnitudeDigits(); // base 2**15
  for (size_t i = digits.size(); i-- > 0;) {
    x = ((x << 15) & kHashModulus) | (x >> (kHashBits - 15));
    x += digits[i];
    if (x >= kHashModulus)
      x -= kHashModulus;
  }
  int64_t h = value.isNegative() ? -int64_t(x) : int64_t(x);
  return h == -1 ? -2 : h;
}

/// _Py_HashDouble. NaN hashes to 0 up to 3.9 and to its address later.
std::optional<int64_t> hashDouble(double v, PythonVersion version) {
  if (std::isinf(v))
    return v > 0 ? 314159 : -314159;
  if (std::isnan(v)) {
    if (version.atLeast(3, 10))
      return std::nullopt;
    return 0;
  }
  int e;
  double m = std::frexp(v, &e);
  int sign = 1;
  if (m < 0) {
    sign = -1;
    m = -m;
  }
  uint64_t x = 0;
  while (m != 0) {
    x = ((x << 28) & kHashModulus) | (x >> (kHashBits - 28));
    m *= 268435456.0; // 2**28
    e -= 28;
    uint64_t y = uint64_t(m);
    m -= double(y);
    x += y;
    if (x >= kHashModulus)
      x -= kHashModulus;
  }
  e = e >= 0 ? e % kHashBits : kHashBits - 1 - ((-1 - e) % kHashBits);
  x = ((x << e) & kHashModulus) | (x >> (kHashBits - e));
  uint64_t ux = sign < 0 ? uint64_t(0) - x : x;
  return ux == uint64_t(-1) ? -2 : int64_t(ux);
}

/// tuplehash (the xxHash-based one of 3.8+).
std::optional<int64_t> hashTuple(const Constant::Elements &elts,
                                 PythonVersion v) {
  const uint64_t prime1 = 11400714785074694791ULL;
  const uint64_t prime2 = 14029467366897019727ULL;
  const uint64_t prime5 = 2870177450012600261ULL;
  uint64_t acc = prime5;
  for (const ConstantRef &e : elts) {
    std::optional<int64_t> lane = pyHash(*e, v);
    if (!lane)
      return std::nullopt;
    acc += uint64_t(*lane) * prime2;
    acc = rotl(acc, 31);
    acc *= prime1;
  }
  acc += uint64_t(elts.size()) ^ (prime5 ^ 3527539ULL);
  return acc == uint64_t(-1) ? 1546275796 : int64_t(acc);
}

/// frozenset_hash: order-independent, from the element hashes.
std::optional<int64_t> hashFrozenSet(const Constant::Elements &elts,
                                     PythonVersion v) {
  auto shuffle = [](uint64_t h) {
    return ((h ^ 89869747ULL) ^ (h << 16)) * 3644798167ULL;
  };
  uint64_t hash = 0;
  for (const ConstantRef &e : elts) {
    std::optional<int64_t> h = pyHash(*e, v);
    if (!h)
      return std::nullopt;
    hash ^= shuffle(uint64_t(*h));
  }
  hash ^= (uint64_t(elts.size()) + 1) * 1927868237ULL;
  hash ^= (hash >> 11) ^ (hash >> 25);
  hash = hash * 69069U + 907133923ULL;
  return hash == uint64_t(-1) ? 590923713 : int64_t(hash);
}

//===----------------------------------------------------------------------===//
// Set tables: Objects/setobject.c (set_add_entry, set_table_resize)
//===----------------------------------------------------------------------===//

/// An open-addressing table of element indices, probed as CPython's sets
/// are: LINEAR_PROBES neighbours, then a perturbed jump.
class SetTable {
public:
  explicit SetTable(size_t size) : slots(size) {}

  /// set_insert_clean / the insertion part of set_add_entry (the elements
  /// are distinct, so no comparison ever finds an existing key).
  void insert(size_t element, uint64_t hash) {
    const size_t mask = slots.size() - 1;
    const int linearProbes = 9;
    size_t perturb = hash;
    size_t i = hash & mask;
    while (true) {
      size_t probes = i + linearProbes <= mask ? linearProbes : 0;
      for (size_t j = i; j <= i + probes; ++j) {
        if (!slots[j]) {
          slots[j] = Slot{element, hash};
          return;
        }
      }
      perturb >>= 5;
      i = (i * 5 + 1 + perturb) & mask;
    }
  }

  size_t size() const { return slots.size(); }

  template <typename Fn> void forEach(Fn fn) const {
    for (const std::optional<Slot> &s : slots)
      if (s)
        fn(s->element, s->hash);
  }

private:
  struct Slot {
    size_t element;
    uint64_t hash;
  };
  std::vector<std::optional<Slot>> slots;
};

} // namespace

std::optional<int64_t> pyHash(const Constant &c, PythonVersion v) {
  switch (c.kind()) {
  case ConstantKind::None:
    // 3.12 gave None a constant hash; before, it was its address.
    if (v.atLeast(3, 12))
      return int64_t(0xFCA86420);
    return std::nullopt;
  case ConstantKind::False:
    return 0;
  case ConstantKind::True:
    return 1;
  case ConstantKind::Int:
    return hashInt(c.asInt());
  case ConstantKind::Float:
    return hashDouble(c.asFloat(), v);
  case ConstantKind::Complex: {
    std::optional<int64_t> re = hashDouble(c.asComplex().real, v);
    std::optional<int64_t> im = hashDouble(c.asComplex().imag, v);
    if (!re || !im)
      return std::nullopt;
    uint64_t h = uint64_t(*re) + 1000003ULL * uint64_t(*im);
    return h == uint64_t(-1) ? -2 : int64_t(h);
  }
  case ConstantKind::Bytes:
    return hashBytes(c.asBytes(), v);
  case ConstantKind::String:
    return hashString(c.asString().utf8, v);
  case ConstantKind::Tuple:
    return hashTuple(c.elements(), v);
  case ConstantKind::FrozenSet:
    return hashFrozenSet(c.elements(), v);
  default:
    // Address-based (Ellipsis, the StopIteration type, code, host objects)
    // or unhashable (list, dict, set, slice before 3.12).
    return std::nullopt;
  }
}

std::optional<std::vector<size_t>>
setIterationOrder(const std::vector<ConstantRef> &elements,
                  PythonVersion version) {
  std::vector<uint64_t> hashes;
  for (const ConstantRef &e : elements) {
    std::optional<int64_t> h = pyHash(*e, version);
    if (!h)
      return std::nullopt;
    hashes.push_back(uint64_t(*h));
  }
  const size_t minSize = 8; // PySet_MINSIZE
  SetTable table(minSize);
  size_t used = 0;
  for (size_t i = 0; i < elements.size(); ++i) {
    table.insert(i, hashes[i]);
    ++used;
    // set_add_entry: grow when fill*5 >= mask*3, to the smallest power of
    // two above used*4 (used*2 past 50000), re-inserting in slot order.
    size_t mask = table.size() - 1;
    if (used * 5 < mask * 3)
      continue;
    size_t minUsed = used > 50000 ? used * 2 : used * 4;
    size_t newSize = minSize;
    while (newSize <= minUsed)
      newSize <<= 1;
    SetTable grown(newSize);
    table.forEach([&](size_t e, uint64_t h) { grown.insert(e, h); });
    table = std::move(grown);
  }
  std::vector<size_t> order;
  table.forEach([&](size_t e, uint64_t) { order.push_back(e); });
  return order;
}

} // namespace bcc
