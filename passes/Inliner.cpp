//===- passes/Inliner.cpp -------------------------------------------------===//

#include "passes/Inliner.h"

#include "ir/CallProtocol.h"
#include "ir/CodeObject.h"
#include "passes/IRUtils.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseMap.h"

#include <set>

namespace bcc {

namespace {

/// The largest function kept for inlining into other modules (the inline
/// pass's own max-size decides at the call).
constexpr unsigned kMaxImportedSize = 100;


const char *kFrameNames[] = {"locals", "vars", "super", "exec", "eval"};
// Attributes whose use means code looks at the stack of frames: the frame
// functions of sys, inspect and traceback, frame fields, warnings.warn
// (its stacklevel counts frames), and the logging calls, whose records
// name the calling function and line.
const char *kFrameAttributes[] = {
    "_getframe", "_getframemodulename", "currentframe", "stack",
    "getouterframes", "f_back", "f_locals", "f_globals", "f_lineno",
    "print_stack", "extract_stack", "format_stack", "walk_stack", "warn",
    "debug", "info", "warning", "error", "exception", "critical", "log",
    "findCaller"};

bool isFrameName(llvm::StringRef name) {
  for (const char *n : kFrameNames)
    if (name == n)
      return true;
  return false;
}

bool isFrameAttribute(llvm::StringRef name) {
  for (const char *n : kFrameAttributes)
    if (name == n)
      return true;
  return false;
}

/// What in `f` itself shows that it looks at the stack of frames, or "".
std::string frameUse(const Function &f) {
  for (const Block &block : f)
    for (const Instruction &inst : block) {
      if ((inst.is(Op::LoadGlobal) || inst.is(Op::LoadName)) &&
          isFrameName(f.names[inst.nameIndex()].utf8))
        return f.names[inst.nameIndex()].utf8 + "()";
      if (inst.is(Op::LoadAttr) &&
          isFrameAttribute(f.names[inst.nameIndex()].utf8))
        return f.names[inst.nameIndex()].utf8;
      if (inst.is(Op::Call) && inst.hasOptionalOperand())
        if (const Constant *names =
                constantOf(inst.operand(inst.numOperands() - 1)))
          if (names->is(ConstantKind::Tuple))
            for (const ConstantRef &n : names->elements())
              if (n->is(ConstantKind::String) &&
                  n->asString().utf8 == "stacklevel")
                return "stacklevel=";
    }
  return "";
}

/// Whether `f`, or a function of the module it calls, looks at frames:
/// inlining it would change how many frames they see (a helper that calls
/// `_caller(depth)` or `warnings.warn(stacklevel=2)`). The name of the
/// function that does, and what it uses, in `why`.
bool looksAtFrames(const Function &f, const ModuleFacts &facts,
                   std::set<const Function *> &visited, std::string &why) {
  if (!visited.insert(&f).second)
    return false;
  std::string use = frameUse(f);
  if (!use.empty()) {
    why = "'" + f.qualName.utf8 + "' uses " + use;
    return true;
  }
  for (const Block &block : f)
    for (const Instruction &inst : block) {
      if (!inst.is(Op::Call))
        continue;
      std::string ignored;
      std::optional<CallSite> site = findCallSite(
          const_cast<Instruction &>(inst), facts, nullptr, ignored);
      if (site && looksAtFrames(*site->callee, facts, visited, why))
        return true;
    }
  return false;
}

/// Whether the callee's code touches slot `slot` at all.
bool touches(const Function &callee, unsigned slot) {
  for (const Block &block : callee)
    for (const Instruction &inst : block)
      if (inst.info().immediate == ImmediateKind::Local &&
          inst.immediate() == slot)
        return true;
  return false;
}

unsigned parameterCount(const Function &f) {
  return unsigned(f.argCount + f.kwOnlyArgCount) +
         ((f.flags & CO_VARARGS) ? 1 : 0) +
         ((f.flags & CO_VARKEYWORDS) ? 1 : 0);
}

/// Whether a value computed between the callee load and the call (other
/// than the call's result) is used after the call: then the call's block
/// cannot be cut around it.
bool argumentsUsedAfter(const CallSite &site) {
  llvm::SmallPtrSet<const Value *, 8> between;
  for (auto it = std::next(site.calleeLoad->getIterator());
       &*it != site.call; ++it)
    for (const InstResult &r : it->results())
      between.insert(&r);
  for (auto it = std::next(site.call->getIterator());
       it != site.call->parent()->end(); ++it) {
    for (const Use &u : it->operandUses())
      if (between.count(u.get()))
        return true;
    for (const Successor &s : it->successors())
      for (const Use &u : s.argUses())
        if (between.count(u.get()))
          return true;
  }
  return false;
}

} // namespace

//===----------------------------------------------------------------------===//
// Finding and binding calls
//===----------------------------------------------------------------------===//

std::optional<CallSite> findCallSite(Instruction &call,
                                     const ModuleFacts &facts,
                                     const TreeFacts *tree,
                                     std::string &whyNot) {
  whyNot.clear();
  if (!call.is(Op::Call))
    return std::nullopt;
  std::optional<StaticCallee> callee = staticCallee(call);
  if (!callee || callee->self)
    return std::nullopt;
  Instruction *load = definer(callee->callable);
  if (!load || !load->is(Op::LoadGlobal) || load->numResults() != 2 ||
      load->parent() != call.parent())
    return std::nullopt;
  Function &f = *call.function();
  unsigned nullIndex = f.version().atLeast(3, 13) ? 1 : 0;
  if (definer(call.operand(nullIndex)) != load ||
      !load->result(0)->hasOneUse() || !load->result(1)->hasOneUse())
    return std::nullopt;
  CallSite site;
  site.call = &call;
  site.calleeLoad = load;
  site.name = f.names[load->nameIndex()].utf8;
  const GlobalBinding *binding = facts.lookup(site.name);
  if (!binding)
    return std::nullopt;
  if (binding->kind == GlobalBinding::Kind::Function && binding->function) {
    site.callee = binding->function;
    site.defaults = binding->defaults;
    site.hasKwDefaults = binding->hasKwDefaults;
  } else if (binding->kind == GlobalBinding::Kind::Import && tree &&
             !binding->importsModule) {
    // `from m import f` with m in the tree.
    auto [source, attribute] = tree->resolve(binding->path);
    const ImportableFunction *imported =
        source && !attribute.empty()
            ? tree->importable(source->moduleName(), attribute)
            : nullptr;
    if (!imported)
      return std::nullopt;
    for (const std::string &global : imported->globals)
      if (facts.lookup(global) || facts.isDynamic()) {
        whyNot = "'" + site.name + "' reads '" + global +
                 "', which this module " +
                 (facts.isDynamic() ? "may bind" : "binds itself");
        return std::nullopt;
      }
    if (imported->function->version() != f.version())
      return std::nullopt;
    site.callee = imported->function;
    site.defaults = imported->defaults;
    site.hasKwDefaults = imported->hasKwDefaults;
    site.foreign = true;
  } else {
    return std::nullopt;
  }
  if (!binding->boundOnce()) {
    whyNot = "'" + site.name + "' is " +
             (binding->writes > 1 ? "assigned " +
                                        std::to_string(binding->writes) +
                                        " times"
                                  : std::string("bound conditionally"));
    return std::nullopt;
  }
  if (binding->hasClosure) {
    whyNot = "'" + site.name + "' is a closure";
    return std::nullopt;
  }
  if (argumentsUsedAfter(site)) {
    whyNot = "a value computed for the call is used after it";
    return std::nullopt;
  }
  return site;
}

void exportInlinable(const Module &module, const ModuleFacts &facts,
                     const std::set<std::string> &wanted, TreeFacts &tree) {
  for (const std::string &name : wanted) {
    const GlobalBinding *binding = facts.lookup(name);
    if (!binding || binding->kind != GlobalBinding::Kind::Function ||
        !binding->function || !binding->boundOnce() || binding->hasClosure ||
        facts.isDynamic())
      continue;
    const Function &function = *binding->function;
    if (inlineCost(function) > kMaxImportedSize ||
        !inlineRefusal(function, *module.topLevel(), facts).empty())
      continue;
    std::vector<std::string> globals;
    bool portable = true;
    for (const Block &block : function)
      for (const Instruction &inst : block) {
        if (!inst.is(Op::LoadGlobal))
          continue;
        const std::string &global = function.names[inst.nameIndex()].utf8;
        if (!isBuiltinName(global) || facts.lookup(global))
          portable = false;
        else if (std::find(globals.begin(), globals.end(), global) ==
                 globals.end())
          globals.push_back(global);
      }
    if (portable)
      tree.addImportable(facts.moduleName(), name, function, *binding,
                         std::move(globals));
  }
}

std::optional<ArgumentBinding> bindArguments(const CallSite &site,
                                             const Function &callee,
                                             std::string &whyNot) {
  const Instruction &call = *site.call;
  CallOperands ops = callOperands(call);
  std::vector<std::string> keywords;
  if (ops.kwNames) {
    const Constant *names = constantOf(ops.kwNames);
    if (!names || !names->is(ConstantKind::Tuple)) {
      whyNot = "the keyword names are not a constant tuple";
      return std::nullopt;
    }
    for (const ConstantRef &n : names->elements()) {
      if (!n->is(ConstantKind::String)) {
        whyNot = "a keyword name is not a string";
        return std::nullopt;
      }
      keywords.push_back(n->asString().utf8);
    }
  }
  unsigned numArgs = unsigned(ops.args.size());
  if (keywords.size() > numArgs) {
    whyNot = "more keyword names than arguments";
    return std::nullopt;
  }
  unsigned positional = numArgs - unsigned(keywords.size());
  unsigned argc = unsigned(callee.argCount);
  unsigned kwonly = unsigned(callee.kwOnlyArgCount);
  unsigned posonly = unsigned(callee.posOnlyArgCount);
  bool varargs = callee.flags & CO_VARARGS;
  bool varkw = callee.flags & CO_VARKEYWORDS;
  unsigned varargsSlot = argc + kwonly;
  unsigned varkwSlot = argc + kwonly + (varargs ? 1 : 0);
  ArgumentBinding binding;
  binding.parameters.resize(parameterCount(callee));
  using Source = ArgumentBinding::Source;
  for (unsigned i = 0; i < positional && i < argc; ++i) {
    binding.parameters[i].kind = Source::Operand;
    binding.parameters[i].operand = 2 + i;
  }
  if (positional > argc) {
    if (!varargs) {
      whyNot = "the call passes " + std::to_string(positional) +
               " positional arguments to a function that takes " +
               std::to_string(argc) + " (it raises TypeError)";
      return std::nullopt;
    }
    if (touches(callee, varargsSlot)) {
      whyNot = "the callee reads its *args";
      return std::nullopt;
    }
  } else if (varargs && touches(callee, varargsSlot)) {
    if (writesLocal(callee, varargsSlot)) {
      whyNot = "the callee assigns its *args";
      return std::nullopt;
    }
    binding.parameters[varargsSlot].kind = Source::Default;
    binding.parameters[varargsSlot].value = Constant::tuple({});
  }
  for (unsigned k = 0; k < keywords.size(); ++k) {
    unsigned operand = 2 + positional + k;
    int slot = -1;
    for (unsigned j = posonly; j < argc + kwonly; ++j)
      if (callee.localsPlus[j].name.utf8 == keywords[k])
        slot = int(j);
    if (slot < 0) {
      if (!varkw) {
        whyNot = "the call passes an unexpected keyword argument '" +
                 keywords[k] + "' (it raises TypeError)";
        return std::nullopt;
      }
      if (touches(callee, varkwSlot)) {
        whyNot = "the callee reads its **kwargs";
        return std::nullopt;
      }
      continue;
    }
    Source &s = binding.parameters[unsigned(slot)];
    if (s.kind != Source::Absent) {
      whyNot = "the call passes '" + keywords[k] +
               "' twice (it raises TypeError)";
      return std::nullopt;
    }
    s.kind = Source::Operand;
    s.operand = operand;
  }
  if (varkw && touches(callee, varkwSlot)) {
    whyNot = "the callee reads its **kwargs";
    return std::nullopt;
  }
  const ConstantRef &defaults = site.defaults;
  unsigned numDefaults = defaults ? unsigned(defaults->elements().size()) : 0;
  for (unsigned j = 0; j < argc + kwonly; ++j) {
    Source &s = binding.parameters[j];
    if (s.kind != Source::Absent)
      continue;
    if (j < argc && j + numDefaults >= argc) {
      s.kind = Source::Default;
      s.value = defaults->elements()[j - (argc - numDefaults)];
      continue;
    }
    whyNot = std::string(j < argc ? "" : "keyword-only ") + "argument '" +
             callee.localsPlus[j].name.utf8 + "' is not passed" +
             (j >= argc && site.hasKwDefaults
                  ? " (bcc does not read keyword-only defaults)"
                  : " (it raises TypeError)");
    return std::nullopt;
  }
  return binding;
}

//===----------------------------------------------------------------------===//
// What can be inlined
//===----------------------------------------------------------------------===//

std::string inlineRefusal(const Function &callee, const Function &caller,
                          const ModuleFacts &facts) {
  if (&callee == &caller)
    return "it is the caller itself";
  if (callee.flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR |
                      CO_ITERABLE_COROUTINE))
    return "it is a generator or a coroutine";
  for (const LocalsPlusSlot &slot : callee.localsPlus)
    if (slot.kind & (CO_FAST_CELL | CO_FAST_FREE))
      return "it has cells or free variables";
  const OpcodeTable *table = OpcodeTable::forVersion(callee.version());
  const PyOps &ops = pyOps(callee.version());
  for (const Block &block : callee)
    for (const Instruction &inst : block) {
      switch (inst.op()) {
      case Op::Const:
        if (callee.consts[inst.constIndex()].isCode())
          return "it defines a function, class or comprehension of its own";
        break;
      case Op::StoreName:
      case Op::DeleteName:
      case Op::StoreGlobal:
      case Op::DeleteGlobal:
      case Op::CopyFreeVars:
      case Op::MakeCell:
      case Op::LoadDeref:
      case Op::StoreDeref:
      case Op::DeleteDeref:
      case Op::LoadClosure:
        if (inst.is(Op::StoreGlobal) || inst.is(Op::DeleteGlobal))
          return "it assigns a global";
        return std::string("it uses ") + inst.info().mnemonic;
      case Op::Py: {
        int op = inst.pyOpcode();
        if (op == ops.RESUME)
          break;
        const OpcodeInfo *info = table->info(inst.pyOpcode());
        if (op == ops.RETURN_GENERATOR || op == ops.YIELD_VALUE ||
            op == ops.SEND || op == ops.LOAD_LOCALS ||
            op == ops.SETUP_ANNOTATIONS || op == ops.LOAD_SUPER_ATTR ||
            op == ops.IMPORT_STAR || op == ops.CALL_INTRINSIC_1 ||
            (info && (info->hasConst || info->hasLocal || info->hasFree ||
                      (info->hasName && op != ops.IMPORT_NAME &&
                       op != ops.IMPORT_FROM))))
          return std::string("it uses ") + inst.pyOpname();
        break;
      }
      default:
        break;
      }
    }
  if (!maybeUnboundLoads(callee).empty())
    return "it may read a local before assigning it";
  std::set<const Function *> visited;
  std::string why;
  if (looksAtFrames(callee, facts, visited, why))
    return "it looks at the stack of frames, which would lose one (" + why +
           ")";
  return "";
}

bool isNoOp(const Function &callee) {
  if (callee.flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR |
                      CO_ITERABLE_COROUTINE))
    return false;
  const PyOps &ops = pyOps(callee.version());
  for (const Block &block : callee)
    for (const Instruction &inst : block) {
      if (isPy(inst, ops.RESUME) || inst.is(Op::Nop) || inst.is(Op::Const) ||
          inst.is(Op::Br))
        continue;
      if (inst.is(Op::Return)) {
        const Constant *k = constantOf(inst.operand(0));
        if (k && k->is(ConstantKind::None))
          continue;
      }
      return false;
    }
  return true;
}

unsigned inlineCost(const Function &callee, const PassContext *context) {
  const PyOps &ops = pyOps(callee.version());
  unsigned n = 0;
  for (const Block &block : callee) {
    unsigned here = 0;
    bool fallback = false;
    for (const Instruction &inst : block) {
      here += !(isPy(inst, ops.RESUME) || inst.is(Op::Nop) ||
                (inst.is(Op::Br) && !inst.hasOffset()));
      fallback |= context && context->isFallbackCall(inst);
    }
    if (!fallback)
      n += here;
  }
  return n;
}


} // namespace bcc
