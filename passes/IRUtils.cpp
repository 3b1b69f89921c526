//===- passes/IRUtils.cpp -------------------------------------------------===//

#include "passes/IRUtils.h"

#include "ir/CodeObject.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"

namespace bcc {

PyOps::PyOps(const OpcodeTable &table) {
  auto get = [&](const char *name) {
    std::optional<uint8_t> op = table.lookup(name);
    return op ? int(*op) : -1;
  };
#define BCC_PYOP(N) N = get(#N);
  BCC_PYOP(BINARY_OP) BCC_PYOP(BINARY_SUBSCR) BCC_PYOP(UNARY_NOT)
  BCC_PYOP(UNARY_NEGATIVE) BCC_PYOP(UNARY_INVERT) BCC_PYOP(COMPARE_OP)
  BCC_PYOP(IS_OP) BCC_PYOP(CONTAINS_OP) BCC_PYOP(BUILD_TUPLE)
  BCC_PYOP(BUILD_LIST) BCC_PYOP(BUILD_SLICE) BCC_PYOP(BUILD_MAP)
  BCC_PYOP(BUILD_CONST_KEY_MAP) BCC_PYOP(LIST_TO_TUPLE)
  BCC_PYOP(MAKE_FUNCTION) BCC_PYOP(SET_FUNCTION_ATTRIBUTE)
  BCC_PYOP(IMPORT_NAME) BCC_PYOP(IMPORT_FROM) BCC_PYOP(IMPORT_STAR)
  BCC_PYOP(STORE_SUBSCR) BCC_PYOP(RESUME) BCC_PYOP(CALL_FUNCTION_EX)
  BCC_PYOP(RETURN_GENERATOR) BCC_PYOP(LOAD_SUPER_ATTR)
  BCC_PYOP(LOAD_ASSERTION_ERROR) BCC_PYOP(GET_ITER) BCC_PYOP(FOR_ITER)
  BCC_PYOP(END_FOR) BCC_PYOP(LOAD_CLOSURE) BCC_PYOP(LOAD_LOCALS)
  BCC_PYOP(SETUP_ANNOTATIONS) BCC_PYOP(CALL_INTRINSIC_1)
  BCC_PYOP(RAISE_VARARGS) BCC_PYOP(RERAISE) BCC_PYOP(YIELD_VALUE)
  BCC_PYOP(SEND) BCC_PYOP(POP_EXCEPT) BCC_PYOP(PUSH_EXC_INFO)
  BCC_PYOP(CHECK_EXC_MATCH) BCC_PYOP(WITH_EXCEPT_START) BCC_PYOP(BEFORE_WITH)
  BCC_PYOP(JUMP_BACKWARD_NO_INTERRUPT) BCC_PYOP(FORMAT_VALUE)
  BCC_PYOP(FORMAT_SIMPLE) BCC_PYOP(BUILD_STRING) BCC_PYOP(KW_NAMES)
  BCC_PYOP(COPY_FREE_VARS) BCC_PYOP(MAKE_CELL) BCC_PYOP(LIST_EXTEND)
#undef BCC_PYOP
  // 3.14+ subscripts with BINARY_OP.
  llvm::ArrayRef<const char *> binaryOps = table.binaryOps();
  for (size_t i = 0; i < binaryOps.size(); ++i)
    if (llvm::StringRef(binaryOps[i]) == "[]")
      NB_SUBSCR = int(i);
}

const PyOps &pyOps(PythonVersion version) {
  const OpcodeTable *table = OpcodeTable::forVersion(version);
  assert(table && "no opcode table for the version");
  return versionFacts<PyOps>(*table);
}

/// The pool entry `v` loads, if it is a `const`'s result.
static const PoolConstant *poolEntryOf(const Value *v) {
  const Instruction *inst = definer(v);
  if (!inst || !inst->is(Op::Const))
    return nullptr;
  const Function *f = inst->function();
  if (!f || inst->constIndex() >= f->consts.size())
    return nullptr;
  return &f->consts[inst->constIndex()];
}

/// The int a 3.14+ `small_int` pushes, if `v` is its result.
static const ConstantRef *smallIntOf(const Value *v) {
  const Instruction *inst = definer(v);
  if (!inst || !inst->is(Op::SmallInt))
    return nullptr;
  static const std::vector<ConstantRef> smallInts = [] {
    std::vector<ConstantRef> ints;
    for (int64_t i = 0; i < 256; ++i)
      ints.push_back(Constant::integer(i));
    return ints;
  }();
  return inst->immediate() < smallInts.size() ? &smallInts[inst->immediate()]
                                              : nullptr;
}

const Constant *constantOf(const Value *v) {
  if (const ConstantRef *small = smallIntOf(v))
    return small->get();
  const PoolConstant *entry = poolEntryOf(v);
  return entry ? entry->constant().get() : nullptr;
}

ConstantRef constantRefOf(const Value *v) {
  if (const ConstantRef *small = smallIntOf(v))
    return *small;
  const PoolConstant *entry = poolEntryOf(v);
  return entry ? entry->constant() : nullptr;
}

bool isSubscript(const Instruction &inst, const PyOps &ops) {
  if (!inst.is(Op::Py) || inst.numOperands() != 2)
    return false;
  if (ops.BINARY_SUBSCR >= 0)
    return inst.pyOpcode() == ops.BINARY_SUBSCR;
  return inst.pyOpcode() == ops.BINARY_OP && ops.NB_SUBSCR >= 0 &&
         inst.pyOparg() == uint32_t(ops.NB_SUBSCR);
}

Value *createSubscript(IRBuilder &b, const PyOps &ops, Value *container,
                       Value *key) {
  Instruction *made =
      ops.BINARY_SUBSCR >= 0
          ? b.createPy(uint8_t(ops.BINARY_SUBSCR), 0, {{container}, {key}}, 1)
          : b.createPy(uint8_t(ops.BINARY_OP), uint32_t(ops.NB_SUBSCR),
                       {{container}, {key}}, 1);
  return made->result(0);
}

Value *insertConstant(Instruction &at, ConstantRef value) {
  Function &f = *at.function();
  unsigned index = f.addConstant(std::move(value));
  IRBuilder b(f);
  b.setInsertPoint(&at);
  b.setOrigin(at.location());
  return b.constant(index);
}

void eraseKeepingLine(Instruction &inst) {
  Block *block = inst.parent();
  int line = lineOf(inst);
  if (line >= 0) {
    auto it = inst.getIterator();
    bool before = it != block->begin() && lineOf(*std::prev(it)) == line;
    auto next = std::next(it);
    bool after = next != block->end() && lineOf(*next) == line;
    if (!before && !after) {
      IRBuilder b(*block->parent());
      b.setInsertPoint(&inst);
      b.setOrigin(inst.location());
      b.nop();
    }
  }
  inst.eraseFromParent();
}

bool isRemovableWhenUnused(const Instruction &inst) {
  switch (inst.op()) {
  case Op::Const:
  case Op::PushNull:
  case Op::LoadFast:
  case Op::LoadClosure:
    return true;
  case Op::Py: {
    const PyOps &ops = pyOps(inst.function()->version());
    int op = inst.pyOpcode();
    if (op == ops.BUILD_TUPLE || op == ops.BUILD_LIST ||
        op == ops.BUILD_SLICE || op == ops.LIST_TO_TUPLE ||
        op == ops.LOAD_ASSERTION_ERROR || op == ops.IS_OP)
      return true;
    // 3.13's UNARY_NOT only takes a bool (after TO_BOOL).
    return op == ops.UNARY_NOT && inst.function()->version().atLeast(3, 13);
  }
  default:
    return false;
  }
}

void replaceInstruction(Instruction &inst, llvm::ArrayRef<Value *> values) {
  assert(values.size() == inst.numResults() && "one value per result");
  for (unsigned i = 0; i < inst.numResults(); ++i)
    inst.result(i)->replaceAllUsesWith(values[i]);
  eraseKeepingLine(inst);
}

unsigned addLocal(Function &function, llvm::StringRef name, bool hidden) {
  Function &f = function;
  unsigned position = 0;
  while (position < f.localsPlus.size() &&
         (f.localsPlus[position].kind & CO_FAST_LOCAL))
    ++position;
  // A name no other slot has.
  std::string unique = name.str();
  for (unsigned n = 2;; ++n) {
    bool taken = false;
    for (const LocalsPlusSlot &slot : f.localsPlus)
      taken = taken || slot.name.utf8 == unique;
    if (!taken)
      break;
    unique = name.str() + "." + std::to_string(n);
  }
  LocalsPlusSlot slot;
  slot.name.utf8 = unique;
  slot.name.interned = true;
  slot.kind = CO_FAST_LOCAL;
  if (hidden && f.version().atLeast(3, 12))
    slot.kind |= CO_FAST_HIDDEN;
  f.localsPlus.insert(f.localsPlus.begin() + position, slot);
  if (position + 1 == f.localsPlus.size())
    return position;
  const OpcodeTable *table = OpcodeTable::forVersion(f.version());
  for (Block &block : f)
    for (Instruction &inst : block) {
      if (inst.info().immediate == ImmediateKind::Local) {
        if (inst.immediate() >= position)
          inst.setImmediate(inst.immediate() + 1);
      } else if (inst.is(Op::Py)) {
        const OpcodeInfo *info = table->info(inst.pyOpcode());
        if (info && (info->hasLocal || info->hasFree) &&
            inst.pyOparg() >= position)
          inst.setImmediate(inst.pyOparg() + 1);
      }
    }
  return position;
}

std::vector<std::vector<Block *>> predecessors(Function &function) {
  std::vector<std::vector<Block *>> preds(function.numBlocks());
  for (Block &block : function)
    if (Instruction *term = block.terminator())
      for (Successor &s : term->successors())
        preds[s.target()->number()].push_back(&block);
  return preds;
}

Block *splitBlockBefore(Instruction &at) {
  Block *block = at.parent();
  Function &f = *block->parent();
  auto nextIt = std::next(block->getIterator());
  Block *tail = f.createBlock(nextIt == f.end() ? nullptr : &*nextIt);
  // The values of `block` defined before `at`, in definition order.
  llvm::SmallVector<Value *, 16> defined;
  for (BlockParam *p : block->params())
    defined.push_back(p);
  for (Instruction &inst : *block) {
    if (&inst == &at)
      break;
    for (InstResult &r : inst.results())
      defined.push_back(&r);
  }
  // Which of them the moved instructions use.
  llvm::SmallPtrSet<const Value *, 8> used;
  for (auto it = at.getIterator(); it != block->end(); ++it) {
    for (const Use &u : it->operandUses())
      used.insert(u.get());
    for (const Successor &s : it->successors())
      for (const Use &u : s.argUses())
        used.insert(u.get());
  }
  // The bottom `depth` slots, which the handler keeps: the block's handler
  // arguments on entry, but an instruction that pops one of them and
  // pushes in its place puts its first result there. PUSH_EXC_INFO does:
  // it pops the exception the block entered with and pushes the previous
  // one, which is what the handler then finds in that slot, though no
  // instruction of the block uses it.
  unsigned depth = block->hasHandler() ? block->handlerDepth() : 0;
  llvm::SmallVector<Value *, 4> bottom;
  for (unsigned i = 0; i < depth; ++i)
    bottom.push_back(block->param(i));
  for (Instruction &inst : *block) {
    if (&inst == &at)
      break;
    if (inst.numResults() == 0)
      continue;
    for (const Use &u : inst.operandUses())
      for (Value *&slot : bottom)
        if (!u.isPeeked() && slot == u.get() && !used.count(slot))
          slot = inst.result(0);
  }
  // The stack at the split, bottom first: the handler's slots, then what
  // the moved instructions use, in the order it was defined.
  llvm::SmallVector<Value *, 8> live(bottom.begin(), bottom.end());
  for (Value *v : defined)
    if (used.count(v) && !llvm::is_contained(bottom, v))
      live.push_back(v);
  // The new block's parameters take the place of the live values in the
  // moved instructions.
  llvm::DenseMap<Value *, Value *> replacement;
  for (Value *v : live)
    replacement[v] = tail->addParam();
  for (auto it = at.getIterator(); it != block->end(); ++it) {
    for (Use &u : it->operandUses())
      if (Value *r = replacement.lookup(u.get()))
        u.set(r);
    for (Successor &s : it->successors())
      for (Use &u : s.argUses())
        if (Value *r = replacement.lookup(u.get()))
          u.set(r);
  }
  for (auto it = at.getIterator(); it != block->end();) {
    Instruction &inst = *it++;
    inst.moveToEnd(tail);
  }
  IRBuilder b(f);
  b.setInsertPoint(block);
  b.br(tail, live);
  if (block->hasHandler()) {
    llvm::SmallVector<Value *, 4> args;
    for (unsigned i = 0; i < depth; ++i)
      args.push_back(tail->param(i));
    tail->setHandler(block->handler(), depth, block->handlerPushesLasti(),
                     args);
  }
  return tail;
}

llvm::SmallPtrSet<const Instruction *, 4>
maybeUnboundLoads(const Function &f) {
  llvm::SmallPtrSet<const Instruction *, 4> loads;
  unsigned n = unsigned(f.localsPlus.size());
  if (n == 0 || f.empty())
    return loads;
  f.renumber();
  std::vector<llvm::BitVector> in(f.numBlocks(), llvm::BitVector(n, true));
  std::vector<bool> reached(f.numBlocks(), false);
  llvm::BitVector start(n, false);
  unsigned params = unsigned(f.argCount + f.kwOnlyArgCount) +
                    ((f.flags & CO_VARARGS) ? 1 : 0) +
                    ((f.flags & CO_VARKEYWORDS) ? 1 : 0);
  for (unsigned i = 0; i < params && i < n; ++i)
    start.set(i);
  std::vector<const Block *> work{f.entry()};
  in[f.entry()->number()] = start;
  reached[f.entry()->number()] = true;
  auto merge = [&](const Block *b, const llvm::BitVector &state) {
    llvm::BitVector &known = in[b->number()];
    if (!reached[b->number()]) {
      reached[b->number()] = true;
      known = state;
      work.push_back(b);
      return;
    }
    llvm::BitVector meet = known;
    meet &= state;
    if (meet != known) {
      known = meet;
      work.push_back(b);
    }
  };
  while (!work.empty()) {
    const Block *b = work.back();
    work.pop_back();
    llvm::BitVector state = in[b->number()];
    llvm::BitVector least = state;
    for (const Instruction &inst : *b) {
      if (inst.info().immediate != ImmediateKind::Local)
        continue;
      unsigned slot = inst.localIndex();
      if (slot >= n)
        continue;
      if (inst.is(Op::StoreFast)) {
        state.set(slot);
      } else if (inst.is(Op::DeleteFast) || inst.is(Op::LoadFastAndClear)) {
        state.reset(slot);
        least.reset(slot);
      } else if (inst.is(Op::LoadFast) || inst.is(Op::LoadFastCheck)) {
        if (!state.test(slot))
          loads.insert(&inst);
        state.set(slot);
      }
    }
    if (b->hasHandler())
      merge(b->handler(), least);
    if (const Instruction *term = b->terminator())
      for (const Successor &s : term->successors())
        merge(s.target(), state);
  }
  return loads;
}

bool writesLocal(const Function &function, unsigned slot) {
  for (const Block &block : function)
    for (const Instruction &inst : block)
      if ((inst.is(Op::StoreFast) || inst.is(Op::DeleteFast) ||
           inst.is(Op::LoadFastAndClear)) &&
          inst.localIndex() == slot)
        return true;
  return false;
}

namespace {

/// Copies `source` into `into`; each code constant of its pool becomes a
/// copy of that child too (cloneFunctionTree) or, without `children`, stays
/// as it is (the caller has checked there is none).
Function *cloneInto(const Function &source, Module &into, bool children) {
  Function &f = *into.createFunction();
  f.name = source.name;
  f.qualName = source.qualName;
  f.fileName = source.fileName;
  f.argCount = source.argCount;
  f.posOnlyArgCount = source.posOnlyArgCount;
  f.kwOnlyArgCount = source.kwOnlyArgCount;
  f.flags = source.flags;
  f.firstLineNo = source.firstLineNo;
  f.minStackSize = source.minStackSize;
  f.localsPlus = source.localsPlus;
  f.consts = source.consts;
  if (children)
    for (PoolConstant &c : f.consts)
      if (c.isCode())
        c = PoolConstant::code(cloneInto(*c.codeFunction(), into, true));
  f.names = source.names;
  llvm::DenseMap<const Value *, Value *> values;
  llvm::DenseMap<const Block *, Block *> blocks;
  for (const Block &b : source) {
    Block *copy = f.createBlock();
    blocks[&b] = copy;
    for (const BlockParam *p : b.params())
      values[p] = copy->addParam();
  }
  auto map = [&](const Value *v) { return values.lookup(v); };
  for (const Block &b : source) {
    Block *copy = blocks[&b];
    IRBuilder builder(f);
    builder.setInsertPoint(copy);
    std::vector<std::pair<Instruction *, const Instruction *>> edges;
    for (const Instruction &inst : b) {
      builder.setOrigin(inst.location(), inst.offset());
      llvm::SmallVector<Value *, 4> operands;
      llvm::SmallVector<StackOperand, 4> stackOperands;
      for (const Use &u : inst.operandUses()) {
        operands.push_back(map(u.get()));
        stackOperands.push_back({operands.back(), u.isPeeked()});
      }
      // Edges first without arguments: a terminator may pass its own
      // results, which exist only once it is made.
      llvm::SmallVector<BranchTarget, 2> targets;
      for (const Successor &s : inst.successors())
        targets.push_back({blocks[s.target()], {}});
      Instruction *made =
          inst.is(Op::Py)
              ? builder.createPy(inst.pyOpcode(), inst.pyOparg(),
                                 stackOperands, inst.numResults(), targets)
              : builder.create(inst.op(), inst.immediate(), operands,
                               inst.numResults(), targets,
                               inst.hasOptionalOperand());
      made->setMoveLocation(inst.moveLocation());
      made->setStrongLoad(inst.isStrongLoad());
      for (unsigned i = 0; i < inst.numResults(); ++i)
        values[inst.result(i)] = made->result(i);
      if (inst.numSuccessors())
        edges.push_back({made, &inst});
    }
    for (auto &[made, original] : edges)
      for (unsigned i = 0; i < original->numSuccessors(); ++i) {
        llvm::SmallVector<Value *, 4> args;
        for (const Use &u : original->successor(i).argUses())
          args.push_back(map(u.get()));
        made->successor(i).setArgs(args);
      }
  }
  for (const Block &b : source)
    if (b.hasHandler()) {
      llvm::SmallVector<Value *, 4> args;
      for (const Use &u : b.handlerArgUses())
        args.push_back(map(u.get()));
      blocks[&b]->setHandler(blocks[b.handler()], b.handlerDepth(),
                             b.handlerPushesLasti(), args);
    }
  return &f;
}

} // namespace

Function *cloneFunction(const Function &source, Module &into) {
  for (const PoolConstant &c : source.consts)
    if (c.isCode())
      return nullptr;
  return cloneInto(source, into, false);
}

Function *cloneFunctionTree(const Function &source, Module &into) {
  return cloneInto(source, into, true);
}

bool isBuiltinName(llvm::StringRef name) {
  static const char *const kBuiltins[] = {
      "abs",      "all",        "any",       "ascii",     "bin",
      "bool",     "bytearray",  "bytes",     "callable",  "chr",
      "dict",     "dir",        "divmod",    "enumerate", "filter",
      "float",    "format",     "frozenset", "getattr",   "hasattr",
      "hash",     "hex",        "id",        "int",       "isinstance",
      "issubclass", "iter",     "len",       "list",      "map",
      "max",      "min",        "next",      "object",    "oct",
      "ord",      "pow",        "print",     "range",     "repr",
      "reversed", "round",      "set",       "setattr",   "slice",
      "sorted",   "str",        "sum",       "tuple",     "type",
      "zip"};
  for (const char *b : kBuiltins)
    if (name == b)
      return true;
  return false;
}

std::vector<bool> reachableBlocks(const Function &function) {
  std::vector<bool> reached(function.numBlocks(), false);
  if (function.empty())
    return reached;
  std::vector<const Block *> work{function.entry()};
  reached[function.entry()->number()] = true;
  while (!work.empty()) {
    const Block *b = work.back();
    work.pop_back();
    llvm::SmallVector<const Block *, 3> next;
    if (const Instruction *term = b->terminator())
      for (const Successor &s : term->successors())
        next.push_back(s.target());
    if (b->hasHandler())
      next.push_back(b->handler());
    for (const Block *n : next)
      if (!reached[n->number()]) {
        reached[n->number()] = true;
        work.push_back(n);
      }
  }
  return reached;
}

llvm::SmallPtrSet<const Block *, 8> handlerTargets(const Function &function) {
  llvm::SmallPtrSet<const Block *, 8> targets;
  for (const Block &b : function)
    if (b.hasHandler())
      targets.insert(b.handler());
  return targets;
}

} // namespace bcc
