//===- passes/PassRegistry.cpp --------------------------------------------===//

#include "passes/PassRegistry.h"

#include <algorithm>

namespace bcc {

namespace {

const PassInfo kPasses[] = {
#define PASS(Name, Factory, Kind, Parameters, Description)                    \
  {Name, Kind, Parameters, Description, Factory},
#include "passes/Passes.def"
};

} // namespace

llvm::ArrayRef<PassInfo> allPasses() { return kPasses; }

const PassInfo *findPass(llvm::StringRef name) {
  for (const PassInfo &info : kPasses)
    if (name == info.name)
      return &info;
  return nullptr;
}

Status PassParameters::allowOnly(llvm::StringRef pass,
                                 llvm::ArrayRef<llvm::StringRef> known) const {
  for (const auto &[name, value] : values_) {
    (void)value;
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string message = "pass '" + pass.str() + "' has no parameter '" +
                            name + "'";
      if (known.empty())
        message += " (it takes none)";
      else {
        message += " (it takes";
        for (size_t i = 0; i < known.size(); ++i)
          message += (i ? ", " : " ") + known[i].str();
        message += ")";
      }
      return Error(message);
    }
  }
  return Status::ok();
}

Expected<uint64_t> PassParameters::getUnsigned(llvm::StringRef pass,
                                               llvm::StringRef name,
                                               uint64_t fallback) const {
  for (const auto &[key, value] : values_) {
    if (key != name)
      continue;
    uint64_t n = 0;
    if (llvm::StringRef(value).getAsInteger(10, n))
      return Error("pass '" + pass.str() + "': parameter '" + key +
                   "' needs a number, not '" + value + "'");
    return n;
  }
  return fallback;
}

} // namespace bcc
