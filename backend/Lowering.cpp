//===- backend/Lowering.cpp - SSA IR back to CPython code objects ---------===//
//
// One FunctionLowering per function:
//   1. per block, count how many stack slots each value needs (its consuming
//      uses, its exits, its handler edge);
//   2. walk the instructions with the abstract stack: arrange operands
//      (StackScheduler), select opcodes, push results; arrange the block's
//      exit for its successor's parameters; select the jump by direction
//      and by which successor falls through;
//   3. resolve block indices, assemble, and encode the tables.
//
// Selection facts (docs/ir.md section 9, reference section 8): const
// passed as a call's kwnames is KW_NAMES on 3.11/3.12 and never on the
// stack; 3.11 call is PRECALL + CALL; 3.13 call with kwnames is CALL_KW;
// 3.12+ const + return is RETURN_CONST and 3.13 fuses load_fast/store_fast
// pairs: lifted ones when they share an offset, others as CPython's
// compiler would (joined()); 3.11 writes LOAD_FAST for
// load_fast_check; LOAD_GLOBAL and (3.12+) LOAD_ATTR keep the NULL bit in
// the argument's low bit; LIST_APPEND, SET_ADD and MAP_ADD get their
// argument from where the container really is.
//
//===----------------------------------------------------------------------===//

#include "backend/Lowering.h"

#include "backend/Assembler.h"
#include "backend/BorrowedLoads.h"
#include "backend/ExceptionTableBuilder.h"
#include "backend/LocationTableEncoder.h"
#include "backend/MachineCode.h"
#include "backend/StackDepth.h"
#include "backend/StackScheduler.h"
#include "ir/CallProtocol.h"
#include "ir/IR.h"
#include "ir/MaybeNull.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SmallBitVector.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"

#include <algorithm>
#include <array>
#include <memory>

namespace bcc {

namespace {

/// The opcodes lowering writes, looked up once per version (versionFacts).
struct OpcodeSet {
  int LOAD_CONST = -1, RETURN_CONST = -1, RETURN_VALUE = -1, PUSH_NULL = -1,
      POP_TOP = -1, NOP = -1, LOAD_FAST = -1, LOAD_FAST_CHECK = -1,
      LOAD_FAST_AND_CLEAR = -1, STORE_FAST = -1, DELETE_FAST = -1,
      LOAD_DEREF = -1, STORE_DEREF = -1, DELETE_DEREF = -1, LOAD_CLOSURE = -1,
      MAKE_CELL = -1, COPY_FREE_VARS = -1, LOAD_GLOBAL = -1, STORE_GLOBAL = -1,
      DELETE_GLOBAL = -1, LOAD_NAME = -1, STORE_NAME = -1, DELETE_NAME = -1,
      LOAD_ATTR = -1, LOAD_METHOD = -1, STORE_ATTR = -1, DELETE_ATTR = -1,
      KW_NAMES = -1, PRECALL = -1, CALL = -1, CALL_KW = -1, TO_BOOL = -1,
      JUMP_FORWARD = -1, JUMP_BACKWARD = -1, COPY = -1, SWAP = -1,
      LOAD_FAST_LOAD_FAST = -1, STORE_FAST_STORE_FAST = -1,
      STORE_FAST_LOAD_FAST = -1, LIST_APPEND = -1, SET_ADD = -1,
      MAP_ADD = -1, FOR_ITER = -1, END_FOR = -1, LOAD_SMALL_INT = -1,
      LOAD_COMMON_CONSTANT = -1, NOT_TAKEN = -1, POP_ITER = -1, END_SEND = -1,
      SEND = -1, END_ASYNC_FOR = -1, CLEANUP_THROW = -1;
  // [test] for 3.12+; [test] forward and [4 + test] backward for 3.11.
  int popJump[8] = {-1, -1, -1, -1, -1, -1, -1, -1};

  /// Whether `opcode` is one of the conditional jumps above.
  bool isPopJump(int opcode) const {
    return std::find(std::begin(popJump), std::end(popJump), opcode) !=
           std::end(popJump);
  }

  explicit OpcodeSet(const OpcodeTable &t) {
    auto get = [&](const char *name) {
      std::optional<uint8_t> op = t.lookup(name);
      return op ? int(*op) : -1;
    };
#define BCC_OPCODE(N) N = get(#N);
    BCC_OPCODE(LOAD_CONST) BCC_OPCODE(RETURN_CONST) BCC_OPCODE(RETURN_VALUE)
    BCC_OPCODE(PUSH_NULL) BCC_OPCODE(POP_TOP) BCC_OPCODE(NOP)
    BCC_OPCODE(LOAD_FAST) BCC_OPCODE(LOAD_FAST_CHECK)
    BCC_OPCODE(LOAD_FAST_AND_CLEAR) BCC_OPCODE(STORE_FAST)
    BCC_OPCODE(DELETE_FAST) BCC_OPCODE(LOAD_DEREF) BCC_OPCODE(STORE_DEREF)
    BCC_OPCODE(DELETE_DEREF) BCC_OPCODE(LOAD_CLOSURE) BCC_OPCODE(MAKE_CELL)
    BCC_OPCODE(COPY_FREE_VARS) BCC_OPCODE(LOAD_GLOBAL)
    BCC_OPCODE(STORE_GLOBAL) BCC_OPCODE(DELETE_GLOBAL) BCC_OPCODE(LOAD_NAME)
    BCC_OPCODE(STORE_NAME) BCC_OPCODE(DELETE_NAME) BCC_OPCODE(LOAD_ATTR)
    BCC_OPCODE(LOAD_METHOD) BCC_OPCODE(STORE_ATTR) BCC_OPCODE(DELETE_ATTR)
    BCC_OPCODE(KW_NAMES) BCC_OPCODE(PRECALL) BCC_OPCODE(CALL)
    BCC_OPCODE(CALL_KW) BCC_OPCODE(TO_BOOL) BCC_OPCODE(JUMP_FORWARD)
    BCC_OPCODE(JUMP_BACKWARD) BCC_OPCODE(COPY) BCC_OPCODE(SWAP)
    BCC_OPCODE(LOAD_FAST_LOAD_FAST) BCC_OPCODE(STORE_FAST_STORE_FAST)
    BCC_OPCODE(STORE_FAST_LOAD_FAST) BCC_OPCODE(LIST_APPEND)
    BCC_OPCODE(SET_ADD) BCC_OPCODE(MAP_ADD) BCC_OPCODE(FOR_ITER)
    BCC_OPCODE(END_FOR) BCC_OPCODE(LOAD_SMALL_INT)
    BCC_OPCODE(LOAD_COMMON_CONSTANT) BCC_OPCODE(NOT_TAKEN) BCC_OPCODE(POP_ITER)
    BCC_OPCODE(END_SEND) BCC_OPCODE(SEND) BCC_OPCODE(END_ASYNC_FOR)
    BCC_OPCODE(CLEANUP_THROW)
#undef BCC_OPCODE
    static const char *const tests[4] = {"TRUE", "FALSE", "NONE", "NOT_NONE"};
    for (int i = 0; i < 4; ++i) {
      std::string suffix = std::string("_IF_") + tests[i];
      if (t.version().minor == 11) {
        popJump[i] = get(("POP_JUMP_FORWARD" + suffix).c_str());
        popJump[4 + i] = get(("POP_JUMP_BACKWARD" + suffix).c_str());
      } else {
        popJump[i] = get(("POP_JUMP" + suffix).c_str());
      }
    }
  }
};

/// The instruction that defines `v`, or null for a block parameter.
const Instruction *definer(const Value *v) {
  if (const auto *r = llvm::dyn_cast<InstResult>(v))
    return r->instruction();
  return nullptr;
}

BranchTest negate(BranchTest t) {
  switch (t) {
  case BranchTest::IfTrue:
    return BranchTest::IfFalse;
  case BranchTest::IfFalse:
    return BranchTest::IfTrue;
  case BranchTest::IfNone:
    return BranchTest::IfNotNone;
  case BranchTest::IfNotNone:
    return BranchTest::IfNone;
  }
  return t;
}

class FunctionLowering {
public:
  FunctionLowering(const Function &f, const OpcodeTable &table,
                   const OpcodeSet &ops, LoweringReport &report)
      : f_(f), table_(table), ops_(ops), report_(report),
        minor_(f.version().minor) {}

  Status run();
  uint64_t constructedShuffles() const { return sched_.constructed; }
  MachineCode machine;
  /// Where each block that emitted code starts, and its stack depth there
  /// (its parameters): what computeStackDepth counts dead code from.
  std::vector<std::pair<uint32_t, int32_t>> blockEntries;

private:
  struct Pending {
    uint32_t instr;       // machine instruction index
    uint32_t targetBlock; // block index
  };

