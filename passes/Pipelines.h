//===- passes/Pipelines.h - The -O levels, and pipelines from text ---------===//
//
// buildPipeline() is the default pipeline of each -O level, as plain code
// (Pipelines.cpp), with the extension points where a registry's callbacks
// add passes (PassRegistry.h); parsePipeline() reads
// `--passes=a,b<k=v;k2=v2>,c` for tests and bisection. Both take passes
// only from the registry they are given: bcc's own passes by default, and
// those of the plugins loaded into it.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_PIPELINES_H
#define BCC_PASSES_PIPELINES_H

#include "ir/Support.h"
#include "passes/Options.h"
#include "passes/PassManager.h"
#include "passes/PassRegistry.h"
#include "llvm/ADT/StringRef.h"

namespace bcc {

/// Adds the passes of `options.level` (with the facts `options` grants) to
/// `pm`, and at -O1 and above those that `registry`'s extensions add.
Status buildPipeline(PassManager &pm, const OptimizationOptions &options,
                     const PassRegistry &registry = PassRegistry::builtin());

/// Adds the passes `text` names, in order: a comma list of pass names, each
/// optionally followed by `<name=value;...>`. Errors name the unknown pass
/// or parameter.
Status parsePipeline(PassManager &pm, llvm::StringRef text,
                     const PassRegistry &registry = PassRegistry::builtin());

} // namespace bcc

#endif // BCC_PASSES_PIPELINES_H
