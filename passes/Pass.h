//===- passes/Pass.h - What a pass is, and what it sees -------------------===//
//
// A pass transforms one Module (the code objects of one .pyc) and says
// whether it changed anything. Most passes work on one function at a time
// and derive from FunctionPass; those that look across functions (inlining,
// folding module constants) take the module.
//
// A pass reads everything else from its PassContext: the options (level,
// granted facts, --const), the facts of the module and of the tree
// (ModuleFacts.h), and two sinks: statistics (named counters per pass,
// `--stats`) and remarks (one line per decision, done or missed, with the
// reason, `--remarks`). A pass writes no output of its own.
//
// Every pass file starts with the paragraph docs/passes.md repeats: what
// the pass does, what it assumes, what it refuses to touch.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_PASS_H
#define BCC_PASSES_PASS_H

#include <cctype>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ir/Function.h"
#include "passes/Options.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

namespace bcc {

class ModuleFacts;
class TreeFacts;

/// Named counters, per pass, in the order they were first counted.
class Statistics {
public:
  void add(llvm::StringRef pass, llvm::StringRef counter, uint64_t n = 1);
  uint64_t get(llvm::StringRef pass, llvm::StringRef counter) const;
  /// Adds every counter of `other` into this one.
  void merge(const Statistics &other);
  bool empty() const { return entries_.empty(); }

  struct Entry {
    std::string pass, counter;
    uint64_t value;
  };
  const std::vector<Entry> &entries() const { return entries_; }

private:
  std::vector<Entry> entries_;
  llvm::StringMap<size_t> index_; ///< "pass\0counter" -> entries_ index
};

/// One optimization decision, made or missed, with its reason.
struct Remark {
  std::string pass;
  bool done = false;
  std::string file;     ///< the code object's co_filename
  int line = 0;         ///< 0 when unknown
  std::string function; ///< qualified name
  std::string message;

  /// "FILE:LINE: QUALNAME: PASS: done|missed: MESSAGE"
  std::string str() const;
};

/// Where remarks go; null in PassContext when nobody asked for them.
using RemarkSink = std::function<void(const Remark &)>;

class PassContext {
public:
  PassContext(const OptimizationOptions &options, Statistics &stats);

  const OptimizationOptions &options() const { return options_; }

  /// The dotted name of the module being optimized ("" when unknown: a
  /// single file outside a tree, whose own name bcc does not guess).
  const std::string &moduleName() const { return moduleName_; }
  /// Whether the module is a package (an __init__), for relative imports.
  bool isPackage() const { return isPackage_; }
  void setModuleName(std::string name, bool isPackage) {
    moduleName_ = std::move(name);
    isPackage_ = isPackage;
    invalidateFacts();
  }

  /// Facts of the whole tree, or null (a single file).
  const TreeFacts *tree() const { return tree_; }
  void setTree(const TreeFacts *tree) { tree_ = tree; }

  /// Functions that are still exactly what CPython compiled: lifted from
  /// a .pyc and changed by no pass yet. The cleanups (simplify-cfg, dce)
  /// leave them alone, so that code bcc did not optimize keeps CPython's
  /// own bytes, dead code and jumps included (docs/passes.md); IR read
  /// from text is never pristine.
  bool isPristine(const Function &f) const { return pristine_.count(&f); }
  void setPristine(const Function &f) { pristine_.insert(&f); }
  /// A pass changed `f`.
  void markChanged(const Function &f) { pristine_.erase(&f); }

  /// --verify-each inside a pass: passes that rewrite in several steps
  /// (inline) check the function after each step; the first broken one is
  /// kept, with the step and the function's IR, and the PassManager reports
  /// it after the pass.
  void setVerifyEach(bool on) { verifyEach_ = on; }
  bool verifiesEachStep() const { return verifyEach_; }
  void verifyStep(const Function &f, const std::string &step);
  /// The first broken step's message ("" if none), and its IR dump.
  const std::string &brokenStep() const { return broken_; }
  const std::string &brokenIR() const { return brokenIR_; }

  /// Calls that a guard falls back to (passes/Inliner.h): the original
  /// call, kept for when the guard fails; the inliner leaves them alone.
  void markFallbackCall(const Instruction &call) { fallbacks_.insert(&call); }
  bool isFallbackCall(const Instruction &call) const {
    return fallbacks_.count(&call);
  }

  /// The facts of `module`, worked out on first use and kept until a pass
  /// changes something (the PassManager calls invalidateFacts()).
  const ModuleFacts &facts(const Module &module);
  void invalidateFacts();
  /// Facts that hold whatever the module's code says, used instead of
  /// working them out: the Python bindings optimize a live function inside
  /// a stand-in module, and its globals are what the live namespace holds
  /// (bindings/LiveOptimize.cpp). Kept until cleared (null).
  void setFixedFacts(std::shared_ptr<const ModuleFacts> facts) {
    fixedFacts_ = std::move(facts);
  }

  // --- Statistics and remarks --------------------------------------------
  void count(llvm::StringRef pass, llvm::StringRef counter, uint64_t n = 1) {
    stats_.add(pass, counter, n);
  }
  bool wantsRemarks() const { return bool(remarks_); }
  void setRemarkSink(RemarkSink sink) { remarks_ = std::move(sink); }
  /// Passes on a remark made elsewhere (by a pipeline a pass runs on a
  /// module of its own: apply-decorators) to this context's sink.
  void forwardRemark(const Remark &remark) const {
    if (remarks_)
      remarks_(remark);
  }
  /// A remark at `line` of `function` (the function's first line when 0).
  void remark(llvm::StringRef pass, bool done, const Function &function,
              int line, const std::string &message) const;

  ~PassContext();

private:
  const OptimizationOptions &options_;
  Statistics &stats_;
  RemarkSink remarks_;
  std::string moduleName_;
  bool isPackage_ = false;
  const TreeFacts *tree_ = nullptr;
  const Module *factsOf_ = nullptr;
  llvm::SmallPtrSet<const Function *, 16> pristine_;
  llvm::SmallPtrSet<const Instruction *, 16> fallbacks_;
  bool verifyEach_ = false;
  std::string broken_, brokenIR_;
  std::unique_ptr<ModuleFacts> facts_;
  std::shared_ptr<const ModuleFacts> fixedFacts_;
};

class Pass {
public:
  virtual ~Pass();
  /// Its name in the registry (passes/Passes.def).
  virtual llvm::StringRef name() const = 0;
  /// Transforms `module`; true if anything changed.
  virtual bool run(Module &module, PassContext &context) = 0;
};

/// A pass that works on each function of the module on its own; the
/// functions it changes are marked changed in the context.
class FunctionPass : public Pass {
public:
  bool run(Module &module, PassContext &context) final;
  virtual bool runOnFunction(Function &function, PassContext &context) = 0;
};

} // namespace bcc

#endif // BCC_PASSES_PASS_H
