//===- tests/tools/pyc_roundtrip.cpp - Read and write back .pyc files -----===//
//
// The acceptance tool for bcc's marshal reader and writer. For every .pyc
// given (files, or directories searched recursively for *.pyc) it
//   1. reads the file into the model (frontend/MarshalReader),
//   2. writes it back (backend/MarshalWriter), twice, and checks that both
//      writes give the same bytes,
//   3. reads the written bytes again and checks that the model is equal and
//      that writing it once more gives the same bytes (a fixed point),
//   4. with --out DIR, stores the written file under DIR at the same path
//      relative to the directory argument it was found in (or to --base for
//      file arguments, else under its file name).
// tests/python/test_pyc_roundtrip.py then has each CPython load the
// originals and the copies and compare the code objects field by field.
//
// Failures are printed as "FILE: offset N: message" on stderr; a summary
// line goes to stdout. Exit status: 0 all good, 1 some file failed, 2 usage.
//
//   bcc-pyc-roundtrip [--out DIR] [--base DIR] PATH...
//   bcc-pyc-roundtrip --source-hash 3.12 FILE...   (prints hex hashes)
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "backend/MarshalWriter.h"
#include "frontend/MarshalReader.h"

namespace fs = std::filesystem;
using namespace bcc;

namespace {

struct Options {
  std::string outDir;
  std::string baseDir;
  std::string hashVersion; // --source-hash mode
  std::vector<std::string> paths;
};

struct Input {
  fs::path file;
  fs::path relative; // where it goes under --out
};

struct Totals {
  size_t files = 0, failed = 0;
  size_t codeObjects = 0, codeUnits = 0;
  uint64_t bytesIn = 0, bytesOut = 0;
  double readSeconds = 0, writeSeconds = 0;
};

bool readFile(const fs::path &path, std::string &data) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  data = buf.str();
  return !in.bad();
}

bool writeFile(const fs::path &path, const std::string &data) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), std::streamsize(data.size()));
  return bool(out);
}

void countCode(const Constant &c, Totals &totals);

void countCode(const CodeObject &co, Totals &totals) {
  ++totals.codeObjects;
  totals.codeUnits += co.codeUnits();
  for (const ConstantRef &c : co.consts)
    countCode(*c, totals);
}

void countCode(const Constant &c, Totals &totals) {
  switch (c.kind()) {
  case ConstantKind::Code:
    countCode(*c.asCode(), totals);
    break;
  case ConstantKind::Tuple:
  case ConstantKind::List:
  case ConstantKind::Set:
  case ConstantKind::FrozenSet:
    for (const ConstantRef &e : c.elements())
      countCode(*e, totals);
    break;
  default:
    break;
  }
}

