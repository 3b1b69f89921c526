//===- passes/InlineRewrite.cpp - The rewrite of an inlined call ----------===//
//
// inlineCall() (passes/Inliner.h): the call's block is split around the
// callee's load and the call; the arguments are bound, the callee's blocks
// copied in with the caller's live values threaded through them, and, when
// guarded, the original load, arguments and call kept at the end of the
// function for when the guard fails. The guard compares with a slot of the
// module's `_bcc_guards` list, which guardIndex() makes.
//
//===----------------------------------------------------------------------===//

#include "ir/CallProtocol.h"
#include "ir/CodeObject.h"
#include "passes/IRUtils.h"
#include "passes/Inliner.h"
#include "llvm/ADT/DenseMap.h"

namespace bcc {

namespace {

/// The module global that holds the functions guards compare with.
constexpr const char *kGuardTable = "_bcc_guards";

/// The index of `name`'s function in the module's guard table, made on
/// first use: the module's code starts with `_bcc_guards = [None] * N` and
/// stores each guarded function into its slot right where it binds it, so
/// that a guard is `NAME is _bcc_guards[i]` and nothing else is added to
/// the module's namespace.
unsigned guardIndex(Module &module, const std::string &name,
                    PassContext &context) {
  Function *top = module.topLevel();
  const PyOps &ops = pyOps(module.version());
  Instruction *extend = nullptr; // LIST_EXTEND of the table's Nones
  Instruction *store = nullptr;  // the module's binding of `name`
  unsigned entries = 0;
  for (Block &block : *top)
    for (Instruction &inst : block) {
      if ((inst.is(Op::StoreName) || inst.is(Op::StoreGlobal)) &&
          top->names[inst.nameIndex()].utf8 == name)
        store = &inst;
      if (isPy(inst, ops.STORE_SUBSCR) && inst.numOperands() == 3) {
        const Instruction *table = definer(inst.operand(1));
        const Constant *key = constantOf(inst.operand(2));
        if (table && table->is(Op::LoadName) &&
            top->names[table->nameIndex()].utf8 == kGuardTable && key &&
            key->is(ConstantKind::Int)) {
          ++entries;
          // Already stored for this function?
          for (const Use &u : inst.operand(0)->uses()) {
            Instruction *other = u.user();
            if (other && (other->is(Op::StoreName) ||
                          other->is(Op::StoreGlobal)) &&
                top->names[other->nameIndex()].utf8 == name)
              return unsigned(key->asInt().small);
          }
        }
      }
      if (isPy(inst, ops.LIST_EXTEND) && inst.numOperands() == 2)
        for (const Use &u : inst.operand(0)->uses())
          if (u.user() && u.user()->is(Op::StoreName) &&
              top->names[u.user()->nameIndex()].utf8 == kGuardTable)
            extend = &inst;
    }
  assert(store && "a function bound once has its store in the module code");
  IRBuilder b(*top);
  unsigned tableName = top->addName(kGuardTable);
  if (!extend) {
    // _bcc_guards = [] ; _bcc_guards.extend((None,) * N), first thing.
    Block *entry = top->entry();
    auto at = entry->begin();
    while (at != entry->end() && isPy(*at, ops.RESUME))
      ++at;
    b.setInsertPoint(&*at);
    b.clearOrigin();
    Value *list = b.createPy(uint8_t(ops.BUILD_LIST), 0, {}, 1)->result(0);
    Value *nones = b.constant(top->addConstant(Constant::tuple({})));
    extend = b.createPy(uint8_t(ops.LIST_EXTEND), 1,
                        {{list, true}, {nones, false}}, 0);
    b.storeName(tableName, list);
  }
  // One more None in the table.
  Instruction *nones = definer(extend->operand(1));
  Constant::Elements slots(entries + 1, Constant::none());
  nones->setImmediate(top->addConstant(Constant::tuple(std::move(slots))));
  // _bcc_guards[entries] = the function, right after the module binds it.
  auto next = std::next(store->getIterator());
  b.setInsertPoint(&*next);
  b.setOrigin(store->location());
  Value *table = b.loadName(tableName);
  Value *key = b.constant(top->addConstant(Constant::integer(entries)));
  b.createPy(uint8_t(ops.STORE_SUBSCR), 0,
             {{store->operand(0)}, {table}, {key}}, 0);
  context.markChanged(*top);
  return entries;
}

class InlineRewrite {
public:
  InlineRewrite(const CallSite &site, Function &callee,
                const ArgumentBinding &arguments, bool guarded,
                PassContext &context)
      : site_(site), call_(*site.call), callee_(callee),
        arguments_(arguments), guarded_(guarded), context_(context),
        f_(*site.call->function()), where_(site.call->location()) {}

