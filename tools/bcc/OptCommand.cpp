//===- tools/bcc/OptCommand.cpp - bcc opt ---------------------------------===//
//
// Lifts every code object of a .pyc (or of every .pyc under a directory)
// into the SSA IR, verifies it, runs the pipeline of the -O level (-O0: none)
// and lowers it back to bytecode for the same CPython version. A file that
// fails is reported (with the qualified name of the code object where the
// lifter or the lowering names one) and not written; the other files are
// still done. Output files are written through a temporary and a rename, so
// none is ever half written.
//
//===----------------------------------------------------------------------===//

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "backend/Lowering.h"
#include "backend/MarshalWriter.h"
#include "frontend/CodeDiff.h"
#include "frontend/Lifter.h"
#include "frontend/MarshalReader.h"
#include "ir/IRPrinter.h"
#include "ir/Verifier.h"
#include "tools/bcc/Commands.h"
#include "tools/bcc/FileIO.h"

namespace fs = std::filesystem;

namespace bcc::driver {

const char kOptHelp[] =
    "usage: bcc opt [-O0] [--print-ir] [--compare] [--stats] [-q]\n"
    "               [-o OUT] IN\n"
    "\n"
    "Lifts every code object of IN into bcc's SSA IR, verifies it, optimizes\n"
    "it at the chosen level and writes bytecode for the same CPython version\n"
    "(3.11-3.13) back to OUT.\n"
    "\n"
    "IN is a .pyc file (OUT is then a file) or a directory: every .pyc under\n"
    "it is done and written at the same relative path under OUT, so a tree\n"
    "written with `python -X pycache_prefix=A` becomes a tree that\n"
    "`-X pycache_prefix=B` loads. A file that fails is reported with the\n"
    "qualified name of the code object and the reason, and is not written;\n"
    "the other files are still done. No output file is ever half written.\n"
    "\n"
    "options:\n"
    "  -O0             no optimization: lift, verify and lower (the default;\n"
    "                  the only level until the first passes land)\n"
    "  -o OUT          where to write (a file or a directory, like IN)\n"
    "  --print-ir      print the IR of every file to stdout\n"
    "  --compare       list every code object whose co_code, exception\n"
    "                  table, line table or stack size differs from its input\n"
    "  --stats         print the lowering's counters (stack moves etc.)\n"
    "  -q, --quiet     no progress line and no summary\n"
    "  -h, --help      show this help and exit\n"
    "\n"
    "exit status: 0 when every file was done, 1 when some file failed,\n"
    "2 on a usage error.\n";

namespace {

struct OptOptions {
  std::string input;
  std::string output;
  bool printIR = false;
  bool compare = false;
  bool stats = false;
  bool quiet = false;
};

/// Seconds spent in each stage of the round trip, summed over the files.
struct StageTimes {
  double read = 0;   ///< the file's bytes, and unmarshalling them
  double lift = 0;   ///< bytecode into the SSA IR
  double verify = 0; ///< the verifier on the lifted IR
  double lower = 0;  ///< the IR back to code objects
  double write = 0;  ///< marshalling, and writing the file
};

struct OptTotals {
  uint64_t files = 0;
  uint64_t failed = 0;
  /// Code objects and units of the files that went all the way through.
  uint64_t codeObjects = 0;
  uint64_t codeUnits = 0;
  uint64_t identical = 0;
  LoweringReport lowering;
  StageTimes time;
};

/// Adds the time since the last call (or construction) to a stage.
class StageClock {
public:
  void charge(double &stage) {
    auto now = std::chrono::steady_clock::now();
    stage += std::chrono::duration<double>(now - last_).count();
    last_ = now;
  }

private:
  std::chrono::steady_clock::time_point last_ =
      std::chrono::steady_clock::now();
};

/// Code objects and code units of the tree under `code`.
void countCode(const CodeObject &code, uint64_t &objects, uint64_t &units) {
  objects += 1;
  units += code.codeUnits();
  for (const ConstantRef &c : code.consts)
    if (c->is(ConstantKind::Code))
      countCode(*c->asCode(), objects, units);
}

/// Counts the identical code objects and prints the others' differences.
void compareTrees(const std::string &file, const CodeObject &before,
                  const CodeObject &after, OptTotals &totals) {
  forEachCodePair(before, after, [&](const CodeObject &b, const CodeObject &a) {
    CodeDifference difference = compareCode(b, a);
    if (difference.identical())
      totals.identical += 1;
    else
      std::printf("%s: %s: %s\n", file.c_str(), b.qualName.utf8.c_str(),
                  difference.detail.c_str());
  });
}

/// Lift, verify, lower one file's bytes; the new .pyc bytes or an Error.
/// Counts the file's code objects and code units into `counts`.
Expected<std::string> optimizeFile(const std::string &label,
                                   const std::string &bytes,
                                   const OptOptions &options, OptTotals &totals,
                                   StageClock &clock,
                                   std::pair<uint64_t, uint64_t> &counts) {
  Expected<PycFile> pyc = readPyc(bytes);
  clock.charge(totals.time.read);
  if (!pyc)
    return pyc.takeError();
  countCode(*pyc->code, counts.first, counts.second);
  Expected<std::unique_ptr<Module>> module = liftModule(*pyc->code);
  clock.charge(totals.time.lift);
  if (!module)
    return module.takeError();
  Status verified = verify(**module);
  clock.charge(totals.time.verify);
  if (!verified)
    return Error("the lifted IR does not verify: " + verified.error().message);
  if (options.printIR) {
    std::string text = printModule(**module);
    std::printf("; %s\n%s", label.c_str(), text.c_str());
  }
  clock.charge(totals.time.lift); // printing, if asked: not timed apart
  Expected<std::shared_ptr<CodeObject>> lowered =
      lowerModule(**module, &totals.lowering);
  clock.charge(totals.time.lower);
  if (!lowered)
    return lowered.takeError();
  if (options.compare)
    compareTrees(label, *pyc->code, **lowered, totals);
  PycFile out;
  out.header = pyc->header;
  out.code = *lowered;
  Expected<std::string> written = writePyc(out);
  clock.charge(totals.time.write);
  return written;
}

/// Does one file; reports a failure on stderr. True on success.
bool processFile(const std::string &inPath, const std::string &outPath,
                 const OptOptions &options, OptTotals &totals) {
  totals.files += 1;
  auto fail = [&](const Error &error) {
    std::fprintf(stderr, "bcc opt: error: %s\n", error.format(inPath).c_str());
    totals.failed += 1;
    return false;
  };
  StageClock clock;
  Expected<std::string> bytes = readWholeFile(inPath);
  clock.charge(totals.time.read);
  if (!bytes)
    return fail(bytes.error());
  std::pair<uint64_t, uint64_t> counts; // code objects, code units
  Expected<std::string> result =
      optimizeFile(inPath, *bytes, options, totals, clock, counts);
  if (!result)
    return fail(result.error());
  if (!outPath.empty()) {
    Status status = writeFileAtomically(outPath, *result);
    clock.charge(totals.time.write);
    if (!status) {
      std::fprintf(stderr, "bcc opt: error: %s\n",
                   status.error().format(outPath).c_str());
      totals.failed += 1;
      return false;
    }
  }
  totals.codeObjects += counts.first;
  totals.codeUnits += counts.second;
  return true;
}

/// Every .pyc under `root`, sorted, as paths relative to it.
std::vector<fs::path> pycFilesUnder(const fs::path &root, std::error_code &ec) {
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".pyc") {
      // The iterator's paths start with `root` as written, so the relative
      // path is usually a matter of text; fs::relative() resolves symbolic
      // links with a system call per component, and stays the fallback.
      fs::path relative = it->path().lexically_relative(root);
      if (relative.empty() || *relative.begin() == ".." ||
          (root / relative).lexically_normal() !=
              it->path().lexically_normal())
        relative = fs::relative(it->path(), root);
      files.push_back(relative);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

void printSummary(const OptTotals &totals, double seconds,
                  const OptOptions &options) {
  if (!options.quiet) {
    double rate = seconds > 0 ? totals.codeUnits / seconds : 0;
    std::fprintf(stderr,
                 "bcc opt: %llu files (%llu failed), %llu code objects, "
                 "%llu code units in %.2f s (%.2fM code units/s)\n",
                 (unsigned long long)totals.files,
                 (unsigned long long)totals.failed,
                 (unsigned long long)totals.codeObjects,
                 (unsigned long long)totals.codeUnits, seconds, rate / 1e6);
    const StageTimes &t = totals.time;
    std::fprintf(stderr,
                 "bcc opt: read+unmarshal %.2f s, lift %.2f s, verify %.2f s, "
                 "lower %.2f s, marshal+write %.2f s\n",
                 t.read, t.lift, t.verify, t.lower, t.write);
  }
  if (options.compare)
    std::printf("identical: %llu of %llu code objects (%.2f%%)\n",
                (unsigned long long)totals.identical,
                (unsigned long long)totals.codeObjects,
                totals.codeObjects
                    ? 100.0 * totals.identical / totals.codeObjects
                    : 0.0);
  if (options.stats) {
    const LoweringReport &r = totals.lowering;
    std::printf("lowering: %llu code objects, %llu IR instructions, "
                "%llu with operands already in order\n"
                "stack moves: %llu COPY, %llu SWAP, %llu POP_TOP; "
                "%llu drops, %llu block exits shuffled, %llu built step by step, "
                "%llu superinstructions\n",
                (unsigned long long)r.codeObjects,
                (unsigned long long)r.irInstructions,
                (unsigned long long)r.operandsInOrder,
                (unsigned long long)r.copies, (unsigned long long)r.swaps,
                (unsigned long long)r.pops, (unsigned long long)r.drops,
                (unsigned long long)r.exitShuffles,
                (unsigned long long)r.constructed,
                (unsigned long long)r.fused);
  }
}

} // namespace

int runOpt(const std::vector<std::string> &args) {
  OptOptions options;
  bool optionsDone = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    if (!optionsDone && arg == "--") {
      optionsDone = true;
    } else if (!optionsDone && arg == "-O0") {
      // The only level for now.
    } else if (!optionsDone && arg.size() > 2 && arg.compare(0, 2, "-O") == 0) {
      return usageError("opt", "optimization level '" + arg +
                                   "' is not available yet (only -O0)");
    } else if (!optionsDone && arg == "-o") {
      if (i + 1 == args.size())
        return usageError("opt", "-o needs a path");
      options.output = args[++i];
    } else if (!optionsDone && arg == "--print-ir") {
      options.printIR = true;
    } else if (!optionsDone && arg == "--compare") {
      options.compare = true;
    } else if (!optionsDone && arg == "--stats") {
      options.stats = true;
    } else if (!optionsDone && (arg == "-q" || arg == "--quiet")) {
      options.quiet = true;
    } else if (!optionsDone && arg.size() > 1 && arg[0] == '-') {
      return usageError("opt", "unknown option '" + arg + "'");
    } else if (options.input.empty()) {
      options.input = arg;
    } else {
      return usageError("opt", "more than one input ('" + options.input +
                                   "' and '" + arg + "')");
    }
  }
  if (options.input.empty())
    return usageError("opt", "no input");
  if (options.output.empty() && !options.printIR && !options.compare &&
      !options.stats)
    return usageError("opt", "nothing to do: give -o OUT, --print-ir, "
                             "--compare or --stats");

