//===- passes/Stress.cpp - stress: the same program in other shapes -------===//
//
// What it does: perturbs the IR of every function without changing what
// the program does, so that lowering meets shapes CPython's compiler never
// lays out (docs/lowering.md, "Robustness"). Each of `rounds` rounds, in
// this order, each step taken at random where it is safe:
//  * splits blocks before a random instruction (splitBlockBefore): blocks
//    that only jump, empty fall-throughs, values live across the split
//    passed as parameters;
//  * reshapes the parameters of a block whose every predecessor ends in a
//    `br`: permutes those above the handler's slots, adds one fed a
//    constant that the block never uses, or duplicates one so that some
//    of its users take the copy;
//  * moves an instruction without operands and effects (const, push_null,
//    load_fast, load_closure) from a block into its only predecessor,
//    which falls through to it, passing the value as a new parameter;
//  * moves effect-free instructions (those, LOAD_ASSERTION_ERROR and the
//    tuple, list and slice builders) within their block, anywhere after
//    their operands and before their first use;
//  * forgets the original offset of a few instructions, as if a pass had
//    made them.
// The choices come from a small PRNG seeded with `seed` and the function's
// file, qualified name, first line and index, so a function is perturbed
// the same way whether its file is done alone or in a tree.
//
// What it assumes: nothing. Kind "test": it exists to prove the backend
// robust, and its output is larger and slower than its input.
//
// What it refuses, because it would change what the program does or what
// a tracer sees:
//  * moving anything that may raise or run code; moving a load of a local
//    across anything but constants, NULLs, builders and other loads (a
//    store; a call or a drop whose code writes the local through
//    frame.f_locals, which 3.13 writes through);
//  * moving an instruction out of the run of instructions on its line
//    (line events stay the same); moving anything across RESUME,
//    RETURN_GENERATOR, MAKE_CELL or COPY_FREE_VARS;
//  * in a block with a handler, moving anything across an instruction that
//    reads the stack slots the handler keeps, or splitting the block after
//    one that pops them: PUSH_EXC_INFO replaces the exception there by the
//    previous one, which the handler then receives, while the IR's handler
//    argument still names the exception;
//  * parameters that no instruction uses fed by anything but a constant
//    (popping a value may run its __del__ at another time, and a NULL
//    cannot be popped at all), and duplicated parameters that may be NULL
//    or are only peeked at;
//  * forgetting the offset of a terminator (a `br` with an offset is a real
//    jump, with a line of its own).
//
//===----------------------------------------------------------------------===//

#include "ir/MaybeNull.h"
#include "passes/IRUtils.h"
#include "passes/BuiltinPasses.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>

namespace bcc {

namespace {

// How often each perturbation is tried, in percent.
constexpr unsigned kSplitChance = 30;      // per block
constexpr unsigned kReshapeChance = 40;    // per block with br predecessors
constexpr unsigned kHoistChance = 50;      // per block with one predecessor
constexpr unsigned kReorderChance = 50;    // per movable instruction
constexpr unsigned kForgetOffsetChance = 5; // per instruction

/// splitmix64: small, fast, and the same on every platform.
class Random {
public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  /// A number in [0, n); 0 when n is 0.
  unsigned below(size_t n) { return n ? unsigned(next() % n) : 0; }
  bool chance(unsigned percent) { return below(100) < percent; }

private:
  uint64_t state_;
};

/// The seed of one function: `seed` mixed with what names the function
/// (FNV-1a), so that no function's choices depend on another's.
uint64_t functionSeed(uint64_t seed, const Function &f) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&](llvm::StringRef text) {
    for (char c : text) {
      h ^= uint8_t(c);
      h *= 0x100000001b3ULL;
    }
    h ^= 0xff; // a separator, so that "ab"+"c" differs from "a"+"bc"
    h *= 0x100000001b3ULL;
  };
  mix(f.fileName.utf8);
  mix(f.qualName.utf8);
  mix(std::to_string(f.firstLineNo));
  mix(std::to_string(f.index()));
  return h ^ (seed * 0x9e3779b97f4a7c15ULL);
}

