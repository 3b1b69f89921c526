//===- tests/install/NoEntryPoint.cpp - a shared object, not a plugin -----===//
//
// A well-formed shared object without bccGetPassPluginInfo: bcc must say
// that it is not a pass plugin.
//
//===----------------------------------------------------------------------===//

extern "C" __attribute__((visibility("default"))) int notAPlugin() {
  return 42;
}