  OptTotals totals;
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };

  std::error_code ec;
  if (!fs::is_directory(options.input, ec)) {
    processFile(options.input, options.output, options, totals);
    printSummary(totals, elapsed(), options);
    return totals.failed ? kExitInputError : kExitOk;
  }

  fs::path inRoot(options.input);
  std::vector<fs::path> files = pycFilesUnder(inRoot, ec);
  if (ec) {
    std::fprintf(stderr, "bcc opt: error: %s: %s\n", options.input.c_str(),
                 ec.message().c_str());
    return kExitInputError;
  }
  if (!options.output.empty()) {
    fs::create_directories(options.output, ec);
    if (ec || !fs::is_directory(options.output)) {
      std::fprintf(stderr, "bcc opt: error: %s: not a directory%s%s\n",
                   options.output.c_str(), ec ? ": " : "",
                   ec ? ec.message().c_str() : "");
      return kExitInputError;
    }
  }
  double lastProgress = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string outPath;
    if (!options.output.empty()) {
      fs::path target = fs::path(options.output) / files[i];
      fs::create_directories(target.parent_path(), ec);
      outPath = target.string();
    }
    processFile((inRoot / files[i]).string(), outPath, options, totals);
    double now = elapsed();
    if (!options.quiet &&
        (now - lastProgress >= 2.0 || i + 1 == files.size())) {
      std::fprintf(stderr, "bcc opt: %zu/%zu files, %llu failed\n", i + 1,
                   files.size(), (unsigned long long)totals.failed);
      lastProgress = now;
    }
  }
  printSummary(totals, elapsed(), options);
  return totals.failed ? kExitInputError : kExitOk;
}

} // namespace bcc::driver
