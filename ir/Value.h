//===- ir/Value.h - SSA values and their uses -----------------------------===//
//
// A Value is something an instruction can use: a block parameter (a stack
// slot live on entry to a block) or a result of an instruction (a value the
// instruction pushes). Each Value keeps the list of its Uses, intrusive and
// doubly linked, so replacing a value or asking for its users costs nothing
// extra.
//
// A Use is one operand slot. It belongs to an instruction (a value operand
// or an argument on one of its successor edges) or to a block (an argument
// of the block's exception-handler edge). Uses live in the arrays of their
// owner and may move when those arrays grow; moving a Use relinks it.
//
// isa<>/cast<>/dyn_cast<> work on the kind field (llvm/Support/Casting.h).
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_VALUE_H
#define BCC_IR_VALUE_H

#include <cassert>
#include <cstdint>
#include <iterator>

#include "llvm/ADT/PointerUnion.h"
#include "llvm/ADT/iterator_range.h"
#include "llvm/Support/Casting.h"

namespace bcc {

class Block;
class Instruction;
class Value;

/// Who holds a Use: an instruction, or a block for its handler-edge
/// arguments.
using UseOwner = llvm::PointerUnion<Instruction *, Block *>;

class Use {
public:
  Use(Value *value, UseOwner owner, bool peeked = false)
      : owner_(owner), peeked_(peeked) {
    set(value);
  }
  Use(Use &&other) noexcept;
  Use &operator=(Use &&other) noexcept;
  Use(const Use &) = delete;
  Use &operator=(const Use &) = delete;
  ~Use() { unlink(); }

  Value *get() const { return value_; }
  /// Points the use at `value` (which may be null), moving it between use
  /// lists.
  void set(Value *value);

  UseOwner owner() const { return owner_; }
  /// The instruction that holds this use, or null for a handler argument.
  Instruction *user() const { return owner_.dyn_cast<Instruction *>(); }
  /// The block whose handler edge holds this use, or null.
  Block *handlerBlock() const { return owner_.dyn_cast<Block *>(); }

  /// For `py` operands: the instruction reads the value but leaves it on
  /// the stack (LIST_APPEND's list, FOR_ITER's iterator).
  bool isPeeked() const { return peeked_; }
  void setPeeked(bool peeked) { peeked_ = peeked; }

  /// The next use of the same value, in no particular order.
  Use *nextUse() const { return next_; }

  /// Takes this use out of its value's use list while it keeps pointing at
  /// the value: a broken state that only exists so that tests can check
  /// that the verifier notices it.
  void unlinkFromValueForTesting() { removeFromList(); }

private:
  void addToList();
  void removeFromList();
  void unlink() {
    removeFromList();
    value_ = nullptr;
  }
  void takeListPlaceOf(Use &other);
  /// Lets go of the value without touching its use list (function
  /// teardown, where every list goes at once).
  void forget() {
    value_ = nullptr;
    next_ = nullptr;
    prev_ = nullptr;
  }
  friend class Function;

  Value *value_ = nullptr;
  Use *next_ = nullptr;
  Use **prev_ = nullptr; ///< the pointer that points at this use
  UseOwner owner_;
  bool peeked_ = false;
};

class Value {
public:
  enum class Kind : uint8_t { BlockParam, InstResult };

  Kind kind() const { return kind_; }

  class use_iterator {
  public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Use;
    using difference_type = std::ptrdiff_t;
    using pointer = Use *;
    using reference = Use &;

    explicit use_iterator(Use *use = nullptr) : use_(use) {}
    Use &operator*() const { return *use_; }
    Use *operator->() const { return use_; }
    use_iterator &operator++() {
      use_ = use_->nextUse();
      return *this;
    }
    use_iterator operator++(int) {
      use_iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const use_iterator &o) const { return use_ == o.use_; }
    bool operator!=(const use_iterator &o) const { return use_ != o.use_; }

  private:
    Use *use_;
  };

  /// Every use of this value, in no particular order. Do not print in this
  /// order: it depends on the order uses were made.
  llvm::iterator_range<use_iterator> uses() const {
    return {use_iterator(firstUse_), use_iterator()};
  }
  bool hasUses() const { return firstUse_ != nullptr; }
  bool hasOneUse() const { return firstUse_ && !firstUse_->nextUse(); }
  unsigned numUses() const;

  /// Points every use of this value at `other`.
  void replaceAllUsesWith(Value *other);

  /// The block whose entry (a parameter) or body (a result) defines it;
  /// null for a parameter of a detached block.
  Block *definingBlock() const;

  /// Its number from the last Function::renumber() of its function:
  /// an index for analyses that keep per-value facts in arrays. Stale once
  /// values are added or removed; 0 before the first numbering.
  unsigned number() const { return number_; }

  Value(const Value &) = delete;
  Value &operator=(const Value &) = delete;

protected:
  explicit Value(Kind kind) : kind_(kind) {}
  ~Value() { assert(!firstUse_ && "destroying a value that is still used"); }

private:
  friend class Use;
  friend class Function; // teardown empties every use list at once
  Kind kind_;
  /// A cache that Function::renumber() sets on const functions: it does
  /// not change what the function means. It fills the padding after kind_.
  mutable uint32_t number_ = 0;
  Use *firstUse_ = nullptr;
};

/// A stack slot live on entry to a block. For a handler block the
/// parameters are the unwound stack, then lasti if pushed, then the
/// exception.
class BlockParam final : public Value {
public:
  BlockParam(Block *block, unsigned index)
      : Value(Kind::BlockParam), block_(block), index_(index) {}

  Block *block() const { return block_; }
  unsigned index() const { return index_; }

  static bool classof(const Value *v) { return v->kind() == Kind::BlockParam; }

private:
  friend class Block;
  Block *block_;
  unsigned index_;
};

/// One value an instruction defines (one pushed stack slot).
class InstResult final : public Value {
public:
  InstResult(Instruction *inst, unsigned index)
      : Value(Kind::InstResult), inst_(inst), index_(index) {}

  Instruction *instruction() const { return inst_; }
  unsigned index() const { return index_; }

  static bool classof(const Value *v) { return v->kind() == Kind::InstResult; }

private:
  Instruction *inst_;
  unsigned index_;
};

} // namespace bcc

#endif // BCC_IR_VALUE_H