  Status lowerBlock(const Block &block, unsigned index);
  Status lowerInstruction(const Instruction &inst, unsigned blockIndex,
                          const Block *next);
  Status lowerTerminator(const Instruction &inst, unsigned blockIndex,
                         const Block *next);
  void countDemand(const Block &block);
  bool gapBefore(const Instruction &inst) const;
  uint32_t prefixUnits(const Instruction &inst) const;
  uint32_t ownUnits(const Instruction &inst) const;
  bool gapBetween(const Instruction &prev, const Instruction &inst) const;
  bool offsetTaken(uint32_t from, uint32_t to) const;
  Status arrangeEarly(Block::const_iterator from, Block::const_iterator end);
  void emitMoves(const Instruction &at, Block::const_iterator searchFrom);
  void consumeUses(const Instruction &inst);
  Status arrange(const StackGoal &goal, const Instruction &at);
  Status arrangeExactly(llvm::ArrayRef<const Value *> target,
                        const Instruction &at);
  uint32_t emit(int opcode, uint32_t arg, const Instruction &at);
  void emitJump(int opcode, uint32_t targetBlock, const Instruction &at);
  bool offStack(const Instruction &inst) const {
    return inst.is(Op::Const) && offStackValue_[inst.result()->number()];
  }
  /// Whether `v` is the result of a const that never reaches the stack.
  bool offStackValue(const Value *v) const {
    return offStackValue_[v->number()];
  }
  bool computeOffStack(const Instruction &inst) const;
  /// Whether `inst` is a const that only a 3.11/3.12 call takes as its
  /// keyword names: written as that call's KW_NAMES.
  bool isKwNamesConst(const Instruction &inst) const {
    return minor_ <= 12 && offStack(inst) &&
           inst.result()->uses().begin()->user()->is(Op::Call);
  }
  Status emitKwNames(const Instruction &call);
  /// The value of a const that is an int in 0-255 (LOAD_SMALL_INT's).
  std::optional<uint32_t> smallInt(const Instruction &constInst) const {
    const ConstantRef &k = f_.consts[constInst.immediate()].constant();
    if (!k || !k->is(ConstantKind::Int) || !k->asInt().isSmall ||
        k->asInt().small < 0 || k->asInt().small > 255)
      return std::nullopt;
    return uint32_t(k->asInt().small);
  }
  /// The depths below the popped operands of a py instruction's peeked
  /// ones, shallowest first, from its stack signature (none without one).
  void signaturePeekDepths(const Instruction &inst,
                           llvm::SmallVectorImpl<uint32_t> &out) const {
    if (!inst.is(Op::Py))
      return;
    if (std::optional<StackSignature> sig =
            table_.signature(inst.pyOpcode(), inst.pyOparg(), false)) {
      std::vector<uint32_t> depths = sig->peekedDepths();
      out.assign(depths.begin(), depths.end());
    }
  }
  /// What the moves made for `at` (its operands, or the block's exit
  /// before it) may do. They leave the bottom slots that the block's
  /// handler keeps alone, unless nothing after them can raise: a
  /// terminator that cannot (`br`, `return`) hands the stack to its
  /// successor, whose own handler edge says what its bottom slots are. And
  /// they leave no copied value's slot behind, dead, except where the frame
  /// ends right after (CPython's `COPY 3; POP_EXCEPT; RERAISE 1`): a dead
  /// slot keeps its object alive until it is popped.
  void limitMoves(const Instruction &at) {
    unsigned depth = handlerDepth_;
    if (at.isTerminator() && !at.mayRaise())
      depth = 0;
    sched_.handlerFloor =
        std::min(depth, static_cast<unsigned>(sched_.stack.size()));
    auto next = std::next(Block::const_iterator(at));
    sched_.deadCopiesAllowed = next != at.parent()->end() &&
                               next->isTerminator() &&
                               !next->numSuccessors();
    sched_.frameEndsAfter = minor_ >= 14 && sched_.deadCopiesAllowed;
  }
  Status checkForIterExit(uint32_t instr) const;
  /// 3.14+: the NOT_TAKEN that follows every conditional jump, unless the
  /// block it falls into (`fallsInto`, null for none) starts with its own
  /// `not_taken` (a lifted one, with its own location and handler).
  void emitNotTaken(const Block *fallsInto, const Instruction &branch) {
    if (ops_.NOT_TAKEN < 0)
      return;
    if (fallsInto && !fallsInto->empty() &&
        fallsInto->front().is(Op::NotTaken))
      return;
    emit(ops_.NOT_TAKEN, 0, branch);
  }
  int64_t kwNamesIndex(const Value *names);
  void setDemand(const Value *v);
  Status fail(const Instruction &at, const std::string &what) const {
    return Error("function '" + f_.qualName.utf8 + "': offset " +
                 (at.hasOffset() ? std::to_string(at.offset())
                                 : std::string("none")) +
                 ": " + what);
  }

  const Function &f_;
  const OpcodeTable &table_;
  const OpcodeSet &ops_;
  LoweringReport &report_;
  uint8_t minor_;

