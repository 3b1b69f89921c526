//===- passes/ConstFold.cpp - const-fold: pure operations on constants ----===//
//
// What it does: an operation whose operands are all constants and whose
// result is certain (passes/ConstantEval.h) becomes that constant:
// BINARY_OP, the unary operators, COMPARE_OP, IS_OP, CONTAINS_OP,
// BINARY_SUBSCR (3.14: BINARY_OP []), BUILD_TUPLE, and 3.13+ TO_BOOL
// (`to_bool`); 3.14+ small_int operands are constants too. The folded
// constant takes the operation's location; the operand constants are left
// for `dce`.
//
// What it assumes: nothing. The operators on these types are CPython's
// own and cannot be overridden for constants.
//
// What it refuses: anything that would raise, warn, depend on the
// implementation or grow past CPython's folding limits; floats' `**`;
// ints beyond int64. Those run as before.
//
//===----------------------------------------------------------------------===//

#include "ir/PyRepr.h"
#include "passes/ConstantEval.h"
#include "passes/IRUtils.h"
#include "passes/BuiltinPasses.h"
#include "passes/Transforms.h"

namespace bcc {

namespace {

class ConstFold final : public FunctionPass {
public:
  llvm::StringRef name() const override { return "const-fold"; }
  bool runOnFunction(Function &f, PassContext &context) override {
    return foldConstants(f, context);
  }
};

unsigned compareShift(PythonVersion v) {
  return v.minor >= 13 ? 5 : v.minor == 12 ? 4 : 0;
}

ConstantRef fold(const Instruction &inst, const OpcodeTable &table,
                 const PyOps &ops) {
  llvm::SmallVector<const Constant *, 4> k;
  for (const Use &u : inst.operandUses()) {
    const Constant *c = constantOf(u.get());
    if (!c || u.isPeeked())
      return nullptr;
    k.push_back(c);
  }
  if (inst.is(Op::ToBool)) {
    std::optional<bool> t = truthValue(*k[0]);
    return t ? Constant::boolean(*t) : nullptr;
  }
  if (!inst.is(Op::Py) || inst.numResults() != 1)
    return nullptr;
  int op = inst.pyOpcode();
  uint32_t arg = inst.pyOparg();
  if (isSubscript(inst, ops) && k.size() == 2)
    return foldSubscript(*k[0], *k[1]);
  if (op == ops.BINARY_OP && k.size() == 2) {
    llvm::ArrayRef<const char *> names = table.binaryOps();
    if (arg >= names.size())
      return nullptr;
    return foldBinary(names[arg], *k[0], *k[1]);
  }
  if (op == ops.COMPARE_OP && k.size() == 2) {
    llvm::ArrayRef<const char *> names = table.compareOps();
    uint32_t index = arg >> compareShift(table.version());
    if (index >= names.size())
      return nullptr;
    std::optional<bool> r = foldCompare(names[index], *k[0], *k[1]);
    return r ? Constant::boolean(*r) : nullptr;
  }
  if (op == ops.IS_OP && k.size() == 2) {
    std::optional<bool> r = foldIs(*k[0], *k[1]);
    return r ? Constant::boolean(*r != (arg == 1)) : nullptr;
  }
  if (op == ops.CONTAINS_OP && k.size() == 2) {
    std::optional<bool> r = foldContains(*k[0], *k[1]);
    return r ? Constant::boolean(*r != (arg == 1)) : nullptr;
  }
  if (op == ops.UNARY_NOT && k.size() == 1) {
    std::optional<bool> t = truthValue(*k[0]);
    return t ? Constant::boolean(!*t) : nullptr;
  }
  if (op == ops.UNARY_NEGATIVE && k.size() == 1)
    return foldNegative(*k[0]);
  if (op == ops.UNARY_INVERT && k.size() == 1)
    return foldInvert(*k[0]);
  if (op == ops.BUILD_TUPLE && k.size() == arg) {
    llvm::SmallVector<ConstantRef, 8> items;
    for (const Use &u : inst.operandUses())
      items.push_back(constantRefOf(u.get()));
    return foldTuple(items);
  }
  return nullptr;
}

} // namespace

bool foldConstants(Function &f, PassContext &context) {
  const OpcodeTable *table = OpcodeTable::forVersion(f.version());
  const PyOps &ops = pyOps(f.version());
  bool changed = false;
  for (Block &block : f) {
    for (auto it = block.begin(); it != block.end();) {
      Instruction &inst = *it++;
      if (inst.numOperands() == 0 || inst.isTerminator() ||
          (!inst.is(Op::Py) && !inst.is(Op::ToBool)))
        continue;
      ConstantRef value = fold(inst, *table, ops);
      if (!value)
        continue;
      if (context.wantsRemarks())
        context.remark("const-fold", true, f, lineOf(inst),
                       std::string(inst.is(Op::Py) ? inst.pyOpname()
                                                   : inst.info().mnemonic) +
                           " on constants is " + pyRepr(*value, f.version()));
      Value *folded = insertConstant(inst, value);
      replaceInstruction(inst, {folded});
      context.count("const-fold", "operations folded");
      changed = true;
    }
  }
  return changed;
}

Expected<std::unique_ptr<Pass>>
createConstFoldPass(const PassParameters &parameters) {
  if (Status s = parameters.allowOnly("const-fold", {}); !s)
    return s.error();
  return std::unique_ptr<Pass>(new ConstFold());
}

} // namespace bcc
