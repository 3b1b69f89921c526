//===- bindings/DriverBinding.h - The bcc driver, run from Python ---------===//
//
// `python -m bcc dis ...` and `python -m bcc opt ...` run the very driver
// the `bcc` executable runs (tools/bcc/Driver.cpp), in the interpreter's
// process: _bcc.driver(argv) takes the command line after the program name
// and returns the exit status. The driver writes to the process's stdout
// and stderr (file descriptors 1 and 2), not through sys.stdout and
// sys.stderr: those are flushed before it runs, and its own buffers
// before it returns, so that the two kinds of output come out in order.
// _bcc.driver_commands() lists the driver's commands for the package's
// own top-level help, which adds `run`.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BINDINGS_DRIVERBINDING_H
#define BCC_BINDINGS_DRIVERBINDING_H

#include "bindings/Common.h"

namespace bcc::python {

namespace py = pybind11;

/// Registers driver and driver_commands on `m`.
void defineDriverFunctions(py::module_ &m);

} // namespace bcc::python

#endif // BCC_BINDINGS_DRIVERBINDING_H
