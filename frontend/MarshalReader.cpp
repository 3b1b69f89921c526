//===- frontend/MarshalReader.cpp - Marshal data and .pyc files in --------===//
//
// A recursive-descent reader for CPython's marshal format, version 4 as
// 3.8-3.13 write it, version 5 (slices) for 3.14 and version 6 (frozendicts)
// for 3.15, building the Constant/CodeObject model of ir/. A type code is
// accepted only when reading for a version whose marshal has it.
//
// What it guarantees, for any input:
//  * every read is checked against the bytes left, and every length or count
//    is checked against the bytes left *before* anything is allocated (an
//    element needs at least one byte), so memory stays proportional to the
//    input;
//  * nesting is limited to 2000 levels, as CPython's reader does;
//  * back-references (`r`) share nodes, so a small input can describe a
//    huge tree. The expanded size of the result ("cost": one per node plus
//    the payload bytes, counted again for every reference) is capped at
//    64 bytes per input byte plus 1 MiB, far above what CPython writes, so
//    that the writer, printers and comparisons, which walk the tree, cannot
//    be made to run for ever;
//  * problems come back as an Error with the byte offset where they were
//    found; nothing aborts.
//
// It is faithful to CPython where CPython accepts odd input: the ASCII
// string kinds (`a A z Z`) are decoded as Latin-1, `u`/`t` as UTF-8 with
// surrogatepass, a NULL in a dict's value position ends the dict, FLAG_REF
// on singletons is ignored. It is stricter where the model cannot represent
// what CPython builds: a reference to a container that is still being read
// (CPython would build a cycle) is an error.
//
//===----------------------------------------------------------------------===//

#include "frontend/MarshalReader.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "ir/MarshalFormat.h"
#include "llvm/Support/Endian.h"

namespace bcc {

namespace {

using llvm::StringRef;

using namespace marshal;
constexpr size_t kNoSlot = ~size_t(0);

std::string hex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)value);
  return buf;
}

const char *plural(uint64_t n) { return n == 1 ? "" : "s"; }

/// Checks UTF-8 as CPython's decoder with "surrogatepass" does: shortest
/// forms only, code points up to U+10FFFF, and U+D800-U+DFFF allowed.
/// Returns the index of the first bad byte, or npos.
size_t findBadUtf8(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint8_t lo = 0x80, hi = 0xbf; // bounds of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      if (c == 0xe0)
        lo = 0xa0;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      if (c == 0xf0)
        lo = 0x90;
      if (c == 0xf4)
        hi = 0x8f;
    } else {
      return i;
    }
    if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
      return i;
    for (size_t k = 2; k < len; ++k)
      if ((s[i + k] & 0xc0) != 0x80)
        return i;
    i += len;
  }
  return StringRef::npos;
}

/// The ASCII kinds are really Latin-1 for CPython: bytes >= 0x80 become
/// U+0080-U+00FF.
std::string latin1ToUtf8(const uint8_t *s, size_t n) {
  // Nearly every string is ASCII, which is already UTF-8: copy it at once.
  // The scan looks at eight bytes at a time.
  size_t firstHigh = 0;
  while (
      n - firstHigh >= 8 &&
      !(llvm::support::endian::read64le(s + firstHigh) & 0x8080808080808080ULL))
    firstHigh += 8;
  while (firstHigh < n && s[firstHigh] < 0x80)
    ++firstHigh;
  if (firstHigh == n)
    return std::string(reinterpret_cast<const char *>(s), n);
  std::string out;
  out.reserve(n + (n - firstHigh));
  out.assign(reinterpret_cast<const char *>(s), firstHigh);
  for (size_t i = firstHigh; i < n; ++i) {
    if (s[i] < 0x80) {
      out.push_back(char(s[i]));
    } else {
      out.push_back(char(0xc0 | (s[i] >> 6)));
      out.push_back(char(0x80 | (s[i] & 0x3f)));
    }
  }
  return out;
}

/// Parses the textual float of the old `f`/`x` forms as
/// PyOS_string_to_double does (sign, digits, exponent, inf, nan).
bool parseFloatText(StringRef text, double &out) {
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text = text.drop_front();
  }
  if (text.equals_insensitive("inf") || text.equals_insensitive("infinity")) {
    out = negative ? -HUGE_VAL : HUGE_VAL;
    return true;
  }
  if (text.equals_insensitive("nan")) {
    out = negative ? -std::numeric_limits<double>::quiet_NaN()
                   : std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (text.empty() || text[0] == '+' || text[0] == '-')
    return false;
  double value = 0;
  auto [end, ec] = std::from_chars(text.begin(), text.end(), value,
                                   std::chars_format::general);
  if (end != text.end())
    return false;
  if (ec == std::errc::result_out_of_range) {
    // Overflow gives +-inf and underflow 0, as strtod does; the text has
    // been checked to be a plain decimal, so strtod sees the same number.
    std::string copy = text.str();
    value = std::strtod(copy.c_str(), nullptr);
  } else if (ec != std::errc()) {
    return false;
  }
  out = negative ? -value : value;
  return true;
}