/// What may move, and across what.
enum class Mobility {
  Fixed,
  /// Reads nothing: const, push_null, LOAD_ASSERTION_ERROR.
  Value,
  /// Reads a fast local: load_fast, load_closure.
  Local,
  /// Builds a new object from its operands, decrefs nothing that can die:
  /// BUILD_TUPLE, BUILD_LIST, BUILD_SLICE, LIST_TO_TUPLE.
  Builder,
};

class Stress final : public FunctionPass {
public:
  Stress(uint64_t seed, unsigned rounds) : seed_(seed), rounds_(rounds) {}
  llvm::StringRef name() const override { return "stress"; }
  bool runOnFunction(Function &f, PassContext &context) override;

private:
  uint64_t seed_;
  unsigned rounds_;
};

/// One function's perturbation.
class FunctionStress {
public:
  FunctionStress(Function &f, PassContext &context, uint64_t seed)
      : f_(f), context_(context), random_(seed),
        ops_(pyOps(f.version())),
        table_(*OpcodeTable::forVersion(f.version())) {}

  void round() {
    splitBlocks();
    reshapeParameters();
    hoistIntoPredecessors();
    reorderInstructions();
    forgetOffsets();
  }
  uint64_t changes = 0;

private:
  Mobility mobility(const Instruction &inst) const;
  bool isBarrier(const Instruction &inst) const;
  bool usesHandlerSlots(const Instruction &inst,
                        const llvm::DenseSet<const Value *> &slots) const;
  llvm::DenseSet<const Value *> handlerSlotValues(const Block &block) const;
  bool canCross(const Instruction &moving, const Instruction &other,
                const llvm::DenseSet<const Value *> &slots) const;
  const Instruction *lastBeforeTerminator(const Block &block) const;
  Block *fallThroughOnOneLine(Block &block,
                              const std::vector<Block *> &from) const;
  llvm::SmallPtrSet<const Block *, 8> forIterLandings() const;
  bool isSuspensionBlock(const Block &block) const;
  /// A pool index of a plain constant (not a code object), or -1.
  int plainConstant() const;

  void splitBlocks();
  void reshapeParameters();
  void hoistIntoPredecessors();
  void reorderInstructions();
  void forgetOffsets();

  /// Gives `block` the parameters `layout`: entry i takes over the old
  /// parameter layout[i], or is a new one (-1) that each jump in `jumps`
  /// feeds with fresh(jump, i). Returns the new parameters.
  llvm::SmallVector<BlockParam *, 8>
  reshape(Block &block, llvm::ArrayRef<int> layout,
          llvm::ArrayRef<Instruction *> jumps,
          llvm::function_ref<Value *(Instruction &, unsigned)> fresh);

  void count(llvm::StringRef counter) {
    context_.count("stress", counter);
    ++changes;
  }

  Function &f_;
  PassContext &context_;
  Random random_;
  const PyOps &ops_;
  const OpcodeTable &table_;
};

Mobility FunctionStress::mobility(const Instruction &inst) const {
  switch (inst.op()) {
  case Op::Const:
  case Op::PushNull:
    return Mobility::Value;
  case Op::LoadFast:
  case Op::LoadClosure:
    return Mobility::Local;
  case Op::Py: {
    int op = inst.pyOpcode();
    if (inst.isTerminator())
      return Mobility::Fixed;
    if (op == ops_.LOAD_ASSERTION_ERROR)
      return Mobility::Value;
    if (op == ops_.BUILD_TUPLE || op == ops_.BUILD_LIST ||
        op == ops_.BUILD_SLICE || op == ops_.LIST_TO_TUPLE)
      return Mobility::Builder;
    return Mobility::Fixed;
  }
  default:
    return Mobility::Fixed;
  }
}

