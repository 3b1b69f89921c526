//===- passes/ModuleFacts.cpp ---------------------------------------------===//
//
// The module code is read once: every store_name/delete_name of the module
// body (the first function), the annotations it stores, and in every
// function the store_global/delete_global and the names that make a
// namespace unpredictable. A store "always runs" when every path from the
// module's entry to one of its returns runs it (its block's instructions
// dominate the return, or it comes before the return in the same block)
// and it is in no loop.
//
//===----------------------------------------------------------------------===//

#include "passes/ModuleFacts.h"

#include <algorithm>
#include <cstring>

#include "ir/CodeObject.h"
#include "ir/Dominators.h"
#include "ir/Loops.h"
#include "passes/IRUtils.h"

namespace bcc {

namespace {

/// Names whose use lets code read or write a namespace by name.
bool isDynamicName(llvm::StringRef name) {
  return name == "globals" || name == "vars" || name == "locals" ||
         name == "exec" || name == "eval";
}

bool isTypingModule(llvm::StringRef path) {
  return path == "typing" || path == "typing_extensions";
}

bool isFinalPath(llvm::StringRef path) {
  return path == "typing.Final" || path == "typing_extensions.Final";
}

class FactsReader {
public:
  FactsReader(const Module &module, llvm::StringRef moduleName, bool isPackage)
      : module_(module), moduleName_(moduleName.str()), isPackage_(isPackage),
        top_(module.topLevel()), ops_(pyOps(module.version())) {}

  void run(std::map<std::string, GlobalBinding> &bindings,
           std::string &dynamicReason);

private:
  void classify(const Value *value, GlobalBinding &binding);
  std::optional<std::string> importPath(const Value *value, unsigned depth,
                                        bool *fromList = nullptr);
  std::optional<std::string> absoluteModule(llvm::StringRef name,
                                            int64_t level) const;
  bool isFinalAnnotation(const Value *annotation,
                         const std::map<std::string, GlobalBinding> &bindings,
                         unsigned depth) const;
  llvm::StringRef nameOf(const Instruction &inst) const {
    return inst.function()->names[inst.nameIndex()].utf8;
  }

