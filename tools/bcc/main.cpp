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

#include "frontend/Disassembler.h"
#include "frontend/MarshalReader.h"
#include "tools/bcc/FileIO.h"

namespace {

using namespace bcc;

constexpr int kExitOk = 0;
constexpr int kExitInputError = 1;
constexpr int kExitUsage = 2;

struct Command {
  const char *name;
  const char *summary;
  const char *help;
  int (*run)(const std::vector<std::string> &args);
};

int usageError(const char *command, const std::string &message) {
  std::fprintf(stderr, "bcc %s: %s\nTry 'bcc %s --help'.\n", command,
               message.c_str(), command);
  return kExitUsage;
}

//===----------------------------------------------------------------------===//
// bcc dis
//===----------------------------------------------------------------------===//

const char kDisHelp[] =
    "usage: bcc dis [-O] [--] FILE.pyc [FILE.pyc ...]\n"
    "\n"
    "Disassembles every code object of each .pyc file, nested ones included,\n"
    "in the format that `python3.X -m dis` prints for the CPython version\n"
    "that wrote the file (3.8 to 3.13; the version comes from the magic\n"
    "number). Object addresses are the only thing that differs.\n"
    "\n"
    "options:\n"
    "  -O, --show-offsets  show instruction offsets, as `python3.13 -m dis -O`\n"
    "                      does (3.8-3.12 always show them)\n"
    "  -h, --help          show this help and exit\n"
    "\n"
    "exit status: 0 on success, 1 if a file cannot be read or is not a valid\n"
    ".pyc (one line on stderr names the file, the byte offset and the\n"
    "problem), 2 on a usage error.\n";

int runDis(const std::vector<std::string> &args) {
  std::vector<std::string> files;
  DisOptions options;
  bool optionsDone = false;
  for (const std::string &arg : args) {
    if (!optionsDone && arg == "--") {
      optionsDone = true;
    } else if (!optionsDone && (arg == "-O" || arg == "--show-offsets")) {
      options.showOffsets = true;
    } else if (!optionsDone && arg.size() > 1 && arg[0] == '-') {
      return usageError("dis", "unknown option '" + arg + "'");
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty())
    return usageError("dis", "no input file");

  int status = kExitOk;
  for (const std::string &path : files) {
    Expected<std::string> bytes = readWholeFile(path);
    if (!bytes) {
      std::fprintf(stderr, "bcc dis: error: %s\n",
                   bytes.error().format(path).c_str());
      status = kExitInputError;
      continue;
    }
    Expected<PycFile> pyc = readPyc(*bytes);
    if (!pyc) {
      std::fprintf(stderr, "bcc dis: error: %s\n",
                   pyc.error().format(path).c_str());
      status = kExitInputError;
      continue;
    }
    Expected<std::string> text = disassemble(*pyc->code, options);
    if (!text) {
      std::fprintf(stderr, "bcc dis: error: %s\n",
                   text.error().format(path).c_str());
      status = kExitInputError;
      continue;
    }
    std::fwrite(text->data(), 1, text->size(), stdout);
  }
  std::fflush(stdout);
  return status;
}

//===----------------------------------------------------------------------===//
// Command table and top level
//===----------------------------------------------------------------------===//

const Command kCommands[] = {
    {"dis", "disassemble .pyc files the way `python3.X -m dis` does",
     kDisHelp, runDis},
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
        std::fputs(cmd.help, stdout);
        return kExitOk;
      }
    }
    return cmd.run(rest);
  }
  std::fprintf(stderr, "bcc: unknown command '%s'\nTry 'bcc --help'.\n",
               first.c_str());
  return kExitUsage;
}
