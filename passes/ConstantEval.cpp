//===- passes/ConstantEval.cpp --------------------------------------------===//
//
// Numbers follow Objects/longobject.c and Objects/floatobject.c: floor
// division and modulo round toward negative infinity, float floor division
// and modulo use fmod with CPython's adjustments, int true division is only
// folded where the quotient of two doubles is exact-rounded (both operands
// within 2^53). Strings are UTF-8 with lone surrogates as three bytes, so
// byte order is code point order and concatenation is byte concatenation.
//
//===----------------------------------------------------------------------===//

#include "passes/ConstantEval.h"

#include <cmath>
#include <cstring>

namespace bcc {

namespace {

// Python/ast_opt.c's limits on what its own folder builds.
constexpr size_t kMaxCollectionSize = 256;
constexpr size_t kMaxStrSize = 4096;
constexpr int64_t kExactDouble = int64_t(1) << 53;

bool isSmallInt(const Constant &c) {
  return c.is(ConstantKind::Int) && c.asInt().isSmall;
}
bool isBool(const Constant &c) {
  return c.is(ConstantKind::True) || c.is(ConstantKind::False);
}
/// An int or a bool (bools are ints in arithmetic), as int64.
std::optional<int64_t> asInteger(const Constant &c) {
  if (c.is(ConstantKind::True))
    return 1;
  if (c.is(ConstantKind::False))
    return 0;
  if (isSmallInt(c))
    return c.asInt().small;
  return std::nullopt;
}
/// An int, bool or float as a double, when the conversion is exact.
std::optional<double> asReal(const Constant &c) {
  if (c.is(ConstantKind::Float))
    return c.asFloat();
  if (std::optional<int64_t> i = asInteger(c))
    if (*i <= kExactDouble && *i >= -kExactDouble)
      return double(*i);
  return std::nullopt;
}

size_t codePoints(llvm::StringRef utf8) {
  size_t n = 0;
  for (unsigned char c : utf8)
    n += (c & 0xC0) != 0x80;
  return n;
}

ConstantRef integer(int64_t v) { return Constant::integer(v); }

ConstantRef foldIntegers(llvm::StringRef op, int64_t a, int64_t b,
                         bool bothBool) {
  int64_t r = 0;
  if (op == "+") {
    if (__builtin_add_overflow(a, b, &r))
      return nullptr;
  } else if (op == "-") {
    if (__builtin_sub_overflow(a, b, &r))
      return nullptr;
  } else if (op == "*") {
    if (__builtin_mul_overflow(a, b, &r))
      return nullptr;
  } else if (op == "//" || op == "%") {
    if (b == 0 || (a == INT64_MIN && b == -1))
      return nullptr;
    int64_t q = a / b, m = a % b;
    if (m != 0 && ((m < 0) != (b < 0))) {
      q -= 1;
      m += b;
    }
    r = op == "//" ? q : m;
  } else if (op == "/") {
    if (b == 0 || a > kExactDouble || a < -kExactDouble || b > kExactDouble ||
        b < -kExactDouble)
      return nullptr;
    return Constant::floating(double(a) / double(b));
  } else if (op == "**") {
    if (b < 0)
      return nullptr; // a float, or ZeroDivisionError
    if (a == 0 || a == 1) {
      r = b == 0 ? 1 : a;
    } else if (a == -1) {
      r = b % 2 ? -1 : 1;
    } else {
      if (b > 63)
        return nullptr;
      r = 1;
      for (int64_t i = 0; i < b; ++i)
        if (__builtin_mul_overflow(r, a, &r))
          return nullptr;
    }
  } else if (op == "<<") {
    if (b < 0 || b >= 63)
      return nullptr;
    if (a != 0 && (a > (INT64_MAX >> b) || a < (INT64_MIN >> b)))
      return nullptr;
    r = int64_t(uint64_t(a) << b);
  } else if (op == ">>") {
    if (b < 0)
      return nullptr;
    r = b >= 63 ? (a < 0 ? -1 : 0) : (a >> b);
  } else if (op == "&" || op == "|" || op == "^") {
    r = op == "&" ? (a & b) : op == "|" ? (a | b) : (a ^ b);
    if (bothBool)
      return Constant::boolean(r != 0);
  } else {
    return nullptr;
  }
  return integer(r);
}

ConstantRef foldReals(llvm::StringRef op, double a, double b) {
  if (op == "+")
    return Constant::floating(a + b);
  if (op == "-")
    return Constant::floating(a - b);
  if (op == "*")
    return Constant::floating(a * b);
  if (op == "/") {
    if (b == 0)
      return nullptr;
    return Constant::floating(a / b);
  }
  if (op == "//" || op == "%") {
    if (b == 0 || std::isnan(a) || std::isnan(b) || std::isinf(a) ||
        std::isinf(b))
      return nullptr;
    // Objects/floatobject.c, float_divmod.
    double mod = std::fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0) {
      if ((b < 0) != (mod < 0)) {
        mod += b;
        div -= 1.0;
      }
    } else {
      mod = std::copysign(0.0, b);
    }
    double floordiv;
    if (div != 0) {
      floordiv = std::floor(div);
      if (div - floordiv > 0.5)
        floordiv += 1.0;
    } else {
      floordiv = std::copysign(0.0, a / b);
    }
    return Constant::floating(op == "//" ? floordiv : mod);
  }
  return nullptr;
}

ConstantRef repeat(const Constant &seq, int64_t n) {
  if (n < 0)
    n = 0;
  if (seq.is(ConstantKind::String)) {
    const std::string &s = seq.asString().utf8;
    if (n > 0 && codePoints(s) * size_t(n) > kMaxStrSize)
      return nullptr;
    std::string out;
    for (int64_t i = 0; i < n; ++i)
      out += s;
    return Constant::string(std::move(out));
  }
  if (seq.is(ConstantKind::Bytes)) {
    const std::string &s = seq.asBytes();
    if (n > 0 && s.size() * size_t(n) > kMaxStrSize)
      return nullptr;
    std::string out;
    for (int64_t i = 0; i < n; ++i)
      out += s;
    return Constant::bytes(std::move(out));
  }
  if (seq.is(ConstantKind::Tuple)) {
    const Constant::Elements &e = seq.elements();
    if (n > 0 && e.size() * size_t(n) > kMaxCollectionSize)
      return nullptr;
    Constant::Elements out;
    for (int64_t i = 0; i < n; ++i)
      out.insert(out.end(), e.begin(), e.end());
    return Constant::tuple(std::move(out));
  }
  return nullptr;
}

/// The n-th code point of `utf8` as its own UTF-8, or "" if out of range.
std::string codePointAt(llvm::StringRef utf8, size_t n) {
  size_t index = 0;
  for (size_t i = 0; i < utf8.size();) {
    size_t len = 1;
    unsigned char c = utf8[i];
    if (c >= 0xF0)
      len = 4;
    else if (c >= 0xE0)
      len = 3;
    else if (c >= 0xC0)
      len = 2;
    if (index == n)
      return utf8.substr(i, len).str();
    ++index;
    i += len;
  }
  return "";
}

bool isSingleton(const Constant &c) {
  return c.is(ConstantKind::None) || c.is(ConstantKind::True) ||
         c.is(ConstantKind::False) || c.is(ConstantKind::Ellipsis);
}

} // namespace

