//===- bindings/Module.cpp - The extension module bcc._bcc ----------------===//
//
// The C++ half of the Python package: lifting live code objects, running
// bcc's pipelines on them, the pass registry and plugins, and the
// deoptimization machinery. The package (bindings/bcc/) wraps it; nothing
// outside the package should import _bcc directly.
//
//===----------------------------------------------------------------------===//

#include "bindings/Common.h"

#include "bindings/Deopt.h"
#include "bindings/DriverBinding.h"
#include "bindings/LiveOptimize.h"
#include "bindings/PythonPasses.h"

namespace py = pybind11;

PYBIND11_MODULE(_bcc, m) {
  m.doc() = "bcc's C++ core (use the package bcc)";
  m.attr("__version__") = BCC_VERSION_STRING;
  // pybind11 turns std::runtime_error into RuntimeError (bcc's errors)
  // and its own value_error and type_error into ValueError and TypeError.
  bcc::python::defineLiveFunctions(m);
  bcc::python::defineDeoptFunctions(m);
  bcc::python::definePythonPassFunctions(m);
  bcc::python::defineDriverFunctions(m);
}
