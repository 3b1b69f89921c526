//===- ir/Instruction.cpp -------------------------------------------------===//

#include "ir/Instruction.h"

#include "ir/Block.h"
#include "ir/Function.h"

namespace bcc {

//===----------------------------------------------------------------------===//
// Successor
//===----------------------------------------------------------------------===//

void Successor::setArgs(llvm::ArrayRef<Value *> values) {
  args_.clear();
  args_.reserve(values.size());
  for (Value *v : values)
    args_.emplace_back(v, owner_);
}

void Successor::appendArg(Value *value) { args_.emplace_back(value, owner_); }

void Successor::eraseArg(unsigned i) {
  assert(i < args_.size() && "argument index out of range");
  args_.erase(args_.begin() + i);
}

//===----------------------------------------------------------------------===//
// Instruction
//===----------------------------------------------------------------------===//

Function *Instruction::function() const {
  return parent_ ? parent_->parent() : nullptr;
}

unsigned Instruction::constIndex() const {
  assert(info().immediate == ImmediateKind::Const && "no constant index");
  return immediate_;
}

unsigned Instruction::localIndex() const {
  assert(info().immediate == ImmediateKind::Local && "no local index");
  return immediate_;
}

unsigned Instruction::nameIndex() const {
  assert(info().immediate == ImmediateKind::Name && "no name index");
  return immediate_;
}

BranchTest Instruction::branchTest() const {
  assert(info().immediate == ImmediateKind::Test && "no branch test");
  return BranchTest(immediate_);
}

uint8_t Instruction::pyOpcode() const {
  assert(op_ == Op::Py && "not a py instruction");
  return pyOpcode_;
}

const char *Instruction::pyOpname() const {
  assert(op_ == Op::Py && "not a py instruction");
  const Function *f = function();
  const OpcodeTable *table =
      f ? OpcodeTable::forVersion(f->version()) : nullptr;
  const OpcodeInfo *opcode = table ? table->info(pyOpcode_) : nullptr;
  return opcode ? opcode->name : "<unknown opcode>";
}

uint32_t Instruction::pyOparg() const {
  assert(op_ == Op::Py && "not a py instruction");
  return immediate_;
}

Instruction::~Instruction() {
  for (unsigned i = 0; i < numOperands_; ++i)
    operands_[i].~Use();
  for (unsigned i = 0; i < numSuccessors_; ++i)
    successors_[i].~Successor();
  for (unsigned i = 0; i < numResults_; ++i)
    results_[i].~InstResult();
}

void Instruction::eraseFromParent() {
  assert(parent_ && "erasing a detached instruction");
  parent_->insts_.remove(*this);
  parent_ = nullptr;
  this->~Instruction(); // the memory stays with the function's allocator
}

void Instruction::moveBefore(Instruction *other) {
  assert(parent_ && other->parent_ && "moving a detached instruction");
  parent_->insts_.remove(*this);
  parent_ = other->parent_;
  parent_->insts_.insert(other->getIterator(), *this);
}

void Instruction::moveToEnd(Block *block) {
  assert(parent_ && "moving a detached instruction");
  parent_->insts_.remove(*this);
  parent_ = block;
  block->insts_.push_back(*this);
}

} // namespace bcc
