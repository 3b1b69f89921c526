//===- backend/StackDepth.h - co_stacksize --------------------------------===//
//
// The maximum operand-stack depth over the control-flow graph, as CPython's
// stackdepth() computes it (bytecode reference section 2.6): depth 0 at the
// entry; each instruction's fall-through edge uses its stack effect with
// jump=false and its jump edge jump=true; no fall-through after an
// unconditional jump or a scope exit; each handler is entered at
// depth + lasti + 1; RETURN_GENERATOR counts +1 on 3.11/3.12; 3.13 never
// reports less than 1. Unreachable instructions do not count, except from
// `deadEntries`: (instruction, depth) pairs where code nothing reaches
// starts, walked once the reachable code is done (an entry already reached
// is skipped). CPython removes such code; bcc keeps the dead code CPython
// left in place, and its co_stacksize must cover it for the output to lift
// again.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BACKEND_STACKDEPTH_H
#define BCC_BACKEND_STACKDEPTH_H

#include <cstdint>
#include <utility>

#include "llvm/ADT/ArrayRef.h"

#include "backend/MachineCode.h"
#include "ir/Opcodes.h"
#include "ir/Support.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// co_stacksize for `code`; an Error for an opcode without a stack effect
/// or a negative depth.
Expected<int32_t> computeStackDepth(
    const OpcodeTable &table, const MachineCode &code,
    llvm::ArrayRef<std::pair<uint32_t, int32_t>> deadEntries = {});

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_BACKEND_STACKDEPTH_H