  const Module &module_;
  std::string moduleName_;
  bool isPackage_;
  const Function *top_;
  const PyOps &ops_;
};

void FactsReader::run(std::map<std::string, GlobalBinding> &bindings,
                      std::string &dynamicReason) {
  if (!top_ || top_->empty())
    return;
  // Writes from every function, and what makes a namespace dynamic.
  for (const auto &function : module_.functions()) {
    bool isTop = function.get() == top_;
    for (const Block &block : *function)
      for (const Instruction &inst : block) {
        // The module's own code stores a name some function declares
        // `global` with STORE_GLOBAL; that is a module-level binding, read
        // below with the others.
        if ((inst.is(Op::StoreGlobal) || inst.is(Op::DeleteGlobal)) && !isTop) {
          bindings[nameOf(inst).str()].writes += 1;
        } else if ((inst.is(Op::LoadGlobal) || inst.is(Op::LoadName)) &&
                   isDynamicName(nameOf(inst))) {
          if (dynamicReason.empty())
            dynamicReason = nameOf(inst).str() + "()";
        } else if (isPy(inst, ops_.IMPORT_STAR)) {
          if (dynamicReason.empty())
            dynamicReason = "a star import";
        }
      }
  }

  // The module body's own bindings.
  Function &top = const_cast<Function &>(*top_);
  DominatorTree dominators(top);
  LoopInfo loops(dominators);
  std::vector<const Instruction *> returns;
  for (const Block &block : top)
    if (const Instruction *term = block.terminator())
      if (term->is(Op::Return) && dominators.isReachable(&block))
        returns.push_back(term);
  auto alwaysRuns = [&](const Instruction &store) {
    const Block *block = store.parent();
    if (!dominators.isReachable(block) || loops.loopFor(block))
      return false;
    for (const Instruction *ret : returns) {
      if (ret->parent() == block)
        continue; // the store comes before its block's terminator
      if (!dominators.instructionsDominate(block, ret->parent()))
        return false;
    }
    return true;
  };
  std::vector<const Instruction *> annotations;
  for (const Block &block : top)
    for (const Instruction &inst : block) {
      if (inst.is(Op::StoreName) || inst.is(Op::StoreGlobal)) {
        GlobalBinding &b = bindings[nameOf(inst).str()];
        b.writes += 1;
        b.unconditional = alwaysRuns(inst);
        b.line = lineOf(inst);
        classify(inst.operand(0), b);
        b.everConstant |= b.kind == GlobalBinding::Kind::Constant;
      } else if (inst.is(Op::DeleteName) || inst.is(Op::DeleteGlobal)) {
        bindings[nameOf(inst).str()].writes += 1;
      } else if (isPy(inst, ops_.STORE_SUBSCR) && inst.numOperands() == 3) {
        annotations.push_back(&inst);
      }
    }
  // `X: Final = ...` stores the annotation into __annotations__['X'];
  // 3.14+ (PEP 649) compiles the annotations into the module's
  // __annotate__ function instead, which stores them into the dict it
  // builds and returns.
  const Function *annotate = nullptr;
  if (auto it = bindings.find("__annotate__");
      it != bindings.end() && it->second.writes == 1 &&
      it->second.kind == GlobalBinding::Kind::Function)
    annotate = it->second.function;
  if (annotate)
    for (const Block &block : *annotate)
      for (const Instruction &inst : block)
        if (isPy(inst, ops_.STORE_SUBSCR) && inst.numOperands() == 3)
          annotations.push_back(&inst);
  // The value a block parameter of __annotate__ always gets (its dict is
  // passed along the edges around each conditional annotation).
  auto throughParams = [&](const Value *v) {
    for (unsigned hops = 0; hops < 64 && llvm::isa<BlockParam>(v); ++hops) {
      const auto *param = llvm::cast<BlockParam>(v);
      const Value *only = nullptr;
      for (const Block &block : *annotate) {
        if (block.handler() == param->block())
          return v; // an exception edge brings it too
        for (const Instruction &inst : block)
          for (const Successor &edge : inst.successors())
            if (edge.target() == param->block()) {
              const Value *in = edge.arg(param->index());
              if (only && only != in)
                return v;
              only = in;
            }
      }
      if (!only)
        return v;
      v = only;
    }
    return v;
  };
  for (const Instruction *store : annotations) {
    const Value *target = store->function() == annotate
                              ? throughParams(store->operand(1))
                              : store->operand(1);
    const Instruction *container = definer(target);
    const Constant *key = constantOf(store->operand(2));
    bool intoAnnotations =
        container &&
        ((container->is(Op::LoadName) &&
          nameOf(*container) == "__annotations__") ||
         (store->function() == annotate &&
          isPy(*container, ops_.BUILD_MAP)));
    if (!intoAnnotations || !key || !key->is(ConstantKind::String))
      continue;
    auto it = bindings.find(key->asString().utf8);
    if (it != bindings.end() &&
        isFinalAnnotation(store->operand(0), bindings, 0))
      it->second.final = true;
  }
}

/// What a module-level store binds: a constant, a plain function, an
/// imported object.
void FactsReader::classify(const Value *value, GlobalBinding &b) {
  b.kind = GlobalBinding::Kind::Other;
  b.value = nullptr;
  b.function = nullptr;
  b.defaults = nullptr;
  b.hasKwDefaults = b.hasClosure = false;
  b.path.clear();
  b.importsModule = false;
  if (ConstantRef k = constantRefOf(value)) {
    b.kind = GlobalBinding::Kind::Constant;
    b.value = k;
    return;
  }
  const Instruction *inst = definer(value);
  if (!inst || !inst->is(Op::Py))
    return;
  // 3.13: MAKE_FUNCTION, then one SET_FUNCTION_ATTRIBUTE per attribute.
  const Instruction *make = inst;
  uint32_t flags = 0;
  llvm::SmallVector<const Instruction *, 4> attributes;
  while (isPy(*make, ops_.SET_FUNCTION_ATTRIBUTE) && make->numOperands() == 2) {
    flags |= make->pyOparg();
    attributes.push_back(make);
    make = definer(make->operand(1));
    if (!make)
      return;
  }
  if (isPy(*make, ops_.MAKE_FUNCTION) && make->numOperands() >= 1) {
    const Instruction *code = definer(make->operand(make->numOperands() - 1));
    if (!code || !code->is(Op::Const))
      return;
    const PoolConstant &pc = make->function()->consts[code->constIndex()];
    if (!pc.isCode())
      return;
    const Value *defaults = nullptr;
    if (ops_.SET_FUNCTION_ATTRIBUTE < 0) {
      flags = make->pyOparg();
      if (flags & 0x01)
        defaults = make->operand(0);
    } else {
      for (const Instruction *attr : attributes)
        if (attr->pyOparg() == 0x01)
          defaults = attr->operand(0);
    }
    b.kind = GlobalBinding::Kind::Function;
    b.function = pc.codeFunction();
    b.hasKwDefaults = flags & 0x02;
    b.hasClosure = flags & 0x08;
    if (defaults) {
      b.defaults = constantRefOf(defaults);
      if (!b.defaults || !b.defaults->is(ConstantKind::Tuple))
        b.kind = GlobalBinding::Kind::Other; // defaults made at run time
    }
    return;
  }
  bool fromList = true;
  if (std::optional<std::string> path = importPath(value, 0, &fromList)) {
    b.kind = GlobalBinding::Kind::Import;
    b.path = *path;
    b.importsModule = !fromList;
  }
}

std::optional<std::string>
FactsReader::absoluteModule(llvm::StringRef name, int64_t level) const {
  if (level == 0)
    return name.str();
  if (moduleName_.empty() || level < 0)
    return std::nullopt;
  auto parentOf = [](llvm::StringRef m) {
    size_t dot = m.rfind('.');
    return dot == llvm::StringRef::npos ? llvm::StringRef() : m.take_front(dot);
  };
  llvm::StringRef package = moduleName_;
  if (!isPackage_)
    package = parentOf(package);
  for (int64_t i = 1; i < level; ++i) {
    if (package.empty())
      return std::nullopt;
    package = parentOf(package);
  }
  if (package.empty())
    return std::nullopt;
  return name.empty() ? package.str() : package.str() + "." + name.str();
}

/// The dotted path of what an IMPORT_NAME/IMPORT_FROM chain yields.
std::optional<std::string> FactsReader::importPath(const Value *value,
                                                   unsigned depth,
                                                   bool *fromList) {
  const Instruction *inst = definer(value);
  if (!inst || depth > 8)
    return std::nullopt;
  if (isPy(*inst, ops_.IMPORT_FROM) && inst->numOperands() == 1) {
    std::optional<std::string> base =
        importPath(inst->operand(0), depth + 1, fromList);
    if (!base)
      return std::nullopt;
    return *base + "." + inst->function()->names[inst->pyOparg()].utf8;
  }
  if (isPy(*inst, ops_.IMPORT_NAME) && inst->numOperands() == 2) {
    const Constant *level = constantOf(inst->operand(0));
    const Constant *fromlist = constantOf(inst->operand(1));
    if (!level || !level->is(ConstantKind::Int) || !level->asInt().isSmall ||
        !fromlist)
      return std::nullopt;
    std::optional<std::string> absolute = absoluteModule(
        inst->function()->names[inst->pyOparg()].utf8, level->asInt().small);
    if (!absolute)
      return std::nullopt;
    if (fromList)
      *fromList = !fromlist->is(ConstantKind::None);
    // Without a from-list, `import a.b.c` gives the top-level package.
    if (fromlist->is(ConstantKind::None))
      return llvm::StringRef(*absolute).split('.').first.str();
    return absolute;
  }
  return std::nullopt;
}

bool FactsReader::isFinalAnnotation(
    const Value *annotation,
    const std::map<std::string, GlobalBinding> &bindings,
    unsigned depth) const {
  if (depth > 4)
    return false;
  if (const Constant *k = constantOf(annotation)) {
    // from __future__ import annotations: the annotation's source text.
    if (!k->is(ConstantKind::String))
      return false;
    llvm::StringRef text = llvm::StringRef(k->asString().utf8).trim();
    if (!text.consume_front("typing.") &&
        !text.consume_front("typing_extensions."))
      (void)0;
    if (!text.consume_front("Final"))
      return false;
    text = text.trim();
    return text.empty() || (text.startswith("[") && text.endswith("]"));
  }
  const Instruction *inst = definer(annotation);
  if (!inst)
    return false;
  auto bindingPath = [&](const Instruction &load) -> std::string {
    auto it = bindings.find(nameOf(load).str());
    if (it == bindings.end() || it->second.kind != GlobalBinding::Kind::Import)
      return "";
    return it->second.path;
  };
  // LOAD_GLOBAL: in a 3.14+ __annotate__, which reads the module's names.
  if (inst->is(Op::LoadName) ||
      (inst->is(Op::LoadGlobal) && inst->numResults() == 1))
    return isFinalPath(bindingPath(*inst));
  if (inst->is(Op::LoadAttr) && inst->numResults() == 1 &&
      nameOf(*inst) == "Final") {
    const Instruction *base = definer(inst->operand(0));
    return base &&
           (base->is(Op::LoadName) ||
            (base->is(Op::LoadGlobal) && base->numResults() == 1)) &&
           isTypingModule(bindingPath(*base));
  }
  if (isSubscript(*inst, ops_))
    return isFinalAnnotation(inst->operand(0), bindings, depth + 1);
  return false;
}

bool sameRuleApplies(const std::string &rule, const ModuleFacts &importer) {
  // An importer that may rebind anything by name cannot rely on a
  // module-constants fact of the other module either.
  return !(llvm::StringRef(rule).startswith("module-constants") &&
           importer.isDynamic());
}

} // namespace

//===----------------------------------------------------------------------===//
// ModuleFacts and TreeFacts
//===----------------------------------------------------------------------===//

ModuleFacts ModuleFacts::compute(const Module &module,
                                 llvm::StringRef moduleName, bool isPackage) {
  ModuleFacts facts;
  facts.moduleName_ = moduleName.str();
  FactsReader(module, moduleName, isPackage)
      .run(facts.bindings_, facts.dynamicReason_);
  return facts;
}

const GlobalBinding *ModuleFacts::lookup(llvm::StringRef name) const {
  auto it = bindings_.find(name.str());
  return it == bindings_.end() ? nullptr : &it->second;
}

ModuleFacts ModuleFacts::detached() const {
  ModuleFacts copy = *this;
  for (auto &[name, binding] : copy.bindings_) {
    (void)name;
    binding.function = nullptr;
  }
  return copy;
}

TreeFacts::TreeFacts() = default;
TreeFacts::~TreeFacts() = default;
TreeFacts::TreeFacts(TreeFacts &&) = default;
TreeFacts &TreeFacts::operator=(TreeFacts &&) = default;

std::set<std::pair<std::string, std::string>> TreeFacts::importedNames() const {
  std::set<std::pair<std::string, std::string>> names;
  for (const auto &[importer, facts] : modules_) {
    (void)importer;
    for (const auto &[name, binding] : facts.bindings()) {
      (void)name;
      if (binding.kind != GlobalBinding::Kind::Import || binding.importsModule)
        continue;
      auto [source, attribute] = resolve(binding.path);
      if (source && !attribute.empty() &&
          !llvm::StringRef(attribute).contains('.'))
        names.insert({source->moduleName(), attribute});
    }
  }
  return names;
}

void TreeFacts::addImportable(const std::string &module,
                              const std::string &name,
                              const Function &function,
                              const GlobalBinding &binding,
                              std::vector<std::string> globals) {
  unsigned minor = function.version().minor;
  std::unique_ptr<Module> &holder = holders_[minor];
  if (!holder)
    holder = std::make_unique<Module>(function.version());
  Function *copy = cloneFunction(function, *holder);
  if (!copy)
    return;
  ImportableFunction &entry = importable_[{module, name}];
  entry.function = copy;
  entry.defaults = binding.defaults;
  entry.hasKwDefaults = binding.hasKwDefaults;
  entry.globals = std::move(globals);
}

const ImportableFunction *TreeFacts::importable(llvm::StringRef module,
                                                llvm::StringRef name) const {
  auto it = importable_.find({module.str(), name.str()});
  return it == importable_.end() ? nullptr : &it->second;
}

void TreeFacts::add(ModuleFacts facts) {
  std::string name = facts.moduleName();
  if (!name.empty())
    modules_.insert_or_assign(name, facts.detached());
}

const ModuleFacts *TreeFacts::module(llvm::StringRef dottedName) const {
  auto it = modules_.find(dottedName);
  return it == modules_.end() ? nullptr : &it->second;
}

std::pair<const ModuleFacts *, std::string>
TreeFacts::resolve(llvm::StringRef path) const {
  llvm::StringRef prefix = path;
  while (!prefix.empty()) {
    if (const ModuleFacts *m = module(prefix)) {
      llvm::StringRef rest = path.drop_front(prefix.size());
      return {m, rest.startswith(".") ? rest.drop_front().str() : rest.str()};
    }
    size_t dot = prefix.rfind('.');
    if (dot == llvm::StringRef::npos)
      break;
    prefix = prefix.take_front(dot);
  }
  return {nullptr, ""};
}

//===----------------------------------------------------------------------===//
// The rules
//===----------------------------------------------------------------------===//

std::optional<ConstantFact> constantGlobal(const ModuleFacts &facts,
                                           const TreeFacts *tree,
                                           llvm::StringRef name,
                                           const OptimizationOptions &options,
                                           std::string *whyNot) {
  std::string scratch;
  std::string &why = whyNot ? *whyNot : scratch;
  why.clear();
  for (const UserConstant &c : options.constants)
    if (c.name == name && (c.module.empty() || c.module == facts.moduleName()))
      return ConstantFact{c.value, "--const " + c.text};
  const GlobalBinding *b = facts.lookup(name);
  if (!b)
    return std::nullopt;
  if (b->kind != GlobalBinding::Kind::Constant &&
      b->kind != GlobalBinding::Kind::Import)
    return std::nullopt;
  if (!b->boundOnce()) {
    if (b->everConstant)
      why = b->writes > 1 ? "'" + name.str() + "' is assigned " +
                                std::to_string(b->writes) + " times"
                          : "'" + name.str() +
                                "' is not always assigned (the assignment is "
                                "conditional or in a loop)";
    return std::nullopt;
  }
  if (b->kind == GlobalBinding::Kind::Constant) {
    if (b->final && options.finalConstants())
      return ConstantFact{b->value, "Final"};
    if (options.assumptions.has(Assumption::ModuleConstants)) {
      if (facts.isDynamic()) {
        why = "the module uses " + facts.dynamicReason();
        return std::nullopt;
      }
      return ConstantFact{b->value, facts.constantRule()};
    }
    why = b->final ? "'" + name.str() + "' is Final (folded at -O3)"
                   : "'" + name.str() +
                         "' is bound once to a constant (grant "
                         "--assume=module-constants or annotate it Final)";
    return std::nullopt;
  }
  // An imported name: the other module's fact, under the same rules.
  if (!tree)
    return std::nullopt;
  auto [source, attribute] = tree->resolve(b->path);
  if (!source || attribute.empty() ||
      llvm::StringRef(attribute).contains('.') || source == &facts)
    return std::nullopt;
  std::optional<ConstantFact> fact =
      constantGlobal(*source, tree, attribute, options, &why);
  if (!fact)
    return std::nullopt;
  if (!sameRuleApplies(fact->rule, facts)) {
    why = "the module uses " + facts.dynamicReason();
    return std::nullopt;
  }
  fact->rule += " in " + source->moduleName();
  return fact;
}

std::optional<ConstantFact>
constantModuleAttribute(const ModuleFacts &facts, const TreeFacts *tree,
                        llvm::StringRef name, llvm::StringRef attribute,
                        const OptimizationOptions &options,
                        std::string *whyNot) {
  if (whyNot)
    whyNot->clear();
  const GlobalBinding *b = facts.lookup(name);
  if (!tree || !b || b->kind != GlobalBinding::Kind::Import || !b->boundOnce())
    return std::nullopt;
  // `attribute` may go through packages: app.config.DEBUG after
  // `import app.config` (which binds `app`).
  auto [source, rest] = tree->resolve(b->path + "." + attribute.str());
  if (!source || rest.empty() || llvm::StringRef(rest).contains('.') ||
      source == &facts)
    return std::nullopt;
  std::optional<ConstantFact> fact =
      constantGlobal(*source, tree, rest, options, whyNot);
  if (!fact)
    return std::nullopt;
  if (!sameRuleApplies(fact->rule, facts)) {
    if (whyNot)
      *whyNot = "the module uses " + facts.dynamicReason();
    return std::nullopt;
  }
  fact->rule += " in " + source->moduleName();
  return fact;
}

ModuleFacts
ModuleFacts::fromBindings(std::string moduleName,
                          std::map<std::string, GlobalBinding> bindings,
                          std::string rule) {
  ModuleFacts facts;
  facts.moduleName_ = std::move(moduleName);
  facts.bindings_ = std::move(bindings);
  facts.constantRule_ = std::move(rule);
  return facts;
}

//===----------------------------------------------------------------------===//
// Module names
//===----------------------------------------------------------------------===//

namespace {

/// The directory of the source a .pyc stands for ('/'-separated, "" for
/// the root), and the module's own name from the file name.
void splitPycPath(llvm::StringRef path, std::string &directory,
                  std::string &stem) {
  auto [dir, file] = path.rsplit('/');
  if (dir == path) { // no '/'
    file = path;
    dir = "";
  }
  if (dir == "__pycache__")
    dir = "";
  else if (dir.endswith("/__pycache__"))
    dir = dir.drop_back(strlen("/__pycache__"));
  directory = dir.str();
  // mod.cpython-312.pyc, mod.cpython-312.opt-1.pyc, mod.pyc
  llvm::StringRef name = file;
  if (name.endswith(".pyc"))
    name = name.drop_back(4);
  stem = name.split('.').first.str();
}

bool isIdentifier(llvm::StringRef s) {
  if (s.empty() || std::isdigit((unsigned char)s[0]))
    return false;
  for (char c : s)
    if (!(std::isalnum((unsigned char)c) || c == '_' ||
          (unsigned char)c >= 0x80))
      return false;
  return true;
}

} // namespace

ModuleNamer::ModuleNamer(const std::vector<std::string> &relativePaths) {
  for (const std::string &path : relativePaths) {
    std::string directory, stem;
    splitPycPath(path, directory, stem);
    if (stem == "__init__")
      packageDirs_.push_back(directory);
  }
  std::sort(packageDirs_.begin(), packageDirs_.end());
}

std::string ModuleNamer::name(llvm::StringRef relativePath,
                              bool &isPackage) const {
  std::string directory, stem;
  splitPycPath(relativePath, directory, stem);
  isPackage = stem == "__init__";
  if (!isPackage && !isIdentifier(stem))
    return "";
  std::string name = isPackage ? "" : stem;
  llvm::StringRef dir = directory;
  auto isPackageDir = [&](llvm::StringRef d) {
    return std::binary_search(packageDirs_.begin(), packageDirs_.end(),
                              d.str());
  };
  while (!dir.empty() && isPackageDir(dir)) {
    auto [parent, last] = dir.rsplit('/');
    if (last == dir)
      parent = "";
    if (!isIdentifier(last))
      return "";
    name = name.empty() ? last.str() : last.str() + "." + name;
    dir = parent;
  }
  return name;
}

} // namespace bcc
