//===- tests/tools/lower_check.cpp - Backend encoders on the whole stdlib -===//
//
// bcc-lower-check [--pyc-root DIR --version 3.X] [--roundtrip] [-v]
//
// For each CPython 3.11-3.13 installed under pyenv ($PYENV_ROOT or
// ~/.pyenv), compiles its Lib/ into a temporary PYTHONPYCACHEPREFIX tree and
// checks the backend's encoders against every code object found, nested
// ones included. Each code object is decoded into MachineCode (the real
// instructions, jump targets as instruction indices, per-instruction
// locations and handlers) and then:
//
//   linetable   LocationTableEncoder reproduces co_linetable
//   exctable    buildExceptionTable reproduces co_exceptiontable
//   stacksize   computeStackDepth equals co_stacksize
//   code        assemble (EXTENDED_ARG fixed point, caches) gives co_code
//
// Prints identical/total per check and version, the first mismatches with
// -v, and the encoders' throughput in code units per second. With
// --roundtrip, each module is also lifted (frontend/Lifter), lowered
// (backend/Lowering) and compared with the original, code object by code
// object, with the lowering's counters and the round trip's speed. Exits 1 when
// any check is below 100%.
//
//===----------------------------------------------------------------------===//

#include "backend/Assembler.h"
#include "backend/ExceptionTableBuilder.h"
#include "backend/LocationTableEncoder.h"
#include "backend/Lowering.h"
#include "backend/StackDepth.h"
#include "frontend/CodeDiff.h"
#include "frontend/BytecodeDecoder.h"
#include "frontend/ExceptionTable.h"
#include "frontend/LineTable.h"
#include "frontend/Lifter.h"
#include "frontend/MarshalReader.h"
#include "ir/IRPrinter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <vector>

using namespace bcc;

