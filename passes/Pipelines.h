//===- passes/Pipelines.h - The -O levels, and pipelines from text ---------===//
//
// buildPipeline() is the default pipeline of each -O level, as plain code
// (Pipelines.cpp); parsePipeline() reads `--passes=a,b<k=v;k2=v2>,c` for
// tests and bisection. Both take passes only from the registry.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_PIPELINES_H
#define BCC_PASSES_PIPELINES_H

#include "ir/Support.h"
#include "passes/Options.h"
#include "passes/PassManager.h"
#include "llvm/ADT/StringRef.h"

namespace bcc {

/// Adds the passes of `options.level` (with the facts `options` grants) to
/// `pm`.
Status buildPipeline(PassManager &pm, const OptimizationOptions &options);

/// Adds the passes `text` names, in order: a comma list of pass names, each
/// optionally followed by `<name=value;...>`. Errors name the unknown pass
/// or parameter.
Status parsePipeline(PassManager &pm, llvm::StringRef text);

} // namespace bcc

#endif // BCC_PASSES_PIPELINES_H
