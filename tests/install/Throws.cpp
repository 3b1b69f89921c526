//===- tests/install/Throws.cpp - a plugin whose registration throws -----===//
//
// Registers a pass, then throws: bcc must report the plugin in one line and
// keep none of what it registered.
//
//===----------------------------------------------------------------------===//

#include <memory>
#include <stdexcept>

#include "passes/PassPlugin.h"

namespace {

class Nothing final : public bcc::Pass {
public:
  llvm::StringRef name() const override { return "thrown-away"; }
  bool run(bcc::Module &, bcc::PassContext &) override { return false; }
};

void registerPasses(bcc::PassRegistry &registry) {
  (void)registry.registerPass(
      {"thrown-away", "exact", "", "does nothing",
       [](const bcc::PassParameters &)
           -> bcc::Expected<std::unique_ptr<bcc::Pass>> {
         return std::unique_ptr<bcc::Pass>(new Nothing());
       },
       ""});
  throw std::runtime_error("no configuration file");
}

} // namespace

extern "C" BCC_PLUGIN_EXPORT const bcc::PassPluginInfo *
bccGetPassPluginInfo() {
  static const bcc::PassPluginInfo info = {
      BCC_PLUGIN_API_VERSION, "throws", "0", registerPasses};
  return &info;
}