namespace {

struct Counter {
  size_t same = 0, total = 0;
};

struct Results {
  Counter lineTable, exceptionTable, stackSize, code;
  // The round trip: lift, lower, compare.
  Counter rtCode, rtLineTable, rtExceptionTable, rtStackSize, rtAll;
  size_t rtModules = 0, rtLiftErrors = 0, rtLowerErrors = 0, rtUnits = 0;
  double rtSeconds = 0, rtLiftSeconds = 0;
  LoweringReport report;
  std::vector<std::string> rtMismatches;
  // Round-trip differences by CodeDifference::category, with examples.
  std::map<std::string, std::pair<size_t, std::vector<std::string>>>
      categories;
  std::vector<std::string> lowerErrors;
  size_t codeObjects = 0, units = 0, undecodable = 0;
  double encodeSeconds = 0;
  std::vector<std::string> mismatches;
};

bool verbose = false;
bool roundTrip = false;
std::string dumpName; // --dump QUALNAME: both instruction streams
size_t examples = 0;  // --examples N: per category of difference

void dumpCode(const char *title, const CodeObject &code) {
  std::printf("  %s (stacksize %d)\n", title, code.stackSize);
  Expected<std::vector<DecodedInstruction>> insts = decodeInstructions(code);
  Expected<LineTable> lines = LineTable::decode(code);
  if (!insts || !lines)
    return;
  auto field = [](std::optional<int32_t> v) {
    return v ? std::to_string(*v) : std::string("?");
  };
  for (const DecodedInstruction &d : *insts) {
    SourcePosition p = lines->position(d.offset / 2);
    std::printf("    %4u %-24s %-6s %s:%s-%s:%s\n", d.offset,
                d.info ? d.info->name : "?",
                d.arg ? std::to_string(*d.arg).c_str() : "",
                field(p.line).c_str(), field(p.column).c_str(),
                field(p.endLine).c_str(), field(p.endColumn).c_str());
  }
  Expected<std::vector<ExceptionTableEntry>> entries =
      decodeExceptionTable(code.exceptionTable);
  if (entries)
    for (const ExceptionTableEntry &e : *entries)
      std::printf("    exc %u-%u -> %u depth %u%s\n", e.start, e.end,
                  e.target, e.depth, e.lasti ? " lasti" : "");
}

void noteRoundTrip(Results &r, const std::string &what) {
  if (r.rtMismatches.size() < 40)
    r.rtMismatches.push_back(what);
}

/// Compares a lowered tree with the original, code object by code object.
void compareTrees(const CodeObject &original, const CodeObject &lowered,
                  Results &r) {
  auto count = [&](Counter &c, bool same, const char *what) {
    ++c.total;
    if (same)
      ++c.same;
    else
      noteRoundTrip(r, std::string(what) + ": " + original.fileName.utf8 +
                           " " + original.qualName.utf8 + " line " +
                           std::to_string(original.firstLineNo));
  };
  if (!dumpName.empty() && original.qualName.utf8 == dumpName) {
    std::printf("%s %s\n", original.fileName.utf8.c_str(),
                dumpName.c_str());
    dumpCode("original", original);
    dumpCode("lowered", lowered);
  }
  bool code = original.code == lowered.code;
  bool lines = original.lineTable == lowered.lineTable;
  bool exc = original.exceptionTable == lowered.exceptionTable;
  bool stack = original.stackSize == lowered.stackSize;
  count(r.rtCode, code, "code");
  count(r.rtLineTable, lines, "linetable");
  count(r.rtExceptionTable, exc, "exctable");
  count(r.rtStackSize, stack, "stacksize");
  ++r.rtAll.total;
  r.rtAll.same += code && lines && exc && stack;
  if (!(code && lines && exc && stack)) {
    CodeDifference d = compareCode(original, lowered);
    auto &slot = r.categories[d.category];
    ++slot.first;
    if (slot.second.size() < examples)
      slot.second.push_back(original.fileName.utf8 + " " +
                            original.qualName.utf8 + ": " + d.detail);
  }
  size_t n = std::min(original.consts.size(), lowered.consts.size());
  for (size_t i = 0; i < n; ++i)
    if (original.consts[i]->kind() == ConstantKind::Code &&
        lowered.consts[i]->kind() == ConstantKind::Code)
      compareTrees(*original.consts[i]->asCode(),
                   *lowered.consts[i]->asCode(), r);
}

void checkRoundTrip(const CodeObject &module, Results &r) {
  ++r.rtModules;
  auto start = std::chrono::steady_clock::now();
  Expected<std::unique_ptr<Module>> lifted = liftModule(module);
  auto lifted_at = std::chrono::steady_clock::now();
  r.rtLiftSeconds +=
      std::chrono::duration<double>(lifted_at - start).count();
  if (!lifted) {
    ++r.rtLiftErrors;
    noteRoundTrip(r, "lift: " + module.fileName.utf8 + ": " +
                         lifted.error().message);
    return;
  }
  if (!dumpName.empty())
    for (unsigned i = 0; i < (*lifted)->numFunctions(); ++i)
      if ((*lifted)->function(i)->qualName.utf8 == dumpName)
        std::printf("%s", printFunction(*(*lifted)->function(i)).c_str());
  Expected<std::shared_ptr<CodeObject>> lowered =
      lowerModule(**lifted, &r.report);
  r.rtSeconds += std::chrono::duration<double>(
                     std::chrono::steady_clock::now() - start)
                     .count();
  if (!lowered) {
    // Lower each function on its own to find the ones that fail; compare
    // the others field by field (their children are lowered again, which
    // only costs time here).
    std::function<void(const CodeObject &, unsigned &)> walk =
        [&](const CodeObject &code, unsigned &index) {
          const Function &f = *(*lifted)->function(index++);
          for (const ConstantRef &k : code.consts)
            if (k->kind() == ConstantKind::Code)
              walk(*k->asCode(), index);
          Expected<std::shared_ptr<CodeObject>> one = lowerFunction(f);
          if (!one) {
            ++r.rtLowerErrors;
            if (r.lowerErrors.size() < 200)
              r.lowerErrors.push_back(one.error().message);
            return;
          }
          CodeObject shallow = **one;
          shallow.consts.clear();
          CodeObject original = code;
          original.consts.clear();
          compareTrees(original, shallow, r);
        };
    unsigned index = 0;
    walk(module, index);
    return;
  }
  std::function<size_t(const CodeObject &)> units =
      [&](const CodeObject &c) {
        size_t u = c.codeUnits();
        for (const ConstantRef &k : c.consts)
          if (k->kind() == ConstantKind::Code)
            u += units(*k->asCode());
        return u;
      };
  r.rtUnits += units(module);
  compareTrees(module, **lowered, r);
}

void note(Results &r, const std::string &what, const CodeObject &code) {
  if (r.mismatches.size() < 20)
    r.mismatches.push_back(what + ": " + code.fileName.utf8 + " " +
                           code.qualName.utf8 + " line " +
                           std::to_string(code.firstLineNo));
}

size_t firstDifference(const std::string &a, const std::string &b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i])
    ++i;
  return i;
}