bool sameHeader(const PycHeader &a, const PycHeader &b) {
  return a.version == b.version && a.invalidation == b.invalidation &&
         a.sourceMtime == b.sourceMtime && a.sourceSize == b.sourceSize &&
         a.sourceHash == b.sourceHash;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

/// Round-trips one file; returns the error text, or "" on success.
std::string roundTrip(const Input &input, const Options &options,
                      Totals &totals) {
  const std::string name = input.file.string();
  std::string data;
  if (!readFile(input.file, data))
    return name + ": cannot read the file";
  totals.bytesIn += data.size();

  auto start = std::chrono::steady_clock::now();
  Expected<PycFile> first = readPyc(data);
  totals.readSeconds += secondsSince(start);
  if (!first)
    return first.error().format(name);

  start = std::chrono::steady_clock::now();
  Expected<std::string> written = writePyc(*first);
  totals.writeSeconds += secondsSince(start);
  if (!written)
    return "write: " + written.error().format(name);
  totals.bytesOut += written->size();
  countCode(*first->code, totals);

  Expected<std::string> again = writePyc(*first);
  if (!again || *again != *written)
    return name + ": writing the same model twice gave different bytes";

  Expected<PycFile> second = readPyc(*written);
  if (!second)
    return "re-read: " + second.error().format(name);
  if (!sameHeader(first->header, second->header))
    return name + ": the header changed in the round trip";
  if (!first->code->equals(*second->code))
    return name + ": the code object read back differs from the original";
  Expected<std::string> third = writePyc(*second);
  if (!third || *third != *written)
    return name + ": writing the re-read model gave different bytes";

  if (!options.outDir.empty() &&
      !writeFile(fs::path(options.outDir) / input.relative, *written))
    return name + ": cannot write " +
           (fs::path(options.outDir) / input.relative).string();
  return "";
}

bool collectInputs(const Options &options, std::vector<Input> &inputs) {
  for (const std::string &arg : options.paths) {
    std::error_code ec;
    fs::path path(arg);
    if (fs::is_directory(path, ec)) {
      std::vector<Input> found;
      for (auto it = fs::recursive_directory_iterator(path, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec) && it->path().extension() == ".pyc")
          found.push_back({it->path(), fs::relative(it->path(), path)});
      if (ec) {
        std::fprintf(stderr, "%s: %s\n", arg.c_str(), ec.message().c_str());
        return false;
      }
      std::sort(found.begin(), found.end(),
                [](const Input &a, const Input &b) { return a.file < b.file; });
      inputs.insert(inputs.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      fs::path relative = options.baseDir.empty()
                              ? path.filename()
                              : fs::relative(path, options.baseDir);
      inputs.push_back({path, relative});
    } else {
      std::fprintf(stderr, "%s: no such file or directory\n", arg.c_str());
      return false;
    }
  }
  return true;
}

/// "3.X" for any version whose .pyc bcc reads and writes, opcode tables or
/// not (PythonVersion::parse accepts only the versions with tables).
std::optional<PythonVersion> parsePycVersion(llvm::StringRef text) {
  unsigned minor = 0;
  if (!text.consume_front("3.") || text.getAsInteger(10, minor) || minor > 99)
    return std::nullopt;
  PythonVersion version(3, uint8_t(minor));
  if (!version.isSupported())
    return std::nullopt;
  return version;
}

int sourceHashMode(const Options &options) {
  std::optional<PythonVersion> version = parsePycVersion(options.hashVersion);
  if (!version) {
    std::fprintf(stderr, "--source-hash: unsupported version '%s'\n",
                 options.hashVersion.c_str());
    return 2;
  }
  for (const std::string &path : options.paths) {
    std::string data;
    if (!readFile(path, data)) {
      std::fprintf(stderr, "%s: cannot read the file\n", path.c_str());
      return 1;
    }
    std::array<uint8_t, 8> hash = sourceHash(data, *version);
    for (uint8_t b : hash)
      std::printf("%02x", b);
    std::printf("  %s\n", path.c_str());
  }
  return 0;
}

int usage() {
  std::fprintf(stderr,
               "usage: bcc-pyc-roundtrip [--out DIR] [--base DIR] PATH...\n"
               "       bcc-pyc-roundtrip --source-hash X.Y FILE...\n");
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string &dst) {
      if (i + 1 >= argc)
        return false;
      dst = argv[++i];
      return true;
    };
    if (arg == "--out") {
      if (!value(options.outDir))
        return usage();
    } else if (arg == "--base") {
      if (!value(options.baseDir))
        return usage();
    } else if (arg == "--source-hash") {
      if (!value(options.hashVersion))
        return usage();
    } else if (arg == "--help" || arg == "-h" ||
               (arg.size() > 1 && arg[0] == '-')) {
      return usage();
    } else {
      options.paths.push_back(arg);
    }
  }
  if (options.paths.empty())
    return usage();
  if (!options.hashVersion.empty())
    return sourceHashMode(options);

  std::vector<Input> inputs;
  if (!collectInputs(options, inputs))
    return 2;

  Totals totals;
  const auto start = std::chrono::steady_clock::now();
  for (const Input &input : inputs) {
    ++totals.files;
    std::string problem = roundTrip(input, options, totals);
    if (!problem.empty()) {
      ++totals.failed;
      std::fprintf(stderr, "%s\n", problem.c_str());
    }
  }
  const double seconds = secondsSince(start);
  const double mb = 1024.0 * 1024.0;
  std::printf("bcc-pyc-roundtrip: %zu files, %zu failed, %zu code objects, "
              "%zu code units, %.1f MB in, %.1f MB out, %.2f s total, "
              "read %.3f s (%.1f M code units/s), write %.3f s\n",
              totals.files, totals.failed, totals.codeObjects, totals.codeUnits,
              double(totals.bytesIn) / mb, double(totals.bytesOut) / mb,
              seconds, totals.readSeconds,
              totals.readSeconds > 0
                  ? double(totals.codeUnits) / totals.readSeconds / 1e6
                  : 0.0,
              totals.writeSeconds);
  return totals.failed ? 1 : 0;
}
