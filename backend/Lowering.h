//===- backend/Lowering.h - SSA IR back to CPython code objects -----------===//
//
// The way back from the IR (3.11, 3.12, 3.13): blocks are laid out in IR
// order, SSA values are scheduled back onto the value stack
// (StackScheduler), each operation is selected as the version's opcodes
// (InstructionSelection), and the result is assembled (Assembler) with a
// fresh location table, exception table and co_stacksize. The pools and
// metadata are the Function's, in their order; child functions in the
// consts pool become nested code objects.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BACKEND_LOWERING_H
#define BCC_BACKEND_LOWERING_H

#include <cstdint>
#include <memory>

#include "ir/CodeObject.h"
#include "ir/Function.h"
#include "ir/Support.h"

namespace bcc {

/// Counters of what lowering had to do, summed over the code objects.
struct LoweringReport {
  uint64_t codeObjects = 0;
  uint64_t irInstructions = 0;
  /// Instructions whose operands were already on top, in order.
  uint64_t operandsInOrder = 0;
  /// Stack moves inserted: COPY, SWAP, POP_TOP.
  uint64_t copies = 0;
  uint64_t swaps = 0;
  uint64_t pops = 0;
  /// `drop`s written as POP_TOP.
  uint64_t drops = 0;
  /// 3.13 superinstructions re-fused.
  uint64_t fused = 0;
  /// 3.14 loads written as LOAD_FAST_BORROW[_LOAD_FAST_BORROW].
  uint64_t borrowed = 0;
  /// Stack shapes beyond the scheduler's search, built step by step
  /// (StackScheduler::constructed).
  uint64_t constructed = 0;
  /// Block exits that needed moves.
  uint64_t exitShuffles = 0;
};

/// Per-call settings of the backend. co_stacksize's lower bound is the
/// function's own (Function::minStackSize).
struct LoweringOptions {};

/// Lowers one function; its child functions are lowered recursively.
Expected<std::shared_ptr<CodeObject>>
lowerFunction(const Function &function, LoweringReport *report = nullptr,
              const LoweringOptions &options = {});

/// Lowers the module's first function (the module code) and with it the
/// whole tree of code objects.
Expected<std::shared_ptr<CodeObject>>
lowerModule(const Module &module, LoweringReport *report = nullptr);

} // namespace bcc

#endif // BCC_BACKEND_LOWERING_H
