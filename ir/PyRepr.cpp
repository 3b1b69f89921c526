//===- ir/PyRepr.cpp - Python's repr() of a Constant ----------------------===//
//
// Each function mirrors the CPython routine named in its comment (3.8-3.13
// agree on all of them; only the Unicode database behind str's "printable"
// test differs per version).
//
//===----------------------------------------------------------------------===//

#include "ir/PyRepr.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "ir/CodeObject.h"
#include "ir/Opcodes.h"
#include "ir/SipHash.h"
#include "ir/Support.h"

namespace bcc {

namespace {

//===----------------------------------------------------------------------===//
// Floats: PyOS_double_to_string(x, 'r', 0, flags, NULL)
//===----------------------------------------------------------------------===//

/// format_float_short() in Python/pystrtod.c for mode 'r' (shortest
/// round-trip digits). `addDot0` is Py_DTSF_ADD_DOT_0 (float.__repr__),
/// `alwaysSign` is Py_DTSF_SIGN (the imaginary part of a complex).
std::string formatDouble(double x, bool addDot0, bool alwaysSign) {
  std::string out;
  if (std::isnan(x)) {
    // The sign of a NaN is ignored.
    if (alwaysSign)
      out += '+';
    return out + "nan";
  }
  bool negative = std::signbit(x);
  if (negative)
    out += '-';
  else if (alwaysSign)
    out += '+';
  if (std::isinf(x))
    return out + "inf";

  // std::to_chars gives the shortest digits that round-trip, closest to the
  // exact value on ties, which is what David Gay's dtoa mode 0 returns.
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, std::fabs(x),
                           std::chars_format::scientific);
  assert(res.ec == std::errc());
  std::string sci(buf, res.ptr); // "d[.ddd]e[+-]XX"
  size_t ePos = sci.find('e');
  std::string digits;
  for (size_t i = 0; i < ePos; ++i)
    if (sci[i] != '.')
      digits += sci[i];
  int exp10 = std::atoi(sci.c_str() + ePos + 1);
  // Python's decpt: the value is 0.DIGITS * 10**decpt.
  int decpt = exp10 + 1;
  int ndigits = (int)digits.size();

