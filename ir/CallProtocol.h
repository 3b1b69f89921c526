//===- ir/CallProtocol.h - What a call's operands mean, per version -------===//
//
// CPython calls take two stack slots below the arguments, and which holds
// what changed in 3.13:
//
//   3.11, 3.12   [method or NULL, self or callable, args...]
//   3.13         [callable, self or NULL, args...]
//
// Since block parameters are stack slots, `call`, `load_global` (NULL form)
// and `load_attr` (method form) keep them in stack order, and a pass that
// wants "the callable" asks here. In the method form the interpreter decides
// at run time whether a method was found, so only some calls have a callee
// that is known statically.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_CALLPROTOCOL_H
#define BCC_IR_CALLPROTOCOL_H

#include "ir/Instruction.h"
#include "llvm/ADT/ArrayRef.h"

namespace bcc {

/// The value is certainly the call protocol's NULL: a `push_null` result,
/// or the NULL result of a `load_global` in its NULL form.
bool isCallProtocolNull(const Value *value);

/// The operands of a `call` by role.
struct CallOperands {
  Value *slot0;             ///< the lower protocol slot
  Value *slot1;             ///< the upper protocol slot
  llvm::ArrayRef<Use> args; ///< positional, then keyword argument values
  Value *kwNames;           ///< the keyword-names tuple, or null
};
CallOperands callOperands(const Instruction &call);

/// What a call certainly calls, when its protocol slots say it statically:
/// the callable and the self argument it passes (null if none).
struct StaticCallee {
  Value *callable;
  Value *self;
};
/// Known when the slot that would hold the NULL certainly does: the upper
/// one on 3.13, the lower one up to 3.12 (see isCallProtocolNull).
/// Otherwise (a method lookup, or a slot whose producer is not visible, such
/// as a block parameter) nullopt.
std::optional<StaticCallee> staticCallee(const Instruction &call);

/// Which result of a two-result `load_global` is the NULL: 0 up to 3.12,
/// 1 on 3.13.
unsigned loadGlobalNullResult(PythonVersion version);

} // namespace bcc

#endif // BCC_IR_CALLPROTOCOL_H
