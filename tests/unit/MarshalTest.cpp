//===- tests/unit/MarshalTest.cpp - Marshal reader and writer ------------===//
//
// Bad input must come back as an Error with an offset and never crash, hang
// or allocate without bound; good input must read into the right model and
// write back in CPython's compact forms. The whole-stdlib round trip against
// the real interpreters is tests/python/test_pyc_roundtrip.py.
//
//===----------------------------------------------------------------------===//

#include "backend/MarshalWriter.h"
#include "frontend/MarshalReader.h"

#include <chrono>
#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

using namespace bcc;

namespace {

const PythonVersion V38(3, 8), V311(3, 11), V313(3, 13), V314(3, 14),
    V315(3, 15);

// Real .pyc files of `def f(a, *, b=1):\n    return a + b\n`, made by
//   pythonX.Y -c "import importlib.util as u, marshal; print((u.MAGIC_NUMBER
//     + bytes(12) + marshal.dumps(compile(open('m.py').read(), 'm.py',
//     'exec'))).hex())"
// with CPython 3.8.18 and 3.11.7.
const char kPyc38[] =
    "\x55\x0d\x0d\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x63\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00"
    "\x00\x40\x00\x00\x00\x73\x12\x00\x00\x00\x64\x00\x64\x01\x9c\x01\x64\x02"
    "\x64\x03\x84\x02\x5a\x00\x64\x04\x53\x00\x29\x05\xe9\x01\x00\x00\x00\x29"
    "\x01\xda\x01\x62\x63\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x02"
    "\x00\x00\x00\x02\x00\x00\x00\x43\x00\x00\x00\x73\x08\x00\x00\x00\x7c\x00"
    "\x7c\x01\x17\x00\x53\x00\x29\x01\x4e\xa9\x00\x29\x02\xda\x01\x61\x72\x01"
    "\x00\x00\x00\x72\x02\x00\x00\x00\x72\x02\x00\x00\x00\xfa\x04\x6d\x2e\x70"
    "\x79\xda\x01\x66\x01\x00\x00\x00\x73\x02\x00\x00\x00\x00\x01\x72\x05\x00"
    "\x00\x00\x4e\x29\x01\x72\x05\x00\x00\x00\x72\x02\x00\x00\x00\x72\x02\x00"
    "\x00\x00\x72\x02\x00\x00\x00\x72\x04\x00\x00\x00\xda\x08\x3c\x6d\x6f\x64"
    "\x75\x6c\x65\x3e\x01\x00\x00\x00\xf3\x00\x00\x00\x00";
const char kPyc311[] =
    "\xa7\x0d\x0d\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x63\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00"
    "\x00\xf3\x12\x00\x00\x00\x97\x00\x64\x00\x64\x01\x9c\x01\x64\x02\x84\x02"
    "\x5a\x00\x64\x03\x53\x00\x29\x04\xe9\x01\x00\x00\x00\x29\x01\xda\x01\x62"
    "\x63\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03"
    "\x00\x00\x00\xf3\x0c\x00\x00\x00\x97\x00\x7c\x00\x7c\x01\x7a\x00\x00\x00"
    "\x53\x00\x29\x01\x4e\xa9\x00\x29\x02\xda\x01\x61\x72\x02\x00\x00\x00\x73"
    "\x02\x00\x00\x00\x20\x20\xfa\x04\x6d\x2e\x70\x79\xda\x01\x66\x72\x07\x00"
    "\x00\x00\x01\x00\x00\x00\x73\x0b\x00\x00\x00\x80\x00\xd8\x0b\x0c\x88\x71"
    "\x89\x35\x80\x4c\xf3\x00\x00\x00\x00\x4e\x29\x01\x72\x07\x00\x00\x00\x72"
    "\x04\x00\x00\x00\x72\x08\x00\x00\x00\x72\x06\x00\x00\x00\xfa\x08\x3c\x6d"
    "\x6f\x64\x75\x6c\x65\x3e\x72\x09\x00\x00\x00\x01\x00\x00\x00\x73\x2b\x00"
    "\x00\x00\xf0\x03\x01\x01\x01\xd8\x0e\x0f\xf0\x00\x01\x01\x11\xf0\x00\x01"
    "\x01\x11\xf0\x00\x01\x01\x11\xf0\x00\x01\x01\x11\xf0\x00\x01\x01\x11\xf0"
    "\x00\x01\x01\x11\xf0\x00\x01\x01\x11\x72\x08\x00\x00\x00";

// The same for
//   class C:
//       def m(self, a, /, *r, k, **kw):
//           "doc"
//           return a[1:2]
// with CPython 3.14.2 and 3.15.0rc1 (pyodide): a docstring and a method in
// co_flags, argument kinds in co_localspluskinds, a slice constant.
const char kPyc314[] =
    "\x2b\x0e\x0d\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x63\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00"
    "\x00\xf3\x1a\x00\x00\x00\x80\x00\x15\x00\x21\x00\x52\x00\x17\x00\x52\x01"
    "\x34\x02\x00\x00\x00\x00\x00\x00\x74\x00\x52\x02\x23\x00\x29\x03\x63\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
    "\x00\xf3\x26\x00\x00\x00\x61\x00\x80\x00\x5d\x00\x74\x01\x52\x00\x74\x02"
    "\x5e\x01\x74\x03\x16\x00\x6f\x00\x52\x01\x17\x00\x74\x04\x52\x02\x74\x05"
    "\x56\x00\x74\x06\x52\x03\x23\x00\x29\x04\xda\x01\x43\x63\x02\x00\x00\x00"
    "\x02\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x0f\x00\x00\x0c\xf3\x14"
    "\x00\x00\x00\x80\x00\x56\x01\x52\x01\x2c\x1a\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x23\x00\x29\x02\xda\x03\x64\x6f\x63\x3a\xe9\x01\x00\x00\x00"
    "\xe9\x02\x00\x00\x00\x4e\xa9\x00\x29\x05\xda\x04\x73\x65\x6c\x66\xda\x01"
    "\x61\xda\x01\x6b\xda\x01\x72\xda\x02\x6b\x77\x73\x05\x00\x00\x00\x22\x22"
    "\x24\x2a\x2c\xda\x04\x6d\x2e\x70\x79\xda\x01\x6d\xda\x03\x43\x2e\x6d\x02"
    "\x00\x00\x00\x73\x0b\x00\x00\x00\x80\x00\xe0\x0f\x10\x90\x13\x8d\x76\x88"
    "\x0d\xf3\x00\x00\x00\x00\x72\x07\x00\x00\x00\x4e\x29\x07\xda\x08\x5f\x5f"
    "\x6e\x61\x6d\x65\x5f\x5f\xda\x0a\x5f\x5f\x6d\x6f\x64\x75\x6c\x65\x5f\x5f"
    "\xda\x0c\x5f\x5f\x71\x75\x61\x6c\x6e\x61\x6d\x65\x5f\x5f\xda\x0f\x5f\x5f"
    "\x66\x69\x72\x73\x74\x6c\x69\x6e\x65\x6e\x6f\x5f\x5f\x72\x0e\x00\x00\x00"
    "\xda\x15\x5f\x5f\x73\x74\x61\x74\x69\x63\x5f\x61\x74\x74\x72\x69\x62\x75"
    "\x74\x65\x73\x5f\x5f\xda\x11\x5f\x5f\x63\x6c\x61\x73\x73\x64\x69\x63\x74"
    "\x63\x65\x6c\x6c\x5f\x5f\x29\x01\xda\x0d\x5f\x5f\x63\x6c\x61\x73\x73\x64"
    "\x69\x63\x74\x5f\x5f\x73\x01\x00\x00\x00\x40\x72\x0d\x00\x00\x00\x72\x02"
    "\x00\x00\x00\x72\x02\x00\x00\x00\x01\x00\x00\x00\x73\x0f\x00\x00\x00\xf8"
    "\x87\x00\x80\x00\xf7\x02\x02\x05\x16\xf0\x00\x02\x05\x16\x72\x10\x00\x00"
    "\x00\x72\x02\x00\x00\x00\x4e\x29\x01\x72\x02\x00\x00\x00\x72\x07\x00\x00"
    "\x00\x72\x10\x00\x00\x00\x72\x0d\x00\x00\x00\xda\x08\x3c\x6d\x6f\x64\x75"
    "\x6c\x65\x3e\x72\x18\x00\x00\x00\x01\x00\x00\x00\x73\x0f\x00\x00\x00\xf0"
    "\x03\x01\x01\x01\xf7\x02\x03\x01\x16\xf3\x00\x03\x01\x16\x72\x10\x00\x00"
    "\x00";
const char kPyc315[] =
    "\x52\x0e\x0d\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x63\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00"
    "\x00\xf3\x1c\x00\x00\x00\x80\x00\x00\x00\x13\x00\x1f\x00\x51\x00\x15\x00"
    "\x51\x01\x32\x02\x00\x00\x00\x00\x00\x00\x73\x00\x50\x07\x21\x00\x29\x02"
    "\x63\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00"
    "\x00\x00\x00\xf3\x28\x00\x00\x00\x60\x00\x80\x00\x00\x00\x5c\x00\x73\x01"
    "\x51\x00\x73\x02\x5d\x01\x73\x03\x14\x00\x6e\x00\x51\x01\x15\x00\x73\x04"
    "\x51\x02\x73\x05\x55\x00\x73\x06\x50\x07\x21\x00\x29\x03\xda\x01\x43\x63"
    "\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x0f\x00"
    "\x00\x0c\xf3\x16\x00\x00\x00\x80\x00\x00\x00\x55\x01\x51\x01\x2a\x1a\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x21\x00\x29\x02\xda\x03\x64\x6f\x63"
    "\x3a\xe9\x01\x00\x00\x00\xe9\x02\x00\x00\x00\x4e\xa9\x00\x29\x05\xda\x04"
    "\x73\x65\x6c\x66\xda\x01\x61\xda\x01\x6b\xda\x01\x72\xda\x02\x6b\x77\x73"
    "\x05\x00\x00\x00\x22\x22\x24\x2a\x2c\xda\x04\x6d\x2e\x70\x79\xda\x01\x6d"
    "\xda\x03\x43\x2e\x6d\x02\x00\x00\x00\x73\x0b\x00\x00\x00\x81\x00\xe0\x0f"
    "\x10\x90\x13\x8d\x76\x88\x0d\xf3\x00\x00\x00\x00\x72\x07\x00\x00\x00\x29"
    "\x07\xda\x08\x5f\x5f\x6e\x61\x6d\x65\x5f\x5f\xda\x0a\x5f\x5f\x6d\x6f\x64"
    "\x75\x6c\x65\x5f\x5f\xda\x0c\x5f\x5f\x71\x75\x61\x6c\x6e\x61\x6d\x65\x5f"
    "\x5f\xda\x0f\x5f\x5f\x66\x69\x72\x73\x74\x6c\x69\x6e\x65\x6e\x6f\x5f\x5f"
    "\x72\x0e\x00\x00\x00\xda\x15\x5f\x5f\x73\x74\x61\x74\x69\x63\x5f\x61\x74"
    "\x74\x72\x69\x62\x75\x74\x65\x73\x5f\x5f\xda\x11\x5f\x5f\x63\x6c\x61\x73"
    "\x73\x64\x69\x63\x74\x63\x65\x6c\x6c\x5f\x5f\x29\x01\xda\x0d\x5f\x5f\x63"
    "\x6c\x61\x73\x73\x64\x69\x63\x74\x5f\x5f\x73\x01\x00\x00\x00\x40\x72\x0d"
    "\x00\x00\x00\x72\x02\x00\x00\x00\x72\x02\x00\x00\x00\x01\x00\x00\x00\x73"
    "\x0f\x00\x00\x00\xf8\x87\x00\x81\x00\xf7\x02\x02\x05\x16\xf0\x00\x02\x05"
    "\x16\x72\x10\x00\x00\x00\x72\x02\x00\x00\x00\x29\x01\x72\x02\x00\x00\x00"
    "\x72\x07\x00\x00\x00\x72\x10\x00\x00\x00\x72\x0d\x00\x00\x00\xda\x08\x3c"
    "\x6d\x6f\x64\x75\x6c\x65\x3e\x72\x18\x00\x00\x00\x01\x00\x00\x00\x73\x0f"
    "\x00\x00\x00\xf1\x03\x01\x01\x01\xf7\x02\x03\x01\x16\xf3\x00\x03\x01\x16"
    "\x72\x10\x00\x00\x00";

llvm::StringRef pyc38() { return {kPyc38, sizeof kPyc38 - 1}; }
llvm::StringRef pyc311() { return {kPyc311, sizeof kPyc311 - 1}; }
llvm::StringRef pyc314() { return {kPyc314, sizeof kPyc314 - 1}; }
llvm::StringRef pyc315() { return {kPyc315, sizeof kPyc315 - 1}; }

std::string le32(int32_t v) {
  uint32_t u = uint32_t(v);
  return {char(u), char(u >> 8), char(u >> 16), char(u >> 24)};
}
std::string bytesObj(const std::string &data) {
  return "s" + le32(int32_t(data.size())) + data;
}
std::string shortAscii(const std::string &text) {
  return "z" + std::string(1, char(text.size())) + text;
}
std::string bin(const char *s, size_t n) { return std::string(s, n); }

/// Reads `data`, expecting success.
ConstantRef read(const std::string &data, PythonVersion v = V311) {
  Expected<ConstantRef> r = readMarshal(data, v);
  EXPECT_TRUE(bool(r)) << (r ? "" : r.error().format("<data>"));
  return r ? *r : Constant::none();
}

/// Reads `data`, expecting an error; returns "offset N: message".
std::string readError(const std::string &data, PythonVersion v = V311) {
  Expected<ConstantRef> r = readMarshal(data, v);
  EXPECT_FALSE(bool(r)) << "unexpectedly read";
  if (r)
    return "";
  EXPECT_TRUE(r.error().offset.has_value());
  return r.error().format("").substr(2); // drop ": "
}

std::string write(const Constant &c, PythonVersion v = V311) {
  Expected<std::string> w = writeMarshal(c, v);
  EXPECT_TRUE(bool(w)) << (w ? "" : w.error().message);
  return w ? *w : "";
}

/// write(read(data)) must read back to an equal value.
void expectRoundTrip(const ConstantRef &value, PythonVersion v = V311) {
  std::string bytes = write(*value, v);
  ConstantRef back = read(bytes, v);
  EXPECT_TRUE(back->equals(*value));
  EXPECT_EQ(write(*back, v), bytes);
}

/// The parts of a 3.11+ code object, as marshal bytes, with valid defaults.
struct Code311 {
  int32_t argCount = 0, posOnly = 0, kwOnly = 0, stackSize = 1, flags = 3;
  std::string code = bytesObj(bin("\x97\x00\x64\x00\x53\x00", 6));
  std::string consts = bin(")\x01N", 3);
  std::string names = bin(")\x00", 2);
  std::string lpNames = bin(")\x00", 2);
  std::string lpKinds = bytesObj("");
  std::string fileName = shortAscii("m.py");
  std::string name = bin("Z\x01"
                         "f",
                         3);
  std::string qualName = bin("Z\x01"
                             "f",
                             3);
  int32_t firstLineNo = 1;
  std::string lineTable = bytesObj("");
  std::string exceptionTable = bytesObj("");

