//===- passes/IRUtils.h - Small helpers every pass needs -------------------===//
//
// Questions about values (which instruction made it, which constant it
// is), the CPython opcodes passes recognize by number, and the edits passes
// make (replacing an instruction by a constant, erasing one without losing
// its line for tracing, splitting a block, adding a local).
//
//===----------------------------------------------------------------------===//
#ifndef BCC_PASSES_IRUTILS_H
#define BCC_PASSES_IRUTILS_H

#include <optional>
#include <string>

#include "ir/Function.h"
#include "ir/IRBuilder.h"
#include "ir/Opcodes.h"
#include "llvm/ADT/SmallPtrSet.h"

// Private to bcc: hidden from pass plugins (docs/embedding.md), so that
// link-time optimization may treat it as internal to the executable.
#pragma GCC visibility push(hidden)

namespace bcc {

/// The opcodes passes look for, by number, for one version (-1: absent).
struct PyOps {
  /// BINARY_OP's argument for a subscript (3.14+, where BINARY_SUBSCR is
  /// gone); -1 before.
  int NB_SUBSCR = -1;
  int BINARY_OP = -1, BINARY_SUBSCR = -1, UNARY_NOT = -1, UNARY_NEGATIVE = -1,
      UNARY_INVERT = -1, COMPARE_OP = -1, IS_OP = -1, CONTAINS_OP = -1,
      BUILD_TUPLE = -1, BUILD_LIST = -1, BUILD_SLICE = -1, BUILD_MAP = -1,
      BUILD_CONST_KEY_MAP = -1, LIST_TO_TUPLE = -1, MAKE_FUNCTION = -1,
      SET_FUNCTION_ATTRIBUTE = -1, IMPORT_NAME = -1, IMPORT_FROM = -1,
      IMPORT_STAR = -1, STORE_SUBSCR = -1, RESUME = -1,
      CALL_FUNCTION_EX = -1, RETURN_GENERATOR = -1, LOAD_SUPER_ATTR = -1,
      LOAD_ASSERTION_ERROR = -1, GET_ITER = -1, FOR_ITER = -1, END_FOR = -1,
      LOAD_CLOSURE = -1, LOAD_LOCALS = -1, SETUP_ANNOTATIONS = -1,
      CALL_INTRINSIC_1 = -1, RAISE_VARARGS = -1, RERAISE = -1,
      YIELD_VALUE = -1, SEND = -1, POP_EXCEPT = -1, PUSH_EXC_INFO = -1,
      CHECK_EXC_MATCH = -1, WITH_EXCEPT_START = -1, BEFORE_WITH = -1,
      JUMP_BACKWARD_NO_INTERRUPT = -1, FORMAT_VALUE = -1, FORMAT_SIMPLE = -1,
      BUILD_STRING = -1, KW_NAMES = -1, COPY_FREE_VARS = -1, MAKE_CELL = -1, LIST_EXTEND = -1;
  explicit PyOps(const OpcodeTable &table);
};
const PyOps &pyOps(PythonVersion version);

/// Whether `inst` is `py` with opcode `opcode` (which may be -1: never).
inline bool isPy(const Instruction &inst, int opcode) {
  return opcode >= 0 && inst.is(Op::Py) && inst.pyOpcode() == opcode;
}

/// The instruction that defines `v`, or null for a block parameter.
inline Instruction *definer(const Value *v) {
  if (const auto *r = llvm::dyn_cast<InstResult>(v))
    return r->instruction();
  return nullptr;
}

/// The constant `v` certainly is: the result of a `const` whose pool entry
/// is not a code object, or of a 3.14+ `small_int`. Null otherwise.
const Constant *constantOf(const Value *v);
/// The same, shared.
ConstantRef constantRefOf(const Value *v);
/// Whether `inst` is a subscript `a[b]`: BINARY_SUBSCR, or 3.14+'s
/// BINARY_OP [] (NB_SUBSCR).
bool isSubscript(const Instruction &inst, const PyOps &ops);
/// Creates `container[key]` at the builder's insertion point, as the
/// version writes it; returns its result.
Value *createSubscript(IRBuilder &b, const PyOps &ops, Value *container,
                       Value *key);

/// The line of `inst` (-1 when it has none).
inline int lineOf(const Instruction &inst) {
  int32_t line = inst.location().line;
  return line == SourceLocation::kAbsent ? -1 : line;
}

/// Makes `const value` before `at`, with `at`'s location, adding the value
/// to the function's pool if needed; returns its result.
Value *insertConstant(Instruction &at, ConstantRef value);

/// Erases `inst` (its results must be unused). When `inst` is the only
/// instruction of a line run in its block (the instruction before it, if
/// any, is on another line, and so is the one after it), a `nop` with its
/// location takes its place, so that tracing still sees the line, as
/// CPython keeps a NOP for a line it optimized away.
void eraseKeepingLine(Instruction &inst);

/// Whether `inst` has no effect at all: removing it when its results are
/// unused changes nothing a program can observe. Pure ops, loads of locals
/// that cannot raise, and the `py` instructions that only build a tuple,
/// list or slice.
bool isRemovableWhenUnused(const Instruction &inst);

/// Replaces every use of the results of `inst` by the matching values of
/// `values` and erases it (keeping its line, see eraseKeepingLine).
void replaceInstruction(Instruction &inst, llvm::ArrayRef<Value *> values);

/// Appends a plain local named `name` to the function's fast locals (before
/// its cell-only and free slots, which keep their order after it) and
/// renumbers every instruction that names a slot after it. `kind` adds
/// CO_FAST_HIDDEN (3.12+) to hide it from locals(). Returns its index.
unsigned addLocal(Function &function, llvm::StringRef name, bool hidden);

/// The predecessors of every block, by Block::number(), in function order,
/// with one entry per edge (a cond_br to the same block twice gives two).
/// Handler edges are not included. Numbers must be fresh (renumber()).
std::vector<std::vector<Block *>> predecessors(Function &function);

/// Splits `at`'s block before `at`: `at` and everything after it move to a
/// new block placed right after, which keeps the block's handler, and the
/// old block ends in a `br` (a fall-through) to it. The values of the old
/// block that the moved instructions use become parameters of the new one,
/// passed by the `br`: first the slots the handler keeps (the new block's
/// handler arguments), then the others in the order they were defined.
/// The handler's slots are the old block's handler arguments, except where
/// an instruction before `at` popped one that nothing after uses and pushed
/// in its place: PUSH_EXC_INFO puts the previous exception where the one
/// it popped was, and the handler finds that one there. The IR stays in
/// stack form. Returns the new block.
Block *splitBlockBefore(Instruction &at);

/// The loads of plain locals (`load_fast`, `load_fast_check`) that may find
/// their local unbound, by a must-be-assigned analysis: parameters are
/// assigned on entry, stores assign, deletes and LOAD_FAST_AND_CLEAR
/// unassign, a load that succeeds assigns, and a handler starts from what
/// is assigned at every point of the blocks it protects. Slots of cells and
/// free variables are not plain locals and are not reported.
llvm::SmallPtrSet<const Instruction *, 4> maybeUnboundLoads(const Function &f);

/// Whether `function` stores to, deletes or clears the fast local `slot`.
bool writesLocal(const Function &function, unsigned slot);

/// A copy of `source` as a new function of `into` (same version), with its
/// metadata, pools, blocks, handlers and instructions; null if its constant
/// pool holds a code object (a child function, which the copy could not
/// take along).
Function *cloneFunction(const Function &source, Module &into);
/// The same with its nested code: every function its constant pool holds,
/// recursively, is copied into `into` too (the copies in pre-order, the
/// function first), and the copy's code constants are those copies.
Function *cloneFunctionTree(const Function &source, Module &into);

/// One of the builtins every interpreter 3.11-3.14 has (len, range, min,
/// ...): a name of these that a module does not bind is certainly bound.
bool isBuiltinName(llvm::StringRef name);

/// Which blocks the entry reaches through normal and exception edges, by
/// Block::number() (renumber() first).
std::vector<bool> reachableBlocks(const Function &function);

/// The blocks some handler edge goes to (their entry is the exception
/// mechanism's: passes do not merge, thread or rewrite their parameters).
llvm::SmallPtrSet<const Block *, 8> handlerTargets(const Function &function);

} // namespace bcc
#pragma GCC visibility pop

#endif // BCC_PASSES_IRUTILS_H