uint64_t loadLE(const uint8_t *p, unsigned n) {
  // The common sizes in one load each; every int32 of the input goes
  // through here.
  switch (n) {
  case 2:
    return llvm::support::endian::read16le(p);
  case 4:
    return llvm::support::endian::read32le(p);
  case 8:
    return llvm::support::endian::read64le(p);
  default: {
    uint64_t v = 0;
    for (unsigned i = n; i-- > 0;)
      v = (v << 8) | p[i];
    return v;
  }
  }
}

double bitsToDouble(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

[[gnu::noinline]] ConstantRef makeSequence(uint8_t type,
                                           Constant::Elements elements) {
  switch (type) {
  case TYPE_LIST:
    return Constant::list(std::move(elements));
  case TYPE_SET:
    return Constant::set(std::move(elements));
  case TYPE_FROZENSET:
    return Constant::frozenSet(std::move(elements));
  default:
    return Constant::tuple(std::move(elements));
  }
}

/// The first thing in `c` that CPython could not hash (as a set element or
/// dict key), or nullptr.
const char *unhashableKind(const Constant &c) {
  switch (c.kind()) {
  case ConstantKind::List:
  case ConstantKind::Dict:
  case ConstantKind::Set:
    return constantKindName(c.kind());
  case ConstantKind::Tuple:
    for (const ConstantRef &e : c.elements())
      if (const char *bad = unhashableKind(*e))
        return bad;
    return nullptr;
  case ConstantKind::FrozenDict:
    // Its keys were checked when read; it hashes if its values do.
    for (const auto &item : c.dictItems())
      if (const char *bad = unhashableKind(*item.second))
        return bad;
    return nullptr;
  default:
    // Frozensets were checked when read; the rest hash.
    return nullptr;
  }
}

class Reader : marshal::FirstError {
public:
  Reader(StringRef data, PythonVersion version, uint64_t baseOffset)
      : begin_(reinterpret_cast<const uint8_t *>(data.data())), pos_(begin_),
        end_(begin_ + data.size()), version_(version), baseOffset_(baseOffset),
        costLimit_(64 * uint64_t(data.size()) + (uint64_t(1) << 20)) {}

  Expected<ConstantRef> run() {
    Node node;
    if (!readRequired(node, 0, "the top-level object"))
      return take();
    return std::move(node.value);
  }

private:
  /// A value read, with its expanded size (see the file comment).
  struct Node {
    ConstantRef value;
    uint64_t cost = 0;
  };

  const uint8_t *const begin_;
  const uint8_t *pos_;
  const uint8_t *const end_;
  const PythonVersion version_;
  const uint64_t baseOffset_;
  const uint64_t costLimit_;
  /// The reference table; a null value marks a slot reserved for an object
  /// still being read.
  std::vector<Node> refs_;

  //===--------------------------------------------------------------------===//
  // Primitive reads
  //===--------------------------------------------------------------------===//

  size_t left() const { return size_t(end_ - pos_); }
  uint64_t offsetOf(const uint8_t *p) const {
    return baseOffset_ + uint64_t(p - begin_);
  }

  /// Checks that `n` bytes are left for `prefix what suffix` (the parts
  /// are only joined when there is an error).
  bool need(size_t n, const char *what, const char *prefix = "",
            const char *suffix = "") {
    if (left() >= n)
      return true;
    return fail(
        offsetOf(pos_),
        "truncated marshal data: needed %zu byte%s for %s%s%s, %zu left", n,
        plural(n), prefix, what, suffix, left());
  }

  bool readU8(uint8_t &v, const char *what, const char *prefix = "",
              const char *suffix = "") {
    if (!need(1, what, prefix, suffix))
      return false;
    v = *pos_++;
    return true;
  }

  bool readI32(int32_t &v, const char *what, const char *prefix = "",
               const char *suffix = "") {
    if (!need(4, what, prefix, suffix))
      return false;
    v = int32_t(uint32_t(loadLE(pos_, 4)));
    pos_ += 4;
    return true;
  }

  bool readU64(uint64_t &v, const char *what) {
    if (!need(8, what))
      return false;
    v = loadLE(pos_, 8);
    pos_ += 8;
    return true;
  }

  /// Reads an int32 size ("tuple size", "string length") and checks that
  /// `n * minBytesEach` bytes are left, so that nothing larger than the
  /// input is ever allocated.
  bool readLength(size_t &n, const char *what, size_t minBytesEach,
                  const char *suffix = "") {
    const uint8_t *at = pos_;
    int32_t raw;
    if (!readI32(raw, what, "the ", suffix))
      return false;
    if (raw < 0)
      return fail(offsetOf(at), "negative %s%s %d", what, suffix, raw);
    n = size_t(raw);
    return checkLength(n, what, minBytesEach, at, suffix);
  }

  bool checkLength(size_t n, const char *what, size_t minBytesEach,
                   const uint8_t *at, const char *suffix = "") {
    if (n <= left() / minBytesEach)
      return true;
    if (minBytesEach == 1)
      return fail(offsetOf(at), "%s%s %zu exceeds the %zu byte%s left", what,
                  suffix, n, left(), plural(left()));
    return fail(offsetOf(at),
                "%s%s %zu (%zu bytes each) exceeds the %zu byte%s left", what,
                suffix, n, minBytesEach, left(), plural(left()));
  }

  /// Reads the one-byte size of the short forms (`)`, `z`, `Z`).
  bool readShortLength(size_t &n, const char *what, const char *suffix = "") {
    const uint8_t *at = pos_;
    uint8_t n8;
    if (!readU8(n8, what, "the ", suffix))
      return false;
    n = n8;
    return checkLength(n, what, 1, at, suffix);
  }

  bool checkDepth(unsigned depth, const uint8_t *at) {
    if (depth < kMaxDepth)
      return true;
    return fail(offsetOf(at), "nesting deeper than %u levels", kMaxDepth);
  }

  bool addCost(uint64_t &total, uint64_t more, const uint8_t *at) {
    total += more; // both terms are <= costLimit_, so no overflow
    if (total <= costLimit_)
      return true;
    return fail(offsetOf(at),
                "marshal data expands to more than %llu units through "
                "back-references",
                (unsigned long long)costLimit_);
  }

  size_t reserveRef(bool flag) {
    if (!flag)
      return kNoSlot;
    refs_.emplace_back();
    return refs_.size() - 1;
  }

  void fillRef(size_t slot, const Node &node) {
    if (slot != kNoSlot)
      refs_[slot] = node;
  }

  bool finish(Node &out, ConstantRef value, uint64_t cost, bool flag) {
    out.value = std::move(value);
    out.cost = cost;
    if (flag)
      refs_.push_back(out);
    return true;
  }

  //===--------------------------------------------------------------------===//
  // Objects
  //===--------------------------------------------------------------------===//

  /// Reads one object. A NULL ('0') gives a null value and no error; only
  /// dicts accept it, every other caller goes through readRequired.
  bool readObject(Node &out, unsigned depth);

  bool readRequired(Node &out, unsigned depth, const char *what) {
    const uint8_t *at = pos_;
    if (!readObject(out, depth))
      return false;
    if (!out.value)
      return fail(offsetOf(at), "NULL object in marshal data for %s", what);
    return true;
  }

  // Everything but the containers is kept out of line, so that its locals
  // do not add to the frames that are on the stack once per nesting level.
  [[gnu::noinline]] bool readLeaf(Node &out, uint8_t code,
                                  const uint8_t *start);
  [[gnu::noinline]] bool readString(Node &out, uint8_t type, bool flag,
                                    const uint8_t *start);
  /// A str of `type` (its code read at `start`) into `dst`; `n` is its
  /// length in the data.
  bool decodeString(uint8_t type, const uint8_t *start, PyString &dst,
                    size_t &n);
  static bool isStringType(uint8_t code) {
    switch (code) { // without FLAG_REF
    case TYPE_UNICODE:
    case TYPE_INTERNED:
    case TYPE_ASCII:
    case TYPE_ASCII_INTERNED:
    case TYPE_SHORT_ASCII:
    case TYPE_SHORT_ASCII_INTERNED:
      return true;
    default:
      return false;
    }
  }
  /// The fast path of the str fields: a str that takes no reference slot
  /// goes straight into `dst`, with the checks and cost readObject() at
  /// `depth` would give it. `done` is false (and nothing read) for
  /// anything else.
  bool readUnsharedString(PyString &dst, unsigned depth, uint64_t &cost,
                          bool &done);
  [[gnu::noinline]] bool readBytes(Node &out, bool flag);
  [[gnu::noinline]] bool readLong(Node &out, bool flag, const uint8_t *start);
  [[gnu::noinline]] bool readFloatText(double &value, const char *what);
  // The containers: one frame each per nesting level, next to readObject's.
  [[gnu::noinline]] bool readSequence(Node &out, uint8_t type, bool flag,
                                      unsigned depth, const uint8_t *start);
  /// A dict, or with `frozen` a frozendict (3.15+): the same items.
  [[gnu::noinline]] bool readDict(Node &out, bool frozen, bool flag,
                                  unsigned depth);
  [[gnu::noinline]] bool readCode(Node &out, bool flag, unsigned depth,
                                  const uint8_t *start);
  [[gnu::noinline]] bool readSlice(Node &out, bool flag, unsigned depth,
                                   const uint8_t *start);

  // Code object fields. Each has a fast path for the unshared form CPython
  // writes, which avoids building a Constant only to copy it out again.
  bool readBytesField(std::string &dst, unsigned depth, const char *field,
                      uint64_t &cost);
  bool readStrField(PyString &dst, unsigned depth, const char *field,
                    uint64_t &cost);
  bool readStrTupleField(std::vector<PyString> &dst, unsigned depth,
                         const char *field, uint64_t &cost);
  bool readConstsField(std::vector<ConstantRef> &dst, unsigned depth,
                       uint64_t &cost);

  bool wrongFieldKind(const char *field, const Constant &got,
                      const char *expected, const uint8_t *at) {
    return fail(offsetOf(at), "code object field %s is %s, expected %s", field,
                constantKindName(got.kind()), expected);
  }
};

bool Reader::readObject(Node &out, unsigned depth) {
  // Only the containers recurse; they and everything else are out of line,
  // so this frame, which is on the stack once per nesting level, stays
  // small.
  const uint8_t *start = pos_;
  if (!checkDepth(depth, start))
    return false;
  uint8_t code;
  if (!readU8(code, "a type code"))
    return false;
  const bool flag = (code & kFlagRef) != 0;
  const uint8_t type = code & uint8_t(~kFlagRef);
  switch (type) {
  case TYPE_TUPLE:
  case TYPE_SMALL_TUPLE:
  case TYPE_LIST:
  case TYPE_SET:
  case TYPE_FROZENSET:
    return readSequence(out, type, flag, depth, start);
  case TYPE_DICT:
    return readDict(out, /*frozen=*/false, flag, depth);
  case TYPE_CODE:
    return readCode(out, flag, depth, start);
  case TYPE_SLICE:
    if (marshalVersion(version_) >= 5)
      return readSlice(out, flag, depth, start);
    return fail(offsetOf(start),
                "bad marshal type code 0x%x (slices need marshal version 5, "
                "Python 3.14+)",
                code);
  case TYPE_FROZENDICT:
    if (marshalVersion(version_) >= 6)
      return readDict(out, /*frozen=*/true, flag, depth);
    return fail(offsetOf(start),
                "bad marshal type code 0x%x (frozendicts need marshal version "
                "6, Python 3.15+)",
                code);
  default:
    return readLeaf(out, code, start);
  }
}

bool Reader::readLeaf(Node &out, uint8_t code, const uint8_t *start) {
  const bool flag = (code & kFlagRef) != 0;
  const uint8_t type = code & uint8_t(~kFlagRef);
  if (isStringType(type))
    return readString(out, type, flag, start);
  switch (type) {
  case TYPE_NULL:
    out = Node();
    return true;
  // Singletons never take a reference slot, even with FLAG_REF.
  case TYPE_NONE:
    return finish(out, Constant::none(), 1, false);
  case TYPE_FALSE:
    return finish(out, Constant::boolean(false), 1, false);
  case TYPE_TRUE:
    return finish(out, Constant::boolean(true), 1, false);
  case TYPE_STOPITER:
    return finish(out, Constant::stopIteration(), 1, false);
  case TYPE_ELLIPSIS:
    return finish(out, Constant::ellipsis(), 1, false);

  case TYPE_INT: {
    int32_t v;
    if (!readI32(v, "an int"))
      return false;
    return finish(out, Constant::integer(int64_t(v)), 1, flag);
  }
  case TYPE_INT64: {
    uint64_t v;
    if (!readU64(v, "a 64-bit int"))
      return false;
    return finish(out, Constant::integer(int64_t(v)), 1, flag);
  }
  case TYPE_LONG:
    return readLong(out, flag, start);

  case TYPE_BINARY_FLOAT: {
    uint64_t bits;
    if (!readU64(bits, "a float"))
      return false;
    return finish(out, Constant::floating(bitsToDouble(bits)), 1, flag);
  }
  case TYPE_BINARY_COMPLEX: {
    uint64_t re, im;
    if (!readU64(re, "a complex") || !readU64(im, "a complex"))
      return false;
    return finish(out, Constant::complex(bitsToDouble(re), bitsToDouble(im)), 1,
                  flag);
  }
  case TYPE_FLOAT: {
    double v;
    if (!readFloatText(v, "a float"))
      return false;
    return finish(out, Constant::floating(v), 1, flag);
  }
  case TYPE_COMPLEX: {
    double re, im;
    if (!readFloatText(re, "a complex") || !readFloatText(im, "a complex"))
      return false;
    return finish(out, Constant::complex(re, im), 1, flag);
  }

  case TYPE_STRING:
    return readBytes(out, flag);

  case TYPE_REF: {
    int32_t index;
    if (!readI32(index, "a reference index"))
      return false;
    if (index < 0 || size_t(index) >= refs_.size())
      return fail(offsetOf(start),
                  "reference %d is out of range (%zu objects so far)", index,
                  refs_.size());
    if (!refs_[size_t(index)].value)
      return fail(offsetOf(start),
                  "reference %d is to an object still being read", index);
    out = refs_[size_t(index)];
    return true;
  }

  default:
    return fail(offsetOf(start), "bad marshal type code 0x%x", code);
  }
}

bool Reader::readString(Node &out, uint8_t type, bool flag,
                        const uint8_t *start) {
  PyString value;
  size_t n = 0;
  if (!decodeString(type, start, value, n))
    return false;
  return finish(out, Constant::string(std::move(value.utf8), value.interned),
                1 + n, flag);
}

bool Reader::decodeString(uint8_t type, const uint8_t *start, PyString &dst,
                          size_t &n) {
  const bool shortForm =
      type == TYPE_SHORT_ASCII || type == TYPE_SHORT_ASCII_INTERNED;
  const bool ascii =
      shortForm || type == TYPE_ASCII || type == TYPE_ASCII_INTERNED;
  const bool interned = type == TYPE_INTERNED || type == TYPE_ASCII_INTERNED ||
                        type == TYPE_SHORT_ASCII_INTERNED;
  if (shortForm ? !readShortLength(n, "string length")
                : !readLength(n, "string length", 1))
    return false;
  const uint8_t *data = pos_;
  pos_ += n;
  if (ascii) {
    dst.utf8 = latin1ToUtf8(data, n);
  } else {
    size_t bad = findBadUtf8(data, n);
    if (bad != StringRef::npos)
      return fail(offsetOf(start),
                  "invalid UTF-8 in a string: byte 0x%x at offset %llu",
                  data[bad], (unsigned long long)offsetOf(data + bad));
    dst.utf8.assign(reinterpret_cast<const char *>(data), n);
  }
  dst.interned = interned;
  return true;
}

bool Reader::readUnsharedString(PyString &dst, unsigned depth, uint64_t &cost,
                                bool &done) {
  done = false;
  if (left() < 1 || !isStringType(*pos_))
    return true; // the caller reads it in general
  const uint8_t *at = pos_;
  done = true;
  if (!checkDepth(depth, at))
    return false;
  const uint8_t type = *pos_++;
  size_t n = 0;
  if (!decodeString(type, at, dst, n))
    return false;
  return addCost(cost, 1 + n, at);
}

bool Reader::readBytes(Node &out, bool flag) {
  size_t n = 0;
  if (!readLength(n, "bytes length", 1))
    return false;
  std::string data(reinterpret_cast<const char *>(pos_), n);
  pos_ += n;
  return finish(out, Constant::bytes(std::move(data)), 1 + n, flag);
}

bool Reader::readLong(Node &out, bool flag, const uint8_t *start) {
  int32_t count;
  if (!readI32(count, "the int digit count"))
    return false;
  if (count == INT32_MIN)
    return fail(offsetOf(start), "int digit count %d is out of range", count);
  const bool negative = count < 0;
  const size_t digits = size_t(negative ? -int64_t(count) : int64_t(count));
  if (!checkLength(digits, "int digit count", 2, pos_ - 4))
    return false;
  std::vector<uint16_t> magnitude(digits);
  for (size_t i = 0; i < digits; ++i) {
    uint16_t d = uint16_t(loadLE(pos_ + 2 * i, 2));
    if (d > 0x7fff)
      return fail(offsetOf(pos_ + 2 * i),
                  "int digit 0x%x is out of range (above 0x7fff)", d);
    magnitude[i] = d;
  }
  if (digits != 0 && magnitude.back() == 0)
    return fail(offsetOf(start), "int has a leading zero digit (unnormalized)");
  pos_ += 2 * digits;
  return finish(
      out, Constant::integer(PyInt::fromDigits(negative, std::move(magnitude))),
      1 + 2 * digits, flag);
}

bool Reader::readFloatText(double &value, const char *what) {
  const uint8_t *at = pos_;
  uint8_t n;
  if (!readU8(n, what, "the length of "))
    return false;
  if (!need(n, what))
    return false;
  StringRef text(reinterpret_cast<const char *>(pos_), n);
  pos_ += n;
  if (!parseFloatText(text, value))
    return fail(offsetOf(at), "cannot parse '%.*s' as a float",
                int(text.size()), text.data());
  return true;
}

bool Reader::readSequence(Node &out, uint8_t type, bool flag, unsigned depth,
                          const uint8_t *start) {
  const char *what = type == TYPE_LIST        ? "a list"
                     : type == TYPE_SET       ? "a set"
                     : type == TYPE_FROZENSET ? "a frozenset"
                                              : "a tuple";
  const char *sizeName = type == TYPE_LIST        ? "list size"
                         : type == TYPE_SET       ? "set size"
                         : type == TYPE_FROZENSET ? "frozenset size"
                                                  : "tuple size";
  size_t n = 0;
  if (type == TYPE_SMALL_TUPLE ? !readShortLength(n, sizeName)
                               : !readLength(n, sizeName, 1))
    return false;
  // Pre-order: the container's slot comes before its elements'.
  const size_t slot = reserveRef(flag);
  const bool isSet = type == TYPE_SET || type == TYPE_FROZENSET;
  Constant::Elements elements;
  elements.reserve(n);
  uint64_t cost = 1;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t *at = pos_;
    Node element;
    if (!readRequired(element, depth + 1, what))
      return false;
    if (isSet)
      if (const char *bad = unhashableKind(*element.value))
        return fail(offsetOf(at), "unhashable %s in %s", bad, what);
    if (!addCost(cost, element.cost, at))
      return false;
    elements.push_back(std::move(element.value));
  }
  out.value = makeSequence(type, std::move(elements));
  out.cost = cost;
  fillRef(slot, out);
  return true;
}

