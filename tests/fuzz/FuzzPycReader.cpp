//===- tests/fuzz/FuzzPycReader.cpp - libFuzzer target for marshal I/O ----===//
//
// Feeds arbitrary bytes to the .pyc and marshal readers. Reading may fail
// (with an Error), but it must never crash, hang or exhaust memory; and
// whatever it accepts must survive the round trip exactly:
//
//   model1 = read(input)          (may fail: fine)
//   bytes1 = write(model1)        (must succeed: the writer accepts anything
//                                  the reader produces)
//   model2 = read(bytes1)         (must succeed and equal model1)
//   write(model2) == bytes1       (the writer's output is a fixed point)
//
// Each input is tried twice: as a whole .pyc, and as raw marshal data whose
// first byte picks the version (3.8 + byte % 8, so 3.14's slices and
// 3.15's frozendicts are reachable too). Any broken property aborts with a message.
//
//===----------------------------------------------------------------------===//

#include <cstdio>
#include <cstdlib>

#include "backend/MarshalWriter.h"
#include "frontend/MarshalReader.h"

using namespace bcc;

namespace {

[[noreturn]] void broken(const char *what, const std::string &detail = "") {
  std::fprintf(stderr, "FuzzPycReader: %s%s%s\n", what,
               detail.empty() ? "" : ": ", detail.c_str());
  std::abort();
}

void checkError(const Error &error, size_t size, uint64_t base) {
  if (!error.offset || *error.offset > base + size)
    broken("an error without a sensible offset", error.format("input"));
  if (error.message.empty())
    broken("an error without a message");
}

void fuzzPyc(llvm::StringRef input) {
  Expected<PycFile> first = readPyc(input);
  if (!first) {
    checkError(first.error(), input.size(), 0);
    return;
  }
  Expected<std::string> written = writePyc(*first);
  if (!written)
    broken("cannot write a .pyc that was read", written.error().message);
  Expected<PycFile> second = readPyc(*written);
  if (!second)
    broken("cannot re-read a written .pyc", second.error().format("written"));
  const PycHeader &a = first->header, &b = second->header;
  if (a.version != b.version || a.invalidation != b.invalidation ||
      a.sourceMtime != b.sourceMtime || a.sourceSize != b.sourceSize ||
      a.sourceHash != b.sourceHash)
    broken("the header changed in the round trip");
  if (!first->code->equals(*second->code))
    broken("the code object changed in the round trip");
  Expected<std::string> again = writePyc(*second);
  if (!again || *again != *written)
    broken("writing the re-read .pyc gave different bytes");
}

void fuzzMarshal(llvm::StringRef input) {
  if (input.empty())
    return;
  const PythonVersion version(3, uint8_t(8 + uint8_t(input[0]) % 8));
  llvm::StringRef data = input.drop_front();
  Expected<ConstantRef> first = readMarshal(data, version, 1);
  if (!first) {
    checkError(first.error(), data.size(), 1);
    return;
  }
  Expected<std::string> written = writeMarshal(**first, version);
  if (!written)
    broken("cannot write marshal data that was read", written.error().message);
  Expected<ConstantRef> second = readMarshal(*written, version);
  if (!second)
    broken("cannot re-read written marshal data",
           second.error().format("written"));
  if (!(*first)->equals(**second))
    broken("the value changed in the round trip");
  Expected<std::string> again = writeMarshal(**second, version);
  if (!again || *again != *written)
    broken("writing the re-read value gave different bytes");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef input(reinterpret_cast<const char *>(data), size);
  fuzzPyc(input);
  fuzzMarshal(input);
  return 0;
}