/// The decoded form of one code object, as the backend would produce it.
struct Decoded {
  MachineCode machine;
  std::vector<uint32_t> unitOffsets; // original, plus the length
};

bool decode(const CodeObject &code, Decoded &out) {
  Expected<std::vector<DecodedInstruction>> insts = decodeInstructions(code);
  Expected<LineTable> lines = LineTable::decode(code);
  Expected<std::vector<ExceptionTableEntry>> entries =
      decodeExceptionTable(code.exceptionTable);
  if (!insts || !lines || !entries)
    return false;
  const OpcodeTable &table = *OpcodeTable::forVersion(code.version);
  std::vector<int32_t> indexAtUnit(code.codeUnits() + 1, -1);
  for (const DecodedInstruction &d : *insts) {
    if (d.isExtendedArg(table))
      continue;
    MachineInstr in;
    in.opcode = d.baseOpcode;
    in.arg = d.arg ? static_cast<uint32_t>(*d.arg) : 0;
    SourcePosition p = lines->position(d.startOffset / 2);
    in.location =
        SourceLocation::fromOptionals(p.line, p.endLine, p.column, p.endColumn);
    indexAtUnit[d.startOffset / 2] =
        static_cast<int32_t>(out.machine.instrs.size());
    out.unitOffsets.push_back(d.startOffset / 2);
    out.machine.instrs.push_back(in);
  }
  out.unitOffsets.push_back(static_cast<uint32_t>(code.codeUnits()));
  size_t k = 0;
  for (const DecodedInstruction &d : *insts) {
    if (d.isExtendedArg(table))
      continue;
    if (d.jumpTarget) {
      if (*d.jumpTarget < 0 || *d.jumpTarget / 2 >= (int64_t)code.codeUnits() ||
          indexAtUnit[*d.jumpTarget / 2] < 0)
        return false;
      out.machine.instrs[k].target = indexAtUnit[*d.jumpTarget / 2];
    }
    ++k;
  }
  for (const ExceptionTableEntry &e : *entries) {
    if (e.target / 2 >= code.codeUnits() || indexAtUnit[e.target / 2] < 0)
      return false;
    ExceptionHandler h;
    h.target = static_cast<uint32_t>(indexAtUnit[e.target / 2]);
    h.depth = e.depth;
    h.lasti = e.lasti;
    int32_t index = static_cast<int32_t>(out.machine.handlers.size());
    out.machine.handlers.push_back(h);
    for (size_t i = 0; i < out.machine.instrs.size(); ++i)
      if (out.unitOffsets[i] * 2 >= e.start && out.unitOffsets[i] * 2 < e.end)
        out.machine.instrs[i].handler = index;
  }
  return true;
}

