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
#include "bindings/LiveOptimize.h"
#include "bindings/PythonPasses.h"

namespace py = pybind11;

PYBIND11_MODULE(_bcc, m) {
  m.doc() = "bcc's C++ core (use the package bcc)";
  m.attr("__version__") = BCC_VERSION_STRING;
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const std::runtime_error &e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });
  bcc::python::defineLiveFunctions(m);
  bcc::python::defineDeoptFunctions(m);
  bcc::python::definePythonPassFunctions(m);
}
