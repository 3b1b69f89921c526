//===- ir/IR.h - bcc's SSA IR: what it is for, and everything in it -------===//
//
// bcc lifts each code object's bytecode into this IR, optimizes it, and
// lowers it back to bytecode. Without optimization the round trip must give
// back the same bytes, so the IR keeps everything needed to regenerate the
// original: the order of instructions within blocks and of the blocks, the
// constant, name and localsplus pools in their original order, each
// instruction's source location and original offset, and the exception
// regions.
//
// The IR is a control-flow graph in SSA form that models CPython's value
// stack:
//
//  * A Module is the tree of code objects of one .pyc; a Function is one
//    code object (ir/Function.h). Nested code constants are child
//    Functions.
//  * A Function holds Blocks in layout order; a Block holds Instructions and
//    ends in exactly one terminator (ir/Block.h).
//  * An Instruction pops its operands and pushes its results. Stack slots
//    live on entry to a block are the block's parameters; every edge passes
//    one argument per parameter, so the stack depth on every edge is
//    explicit (`br ^bb3(%1, %2)`). Locals stay in the frame (load_fast /
//    store_fast); only the stack is SSA.
//  * Operations are described in one table, ir/Ops.def. Those later passes
//    need to understand (constants, locals, globals, attributes, calls,
//    truth tests, branches, returns) are version-neutral; every other
//    opcode is a `py` instruction that carries the CPython opcode and oparg
//    of its version verbatim, with its popped and peeked values as operands
//    and its pushed values as results.
//  * Operands, results and block parameters are in CPython's stack order,
//    bottom first.
//  * Exception handling is explicit: a block's handler edge names the
//    handler, the depth it unwinds to, whether lasti is pushed, and the
//    values left below (ir/Block.h).
//
// The text form (IRPrinter.h, IRParser.h) prints and parses every part of
// it; the verifier (Verifier.h) checks its invariants; DominatorTree and
// LoopInfo (Dominators.h, Loops.h) are built with Boost.Graph. docs/ir.md
// describes all of it, with the grammar.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_IR_H
#define BCC_IR_IR_H

#include "ir/Block.h"
#include "ir/CallProtocol.h"
#include "ir/Function.h"
#include "ir/IRBuilder.h"
#include "ir/Instruction.h"
#include "ir/Ops.h"
#include "ir/SourceLocation.h"
#include "ir/Value.h"

#endif // BCC_IR_IR_H
