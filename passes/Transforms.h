//===- passes/Transforms.h - Pass bodies other passes call ------------------===//
//
// Some passes need another pass's work on one function in the middle of
// their own (fold-globals folds the module's code to a fixed point before
// it reads the module's constants; the inliner cleans up a callee before it
// measures it). These are those bodies; each is also a registered pass.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_TRANSFORMS_H
#define BCC_PASSES_TRANSFORMS_H

#include "passes/Pass.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// const-fold on one function; true if it changed.
bool foldConstants(Function &function, PassContext &context);
/// fold-branches on one function.
bool foldBranches(Function &function, PassContext &context);
/// simplify-cfg on one function (whether or not it is pristine).
bool simplifyCFG(Function &function, PassContext &context);
/// dce on one function (whether or not it is pristine).
bool removeDeadCode(Function &function, PassContext &context);
/// The four cleanups in order, on one function, until nothing changes (a
/// few rounds at most); true if anything changed.
bool cleanUp(Function &function, PassContext &context);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_PASSES_TRANSFORMS_H
