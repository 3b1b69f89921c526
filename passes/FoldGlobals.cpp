//===- passes/FoldGlobals.cpp - fold-globals: globals known to be constants ===//
//
// What it does: a read of a global that is a constant under the facts in
// force (passes/ModuleFacts.h constantGlobal: --const, typing.Final at -O3,
// module-constants, and the same through imports in a tree) becomes that
// constant:
//  * `load_global NAME` in every function of the module (its NULL form
//    becomes `push_null` + `const`, in the version's order);
//  * `load_name NAME` in the module's own code, where the assignment has
//    certainly run already (it dominates the read), or anywhere for a
//    --const;
//  * `load_attr ATTR` of an imported module (`config.DEBUG` after `import
//    app.config as config`), whose module load then goes too.
// The module's own assignment stays, so other modules still see the value.
// Each fold is a remark (with the rule that allowed it); a read of a name
// bound once to a constant that no rule covers is a missed remark that says
// what would allow it.
//
// What it assumes: exactly the facts granted (docs/passes.md).
//
// What it refuses: class bodies, whose namespace may shadow the global;
// names the module writes more than once or conditionally; constants that
// are mutable (lists, dicts, sets are never constants).
//
//===----------------------------------------------------------------------===//

#include "ir/CallProtocol.h"
#include "ir/CodeObject.h"
#include "ir/Dominators.h"
#include "ir/PyRepr.h"
#include "passes/IRUtils.h"
#include "passes/ModuleFacts.h"
#include "passes/BuiltinPasses.h"
#include "passes/Transforms.h"

#include <set>