/// Instructions nothing moves across: the frame's prefix, the end of the
/// block, and where an exhausted FOR_ITER lands (3.12+: it skips the
/// END_FOR there, and on 3.13 the POP_TOP after it, without running them,
/// so nothing may come before them).
bool FunctionStress::isBarrier(const Instruction &inst) const {
  if (inst.isTerminator() || inst.is(Op::MakeCell) ||
      inst.is(Op::CopyFreeVars) || isPy(inst, ops_.RESUME) ||
      isPy(inst, ops_.RETURN_GENERATOR) || isPy(inst, ops_.END_FOR) ||
      isPy(inst, ops_.YIELD_VALUE))
    return true;
  auto it = inst.getIterator();
  return it != inst.parent()->begin() && isPy(*std::prev(it), ops_.END_FOR);
}

/// Whether `block` suspends the frame or resumes it (YIELD_VALUE, SEND,
/// RESUME after a yield): while a generator is suspended in `yield from`
/// or `await`, the interpreter finds the iterator it delegates to on top
/// of the frame's stack (gi_yieldfrom, throw() and close() go to it), a
/// slot the IR does not name. Their parameters stay as they are and
/// nothing moves into or out of them.
bool FunctionStress::isSuspensionBlock(const Block &block) const {
  for (const Instruction &inst : block)
    if (isPy(inst, ops_.YIELD_VALUE) || isPy(inst, ops_.SEND) ||
        (isPy(inst, ops_.RESUME) && inst.pyOparg() != 0))
      return true;
  return false;
}

/// The blocks an exhausted FOR_ITER reaches before its END_FOR runs (3.12+):
/// its target, the blocks that only jump on from there, and the block of
/// the END_FOR. Their parameters stay as they are: a move at their exits
/// would come before the END_FOR.
llvm::SmallPtrSet<const Block *, 8> FunctionStress::forIterLandings() const {
  llvm::SmallPtrSet<const Block *, 8> landings;
  for (const Block &b : f_) {
    const Instruction *term = b.terminator();
    if (!term || !isPy(*term, ops_.FOR_ITER) || !f_.version().atLeast(3, 12))
      continue;
    const Block *target = term->successor(0).target();
    while (landings.insert(target).second && target->size() == 1 &&
           target->front().is(Op::Br))
      target = target->front().successor(0).target();
  }
  return landings;
}

/// The values in the stack slots `block`'s handler keeps: its first
/// `depth` parameters, and what an instruction that pops one of them
/// pushes in its place (PUSH_EXC_INFO's previous exception).
llvm::DenseSet<const Value *>
FunctionStress::handlerSlotValues(const Block &block) const {
  llvm::DenseSet<const Value *> slots;
  if (!block.hasHandler())
    return slots;
  for (unsigned i = 0; i < block.handlerDepth() && i < block.numParams(); ++i)
    slots.insert(block.param(i));
  for (const Instruction &inst : block) {
    bool pops = false;
    for (const Use &u : inst.operandUses())
      pops |= !u.isPeeked() && slots.count(u.get());
    if (pops)
      for (const InstResult &r : inst.results())
        slots.insert(&r);
  }
  return slots;
}

bool FunctionStress::usesHandlerSlots(
    const Instruction &inst,
    const llvm::DenseSet<const Value *> &slots) const {
  for (const Use &u : inst.operandUses())
    if (slots.count(u.get()))
      return true;
  return false;
}

/// Whether `moving` may trade places with `other`, its neighbour in the
/// same block (operands and uses aside, which the callers check).
bool FunctionStress::canCross(
    const Instruction &moving, const Instruction &other,
    const llvm::DenseSet<const Value *> &slots) const {
  if (isBarrier(other) || usesHandlerSlots(other, slots))
    return false;
  // Line events stay the same only among instructions of one line.
  if (other.location().line != moving.location().line)
    return false;
  Mobility m = mobility(moving);
  if (m == Mobility::Value)
    return true;
  // Loads of locals and builders: only across what reads no local that
  // could change, raises nothing and runs no code.
  return other.is(Op::Nop) || mobility(other) != Mobility::Fixed;
}

