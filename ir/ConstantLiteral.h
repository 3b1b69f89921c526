//===- ir/ConstantLiteral.h - Constants as Python literals in IR text -----===//
//
// The IR text shows constants as the Python literals that `repr` prints
// (ir/PyRepr.h does the leaves: ints, floats, complex numbers, str and
// bytes), and reads them back:
//
//   None True False Ellipsis StopIteration
//   42 -7 123456789012345678901234567890
//   1.0 -0.0 1e+16 inf -inf nan
//   1j -0j (1+2j) (-0-1j) (nan+infj)
//   'str' "it's" '\n\x00\u20ac\U0001f600\udc80'   b'bytes\xff'
//   () (1,) (1, 2) [1, 2] {1, 2} set() frozenset() frozenset({1, 2})
//   {1: 2} {} slice(1, None, 2)
//
// Containers print in stored order. For sets and frozensets that is the
// marshal order, which is not the order `repr` would show on 3.11+ but is
// the one the .pyc needs back. StopIteration (marshal's 'S') prints as
// `StopIteration`. A NaN reads back as the default quiet NaN whatever its
// sign and payload were, and the marshal `interned` bit of strings is not
// part of the text; both are kept in memory, only the text loses them.
// Code objects are not literals (the IR refers to them as child functions,
// `@N`), nor are host objects: they print as `<...>`, which does not parse.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_CONSTANTLITERAL_H
#define BCC_IR_CONSTANTLITERAL_H

#include <string>

#include "ir/Constant.h"
#include "ir/PythonVersion.h"
#include "ir/Support.h"
#include "ir/TextReader.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// The literal text of `constant`; strings use `version`'s idea of which
/// characters are printable, as repr() does.
std::string printConstantLiteral(const Constant &constant,
                                 PythonVersion version);

/// Reads one literal at the reader's position (after blanks); on error the
/// message has the line and column.
Expected<ConstantRef> parseConstantLiteral(TextReader &reader);

/// Reads a quoted str literal (' or ") and returns its UTF-8, lone
/// surrogates encoded as 3 bytes (as "surrogatepass" does).
Expected<std::string> parseStringLiteral(TextReader &reader);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_IR_CONSTANTLITERAL_H
