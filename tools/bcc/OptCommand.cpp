//===- tools/bcc/OptCommand.cpp - bcc opt ---------------------------------===//
//
// Lifts every code object of a .pyc (or of every .pyc under a directory)
// into the SSA IR, verifies it, runs the pipeline of the -O level (or the
// --passes given) and lowers it back to bytecode for the same CPython
// version. A file that fails is reported (with the qualified name of the
// code object where the lifter or the lowering names one) and not written;
// the other files are still done. Output files are written through a
// temporary and a rename, so none is ever half written.
//
// For a directory and a pipeline that uses module facts, every file is read
// once before the real run to learn the tree's constants (TreeFacts), so
// that imports between modules of the tree fold too.
//
// IR text (a file ending in .ir) goes through the same pipeline and comes
// out as IR text: that is how the pass tests (tests/lit) run.
//
// Pass plugins (--load-pass-plugin) are loaded into the run's registry
// before anything else, so that every option that names passes knows
// theirs; a plugin that fails to load stops the run (docs/embedding.md).
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <map>
#include <set>
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
#include "ir/IRParser.h"
#include "ir/IRPrinter.h"
#include "ir/Verifier.h"
#include "passes/Inliner.h"
#include "passes/ModuleFacts.h"
#include "passes/PassManager.h"
#include "passes/PassPlugin.h"
#include "passes/PassRegistry.h"
#include "passes/Pipelines.h"
#include "tools/bcc/Commands.h"
#include "tools/bcc/FileIO.h"
#include "llvm/Support/raw_ostream.h"

namespace fs = std::filesystem;

