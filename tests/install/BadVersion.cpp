//===- tests/install/BadVersion.cpp - a plugin for another API version ----===//
//
// Claims the next plugin API version: bcc must refuse it after reading the
// version alone, without calling its registration callback.
//
//===----------------------------------------------------------------------===//

#include <cstdio>
#include <cstdlib>

#include "passes/PassPlugin.h"

namespace {

void registerPasses(bcc::PassRegistry &) {
  std::fputs("BadVersion: the callback ran\n", stderr);
  std::abort();
}

} // namespace

extern "C" BCC_PLUGIN_EXPORT const bcc::PassPluginInfo *
bccGetPassPluginInfo() {
  static const bcc::PassPluginInfo info = {
      BCC_PLUGIN_API_VERSION + 1, "bad-version", "0", registerPasses};
  return &info;
}
