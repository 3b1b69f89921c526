//===- tools/bcc/main.cpp - The bcc command-line driver -------------------===//
//
// The `bcc` executable: its commands and top level are in Driver.cpp,
// which the Python package runs too (`python -m bcc`).
//
//===----------------------------------------------------------------------===//

#include <string>
#include <vector>

#include "tools/bcc/Commands.h"

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return bcc::driver::main(args, "bcc");
}
