//===- passes/PackageDecorators.h - The Python package's decorators -----===//
//
// What apply-decorators (passes/ApplyDecorators.cpp) needs to know of the
// Python package's decorators (bindings/bcc/__init__.py): which they are,
// what each application asks for (its pipeline, its keyword arguments,
// which globals it turns into facts), and where a module's code applies
// them: `@bcc.optimize` after `import bcc [as MOD]`, `@NAME` after `from
// bcc import optimize [as NAME]`, possibly called with keyword arguments,
// at the module's top level or in the body of one of its top-level
// classes (under staticmethod or classmethod too). In the IR, 3.11-3.14
// alike, the decorator and the new function are the two protocol slots of
// a call without arguments:
//
//     %11 = load_attr optimize %10        ; %10 = load_name bcc
//     %13 = py MAKE_FUNCTION 0 %12        ; %12 = const @2
//     %14 = call %11, %13
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_PACKAGEDECORATORS_H
#define BCC_PASSES_PACKAGEDECORATORS_H

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ir/Dominators.h"
#include "ir/Function.h"
#include "passes/IRUtils.h"
#include "passes/ModuleFacts.h"
#include "passes/Options.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// The package's decorators (bindings/bcc/__init__.py).
enum class Decorator : uint8_t {
  Optimize,
  CacheGlobals,
  Unprint,
  Smartdebug,
  Inline
};

/// "optimize", "cache_globals", "unprint", "smartdebug", "inline".
const char *decoratorName(Decorator decorator);

/// What one application of a decorator asks for: its pipeline, as the
/// package builds it, and which globals it turns into facts.
struct DecoratorRequest {
  Decorator decorator = Decorator::Optimize;
  unsigned level = 3;
  Assumptions assumptions; ///< module-constants, stable-functions, assume=
  std::string passes;      ///< "" for the level's pipeline
  bool constants = true;   ///< globals bound to constants
  bool modules = true;     ///< imports (of modules of the tree)
  bool inlines = true;     ///< functions of the module, for inline/strip-debug
  std::optional<uint64_t> maxSize; ///< inline(max_size=)
  /// Why the function cannot be done ahead of time ("" if it can).
  std::string refusal;
};

/// A function made by MAKE_FUNCTION (and, on 3.13, SET_FUNCTION_ATTRIBUTE).
struct MadeFunction {
  unsigned constIndex = 0; ///< the code constant, in the maker's pool
  Function *child = nullptr;
  ConstantRef defaults; ///< __defaults__, or null
  bool defaultsKnown = true, hasKwDefaults = false, hasClosure = false;
};

/// The function `value` is, when MAKE_FUNCTION made it from a code constant.
std::optional<MadeFunction> madeFunction(const Value *value, const PyOps &ops);

/// A def decorated by the package, found in the module's code or in the
/// body of one of its classes.
struct DecoratedDef {
  Function *holder = nullptr; ///< whose pool holds the code
  MadeFunction made;
  /// In the module's code: the decorator call, or the class statement's
  /// call (what must come after the facts' stores).
  const Instruction *point = nullptr;
  int line = 0; ///< the decorator's
  DecoratorRequest request;
};

/// Finds the defs a module's code decorates with the package's
/// decorators, and answers which names are certainly bound when one runs.
class DecoratorScan {
public:
  /// `top`: the module's code; `facts`: what it says of its globals.
  DecoratorScan(Function &top, const ModuleFacts &facts);

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
  std::optional<DecoratorRequest>
  decoratorRequest(const Value *value, const Function &f,
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

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_PASSES_PACKAGEDECORATORS_H
