//===- passes/StripPrint.cpp - strip-print: calls of the builtin print -----===//
//
// What it does, only under --assume=no-print: every call of the builtin
// `print` goes. Its arguments are still evaluated (`print(f(x))` still
// calls f; what they are converted to text with is not, since nothing is
// printed), and a use of its result sees None. Both `print(a, b, sep=...)`
// and `print(*args)` are covered.
//
// What it assumes: the user's word that output through print is unwanted.
//
// What it refuses: a module that binds `print` itself (then it is not the
// builtin) or may bind it by name (a star import); calls that pass `file=`
// (that is not console output) or a `**kwargs` that might; class bodies,
// whose namespace may hold a `print` of its own.
//
//===----------------------------------------------------------------------===//

#include "ir/CallProtocol.h"
#include "ir/CodeObject.h"
#include "passes/IRUtils.h"
#include "passes/ModuleFacts.h"
#include "passes/BuiltinPasses.h"
#include "passes/Transforms.h"

namespace bcc {

namespace {

constexpr const char *kPass = "strip-print";

class StripPrint final : public Pass {
public:
  llvm::StringRef name() const override { return kPass; }
  bool run(Module &module, PassContext &context) override;

private:
  bool stripIn(Function &f, PassContext &context);
};

/// The load of `print` that feeds `callable`, with the NULL slot `null`:
/// `load_global print` in its NULL form, or at module level `push_null` and
/// `load_name print`. Null if it is something else.
Instruction *printLoad(Function &f, Value *callable, Value *null) {
  Instruction *load = definer(callable);
  if (!load || load->numResults() == 0)
    return nullptr;
  bool moduleCode = &f == f.parent()->topLevel();
  bool isPrint = (load->is(Op::LoadGlobal) ||
                  (load->is(Op::LoadName) && moduleCode)) &&
                 f.names[load->nameIndex()].utf8 == "print";
  if (!isPrint)
    return nullptr;
  if (load->is(Op::LoadGlobal)) {
    if (load->numResults() != 2 || definer(null) != load)
      return nullptr;
  } else {
    Instruction *push = definer(null);
    if (!push || !push->is(Op::PushNull) || !null->hasOneUse() ||
        push->parent() != load->parent())
      return nullptr;
  }
  for (const InstResult &r : load->results())
    if (!r.hasOneUse())
      return nullptr;
  return load;
}

bool StripPrint::stripIn(Function &f, PassContext &context) {
  const PyOps &ops = pyOps(f.version());
  bool v313 = f.version().atLeast(3, 13);
  std::vector<Instruction *> calls;
  for (Block &block : f)
    for (Instruction &inst : block)
      if (inst.is(Op::Call) || isPy(inst, ops.CALL_FUNCTION_EX))
        calls.push_back(&inst);
  bool changed = false;
  for (Instruction *call : calls) {
    if (call->numOperands() < 2)
      continue;
    Value *callable = call->operand(v313 ? 0 : 1);
    Value *null = call->operand(v313 ? 1 : 0);
    Instruction *load = printLoad(f, callable, null);
    if (!load || load->parent() != call->parent())
      continue;
    int line = lineOf(*call);
    // What the call passes, after the two protocol slots.
    llvm::SmallVector<Value *, 8> arguments;
    if (call->is(Op::Call)) {
      CallOperands operands = callOperands(*call);
      if (operands.kwNames) {
        const Constant *names = constantOf(operands.kwNames);
        bool toFile = !names || !names->is(ConstantKind::Tuple);
        if (names && names->is(ConstantKind::Tuple))
          for (const ConstantRef &n : names->elements())
            toFile |= n->is(ConstantKind::String) &&
                      n->asString().utf8 == "file";
        if (toFile) {
          context.remark(kPass, false, f, line,
                         "print(..., file=...) stays: it writes to a file");
          continue;
        }
      }
      for (const Use &u : operands.args)
        arguments.push_back(u.get());
      if (operands.kwNames)
        arguments.push_back(operands.kwNames);
    } else {
      if (call->pyOparg() & 1) {
        context.remark(kPass, false, f, line,
                       "print(*args, **kwargs) stays: the keywords may hold "
                       "file=");
        continue;
      }
      for (unsigned i = 2; i < call->numOperands(); ++i)
        arguments.push_back(call->operand(i));
    }
    // The result, if used, is None; a statement's drop of it goes.
    Value *result = call->result(0);
    if (result->hasOneUse() && result->uses().begin()->user() &&
        result->uses().begin()->user()->is(Op::Drop))
      result->uses().begin()->user()->eraseFromParent();
    if (call->result(0)->hasUses())
      call->result(0)->replaceAllUsesWith(
          insertConstant(*call, Constant::none()));
    // The arguments stay evaluated; dce removes what has no effect.
    IRBuilder b(f);
    b.setInsertPoint(call);
    b.setOrigin(call->location());
    for (auto it = arguments.rbegin(); it != arguments.rend(); ++it)
      b.drop(*it);
    Instruction *null0 = load->is(Op::LoadName) ? definer(null) : nullptr;
    call->eraseFromParent();
    load->eraseFromParent();
    if (null0)
      null0->eraseFromParent();
    context.remark(kPass, true, f, line,
                   "removed a call of print (no-print); its arguments are "
                   "still evaluated");
    context.count(kPass, "prints removed");
    changed = true;
  }
  return changed;
}

bool StripPrint::run(Module &module, PassContext &context) {
  if (!context.options().assumptions.has(Assumption::NoPrint))
    return false;
  const ModuleFacts &facts = context.facts(module);
  Function *top = module.topLevel();
  if (facts.lookup("print")) {
    context.remark(kPass, false, *top, 0,
                   "no print is removed: the module binds 'print' itself");
    return false;
  }
  if (facts.isDynamic() && facts.dynamicReason() == "a star import") {
    context.remark(kPass, false, *top, 0,
                   "no print is removed: a star import may bind 'print'");
    return false;
  }
  bool changed = false;
  for (const auto &function : module.functions()) {
    Function &f = *function;
    bool classBody = &f != top && !(f.flags & CO_OPTIMIZED);
    if (classBody)
      continue;
    if (stripIn(f, context)) {
      context.markChanged(f);
      changed = true;
    }
  }
  return changed;
}

} // namespace

Expected<std::unique_ptr<Pass>>
createStripPrintPass(const PassParameters &parameters) {
  if (Status s = parameters.allowOnly(kPass, {}); !s)
    return s.error();
  return std::unique_ptr<Pass>(new StripPrint());
}

} // namespace bcc
