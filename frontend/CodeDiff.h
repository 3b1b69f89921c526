//===- frontend/CodeDiff.h - Why two code objects differ ------------------===//
//
// Compares a code object with another one made from it (by bcc's round trip,
// say) in the four fields the identity promise covers: co_code,
// co_exceptiontable, co_linetable and co_stacksize. The answer names the
// first difference at the level a reader can act on: the instruction (index,
// offset, opcode and argument on both sides), the exception-table entry, the
// source position of an instruction, or the two stack sizes.
//
// `category` is a short key for counting differences by kind ("code SWAP ->
// COPY", "location COPY", ...); `detail` is the full sentence.
//
//===----------------------------------------------------------------------===//

#ifndef BCC_FRONTEND_CODEDIFF_H
#define BCC_FRONTEND_CODEDIFF_H

#include <string>

#include "ir/CodeObject.h"
#include "llvm/ADT/STLFunctionalExtras.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

struct CodeDifference {
  /// "co_code", "co_exceptiontable", "co_linetable", "co_stacksize", or
  /// empty when the four fields are equal.
  std::string field;
  std::string category;
  std::string detail;
  bool identical() const { return field.empty(); }
};

/// The first difference between `before` and `after` (nested code objects
/// are not looked at). Fields are checked in the order above.
CodeDifference compareCode(const CodeObject &before, const CodeObject &after);

/// Calls `visit(before, after)`, then the same for their nested code
/// objects pairwise in the same pre-order (as far as both have them): the
/// walk for comparing a tree with one made from it, which keeps the shape.
void forEachCodePair(
    const CodeObject &before, const CodeObject &after,
    llvm::function_ref<void(const CodeObject &, const CodeObject &)> visit);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_FRONTEND_CODEDIFF_H