void checkCode(const CodeObject &code, Results &r) {
  for (const ConstantRef &c : code.consts)
    if (c->kind() == ConstantKind::Code)
      checkCode(*c->asCode(), r);
  ++r.codeObjects;
  Decoded d;
  if (!decode(code, d)) {
    ++r.undecodable;
    return;
  }
  r.units += code.codeUnits();
  const OpcodeTable &table = *OpcodeTable::forVersion(code.version);
  MachineCode &m = d.machine;

  auto start = std::chrono::steady_clock::now();
  LocationTableEncoder lines(code.version, code.firstLineNo);
  for (size_t i = 0; i < m.instrs.size(); ++i)
    lines.addInstruction(m.instrs[i].location,
                         d.unitOffsets[i + 1] - d.unitOffsets[i]);
  std::string lineTable = lines.finish();
  std::string exceptionTable = buildExceptionTable(m, d.unitOffsets);
  Expected<int32_t> depth = computeStackDepth(table, m);
  Expected<AssembledCode> assembled = assemble(table, m);
  r.encodeSeconds += std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();

  ++r.lineTable.total;
  if (lineTable == code.lineTable)
    ++r.lineTable.same;
  else
    note(r, "linetable", code);
  ++r.exceptionTable.total;
  if (exceptionTable == code.exceptionTable)
    ++r.exceptionTable.same;
  else
    note(r, "exctable", code);
  ++r.stackSize.total;
  if (depth && *depth == code.stackSize)
    ++r.stackSize.same;
  else
    note(r, "stacksize " +
                (depth ? std::to_string(*depth) : depth.error().message) +
                " vs " + std::to_string(code.stackSize),
         code);
  ++r.code.total;
  if (assembled && assembled->code == code.code)
    ++r.code.same;
  else
    note(r,
         assembled ? "code differs from unit " +
                         std::to_string(firstDifference(assembled->code,
                                                        code.code) /
                                        2)
                   : "code: " + assembled.error().message,
         code);
}

void collectPycs(const std::string &dir, const std::string &tag,
                 std::vector<std::string> &out) {
  std::error_code ec;
  for (llvm::sys::fs::recursive_directory_iterator it(dir, ec), end;
       it != end && !ec; it.increment(ec)) {
    llvm::StringRef path = it->path();
    if (path.endswith(tag) && !path.contains(".opt-"))
      out.push_back(path.str());
  }
  std::sort(out.begin(), out.end());
}

std::string findInterpreter(PythonVersion v, std::string &libDir) {
  std::string root;
  if (const char *env = std::getenv("PYENV_ROOT"))
    root = env;
  else if (const char *home = std::getenv("HOME"))
    root = std::string(home) + "/.pyenv";
  else
    return "";
  std::error_code ec;
  std::vector<std::string> candidates;
  for (llvm::sys::fs::directory_iterator it(root + "/versions", ec), end;
       it != end && !ec; it.increment(ec))
    if (llvm::sys::path::filename(it->path()).startswith(v.str() + "."))
      candidates.push_back(it->path());
  std::sort(candidates.begin(), candidates.end());
  for (const std::string &c : candidates) {
    std::string exe = c + "/bin/python" + v.str();
    if (llvm::sys::fs::can_execute(exe)) {
      libDir = c + "/lib/python" + v.str();
      return exe;
    }
  }
  return "";
}