bool Reader::readDict(Node &out, bool frozen, bool flag, unsigned depth) {
  // A frozendict's slot is reserved here too, in pre-order, as CPython's
  // writer numbers it. (3.15.0rc1's reader reserves it but never fills it,
  // so it fails on a reference to a frozendict: CPython gh-155315.)
  const size_t slot = reserveRef(flag);
  Constant::DictItems items;
  uint64_t cost = 1;
  for (;;) {
    const uint8_t *at = pos_;
    Node key, value;
    if (!readObject(key, depth + 1))
      return false;
    if (!key.value)
      break; // the terminating NULL
    if (!readObject(value, depth + 1))
      return false;
    if (!value.value)
      break; // CPython also stops here, dropping the key
    if (const char *bad = unhashableKind(*key.value))
      return fail(offsetOf(at), "unhashable %s as a %s key", bad,
                  frozen ? "frozendict" : "dict");
    if (!addCost(cost, key.cost, at) || !addCost(cost, value.cost, at))
      return false;
    items.emplace_back(std::move(key.value), std::move(value.value));
  }
  out.value = frozen ? Constant::frozenDict(std::move(items))
                     : Constant::dict(std::move(items));
  out.cost = cost;
  fillRef(slot, out);
  return true;
}

bool Reader::readSlice(Node &out, bool flag, unsigned depth,
                       const uint8_t *start) {
  const size_t slot = reserveRef(flag);
  Node parts[3];
  uint64_t cost = 1;
  for (Node &part : parts) {
    const uint8_t *at = pos_;
    if (!readRequired(part, depth + 1, "a slice") ||
        !addCost(cost, part.cost, at))
      return false;
  }
  out.value =
      Constant::slice(std::move(parts[0].value), std::move(parts[1].value),
                      std::move(parts[2].value));
  out.cost = cost;
  fillRef(slot, out);
  return true;
}

