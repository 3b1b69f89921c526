//===- backend/StackScheduler.h - SSA values back onto the stack ----------===//
//
// Lowering walks each block with an abstract stack of SSA values. Before an
// instruction runs, its popped operands must be the top of the stack in
// order, each peeked operand at its depth below them, and every value that
// is still needed afterwards must keep a slot (one COPY per use, made when
// the use comes, as CPython does). When the stack already looks like that, nothing is
// emitted: values consumed in stack order stay on the stack, which is how
// the lifter found them. Otherwise the scheduler searches the shortest
// sequence of COPY i / SWAP i / POP_TOP that makes it so, touching only the
// top few slots and keeping the needed slots below in their order (ties go
// to fewer dead slots left behind, then to SWAP before COPY before
// POP_TOP, then to smaller arguments). A POP_TOP of a value nothing else
// needs swaps it up (StackGoal::discards). Block exits ask for the exact
// stack the successor's parameters describe.
//
// Values that may be NULL (maybeNull: PUSH_NULL, call-protocol NULLs,
// LOAD_FAST_AND_CLEAR's saved local) are never copied or popped, only
// swapped. Where such values are on the stack, a reordering of the needed
// slots below is taken when keeping their order is impossible, longer, or
// leaves a dead slot behind.
//
// In a block with an exception handler, the bottom slots the handler keeps
// (handlerFloor) are never swapped or popped while an instruction that may
// raise is still to come: the handler receives whatever lies there. A COPY
// whose original slot nothing needs any more stays behind as a dead slot
// that keeps its object alive; the caller allows that only where CPython
// does it too (deadCopiesAllowed).
//
// A shape that needs more than kMaxMoves moves or reaches deeper than
// kWindow slots is not searched: it is built step by step (pop, copy, then
// sort with SWAPs through the top), which is longer but always possible
// unless a maybe-NULL value would have to be copied or popped, or a
// handler's slot moved; only then does the caller get a refusal.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BACKEND_STACKSCHEDULER_H
#define BCC_BACKEND_STACKSCHEDULER_H

#include <cstdint>
#include <vector>

#include "ir/Support.h"
#include "ir/IR.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

class Value;
class OpcodeTable;
struct MachineCode;

/// The safety net behind the scheduler: walks `code` with the version's
/// stack signatures, tracking which slots may hold NULL (PUSH_NULL, the
/// call-protocol NULLs, LOAD_FAST_AND_CLEAR's saved local), and fails on a
/// COPY or POP_TOP of such a slot: either would incref/decref NULL and
/// crash the interpreter. Defined in Lowering.cpp.
Status checkNullSafety(const OpcodeTable &table, const MachineCode &code);

struct StackMove {
  enum Kind : uint8_t { Swap, Copy, Pop };
  Kind kind = Swap;
  uint32_t arg = 0; ///< SWAP i / COPY i; 0 for POP_TOP
};

/// What a scheduling request needs on top of the stack.
struct StackGoal {
  /// Values the instruction pops, bottom first.
  llvm::ArrayRef<const Value *> popped;
  /// Values it peeks at, with their depth below the popped ones (1 = right
  /// below). Depth 0 means "anywhere" (LIST_APPEND and friends, whose
  /// argument says where).
  llvm::ArrayRef<std::pair<const Value *, uint32_t>> peeked;
  /// The instruction only discards the one value it pops (POP_TOP). When
  /// nothing else needs that value, its topmost slot is swapped up, as
  /// CPython and constructExactly() do, whatever that does to the order
  /// below: a COPY would leave its slot behind, dead.
  bool discards = false;
};

class StackScheduler {
public:
  static constexpr unsigned kWindow = 8;
  static constexpr unsigned kMaxMoves = 4;

  /// The abstract stack, bottom first.
  std::vector<const Value *> stack;

  /// Per value, by Value::number() (Function::renumber()): the slots it
  /// still needs (its consuming uses left in the block and on its exits, or
  /// 1 for a value only peeked at or kept for a handler).
  std::vector<unsigned> demand;

