//===- ir/TextReader.cpp --------------------------------------------------===//

#include "ir/TextReader.h"

namespace bcc {

void TextReader::advance(size_t n) {
  for (size_t i = 0; i < n && !atEnd(); ++i) {
    if (text_[pos_.offset] == '\n') {
      ++pos_.line;
      pos_.column = 1;
    } else {
      ++pos_.column;
    }
    ++pos_.offset;
  }
}

void TextReader::skipBlanks() {
  for (;;) {
    char c = peek();
    if (c == ' ' || c == '\t' || c == '\r') {
      advance();
    } else if (c == ';') {
      while (!atEnd() && peek() != '\n')
        advance();
    } else {
      return;
    }
  }
}

void TextReader::skipBlankLines() {
  for (;;) {
    skipBlanks();
    if (peek() != '\n')
      return;
    advance();
  }
}

bool TextReader::atLineEnd() {
  skipBlanks();
  return atEnd() || peek() == '\n';
}

bool TextReader::consumeLineEnd() {
  if (!atLineEnd())
    return false;
  advance();
  return true;
}

bool TextReader::consume(llvm::StringRef punct) {
  skipBlanks();
  if (!rest().startswith(punct))
    return false;
  advance(punct.size());
  return true;
}

llvm::StringRef TextReader::peekIdentifier() {
  skipBlanks();
  if (!isIdentifierStart(peek()))
    return {};
  size_t n = 1;
  while (isIdentifierChar(peek(n)))
    ++n;
  return rest().take_front(n);
}

llvm::StringRef TextReader::identifier() {
  llvm::StringRef word = peekIdentifier();
  advance(word.size());
  return word;
}

bool TextReader::consumeKeyword(llvm::StringRef word) {
  if (peekIdentifier() != word)
    return false;
  advance(word.size());
  return true;
}

std::optional<uint64_t> TextReader::unsignedInteger() {
  skipBlanks();
  if (!isDigit(peek()))
    return std::nullopt;
  uint64_t value = 0;
  TextPosition start = pos_;
  while (isDigit(peek())) {
    unsigned digit = unsigned(peek() - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      restore(start);
      return std::nullopt;
    }
    value = value * 10 + digit;
    advance();
  }
  return value;
}

Error TextReader::error(const llvm::Twine &message) {
  skipBlanks();
  return errorAt(pos_, message);
}

Error TextReader::errorAt(const TextPosition &pos,
                          const llvm::Twine &message) const {
  return Error(
      (llvm::Twine(pos.line) + ":" + llvm::Twine(pos.column) + ": " + message)
          .str());
}

} // namespace bcc
