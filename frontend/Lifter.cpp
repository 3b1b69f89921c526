//===- frontend/Lifter.cpp - CPython 3.11-3.14 bytecode to SSA IR ---------===//
//
// One FunctionLifter per code object: BytecodeCFG decodes and finds the
// blocks, then a worklist walks the CFG, interpreting the value stack
// abstractly. Dead code (blocks nothing reaches) is lifted last, with its
// depth inferred backwards from a successor whose depth is known, else
// from what its instructions need and its handler's depth. docs/lifter.md
// has the whole story.
//
// Opcode → operation (docs/ir.md section 3 and 9):
//   LOAD_CONST → const; 3.14 LOAD_SMALL_INT → small_int,
//   LOAD_COMMON_CONSTANT → common_const, NOT_TAKEN → not_taken,
//   LOAD_FAST_BORROW[_LOAD_FAST_BORROW] as LOAD_FAST[_LOAD_FAST];
//   RETURN_CONST → const + return; RETURN_VALUE →
//   return; PUSH_NULL → push_null; POP_TOP → drop; NOP → nop;
//   LOAD_FAST → load_fast_check on 3.11, load_fast later; LOAD_FAST_CHECK,
//   LOAD_FAST_AND_CLEAR, STORE_FAST, DELETE_FAST, *_DEREF, LOAD_CLOSURE,
//   MAKE_CELL, COPY_FREE_VARS, *_GLOBAL, *_NAME, LOAD_ATTR / 3.11
//   LOAD_METHOD, STORE_ATTR, DELETE_ATTR, TO_BOOL → their operations;
//   3.13 LOAD_FAST_LOAD_FAST, STORE_FAST_STORE_FAST, STORE_FAST_LOAD_FAST →
//   two operations with the same offset; KW_NAMES → const passed as the
//   next call's kwnames; 3.11 PRECALL + CALL → one call with PRECALL's
//   offset and location; CALL, CALL_KW → call; JUMP_FORWARD, JUMP_BACKWARD
//   → br with the offset; POP_JUMP_* → cond_br; COPY and SWAP → nothing
//   (they permute the abstract stack); everything else → py, with operands
//   and results from the version's stack signature.
//
// A py instruction's operands are the stack slots it pops on either path
// plus the slots it peeks at (marked), in stack order; its results are the
// values it pushes, as many as the larger of its two paths pushes, each a
// new value (also where CPython moves an input, as PUSH_EXC_INFO does).
// Each edge gets the stack its own path leaves.
//
//===----------------------------------------------------------------------===//

#include "frontend/Lifter.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <deque>

#include "frontend/BytecodeCFG.h"
#include "frontend/LineTable.h"
#include "ir/IR.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Compiler.h"

