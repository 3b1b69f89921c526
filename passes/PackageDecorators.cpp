//===- passes/PackageDecorators.cpp ---------------------------------------===//

#include "passes/PackageDecorators.h"

#include <cstring>
#include <iterator>

#include "ir/CallProtocol.h"

namespace bcc {

namespace {

/// The cleanups, as bindings/bcc/__init__.py names them.
constexpr const char *kCleanups = "const-fold,fold-branches,simplify-cfg,dce";

const char *const kDecoratorNames[] = {"optimize", "cache_globals", "unprint",
                                       "smartdebug", "inline"};

std::optional<Decorator> decoratorNamed(llvm::StringRef name) {
  for (unsigned i = 0; i < std::size(kDecoratorNames); ++i)
    if (name == kDecoratorNames[i])
      return Decorator(i);
  return std::nullopt;
}

DecoratorRequest defaultRequest(Decorator d) {
  DecoratorRequest r;
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
    break; // inline<max-size=...>: its size depends on the callees
  }
  return r;
}

/// Applies one keyword argument; the reason it cannot be, or "".
std::string applyKeyword(DecoratorRequest &r, llvm::StringRef keyword,
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
  return "bcc." + std::string(decoratorName(r.decorator)) +
         " takes no keyword argument '" + keyword.str() + "'";
}

bool storesName(const Function &f, llvm::StringRef name) {
  for (const Block &block : f)
    for (const Instruction &inst : block)
      if ((inst.is(Op::StoreName) || inst.is(Op::DeleteName)) &&
          f.names[inst.nameIndex()].utf8 == name)
        return true;
  return false;
}

} // namespace

const char *decoratorName(Decorator d) { return kDecoratorNames[unsigned(d)]; }

std::optional<MadeFunction> madeFunction(const Value *value, const PyOps &ops) {
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

DecoratorScan::DecoratorScan(Function &top, const ModuleFacts &facts)
    : top_(top), facts_(facts), dominators_(top), ops_(pyOps(top.version())) {
  for (const Block &block : top)
    for (const Instruction &inst : block)
      if (inst.is(Op::StoreName) || inst.is(Op::StoreGlobal))
        stores_.try_emplace(top.names[inst.nameIndex()].utf8, &inst);
}

bool DecoratorScan::stableAt(llvm::StringRef name,
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
DecoratorScan::loadedDecorator(const Value *value, const Function &f,
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

std::optional<DecoratorRequest>
DecoratorScan::decoratorRequest(const Value *value, const Function &f,
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
  DecoratorRequest r = defaultRequest(*d);
  CallOperands operands = callOperands(*call);
  const Constant *kwNames =
      operands.kwNames ? constantOf(operands.kwNames) : nullptr;
  size_t numKeywords = kwNames ? kwNames->elements().size() : 0;
  if ((operands.kwNames && !kwNames) || operands.args.size() != numKeywords) {
    r.refusal = "bcc." + std::string(decoratorName(*d)) +
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

const Value *DecoratorScan::unwrapMethod(const Value *value,
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

void DecoratorScan::findDefs(Function &f, const Instruction *classPoint,
                             std::vector<DecoratedDef> &defs) const {
  for (const Block &block : f)
    for (const Instruction &inst : block) {
      // `@decorator def name`: the decorator and the new function are
      // the call's two protocol slots, with no argument.
      if (!inst.is(Op::Call) || inst.numOperands() != 2 ||
          inst.hasOptionalOperand())
        continue;
      const Instruction &point = classPoint ? *classPoint : inst;
      std::optional<DecoratorRequest> request =
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
DecoratorScan::classBodies() const {
  std::vector<std::pair<Function *, const Instruction *>> bodies;
  for (const Block &block : top_)
    for (const Instruction &inst : block) {
      if (!inst.is(Op::Call) || inst.numOperands() < 3)
        continue;
      const Instruction *builder =
          definer(inst.operand(top_.version().atLeast(3, 13) ? 0 : 1));
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
DecoratorScan::decoratedBinding(llvm::StringRef name) const {
  auto it = stores_.find(name);
  if (it == stores_.end() || !it->second->is(Op::StoreName))
    return std::nullopt;
  const Instruction *call = definer(it->second->operand(0));
  if (!call || !call->is(Op::Call) || call->numOperands() != 2 ||
      call->hasOptionalOperand())
    return std::nullopt;
  std::optional<DecoratorRequest> request =
      decoratorRequest(call->operand(0), top_, *call);
  std::optional<MadeFunction> made = madeFunction(call->operand(1), ops_);
  if (!request || !made)
    return std::nullopt;
  return std::make_pair(*made, request->decorator);
}
} // namespace bcc
