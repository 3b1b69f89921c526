//===- backend/StackScheduler.cpp - SSA values back onto the stack --------===//

#include "backend/StackScheduler.h"

#include <algorithm>

namespace bcc {

void StackScheduler::apply(const StackMove &move) {
  switch (move.kind) {
  case StackMove::Swap:
    std::swap(stack.back(), stack[stack.size() - move.arg]);
    break;
  case StackMove::Copy:
    stack.push_back(stack[stack.size() - move.arg]);
    break;
  case StackMove::Pop:
    stack.pop_back();
    break;
  }
}

bool StackScheduler::satisfies(const std::vector<const Value *> &s,
                               const StackGoal &goal,
                               unsigned *deadSlots) const {
  size_t m = goal.popped.size();
  if (s.size() < m)
    return false;
  size_t below = s.size() - m;
  for (size_t i = 0; i < m; ++i)
    if (s[below + i] != goal.popped[i])
      return false;
  for (const auto &[value, depth] : goal.peeked) {
    if (depth) {
      if (depth > below || s[below - depth] != value)
        return false;
    } else if (std::find(s.begin(), s.begin() + below, value) ==
               s.begin() + below) {
      return false;
    }
  }
  // Every value still needed keeps enough slots below the popped ones.
  llvm::SmallVector<std::pair<const Value *, unsigned>, 16> slots;
  for (size_t i = 0; i < below; ++i) {
    auto it = std::find_if(slots.begin(), slots.end(),
                           [&](const auto &p) { return p.first == s[i]; });
    if (it == slots.end())
      slots.push_back({s[i], 1});
    else
      ++it->second;
  }
  unsigned dead = 0;
  for (const auto &[value, count] : slots) {
    // One slot keeps a value available (later uses can COPY it again, as
    // CPython does one COPY per use); slots beyond its uses are dead.
    unsigned need = demandOf(value);
    if (count > need)
      dead += count - need;
  }
  // Values on the stack before the moves that are still needed must not
  // have been lost (values not defined yet are not on it).
  for (const Value *value : stack)
    if (std::find_if(slots.begin(), slots.end(), [&](const auto &p) {
          return p.first == value;
        }) == slots.end() &&
        demandOf(value))
      return false;
  if (deadSlots)
    *deadSlots = dead;
  return true;
}

bool StackScheduler::satisfied(const StackGoal &goal) const {
  size_t m = goal.popped.size();
  if (stack.size() < m)
    return false;
  size_t below = stack.size() - m;
  for (size_t i = 0; i < m; ++i)
    if (stack[below + i] != goal.popped[i])
      return false;
  for (const auto &[value, depth] : goal.peeked) {
    if (depth) {
      if (depth > below || stack[below - depth] != value)
        return false;
    } else if (std::find(stack.begin(), stack.begin() + below, value) ==
               stack.begin() + below) {
      return false;
    }
  }
  for (const Value *v : goal.popped)
    if (demandOf(v) &&
        std::find(stack.begin(), stack.begin() + below, v) ==
            stack.begin() + below)
      return false;
  return true;
}

namespace {
/// The needed values below `end`, in order, with repeats of a value next to
/// each other merged: what the moves must not reorder.
void neededOrder(const std::vector<const Value *> &s, size_t end,
                 const StackScheduler &sched,
                 llvm::SmallVectorImpl<const Value *> &out) {
  out.clear();
  for (size_t i = 0; i < end; ++i)
    if (sched.demandOf(s[i]) && (out.empty() || out.back() != s[i]))
      out.push_back(s[i]);
}
} // namespace

namespace {
/// The depth-first enumeration behind StackScheduler::search: every
/// sequence of `left` moves within the top `reach` slots of `work`, in
/// preference order (SWAP before COPY before POP_TOP, smaller arguments
/// first), remembering the first accepted one with the fewest dead slots.
/// `top`, when not null, is the value every accepted stack has on top: a
/// last move that leaves anything else there is not tried.
template <typename Accept> struct MoveSearch {
  Accept &accept;
  const StackScheduler &sched;
  const Value *top;
  std::vector<const Value *> work;
  size_t floor;
  /// The slots below this one are the handler's: never swapped or popped.
  size_t kept;
  llvm::SmallVector<StackMove, StackScheduler::kMaxMoves> path, best;
  unsigned bestDead = ~0u;

  void run(unsigned left) {
    if (left == 0) {
      unsigned dead = 0;
      if (accept(work, dead) && dead < bestDead) {
        bestDead = dead;
        best = path;
      }
      return;
    }
    size_t size = work.size();
    size_t span = size - floor;
    bool last = left == 1 && top;
    for (uint32_t i = 2; i <= span && size - i >= kept; ++i) {
      if (last && work[size - i] != top)
        continue;
      std::swap(work.back(), work[size - i]);
      path.push_back({StackMove::Swap, i});
      run(left - 1);
      path.pop_back();
      std::swap(work.back(), work[size - i]);
    }
    for (uint32_t i = 1;
         i <= span && size < floor + StackScheduler::kWindow + 2; ++i) {
      // Never COPY a value that may be NULL, nor one nothing needs any
      // more (that only leaves a dead slot behind).
      if ((last && work[size - i] != top) || sched.mayBeNull(work[size - i]) ||
          (!sched.demandOf(work[size - i]) && !sched.deadCopiesAllowed))
        continue;
      work.push_back(work[size - i]);
      path.push_back({StackMove::Copy, i});
      run(left - 1);
      path.pop_back();
      work.pop_back();
    }
    if (span >= 1 && size > kept &&
        !(last && (size < 2 || work[size - 2] != top)) &&
        !sched.mayBeNull(work.back())) {
      const Value *top = work.back();
      work.pop_back();
      path.push_back({StackMove::Pop, 0});
      run(left - 1);
      path.pop_back();
      work.push_back(top);
    }
  }
};
} // namespace

template <typename Accept>
bool StackScheduler::search(Accept accept, const Value *top, unsigned reach,
                            llvm::SmallVectorImpl<StackMove> &moves,
                            unsigned maxMoves) {
  // Iterative deepening over the moves that stay within the top `reach`
  // slots; among the solutions of the smallest length, the first with the
  // fewest dead slots wins (enumeration order is the preference order).
  MoveSearch<Accept> walk{accept,
                          *this,
                          top,
                          stack,
                          stack.size() > reach ? stack.size() - reach : 0,
                          std::min<size_t>(handlerFloor, stack.size()),
                          {},
                          {}};
  for (unsigned n = 0; n <= maxMoves; ++n) {
    walk.run(n);
    if (walk.bestDead != ~0u) {
      moves.append(walk.best.begin(), walk.best.end());
      for (const StackMove &m : walk.best)
        apply(m);
      lastDead_ = walk.bestDead;
      return true;
    }
  }
  return false;
}

bool StackScheduler::arrange(const StackGoal &goal,
                             llvm::SmallVectorImpl<StackMove> &moves,
                             llvm::ArrayRef<const Value *> preferred) {
  if (satisfies(stack, goal, nullptr))
    return true;
  if (goal.discards && goal.popped.size() == 1 && goal.peeked.empty() &&
      !demandOf(goal.popped.front()) && !mayBeNull(goal.popped.front())) {
    auto it = std::find(stack.rbegin(), stack.rend(), goal.popped.front());
    // Its slot, counted from the bottom, must not be the handler's.
    if (it != stack.rend() && size_t(stack.rend() - it) > handlerFloor) {
      StackMove swap{StackMove::Swap, uint32_t(it - stack.rbegin() + 1)};
      apply(swap);
      moves.push_back(swap);
      return true;
    }
  }
  llvm::SmallVector<const Value *, 16> order, got;
  neededOrder(stack, stack.size(), *this, order);
  size_t m = goal.popped.size();
  auto accept = [&](const std::vector<const Value *> &s, unsigned &dead) {
    if (!satisfies(s, goal, &dead))
      return false;
    neededOrder(s, s.size() - m, *this, got);
    return llvm::ArrayRef<const Value *>(got) ==
           llvm::ArrayRef<const Value *>(order);
  };
  // First keep the needed values below in their order. Where maybe-NULL
  // values are about, a reordering that leaves nothing dead wins when the
  // order cannot be kept (a maybe-NULL value may only be swapped), when it
  // is shorter, or when keeping the order costs a dead slot: CPython's
  // single SWAP 3 that restores an inlined comprehension's saved locals.
  const Value *top = m ? goal.popped.back() : nullptr;
  std::vector<const Value *> saved = stack;
  llvm::SmallVector<StackMove, kMaxMoves> ordered;
  bool haveOrdered = false;
  if (!preferred.empty() && preferred != llvm::ArrayRef<const Value *>(order)) {
    llvm::SmallVector<const Value *, 16> current = order;
    order.assign(preferred.begin(), preferred.end());
    haveOrdered = search(accept, top, kWindow, ordered);
    if (!haveOrdered)
      order = current;
  }
  if (!haveOrdered)
    haveOrdered = search(accept, top, kWindow, ordered);
  unsigned orderedDead = haveOrdered ? lastDead_ : ~0u;
  bool nullsAround = std::any_of(stack.begin(), stack.end(), [&](const Value *v) {
    return mayBeNull(v);
  });
  if (haveOrdered && (!nullsAround || keepOrderBelow || frameEndsAfter ||
                      (orderedDead == 0 && ordered.size() <= 1))) {
    moves.append(ordered.begin(), ordered.end());
    return true;
  }
  std::vector<const Value *> afterOrdered = stack;
  stack = saved;
  auto acceptAny = [&](const std::vector<const Value *> &s, unsigned &dead) {
    return satisfies(s, goal, &dead);
  };
  // Dead slots already there (a handler's unused bottom values) count
  // against both candidates alike. The loose order only wins when it is no
  // longer than the ordered one, so the search need not look further (it
  // tried every sequence of up to kMaxMoves moves in vain below a saved
  // NULL, which stays a dead slot).
  unsigned looseLimit =
      haveOrdered ? static_cast<unsigned>(ordered.size()) : kMaxMoves;
  llvm::SmallVector<StackMove, kMaxMoves> loose;
  bool haveLoose = search(acceptAny, top, kWindow, loose, looseLimit);
  unsigned looseDead = haveLoose ? lastDead_ : ~0u;
  if (haveLoose &&
      (!haveOrdered ||
       (loose.size() < ordered.size() && looseDead <= orderedDead) ||
       (loose.size() <= ordered.size() && looseDead < orderedDead))) {
    moves.append(loose.begin(), loose.end());
    return true;
  }
  stack = haveOrdered ? afterOrdered : saved;
  if (haveOrdered) {
    moves.append(ordered.begin(), ordered.end());
    return true;
  }
  return construct(goal, moves);
}

bool StackScheduler::construct(const StackGoal &goal,
                               llvm::SmallVectorImpl<StackMove> &moves) {
  // The stack after the moves: what is there now, less one slot of each
  // popped value that has a slot to spare (the instruction takes that
  // one; otherwise it takes a copy), then the popped values in order.
  std::vector<const Value *> target = stack;
  for (const Value *v : goal.popped) {
    size_t have = std::count(target.begin(), target.end(), v);
    if (have > demandOf(v)) {
      auto it = std::find(target.rbegin(), target.rend(), v);
      target.erase(std::next(it).base());
    }
  }
  size_t below = target.size();
  auto peeksHold = [&](llvm::ArrayRef<const Value *> s) {
    for (const auto &[value, depth] : goal.peeked)
      if (depth ? depth > s.size() || s[s.size() - depth] != value
                : std::find(s.begin(), s.end(), value) == s.end())
        return false;
    return true;
  };
  if (!peeksHold(llvm::ArrayRef<const Value *>(target).take_front(below))) {
    // A value peeked at a fixed depth is not there: rebuild what lies
    // below the popped values without the slots nothing needs any more
    // (the values a NULL or the handler keeps aside), each peeked value
    // at its depth and the others in their order.
    auto peekedAt = [&](const Value *v) {
      for (const auto &[value, depth] : goal.peeked)
        if (value == v)
          return true;
      return false;
    };
    size_t kept = std::min<size_t>(handlerFloor, below);
    std::vector<const Value *> fixed(target.begin(), target.begin() + kept);
    std::vector<const Value *> movable;
    for (size_t i = kept; i < below; ++i)
      if (demandOf(target[i]) || mayBeNull(target[i]) || peekedAt(target[i]))
        movable.push_back(target[i]);
    size_t n = fixed.size() + movable.size();
    std::vector<const Value *> rebuilt(n, nullptr);
    std::copy(fixed.begin(), fixed.end(), rebuilt.begin());
    for (const auto &[value, depth] : goal.peeked) {
      if (!depth)
        continue;
      if (depth > n)
        return false;
      size_t at = n - depth;
      if (at < kept) {
        if (rebuilt[at] != value)
          return false;
        continue;
      }
      auto it = std::find(movable.rbegin(), movable.rend(), value);
      if (it == movable.rend() || rebuilt[at])
        return false;
      movable.erase(std::next(it).base());
      rebuilt[at] = value;
    }
    size_t next = 0;
    for (const Value *&slot : rebuilt)
      if (!slot)
        slot = movable[next++];
    if (!peeksHold(rebuilt))
      return false;
    below = rebuilt.size();
    target = std::move(rebuilt);
    target.insert(target.end(), goal.popped.begin(), goal.popped.end());
    return constructExactly(target, moves);
  }
  target.insert(target.end(), goal.popped.begin(), goal.popped.end());
  return constructExactly(target, moves);
}

bool StackScheduler::constructExactly(llvm::ArrayRef<const Value *> target,
                                      llvm::SmallVectorImpl<StackMove> &moves) {
  size_t common = 0;
  while (common < stack.size() && common < target.size() &&
         stack[common] == target[common])
    ++common;
  // The handler's slots stay as they are.
  if (common < std::min<size_t>(handlerFloor, stack.size()))
    return false;
  llvm::SmallVector<StackMove, 32> out;
  std::vector<const Value *> saved = stack;
  auto move = [&](StackMove::Kind kind, uint32_t arg) {
    StackMove m{kind, arg};
    apply(m);
    out.push_back(m);
  };
  auto regionCount = [&](const Value *v) {
    return static_cast<size_t>(
        std::count(stack.begin() + common, stack.end(), v));
  };
  auto targetCount = [&](const Value *v) {
    return static_cast<size_t>(
        std::count(target.begin() + common, target.end(), v));
  };
  auto fail = [&] {
    stack = saved;
    return false;
  };
  // 1. Pop the slots above the common part that the target has no use
  // for, bringing each to the top with a SWAP.
  for (size_t i = stack.size(); i-- > common;) {
    if (i >= stack.size())
      continue;
    const Value *v = stack[i];
    if (regionCount(v) <= targetCount(v))
      continue;
    if (mayBeNull(v))
      return fail();
    uint32_t depth = static_cast<uint32_t>(stack.size() - i);
    if (depth > 1)
      move(StackMove::Swap, depth);
    move(StackMove::Pop, 0);
    i = stack.size(); // rescan: the SWAP moved the old top down
  }
  // 2. Copy what is missing, from its nearest slot (which may lie in the
  // common part).
  for (size_t t = common; t < target.size(); ++t) {
    const Value *v = target[t];
    if (regionCount(v) >= targetCount(v))
      continue;
    auto it = std::find(stack.rbegin(), stack.rend(), v);
    if (it == stack.rend() || mayBeNull(v))
      return fail();
    move(StackMove::Copy, static_cast<uint32_t>(it - stack.rbegin() + 1));
  }
  // 3. The part above the common one now holds the target's values; put
  // each slot right from the bottom up, using the top as the buffer.
  if (stack.size() != target.size())
    return fail();
  for (size_t p = common; p + 1 < stack.size(); ++p) {
    if (stack[p] == target[p])
      continue;
    if (stack.back() != target[p]) {
      size_t q = p + 1;
      while (q < stack.size() && stack[q] != target[p])
        ++q;
      if (q + 1 < stack.size())
        move(StackMove::Swap, static_cast<uint32_t>(stack.size() - q));
    }
    move(StackMove::Swap, static_cast<uint32_t>(stack.size() - p));
  }
  if (llvm::ArrayRef<const Value *>(stack) != target)
    return fail();
  moves.append(out.begin(), out.end());
  ++constructed;
  return true;
}

bool StackScheduler::arrangeExactly(llvm::ArrayRef<const Value *> target,
                                    llvm::SmallVectorImpl<StackMove> &moves) {
  if (llvm::ArrayRef<const Value *>(stack) == target)
    return true;
  size_t common = 0;
  while (common < stack.size() && common < target.size() &&
         stack[common] == target[common])
    ++common;
  unsigned reach = static_cast<unsigned>(stack.size() - common);
  if (reach > kWindow)
    return constructExactly(target, moves);
  // COPY may have to fetch a value from below the common part.
  reach = std::min<unsigned>(static_cast<unsigned>(stack.size()),
                             std::max(reach, kWindow / 2));
  auto accept = [&](const std::vector<const Value *> &s, unsigned &dead) {
    dead = 0;
    return llvm::ArrayRef<const Value *>(s) == target;
  };
  return search(accept, target.empty() ? nullptr : target.back(), reach,
                moves) ||
         constructExactly(target, moves);
}

} // namespace bcc
