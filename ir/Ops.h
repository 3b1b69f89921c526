//===- ir/Ops.h - The operations of the SSA IR, from ir/Ops.def -----------===//
//
// `Op` enumerates the operations listed in ir/Ops.def and `opInfo(op)`
// returns the row of that table: mnemonic, what the immediate means, operand,
// result and successor counts, and properties. Nothing about an operation
// kind is written anywhere else.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_OPS_H
#define BCC_IR_OPS_H

#include <cstdint>
#include <optional>

#include "llvm/ADT/StringRef.h"

namespace bcc {

enum class Op : uint8_t {
#define OP(Name, ...) Name,
#include "ir/Ops.def"
};

/// The number of operations.
inline constexpr unsigned kNumOps = 0
#define OP(...) +1
#include "ir/Ops.def"
    ;

/// What an instruction's 32-bit immediate means.
enum class ImmediateKind : uint8_t {
  None,     ///< no immediate (always 0)
  Const,    ///< index into Function::consts
  Local,    ///< index into Function::localsPlus
  Name,     ///< index into Function::names
  Count,    ///< a plain number
  Test,     ///< a BranchTest
  PyOpcode, ///< the CPython oparg; the opcode is stored beside it
};

/// Property bits of an operation (see ir/Ops.def for their meaning).
namespace opprops {
enum : uint32_t {
  NoProperties = 0,
  Pure = 1u << 0,
  MayRaise = 1u << 1,
  MayRunCode = 1u << 2,
  Terminator = 1u << 3,
  ReadsLocals = 1u << 4,
  WritesLocals = 1u << 5,
  ReadsCells = 1u << 6,
  WritesCells = 1u << 7,
  ReadsGlobals = 1u << 8,
  WritesGlobals = 1u << 9,
  ReadsNames = 1u << 10,
  WritesNames = 1u << 11,
  ReadsAttributes = 1u << 12,
  WritesAttributes = 1u << 13,
  ReadsMemory = 1u << 14,
  WritesMemory = 1u << 15,
  /// Everything but Pure and Terminator: what an opaque operation may do.
  AnyEffect = MayRaise | MayRunCode | ReadsLocals | WritesLocals | ReadsCells |
              WritesCells | ReadsGlobals | WritesGlobals | ReadsNames |
              WritesNames | ReadsAttributes | WritesAttributes | ReadsMemory |
              WritesMemory,
};
} // namespace opprops

/// Count columns of the table: no upper bound / decided by the opcode.
inline constexpr int16_t Variadic = -1;
inline constexpr int16_t FromOpcode = -1;

/// One row of ir/Ops.def.
struct OpInfo {
  Op op;
  const char *mnemonic;
  ImmediateKind immediate;
  int16_t minOperands;
  int16_t maxOperands; ///< Variadic: no bound
  int16_t minResults;
  int16_t maxResults; ///< Variadic: no bound
  int16_t successors; ///< FromOpcode for `py`
  /// Keyword of the optional last operand ("kwnames"), or nullptr.
  const char *optionalOperand;
  uint32_t properties;

  bool has(uint32_t property) const {
    return (properties & property) == property;
  }
};

const OpInfo &opInfo(Op op);
/// The operation spelled `mnemonic` in the text form.
std::optional<Op> lookupOp(llvm::StringRef mnemonic);

/// What `cond_br` tests (POP_JUMP_IF_*). It jumps when the test holds.
enum class BranchTest : uint8_t { IfTrue, IfFalse, IfNone, IfNotNone };
inline constexpr unsigned kNumBranchTests = 4;

/// "if_true", "if_false", "if_none", "if_not_none".
const char *branchTestName(BranchTest test);
std::optional<BranchTest> lookupBranchTest(llvm::StringRef name);

} // namespace bcc

#endif // BCC_IR_OPS_H
