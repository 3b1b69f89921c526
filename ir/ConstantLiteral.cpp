//===- ir/ConstantLiteral.cpp - Print and parse constant literals ---------===//

#include "ir/ConstantLiteral.h"

#include <charconv>
#include <cmath>

#include "ir/CodeObject.h"
#include "ir/PyRepr.h"
#include "ir/Utf8.h"

namespace bcc {

//===----------------------------------------------------------------------===//
// Printing
//===----------------------------------------------------------------------===//

namespace {

/// repr()'s walk (ConstantPrinter), with the names the text needs.
class LiteralPrinter final : public ConstantPrinter {
public:
  using ConstantPrinter::ConstantPrinter;

private:
  void printStopIteration() override { out_ += "StopIteration"; }

  /// Stored order: the marshal order, which the .pyc needs back.
  void printSetElements(const Constant::Elements &elements) override {
    printElements(elements);
  }

  void printCode(const CodeObject &code) override {
    out_ += "<code object ";
    out_ += reprString(code.name.utf8, version_);
    out_ += '>';
  }

  void printHost(const HostObject &host) override {
    out_ += "<host object ";
    out_ += host.repr();
    out_ += '>';
  }
};

} // namespace

std::string printConstantLiteral(const Constant &constant,
                                 PythonVersion version) {
  LiteralPrinter printer(version);
  printer.print(constant);
  return printer.take();
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

namespace {

/// Containers nest at most this deep, so that hostile text cannot exhaust
/// the stack.
constexpr unsigned kMaxNesting = 200;

int hexValue(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// The body of a quoted literal, after the optional 'b' prefix. Bytes get
/// one byte per \x escape and refuse non-ASCII characters; str gets UTF-8.
Expected<std::string> parseQuoted(TextReader &r, bool isBytes) {
  char quote = r.peek();
  if (quote != '\'' && quote != '"')
    return r.error("expected a quoted string");
  TextPosition start = r.position();
  r.advance();
  std::string out;
  for (;;) {
    char c = r.peek();
    if (r.atEnd() || c == '\n')
      return r.errorAt(start, "unterminated string literal");
    if (c == quote) {
      r.advance();
      return out;
    }
    if (c != '\\') {
      if (isBytes && (unsigned char)c >= 0x80)
        return r.error("non-ASCII character in a bytes literal");
      out += c;
      r.advance();
      continue;
    }
    TextPosition escape = r.position();
    r.advance();
    char e = r.peek();
    r.advance();
    switch (e) {
    case '\\':
      out += '\\';
      continue;
    case '\'':
      out += '\'';
      continue;
    case '"':
      out += '"';
      continue;
    case 'a':
      out += '\a';
      continue;
    case 'b':
      out += '\b';
      continue;
    case 'f':
      out += '\f';
      continue;
    case 'n':
      out += '\n';
      continue;
    case 'r':
      out += '\r';
      continue;
    case 't':
      out += '\t';
      continue;
    case 'v':
      out += '\v';
      continue;
    default:
      break;
    }
    if (e >= '0' && e <= '7') {
      unsigned value = unsigned(e - '0');
      for (int i = 0; i < 2 && r.peek() >= '0' && r.peek() <= '7'; ++i) {
        value = value * 8 + unsigned(r.peek() - '0');
        r.advance();
      }
      if (isBytes)
        out += char(value & 0xFF);
      else
        appendUtf8(out, value);
      continue;
    }
    int width = e == 'x'                 ? 2
                : (!isBytes && e == 'u') ? 4
                : (!isBytes && e == 'U') ? 8
                                         : 0;
    if (!width)
      return r.errorAt(escape, "unknown escape sequence in a string literal");
    uint32_t value = 0;
    for (int i = 0; i < width; ++i) {
      int h = hexValue(r.peek());
      if (h < 0)
        return r.errorAt(escape, llvm::Twine("truncated \\") + llvm::Twine(e) +
                                     " escape in a string literal");
      value = value * 16 + uint32_t(h);
      r.advance();
    }
    if (value > 0x10FFFF)
      return r.errorAt(escape, "escape beyond U+10FFFF in a string literal");
    if (isBytes)
      out += char(value);
    else
      appendUtf8(out, value);
  }
}

/// Decimal digits to a PyInt of any size.
PyInt decimalToInt(llvm::StringRef digitsText, bool negative) {
  std::vector<uint16_t> digits; // base 2^15, least significant first
  for (char ch : digitsText) {
    uint32_t carry = uint32_t(ch - '0');
    for (uint16_t &d : digits) {
      uint32_t v = uint32_t(d) * 10 + carry;
      d = uint16_t(v & 0x7FFF);
      carry = v >> 15;
    }
    while (carry) {
      digits.push_back(uint16_t(carry & 0x7FFF));
      carry >>= 15;
    }
  }
  return PyInt::fromDigits(negative, std::move(digits));
}

/// The text of one unsigned number: digits with an optional fraction and
/// exponent, or inf/nan; then an optional 'j'.
struct NumberText {
  llvm::StringRef text; ///< without the 'j'
  bool isFloat = false; ///< has a fraction, an exponent, or is inf/nan
  bool imaginary = false;
};

std::optional<NumberText> scanNumber(TextReader &r) {
  llvm::StringRef rest = r.rest();
  NumberText num;
  size_t n = 0;
  if (rest.startswith("inf") || rest.startswith("nan")) {
    n = 3;
    num.isFloat = true;
  } else {
    while (n < rest.size() && TextReader::isDigit(rest[n]))
      ++n;
    if (n == 0)
      return std::nullopt;
    if (n < rest.size() && rest[n] == '.') {
      num.isFloat = true;
      ++n;
      while (n < rest.size() && TextReader::isDigit(rest[n]))
        ++n;
    }
    if (n < rest.size() && (rest[n] == 'e' || rest[n] == 'E')) {
      size_t m = n + 1;
      if (m < rest.size() && (rest[m] == '+' || rest[m] == '-'))
        ++m;
      if (m < rest.size() && TextReader::isDigit(rest[m])) {
        num.isFloat = true;
        n = m;
        while (n < rest.size() && TextReader::isDigit(rest[n]))
          ++n;
      }
    }
  }
  num.text = rest.take_front(n);
  if (n < rest.size() && (rest[n] == 'j' || rest[n] == 'J')) {
    num.imaginary = true;
    ++n;
  }
  if (n < rest.size() && TextReader::isIdentifierChar(rest[n]))
    return std::nullopt;
  r.advance(n);
  return num;
}

double parseDouble(llvm::StringRef text) {
  double value = 0;
  std::from_chars(text.begin(), text.end(), value);
  return value;
}

class LiteralParser {
public:
  explicit LiteralParser(TextReader &r) : r(r) {}

  Expected<ConstantRef> parse(unsigned depth);

private:
  Expected<ConstantRef> parseNumber(bool negative);
  Expected<ConstantRef> parseParenthesized(unsigned depth);
  Expected<Constant::Elements> parseSequence(llvm::StringRef close,
                                             unsigned depth,
                                             bool *trailingComma = nullptr);
  Expected<ConstantRef> parseBraced(unsigned depth);
  Expected<ConstantRef> parseWord(unsigned depth);

  TextReader &r;
};

Expected<ConstantRef> LiteralParser::parse(unsigned depth) {
  if (depth > kMaxNesting)
    return r.error("constant nested too deeply");
  r.skipBlanks();
  char c = r.peek();
  if (c == '\'' || c == '"') {
    Expected<std::string> s = parseQuoted(r, /*isBytes=*/false);
    if (!s)
      return s.takeError();
    return Constant::string(std::move(*s));
  }
  if ((c == 'b' || c == 'B') && (r.peek(1) == '\'' || r.peek(1) == '"')) {
    r.advance();
    Expected<std::string> s = parseQuoted(r, /*isBytes=*/true);
    if (!s)
      return s.takeError();
    return Constant::bytes(std::move(*s));
  }
  if (c == '-') {
    r.advance();
    return parseNumber(/*negative=*/true);
  }
  if (TextReader::isDigit(c))
    return parseNumber(/*negative=*/false);
  if (c == '(')
    return parseParenthesized(depth);
  if (c == '[') {
    r.advance();
    Expected<Constant::Elements> elts = parseSequence("]", depth);
    if (!elts)
      return elts.takeError();
    return Constant::list(std::move(*elts));
  }
  if (c == '{')
    return parseBraced(depth);
  if (r.consume("..."))
    return Constant::ellipsis();
  if (c == '@')
    return r.error("a code constant (@N) may only appear at the top level of "
                   "the consts pool");
  if (TextReader::isIdentifierStart(c))
    return parseWord(depth);
  return r.error("expected a constant");
}

Expected<ConstantRef> LiteralParser::parseNumber(bool negative) {
  TextPosition start = r.position();
  std::optional<NumberText> num = scanNumber(r);
  if (!num)
    return r.errorAt(start, "expected a number");
  if (num->imaginary) {
    double imag = parseDouble(num->text);
    return Constant::complex(0.0, negative ? -imag : imag);
  }
  if (num->isFloat) {
    double value = parseDouble(num->text);
    return Constant::floating(negative ? -value : value);
  }
  return Constant::integer(decimalToInt(num->text, negative));
}

/// `(` starts a tuple or a complex number `(REAL+IMAGj)`.
Expected<ConstantRef> LiteralParser::parseParenthesized(unsigned depth) {
  TextPosition open = r.position();
  r.advance(); // (
  r.skipBlanks();
  TextPosition afterParen = r.position();
  bool negative = r.peek() == '-';
  if (negative)
    r.advance();
  if (std::optional<NumberText> real = scanNumber(r)) {
    char sign = r.peek();
    if (!real->imaginary && (sign == '+' || sign == '-')) {
      r.advance();
      TextPosition imagPos = r.position();
      std::optional<NumberText> imag = scanNumber(r);
      if (!imag || !imag->imaginary)
        return r.errorAt(imagPos, "expected the imaginary part of a complex "
                                  "number, such as '2j'");
      if (!r.consume(")"))
        return r.error("expected ')' after a complex number");
      double re = parseDouble(real->text);
      double im = parseDouble(imag->text);
      return Constant::complex(negative ? -re : re, sign == '-' ? -im : im);
    }
  }
  r.restore(afterParen);
  bool trailingComma = false;
  Expected<Constant::Elements> elts = parseSequence(")", depth, &trailingComma);
  if (!elts)
    return elts.takeError();
  if (elts->size() == 1 && !trailingComma)
    return r.errorAt(open, "a one-element tuple is written '(x,)'");
  return Constant::tuple(std::move(*elts));
}

/// Elements separated by commas up to `close`, a trailing comma allowed
/// (and reported, for one-element tuples).
Expected<Constant::Elements> LiteralParser::parseSequence(llvm::StringRef close,
                                                          unsigned depth,
                                                          bool *trailingComma) {
  Constant::Elements elts;
  if (trailingComma)
    *trailingComma = false;
  if (r.consume(close))
    return elts;
  for (;;) {
    Expected<ConstantRef> elt = parse(depth + 1);
    if (!elt)
      return elt.takeError();
    elts.push_back(std::move(*elt));
    if (r.consume(close))
      return elts;
    if (!r.consume(","))
      return r.error(llvm::Twine("expected ',' or '") + close + "'");
    if (r.consume(close)) {
      if (trailingComma)
        *trailingComma = true;
      return elts;
    }
  }
}

/// `{` starts a set `{1, 2}` or a dict `{1: 2}`; `{}` is an empty dict.
Expected<ConstantRef> LiteralParser::parseBraced(unsigned depth) {
  r.advance(); // {
  if (r.consume("}"))
    return Constant::dict({});
  Expected<ConstantRef> first = parse(depth + 1);
  if (!first)
    return first.takeError();
  if (!r.consume(":")) {
    Constant::Elements elts{std::move(*first)};
    if (r.consume(",")) {
      Expected<Constant::Elements> more = parseSequence("}", depth);
      if (!more)
        return more.takeError();
      elts.insert(elts.end(), more->begin(), more->end());
    } else if (!r.consume("}")) {
      return r.error("expected ',' or '}'");
    }
    return Constant::set(std::move(elts));
  }
  Constant::DictItems items;
  ConstantRef key = std::move(*first);
  for (;;) {
    Expected<ConstantRef> value = parse(depth + 1);
    if (!value)
      return value.takeError();
    items.emplace_back(std::move(key), std::move(*value));
    if (r.consume("}"))
      return Constant::dict(std::move(items));
    if (!r.consume(","))
      return r.error("expected ',' or '}'");
    if (r.consume("}"))
      return Constant::dict(std::move(items));
    Expected<ConstantRef> nextKey = parse(depth + 1);
    if (!nextKey)
      return nextKey.takeError();
    key = std::move(*nextKey);
    if (!r.consume(":"))
      return r.error("expected ':' in a dict");
  }
}

Expected<ConstantRef> LiteralParser::parseWord(unsigned depth) {
  TextPosition start = r.position();
  if (r.rest().startswith("inf") || r.rest().startswith("nan")) {
    if (scanNumber(r)) {
      r.restore(start);
      return parseNumber(/*negative=*/false);
    }
  }
  llvm::StringRef word = r.identifier();
  if (word == "None")
    return Constant::none();
  if (word == "True")
    return Constant::boolean(true);
  if (word == "False")
    return Constant::boolean(false);
  if (word == "Ellipsis")
    return Constant::ellipsis();
  if (word == "StopIteration")
    return Constant::stopIteration();
  if (word == "set") {
    if (!r.consume("(") || !r.consume(")"))
      return r.error("expected 'set()'; a non-empty set is written {a, b}");
    return Constant::set({});
  }
  if (word == "frozenset") {
    if (!r.consume("("))
      return r.error("expected '(' after 'frozenset'");
    if (r.consume(")"))
      return Constant::frozenSet({});
    if (!r.consume("{"))
      return r.error("expected '{' in 'frozenset({...})'");
    Expected<Constant::Elements> elts = parseSequence("}", depth);
    if (!elts)
      return elts.takeError();
    if (!r.consume(")"))
      return r.error("expected ')' after 'frozenset({...}'");
    return Constant::frozenSet(std::move(*elts));
  }
  if (word == "frozendict") {
    if (!r.consume("("))
      return r.error("expected '(' after 'frozendict'");
    if (r.consume(")"))
      return Constant::frozenDict({});
    r.skipBlanks();
    if (r.peek() != '{')
      return r.error("expected '{' in 'frozendict({...})'");
    Expected<ConstantRef> dict = parseBraced(depth);
    if (!dict)
      return dict.takeError();
    if (!(*dict)->is(ConstantKind::Dict))
      return r.error("expected a dict in 'frozendict({...})'");
    if (!r.consume(")"))
      return r.error("expected ')' after 'frozendict({...}'");
    return Constant::frozenDict((*dict)->dictItems());
  }
  if (word == "slice") {
    if (!r.consume("("))
      return r.error("expected '(' after 'slice'");
    ConstantRef parts[3];
    for (int i = 0; i < 3; ++i) {
      if (i && !r.consume(","))
        return r.error("expected ',' in 'slice(start, stop, step)'");
      Expected<ConstantRef> part = parse(depth + 1);
      if (!part)
        return part.takeError();
      parts[i] = std::move(*part);
    }
    if (!r.consume(")"))
      return r.error("expected ')' after 'slice(start, stop, step'");
    return Constant::slice(parts[0], parts[1], parts[2]);
  }
  return r.errorAt(start, llvm::Twine("unknown constant '") + word + "'");
}

} // namespace

Expected<ConstantRef> parseConstantLiteral(TextReader &reader) {
  return LiteralParser(reader).parse(0);
}

Expected<std::string> parseStringLiteral(TextReader &reader) {
  reader.skipBlanks();
  return parseQuoted(reader, /*isBytes=*/false);
}

} // namespace bcc
