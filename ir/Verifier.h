//===- ir/Verifier.h - The invariants of the IR ---------------------------===//
//
// verify() checks a function (or every function of a module) and returns
// the first violation found, in function order, as an Error whose message
// names the function and block and quotes the offending instruction the way
// the printer shows it:
//
//   function @1 'fib', bb2: `%5 = call %3, %4, %9`: operand 2 (%9) is not
//   dominated by its definition
//
// What it checks (docs/ir.md lists each rule with its message):
//  * structure: the function has blocks; the entry has no parameters; every
//    block ends with exactly one terminator and has none before;
//  * each instruction against ir/Ops.def: operand, result and successor
//    counts (a `py` instruction's successors against its opcode's flow
//    kind), immediates inside their pools, a known CPython opcode;
//  * edges: every successor and handler is a block of this function, every
//    edge passes one argument per parameter of its target;
//  * exception handlers: the handler edge passes `depth` values, and the
//    handler block has depth + lasti + 1 parameters;
//  * SSA: no null operands, every operand is defined in this function, and
//    every use is dominated by its definition (block parameters dominate
//    their block; a result is available after its instruction, in the
//    successor arguments of that same terminator, and in blocks its block's
//    instructions dominate; handler arguments must be available on entry to
//    their block);
//  * use lists: every value's use list holds exactly the operand slots that
//    point at it.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_VERIFIER_H
#define BCC_IR_VERIFIER_H

#include "ir/Function.h"
#include "ir/Support.h"

namespace bcc {

Status verify(const Function &function);
/// Every function, and that code constants refer to functions of `module`.
Status verify(const Module &module);

/// The backend's contract on top of verify(), which IR made by the lifter
/// meets and every pass must keep (docs/ir.md, "Stack form"): the value
/// stack of a block is its parameters and what its instructions push, so
///  * every operand and successor argument is a value of its own block (a
///    parameter, or a result of an earlier instruction or of the
///    terminator itself);
///  * a block's handler arguments are its first `depth` parameters, in
///    order: the slots at the bottom of the stack;
///  * both edges of a `cond_br` pass the same values, since the branch pops
///    only its condition.
/// Assumes verify() holds.
Status verifyStackForm(const Function &function);
Status verifyStackForm(const Module &module);

} // namespace bcc

#endif // BCC_IR_VERIFIER_H