  void run();

private:
  /// How a parameter's reads become the caller's.
  struct ParameterPlan {
    bool substitute = false;
    unsigned operand = 0;       ///< Operand source: the call operand
    bool fromOperand = false;
    ConstantRef value;          ///< Default source
  };

  void planParameters();
  void allocateLocals();
  void buildFast();
  void bindParameters();
  void cloneBody();
  /// The caller's copy of a callee value; null only for a terminator's
  /// own results while its edges are being made (fixed right after).
  Value *mapValue(Value *v) const { return values_.lookup(v); }
  Instruction *cloneArgument(IRBuilder &b, const Instruction &inst);

  const CallSite &site_;
  Instruction &call_;
  Function &callee_;
  const ArgumentBinding &arguments_;
  bool guarded_;
  PassContext &context_;
  Function &f_;
  SourceLocation where_;

  std::vector<ParameterPlan> plans_;
  /// Callee localsplus slot -> caller slot, for the slots that get one.
  llvm::DenseMap<unsigned, unsigned> slots_;
  Block *mid_ = nullptr, *join_ = nullptr, *fast_ = nullptr;
  /// In `fast_`: the value each call operand has.
  llvm::SmallVector<Value *, 8> operandValues_;
  /// Join's arguments: which come from the fast block (by parameter of
  /// mid), and where the call's result goes (-1: unused).
  llvm::SmallVector<int, 8> carriedParam_;
  int resultIndex_ = -1;
  llvm::DenseMap<Value *, Value *> values_;
  llvm::DenseMap<const Block *, Block *> blocks_;
};

void InlineRewrite::planParameters() {
  plans_.resize(arguments_.parameters.size());
  for (unsigned p = 0; p < arguments_.parameters.size(); ++p) {
    const ArgumentBinding::Source &s = arguments_.parameters[p];
    ParameterPlan &plan = plans_[p];
    bool written = writesLocal(callee_, p);
    if (s.kind == ArgumentBinding::Source::Default) {
      plan.value = s.value;
      plan.substitute = !written;
    } else if (s.kind == ArgumentBinding::Source::Operand) {
      plan.fromOperand = true;
      plan.operand = s.operand;
      Instruction *def = definer(call_.operand(s.operand));
      bool simple = def && (def->is(Op::Const) || def->is(Op::LoadFast) ||
                            def->is(Op::LoadFastCheck));
      if (simple && !def->is(Op::Const)) {
        // The local must not change between its read and the call.
        for (auto it = std::next(def->getIterator()); &*it != &call_; ++it)
          if ((it->is(Op::StoreFast) || it->is(Op::DeleteFast) ||
               it->is(Op::LoadFastAndClear)) &&
              it->localIndex() == def->localIndex())
            simple = false;
      }
      plan.substitute = simple && !written;
    }
  }
}

void InlineRewrite::allocateLocals() {
  // Every slot the body touches, except parameters read in place.
  llvm::SmallVector<unsigned, 8> needed;
  for (const Block &block : callee_)
    for (const Instruction &inst : block) {
      if (inst.info().immediate != ImmediateKind::Local)
        continue;
      unsigned slot = inst.localIndex();
      if (slot < plans_.size() && plans_[slot].substitute)
        continue;
      if (std::find(needed.begin(), needed.end(), slot) == needed.end())
        needed.push_back(slot);
    }
  // Parameters bound by a store need their slot even if only written.
  for (unsigned p = 0; p < plans_.size(); ++p)
    if (!plans_[p].substitute &&
        arguments_.parameters[p].kind != ArgumentBinding::Source::Absent &&
        std::find(needed.begin(), needed.end(), p) == needed.end())
      needed.push_back(p);
  std::sort(needed.begin(), needed.end());
  // addLocal renumbers the slots after the new one in the caller's code;
  // the indices it returned before stay valid (they come before it).
  for (unsigned slot : needed)
    slots_[slot] = addLocal(
        f_, site_.name + "." + callee_.localsPlus[slot].name.utf8, true);
}

Instruction *InlineRewrite::cloneArgument(IRBuilder &b,
                                          const Instruction &inst) {
  llvm::SmallVector<Value *, 4> operands;
  llvm::SmallVector<StackOperand, 4> stackOperands;
  for (const Use &u : inst.operandUses()) {
    Value *v = values_.lookup(u.get());
    assert(v && "an argument instruction uses a value of another block");
    operands.push_back(v);
    stackOperands.push_back({v, u.isPeeked()});
  }
  b.setOrigin(inst.location(), inst.offset());
  Instruction *copy =
      inst.is(Op::Py)
          ? b.createPy(inst.pyOpcode(), inst.pyOparg(), stackOperands,
                       inst.numResults())
          : b.create(inst.op(), inst.immediate(), operands, inst.numResults(),
                     {}, inst.hasOptionalOperand());
  copy->setMoveLocation(inst.moveLocation());
  copy->setStrongLoad(inst.isStrongLoad());
  for (unsigned i = 0; i < inst.numResults(); ++i)
    values_[inst.result(i)] = copy->result(i);
  return copy;
}

void InlineRewrite::buildFast() {
  Instruction &load = *site_.calleeLoad;
  Block *block = load.parent();
  join_ = splitBlockBefore(*std::next(call_.getIterator()));
  mid_ = splitBlockBefore(load);
  // Which of join's arguments the fast path carries, and the result's.
  Instruction *midJump = mid_->terminator();
  for (unsigned j = 0; j < midJump->successor(0).numArgs(); ++j) {
    Value *v = midJump->successor(0).arg(j);
    if (v == call_.result()) {
      resultIndex_ = int(j);
      carriedParam_.push_back(-1);
      continue;
    }
    auto *param = llvm::cast<BlockParam>(v); // findCallSite made sure
    carriedParam_.push_back(int(param->index()));
  }
  if (!guarded_) {
    fast_ = mid_;
    for (unsigned i = 0; i < mid_->numParams(); ++i)
      values_[mid_->param(i)] = mid_->param(i);
    for (auto it = std::next(load.getIterator()); &*it != &call_; ++it)
      for (InstResult &r : it->results())
        values_[&r] = &r;
  } else {
    fast_ = f_.createBlock(mid_);
    for (unsigned i = 0; i < mid_->numParams(); ++i)
      values_[mid_->param(i)] = fast_->addParam();
    if (mid_->hasHandler()) {
      llvm::SmallVector<Value *, 4> args;
      for (unsigned i = 0; i < mid_->handlerDepth(); ++i)
        args.push_back(fast_->param(i));
      fast_->setHandler(mid_->handler(), mid_->handlerDepth(),
                        mid_->handlerPushesLasti(), args);
    }
    IRBuilder b(f_);
    b.setInsertPoint(fast_);
    for (auto it = std::next(load.getIterator()); &*it != &call_; ++it)
      cloneArgument(b, *it);
    // The call itself goes out of the hot path.
    mid_->moveToEnd();
    // The guard, where the original loaded the callee.
    Instruction *jump = block->terminator();
    llvm::SmallVector<Value *, 8> passed;
    for (unsigned i = 0; i < jump->successor(0).numArgs(); ++i)
      passed.push_back(jump->successor(0).arg(i));
    IRBuilder g(f_);
    g.setInsertPoint(jump);
    g.setOrigin(load.location());
    unsigned slot = guardIndex(*f_.parent(), site_.name, context_);
    const PyOps &ops = pyOps(f_.version());
    Value *current = g.loadGlobal(load.nameIndex())->result(0);
    Value *table = g.loadGlobal(f_.addName(kGuardTable))->result(0);
    Value *key = g.constant(f_.addConstant(Constant::integer(slot)));
    Value *expected = createSubscript(g, ops, table, key);
    Value *same =
        g.createPy(uint8_t(ops.IS_OP), 0, {{current}, {expected}}, 1)->result(0);
    g.condBr(BranchTest::IfTrue, same, {fast_, passed}, {mid_, passed});
    jump->eraseFromParent();
    context_.markFallbackCall(call_);
  }
  for (unsigned k = 0; k < call_.numOperands(); ++k)
    operandValues_.push_back(values_.lookup(call_.operand(k)));
}

void InlineRewrite::bindParameters() {
  IRBuilder b(f_);
  b.setInsertPoint(fast_);
  b.setOrigin(where_);
  // Parameters that get a slot of their own, the last argument first (it
  // is on top of the stack).
  for (unsigned p = unsigned(plans_.size()); p-- > 0;) {
    const ParameterPlan &plan = plans_[p];
    const ArgumentBinding::Source &s = arguments_.parameters[p];
    if (plan.substitute || s.kind == ArgumentBinding::Source::Absent)
      continue;
    Value *value = s.kind == ArgumentBinding::Source::Operand
                       ? operandValues_[s.operand]
                       : b.constant(f_.addConstant(plan.value));
    b.storeFast(slots_.lookup(p), value);
  }
  // Arguments nobody consumes now: removable ones go, others are dropped
  // (their evaluation had effects that stay).
  llvm::SmallVector<Value *, 8> consumed;
  for (unsigned p = 0; p < plans_.size(); ++p)
    if (!plans_[p].substitute && plans_[p].fromOperand)
      consumed.push_back(operandValues_[plans_[p].operand]);
  for (unsigned k = operandValues_.size(); k-- > 2;) {
    Value *v = operandValues_[k];
    if (!v || std::find(consumed.begin(), consumed.end(), v) != consumed.end())
      continue;
    if (v->hasUses())
      continue; // a value passed twice, already stored
    Instruction *def = definer(v);
    if (def && def->numResults() == 1 && isRemovableWhenUnused(*def) &&
        def->parent() == fast_)
      continue; // left for dce
    b.drop(v);
  }
}

void InlineRewrite::cloneBody() {
  const PyOps &ops = pyOps(f_.version());
  // The values fast carries to join, in join's order.
  llvm::SmallVector<Value *, 8> carriedInFast;
  for (int param : carriedParam_)
    if (param >= 0)
      carriedInFast.push_back(values_.lookup(mid_->param(unsigned(param))));
  unsigned carried = unsigned(carriedInFast.size());
  // The callee's reachable blocks, in its order, before join.
  callee_.renumber();
  std::vector<bool> reached = reachableBlocks(callee_);
  llvm::DenseMap<const Block *, llvm::SmallVector<Value *, 4>> carriedIn;
  for (Block &b : callee_) {
    if (!reached[b.number()])
      continue;
    Block *copy = f_.createBlock(join_);
    blocks_[&b] = copy;
    llvm::SmallVector<Value *, 4> &mine = carriedIn[&b];
    for (unsigned i = 0; i < carried; ++i)
      mine.push_back(copy->addParam());
    for (unsigned i = 0; i < b.numParams(); ++i)
      values_[b.param(i)] = copy->addParam();
  }
  // Handlers: the callee's own, deeper by what the caller keeps below;
  // otherwise the call's.
  for (Block &b : callee_) {
    if (!reached[b.number()])
      continue;
    Block *copy = blocks_[&b];
    if (b.hasHandler()) {
      llvm::SmallVector<Value *, 4> args(carriedIn[&b].begin(),
                                         carriedIn[&b].end());
      for (unsigned i = 0; i < b.numHandlerArgs(); ++i)
        args.push_back(mapValue(b.handlerArg(i)));
      copy->setHandler(blocks_[b.handler()], carried + b.handlerDepth(),
                       b.handlerPushesLasti(), args);
    } else if (mid_->hasHandler()) {
      unsigned depth = mid_->handlerDepth();
      llvm::SmallVector<Value *, 4> args(carriedIn[&b].begin(),
                                         carriedIn[&b].begin() + depth);
      copy->setHandler(mid_->handler(), depth, mid_->handlerPushesLasti(),
                       args);
    }
  }
  // The instructions.
  for (Block &b : callee_) {
    if (!reached[b.number()])
      continue;
    Block *copy = blocks_[&b];
    IRBuilder builder(f_);
    builder.setInsertPoint(copy);
    builder.setOrigin(where_);
    auto successorsOf = [&](const Instruction &inst) {
      llvm::SmallVector<llvm::SmallVector<Value *, 4>, 2> args;
      for (const Successor &s : inst.successors()) {
        llvm::SmallVector<Value *, 4> a(carriedIn[&b].begin(),
                                        carriedIn[&b].end());
        for (unsigned i = 0; i < s.numArgs(); ++i)
          a.push_back(mapValue(s.arg(i)));
        args.push_back(std::move(a));
      }
      return args;
    };
    for (Instruction &inst : b) {
      if (isPy(inst, ops.RESUME) || inst.is(Op::Nop))
        continue;
      Instruction *made = nullptr;
      unsigned slot = inst.info().immediate == ImmediateKind::Local
                          ? inst.localIndex()
                          : ~0u;
      if ((inst.is(Op::LoadFast) || inst.is(Op::LoadFastCheck)) &&
          slot < plans_.size() && plans_[slot].substitute) {
        const ParameterPlan &plan = plans_[slot];
        if (!plan.fromOperand) {
          made = builder.create(Op::Const, f_.addConstant(plan.value), {}, 1);
        } else {
          Instruction *def = definer(operandValues_[plan.operand]);
          made = builder.create(def->op(), def->immediate(), {}, 1);
        }
      } else if (inst.is(Op::Return)) {
        llvm::SmallVector<Value *, 8> args;
        Value *result = mapValue(inst.operand(0));
        unsigned c = 0;
        for (unsigned j = 0; j < carriedParam_.size(); ++j)
          args.push_back(int(j) == resultIndex_ ? result
                                                : carriedIn[&b][c++]);
        if (resultIndex_ < 0)
          builder.drop(result);
        builder.br(join_, args);
        continue;
      } else {
        llvm::SmallVector<Value *, 4> operands;
        llvm::SmallVector<StackOperand, 4> stackOperands;
        for (const Use &u : inst.operandUses()) {
          operands.push_back(mapValue(u.get()));
          stackOperands.push_back({operands.back(), u.isPeeked()});
        }
        auto args = successorsOf(inst);
        llvm::SmallVector<BranchTarget, 2> targets;
        for (unsigned i = 0; i < inst.numSuccessors(); ++i)
          targets.push_back({blocks_[inst.successor(i).target()], args[i]});
        uint32_t immediate = inst.immediate();
        switch (inst.info().immediate) {
        case ImmediateKind::Const:
          immediate =
              f_.addConstant(callee_.consts[inst.constIndex()].constant());
          break;
        case ImmediateKind::Name:
          immediate = f_.addName(callee_.names[inst.nameIndex()].utf8);
          break;
        case ImmediateKind::Local:
          immediate = slots_.lookup(slot);
          break;
        default:
          break;
        }
        if (inst.is(Op::Py)) {
          if (isPy(inst, ops.IMPORT_NAME) || isPy(inst, ops.IMPORT_FROM))
            immediate = f_.addName(callee_.names[inst.pyOparg()].utf8);
          made = builder.createPy(inst.pyOpcode(), immediate, stackOperands,
                                  inst.numResults(), targets);
        } else {
          made = builder.create(inst.op(), immediate, operands,
                                inst.numResults(), targets,
                                inst.hasOptionalOperand());
        }
      }
      for (unsigned i = 0; i < inst.numResults(); ++i)
        values_[inst.result(i)] = made->result(i);
      // A terminator may pass its own results (FOR_ITER's next value):
      // its edges are complete only now.
      if (inst.numResults() && inst.numSuccessors()) {
        auto args = successorsOf(inst);
        for (unsigned i = 0; i < inst.numSuccessors(); ++i)
          made->successor(i).setArgs(args[i]);
      }
    }
  }
  // Into the body.
  IRBuilder b(f_);
  b.setInsertPoint(fast_);
  b.br(blocks_[callee_.entry()], carriedInFast);
}

void InlineRewrite::run() {
  // A call made for its effect (`f(x)` as a statement): its result is
  // dropped right away. The drop goes to the slow path, so that the join
  // takes no result and the inlined path drops (or never makes) its own.
  Instruction *statementDrop = nullptr;
  if (call_.result()->hasOneUse()) {
    Instruction *user = call_.result()->uses().begin()->user();
    auto next = std::next(call_.getIterator());
    if (user && user->is(Op::Drop) && &*next == user)
      statementDrop = user;
  }
  if (statementDrop)
    statementDrop->eraseFromParent();
  planParameters();
  allocateLocals();
  buildFast();
  if (!guarded_) {
    // The block now runs into the body instead of jumping to join.
    mid_->terminator()->eraseFromParent();
  } else if (statementDrop) {
    IRBuilder b(f_);
    b.setInsertPoint(mid_->terminator());
    b.setOrigin(where_);
    b.drop(call_.result());
  }
  bindParameters();
  if (!guarded_) {
    call_.eraseFromParent();
    site_.calleeLoad->eraseFromParent();
  }
  cloneBody();
}

} // namespace

void inlineCall(const CallSite &site, Function &callee,
                const ArgumentBinding &arguments, bool guarded,
                PassContext &context) {
  InlineRewrite(site, callee, arguments, guarded, context).run();
}

} // namespace bcc

