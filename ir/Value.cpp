//===- ir/Value.cpp - Use lists -------------------------------------------===//

#include "ir/Value.h"

#include "ir/Block.h"
#include "ir/Instruction.h"

namespace bcc {

void Use::addToList() {
  next_ = value_->firstUse_;
  if (next_)
    next_->prev_ = &next_;
  prev_ = &value_->firstUse_;
  value_->firstUse_ = this;
}

void Use::removeFromList() {
  if (!prev_)
    return;
  *prev_ = next_;
  if (next_)
    next_->prev_ = prev_;
  prev_ = nullptr;
  next_ = nullptr;
}

void Use::set(Value *value) {
  if (value == value_ && (prev_ || !value))
    return;
  removeFromList();
  value_ = value;
  if (value_)
    addToList();
}

void Use::takeListPlaceOf(Use &other) {
  value_ = other.value_;
  next_ = other.next_;
  prev_ = other.prev_;
  if (prev_)
    *prev_ = this;
  if (next_)
    next_->prev_ = &next_;
  other.value_ = nullptr;
  other.next_ = nullptr;
  other.prev_ = nullptr;
}

Use::Use(Use &&other) noexcept : owner_(other.owner_), peeked_(other.peeked_) {
  takeListPlaceOf(other);
}

Use &Use::operator=(Use &&other) noexcept {
  if (this == &other)
    return *this;
  unlink();
  owner_ = other.owner_;
  peeked_ = other.peeked_;
  takeListPlaceOf(other);
  return *this;
}

unsigned Value::numUses() const {
  unsigned n = 0;
  for (Use *u = firstUse_; u; u = u->nextUse())
    ++n;
  return n;
}

void Value::replaceAllUsesWith(Value *other) {
  assert(other != this && "replacing a value with itself");
  while (firstUse_)
    firstUse_->set(other);
}

Block *Value::definingBlock() const {
  if (auto *param = llvm::dyn_cast<BlockParam>(this))
    return param->block();
  return llvm::cast<InstResult>(this)->instruction()->parent();
}

} // namespace bcc
