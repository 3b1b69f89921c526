//===- ir/PyRepr.cpp - Python's repr() of a Constant ----------------------===//
//
// Each function mirrors the CPython routine named in its comment (3.8-3.13
// agree on all of them; only the Unicode database behind str's "printable"
// test differs per version).
//
//===----------------------------------------------------------------------===//

#include "ir/PyRepr.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "ir/CodeObject.h"
#include "ir/Opcodes.h"
#include "ir/PyHash.h"
#include "ir/Support.h"
#include "ir/Utf8.h"

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
// repr(): the hooks of ConstantPrinter
//===----------------------------------------------------------------------===//

class ReprPrinter final : public ConstantPrinter {
public:
  explicit ReprPrinter(const ReprOptions &opts)
      : ConstantPrinter(opts.version), opts(opts) {}

private:
  void printStopIteration() override { out_ += "<class 'StopIteration'>"; }

  /// Elements in CPython's iteration order (see PyHash.h).
  void printSetElements(const Constant::Elements &elts) override {
    std::optional<std::vector<size_t>> order;
    if (version_.atLeast(3, 11))
      order = setIterationOrder(elts, version_);
    if (!order) {
      printElements(elts);
      return;
    }
    for (size_t i = 0; i < order->size(); ++i) {
      if (i)
        out_ += ", ";
      print(*elts[(*order)[i]]);
    }
  }

  void printCode(const CodeObject &code) override {
    uint64_t address =
        opts.codeAddress ? opts.codeAddress(code) : kDefaultCodeAddress;
    out_ += reprCode(code, address);
  }

  void printHost(const HostObject &host) override { out_ += host.repr(); }

  const ReprOptions &opts;
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

//===----------------------------------------------------------------------===//
// ConstantPrinter: the tp_repr of each type
//===----------------------------------------------------------------------===//

void ConstantPrinter::print(const Constant &c) {
  switch (c.kind()) {
  case ConstantKind::None:
    out_ += "None";
    return;
  case ConstantKind::False:
    out_ += "False";
    return;
  case ConstantKind::True:
    out_ += "True";
    return;
  case ConstantKind::Ellipsis:
    out_ += "Ellipsis";
    return;
  case ConstantKind::StopIteration:
    printStopIteration();
    return;
  case ConstantKind::Int:
    out_ += c.asInt().toDecimal();
    return;
  case ConstantKind::Float:
    out_ += reprFloat(c.asFloat());
    return;
  case ConstantKind::Complex:
    out_ += reprComplex(c.asComplex().real, c.asComplex().imag);
    return;
  case ConstantKind::Bytes:
    out_ += reprBytes(c.asBytes());
    return;
  case ConstantKind::String:
    out_ += reprString(c.asString().utf8, version_);
    return;
  case ConstantKind::Tuple:
    // tuplerepr: "()", "(x,)", "(x, y)".
    out_ += '(';
    printElements(c.elements());
    if (c.elements().size() == 1)
      out_ += ',';
    out_ += ')';
    return;
  case ConstantKind::List:
    out_ += '[';
    printElements(c.elements());
    out_ += ']';
    return;
  case ConstantKind::Set:
    if (c.elements().empty()) {
      out_ += "set()";
      return;
    }
    out_ += '{';
    printSetElements(c.elements());
    out_ += '}';
    return;
  case ConstantKind::FrozenSet:
    if (c.elements().empty()) {
      out_ += "frozenset()";
      return;
    }
    out_ += "frozenset({";
    printSetElements(c.elements());
    out_ += "})";
    return;
  case ConstantKind::Dict:
  case ConstantKind::FrozenDict: {
    // frozendict_repr: "frozendict()", else the dict's repr inside
    // "frozendict(...)".
    const bool frozen = c.is(ConstantKind::FrozenDict);
    if (frozen && c.dictItems().empty()) {
      out_ += "frozendict()";
      return;
    }
    out_ += frozen ? "frozendict({" : "{";
    bool first = true;
    for (const auto &[key, value] : c.dictItems()) {
      if (!first)
        out_ += ", ";
      first = false;
      print(*key);
      out_ += ": ";
      print(*value);
    }
    out_ += frozen ? "})" : "}";
    return;
  }
  case ConstantKind::Slice: {
    const PySlice &s = c.asSlice();
    out_ += "slice(";
    print(*s.start);
    out_ += ", ";
    print(*s.stop);
    out_ += ", ";
    print(*s.step);
    out_ += ')';
    return;
  }
  case ConstantKind::Code:
    printCode(*c.asCode());
    return;
  case ConstantKind::Host:
    printHost(c.asHost());
    return;
  }
  bcc_unreachable("unknown constant kind");
}

void ConstantPrinter::printElements(const Constant::Elements &elements) {
  for (size_t i = 0; i < elements.size(); ++i) {
    if (i)
      out_ += ", ";
    print(*elements[i]);
  }
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