  StackScheduler sched_;
  /// Per value (Value::number()): its consuming uses and peeks left in
  /// the current block. touched_ lists the values with a count or demand
  /// set in this block, to clear them for the next one.
  std::vector<unsigned> consuming_, peeks_;
  std::vector<uint32_t> touched_;
  /// Per value: the result of a const that computeOffStack() keeps off the
  /// stack, worked out once per function.
  std::vector<bool> offStackValue_;
  std::vector<const Block *> blocks_;
  std::vector<uint32_t> blockStart_;
  std::vector<Pending> pending_;
  std::vector<uint32_t> handlerBlock_; // per handler: its block index
  int32_t currentHandler_ = MachineInstr::kNone;
  /// The original offsets of the function's instructions, sorted.
  std::vector<uint32_t> offsets_;
  /// Whether the function's instructions are as CPython laid them out:
  /// each (but the jumps) with an offset, in order.
  bool asLaidOut_ = true;
  /// The current block's handler depth (0 without a handler).
  unsigned handlerDepth_ = 0;
  /// The IR instruction the last machine instruction came from, and whether
  /// nothing was emitted in between since (for 3.13 fusion).
  const Instruction *lastSource_ = nullptr;
  llvm::SmallVector<StackMove, 4> moves_;
  std::vector<const Value *> replay_;
  bool deferMoves_ = false;
  unsigned currentBlock_ = 0;
  std::vector<bool> jumpTarget_; // per block: some edge jumps to it
  /// 3.12+ load_fasts of a local that may be unbound (LOAD_FAST_CHECK).
  llvm::DenseSet<const Instruction *> maybeUnbound_;
  uint32_t expectedOffset_ = Instruction::kNoOffset;
  std::vector<uint32_t> deferredLocations_;
  llvm::SmallVector<const Value *, 8> popped_;
  llvm::SmallVector<std::pair<const Value *, uint32_t>, 2> peeked_;
  /// Per block: the edges into it, and whether it is a handler; made when
  /// kwNamesIndex() first needs them.
  std::vector<std::vector<const Successor *>> incoming_;
  std::vector<bool> isHandler_;
};

/// Whether `second`, which comes right after `first` in their block, is
/// written together with it as one CPython instruction (3.12+ RETURN_CONST,
/// the 3.13 superinstructions), the opcodes and arguments allowing. When
/// both have an offset (lifted IR), only if they share it: they were one
/// instruction, and the lift comes back as it was. When either has none
/// (a pass made it), as CPython's compiler decides: RETURN_CONST always;
/// a superinstruction (`superinstruction`) unless the two are on different
/// lines (Python/flowgraph.c, make_super_instruction; an absent line does
/// not count).
static bool joined(const Instruction &first, const Instruction &second,
                   bool superinstruction) {
  if (first.hasOffset() && second.hasOffset())
    return first.offset() == second.offset();
  if (!superinstruction)
    return true;
  int32_t line1 = first.location().line, line2 = second.location().line;
  return !(line1 >= 0 && line2 >= 0 && line1 != line2);
}

/// Whether `inst` (a const) never reaches the stack: a 3.11/3.12 kwnames
/// tuple (KW_NAMES), or the value of a 3.12+ RETURN_CONST.
bool FunctionLowering::computeOffStack(const Instruction &inst) const {
  if (!inst.is(Op::Const) || !inst.result()->hasOneUse())
    return false;
  const Use &use = *inst.result()->uses().begin();
  const Instruction *user = use.user();
  if (!user)
    return false;
  if (minor_ <= 12 && user->is(Op::Call) && user->hasOptionalOperand() &&
      &user->operandUses()[user->numOperands() - 1] == &use)
    return true;
  if (ops_.RETURN_CONST >= 0 && user->is(Op::Return) &&
      std::next(Block::const_iterator(inst)) != inst.parent()->end() &&
      &*std::next(Block::const_iterator(inst)) == user &&
      joined(inst, *user, false))
    return true;
  return false;
}

void FunctionLowering::setDemand(const Value *v) {
  unsigned k = v->number();
  unsigned c = consuming_[k];
  sched_.demand[k] = c ? c : (peeks_[k] ? 1 : 0);
}

void FunctionLowering::countDemand(const Block &block) {
  for (uint32_t k : touched_)
    consuming_[k] = peeks_[k] = sched_.demand[k] = 0;
  touched_.clear();
  auto count = [&](std::vector<unsigned> &counts, const Value *v,
                   unsigned by) {
    unsigned k = v->number();
    if (!consuming_[k] && !peeks_[k])
      touched_.push_back(k);
    counts[k] += by;
  };
  // Handler arguments name the bottom `depth` slots on entry; instructions
  // may replace what those slots hold (PUSH_EXC_INFO does), so they create
  // no demand: only the depth matters to the exception table.
  for (const Instruction &inst : block) {
    if (offStack(inst))
      continue;
    unsigned n = inst.numOperands();
    for (unsigned i = 0; i < n; ++i) {
      const Use &u = inst.operandUses()[i];
      const Value *v = u.get();
      if (offStackValue(v))
        continue;
      count(u.isPeeked() ? peeks_ : consuming_, v, 1);
    }
  }
  // Exits: the most slots any one successor wants.
  if (const Instruction *term = block.terminator()) {
    llvm::SmallVector<std::pair<const Value *, unsigned>, 8> most;
    for (const Successor &s : term->successors()) {
      for (unsigned i = 0; i < s.numArgs(); ++i) {
        const Value *v = s.arg(i);
        unsigned here = 0;
        for (unsigned j = 0; j < s.numArgs(); ++j)
          here += s.arg(j) == v;
        auto it = std::find_if(most.begin(), most.end(),
                               [&](const auto &p) { return p.first == v; });
        if (it == most.end())
          most.push_back({v, here});
        else
          it->second = std::max(it->second, here);
      }
    }
    for (auto &[v, c] : most)
      count(consuming_, v, c);
  }
  for (uint32_t k : touched_)
    sched_.demand[k] = consuming_[k] ? consuming_[k] : 1;
}

void FunctionLowering::consumeUses(const Instruction &inst) {
  for (const Use &u : inst.operandUses()) {
    const Value *v = u.get();
    unsigned &left = (u.isPeeked() ? peeks_ : consuming_)[v->number()];
    if (left)
      --left;
    setDemand(v);
  }
}

uint32_t FunctionLowering::emit(int opcode, uint32_t arg,
                                const Instruction &at) {
  MachineInstr in;
  in.opcode = static_cast<uint8_t>(opcode);
  in.arg = arg;
  in.handler = currentHandler_;
  in.location = at.location();
  machine.instrs.push_back(in);
  lastSource_ = &at;
  if (!deferMoves_ && !deferredLocations_.empty()) {
    // Moves at a fall-through exit take the location of what follows, as
    // CPython's COPY/SWAP belong to the statement they serve.
    for (uint32_t i : deferredLocations_)
      machine.instrs[i].location = at.location();
    deferredLocations_.clear();
  }
  if (deferMoves_)
    deferredLocations_.push_back(
        static_cast<uint32_t>(machine.instrs.size() - 1));
  return static_cast<uint32_t>(machine.instrs.size() - 1);
}

void FunctionLowering::emitJump(int opcode, uint32_t targetBlock,
                                const Instruction &at) {
  uint32_t i = emit(opcode, 0, at);
  pending_.push_back({i, targetBlock});
}

/// Writes moves_ (computed from the stack saved in replay_) before `at`.
/// A COPY takes the location of the next instruction from `searchFrom` on
/// that uses the copied value: CPython gives it the location of the
/// expression that uses the value left behind (a walrus' test, an
/// augmented assignment's target). Not when that is on another line than
/// `at`: a line in the middle of `at`'s would be a line event of its own.
void FunctionLowering::emitMoves(const Instruction &at,
                                 Block::const_iterator searchFrom) {
  // The lifter's hint: where the original's moves before `at` were.
  bool hinted = !at.moveLocation().isNone();
  for (const StackMove &m : moves_) {
    lastSource_ = nullptr;
    switch (m.kind) {
    case StackMove::Copy: {
      ++report_.copies;
      const Value *copied = replay_[replay_.size() - m.arg];
      replay_.push_back(copied);
      const Instruction *later = nullptr;
      for (Block::const_iterator it = searchFrom, end = at.parent()->end();
           it != end && !later; ++it)
        for (const Use &u : it->operandUses())
          if (u.get() == copied) {
            later = &*it;
            break;
          }
      uint32_t i = emit(ops_.COPY, m.arg, at);
      if (hinted)
        machine.instrs[i].location = at.moveLocation();
      else if (later && !later->location().isNone() &&
               later->location().line == at.location().line)
        machine.instrs[i].location = later->location();
      break;
    }
    case StackMove::Swap: {
      ++report_.swaps;
      std::swap(replay_.back(), replay_[replay_.size() - m.arg]);
      uint32_t i = emit(ops_.SWAP, m.arg, at);
      if (hinted)
        machine.instrs[i].location = at.moveLocation();
      break;
    }
    case StackMove::Pop:
      ++report_.pops;
      replay_.pop_back();
      emit(ops_.POP_TOP, 0, at);
      break;
    }
    lastSource_ = nullptr;
  }
}

Status FunctionLowering::arrange(const StackGoal &goal,
                                 const Instruction &at) {
  if (sched_.satisfied(goal)) {
    ++report_.operandsInOrder;
    return Status::ok();
  }
  moves_.clear();
  replay_ = sched_.stack;
  limitMoves(at);
  if (!sched_.arrange(goal, moves_))
    return fail(at, "no stack schedule for the operands of `" +
                        std::string(at.info().mnemonic) + "`");
  emitMoves(at, std::next(Block::const_iterator(at)));
  return Status::ok();
}

Status FunctionLowering::arrangeExactly(llvm::ArrayRef<const Value *> target,
                                        const Instruction &at) {
  if (llvm::ArrayRef<const Value *>(sched_.stack) == target)
    return Status::ok();
  ++report_.exitShuffles;
  moves_.clear();
  limitMoves(at);
  if (!sched_.arrangeExactly(target, moves_))
    return fail(at, "no stack schedule for the block's exit");
  // A fall-through into a block that is also jumped to (a loop header)
  // keeps the location of what came before; otherwise the moves take the
  // location of what follows.
  bool intoJumpTarget = false;
  if (at.is(Op::Br) && !at.hasOffset()) {
    unsigned t = at.successor(0).target()->number();
    intoJumpTarget = jumpTarget_[t];
  }
  // A block that wrote nothing before its exit (one that only jumps on)
  // has nothing before to take the location of: its moves take the
  // location of what follows, as a line of their own would be a line
  // event of its own.
  bool wroteSomething = machine.instrs.size() > blockStart_[currentBlock_];
  deferMoves_ = at.is(Op::Br) && !at.hasOffset() &&
                (!intoJumpTarget || !wroteSomething);
  const SourceLocation *previous = intoJumpTarget && wroteSomething
                                       ? &machine.instrs.back().location
                                       : nullptr;
  SourceLocation previousLocation = previous ? *previous : SourceLocation();
  size_t firstMove = machine.instrs.size();
  for (const StackMove &m : moves_) {
    lastSource_ = nullptr;
    if (m.kind == StackMove::Copy) {
      ++report_.copies;
      emit(ops_.COPY, m.arg, at);
    } else if (m.kind == StackMove::Swap) {
      ++report_.swaps;
      emit(ops_.SWAP, m.arg, at);
    } else {
      ++report_.pops;
      emit(ops_.POP_TOP, 0, at);
    }
    lastSource_ = nullptr;
  }
  if (!at.moveLocation().isNone()) {
    // The lifter's hint: where the original's moves before `at` were.
    for (size_t i = firstMove; i < machine.instrs.size(); ++i)
      machine.instrs[i].location = at.moveLocation();
    if (deferMoves_)
      deferredLocations_.clear();
  } else if (previous)
    for (size_t i = firstMove; i < machine.instrs.size(); ++i)
      machine.instrs[i].location = previousLocation;
  deferMoves_ = false;
  return Status::ok();
}

Status FunctionLowering::lowerInstruction(const Instruction &inst,
                                          unsigned blockIndex,
                                          const Block *next) {
  ++report_.irInstructions;
  if (inst.isTerminator())
    return lowerTerminator(inst, blockIndex, next);
  bool skip = offStack(inst);
  // The operands the instruction needs on the stack.
  popped_.clear();
  peeked_.clear();
  bool variablePeek = inst.is(Op::Py) &&
                      (inst.pyOpcode() == ops_.LIST_APPEND ||
                       inst.pyOpcode() == ops_.SET_ADD ||
                       inst.pyOpcode() == ops_.MAP_ADD);
  unsigned peekIndex = 0, numPeeks = 0;
  for (const Use &u : inst.operandUses())
    numPeeks += u.isPeeked();
  llvm::SmallVector<uint32_t, 2> peekDepths;
  if (!variablePeek && numPeeks)
    signaturePeekDepths(inst, peekDepths);
  for (const Use &u : inst.operandUses()) {
    const Value *v = u.get();
    if (offStackValue(v))
      continue;
    if (u.isPeeked()) {
      // Operands are bottom first; peekedDepths() shallowest first.
      uint32_t depth = 0;
      if (!variablePeek && numPeeks == peekDepths.size())
        depth = peekDepths[numPeeks - 1 - peekIndex];
      peeked_.push_back({v, depth});
      ++peekIndex;
    } else {
      popped_.push_back(v);
    }
  }
  consumeUses(inst);
  if (!skip) {
    StackGoal goal{popped_, peeked_, inst.is(Op::Drop)};
    if (Status s = arrange(goal, inst); !s)
      return s;
  }
  // Selection.
  uint32_t imm = inst.immediate();
  // The instruction before, if the last thing written came from it (no
  // move since, same block).
  const Instruction *prev = lastSource_;
  bool fusable = minor_ >= 13 && prev && !machine.instrs.empty() &&
                 Block::const_iterator(inst) != inst.parent()->begin() &&
                 &*std::prev(Block::const_iterator(inst)) == prev &&
                 joined(*prev, inst, true);
  switch (inst.op()) {
  case Op::Const:
    // A kwnames tuple is written by its call (emitKwNames), a RETURN_CONST
    // value by its return.
    if (skip)
      break;
    // 3.14+: CPython's compiler loads the ints 0-255 with LOAD_SMALL_INT
    // (they are not in co_consts); a const a pass made does the same.
    if (ops_.LOAD_SMALL_INT >= 0 && !inst.hasOffset())
      if (std::optional<uint32_t> small = smallInt(inst)) {
        emit(ops_.LOAD_SMALL_INT, *small, inst);
        break;
      }
    emit(ops_.LOAD_CONST, imm, inst);
    break;
  case Op::PushNull:
    emit(ops_.PUSH_NULL, 0, inst);
    break;
  case Op::Drop:
    ++report_.drops;
    emit(ops_.POP_TOP, 0, inst);
    break;
  case Op::Nop:
    emit(ops_.NOP, 0, inst);
    break;
  case Op::SmallInt:
    emit(ops_.LOAD_SMALL_INT, imm, inst);
    break;
  case Op::CommonConst:
    emit(ops_.LOAD_COMMON_CONSTANT, imm, inst);
    break;
  case Op::NotTaken:
    // Written where CPython writes it, right after a conditional jump (or
    // the END_SEND of an async for); one that a pass or the layout moved
    // elsewhere marks nothing and is left out.
    if (!machine.instrs.empty() &&
        (ops_.isPopJump(machine.instrs.back().opcode) ||
         machine.instrs.back().opcode == ops_.END_SEND))
      emit(ops_.NOT_TAKEN, 0, inst);
    break;
  case Op::LoadFast:
  case Op::LoadFastCheck: {
    bool check = inst.is(Op::LoadFastCheck) || maybeUnbound_.count(&inst);
    int op = !check || minor_ == 11 ? ops_.LOAD_FAST : ops_.LOAD_FAST_CHECK;
    MachineInstr &last = machine.instrs.back();
    if (fusable && !check && imm < 16 && last.arg < 16 &&
        last.opcode == ops_.LOAD_FAST) {
      // The pair borrows both or neither.
      last.opcode = static_cast<uint8_t>(ops_.LOAD_FAST_LOAD_FAST);
      last.arg = (last.arg << 4) | imm;
      last.strong = last.strong || inst.isStrongLoad();
      ++report_.fused;
      lastSource_ = nullptr;
    } else if (fusable && !check && imm < 16 &&
               last.arg < 16 && last.opcode == ops_.STORE_FAST) {
      last.opcode = static_cast<uint8_t>(ops_.STORE_FAST_LOAD_FAST);
      last.arg = (last.arg << 4) | imm;
      ++report_.fused;
      lastSource_ = nullptr;
    } else {
      uint32_t at = emit(op, imm, inst);
      machine.instrs[at].strong = inst.isStrongLoad();
    }
    break;
  }
  case Op::StoreFast: {
    MachineInstr &last = machine.instrs.back();
    if (fusable && imm < 16 && last.arg < 16 &&
        last.opcode == ops_.STORE_FAST) {
      last.opcode = static_cast<uint8_t>(ops_.STORE_FAST_STORE_FAST);
      last.arg = (last.arg << 4) | imm;
      ++report_.fused;
      lastSource_ = nullptr;
    } else {
      emit(ops_.STORE_FAST, imm, inst);
    }
    break;
  }
  case Op::LoadFastAndClear:
    emit(ops_.LOAD_FAST_AND_CLEAR, imm, inst);
    break;
  case Op::DeleteFast:
    emit(ops_.DELETE_FAST, imm, inst);
    break;
  case Op::LoadDeref:
    emit(ops_.LOAD_DEREF, imm, inst);
    break;
  case Op::StoreDeref:
    emit(ops_.STORE_DEREF, imm, inst);
    break;
  case Op::DeleteDeref:
    emit(ops_.DELETE_DEREF, imm, inst);
    break;
  case Op::LoadClosure:
    emit(ops_.LOAD_CLOSURE, imm, inst);
    break;
  case Op::MakeCell:
    emit(ops_.MAKE_CELL, imm, inst);
    break;
  case Op::CopyFreeVars:
    emit(ops_.COPY_FREE_VARS, imm, inst);
    break;
  case Op::LoadGlobal:
    emit(ops_.LOAD_GLOBAL, (imm << 1) | (inst.numResults() == 2 ? 1 : 0),
         inst);
    break;
  case Op::StoreGlobal:
    emit(ops_.STORE_GLOBAL, imm, inst);
    break;
  case Op::DeleteGlobal:
    emit(ops_.DELETE_GLOBAL, imm, inst);
    break;
  case Op::LoadName:
    emit(ops_.LOAD_NAME, imm, inst);
    break;
  case Op::StoreName:
    emit(ops_.STORE_NAME, imm, inst);
    break;
  case Op::DeleteName:
    emit(ops_.DELETE_NAME, imm, inst);
    break;
  case Op::LoadAttr:
    if (minor_ == 11)
      emit(inst.numResults() == 2 ? ops_.LOAD_METHOD : ops_.LOAD_ATTR, imm,
           inst);
    else
      emit(ops_.LOAD_ATTR, (imm << 1) | (inst.numResults() == 2 ? 1 : 0),
           inst);
    break;
  case Op::StoreAttr:
    emit(ops_.STORE_ATTR, imm, inst);
    break;
  case Op::DeleteAttr:
    emit(ops_.DELETE_ATTR, imm, inst);
    break;
  case Op::Call: {
    uint32_t argc = inst.numOperands() - 2 - (inst.hasOptionalOperand());
    if (minor_ <= 12 && inst.hasOptionalOperand())
      if (Status s = emitKwNames(inst); !s)
        return s;
    if (minor_ == 11) {
      emit(ops_.PRECALL, argc, inst);
      emit(ops_.CALL, argc, inst);
    } else if (minor_ >= 13 && inst.hasOptionalOperand()) {
      emit(ops_.CALL_KW, argc, inst);
    } else {
      emit(ops_.CALL, argc, inst);
    }
    break;
  }
  case Op::ToBool:
    emit(ops_.TO_BOOL, 0, inst);
    break;
  case Op::Py: {
    uint32_t arg = inst.pyOparg();
    if (variablePeek && !peeked_.empty()) {
      // The container's depth once the popped operands are gone.
      size_t below = sched_.stack.size() - popped_.size();
      uint32_t depth = 0;
      for (size_t i = below; i-- > 0;)
        if (sched_.stack[i] == peeked_[0].first) {
          depth = static_cast<uint32_t>(below - i);
          break;
        }
      arg = depth;
    }
    emit(inst.pyOpcode(), arg, inst);
    break;
  }
  default:
    return fail(inst, "cannot select `" + std::string(inst.info().mnemonic) +
                          "`");
  }
  // The stack after it.
  if (!skip) {
    sched_.stack.resize(sched_.stack.size() - popped_.size());
    for (const InstResult &r : inst.results())
      sched_.stack.push_back(&r);
  }
  return Status::ok();
}

/// 3.11/3.12: the KW_NAMES of `call`, right before its PRECALL or CALL:
/// the interpreter keeps KW_NAMES's argument for the next call only, so
/// nothing may come between (a call among the arguments would take it).
/// The names are normally a const that never reaches the stack, wherever
/// it stands in the block; names that reach the call another way (through
/// a block parameter, or used twice) were arranged on top with the other
/// operands, and are popped first.
Status FunctionLowering::emitKwNames(const Instruction &call) {
  const Value *names = call.operand(call.numOperands() - 1);
  if (offStackValue(names)) {
    const Instruction &tuple = *definer(names);
    emit(ops_.KW_NAMES, tuple.immediate(), tuple);
    return Status::ok();
  }
  int64_t index = kwNamesIndex(names);
  if (index < 0)
    return fail(call, "the keyword names of the call are not one constant "
                      "tuple, which KW_NAMES needs on 3.11 and 3.12");
  ++report_.pops;
  emit(ops_.POP_TOP, 0, call);
  emit(ops_.KW_NAMES, static_cast<uint32_t>(index), call);
  return Status::ok();
}

/// The co_consts index of the keyword names `names`: the const that made
/// them, or, for a block parameter, the one every edge into the block
/// passes (through other parameters too). -1 when they are not one
/// constant, or come from a handler's parameters, which no edge passes.
int64_t FunctionLowering::kwNamesIndex(const Value *names) {
  if (incoming_.empty()) {
    incoming_.resize(blocks_.size());
    isHandler_.assign(blocks_.size(), false);
    for (const Block *b : blocks_) {
      if (b->hasHandler())
        isHandler_[b->handler()->number()] = true;
      if (const Instruction *term = b->terminator())
        for (const Successor &s : term->successors())
          incoming_[s.target()->number()].push_back(&s);
    }
  }
  int64_t index = -1;
  llvm::SmallPtrSet<const Value *, 8> seen;
  llvm::SmallVector<const Value *, 8> work{names};
  while (!work.empty()) {
    const Value *v = work.pop_back_val();
    if (!seen.insert(v).second)
      continue;
    if (const Instruction *def = definer(v)) {
      if (!def->is(Op::Const) || (index >= 0 && index != def->immediate()))
        return -1;
      index = def->immediate();
      continue;
    }
    const auto *param = llvm::cast<BlockParam>(v);
    unsigned b = param->block()->number();
    if (isHandler_[b] || incoming_[b].empty())
      return -1;
    for (const Successor *edge : incoming_[b])
      work.push_back(edge->arg(param->index()));
  }
  return index;
}

/// 3.12+: an exhausted FOR_ITER pops its iterator and jumps past the
/// END_FOR at its target (3.13: END_FOR and POP_TOP), which never run;
/// anything else written there (a move, a const) would be skipped too. So
/// the exhausted edge must reach an END_FOR of the iterator and the value
/// FOR_ITER passes on that edge before anything else, with the stack as the
/// edge left it.
Status FunctionLowering::checkForIterExit(uint32_t instr) const {
  const MachineInstr &jump = machine.instrs[instr];
  if (minor_ < 12 || jump.opcode != ops_.FOR_ITER)
    return Status::ok();
  size_t target = static_cast<size_t>(jump.target);
  bool landed = target < machine.instrs.size() &&
                machine.instrs[target].opcode == ops_.END_FOR;
  if (landed && minor_ >= 13)
    landed = target + 1 < machine.instrs.size() &&
             machine.instrs[target + 1].opcode ==
                 (ops_.POP_ITER >= 0 ? ops_.POP_ITER : ops_.POP_TOP);
  if (landed)
    return Status::ok();
  return Error("function '" + f_.qualName.utf8 + "': instruction " +
               std::to_string(instr) +
               ": the exhausted path of FOR_ITER does not begin with " +
               (minor_ >= 14   ? "END_FOR, POP_ITER"
                : minor_ >= 13 ? "END_FOR, POP_TOP"
                               : "END_FOR") +
               ", which the interpreter skips");
}

Status FunctionLowering::lowerTerminator(const Instruction &inst,
                                         unsigned blockIndex,
                                         const Block *next) {
  unsigned nextIndex = next ? next->number() : ~0u;
  auto isNext = [&](const Block *b) { return b == next; };
  consumeUses(inst);
  if (inst.numSuccessors() == 0) {
    // A scope exit: operands on top, whatever lies below; a peeked one at
    // its depth (RERAISE reads lasti right below the exception).
    popped_.clear();
    peeked_.clear();
    bool returnConst = false;
    unsigned numPeeks = 0, peekIndex = 0;
    for (const Use &u : inst.operandUses())
      numPeeks += u.isPeeked();
    llvm::SmallVector<uint32_t, 2> peekDepths;
    if (numPeeks)
      signaturePeekDepths(inst, peekDepths);
    for (const Use &u : inst.operandUses()) {
      const Value *v = u.get();
      if (offStackValue(v)) {
        returnConst = true;
        continue;
      }
      if (u.isPeeked()) {
        uint32_t depth = 0;
        if (numPeeks == peekDepths.size())
          depth = peekDepths[numPeeks - 1 - peekIndex];
        peeked_.push_back({v, depth});
        ++peekIndex;
      } else {
        popped_.push_back(v);
      }
    }
    for (uint32_t k : touched_)
      sched_.demand[k] = 0;
    StackGoal goal{popped_, peeked_};
    if (Status s = arrange(goal, inst); !s)
      return s;
    if (inst.is(Op::Return)) {
      if (returnConst)
        emit(ops_.RETURN_CONST,
             definer(inst.operand(0))->immediate(),
             inst);
      else
        emit(ops_.RETURN_VALUE, 0, inst);
    } else if (inst.is(Op::Py)) {
      emit(inst.pyOpcode(), inst.pyOparg(), inst);
    } else {
      return fail(inst, "cannot select this terminator");
    }
    return Status::ok();
  }

  // The stack the edges expect before the terminator runs: the args of the
  // fall-through edge (the only edge of a py jump or br), less what the
  // terminator itself pushes, plus what it pops.
  unsigned through = inst.numSuccessors() == 2 ? 1 : 0;
  if (inst.is(Op::CondBr) || inst.is(Op::Br))
    through = 0;
  const Successor &edge = inst.successor(through);
  llvm::SmallVector<const Value *, 8> target;
  for (unsigned i = 0; i < edge.numArgs(); ++i) {
    const Value *v = edge.arg(i);
    if (definer(v) == &inst)
      continue;
    target.push_back(v);
  }
  for (const Use &u : inst.operandUses())
    if (!u.isPeeked())
      target.push_back(u.get());
  if (Status s = arrangeExactly(target, inst); !s)
    return s;

  switch (inst.op()) {
  case Op::Br: {
    Block *to = inst.successor(0).target();
    if (isNext(to) && !inst.hasOffset())
      break;
    unsigned t = to->number();
    emitJump(t > blockIndex ? ops_.JUMP_FORWARD : ops_.JUMP_BACKWARD, t,
             inst);
    break;
  }
  case Op::CondBr: {
    Block *taken = inst.successor(0).target();
    Block *other = inst.successor(1).target();
    BranchTest test = inst.branchTest();
    if (!isNext(other) && isNext(taken)) {
      std::swap(taken, other);
      test = negate(test);
    }
    unsigned t = taken->number();
    bool backward = t <= blockIndex;
    if (backward && minor_ >= 12) {
      // 3.12+ conditional jumps only go forward: the opposite test jumps
      // forward to the other successor, over a JUMP_BACKWARD.
      unsigned o = other->number();
      if (o <= blockIndex)
        return fail(inst, "both successors of a conditional branch lie "
                          "backward, which 3.12+ bytecode cannot express");
      emitJump(ops_.popJump[static_cast<unsigned>(negate(test))], o, inst);
      emitNotTaken(nullptr, inst);
      emitJump(ops_.JUMP_BACKWARD, t, inst);
      break;
    }
    int op = ops_.popJump[static_cast<unsigned>(test) +
                          (backward && minor_ == 11 ? 4 : 0)];
    emitJump(op, t, inst);
    emitNotTaken(isNext(other) ? other : nullptr, inst);
    if (!isNext(other)) {
      unsigned o = other->number();
      emitJump(o > blockIndex ? ops_.JUMP_FORWARD : ops_.JUMP_BACKWARD, o,
               inst);
    }
    break;
  }
  case Op::Py: {
    unsigned t = inst.successor(0).target()->number();
    emitJump(inst.pyOpcode(), t, inst);
    if (inst.numSuccessors() == 2 && !isNext(inst.successor(1).target())) {
      unsigned o = inst.successor(1).target()->number();
      emitJump(o > blockIndex ? ops_.JUMP_FORWARD : ops_.JUMP_BACKWARD, o,
               inst);
    }
    break;
  }
  default:
    return fail(inst, "cannot select this terminator");
  }
  (void)nextIndex;
  return Status::ok();
}

/// Whether CPython had code units right before `inst` that the IR does
/// not show: the lifter drops COPY and SWAP but keeps offsets, so a gap
/// after the previous instruction means a stack move happened there.
bool FunctionLowering::gapBefore(const Instruction &inst) const {
  if (!inst.hasOffset() || expectedOffset_ == Instruction::kNoOffset ||
      inst.offset() <= expectedOffset_)
    return false;
  return inst.offset() > expectedOffset_ + 2 * prefixUnits(inst) &&
         !offsetTaken(expectedOffset_, inst.offset());
}

/// Whether an instruction of the function came from an offset in
/// [from, to): then a pass moved it, and the hole it left is no move of
/// the original's.
bool FunctionLowering::offsetTaken(uint32_t from, uint32_t to) const {
  auto it = std::lower_bound(offsets_.begin(), offsets_.end(), from);
  return it != offsets_.end() && *it < to;
}

/// The EXTENDED_ARG units before `inst`'s own code unit in the original
/// (its offset is that of the instruction after the prefixes).
uint32_t FunctionLowering::prefixUnits(const Instruction &inst) const {
  uint32_t arg = inst.immediate();
  if (inst.is(Op::LoadGlobal) || (inst.is(Op::LoadAttr) && minor_ >= 12))
    arg <<= 1;
  else if (inst.is(Op::Py))
    arg = inst.pyOparg();
  return arg > 0xFFFFFF ? 3 : arg > 0xFFFF ? 2 : arg > 0xFF ? 1 : 0;
}

/// The code units `inst` itself becomes (without moves, EXTENDED_ARG
/// prefixes or a second jump): what lay between it and the next
/// instruction in the original when no move was there.
uint32_t FunctionLowering::ownUnits(const Instruction &inst) const {
  auto units = [&](int opcode) -> uint32_t {
    const OpcodeInfo *info =
        opcode >= 0 ? table_.info(static_cast<uint8_t>(opcode)) : nullptr;
    return info ? 1 + info->cacheEntries : 1;
  };
  switch (inst.op()) {
  case Op::Const:
    if (offStack(inst))
      return minor_ <= 12 && inst.result()->uses().begin()->user()->is(Op::Call)
                 ? units(ops_.KW_NAMES)
                 : 0;
    return units(ops_.LOAD_CONST);
  case Op::LoadGlobal:
    return units(ops_.LOAD_GLOBAL);
  case Op::LoadAttr:
    return units(minor_ == 11 && inst.numResults() == 2 ? ops_.LOAD_METHOD
                                                        : ops_.LOAD_ATTR);
  case Op::StoreAttr:
    return units(ops_.STORE_ATTR);
  case Op::Call:
    if (minor_ == 11)
      return units(ops_.PRECALL) + units(ops_.CALL);
    return units(minor_ >= 13 && inst.hasOptionalOperand() ? ops_.CALL_KW
                                                           : ops_.CALL);
  case Op::ToBool:
    return units(ops_.TO_BOOL);
  case Op::Py:
    return units(inst.pyOpcode());
  default:
    return 1; // the others have no caches
  }
}

/// Whether the offsets show a move in the original between `prev` and the
/// instruction right after it, `inst` (as gapBefore() does while lowering,
/// from the offsets alone).
bool FunctionLowering::gapBetween(const Instruction &prev,
                                  const Instruction &inst) const {
  if (!prev.hasOffset() || !inst.hasOffset() ||
      inst.offset() <= prev.offset())
    return false;
  uint32_t end = prev.offset() + 2 * ownUnits(prev);
  return inst.offset() > end + 2 * prefixUnits(inst) &&
         !offsetTaken(end, inst.offset());
}

/// At a gap, arranges the values already on the stack as the next
/// instruction that pops some of them wants them, before anything new is
/// pushed: CPython's SWAP for `with` exits and tuple assignments comes
/// there, not at the consumer.
Status FunctionLowering::arrangeEarly(Block::const_iterator from,
                                      Block::const_iterator end) {
  llvm::SmallVector<const Value *, 8> wanted;
  Block::const_iterator consumer = end;
  for (auto it = from; it != end; ++it) {
    const Instruction &j = *it;
    if (offStack(j))
      continue;
    for (const Use &u : j.operandUses()) {
      if (u.isPeeked())
        continue;
      const Value *v = u.get();
      if (std::find(sched_.stack.begin(), sched_.stack.end(), v) !=
          sched_.stack.end())
        wanted.push_back(v);
    }
    // An instruction that only peeks (MATCH_SEQUENCE, GET_LEN) at a value
    // that needs one more slot than it has: CPython's COPY 1 comes here.
    if (wanted.empty())
      for (const Use &u : j.operandUses()) {
        const Value *v = u.get();
        if (!u.isPeeked() || sched_.stack.empty() || sched_.stack.back() != v)
          continue;
        unsigned slots = unsigned(
            std::count(sched_.stack.begin(), sched_.stack.end(), v));
        if (slots < sched_.demandOf(v))
          wanted.push_back(v);
      }
    if (!wanted.empty()) {
      consumer = it;
      break;
    }
  }
  if (wanted.empty())
    return Status::ok();
  // They stay on the stack: their coming use is not counted as done.
  StackGoal goal{wanted, {}, consumer->is(Op::Drop)};
  for (const Value *v : wanted) {
    if (unsigned &left = consuming_[v->number()])
      --left;
    setDemand(v);
  }
  Status status = Status::ok();
  if (!sched_.satisfied(goal)) {
    // The values left below go in the order of their next uses, the one
    // used last at the bottom: CPython's moves at the gap prepare them so
    // that the instructions that follow find each on top (`a.x, b.y, c.z =
    // p, q, r`: SWAP 3, not COPY 3). Values only the exit uses stay below
    // in their order.
    llvm::SmallVector<std::pair<const Value *, unsigned>, 8> ranked;
    unsigned position = 0;
    for (auto it = std::next(consumer); it != end; ++it, ++position) {
      // Up to the next move of the original: those moves are CPython's
      // next arrangement.
      if (gapBetween(*std::prev(it), *it))
        break;
      if (offStack(*it))
        continue;
      for (const Use &u : it->operandUses()) {
        if (u.isPeeked())
          continue;
        const Value *v = u.get();
        if (std::find_if(ranked.begin(), ranked.end(), [&](const auto &p) {
              return p.first == v;
            }) == ranked.end())
          ranked.push_back({v, it->isTerminator() ? ~0u - 1 : position});
      }
    }
    auto rank = [&](const Value *v) {
      for (const auto &[value, r] : ranked)
        if (value == v)
          return r;
      return ~0u;
    };
    llvm::SmallVector<const Value *, 16> preferred;
    for (const Value *v : sched_.stack)
      if (sched_.demandOf(v))
        preferred.push_back(v);
    std::stable_sort(preferred.begin(), preferred.end(),
                     [&](const Value *a, const Value *b) {
                       return rank(a) > rank(b);
                     });
    preferred.erase(std::unique(preferred.begin(), preferred.end()),
                    preferred.end());
    moves_.clear();
    replay_ = sched_.stack;
    limitMoves(*consumer);
    // The original's moves at the gap may leave a copied value's slot
    // behind (a match subject's COPY 1 before its last pattern): where the
    // function is still as CPython laid it out, so is the object's
    // lifetime.
    sched_.deadCopiesAllowed = sched_.deadCopiesAllowed || asLaidOut_;
    // Values below that only the exit uses, a maybe-NULL one among them,
    // go there in the exit's order, leaving no dead slot (3.14's `with`).
    sched_.keepOrderBelow =
        minor_ >= 14 && !preferred.empty() &&
        std::prev(end)->numSuccessors() > 0 &&
        std::any_of(preferred.begin(), preferred.end(),
                    [&](const Value *v) { return sched_.mayBeNull(v); }) &&
        std::all_of(preferred.begin(), preferred.end(), [&](const Value *v) {
          return std::find(wanted.begin(), wanted.end(), v) != wanted.end() ||
                 rank(v) >= ~0u - 1;
        });
    bool keepDead = sched_.deadCopiesAllowed;
    if (sched_.keepOrderBelow) // and leave no dead slot doing so
      sched_.deadCopiesAllowed = false;
    bool arranged = sched_.arrange(goal, moves_, preferred);
    sched_.keepOrderBelow = false;
    sched_.deadCopiesAllowed = keepDead;
    if (arranged)
      emitMoves(*from, std::next(consumer));
  }
  for (const Value *v : wanted) {
    ++consuming_[v->number()];
    setDemand(v);
  }
  // One value on top that the block's exit needs more slots of, and no
  // later instruction uses: CPython makes all the copies here (a match
  // pattern's COPY 1; COPY 1). Values used again get one COPY per use,
  // when the use comes.
  const Value *v = wanted.size() == 1 ? wanted.front() : nullptr;
  for (auto it = std::next(consumer); v && it != end; ++it)
    if (!it->isTerminator())
      for (const Use &u : it->operandUses())
        if (u.get() == v)
          v = nullptr;
  if (v) {
    while (sched_.stack.back() == v && !sched_.mayBeNull(v) &&
           std::count(sched_.stack.begin(), sched_.stack.end(), v) <
               sched_.demandOf(v)) {
      moves_.assign(1, StackMove{StackMove::Copy, 1});
      replay_ = sched_.stack;
      sched_.apply(moves_.front());
      emitMoves(*from, std::next(consumer));
    }
  }
  return status;
}

Status FunctionLowering::lowerBlock(const Block &block, unsigned index) {
  blockStart_[index] = static_cast<uint32_t>(machine.instrs.size());
  currentBlock_ = index;
  currentHandler_ = MachineInstr::kNone;
  handlerDepth_ = block.hasHandler() ? block.handlerDepth() : 0;
  if (block.hasHandler()) {
    ExceptionHandler h;
    h.target = block.handler()->number(); // a block, for now
    h.depth = block.handlerDepth();
    h.lasti = block.handlerPushesLasti();
    for (size_t i = 0; i < machine.handlers.size(); ++i)
      if (machine.handlers[i] == h) {
        currentHandler_ = static_cast<int32_t>(i);
        break;
      }
    if (currentHandler_ == MachineInstr::kNone) {
      currentHandler_ = static_cast<int32_t>(machine.handlers.size());
      machine.handlers.push_back(h);
    }
  }
  lastSource_ = nullptr;
  sched_.stack.assign(block.params().begin(), block.params().end());
  countDemand(block);
  const Block *next = index + 1 < blocks_.size() ? blocks_[index + 1] : nullptr;
  // expectedOffset_ runs on across blocks: a move may start a block (the
  // exception table splits blocks where CPython put none).
  for (auto it = block.begin(), end = block.end(); it != end; ++it) {
    const Instruction &inst = *it;
    // A gap right before the terminator holds the exit's moves:
    // arrangeExactly makes the successors' stack there in one go.
    // Arranging the terminator's operands first would take more moves, and
    // bcc's own exit moves, lifted again, would not come back.
    if (gapBefore(inst) && !inst.isTerminator())
      if (Status s = arrangeEarly(it, end); !s)
        return s;
    size_t before = machine.instrs.size();
    if (Status s = lowerInstruction(inst, index, next); !s)
      return s;
    if (inst.hasOffset()) {
      uint32_t units = 0;
      for (size_t i = before; i < machine.instrs.size(); ++i) {
        // A call's KW_NAMES stood where its const is (below).
        if (machine.instrs[i].opcode == ops_.KW_NAMES)
          continue;
        const OpcodeInfo *info = table_.info(machine.instrs[i].opcode);
        units += 1 + (info ? info->cacheEntries : 0);
      }
      // Nothing written: a RETURN_CONST's const, or the second half of a
      // 3.13 superinstruction, whose units the first half counted; or a
      // kwnames const, whose KW_NAMES its call writes, but which stood
      // here in the original.
      if (machine.instrs.size() > before)
        expectedOffset_ = inst.offset() + 2 * units;
      else if (isKwNamesConst(inst))
        expectedOffset_ = inst.offset() + 2 * ownUnits(inst);
    } else if (!inst.isTerminator() && machine.instrs.size() > before) {
      // Code whose origin is unknown (a pass made the instruction, or
      // forgot where it came from) may stand where the original's code
      // units were: the next hole in the offsets shows no move.
      expectedOffset_ = Instruction::kNoOffset;
    }
  }
  return Status::ok();
}

/// Values of `f` that may be NULL at run time: push_null, the call-protocol
/// NULL results of load_global and load_attr, load_fast_and_clear's saved
/// local, maybe-NULL outputs of raw py instructions, and block parameters
/// that receive any of these.
/// The `load_fast`s of a plain local that may be unbound when they run, as
/// CPython's add_checks_for_loads_of_uninitialized_variables finds them:
/// parameters are bound on entry and other locals are not; `store_fast`
/// binds, `delete_fast` and `load_fast_and_clear` unbind, a load binds (it
/// raises otherwise); a handler sees the union over every point of the
/// blocks it protects. 3.12+ must load those with LOAD_FAST_CHECK: a plain
/// LOAD_FAST of an unbound local pushes NULL and crashes the interpreter
/// later. The lifter keeps CPython's own checks as `load_fast_check`; this
/// catches the loads a pass made unsafe (by deleting a store, say). Block
/// numbers must be fresh (Function::renumber()).
static void collectMaybeUnboundLoads(const Function &f,
                                     llvm::DenseSet<const Instruction *> &out) {
  unsigned numLocals = 0;
  for (const LocalsPlusSlot &slot : f.localsPlus)
    numLocals += (slot.kind & CO_FAST_LOCAL) != 0;
  if (numLocals == 0 || f.empty())
    return;
  unsigned params = unsigned(f.argCount + f.kwOnlyArgCount) +
                    ((f.flags & CO_VARARGS) ? 1 : 0) +
                    ((f.flags & CO_VARKEYWORDS) ? 1 : 0);
  auto tracked = [&](uint32_t local) {
    // Cell slots hold their cell from MAKE_CELL on: always bound.
    return local < f.localsPlus.size() &&
           (f.localsPlus[local].kind & CO_FAST_LOCAL) &&
           !(f.localsPlus[local].kind & (CO_FAST_CELL | CO_FAST_FREE));
  };
  // Per block (Block::number(), set by Function::renumber()): the locals
  // that may be unbound on entry, once a path reaches it. SmallBitVectors
  // hold up to 57 locals without allocating.
  std::vector<llvm::SmallBitVector> entry(f.numBlocks());
  std::vector<bool> reached(f.numBlocks(), false);
  std::vector<const Block *> worklist;
  auto merge = [&](const Block *b, const llvm::SmallBitVector &unbound) {
    llvm::SmallBitVector &known = entry[b->number()];
    if (!reached[b->number()]) {
      reached[b->number()] = true;
      known = unbound;
      worklist.push_back(b);
    } else if (unbound.test(known)) { // a local `known` lacks
      known |= unbound;
      worklist.push_back(b);
    }
  };
  llvm::SmallBitVector start(unsigned(f.localsPlus.size()));
  for (unsigned i = params; i < f.localsPlus.size(); ++i)
    if (tracked(i))
      start.set(i);
  merge(&*f.begin(), start);
  while (!worklist.empty()) {
    const Block *b = worklist.back();
    worklist.pop_back();
    llvm::SmallBitVector unbound = entry[b->number()];
    llvm::SmallBitVector seen = unbound; // every point, for the handler
    for (const Instruction &inst : *b) {
      uint32_t local = inst.immediate();
      if (inst.is(Op::StoreFast) && tracked(local)) {
        unbound.reset(local);
      } else if ((inst.is(Op::DeleteFast) || inst.is(Op::LoadFastAndClear)) &&
                 tracked(local)) {
        unbound.set(local);
        seen.set(local);
      } else if ((inst.is(Op::LoadFast) || inst.is(Op::LoadFastCheck)) &&
                 tracked(local)) {
        if (unbound.test(local) && inst.is(Op::LoadFast))
          out.insert(&inst);
        unbound.reset(local);
      }
    }
    if (b->hasHandler())
      merge(b->handler(), seen);
    if (const Instruction *term = b->terminator())
      for (const Successor &s : term->successors())
        merge(s.target(), unbound);
  }
}

Status FunctionLowering::run() {
  unsigned numValues = f_.renumber();
  consuming_.assign(numValues, 0);
  peeks_.assign(numValues, 0);
  sched_.demand.assign(numValues, 0);
  sched_.maybeNull.assign(numValues, false);
  offStackValue_.assign(numValues, false);
  size_t numInstructions = 0;
  for (const Block &b : f_)
    for (const Instruction &inst : b) {
      ++numInstructions;
      if (!inst.isTerminator())
        asLaidOut_ = asLaidOut_ && inst.hasOffset() &&
                     (offsets_.empty() || inst.offset() >= offsets_.back());
      if (inst.hasOffset())
        offsets_.push_back(inst.offset());
      if (inst.is(Op::Const) && computeOffStack(inst))
        offStackValue_[inst.result()->number()] = true;
    }
  std::sort(offsets_.begin(), offsets_.end());
  collectMaybeNull(f_, table_, sched_.maybeNull);
  if (minor_ >= 12)
    collectMaybeUnboundLoads(f_, maybeUnbound_);
  unsigned n = 0;
  for (const Block &b : f_) {
    ++n;
    blocks_.push_back(&b);
  }
  blockStart_.assign(n + 1, 0);
  jumpTarget_.assign(n, false);
  for (unsigned b = 0; b < n; ++b)
    if (const Instruction *term = blocks_[b]->terminator())
      for (const Successor &succ : term->successors()) {
        unsigned t = succ.target()->number();
        if (t != b + 1 || term->hasOffset())
          jumpTarget_[t] = true;
      }
  // About one machine instruction per IR instruction, a few more for
  // moves and jumps.
  machine.instrs.reserve(numInstructions + numInstructions / 8 + 4);
  unsigned i = 0;
  for (const Block &b : f_)
    if (Status s = lowerBlock(b, i++); !s)
      return s;
  blockStart_[n] = static_cast<uint32_t>(machine.instrs.size());
  for (const Pending &p : pending_) {
    if (blockStart_[p.targetBlock] >= machine.instrs.size())
      return Error("function '" + f_.qualName.utf8 +
                   "': a jump to an empty block at the end");
    machine.instrs[p.instr].target =
        static_cast<int32_t>(blockStart_[p.targetBlock]);
    if (Status s = checkForIterExit(p.instr); !s)
      return s;
  }
  for (ExceptionHandler &h : machine.handlers)
    h.target = blockStart_[h.target];
  for (unsigned b = 0; b < n; ++b)
    if (blockStart_[b] < blockStart_[b + 1])
      blockEntries.emplace_back(
          blockStart_[b], static_cast<int32_t>(blocks_[b]->params().size()));
  return Status::ok();
}

/// 3.14+: END_ASYNC_FOR's argument points back at the END_SEND of its
/// loop's `await __anext__()` (the jump target of the SEND its handler
/// protects), for sys.monitoring's branch events only: it never jumps. The
/// lifter makes no edge of it, so the argument is recomputed here from
/// where that END_SEND now is: the assembler does it from `target`, which
/// is set for the assembler only (the analyses before and after take a
/// target for an edge). Returns the instructions given one.
static std::vector<size_t> linkEndAsyncFor(const OpcodeTable &table,
                                           const OpcodeSet &ops,
                                           MachineCode &m) {
  std::vector<size_t> linked;
  const OpcodeInfo *info =
      ops.END_ASYNC_FOR >= 0 ? table.info(uint8_t(ops.END_ASYNC_FOR)) : nullptr;
  if (!info || info->jump == JumpKind::None)
    return linked;
  for (size_t e = 0; e < m.instrs.size(); ++e)
    if (m.instrs[e].opcode == ops.END_ASYNC_FOR) {
      // Without a SEND its handler protects (code no compiler wrote),
      // itself: the argument must still name an instruction, or the code
      // would not decode.
      m.instrs[e].target = int32_t(e);
      linked.push_back(e);
    }
  // Each END_ASYNC_FOR is the handler of its loop's SEND.
  for (const MachineInstr &in : m.instrs)
    if (!linked.empty() && in.opcode == ops.SEND &&
        in.handler != MachineInstr::kNone &&
        in.target != MachineInstr::kNone) {
      uint32_t e = m.handlers[size_t(in.handler)].target;
      if (e < m.instrs.size() && m.instrs[e].opcode == ops.END_ASYNC_FOR &&
          m.instrs[e].target == int32_t(e) && uint32_t(in.target) < e) {
        // Where the SEND's CLEANUP_THROW falls into that END_SEND, CPython
        // names the CLEANUP_THROW (its block and the END_SEND's are one
        // place in its layout).
        int32_t to = in.target;
        if (to > 0 && m.instrs[size_t(to) - 1].opcode == ops.CLEANUP_THROW)
          --to;
        m.instrs[e].target = to;
      }
    }
  return linked;
}

Expected<std::shared_ptr<CodeObject>>
lowerWith(const Function &f, const OpcodeSet &ops, const OpcodeTable &table,
          LoweringReport &report, const LoweringOptions &options) {
  FunctionLowering lowering(f, table, ops, report);
  Status ran = lowering.run();
  report.constructed += lowering.constructedShuffles();
  if (!ran)
    return ran.error();
  MachineCode &m = lowering.machine;
  if (Status s = checkNullSafety(table, m); !s)
    return Error("function '" + f.qualName.utf8 + "': " + s.error().message);
  report.borrowed += borrowLoads(table, m);
  std::vector<size_t> linked = linkEndAsyncFor(table, ops, m);
  Expected<AssembledCode> assembled = assemble(table, m);
  if (!assembled)
    return Error("function '" + f.qualName.utf8 +
                 "': " + assembled.error().message);
  for (size_t e : linked) // the argument is set; it is no edge
    m.instrs[e].target = MachineInstr::kNone;
  Expected<int32_t> depth =
      computeStackDepth(table, m, lowering.blockEntries);
  if (!depth)
    return Error("function '" + f.qualName.utf8 +
                 "': " + depth.error().message);

  auto code = std::make_shared<CodeObject>();
  Error childError;
  bool childFailed = false;
  f.copyMetadataTo(*code, [&](const Function &child)
                              -> std::shared_ptr<const CodeObject> {
    Expected<std::shared_ptr<CodeObject>> c =
        lowerWith(child, ops, table, report, LoweringOptions());
    if (!c) {
      if (!childFailed)
        childError = c.error();
      childFailed = true;
      return std::make_shared<CodeObject>();
    }
    return *c;
  });
  if (childFailed)
    return childError;
  code->code = std::move(assembled->code);
  code->stackSize =
      std::max(*depth, f.minStackSize);
  const std::vector<uint32_t> &offsets = assembled->unitOffsets;
  LocationTableEncoder lines(f.version(), f.firstLineNo);
  for (size_t i = 0; i < m.instrs.size(); ++i)
    lines.addInstruction(m.instrs[i].location, offsets[i + 1] - offsets[i]);
  code->lineTable = lines.finish();
  code->exceptionTable = buildExceptionTable(m, offsets);
  ++report.codeObjects;
  return code;
}

} // namespace

namespace {
/// What one path of one instruction does to the stack, as the NULL safety
/// net sees it.
struct NullShape {
  bool valid = false; ///< the opcode has a signature for this argument
  uint32_t inputs = 0, outputs = 0;
  /// stackEffect() plus stackDepthCorrection(), where stackEffect() has one.
  std::optional<int> effect;
  /// Each output slot, deepest first (OpcodeTable::outputSlots); filled
  /// only where asked for (see NullSafetyOpcodes::shape).
  llvm::SmallVector<OpcodeTable::OutputSlot, 4> slots;