namespace bcc {
namespace {

/// What the lifter does with an opcode.
enum class Kind : uint8_t {
  Py,
  LoadConst,
  SmallInt,
  CommonConst,
  NotTaken,
  ReturnConst,
  ReturnValue,
  PushNull,
  PopTop,
  Nop,
  LoadFast,
  LoadFastCheck,
  LoadFastAndClear,
  LoadFastLoadFast,
  LoadFastStrong,         ///< 3.14+ LOAD_FAST: CPython did not borrow
  LoadFastLoadFastStrong, ///< 3.14+ LOAD_FAST_LOAD_FAST
  StoreFast,
  StoreFastStoreFast,
  StoreFastLoadFast,
  DeleteFast,
  LoadDeref,
  StoreDeref,
  DeleteDeref,
  LoadClosure,
  MakeCell,
  CopyFreeVars,
  LoadGlobal,
  StoreGlobal,
  DeleteGlobal,
  LoadName,
  StoreName,
  DeleteName,
  LoadAttr,
  LoadMethod,
  StoreAttr,
  DeleteAttr,
  KwNames,
  Precall,
  Call,
  CallKw,
  ToBool,
  Jump,
  JumpIfTrue,
  JumpIfFalse,
  JumpIfNone,
  JumpIfNotNone,
  Copy,
  Swap,
};

std::array<Kind, 256> classify(const OpcodeTable &table) {
  std::array<Kind, 256> kinds;
  kinds.fill(Kind::Py);
  auto set = [&](const char *name, Kind kind) {
    if (std::optional<uint8_t> number = table.lookup(name))
      kinds[*number] = kind;
  };
  bool is311 = table.version().minor == 11;
  set("LOAD_CONST", Kind::LoadConst);
  set("LOAD_SMALL_INT", Kind::SmallInt);
  set("LOAD_COMMON_CONSTANT", Kind::CommonConst);
  set("NOT_TAKEN", Kind::NotTaken);
  set("RETURN_CONST", Kind::ReturnConst);
  set("RETURN_VALUE", Kind::ReturnValue);
  set("PUSH_NULL", Kind::PushNull);
  set("POP_TOP", Kind::PopTop);
  set("NOP", Kind::Nop);
  // 3.14+: the lowering borrows where the rule of CPython's compiler allows
  // and CPython borrowed: a load it wrote as LOAD_FAST stays a strong one
  // (Instruction::isStrongLoad; docs/lowering.md).
  bool borrows = table.lookup("LOAD_FAST_BORROW").has_value();
  set("LOAD_FAST", is311     ? Kind::LoadFastCheck
                   : borrows ? Kind::LoadFastStrong
                             : Kind::LoadFast);
  set("LOAD_FAST_CHECK", Kind::LoadFastCheck);
  set("LOAD_FAST_AND_CLEAR", Kind::LoadFastAndClear);
  set("LOAD_FAST_LOAD_FAST",
      borrows ? Kind::LoadFastLoadFastStrong : Kind::LoadFastLoadFast);
  set("LOAD_FAST_BORROW", Kind::LoadFast);
  set("LOAD_FAST_BORROW_LOAD_FAST_BORROW", Kind::LoadFastLoadFast);
  set("STORE_FAST", Kind::StoreFast);
  set("STORE_FAST_STORE_FAST", Kind::StoreFastStoreFast);
  set("STORE_FAST_LOAD_FAST", Kind::StoreFastLoadFast);
  set("DELETE_FAST", Kind::DeleteFast);
  set("LOAD_DEREF", Kind::LoadDeref);
  set("STORE_DEREF", Kind::StoreDeref);
  set("DELETE_DEREF", Kind::DeleteDeref);
  set("LOAD_CLOSURE", Kind::LoadClosure);
  set("MAKE_CELL", Kind::MakeCell);
  set("COPY_FREE_VARS", Kind::CopyFreeVars);
  set("LOAD_GLOBAL", Kind::LoadGlobal);
  set("STORE_GLOBAL", Kind::StoreGlobal);
  set("DELETE_GLOBAL", Kind::DeleteGlobal);
  set("LOAD_NAME", Kind::LoadName);
  set("STORE_NAME", Kind::StoreName);
  set("DELETE_NAME", Kind::DeleteName);
  set("LOAD_ATTR", Kind::LoadAttr);
  set("LOAD_METHOD", Kind::LoadMethod);
  set("STORE_ATTR", Kind::StoreAttr);
  set("DELETE_ATTR", Kind::DeleteAttr);
  set("KW_NAMES", Kind::KwNames);
  set("PRECALL", Kind::Precall);
  set("CALL", Kind::Call);
  set("CALL_KW", Kind::CallKw);
  set("TO_BOOL", Kind::ToBool);
  set("JUMP_FORWARD", Kind::Jump);
  set("JUMP_BACKWARD", Kind::Jump);
  for (const char *prefix :
       {"POP_JUMP_IF_", "POP_JUMP_FORWARD_IF_", "POP_JUMP_BACKWARD_IF_"}) {
    std::string p = prefix;
    set((p + "TRUE").c_str(), Kind::JumpIfTrue);
    set((p + "FALSE").c_str(), Kind::JumpIfFalse);
    set((p + "NONE").c_str(), Kind::JumpIfNone);
    set((p + "NOT_NONE").c_str(), Kind::JumpIfNotNone);
  }
  set("COPY", Kind::Copy);
  set("SWAP", Kind::Swap);
  return kinds;
}

/// The largest co_stacksize lifted. CPython's compiler builds big
/// collections and calls in pieces and never comes near it; a larger value
/// in a file is refused rather than believed.
constexpr int32_t kMaxStackSize = 1 << 20;

/// A stack signature boiled down to what lifting needs, per path.
struct SignatureSummary {
  uint32_t popsFall = 0, pushesFall = 0, popsJump = 0, pushesJump = 0;
  /// The deepest peeked slot, counted before the fall-through pops; 0
  /// without peeks.
  uint32_t peekDepth = 0;
  llvm::SmallVector<uint32_t, 2> peeks; ///< fall-through path's peeked depths
};

/// The summary of `opcode` with `arg` into `summary`; false if the opcode
/// has no signature for `arg`.
bool summarize(const OpcodeTable &table, uint8_t opcode, uint32_t arg,
               SignatureSummary &summary) {
  std::optional<StackSignature> fall = table.signature(opcode, arg, false);
  if (!fall)
    return false;
  // An opcode that does not jump has one signature for both paths
  // (OpcodesTest checks it).
  const StackSignature *jump = &*fall;
  std::optional<StackSignature> jumpPath;
  if (const OpcodeInfo *info = table.info(opcode);
      !info || info->isJump() || info->flow == FlowKind::ConditionalJump) {
    if (!(jumpPath = table.signature(opcode, arg, true)))
      return false;
    jump = &*jumpPath;
  }
  summary.popsFall = fall->pops();
  summary.pushesFall = fall->pushes();
  summary.popsJump = jump->pops();
  summary.pushesJump = jump->pushes();
  for (uint32_t depth : fall->peekedDepths()) {
    summary.peeks.push_back(depth);
    summary.peekDepth = std::max(summary.peekDepth, summary.popsFall + depth);
  }
  return true;
}

/// What lifting needs to know of each opcode of a version, beyond the
/// opcode table (versionFacts: made once per version, on first use).
struct OpcodeFacts {
  /// Signatures are summarized in advance for every argument below this
  /// (or once, for an opcode whose signature ignores its argument);
  /// lifting asks for every instruction, and nearly all arguments are
  /// small.
  static constexpr uint32_t kDirectArgs = 32;

