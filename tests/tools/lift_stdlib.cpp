//===- tests/tools/lift_stdlib.cpp - Lift and verify a tree of .pyc -------===//
//
// The acceptance tool for the lifter. Every .pyc given (files, or
// directories searched recursively for *.pyc) is read, lifted
// (frontend/Lifter) and verified (ir/Verifier). It prints the number of
// files, code objects and code units, how many code objects lifted and
// verified, the errors grouped by reason (the message with names and
// numbers taken out) with one example each, and the lifting speed in code
// units per CPU second (reading and verifying not counted).
//
// With --text, each lifted module is also printed, parsed and printed
// again, and the two texts must be equal. With --text-lower (which implies
// --text), the parsed module and the lifted one are also both lowered and
// the two results compared code object by code object (frontend/CodeDiff):
// whatever differs is something the backend uses that the text does not
// carry. Those differences are counted by kind and fail the run; a module
// that does not lower is only counted (that is `bcc opt`'s to report).
//
//   bcc-lift-check [--verbose] [--text] [--text-lower] PATH...
//
// Exit status: 0 all lifted and verified, 1 some did not, 2 usage.
//
//===----------------------------------------------------------------------===//

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "backend/Lowering.h"
#include "frontend/CodeDiff.h"
#include "frontend/Lifter.h"
#include "frontend/MarshalReader.h"
#include "ir/IRParser.h"
#include "ir/IRPrinter.h"
#include "ir/Verifier.h"

namespace fs = std::filesystem;
using namespace bcc;

namespace {

/// The message with quoted names and numbers replaced, so that errors of
/// one kind group together.
std::string reasonOf(const std::string &message) {
  std::string out;
  for (size_t i = 0; i < message.size(); ++i) {
    char c = message[i];
    if (c == '\'' || c == '`') {
      size_t close = message.find(c, i + 1);
      if (close != std::string::npos) {
        out += c == '`' ? "`...`" : "'...'";
        i = close;
        continue;
      }
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      while (i + 1 < message.size() &&
             std::isdigit(static_cast<unsigned char>(message[i + 1])))
        ++i;
      out += 'N';
      continue;
    }
    out += c;
  }
  return out;
}

size_t countCode(const CodeObject &code, size_t &units) {
  size_t n = 1;
  units += code.codeUnits();
  for (const ConstantRef &c : code.consts)
    if (c->is(ConstantKind::Code))
      n += countCode(*c->asCode(), units);
  return n;
}

/// CPU time of this process: the speed should not depend on what else the
/// machine runs.
double cpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

struct Reason {
  size_t count = 0;
  std::string example;
};

} // namespace

int main(int argc, char **argv) {
  bool verbose = false, text = false, textLower = false;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--verbose") {
      verbose = true;
      continue;
    }
    if (arg == "--text") {
      text = true;
      continue;
    }
    if (arg == "--text-lower") {
      text = textLower = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      std::printf("usage: bcc-lift-check [--verbose] [--text] [--text-lower] "
                  "PATH...\n");
      return 0;
    }
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      for (fs::recursive_directory_iterator it(arg, ec), end; it != end && !ec;
           it.increment(ec))
        if (it->is_regular_file() && it->path().extension() == ".pyc")
          files.push_back(it->path());
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "bcc-lift-check: no .pyc given\n");
    return 2;
  }
  std::sort(files.begin(), files.end());

  size_t unreadable = 0, codeObjects = 0, codeUnits = 0, liftedObjects = 0,
         failedObjects = 0, liftedUnits = 0;
  double liftSeconds = 0;
  std::map<std::string, Reason> reasons, lowerDifferences;
  size_t loweredPairs = 0, loweredSame = 0, lowerFailures = 0;
  auto note = [&](const std::string &file, const std::string &message) {
    Reason &r = reasons[reasonOf(message)];
    if (r.count++ == 0)
      r.example = file + ": " + message;
    if (verbose)
      std::fprintf(stderr, "%s: %s\n", file.c_str(), message.c_str());
  };
  for (const fs::path &file : files) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string bytes = buffer.str();
    Expected<PycFile> pyc = readPyc(bytes);
    if (!pyc) {
      ++unreadable;
      note(file.string(), "unreadable: " + pyc.error().message);
      continue;
    }
    size_t units = 0;
    size_t objects = countCode(*pyc->code, units);
    codeObjects += objects;
    codeUnits += units;
    double start = cpuSeconds();
    Expected<std::unique_ptr<Module>> module = liftModule(*pyc->code);
    liftSeconds += cpuSeconds() - start;
    if (!module) {
      failedObjects += objects;
      note(file.string(), module.error().message);
      continue;
    }
    liftedUnits += units;
    bool ok = true;
    for (const auto &function : (*module)->functions())
      if (Status s = verify(*function); !s) {
        ++failedObjects;
        ok = false;
        note(file.string(), "verify: " + s.error().message);
      } else {
        ++liftedObjects;
      }
    if (ok && text) {
      std::string printed = printModule(**module);
      Expected<std::unique_ptr<Module>> parsed = parseModule(printed);
      bool same = parsed && printModule(**parsed) == printed;
      if (!parsed)
        note(file.string(), "text: " + parsed.error().message);
      else if (!same)
        note(file.string(), "text: printing the parsed module differs");
      if (!same) {
        liftedObjects -= (*module)->numFunctions();
        failedObjects += (*module)->numFunctions();
      }
      if (same && textLower) {
        Expected<std::shared_ptr<CodeObject>> direct = lowerModule(**module);
        Expected<std::shared_ptr<CodeObject>> viaText = lowerModule(**parsed);
        if (!direct || !viaText) {
          ++lowerFailures;
        } else {
          forEachCodePair(**direct, **viaText,
                          [&](const CodeObject &a, const CodeObject &b) {
                            ++loweredPairs;
                            CodeDifference d = compareCode(a, b);
                            if (d.identical()) {
                              ++loweredSame;
                              return;
                            }
                            Reason &r = lowerDifferences[d.category];
                            if (r.count++ == 0)
                              r.example = file.string() + ": " +
                                          a.qualName.utf8 + ": " + d.detail;
                          });
        }
      }
    }
  }
  std::printf("files: %zu (%zu unreadable)\n", files.size(), unreadable);
  std::printf("code objects: %zu, code units: %zu\n", codeObjects, codeUnits);
  std::printf("lifted and verified: %zu code objects; failed: %zu\n",
              liftedObjects, failedObjects);
  for (const auto &[reason, r] : reasons)
    std::printf("  %zu x %s\n      e.g. %s\n", r.count, reason.c_str(),
                r.example.c_str());
  if (textLower) {
    std::printf("lowered through the text: %zu of %zu code objects as "
                "lowered directly (%zu modules not lowered)\n",
                loweredSame, loweredPairs, lowerFailures);
    for (const auto &[kind, r] : lowerDifferences)
      std::printf("  %zu x %s\n      e.g. %s\n", r.count, kind.c_str(),
                  r.example.c_str());
  }
  std::printf("lift speed: %.2f M code units/s (%zu units in %.3f CPU s)\n",
              liftSeconds > 0 ? double(liftedUnits) / liftSeconds / 1e6 : 0.0,
              liftedUnits, liftSeconds);
  bool textLowersAlike = loweredSame == loweredPairs;
  return failedObjects == 0 && unreadable == 0 && textLowersAlike ? 0 : 1;
}
