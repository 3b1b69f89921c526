//===- tests/unit/IRStdlibTextTest.cpp - Text round trip on real code -----===//
//
// The text form on real data: every top-level module of the standard
// library of each CPython 3.11-3.13 installed under pyenv
// ($PYENV_ROOT or ~/.pyenv, versions/3.X.*/lib/python3.X/__pycache__/
// *.cpython-3X.pyc) is read, each code object becomes a Function with its
// metadata and pools, and a body of one `py` instruction per CPython
// instruction with its real location and offset (no stack modelling: that
// is the lifter's job). The module must print, parse and print again to
// the same text, and the parsed pools must equal the originals. Versions
// that are not installed are skipped.
//
//===----------------------------------------------------------------------===//

#include "frontend/BytecodeDecoder.h"
#include "frontend/LineTable.h"
#include "frontend/MarshalReader.h"
#include "ir/ConstantLiteral.h"
#include "ir/IR.h"
#include "ir/IRParser.h"
#include "ir/IRPrinter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <cstdlib>
#include <gtest/gtest.h>

using namespace bcc;

namespace {

/// The plain (not optimized) .pyc files of one version's Lib/, sorted.
std::vector<std::string> stdlibPycs(PythonVersion version) {
  std::string root;
  if (const char *env = std::getenv("PYENV_ROOT"))
    root = env;
  else if (const char *home = std::getenv("HOME"))
    root = std::string(home) + "/.pyenv";
  else
    return {};
  std::string prefix = version.str() + ".";
  std::string tag = "cpython-" + std::to_string(version.major) +
                    std::to_string(version.minor) + ".pyc";
  std::vector<std::string> out;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(root + "/versions", ec), end;
       it != end && !ec; it.increment(ec)) {
    llvm::StringRef name = llvm::sys::path::filename(it->path());
    if (!name.startswith(prefix))
      continue;
    std::string cache =
        it->path() + "/lib/python" + version.str() + "/__pycache__";
    std::error_code ec2;
    for (llvm::sys::fs::directory_iterator f(cache, ec2), fend;
         f != fend && !ec2; f.increment(ec2))
      if (llvm::StringRef(f->path()).endswith(tag))
        out.push_back(f->path());
    if (!out.empty())
      break;
  }
  std::sort(out.begin(), out.end());
  return out;
}

/// Makes `code` and its nested code objects functions of `m`, in
/// pre-order, each with one py instruction per CPython instruction.
Function *addCode(Module &m, const CodeObject &code, size_t &instructions) {
  Function *f = m.createFunction();
  f->copyMetadataFrom(code, [&](const CodeObject &child) {
    return addCode(m, child, instructions);
  });
  Expected<std::vector<DecodedInstruction>> decoded = decodeInstructions(code);
  Expected<LineTable> lines = LineTable::decode(code);
  EXPECT_TRUE(decoded && lines);
  if (!decoded || !lines)
    return f;
  const OpcodeTable &table = *OpcodeTable::forVersion(code.version);
  IRBuilder b(*f);
  b.setInsertPoint(b.createBlock());
  for (const DecodedInstruction &inst : *decoded) {
    if (inst.isExtendedArg(table))
      continue;
    SourcePosition pos = lines->position(inst.offset / 2);
    b.setOrigin(SourceLocation::fromOptionals(pos.line, pos.endLine, pos.column,
                                              pos.endColumn),
                inst.offset);
    b.createPy(inst.baseOpcode, uint32_t(inst.arg.value_or(0)), {}, 0);
    ++instructions;
  }
  return f;
}

/// Equal, or both print the same (a NaN whose payload the text drops).
bool samePoolConstant(const PoolConstant &a, const PoolConstant &b,
                      PythonVersion version) {
  if (a.isCode() || b.isCode())
    return a.isCode() && b.isCode() &&
           a.codeFunction()->index() == b.codeFunction()->index();
  if (a.constant()->equals(*b.constant()))
    return true;
  std::string text = printConstantLiteral(*a.constant(), version);
  return text.find("nan") != std::string::npos &&
         text == printConstantLiteral(*b.constant(), version);
}

void roundTripStdlib(PythonVersion version) {
  std::vector<std::string> files = stdlibPycs(version);
  if (files.empty())
    GTEST_SKIP() << "no " << version.str() << " standard library found";
  size_t functions = 0, instructions = 0;
  for (const std::string &path : files) {
    auto buffer = llvm::MemoryBuffer::getFile(path);
    ASSERT_TRUE(bool(buffer)) << path;
    Expected<PycFile> pyc = readPyc((*buffer)->getBuffer());
    ASSERT_TRUE(bool(pyc)) << path;
    Module m(version);
    addCode(m, *pyc->code, instructions);
    functions += m.numFunctions();

    std::string text = printModule(m);
    Expected<std::unique_ptr<Module>> parsed = parseModule(text);
    ASSERT_TRUE(bool(parsed)) << path << ": " << parsed.error().message;
    ASSERT_EQ(printModule(**parsed), text) << path;
    ASSERT_EQ((*parsed)->numFunctions(), m.numFunctions());
    for (unsigned i = 0; i < m.numFunctions(); ++i) {
      const Function &a = *m.function(i), &b = *(*parsed)->function(i);
      EXPECT_EQ(a.localsPlus, b.localsPlus) << path;
      ASSERT_EQ(a.consts.size(), b.consts.size()) << path;
      for (size_t c = 0; c < a.consts.size(); ++c)
        EXPECT_TRUE(samePoolConstant(a.consts[c], b.consts[c], version))
            << path << ": function " << i << " constant " << c;
      ASSERT_EQ(a.names.size(), b.names.size());
      for (size_t n = 0; n < a.names.size(); ++n)
        EXPECT_EQ(a.names[n].utf8, b.names[n].utf8) << path;
      EXPECT_EQ(a.qualName.utf8, b.qualName.utf8);
      EXPECT_EQ(a.flags, b.flags);
    }
  }
  std::printf("[          ] %s: %zu files, %zu functions, %zu instructions\n",
              version.str().c_str(), files.size(), functions, instructions);
}

TEST(IRStdlibText, RoundTrips311) { roundTripStdlib({3, 11}); }
TEST(IRStdlibText, RoundTrips312) { roundTripStdlib({3, 12}); }
TEST(IRStdlibText, RoundTrips313) { roundTripStdlib({3, 13}); }

} // namespace
