//===- ir/Instruction.h - One operation of the IR -------------------------===//
//
// An Instruction is one row of ir/Ops.def applied to values: its operation
// kind (`op()`), a 32-bit immediate whose meaning the table gives (a pool or
// localsplus index, a count, a branch test, or a CPython oparg), value
// operands, results, and successor edges that each carry their own block
// arguments. `py` instructions also store the CPython opcode.
//
// Every instruction also keeps where it came from: its source location and
// the byte offset of the CPython instruction it was lifted from (the offset
// of the real instruction, after EXTENDED_ARG), or no offset if a pass made
// it. One CPython instruction may become several IR instructions with the
// same offset (3.13's LOAD_FAST_LOAD_FAST becomes two load_fast, 3.12's
// RETURN_CONST a const and a return); see docs/ir.md.
//
// The operand, result and successor arrays are allocated once, from the
// function's allocator, when the instruction is made (IRBuilder); their
// sizes do not change. Successor arguments can be changed freely.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_INSTRUCTION_H
#define BCC_IR_INSTRUCTION_H

#include <cstdint>

#include "ir/Opcodes.h"
#include "ir/Ops.h"
#include "ir/SourceLocation.h"
#include "ir/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/ilist_node.h"

namespace bcc {

class Block;
class Function;
class IRBuilder;

/// One outgoing control-flow edge of an instruction and the values it
/// passes to the target block's parameters.
class Successor {
public:
  Block *target() const { return target_; }
  void setTarget(Block *target) { target_ = target; }

  unsigned numArgs() const { return unsigned(args_.size()); }
  Value *arg(unsigned i) const { return args_[i].get(); }
  llvm::MutableArrayRef<Use> argUses() { return args_; }
  llvm::ArrayRef<Use> argUses() const { return args_; }

  void setArg(unsigned i, Value *value) { args_[i].set(value); }
  void setArgs(llvm::ArrayRef<Value *> values);
  void appendArg(Value *value);
  void eraseArg(unsigned i);

  Instruction *owner() const { return owner_; }

private:
  friend class Instruction;
  friend class IRBuilder;
  Successor(Instruction *owner, Block *target, llvm::ArrayRef<Value *> args)
      : owner_(owner), target_(target) {
    setArgs(args);
  }

  Instruction *owner_;
  Block *target_;
  llvm::SmallVector<Use, 2> args_;
};

class Instruction : public llvm::ilist_node<Instruction> {
public:
  /// offset() of an instruction that no CPython instruction gave.
  static constexpr uint32_t kNoOffset = UINT32_MAX;

  Op op() const { return op_; }
  const OpInfo &info() const { return opInfo(op_); }
  bool is(Op op) const { return op_ == op; }

  Block *parent() const { return parent_; }
  Function *function() const;

  // --- Immediate --------------------------------------------------------
  uint32_t immediate() const { return immediate_; }
  void setImmediate(uint32_t value) { immediate_ = value; }
  /// Typed views of the immediate; each asserts what the table says.
  unsigned constIndex() const;
  unsigned localIndex() const;
  unsigned nameIndex() const;
  BranchTest branchTest() const;
  /// `py` only: the CPython opcode, its name and its argument.
  uint8_t pyOpcode() const;
  const char *pyOpname() const;
  uint32_t pyOparg() const;
  /// `py` only: how the opcode ends a block (from the version's table).
  FlowKind pyFlow() const { return pyFlow_; }

  // --- Operands ---------------------------------------------------------
  unsigned numOperands() const { return numOperands_; }
  Value *operand(unsigned i) const {
    assert(i < numOperands_ && "operand index out of range");
    return operands_[i].get();
  }
  void setOperand(unsigned i, Value *value) {
    assert(i < numOperands_ && "operand index out of range");
    operands_[i].set(value);
  }
  llvm::MutableArrayRef<Use> operandUses() { return {operands_, numOperands_}; }
  llvm::ArrayRef<Use> operandUses() const { return {operands_, numOperands_}; }
  /// The optional last operand of the table (the call's kwnames) is present.
  bool hasOptionalOperand() const { return hasOptionalOperand_; }

