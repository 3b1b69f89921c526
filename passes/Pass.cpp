//===- passes/Pass.cpp - Pass, PassContext, statistics, remarks, options --===//

#include "passes/Pass.h"

#include "ir/ConstantLiteral.h"
#include "ir/IRPrinter.h"
#include "ir/Verifier.h"
#include "ir/TextReader.h"
#include "passes/ModuleFacts.h"

namespace bcc {

//===----------------------------------------------------------------------===//
// Statistics and remarks
//===----------------------------------------------------------------------===//

void Statistics::add(llvm::StringRef pass, llvm::StringRef counter,
                     uint64_t n) {
  std::string key = pass.str();
  key += '\0';
  key += counter.str();
  auto [it, inserted] = index_.try_emplace(key, entries_.size());
  if (inserted)
    entries_.push_back({pass.str(), counter.str(), 0});
  entries_[it->second].value += n;
}

uint64_t Statistics::get(llvm::StringRef pass, llvm::StringRef counter) const {
  std::string key = pass.str();
  key += '\0';
  key += counter.str();
  auto it = index_.find(key);
  return it == index_.end() ? 0 : entries_[it->second].value;
}

void Statistics::merge(const Statistics &other) {
  for (const Entry &e : other.entries_)
    add(e.pass, e.counter, e.value);
}

std::string Remark::str() const {
  std::string out = file.empty() ? std::string("<unknown>") : file;
  if (line > 0)
    out += ":" + std::to_string(line);
  out += ": " + function + ": " + pass + ": " + (done ? "done" : "missed") +
         ": " + message;
  return out;
}

//===----------------------------------------------------------------------===//
// PassContext
//===----------------------------------------------------------------------===//

PassContext::PassContext(const OptimizationOptions &options,
                         Statistics &stats)
    : options_(options), stats_(stats) {}

PassContext::~PassContext() = default;

const ModuleFacts &PassContext::facts(const Module &module) {
  if (fixedFacts_)
    return *fixedFacts_;
  if (!facts_ || factsOf_ != &module) {
    facts_ = std::make_unique<ModuleFacts>(
        ModuleFacts::compute(module, moduleName_, isPackage_));
    factsOf_ = &module;
  }
  return *facts_;
}

void PassContext::verifyStep(const Function &f, const std::string &step) {
  if (!verifyEach_ || !broken_.empty())
    return;
  Status status = verify(f);
  if (status)
    status = verifyStackForm(f);
  if (status)
    return;
  broken_ = "after " + step + ": " + status.error().message;
  brokenIR_ = printFunction(f);
}

void PassContext::invalidateFacts() {
  facts_.reset();
  factsOf_ = nullptr;
}

void PassContext::remark(llvm::StringRef pass, bool done,
                         const Function &function, int line,
                         const std::string &message) const {
  if (!remarks_)
    return;
  Remark r;
  r.pass = pass.str();
  r.done = done;
  r.file = function.fileName.utf8;
  r.line = line > 0 ? line : function.firstLineNo;
  r.function = function.qualName.utf8;
  r.message = message;
  remarks_(r);
}

//===----------------------------------------------------------------------===//
// Pass
//===----------------------------------------------------------------------===//

Pass::~Pass() = default;

bool FunctionPass::run(Module &module, PassContext &context) {
  bool changed = false;
  for (const auto &function : module.functions())
    if (runOnFunction(*function, context)) {
      context.markChanged(*function);
      changed = true;
    }
  return changed;
}

//===----------------------------------------------------------------------===//
// Options
//===----------------------------------------------------------------------===//

const char *assumptionName(Assumption assumption) {
  switch (assumption) {
  case Assumption::ModuleConstants:
    return "module-constants";
  case Assumption::StableFunctions:
    return "stable-functions";
  case Assumption::StableGlobals:
    return "stable-globals";
  case Assumption::NoPrint:
    return "no-print";
  }
  return "?";
}

Expected<Assumptions> Assumptions::parse(llvm::StringRef list) {
  Assumptions result;
  llvm::SmallVector<llvm::StringRef, 4> words;
  list.split(words, ',', -1, /*KeepEmpty=*/false);
  if (words.empty())
    return Error("--assume needs a list of assumptions (or 'all')");
  for (llvm::StringRef word : words) {
    word = word.trim();
    if (word == "all") {
      for (unsigned i = 0; i < kNumAssumptions; ++i)
        result.grant(Assumption(i));
      continue;
    }
    bool found = false;
    for (unsigned i = 0; i < kNumAssumptions && !found; ++i)
      if (word == assumptionName(Assumption(i))) {
        result.grant(Assumption(i));
        found = true;
      }
    if (!found) {
      std::string known;
      for (unsigned i = 0; i < kNumAssumptions; ++i)
        known += std::string(i ? ", " : "") + assumptionName(Assumption(i));
      return Error("unknown assumption '" + word.str() + "' (known: " + known +
                   ", all)");
    }
  }
  return result;
}

std::string Assumptions::str() const {
  std::string out;
  for (unsigned i = 0; i < kNumAssumptions; ++i)
    if (has(Assumption(i)))
      out += std::string(out.empty() ? "" : ",") + assumptionName(Assumption(i));
  return out;
}

static bool isIdentifier(llvm::StringRef s) {
  if (s.empty() || !(std::isalpha((unsigned char)s[0]) || s[0] == '_' ||
                     (unsigned char)s[0] >= 0x80))
    return false;
  for (char c : s)
    if (!(std::isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80))
      return false;
  return true;
}

Expected<UserConstant> UserConstant::parse(llvm::StringRef argument) {
  UserConstant c;
  c.text = argument.str();
  auto [target, literal] = argument.split('=');
  if (target.size() == argument.size())
    return Error("--const '" + argument.str() +
                 "': expected NAME=LITERAL or MODULE:NAME=LITERAL");
  target = target.trim();
  if (target.contains(':')) {
    auto [module, name] = target.split(':');
    c.module = module.trim().str();
    c.name = name.trim().str();
    llvm::SmallVector<llvm::StringRef, 4> parts;
    llvm::StringRef(c.module).split(parts, '.');
    for (llvm::StringRef part : parts)
      if (!isIdentifier(part))
        return Error("--const '" + argument.str() + "': '" + c.module +
                     "' is not a dotted module name");
  } else {
    c.name = target.str();
  }
  if (!isIdentifier(c.name))
    return Error("--const '" + argument.str() + "': '" + c.name +
                 "' is not a Python name");
  TextReader reader(literal);
  Expected<ConstantRef> value = parseConstantLiteral(reader);
  if (!value)
    return Error("--const '" + argument.str() +
                 "': the value is not a Python literal bcc knows (None, "
                 "True, 3, 1.5, 'text', b'bytes', (1, 2), ...): " +
                 value.error().message);
  reader.skipBlanks();
  if (!reader.atEnd())
    return Error("--const '" + argument.str() +
                 "': unexpected text after the literal: '" +
                 reader.rest().str() + "'");
  ConstantKind kind = (*value)->kind();
  if (kind == ConstantKind::List || kind == ConstantKind::Dict ||
      kind == ConstantKind::Set)
    return Error("--const '" + argument.str() +
                 "': a list, dict or set is mutable, so it cannot be a "
                 "constant (use a tuple or a frozenset)");
  c.value = *value;
  return c;
}

} // namespace bcc
