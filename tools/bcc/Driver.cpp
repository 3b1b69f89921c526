//===- tools/bcc/Driver.cpp - bcc's commands and top level ----------------===//
//
// `bcc COMMAND [OPTIONS] ARGS...`. Each command is one entry in kCommands:
// its name, a one-line summary for `bcc --help`, its own help text for
// `bcc COMMAND --help`, and the function that runs it. Errors in the input
// are printed as one line naming the file, and the command exits with 1;
// usage errors exit with 2.
//
// The same entry point runs in two programs: the `bcc` executable
// (main.cpp) and the Python package (`python -m bcc`, through
// bindings/DriverBinding.cpp). The program name they pass is the one the
// top-level messages and the usage hints give; the commands' own help and
// error lines say `bcc dis` / `bcc opt` in both.
//
//===----------------------------------------------------------------------===//

#include <cstdio>
#include <string>
#include <vector>

#include "tools/bcc/Commands.h"

#ifdef BCC_USE_MIMALLOC
#include <mimalloc.h>
#endif

namespace bcc::driver {

namespace {

// The program name of the run in progress. The commands report usage
// errors through usageError() without naming the program, so main() sets
// it for the length of one run (per thread: runs on two threads do not
// see each other's).
thread_local const char *currentProgramName = "bcc";

class ProgramNameScope {
public:
  explicit ProgramNameScope(const char *name) : saved(currentProgramName) {
    currentProgramName = name;
  }
  ~ProgramNameScope() { currentProgramName = saved; }
  ProgramNameScope(const ProgramNameScope &) = delete;
  ProgramNameScope &operator=(const ProgramNameScope &) = delete;

private:
  const char *saved;
};

//===----------------------------------------------------------------------===//
// Command table and top level
//===----------------------------------------------------------------------===//

const std::vector<Command> kCommands = {
    {"dis", "disassemble .pyc files the way `python3.X -m dis` does",
     disHelp, runDis},
    {"opt", "lift .pyc files into SSA, optimize, and write them back",
     optHelp, runOpt},
};

void printTopLevelHelp(const char *program) {
  std::printf("usage: %s [--version] [--help] COMMAND [ARGS...]\n"
              "\n"
              "bcc is an optimizing compiler for CPython bytecode "
              "(CPython 3.8-3.15 .pyc files).\n"
              "\n"
              "commands:\n",
              program);
  for (const Command &cmd : kCommands)
    std::printf("  %-8s %s\n", cmd.name, cmd.summary);
  std::printf("\n"
              "Run '%s COMMAND --help' for the options of one command.\n",
              program);
}

void printVersion() {
  std::printf("bcc %s (reads and writes CPython 3.8-3.15 bytecode; lifts and "
              "optimizes 3.11-3.13)\n",
              BCC_VERSION_STRING);
  // BCC_USE_MIMALLOC is defined for the executable only: the Python
  // extension allocates with the C library's malloc.
#ifdef BCC_USE_MIMALLOC
  int mi = mi_version();
  std::printf("allocator: mimalloc %d.%d.%d\n", mi / 100, mi / 10 % 10,
              mi % 10);
#else
  std::printf("allocator: the C library's malloc\n");
#endif
}

} // namespace

const std::vector<Command> &commands() { return kCommands; }

int usageError(const char *command, const std::string &message) {
  std::fprintf(stderr, "%s %s: %s\nTry '%s %s --help'.\n", currentProgramName,
               command, message.c_str(), currentProgramName, command);
  return kExitUsage;
}

int main(const std::vector<std::string> &args, const char *program) {
  ProgramNameScope scope(program);
  if (args.empty()) {
    printTopLevelHelp(program);
    return kExitUsage;
  }
  const std::string &first = args[0];
  if (first == "-h" || first == "--help" || first == "help") {
    printTopLevelHelp(program);
    return kExitOk;
  }
  if (first == "--version" || first == "-V") {
    printVersion();
    return kExitOk;
  }
  for (const Command &cmd : kCommands) {
    if (first != cmd.name)
      continue;
    std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const std::string &arg : rest) {
      if (arg == "--")
        break;
      if (arg == "-h" || arg == "--help") {
        std::fputs(cmd.help().c_str(), stdout);
        return kExitOk;
      }
    }
    return cmd.run(rest);
  }
  std::fprintf(stderr, "%s: unknown command '%s'\nTry '%s --help'.\n",
               program, first.c_str(), program);
  return kExitUsage;
}

} // namespace bcc::driver
