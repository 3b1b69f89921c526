//===- tests/unit/LifterTest.cpp - Bytecode to SSA IR ---------------------===//
//
// The lifter on small real code: each snippet is compiled at test time by
// CPython 3.11, 3.12 and 3.13 (found as tests/python/pythons.py finds them:
// $BCC_PYTHON_3_X, else $PYENV_ROOT or ~/.pyenv versions/3.X.*/bin/python3.X,
// else python3.X on PATH; a version not found is skipped), lifted, verified
// and printed; CHECK patterns (regular expressions, matched in order, each
// on one line) say what matters. Negative tests lift hand-assembled 3.12
// code and check the error message.
//
// The whole standard library, tests included, is covered by the
// bcc-lift-check tool (tests/tools/lift_stdlib.cpp).
//
//===----------------------------------------------------------------------===//

#include "frontend/Lifter.h"
#include "frontend/MarshalReader.h"
#include "ir/IR.h"
#include "ir/IRParser.h"
#include "ir/IRPrinter.h"
#include "ir/Opcodes.h"
#include "ir/Verifier.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <regex>
#include <sstream>

using namespace bcc;

namespace {

bool runs(const std::string &python, const std::string &version) {
  std::string cmd = "'" + python +
                    "' -c 'import sys; print(\"%d.%d\" % sys.version_info[:2])'"
                    " 2>/dev/null";
  FILE *pipe = popen(cmd.c_str(), "r");
  if (!pipe)
    return false;
  char buf[32] = {0};
  bool ok = std::fgets(buf, sizeof buf, pipe) != nullptr;
  pclose(pipe);
  return ok && std::string(buf).rfind(version + "\n", 0) == 0;
}

/// The interpreter of `version`, or "" (see the file comment).
std::string findPython(PythonVersion version) {
  std::string v = version.str();
  std::string env = "BCC_PYTHON_" + std::to_string(version.major) + "_" +
                    std::to_string(version.minor);
  if (const char *set = std::getenv(env.c_str()))
    return *set && runs(set, v) ? set : "";
  std::string root;
  if (const char *r = std::getenv("PYENV_ROOT"))
    root = r;
  else if (const char *home = std::getenv("HOME"))
    root = std::string(home) + "/.pyenv";
  std::vector<std::string> candidates;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(root + "/versions", ec), end;
       !root.empty() && it != end && !ec; it.increment(ec))
    if (llvm::sys::path::filename(it->path()).startswith(v + "."))
      candidates.push_back(it->path() + "/bin/python" + v);
  std::sort(candidates.rbegin(), candidates.rend());
  candidates.push_back("python" + v);
  for (const std::string &c : candidates)
    if (runs(c, v))
      return c;
  return "";
}

/// Compiles `source` with `python` and returns the module's code object.
std::shared_ptr<const CodeObject> compile(const std::string &python,
                                          PythonVersion version,
                                          const std::string &source) {
  llvm::SmallString<128> src, out;
  if (llvm::sys::fs::createTemporaryFile("lifter", "py", src) ||
      llvm::sys::fs::createTemporaryFile("lifter", "marshal", out))
    return nullptr;
  std::ofstream(std::string(src)) << source;
  std::string cmd = "'" + python +
                    "' -c 'import marshal,sys; src=open(sys.argv[1]).read(); "
                    "open(sys.argv[2],\"wb\").write(marshal.dumps(compile(src,"
                    "\"t.py\",\"exec\")))' '" +
                    std::string(src) + "' '" + std::string(out) + "'";
  int rc = std::system(cmd.c_str());
  std::ifstream in(std::string(out), std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  llvm::sys::fs::remove(src);
  llvm::sys::fs::remove(out);
  if (rc != 0)
    return nullptr;
  Expected<ConstantRef> code = readMarshal(bytes.str(), version);
  if (!code || !(*code)->is(ConstantKind::Code))
    return nullptr;
  return (*code)->asCode();
}

/// Each pattern must match a line, in order (FileCheck's CHECK).
void expectChecks(const std::string &text,
                  const std::vector<std::string> &patterns) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);)
    lines.push_back(line);
  size_t next = 0;
  for (const std::string &pattern : patterns) {
    std::regex re(pattern);
    size_t i = next;
    while (i < lines.size() && !std::regex_search(lines[i], re))
      ++i;
    if (i == lines.size()) {
      ADD_FAILURE() << "CHECK not found after line " << next + 1 << ": "
                    << pattern << "\n"
                    << text;
      return;
    }
    next = i + 1;
  }
}

