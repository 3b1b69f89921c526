//===- passes/BuiltinPasses.h - The factories of bcc's own passes ---------===//
//
// One factory per pass of passes/Passes.def, declared from that table so
// that each pass file's definition is checked against it. Private to
// passes/: a tool or a plugin creates passes through a PassRegistry
// (PassRegistry.h), never by calling these.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_BUILTINPASSES_H
#define BCC_PASSES_BUILTINPASSES_H

#include "passes/PassRegistry.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

#define PASS(Name, Factory, Kind, Parameters, Description)                    \
  Expected<std::unique_ptr<Pass>> Factory(const PassParameters &parameters);
#include "passes/Passes.def"

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_PASSES_BUILTINPASSES_H
