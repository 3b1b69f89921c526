//===- passes/PassRegistry.h - The passes by name -------------------------===//
//
// The registry is passes/Passes.def; this header turns it into data for the
// pipeline parser, the driver's --list-passes and --help, and (later) the
// Python listing. A pass's parameters come from the pipeline text:
// `inline<max-size=60>` gives the factory {"max-size": "60"}; a factory
// rejects a parameter it does not know.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_PASSREGISTRY_H
#define BCC_PASSES_PASSREGISTRY_H

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/Support.h"
#include "passes/Pass.h"
#include "llvm/ADT/ArrayRef.h"

namespace bcc {

/// The `<...>` of one pass in a pipeline, in the order written.
class PassParameters {
public:
  PassParameters() = default;
  explicit PassParameters(std::vector<std::pair<std::string, std::string>> v)
      : values_(std::move(v)) {}

  /// An error naming the first parameter that is not in `known`.
  Status allowOnly(llvm::StringRef pass,
                   llvm::ArrayRef<llvm::StringRef> known) const;
  /// The value of `name` as an unsigned number, or `fallback` if absent.
  Expected<uint64_t> getUnsigned(llvm::StringRef pass, llvm::StringRef name,
                                 uint64_t fallback) const;
  bool empty() const { return values_.empty(); }

private:
  std::vector<std::pair<std::string, std::string>> values_;
};

using PassFactory =
    Expected<std::unique_ptr<Pass>> (*)(const PassParameters &parameters);

struct PassInfo {
  const char *name;
  const char *kind;       ///< "exact", "facts" or "test"
  const char *parameters; ///< "max-size=60;..." or ""
  const char *description;
  PassFactory create;
};

/// Every pass of Passes.def, in its order.
llvm::ArrayRef<PassInfo> allPasses();
/// The pass called `name`, or null.
const PassInfo *findPass(llvm::StringRef name);

// The factories (one per pass file).
#define PASS(Name, Factory, Kind, Parameters, Description)                    \
  Expected<std::unique_ptr<Pass>> Factory(const PassParameters &parameters);
#include "passes/Passes.def"

} // namespace bcc

#endif // BCC_PASSES_PASSREGISTRY_H