/// Lifts `source` as compiled by each installed 3.11-3.13, verifies, and
/// checks the printed IR with `checksFor(version)`.
void liftAndCheck(const std::string &source,
                  std::vector<std::string> (*checksFor)(PythonVersion)) {
  int tested = 0;
  for (uint8_t minor : {11, 12, 13}) {
    PythonVersion version(3, minor);
    std::string python = findPython(version);
    if (python.empty())
      continue;
    std::shared_ptr<const CodeObject> code = compile(python, version, source);
    ASSERT_TRUE(code) << version.str() << ": could not compile";
    Expected<std::unique_ptr<Module>> module = liftModule(*code);
    ASSERT_TRUE(bool(module))
        << version.str() << ": " << module.error().message;
    Status ok = verify(**module);
    std::string text = printModule(**module);
    ASSERT_TRUE(bool(ok)) << version.str() << ": " << ok.error().message << "\n"
                          << text;
    // The text form holds everything: it parses and prints back the same.
    Expected<std::unique_ptr<Module>> parsed = parseModule(text);
    ASSERT_TRUE(bool(parsed))
        << version.str() << ": " << parsed.error().message;
    EXPECT_EQ(printModule(**parsed), text) << version.str();
    SCOPED_TRACE("CPython " + version.str());
    expectChecks(text, checksFor(version));
    ++tested;
  }
  if (!tested)
    GTEST_SKIP() << "no CPython 3.11-3.13 found";
}

// Block parameters at a loop header, FOR_ITER peeking at the iterator and
// passing its result to the body, and the back edge.
TEST(Lifter, LoopHeaderParams) {
  liftAndCheck(
      "def f(xs):\n"
      "    t = 0\n"
      "    for x in xs:\n"
      "        t += x\n"
      "    return t\n",
      [](PythonVersion v) -> std::vector<std::string> {
        std::string load = v.minor == 11 ? "load_fast_check" : "load_fast";
        return {
            R"(^function @1 'f')", R"(^  %(\d+) = py GET_ITER %\d+ )",
            R"(^  br \^bb(\d+)\(%\d+\)$)",
            // the loop header: one stack slot, the iterator
            R"(^bb\d+\(%\d+\):$)",
            // 3.11 pops the iterator on exit; 3.12+ pass it and a placeholder
            R"(py FOR_ITER \d+ peek %\d+, \^bb\d+(\(%\d+, %\d+\))?, \^bb\d+\(%\d+, %\d+\))",
            R"(store_fast x %\d+)", "= " + load + " t ",
            R"(py BINARY_OP 13 %\d+, %\d+)",
            R"(^  br \^bb\d+\(%\d+\) .*#\d+$)", // JUMP_BACKWARD
        };
      });
}

// A try/except: the protected block's handler edge with depth 0, the
// handler's parameters, and the cleanup handler with lasti.
TEST(Lifter, HandlerEdges) {
  liftAndCheck(
      "def f(g):\n"
      "    try:\n"
      "        g()\n"
      "    except ValueError:\n"
      "        return 1\n"
      "    return 2\n",
      [](PythonVersion) -> std::vector<std::string> {
        return {
            R"(^function @1 'f')",
            R"(^bb\d+ handler \^bb\d+ depth 0:$)",
            R"(= call %\d+, %\d+ )",
            // the handler: the exception only, itself protected by
            // the cleanup that pushes lasti
            R"(^bb\d+\(%\d+\) handler \^bb\d+\(%\d+\) depth 1 lasti:$)",
            R"(py PUSH_EXC_INFO %\d+)",
            R"(py CHECK_EXC_MATCH peek %\d+, %\d+)",
            R"(^bb\d+\(%\d+, %\d+, %\d+\):$)", // depth 1 + lasti + exc
            R"(py COPY 3|py POP_EXCEPT)",
        };
      });
}

