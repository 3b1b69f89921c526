//===- ir/PyRepr.h - Python's repr() of a Constant, per version -----------===//
//
// Prints a Constant exactly as `repr()` does in the CPython version that owns
// it, so that `bcc dis` and the IR printer show constants the way `dis` does:
//
//   float    shortest round-trip digits; exponent form iff the decimal
//            exponent is < -4 or >= 16 ("1e+16", "1e-05"); "inf", "nan",
//            "-0.0", "1.0"
//   complex  complex_repr: "1j", "(1+2j)", "(-0-1j)"; the real part is left
//            out (with the parentheses) only when it is +0.0
//   str      the quote repr() picks, \\ \' \t \n \r \xNN \uNNNN \UNNNNNNNN,
//            and non-ASCII code points kept only if printable in that
//            version's Unicode database; lone surrogates escaped
//   bytes    b'...' with the same quote rule and \xNN for the rest
//   tuple/list/dict in stored order, "(1,)", "set()", "frozenset()",
//   "frozenset({1, 2})"; slices, Ellipsis, None, True,
//   False, "<class 'StopIteration'>" and code objects as
//   `<code object NAME at 0x..., file "FILE", line N>`.
//
// Sets and frozensets are printed in the order CPython iterates them (see
// ir/PyHash.h for when that differs from the stored order).
//
// Only the address inside a code object's repr is made up: CPython prints
// the object's memory address there. The caller may choose it (the
// disassembler numbers code objects); by default it is kDefaultCodeAddress.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_PYREPR_H
#define BCC_IR_PYREPR_H

#include <cstdint>
#include <functional>
#include <string>

#include "ir/Constant.h"
#include "ir/PythonVersion.h"
#include "llvm/ADT/StringRef.h"

namespace bcc {

class CodeObject;

/// The made-up address shown in a code object's repr when the caller does
/// not choose one. Clearly not a heap address ("bcc" in hex).
inline constexpr uint64_t kDefaultCodeAddress = 0xbcc000000000ULL;

struct ReprOptions {
  /// Selects the Unicode database used for str (what is printable).
  PythonVersion version{3, 13};
  /// The address printed for a code object; unset means kDefaultCodeAddress.
  std::function<uint64_t(const CodeObject &)> codeAddress;
};

/// repr(c) as the CPython version in `opts` prints it.
std::string pyRepr(const Constant &c, const ReprOptions &opts);
/// Shorthand with default options for `version`.
std::string pyRepr(const Constant &c, PythonVersion version);

/// repr() of a float: "1.0", "1e+16", "-0.0", "inf", "nan".
std::string reprFloat(double value);
/// repr() of a complex: "1j", "(1+2j)", "(-0-0j)", "(nan+infj)".
std::string reprComplex(double real, double imag);
/// repr() of a str given as UTF-8 (lone surrogates as 3-byte sequences, as
/// "surrogatepass" writes them). Bytes that are not valid UTF-8 are shown as
/// the surrogate escape U+DC80+byte, i.e. "\udcNN".
std::string reprString(llvm::StringRef utf8, PythonVersion version);
/// repr() of a bytes object: b'...'.
std::string reprBytes(llvm::StringRef data);
/// `<code object NAME at 0xADDR, file "FILE", line N>`.
std::string reprCode(const CodeObject &code, uint64_t address);

/// The walk over a constant that repr() (pyRepr) and the IR's constant
/// literals (ir/ConstantLiteral.h) share: None, True, False, Ellipsis and
/// the leaves as repr() prints them; tuples, lists, dicts, slices, sets and
/// frozensets with repr's punctuation. The two differ on purpose only where
/// the hooks are: StopIteration (repr shows the class), the order of a
/// set's elements (repr's iteration order, or the stored one the .pyc
/// needs back), code objects and host objects.
class ConstantPrinter {
public:
  explicit ConstantPrinter(PythonVersion version) : version_(version) {}
  virtual ~ConstantPrinter() = default;

  void print(const Constant &c);
  std::string take() { return std::move(out_); }

protected:
  virtual void printStopIteration() = 0;
  /// The elements of a non-empty set or frozenset, without the braces.
  virtual void printSetElements(const Constant::Elements &elements) = 0;
  virtual void printCode(const CodeObject &code) = 0;
  virtual void printHost(const HostObject &host) = 0;

  /// The elements in stored order, separated by ", ".
  void printElements(const Constant::Elements &elements);

  const PythonVersion version_;
  std::string out_;
};

} // namespace bcc

#endif // BCC_IR_PYREPR_H
