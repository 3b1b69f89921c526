//===- passes/ModuleFacts.h - What a module's code says about its globals -===//
//
// ModuleFacts reads a module's IR the way a person reads the module: which
// module-level names are bound, how often, to what (a constant, a plain
// `def`, an import), whether the binding always runs, which are annotated
// `typing.Final`, and whether the module does something that makes its
// namespace unpredictable (`from m import *`, `globals()`, `exec`, ...).
// It proves nothing about other modules, which may still assign a module's
// attributes: that is what the facts of docs/passes.md ("by the
// programmer's word") grant, and constantGlobal() applies those rules.
//
// TreeFacts holds the facts of every module of a tree (`bcc opt DIR`), by
// dotted module name, so that imports resolve across modules.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_MODULEFACTS_H
#define BCC_PASSES_MODULEFACTS_H

#include <map>
#include <memory>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "ir/Function.h"
#include "passes/Options.h"
#include "llvm/ADT/StringRef.h"

namespace bcc {

/// One module-level name.
struct GlobalBinding {
  enum class Kind : uint8_t {
    Constant, ///< bound to `value`
    Function, ///< a plain `def` (no decorator): `function`, defaults
    Import,   ///< `import a.b as c`, `from a import b`: the dotted `path`
    Other,    ///< anything else (a class, a call's result, ...)
  };
  Kind kind = Kind::Other;
  /// Writes of the name: module-level stores and deletes, `global` stores
  /// and deletes in any function.
  unsigned writes = 0;
  /// The one module-level store always runs when the module finishes
  /// normally (it dominates every return of the module code, in no loop
  /// and before any exception path can skip it).
  bool unconditional = false;
  /// Annotated typing.Final at module level.
  bool final = false;
  /// Some module-level store binds it to a constant (for remarks about
  /// names that would be constants but for their other writes).
  bool everConstant = false;
  /// Where the module-level store is (its line), for remarks.
  int line = 0;

  ConstantRef value;            ///< Constant
  Function *function = nullptr; ///< Function (null in TreeFacts)
  /// Function: __defaults__ (a tuple), or null without defaults.
  ConstantRef defaults;
  /// Function: the def has keyword-only defaults, annotations made at run
  /// time, or a closure (what an inliner cannot see through).
  bool hasKwDefaults = false, hasClosure = false;
  std::string path; ///< Import: the absolute dotted path of what is bound
  /// Import: bound by an `import` statement (`import a.b as c`), so the
  /// value is a module; `from a import b` may bind anything.
  bool importsModule = false;

  /// Written exactly once, by a store that always runs.
  bool boundOnce() const { return writes == 1 && unconditional; }
};

class ModuleFacts {
public:
  /// Reads `module`; `moduleName` (dotted, may be empty) and `isPackage`
  /// resolve relative imports.
  static ModuleFacts compute(const Module &module, llvm::StringRef moduleName,
                             bool isPackage);
  /// Facts given rather than read: what a live namespace holds (the
  /// Python bindings), with no dynamic reason. `rule` names what makes its
  /// constants constant in remarks ("live namespace" for the bindings'
  /// watched namespaces; the default is the assumption that grants them).
  static ModuleFacts fromBindings(std::string moduleName,
                                  std::map<std::string, GlobalBinding> bindings,
                                  std::string rule = "module-constants");

  const std::string &moduleName() const { return moduleName_; }
  /// The binding of a module-level name, or null if the module never binds
  /// it (a builtin, or a name another module sets).
  const GlobalBinding *lookup(llvm::StringRef name) const;
  /// Why the module's namespace cannot be predicted ("" if it can): a star
  /// import, or a use of globals(), vars(), locals(), exec or eval.
  const std::string &dynamicReason() const { return dynamicReason_; }
  bool isDynamic() const { return !dynamicReason_.empty(); }
  /// The rule a fold of one of its constants names in its remark (under
  /// --assume=module-constants): "module-constants", or what fromBindings
  /// was given.
  const std::string &constantRule() const { return constantRule_; }