namespace bcc::driver {

std::string optHelp() {
  std::string help =
      "usage: bcc opt [-O0|-O1|-O2|-O3] [--passes=LIST] [--assume=LIST]\n"
      "               [--const [MODULE:]NAME=LITERAL]... [-o OUT] [-S]\n"
      "               [--compare] [--stats] [--remarks[=PASSES]]\n"
      "               [--verify-each] [--print-before=PASS]\n"
      "               [--print-after=PASS] [--print-after-all]\n"
      "               [--print-changed] [--time-passes]\n"
      "               [--load-pass-plugin=PATH]... [-q] IN\n"
      "       bcc opt [--load-pass-plugin=PATH]... --list-passes\n"
      "\n"
      "Lifts every code object of IN into bcc's SSA IR, verifies it, optimizes\n"
      "it at the chosen level and writes bytecode for the same CPython version\n"
      "(3.11-3.13) back to OUT.\n"
      "\n"
      "IN is a .pyc file (OUT is then a file), a directory (every .pyc under\n"
      "it is done and written at the same relative path under OUT, so a tree\n"
      "written with `python -X pycache_prefix=A` becomes a tree that\n"
      "`-X pycache_prefix=B` loads), or IR text in a file ending in .ir (the\n"
      "result is IR text: -S prints it, -o writes it). A file that fails is\n"
      "reported with the qualified name of the code object and the reason,\n"
      "and is not written; the other files are still done. No output file\n"
      "is ever half written.\n"
      "\n"
      "levels (docs/passes.md says exactly what each may change):\n"
      "  -O0             no optimization: lift, verify and lower (the default)\n"
      "  -O1             the exact cleanups: constant folding, branch folding,\n"
      "                  CFG simplification, dead-code removal\n"
      "  -O2             -O1, plus the passes that use facts granted with\n"
      "                  --assume or --const; exact without them\n"
      "  -O3             -O2, plus typing.Final constants, facts of the whole\n"
      "                  tree, debug-branch and no-op-call removal, guarded\n"
      "                  inlining and hoisting: not exact (tracebacks lose\n"
      "                  inlined frames)\n"
      "\n"
      "facts (off unless given; each use is reported by --remarks):\n"
      "  --assume=LIST   a comma list of module-constants, stable-functions,\n"
      "                  stable-globals, no-print, or all\n"
      "  --const [MODULE:]NAME=LITERAL\n"
      "                  the global NAME (of every module, or of the module\n"
      "                  with that dotted name) reads as the Python literal\n"
      "                  (repeatable): --const DEBUG=False\n"
      "\n"
      "passes:\n"
      "  --passes=LIST   run these passes instead of the level's pipeline:\n"
      "                  a comma list, parameters in <>: inline<max-size=60>\n"
      "  --list-passes   list every pass with its kind and parameters\n"
      "  --load-pass-plugin=PATH\n"
      "                  load a pass plugin (a shared object, see\n"
      "                  docs/embedding.md) before anything else: its passes\n"
      "                  can be named like bcc's own, and it may add them to\n"
      "                  the -O1..-O3 pipelines (repeatable)\n"
      "  --verify-each   verify the IR after every pass\n"
      "  --print-before=PASS, --print-after=PASS\n"
      "                  print the IR (to stderr) before/after each run of PASS\n"
      "                  (repeatable, or a comma list)\n"
      "  --print-after-all  print the IR after every pass\n"
      "  --print-changed print the functions a pass changed, after it\n"
      "  --time-passes   print the time spent in each pass\n"
      "  --stats         print each pass's counters and the lowering's\n"
      "  --remarks[=PASSES]\n"
      "                  print one line per optimization decision, done or\n"
      "                  missed with the reason: FILE:LINE: FUNCTION: PASS:\n"
      "                  done|missed: WHY (only for the listed passes if given)\n"
      "\n"
      "output:\n"
      "  -o OUT          where to write (a file or a directory, like IN)\n"
      "  -S, --print-ir  print the IR that is lowered (after the passes) to\n"
      "                  stdout\n"
      "  --compare       list every code object whose co_code, exception\n"
      "                  table, line table or stack size differs from its input\n"
      "  -q, --quiet     no progress line and no summary\n"
      "  -h, --help      show this help and exit\n"
      "\n"
      "exit status: 0 when every file was done, 1 when some file failed\n"
      "or a plugin could not be loaded, 2 on a usage error.\n"
      "\n"
      "registered passes:\n";
  for (const PassInfo &info : PassRegistry::builtin().passes())
    help += "  " + info.name + "\n";
  return help;
}

namespace {

struct OptOptions {
  std::string input;
  std::string output;
  bool printIR = false;
  bool compare = false;
  bool stats = false;
  bool quiet = false;
  bool listPasses = false;
  bool remarks = false;
  std::vector<std::string> remarkPasses; ///< empty: every pass
  std::vector<std::string> plugins;      ///< --load-pass-plugin, in order
  std::string passes;                    ///< --passes, or "" for the level's
  bool levelGiven = false;
  OptimizationOptions optimization;
  Instrumentation instruments;
};

/// Seconds spent in each stage of the round trip, summed over the files.
struct StageTimes {
  double read = 0;     ///< the file's bytes, and unmarshalling them
  double lift = 0;     ///< bytecode into the SSA IR
  double verify = 0;   ///< the verifier, before and after the passes
  double optimize = 0; ///< the pipeline
  double lower = 0;    ///< the IR back to code objects
  double write = 0;    ///< marshalling, and writing the file
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
  Statistics passStats;
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

/// Everything a file needs besides itself: the pipeline and the tree.
struct Optimizer {
  const OptOptions &options;
  PassManager &pm;
  const TreeFacts *tree = nullptr;
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

/// The pipeline on one module, then the checks lowering relies on.
Status optimizeModule(Module &module, const std::string &moduleName,
                      bool isPackage, bool pristine, Optimizer &optimizer,
                      OptTotals &totals, StageClock &clock) {
  if (optimizer.pm.empty())
    return Status::ok();
  const OptOptions &options = optimizer.options;
  Statistics stats;
  PassContext context(options.optimization, stats);
  context.setModuleName(moduleName, isPackage);
  context.setTree(optimizer.tree);
  if (pristine)
    for (const auto &function : module.functions())
      context.setPristine(*function);
  if (options.remarks)
    context.setRemarkSink([&](const Remark &r) {
      const auto &only = options.remarkPasses;
      if (only.empty() ||
          std::find(only.begin(), only.end(), r.pass) != only.end())
        std::printf("%s\n", r.str().c_str());
    });
  Status ran = optimizer.pm.run(module, context);
  clock.charge(totals.time.optimize);
  totals.passStats.merge(stats);
  if (!ran)
    return ran;
  // What no pass changed was verified when it was lifted.
  Status verified = Status::ok();
  for (const auto &function : module.functions()) {
    if (context.isPristine(*function))
      continue;
    verified = verify(*function);
    if (verified)
      verified = verifyStackForm(*function);
    if (!verified)
      break;
  }
  clock.charge(totals.time.verify);
  if (!verified)
    return Error("bcc internal error: the optimized IR does not verify "
                 "(rerun with --verify-each to find the pass): " +
                 verified.error().message);
  return Status::ok();
}

/// Lift, verify, optimize, lower one file's bytes; the new .pyc bytes or
/// an Error. Counts the file's code objects and code units into `counts`.
Expected<std::string> optimizeFile(const std::string &label,
                                   const std::string &bytes,
                                   const std::string &moduleName,
                                   bool isPackage, Optimizer &optimizer,
                                   OptTotals &totals, StageClock &clock,
                                   std::pair<uint64_t, uint64_t> &counts) {
  const OptOptions &options = optimizer.options;
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
  if (Status s = optimizeModule(**module, moduleName, isPackage,
                                /*pristine=*/true, optimizer, totals, clock);
      !s)
    return s.error();
  if (options.printIR) {
    std::string text = printModule(**module);
    std::printf("; %s\n%s", label.c_str(), text.c_str());
  }
  clock.charge(totals.time.optimize); // printing, if asked: not timed apart
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

/// IR text in, IR text out (the pass tests).
Expected<std::string> optimizeText(const std::string &text,
                                   const std::string &moduleName,
                                   Optimizer &optimizer, OptTotals &totals,
                                   StageClock &clock) {
  Expected<std::unique_ptr<Module>> module = parseModule(text);
  clock.charge(totals.time.read);
  if (!module)
    return module.takeError();
  Status verified = verify(**module);
  if (verified)
    verified = verifyStackForm(**module);
  clock.charge(totals.time.verify);
  if (!verified)
    return Error("the IR does not verify: " + verified.error().message);
  if (Status s = optimizeModule(**module, moduleName, false,
                                /*pristine=*/false, optimizer, totals, clock);
      !s)
    return s.error();
  return printModule(**module);
}

/// The module name of a single file: its name up to the first dot.
std::string stemOf(const std::string &path) {
  std::string file = fs::path(path).filename().string();
  return file.substr(0, file.find('.'));
}

/// Does one file; reports a failure on stderr. True on success.
bool processFile(const std::string &inPath, const std::string &outPath,
                 const std::string &moduleName, bool isPackage,
                 Optimizer &optimizer, OptTotals &totals) {
  const OptOptions &options = optimizer.options;
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
  bool isText = llvm::StringRef(inPath).endswith(".ir");
  std::pair<uint64_t, uint64_t> counts; // code objects, code units
  Expected<std::string> result =
      isText ? optimizeText(*bytes, moduleName, optimizer, totals, clock)
             : optimizeFile(inPath, *bytes, moduleName, isPackage, optimizer,
                            totals, clock, counts);
  if (!result)
    return fail(result.error());
  if (isText && options.printIR)
    std::fputs(result->c_str(), stdout);
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

/// The first reading of a tree: every module's facts; then, at -O3, the
/// modules whose functions others import by name are optimized once more
/// on their own, to keep copies of those that can be inlined elsewhere.
void readTreeFacts(const fs::path &root, const std::vector<fs::path> &files,
                   const ModuleNamer &namer, const OptOptions &options,
                   const PassRegistry &registry, TreeFacts &tree) {
  auto start = std::chrono::steady_clock::now();
  double lastProgress = 0;
  auto progress = [&](const char *what, size_t done, size_t total) {
    double now = std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - start)
                     .count();
    if (!options.quiet && (now - lastProgress >= 2.0 || done == total)) {
      std::fprintf(stderr, "bcc opt: %s: %zu/%zu files\n", what, done, total);
      lastProgress = now;
    }
  };
  // A file that cannot be read or lifted here fails in the real run, with
  // its reason; it just gives no facts.
  auto lift = [&](const fs::path &file) -> std::unique_ptr<Module> {
    if (Expected<std::string> bytes = readWholeFile((root / file).string()))
      if (Expected<PycFile> pyc = readPyc(*bytes))
        if (Expected<std::unique_ptr<Module>> module = liftModule(*pyc->code))
          return std::move(*module);
    return nullptr;
  };
  for (size_t i = 0; i < files.size(); ++i) {
    bool isPackage = false;
    std::string name = namer.name(files[i].generic_string(), isPackage);
    if (!name.empty())
      if (std::unique_ptr<Module> module = lift(files[i]))
        tree.add(ModuleFacts::compute(*module, name, isPackage));
    progress("reading the tree's facts", i + 1, files.size());
  }
  if (options.optimization.level < 3)
    return;
  // Functions imported by name, by the module that defines them.
  std::map<std::string, std::set<std::string>> wanted;
  for (const auto &[module, function] : tree.importedNames())
    wanted[module].insert(function);
  PassManager pm;
  Status built = options.passes.empty()
                     ? buildPipeline(pm, options.optimization, registry)
                     : parsePipeline(pm, options.passes, registry);
  if (!built)
    return;
  for (size_t i = 0; i < files.size(); ++i) {
    bool isPackage = false;
    std::string name = namer.name(files[i].generic_string(), isPackage);
    auto it = wanted.find(name);
    if (it == wanted.end())
      continue;
    std::unique_ptr<Module> module = lift(files[i]);
    if (!module || !verify(*module))
      continue;
    Statistics stats;
    PassContext context(options.optimization, stats);
    context.setModuleName(name, isPackage);
    context.setTree(&tree);
    for (const auto &function : module->functions())
      context.setPristine(*function);
    if (!pm.run(*module, context) || !verify(*module))
      continue;
    exportInlinable(*module, context.facts(*module), it->second, tree);
    progress("keeping functions other modules import", i + 1, files.size());
  }
}

void printSummary(const OptTotals &totals, double seconds,
                  const OptOptions &options, const PassManager &pm) {
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
                 "optimize %.2f s, lower %.2f s, marshal+write %.2f s\n",
                 t.read, t.lift, t.verify, t.optimize, t.lower, t.write);
  }
  if (options.compare)
    std::printf("identical: %llu of %llu code objects (%.2f%%)\n",
                (unsigned long long)totals.identical,
                (unsigned long long)totals.codeObjects,
                totals.codeObjects
                    ? 100.0 * totals.identical / totals.codeObjects
                    : 0.0);
  if (options.stats) {
    for (const Statistics::Entry &e : totals.passStats.entries())
      std::printf("%s: %s: %llu\n", e.pass.c_str(), e.counter.c_str(),
                  (unsigned long long)e.value);
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
  if (options.instruments.timePasses) {
    std::string text;
    llvm::raw_string_ostream os(text);
    pm.printTimes(os);
    std::fputs(os.str().c_str(), stderr);
  }
}

void listPasses(const PassRegistry &registry,
                const std::vector<LoadedPassPlugin> &plugins) {
  std::printf("passes (kind: exact = changes nothing a program can observe; "
              "facts = uses facts only -O3 or the user grants; test = for "
              "testing the backend):\n");
  for (const PassInfo &info : registry.passes()) {
    std::printf("  %-16s %-6s %s\n", info.name.c_str(), info.kind.c_str(),
                info.description.c_str());
    if (!info.parameters.empty())
      std::printf("  %-16s %-6s parameters: %s\n", "", "",
                  info.parameters.c_str());
    if (!info.plugin.empty())
      for (const LoadedPassPlugin &plugin : plugins)
        if (plugin.name == info.plugin)
          std::printf("  %-16s %-6s from plugin %s %s (%s)\n", "", "",
                      plugin.name.c_str(), plugin.version.c_str(),
                      plugin.path.c_str());
  }
}

/// "--name=value" or "--name value"; true and the value if `arg` is it.
bool optionValue(const std::vector<std::string> &args, size_t &i,
                 const char *name, std::string &value, bool &missing) {
  const std::string &arg = args[i];
  std::string prefix = std::string(name) + "=";
  if (arg.compare(0, prefix.size(), prefix) == 0) {
    value = arg.substr(prefix.size());
    return true;
  }
  if (arg == name) {
    if (i + 1 == args.size()) {
      missing = true;
      return true;
    }
    value = args[++i];
    return true;
  }
  return false;
}

void splitList(const std::string &text, std::vector<std::string> &out) {
  llvm::SmallVector<llvm::StringRef, 4> parts;
  llvm::StringRef(text).split(parts, ',', -1, false);
  for (llvm::StringRef p : parts)
    out.push_back(p.trim().str());
}

} // namespace

int runOpt(const std::vector<std::string> &args) {
  OptOptions options;
  bool optionsDone = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    std::string value;
    bool missing = false;
    if (!optionsDone && arg == "--") {
      optionsDone = true;
    } else if (!optionsDone && arg.size() == 3 && arg[0] == '-' &&
               arg[1] == 'O' && arg[2] >= '0' && arg[2] <= '3') {
      options.optimization.level = unsigned(arg[2] - '0');
      options.levelGiven = true;
    } else if (!optionsDone && arg.size() > 2 && arg.compare(0, 2, "-O") == 0) {
      return usageError("opt", "unknown optimization level '" + arg +
                                   "' (use -O0, -O1, -O2 or -O3)");
    } else if (!optionsDone && arg == "-o") {
      if (i + 1 == args.size())
        return usageError("opt", "-o needs a path");
      options.output = args[++i];
    } else if (!optionsDone && (arg == "--print-ir" || arg == "-S")) {
      options.printIR = true;
    } else if (!optionsDone && arg == "--compare") {
      options.compare = true;
    } else if (!optionsDone && arg == "--stats") {
      options.stats = true;
    } else if (!optionsDone && (arg == "-q" || arg == "--quiet")) {
      options.quiet = true;
    } else if (!optionsDone && arg == "--list-passes") {
      options.listPasses = true;
    } else if (!optionsDone && arg == "--verify-each") {
      options.instruments.verifyEach = true;
    } else if (!optionsDone && arg == "--print-after-all") {
      options.instruments.printAfterAll = true;
    } else if (!optionsDone && arg == "--print-changed") {
      options.instruments.printChanged = true;
    } else if (!optionsDone && arg == "--time-passes") {
      options.instruments.timePasses = true;
    } else if (!optionsDone && arg == "--remarks") {
      options.remarks = true;
    } else if (!optionsDone && arg.compare(0, 10, "--remarks=") == 0) {
      options.remarks = true;
      splitList(arg.substr(10), options.remarkPasses);
    } else if (!optionsDone &&
               optionValue(args, i, "--load-pass-plugin", value, missing)) {
      if (missing || value.empty())
        return usageError("opt", "--load-pass-plugin needs a path");
      options.plugins.push_back(value);
    } else if (!optionsDone &&
               optionValue(args, i, "--passes", value, missing)) {
      if (missing || value.empty())
        return usageError("opt", "--passes needs a list of passes");
      options.passes = value;
    } else if (!optionsDone &&
               optionValue(args, i, "--assume", value, missing)) {
      if (missing)
        return usageError("opt", "--assume needs a list of assumptions");
      Expected<Assumptions> granted = Assumptions::parse(value);
      if (!granted)
        return usageError("opt", granted.error().message);
      for (unsigned a = 0; a < kNumAssumptions; ++a)
        if (granted->has(Assumption(a)))
          options.optimization.assumptions.grant(Assumption(a));
    } else if (!optionsDone &&
               optionValue(args, i, "--const", value, missing)) {
      if (missing)
        return usageError("opt", "--const needs NAME=LITERAL");
      Expected<UserConstant> c = UserConstant::parse(value);
      if (!c)
        return usageError("opt", c.error().message);
      options.optimization.constants.push_back(std::move(*c));
    } else if (!optionsDone &&
               optionValue(args, i, "--print-before", value, missing)) {
      if (missing)
        return usageError("opt", "--print-before needs a pass name");
      splitList(value, options.instruments.printBefore);
    } else if (!optionsDone &&
               optionValue(args, i, "--print-after", value, missing)) {
      if (missing)
        return usageError("opt", "--print-after needs a pass name");
      splitList(value, options.instruments.printAfter);
    } else if (!optionsDone && arg.size() > 1 && arg[0] == '-') {
      return usageError("opt", "unknown option '" + arg + "'");
    } else if (options.input.empty()) {
      options.input = arg;
    } else {
      return usageError("opt", "more than one input ('" + options.input +
                                   "' and '" + arg + "')");
    }
  }
  PassRegistry registry;
  std::vector<LoadedPassPlugin> plugins;
  for (const std::string &path : options.plugins) {
    Expected<LoadedPassPlugin> plugin = loadPassPlugin(path, registry);
    if (!plugin) {
      std::fprintf(stderr, "bcc opt: error: %s\n",
                   plugin.error().format(path).c_str());
      return kExitInputError;
    }
    plugins.push_back(std::move(*plugin));
  }
  if (options.listPasses) {
    listPasses(registry, plugins);
    return kExitOk;
  }
  for (const std::vector<std::string> *names :
       {&options.instruments.printBefore, &options.instruments.printAfter})
    for (const std::string &name : *names)
      if (!registry.find(name))
        return usageError("opt", "no pass is called '" + name +
                                     "' (bcc opt --list-passes lists them)");
  for (const std::string &name : options.remarkPasses)
    if (!registry.find(name))
      return usageError("opt", "no pass is called '" + name +
                                   "' (bcc opt --list-passes lists them)");
  if (options.input.empty())
    return usageError("opt", "no input");
  bool isText = llvm::StringRef(options.input).endswith(".ir");
  if (options.output.empty() && !options.printIR && !options.compare &&
      !options.stats && !options.remarks &&
      options.instruments.printBefore.empty() &&
      options.instruments.printAfter.empty() &&
      !options.instruments.printAfterAll && !options.instruments.printChanged)
    return usageError("opt", "nothing to do: give -o OUT, -S, --compare, "
                             "--stats or --remarks");
  if (isText && options.compare)
    return usageError("opt", "--compare needs .pyc input, not IR text");