  std::string build() const {
    return "c" + le32(argCount) + le32(posOnly) + le32(kwOnly) +
           le32(stackSize) + le32(flags) + code + consts + names + lpNames +
           lpKinds + fileName + name + qualName + le32(firstLineNo) +
           lineTable + exceptionTable;
  }
};

/// The parts of a 3.8-3.10 code object.
struct Code38 {
  int32_t argCount = 0, posOnly = 0, kwOnly = 0, nlocals = 0, stackSize = 1,
          flags = 0x43;
  std::string code = bytesObj(bin("\x64\x00\x53\x00", 4));
  std::string consts = bin(")\x01N", 3);
  std::string names = bin(")\x00", 2);
  std::string varNames = bin(")\x00", 2);
  std::string freeVars = bin(")\x00", 2);
  std::string cellVars = bin(")\x00", 2);
  std::string fileName = shortAscii("m.py");
  std::string name = bin("Z\x01"
                         "f",
                         3);
  int32_t firstLineNo = 1;
  std::string lnotab = bytesObj("");

  std::string build() const {
    return "c" + le32(argCount) + le32(posOnly) + le32(kwOnly) + le32(nlocals) +
           le32(stackSize) + le32(flags) + code + consts + names + varNames +
           freeVars + cellVars + fileName + name + le32(firstLineNo) + lnotab;
  }
};

//===----------------------------------------------------------------------===//
// Real .pyc files
//===----------------------------------------------------------------------===//

TEST(MarshalPyc, ReadsRealFiles) {
  for (llvm::StringRef data : {pyc38(), pyc311()}) {
    Expected<PycFile> pyc = readPyc(data);
    ASSERT_TRUE(bool(pyc)) << pyc.error().format("sample");
    const CodeObject &module = *pyc->code;
    EXPECT_EQ(module.name.utf8, "<module>");
    EXPECT_EQ(module.fileName.utf8, "m.py");
    EXPECT_EQ(pyc->header.invalidation, PycInvalidation::Timestamp);
    // The nested function f(a, *, b=1).
    const CodeObject *f = nullptr;
    for (const ConstantRef &c : module.consts)
      if (c->is(ConstantKind::Code))
        f = c->asCode().get();
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->name.utf8, "f");
    EXPECT_TRUE(f->name.interned);
    EXPECT_EQ(f->argCount, 1);
    EXPECT_EQ(f->kwOnlyArgCount, 1);
    std::vector<PyString> varNames = f->varNames();
    ASSERT_EQ(varNames.size(), 2u);
    EXPECT_EQ(varNames[0].utf8, "a");
    EXPECT_EQ(varNames[1].utf8, "b");
    EXPECT_EQ(f->nlocals(), 2);
    // The file name is one object shared through a reference.
    EXPECT_EQ(f->fileName.utf8, "m.py");
  }
  Expected<PycFile> pyc = readPyc(pyc311());
  ASSERT_TRUE(bool(pyc));
  EXPECT_EQ(pyc->header.version, V311);
  EXPECT_EQ(pyc->code->qualName.utf8, "<module>");
}

