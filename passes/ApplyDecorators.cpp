//===- passes/ApplyDecorators.cpp - bcc's decorators, ahead of time -----===//
//
// What it does: a def of the module decorated with one of the Python
// package's decorators (`@bcc.optimize`, `@bcc.optimize(level=2, ...)`,
// `@bcc.cache_globals`, `@bcc.unprint`, `@bcc.smartdebug`, `@bcc.inline`;
// docs/python.md) gets now the code the decorator would give it when the
// def runs: the decorator's own pipeline (bindings/bcc/__init__.py), with
// the facts the module's code proves in place of the live namespace's.
// Defs at the module's top level and in the bodies of its top-level classes
// are done; the decorator must be imported from the package `bcc` (`import
// bcc [as b]` and `@b.optimize`, or `from bcc import optimize [as o]` and
// `@o`), bound once before the def: a decorator of another module that is
// also called `optimize` is not one of them.
//
// The facts are those a live decorator would find when the def runs and
// that nothing in the module changes afterwards (passes/ModuleFacts.h): a
// name of the module bound exactly once, unconditionally, by a store that
// comes before the def on every path, never written by a function, in a
// module that does not reach its namespace by name (no star import, no
// globals(), exec, ...). What the decorator selects of them becomes a fact:
// constants (fold-globals), the module's plain functions and the
// functions decorated by the package (which return the function itself)
// for inline and strip-debug, and, in a tree, imports of modules of the
// tree. A value that is not a constant (a class, a module, a builtin) can
// only be folded at import; the decorator does that part live.
//
// How: the decorator's pipeline runs on a module of its own, as the Python
// package runs it on a stand-in module: a module code that does nothing, a
// copy of the function with its nested code, copies of the functions it may
// inline (and of theirs), and the facts above given to that module's
// context as fixed facts (PassContext::setFixedFacts), with the
// assumptions the decorator grants (module-constants, stable-functions,
// and `assume=`). The passes then need no notion of a scope, and no other
// function of this module can change whatever they do; a context restricted
// to one function, or assumptions per function, would need every pass
// (plugins' too) to honour them, and a pass that forgot would change code
// beyond the decorator's word. Finding the decorated defs is
// passes/PackageDecorators.h. If the copy
// changed, a copy of it takes the function's place in the pool of the code
// that makes it (the module's code or the class body); that code's
// instructions are unchanged and it stays pristine. The decorator still
// runs at import.
//
// The mark: the new code's co_consts end with the original code object
// (the function as CPython compiled it, which nothing loads) and the tuple
//     ("\x00bcc-aot", DECORATOR, INDEX_OF_ORIGINAL_CODE, (NAMES...),
//      (EXPECTED...))
// where NAMES are the globals the new code relies on (the facts granted
// that the function or its inlined callees read; `config.DEBUG` for a
// folded attribute of a module of the tree; `print` under no-print) and
// EXPECTED says, for each name, what it folded to: `(literal,)`, or `()`
// for a function or module (nothing to compare). The package's decorator
// finds it (bindings/bcc/_aot.py) and keeps the code only if each folded
// name holds its literal at import (another module may have changed
// `config.DEBUG` before); it then watches NAMES, with the original code to
// go back to.
//
// What it assumes: that the `bcc` the module imports is the Python package;
// that, as at import, the decorator is the programmer's word that the facts
// it watches may be relied on.
//
// What it refuses, with a missed remark: decorator arguments that are not
// constants, positional or unknown keyword arguments, `passes=` naming a
// pass that is not bcc's own (a plugin's pass runs at import), generators
// and coroutines (the decorator refuses them too), modules whose namespace
// is dynamic, and functions on which the decorator's pipeline changes
// nothing. Later passes of the pipeline treat the new code and the
// original like any function of the module.
//
//===----------------------------------------------------------------------===//

