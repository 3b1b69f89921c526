//===- bindings/Registry.h - The pass registry of the process -------------===//
//
// One PassRegistry per Python process: bcc's own passes, those of the
// plugins loaded with bcc.load_pass_plugin (bindings/LiveOptimize.cpp) and
// those written in Python with bcc.register_pass (bindings/PythonPasses.cpp).
// Every pipeline the package builds takes its passes from it.
//
// It is made on first use and never destroyed: the passes written in Python
// hold Python objects, which must not be released after the interpreter
// has gone.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BINDINGS_REGISTRY_H
#define BCC_BINDINGS_REGISTRY_H

#include "passes/PassRegistry.h"

namespace bcc::python {

/// The registry every pipeline of this process uses (with the GIL held).
inline PassRegistry &registry() {
  static PassRegistry *r = new PassRegistry();
  return *r;
}

} // namespace bcc::python

#endif // BCC_BINDINGS_REGISTRY_H