//===----------------------------------------------------------------------===//
// Code objects
//===----------------------------------------------------------------------===//

bool Reader::readBytesField(std::string &dst, unsigned depth, const char *field,
                            uint64_t &cost) {
  const uint8_t *at = pos_;
  if (left() >= 1 && *pos_ == TYPE_STRING) { // unshared: copy straight in
    if (!checkDepth(depth + 1, at))
      return false;
    ++pos_;
    size_t n = 0;
    if (!readLength(n, field, 1, " length"))
      return false;
    dst.assign(reinterpret_cast<const char *>(pos_), n);
    pos_ += n;
    return addCost(cost, 1 + n, at);
  }
  Node node;
  if (!readRequired(node, depth + 1, field))
    return false;
  if (!node.value->is(ConstantKind::Bytes))
    return wrongFieldKind(field, *node.value, "bytes", at);
  dst = node.value->asBytes();
  return addCost(cost, node.cost, at);
}

bool Reader::readStrField(PyString &dst, unsigned depth, const char *field,
                          uint64_t &cost) {
  const uint8_t *at = pos_;
  bool done;
  if (bool ok = readUnsharedString(dst, depth + 1, cost, done); done)
    return ok;
  Node node;
  if (!readRequired(node, depth + 1, field))
    return false;
  if (!node.value->is(ConstantKind::String))
    return wrongFieldKind(field, *node.value, "a str", at);
  dst = node.value->asString();
  return addCost(cost, node.cost, at);
}

