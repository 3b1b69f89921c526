//===- passes/Transforms.cpp ----------------------------------------------===//

#include "passes/Transforms.h"

namespace bcc {

bool cleanUp(Function &function, PassContext &context) {
  bool changed = false;
  for (unsigned round = 0; round < 4; ++round) {
    bool any = foldConstants(function, context);
    any |= foldBranches(function, context);
    any |= simplifyCFG(function, context);
    any |= removeDeadCode(function, context);
    changed |= any;
    if (!any)
      break;
  }
  return changed;
}

} // namespace bcc