const Instruction *
FunctionStress::lastBeforeTerminator(const Block &block) const {
  if (block.size() < 2)
    return nullptr;
  return &*std::prev(std::prev(block.end()));
}

int FunctionStress::plainConstant() const {
  for (size_t i = 0; i < f_.consts.size(); ++i)
    if (!f_.consts[i].isCode() && f_.consts[i].constant())
      return int(i);
  return -1;
}

llvm::SmallVector<BlockParam *, 8> FunctionStress::reshape(
    Block &block, llvm::ArrayRef<int> layout,
    llvm::ArrayRef<Instruction *> jumps,
    llvm::function_ref<Value *(Instruction &, unsigned)> fresh) {
  unsigned old = block.numParams();
  llvm::SmallVector<BlockParam *, 8> params;
  for (size_t i = 0; i < layout.size(); ++i)
    params.push_back(block.addParam());
  for (Instruction *jump : jumps) {
    Successor &edge = jump->successor(0);
    llvm::SmallVector<Value *, 8> args;
    for (size_t i = 0; i < layout.size(); ++i)
      args.push_back(layout[i] >= 0 ? edge.arg(unsigned(layout[i]))
                                    : fresh(*jump, unsigned(i)));
    edge.setArgs(args);
  }
  for (size_t i = 0; i < layout.size(); ++i)
    if (layout[i] >= 0)
      block.param(unsigned(layout[i]))->replaceAllUsesWith(params[i]);
  for (unsigned i = old; i-- > 0;)
    block.eraseParam(i);
  return params;
}

void FunctionStress::splitBlocks() {
  std::vector<Block *> blocks;
  for (Block &b : f_)
    blocks.push_back(&b);
  for (Block *block : blocks) {
    if (!random_.chance(kSplitChance))
      continue;
    // Where the split may go: not after an instruction that popped one of
    // the handler's slots (the new block's handler arguments would name
    // the popped value, not what replaced it), and not where a value lies
    // on the stack that nothing after the split uses (below a scope exit):
    // the jump would have to pop it, earlier than the frame's end did, and
    // a NULL cannot be popped at all.
    llvm::DenseSet<const Value *> slots;
    if (block->hasHandler())
      for (unsigned i = 0; i < block->handlerDepth(); ++i)
        slots.insert(block->param(i));
    // Per value on the stack: the uses still to come, from `at` on.
    llvm::DenseMap<const Value *, unsigned> ahead;
    for (BlockParam *p : block->params())
      ahead[p] = 0;
    for (const Use &u : block->handlerArgUses())
      ++ahead[u.get()];
    for (Instruction &inst : *block) {
      for (const Use &u : inst.operandUses())
        ++ahead[u.get()];
      for (const Successor &s : inst.successors())
        for (const Use &u : s.argUses())
          ++ahead[u.get()];
      for (const InstResult &r : inst.results())
        ahead.try_emplace(&r, 0);
    }
    std::vector<Instruction *> points;
    llvm::DenseSet<const Value *> onStack(block->params().begin(),
                                          block->params().end());
    for (Instruction &inst : *block) {
      bool deadBelow = false;
      for (const Value *v : onStack)
        deadBelow |= ahead[v] == 0;
      // 3.13's POP_TOP after END_FOR stays with it (isBarrier).
      bool afterEndFor = &inst != &block->front() &&
                         isPy(*std::prev(inst.getIterator()), ops_.END_FOR);
      if (!deadBelow && !afterEndFor)
        points.push_back(&inst);
      bool pops = false;
      for (const Use &u : inst.operandUses()) {
        pops |= !u.isPeeked() && slots.count(u.get());
        --ahead[u.get()];
        if (!u.isPeeked())
          onStack.erase(u.get());
      }
      for (const InstResult &r : inst.results())
        onStack.insert(&r);
      if (pops)
        break;
    }
    if (points.empty())
      continue;
    Instruction *at = points[random_.below(points.size())];
    splitBlockBefore(*at);
    count("blocks split");
  }
}

