//===- passes/PassManager.cpp ---------------------------------------------===//

#include "passes/PassManager.h"

#include <algorithm>
#include <chrono>

#include "ir/IRPrinter.h"
#include "ir/Verifier.h"
#include "llvm/Support/Format.h"

namespace bcc {

std::string PassManager::str() const {
  std::string text;
  for (const auto &pass : passes_) {
    if (!text.empty())
      text += ",";
    text += pass->name().str();
  }
  return text;
}

bool PassManager::wantsPrintBefore(llvm::StringRef pass) const {
  const auto &names = instruments_.printBefore;
  return std::find(names.begin(), names.end(), pass) != names.end();
}

bool PassManager::wantsPrintAfter(llvm::StringRef pass) const {
  const auto &names = instruments_.printAfter;
  return instruments_.printAfterAll ||
         std::find(names.begin(), names.end(), pass) != names.end();
}

/// Prints every function of `module`, or, with `before`, only those whose
/// text differs from it.
void PassManager::dump(const Module &module, const char *when,
                       llvm::StringRef pass,
                       const std::vector<std::string> *before) {
  llvm::raw_ostream &os = *instruments_.printStream;
  for (const auto &function : module.functions()) {
    std::string text = printFunction(*function);
    if (before && function->index() < before->size() &&
        (*before)[function->index()] == text)
      continue;
    os << "; *** IR Dump " << when << " " << pass << " (function @"
       << function->index() << " '" << function->qualName.utf8 << "') ***\n"
       << text << "\n";
  }
  os.flush();
}

Status PassManager::run(Module &module, PassContext &context) {
  context.setVerifyEach(instruments_.verifyEach);
  if (times_.empty())
    for (const auto &pass : passes_) {
      auto it = std::find_if(times_.begin(), times_.end(), [&](const PassTime &t) {
        return t.pass == pass->name();
      });
      if (it == times_.end())
        times_.push_back({pass->name().str(), 0, 0});
    }
  for (const auto &pass : passes_) {
    llvm::StringRef name = pass->name();
    if (wantsPrintBefore(name))
      dump(module, "Before", name, nullptr);
    std::vector<std::string> before;
    if (instruments_.printChanged)
      for (const auto &function : module.functions())
        before.push_back(printFunction(*function));

    auto start = std::chrono::steady_clock::now();
    bool changed = pass->run(module, context);
    if (instruments_.timePasses) {
      double seconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
      for (PassTime &t : times_)
        if (t.pass == name) {
          t.seconds += seconds;
          t.runs += 1;
          break;
        }
    }
    if (changed)
      context.invalidateFacts();

    if (wantsPrintAfter(name))
      dump(module, "After", name, nullptr);
    else if (instruments_.printChanged && changed)
      dump(module, "After", name, &before);

    if (instruments_.verifyEach && !context.brokenStep().empty()) {
      llvm::raw_ostream &os = *instruments_.printStream;
      os << "; *** IR Dump During " << name << " (broken) ***\n"
         << context.brokenIR() << "\n";
      os.flush();
      return Error("bcc internal error: pass '" + name.str() +
                   "' broke the IR " + context.brokenStep());
    }
    if (instruments_.verifyEach) {
      for (const auto &function : module.functions()) {
        Status status = verify(*function);
        if (status)
          status = verifyStackForm(*function);
        if (status)
          continue;
        llvm::raw_ostream &os = *instruments_.printStream;
        os << "; *** IR Dump After " << name << " (broken: function @"
           << function->index() << " '" << function->qualName.utf8
           << "') ***\n"
           << printFunction(*function) << "\n";
        os.flush();
        return Error("bcc internal error: the IR is broken after pass '" +
                     name.str() + "': " + status.error().message);
      }
      if (Status status = verify(module); !status)
        return Error("bcc internal error: the IR is broken after pass '" +
                     name.str() + "': " + status.error().message);
    }
  }
  return Status::ok();
}

void PassManager::printTimes(llvm::raw_ostream &os) const {
  double total = 0;
  for (const PassTime &t : times_)
    total += t.seconds;
  os << "pass times (wall clock, summed over every module):\n";
  for (const PassTime &t : times_)
    os << llvm::format("  %-16s %9.4f s  %5.1f%%  %llu runs\n",
                       t.pass.c_str(), t.seconds,
                       total > 0 ? 100.0 * t.seconds / total : 0.0,
                       (unsigned long long)t.runs);
  os << llvm::format("  %-16s %9.4f s\n", (const char *)"total", total);
}

} // namespace bcc
