//===- ir/Constant.h - The constants a code object can hold ---------------===//
//
// A Constant is an immutable tagged tree of every kind of value that marshal
// can hold: the singletons, ints of any size, floats, complex numbers, bytes,
// strings, tuples, lists, dicts, sets, frozensets, nested code objects,
// slices (marshal version 5, 3.14+) and frozendicts (marshal version 6,
// 3.15+). One more kind, Host, wraps an opaque
// object of the embedding interpreter; the bindings use it for constants that
// came from a live object and have no marshal form.
//
// Constants are shared (`ConstantRef` is a shared_ptr to const), so marshal
// back-references and repeated constants cost one node. Sequences keep the
// element order they were read in: for frozensets that is the order CPython
// wrote. Up to 3.10 that is the set's iteration order, which `repr` shows;
// from 3.11 marshal sorts the elements, so repr recomputes the iteration
// order from the hashes (see ir/PyHash.h).
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_CONSTANT_H
#define BCC_IR_CONSTANT_H

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace bcc {

class CodeObject;
class Constant;
using ConstantRef = std::shared_ptr<const Constant>;

enum class ConstantKind : uint8_t {
  None,
  False,
  True,
  Ellipsis,
  StopIteration, // marshal's 'S': the StopIteration type itself
  Int,
  Float,
  Complex,
  Bytes,
  String,
  Tuple,
  List,
  Dict,
  Set,
  FrozenSet,
  Code,
  Slice,
  FrozenDict, // 3.15+
  Host,
};

/// The name of a kind, for diagnostics ("tuple", "code", ...).
const char *constantKindName(ConstantKind kind);

/// An object of the embedding interpreter that bcc carries but cannot look
/// into. The bindings subclass it; the core only needs a repr.
class HostObject {
public:
  virtual ~HostObject();
  virtual std::string repr() const = 0;
  /// Identity comparison is the only meaningful one for an opaque object.
  virtual bool equals(const HostObject &other) const { return this == &other; }
};

/// An integer of any size. Values that fit in int64 are stored directly;
/// larger ones as sign and magnitude in CPython's marshal digits (base 2^15,
/// least significant first, no leading zero digit).
struct PyInt {
  bool isSmall = true;
  int64_t small = 0;
  bool negative = false;
  std::vector<uint16_t> digits; // only when !isSmall

  static PyInt fromInt64(int64_t v) {
    PyInt i;
    i.small = v;
    return i;
  }
  /// Builds from marshal digits, normalizing to the small form if it fits.
  static PyInt fromDigits(bool negative, std::vector<uint16_t> digits);
  /// The magnitude as base-2^15 digits, whatever the representation.
  std::vector<uint16_t> magnitudeDigits() const;
  bool isNegative() const { return isSmall ? small < 0 : negative; }
  /// Decimal text, as Python's repr prints it.
  std::string toDecimal() const;
  bool operator==(const PyInt &o) const;
};

struct PyComplex {
  double real = 0;
  double imag = 0;
};

/// A str. `utf8` holds the code points in UTF-8, with lone surrogates encoded
/// as three bytes like Python's "surrogatepass" (marshal does the same).
struct PyString {
  std::string utf8;
  bool interned = false;
  bool isAscii() const;
};

struct PySlice {
  ConstantRef start, stop, step;
};

class Constant {
public:
  using Elements = std::vector<ConstantRef>;
  using DictItems = std::vector<std::pair<ConstantRef, ConstantRef>>;

  ConstantKind kind() const { return kind_; }
  bool is(ConstantKind k) const { return kind_ == k; }

  // Factories. Singletons are shared.
  static ConstantRef none();
  static ConstantRef boolean(bool value);
  static ConstantRef ellipsis();
  static ConstantRef stopIteration();
  static ConstantRef integer(int64_t value);
  static ConstantRef integer(PyInt value);
  static ConstantRef floating(double value);
  static ConstantRef complex(double real, double imag);
  static ConstantRef bytes(std::string data);
  static ConstantRef string(std::string utf8, bool interned = false);
  static ConstantRef tuple(Elements elements);
  static ConstantRef list(Elements elements);
  static ConstantRef set(Elements elements);
  static ConstantRef frozenSet(Elements elements);
  static ConstantRef dict(DictItems items);
  static ConstantRef frozenDict(DictItems items);
  static ConstantRef code(std::shared_ptr<const CodeObject> code);
  static ConstantRef slice(ConstantRef start, ConstantRef stop,
                           ConstantRef step);
  static ConstantRef host(std::shared_ptr<const HostObject> object);

  // Accessors; each asserts the kind.
  const PyInt &asInt() const;
  double asFloat() const;
  const PyComplex &asComplex() const;
  /// Bytes payload (kind Bytes).
  const std::string &asBytes() const;
  const PyString &asString() const;
  /// Elements of a Tuple, List, Set or FrozenSet.
  const Elements &elements() const;
  /// Items of a Dict or FrozenDict, in order.
  const DictItems &dictItems() const;
  const std::shared_ptr<const CodeObject> &asCode() const;
  const PySlice &asSlice() const;
  const HostObject &asHost() const;

  /// Structural equality: the same kind and the same value, recursively
  /// (floats compare bitwise, so -0.0 != 0.0 and NaNs with the same bits are
  /// equal, as CPython's constant de-duplication treats them).
  bool equals(const Constant &other) const;

  using Payload =
      std::variant<std::monostate, PyInt, double, PyComplex, std::string,
                   PyString, Elements, DictItems,
                   std::shared_ptr<const CodeObject>, PySlice,
                   std::shared_ptr<const HostObject>>;

  Constant(ConstantKind kind, Payload payload)
      : kind_(kind), payload_(std::move(payload)) {}
  /// Builds the payload in place (the factories use it: each move of a
  /// variant is a dispatch on its index).
  template <typename T, typename... Args>
  Constant(ConstantKind kind, std::in_place_type_t<T> type, Args &&...args)
      : kind_(kind), payload_(type, std::forward<Args>(args)...) {}

private:
  ConstantKind kind_;
  Payload payload_;
};

} // namespace bcc

#endif // BCC_IR_CONSTANT_H