  explicit OpcodeFacts(const OpcodeTable &table) {
    kinds = classify(table);
    direct.fill(nullptr);
    for (unsigned op = 0; op < 256; ++op) {
      signatureUsesArgument[op] = table.signatureUsesArgument(uint8_t(op));
      uint32_t args = signatureUsesArgument[op] ? kDirectArgs : 1;
      for (uint32_t arg = 0; arg < args; ++arg) {
        SignatureSummary summary;
        if (summarize(table, uint8_t(op), arg, summary))
          direct[op * kDirectArgs + arg] =
              &summaries.emplace_back(std::move(summary));
      }
    }
  }

  std::array<Kind, 256> kinds;
  /// OpcodeTable::signatureUsesArgument().
  std::array<bool, 256> signatureUsesArgument;
  /// 256 x kDirectArgs summaries (argument 0's only for an opcode whose
  /// signature ignores the argument); null where there is no signature.
  std::array<const SignatureSummary *, 256 * kDirectArgs> direct;
  std::deque<SignatureSummary> summaries;
};

/// The summaries of one module's (opcode, argument) pairs: the version's
/// precomputed ones, and those of large arguments computed once each.
class SignatureCache {
public:
  explicit SignatureCache(const OpcodeTable &table)
      : table_(table), facts_(versionFacts<OpcodeFacts>(table)) {}

  /// The summary of `opcode` with `arg`; null if the opcode has no
  /// signature for `arg`. Summaries stay where they are as the cache grows.
  LLVM_ATTRIBUTE_ALWAYS_INLINE const SignatureSummary *lookup(uint8_t opcode,
                                                              uint32_t arg) {
    constexpr uint32_t kDirectArgs = OpcodeFacts::kDirectArgs;
    if (!facts_.signatureUsesArgument[opcode])
      return facts_.direct[size_t(opcode) * kDirectArgs];
    if (arg < kDirectArgs)
      return facts_.direct[size_t(opcode) * kDirectArgs + arg];
    return lookupLarge(opcode, arg);
  }

private:
  [[gnu::noinline]] const SignatureSummary *lookupLarge(uint8_t opcode,
                                                        uint32_t arg) {
    auto [it, inserted] =
        large_.try_emplace((uint64_t(opcode) << 32) | arg, nullptr);
    if (inserted) {
      SignatureSummary summary;
      if (summarize(table_, opcode, arg, summary))
        it->second = &summaries_.emplace_back(std::move(summary));
    }
    return it->second;
  }

  const OpcodeTable &table_;
  const OpcodeFacts &facts_;
  llvm::DenseMap<uint64_t, const SignatureSummary *> large_;
  std::deque<SignatureSummary> summaries_; ///< stable addresses
};

/// Per-block facts while lifting.
struct BlockState : BytecodeBlock {
  int32_t depth = -1; ///< entry stack depth; -1 = not yet known
  bool lifted = false;
  Block *block = nullptr;
};

/// What the code objects of one module share: tables computed once, and
/// storage that each FunctionLifter reuses (they run one after another).
struct ModuleContext {
  explicit ModuleContext(const OpcodeTable &table)
      : kinds(versionFacts<OpcodeFacts>(table).kinds), signatures(table) {}

  const std::array<Kind, 256> &kinds;
  SignatureCache signatures;
  BytecodeCFG cfg;
  std::vector<SourceLocation> locations;
  std::vector<BlockState> blocks;
  std::vector<uint32_t> worklist;
};

class FunctionLifter {
public:
  FunctionLifter(const CodeObject &code, Function &function,
                 const OpcodeTable &table, ModuleContext &context)
      : code_(code), function_(function), table_(table), kinds_(context.kinds),
        signatures_(context.signatures), cfg_(context.cfg), builder_(function),
        blocks_(context.blocks), worklist_(context.worklist),
        locations_(context.locations), is311_(table.version().minor == 11),
        borrows_(table.lookup("LOAD_FAST_BORROW").has_value()) {}

  Status run();

private:
  Error error(uint32_t offset, const std::string &message) const {
    return liftError(code_, offset, message);
  }
  std::string opname(const BytecodeInstruction &inst) const {
    return cfg_.opname(inst);
  }

