//===- tools/bcc/Commands.h - The driver's commands -----------------------===//
//
// Each command of `bcc` is a help text and a function from its arguments
// (after the command name) to an exit status: 0 success, 1 bad input,
// 2 usage error. Driver.cpp lists them in one table, and its main() runs
// the driver for the `bcc` executable (main.cpp) and for the Python
// package (`python -m bcc`, bindings/DriverBinding.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef BCC_TOOLS_BCC_COMMANDS_H
#define BCC_TOOLS_BCC_COMMANDS_H

#include <string>
#include <vector>

namespace bcc::driver {

constexpr int kExitOk = 0;
constexpr int kExitInputError = 1;
constexpr int kExitUsage = 2;

/// One command: its name, the one-line summary `bcc --help` lists, its
/// help text and the function that runs it.
struct Command {
  const char *name;
  const char *summary;
  std::string (*help)();
  int (*run)(const std::vector<std::string> &args);
};

/// Every command, in the order `bcc --help` lists them.
const std::vector<Command> &commands();

/// Runs the driver on `args` (the command line after the program's own
/// name) and returns the exit status. `program` is what the top-level
/// help, the unknown-command message and usage errors call the program:
/// "bcc" for the executable, "python -m bcc" for the Python package.
/// Writes to the process's stdout and stderr (stdio, and llvm::errs()
/// for the IR dumps of --print-after and the like); a caller that goes on
/// to write through other buffers flushes them.
int main(const std::vector<std::string> &args, const char *program);

/// Prints "PROGRAM COMMAND: MESSAGE" and the --help hint, PROGRAM being
/// the program name of the run in progress; returns kExitUsage.
int usageError(const char *command, const std::string &message);

std::string disHelp();
int runDis(const std::vector<std::string> &args);

/// bcc opt's help names every registered pass, so it is made at run time.
std::string optHelp();
int runOpt(const std::vector<std::string> &args);

} // namespace bcc::driver

#endif // BCC_TOOLS_BCC_COMMANDS_H
