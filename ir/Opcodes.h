//===- ir/Opcodes.h - Per-version CPython opcode tables ---------*- C++ -*-===//
//
// Everything bcc knows about one CPython version's instruction set: which
// opcodes exist and their numbers (which change in every release), which take
// an argument, what the argument indexes, how they jump, how many inline cache
// units follow them, how they end a basic block, and their stack effect as a
// rule that evaluates for any argument. Also the tables a disassembler needs
// to print arguments the way `dis` does, and which code points `repr()`
// escapes.
//
// For 3.11-3.15 it also knows each opcode's stack signature: which stack
// slots an instruction pops, reads in place or rearranges, and what it
// pushes, per path. That is what lifting bytecode to SSA needs; the net
// stack effect is not enough.
//
// Almost none of it is typed by hand: scripts/gen_tables.py runs under each
// interpreter and writes ir/generated/{Opcodes,Unicode}_3_X.inc from its own
// `opcode` and `dis` modules (tests/python/test_opcode_tables.py checks that
// they are still what the interpreters say). The exceptions: the stack
// signatures come from scripts/stack_signatures.py, written from CPython's
// sources, and the generator checks them against dis.stack_effect; and
// stackDepthCorrection(), named and documented below.
//
// Offsets are in bytes and always refer to the real instruction, after its
// EXTENDED_ARG prefixes; arguments are the full (folded) argument.
//
//===----------------------------------------------------------------------===//
#ifndef BCC_IR_OPCODES_H
#define BCC_IR_OPCODES_H

#include <array>
#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/PythonVersion.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace bcc {

/// How an opcode's argument names its target (reference §2.4). The target of
/// a relative jump is counted from the end of the instruction's inline
/// caches, in OpcodeTable::jumpUnit() bytes per argument step.
enum class JumpKind : uint8_t {
  None,
  RelativeForward,
  RelativeBackward,
  Absolute
};

/// How an instruction ends (or does not end) a basic block.
///  - ConditionalJump: both the next instruction and the jump target are
///    successors. This includes FOR_ITER and SEND, and on <= 3.10 the
///    SETUP_* block pushes, whose target is a handler.
///  - UnconditionalJump: only the jump target (JUMP_FORWARD, JUMP_ABSOLUTE,
///    JUMP_BACKWARD, JUMP_BACKWARD_NO_INTERRUPT).
///  - ScopeExit: no successor in this code object (RETURN_VALUE,
///    RETURN_CONST, RAISE_VARARGS, RERAISE).
/// Normal is also the flow of 3.14's END_ASYNC_FOR, which has a jump target
/// (the END_SEND of its loop, reported to sys.monitoring as the source of a
/// branch) but never jumps.
enum class FlowKind : uint8_t {
  Normal,
  ConditionalJump,
  UnconditionalJump,
  ScopeExit
};

/// dis.stack_effect(op, arg) of one opcode (for one of its two paths) as a
/// rule of the argument. The generator picks the first shape that reproduces
/// every value `dis` gives for arguments 0..255 and a few up to 2^24.
struct StackEffectRule {
  enum class Shape : uint8_t {
    Constant,   ///< base
    Linear,     ///< base + perArg * arg
    ByteLinear, ///< base + perArg * (arg & 0xff) + perHighArg * (arg >> 8)
    BitWeights, ///< base + sum of weights[i] for each set bit i in 0..7
    Table,      ///< tableValues[arg]; arguments above 255 are unsupported
  };

  Shape shape = Shape::Constant;
  int32_t base = 0;
  int32_t perArg = 0;
  int32_t perHighArg = 0;
  std::array<int8_t, 8> weights{};
  const int16_t *tableValues = nullptr; ///< 256 entries, for Shape::Table

  /// The effect for `arg`, computed exactly; nullopt if the rule does not
  /// cover `arg` (a Table beyond 255) or the result does not fit in an int.
  std::optional<int> evaluate(uint32_t arg) const {
    // Most opcodes have a constant effect: answered inline.
    if (shape == Shape::Constant)
      return base;
    return evaluateShape(arg);
  }
  std::optional<int> evaluateShape(uint32_t arg) const;