TEST(MarshalPyc, RealFilesRoundTrip) {
  for (llvm::StringRef data : {pyc38(), pyc311(), pyc314(), pyc315()}) {
    Expected<PycFile> first = readPyc(data);
    ASSERT_TRUE(bool(first));
    Expected<std::string> written = writePyc(*first);
    ASSERT_TRUE(bool(written)) << written.error().message;
    EXPECT_EQ(written->substr(0, 16), data.substr(0, 16).str());
    Expected<PycFile> second = readPyc(*written);
    ASSERT_TRUE(bool(second)) << second.error().format("written");
    EXPECT_TRUE(first->code->equals(*second->code));
    Expected<std::string> again = writePyc(*second);
    ASSERT_TRUE(bool(again));
    EXPECT_EQ(*again, *written);
  }
}

TEST(MarshalPyc, EveryTruncationFails) {
  for (llvm::StringRef data : {pyc38(), pyc311(), pyc314(), pyc315()}) {
    for (size_t n = 0; n < data.size(); ++n) {
      Expected<PycFile> pyc = readPyc(data.take_front(n));
      ASSERT_FALSE(bool(pyc)) << "prefix of " << n << " bytes was accepted";
      ASSERT_TRUE(pyc.error().offset.has_value());
      EXPECT_LE(*pyc.error().offset, n);
      if (n >= 16) {
        const std::string &message = pyc.error().message;
        EXPECT_TRUE(message.find("truncated marshal data") == 0 ||
                    message.find(" left") != std::string::npos)
            << message;
      }
    }
  }
}

TEST(MarshalPyc, EveryByteFlipIsHandled) {
  // Not an error necessarily, but never a crash; what reads must write.
  std::string data = pyc311().str();
  for (size_t i = 16; i < data.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::string bad = data;
      bad[i] = char(bad[i] ^ mask);
      Expected<PycFile> pyc = readPyc(bad);
      if (pyc) {
        EXPECT_TRUE(bool(writePyc(*pyc)));
      }
    }
  }
}

TEST(MarshalPyc, HeaderErrors) {
  Expected<PycFile> r = readPyc(pyc311().take_front(10));
  ASSERT_FALSE(bool(r));
  EXPECT_EQ(r.error().format("x"),
            "x: offset 0: truncated .pyc header: needed 16 bytes, 10 present");

  std::string data = pyc311().str();
  data[0] = '\x34';
  data[1] = '\x12';
  r = readPyc(data);
  ASSERT_FALSE(bool(r));
  EXPECT_EQ(r.error().message,
            "unknown magic number 0x1234 (not a CPython 3.8-3.15 .pyc)");

  data = pyc311().str();
  data[4] = 2;
  r = readPyc(data);
  ASSERT_FALSE(bool(r));
  EXPECT_EQ(r.error().format("x"),
            "x: offset 4: bad .pyc flags 0x2 (expected 0, 1 or 3)");

  data = pyc311().substr(0, 16).str() + "N";
  r = readPyc(data);
  ASSERT_FALSE(bool(r));
  EXPECT_EQ(r.error().message, "the .pyc body is None, not a code object");
}

TEST(MarshalPyc, InvalidationModes) {
  std::string data = pyc38().str();
  for (uint8_t flags : {1, 3}) {
    data[4] = char(flags);
    for (int i = 8; i < 16; ++i)
      data[i] = char(0xa0 + i);
    Expected<PycFile> r = readPyc(data);
    ASSERT_TRUE(bool(r));
    EXPECT_EQ(r->header.invalidation, flags == 3
                                          ? PycInvalidation::CheckedHash
                                          : PycInvalidation::UncheckedHash);
    EXPECT_EQ(r->header.sourceHash[0], 0xa8);
    Expected<std::string> w = writePyc(*r);
    ASSERT_TRUE(bool(w));
    EXPECT_EQ(w->substr(0, 16), data.substr(0, 16));
  }
  data[4] = 0;
  const char stamp[] = "\x01\x02\x03\x04\x05\x06\x07\x08";
  data.replace(8, 8, stamp, 8);
  Expected<PycFile> r = readPyc(data);
  ASSERT_TRUE(bool(r));
  EXPECT_EQ(r->header.sourceMtime, 0x04030201u);
  EXPECT_EQ(r->header.sourceSize, 0x08070605u);
}

TEST(MarshalPyc, BodyErrorOffsetsCountTheHeader) {
  std::string data = pyc311().substr(0, 16).str() + "?";
  Expected<PycFile> r = readPyc(data);
  ASSERT_FALSE(bool(r));
  EXPECT_EQ(r.error().format("x"), "x: offset 16: bad marshal type code 0x3f");
}

//===----------------------------------------------------------------------===//
// Bad marshal data
//===----------------------------------------------------------------------===//