bool Reader::readStrTupleField(std::vector<PyString> &dst, unsigned depth,
                               const char *field, uint64_t &cost) {
  const uint8_t *at = pos_;
  if (left() >= 1 && (*pos_ == TYPE_TUPLE || *pos_ == TYPE_SMALL_TUPLE)) {
    // Unshared tuple: read the names straight into the vector.
    if (!checkDepth(depth + 1, at))
      return false;
    const bool small = *pos_ == TYPE_SMALL_TUPLE;
    ++pos_;
    size_t n = 0;
    if (small ? !readShortLength(n, field, " size")
              : !readLength(n, field, 1, " size"))
      return false;
    dst.clear();
    dst.reserve(n);
    if (!addCost(cost, 1, at))
      return false;
    for (size_t i = 0; i < n; ++i) {
      const uint8_t *itemAt = pos_;
      PyString name;
      bool done;
      if (bool ok = readUnsharedString(name, depth + 2, cost, done); done) {
        if (!ok)
          return false;
        dst.push_back(std::move(name));
        continue;
      }
      Node item;
      if (!readRequired(item, depth + 2, field))
        return false;
      if (!item.value->is(ConstantKind::String))
        return fail(offsetOf(itemAt), "%s item %zu is %s, expected a str",
                    field, i, constantKindName(item.value->kind()));
      dst.push_back(item.value->asString());
      if (!addCost(cost, item.cost, itemAt))
        return false;
    }
    return true;
  }
  Node node;
  if (!readRequired(node, depth + 1, field))
    return false;
  if (!node.value->is(ConstantKind::Tuple))
    return wrongFieldKind(field, *node.value, "a tuple", at);
  const Constant::Elements &items = node.value->elements();
  dst.clear();
  dst.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i]->is(ConstantKind::String))
      return fail(offsetOf(at), "%s item %zu is %s, expected a str", field, i,
                  constantKindName(items[i]->kind()));
    dst.push_back(items[i]->asString());
  }
  return addCost(cost, node.cost, at);
}