  static constexpr StackEffectRule constant(int32_t c) {
    StackEffectRule r;
    r.base = c;
    return r;
  }
  static constexpr StackEffectRule linear(int32_t c, int32_t k) {
    StackEffectRule r;
    r.shape = Shape::Linear;
    r.base = c;
    r.perArg = k;
    return r;
  }
  static constexpr StackEffectRule byteLinear(int32_t c, int32_t low,
                                              int32_t high) {
    StackEffectRule r;
    r.shape = Shape::ByteLinear;
    r.base = c;
    r.perArg = low;
    r.perHighArg = high;
    return r;
  }
  static constexpr StackEffectRule bitWeights(int32_t c,
                                              std::array<int8_t, 8> perBit) {
    StackEffectRule r;
    r.shape = Shape::BitWeights;
    r.base = c;
    r.weights = perBit;
    return r;
  }
  static constexpr StackEffectRule table(const int16_t *values) {
    StackEffectRule r;
    r.shape = Shape::Table;
    r.tableValues = values;
    return r;
  }
};

/// One real opcode of one version: in opcode.opmap, neither specialized nor
/// instrumented. All that co_code can hold, plus a few that `dis` names but
/// the compiler never emits (RESERVED, INTERPRETER_EXIT, ENTER_EXECUTOR).
struct OpcodeInfo {
  const char *name;
  uint8_t number;
  /// Takes an argument. 3.13: from opcode.hasarg, not `>= HAVE_ARGUMENT`.
  bool hasArg;
  // What the argument indexes. Some opcodes keep flag bits below the index
  // (LOAD_GLOBAL 3.11+, LOAD_ATTR and COMPARE_OP 3.12+, LOAD_SUPER_ATTR).
  bool hasConst;   ///< co_consts
  bool hasName;    ///< co_names
  bool hasLocal;   ///< the fast locals
  bool hasFree;    ///< cell and free variables
  bool hasCompare; ///< cmp_op
  /// opcode.hasexc (3.12+). Only pseudo-ops have it, so it is false for
  /// every real opcode in 3.8-3.15.
  bool hasExc;
  JumpKind jump;
  FlowKind flow;
  uint8_t cacheEntries;       ///< CACHE code units that follow the instruction
  StackEffectRule effect;     ///< dis.stack_effect(..., jump=False)
  StackEffectRule effectJump; ///< dis.stack_effect(..., jump=True)

  bool isJump() const { return jump != JumpKind::None; }
};

/// One run of stack slots in a StackSignature: a named operand or result.
struct StackItem {
  /// Its name in scripts/stack_signatures.py ("list", "args", "null"). A
  /// name that starts with '_' marks slots the instruction does not read.
  llvm::StringRef name;
  /// Stack slots it spans; 0 when an optional item is absent (LOAD_GLOBAL's
  /// NULL when bit 0 of the argument is clear).
  uint32_t count = 0;
  /// Outputs: the index in StackSignature::inputs of the input whose value
  /// this is (left in place, moved or copied), or -1 for a new value.
  /// Always -1 for inputs.
  int source = -1;
  /// Outputs: the value may be NULL. PUSH_NULL, the call-protocol NULLs of
  /// LOAD_GLOBAL, LOAD_ATTR, LOAD_METHOD and LOAD_SUPER_ATTR, the saved local
  /// of LOAD_FAST_AND_CLEAR, and the placeholder FOR_ITER pushes on its exit
  /// path from 3.12 on (there the compiler models a value that END_FOR pops;
  /// the interpreter pushes nothing and skips END_FOR).
  bool maybeNull = false;

  bool isRead() const { return !name.startswith("_"); }
  bool isNew() const { return source < 0; }
};

/// How one instruction uses the value stack, for one argument and one path
/// (3.11+). The items mirror CPython's bytecodes.c: `inputs` are the slots
/// the instruction spans when it starts, `outputs` what fills that part of
/// the stack when it ends, both deepest first (the last item is the top).
///
/// Derived views, all in stack slots:
///  - keptSlots(): the bottom slots that stay where they are (the longest
///    run of leading outputs that are their own inputs).
///  - pops(), pushes(): inputs and outputs without the kept slots, i.e. what
///    really comes off and goes on. CALL 2 on 3.12 pops 4 and pushes 1;
///    LIST_APPEND 3 pops 1 and pushes 0; COPY 2 pops 0 and pushes 1.
///  - peekedDepths(): the kept slots the instruction reads, as depths in the
///    stack once pops() slots are gone (1 = its top). LIST_APPEND 3 reads
///    its list at depth 3, CPython's PEEK(oparg) after popping the value.
///  - outputSource(): for a pushed slot, the input slot it is, for moves
///    and copies (SWAP, COPY, END_SEND, PUSH_EXC_INFO).
struct StackSignature {
  llvm::SmallVector<StackItem, 4> inputs;
  llvm::SmallVector<StackItem, 4> outputs;