#include "ir/CodeObject.h"
#include "ir/Verifier.h"
#include "passes/BuiltinPasses.h"
#include "passes/IRUtils.h"
#include "passes/ModuleFacts.h"
#include "passes/PackageDecorators.h"
#include "passes/PassManager.h"
#include "passes/Pipelines.h"

#include <algorithm>
#include <map>
#include <set>

namespace bcc {

namespace {

constexpr const char *kPass = "apply-decorators";
constexpr const char *kCleanups = "const-fold,fold-branches,simplify-cfg,dce";
/// The first item of the mark's tuple.
const std::string kMarker("\0bcc-aot", 8);

bool isMarked(const Function &f) {
  for (const PoolConstant &c : f.consts)
    if (!c.isCode() && c.constant()->is(ConstantKind::Tuple) &&
        !c.constant()->elements().empty()) {
      const ConstantRef &first = c.constant()->elements()[0];
      if (first->is(ConstantKind::String) && first->asString().utf8 == kMarker)
        return true;
    }
  return false;
}

/// `f` and its nested code, in pre-order (the order cloneFunctionTree
/// makes copies in).
void collectTree(Function &f, std::vector<Function *> &out) {
  out.push_back(&f);
  for (const PoolConstant &c : f.consts)
    if (c.isCode())
      collectTree(*c.codeFunction(), out);
}

/// The globals a function tree reads, and the attribute paths it reads
/// through a global ("config.DEBUG", up to three attributes deep).
void collectReads(Function &f, std::set<std::string> &names,
                  std::set<std::string> &paths) {
  std::vector<Function *> tree;
  collectTree(f, tree);
  for (Function *g : tree)
    for (const Block &block : *g)
      for (const Instruction &inst : block) {
        if (inst.is(Op::LoadGlobal))
          names.insert(g->names[inst.nameIndex()].utf8);
        if (!inst.is(Op::LoadAttr))
          continue;
        std::string path = g->names[inst.nameIndex()].utf8;
        const Instruction *base = definer(inst.operand(0));
        for (unsigned depth = 0; base && depth < 3; ++depth) {
          if (base->is(Op::LoadGlobal)) {
            paths.insert(g->names[base->nameIndex()].utf8 + "." + path);
            break;
          }
          if (!base->is(Op::LoadAttr) || base->numResults() != 1)
            break;
          path = g->names[base->nameIndex()].utf8 + "." + path;
          base = definer(base->operand(0));
        }
      }
}

class ApplyDecorators final : public Pass {
public:
  llvm::StringRef name() const override { return kPass; }
  bool run(Module &module, PassContext &context) override;
};

/// Compiles one decorated def ahead of time; true if its code changed.
class AheadOfTime {
public:
  AheadOfTime(Module &module, PassContext &context, const DecoratorScan &scan,
              const DecoratedDef &def)
      : module_(module), context_(context), scan_(scan), def_(def),
        scratch_(module.version()) {}

  bool run();

private:
  void missed(const std::string &why) {
    context_.remark(kPass, false, *def_.made.child, def_.line,
                    "@bcc." +
                        std::string(decoratorName(def_.request.decorator)) +
                        " is left to the import: " + why);
  }
  /// The fixed facts of the scratch module, with copies of the callees.
  std::map<std::string, GlobalBinding> facts();
  void buildStandIn();
  Status buildPipeline(PassManager &pm, const OptimizationOptions &options);
  /// Puts the optimized copy in the module, with the mark.
  void install(Function &optimized, PassContext &inner);
  /// EXPECTED of the mark, one item per name of relied_.
  Constant::Elements expectedValues(PassContext &inner);

