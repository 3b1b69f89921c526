//===- ir/Block.cpp -------------------------------------------------------===//

#include "ir/Block.h"

#include "ir/Function.h"

namespace bcc {

Instruction *Block::terminator() const {
  if (insts_.empty())
    return nullptr;
  Instruction &last = const_cast<Instruction &>(insts_.back());
  return last.isTerminator() ? &last : nullptr;
}

BlockParam *Block::addParam() {
  auto *param = new (parent_->allocator().Allocate<BlockParam>())
      BlockParam(this, unsigned(params_.size()));
  params_.push_back(param);
  return param;
}

void Block::eraseParam(unsigned i) {
  assert(i < params_.size() && "parameter index out of range");
  assert(!params_[i]->hasUses() && "erasing a used block parameter");
  params_[i]->~BlockParam();
  params_.erase(params_.begin() + i);
  for (unsigned j = i; j < params_.size(); ++j)
    params_[j]->index_ = j;
}

void Block::setHandler(Block *handler, unsigned depth, bool pushesLasti,
                       llvm::ArrayRef<Value *> args) {
  handler_ = handler;
  handlerDepth_ = depth;
  handlerLasti_ = pushesLasti;
  handlerArgs_.clear();
  handlerArgs_.reserve(args.size());
  for (Value *v : args)
    handlerArgs_.emplace_back(v, this);
}

void Block::clearHandler() {
  handler_ = nullptr;
  handlerDepth_ = 0;
  handlerLasti_ = false;
  handlerArgs_.clear();
}

llvm::SmallVector<Block *, 2> Block::successors() const {
  llvm::SmallVector<Block *, 2> out;
  if (Instruction *term = terminator())
    for (const Successor &s : term->successors())
      out.push_back(s.target());
  return out;
}

Block::~Block() {
  // Every use is gone by now (eraseFromParent or the function's teardown).
  while (!insts_.empty()) {
    Instruction &inst = insts_.back();
    insts_.pop_back();
    inst.parent_ = nullptr;
    inst.~Instruction();
  }
  for (BlockParam *param : params_)
    param->~BlockParam();
}

void Block::eraseFromParent() {
  // Drop every use first, so that values used across instructions of this
  // block can be destroyed in any order.
  handlerArgs_.clear();
  for (Instruction &inst : insts_) {
    for (Use &u : inst.operandUses())
      u.set(nullptr);
    for (Successor &s : inst.successors())
      for (Use &u : s.argUses())
        u.set(nullptr);
  }
  parent_->blocks_.remove(*this);
  this->~Block(); // the memory stays with the function's allocator
}

void Block::moveBefore(Block *other) {
  assert(other->parent_ == parent_ && "moving a block between functions");
  parent_->blocks_.remove(*this);
  parent_->blocks_.insert(other->getIterator(), *this);
}

void Block::moveToEnd() {
  parent_->blocks_.remove(*this);
  parent_->blocks_.push_back(*this);
}

} // namespace bcc