TEST(MarshalBad, TypeCodes) {
  EXPECT_EQ(readError("?"), "offset 0: bad marshal type code 0x3f");
  EXPECT_EQ(readError(bin(")\x02N\x01", 4)),
            "offset 3: bad marshal type code 0x1");
  // Slices exist from marshal version 5 (3.14) only.
  EXPECT_EQ(readError(":NNN", V313),
            "offset 0: bad marshal type code 0x3a (slices need marshal "
            "version 5, Python 3.14+)");
  EXPECT_TRUE(read(":NNN", V314)->is(ConstantKind::Slice));
  EXPECT_EQ(readError(""),
            "offset 0: truncated marshal data: needed 1 byte for a type code, "
            "0 left");
  EXPECT_EQ(readError("0"),
            "offset 0: NULL object in marshal data for the top-level object");
  EXPECT_EQ(readError(bin(")\x01"
                          "0",
                          3)),
            "offset 2: NULL object in marshal data for a tuple");
}

TEST(MarshalBad, Truncation) {
  EXPECT_EQ(readError(bin("(\x01\x00", 3)),
            "offset 1: truncated marshal data: needed 4 bytes for the tuple "
            "size, 2 left");
  EXPECT_EQ(readError("i\x01"),
            "offset 1: truncated marshal data: needed 4 bytes for an int, 1 "
            "left");
  EXPECT_EQ(readError("g1234567"),
            "offset 1: truncated marshal data: needed 8 bytes for a float, 7 "
            "left");
}

TEST(MarshalBad, References) {
  EXPECT_EQ(readError("r" + le32(7)),
            "offset 0: reference 7 is out of range (0 objects so far)");
  EXPECT_EQ(readError(bin(")\x02", 2) + "\xe9" + le32(1) + "r" + le32(5)),
            "offset 7: reference 5 is out of range (1 objects so far)");
  EXPECT_EQ(readError("r" + le32(-1)),
            "offset 0: reference -1 is out of range (0 objects so far)");
  // A flagged tuple that contains a reference to itself.
  EXPECT_EQ(readError(bin("\xa9\x01", 2) + "r" + le32(0)),
            "offset 2: reference 0 is to an object still being read");
  // A frozenset (reserved slot) referring to itself.
  EXPECT_EQ(readError("\xbe" + le32(1) + "r" + le32(0)),
            "offset 5: reference 0 is to an object still being read");
}

TEST(MarshalBad, AbsurdLengthsFailFast) {
  const auto start = std::chrono::steady_clock::now();
  std::string tenLeft(10, 'N');
  EXPECT_EQ(readError("(" + le32(0x7fffffff) + tenLeft),
            "offset 1: tuple size 2147483647 exceeds the 10 bytes left");
  EXPECT_EQ(readError("[" + le32(0x7fffffff) + tenLeft),
            "offset 1: list size 2147483647 exceeds the 10 bytes left");
  EXPECT_EQ(readError(">" + le32(0x7fffffff) + tenLeft),
            "offset 1: frozenset size 2147483647 exceeds the 10 bytes left");
  EXPECT_EQ(readError("u" + le32(2147483000) + std::string(120, 'x')),
            "offset 1: string length 2147483000 exceeds the 120 bytes left");
  EXPECT_EQ(readError("s" + le32(2147483000) + std::string(120, 'x')),
            "offset 1: bytes length 2147483000 exceeds the 120 bytes left");
  EXPECT_EQ(readError("l" + le32(-1000000) + tenLeft),
            "offset 1: int digit count 1000000 (2 bytes each) exceeds the 10 "
            "bytes left");
  EXPECT_EQ(readError(bin(")\x05NN", 4)),
            "offset 1: tuple size 5 exceeds the 2 bytes left");
  EXPECT_EQ(readError(bin("z\x05"
                          "abc",
                          5)),
            "offset 1: string length 5 exceeds the 3 bytes left");
  EXPECT_EQ(readError("(" + le32(-3)), "offset 1: negative tuple size -3");
  EXPECT_EQ(readError("u" + le32(-1)), "offset 1: negative string length -1");
  EXPECT_EQ(readError("l" + le32(INT32_MIN)),
            "offset 0: int digit count -2147483648 is out of range");
  EXPECT_LT(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count(),
      1.0);
}

TEST(MarshalBad, DeepNesting) {
  std::string ok, tooDeep;
  for (int i = 0; i < 1999; ++i)
    ok += bin(")\x01", 2);
  tooDeep = ok + bin(")\x01", 2);
  EXPECT_TRUE(bool(readMarshal(ok + "N", V311)));
  EXPECT_EQ(readError(tooDeep + "N"),
            "offset 4000: nesting deeper than 2000 levels");
  std::string lists;
  for (int i = 0; i < 100000; ++i)
    lists += "[" + le32(1);
  EXPECT_EQ(readError(lists + "N"),
            "offset 10000: nesting deeper than 2000 levels");
}

TEST(MarshalBad, DeepestNestingOfEveryKindRoundTrips) {
  // 2000 levels of each container, the most CPython reads. Found by the
  // fuzzer: slices this deep overflowed an 8 MB stack under AddressSanitizer
  // until the recursive frames were made small; BCC_SANITIZE builds of this
  // test guard that.
  const int levels = 1999;
  auto repeat = [](const std::string &unit, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
      out += unit;
    return out;
  };
  struct Case {
    const char *name;
    std::string data;
    PythonVersion version;
  };
  const Case cases[] = {
      {"tuple", repeat(bin(")\x01", 2), levels) + "N", V311},
      {"flagged tuple", repeat(bin("\xa9\x01", 2), levels) + "N", V311},
      {"list", repeat("[" + le32(1), levels) + "N", V311},
      {"set of tuples",
       "<" + le32(1) + repeat(bin(")\x01", 2), levels - 1) + "N", V311},
      {"dict values", repeat("{N", levels) + "N" + repeat("0", levels), V311},
      {"slice", repeat(":NN", levels) + "N", V314},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.name);
    ConstantRef value = read(c.data, c.version);
    expectRoundTrip(value, c.version);
    std::string deeper = c.data.substr(0, c.data.size() / levels) + c.data;
    if (std::string(c.name) != "dict values" &&
        std::string(c.name) != "set of tuples") {
      EXPECT_NE(readError(deeper, c.version).find("nesting deeper than 2000"),
                std::string::npos);
    }
  }
}

TEST(MarshalBad, ExponentialReferencesAreCapped) {
  // t0 = (None, None), t(k) = (t(k-1), t(k-1)): 7 bytes per level, 2^k
  // nodes once expanded. Pre-order slots: the outermost tuple is slot 0.
  std::string dag = bin("\xa9\x02", 2) + "NN";
  for (int k = 1; k < 60; ++k)
    dag = bin("\xa9\x02", 2) + dag + "r" + le32(60 - k);
  const auto start = std::chrono::steady_clock::now();
  Expected<ConstantRef> r = readMarshal(dag, V311);
  ASSERT_FALSE(bool(r));
  EXPECT_NE(r.error().message.find("expands to more than"), std::string::npos)
      << r.error().message;
  EXPECT_LT(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count(),
      1.0);
  // A modest amount of sharing is fine, and the writer keeps it shared.
  std::string small = bin("\xa9\x02", 2) + "NN";
  for (int k = 1; k < 10; ++k)
    small = bin("\xa9\x02", 2) + small + "r" + le32(10 - k);
  ConstantRef shared = read(small);
  std::string out = write(*shared);
  EXPECT_LT(out.size(), 100u);
  EXPECT_TRUE(read(out)->equals(*shared));
}

TEST(MarshalBad, Ints) {
  EXPECT_EQ(readError("l" + le32(1) + bin("\x00\x80", 2)),
            "offset 5: int digit 0x8000 is out of range (above 0x7fff)");
  EXPECT_EQ(readError("l" + le32(2) + bin("\x01\x00\x00\x00", 4)),
            "offset 0: int has a leading zero digit (unnormalized)");
}

