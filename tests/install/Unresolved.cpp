//===- tests/install/Unresolved.cpp - a plugin needing a missing symbol --===//
//
// Calls a function of bcc's namespace that no bcc defines: the loader must
// fail when it opens the plugin (bcc loads with RTLD_NOW), before anything
// runs, and bcc must say so in one line.
//
//===----------------------------------------------------------------------===//

#include "passes/PassPlugin.h"

namespace bcc {
void functionNoBccHas();
} // namespace bcc

namespace {

void registerPasses(bcc::PassRegistry &) { bcc::functionNoBccHas(); }

} // namespace

extern "C" BCC_PLUGIN_EXPORT const bcc::PassPluginInfo *
bccGetPassPluginInfo() {
  static const bcc::PassPluginInfo info = {
      BCC_PLUGIN_API_VERSION, "unresolved", "0", registerPasses};
  return &info;
}