// Keyword arguments: KW_NAMES (3.11, 3.12) or the constant tuple (3.13)
// becomes the call's kwnames operand; POP_TOP is drop.
TEST(Lifter, CallWithKwNamesAndDrop) {
  liftAndCheck(
      "def f(g, a):\n"
      "    g(a, key=1)\n",
      [](PythonVersion v) -> std::vector<std::string> {
        std::string load = v.minor == 11 ? "load_fast_check" : "load_fast";
        return {
            R"(^function @1 'f')",
            R"(= )" + load + " g ",
            R"(= const 1 )",
            R"(^  %(\d+) = const \('key',\))",
            R"(^  %(\d+) = call %\d+, %\d+, %\d+, %\d+, kwnames %\d+ )",
            R"(^  drop %\d+ )",
        };
      });
}

// LIST_APPEND peeks at the list below the loop's iterator (3.12+ inline the
// comprehension; 3.11 has a child function).
TEST(Lifter, ListAppendPeeksAtTheList) {
  liftAndCheck("def f(xs):\n"
               "    return [x for x in xs]\n",
               [](PythonVersion) -> std::vector<std::string> {
                 return {
                     R"(py BUILD_LIST 0)",
                     R"(py FOR_ITER)",
                     R"(py LIST_APPEND 2 peek %\d+, %\d+ )",
                 };
               });
}

// 3.13 superinstructions become two operations sharing one offset; 3.12+
// RETURN_CONST becomes const + return.
TEST(Lifter, FusedInstructionsShareTheOffset) {
  liftAndCheck("def f(a, b):\n"
               "    a, b = b, a\n"
               "    return None\n",
               [](PythonVersion v) -> std::vector<std::string> {
                 if (v.minor < 12)
                   return {R"(^function @1 'f')", R"(^  return %\d+ )"};
                 std::vector<std::string> checks = {R"(^function @1 'f')"};
                 if (v.minor == 13) {
                   // LOAD_FAST_LOAD_FAST, STORE_FAST_STORE_FAST
                   checks.push_back(R"(= load_fast b .*#2$)");
                   checks.push_back(R"(= load_fast a .*#2$)");
                   checks.push_back(R"(store_fast b %\d+ .*#4$)");
                   checks.push_back(R"(store_fast a %\d+ .*#4$)");
                 }
                 // RETURN_CONST
                 const char *offset = v.minor == 13 ? "#6$" : "#\\d+$";
                 checks.push_back(std::string(R"(^  %\d+ = const None .*)") +
                                  offset);
                 checks.push_back(std::string(R"(^  return %\d+ .*)") + offset);
                 return checks;
               });
}

//===----------------------------------------------------------------------===//
// Bad bytecode, assembled by hand for 3.12.
//===----------------------------------------------------------------------===//

struct Assembled {
  std::string opname;
  uint32_t arg = 0;
  int32_t jumpTo = -1; ///< index of the instruction a jump goes to
};

/// A 3.12 code object 'bad' running `program` (caches inserted, jump
/// arguments computed from `jumpTo`, or taken from `arg` if -1).
CodeObject assemble(const std::vector<Assembled> &program) {
  PythonVersion version(3, 12);
  const OpcodeTable &table = *OpcodeTable::forVersion(version);
  std::vector<uint32_t> offsets;
  uint32_t offset = 0;
  for (const Assembled &a : program) {
    offsets.push_back(offset);
    const OpcodeInfo *info = table.info(*table.lookup(a.opname));
    offset += 2 + 2 * info->cacheEntries;
  }
  CodeObject code;
  code.version = version;
  code.name.utf8 = code.qualName.utf8 = "bad";
  code.fileName.utf8 = "bad.py";
  code.stackSize = 8;
  code.consts.push_back(Constant::none());
  for (size_t i = 0; i < program.size(); ++i) {
    uint8_t op = *table.lookup(program[i].opname);
    uint32_t arg = program[i].arg;
    if (program[i].jumpTo >= 0)
      arg = *table.jumpArgument(op, offsets[i],
                                offsets[size_t(program[i].jumpTo)]);
    code.code += char(op);
    code.code += char(arg);
    for (unsigned c = 0; c < table.info(op)->cacheEntries; ++c)
      code.code += std::string(2, '\0');
  }
  return code;
}

