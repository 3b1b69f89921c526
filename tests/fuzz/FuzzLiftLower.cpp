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
// Then the optimizer on a fresh lift of the same input: the -O3 pipeline
// with every assumption, and the passes' own checks on (--verify-each):
//
//   optimize(lift(read(input)))        (must keep verify + stack form)
//   lower(optimized)                   (must succeed: the input lowered)
//   lift(read(writePyc(...))) verifies (must hold)
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
#include "passes/PassManager.h"
#include "passes/Pipelines.h"

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
  if (!v.hasIR())
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

  // The optimizer, on what lowered as it was.
  Expected<std::unique_ptr<Module>> fresh = liftModule(*pyc->code);
  if (!fresh)
    broken("the input lifted once but not twice", fresh.error().message);
  OptimizationOptions options;
  options.level = 3;
  options.assumptions = *Assumptions::parse("all");
  Instrumentation instruments;
  instruments.verifyEach = true;
  PassManager pm(instruments);
  if (Status s = buildPipeline(pm, options); !s)
    broken("no -O3 pipeline", s.error().message);
  Statistics stats;
  PassContext context(options, stats);
  context.setModuleName("fuzzed", false);
  if (Status s = pm.run(**fresh, context); !s)
    broken("a pass broke the IR", s.error().message);
  Expected<std::shared_ptr<CodeObject>> optimized = lowerModule(**fresh);
  if (!optimized)
    broken("optimized IR does not lower", optimized.error().message);
  out.code = *optimized;
  Expected<std::string> optimizedBytes = writePyc(out);
  if (!optimizedBytes)
    broken("cannot write optimized code", optimizedBytes.error().message);
  Expected<PycFile> optimizedPyc = readPyc(*optimizedBytes);
  if (!optimizedPyc)
    broken("cannot re-read optimized code", optimizedPyc.error().message);
  Expected<std::unique_ptr<Module>> optimizedLift =
      liftModule(*optimizedPyc->code);
  if (!optimizedLift)
    broken("optimized code does not lift", optimizedLift.error().message);
  if (Status s = verify(**optimizedLift); !s)
    broken("optimized code lifts to IR that does not verify",
           s.error().message);
  return 0;
}