  uint32_t inputSlots() const;
  uint32_t outputSlots() const;
  /// outputSlots() - inputSlots(): the net stack effect.
  int effect() const;
  uint32_t keptSlots() const;
  uint32_t pops() const { return inputSlots() - keptSlots(); }
  uint32_t pushes() const { return outputSlots() - keptSlots(); }
  /// Depths of the read kept slots, in the stack after the pops, shallowest
  /// first.
  std::vector<uint32_t> peekedDepths() const;
  /// For the output slot at `depth` after the instruction (1 = the new top,
  /// up to outputSlots()): the depth before the instruction (1 = the old
  /// top) of the input slot it holds; nullopt for a new value or a depth
  /// out of range.
  std::optional<uint32_t> outputSource(uint32_t depth) const;
  /// Whether the output slot at `depth` (1 = the new top) may be NULL.
  bool outputMayBeNull(uint32_t depth) const;
  /// "name:count ... -- name:count[=source][?] ...": inputs, then outputs
  /// with the index of their source input and '?' if they may be NULL.
  std::string str() const;
};

/// A specialized or instrumented opcode. These exist only in the
/// interpreter's adaptive copy of the code (`_co_code_adaptive`), never in
/// co_code or marshal data.
struct AdaptiveOpcode {
  const char *name;
  uint8_t number;
  /// The real opcode it stands for, or -1 when only the interpreter's side
  /// tables know (INSTRUMENTED_LINE, INSTRUMENTED_INSTRUCTION).
  int16_t baseOpcode;
};

/// One entry of dis.COMPILER_FLAG_NAMES.
struct CompilerFlagName {
  uint32_t flag;
  const char *name;
};

/// A closed range of code points.
struct CodePointRange {
  uint32_t first;
  uint32_t last;
};

struct OpcodeTableData; // generated data, defined in Opcodes.cpp
struct UnicodeData;     // generated data, defined in Opcodes.cpp

class OpcodeTable {
public:
  /// The table of `version`, or nullptr if bcc does not support it. The
  /// tables are immutable and live for the whole program.
  static const OpcodeTable *forVersion(PythonVersion version);

  PythonVersion version() const;
  /// importlib.util.MAGIC_NUMBER as a little-endian uint16.
  uint16_t magicNumber() const;

  /// The real opcode `number`, or nullptr for a hole, a specialized or an
  /// instrumented opcode.
  const OpcodeInfo *info(uint8_t number) const { return infoByNumber[number]; }
  /// The number of the real opcode called `name`.
  std::optional<uint8_t> lookup(llvm::StringRef name) const;
  /// Every real opcode, by number.
  llvm::ArrayRef<OpcodeInfo> opcodes() const;

  /// opcode.HAVE_ARGUMENT. Informational only: on 3.13 it does not decide
  /// whether an opcode takes an argument; OpcodeInfo::hasArg does.
  uint8_t haveArgument() const;
  uint8_t extendedArg() const;
  /// The CACHE opcode (3.11+).
  std::optional<uint8_t> cacheOpcode() const;

  /// Bytes per argument step of a jump: 1 on 3.8/3.9, 2 (code units) later.
  unsigned jumpUnit() const;
  /// The byte offset `op` jumps to when its real instruction is at byte
  /// `offset` with argument `arg`; nullopt if `op` does not jump or the
  /// target would be negative or beyond 32 bits.
  /// The byte offset a jump described by `info` at byte `offset` with
  /// argument `arg` names, unchecked (it may be negative or past the code):
  /// relative jumps count from the end of the instruction's caches (3.11
  /// and earlier have no jump with caches, so this holds for every
  /// version). For an opcode that does not jump, -1.
  int64_t rawJumpTarget(const OpcodeInfo &info, int64_t offset,
                        int64_t arg) const;
  std::optional<uint32_t> jumpTarget(uint8_t op, uint32_t offset,
                                     uint32_t arg) const;
  /// The argument that makes `op` at `offset` jump to `target`; nullopt if
  /// no argument does (wrong direction, or not a multiple of jumpUnit()).
  std::optional<uint32_t> jumpArgument(uint8_t op, uint32_t offset,
                                       uint32_t target) const;