  if (decpt <= -4 || decpt > 16) {
    out += digits[0];
    if (ndigits > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    char expBuf[16];
    std::snprintf(expBuf, sizeof expBuf, "e%+.02d", decpt - 1);
    return out + expBuf;
  }
  if (decpt <= 0) {
    out += "0.";
    out.append(size_t(-decpt), '0');
    return out + digits;
  }
  if (decpt >= ndigits) {
    out += digits;
    out.append(size_t(decpt - ndigits), '0');
    if (addDot0)
      out += ".0";
    return out;
  }
  out.append(digits, 0, size_t(decpt));
  out += '.';
  out.append(digits, size_t(decpt), std::string::npos);
  return out;
}

//===----------------------------------------------------------------------===//
// Strings: unicode_repr() in Objects/unicodeobject.c
//===----------------------------------------------------------------------===//

constexpr char kHexDigits[] = "0123456789abcdef";

/// Decodes one code point of UTF-8 with surrogatepass at `i`, advancing
/// `i`. An invalid byte decodes to the surrogate escape U+DC80+byte.
uint32_t nextCodePoint(llvm::StringRef s, size_t &i) {
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

void appendUtf8(std::string &out, uint32_t cp) {
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

void appendHexEscape(std::string &out, char kind, uint32_t value, int width) {
  out += '\\';
  out += kind;
  for (int shift = (width - 1) * 4; shift >= 0; shift -= 4)
    out += kHexDigits[(value >> shift) & 0xF];
}

/// repr's quote choice (unicode_repr and bytes_repr agree): a single quote,
/// unless the text has single quotes and no double quotes.
char chooseQuote(llvm::StringRef text) {
  bool hasSingle = text.contains('\'');
  bool hasDouble = text.contains('"');
  return hasSingle && !hasDouble ? '"' : '\'';
}

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

std::optional<int64_t> hashConstant(const Constant &c, PythonVersion v);

/// tuplehash (the xxHash-based one of 3.8+).
std::optional<int64_t> hashTuple(const Constant::Elements &elts,
                                 PythonVersion v) {
  const uint64_t prime1 = 11400714785074694791ULL;
  const uint64_t prime2 = 14029467366897019727ULL;
  const uint64_t prime5 = 2870177450012600261ULL;
  uint64_t acc = prime5;
  for (const ConstantRef &e : elts) {
    std::optional<int64_t> lane = hashConstant(*e, v);
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
    std::optional<int64_t> h = hashConstant(*e, v);
    if (!h)
      return std::nullopt;
    hash ^= shuffle(uint64_t(*h));
  }
  hash ^= (uint64_t(elts.size()) + 1) * 1927868237ULL;
  hash ^= (hash >> 11) ^ (hash >> 25);
  hash = hash * 69069U + 907133923ULL;
  return hash == uint64_t(-1) ? 590923713 : int64_t(hash);
}

std::optional<int64_t> hashConstant(const Constant &c, PythonVersion v) {
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

std::optional<int64_t> pyHash(const Constant &c, PythonVersion version) {
  return hashConstant(c, version);
}

std::optional<std::vector<size_t>>
setIterationOrder(const std::vector<ConstantRef> &elements,
                  PythonVersion version) {
  std::vector<uint64_t> hashes;
  for (const ConstantRef &e : elements) {
    std::optional<int64_t> h = hashConstant(*e, version);
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

namespace {

//===----------------------------------------------------------------------===//
// Containers and the rest: the tp_repr of each type
//===----------------------------------------------------------------------===//

class ReprPrinter {
public:
  explicit ReprPrinter(const ReprOptions &opts) : opts(opts) {}

  void print(const Constant &c) {
    switch (c.kind()) {
    case ConstantKind::None:
      out += "None";
      return;
    case ConstantKind::False:
      out += "False";
      return;
    case ConstantKind::True:
      out += "True";
      return;
    case ConstantKind::Ellipsis:
      out += "Ellipsis";
      return;
    case ConstantKind::StopIteration:
      out += "<class 'StopIteration'>";
      return;
    case ConstantKind::Int:
      out += c.asInt().toDecimal();
      return;
    case ConstantKind::Float:
      out += reprFloat(c.asFloat());
      return;
    case ConstantKind::Complex:
      out += reprComplex(c.asComplex().real, c.asComplex().imag);
      return;
    case ConstantKind::Bytes:
      out += reprBytes(c.asBytes());
      return;
    case ConstantKind::String:
      out += reprString(c.asString().utf8, opts.version);
      return;
    case ConstantKind::Tuple: {
      // tuplerepr: "()", "(x,)", "(x, y)".
      const auto &elts = c.elements();
      out += '(';
      printSequence(elts);
      if (elts.size() == 1)
        out += ',';
      out += ')';
      return;
    }
    case ConstantKind::List:
      out += '[';
      printSequence(c.elements());
      out += ']';
      return;
    case ConstantKind::Set:
      if (c.elements().empty()) {
        out += "set()";
        return;
      }
      out += '{';
      printSet(c.elements());
      out += '}';
      return;
    case ConstantKind::FrozenSet:
      if (c.elements().empty()) {
        out += "frozenset()";
        return;
      }
      out += "frozenset({";
      printSet(c.elements());
      out += "})";
      return;
    case ConstantKind::Dict: {
      out += '{';
      bool first = true;
      for (const auto &[key, value] : c.dictItems()) {
        if (!first)
          out += ", ";
        first = false;
        print(*key);
        out += ": ";
        print(*value);
      }
      out += '}';
      return;
    }
    case ConstantKind::Code: {
      const CodeObject &code = *c.asCode();
      uint64_t address =
          opts.codeAddress ? opts.codeAddress(code) : kDefaultCodeAddress;
      out += reprCode(code, address);
      return;
    }
    case ConstantKind::Slice: {
      const PySlice &s = c.asSlice();
      out += "slice(";
      print(*s.start);
      out += ", ";
      print(*s.stop);
      out += ", ";
      print(*s.step);
      out += ')';
      return;
    }
    case ConstantKind::Host:
      out += c.asHost().repr();
      return;
    }
    bcc_unreachable("unknown constant kind");
  }

  std::string take() { return std::move(out); }

private:
  /// Elements in CPython's iteration order (see PyRepr.h).
  void printSet(const Constant::Elements &elts) {
    std::optional<std::vector<size_t>> order;
    if (opts.version.atLeast(3, 11))
      order = setIterationOrder(elts, opts.version);
    if (!order) {
      printSequence(elts);
      return;
    }
    for (size_t i = 0; i < order->size(); ++i) {
      if (i)
        out += ", ";
      print(*elts[(*order)[i]]);
    }
  }

  void printSequence(const Constant::Elements &elts) {
    for (size_t i = 0; i < elts.size(); ++i) {
      if (i)
        out += ", ";
      print(*elts[i]);
    }
  }

  const ReprOptions &opts;
  std::string out;
};

} // namespace

std::string reprFloat(double value) {
  // float_repr: mode 'r', Py_DTSF_ADD_DOT_0.
  return formatDouble(value, /*addDot0=*/true, /*alwaysSign=*/false);
}

std::string reprComplex(double real, double imag) {
  // complex_repr: no ".0" on either part; the imaginary part always carries
  // a sign when the real part is shown.
  if (real == 0.0 && !std::signbit(real))
    return formatDouble(imag, false, false) + "j";
  return "(" + formatDouble(real, false, false) +
         formatDouble(imag, false, /*alwaysSign=*/true) + "j)";
}

std::string reprString(llvm::StringRef utf8, PythonVersion version) {
  char quote = chooseQuote(utf8);
  std::string out;
  out.reserve(utf8.size() + 2);
  out += quote;
  for (size_t i = 0; i < utf8.size();) {
    uint32_t ch = nextCodePoint(utf8, i);
    if (ch == (uint32_t)quote || ch == '\\') {
      out += '\\';
      out += char(ch);
    } else if (ch == '\t') {
      out += "\\t";
    } else if (ch == '\n') {
      out += "\\n";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch < ' ' || ch == 0x7F) {
      appendHexEscape(out, 'x', ch, 2);
    } else if (ch < 0x7F) {
      out += char(ch);
    } else if (isPrintable(version, ch)) {
      appendUtf8(out, ch);
    } else if (ch <= 0xFF) {
      appendHexEscape(out, 'x', ch, 2);
    } else if (ch <= 0xFFFF) {
      appendHexEscape(out, 'u', ch, 4);
    } else {
      appendHexEscape(out, 'U', ch, 8);
    }
  }
  out += quote;
  return out;
}

std::string reprBytes(llvm::StringRef data) {
  // bytes_repr (PyBytes_Repr with smartquotes).
  char quote = chooseQuote(data);
  std::string out = "b";
  out += quote;
  for (char c : data) {
    unsigned char b = (unsigned char)c;
    if (b == (unsigned char)quote || b == '\\') {
      out += '\\';
      out += c;
    } else if (b == '\t') {
      out += "\\t";
    } else if (b == '\n') {
      out += "\\n";
    } else if (b == '\r') {
      out += "\\r";
    } else if (b < ' ' || b >= 0x7F) {
      appendHexEscape(out, 'x', b, 2);
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

std::string reprCode(const CodeObject &code, uint64_t address) {
  // code_repr: "<code object %U at %p, file \"%U\", line %d>". The name and
  // file name are inserted as they are, without escaping; a first line of 0
  // is shown as -1.
  char addr[32];
  std::snprintf(addr, sizeof addr, "0x%llx", (unsigned long long)address);
  return "<code object " + code.name.utf8 + " at " + addr + ", file \"" +
         code.fileName.utf8 + "\", line " +
         std::to_string(code.firstLineNo != 0 ? code.firstLineNo : -1) + ">";
}

std::string pyRepr(const Constant &c, const ReprOptions &opts) {
  ReprPrinter printer(opts);
  printer.print(c);
  return printer.take();
}

std::string pyRepr(const Constant &c, PythonVersion version) {
  ReprOptions opts;
  opts.version = version;
  return pyRepr(c, opts);
}

} // namespace bcc