namespace bcc {

namespace {

class FoldGlobals final : public Pass {
public:
  llvm::StringRef name() const override { return "fold-globals"; }
  bool run(Module &module, PassContext &context) override;

private:
  bool runOnFunction(Function &f, const ModuleFacts &facts,
                     PassContext &context);
  /// Names a missed remark was made for, per function (once each, also
  /// over the rounds on the module's code).
  std::set<std::pair<const Function *, std::string>> missed_;
  /// Replaces a load's results by the constant (and a NULL where the load
  /// pushed one).
  void replaceLoad(Instruction &load, const ConstantRef &value,
                   unsigned nullResult);
};

/// The module a load of a module's name gives: its only result, or the one
/// beside the NULL of a `load_global` in its NULL form.
Value *moduleValue(const Instruction &load) {
  if (load.numResults() == 1)
    return load.result(0);
  if (load.is(Op::LoadGlobal) && load.numResults() == 2)
    return load.result(1 - loadGlobalNullResult(load.function()->version()));
  return nullptr;
}

std::string describe(const Function &f, const ConstantRef &value) {
  std::string text = pyRepr(*value, f.version());
  if (text.size() > 40)
    text = text.substr(0, 37) + "...";
  return text;
}

void FoldGlobals::replaceLoad(Instruction &load, const ConstantRef &value,
                              unsigned nullResult) {
  Value *constant = insertConstant(load, value);
  if (load.numResults() == 1) {
    replaceInstruction(load, {constant});
    return;
  }
  IRBuilder b(*load.function());
  // The NULL goes where the load pushed it: below the callable (3.11,
  // 3.12) or above it (3.13), so that the stack needs no shuffle.
  Instruction *constantDef = definer(constant);
  if (nullResult == 0)
    b.setInsertPoint(constantDef);
  else
    b.setInsertPoint(&*std::next(constantDef->getIterator()));
  b.setOrigin(load.location());
  Value *null = b.pushNull();
  llvm::SmallVector<Value *, 2> values(2, constant);
  values[nullResult] = null;
  replaceInstruction(load, values);
}

bool FoldGlobals::runOnFunction(Function &f, const ModuleFacts &facts,
                                PassContext &context) {
  const OptimizationOptions &options = context.options();
  bool isModuleCode = &f == f.parent()->topLevel();
  // Class bodies (and other code with a namespace of its own) read names
  // from that namespace first.
  std::unique_ptr<DominatorTree> dominators;
  // At module level a read may run before the name's assignment: the
  // assignment must come first in the read's block or dominate it.
  auto assignedBefore = [&](llvm::StringRef global, const Instruction &read) {
    for (Block &other : f)
      for (Instruction &store : other) {
        if (!(store.is(Op::StoreName) || store.is(Op::StoreGlobal)) ||
            f.names[store.nameIndex()].utf8 != global)
          continue;
        if (store.parent() == read.parent()) {
          for (const Instruction &i : *read.parent()) {
            if (&i == &store)
              return true;
            if (&i == &read)
              break;
          }
          continue;
        }
        if (!dominators)
          dominators = std::make_unique<DominatorTree>(f);
        if (dominators->instructionsDominate(store.parent(), read.parent()))
          return true;
      }
    return false;
  };
  bool changed = false;
  for (Block &block : f) {
    for (auto it = block.begin(); it != block.end();) {
      Instruction &inst = *it++;
      bool global = inst.is(Op::LoadGlobal);
      bool moduleRead =
          (inst.is(Op::LoadName) || inst.is(Op::LoadGlobal)) && isModuleCode;
      bool attribute = inst.is(Op::LoadAttr);
      if (!global && !moduleRead && !attribute)
        continue;
      std::string why;
      std::optional<ConstantFact> fact;
      llvm::StringRef nameText = f.names[inst.nameIndex()].utf8;
      Instruction *moduleLoad = nullptr;
      // An attribute of an imported module, maybe through its packages:
      // the loads below `inst` (`app.config.DEBUG`), outermost first.
      llvm::SmallVector<Instruction *, 2> chain;
      std::string attributePath = nameText.str();
      if (attribute) {
        moduleLoad = definer(inst.operand(0));
        while (moduleLoad && moduleLoad->is(Op::LoadAttr) &&
               moduleLoad->numResults() == 1 &&
               moduleLoad->result(0)->hasOneUse() && chain.size() < 4) {
          chain.push_back(moduleLoad);
          attributePath =
              f.names[moduleLoad->nameIndex()].utf8 + "." + attributePath;
          moduleLoad = definer(moduleLoad->operand(0));
        }
        if (!moduleLoad || !moduleValue(*moduleLoad) ||
            !moduleValue(*moduleLoad)->hasOneUse() ||
            !(moduleLoad->is(Op::LoadGlobal) ||
              (moduleLoad->is(Op::LoadName) && isModuleCode)))
          continue;
        llvm::StringRef moduleName = f.names[moduleLoad->nameIndex()].utf8;
        fact = constantModuleAttribute(facts, context.tree(), moduleName,
                                       attributePath, options, &why);
        if (fact && isModuleCode && !assignedBefore(moduleName, *moduleLoad)) {
          fact.reset();
          why = "the read may come before the import";
        }
      } else {
        fact = constantGlobal(facts, context.tree(), nameText, options, &why);
      }
      if (fact && moduleRead && !llvm::StringRef(fact->rule).startswith("--const") &&
          !assignedBefore(nameText, inst)) {
        fact.reset();
        why = "the read may come before the assignment";
      }
      if (!fact) {
        if (!why.empty() && context.wantsRemarks() &&
            missed_.insert({&f, nameText.str()}).second)
          context.remark(name(), false, f, lineOf(inst),
                         "'" + nameText.str() + "' is not folded: " + why);
        continue;
      }
      std::string what = attribute ? f.names[moduleLoad->nameIndex()].utf8 +
                                         "." + attributePath
                                   : nameText.str();
      context.remark(name(), true, f, lineOf(inst),
                     "'" + what + "' is " + describe(f, fact->value) + " (" +
                         fact->rule + ")");
      unsigned nullResult = 0;
      if (inst.numResults() == 2) {
        if (global)
          nullResult = loadGlobalNullResult(f.version());
        else // a module attribute in the method form: no self
          nullResult = f.version().atLeast(3, 13) ? 1 : 0;
      }
      replaceLoad(inst, fact->value, nullResult);
      if (attribute) {
        // The loads of the module and its packages, now unused.
        for (Instruction *load : chain)
          if (!load->result(0)->hasUses())
            eraseKeepingLine(*load);
        if (!moduleValue(*moduleLoad)->hasUses()) {
          if (moduleLoad->numResults() == 2) {
            // `math.sin(x)` loads the module with a NULL for the call
            // (3.11, 3.12): the NULL stays, pushed on its own.
            IRBuilder b(f);
            b.setInsertPoint(moduleLoad);
            b.setOrigin(moduleLoad->location());
            Value *null = b.pushNull();
            moduleLoad->result(loadGlobalNullResult(f.version()))
                ->replaceAllUsesWith(null);
          }
          eraseKeepingLine(*moduleLoad);
        }
      }
      context.count(name(), "globals folded");
      changed = true;
    }
  }
  return changed;
}

bool FoldGlobals::run(Module &module, PassContext &context) {
  missed_.clear();
  bool changed = false;
  // The module's code first: a constant computed from other constants
  // (`LIMIT = SIZE * 2`) becomes one itself once its operands fold, so
  // the module code is folded to a fixed point (a few rounds at most)
  // before its facts are used for the other functions.
  Function *top = module.topLevel();
  if (!top)
    return false;
  for (unsigned round = 0; round < 4; ++round) {
    bool folded = runOnFunction(*top, context.facts(module), context);
    if (!folded)
      break;
    foldConstants(*top, context);
    context.markChanged(*top);
    context.invalidateFacts();
    changed = true;
  }
  const ModuleFacts &facts = context.facts(module);
  for (const auto &function : module.functions()) {
    if (function.get() == top)
      continue;
    if (runOnFunction(*function, facts, context)) {
      context.markChanged(*function);
      changed = true;
    }
  }
  return changed;
}

} // namespace

Expected<std::unique_ptr<Pass>>
createFoldGlobalsPass(const PassParameters &parameters) {
  if (Status s = parameters.allowOnly("fold-globals", {}); !s)
    return s.error();
  return std::unique_ptr<Pass>(new FoldGlobals());
}

} // namespace bcc
