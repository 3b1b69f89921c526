//===- tools/bcc/Commands.h - The driver's commands -----------------------===//
//
// Each command of `bcc` is a help text and a function from its arguments
// (after the command name) to an exit status: 0 success, 1 bad input,
// 2 usage error. main.cpp lists them in one table.
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

/// Prints "bcc COMMAND: MESSAGE" and the --help hint; returns kExitUsage.
int usageError(const char *command, const std::string &message);

std::string disHelp();
int runDis(const std::vector<std::string> &args);

/// bcc opt's help names every registered pass, so it is made at run time.
std::string optHelp();
int runOpt(const std::vector<std::string> &args);

} // namespace bcc::driver

#endif // BCC_TOOLS_BCC_COMMANDS_H