std::optional<bool> truthValue(const Constant &c) {
  switch (c.kind()) {
  case ConstantKind::None:
  case ConstantKind::False:
    return false;
  case ConstantKind::True:
  case ConstantKind::Ellipsis:
  case ConstantKind::StopIteration:
  case ConstantKind::Code:
  case ConstantKind::Slice:
    return true;
  case ConstantKind::Int:
    return c.asInt().isSmall ? c.asInt().small != 0 : true;
  case ConstantKind::Float:
    return c.asFloat() != 0.0;
  case ConstantKind::Complex:
    return c.asComplex().real != 0.0 || c.asComplex().imag != 0.0;
  case ConstantKind::Bytes:
    return !c.asBytes().empty();
  case ConstantKind::String:
    return !c.asString().utf8.empty();
  case ConstantKind::Tuple:
  case ConstantKind::List:
  case ConstantKind::Set:
  case ConstantKind::FrozenSet:
    return !c.elements().empty();
  case ConstantKind::Dict:
  case ConstantKind::FrozenDict:
    return !c.dictItems().empty();
  case ConstantKind::Host:
    return std::nullopt;
  }
  return std::nullopt;
}

ConstantRef foldBinary(llvm::StringRef op, const Constant &a,
                       const Constant &b) {
  if (op.size() > 1 && op.endswith("=") && op != "==" && op != "!=")
    op = op.drop_back(); // the in-place forms, on immutable values
  std::optional<int64_t> ia = asInteger(a), ib = asInteger(b);
  if (ia && ib)
    return foldIntegers(op, *ia, *ib, isBool(a) && isBool(b));
  if (a.is(ConstantKind::Float) || b.is(ConstantKind::Float)) {
    std::optional<double> ra = asReal(a), rb = asReal(b);
    if (ra && rb)
      return foldReals(op, *ra, *rb);
    return nullptr;
  }
  if (op == "+") {
    if (a.is(ConstantKind::String) && b.is(ConstantKind::String)) {
      std::string s = a.asString().utf8 + b.asString().utf8;
      if (codePoints(s) > kMaxStrSize)
        return nullptr;
      return Constant::string(std::move(s));
    }
    if (a.is(ConstantKind::Bytes) && b.is(ConstantKind::Bytes)) {
      std::string s = a.asBytes() + b.asBytes();
      if (s.size() > kMaxStrSize)
        return nullptr;
      return Constant::bytes(std::move(s));
    }
    if (a.is(ConstantKind::Tuple) && b.is(ConstantKind::Tuple)) {
      Constant::Elements e = a.elements();
      e.insert(e.end(), b.elements().begin(), b.elements().end());
      if (e.size() > kMaxCollectionSize)
        return nullptr;
      return Constant::tuple(std::move(e));
    }
    return nullptr;
  }
  if (op == "*") {
    if (ib)
      return repeat(a, *ib);
    if (ia)
      return repeat(b, *ia);
  }
  return nullptr;
}