/// Whether every use of `v` is a popped operand of an instruction in
/// [from, to) of its block: it is gone before tracing sees another line
/// (a debugger's `frame.f_lineno = N` compares the stacks at the starts of
/// lines, which must stay as they were).
static bool consumedWithin(const Value *v, Block::iterator from,
                           Block::iterator to) {
  llvm::SmallPtrSet<const Instruction *, 8> run;
  for (auto it = from; it != to; ++it)
    run.insert(&*it);
  for (const Use &u : v->uses())
    if (!u.user() || u.isPeeked() || !run.count(u.user()))
      return false;
  return true;
}

/// The end of the run of instructions on `start`'s line that begins at
/// `start`: the first one on another line, or the terminator.
static Block::iterator lineRunEnd(Block::iterator start, Block::iterator end) {
  int32_t line = start->location().line;
  auto it = start;
  while (it != end && !it->isTerminator() && it->location().line == line)
    ++it;
  return it;
}

/// A block whose only way in is a fall-through from the block before it,
/// on the same line: its entry is no line start, so values may be
/// rearranged there as long as they are gone before the line ends.
/// Returns that predecessor, or null.
Block *FunctionStress::fallThroughOnOneLine(
    Block &block, const std::vector<Block *> &from) const {
  if (&block == f_.entry() || from.size() != 1 || block.front().isTerminator())
    return nullptr;
  Block *pred = from.front();
  Instruction *jump = pred->terminator();
  const Instruction *last = lastBeforeTerminator(*pred);
  if (pred == &block || !jump->is(Op::Br) || jump->hasOffset() || !last ||
      std::next(pred->getIterator()) != block.getIterator() ||
      last->location().line != block.front().location().line ||
      isSuspensionBlock(block) || isSuspensionBlock(*pred))
    return nullptr;
  return pred;
}

