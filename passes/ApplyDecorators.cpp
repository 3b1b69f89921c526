//===- passes/ApplyDecorators.cpp - apply-decorators: bcc's decorators, ahead of time
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
// function of this module can change whatever they do. If the copy
// changed, a copy of it takes the function's place in the pool of the code
// that makes it (the module's code or the class body); that code's
// instructions are unchanged and it stays pristine. The decorator still
// runs at import.
//
// The mark: the new code's co_consts end with the original code object
// (the function as CPython compiled it, which nothing loads) and the tuple
//     ("\x00bcc-aot", DECORATOR, INDEX_OF_ORIGINAL_CODE, (NAMES...))
// where NAMES are the globals the new code relies on (the facts granted
// that the function or its inlined callees read; `config.DEBUG` for a
// folded attribute of a module of the tree; `print` under no-print). The
// package's decorator finds it (bindings/bcc/_aot.py), keeps the code and
// watches NAMES, with the original code to go back to.
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

#include "ir/CallProtocol.h"
#include "ir/CodeObject.h"
#include "ir/Dominators.h"
#include "ir/Verifier.h"
#include "passes/BuiltinPasses.h"
#include "passes/IRUtils.h"
#include "passes/ModuleFacts.h"
#include "passes/PassManager.h"
#include "passes/Pipelines.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