  // --- Results ----------------------------------------------------------
  unsigned numResults() const { return numResults_; }
  InstResult *result(unsigned i) const {
    assert(i < numResults_ && "result index out of range");
    return &results_[i];
  }
  /// The only result.
  InstResult *result() const {
    assert(numResults_ == 1 && "instruction does not have exactly 1 result");
    return &results_[0];
  }
  llvm::MutableArrayRef<InstResult> results() {
    return {results_, numResults_};
  }
  llvm::ArrayRef<InstResult> results() const { return {results_, numResults_}; }

  // --- Successors -------------------------------------------------------
  unsigned numSuccessors() const { return numSuccessors_; }
  Successor &successor(unsigned i) const {
    assert(i < numSuccessors_ && "successor index out of range");
    return successors_[i];
  }
  llvm::MutableArrayRef<Successor> successors() const {
    return {successors_, numSuccessors_};
  }

  // --- Properties (the table's, refined for this instance) -------------
  /// The table's property bits, except: `py` is a Terminator when its
  /// opcode jumps or leaves the frame; `cond_br` if_none/if_not_none can
  /// neither raise nor run code.
  uint32_t properties() const {
    // Inline: every pass and the verifier ask it of every instruction.
    uint32_t props = info().properties;
    if (op_ == Op::Py && pyFlow_ != FlowKind::Normal)
      props |= opprops::Terminator;
    if (op_ == Op::CondBr && (BranchTest(immediate_) == BranchTest::IfNone ||
                              BranchTest(immediate_) == BranchTest::IfNotNone))
      props &= ~(opprops::MayRaise | opprops::MayRunCode);
    return props;
  }
  bool has(uint32_t property) const {
    return (properties() & property) == property;
  }
  bool isTerminator() const { return has(opprops::Terminator); }
  bool mayRaise() const { return has(opprops::MayRaise); }
  bool isPure() const { return has(opprops::Pure); }

  // --- Origin -----------------------------------------------------------
  const SourceLocation &location() const { return location_; }
  void setLocation(const SourceLocation &location) { location_ = location; }
  bool hasOffset() const { return offset_ != kNoOffset; }
  /// Byte offset of the CPython instruction it came from, or kNoOffset.
  uint32_t offset() const { return offset_; }
  void setOffset(uint32_t offset) { offset_ = offset; }
  /// Where the stack moves (COPY, SWAP) that came right before this
  /// instruction in the original bytecode were placed, or none. A hint to
  /// the backend, which gives the moves it makes for this instruction's
  /// operands that location, as CPython gives them the location of the
  /// statement or expression they serve. The text form prints it as
  /// `moves @LOC` after the location.
  const SourceLocation &moveLocation() const { return moveLocation_; }
  void setMoveLocation(const SourceLocation &location) {
    moveLocation_ = location;
  }

  /// load_fast only: the load takes a reference of its own, never a
  /// borrowed one. The lifter sets it on the loads CPython 3.14+ wrote as
  /// LOAD_FAST (its compiler did not borrow there), so the lowering borrows
  /// at most where CPython did; passes that copy a load keep it. The text
  /// form prints it as `strong` after the locations.
  bool isStrongLoad() const { return strongLoad_; }
  void setStrongLoad(bool strong) { strongLoad_ = strong; }

  // --- Place in the block -----------------------------------------------
  /// Unlinks and destroys the instruction. Its results must be unused.
  void eraseFromParent();
  /// Moves it before `other`, possibly into another block.
  void moveBefore(Instruction *other);
  /// Moves it to the end of `block`.
  void moveToEnd(Block *block);

  Instruction(const Instruction &) = delete;
  Instruction &operator=(const Instruction &) = delete;

private:
  friend class IRBuilder;
  friend class Block;
  friend class Function; // teardown
  Instruction(Op op, uint32_t immediate) : op_(op), immediate_(immediate) {}
  ~Instruction();

  Op op_;
  uint8_t pyOpcode_ = 0;
  FlowKind pyFlow_ = FlowKind::Normal;
  bool hasOptionalOperand_ = false;
  bool strongLoad_ = false;
  uint32_t immediate_;
  uint32_t offset_ = kNoOffset;
  SourceLocation location_;
  SourceLocation moveLocation_;
  Block *parent_ = nullptr;
  Use *operands_ = nullptr;
  InstResult *results_ = nullptr;
  Successor *successors_ = nullptr;
  uint32_t numOperands_ = 0;
  uint32_t numResults_ = 0;
  uint32_t numSuccessors_ = 0;
};

} // namespace bcc

#endif // BCC_IR_INSTRUCTION_H