bool Reader::readConstsField(std::vector<ConstantRef> &dst, unsigned depth,
                             uint64_t &cost) {
  const uint8_t *at = pos_;
  if (left() >= 1 && (*pos_ == TYPE_TUPLE || *pos_ == TYPE_SMALL_TUPLE)) {
    // Unshared tuple: read the constants straight into the vector.
    if (!checkDepth(depth + 1, at))
      return false;
    const bool small = *pos_ == TYPE_SMALL_TUPLE;
    ++pos_;
    size_t n = 0;
    if (small ? !readShortLength(n, "co_consts", " size")
              : !readLength(n, "co_consts", 1, " size"))
      return false;
    dst.reserve(n);
    if (!addCost(cost, 1, at))
      return false;
    for (size_t i = 0; i < n; ++i) {
      const uint8_t *itemAt = pos_;
      Node item;
      if (!readRequired(item, depth + 2, "co_consts") ||
          !addCost(cost, item.cost, itemAt))
        return false;
      dst.push_back(std::move(item.value));
    }
    return true;
  }
  Node node;
  if (!readRequired(node, depth + 1, "co_consts"))
    return false;
  if (!node.value->is(ConstantKind::Tuple))
    return wrongFieldKind("co_consts", *node.value, "a tuple", at);
  dst = node.value->elements();
  return addCost(cost, node.cost, at);
}

