//===- ir/MaybeNull.cpp - values that may be NULL at run time -------------===//

#include "ir/MaybeNull.h"

#include "ir/CallProtocol.h"
#include "ir/IR.h"

namespace bcc {

void collectMaybeNull(const Function &f, const OpcodeTable &table,
                             std::vector<bool> &out) {
  // Values marked whose uses are still to follow.
  std::vector<const Value *> work;
  auto mark = [&](const Value *v) {
    if (!out[v->number()]) {
      out[v->number()] = true;
      work.push_back(v);
    }
  };
  uint8_t minor = f.version().minor;
  for (const Block &b : f)
    for (const Instruction &inst : b) {
      unsigned n = inst.numResults();
      if (inst.is(Op::PushNull) || inst.is(Op::LoadFastAndClear)) {
        for (unsigned i = 0; i < n; ++i)
          mark(inst.result(i));
      } else if (inst.is(Op::LoadGlobal) && n == 2) {
        mark(inst.result(loadGlobalNullResult(f.version())));
      } else if (inst.is(Op::LoadAttr) && n == 2) {
        mark(inst.result(minor >= 13 ? 1 : 0));
      } else if (inst.is(Op::Py) && n && table.mayOutputNull(inst.pyOpcode())) {
        if (std::optional<StackSignature> sig =
                table.signature(inst.pyOpcode(), inst.pyOparg(), false))
          for (unsigned i = 0; i < n; ++i)
            if (sig->outputMayBeNull(n - i))
              mark(inst.result(i));
      }
    }
  // Along edges: a block parameter (or handler parameter) that receives a
  // maybe-NULL value may be NULL. Each marked value's uses are visited once.
  while (!work.empty()) {
    const Value *v = work.back();
    work.pop_back();
    for (const Use &u : v->uses()) {
      if (const Block *from = u.handlerBlock()) {
        // Handler arguments: the slots the handler finds on entry.
        size_t i = size_t(&u - from->handlerArgUses().data());
        if (from->hasHandler() && i < from->handler()->numParams())
          mark(from->handler()->param(unsigned(i)));
      } else if (const Instruction *user = u.user()) {
        for (const Successor &s : user->successors()) {
          llvm::ArrayRef<Use> args = s.argUses();
          if (&u >= args.begin() && &u < args.end()) {
            size_t i = size_t(&u - args.begin());
            if (i < s.target()->numParams())
              mark(s.target()->param(unsigned(i)));
          }
        }
      }
    }
  }
}

} // namespace bcc
