//===- ir/IRBuilder.cpp ---------------------------------------------------===//

#include "ir/IRBuilder.h"

namespace bcc {

void IRBuilder::setInsertPoint(Block *block) {
  assert(block->parent() == &function_ && "block of another function");
  block_ = block;
  before_ = nullptr;
}

void IRBuilder::setInsertPoint(Instruction *inst) {
  assert(inst->function() == &function_ && "instruction of another function");
  block_ = inst->parent();
  before_ = inst;
}

Block *IRBuilder::createBlock(unsigned numParams, Block *before) {
  Block *block = function_.createBlock(before);
  for (unsigned i = 0; i < numParams; ++i)
    block->addParam();
  return block;
}

Instruction *IRBuilder::allocate(Op op, uint32_t immediate,
                                 unsigned numOperands, unsigned numResults,
                                 llvm::ArrayRef<BranchTarget> successors) {
  // One allocation: the instruction, then its operands, results and
  // successors (all 8-byte aligned, so no padding between the arrays).
  static_assert(alignof(Use) <= alignof(Instruction) &&
                alignof(InstResult) <= alignof(Instruction) &&
                alignof(Successor) <= alignof(Instruction) &&
                sizeof(Instruction) % alignof(Use) == 0 &&
                sizeof(Use) % alignof(InstResult) == 0 &&
                sizeof(InstResult) % alignof(Successor) == 0);
  size_t bytes = sizeof(Instruction) + numOperands * sizeof(Use) +
                 numResults * sizeof(InstResult) +
                 successors.size() * sizeof(Successor);
  char *memory = static_cast<char *>(
      function_.allocator().Allocate(bytes, alignof(Instruction)));
  auto *inst = new (memory) Instruction(op, immediate);
  memory += sizeof(Instruction);
  inst->location_ = location_;
  if (hasMoveLocation_) {
    inst->moveLocation_ = moveLocation_;
    clearPendingMoveLocation();
  }
  inst->offset_ = offset_;

  inst->numOperands_ = numOperands;
  inst->operands_ = reinterpret_cast<Use *>(memory);
  memory += numOperands * sizeof(Use);

  inst->numResults_ = numResults;
  inst->results_ = reinterpret_cast<InstResult *>(memory);
  for (unsigned i = 0; i < numResults; ++i)
    new (&inst->results_[i]) InstResult(inst, i);
  memory += numResults * sizeof(InstResult);

  inst->numSuccessors_ = unsigned(successors.size());
  inst->successors_ = reinterpret_cast<Successor *>(memory);
  for (size_t i = 0; i < successors.size(); ++i)
    new (&inst->successors_[i])
        Successor(inst, successors[i].block, successors[i].args);
  return inst;
}

void IRBuilder::insert(Instruction *inst) {
  assert(block_ && "no insertion point");
  inst->parent_ = block_;
  if (before_)
    block_->insts_.insert(before_->getIterator(), *inst);
  else
    block_->insts_.push_back(*inst);
}

Instruction *IRBuilder::create(Op op, uint32_t immediate,
                               llvm::ArrayRef<Value *> operands,
                               unsigned numResults,
                               llvm::ArrayRef<BranchTarget> successors,
                               bool hasOptionalOperand) {
  assert(op != Op::Py && "use createPy");
  assert((!hasOptionalOperand || opInfo(op).optionalOperand) &&
         "operation has no optional operand");
  Instruction *inst = allocate(op, immediate, unsigned(operands.size()),
                               numResults, successors);
  for (size_t i = 0; i < operands.size(); ++i)
    new (&inst->operands_[i]) Use(operands[i], inst);
  inst->hasOptionalOperand_ = hasOptionalOperand;
  insert(inst);
  return inst;
}

Instruction *IRBuilder::createPy(uint8_t opcode, uint32_t oparg,
                                 llvm::ArrayRef<StackOperand> operands,
                                 unsigned numResults,
                                 llvm::ArrayRef<BranchTarget> successors) {
  Instruction *inst = allocate(Op::Py, oparg, unsigned(operands.size()),
                               numResults, successors);
  for (size_t i = 0; i < operands.size(); ++i)
    new (&inst->operands_[i]) Use(operands[i].value, inst, operands[i].peeked);
  inst->pyOpcode_ = opcode;
  // The table is found once per builder: a lifter makes many `py`s.
  if (!table_)
    table_ = OpcodeTable::forVersion(function_.version());
  const OpcodeInfo *info = table_ ? table_->info(opcode) : nullptr;
  inst->pyFlow_ = info ? info->flow : FlowKind::Normal;
  insert(inst);
  return inst;
}

Instruction *IRBuilder::createPy(llvm::StringRef opname, uint32_t oparg,
                                 llvm::ArrayRef<StackOperand> operands,
                                 unsigned numResults,
                                 llvm::ArrayRef<BranchTarget> successors) {
  const OpcodeTable *table = OpcodeTable::forVersion(function_.version());
  std::optional<uint8_t> opcode = table ? table->lookup(opname) : std::nullopt;
  assert(opcode && "no such opcode in this version");
  return createPy(*opcode, oparg, operands, numResults, successors);
}

Value *IRBuilder::constant(unsigned poolIndex) {
  return create(Op::Const, poolIndex, {}, 1)->result();
}
Value *IRBuilder::pushNull() {
  return create(Op::PushNull, 0, {}, 1)->result();
}
Instruction *IRBuilder::drop(Value *value) {
  return create(Op::Drop, 0, {value}, 0);
}
Instruction *IRBuilder::nop() { return create(Op::Nop, 0, {}, 0); }

Value *IRBuilder::loadFast(unsigned local) {
  return create(Op::LoadFast, local, {}, 1)->result();
}
Value *IRBuilder::loadFastCheck(unsigned local) {
  return create(Op::LoadFastCheck, local, {}, 1)->result();
}
Value *IRBuilder::loadFastAndClear(unsigned local) {
  return create(Op::LoadFastAndClear, local, {}, 1)->result();
}
Instruction *IRBuilder::storeFast(unsigned local, Value *value) {
  return create(Op::StoreFast, local, {value}, 0);
}
Instruction *IRBuilder::deleteFast(unsigned local) {
  return create(Op::DeleteFast, local, {}, 0);
}
Value *IRBuilder::loadDeref(unsigned local) {
  return create(Op::LoadDeref, local, {}, 1)->result();
}
Instruction *IRBuilder::storeDeref(unsigned local, Value *value) {
  return create(Op::StoreDeref, local, {value}, 0);
}
Value *IRBuilder::loadClosure(unsigned local) {
  return create(Op::LoadClosure, local, {}, 1)->result();
}
Instruction *IRBuilder::makeCell(unsigned local) {
  return create(Op::MakeCell, local, {}, 0);
}
Instruction *IRBuilder::copyFreeVars(unsigned count) {
  return create(Op::CopyFreeVars, count, {}, 0);
}

Instruction *IRBuilder::loadGlobal(unsigned name, bool withNull) {
  return create(Op::LoadGlobal, name, {}, withNull ? 2 : 1);
}
Instruction *IRBuilder::storeGlobal(unsigned name, Value *value) {
  return create(Op::StoreGlobal, name, {value}, 0);
}
Value *IRBuilder::loadName(unsigned name) {
  return create(Op::LoadName, name, {}, 1)->result();
}
Instruction *IRBuilder::storeName(unsigned name, Value *value) {
  return create(Op::StoreName, name, {value}, 0);
}
Instruction *IRBuilder::loadAttr(unsigned name, Value *object,
                                 bool methodForm) {
  return create(Op::LoadAttr, name, {object}, methodForm ? 2 : 1);
}
Instruction *IRBuilder::storeAttr(unsigned name, Value *value, Value *object) {
  return create(Op::StoreAttr, name, {value, object}, 0);
}

Value *IRBuilder::call(Value *slot0, Value *slot1, llvm::ArrayRef<Value *> args,
                       Value *kwNames) {
  llvm::SmallVector<Value *, 8> operands{slot0, slot1};
  operands.append(args.begin(), args.end());
  if (kwNames)
    operands.push_back(kwNames);
  return create(Op::Call, 0, operands, 1, {}, kwNames != nullptr)->result();
}
Value *IRBuilder::toBool(Value *value) {
  return create(Op::ToBool, 0, {value}, 1)->result();
}

Instruction *IRBuilder::br(Block *target, llvm::ArrayRef<Value *> args) {
  return create(Op::Br, 0, {}, 0, {BranchTarget{target, args}});
}
Instruction *IRBuilder::condBr(BranchTest test, Value *value,
                               BranchTarget ifHolds, BranchTarget otherwise) {
  return create(Op::CondBr, uint32_t(test), {value}, 0, {ifHolds, otherwise});
}
Instruction *IRBuilder::ret(Value *value) {
  return create(Op::Return, 0, {value}, 0);
}

} // namespace bcc