  /// Computes the shape of `op` with `arg`; `withSlots` fills `slots`.
  void compute(const OpcodeTable &table, uint8_t op, uint32_t arg, bool jump,
               bool withSlots) {
    std::optional<OpcodeTable::StackSlots> counts =
        withSlots ? table.outputSlots(op, arg, jump, slots)
                  : table.stackSlots(op, arg, jump);
    valid = counts.has_value();
    if (!valid)
      return;
    inputs = counts->inputs;
    outputs = counts->outputs;
    effect = table.stackEffect(op, arg, jump);
    if (effect)
      *effect += table.stackDepthCorrection(op);
  }
};

/// What the NULL safety net needs to know of each opcode, worked out once
/// per version instead of by name or signature per instruction.
struct NullSafetyOpcodes {
  const OpcodeTable *table;
  int copy = -1, popTop = -1;
  /// Opcodes that cannot raise: they do not reach their handler.
  std::array<bool, 256> cannotRaise{};
  /// Shapes worked out in advance for one path of one opcode.
  struct Shapes {
    /// The argument bits its shape depends on (OpcodeTable::stackArgBits).
    uint32_t argBits = UINT32_MAX;
    /// By `arg & argBits` when argBits < 256 (one shape for the many
    /// opcodes that ignore their argument, two for LOAD_GLOBAL), else by
    /// arguments below kSmallArgs (COPY 1, CALL 2); slots included.
    std::vector<NullShape> byArg;
  };
  static constexpr uint32_t kSmallArgs = 8;
  /// Per path (jump = 1) and opcode.
  std::array<std::array<Shapes, 256>, 2> known;