  Module &module_;
  PassContext &context_;
  const DecoratorScan &scan_;
  const DecoratedDef &def_;
  Module scratch_;
  Function *standIn_ = nullptr;
  Function *copy_ = nullptr;
  bool markedCallees_ = false; ///< @bcc.inline: some callee is marked
  /// The names of the facts granted, for the mark.
  std::set<std::string> relied_;
};

void AheadOfTime::buildStandIn() {
  // A module code that does nothing: `return None`.
  Function &top = *scratch_.createFunction();
  top.name.utf8 = top.qualName.utf8 = "<module>";
  top.name.interned = top.qualName.interned = true;
  top.fileName = scan_.top().fileName;
  top.firstLineNo = 1;
  top.consts.push_back(PoolConstant::value(Constant::none()));
  IRBuilder b(top);
  b.setInsertPoint(top.createBlock());
  b.ret(b.constant(0));
  standIn_ = &top;
}

std::map<std::string, GlobalBinding> AheadOfTime::facts() {
  const ModuleFacts &facts = scan_.facts();
  const DecoratorRequest &request = def_.request;
  const TreeFacts *tree = context_.tree();
  // Every name the module binds stays bound, without a fact (a pass must
  // not take a module's own `print` for the builtin).
  std::map<std::string, GlobalBinding> bindings;
  for (const auto &[name, binding] : facts.bindings()) {
    GlobalBinding bound;
    bound.writes = binding.writes;
    bound.unconditional = binding.unconditional;
    bound.line = binding.line;
    bindings[name] = bound;
  }
  std::set<std::string> reads, paths;
  collectReads(*def_.made.child, reads, paths);
  // @bcc.inline: when some callee it reads is marked by @bcc.inline, only
  // the marked ones are inlined (bindings/bcc/__init__.py).
  if (request.decorator == Decorator::Inline)
    for (const std::string &name : reads)
      if (scan_.stableAt(name, *def_.point))
        if (auto decorated = scan_.decoratedBinding(name))
          markedCallees_ |= decorated->second == Decorator::Inline &&
                            decorated->first.child != def_.made.child;
  std::vector<std::string> pending(reads.begin(), reads.end());
  std::vector<std::string> imports; ///< granted imports of the tree's modules
  std::set<std::string> seen;
  std::set<std::string> allReads = reads;
  while (!pending.empty()) {
    std::string name = pending.back();
    pending.pop_back();
    if (!seen.insert(name).second)
      continue;
    const GlobalBinding *b = facts.lookup(name);
    if (!b || !scan_.stableAt(name, *def_.point))
      continue;
    GlobalBinding &fact = bindings[name];
    if (b->kind == GlobalBinding::Kind::Constant) {
      if (request.constants) {
        fact = *b;
        relied_.insert(name);
      }
      continue;
    }
    if (b->kind == GlobalBinding::Kind::Import) {
      // Only imports of modules of the tree say anything at compile time.
      bool wanted = b->importsModule ? request.modules : request.constants;
      if (wanted && tree && tree->resolve(b->path).first) {
        fact = *b;
        fact.function = nullptr;
        relied_.insert(name);
        imports.push_back(name);
      }
      continue;
    }
    if (!request.inlines)
      continue;
    // A function: a plain def, or a def the package decorates (its
    // decorator returns the function itself).
    MadeFunction callee;
    bool marked = false;
    if (b->kind == GlobalBinding::Kind::Function && b->function) {
      callee.child = b->function;
      callee.defaults = b->defaults;
      callee.hasKwDefaults = b->hasKwDefaults;
      callee.hasClosure = b->hasClosure;
    } else if (auto decorated = scan_.decoratedBinding(name)) {
      callee = decorated->first;
      marked = decorated->second == Decorator::Inline;
    } else {
      continue;
    }
    if (!callee.child || !callee.defaultsKnown ||
        callee.child == def_.made.child || (markedCallees_ && !marked))
      continue;
    Function *copy = cloneFunctionTree(*callee.child, scratch_);
    standIn_->consts.push_back(PoolConstant::code(copy));
    fact = GlobalBinding();
    fact.kind = GlobalBinding::Kind::Function;
    fact.writes = 1;
    fact.unconditional = true;
    fact.line = b->line;
    fact.function = copy;
    fact.defaults = callee.defaults;
    fact.hasKwDefaults = callee.hasKwDefaults;
    fact.hasClosure = callee.hasClosure;
    relied_.insert(name);
    std::set<std::string> more;
    collectReads(*callee.child, more, paths);
    allReads.insert(more.begin(), more.end());
    pending.insert(pending.end(), more.begin(), more.end());
  }
  // An attribute of a module of the tree, read through a granted import
  // (`config.DEBUG`), folds: the attribute is relied on too.
  for (const std::string &name : imports)
    for (const std::string &path : paths)
      if (llvm::StringRef(path).startswith(name + ".")) {
        auto [module, rest] =
            tree->resolve(facts.lookup(name)->path + path.substr(name.size()));
        if (module && !rest.empty())
          relied_.insert(path);
      }
  // strip-print relies on `print` being the builtin.
  if (request.assumptions.has(Assumption::NoPrint) && allReads.count("print") &&
      !facts.lookup("print"))
    relied_.insert("print");
  return bindings;
}

Status AheadOfTime::buildPipeline(PassManager &pm,
                                  const OptimizationOptions &options) {
  const DecoratorRequest &request = def_.request;
  if (request.decorator == Decorator::Inline) {
    uint64_t size =
        request.maxSize ? *request.maxSize : (markedCallees_ ? 1000 : 60);
    return parsePipeline(pm, "inline<max-size=" + std::to_string(size) + ">," +
                                 kCleanups);
  }
  if (request.passes.empty())
    return bcc::buildPipeline(pm, options);
  return parsePipeline(pm, request.passes);
}

bool AheadOfTime::run() {
  const DecoratorRequest &request = def_.request;
  Function &original = *def_.made.child;
  if (!request.refusal.empty()) {
    missed(request.refusal);
    return false;
  }
  if (isMarked(original))
    return false; // compiled ahead of time already
  if (original.flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR |
                        CO_ITERABLE_COROUTINE)) {
    missed("generators and coroutines are not optimized");
    return false;
  }
  if (scan_.facts().isDynamic()) {
    missed("the module uses " + scan_.facts().dynamicReason() +
           ", so its code proves no fact");
    return false;
  }
  buildStandIn();
  copy_ = cloneFunctionTree(original, scratch_);
  standIn_->consts.push_back(PoolConstant::code(copy_));
  std::map<std::string, GlobalBinding> bindings = facts();

