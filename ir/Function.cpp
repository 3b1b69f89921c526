//===- ir/Function.cpp ----------------------------------------------------===//

#include "ir/Function.h"

#include <algorithm>
#include <type_traits>
#include <utility>

namespace bcc {

PythonVersion Function::version() const { return parent_->version(); }

Block *Function::createBlock(Block *before) {
  auto *block = new (allocator_.Allocate<Block>()) Block(this);
  if (before) {
    assert(before->parent() == this && "inserting before a foreign block");
    blocks_.insert(before->getIterator(), *block);
  } else {
    blocks_.push_back(*block);
  }
  return block;
}

static_assert(std::is_trivially_destructible_v<SourceLocation>,
              "~Function does not destroy instructions one by one");

Function::~Function() {
  // Everything goes at once, and uses may cross blocks, so nothing is
  // unlinked one by one. Only what owns memory is destroyed: successors
  // (their argument vectors) and the blocks' vectors; the rest lives in the
  // allocator, and its destructors would do nothing. The uses those
  // destructors reach let go of their lists first (Use::forget), so that
  // they touch no other object; operand uses and results are not
  // destroyed at all and are left as they are.
  for (auto blockIt = blocks_.begin(); blockIt != blocks_.end();) {
    Block &block = *blockIt++;
    for (Use &u : block.handlerArgs_)
      u.forget();
    for (BlockParam *param : block.params_)
      param->firstUse_ = nullptr;
    for (Instruction &inst : block.insts_) {
      for (Successor &s : inst.successors()) {
        for (Use &u : s.argUses())
          u.forget();
        s.~Successor();
      }
    }
    block.insts_.clear();
    block.~Block();
  }
  blocks_.clear();
}

void Function::copyMetadataFrom(
    const CodeObject &code,
    llvm::function_ref<Function *(const CodeObject &)> childFor) {
  name = code.name;
  qualName = code.version.atLeast(3, 11) ? code.qualName : code.name;
  fileName = code.fileName;
  argCount = code.argCount;
  posOnlyArgCount = code.posOnlyArgCount;
  kwOnlyArgCount = code.kwOnlyArgCount;
  flags = code.flags;
  firstLineNo = code.firstLineNo;
  minStackSize = code.stackSize;
  if (code.version.atLeast(3, 11)) {
    localsPlus = code.localsPlus;
  } else {
    localsPlus.clear();
    for (const PyString &n : code.varNamesStored)
      localsPlus.push_back({n, CO_FAST_LOCAL});
    for (const PyString &n : code.cellVarsStored)
      localsPlus.push_back({n, CO_FAST_CELL});
    for (const PyString &n : code.freeVarsStored)
      localsPlus.push_back({n, CO_FAST_FREE});
  }
  consts.clear();
  consts.reserve(code.consts.size());
  for (const ConstantRef &c : code.consts) {
    if (c->is(ConstantKind::Code))
      consts.push_back(PoolConstant::code(childFor(*c->asCode())));
    else
      consts.push_back(PoolConstant::value(c));
  }
  names = code.names;
}

void Function::copyMetadataTo(
    CodeObject &code,
    llvm::function_ref<std::shared_ptr<const CodeObject>(const Function &)>
        codeFor) const {
  code.version = version();
  code.name = name;
  code.qualName = qualName;
  code.fileName = fileName;
  code.argCount = argCount;
  code.posOnlyArgCount = posOnlyArgCount;
  code.kwOnlyArgCount = kwOnlyArgCount;
  code.flags = flags;
  code.firstLineNo = firstLineNo;
  code.localsPlus = localsPlus;
  code.consts.clear();
  code.consts.reserve(consts.size());
  for (const PoolConstant &c : consts)
    code.consts.push_back(
        c.isCode() ? Constant::code(codeFor(*c.codeFunction())) : c.constant());
  code.names = names;
}

unsigned Function::addConstant(ConstantRef constant) {
  assert(constant && !constant->is(ConstantKind::Code) &&
         "code constants are child functions");
  for (unsigned i = 0; i < consts.size(); ++i) {
    const ConstantRef &c = consts[i].constant();
    if (c && c->equals(*constant))
      return i;
  }
  consts.push_back(PoolConstant::value(std::move(constant)));
  return unsigned(consts.size() - 1);
}

unsigned Function::addName(llvm::StringRef utf8) {
  for (unsigned i = 0; i < names.size(); ++i)
    if (names[i].utf8 == utf8)
      return i;
  PyString name;
  name.utf8 = utf8.str();
  name.interned = true;
  names.push_back(std::move(name));
  return unsigned(names.size() - 1);
}

Function *Module::createFunction() {
  functions_.push_back(std::unique_ptr<Function>(
      new Function(this, unsigned(functions_.size()))));
  return functions_.back().get();
}

void Function::swapContents(Function &other) {
  std::swap(name, other.name);
  std::swap(qualName, other.qualName);
  std::swap(fileName, other.fileName);
  std::swap(argCount, other.argCount);
  std::swap(posOnlyArgCount, other.posOnlyArgCount);
  std::swap(kwOnlyArgCount, other.kwOnlyArgCount);
  std::swap(flags, other.flags);
  std::swap(firstLineNo, other.firstLineNo);
  std::swap(minStackSize, other.minStackSize);
  std::swap(localsPlus, other.localsPlus);
  std::swap(consts, other.consts);
  std::swap(names, other.names);
  // The blocks live in the allocator: both go together.
  std::swap(allocator_, other.allocator_);
  blocks_.swap(other.blocks_);
  for (Block &block : blocks_)
    block.parent_ = this;
  for (Block &block : other.blocks_)
    block.parent_ = &other;
}

void Module::replaceWith(Module &&other) {
  assert(&other != this && "a module cannot replace itself");
  assert(other.version_ == version_ && "replacing across Python versions");
  size_t common = std::min(functions_.size(), other.functions_.size());
  for (size_t i = 0; i < common; ++i)
    functions_[i]->swapContents(*other.functions_[i]);
  functions_.resize(common);
  for (size_t i = common; i < other.functions_.size(); ++i) {
    Function *moved = other.functions_[i].release();
    moved->parent_ = this;
    moved->index_ = unsigned(i);
    functions_.emplace_back(moved);
  }
  // The contents taken over still point to other's first `common`
  // functions, which now hold what this module had.
  for (const auto &function : functions_)
    for (PoolConstant &constant : function->consts)
      if (constant.isCode() && constant.codeFunction()->parent_ == &other)
        constant = PoolConstant::code(
            functions_[constant.codeFunction()->index_].get());
  other.functions_.clear();
}

unsigned Function::renumber() const {
  uint32_t n = 0, blocks = 0;
  for (const Block &b : blocks_) {
    b.number_ = blocks++;
    for (unsigned i = 0; i < b.numParams(); ++i)
      b.param(i)->number_ = n++;
    for (const Instruction &inst : b)
      for (unsigned i = 0; i < inst.numResults(); ++i)
        inst.result(i)->number_ = n++;
  }
  return n;
}

} // namespace bcc