bool Reader::readCode(Node &out, bool flag, unsigned depth,
                      const uint8_t *start) {
  const size_t slot = reserveRef(flag);
  const bool localsPlus = version_.atLeast(3, 11);
  auto code = std::make_shared<CodeObject>();
  CodeObject &co = *code;
  co.version = version_;
  uint64_t cost = 1;
  int32_t flags = 0;

  if (!readI32(co.argCount, "co_argcount") ||
      !readI32(co.posOnlyArgCount, "co_posonlyargcount") ||
      !readI32(co.kwOnlyArgCount, "co_kwonlyargcount"))
    return false;
  if (!localsPlus && !readI32(co.nlocalsStored, "co_nlocals"))
    return false;
  if (!readI32(co.stackSize, "co_stacksize") || !readI32(flags, "co_flags"))
    return false;
  co.flags = uint32_t(flags);

  if (!readBytesField(co.code, depth, "co_code", cost) ||
      !readConstsField(co.consts, depth, cost) ||
      !readStrTupleField(co.names, depth, "co_names", cost))
    return false;

  std::string kinds;
  std::vector<PyString> localsPlusNames;
  const uint8_t *kindsAt = nullptr;
  if (localsPlus) {
    if (!readStrTupleField(localsPlusNames, depth, "co_localsplusnames", cost))
      return false;
    kindsAt = pos_;
    if (!readBytesField(kinds, depth, "co_localspluskinds", cost))
      return false;
  } else if (!readStrTupleField(co.varNamesStored, depth, "co_varnames",
                                cost) ||
             !readStrTupleField(co.freeVarsStored, depth, "co_freevars",
                                cost) ||
             !readStrTupleField(co.cellVarsStored, depth, "co_cellvars",
                                cost)) {
    return false;
  }

  if (!readStrField(co.fileName, depth, "co_filename", cost) ||
      !readStrField(co.name, depth, "co_name", cost))
    return false;
  if (localsPlus && !readStrField(co.qualName, depth, "co_qualname", cost))
    return false;
  if (!readI32(co.firstLineNo, "co_firstlineno"))
    return false;
  const char *lineTableName =
      version_.atLeast(3, 10) ? "co_linetable" : "co_lnotab";
  if (!readBytesField(co.lineTable, depth, lineTableName, cost))
    return false;
  if (localsPlus &&
      !readBytesField(co.exceptionTable, depth, "co_exceptiontable", cost))
    return false;

  if (localsPlus) {
    if (kinds.size() != localsPlusNames.size())
      return fail(
          offsetOf(kindsAt),
          "co_localspluskinds has %zu byte%s for %zu co_localsplusnames",
          kinds.size(), plural(kinds.size()), localsPlusNames.size());
    co.localsPlus.resize(kinds.size());
    for (size_t i = 0; i < kinds.size(); ++i) {
      co.localsPlus[i].name = std::move(localsPlusNames[i]);
      co.localsPlus[i].kind = uint8_t(kinds[i]);
    }
  }

  // What CPython's code constructor checks (_PyCode_Validate, or
  // PyCode_NewWithPosOnlyArgs before 3.11), reported at the code object.
  auto negative = [&](const char *field, int32_t value) {
    return fail(offsetOf(start), "code object has a negative %s (%d)", field,
                value);
  };
  if (co.argCount < 0)
    return negative("co_argcount", co.argCount);
  if (co.posOnlyArgCount < 0)
    return negative("co_posonlyargcount", co.posOnlyArgCount);
  if (co.kwOnlyArgCount < 0)
    return negative("co_kwonlyargcount", co.kwOnlyArgCount);
  if (co.nlocalsStored < 0)
    return negative("co_nlocals", co.nlocalsStored);
  if (co.stackSize < 0)
    return negative("co_stacksize", co.stackSize);
  if (flags < 0)
    return negative("co_flags", flags);
  if (co.posOnlyArgCount > co.argCount)
    return fail(offsetOf(start), "co_posonlyargcount %d exceeds co_argcount %d",
                co.posOnlyArgCount, co.argCount);
  if (localsPlus && co.code.size() % 2 != 0)
    return fail(offsetOf(start), "co_code has an odd length (%zu)",
                co.code.size());
  const int64_t totalArgs = int64_t(co.argCount) + co.kwOnlyArgCount +
                            ((co.flags & CO_VARARGS) ? 1 : 0) +
                            ((co.flags & CO_VARKEYWORDS) ? 1 : 0);
  const int64_t varNames =
      localsPlus ? co.nlocals() : int64_t(co.varNamesStored.size());
  if (varNames < totalArgs)
    return fail(offsetOf(start),
                "co_varnames has %lld names, too few for %lld arguments",
                (long long)varNames, (long long)totalArgs);

  out.value = Constant::code(std::move(code));
  out.cost = cost;
  fillRef(slot, out);
  return true;
}

} // namespace

