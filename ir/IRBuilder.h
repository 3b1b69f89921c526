//===- ir/IRBuilder.h - Making instructions -------------------------------===//
//
// IRBuilder is the one way to make instructions: it allocates them from the
// function's allocator, inserts them at its insertion point (the end of a
// block, or before an instruction) and stamps them with the current source
// location and offset.
//
//   IRBuilder b(f);
//   Block *entry = b.createBlock();
//   b.setInsertPoint(entry);
//   b.setOrigin(SourceLocation::span(7, 11, 7, 12), 4);
//   Value *zero = b.constant(1);
//   b.storeFast(1, zero);
//
// Helpers that make an instruction with one result return that Value; the
// others return the Instruction. Nothing is checked beyond assertions on
// the table's counts: run the verifier.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_IRBUILDER_H
#define BCC_IR_IRBUILDER_H

#include <optional>

#include "ir/Function.h"

namespace bcc {

/// A successor edge to make: the target and the values passed to it.
struct BranchTarget {
  Block *block;
  llvm::ArrayRef<Value *> args = {};
};

/// A `py` operand in stack order, and whether the opcode only peeks at it.
struct StackOperand {
  Value *value;
  bool peeked = false;
};

class IRBuilder {
public:
  explicit IRBuilder(Function &function) : function_(function) {}

  Function &function() const { return function_; }

  // --- Where and with which origin --------------------------------------
  /// Insert at the end of `block`.
  void setInsertPoint(Block *block);
  /// Insert before `inst`.
  void setInsertPoint(Instruction *inst);
  Block *insertBlock() const { return block_; }

  /// Location and offset given to every new instruction.
  void setOrigin(const SourceLocation &location,
                 uint32_t offset = Instruction::kNoOffset) {
    location_ = location;
    offset_ = offset;
  }
  const SourceLocation &origin() const { return location_; }
  void clearOrigin() { setOrigin(SourceLocation::none()); }
  /// The move location (Instruction::moveLocation) for the next new
  /// instruction only; kept until an instruction is created.
  void setPendingMoveLocation(const SourceLocation &location) {
    moveLocation_ = location;
    hasMoveLocation_ = true;
  }
  bool hasPendingMoveLocation() const { return hasMoveLocation_; }
  void clearPendingMoveLocation() {
    moveLocation_ = SourceLocation::none();
    hasMoveLocation_ = false;
  }

  /// A new block at the end of the function (or before `before`) with
  /// `numParams` parameters. The insertion point does not move.
  Block *createBlock(unsigned numParams = 0, Block *before = nullptr);

  // --- Generic ----------------------------------------------------------
  /// Any operation but `py`. `hasOptionalOperand` says the last operand is
  /// the table's optional one (the call's kwnames).
  Instruction *create(Op op, uint32_t immediate,
                      llvm::ArrayRef<Value *> operands, unsigned numResults,
                      llvm::ArrayRef<BranchTarget> successors = {},
                      bool hasOptionalOperand = false);
  /// A `py` instruction for CPython `opcode` of the function's version. It
  /// is a terminator if the opcode jumps or leaves the frame; `successors`
  /// must then match its flow kind (checked by the verifier).
  Instruction *createPy(uint8_t opcode, uint32_t oparg,
                        llvm::ArrayRef<StackOperand> operands,
                        unsigned numResults,
                        llvm::ArrayRef<BranchTarget> successors = {});
  /// The same, by opname; asserts that the version has it.
  Instruction *createPy(llvm::StringRef opname, uint32_t oparg,
                        llvm::ArrayRef<StackOperand> operands,
                        unsigned numResults,
                        llvm::ArrayRef<BranchTarget> successors = {});

  // --- Named helpers ----------------------------------------------------
  Value *constant(unsigned poolIndex);
  Value *pushNull();
  Instruction *drop(Value *value);
  Instruction *nop();

  Value *loadFast(unsigned local);
  Value *loadFastCheck(unsigned local);
  Value *loadFastAndClear(unsigned local);
  Instruction *storeFast(unsigned local, Value *value);
  Instruction *deleteFast(unsigned local);
  Value *loadDeref(unsigned local);
  Instruction *storeDeref(unsigned local, Value *value);
  Value *loadClosure(unsigned local);
  Instruction *makeCell(unsigned local);
  Instruction *copyFreeVars(unsigned count);

  /// With `withNull`, two results in the version's stack order.
  Instruction *loadGlobal(unsigned name, bool withNull = false);
  Instruction *storeGlobal(unsigned name, Value *value);
  Value *loadName(unsigned name);
  Instruction *storeName(unsigned name, Value *value);
  /// With `methodForm`, two results in the version's stack order.
  Instruction *loadAttr(unsigned name, Value *object, bool methodForm = false);
  Instruction *storeAttr(unsigned name, Value *value, Value *object);

  /// `call` with the two protocol slots, the arguments, and the kwnames
  /// tuple if any.
  Value *call(Value *slot0, Value *slot1, llvm::ArrayRef<Value *> args,
              Value *kwNames = nullptr);
  Value *toBool(Value *value);

  Instruction *br(Block *target, llvm::ArrayRef<Value *> args = {});
  Instruction *condBr(BranchTest test, Value *value, BranchTarget ifHolds,
                      BranchTarget otherwise);
  Instruction *ret(Value *value);

private:
  /// The instruction with its results and successors made, and room for
  /// `numOperands` operands that the caller constructs.
  Instruction *allocate(Op op, uint32_t immediate, unsigned numOperands,
                        unsigned numResults,
                        llvm::ArrayRef<BranchTarget> successors);
  void insert(Instruction *inst);

  Function &function_;
  const OpcodeTable *table_ =
      nullptr; ///< the function's, once createPy needs it
  Block *block_ = nullptr;
  Instruction *before_ = nullptr; ///< null: at the end of block_
  SourceLocation location_;
  SourceLocation moveLocation_;
  bool hasMoveLocation_ = false;
  uint32_t offset_ = Instruction::kNoOffset;
};

} // namespace bcc

#endif // BCC_IR_IRBUILDER_H
