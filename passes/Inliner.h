//===- passes/Inliner.h - Replacing a call by the callee's body ------------===//
//
// The machinery `inline` and `strip-debug` share: finding calls of the
// module's own functions, binding the call's arguments to the callee's
// parameters the way CPython would, deciding whether a callee can be
// inlined at all, and the rewrite itself, with or without a run-time guard.
//
// The rewrite of a call in block B
//
//     B:  pre...  %n, %f = load_global NAME;  args...;  %r = call %n, %f, args
//         post...
//
// splits B at the callee load and after the call. Unguarded (the user
// granted stable-functions), the load and the call go and the callee's
// blocks take the call's place. Guarded, B ends in
//
//     %f = load_global NAME;  %t = load_global _bcc_guards;  %i = const I
//     %g = py BINARY_SUBSCR %t, %i;  %c = py IS_OP 0 %f, %g
//     cond_br if_true %c, ^inlined, ^call
//
// where `^call` is the original load, arguments and call (laid out at the
// end of the function, out of the hot path) and `^inlined` evaluates the
// arguments again (the guard runs before them, on the value NAME has when
// the original loaded it, so a rebinding inside an argument cannot change
// which function runs), binds them and runs the callee's body. The module's
// code starts by making a list `_bcc_guards` and stores each guarded
// function into its slot right where it binds NAME, so `NAME is
// _bcc_guards[I]` holds until someone rebinds NAME. That list is the one
// name the module gains (a list, private by its underscore: star imports,
// pydoc and scans for functions pass it by).
//
// Values of the caller that live across the call are threaded through
// every inlined block as its bottom parameters, and the inlined blocks'
// exception handlers count them in their depth, as CPython's own exception
// table does for a `try` inside an expression. Blocks of the callee without
// a handler take the call's handler. Every inlined instruction takes the
// call's location: a traceback shows the caller's frame at the call's line.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_INLINER_H
#define BCC_PASSES_INLINER_H

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/Function.h"
#include "passes/ModuleFacts.h"
#include "passes/Pass.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// A call of a plain function bound once at the module's top level: one
/// the module defines, or (with the facts of a tree) one it imports by name
/// from another module of the tree.
struct CallSite {
  Instruction *call = nullptr;
  /// `load_global NAME` in its NULL form, in the call's block.
  Instruction *calleeLoad = nullptr;
  std::string name;
  Function *callee = nullptr;
  ConstantRef defaults; ///< the callee's __defaults__, or null
  bool hasKwDefaults = false;
  /// The callee comes from another module (TreeFacts::importable): its
  /// own module checked that it can be inlined anywhere.
  bool foreign = false;
};

/// The call site of `call` if it calls such a function; otherwise nullopt,
/// with `whyNot` set when the reason is worth a remark (empty when the call
/// is of something else).
std::optional<CallSite> findCallSite(Instruction &call,
                                     const ModuleFacts &facts,
                                     const TreeFacts *tree,
                                     std::string &whyNot);

/// Keeps in `tree` a copy of each function of `module` that other modules
/// import by name (`wanted`) and that can be inlined anywhere: small,
/// eligible by inlineRefusal, and reading no global but builtins its module
/// does not bind (the inlined body reads the importer's globals).
void exportInlinable(const Module &module, const ModuleFacts &facts,
                     const std::set<std::string> &wanted, TreeFacts &tree);

/// Where each parameter of the callee gets its value at this call.
struct ArgumentBinding {
  struct Source {
    enum Kind : uint8_t { Operand, Default, Absent } kind = Absent;
    unsigned operand = 0; ///< Operand: the index among the call's operands
    ConstantRef value;    ///< Default: the default value
  };
  /// By parameter slot: positional, keyword-only, then *args and **kwargs
  /// (Absent when they receive nothing the callee reads).
  std::vector<Source> parameters;
};

/// Binds the call's arguments as CPython would; nullopt (with the reason)
/// when the call would raise TypeError or needs what bcc does not model
/// (keyword-only defaults, arguments for a *args or **kwargs the callee
/// reads).
std::optional<ArgumentBinding> bindArguments(const CallSite &site,
                                             const Function &callee,
                                             std::string &whyNot);

/// Why `callee` cannot be inlined into `caller` ("" if it can): generators
/// and coroutines, cells and free variables, nested code objects, stores to
/// globals, reads of a local that may be unbound, recursion, and looking at
/// the stack of frames, itself or through the module's functions it calls
/// (sys._getframe, inspect.currentframe/stack, frame fields, locals(),
/// vars(), super(), exec, eval, warnings.warn and any stacklevel=): those
/// would see one frame fewer.
std::string inlineRefusal(const Function &callee, const Function &caller,
                          const ModuleFacts &facts);

/// The callee's body does nothing but return None.
bool isNoOp(const Function &callee);

/// IR instructions of the body, not counting RESUME, NOPs and the blocks of
/// calls a guard falls back to (cold code, from inlining into the callee
/// earlier; `context` knows them, when given).
unsigned inlineCost(const Function &callee,
                    const PassContext *context = nullptr);

/// Replaces the call of `site` by `callee`'s body. `guarded`: behind an
/// identity check of the callee (see above). The caller must have been
/// checked with inlineRefusal and the arguments bound.
void inlineCall(const CallSite &site, Function &callee,
                const ArgumentBinding &arguments, bool guarded,
                PassContext &context);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_PASSES_INLINER_H