void FunctionStress::reshapeParameters() {
  f_.renumber();
  std::vector<std::vector<Block *>> preds = predecessors(f_);
  llvm::SmallPtrSet<const Block *, 8> handlers;
  for (const Block &b : f_)
    if (b.hasHandler())
      handlers.insert(b.handler());
  // The values that may be NULL, as lowering finds them (numbered above;
  // values made below are parameters fed by non-NULL constants).
  std::vector<bool> nulls(f_.renumber(), false);
  collectMaybeNull(f_, table_, nulls);
  llvm::SmallPtrSet<const Block *, 8> landings = forIterLandings();
  int constant = plainConstant();
  std::vector<Block *> blocks;
  for (Block &b : f_)
    blocks.push_back(&b);
  for (Block *block : blocks) {
    Block *pred = fallThroughOnOneLine(*block, preds[block->number()]);
    if (!pred || handlers.count(block) || landings.count(block) ||
        !random_.chance(kReshapeChance))
      continue;
    Instruction *jump = pred->terminator();
    auto run = block->begin();
    auto runEnd = lineRunEnd(run, block->end());
    unsigned depth = block->hasHandler() ? block->handlerDepth() : 0;
    unsigned n = block->numParams();
    llvm::SmallVector<int, 8> layout;
    for (unsigned i = 0; i < n; ++i)
      layout.push_back(int(i));
    // The parameters gone before the block's first line ends.
    llvm::SmallVector<unsigned, 8> local;
    for (unsigned i = depth; i < n; ++i)
      if (consumedWithin(block->param(i), run, runEnd))
        local.push_back(i);
    switch (random_.below(3)) {
    case 0: { // permute them
      if (local.size() < 2)
        break;
      llvm::SmallVector<unsigned, 8> order(local.begin(), local.end());
      for (size_t i = order.size() - 1; i > 0; --i)
        std::swap(order[i], order[random_.below(i + 1)]);
      for (size_t i = 0; i < local.size(); ++i)
        layout[local[i]] = int(order[i]);
      reshape(*block, layout, {jump}, nullptr);
      count("parameters permuted");
      break;
    }
    case 1: { // a parameter fed a constant, dropped right away
      if (constant < 0)
        break;
      unsigned at = depth + random_.below(n - depth + 1);
      layout.insert(layout.begin() + at, -1);
      SourceLocation where = block->front().location();
      llvm::SmallVector<BlockParam *, 8> params =
          reshape(*block, layout, {jump}, [&](Instruction &, unsigned) {
            // On the line of what runs right after it: no line of its own.
            IRBuilder b(f_);
            b.setInsertPoint(jump);
            b.setOrigin(where);
            return b.constant(unsigned(constant));
          });
      IRBuilder b(f_);
      b.setInsertPoint(&block->front());
      b.setOrigin(where);
      b.drop(params[at]);
      count("parameters added and dropped");
      break;
    }
    case 2: { // a copy of a parameter that some of its users take
      llvm::SmallVector<unsigned, 8> candidates;
      for (unsigned i : local) {
        BlockParam *p = block->param(i);
        llvm::SmallPtrSet<const Instruction *, 4> users;
        for (const Use &u : p->uses())
          users.insert(u.user());
        if (p->number() < nulls.size() && !nulls[p->number()] &&
            users.size() >= 2)
          candidates.push_back(i);
      }
      if (candidates.empty())
        break;
      unsigned original = candidates[random_.below(candidates.size())];
      unsigned at = depth + random_.below(n - depth + 1);
      layout.insert(layout.begin() + at, -1);
      llvm::SmallVector<BlockParam *, 8> params = reshape(
          *block, layout, {jump}, [&](Instruction &edge, unsigned) {
            return edge.successor(0).arg(original);
          });
      BlockParam *kept = params[at <= original ? original + 1 : original];
      BlockParam *copy = params[at];
      // Users in block order; a proper, non-empty subset takes the copy.
      std::vector<Instruction *> users;
      for (Instruction &inst : *block) {
        bool uses = false;
        for (const Use &u : inst.operandUses())
          uses |= u.get() == kept;
        if (uses)
          users.push_back(&inst);
      }
      unsigned taking = 1 + random_.below(users.size() - 1);
      for (unsigned k = 0; k < taking; ++k)
        std::swap(users[k], users[k + random_.below(users.size() - k)]);
      for (unsigned k = 0; k < taking; ++k)
        for (Use &u : users[k]->operandUses())
          if (u.get() == kept)
            u.set(copy);
      count("parameters duplicated");
      break;
    }
    }
  }
}

void FunctionStress::hoistIntoPredecessors() {
  f_.renumber();
  std::vector<std::vector<Block *>> preds = predecessors(f_);
  llvm::SmallPtrSet<const Block *, 8> handlers;
  for (const Block &b : f_)
    if (b.hasHandler())
      handlers.insert(b.handler());
  std::vector<Block *> blocks;
  for (Block &b : f_)
    blocks.push_back(&b);
  for (Block *block : blocks) {
    // A fall-through on one line, so that the hoisted value runs right
    // before what it ran right after, on the same line.
    Block *pred = fallThroughOnOneLine(*block, preds[block->number()]);
    if (!pred || handlers.count(block) || !random_.chance(kHoistChance))
      continue;
    Instruction *jump = pred->terminator();
    llvm::DenseSet<const Value *> slots = handlerSlotValues(*block);
    auto runEnd = lineRunEnd(block->begin(), block->end());
    std::vector<Instruction *> candidates;
    for (auto it = block->begin(); it != runEnd; ++it) {
      Instruction &inst = *it;
      Mobility m = mobility(inst);
      if ((m != Mobility::Value && m != Mobility::Local) ||
          inst.numOperands() ||
          !consumedWithin(inst.result(), std::next(it), runEnd))
        continue;
      bool clear = true;
      for (auto before = block->begin(); clear && before != it; ++before)
        clear = canCross(inst, *before, slots);
      if (clear)
        candidates.push_back(&inst);
    }
    if (candidates.empty())
      continue;
    Instruction *moving = candidates[random_.below(candidates.size())];
    unsigned depth = block->hasHandler() ? block->handlerDepth() : 0;
    unsigned n = block->numParams();
    llvm::SmallVector<int, 8> layout;
    for (unsigned i = 0; i < n; ++i)
      layout.push_back(int(i));
    unsigned at = depth + random_.below(n - depth + 1);
    layout.insert(layout.begin() + at, -1);
    moving->moveBefore(jump);
    Value *value = moving->result();
    llvm::SmallVector<BlockParam *, 8> params =
        reshape(*block, layout, {jump},
                [&](Instruction &, unsigned) { return value; });
    value->replaceAllUsesWith(params[at]);
    jump->successor(0).setArg(at, value);
    count("values moved to a predecessor");
  }
}

