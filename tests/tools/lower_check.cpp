//===- tests/tools/lower_check.cpp - Backend encoders on the whole stdlib -===//
//
// bcc-lower-check [--pyc-root DIR --version 3.X] [-v]
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
// -v, and the encoders' throughput in code units per second. Exits 1 when
// any check is below 100%.
//
//===----------------------------------------------------------------------===//

#include "backend/Assembler.h"
#include "backend/ExceptionTableBuilder.h"
#include "backend/LocationTableEncoder.h"
#include "backend/StackDepth.h"
#include "frontend/Disassembler.h"
#include "frontend/ExceptionTable.h"
#include "frontend/LineTable.h"
#include "frontend/MarshalReader.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace bcc;

namespace {

struct Counter {
  size_t same = 0, total = 0;
};

struct Results {
  Counter lineTable, exceptionTable, stackSize, code;
  size_t codeObjects = 0, units = 0, undecodable = 0;
  double encodeSeconds = 0;
  std::vector<std::string> mismatches;
};

bool verbose = false;

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
                      "' -m compileall -q -j0 '" + lib +
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
    else if (a == "--pyc-root" && i + 1 < argc)
      pycRoot = argv[++i];
    else if (a == "--version" && i + 1 < argc)
      only = PythonVersion::parse(argv[++i]);
    else {
      std::fprintf(stderr,
                   "usage: bcc-lower-check [--pyc-root DIR --version 3.X] "
                   "[-v]\n");
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