int runVersion(PythonVersion v, std::string pycRoot) {
  std::string tag = ".cpython-" + std::to_string(v.major) +
                    std::to_string(v.minor) + ".pyc";
  std::string tempDir;
  if (pycRoot.empty()) {
    std::string lib;
    std::string exe = findInterpreter(v, lib);
    if (exe.empty()) {
      std::printf("%s: not installed, skipped\n", v.str().c_str());
      return 0;
    }
    llvm::SmallString<128> tmp;
    if (llvm::sys::fs::createUniqueDirectory("bcc-lower-check", tmp)) {
      std::fprintf(stderr, "cannot create a temporary directory\n");
      return 1;
    }
    tempDir = tmp.str().str();
    std::string cmd = "PYTHONPYCACHEPREFIX='" + tempDir + "' '" + exe +
                      "' -m compileall -q -j0 -x site-packages '" + lib +
                      "' >/dev/null 2>&1";
    (void)std::system(cmd.c_str());
    pycRoot = tempDir;
  }
  std::vector<std::string> pycs;
  collectPycs(pycRoot, tag, pycs);
  Results r;
  for (const std::string &path : pycs) {
    auto buffer = llvm::MemoryBuffer::getFile(path);
    if (!buffer)
      continue;
    Expected<PycFile> pyc = readPyc((*buffer)->getBuffer());
    if (!pyc || pyc->header.version.minor != v.minor)
      continue;
    checkCode(*pyc->code, r);
    if (roundTrip)
      checkRoundTrip(*pyc->code, r);
  }
  if (!tempDir.empty())
    llvm::sys::fs::remove_directories(tempDir);
  auto show = [&](const char *name, const Counter &c) {
    std::printf("  %-10s %zu/%zu identical (%.3f%%)\n", name, c.same, c.total,
                c.total ? 100.0 * c.same / c.total : 100.0);
  };
  std::printf("%s: %zu files, %zu code objects (%zu undecodable), %zu code "
              "units\n",
              v.str().c_str(), pycs.size(), r.codeObjects, r.undecodable,
              r.units);
  show("linetable", r.lineTable);
  show("exctable", r.exceptionTable);
  show("stacksize", r.stackSize);
  show("code", r.code);
  std::printf("  encoders: %.1fM code units/s\n",
              r.encodeSeconds > 0 ? r.units / r.encodeSeconds / 1e6 : 0.0);
  if (verbose)
    for (const std::string &m : r.mismatches)
      std::printf("    %s\n", m.c_str());
  if (roundTrip) {
    std::printf("  round trip: %zu modules (%zu lift errors, %zu code "
                "objects not lowered), %.1fM code units/s (lowering alone "
                "%.1fM)\n",
                r.rtModules, r.rtLiftErrors, r.rtLowerErrors,
                r.rtSeconds > 0 ? r.rtUnits / r.rtSeconds / 1e6 : 0.0,
                r.rtSeconds > r.rtLiftSeconds
                    ? r.rtUnits / (r.rtSeconds - r.rtLiftSeconds) / 1e6
                    : 0.0);
    show("rt code", r.rtCode);
    show("rt lines", r.rtLineTable);
    show("rt exc", r.rtExceptionTable);
    show("rt stack", r.rtStackSize);
    show("rt all", r.rtAll);
    const LoweringReport &l = r.report;
    std::printf("  lowering: %llu instructions, %llu in order, %llu COPY, "
                "%llu SWAP, %llu POP_TOP, %llu exit shuffles, %llu fused\n",
                (unsigned long long)l.irInstructions,
                (unsigned long long)l.operandsInOrder,
                (unsigned long long)l.copies, (unsigned long long)l.swaps,
                (unsigned long long)l.pops,
                (unsigned long long)l.exitShuffles,
                (unsigned long long)l.fused);
    std::vector<std::pair<size_t, std::string>> byCount;
    for (const auto &[name, slot] : r.categories)
      byCount.push_back({slot.first, name});
    std::sort(byCount.rbegin(), byCount.rend());
    for (const auto &[n, name] : byCount) {
      std::printf("  %6zu  %s\n", n, name.c_str());
      for (const std::string &e : r.categories[name].second)
        std::printf("            %s\n", e.c_str());
    }
    if (verbose) {
      for (const std::string &m : r.rtMismatches)
        std::printf("    %s\n", m.c_str());
      for (const std::string &m : r.lowerErrors)
        std::printf("    lowering: %s\n", m.c_str());
    }
  }
  bool all = r.lineTable.same == r.lineTable.total &&
             r.exceptionTable.same == r.exceptionTable.total &&
             r.stackSize.same == r.stackSize.total &&
             r.code.same == r.code.total;
  return all ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
  std::string pycRoot;
  std::optional<PythonVersion> only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-v")
      verbose = true;
    else if (a == "--roundtrip")
      roundTrip = true;
    else if (a == "--examples" && i + 1 < argc)
      examples = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--dump" && i + 1 < argc)
      dumpName = argv[++i];
    else if (a == "--pyc-root" && i + 1 < argc)
      pycRoot = argv[++i];
    else if (a == "--version" && i + 1 < argc)
      only = PythonVersion::parse(argv[++i]);
    else {
      std::fprintf(stderr,
                   "usage: bcc-lower-check [--pyc-root DIR --version 3.X] "
                   "[--roundtrip] [--examples N] [--dump QUALNAME] [-v]\n");
      return 2;
    }
  }
  if (!pycRoot.empty() && !only) {
    std::fprintf(stderr, "--pyc-root needs --version\n");
    return 2;
  }
  int rc = 0;
  for (uint8_t minor : {11, 12, 13}) {
    PythonVersion v(3, minor);
    if (only && only->minor != minor)
      continue;
    rc |= runVersion(v, pycRoot);
  }
  return rc;
}
