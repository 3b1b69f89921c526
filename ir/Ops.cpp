//===- ir/Ops.cpp - The operation table -----------------------------------===//

#include "ir/Ops.h"

#include <cassert>

#include "llvm/ADT/StringMap.h"

namespace bcc {

namespace {

using namespace opprops;

constexpr OpInfo kOps[] = {
#define OP(Name, Mnemonic, Immediate, MinOperands, MaxOperands, MinResults,    \
           MaxResults, Successors, OptionalOperand, Properties)                \
  {Op::Name,    Mnemonic,    ImmediateKind::Immediate,                         \
   MinOperands, MaxOperands, MinResults,                                       \
   MaxResults,  Successors,  OptionalOperand,                                  \
   Properties},
#include "ir/Ops.def"
};

static_assert(sizeof(kOps) / sizeof(kOps[0]) == kNumOps);

constexpr bool tableIsInEnumOrder() {
  for (unsigned i = 0; i < kNumOps; ++i)
    if (unsigned(kOps[i].op) != i)
      return false;
  return true;
}
static_assert(tableIsInEnumOrder());

constexpr const char *kBranchTestNames[kNumBranchTests] = {
    "if_true", "if_false", "if_none", "if_not_none"};

} // namespace

const OpInfo &opInfo(Op op) {
  assert(unsigned(op) < kNumOps && "not an operation");
  return kOps[unsigned(op)];
}

std::optional<Op> lookupOp(llvm::StringRef mnemonic) {
  // Built once, never changed: the parser asks for every instruction.
  static const llvm::StringMap<Op> byMnemonic = [] {
    llvm::StringMap<Op> map;
    for (const OpInfo &info : kOps)
      map[info.mnemonic] = info.op;
    return map;
  }();
  auto it = byMnemonic.find(mnemonic);
  if (it == byMnemonic.end())
    return std::nullopt;
  return it->second;
}

const char *branchTestName(BranchTest test) {
  assert(unsigned(test) < kNumBranchTests && "not a branch test");
  return kBranchTestNames[unsigned(test)];
}

std::optional<BranchTest> lookupBranchTest(llvm::StringRef name) {
  for (unsigned i = 0; i < kNumBranchTests; ++i)
    if (name == kBranchTestNames[i])
      return BranchTest(i);
  return std::nullopt;
}

} // namespace bcc