Expected<ConstantRef> readMarshal(StringRef data, PythonVersion version,
                                  uint64_t baseOffset) {
  if (version.major != 3 || version.minor < 8 || version.minor > 15)
    return Error("marshal data of Python " + version.str() +
                     " is not supported (3.8-3.15 only)",
                 baseOffset);
  return Reader(data, version, baseOffset).run();
}

Expected<PycFile> readPyc(StringRef data) {
  if (data.size() < kPycHeaderSize)
    return Error("truncated .pyc header: needed 16 bytes, " +
                     std::to_string(data.size()) + " present",
                 0);
  const auto *bytes = reinterpret_cast<const uint8_t *>(data.data());
  const uint16_t magic = uint16_t(loadLE(bytes, 2));
  std::optional<PythonVersion> version;
  if (bytes[2] == '\r' && bytes[3] == '\n')
    version = PythonVersion::fromMagic(magic);
  if (!version) {
    std::string shown = bytes[2] == '\r' && bytes[3] == '\n'
                            ? hex(magic)
                            : hex(loadLE(bytes, 4));
    return Error(
        "unknown magic number " + shown + " (not a CPython 3.8-3.15 .pyc)", 0);
  }

  PycFile file;
  PycHeader &header = file.header;
  header.version = *version;
  const uint32_t flags = uint32_t(loadLE(bytes + 4, 4));
  switch (flags) {
  case 0:
    header.invalidation = PycInvalidation::Timestamp;
    header.sourceMtime = uint32_t(loadLE(bytes + 8, 4));
    header.sourceSize = uint32_t(loadLE(bytes + 12, 4));
    break;
  case 1:
  case 3:
    header.invalidation = flags == 3 ? PycInvalidation::CheckedHash
                                     : PycInvalidation::UncheckedHash;
    std::memcpy(header.sourceHash.data(), bytes + 8, 8);
    break;
  default:
    return Error("bad .pyc flags " + hex(flags) + " (expected 0, 1 or 3)", 4);
  }

  Expected<ConstantRef> body =
      readMarshal(data.drop_front(kPycHeaderSize), *version, kPycHeaderSize);
  if (!body)
    return body.takeError();
  if (!(*body)->is(ConstantKind::Code))
    return Error(std::string("the .pyc body is ") +
                     constantKindName((*body)->kind()) + ", not a code object",
                 kPycHeaderSize);
  file.code = (*body)->asCode();
  return file;
}

} // namespace bcc