  /// dis.stack_effect(op, arg, jump=jump) exactly as this version reports
  /// it; nullopt for an unknown opcode or an argument the rule does not
  /// cover. The argument is ignored for opcodes without one.
  std::optional<int> stackEffect(uint8_t op, uint32_t arg, bool jump) const {
    const OpcodeInfo *opInfo = info(op);
    if (!opInfo)
      return std::nullopt;
    return (jump ? opInfo->effectJump : opInfo->effect).evaluate(arg);
  }
  /// What to add to stackEffect() when recomputing co_stacksize. It is 1 for
  /// RETURN_GENERATOR on 3.11 and 3.12, whose stack_effect says 0 because
  /// CPython inserts that instruction after computing the depth, although
  /// it pushes the generator (3.13's stack_effect already says +1); 0 for
  /// every other opcode and version. Reference §2.6 rule 5.
  int stackDepthCorrection(uint8_t op) const {
    return op == returnGeneratorCorrected ? 1 : 0;
  }

  /// Whether this version has stack signatures: 3.11 and later.
  bool hasStackSignatures() const;
  /// The stack signature of `op` with argument `arg`, on the fall-through
  /// path (jump=false) or the path where the jump is taken; for an opcode
  /// that does not jump both are the same. nullopt before 3.11, for an
  /// opcode without a signature (not a real opcode, or CACHE, RESERVED or
  /// ENTER_EXECUTOR, which never run from co_code), for an argument the
  /// instruction does not accept (SWAP 1, COPY 0, LIST_APPEND 0), or when
  /// the slots would exceed INT32_MAX. The argument is ignored for opcodes
  /// without one.
  ///
  /// effect() equals stackEffect() but for three documented differences:
  /// RETURN_GENERATOR on 3.11 and 3.12 is +1 (see stackDepthCorrection()),
  /// and on 3.11 PRECALL is 0 and CALL -(arg+1), where dis books the
  /// arguments on PRECALL (-arg) and leaves CALL -1: PRECALL does not touch
  /// the stack, CALL pops the callable and its arguments.
  std::optional<StackSignature> signature(uint8_t op, uint32_t arg,
                                          bool jump) const;
  /// signature(op, arg, jump)'s inputSlots() and outputSlots(), without
  /// building the signature; nullopt exactly where it is nullopt.
  struct StackSlots {
    uint32_t inputs = 0;
    uint32_t outputs = 0;
  };
  std::optional<StackSlots> stackSlots(uint8_t op, uint32_t arg,
                                       bool jump) const;
  /// What signature(op, arg, jump) says of each output slot, without
  /// building it: for each slot in push order (the deepest first), what
  /// StackSignature::outputSource() and outputMayBeNull() give for it.
  struct OutputSlot {
    std::optional<uint32_t> source;
    bool maybeNull = false;
  };
  /// The slot counts of stackSlots(), with each output slot appended to
  /// `outputs` (which is cleared first); nullopt where signature() is.
  std::optional<StackSlots>
  outputSlots(uint8_t op, uint32_t arg, bool jump,
              llvm::SmallVectorImpl<OutputSlot> &outputs) const;
  /// The bits of the argument that stackSlots(op, arg, jump),
  /// signature(op, arg, jump) and stackEffect(op, arg, jump) depend on:
  /// they are the same for `arg` and `arg & stackArgBits(op, jump)`. 0 when
  /// no argument changes them (POP_TOP), 1 when only bit 0 does
  /// (LOAD_GLOBAL), all bits for an opcode without a signature.
  uint32_t stackArgBits(uint8_t op, bool jump) const;
  /// Whether `op`'s signature (either path) changes with the argument;
  /// false for an opcode without a signature. Lets a caller cache one
  /// signature per opcode where the argument does not matter.
  bool signatureUsesArgument(uint8_t op) const;
  /// Whether an output item of `op`'s signature may be NULL
  /// (StackItem::maybeNull), on either path and for any argument.
  bool mayOutputNull(uint8_t op) const { return mayOutputNull_[op]; }
  /// Whether every output item of `op`'s signature, on both paths, is a new
  /// value (StackItem::isNew(): none is an input left in place, moved or
  /// copied); false for an opcode without a signature.
  bool outputsAreNew(uint8_t op) const { return outputsAreNew_[op]; }
  /// The signature in the notation of scripts/stack_signatures.py, e.g.
  /// "list, _items[oparg-1], value -- list, _items[oparg-1]"; nullopt where
  /// signature() has none for any argument.
  std::optional<llvm::StringRef> signatureNotation(uint8_t op, bool jump) const;

  /// Specialized and instrumented opcodes, by number.
  llvm::ArrayRef<AdaptiveOpcode> adaptiveOpcodes() const;
  /// The real opcode behind `number`: itself for a real opcode, the base of
  /// a specialized or instrumented one; nullopt if unknown.
  std::optional<uint8_t> deoptimize(uint8_t number) const;

