//===- passes/Options.h - What the user asked the optimizer for -----------===//
//
// The optimization level, the facts the user granted (docs/passes.md, "By
// the programmer's word") and the constants given with --const. Passes read
// them from their PassContext; nothing here is global.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_OPTIONS_H
#define BCC_PASSES_OPTIONS_H

#include <cstdint>
#include <string>
#include <vector>

#include "ir/Constant.h"
#include "ir/Support.h"
#include "llvm/ADT/StringRef.h"

namespace bcc {

/// A fact a compiler cannot prove and only the user can grant.
enum class Assumption : uint8_t {
  ModuleConstants, ///< module-constants
  StableFunctions, ///< stable-functions
  StableGlobals,   ///< stable-globals
  NoPrint,         ///< no-print
};
inline constexpr unsigned kNumAssumptions = 4;

/// "module-constants", "stable-functions", "stable-globals", "no-print".
const char *assumptionName(Assumption assumption);

class Assumptions {
public:
  bool has(Assumption a) const { return bits_ & (1u << unsigned(a)); }
  void grant(Assumption a) { bits_ |= uint8_t(1u << unsigned(a)); }
  bool any() const { return bits_ != 0; }
  /// "all", or a comma list of names; an Error names an unknown one.
  static Expected<Assumptions> parse(llvm::StringRef list);
  /// The granted ones as a comma list ("" for none).
  std::string str() const;

private:
  uint8_t bits_ = 0;
};

/// One --const: `NAME=LITERAL` (every module) or `MODULE:NAME=LITERAL`.
struct UserConstant {
  std::string module; ///< dotted module name; empty for every module
  std::string name;
  ConstantRef value;
  std::string text; ///< as the user wrote it, for remarks

  /// Parses the option's argument; the literal is a Python literal of the
  /// kinds the IR text has (docs/ir.md): None, True, 3, 'x', (1, 2), ...
  static Expected<UserConstant> parse(llvm::StringRef argument);
};

struct OptimizationOptions {
  unsigned level = 0;
  Assumptions assumptions;
  std::vector<UserConstant> constants;

  /// -O3: names annotated typing.Final are constants.
  bool finalConstants() const { return level >= 3; }
  /// Some fact was granted or given: the -O2 passes that use them run.
  bool hasUserFacts() const {
    return assumptions.any() || !constants.empty();
  }
};

} // namespace bcc

#endif // BCC_PASSES_OPTIONS_H
