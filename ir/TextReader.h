//===- ir/TextReader.h - A cursor over IR text with line:column errors ----===//
//
// The IR parser reads its input on demand, the way the grammar asks for it,
// rather than from a token list: what a word means depends on where it
// appears (a name, an opname, a constant literal), and constant literals
// have their own lexical rules. TextReader is the cursor they share. It
// tracks line and column (1-based, in bytes) for messages
// "LINE:COLUMN: message".
//
// Blanks are spaces, tabs, carriage returns and comments (';' to the end of
// the line). Newlines are significant in the IR grammar, so only
// skipBlankLines() crosses them.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_TEXTREADER_H
#define BCC_IR_TEXTREADER_H

#include <cstdint>
#include <optional>

#include "ir/Support.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

struct TextPosition {
  size_t offset = 0;
  unsigned line = 1;
  unsigned column = 1;
};

class TextReader {
public:
  explicit TextReader(llvm::StringRef text) : text_(text) {}

  const TextPosition &position() const { return pos_; }
  /// Moves back to a position returned earlier (for lookahead).
  void restore(const TextPosition &pos) { pos_ = pos; }
  bool atEnd() const { return pos_.offset >= text_.size(); }
  /// The character `ahead` bytes on, or '\0' past the end.
  char peek(size_t ahead = 0) const {
    size_t i = pos_.offset + ahead;
    return i < text_.size() ? text_[i] : '\0';
  }
  llvm::StringRef rest() const { return text_.drop_front(pos_.offset); }
  void advance(size_t n = 1);

  /// Skips spaces, tabs, '\r' and a comment, but not a newline.
  void skipBlanks();
  /// Skips blanks and newlines.
  void skipBlankLines();
  /// After blanks: at a newline or at the end.
  bool atLineEnd();
  /// Consumes the newline that ends a line (or accepts the end).
  bool consumeLineEnd();

  /// After blanks, consumes `punct` if it is next.
  bool consume(llvm::StringRef punct);
  /// After blanks, consumes `word` if the next identifier is exactly it.
  bool consumeKeyword(llvm::StringRef word);
  /// After blanks: [A-Za-z_][A-Za-z0-9_]*, or empty (nothing consumed).
  llvm::StringRef identifier();
  /// The identifier identifier() would return, without consuming it.
  llvm::StringRef peekIdentifier();
  /// After blanks: decimal digits that fit in 64 bits.
  std::optional<uint64_t> unsignedInteger();

  /// "LINE:COLUMN: message" at the current position (after blanks).
  Error error(const llvm::Twine &message);
  Error errorAt(const TextPosition &pos, const llvm::Twine &message) const;

  static bool isIdentifierStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  static bool isIdentifierChar(char c) {
    return isIdentifierStart(c) || (c >= '0' && c <= '9');
  }
  static bool isDigit(char c) { return c >= '0' && c <= '9'; }

private:
  llvm::StringRef text_;
  TextPosition pos_;
};

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_IR_TEXTREADER_H
