//===- ir/CallProtocol.cpp ------------------------------------------------===//

#include "ir/CallProtocol.h"

#include "ir/Function.h"

namespace bcc {

unsigned loadGlobalNullResult(PythonVersion version) {
  return version.atLeast(3, 13) ? 1 : 0;
}

bool isCallProtocolNull(const Value *value) {
  const auto *result = llvm::dyn_cast_or_null<InstResult>(value);
  if (!result)
    return false;
  const Instruction *inst = result->instruction();
  if (inst->is(Op::PushNull))
    return true;
  if (inst->is(Op::LoadGlobal) && inst->numResults() == 2 && inst->function())
    return result->index() == loadGlobalNullResult(inst->function()->version());
  return false;
}

CallOperands callOperands(const Instruction &call) {
  assert(call.is(Op::Call) && call.numOperands() >= 2 && "not a call");
  unsigned numArgs = call.numOperands() - 2 - call.hasOptionalOperand();
  return {call.operand(0), call.operand(1),
          call.operandUses().slice(2, numArgs),
          call.hasOptionalOperand() ? call.operand(call.numOperands() - 1)
                                    : nullptr};
}

std::optional<StaticCallee> staticCallee(const Instruction &call) {
  CallOperands ops = callOperands(call);
  const Function *f = call.function();
  if (!f)
    return std::nullopt;
  if (f->version().atLeast(3, 13)) {
    if (isCallProtocolNull(ops.slot1))
      return StaticCallee{ops.slot0, nullptr};
    return std::nullopt;
  }
  if (isCallProtocolNull(ops.slot0))
    return StaticCallee{ops.slot1, nullptr};
  return std::nullopt;
}

} // namespace bcc