TEST(MarshalBad, Strings) {
  EXPECT_EQ(readError("u" + le32(2) + "\xc3\x28"),
            "offset 0: invalid UTF-8 in a string: byte 0xc3 at offset 5");
  EXPECT_EQ(readError("u" + le32(2) + "\xc0\x80"),
            "offset 0: invalid UTF-8 in a string: byte 0xc0 at offset 5");
  EXPECT_EQ(readError("t" + le32(4) + "\xf4\x90\x80\x80"),
            "offset 0: invalid UTF-8 in a string: byte 0xf4 at offset 5");
  EXPECT_EQ(readError("u" + le32(3) + "a\xe2\x82"),
            "offset 0: invalid UTF-8 in a string: byte 0xe2 at offset 6");
}

TEST(MarshalBad, Unhashable) {
  EXPECT_EQ(readError("<" + le32(1) + "[" + le32(0)),
            "offset 5: unhashable list in a set");
  EXPECT_EQ(readError(">" + le32(1) + bin(")\x01", 2) + "{0"),
            "offset 5: unhashable dict in a frozenset");
  EXPECT_EQ(readError("{" + bin(")\x01", 2) + "<" + le32(0) + "N0"),
            "offset 1: unhashable set as a dict key");
}

TEST(MarshalBad, CodeObjectFields) {
  Code311 c;
  EXPECT_TRUE(bool(readMarshal(c.build(), V311)));

  c = Code311();
  c.names = bin(")\x02", 2) + shortAscii("ok") + "i" + le32(3);
  EXPECT_EQ(readError(c.build()),
            "offset 41: co_names item 1 is int, expected a str");
  c = Code311();
  c.names = "[" + le32(0);
  EXPECT_EQ(readError(c.build()),
            "offset 35: code object field co_names is list, expected a tuple");
  c = Code311();
  c.fileName = bytesObj("m.py");
  EXPECT_NE(readError(c.build()).find("co_filename is bytes, expected a str"),
            std::string::npos);
  c = Code311();
  c.code = shortAscii("xx");
  EXPECT_NE(readError(c.build()).find("co_code is str, expected bytes"),
            std::string::npos);
  c = Code311();
  c.argCount = -1;
  EXPECT_EQ(readError(c.build()),
            "offset 0: code object has a negative co_argcount (-1)");
  c = Code311();
  c.flags = -5;
  EXPECT_EQ(readError(c.build()),
            "offset 0: code object has a negative co_flags (-5)");
  c = Code311();
  c.posOnly = 1;
  EXPECT_EQ(readError(c.build()),
            "offset 0: co_posonlyargcount 1 exceeds co_argcount 0");
  c = Code311();
  c.argCount = 1;
  EXPECT_EQ(readError(c.build()),
            "offset 0: co_varnames has 0 names, too few for 1 arguments");
  c = Code311();
  c.lpNames = bin(")\x01", 2) + shortAscii("x");
  EXPECT_NE(readError(c.build()).find(
                "co_localspluskinds has 0 bytes for 1 co_localsplusnames"),
            std::string::npos);
  c = Code311();
  c.code = bytesObj("\x97");
  EXPECT_EQ(readError(c.build()), "offset 0: co_code has an odd length (1)");

  Code38 o;
  EXPECT_TRUE(bool(readMarshal(o.build(), V38)));
  o.nlocals = -1;
  EXPECT_EQ(readError(o.build(), V38),
            "offset 0: code object has a negative co_nlocals (-1)");
  o = Code38();
  o.flags |= CO_VARARGS;
  EXPECT_EQ(readError(o.build(), V38),
            "offset 0: co_varnames has 0 names, too few for 1 arguments");
  o = Code38();
  o.code = bytesObj("\x64"); // an odd length is accepted before 3.11
  EXPECT_TRUE(bool(readMarshal(o.build(), V38)));
  o = Code38();
  o.cellVars = bin(")\x01", 2) + "N";
  EXPECT_NE(readError(o.build(), V38)
                .find("co_cellvars item 0 is None, expected a str"),
            std::string::npos);
  // A code object read in the other layout fails somewhere, cleanly.
  EXPECT_FALSE(bool(readMarshal(Code311().build(), V38)));
  EXPECT_FALSE(bool(readMarshal(Code38().build(), V311)));
}

//===----------------------------------------------------------------------===//
// Good marshal data
//===----------------------------------------------------------------------===//

TEST(MarshalGood, Singletons) {
  EXPECT_TRUE(read("N")->is(ConstantKind::None));
  EXPECT_TRUE(read("T")->is(ConstantKind::True));
  EXPECT_TRUE(read("F")->is(ConstantKind::False));
  EXPECT_TRUE(read(".")->is(ConstantKind::Ellipsis));
  EXPECT_TRUE(read("S")->is(ConstantKind::StopIteration));
  // FLAG_REF on a singleton takes no slot.
  ConstantRef t = read(bin(")\x03\xce", 3) + "\xe9" + le32(5) + "r" + le32(0));
  ASSERT_EQ(t->elements().size(), 3u);
  EXPECT_EQ(t->elements()[2]->asInt().small, 5);
  // Trailing bytes are ignored, as marshal.loads does.
  EXPECT_TRUE(read("Ngarbage")->is(ConstantKind::None));
}

TEST(MarshalGood, Ints) {
  EXPECT_EQ(read("i" + le32(-7))->asInt().small, -7);
  EXPECT_EQ(write(*Constant::integer(1)), "i" + le32(1));
  EXPECT_EQ(write(*Constant::integer(-2147483648LL)), "i" + le32(INT32_MIN));
  // 2**31 no longer fits 'i': three 15-bit digits 0, 0, 2.
  EXPECT_EQ(write(*Constant::integer(2147483648LL)),
            "l" + le32(3) + bin("\x00\x00\x00\x00\x02\x00", 6));
  EXPECT_EQ(write(*Constant::integer(-2147483649LL)),
            "l" + le32(-3) + bin("\x01\x00\x00\x00\x02\x00", 6));
  // 2**100 = digit 1 at position 6 (6 * 15 = 90) times 2**10.
  ConstantRef big =
      read("l" + le32(7) + std::string(12, '\0') + bin("\x00\x04", 2));
  EXPECT_FALSE(big->asInt().isSmall);
  EXPECT_EQ(big->asInt().toDecimal(), "1267650600228229401496703205376");
  expectRoundTrip(big);
  ConstantRef negBig = read("l" + le32(-5) + bin("\x01\x00", 2) +
                            std::string(6, '\0') + bin("\x00\x40", 2));
  EXPECT_TRUE(negBig->asInt().isNegative());
  expectRoundTrip(negBig);
  EXPECT_EQ(read("l" + le32(0))->asInt().small, 0);
  // A small value in the long form normalizes to int64 and writes as 'i'.
  ConstantRef small = read("l" + le32(-1) + bin("\x05\x00", 2));
  EXPECT_EQ(small->asInt().small, -5);
  EXPECT_EQ(write(*small), "i" + le32(-5));
  // Legacy 'I' (int64).
  EXPECT_EQ(
      read("I" + bin("\x01\x00\x00\x00\x00\x00\x00\x80", 8))->asInt().small,
      INT64_MIN + 1);
  // A hand-built digit form of a small value is written as 'i'.
  PyInt unnormalized;
  unnormalized.isSmall = false;
  unnormalized.negative = true;
  unnormalized.digits = {7, 0, 0};
  EXPECT_EQ(write(*Constant::integer(unnormalized)), "i" + le32(-7));
  expectRoundTrip(Constant::integer(INT64_MIN));
  expectRoundTrip(Constant::integer(INT64_MAX));
}

