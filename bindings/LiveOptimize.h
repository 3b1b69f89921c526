//===- bindings/LiveOptimize.h - Optimizing a live function ---------------===//
//
// bcc.optimize lifts a live function's code inside a stand-in module: a
// module code object that does nothing and holds, as constants, the
// function's code and the code of each function it may inline. The facts
// of that module are not read from its code but given (PassContext::
// setFixedFacts): each global the function reads, as the live namespace
// binds it right now: a constant (any object: a literal stays a literal, a
// module or a function is a Host constant), a plain function whose code is
// in the stand-in module (for inline and strip-debug), or a module whose
// attributes are facts of a module of the tree (so `math.sin` folds). The
// pipeline is bcc's own, with the facts granted that the deoptimization
// (bindings/Deopt.cpp) keeps true.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BINDINGS_LIVEOPTIMIZE_H
#define BCC_BINDINGS_LIVEOPTIMIZE_H

#include "bindings/Common.h"

namespace bcc::python {

namespace py = pybind11;

/// Registers lift, optimize, passes, load_pass_plugin on `m`.
void defineLiveFunctions(py::module_ &m);

} // namespace bcc::python

#endif // BCC_BINDINGS_LIVEOPTIMIZE_H