  explicit NullSafetyOpcodes(const OpcodeTable &table) : table(&table) {
    auto get = [&](const char *name) {
      std::optional<uint8_t> op = table.lookup(name);
      return op ? int(*op) : -1;
    };
    copy = get("COPY");
    // 3.14's POP_TOP pops a NULL as well (a `with`'s exit pops the
    // __exit__ method's self-or-NULL slot).
    popTop = table.version().atLeast(3, 14) ? -1 : get("POP_TOP");
    for (const char *name :
         {"NOP", "SWAP", "COPY", "LOAD_CONST", "LOAD_FAST", "PUSH_NULL",
          "STORE_FAST", "POP_TOP", "LOAD_FAST_AND_CLEAR"})
      if (std::optional<uint8_t> op = table.lookup(name))
        cannotRaise[*op] = true;
    for (unsigned op = 0; op < 256; ++op) {
      for (bool jump : {false, true}) {
        Shapes &shapes = known[jump][op];
        shapes.argBits = table.stackArgBits(uint8_t(op), jump);
        uint32_t count = shapes.argBits < 256 ? shapes.argBits + 1 : kSmallArgs;
        shapes.byArg.resize(count);
        for (uint32_t arg = 0; arg < count; ++arg)
          shapes.byArg[arg].compute(table, uint8_t(op), arg, jump, true);
      }
    }
  }