  OptimizationOptions options;
  options.level = request.level;
  options.assumptions = request.assumptions;
  options.constants = context_.options().constants;
  Instrumentation instruments;
  instruments.verifyEach = context_.verifiesEachStep();
  PassManager pm(instruments);
  if (Status built = buildPipeline(pm, options); !built) {
    missed(built.error().message);
    return false;
  }
  Statistics stats;
  PassContext inner(options, stats);
  inner.setModuleName(context_.moduleName(), context_.isPackage());
  inner.setTree(context_.tree());
  inner.setFixedFacts(std::make_shared<ModuleFacts>(
      ModuleFacts::fromBindings(context_.moduleName(), std::move(bindings))));
  // The decorated function's remarks (its nested code's too), not those
  // about the callees' copies.
  std::string qualName = original.qualName.utf8;
  if (context_.wantsRemarks())
    inner.setRemarkSink([&](const Remark &r) {
      if (r.function == qualName ||
          llvm::StringRef(r.function).startswith(qualName + ".<locals>."))
        context_.forwardRemark(r);
    });
  // What CPython compiled stays as it was unless a pass changes it.
  inner.setPristine(*standIn_);
  if (context_.isPristine(original))
    for (const auto &function : scratch_.functions())
      inner.setPristine(*function);
  if (Status ran = pm.run(scratch_, inner); !ran) {
    missed(ran.error().message);
    return false;
  }
  std::vector<Function *> tree;
  collectTree(*copy_, tree);
  bool changed = false;
  for (Function *f : tree) {
    if (inner.isPristine(*f))
      continue;
    changed = true;
    Status ok = verify(*f);
    if (ok)
      ok = verifyStackForm(*f);
    if (!ok) {
      missed("bcc internal error: the new code does not verify: " +
             ok.error().message);
      return false;
    }
  }
  if (!changed) {
    missed("its pipeline changes nothing with the facts of the module's "
           "code");
    return false;
  }
  install(*copy_, inner);
  std::string names;
  for (const std::string &name : relied_)
    names += (names.empty() ? "" : ", ") + name;
  context_.remark(kPass, true, original, def_.line,
                  "compiled ahead of time as @bcc." +
                      std::string(decoratorName(request.decorator)) +
                      " does at import (relies on " +
                      (names.empty() ? std::string("no global") : names) + ")");
  context_.count(kPass, "functions compiled ahead of time");
  return true;
}

Constant::Elements AheadOfTime::expectedValues(PassContext &inner) {
  const ModuleFacts &facts = inner.facts(scratch_);
  Constant::Elements out;
  for (const std::string &name : relied_) {
    auto [head, rest] = llvm::StringRef(name).split('.');
    std::optional<ConstantFact> fact =
        rest.empty() ? constantGlobal(facts, inner.tree(), head, inner.options())
                     : constantModuleAttribute(facts, inner.tree(), head, rest,
                                               inner.options());
    Constant::Elements item;
    if (fact)
      item.push_back(fact->value);
    out.push_back(Constant::tuple(std::move(item)));
  }
  return out;
}

void AheadOfTime::install(Function &optimized, PassContext &inner) {
  Function &original = *def_.made.child;
  Function *fresh = cloneFunctionTree(optimized, module_);
  // What the inner pipeline left pristine stays so here too.
  std::vector<Function *> from, to;
  collectTree(optimized, from);
  collectTree(*fresh, to);
  for (size_t i = 0; i < from.size() && i < to.size(); ++i)
    if (inner.isPristine(*from[i]))
      context_.setPristine(*to[i]);
  // The mark: the original code (nothing loads it), then the tuple.
  unsigned index = unsigned(fresh->consts.size());
  fresh->consts.push_back(PoolConstant::code(&original));
  Constant::Elements names;
  for (const std::string &name : relied_)
    names.push_back(Constant::string(name, /*interned=*/true));
  Constant::Elements mark;
  mark.push_back(Constant::string(kMarker));
  mark.push_back(Constant::string(decoratorName(def_.request.decorator), true));
  mark.push_back(Constant::integer(int64_t(index)));
  mark.push_back(Constant::tuple(std::move(names)));
  mark.push_back(Constant::tuple(expectedValues(inner)));
  fresh->consts.push_back(
      PoolConstant::value(Constant::tuple(std::move(mark))));
  // The code that makes the function makes the new one; its instructions
  // are unchanged (it stays pristine).
  def_.holder->consts[def_.made.constIndex] = PoolConstant::code(fresh);
}

bool ApplyDecorators::run(Module &module, PassContext &context) {
  Function *top = module.topLevel();
  // A module that never names `bcc` imports nothing from it: the common
  // case costs a look at one pool.
  if (!top || top->empty() ||
      std::none_of(top->names.begin(), top->names.end(),
                   [](const PyString &n) { return n.utf8 == "bcc"; }))
    return false;
  const ModuleFacts &facts = context.facts(module);
  DecoratorScan scan(*top, facts);
  std::vector<DecoratedDef> defs;
  scan.findDefs(*top, nullptr, defs);
  for (auto [body, point] : scan.classBodies())
    scan.findDefs(*body, point, defs);
  bool changed = false;
  for (const DecoratedDef &def : defs)
    changed |= AheadOfTime(module, context, scan, def).run();
  return changed;
}

} // namespace

Expected<std::unique_ptr<Pass>>
createApplyDecoratorsPass(const PassParameters &parameters) {
  if (Status s = parameters.allowOnly(kPass, {}); !s)
    return s.error();
  return std::unique_ptr<Pass>(new ApplyDecorators());
}

} // namespace bcc
