//===- passes/ConstantEval.h - Python's operators on constants ------------===//
//
// What CPython would compute for an operator applied to constants, for the
// cases where the answer is certain and no code of the program can run:
// ints (within int64), bools, floats, str, bytes, tuples, None. Each
// function returns null (or nullopt) whenever the operation would raise
// (division by zero, a negative shift, an unorderable comparison), emit a
// warning (`~True`, comparing str with bytes under -b), depend on the
// implementation (`is` between ints), or build something larger than
// CPython's own constant folder allows (Python/ast_opt.c: strings of 4096
// characters, collections of 256 items, ints of 128 bits; bcc stops at
// int64). Folding then leaves the instruction alone, so the program still
// raises or warns at run time exactly as before.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_CONSTANTEVAL_H
#define BCC_PASSES_CONSTANTEVAL_H

#include <optional>

#include "ir/Constant.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// bool(c), or nullopt for a host object.
std::optional<bool> truthValue(const Constant &c);

/// The binary operator named as in dis's table ("+", "//", "<<", "+=", ...;
/// the in-place forms behave alike on immutable constants).
ConstantRef foldBinary(llvm::StringRef op, const Constant &a,
                       const Constant &b);
/// "<", "<=", "==", "!=", ">", ">=".
std::optional<bool> foldCompare(llvm::StringRef op, const Constant &a,
                                const Constant &b);
/// `a is b`, when certain: both singletons, or a singleton and a value of
/// another kind.
std::optional<bool> foldIs(const Constant &a, const Constant &b);
/// `a in b` for a tuple, frozenset, str or bytes `b`.
std::optional<bool> foldContains(const Constant &a, const Constant &b);
/// -a, ~a.
ConstantRef foldNegative(const Constant &a);
ConstantRef foldInvert(const Constant &a);
/// a[b] for a tuple, str or bytes and an int index.
ConstantRef foldSubscript(const Constant &a, const Constant &b);
/// (a, b, ...) from constants, within the size limit.
ConstantRef foldTuple(llvm::ArrayRef<ConstantRef> items);

/// Python's ==, when certain without running code (numbers, str, bytes,
/// None, bools, tuples of those).
std::optional<bool> constantsEqual(const Constant &a, const Constant &b);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_PASSES_CONSTANTEVAL_H
