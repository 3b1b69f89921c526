//===- passes/PassManager.h - Running a pipeline, with instruments ---------===//
//
// A PassManager holds a pipeline (a list of passes, in order) and runs it
// over one module at a time. Around each pass it can verify the module
// (verify() and verifyStackForm(): --verify-each), print the IR before or
// after chosen passes or only what a pass changed, and time each pass.
// Times add up over every module the manager runs, so that `bcc opt` on a
// tree prints one table.
//
// A pass that breaks the IR is a bug of bcc, not of the input; the
// manager reports it as an Error that names the pass (with the IR of the
// broken function on the print stream) so that the driver fails that file
// and goes on with the others rather than crashing.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_PASSMANAGER_H
#define BCC_PASSES_PASSMANAGER_H

#include <memory>
#include <string>
#include <vector>

#include "ir/Support.h"
#include "passes/Pass.h"
#include "llvm/Support/raw_ostream.h"

namespace bcc {

struct Instrumentation {
  bool verifyEach = false;
  std::vector<std::string> printBefore, printAfter; ///< pass names
  bool printAfterAll = false;
  bool printChanged = false;
  bool timePasses = false;
  /// Where IR dumps go.
  llvm::raw_ostream *printStream = &llvm::errs();
};

class PassManager {
public:
  explicit PassManager(Instrumentation instruments = {})
      : instruments_(std::move(instruments)) {}

  void add(std::unique_ptr<Pass> pass) { passes_.push_back(std::move(pass)); }
  bool empty() const { return passes_.empty(); }
  size_t size() const { return passes_.size(); }
  /// The pipeline as text: "const-fold,dce".
  std::string str() const;

  /// Runs every pass in order on `module`; an Error if --verify-each found
  /// broken IR after a pass.
  Status run(Module &module, PassContext &context);

  /// Seconds per pass name, summed over every run, in pipeline order.
  struct PassTime {
    std::string pass;
    double seconds = 0;
    uint64_t runs = 0;
  };
  const std::vector<PassTime> &times() const { return times_; }
  /// The --time-passes table.
  void printTimes(llvm::raw_ostream &os) const;

private:
  bool wantsPrintBefore(llvm::StringRef pass) const;
  bool wantsPrintAfter(llvm::StringRef pass) const;
  void dump(const Module &module, const char *when, llvm::StringRef pass,
            const std::vector<std::string> *before);

  Instrumentation instruments_;
  std::vector<std::unique_ptr<Pass>> passes_;
  std::vector<PassTime> times_;
};

} // namespace bcc

#endif // BCC_PASSES_PASSMANAGER_H