void FunctionStress::reorderInstructions() {
  for (Block &block : f_) {
    llvm::DenseSet<const Value *> slots = handlerSlotValues(block);
    std::vector<Instruction *> insts;
    for (Instruction &inst : block)
      insts.push_back(&inst);
    for (Instruction *moving : insts) {
      if (mobility(*moving) == Mobility::Fixed ||
          usesHandlerSlots(*moving, slots) ||
          !random_.chance(kReorderChance))
        continue;
      // Its results are gone before its line ends (consumedWithin).
      auto runEnd = lineRunEnd(moving->getIterator(), block.end());
      bool local = true;
      for (const InstResult &r : moving->results())
        local = local &&
                consumedWithin(&r, std::next(moving->getIterator()), runEnd);
      if (!local)
        continue;
      auto definesOperand = [&](const Instruction &other) {
        for (const Use &u : moving->operandUses())
          if (const auto *r = llvm::dyn_cast<InstResult>(u.get()))
            if (r->instruction() == &other)
              return true;
        return false;
      };
      auto usesResult = [&](const Instruction &other) {
        for (const Use &u : other.operandUses())
          if (const auto *r = llvm::dyn_cast<InstResult>(u.get()))
            if (r->instruction() == moving)
              return true;
        return false;
      };
      // The instructions `moving` may be put right before.
      std::vector<Instruction *> before;
      for (auto it = moving->getIterator(); it != block.begin();) {
        Instruction &other = *--it;
        if (!canCross(*moving, other, slots) || definesOperand(other))
          break;
        before.push_back(&other);
      }
      for (auto it = std::next(moving->getIterator()); it != block.end();
           ++it) {
        if (!canCross(*moving, *it, slots) || usesResult(*it))
          break;
        before.push_back(&*std::next(it)); // a terminator ends the block
      }
      if (before.empty())
        continue;
      moving->moveBefore(before[random_.below(before.size())]);
      count("instructions reordered");
    }
  }
}

void FunctionStress::forgetOffsets() {
  for (Block &block : f_)
    for (Instruction &inst : block)
      if (!inst.isTerminator() && inst.hasOffset() &&
          random_.chance(kForgetOffsetChance)) {
        inst.setOffset(Instruction::kNoOffset);
        count("offsets forgotten");
      }
}

bool Stress::runOnFunction(Function &f, PassContext &context) {
  FunctionStress stress(f, context, functionSeed(seed_, f));
  for (unsigned i = 0; i < rounds_; ++i)
    stress.round();
  return stress.changes > 0;
}

} // namespace

Expected<std::unique_ptr<Pass>>
createStressPass(const PassParameters &parameters) {
  if (Status s = parameters.allowOnly("stress", {"seed", "rounds"}); !s)
    return s.error();
  Expected<uint64_t> seed = parameters.getUnsigned("stress", "seed", 1);
  if (!seed)
    return seed.error();
  Expected<uint64_t> rounds = parameters.getUnsigned("stress", "rounds", 2);
  if (!rounds)
    return rounds.error();
  return std::unique_ptr<Pass>(new Stress(*seed, unsigned(*rounds)));
}

} // namespace bcc
