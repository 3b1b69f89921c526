//===- ir/IRPrinter.cpp - Print modules and functions as text -------------===//

#include "ir/IRPrinter.h"

#include "ir/ConstantLiteral.h"
#include "ir/PyRepr.h"
#include "llvm/Support/Format.h"

namespace bcc {

namespace {

/// Column where locations start, so that they line up in a dump.
constexpr size_t kLocationColumn = 48;

std::string number(int32_t v) {
  return v == SourceLocation::kAbsent ? "?" : std::to_string(v);
}

struct LocalKindName {
  uint8_t bit;
  const char *name;
};
constexpr LocalKindName kLocalKinds[] = {{CO_FAST_HIDDEN, "hidden"},
                                         {CO_FAST_LOCAL, "local"},
                                         {CO_FAST_CELL, "cell"},
                                         {CO_FAST_FREE, "free"}};

} // namespace

std::string printLocation(const SourceLocation &loc) {
  if (loc.isNone())
    return "";
  std::string out = "@" + number(loc.line);
  if (loc.column != SourceLocation::kAbsent)
    out += ":" + number(loc.column);
  if (loc.endLine != SourceLocation::kAbsent ||
      loc.endColumn != SourceLocation::kAbsent) {
    out += "-" + number(loc.endLine);
    if (loc.endColumn != SourceLocation::kAbsent)
      out += ":" + number(loc.endColumn);
  }
  return out;
}

std::string printNameToken(llvm::StringRef utf8, PythonVersion version) {
  bool bare = !utf8.empty() && TextReader::isIdentifierStart(utf8[0]);
  for (char c : utf8)
    bare = bare && TextReader::isIdentifierChar(c);
  return bare ? utf8.str() : reprString(utf8, version);
}

std::string printLocalKind(uint8_t kind) {
  if (kind == CO_FAST_LOCAL)
    return "";
  std::string out;
  uint8_t rest = kind;
  for (const LocalKindName &k : kLocalKinds) {
    if (!(kind & k.bit))
      continue;
    out += out.empty() ? ":" : "+";
    out += k.name;
    rest &= uint8_t(~k.bit);
  }
  if (rest || kind == 0) {
    out += out.empty() ? ":" : "+";
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%x", unsigned(rest));
    out += hex;
  }
  return out;
}

//===----------------------------------------------------------------------===//
// FunctionPrinter
//===----------------------------------------------------------------------===//

FunctionPrinter::FunctionPrinter(const Function &function)
    : function_(function) {
  unsigned nextValue = 0, nextBlock = 0;
  for (const Block &block : function) {
    blockNumbers_[&block] = nextBlock++;
    for (const BlockParam *param : block.params())
      valueNumbers_[param] = nextValue++;
    for (const Instruction &inst : block)
      for (const InstResult &result : inst.results())
        valueNumbers_[&result] = nextValue++;
  }

  PythonVersion version = function.version();
  for (unsigned i = 0; i < function.consts.size(); ++i) {
    const PoolConstant &c = function.consts[i];
    constTexts_.push_back(c.isCode()
                              ? "@" + std::to_string(c.codeFunction()->index())
                              : printConstantLiteral(*c.constant(), version));
    firstConst_.try_emplace(constTexts_.back(), i);
  }
  for (unsigned i = 0; i < function.names.size(); ++i) {
    nameTexts_.push_back(printNameToken(function.names[i].utf8, version));
    firstName_.try_emplace(nameTexts_.back(), i);
  }
  for (unsigned i = 0; i < function.localsPlus.size(); ++i) {
    localTexts_.push_back(
        printNameToken(function.localsPlus[i].name.utf8, version));
    firstLocal_.try_emplace(localTexts_.back(), i);
  }
}

std::string FunctionPrinter::valueName(const Value *value) const {
  if (!value)
    return "<null>";
  auto it = valueNumbers_.find(value);
  if (it == valueNumbers_.end())
    return "%?";
  return "%" + std::to_string(it->second);
}

std::string FunctionPrinter::blockName(const Block *block) const {
  auto it = blockNumbers_.find(block);
  if (it == blockNumbers_.end())
    return "?";
  return "bb" + std::to_string(it->second);
}

namespace {
/// The entry's own text if it is the first with that text, else `$N`.
std::string poolRef(unsigned index, const std::vector<std::string> &texts,
                    const llvm::StringMap<unsigned> &first) {
  if (index < texts.size()) {
    auto it = first.find(texts[index]);
    if (it != first.end() && it->second == index)
      return texts[index];
  }
  return "$" + std::to_string(index);
}
} // namespace

std::string FunctionPrinter::constRef(unsigned index) const {
  return poolRef(index, constTexts_, firstConst_);
}
std::string FunctionPrinter::nameRef(unsigned index) const {
  return poolRef(index, nameTexts_, firstName_);
}
std::string FunctionPrinter::localRef(unsigned index) const {
  return poolRef(index, localTexts_, firstLocal_);
}

std::string FunctionPrinter::immediate(const Instruction &inst) const {
  uint32_t imm = inst.immediate();
  switch (inst.info().immediate) {
  case ImmediateKind::None:
    return "";
  case ImmediateKind::Const:
    return constRef(imm);
  case ImmediateKind::Local:
    return localRef(imm);
  case ImmediateKind::Name:
    return nameRef(imm);
  case ImmediateKind::Count:
    return std::to_string(imm);
  case ImmediateKind::Test:
    return imm < kNumBranchTests ? branchTestName(BranchTest(imm))
                                 : "test" + std::to_string(imm);
  case ImmediateKind::PyOpcode: {
    const OpcodeTable *table = OpcodeTable::forVersion(function_.version());
    const OpcodeInfo *info = table ? table->info(inst.pyOpcode()) : nullptr;
    std::string out =
        info ? info->name : "opcode" + std::to_string(inst.pyOpcode());
    if (!info || info->hasArg || imm != 0)
      out += " " + std::to_string(imm);
    return out;
  }
  }
  bcc_unreachable("unknown immediate kind");
}

std::string FunctionPrinter::instruction(const Instruction &inst) const {
  std::string out;
  for (unsigned i = 0; i < inst.numResults(); ++i) {
    if (i)
      out += ", ";
    out += valueName(inst.result(i));
  }
  if (inst.numResults())
    out += " = ";
  out += inst.info().mnemonic;
  std::string imm = immediate(inst);
  if (!imm.empty())
    out += " " + imm;

  bool first = true;
  auto separate = [&] {
    out += first ? " " : ", ";
    first = false;
  };
  for (unsigned i = 0; i < inst.numOperands(); ++i) {
    separate();
    const Use &use = inst.operandUses()[i];
    if (inst.hasOptionalOperand() && i + 1 == inst.numOperands())
      out += std::string(inst.info().optionalOperand) + " ";
    if (use.isPeeked())
      out += "peek ";
    out += valueName(use.get());
  }
  for (const Successor &succ : inst.successors()) {
    separate();
    out += "^" + blockName(succ.target());
    if (succ.numArgs()) {
      out += "(";
      for (unsigned i = 0; i < succ.numArgs(); ++i) {
        if (i)
          out += ", ";
        out += valueName(succ.arg(i));
      }
      out += ")";
    }
  }
  return out;
}

std::string FunctionPrinter::instructionLine(const Instruction &inst) const {
  std::string out = instruction(inst);
  std::string loc = printLocation(inst.location());
  if (!inst.moveLocation().isNone())
    loc += (loc.empty() ? "moves " : " moves ") +
           printLocation(inst.moveLocation());
  if (inst.isStrongLoad())
    loc += loc.empty() ? "strong" : " strong";
  if (inst.hasOffset())
    loc += (loc.empty() ? "#" : " #") + std::to_string(inst.offset());
  if (!loc.empty()) {
    // Two columns of indentation come before the instruction in a dump.
    size_t width = out.size() + 2;
    out.append(width < kLocationColumn ? kLocationColumn - width : 1, ' ');
    out += loc;
  }
  return out;
}

std::string FunctionPrinter::blockHeader(const Block &block) const {
  std::string out = blockName(&block);
  if (block.numParams()) {
    out += "(";
    for (unsigned i = 0; i < block.numParams(); ++i) {
      if (i)
        out += ", ";
      out += valueName(block.param(i));
    }
    out += ")";
  }
  if (block.hasHandler()) {
    out += " handler ^" + blockName(block.handler());
    if (block.numHandlerArgs()) {
      out += "(";
      for (unsigned i = 0; i < block.numHandlerArgs(); ++i) {
        if (i)
          out += ", ";
        out += valueName(block.handlerArg(i));
      }
      out += ")";
    }
    out += " depth " + std::to_string(block.handlerDepth());
    if (block.handlerPushesLasti())
      out += " lasti";
  }
  return out + ":";
}

void FunctionPrinter::printHeader(llvm::raw_ostream &os) const {
  const Function &f = function_;
  PythonVersion v = f.version();
  os << "function @" << f.index() << " " << reprString(f.name.utf8, v)
     << " qualname " << reprString(f.qualName.utf8, v) << " file "
     << reprString(f.fileName.utf8, v) << " firstline " << f.firstLineNo
     << " flags " << llvm::format("0x%x", f.flags) << " args " << f.argCount
     << " posonly " << f.posOnlyArgCount << " kwonly " << f.kwOnlyArgCount;
  if (f.minStackSize)
    os << " minstack " << f.minStackSize;
  os << " {\n";

  os << "  locals:";
  for (unsigned i = 0; i < f.localsPlus.size(); ++i)
    os << (i ? ", " : " ") << localTexts_[i]
       << printLocalKind(f.localsPlus[i].kind);
  os << "\n  consts:";
  for (unsigned i = 0; i < constTexts_.size(); ++i)
    os << (i ? ", " : " ") << constTexts_[i];
  os << "\n  names:";
  for (unsigned i = 0; i < nameTexts_.size(); ++i)
    os << (i ? ", " : " ") << nameTexts_[i];
  os << "\n";
}

void FunctionPrinter::print(llvm::raw_ostream &os) const {
  printHeader(os);
  for (const Block &block : function_) {
    os << blockHeader(block) << "\n";
    for (const Instruction &inst : block)
      os << "  " << instructionLine(inst) << "\n";
  }
  os << "}\n";
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

std::string printFunction(const Function &function) {
  std::string out;
  llvm::raw_string_ostream os(out);
  FunctionPrinter(function).print(os);
  return os.str();
}

void printModule(const Module &module, llvm::raw_ostream &os) {
  os << "module python " << module.version().str() << "\n";
  for (const auto &function : module.functions()) {
    os << "\n";
    FunctionPrinter(*function).print(os);
  }
}

std::string printModule(const Module &module) {
  std::string out;
  llvm::raw_string_ostream os(out);
  printModule(module, os);
  return os.str();
}

} // namespace bcc
