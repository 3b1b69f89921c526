//===- frontend/Lifter.h - CPython 3.11-3.14 bytecode to SSA IR -*- C++ -*-===//
//
// The lifter turns a code-object tree into a Module of the SSA IR
// (docs/ir.md): one Function per code object, in pre-order of the
// code-constant tree, each with its original pools, its blocks in offset
// order, and every instruction's location and original offset.
//
// How: the instructions are decoded (EXTENDED_ARG folded, caches skipped),
// blocks start at offset 0, at jump targets, at handlers, at every
// exception-table boundary and after every jump or frame exit; then the
// value stack is interpreted abstractly over the CFG with a worklist. A
// block's entry stack is its parameters (bottom first), an edge passes the
// exit stack, a handler block's parameters are (depth values, [lasti],
// exception) and each protected block passes its bottom `depth` parameters
// on its handler edge. Which opcodes become which operations is in
// Lifter.cpp's header comment.
//
// Bad bytecode (a stack underflow, depths that differ where paths join, a
// jump outside the code, an unknown opcode, a version other than 3.11-3.14)
// is an Error naming the code object's qualname and the offset.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_FRONTEND_LIFTER_H
#define BCC_FRONTEND_LIFTER_H

#include <memory>

#include "ir/CodeObject.h"
#include "ir/Function.h"
#include "ir/Support.h"

namespace bcc {

/// Lifts `root` and every code object nested in its constants. The result
/// is not verified here; run verify() on it (the tests do).
Expected<std::unique_ptr<Module>> liftModule(const CodeObject &root);

} // namespace bcc

#endif // BCC_FRONTEND_LIFTER_H
