//===- tools/bcc/DisCommand.cpp - bcc dis ---------------------------------===//

#include <cstdio>

#include "frontend/Disassembler.h"
#include "frontend/MarshalReader.h"
#include "tools/bcc/Commands.h"
#include "tools/bcc/FileIO.h"

namespace bcc::driver {

std::string disHelp() {
  return
    "usage: bcc dis [-O] [--] FILE.pyc [FILE.pyc ...]\n"
    "\n"
    "Disassembles every code object of each .pyc file, nested ones included,\n"
    "in the format that `python3.X -m dis` prints for the CPython version\n"
    "that wrote the file (3.8 to 3.15; the version comes from the magic\n"
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
}

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

} // namespace bcc::driver