TEST(MarshalGood, FloatsAndComplex) {
  auto bitsOf = [](double d) {
    uint64_t b;
    std::memcpy(&b, &d, 8);
    return b;
  };
  ConstantRef negZero = read("g" + bin("\0\0\0\0\0\0\0\x80", 8));
  EXPECT_EQ(bitsOf(negZero->asFloat()), bitsOf(-0.0));
  EXPECT_FALSE(negZero->equals(*Constant::floating(0.0)));
  EXPECT_EQ(write(*negZero), "g" + bin("\0\0\0\0\0\0\0\x80", 8));
  expectRoundTrip(Constant::floating(1.5));
  expectRoundTrip(Constant::floating(std::nan("")));
  expectRoundTrip(Constant::floating(HUGE_VAL));
  expectRoundTrip(Constant::floating(5e-324));
  ConstantRef c =
      read("y" + bin("\0\0\0\0\0\0\xf0\x3f", 8) + bin("\0\0\0\0\0\0\0\xc0", 8));
  EXPECT_EQ(c->asComplex().real, 1.0);
  EXPECT_EQ(c->asComplex().imag, -2.0);
  expectRoundTrip(c);
  // The textual forms of marshal version 0/1.
  EXPECT_EQ(read(bin("f\x04"
                     "-2.5",
                     6))
                ->asFloat(),
            -2.5);
  EXPECT_TRUE(std::isinf(read(bin("f\x04"
                                  "-inf",
                                  6))
                             ->asFloat()));
  EXPECT_TRUE(std::isnan(read(bin("f\x03"
                                  "nan",
                                  5))
                             ->asFloat()));
  EXPECT_EQ(read(bin("f\x05"
                     "1e999",
                     7))
                ->asFloat(),
            HUGE_VAL);
  EXPECT_EQ(readError(bin("f\x03"
                          " 1e",
                          5)),
            "offset 1: cannot parse ' 1e' as a float");
  ConstantRef x = read(bin("x\x03"
                           "1.5\x02"
                           "-2",
                           8));
  EXPECT_EQ(x->asComplex().real, 1.5);
  EXPECT_EQ(x->asComplex().imag, -2.0);
  EXPECT_EQ(write(*x)[0], 'y');
}

TEST(MarshalGood, Strings) {
  ConstantRef s = read(shortAscii("hi"));
  EXPECT_EQ(s->asString().utf8, "hi");
  EXPECT_FALSE(s->asString().interned);
  EXPECT_TRUE(read(bin("Z\x02hi", 4))->asString().interned);
  EXPECT_TRUE(read("A" + le32(2) + "hi")->asString().interned);
  EXPECT_TRUE(read("t" + le32(2) + "hi")->asString().interned);
  EXPECT_FALSE(read("a" + le32(2) + "hi")->asString().interned);
  // ASCII kinds are Latin-1 for CPython.
  EXPECT_EQ(read(bin("z\x02\xe9x", 4))->asString().utf8, "\xc3\xa9x");
  // Lone surrogates pass, as with "surrogatepass".
  EXPECT_EQ(read("u" + le32(3) + "\xed\xa0\x80")->asString().utf8,
            "\xed\xa0\x80");
  // Writer forms.
  EXPECT_EQ(write(*Constant::string("hi")), shortAscii("hi"));
  EXPECT_EQ(write(*Constant::string("hi", true)), bin("Z\x02hi", 4));
  EXPECT_EQ(write(*Constant::string("\xc3\xa9")), "u" + le32(2) + "\xc3\xa9");
  EXPECT_EQ(write(*Constant::string("\xc3\xa9", true)),
            "t" + le32(2) + "\xc3\xa9");
  std::string longText(300, 'x');
  // Strings of 4+ bytes carry FLAG_REF so that repeats can refer back.
  EXPECT_EQ(write(*Constant::string(longText)), "\xe1" + le32(300) + longText);
  EXPECT_EQ(write(*Constant::string(longText, true)),
            "\xc1" + le32(300) + longText);
  expectRoundTrip(Constant::string("\xf0\x9f\x98\x80 \xed\xb0\x80"));
  EXPECT_EQ(write(*Constant::bytes(std::string("\0\xff", 2))),
            "s" + le32(2) + std::string("\0\xff", 2));
}

TEST(MarshalGood, Containers) {
  ConstantRef nested =
      read(bin(")\x02", 2) + "i" + le32(1) + bin(")\x02", 2) + ">" + le32(2) +
           shortAscii("a") + shortAscii("b") + bin(")\x01N", 3));
  ASSERT_EQ(nested->elements().size(), 2u);
  const Constant &inner = *nested->elements()[1];
  ASSERT_TRUE(inner.is(ConstantKind::Tuple));
  ASSERT_TRUE(inner.elements()[0]->is(ConstantKind::FrozenSet));
  EXPECT_EQ(inner.elements()[0]->elements()[1]->asString().utf8, "b");
  expectRoundTrip(nested);
  // Frozenset elements keep their order.
  EXPECT_EQ(write(*inner.elements()[0]),
            ">" + le32(2) + shortAscii("a") + shortAscii("b"));

  ConstantRef d = read("{" + shortAscii("k") + "i" + le32(1) + "N" + "T" + "0");
  ASSERT_EQ(d->dictItems().size(), 2u);
  expectRoundTrip(d);
  // CPython stops a dict at a NULL value, dropping that key.
  ConstantRef cut = read("{" + shortAscii("k") + "i" + le32(1) + "N" + "0");
  EXPECT_EQ(cut->dictItems().size(), 1u);

  EXPECT_EQ(read("[" + le32(1) + "N")->elements().size(), 1u);
  EXPECT_EQ(read("<" + le32(0))->elements().size(), 0u);
  expectRoundTrip(read("[" + le32(2) + "N" + "T"));
  expectRoundTrip(read("<" + le32(1) + "T"));

  Constant::Elements many(300, Constant::none());
  std::string big = write(*Constant::tuple(many));
  EXPECT_EQ(big.substr(0, 5), "(" + le32(300));
  EXPECT_EQ(read(big)->elements().size(), 300u);
  EXPECT_EQ(write(*Constant::tuple({})), bin(")\x00", 2));
}

TEST(MarshalGood, References) {
  // [flagged "hello", r 0]: the reference gives the same node.
  ConstantRef t =
      read(bin(")\x02", 2) + bin("\xda\x05hello", 7) + "r" + le32(0));
  ASSERT_EQ(t->elements().size(), 2u);
  EXPECT_EQ(t->elements()[0], t->elements()[1]);
  EXPECT_TRUE(t->elements()[0]->asString().interned);
  // Pre-order: the outer flagged tuple is slot 0, the inner string slot 1.
  ConstantRef pre =
      read(bin("\xa9\x02", 2) + bin("\xfa\x05hello", 7) + "r" + le32(1));
  EXPECT_EQ(pre->elements()[1]->asString().utf8, "hello");
  // A code object reserves its slot before its fields.
  Code311 c;
  c.fileName = bin("\xfa\x04m.py", 6);
  c.name = "r" + le32(1);
  c.qualName = "r" + le32(1);
  std::string data = c.build();
  data[0] = char(0xe3);
  ConstantRef code = read(data);
  EXPECT_EQ(code->asCode()->name.utf8, "m.py");

  // The writer refers back to repeated strings of 4+ bytes and to shared
  // nodes, and writes short strings inline.
  ConstantRef hello = Constant::string("hello");
  ConstantRef pair = Constant::tuple({Constant::integer(70000), hello});
  ConstantRef outer =
      Constant::tuple({pair, pair, Constant::string("hello"),
                       Constant::string("ab"), Constant::string("ab")});
  std::string out = write(*outer);
  EXPECT_EQ(out, bin(")\x05", 2) + bin("\xa9\x02", 2) + "i" + le32(70000) +
                     bin("\xfa\x05hello", 7) + "r" + le32(0) + "r" + le32(1) +
                     shortAscii("ab") + shortAscii("ab"));
}

TEST(MarshalGood, ReferenceOutputIsExact) {
  ConstantRef hello = Constant::string("hello");
  ConstantRef shared = Constant::tuple({Constant::integer(7), hello});
  ConstantRef outer = Constant::tuple({shared, shared, hello});
  // shared tuple -> slot 0 (flagged ')'), "hello" -> slot 1 (flagged 'z').
  EXPECT_EQ(write(*outer), bin(")\x03", 2) + bin("\xa9\x02", 2) + "i" +
                               le32(7) + bin("\xfa\x05hello", 7) + "r" +
                               le32(0) + "r" + le32(1));
}

