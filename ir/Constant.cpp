//===- ir/Constant.cpp ----------------------------------------------------===//

#include "ir/Constant.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "ir/CodeObject.h"

namespace bcc {

const char *constantKindName(ConstantKind kind) {
  switch (kind) {
  case ConstantKind::None: return "None";
  case ConstantKind::False: return "False";
  case ConstantKind::True: return "True";
  case ConstantKind::Ellipsis: return "Ellipsis";
  case ConstantKind::StopIteration: return "StopIteration";
  case ConstantKind::Int: return "int";
  case ConstantKind::Float: return "float";
  case ConstantKind::Complex: return "complex";
  case ConstantKind::Bytes: return "bytes";
  case ConstantKind::String: return "str";
  case ConstantKind::Tuple: return "tuple";
  case ConstantKind::List: return "list";
  case ConstantKind::Dict: return "dict";
  case ConstantKind::Set: return "set";
  case ConstantKind::FrozenSet: return "frozenset";
  case ConstantKind::Code: return "code";
  case ConstantKind::Slice: return "slice";
  case ConstantKind::FrozenDict: return "frozendict";
  case ConstantKind::Host: return "host object";
  }
  return "?";
}

HostObject::~HostObject() = default;

//===----------------------------------------------------------------------===//
// PyInt
//===----------------------------------------------------------------------===//

PyInt PyInt::fromDigits(bool negative, std::vector<uint16_t> digits) {
  while (!digits.empty() && digits.back() == 0)
    digits.pop_back();
  // Fits in int64 if the magnitude is below 2^63 (or equal, when negative).
  if (digits.size() <= 5) { // 5 * 15 = 75 bits; check exactly below
    unsigned __int128 mag = 0;
    for (size_t i = digits.size(); i-- > 0;)
      mag = (mag << 15) | digits[i];
    const unsigned __int128 limit = (unsigned __int128)1 << 63;
    if (mag < limit || (negative && mag == limit)) {
      PyInt r;
      r.small = negative ? (int64_t)(0 - (uint64_t)mag) : (int64_t)mag;
      return r;
    }
  }
  PyInt r;
  r.isSmall = false;
  r.negative = negative;
  r.digits = std::move(digits);
  return r;
}

std::vector<uint16_t> PyInt::magnitudeDigits() const {
  if (!isSmall)
    return digits;
  uint64_t mag = small < 0 ? 0 - (uint64_t)small : (uint64_t)small;
  std::vector<uint16_t> out;
  while (mag) {
    out.push_back(uint16_t(mag & 0x7fff));
    mag >>= 15;
  }
  return out;
}

std::string PyInt::toDecimal() const {
  if (isSmall)
    return std::to_string(small);
  // Repeated division of the base-2^15 magnitude by 10^4.
  std::vector<uint32_t> work(digits.begin(), digits.end());
  std::string reversed;
  while (!work.empty()) {
    uint32_t rem = 0;
    for (size_t i = work.size(); i-- > 0;) {
      uint32_t cur = (rem << 15) | work[i];
      work[i] = cur / 10000;
      rem = cur % 10000;
    }
    while (!work.empty() && work.back() == 0)
      work.pop_back();
    for (int k = 0; k < 4; ++k) {
      reversed.push_back(char('0' + rem % 10));
      rem /= 10;
      if (work.empty() && rem == 0)
        break;
    }
  }
  while (reversed.size() > 1 && reversed.back() == '0')
    reversed.pop_back();
  if (negative)
    reversed.push_back('-');
  return std::string(reversed.rbegin(), reversed.rend());
}

bool PyInt::operator==(const PyInt &o) const {
  if (isSmall != o.isSmall)
    return false;
  if (isSmall)
    return small == o.small;
  return negative == o.negative && digits == o.digits;
}

bool PyString::isAscii() const {
  return std::all_of(utf8.begin(), utf8.end(),
                     [](char c) { return (unsigned char)c < 0x80; });
}

//===----------------------------------------------------------------------===//
// Constant factories
//===----------------------------------------------------------------------===//

namespace {
ConstantRef make(ConstantKind kind) {
  return std::make_shared<const Constant>(kind, Constant::Payload());
}
/// A constant whose payload is a T made from `args`, in place.
template <typename T, typename... Args>
ConstantRef make(ConstantKind kind, Args &&...args) {
  return std::make_shared<const Constant>(kind, std::in_place_type<T>,
                                          std::forward<Args>(args)...);
}
} // namespace

ConstantRef Constant::none() {
  static const ConstantRef v = make(ConstantKind::None);
  return v;
}
ConstantRef Constant::boolean(bool value) {
  static const ConstantRef t = make(ConstantKind::True);
  static const ConstantRef f = make(ConstantKind::False);
  return value ? t : f;
}
ConstantRef Constant::ellipsis() {
  static const ConstantRef v = make(ConstantKind::Ellipsis);
  return v;
}
ConstantRef Constant::stopIteration() {
  static const ConstantRef v = make(ConstantKind::StopIteration);
  return v;
}
ConstantRef Constant::integer(int64_t value) {
  return make<PyInt>(ConstantKind::Int, PyInt::fromInt64(value));
}
ConstantRef Constant::integer(PyInt value) {
  return make<PyInt>(ConstantKind::Int, std::move(value));
}
ConstantRef Constant::floating(double value) {
  return make<double>(ConstantKind::Float, value);
}
ConstantRef Constant::complex(double real, double imag) {
  return make<PyComplex>(ConstantKind::Complex, PyComplex{real, imag});
}
ConstantRef Constant::bytes(std::string data) {
  return make<std::string>(ConstantKind::Bytes, std::move(data));
}
ConstantRef Constant::string(std::string utf8, bool interned) {
  return make<PyString>(ConstantKind::String,
                        PyString{std::move(utf8), interned});
}
ConstantRef Constant::tuple(Elements elements) {
  return make<Elements>(ConstantKind::Tuple, std::move(elements));
}
ConstantRef Constant::list(Elements elements) {
  return make<Elements>(ConstantKind::List, std::move(elements));
}
ConstantRef Constant::set(Elements elements) {
  return make<Elements>(ConstantKind::Set, std::move(elements));
}
ConstantRef Constant::frozenSet(Elements elements) {
  return make<Elements>(ConstantKind::FrozenSet, std::move(elements));
}
ConstantRef Constant::dict(DictItems items) {
  return make<DictItems>(ConstantKind::Dict, std::move(items));
}
ConstantRef Constant::frozenDict(DictItems items) {
  return make<DictItems>(ConstantKind::FrozenDict, std::move(items));
}
ConstantRef Constant::code(std::shared_ptr<const CodeObject> code) {
  return make<std::shared_ptr<const CodeObject>>(ConstantKind::Code,
                                                 std::move(code));
}
ConstantRef Constant::slice(ConstantRef start, ConstantRef stop,
                            ConstantRef step) {
  return make<PySlice>(ConstantKind::Slice,
                       PySlice{std::move(start), std::move(stop),
                               std::move(step)});
}
ConstantRef Constant::host(std::shared_ptr<const HostObject> object) {
  return make<std::shared_ptr<const HostObject>>(ConstantKind::Host,
                                                 std::move(object));
}

//===----------------------------------------------------------------------===//
// Accessors
//===----------------------------------------------------------------------===//

const PyInt &Constant::asInt() const {
  assert(kind_ == ConstantKind::Int);
  return std::get<PyInt>(payload_);
}
double Constant::asFloat() const {
  assert(kind_ == ConstantKind::Float);
  return std::get<double>(payload_);
}
const PyComplex &Constant::asComplex() const {
  assert(kind_ == ConstantKind::Complex);
  return std::get<PyComplex>(payload_);
}
const std::string &Constant::asBytes() const {
  assert(kind_ == ConstantKind::Bytes);
  return std::get<std::string>(payload_);
}
const PyString &Constant::asString() const {
  assert(kind_ == ConstantKind::String);
  return std::get<PyString>(payload_);
}
const Constant::Elements &Constant::elements() const {
  assert(kind_ == ConstantKind::Tuple || kind_ == ConstantKind::List ||
         kind_ == ConstantKind::Set || kind_ == ConstantKind::FrozenSet);
  return std::get<Elements>(payload_);
}
const Constant::DictItems &Constant::dictItems() const {
  assert(kind_ == ConstantKind::Dict || kind_ == ConstantKind::FrozenDict);
  return std::get<DictItems>(payload_);
}
const std::shared_ptr<const CodeObject> &Constant::asCode() const {
  assert(kind_ == ConstantKind::Code);
  return std::get<std::shared_ptr<const CodeObject>>(payload_);
}
const PySlice &Constant::asSlice() const {
  assert(kind_ == ConstantKind::Slice);
  return std::get<PySlice>(payload_);
}
const HostObject &Constant::asHost() const {
  assert(kind_ == ConstantKind::Host);
  return *std::get<std::shared_ptr<const HostObject>>(payload_);
}

namespace {
bool sameBits(double a, double b) {
  return std::memcmp(&a, &b, sizeof(double)) == 0;
}
bool equalRefs(const ConstantRef &a, const ConstantRef &b) {
  if (a == b)
    return true;
  if (!a || !b)
    return false;
  return a->equals(*b);
}
} // namespace

bool Constant::equals(const Constant &other) const {
  if (this == &other)
    return true;
  if (kind_ != other.kind_)
    return false;
  switch (kind_) {
  case ConstantKind::None:
  case ConstantKind::False:
  case ConstantKind::True:
  case ConstantKind::Ellipsis:
  case ConstantKind::StopIteration:
    return true;
  case ConstantKind::Int:
    return asInt() == other.asInt();
  case ConstantKind::Float:
    return sameBits(asFloat(), other.asFloat());
  case ConstantKind::Complex:
    return sameBits(asComplex().real, other.asComplex().real) &&
           sameBits(asComplex().imag, other.asComplex().imag);
  case ConstantKind::Bytes:
    return asBytes() == other.asBytes();
  case ConstantKind::String:
    return asString().utf8 == other.asString().utf8;
  case ConstantKind::Tuple:
  case ConstantKind::List:
  case ConstantKind::Set:
  case ConstantKind::FrozenSet: {
    const Elements &a = elements(), &b = other.elements();
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), equalRefs);
  }
  case ConstantKind::Dict:
  case ConstantKind::FrozenDict: {
    const DictItems &a = dictItems(), &b = other.dictItems();
    if (a.size() != b.size())
      return false;
    for (size_t i = 0; i < a.size(); ++i)
      if (!equalRefs(a[i].first, b[i].first) ||
          !equalRefs(a[i].second, b[i].second))
        return false;
    return true;
  }
  case ConstantKind::Code:
    return asCode() == other.asCode() || asCode()->equals(*other.asCode());
  case ConstantKind::Slice:
    return equalRefs(asSlice().start, other.asSlice().start) &&
           equalRefs(asSlice().stop, other.asSlice().stop) &&
           equalRefs(asSlice().step, other.asSlice().step);
  case ConstantKind::Host:
    return asHost().equals(other.asHost());
  }
  return false;
}

} // namespace bcc
