//===- bindings/PythonPasses.h - Passes written in Python -----------------===//
//
// bcc.register_pass: a Python function that rewrites the IR's text form
// becomes a pass of the process's registry (bindings/Registry.h), named in
// pipelines like bcc's own passes and the plugins'. PythonPasses.cpp says
// how the text goes out and comes back.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BINDINGS_PYTHONPASSES_H
#define BCC_BINDINGS_PYTHONPASSES_H

#include "bindings/Common.h"

namespace bcc::python {

namespace py = pybind11;

/// Registers register_pass on `m`.
void definePythonPassFunctions(py::module_ &m);

} // namespace bcc::python

#endif // BCC_BINDINGS_PYTHONPASSES_H
