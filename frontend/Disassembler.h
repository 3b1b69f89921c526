//===- frontend/Disassembler.h - `dis` output -------------------*- C++ -*-===//
//
// disassemble() prints a code object and, recursively, the code objects in
// its co_consts exactly as `python3.X -m dis SOURCE.py` prints the module of
// version 3.X (3.8-3.15): line numbers, `>>` jump markers or 3.13 labels,
// offsets, opnames, arguments and their reprs, and the 3.11+ exception
// table. Only the addresses in code object reprs differ: they are made up,
// one per code object in printing order (see ir/PyRepr.h). The instructions
// come from decodeInstructions() (frontend/BytecodeDecoder.h), which walks
// co_code the way the version's `dis` does.
//
// Bad input never crashes. A table that cannot be decoded (line table,
// exception table) or co_code of odd length is an Error. Within otherwise
// readable code, an argument that indexes past its table is printed as
// `<bad const index 7>` (dis itself would stop with IndexError there), and
// unknown opcodes print as `<N>` the way dis names them.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_FRONTEND_DISASSEMBLER_H
#define BCC_FRONTEND_DISASSEMBLER_H

#include <string>

#include "ir/CodeObject.h"
#include "ir/Support.h"

namespace bcc {

struct DisOptions {
  /// Also print the code objects found in co_consts, recursively, each
  /// after a blank line and "Disassembly of <code object ...>:", as
  /// dis.dis(code) does.
  bool recursive = true;
  /// 3.13's `-O/--show-offsets`. Earlier versions always show offsets.
  bool showOffsets = false;
};

/// The text `python3.X -m dis` prints for a module whose code is `module`,
/// for the version of `module`.
Expected<std::string> disassemble(const CodeObject &module,
                                  const DisOptions &opts = {});

} // namespace bcc

#endif // BCC_FRONTEND_DISASSEMBLER_H