  // What `dis` prints for arguments. Empty where the version has no such
  // table.
  /// opcode.cmp_op ("<", "<=", ...).
  llvm::ArrayRef<const char *> compareOps() const;
  /// BINARY_OP's argrepr, indexed by argument: "+", "&", ... "+=" (3.11+).
  llvm::ArrayRef<const char *> binaryOps() const;
  /// BINARY_OP's operator names: "NB_ADD", ... (3.11+).
  llvm::ArrayRef<const char *> binaryOpNames() const;
  /// CALL_INTRINSIC_1 / CALL_INTRINSIC_2 names (3.12+).
  llvm::ArrayRef<const char *> intrinsic1() const;
  llvm::ArrayRef<const char *> intrinsic2() const;
  /// FORMAT_VALUE's (arg & 3), or 3.13+ CONVERT_VALUE's arg: "", "str",
  /// "repr", "ascii".
  llvm::ArrayRef<const char *> formatValueConverters() const;
  /// MAKE_FUNCTION's (<= 3.12) or SET_FUNCTION_ATTRIBUTE's (3.13+) flag
  /// bits, bit 0 first: "defaults", "kwdefaults", "annotations", "closure"
  /// (3.14 adds "annotate").
  llvm::ArrayRef<const char *> makeFunctionFlags() const;
  /// dis.COMPILER_FLAG_NAMES, by flag value.
  llvm::ArrayRef<CompilerFlagName> compilerFlagNames() const;
  /// LOAD_COMMON_CONSTANT's argrepr, by argument (3.14+): "AssertionError",
  /// "NotImplementedError", "tuple", ...; 3.15 adds literals such as "None".
  llvm::ArrayRef<const char *> commonConstants() const;
  /// LOAD_SPECIAL's argrepr, by argument (3.14+): "__enter__", "__exit__",
  /// "__aenter__", "__aexit__".
  llvm::ArrayRef<const char *> specialMethodNames() const;

  /// unicodedata.unidata_version of this interpreter, e.g. "15.0.0".
  llvm::StringRef unicodeVersion() const;
  /// str.isprintable() of the one-character string `codePoint`, with this
  /// version's Unicode database. repr() escapes exactly the others.
  bool isPrintable(uint32_t codePoint) const;

  OpcodeTable(const OpcodeTable &) = delete;
  OpcodeTable &operator=(const OpcodeTable &) = delete;

private:
  OpcodeTable(const OpcodeTableData &data, const UnicodeData &unicode);

  const OpcodeTableData &data;
  const UnicodeData &unicode;
  /// info() of each number (null for none), read inline: every stage asks
  /// it per instruction.
  std::array<const OpcodeInfo *, 256> infoByNumber;
  /// mayOutputNull() and outputsAreNew() of each number, worked out from
  /// the signatures once: lowering asks them per instruction.
  std::array<bool, 256> mayOutputNull_{}, outputsAreNew_{};
  std::array<int16_t, 256> signatureByNumber; ///< into the signatures; -1
  std::vector<uint8_t> numbersByName;         ///< real opcodes sorted by name
  /// The opcode stackDepthCorrection() adds 1 for, or -1.
  int returnGeneratorCorrected = -1;
};

/// OpcodeTable::forVersion(version)->isPrintable(codePoint); for a version
/// bcc does not support, only printable ASCII counts as printable.
bool isPrintable(PythonVersion version, uint32_t codePoint);

/// The `Facts` of `table`'s version (a type constructible from an
/// OpcodeTable): built from the table when a version is first met, then
/// shared and immutable like the table itself. For passes that work out
/// per-opcode facts once rather than per instruction or per module. Every
/// table comes from OpcodeTable::forVersion, so one per version suffices.
/// Each version needs its own case below: two versions sharing one would
/// get the facts of whichever came first in the process.
template <typename Facts> const Facts &versionFacts(const OpcodeTable &table) {
  switch (table.version().minor) {
  case 8: {
    static const Facts facts(table);
    return facts;
  }
  case 9: {
    static const Facts facts(table);
    return facts;
  }
  case 10: {
    static const Facts facts(table);
    return facts;
  }
  case 11: {
    static const Facts facts(table);
    return facts;
  }
  case 12: {
    static const Facts facts(table);
    return facts;
  }
  case 13: {
    static const Facts facts(table);
    return facts;
  }
  case 14: {
    static const Facts facts(table);
    return facts;
  }
  default: {
    assert(table.version().minor == 15 && "a version without a table");
    static const Facts facts(table);
    return facts;
  }
  }
}

} // namespace bcc

#endif // BCC_IR_OPCODES_H