  /// Every binding, by name, in name order.
  const std::map<std::string, GlobalBinding> &bindings() const {
    return bindings_;
  }
  /// The same facts without pointers into the module's IR, to outlive it.
  ModuleFacts detached() const;

private:
  std::string moduleName_;
  std::map<std::string, GlobalBinding> bindings_;
  std::string dynamicReason_;
  std::string constantRule_ = "module-constants";
};

/// A function of one module of a tree that other modules import by name
/// and may inline: a copy of its IR (as its own module optimized it), and
/// what a call of it needs.
struct ImportableFunction {
  Function *function = nullptr; ///< held by the TreeFacts
  ConstantRef defaults;         ///< __defaults__, or null
  bool hasKwDefaults = false;
  /// The globals it reads, all builtins its own module does not bind: an
  /// importer that binds one of them cannot inline it.
  std::vector<std::string> globals;
};

class TreeFacts {
public:
  TreeFacts();
  ~TreeFacts();
  TreeFacts(TreeFacts &&);
  TreeFacts &operator=(TreeFacts &&);

  void add(ModuleFacts facts);
  const ModuleFacts *module(llvm::StringRef dottedName) const;
  size_t size() const { return modules_.size(); }

  /// Splits an absolute dotted path into the longest prefix that names a
  /// module of the tree and the rest ("" if the path is a module): for
  /// "app.config.DEBUG", {facts of app.config, "DEBUG"}. The rest may
  /// still contain dots (an attribute of an attribute). Null facts when no
  /// prefix is a module of the tree.
  std::pair<const ModuleFacts *, std::string>
  resolve(llvm::StringRef path) const;

  /// What modules of the tree import from others by name (`from m import
  /// f`): (module, name) pairs, for the functions worth keeping.
  std::set<std::pair<std::string, std::string>> importedNames() const;
  /// Keeps a copy of `function`, bound as `name` in the module `module`.
  void addImportable(const std::string &module, const std::string &name,
                     const Function &function, const GlobalBinding &binding,
                     std::vector<std::string> globals);
  const ImportableFunction *importable(llvm::StringRef module,
                                       llvm::StringRef name) const;

private:
  std::map<std::string, ModuleFacts, std::less<>> modules_;
  /// The copies of importable functions, one module per version.
  std::map<unsigned, std::unique_ptr<Module>> holders_;
  std::map<std::pair<std::string, std::string>, ImportableFunction>
      importable_;
};

/// A global that reads as a constant under the rules the user granted.
struct ConstantFact {
  ConstantRef value;
  /// Which rule made it one, for remarks: "--const DEBUG=False",
  /// "Final", "module-constants", "Final in app.config", ...
  std::string rule;
};

/// What reading the global `name` of the module with `facts` gives, if it
/// is a constant under `options` (--const, Final at -O3, module-constants)
/// and, for imported names, the facts of the tree. Otherwise nullopt, and
/// `whyNot` (if given) says why in a few words, or stays empty when the
/// name is nothing a user could make a constant.
std::optional<ConstantFact> constantGlobal(const ModuleFacts &facts,
                                           const TreeFacts *tree,
                                           llvm::StringRef name,
                                           const OptimizationOptions &options,
                                           std::string *whyNot = nullptr);

/// The same for the attribute `attribute` of the module that the global
/// `name` is bound to (`config.DEBUG` after `import app.config as config`);
/// `attribute` may be dotted through packages (`config.DEBUG` of `app`
/// after `import app.config`).
std::optional<ConstantFact>
constantModuleAttribute(const ModuleFacts &facts, const TreeFacts *tree,
                        llvm::StringRef name, llvm::StringRef attribute,
                        const OptimizationOptions &options,
                        std::string *whyNot = nullptr);

/// Dotted module names for the .pyc files of a tree, the way the import
/// system would name them: a directory is a package when it has an
/// `__init__` .pyc, and a module's name is its file name after the chain of
/// packages above it. "app/__pycache__/config.cpython-312.pyc" (with
/// "app/__pycache__/__init__.cpython-312.pyc" in the tree) is "app.config",
/// as it is in a pycache-prefix tree ("home/u/proj/app/config.cpython-312.pyc").
class ModuleNamer {
public:
  /// `relativePaths`: every .pyc of the tree, '/'-separated.
  explicit ModuleNamer(const std::vector<std::string> &relativePaths);
  /// The module's dotted name ("" if the file name is not a module name)
  /// and whether it is a package's __init__.
  std::string name(llvm::StringRef relativePath, bool &isPackage) const;

private:
  std::vector<std::string> packageDirs_; ///< sorted
};

} // namespace bcc

#endif // BCC_PASSES_MODULEFACTS_H