namespace bcc {

namespace {

constexpr const char *kPass = "apply-decorators";
constexpr const char *kCleanups = "const-fold,fold-branches,simplify-cfg,dce";
/// The first item of the mark's tuple.
const std::string kMarker("\0bcc-aot", 8);

/// The package's decorators (bindings/bcc/__init__.py).
enum class Decorator : uint8_t {
  Optimize,
  CacheGlobals,
  Unprint,
  Smartdebug,
  Inline
};

const char *const kDecoratorNames[] = {"optimize", "cache_globals", "unprint",
                                       "smartdebug", "inline"};

const char *nameOf(Decorator d) { return kDecoratorNames[unsigned(d)]; }

std::optional<Decorator> decoratorNamed(llvm::StringRef name) {
  for (unsigned i = 0; i < std::size(kDecoratorNames); ++i)
    if (name == kDecoratorNames[i])
      return Decorator(i);
  return std::nullopt;
}

/// What one application of a decorator asks for: its pipeline, as the
/// package builds it, and which globals it turns into facts.
struct Request {
  Decorator decorator = Decorator::Optimize;
  unsigned level = 3;
  Assumptions assumptions; ///< module-constants, stable-functions, assume=
  std::string passes;      ///< "" for the level's pipeline
  bool constants = true;   ///< globals bound to constants
  bool modules = true;     ///< imports (of modules of the tree)
  bool inlines = true;     ///< functions of the module, for inline/strip-debug
  std::optional<uint64_t> maxSize; ///< inline(max_size=)
  /// Why the pass leaves the function alone ("" if it does not).
  std::string refusal;
};

Request defaultRequest(Decorator d) {
  Request r;
  r.decorator = d;
  r.assumptions.grant(Assumption::ModuleConstants);
  r.assumptions.grant(Assumption::StableFunctions);
  std::string cleanups = kCleanups;
  switch (d) {
  case Decorator::Optimize:
    break;
  case Decorator::CacheGlobals:
    r.level = 2;
    r.inlines = false;
    r.passes = "fold-globals," + cleanups;
    break;
  case Decorator::Unprint:
    r.level = 2;
    r.constants = r.modules = r.inlines = false;
    r.assumptions.grant(Assumption::NoPrint);
    r.passes = "strip-print," + cleanups;
    break;
  case Decorator::Smartdebug:
    r.level = 2;
    r.passes = "fold-globals," + cleanups + ",strip-debug," + cleanups;
    break;
  case Decorator::Inline:
    r.constants = r.modules = false;
    break; // the pipeline depends on marked callees (compile())
  }
  return r;
}

/// Applies one keyword argument; the reason it cannot be, or "".
std::string applyKeyword(Request &r, llvm::StringRef keyword,
                         const Constant &value) {
  auto isBool = [&] {
    return value.is(ConstantKind::True) || value.is(ConstantKind::False);
  };
  auto bad = [&](const char *what) {
    return "'" + keyword.str() + "=' is not " + what;
  };
  switch (r.decorator) {
  case Decorator::Optimize:
    if (keyword == "level") {
      if (!value.is(ConstantKind::Int) || !value.asInt().isSmall ||
          value.asInt().small < 0 || value.asInt().small > 3)
        return bad("a level from 0 to 3");
      r.level = unsigned(value.asInt().small);
      return "";
    }
    if (keyword == "assume") {
      std::string list;
      if (value.is(ConstantKind::String)) {
        list = value.asString().utf8;
      } else if (value.is(ConstantKind::Tuple)) {
        for (const ConstantRef &item : value.elements()) {
          if (!item->is(ConstantKind::String))
            return bad("a string or a tuple of strings");
          list += (list.empty() ? "" : ",") + item->asString().utf8;
        }
      } else if (!value.is(ConstantKind::None)) {
        return bad("a string or a tuple of strings");
      }
      if (llvm::StringRef(list).trim(" ,").empty())
        return "";
      Expected<Assumptions> granted = Assumptions::parse(list);
      if (!granted)
        return granted.error().message;
      for (unsigned a = 0; a < kNumAssumptions; ++a)
        if (granted->has(Assumption(a)))
          r.assumptions.grant(Assumption(a));
      return "";
    }
    if (keyword == "passes") {
      if (!value.is(ConstantKind::String))
        return bad("a string");
      r.passes = value.asString().utf8;
      return "";
    }
    if (keyword == "verify_each" || keyword == "always")
      return isBool() ? "" : bad("True or False");
    break;
  case Decorator::CacheGlobals:
    if (keyword == "builtins")
      return isBool() ? "" : bad("True or False");
    if (keyword == "modules") {
      if (!isBool())
        return bad("True or False");
      r.modules = value.is(ConstantKind::True);
      return "";
    }
    break;
  case Decorator::Inline:
    if (keyword == "max_size") {
      if (value.is(ConstantKind::None)) {
        r.maxSize.reset();
        return "";
      }
      if (!value.is(ConstantKind::Int) || !value.asInt().isSmall ||
          value.asInt().small < 1)
        return bad("None or a positive number");
      r.maxSize = uint64_t(value.asInt().small);
      return "";
    }
    break;
  case Decorator::Unprint:
  case Decorator::Smartdebug:
    break;
  }
  return "bcc." + std::string(nameOf(r.decorator)) +
         " takes no keyword argument '" + keyword.str() + "'";
}

/// A function made by MAKE_FUNCTION (and, on 3.13, SET_FUNCTION_ATTRIBUTE).
struct MadeFunction {
  unsigned constIndex = 0; ///< the code constant, in the maker's pool
  Function *child = nullptr;
  ConstantRef defaults; ///< __defaults__, or null
  bool defaultsKnown = true, hasKwDefaults = false, hasClosure = false;
};

std::optional<MadeFunction> madeFunction(const Value *value,
                                         const PyOps &ops) {
  const Instruction *make = definer(value);
  uint32_t flags = 0;
  const Value *defaults = nullptr;
  while (make && isPy(*make, ops.SET_FUNCTION_ATTRIBUTE) &&
         make->numOperands() == 2) {
    flags |= make->pyOparg();
    if (make->pyOparg() == 0x01)
      defaults = make->operand(0);
    make = definer(make->operand(1));
  }
  if (!make || !isPy(*make, ops.MAKE_FUNCTION) || make->numOperands() < 1)
    return std::nullopt;
  const Instruction *code = definer(make->operand(make->numOperands() - 1));
  if (!code || !code->is(Op::Const))
    return std::nullopt;
  const PoolConstant &pc = make->function()->consts[code->constIndex()];
  if (!pc.isCode())
    return std::nullopt;
  if (ops.SET_FUNCTION_ATTRIBUTE < 0) {
    flags = make->pyOparg();
    if (flags & 0x01)
      defaults = make->operand(0);
  }
  MadeFunction made;
  made.constIndex = code->constIndex();
  made.child = pc.codeFunction();
  made.hasKwDefaults = flags & 0x02;
  made.hasClosure = flags & 0x08;
  if (defaults) {
    made.defaults = constantRefOf(defaults);
    made.defaultsKnown =
        made.defaults && made.defaults->is(ConstantKind::Tuple);
  }
  return made;
}

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

bool storesName(const Function &f, llvm::StringRef name) {
  for (const Block &block : f)
    for (const Instruction &inst : block)
      if ((inst.is(Op::StoreName) || inst.is(Op::DeleteName)) &&
          f.names[inst.nameIndex()].utf8 == name)
        return true;
  return false;
}

/// A def decorated by the package, found in the module's code or in the
/// body of one of its classes.
struct DecoratedDef {
  Function *holder = nullptr; ///< whose pool holds the code
  MadeFunction made;
  /// In the module's code: the decorator call, or the class statement's
  /// call (what must come after the facts' stores).
  const Instruction *point = nullptr;
  int line = 0; ///< the decorator's
  Request request;
};

class ApplyDecorators final : public Pass {
public:
  llvm::StringRef name() const override { return kPass; }
  bool run(Module &module, PassContext &context) override;
};

/// The module's code, its facts and its dominators: what finding the
/// decorated defs and their facts needs.
class ModuleScan {
public:
  ModuleScan(Function &top, const ModuleFacts &facts)
      : top_(top), facts_(facts), dominators_(top),
        ops_(pyOps(top.version())) {
    for (const Block &block : top)
      for (const Instruction &inst : block)
        if (inst.is(Op::StoreName) || inst.is(Op::StoreGlobal))
          stores_.try_emplace(top.names[inst.nameIndex()].utf8, &inst);
  }

