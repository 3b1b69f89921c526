//===- ir/Ops.cpp - The operation table -----------------------------------===//

#include "ir/Ops.h"

#include <cassert>

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
  for (const OpInfo &info : kOps)
    if (mnemonic == info.mnemonic)
      return info.op;
  return std::nullopt;
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
