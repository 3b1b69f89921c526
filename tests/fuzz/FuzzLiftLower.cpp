//===- tests/fuzz/FuzzLiftLower.cpp - libFuzzer target for the round trip -===//
//
// Feeds arbitrary bytes to the whole of `bcc opt`: read the .pyc, lift every
// code object (3.11-3.13), verify, lower, write. Each step may refuse its
// input with an Error (malformed bytecode is not ours to fix), but none may
// crash, hang or exhaust memory; and what the backend produces must be
// bytecode bcc accepts again:
//
//   module  = lift(read(input))        (may fail: fine)
//   verify(module)                     (may fail for malformed input: fine)
//   code    = lower(module)            (may fail: fine)
//   bytes   = writePyc(code)           (must succeed)
//   lift(read(bytes)) verifies         (must hold: our own output is sane)
//
// The seeds that matter are tests/fuzz/corpus/lift-3.X.pyc (see
// make_corpus.py); byte-level mutations of a .pyc mostly change co_code,
// the tables and the constants, which is what this target is about.
//
//===----------------------------------------------------------------------===//

#include <cstdio>
#include <cstdlib>

#include "backend/Lowering.h"
#include "backend/MarshalWriter.h"
#include "frontend/Lifter.h"
#include "frontend/MarshalReader.h"
#include "ir/Verifier.h"

using namespace bcc;

namespace {

[[noreturn]] void broken(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "FuzzLiftLower: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

void checkError(const Error &error) {
  if (error.message.empty())
    broken("an error without a message");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef input(reinterpret_cast<const char *>(data), size);
  Expected<PycFile> pyc = readPyc(input);
  if (!pyc)
    return 0;
  PythonVersion v = pyc->header.version;
  if (v.major != 3 || v.minor < 11 || v.minor > 13)
    return 0;
  Expected<std::unique_ptr<Module>> module = liftModule(*pyc->code);
  if (!module) {
    checkError(module.error());
    return 0;
  }
  if (Status s = verify(**module); !s) {
    checkError(s.error());
    return 0;
  }
  Expected<std::shared_ptr<CodeObject>> lowered = lowerModule(**module);
  if (!lowered) {
    checkError(lowered.error());
    return 0;
  }
  PycFile out;
  out.header = pyc->header;
  out.code = *lowered;
  Expected<std::string> bytes = writePyc(out);
  if (!bytes)
    broken("cannot write lowered code", bytes.error().message);
  Expected<PycFile> again = readPyc(*bytes);
  if (!again)
    broken("cannot re-read lowered code", again.error().format("lowered"));
  Expected<std::unique_ptr<Module>> relifted = liftModule(*again->code);
  if (!relifted)
    broken("lowered code does not lift", relifted.error().message);
  if (Status s = verify(**relifted); !s)
    broken("lowered code lifts to IR that does not verify",
           s.error().message);
  return 0;
}
