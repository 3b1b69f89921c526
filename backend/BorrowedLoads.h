//===- backend/BorrowedLoads.h - 3.14's LOAD_FAST_BORROW ----------*- C++ -*-===//
//
// CPython 3.14 loads a local without taking a reference (LOAD_FAST_BORROW,
// LOAD_FAST_BORROW_LOAD_FAST_BORROW) where its compiler proves that the
// frame's reference outlives the one on the stack. The IR has no notion of
// borrowing: the lowering decides it on the machine code it wrote, by the
// rule docs/lowering.md states ("Borrowed loads"), which gives CPython's
// choices back for code as CPython laid it out and never borrows where that
// rule does not prove it safe.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BACKEND_BORROWEDLOADS_H
#define BCC_BACKEND_BORROWEDLOADS_H

#include "backend/MachineCode.h"
#include "ir/Opcodes.h"

#pragma GCC visibility push(hidden)

namespace bcc {

/// Turns the LOAD_FAST and LOAD_FAST_LOAD_FAST of `code` whose borrowing
/// is proved safe into LOAD_FAST_BORROW and
/// LOAD_FAST_BORROW_LOAD_FAST_BORROW (same size, no caches). Does nothing
/// for a version without them. Jump targets must be resolved (indices).
/// Returns how many instructions borrow.
unsigned borrowLoads(const OpcodeTable &table, MachineCode &code);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_BACKEND_BORROWEDLOADS_H
