//===- bindings/DriverBinding.cpp - The bcc driver, run from Python -------===//

#include "bindings/DriverBinding.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/stl.h>

#include "bindings/Deopt.h"
#include "tools/bcc/Commands.h"
#include "llvm/Support/raw_ostream.h"

namespace bcc::python {

namespace {

/// Flushes sys.stdout and sys.stderr, which may be missing (None) or
/// replaced by objects with no flush.
void flushPythonStreams() {
  py::module_ sys = py::module_::import("sys");
  for (const char *name : {"stdout", "stderr"}) {
    py::object stream = py::getattr(sys, name, py::none());
    if (!stream.is_none() && py::hasattr(stream, "flush"))
      stream.attr("flush")();
  }
}

int runDriver(const std::vector<std::string> &argv) {
  flushPythonStreams();
  // `opt --load-pass-plugin` loads plugins that take bcc's symbols from
  // this extension, as bcc.load_pass_plugin's do.
  exportSymbolsForPlugins();
  // The GIL stays held: no other Python thread writes between the
  // driver's lines, and runs on two threads would share stdout anyway.
  int status = bcc::driver::main(argv, "python -m bcc");
  llvm::outs().flush();
  llvm::errs().flush();
  std::fflush(stdout);
  std::fflush(stderr);
  return status;
}

/// The driver's commands as (name, summary), for the package's help.
std::vector<std::pair<std::string, std::string>> listCommands() {
  std::vector<std::pair<std::string, std::string>> list;
  for (const bcc::driver::Command &cmd : bcc::driver::commands())
    list.emplace_back(cmd.name, cmd.summary);
  return list;
}

} // namespace

void defineDriverFunctions(py::module_ &m) {
  m.def("driver", &runDriver, py::arg("argv"),
        "driver(argv: list[str]) -> int\n\n"
        "Runs the bcc driver on argv (the command line after the program\n"
        "name: ['dis', 'module.pyc']) and returns its exit status. It\n"
        "writes to file descriptors 1 and 2, not to sys.stdout/sys.stderr.");
  m.def("driver_commands", &listCommands,
        "driver_commands() -> list[tuple[str, str]]\n\n"
        "The driver's commands as (name, one-line summary), in the order\n"
        "`bcc --help` lists them.");
}

} // namespace bcc::python