TEST(MarshalGood, EqualCodeFieldsAreShared) {
  // CPython's compiler merges equal co_consts, co_names, co_linetable and
  // co_exceptiontable across the code objects of a module, and marshal
  // writes the second as a reference (test_compile checks `is`). Two equal
  // code objects read from separate bytes are separate nodes; the writer
  // shares their merged fields, and not their unequal ones.
  Code311 a;
  a.consts = bin(")\x02N", 3) + bytesObj("xy");
  a.names = bin(")\x01Z\x01x", 5);
  a.lineTable = bytesObj(bin("\x80\x00", 2));
  a.exceptionTable = bytesObj(bin("\x82\x04", 2));
  Code311 b = a;
  b.lineTable = bytesObj(bin("\x80\x01", 2));
  ConstantRef codes = read(bin(")\x03", 2) + a.build() + a.build() + b.build());
  ASSERT_NE(codes->elements()[0]->asCode(), codes->elements()[1]->asCode());

  // The bytes constant is reached once per code object: its node is not
  // shared, so neither is the consts tuple; the file name is a string.
  Code311 first = a;
  first.names = bin("\xa9\x01Z\x01x", 5);                       // slot 0
  first.fileName = bin("\xfa\x04m.py", 6);                      // slot 1
  first.lineTable = "\xf3" + le32(2) + bin("\x80\x00", 2);      // slot 2
  first.exceptionTable = "\xf3" + le32(2) + bin("\x82\x04", 2); // slot 3
  Code311 second = a;
  second.names = "r" + le32(0);
  second.fileName = "r" + le32(1);
  second.lineTable = "r" + le32(2);
  second.exceptionTable = "r" + le32(3);
  Code311 third = b;
  third.names = "r" + le32(0);
  third.fileName = "r" + le32(1);
  third.exceptionTable = "r" + le32(3);
  EXPECT_EQ(write(*codes),
            bin(")\x03", 2) + first.build() + second.build() + third.build());
  expectRoundTrip(codes);

  // Constants that are the same nodes make equal co_consts.
  ConstantRef xy = Constant::bytes("xy");
  auto withConsts = [&](const ConstantRef &code) {
    auto copy = std::make_shared<CodeObject>(*code->asCode());
    copy->consts = {Constant::none(), xy};
    return Constant::code(copy);
  };
  ConstantRef pair = Constant::tuple(
      {withConsts(codes->elements()[0]), withConsts(codes->elements()[1])});
  std::string out = write(*pair);
  EXPECT_NE(out.find(bin("\xa9\x02N", 3)), std::string::npos);
  EXPECT_NE(out.find("r" + le32(0)), std::string::npos);
  expectRoundTrip(pair);
}

TEST(MarshalGood, CodeObjects) {
  // The writer reproduces CPython's compact layout byte for byte.
  for (const std::string &bytes : {Code311().build()}) {
    ConstantRef code = read(bytes, V311);
    const CodeObject &co = *code->asCode();
    EXPECT_EQ(co.stackSize, 1);
    EXPECT_EQ(co.flags, 3u);
    EXPECT_EQ(co.qualName.utf8, "f");
    EXPECT_EQ(write(*code, V311).substr(0, 40), bytes.substr(0, 40));
    expectRoundTrip(code, V311);
  }
  ConstantRef old = read(Code38().build(), V38);
  EXPECT_EQ(old->asCode()->flags, 0x43u);
  expectRoundTrip(old, V38);

  // Localsplus: names, kinds and the derived views.
  Code311 c;
  c.argCount = 1;
  c.lpNames = bin(")\x03", 2) + bin("Z\x01p", 3) + bin("Z\x01g", 3) +
              bin("Z\x01"
                  "c",
                  3);
  c.lpKinds = bytesObj(bin("\x60\x20\x40", 3));
  ConstantRef code = read(c.build());
  const CodeObject &co = *code->asCode();
  ASSERT_EQ(co.localsPlus.size(), 3u);
  EXPECT_EQ(co.localsPlus[0].kind, 0x60);
  EXPECT_EQ(co.nlocals(), 2);
  EXPECT_EQ(co.cellVars().size(), 2u);
  EXPECT_EQ(co.freeVars().size(), 0u);
  expectRoundTrip(code);

  // Writing a code object in another version's layout is refused.
  Expected<std::string> wrong = writeMarshal(*code, V38);
  ASSERT_FALSE(bool(wrong));
  EXPECT_EQ(wrong.error().message,
            "a code object of Python 3.11 cannot be written as Python 3.8 "
            "marshal data");
}

TEST(MarshalGood, WriterRefusals) {
  Expected<std::string> slice =
      writeMarshal(*Constant::slice(Constant::none(), Constant::integer(1),
                                    Constant::none()),
                   V313);
  ASSERT_FALSE(bool(slice));
  EXPECT_NE(slice.error().message.find("slices cannot be marshalled"),
            std::string::npos);
  ConstantRef s =
      Constant::slice(Constant::none(), Constant::integer(1), Constant::none());
  EXPECT_EQ(write(*s, V314), ":Ni" + le32(1) + "N");
  expectRoundTrip(s, V314);

  ConstantRef deep = Constant::none();
  for (int i = 0; i < 2000; ++i)
    deep = Constant::tuple({deep});
  Expected<std::string> tooDeep = writeMarshal(*deep, V311);
  ASSERT_FALSE(bool(tooDeep));
  EXPECT_NE(tooDeep.error().message.find("deeper than 2000"),
            std::string::npos);

  PycFile file;
  file.header.version = V38;
  file.code = read(Code311().build())->asCode();
  Expected<std::string> mismatch = writePyc(file);
  ASSERT_FALSE(bool(mismatch));
  EXPECT_EQ(mismatch.error().message,
            "the .pyc header says Python 3.8 but its code object is for "
            "Python 3.11");
}

//===----------------------------------------------------------------------===//
// CPython 3.14 (marshal version 5) and 3.15 (marshal version 6)
//===----------------------------------------------------------------------===//

TEST(Marshal314, ReadsRealFiles) {
  struct Sample {
    llvm::StringRef data;
    PythonVersion version;
    uint16_t magic;
  };
  for (const Sample &sample :
       {Sample{pyc314(), V314, 3627}, Sample{pyc315(), V315, 3666}}) {
    SCOPED_TRACE(sample.version.str());
    EXPECT_EQ(PythonVersion::fromMagic(sample.magic), sample.version);
    Expected<PycFile> pyc = readPyc(sample.data);
    ASSERT_TRUE(bool(pyc)) << pyc.error().format("sample");
    EXPECT_EQ(pyc->header.version, sample.version);
    // The code objects have 3.11's fields in 3.11's order.
    const CodeObject &module = *pyc->code;
    ASSERT_TRUE(module.consts[0]->is(ConstantKind::Code));
    const CodeObject &klass = *module.consts[0]->asCode();
    ASSERT_TRUE(klass.consts[1]->is(ConstantKind::Code));
    const CodeObject &m = *klass.consts[1]->asCode();
    EXPECT_EQ(m.qualName.utf8, "C.m");
    EXPECT_EQ(m.flags, uint32_t(CO_OPTIMIZED | CO_NEWLOCALS | CO_VARARGS |
                                CO_VARKEYWORDS | CO_HAS_DOCSTRING | CO_METHOD));
    EXPECT_EQ(m.argCount, 2);
    EXPECT_EQ(m.posOnlyArgCount, 2);
    EXPECT_EQ(m.kwOnlyArgCount, 1);
    // co_consts: the docstring first (CO_HAS_DOCSTRING), then a[1:2]'s
    // slice.
    ASSERT_EQ(m.consts.size(), 2u);
    EXPECT_EQ(m.consts[0]->asString().utf8, "doc");
    ASSERT_TRUE(m.consts[1]->is(ConstantKind::Slice));
    EXPECT_EQ(m.consts[1]->asSlice().start->asInt().small, 1);
    EXPECT_TRUE(m.consts[1]->asSlice().step->is(ConstantKind::None));
    // The kinds mark the arguments: self, a, k, *r, **kw.
    const uint8_t kinds[] = {
        CO_FAST_LOCAL | CO_FAST_ARG_POS, CO_FAST_LOCAL | CO_FAST_ARG_POS,
        CO_FAST_LOCAL | CO_FAST_ARG_KW,
        CO_FAST_LOCAL | CO_FAST_ARG_VAR | CO_FAST_ARG_POS,
        CO_FAST_LOCAL | CO_FAST_ARG_VAR | CO_FAST_ARG_KW};
    ASSERT_EQ(m.localsPlus.size(), 5u);
    for (size_t i = 0; i < 5; ++i)
      EXPECT_EQ(m.localsPlus[i].kind, kinds[i]) << i;
    EXPECT_EQ(m.nlocals(), 5);
    EXPECT_EQ(m.varNames()[3].utf8, "r");
  }
}