  /// Records that `target` is entered with `stack`; fills `args`.
  Status enter(uint32_t target, llvm::ArrayRef<Value *> stack,
               uint32_t fromOffset);
  Status liftBlock(uint32_t index);
  Status liftInstruction(uint32_t index, BlockState &state, bool &skipNext,
                         const SignatureSummary *sig);
  /// `sig` is the instruction's summary, null if it has none.
  Status liftPy(uint32_t index, const SignatureSummary *sig);
  /// The least entry depth with which `state`'s instructions do not
  /// underflow, from the stack signatures alone.
  uint32_t requiredDepth(const BlockState &state);
  /// The entry depth of `state` that gives a successor whose depth is
  /// known its depth, if there is one.
  std::optional<uint32_t> depthFromSuccessor(const BlockState &state);
  /// The summary of `inst`; null if it has none.
  LLVM_ATTRIBUTE_ALWAYS_INLINE const SignatureSummary *
  signature(const BytecodeInstruction &inst) {
    return signatures_.lookup(inst.opcode, inst.arg);
  }
  /// Pops `n` values into `out` (stack order); false on underflow.
  bool pop(unsigned n, llvm::SmallVectorImpl<Value *> &out);
  Status underflow(const BytecodeInstruction &inst, unsigned needed) const {
    return error(inst.offset, "stack underflow: " + opname(inst) + " needs " +
                                  std::to_string(needed) +
                                  " values, the stack has " +
                                  std::to_string(stack_.size()));
  }
  void setOrigin(const BytecodeInstruction &inst);
  Status setDepth(BlockState &state, uint32_t depth, uint32_t fromOffset);

  const CodeObject &code_;
  Function &function_;
  const OpcodeTable &table_;
  const std::array<Kind, 256> &kinds_;
  SignatureCache &signatures_;
  BytecodeCFG &cfg_;
  IRBuilder builder_;

  std::vector<BlockState> &blocks_; ///< parallel to cfg_.blocks
  /// The block that starts at instruction `index` (a leader).
  BlockState &stateAt(uint32_t index) {
    return blocks_[size_t(cfg_.blockAt(index))];
  }
  std::vector<uint32_t> &worklist_;
  /// co_positions(), one per code unit the line table covers.
  std::vector<SourceLocation> &locations_;