  /// Per value, by Value::number(): whether it may be NULL at run time.
  /// Such a value is never copied or popped, only swapped (COPY/POP_TOP of
  /// a NULL crashes the interpreter).
  std::vector<bool> maybeNull;

  /// How many slots at the bottom of the stack the current block's
  /// exception handler keeps (its depth), while an instruction that may
  /// raise is still to come: moves never swap or pop them (a COPY may read
  /// them), so that the handler finds there what the exception table
  /// promises. Set by the caller before each request.
  unsigned handlerFloor = 0;

  /// Whether a COPY may leave behind a slot nothing needs any more (the
  /// copied value's last use takes the copy). Such a slot keeps its object
  /// alive until it is popped, later than the original code let it go
  /// (after a `del`, a weakref or co_extra callback sees it), so the caller
  /// allows it only where the frame ends right after (CPython's `COPY 3;
  /// POP_EXCEPT; RERAISE 1`).
  bool deadCopiesAllowed = true;

  /// Whether arrange() must keep the needed values below in their order
  /// even where maybe-NULL values are about: the caller knows that only
  /// the block's exit uses them, which wants them in that order (3.14's
  /// `with`: the __exit__ method and its self-or-NULL stay below the
  /// context manager, `SWAP 2; SWAP 3`, not one `SWAP 3`).
  bool keepOrderBelow = false;
  /// Whether the frame ends right after the instruction the moves are for
  /// (3.14+ only): a dead slot left there costs nothing, so arrange() keeps
  /// the order below even where maybe-NULL values are about (3.14's
  /// `COPY 3; POP_EXCEPT; RERAISE 1` below a `with`'s self-or-NULL).
  bool frameEndsAfter = false;

  unsigned demandOf(const Value *v) const { return demand[v->number()]; }
  bool mayBeNull(const Value *v) const { return maybeNull[v->number()]; }

  /// Moves that satisfy `goal`, demands being those after the instruction
  /// (the caller lowers them first); false if none within the limits.
  /// The needed values below the popped ones keep their order, unless
  /// `preferred` gives another order for them (bottom first, repeats next
  /// to each other merged) that some sequence within the limits reaches.
  bool arrange(const StackGoal &goal, llvm::SmallVectorImpl<StackMove> &moves,
               llvm::ArrayRef<const Value *> preferred = {});

  /// Moves that make the stack exactly `target` (bottom first).
  bool arrangeExactly(llvm::ArrayRef<const Value *> target,
                      llvm::SmallVectorImpl<StackMove> &moves);

  /// Shapes the search cannot solve within its limits (how many moves, how
  /// deep) are built step by step instead, with no limit: pop the slots
  /// nothing wants, copy the missing values, then sort the slots with SWAPs
  /// through the top. Longer than the best sequence, but it always exists
  /// unless a maybe-NULL value would have to be copied or popped. Counts
  /// how often that happened.
  uint64_t constructed = 0;

  /// Applies one move to `stack`.
  void apply(const StackMove &move);

  /// Whether `goal` holds on `stack` as it is, without moves: the popped
  /// values are on top in order, the peeked ones where they must be, and
  /// each popped value still needed has another slot (nothing else moves,
  /// so every other value keeps its slots).
  bool satisfied(const StackGoal &goal) const;

private:
  bool satisfies(const std::vector<const Value *> &s, const StackGoal &goal,
                 unsigned *deadSlots) const;
  bool construct(const StackGoal &goal,
                 llvm::SmallVectorImpl<StackMove> &moves);
  bool constructExactly(llvm::ArrayRef<const Value *> target,
                        llvm::SmallVectorImpl<StackMove> &moves);
  /// The fewest moves (at most `maxMoves`) within the top `reach` slots
  /// after which `accept` holds; `top`, if not null, is what every
  /// accepted stack has on top.
  template <typename Accept>
  bool search(Accept accept, const Value *top, unsigned reach,
              llvm::SmallVectorImpl<StackMove> &moves,
              unsigned maxMoves = kMaxMoves);
  unsigned lastDead_ = 0;
};

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_BACKEND_STACKSCHEDULER_H