std::string liftError(const CodeObject &code) {
  Expected<std::unique_ptr<Module>> module = liftModule(code);
  if (module)
    return "(lifted)";
  return module.error().message;
}

TEST(LifterErrors, Underflow) {
  EXPECT_EQ(liftError(assemble({{"RESUME"}, {"POP_TOP"}, {"RETURN_CONST"}})),
            "code object 'bad', offset 2: stack underflow: POP_TOP needs 1 "
            "values, the stack has 0");
  EXPECT_EQ(
      liftError(assemble(
          {{"RESUME"}, {"LOAD_CONST"}, {"LIST_APPEND", 2}, {"RETURN_CONST"}})),
      "code object 'bad', offset 4: stack underflow: LIST_APPEND needs "
      "3 values, the stack has 1");
}

TEST(LifterErrors, DepthMismatchAtAJoin) {
  EXPECT_EQ(liftError(assemble({{"RESUME"},
                                {"LOAD_CONST"},
                                {"LOAD_CONST"},
                                {"POP_JUMP_IF_TRUE", 0, 5},
                                {"LOAD_CONST"},
                                {"RETURN_VALUE"}})),
            "code object 'bad', offset 8: stack depth mismatch at offset 10: "
            "2 values arrive from offset 8, but 1 from elsewhere");
}

TEST(LifterErrors, JumpOutOfRange) {
  EXPECT_EQ(liftError(assemble({{"RESUME"}, {"JUMP_FORWARD", 40}})),
            "code object 'bad', offset 2: JUMP_FORWARD jumps to offset 84, "
            "which is not an instruction of the code");
}

// The frame has co_stacksize slots: bytecode that needs more is refused,
// and so is a handler that unwinds to a depth beyond them.
TEST(LifterErrors, StackBeyondCoStacksize) {
  CodeObject code = assemble({{"RESUME"},
                              {"LOAD_CONST"},
                              {"LOAD_CONST"},
                              {"POP_TOP"},
                              {"RETURN_VALUE"}});
  code.stackSize = 1;
  EXPECT_EQ(liftError(code), "code object 'bad', offset 4: the stack would "
                             "grow past co_stacksize 1");
  code.stackSize = 2;
  EXPECT_EQ(liftError(code), "(lifted)");
  code.stackSize = -1;
  EXPECT_EQ(liftError(code), "code object 'bad': co_stacksize -1 is out of "
                             "range (0-1048576)");
}

TEST(LifterErrors, RunsOffTheEnd) {
  EXPECT_EQ(liftError(assemble({{"RESUME"}, {"LOAD_CONST"}})),
            "code object 'bad', offset 2: execution runs past the end of the "
            "code");
}

TEST(LifterErrors, UnknownOpcode) {
  const OpcodeTable &table = *OpcodeTable::forVersion(PythonVersion(3, 12));
  CodeObject code = assemble({{"RESUME"}, {"NOP"}, {"RETURN_CONST"}});
  unsigned hole = 0;
  while (hole < 256 &&
         (table.info(uint8_t(hole)) || table.deoptimize(uint8_t(hole))))
    ++hole;
  ASSERT_LT(hole, 256u);
  code.code[2] = char(hole);
  std::string message = liftError(code);
  EXPECT_EQ(message.rfind("code object 'bad'", 0), 0u) << message;
  EXPECT_NE(message.find(std::to_string(hole)), std::string::npos) << message;
}

TEST(LifterErrors, OtherVersions) {
  CodeObject code = assemble({{"RESUME"}, {"RETURN_CONST"}});
  code.version = PythonVersion(3, 10);
  EXPECT_EQ(liftError(code), "bcc lifts CPython 3.11 to 3.14 bytecode, not "
                             "3.10 (code object 'bad')");
}

} // namespace