  PassManager pm(options.instruments);
  Status built = options.passes.empty()
                     ? buildPipeline(pm, options.optimization, registry)
                     : parsePipeline(pm, options.passes, registry);
  if (!built)
    return usageError("opt", built.error().message);

  OptTotals totals;
  auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start)
        .count();
  };
  Optimizer optimizer{options, pm, nullptr};

  std::error_code ec;
  if (!fs::is_directory(options.input, ec)) {
    processFile(options.input, options.output, stemOf(options.input), false,
                optimizer, totals);
    printSummary(totals, elapsed(), options, pm);
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
  std::vector<std::string> relative;
  for (const fs::path &p : files)
    relative.push_back(p.generic_string());
  ModuleNamer namer(relative);
  TreeFacts tree;
  bool wantsTree = !pm.empty() && (options.optimization.level >= 3 ||
                                   options.optimization.hasUserFacts());
  if (wantsTree) {
    readTreeFacts(inRoot, files, namer, options, registry, tree);
    optimizer.tree = &tree;
  }
  double lastProgress = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    std::string outPath;
    if (!options.output.empty()) {
      fs::path target = fs::path(options.output) / files[i];
      fs::create_directories(target.parent_path(), ec);
      outPath = target.string();
    }
    bool isPackage = false;
    std::string moduleName = namer.name(relative[i], isPackage);
    processFile((inRoot / files[i]).string(), outPath, moduleName, isPackage,
                optimizer, totals);
    double now = elapsed();
    if (!options.quiet &&
        (now - lastProgress >= 2.0 || i + 1 == files.size())) {
      std::fprintf(stderr, "bcc opt: %zu/%zu files, %llu failed\n", i + 1,
                   files.size(), (unsigned long long)totals.failed);
      lastProgress = now;
    }
  }
  printSummary(totals, elapsed(), options, pm);
  return totals.failed ? kExitInputError : kExitOk;
}

} // namespace bcc::driver