  /// The shape of `in` on one path: worked out in advance, or computed into
  /// `scratch` (with slots only if `withSlots`).
  const NullShape &shape(const MachineInstr &in, bool jump, bool withSlots,
                         NullShape &scratch) const {
    const Shapes &shapes = known[jump][in.opcode];
    uint32_t key = shapes.argBits < 256 ? in.arg & shapes.argBits : in.arg;
    if (key < shapes.byArg.size())
      return shapes.byArg[key];
    scratch.compute(*table, in.opcode, in.arg, jump, withSlots);
    return scratch;
  }

};

/// A stack's "may be NULL" flags, bottom first, for stacks of up to 64
/// slots: one word, copied and merged in a few instructions.
class NarrowNullFlags {
public:
  static constexpr size_t kCapacity = 64;
  size_t size() const { return size_; }
  bool test(size_t i) const { return (bits_ >> i) & 1; }
  bool none() const { return bits_ == 0; }
  /// Cuts to `n` slots, or adds non-NULL ones up to `n` (<= kCapacity).
  void resize(size_t n) {
    if (n < size_)
      bits_ &= n ? ~uint64_t(0) >> (64 - n) : 0;
    size_ = uint32_t(n);
  }
  void push(bool null) {
    bits_ |= uint64_t(null) << size_;
    ++size_;
  }
  /// Adds the flags of `other` (of the same size); whether any was new.
  bool merge(const NarrowNullFlags &other) {
    if (!(other.bits_ & ~bits_))
      return false;
    bits_ |= other.bits_;
    return true;
  }

private:
  uint32_t size_ = 0;
  uint64_t bits_ = 0;
};

/// The same for stacks of any depth.
class WideNullFlags {
public:
  static constexpr size_t kCapacity = SIZE_MAX;
  size_t size() const { return bits_.size(); }
  bool test(size_t i) const { return bits_[i]; }
  bool none() const { return bits_.none(); }
  void resize(size_t n) { bits_.resize(unsigned(n), false); }
  void push(bool null) { bits_.push_back(null); }
  bool merge(const WideNullFlags &other) {
    if (!other.bits_.test(bits_))
      return false;
    bits_ |= other.bits_;
    return true;
  }

private:
  llvm::BitVector bits_;
};

/// The NULL safety net's walk with flags of type `Flags`; nullopt when a
/// stack outgrows Flags::kCapacity.
template <typename Flags>
std::optional<Status> walkNullFlags(const NullSafetyOpcodes &ops,
                                    const MachineCode &code) {
  // Per instruction, the stack on entry as "may be NULL" flags, bottom
  // first; merged over all paths. An instruction without a signature, or
  // stacks that disagree in depth, end the walk on that path (StackDepth
  // reports real depth errors).
  const OpcodeTable &table = *ops.table;
  const std::vector<MachineInstr> &instrs = code.instrs;
  size_t n = instrs.size();
  std::vector<Flags> at(n);
  std::vector<uint8_t> reached(n, false);
  std::vector<uint32_t> work;
  auto reach = [&](size_t index, const Flags &stack) {
    if (index >= n)
      return;
    if (!reached[index]) {
      reached[index] = true;
      at[index] = stack;
      work.push_back(static_cast<uint32_t>(index));
    } else if (at[index].size() == stack.size() && at[index].merge(stack)) {
      work.push_back(static_cast<uint32_t>(index));
    }
  };
  if (n)
    reach(0, Flags());
  Flags stack, out;
  NullShape scratch;
  bool tooDeep = false;
  // The walk goes straight on to the next instruction while it reaches it
  // first, and takes the work list otherwise.
  uint32_t i = 0;
  bool straightOn = false;
  while (straightOn || !work.empty()) {
    if (!straightOn) {
      i = work.back();
      work.pop_back();
      stack = at[i];
    }
    straightOn = false;
    const MachineInstr &in = instrs[i];
    const OpcodeInfo *info = table.info(in.opcode);
    if (!info)
      continue;
    size_t size = stack.size();
    if (in.opcode == ops.copy && in.arg >= 1 && in.arg <= size &&
        stack.test(size - in.arg))
      return Status(Error("would COPY a NULL at instruction " +
                          std::to_string(i) + " (COPY " +
                          std::to_string(in.arg) + ")"));
    if (in.opcode == ops.popTop && size && stack.test(size - 1))
      return Status(Error("POP_TOP of a maybe-NULL value at instruction " +
                          std::to_string(i)));
    // Instructions that cannot raise do not reach their handler (a range
    // may start at the SWAP that puts a saved local below the iterator).
    if (in.handler != MachineInstr::kNone && !ops.cannotRaise[in.opcode]) {
      const ExceptionHandler &h = code.handlers[in.handler];
      if (h.depth <= size) {
        size_t entry = size_t(h.depth) + (h.lasti ? 1 : 0) + 1;
        if (entry > Flags::kCapacity)
          return std::nullopt;
        out = stack;
        out.resize(h.depth);
        out.resize(entry);
        reach(h.target, out);
      }
    }
    // When no output may be NULL and none can carry a NULL from the stack
    // (there is none, or every output is a new value), the slots below the
    // inputs keep their flags and the outputs are non-NULL: only the slot
    // counts are needed.
    bool newOutputs = !table.mayOutputNull(in.opcode) &&
                      (table.outputsAreNew(in.opcode) || stack.none());
    // The stack after `in` on one path into `out`; false where the walk
    // ends.
    auto after = [&](bool jump) {
      const NullShape &shape = ops.shape(in, jump, !newOutputs, scratch);
      if (!shape.valid || shape.inputs > size)
        return false;
      size_t base = size - shape.inputs;
      // The depth as StackDepth computes it (RETURN_GENERATOR's correction
      // included): the outputs are padded with non-NULL slots or cut to it.
      long want = shape.effect ? long(size) + *shape.effect
                               : long(base + shape.outputs);
      if (want < 0)
        return false;
      if (size_t(want) > Flags::kCapacity ||
          (!newOutputs && base + shape.outputs > Flags::kCapacity)) {
        tooDeep = true;
        return false;
      }
      out = stack;
      if (newOutputs) {
        // The slots below the inputs keep their flags; the rest are
        // non-NULL.
        out.resize(std::min(base, size_t(want)));
      } else {
        out.resize(base);
        for (const OpcodeTable::OutputSlot &slot : shape.slots)
          out.push(slot.source ? *slot.source >= 1 && *slot.source <= size &&
                                     stack.test(size - *slot.source)
                               : slot.maybeNull);
      }
      out.resize(size_t(want));
      return true;
    };
    if (in.target != MachineInstr::kNone && after(true))
      reach(static_cast<size_t>(in.target), out);
    if (tooDeep)
      return std::nullopt;
    if (info->flow == FlowKind::UnconditionalJump ||
        info->flow == FlowKind::ScopeExit)
      continue;
    if (after(false)) {
      if (i + 1 < n && !reached[i + 1]) {
        reached[i + 1] = true;
        at[i + 1] = out;
        std::swap(stack, out);
        ++i;
        straightOn = true;
      } else {
        reach(i + 1, out);
      }
    }
    if (tooDeep)
      return std::nullopt;
  }
  return Status::ok();
}
} // namespace

Status checkNullSafety(const OpcodeTable &table, const MachineCode &code) {
  const NullSafetyOpcodes &ops = versionFacts<NullSafetyOpcodes>(table);
  // Without an instruction that may push a NULL there is none to misuse
  // (the stack starts empty and handlers find no NULL).
  if (std::none_of(code.instrs.begin(), code.instrs.end(),
                   [&](const MachineInstr &in) {
                     return table.mayOutputNull(in.opcode);
                   }))
    return Status::ok();
  if (std::optional<Status> narrow = walkNullFlags<NarrowNullFlags>(ops, code))
    return *narrow;
  return *walkNullFlags<WideNullFlags>(ops, code);
}

Expected<std::shared_ptr<CodeObject>>
lowerFunction(const Function &function, LoweringReport *report,
              const LoweringOptions &options) {
  const OpcodeTable *table = OpcodeTable::forVersion(function.version());
  if (!table || function.version().minor < 11)
    return Error("lowering supports CPython 3.11 to 3.14, not " +
                 function.version().str());
  LoweringReport local;
  const OpcodeSet &ops = versionFacts<OpcodeSet>(*table);
  return lowerWith(function, ops, *table, report ? *report : local, options);
}

Expected<std::shared_ptr<CodeObject>> lowerModule(const Module &module,
                                                  LoweringReport *report) {
  if (!module.numFunctions())
    return Error("the module has no functions");
  return lowerFunction(*module.function(0), report);
}

} // namespace bcc
