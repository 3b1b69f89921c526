//===- tools/bcc/main.cpp - The bcc command-line driver -------------------===//
//
// `bcc COMMAND [OPTIONS] ARGS...`. Each command is one entry in kCommands:
// its name, a one-line summary for `bcc --help`, its own help text for
// `bcc COMMAND --help`, and the function that runs it. Errors in the input
// are printed as one line naming the file, and the command exits with 1;
// usage errors exit with 2.
//
//===----------------------------------------------------------------------===//

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tools/bcc/Commands.h"

#ifdef BCC_USE_MIMALLOC
#include <mimalloc.h>
#endif

int bcc::driver::usageError(const char *command, const std::string &message) {
  std::fprintf(stderr, "bcc %s: %s\nTry 'bcc %s --help'.\n", command,
               message.c_str(), command);
  return kExitUsage;
}

namespace {

using namespace bcc::driver;

struct Command {
  const char *name;
  const char *summary;
  std::string (*help)();
  int (*run)(const std::vector<std::string> &args);
};

//===----------------------------------------------------------------------===//
// Command table and top level
//===----------------------------------------------------------------------===//

const Command kCommands[] = {
    {"dis", "disassemble .pyc files the way `python3.X -m dis` does",
     disHelp, runDis},
    {"opt", "lift .pyc files into SSA, optimize, and write them back",
     optHelp, runOpt},
};

void printTopLevelHelp() {
  std::printf("usage: bcc [--version] [--help] COMMAND [ARGS...]\n"
              "\n"
              "bcc is an optimizing compiler for CPython bytecode "
              "(CPython 3.8-3.13 .pyc files).\n"
              "\n"
              "commands:\n");
  for (const Command &cmd : kCommands)
    std::printf("  %-8s %s\n", cmd.name, cmd.summary);
  std::printf("\n"
              "Run 'bcc COMMAND --help' for the options of one command.\n");
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    printTopLevelHelp();
    return kExitUsage;
  }
  const std::string &first = args[0];
  if (first == "-h" || first == "--help" || first == "help") {
    printTopLevelHelp();
    return kExitOk;
  }
  if (first == "--version" || first == "-V") {
    std::printf("bcc %s (reads and writes CPython 3.8-3.13 bytecode)\n",
                BCC_VERSION_STRING);
#ifdef BCC_USE_MIMALLOC
    int mi = mi_version();
    std::printf("allocator: mimalloc %d.%d.%d\n", mi / 100, mi / 10 % 10,
                mi % 10);
#else
    std::printf("allocator: the C library's malloc\n");
#endif
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
  std::fprintf(stderr, "bcc: unknown command '%s'\nTry 'bcc --help'.\n",
               first.c_str());
  return kExitUsage;
}