std::optional<bool> constantsEqual(const Constant &a, const Constant &b) {
  std::optional<int64_t> ia = asInteger(a), ib = asInteger(b);
  if (ia && ib)
    return *ia == *ib;
  bool aNumber = ia || a.is(ConstantKind::Float) || a.is(ConstantKind::Int);
  bool bNumber = ib || b.is(ConstantKind::Float) || b.is(ConstantKind::Int);
  if (aNumber && bNumber) {
    if (a.is(ConstantKind::Int) && b.is(ConstantKind::Int))
      return a.asInt() == b.asInt();
    std::optional<double> ra = asReal(a), rb = asReal(b);
    if (ra && rb)
      return *ra == *rb;
    return std::nullopt;
  }
  if (a.is(ConstantKind::String) && b.is(ConstantKind::String))
    return a.asString().utf8 == b.asString().utf8;
  if (a.is(ConstantKind::Bytes) && b.is(ConstantKind::Bytes))
    return a.asBytes() == b.asBytes();
  if (a.is(ConstantKind::Tuple) && b.is(ConstantKind::Tuple)) {
    if (a.elements().size() != b.elements().size())
      return false;
    for (size_t i = 0; i < a.elements().size(); ++i) {
      std::optional<bool> e = constantsEqual(*a.elements()[i], *b.elements()[i]);
      if (!e)
        return std::nullopt;
      if (!*e)
        return false;
    }
    return true;
  }
  // str against bytes warns under -b; anything else is left to run time,
  // except the singletons, which equal only themselves.
  if ((a.is(ConstantKind::String) && b.is(ConstantKind::Bytes)) ||
      (a.is(ConstantKind::Bytes) && b.is(ConstantKind::String)))
    return std::nullopt;
  auto simple = [](const Constant &c) {
    return isSingleton(c) || c.is(ConstantKind::Int) ||
           c.is(ConstantKind::Float) || c.is(ConstantKind::String) ||
           c.is(ConstantKind::Bytes) || c.is(ConstantKind::Tuple);
  };
  if ((isSingleton(a) || isSingleton(b)) && simple(a) && simple(b))
    return a.kind() == b.kind();
  return std::nullopt;
}