  llvm::SmallVector<Value *, 32> stack_;
  llvm::SmallVector<Value *, 16> scratch_;
  llvm::SmallVector<StackOperand, 16> operands_;
  Value *pendingKwNames_ = nullptr;
  const bool is311_;
  const bool borrows_; ///< the version has LOAD_FAST_BORROW (3.14+)
};

Status FunctionLifter::setDepth(BlockState &state, uint32_t depth,
                                uint32_t fromOffset) {
  if (state.depth >= 0) {
    if (uint32_t(state.depth) == depth)
      return Status::ok();
    return error(fromOffset,
                 "stack depth mismatch at offset " +
                     std::to_string(cfg_.instructions[state.first].start) +
                     ": " + std::to_string(depth) +
                     " values arrive from offset " +
                     std::to_string(fromOffset) + ", but " +
                     std::to_string(state.depth) + " from elsewhere");
  }
  if (depth > uint32_t(code_.stackSize))
    return error(fromOffset,
                 std::to_string(depth) + " values on the stack at offset " +
                     std::to_string(cfg_.instructions[state.first].start) +
                     " exceed co_stacksize " + std::to_string(code_.stackSize));
  state.depth = int32_t(depth);
  for (uint32_t i = 0; i < depth; ++i)
    state.block->addParam();
  worklist_.push_back(uint32_t(&state - blocks_.data()));
  return Status::ok();
}

Status FunctionLifter::enter(uint32_t target, llvm::ArrayRef<Value *> stack,
                             uint32_t fromOffset) {
  return setDepth(stateAt(target), uint32_t(stack.size()), fromOffset);
}

bool FunctionLifter::pop(unsigned n, llvm::SmallVectorImpl<Value *> &out) {
  if (stack_.size() < n)
    return false;
  out.append(stack_.end() - n, stack_.end());
  stack_.resize(stack_.size() - n);
  return true;
}

void FunctionLifter::setOrigin(const BytecodeInstruction &inst) {
  size_t unit = inst.offset / 2;
  builder_.setOrigin(unit < locations_.size() ? locations_[unit]
                                              : SourceLocation::none(),
                     inst.offset);
}

Status FunctionLifter::liftInstruction(uint32_t index, BlockState &state,
                                       bool &skipNext,
                                       const SignatureSummary *sig) {
  const BytecodeInstruction &inst = cfg_.instructions[index];
  IRBuilder &b = builder_;
  setOrigin(inst);
  uint32_t arg = inst.arg;
  const bool is311 = is311_;
  auto push = [&](Value *v) { stack_.push_back(v); };
  auto strong = [](Value *v) {
    llvm::cast<InstResult>(v)->instruction()->setStrongLoad(true);
    return v;
  };
  auto pushResults = [&](Instruction *i) {
    for (unsigned r = 0; r < i->numResults(); ++r)
      stack_.push_back(i->result(r));
  };
  auto popOne = [&](Value *&out) {
    if (stack_.empty())
      return false;
    out = stack_.pop_back_val();
    return true;
  };
  auto nextInst = [&]() { return index + 1; };
  // The first of a run of COPY/SWAP gives the run's location to the next
  // instruction (the backend's hint for the moves it makes there).
  auto noteMove = [&]() {
    if (!b.hasPendingMoveLocation())
      b.setPendingMoveLocation(b.origin());
  };
  Value *v = nullptr, *w = nullptr;
  scratch_.clear();

  switch (kinds_[inst.opcode]) {
  case Kind::LoadConst:
    push(b.constant(arg));
    return Status::ok();
  case Kind::SmallInt:
    push(b.create(Op::SmallInt, arg, {}, 1)->result());
    return Status::ok();
  case Kind::CommonConst:
    push(b.create(Op::CommonConst, arg, {}, 1)->result());
    return Status::ok();
  case Kind::NotTaken:
    b.create(Op::NotTaken, 0, {}, 0);
    return Status::ok();
  case Kind::ReturnConst:
    b.ret(b.constant(arg));
    return Status::ok();
  case Kind::ReturnValue:
    if (!popOne(v))
      return underflow(inst, 1);
    b.ret(v);
    return Status::ok();
  case Kind::PushNull:
    push(b.pushNull());
    return Status::ok();
  case Kind::PopTop:
    if (!popOne(v))
      return underflow(inst, 1);
    b.drop(v);
    return Status::ok();
  case Kind::Nop:
    b.nop();
    return Status::ok();
  case Kind::LoadFast:
    push(b.loadFast(arg));
    return Status::ok();
  case Kind::LoadFastCheck:
    push(b.loadFastCheck(arg));
    return Status::ok();
  case Kind::LoadFastAndClear:
    push(b.loadFastAndClear(arg));
    return Status::ok();
  case Kind::LoadFastLoadFast:
    push(b.loadFast(arg >> 4));
    push(b.loadFast(arg & 15));
    return Status::ok();
  case Kind::LoadFastStrong:
    push(strong(b.loadFast(arg)));
    return Status::ok();
  case Kind::LoadFastLoadFastStrong:
    push(strong(b.loadFast(arg >> 4)));
    push(strong(b.loadFast(arg & 15)));
    return Status::ok();
  case Kind::StoreFast:
    if (!popOne(v))
      return underflow(inst, 1);
    b.storeFast(arg, v);
    return Status::ok();
  case Kind::StoreFastStoreFast:
    if (!popOne(v) || !popOne(w))
      return underflow(inst, 2);
    b.storeFast(arg >> 4, v);
    b.storeFast(arg & 15, w);
    return Status::ok();
  case Kind::StoreFastLoadFast:
    if (!popOne(v))
      return underflow(inst, 1);
    b.storeFast(arg >> 4, v);
    // 3.14+ never borrows this load (there is no such borrowing pair).
    push(borrows_ ? strong(b.loadFast(arg & 15)) : b.loadFast(arg & 15));
    return Status::ok();
  case Kind::DeleteFast:
    b.create(Op::DeleteFast, arg, {}, 0);
    return Status::ok();
  case Kind::LoadDeref:
    push(b.loadDeref(arg));
    return Status::ok();
  case Kind::StoreDeref:
    if (!popOne(v))
      return underflow(inst, 1);
    b.storeDeref(arg, v);
    return Status::ok();
  case Kind::DeleteDeref:
    b.create(Op::DeleteDeref, arg, {}, 0);
    return Status::ok();
  case Kind::LoadClosure:
    push(b.loadClosure(arg));
    return Status::ok();
  case Kind::MakeCell:
    b.makeCell(arg);
    return Status::ok();
  case Kind::CopyFreeVars:
    b.copyFreeVars(arg);
    return Status::ok();
  case Kind::LoadGlobal:
    pushResults(b.loadGlobal(arg >> 1, arg & 1));
    return Status::ok();
  case Kind::StoreGlobal:
    if (!popOne(v))
      return underflow(inst, 1);
    b.storeGlobal(arg, v);
    return Status::ok();
  case Kind::DeleteGlobal:
    b.create(Op::DeleteGlobal, arg, {}, 0);
    return Status::ok();
  case Kind::LoadName:
    push(b.loadName(arg));
    return Status::ok();
  case Kind::StoreName:
    if (!popOne(v))
      return underflow(inst, 1);
    b.storeName(arg, v);
    return Status::ok();
  case Kind::DeleteName:
    b.create(Op::DeleteName, arg, {}, 0);
    return Status::ok();
  case Kind::LoadAttr:
    if (!popOne(v))
      return underflow(inst, 1);
    if (is311)
      pushResults(b.loadAttr(arg, v, false));
    else
      pushResults(b.loadAttr(arg >> 1, v, arg & 1));
    return Status::ok();
  case Kind::LoadMethod:
    if (!popOne(v))
      return underflow(inst, 1);
    pushResults(b.loadAttr(arg, v, true));
    return Status::ok();
  case Kind::StoreAttr:
    if (!popOne(w) || !popOne(v))
      return underflow(inst, 2);
    b.storeAttr(arg, v, w);
    return Status::ok();
  case Kind::DeleteAttr:
    if (!popOne(v))
      return underflow(inst, 1);
    b.create(Op::DeleteAttr, arg, {v}, 0);
    return Status::ok();
  case Kind::KwNames:
    pendingKwNames_ = b.constant(arg);
    return Status::ok();
  case Kind::Precall: {
    // 3.11: PRECALL n; CALL n is one call, with PRECALL's origin.
    uint32_t next = nextInst();
    if (next < state.end &&
        kinds_[cfg_.instructions[next].opcode] == Kind::Call &&
        cfg_.instructions[next].arg == arg) {
      skipNext = true;
      break; // lifted as the call below
    }
    return Status(error(inst.offset, "PRECALL " + std::to_string(arg) +
                                         " is not followed by CALL " +
                                         std::to_string(arg)));
  }
  case Kind::Call:
    if (is311)
      return Status(error(inst.offset, "CALL " + std::to_string(arg) +
                                           " without its PRECALL"));
    break;
  case Kind::CallKw: {
    if (!popOne(v))
      return underflow(inst, arg + 3);
    pendingKwNames_ = v;
    break;
  }
  case Kind::ToBool:
    if (!popOne(v))
      return underflow(inst, 1);
    push(b.toBool(v));
    return Status::ok();
  case Kind::Jump:
    if (Status s = enter(uint32_t(inst.target), stack_, inst.offset); !s)
      return s;
    b.br(stateAt(uint32_t(inst.target)).block, stack_);
    return Status::ok();
  case Kind::JumpIfTrue:
  case Kind::JumpIfFalse:
  case Kind::JumpIfNone:
  case Kind::JumpIfNotNone: {
    if (!popOne(v))
      return underflow(inst, 1);
    if (index + 1 >= cfg_.instructions.size())
      return error(inst.offset, "the code ends after a conditional jump");
    Status s = enter(uint32_t(inst.target), stack_, inst.offset);
    if (s)
      s = enter(index + 1, stack_, inst.offset);
    if (!s)
      return s;
    BranchTest test =
        kinds_[inst.opcode] == Kind::JumpIfTrue    ? BranchTest::IfTrue
        : kinds_[inst.opcode] == Kind::JumpIfFalse ? BranchTest::IfFalse
        : kinds_[inst.opcode] == Kind::JumpIfNone  ? BranchTest::IfNone
                                                   : BranchTest::IfNotNone;
    b.condBr(test, v, {stateAt(uint32_t(inst.target)).block, stack_},
             {stateAt(index + 1).block, stack_});
    return Status::ok();
  }
  case Kind::Copy:
    if (arg < 1 || stack_.size() < arg)
      return underflow(inst, std::max(arg, 1u));
    push(stack_[stack_.size() - arg]);
    noteMove();
    return Status::ok();
  case Kind::Swap:
    if (arg < 2 || stack_.size() < arg)
      return underflow(inst, std::max(arg, 2u));
    std::swap(stack_.back(), stack_[stack_.size() - arg]);
    noteMove();
    return Status::ok();
  case Kind::Py:
    return liftPy(index, sig);
  }

  // A call: CALL (3.12, 3.13), CALL_KW (3.13, kwnames popped above), or
  // 3.11's PRECALL with its CALL.
  if (!pop(arg + 2, scratch_))
    return underflow(inst, arg + 2);
  Value *call =
      b.call(scratch_[0], scratch_[1],
             llvm::ArrayRef<Value *>(scratch_).drop_front(2), pendingKwNames_);
  pendingKwNames_ = nullptr;
  push(call);
  return Status::ok();
}

Status FunctionLifter::liftPy(uint32_t index, const SignatureSummary *sig) {
  const BytecodeInstruction &inst = cfg_.instructions[index];
  if (!sig)
    return error(inst.offset, "no stack signature for " + opname(inst) + " " +
                                  std::to_string(inst.arg));
  FlowKind flow = inst.info->flow;
  bool conditional = flow == FlowKind::ConditionalJump;
  uint32_t pops =
      conditional ? std::max(sig->popsFall, sig->popsJump) : sig->popsFall;
  uint32_t pushes = conditional ? std::max(sig->pushesFall, sig->pushesJump)
                                : sig->pushesFall;
  uint32_t size = uint32_t(stack_.size());
  uint32_t deepest = std::max(pops, sig->peekDepth);
  llvm::ArrayRef<uint32_t> peeks = sig->peeks;
  if (size < deepest)
    return underflow(inst, deepest);

  // Operands: the peeked slots and the popped ones, in stack order.
  operands_.clear();
  uint32_t firstPopped = size - pops;
  uint32_t lowest = size - deepest;
  for (uint32_t slot = lowest; slot < size; ++slot) {
    bool peeked = false;
    for (uint32_t depth : peeks)
      peeked |= slot == size - sig->popsFall - depth;
    if (peeked || slot >= firstPopped)
      operands_.push_back({stack_[slot], peeked});
  }

  // Successors first without arguments: a path's stack may hold results.
  llvm::SmallVector<BranchTarget, 2> targets;
  if (flow == FlowKind::ConditionalJump ||
      flow == FlowKind::UnconditionalJump) {
    if (inst.target < 0)
      return error(inst.offset, opname(inst) + " has no jump target");
    targets.push_back({stateAt(uint32_t(inst.target)).block});
  }
  if (flow == FlowKind::ConditionalJump) {
    if (index + 1 >= cfg_.instructions.size())
      return error(inst.offset, "the code ends after a conditional jump");
    targets.push_back({stateAt(index + 1).block});
  }
  Instruction *py =
      builder_.createPy(inst.opcode, inst.arg, operands_, pushes, targets);
  auto pathStack = [&](uint32_t pathPops, uint32_t pathPushes) {
    scratch_.assign(stack_.begin(), stack_.begin() + (size - pathPops));
    for (uint32_t r = 0; r < pathPushes; ++r)
      scratch_.push_back(py->result(r));
  };
  if (flow == FlowKind::ConditionalJump ||
      flow == FlowKind::UnconditionalJump) {
    pathStack(sig->popsJump, sig->pushesJump);
    if (Status s = enter(uint32_t(inst.target), scratch_, inst.offset); !s)
      return s;
    py->successor(0).setArgs(scratch_);
  }
  if (flow == FlowKind::ConditionalJump) {
    pathStack(sig->popsFall, sig->pushesFall);
    if (Status s = enter(index + 1, scratch_, inst.offset); !s)
      return s;
    py->successor(1).setArgs(scratch_);
  }
  // The fall-through stack.
  stack_.resize(size - sig->popsFall);
  for (uint32_t r = 0; r < sig->pushesFall; ++r)
    stack_.push_back(py->result(r));
  return Status::ok();
}

uint32_t FunctionLifter::requiredDepth(const BlockState &state) {
  int64_t height = 0, required = 0;
  for (uint32_t i = state.first; i < state.end; ++i) {
    const SignatureSummary *sig = signature(cfg_.instructions[i]);
    if (!sig)
      break; // liftPy reports it
    int64_t need =
        std::max(std::max(sig->popsFall, sig->popsJump), sig->peekDepth);
    required = std::max(required, need - height);
    height += int64_t(sig->pushesFall) - int64_t(sig->popsFall);
  }
  return uint32_t(required);
}

std::optional<uint32_t>
FunctionLifter::depthFromSuccessor(const BlockState &state) {
  int64_t height = 0;
  for (uint32_t i = state.first; i + 1 < state.end; ++i) {
    const SignatureSummary *sig = signature(cfg_.instructions[i]);
    if (!sig)
      return std::nullopt;
    height += int64_t(sig->pushesFall) - int64_t(sig->popsFall);
  }
  const BytecodeInstruction &last = cfg_.instructions[state.end - 1];
  const SignatureSummary *sig = signature(last);
  if (!sig)
    return std::nullopt;
  auto from = [&](uint32_t targetInst, uint32_t pops,
                  uint32_t pushes) -> std::optional<uint32_t> {
    const BlockState &target = stateAt(targetInst);
    int64_t depth = target.depth - (height + int64_t(pushes) - int64_t(pops));
    if (target.depth < 0 || depth < int64_t(requiredDepth(state)))
      return std::nullopt;
    return uint32_t(depth);
  };
  std::optional<uint32_t> depth;
  if (last.target >= 0)
    depth = from(uint32_t(last.target), sig->popsJump, sig->pushesJump);
  if (!depth && state.end < cfg_.instructions.size() &&
      (last.info->flow == FlowKind::Normal ||
       last.info->flow == FlowKind::ConditionalJump))
    depth = from(state.end, sig->popsFall, sig->pushesFall);
  return depth;
}

Status FunctionLifter::liftBlock(uint32_t index) {
  BlockState &state = blocks_[index];
  state.lifted = true;
  Block *block = state.block;
  stack_.assign(block->params().begin(), block->params().end());
  pendingKwNames_ = nullptr;
  if (state.handler >= 0) {
    const ExceptionTableEntry &entry = cfg_.handlers[size_t(state.handler)];
    if (stack_.size() < entry.depth)
      return error(cfg_.instructions[state.first].offset,
                   "the exception handler at offset " +
                       std::to_string(entry.target) + " unwinds to depth " +
                       std::to_string(entry.depth) + ", but the stack has " +
                       std::to_string(stack_.size()));
    BlockState &handler = stateAt(uint32_t(cfg_.instructionAt(entry.target)));
    block->setHandler(handler.block, entry.depth, entry.lasti,
                      llvm::ArrayRef<Value *>(stack_).take_front(entry.depth));
  }
  builder_.setInsertPoint(block);
  builder_.clearPendingMoveLocation();
  bool skipNext = false;
  for (uint32_t i = state.first; i < state.end; ++i) {
    if (skipNext) {
      skipNext = false;
      continue;
    }
    // CPython's frame has co_stacksize slots; bytecode that needs more
    // would write past them (and a huge push count must not allocate).
    const SignatureSummary *sig = signature(cfg_.instructions[i]);
    if (sig && int64_t(stack_.size()) - int64_t(sig->popsFall) +
                       int64_t(sig->pushesFall) >
                   int64_t(code_.stackSize))
      return error(cfg_.instructions[i].offset,
                   "the stack would grow past co_stacksize " +
                       std::to_string(code_.stackSize));
    if (Status s = liftInstruction(i, state, skipNext, sig); !s)
      return s;
  }
  if (Instruction *last = block->empty() ? nullptr : &block->back();
      last && last->isTerminator())
    return Status::ok();
  // Falls into the next block.
  const BytecodeInstruction &lastInst = cfg_.instructions[state.end - 1];
  if (state.end >= cfg_.instructions.size())
    return error(lastInst.offset, "execution runs past the end of the code");
  if (Status s = enter(state.end, stack_, lastInst.offset); !s)
    return s;
  builder_.clearOrigin();
  builder_.br(blocks_[index + 1].block, stack_);
  return Status::ok();
}

Status FunctionLifter::run() {
  if (Status lines = LineTable::decodeLocations(code_, locations_); !lines)
    return Error("code object '" + code_.qualName.utf8 +
                 "': line table: " + lines.error().message);
  if (code_.stackSize < 0 || code_.stackSize > kMaxStackSize)
    return Error("code object '" + code_.qualName.utf8 + "': co_stacksize " +
                 std::to_string(code_.stackSize) + " is out of range (0-" +
                 std::to_string(kMaxStackSize) + ")");
  if (Status s = cfg_.build(code_, table_); !s)
    return s;
  blocks_.clear();
  blocks_.resize(cfg_.blocks.size());
  worklist_.clear();
  for (size_t i = 0; i < cfg_.blocks.size(); ++i) {
    static_cast<BytecodeBlock &>(blocks_[i]) = cfg_.blocks[i];
    blocks_[i].block = builder_.createBlock();
  }
  // Handlers' depths are known from the table.
  for (const ExceptionTableEntry &entry : cfg_.handlers) {
    BlockState &handler = stateAt(uint32_t(cfg_.instructionAt(entry.target)));
    if (Status s =
            setDepth(handler, entry.depth + entry.lasti + 1, entry.start);
        !s)
      return s;
  }
  if (Status s = setDepth(blocks_[0], 0, 0); !s)
    return s;
  // Then every block reached from them; blocks nothing reaches are lifted
  // last, in order.
  size_t nextUnreached = 0;
  while (true) {
    while (!worklist_.empty()) {
      uint32_t index = worklist_.back();
      worklist_.pop_back();
      if (blocks_[index].lifted)
        continue;
      if (Status s = liftBlock(index); !s)
        return s;
    }
    while (nextUnreached < blocks_.size() && blocks_[nextUnreached].lifted)
      ++nextUnreached;
    if (nextUnreached == blocks_.size())
      break;
    // Dead code CPython left in place (after a jump, and not a target): its
    // stack is unknown. Where it flows into a block whose depth is known,
    // the depth follows backwards; otherwise it is at least what its
    // instructions need, and inside a handler's range at least the
    // handler's depth.
    BlockState *dead = nullptr;
    uint32_t depth = 0;
    for (size_t i = blocks_.size(); i-- > nextUnreached && !dead;)
      if (!blocks_[i].lifted && blocks_[i].depth < 0)
        if (std::optional<uint32_t> inferred = depthFromSuccessor(blocks_[i])) {
          dead = &blocks_[i];
          depth = *inferred;
        }
    if (!dead) {
      dead = &blocks_[nextUnreached];
      depth = std::max(
          dead->handler >= 0 ? cfg_.handlers[size_t(dead->handler)].depth : 0,
          requiredDepth(*dead));
    }
    if (Status s =
            setDepth(*dead, depth, cfg_.instructions[dead->first].offset);
        !s)
      return s;
  }
  return Status::ok();
}

/// Makes the function of `code` and its children, in pre-order.
Function *liftCode(Module &module, const CodeObject &code,
                   ModuleContext &context, std::optional<Error> &firstError) {
  Function *function = module.createFunction();
  function->copyMetadataFrom(code, [&](const CodeObject &child) {
    return liftCode(module, child, context, firstError);
  });
  if (firstError)
    return function;
  const OpcodeTable &table = *OpcodeTable::forVersion(code.version);
  FunctionLifter lifter(code, *function, table, context);
  if (Status s = lifter.run(); !s)
    firstError = s.error();
  return function;
}

} // namespace

Expected<std::unique_ptr<Module>> liftModule(const CodeObject &root) {
  if (!root.version.hasIR())
    return Error("bcc lifts CPython 3.11 to 3.14 bytecode, not " +
                 root.version.str() + " (code object '" + root.qualName.utf8 +
                 "')");
  const OpcodeTable *table = OpcodeTable::forVersion(root.version);
  if (!table)
    return Error("no opcode table for CPython " + root.version.str());
  ModuleContext context(*table);
  auto module = std::make_unique<Module>(root.version);
  std::optional<Error> firstError;
  liftCode(*module, root, context, firstError);
  if (firstError)
    return std::move(*firstError);
  return module;
}

} // namespace bcc