  const ModuleFacts &facts() const { return facts_; }
  const PyOps &ops() const { return ops_; }
  Function &top() const { return top_; }

  /// `name` is bound exactly once, unconditionally, by a store of the
  /// module's code that runs before `point` on every path.
  bool stableAt(llvm::StringRef name, const Instruction &point) const;
  /// The decorated defs of `f` (the module's code or a class body).
  void findDefs(Function &f, const Instruction *classPoint,
                std::vector<DecoratedDef> &defs) const;
  /// The class bodies the module's code makes: (body, class call).
  std::vector<std::pair<Function *, const Instruction *>> classBodies() const;
  /// The function the module-level store of `name` binds when it is a def
  /// decorated by the package (which returns the function itself), and
  /// that decorator.
  std::optional<std::pair<MadeFunction, Decorator>>
  decoratedBinding(llvm::StringRef name) const;

private:
  std::optional<Decorator> loadedDecorator(const Value *value,
                                           const Function &f,
                                           const Instruction &point) const;
  std::optional<Request> decoratorRequest(const Value *value,
                                          const Function &f,
                                          const Instruction &point) const;
  /// The function value under staticmethod/classmethod applications.
  const Value *unwrapMethod(const Value *value, const Function &f) const;

  Function &top_;
  const ModuleFacts &facts_;
  DominatorTree dominators_;
  const PyOps &ops_;
  /// The first module-level store of each name (the only one, for a
  /// name bound once).
  std::map<std::string, const Instruction *, std::less<>> stores_;
};

bool ModuleScan::stableAt(llvm::StringRef name,
                          const Instruction &point) const {
  const GlobalBinding *b = facts_.lookup(name);
  auto it = stores_.find(name);
  if (!b || !b->boundOnce() || it == stores_.end())
    return false;
  const Instruction &store = *it->second;
  if (store.parent() != point.parent())
    return dominators_.instructionsDominate(store.parent(), point.parent());
  for (const Instruction &i : *store.parent()) {
    if (&i == &store)
      return true;
    if (&i == &point)
      return false;
  }
  return false;
}

std::optional<Decorator>
ModuleScan::loadedDecorator(const Value *value, const Function &f,
                            const Instruction &point) const {
  const Instruction *load = definer(value);
  if (!load || load->numResults() != 1)
    return std::nullopt;
  // The import that binds a name `f` loads, if it is stable there.
  auto importOf = [&](const Instruction &nameLoad) -> const GlobalBinding * {
    if (!nameLoad.is(Op::LoadName))
      return nullptr;
    llvm::StringRef name = f.names[nameLoad.nameIndex()].utf8;
    if (&f != &top_ && storesName(f, name))
      return nullptr; // the class body binds it itself
    const GlobalBinding *b = facts_.lookup(name);
    if (!b || b->kind != GlobalBinding::Kind::Import || !stableAt(name, point))
      return nullptr;
    return b;
  };
  if (load->is(Op::LoadName)) {
    const GlobalBinding *b = importOf(*load);
    llvm::StringRef path = b ? llvm::StringRef(b->path) : "";
    if (b && !b->importsModule && path.consume_front("bcc."))
      return decoratorNamed(path);
    return std::nullopt;
  }
  if (load->is(Op::LoadAttr)) {
    const Instruction *base = definer(load->operand(0));
    if (!base || base->numResults() != 1)
      return std::nullopt;
    const GlobalBinding *b = importOf(*base);
    if (b && b->importsModule && b->path == "bcc")
      return decoratorNamed(f.names[load->nameIndex()].utf8);
  }
  return std::nullopt;
}

std::optional<Request>
ModuleScan::decoratorRequest(const Value *value, const Function &f,
                             const Instruction &point) const {
  if (std::optional<Decorator> d = loadedDecorator(value, f, point))
    return defaultRequest(*d);
  // `@bcc.optimize(level=2, ...)`: the decorator called with options.
  const Instruction *call = definer(value);
  if (!call || !call->is(Op::Call))
    return std::nullopt;
  std::optional<StaticCallee> callee = staticCallee(*call);
  if (!callee || callee->self)
    return std::nullopt;
  std::optional<Decorator> d = loadedDecorator(callee->callable, f, point);
  if (!d)
    return std::nullopt;
  Request r = defaultRequest(*d);
  CallOperands operands = callOperands(*call);
  const Constant *kwNames =
      operands.kwNames ? constantOf(operands.kwNames) : nullptr;
  size_t numKeywords = kwNames ? kwNames->elements().size() : 0;
  if ((operands.kwNames && !kwNames) || operands.args.size() != numKeywords) {
    r.refusal = "bcc." + std::string(nameOf(*d)) +
                " is given positional arguments";
    return r;
  }
  for (size_t i = 0; i < numKeywords && r.refusal.empty(); ++i) {
    llvm::StringRef keyword = kwNames->elements()[i]->asString().utf8;
    const Constant *argument = constantOf(operands.args[i].get());
    r.refusal = argument ? applyKeyword(r, keyword, *argument)
                         : "'" + keyword.str() + "=' is not a constant";
  }
  return r;
}

const Value *ModuleScan::unwrapMethod(const Value *value,
                                      const Function &f) const {
  for (unsigned depth = 0; depth < 2; ++depth) {
    const Instruction *call = definer(value);
    if (!call || !call->is(Op::Call) || call->numOperands() != 2 ||
        call->hasOptionalOperand())
      return value;
    const Instruction *wrapper = definer(call->operand(0));
    if (!wrapper || !wrapper->is(Op::LoadName))
      return value;
    llvm::StringRef name = f.names[wrapper->nameIndex()].utf8;
    if ((name != "staticmethod" && name != "classmethod") ||
        facts_.lookup(name) || storesName(f, name))
      return value;
    value = call->operand(1);
  }
  return value;
}

void ModuleScan::findDefs(Function &f, const Instruction *classPoint,
                          std::vector<DecoratedDef> &defs) const {
  for (const Block &block : f)
    for (const Instruction &inst : block) {
      // `@decorator def name`: the decorator and the new function are
      // the call's two protocol slots, with no argument.
      if (!inst.is(Op::Call) || inst.numOperands() != 2 ||
          inst.hasOptionalOperand())
        continue;
      const Instruction &point = classPoint ? *classPoint : inst;
      std::optional<Request> request =
          decoratorRequest(inst.operand(0), f, point);
      if (!request)
        continue;
      std::optional<MadeFunction> made =
          madeFunction(unwrapMethod(inst.operand(1), f), ops_);
      if (!made)
        continue;
      DecoratedDef def;
      def.holder = &f;
      def.made = *made;
      def.point = &point;
      def.line = lineOf(inst);
      def.request = std::move(*request);
      defs.push_back(std::move(def));
    }
}

std::vector<std::pair<Function *, const Instruction *>>
ModuleScan::classBodies() const {
  std::vector<std::pair<Function *, const Instruction *>> bodies;
  for (const Block &block : top_)
    for (const Instruction &inst : block) {
      if (!inst.is(Op::Call) || inst.numOperands() < 3)
        continue;
      const Instruction *builder = definer(
          inst.operand(top_.version().atLeast(3, 13) ? 0 : 1));
      if (!builder || !builder->is(Op::Py) ||
          std::strcmp(builder->pyOpname(), "LOAD_BUILD_CLASS") != 0)
        continue;
      if (std::optional<MadeFunction> made =
              madeFunction(inst.operand(2), ops_))
        bodies.push_back({made->child, &inst});
    }
  return bodies;
}

std::optional<std::pair<MadeFunction, Decorator>>
ModuleScan::decoratedBinding(llvm::StringRef name) const {
  auto it = stores_.find(name);
  if (it == stores_.end() || !it->second->is(Op::StoreName))
    return std::nullopt;
  const Instruction *call = definer(it->second->operand(0));
  if (!call || !call->is(Op::Call) || call->numOperands() != 2 ||
      call->hasOptionalOperand())
    return std::nullopt;
  std::optional<Request> request =
      decoratorRequest(call->operand(0), top_, *call);
  std::optional<MadeFunction> made = madeFunction(call->operand(1), ops_);
  if (!request || !made)
    return std::nullopt;
  return std::make_pair(*made, request->decorator);
}

/// Compiles one decorated def ahead of time; true if its code changed.
class AheadOfTime {
public:
  AheadOfTime(Module &module, PassContext &context, const ModuleScan &scan,
              const DecoratedDef &def)
      : module_(module), context_(context), scan_(scan), def_(def),
        scratch_(module.version()) {}

