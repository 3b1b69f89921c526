//===- examples/embed/pycopt.cpp - bcc as a library -----------------------===//
//
// A small tool on bcc's C++ API, built against the installed package:
// reads one .pyc, lifts it into the SSA IR, runs a pipeline (a level, -O1
// to -O3, or a pass list), lowers it back and writes the .pyc for the same
// CPython version (3.11-3.13). It is what `bcc opt IN.pyc -o OUT.pyc` does
// for one file, in one page, for a tool that wants to do the same inside
// itself.
//
// What it assumes: bcc's installed headers and libraries (find_package(bcc)
// and bcc::bcc). What it refuses: more than one input, directories, IR
// text; a file that fails is named in a one-line error, exit status 1 (2
// for a usage error), and OUT is not written, not even in part.
//
//===----------------------------------------------------------------------===//

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "backend/Lowering.h"
#include "backend/MarshalWriter.h"
#include "frontend/Lifter.h"
#include "frontend/MarshalReader.h"
#include "ir/Verifier.h"
#include "passes/PassManager.h"
#include "passes/Pipelines.h"

namespace {

const char kUsage[] =
    "usage: pycopt [-O0|-O1|-O2|-O3] [--passes=LIST] [--assume=LIST]\n"
    "              [--stats] -o OUT.pyc IN.pyc\n"
    "\n"
    "Reads IN.pyc (written by CPython 3.11-3.13), optimizes it with bcc and\n"
    "writes OUT.pyc for the same version. An example of bcc's C++ API\n"
    "(docs/embedding.md).\n"
    "\n"
    "  -O0..-O3        the level's pipeline (default -O2)\n"
    "  --passes=LIST   these passes instead: dce,inline<max-size=40>\n"
    "  --assume=LIST   grant facts: module-constants, stable-functions,\n"
    "                  stable-globals, no-print, or all\n"
    "  --stats         print each pass's counters\n"
    "  -o OUT.pyc      where to write (written whole or not at all)\n"
    "  -h, --help      show this help\n"
    "\n"
    "exit status: 0 on success, 1 when IN cannot be read, optimized or\n"
    "OUT cannot be written, 2 on a usage error.\n";

int usageError(const std::string &message) {
  std::fprintf(stderr, "pycopt: %s\nTry 'pycopt --help'.\n", message.c_str());
  return 2;
}

/// "pycopt: error: FILE: offset N: what is wrong"; exit status 1.
int fileError(const std::string &file, const bcc::Error &error) {
  std::fprintf(stderr, "pycopt: error: %s\n", error.format(file).c_str());
  return 1;
}

/// The whole file, or an error message.
bcc::Expected<std::string> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return bcc::Error("cannot open it for reading");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad())
    return bcc::Error("cannot read it");
  return bytes.str();
}

/// Writes `data` to a temporary file beside `path` and renames it over
/// `path`, so that `path` is either the old file or the whole new one.
bcc::Status writeFile(const std::string &path, const std::string &data) {
  std::string temporary = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out)
      return bcc::Error("cannot open it for writing");
    out.write(data.data(), std::streamsize(data.size()));
    out.close();
    if (!out) {
      std::remove(temporary.c_str());
      return bcc::Error("cannot write it");
    }
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return bcc::Error("cannot rename the temporary file over it");
  }
  return bcc::Status::ok();
}

struct Options {
  bcc::OptimizationOptions optimization;
  std::string passes; ///< --passes, or "" for the level's pipeline
  bool stats = false;
  std::string input, output;
};

/// The .pyc bytes `bytes` optimized as `options` say, or an error.
bcc::Expected<std::string> optimize(const std::string &bytes,
                                    const Options &options,
                                    bcc::Statistics &stats) {
  // 1. Bytes in: the header and the module's code object.
  bcc::Expected<bcc::PycFile> pyc = bcc::readPyc(bytes);
  if (!pyc)
    return pyc.takeError();
  // 2. Lifting into the SSA IR, one Function per code object.
  bcc::Expected<std::unique_ptr<bcc::Module>> module =
      bcc::liftModule(*pyc->code);
  if (!module)
    return module.takeError();
  if (bcc::Status s = bcc::verify(**module); !s)
    return bcc::Error("the lifted IR does not verify: " + s.error().message);
  // 3. The pipeline: a level's, or the passes named.
  bcc::PassManager pm;
  bcc::Status built = options.passes.empty()
                          ? bcc::buildPipeline(pm, options.optimization)
                          : bcc::parsePipeline(pm, options.passes);
  if (!built)
    return built.error();
  bcc::PassContext context(options.optimization, stats);
  // Lifted code is what CPython compiled: the cleanups leave a function
  // alone until some pass changed it, as `bcc opt` does.
  for (const auto &function : (*module)->functions())
    context.setPristine(*function);
  if (bcc::Status s = pm.run(**module, context); !s)
    return s.error();
  // Lowering needs valid IR in stack form (docs/ir.md).
  for (const auto &function : (*module)->functions()) {
    bcc::Status s = bcc::verify(*function);
    if (s)
      s = bcc::verifyStackForm(*function);
    if (!s)
      return bcc::Error("the optimized IR does not verify: " +
                        s.error().message);
  }
  // 4. Lowering back to a code object, and bytes out with the same header.
  bcc::Expected<std::shared_ptr<bcc::CodeObject>> lowered =
      bcc::lowerModule(**module);
  if (!lowered)
    return lowered.takeError();
  bcc::PycFile out;
  out.header = pyc->header;
  out.code = *lowered;
  return bcc::writePyc(out);
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  Options options;
  options.optimization.level = 2;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg.size() == 3 && arg[0] == '-' && arg[1] == 'O' &&
               arg[2] >= '0' && arg[2] <= '3') {
      options.optimization.level = unsigned(arg[2] - '0');
    } else if (arg.rfind("--passes=", 0) == 0) {
      options.passes = arg.substr(9);
      if (options.passes.empty())
        return usageError("--passes needs a list of passes");
    } else if (arg.rfind("--assume=", 0) == 0) {
      bcc::Expected<bcc::Assumptions> granted =
          bcc::Assumptions::parse(arg.substr(9));
      if (!granted)
        return usageError(granted.error().message);
      options.optimization.assumptions = *granted;
    } else if (arg == "--stats") {
      options.stats = true;
    } else if (arg == "-o") {
      if (i + 1 == args.size())
        return usageError("-o needs a path");
      options.output = args[++i];
    } else if (arg.size() > 1 && arg[0] == '-') {
      return usageError("unknown option '" + arg + "'");
    } else if (options.input.empty()) {
      options.input = arg;
    } else {
      return usageError("more than one input ('" + options.input + "' and '" +
                        arg + "')");
    }
  }
  if (options.input.empty())
    return usageError("no input");
  if (options.output.empty())
    return usageError("no output: give -o OUT.pyc");

  bcc::Expected<std::string> bytes = readFile(options.input);
  if (!bytes)
    return fileError(options.input, bytes.error());
  bcc::Statistics stats;
  bcc::Expected<std::string> result = optimize(*bytes, options, stats);
  if (!result)
    return fileError(options.input, result.error());
  if (bcc::Status s = writeFile(options.output, *result); !s)
    return fileError(options.output, s.error());
  if (options.stats)
    for (const bcc::Statistics::Entry &e : stats.entries())
      std::printf("%s: %s: %llu\n", e.pass.c_str(), e.counter.c_str(),
                  (unsigned long long)e.value);
  return 0;
}