std::optional<bool> foldCompare(llvm::StringRef op, const Constant &a,
                                const Constant &b) {
  if (op == "==" || op == "!=") {
    std::optional<bool> eq = constantsEqual(a, b);
    if (!eq)
      return std::nullopt;
    return op == "==" ? *eq : !*eq;
  }
  int order = 0; // <0, 0, >0
  std::optional<int64_t> ia = asInteger(a), ib = asInteger(b);
  if (ia && ib) {
    order = *ia < *ib ? -1 : *ia > *ib ? 1 : 0;
  } else if (a.is(ConstantKind::String) && b.is(ConstantKind::String)) {
    int c = a.asString().utf8.compare(b.asString().utf8);
    order = c < 0 ? -1 : c > 0 ? 1 : 0;
  } else if (a.is(ConstantKind::Bytes) && b.is(ConstantKind::Bytes)) {
    int c = a.asBytes().compare(b.asBytes());
    order = c < 0 ? -1 : c > 0 ? 1 : 0;
  } else {
    std::optional<double> ra = asReal(a), rb = asReal(b);
    if (!ra || !rb || !(a.is(ConstantKind::Float) || b.is(ConstantKind::Float)))
      return std::nullopt;
    if (std::isnan(*ra) || std::isnan(*rb))
      return false; // every ordering with NaN is false
    order = *ra < *rb ? -1 : *ra > *rb ? 1 : 0;
  }
  if (op == "<")
    return order < 0;
  if (op == "<=")
    return order <= 0;
  if (op == ">")
    return order > 0;
  if (op == ">=")
    return order >= 0;
  return std::nullopt;
}

std::optional<bool> foldIs(const Constant &a, const Constant &b) {
  if (isSingleton(a) && isSingleton(b))
    return a.kind() == b.kind();
  if ((isSingleton(a) || isSingleton(b)) && a.kind() != b.kind() &&
      !a.is(ConstantKind::Host) && !b.is(ConstantKind::Host))
    return false;
  return std::nullopt;
}

std::optional<bool> foldContains(const Constant &a, const Constant &b) {
  if (b.is(ConstantKind::String)) {
    if (!a.is(ConstantKind::String))
      return std::nullopt; // TypeError
    return llvm::StringRef(b.asString().utf8).contains(a.asString().utf8);
  }
  if (b.is(ConstantKind::Bytes)) {
    if (!a.is(ConstantKind::Bytes))
      return std::nullopt; // an int is allowed, but leave it
    return llvm::StringRef(b.asBytes()).contains(a.asBytes());
  }
  if (b.is(ConstantKind::Tuple) || b.is(ConstantKind::FrozenSet)) {
    // Membership tests identity first, then ==; only certain answers.
    for (const ConstantRef &e : b.elements()) {
      std::optional<bool> eq = constantsEqual(a, *e);
      if (!eq)
        return std::nullopt;
      if (*eq)
        return true;
    }
    return false;
  }
  return std::nullopt;
}

ConstantRef foldNegative(const Constant &a) {
  if (a.is(ConstantKind::Float))
    return Constant::floating(-a.asFloat());
  std::optional<int64_t> i = asInteger(a);
  if (!i || *i == INT64_MIN)
    return nullptr;
  return integer(-*i);
}

ConstantRef foldInvert(const Constant &a) {
  // ~True is deprecated (3.12+ warns): leave bools to run time.
  if (!isSmallInt(a))
    return nullptr;
  return integer(~a.asInt().small);
}

ConstantRef foldSubscript(const Constant &a, const Constant &b) {
  if (!isSmallInt(b))
    return nullptr;
  int64_t index = b.asInt().small;
  auto normalize = [&](size_t size) -> std::optional<size_t> {
    int64_t i = index < 0 ? index + int64_t(size) : index;
    if (i < 0 || i >= int64_t(size))
      return std::nullopt; // IndexError
    return size_t(i);
  };
  if (a.is(ConstantKind::Tuple)) {
    if (std::optional<size_t> i = normalize(a.elements().size()))
      return a.elements()[*i];
    return nullptr;
  }
  if (a.is(ConstantKind::Bytes)) {
    if (std::optional<size_t> i = normalize(a.asBytes().size()))
      return integer((unsigned char)a.asBytes()[*i]);
    return nullptr;
  }
  if (a.is(ConstantKind::String)) {
    const std::string &s = a.asString().utf8;
    if (std::optional<size_t> i = normalize(codePoints(s)))
      return Constant::string(codePointAt(s, *i));
    return nullptr;
  }
  return nullptr;
}

ConstantRef foldTuple(llvm::ArrayRef<ConstantRef> items) {
  if (items.size() > kMaxCollectionSize)
    return nullptr;
  return Constant::tuple(Constant::Elements(items.begin(), items.end()));
}

} // namespace bcc
