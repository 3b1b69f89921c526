//===- tests/install/Clash.cpp - a plugin whose pass bcc already has -----===//
//
// Registers a pass of its own and then one called `dce`: bcc must refuse
// the plugin, naming the clash, and keep none of its passes.
//
//===----------------------------------------------------------------------===//

#include <memory>

#include "passes/PassPlugin.h"

namespace {

class Nothing final : public bcc::Pass {
public:
  explicit Nothing(const char *name) : name_(name) {}
  llvm::StringRef name() const override { return name_; }
  bool run(bcc::Module &, bcc::PassContext &) override { return false; }

private:
  const char *name_;
};

bcc::PassInfo info(const char *name) {
  return {name, "exact", "", "does nothing",
          [name](const bcc::PassParameters &)
              -> bcc::Expected<std::unique_ptr<bcc::Pass>> {
            return std::unique_ptr<bcc::Pass>(new Nothing(name));
          },
          ""};
}

void registerPasses(bcc::PassRegistry &registry) {
  (void)registry.registerPass(info("clash-first"));
  (void)registry.registerPass(info("dce"));
}

} // namespace

extern "C" BCC_PLUGIN_EXPORT const bcc::PassPluginInfo *
bccGetPassPluginInfo() {
  static const bcc::PassPluginInfo info = {
      BCC_PLUGIN_API_VERSION, "clash", "0", registerPasses};
  return &info;
}