  bool run();

private:
  void missed(const std::string &why) {
    context_.remark(kPass, false, *def_.made.child, def_.line,
                    "@bcc." + std::string(nameOf(def_.request.decorator)) +
                        " is left to the import: " + why);
  }
  /// The fixed facts of the scratch module, with copies of the callees.
  std::map<std::string, GlobalBinding> facts();
  void buildStandIn();
  Status buildPipeline(PassManager &pm, const OptimizationOptions &options);
  /// Puts the optimized copy in the module, with the mark.
  void install(Function &optimized, const PassContext &inner);

  Module &module_;
  PassContext &context_;
  const ModuleScan &scan_;
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
  const Request &request = def_.request;
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
        auto [module, rest] = tree->resolve(facts.lookup(name)->path +
                                            path.substr(name.size()));
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
  const Request &request = def_.request;
  if (request.decorator == Decorator::Inline) {
    uint64_t size = request.maxSize ? *request.maxSize
                                    : (markedCallees_ ? 1000 : 60);
    return parsePipeline(pm, "inline<max-size=" + std::to_string(size) +
                                 ">," + kCleanups);
  }
  if (request.passes.empty())
    return bcc::buildPipeline(pm, options);
  return parsePipeline(pm, request.passes);
}

bool AheadOfTime::run() {
  const Request &request = def_.request;
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
                      std::string(nameOf(request.decorator)) +
                      " does at import (relies on " +
                      (names.empty() ? std::string("no global") : names) +
                      ")");
  context_.count(kPass, "functions compiled ahead of time");
  return true;
}

void AheadOfTime::install(Function &optimized, const PassContext &inner) {
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
  mark.push_back(Constant::string(nameOf(def_.request.decorator), true));
  mark.push_back(Constant::integer(int64_t(index)));
  mark.push_back(Constant::tuple(std::move(names)));
  fresh->consts.push_back(PoolConstant::value(Constant::tuple(std::move(mark))));
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
  ModuleScan scan(*top, facts);
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