TEST(Marshal314, TypeCodesByVersion) {
  // ':' from marshal version 5 (3.14), '}' from version 6 (3.15).
  EXPECT_TRUE(read(":NNN", V315)->is(ConstantKind::Slice));
  EXPECT_EQ(readError("}0", V314),
            "offset 0: bad marshal type code 0x7d (frozendicts need marshal "
            "version 6, Python 3.15+)");
  EXPECT_EQ(readError(bin("\xfd"
                          "0",
                          2),
                      V313),
            "offset 0: bad marshal type code 0xfd (frozendicts need marshal "
            "version 6, Python 3.15+)");
  EXPECT_EQ(readError(":NN0", V314),
            "offset 3: NULL object in marshal data for a slice");
}

TEST(Marshal314, FrozenDicts) {
  // Items in file order, NULL-terminated like a dict.
  ConstantRef d = read("}" + shortAscii("b") + "i" + le32(1) +
                           shortAscii("a") + "[" + le32(0) + "0",
                       V315);
  ASSERT_TRUE(d->is(ConstantKind::FrozenDict));
  ASSERT_EQ(d->dictItems().size(), 2u);
  EXPECT_EQ(d->dictItems()[0].first->asString().utf8, "b");
  EXPECT_TRUE(d->dictItems()[1].second->is(ConstantKind::List));
  EXPECT_FALSE(d->equals(*Constant::dict(d->dictItems())));
  expectRoundTrip(d, V315);
  EXPECT_EQ(write(*Constant::frozenDict({}), V315), "}0");
  // A NULL value ends it, as for a dict.
  EXPECT_TRUE(read("}" + shortAscii("k") + "0", V315)->dictItems().empty());

  // A flagged frozendict takes its slot before its items (pre-order, as
  // CPython's writer numbers them), and a reference gives the same node.
  ConstantRef refs = read("[" + le32(3) + "\xfd" + "\xe9" + le32(1) +
                              shortAscii("v") + "0" + "r" + le32(0) + "r" +
                              le32(1),
                          V315);
  const Constant::Elements &e = refs->elements();
  EXPECT_EQ(e[0], e[1]);
  EXPECT_EQ(e[2]->asInt().small, 1);

  // Keys must hash; as a set element or key, so must its values.
  EXPECT_EQ(readError("}" + std::string("[") + le32(0) + "N0", V315),
            "offset 1: unhashable list as a frozendict key");
  EXPECT_EQ(readError("<" + le32(1) + "}" + shortAscii("a") + "[" + le32(0) +
                          "0",
                      V315),
            "offset 5: unhashable list in a set");
  EXPECT_TRUE(bool(readMarshal("<" + le32(1) + "}" + shortAscii("a") + "i" +
                                   le32(1) + "0",
                               V315)));
  // Every truncation fails with an offset inside the data.
  const std::string whole = write(*refs, V315);
  for (size_t n = 0; n < whole.size(); ++n) {
    Expected<ConstantRef> r = readMarshal(whole.substr(0, n), V315);
    ASSERT_FALSE(bool(r)) << n;
    EXPECT_LE(*r.error().offset, n);
  }
}

TEST(Marshal314, FrozenDictsAreNeverReferenced) {
  // 3.15.0rc1 cannot load a reference to a frozendict (CPython gh-155315):
  // a shared one is written in full each time; what is inside it may still
  // be shared.
  ConstantRef big = Constant::integer(70000);
  ConstantRef fd = Constant::frozenDict({{Constant::string("k"), big}});
  std::string out = write(*Constant::tuple({fd, fd, big}), V315);
  EXPECT_EQ(out, bin(")\x03", 2) + "}" + shortAscii("k") + "\xe9" +
                     le32(70000) + "0" + "}" + shortAscii("k") + "r" +
                     le32(0) + "0" + "r" + le32(0));
  ConstantRef back = read(out, V315);
  EXPECT_TRUE(back->elements()[0]->equals(*fd));

  Expected<std::string> early = writeMarshal(*fd, V314);
  ASSERT_FALSE(bool(early));
  EXPECT_EQ(early.error().message,
            "frozendicts cannot be marshalled for Python 3.14 (marshal "
            "version 6, Python 3.15+, is needed)");
}

//===----------------------------------------------------------------------===//
// Source hash
//===----------------------------------------------------------------------===//

std::string hexOf(const std::array<uint8_t, 8> &hash) {
  std::string out;
  char buf[3];
  for (uint8_t b : hash) {
    std::snprintf(buf, sizeof buf, "%02x", b);
    out += buf;
  }
  return out;
}

TEST(SourceHash, MatchesImportlib) {
  // From pythonX.Y -c "import importlib.util as u; print(u.source_hash(
  //   DATA).hex())" with CPython 3.8.18, 3.11.7 and 3.13.0.
  struct Vector {
    const char *data;
    const char *v38, *v311, *v313;
  };
  const Vector vectors[] = {
      {"", "81e4881b3643e8e9", "738d9cd5d5e87f73", "27ec6d312f93b814"},
      {"a", "9a482bdd2aa28b77", "fa30db0730dcbf07", "4edf51a8923be584"},
      {"print('hello')\n", "78d4994d5eca2354", "de8f2668cdc2c7b5",
       "07a048f7d2d8e9d3"},
      {"12345678", "8f7469e1ec48a4ff", "34289d744291b0e4", "e0c23e34a5a68379"},
      {"123456789", "6603ffecd34dc8d4", "e137ee97cf87c192", "f02b2c4ac9b18987"},
  };
  for (const Vector &v : vectors) {
    EXPECT_EQ(hexOf(sourceHash(v.data, V38)), v.v38) << v.data;
    EXPECT_EQ(hexOf(sourceHash(v.data, V311)), v.v311) << v.data;
    EXPECT_EQ(hexOf(sourceHash(v.data, V313)), v.v313) << v.data;
  }
}

TEST(SourceHash, MatchesImportlib314And315) {
  // The same, with CPython 3.14.2 and 3.15.0rc1 (pyodide): SipHash-1-3
  // keyed with their magic numbers.
  struct Vector {
    const char *data;
    const char *v314, *v315;
  };
  const Vector vectors[] = {
      {"", "61f5b7cb653a6aa4", "4a3c34e72b7ffc07"},
      {"a", "9713ded0c3324373", "a865605a2a71ae15"},
      {"print('hello')\n", "7dbc044b7a27745f", "7b77e7c2d8dbce7a"},
      {"12345678", "0dd57bd520c66b99", "18e165041c1a67b0"},
      {"123456789", "a311706d4a673ee2", "9a7901a13aba0e67"},
  };
  for (const Vector &v : vectors) {
    EXPECT_EQ(hexOf(sourceHash(v.data, V314)), v.v314) << v.data;
    EXPECT_EQ(hexOf(sourceHash(v.data, V315)), v.v315) << v.data;
  }
}

} // namespace
