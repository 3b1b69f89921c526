//===- ir/Block.h - A basic block and its exception-handler edge ----------===//
//
// A Block is a straight run of instructions that ends in exactly one
// terminator. Its parameters are the stack slots live on entry, bottom
// first; every edge into it passes one argument per parameter.
//
// Exception handling is explicit. A block may have one handler edge: the
// handler block, the stack depth the handler sees (CPython's exception-table
// `depth`), whether the raising instruction's offset is pushed (`lasti`),
// and the `depth` values left on the stack, as real uses. Whatever raises in
// the block goes there; without a handler edge it leaves the frame. The
// handler block's parameters are those `depth` values, then lasti if pushed,
// then the exception. Blocks are split wherever the handler changes, so one
// edge per block says everything the exception table said.
//
// Handler arguments are evaluated on entry to the block: they must be
// available there (parameters of this block or values from blocks that
// dominate it), since an exception may come from its first instruction.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_BLOCK_H
#define BCC_IR_BLOCK_H

#include "ir/Instruction.h"
#include "ir/Value.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/ilist_node.h"
#include "llvm/ADT/simple_ilist.h"

namespace bcc {

class Function;

class Block : public llvm::ilist_node<Block> {
public:
  using InstructionList = llvm::simple_ilist<Instruction>;
  using iterator = InstructionList::iterator;
  using const_iterator = InstructionList::const_iterator;

  Function *parent() const { return parent_; }

  // --- Instructions -----------------------------------------------------
  iterator begin() { return insts_.begin(); }
  iterator end() { return insts_.end(); }
  const_iterator begin() const { return insts_.begin(); }
  const_iterator end() const { return insts_.end(); }
  bool empty() const { return insts_.empty(); }
  size_t size() const { return insts_.size(); }
  Instruction &front() { return insts_.front(); }
  Instruction &back() { return insts_.back(); }
  const Instruction &front() const { return insts_.front(); }
  const Instruction &back() const { return insts_.back(); }
  /// The last instruction if it is a terminator, else null.
  Instruction *terminator() const;

  // --- Parameters -------------------------------------------------------
  unsigned numParams() const { return unsigned(params_.size()); }
  BlockParam *param(unsigned i) const { return params_[i]; }
  llvm::ArrayRef<BlockParam *> params() const { return params_; }
  BlockParam *addParam();
  /// Removes parameter `i`, which must be unused; later ones move down.
  /// Edges into the block must drop their argument `i` too.
  void eraseParam(unsigned i);

  // --- Exception-handler edge -------------------------------------------
  bool hasHandler() const { return handler_ != nullptr; }
  Block *handler() const { return handler_; }
  /// The stack depth the handler unwinds to.
  unsigned handlerDepth() const { return handlerDepth_; }
  /// Whether the raising instruction's offset is pushed before the
  /// exception.
  bool handlerPushesLasti() const { return handlerLasti_; }
  unsigned numHandlerArgs() const { return unsigned(handlerArgs_.size()); }
  Value *handlerArg(unsigned i) const { return handlerArgs_[i].get(); }
  llvm::MutableArrayRef<Use> handlerArgUses() { return handlerArgs_; }
  llvm::ArrayRef<Use> handlerArgUses() const { return handlerArgs_; }
  void setHandler(Block *handler, unsigned depth, bool pushesLasti,
                  llvm::ArrayRef<Value *> args);
  void setHandlerArg(unsigned i, Value *value) { handlerArgs_[i].set(value); }
  void clearHandler();

  // --- Control flow -----------------------------------------------------
  /// The targets of the terminator's edges, in order (the handler is not
  /// included). Empty without a terminator.
  llvm::SmallVector<Block *, 2> successors() const;

  // --- Place in the function --------------------------------------------
  /// Unlinks and destroys the block and its instructions. Nothing may use
  /// its values any more; edges to it must be gone (the verifier reports
  /// an edge to a block that is not in the function).
  void eraseFromParent();
  /// Moves it before `other` in the function's block order.
  void moveBefore(Block *other);
  /// Moves it to the end of the function's block order.
  void moveToEnd();

  Block(const Block &) = delete;
  Block &operator=(const Block &) = delete;

  /// Its position in the function's block order at the last
  /// Function::renumber(); stale once blocks are added, removed or moved.
  unsigned number() const { return number_; }

private:
  friend class Function;
  friend class Instruction;
  friend class IRBuilder;
  explicit Block(Function *parent) : parent_(parent) {}
  ~Block();

  Function *parent_;
  InstructionList insts_;
  llvm::SmallVector<BlockParam *, 2> params_;
  Block *handler_ = nullptr;
  unsigned handlerDepth_ = 0;
  bool handlerLasti_ = false;
  mutable uint32_t number_ = 0; ///< a cache, like Value::number_
  llvm::SmallVector<Use, 2> handlerArgs_;
};

} // namespace bcc

#endif // BCC_IR_BLOCK_H
