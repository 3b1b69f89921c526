//===- ir/Verifier.cpp - Check the invariants of a function ---------------===//
//
// Three passes over the function: structure and each instruction against
// the op table; then SSA (definedness and dominance, with the split-graph
// dominator tree of ir/Dominators.h); then use lists. The first violation
// stops the check: later rules may assume the earlier ones hold (dominance
// needs well-formed edges).
//
// Almost every function verifies, so the rules are checked twice over: first
// by quickCheck(), which only answers yes or no, in two fused walks without
// building a message or an Error; only when it says no does the full check
// run, in the order above, to find and word the first violation. quickCheck
// must never accept what the full check rejects.
//
//===----------------------------------------------------------------------===//

#include "ir/Verifier.h"

#include "ir/Dominators.h"
#include "ir/IRPrinter.h"
#include "ir/Opcodes.h"
#include "ir/PyRepr.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/MathExtras.h"

#include <memory>
#include <optional>
#include <vector>

namespace bcc {

namespace {

/// "3 operands", "1 operand", "2 entries".
std::string count(size_t n, const char *noun) {
  std::string word = noun;
  if (n != 1)
    word = !word.empty() && word.back() == 'y'
               ? word.substr(0, word.size() - 1) + "ies"
               : word + "s";
  return std::to_string(n) + " " + word;
}

/// What the table allows: "1 operand", "at least 2 operands", "1 to 2
/// results".
std::string allowed(int min, int max, const char *noun) {
  if (max == Variadic)
    return "at least " + count(size_t(min), noun);
  if (min == max)
    return count(size_t(min), noun);
  return std::to_string(min) + " to " + count(size_t(max), noun);
}

/// The successors `inst` must have: the op table's count, or for a py
/// instruction what its CPython opcode's flow says.
int expectedSuccessors(const Instruction &inst, const OpInfo &info) {
  if (!inst.is(Op::Py))
    return info.successors;
  FlowKind flow = inst.pyFlow();
  return flow == FlowKind::ConditionalJump     ? 2
         : flow == FlowKind::UnconditionalJump ? 1
                                               : 0;
}

/// For a `py` instruction whose CPython argument indexes a pool (co_names,
/// the fast locals, cells): whether the index is inside it. CPython does
/// not check these; an index past the end reads past the pool.
bool pyArgumentInPool(const Instruction &inst, const OpcodeInfo &info,
                      const Function &f) {
  uint32_t arg = inst.pyOparg();
  if (info.hasName) {
    // LOAD_SUPER_ATTR keeps two flag bits below the index (3.12+).
    if (llvm::StringRef(info.name) == "LOAD_SUPER_ATTR")
      arg >>= 2;
    return arg < f.names.size();
  }
  if (info.hasLocal || info.hasFree)
    return arg < f.localsPlus.size();
  if (info.hasConst)
    return arg < f.consts.size();
  return true;
}

/// Pointers numbered once and then only looked up: open addressing with
/// linear probing in a power-of-two table at most half full, no deletion.
/// The success path fills one with every value of the function and looks
/// each use up in it; for that it is much cheaper than a DenseMap, which
/// pays for tombstones, growth checks and a wider bucket.
class PointerTable {
public:
  struct Entry {
    const void *key = nullptr;
    uint32_t first = 0, second = 0;
  };

  /// Empties the table and makes room for `expected` keys.
  void reset(size_t expected) {
    size_t size = 16;
    while (size < 2 * expected)
      size *= 2;
    shift = unsigned(64 - llvm::Log2_64(size));
    entries.assign(size, Entry());
  }
  /// Adds `key` (not null) with two numbers; false if it is already in.
  bool insert(const void *key, uint32_t first, uint32_t second) {
    size_t mask = entries.size() - 1;
    for (size_t i = slot(key);; i = (i + 1) & mask) {
      Entry &e = entries[i];
      if (e.key == key)
        return false;
      if (!e.key) {
        e = {key, first, second};
        return true;
      }
    }
  }
  /// The entry of `key` (not null), or null.
  const Entry *find(const void *key) const {
    size_t mask = entries.size() - 1;
    for (size_t i = slot(key);; i = (i + 1) & mask) {
      const Entry &e = entries[i];
      if (e.key == key)
        return &e;
      if (!e.key)
        return nullptr;
    }
  }
  bool contains(const void *key) const { return key && find(key); }

private:
  /// Fibonacci hashing: the top bits of the product spread the aligned
  /// addresses of one allocator over the whole table.
  size_t slot(const void *key) const {
    return size_t((uint64_t(uintptr_t(key)) * 0x9E3779B97F4A7C15ull) >> shift);
  }

  std::vector<Entry> entries;
  unsigned shift = 60;
};

/// The success path's tables, kept from one function to the next of a
/// module so that their memory is allocated once: the blocks (numbered in
/// order) and the definitions (block number and position, as in
/// FunctionVerifier::Definition).
struct QuickTables {
  PointerTable blocks, definitions;
  std::vector<const Block *> blockByNumber;
};

/// What is wrong with an operation of CPython 3.14's instructions in `f`:
/// small_int, common_const and not_taken exist from 3.14 on, small_int
/// holds 0-255 and common_const indexes the version's common constants.
/// Null when nothing is.
static std::optional<std::string> versionProblem(const Function &f,
                                                 const Instruction &inst) {
  if (!inst.is(Op::SmallInt) && !inst.is(Op::CommonConst) &&
      !inst.is(Op::NotTaken))
    return std::nullopt;
  if (!f.version().atLeast(3, 14))
    return std::string(inst.info().mnemonic) + " needs CPython 3.14 or later";
  uint32_t imm = inst.immediate();
  if (inst.is(Op::SmallInt) && imm > 255)
    return "small_int " + std::to_string(imm) + " is not in 0-255";
  if (inst.is(Op::CommonConst)) {
    const OpcodeTable *table = OpcodeTable::forVersion(f.version());
    size_t n = table ? table->commonConstants().size() : 0;
    if (imm >= n)
      return "common constant " + std::to_string(imm) + " does not exist (" +
             std::to_string(n) + " in CPython " + f.version().str() + ")";
  }
  return std::nullopt;
}

class FunctionVerifier {
public:
  FunctionVerifier(const Function &function, QuickTables &quick)
      : f(function), quickBlocks(quick.blocks),
        quickDefinitions(quick.definitions),
        blockByNumber(quick.blockByNumber) {}

  Status run();

private:
  /// Where a definition is: its block and its position there (0 for a
  /// parameter, 1 + the index of the defining instruction for a result).
  struct Definition {
    const Block *block;
    unsigned position;
  };

  bool quickCheck();
  bool quickCheckBlock(const Block &block, unsigned number, size_t &slots);
  [[gnu::always_inline]] bool quickUsable(const Value *value, unsigned user,
                                          unsigned position,
                                          bool ownResultsAllowed);
  [[gnu::noinline]] bool quickDominates(unsigned def, unsigned user,
                                        bool isParam);
  [[gnu::always_inline]] bool quickListed(const Value *value, size_t &listed,
                                          size_t slots);
  Status fullCheck();

  std::string functionName() const;
  Error fail(const std::string &message) const;
  Error fail(const Block &block, const std::string &message) const;
  Error fail(const Instruction &inst, const std::string &message) const;

  Status checkBlock(const Block &block);
  Status checkBranchConditions();
  bool isBool(const Value *value,
              llvm::DenseSet<const Value *> &visiting) const;
  Status checkInstruction(const Instruction &inst);
  Status checkImmediate(const Instruction &inst);
  Status checkEdge(const Instruction &inst, unsigned index);
  Status checkHandler(const Block &block);

  Status checkSSA();
  Status checkUse(const Value *value, const Block &user, unsigned position,
                  bool ownResultsAllowed,
                  llvm::function_ref<Error(const std::string &)> report);
  bool isSlotOfFunction(const Use &use) const {
    return isSlotOf(use, [&](const Block *b) { return blocks.count(b) != 0; });
  }
  /// Whether `use` is an operand slot, successor argument or handler
  /// argument of an instruction or block that `isOurs`.
  template <typename IsOurs>
  [[gnu::always_inline]] static bool isSlotOf(const Use &use,
                                              const IsOurs &isOurs);
  Status checkUseLists();
  Status explainUseLists();

  /// Made on first need: most functions verify without either. The printer
  /// names values and blocks in messages; the dominator tree is needed
  /// only for uses outside their definition's block.
  const FunctionPrinter &printer() const {
    if (!printer_)
      printer_ = std::make_unique<FunctionPrinter>(f);
    return *printer_;
  }
  const DominatorTree &dominators() {
    if (!dominators_)
      dominators_ = std::make_unique<DominatorTree>(f);
    return *dominators_;
  }

  const Function &f;
  mutable std::unique_ptr<FunctionPrinter> printer_;
  std::unique_ptr<DominatorTree> dominators_;
  llvm::DenseSet<const Block *> blocks;
  llvm::DenseMap<const Value *, Definition> definitions;
  PointerTable &quickBlocks, &quickDefinitions;
  std::vector<const Block *> &blockByNumber;
  /// The version's opcode table, for `py` immediates (null if none).
  const OpcodeTable *opcodes = nullptr;
};

std::string FunctionVerifier::functionName() const {
  return "function @" + std::to_string(f.index()) + " " +
         reprString(f.name.utf8, f.version());
}

Error FunctionVerifier::fail(const std::string &message) const {
  return Error(functionName() + ": " + message);
}

Error FunctionVerifier::fail(const Block &block,
                             const std::string &message) const {
  return Error(functionName() + ", " + printer().blockName(&block) + ": " +
               message);
}

Error FunctionVerifier::fail(const Instruction &inst,
                             const std::string &message) const {
  return Error(functionName() + ", " + printer().blockName(inst.parent()) +
               ": `" + printer().instruction(inst) + "`: " + message);
}

Status FunctionVerifier::run() {
  opcodes = OpcodeTable::forVersion(f.version());
  if (quickCheck())
    return Status::ok();
  return fullCheck();
}

//===----------------------------------------------------------------------===//
// The success path
//===----------------------------------------------------------------------===//

/// The rules of fullCheck(), yes or no. The first walk checks structure
/// and the op table and records definitions; the second checks every use
/// and counts the slots that the use lists must add up to.
bool FunctionVerifier::quickCheck() {
  if (f.empty() || f.entry()->numParams())
    return false;
  size_t numValues = 0;
  blockByNumber.clear();
  for (const Block &block : f) {
    blockByNumber.push_back(&block);
    numValues += block.numParams();
    for (const Instruction &inst : block)
      numValues += inst.numResults();
  }
  quickBlocks.reset(blockByNumber.size());
  for (unsigned i = 0; i < blockByNumber.size(); ++i)
    quickBlocks.insert(blockByNumber[i], i, 0);
  quickDefinitions.reset(numValues);
  size_t slots = 0;
  for (unsigned i = 0; i < blockByNumber.size(); ++i)
    if (!quickCheckBlock(*blockByNumber[i], i, slots))
      return false;
  // Uses, and (as in checkUseLists) the use lists: each listed use is a
  // slot of this function pointing at the list's value, and the lists add
  // up to the slots.
  size_t listed = 0;
  for (unsigned i = 0; i < blockByNumber.size(); ++i) {
    const Block &block = *blockByNumber[i];
    for (const BlockParam *param : block.params())
      if (!quickListed(param, listed, slots))
        return false;
    for (const Use &use : block.handlerArgUses())
      if (!quickUsable(use.get(), i, 0, false))
        return false;
    unsigned position = 0;
    for (const Instruction &inst : block) {
      ++position;
      for (const Use &use : inst.operandUses())
        if (!quickUsable(use.get(), i, position, false))
          return false;
      for (const Successor &edge : inst.successors())
        for (const Use &use : edge.argUses())
          if (!quickUsable(use.get(), i, position, true))
            return false;
      for (const InstResult &result : inst.results())
        if (!quickListed(&result, listed, slots))
          return false;
    }
  }
  return listed == slots && bool(checkBranchConditions());
}

/// checkBlock, checkInstruction, checkImmediate, checkEdge and
/// checkHandler for block number `number`; records its definitions and
/// counts its use slots into `slots`.
bool FunctionVerifier::quickCheckBlock(const Block &block, unsigned number,
                                       size_t &slots) {
  for (unsigned i = 0; i < block.numParams(); ++i) {
    const BlockParam *param = block.param(i);
    if (param->block() != &block || param->index() != i ||
        !quickDefinitions.insert(param, number, 0))
      return false;
  }
  if (block.empty() || !block.back().isTerminator())
    return false;
  slots += block.numHandlerArgs();
  unsigned position = 0;
  for (const Instruction &inst : block) {
    ++position;
    if (inst.parent() != &block)
      return false;
    if (&inst != &block.back() && inst.isTerminator())
      return false;
    if (inst.isStrongLoad() && !inst.is(Op::LoadFast))
      return false;
    const OpInfo &info = inst.info();
    int operands = int(inst.numOperands()) - inst.hasOptionalOperand();
    if (operands < info.minOperands ||
        (info.maxOperands != Variadic && operands > info.maxOperands))
      return false;
    int results = int(inst.numResults());
    if (results < info.minResults ||
        (info.maxResults != Variadic && results > info.maxResults))
      return false;
    for (unsigned i = 0; i < inst.numResults(); ++i) {
      const InstResult *result = inst.result(i);
      if (result->instruction() != &inst || result->index() != i ||
          !quickDefinitions.insert(result, number, position))
        return false;
    }
    if (int(inst.numSuccessors()) != expectedSuccessors(inst, info))
      return false;
    if (versionProblem(f, inst))
      return false;
    uint32_t imm = inst.immediate();
    switch (info.immediate) {
    case ImmediateKind::None:
    case ImmediateKind::Count:
      break;
    case ImmediateKind::Const:
      if (imm >= f.consts.size())
        return false;
      break;
    case ImmediateKind::Name:
      if (imm >= f.names.size())
        return false;
      break;
    case ImmediateKind::Local:
      if (imm >= f.localsPlus.size())
        return false;
      break;
    case ImmediateKind::Test:
      if (imm >= kNumBranchTests)
        return false;
      break;
    case ImmediateKind::PyOpcode: {
      const OpcodeInfo *py = opcodes ? opcodes->info(inst.pyOpcode()) : nullptr;
      if (!py || !pyArgumentInPool(inst, *py, f))
        return false;
      break;
    }
    }
    slots += inst.numOperands();
    for (const Successor &edge : inst.successors()) {
      if (!quickBlocks.contains(edge.target()) ||
          edge.numArgs() != edge.target()->numParams())
        return false;
      slots += edge.numArgs();
    }
  }
  if (!block.hasHandler())
    return true;
  const Block *handler = block.handler();
  return quickBlocks.contains(handler) &&
         block.numHandlerArgs() == block.handlerDepth() &&
         handler->numParams() ==
             block.handlerDepth() + (block.handlerPushesLasti() ? 1 : 0) + 1;
}

/// checkUse, yes or no, for a use in block number `user`.
inline bool FunctionVerifier::quickUsable(const Value *value, unsigned user,
                                          unsigned position,
                                          bool ownResultsAllowed) {
  if (!value)
    return false;
  const PointerTable::Entry *def = quickDefinitions.find(value);
  if (!def)
    return false;
  bool isParam = llvm::isa<BlockParam>(value);
  if (def->first == user)
    return isParam || def->second < position ||
           (ownResultsAllowed && def->second == position);
  return quickDominates(def->first, user, isParam);
}

/// The part of quickUsable for a use in another block than its
/// definition's; out of line, since lifted code passes values between
/// blocks as block arguments.
bool FunctionVerifier::quickDominates(unsigned def, unsigned user,
                                      bool isParam) {
  const Block *defBlock = blockByNumber[def];
  const Block *userBlock = blockByNumber[user];
  if (isParam)
    return dominators().dominates(defBlock, userBlock);
  return dominators().instructionsDominate(defBlock, userBlock);
}

/// One value's part of checkUseLists: each use listed is a slot of this
/// function pointing at `value`; counts them into `listed`, and fails
/// once there are more than `slots`.
inline bool FunctionVerifier::quickListed(const Value *value, size_t &listed,
                                          size_t slots) {
  auto isOurs = [&](const Block *block) {
    return quickBlocks.contains(block);
  };
  for (const Use &use : value->uses())
    if (use.get() != value || !isSlotOf(use, isOurs) || ++listed > slots)
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// The full check
//===----------------------------------------------------------------------===//

Status FunctionVerifier::fullCheck() {
  if (f.empty())
    return fail("the function has no blocks");
  size_t numValues = 0;
  for (const Block &block : f) {
    numValues += block.numParams();
    for (const Instruction &inst : block)
      numValues += inst.numResults();
  }
  definitions.reserve(numValues);
  for (const Block &block : f) {
    blocks.insert(&block);
    unsigned position = 0;
    for (const BlockParam *param : block.params())
      definitions[param] = {&block, position};
    for (const Instruction &inst : block) {
      ++position;
      for (const InstResult &result : inst.results())
        definitions[&result] = {&block, position};
    }
  }
  if (f.entry()->numParams())
    return fail(*f.entry(), "the entry block has parameters");
  for (const Block &block : f)
    if (Status s = checkBlock(block); !s)
      return s;
  if (Status s = checkSSA(); !s)
    return s;
  if (Status s = checkUseLists(); !s)
    return s;
  return checkBranchConditions();
}

//===----------------------------------------------------------------------===//
// 3.13's exact-bool branches
//===----------------------------------------------------------------------===//

/// Whether `value` is certainly a bool: what TO_BOOL, COMPARE_OP, CONTAINS_OP, IS_OP, UNARY_NOT, CHECK_EXC_MATCH, MATCH_SEQUENCE
/// and MATCH_MAPPING push, a True or False
/// constant, or a block parameter that every incoming edge feeds such a
/// value (a cycle of parameters counts as bool).
bool FunctionVerifier::isBool(const Value *value,
                              llvm::DenseSet<const Value *> &visiting) const {
  if (const auto *result = llvm::dyn_cast<InstResult>(value)) {
    const Instruction &inst = *result->instruction();
    switch (inst.op()) {
    case Op::ToBool:
      return true;
    case Op::Const: {
      if (inst.immediate() >= f.consts.size())
        return false;
      const ConstantRef &k = f.consts[inst.immediate()].constant();
      return k && (k->is(ConstantKind::True) || k->is(ConstantKind::False));
    }
    case Op::Py: {
      llvm::StringRef name = inst.pyOpname();
      // Any COMPARE_OP: CPython 3.13's own match statements jump on one
      // without its bool bit (a value pattern's `==`), so that is what
      // the interpreter accepts.
      if (name == "COMPARE_OP")
        return true;
      return name == "CONTAINS_OP" || name == "IS_OP" || name == "UNARY_NOT" ||
             name == "CHECK_EXC_MATCH" || name == "MATCH_SEQUENCE" ||
             name == "MATCH_MAPPING";
    }
    default:
      return false;
    }
  }
  const auto *param = llvm::cast<BlockParam>(value);
  if (!visiting.insert(value).second)
    return true;
  bool fed = false;
  for (const Block &block : f) {
    const Instruction *term = block.terminator();
    if (!term)
      continue;
    for (const Successor &s : term->successors())
      if (s.target() == param->block()) {
        if (param->index() >= s.numArgs() || !isBool(s.arg(param->index()),
                                                     visiting))
          return false;
        fed = true;
      }
    if (block.handler() == param->block())
      return false; // the handler's own slots: any object
  }
  return fed;
}

Status FunctionVerifier::checkBranchConditions() {
  if (!f.version().atLeast(3, 13))
    return Status::ok();
  for (const Block &block : f) {
    const Instruction *term = block.terminator();
    if (!term || !term->is(Op::CondBr))
      continue;
    BranchTest test = term->branchTest();
    if (test != BranchTest::IfTrue && test != BranchTest::IfFalse)
      continue;
    llvm::DenseSet<const Value *> visiting;
    const Value *condition = term->operand(0);
    if (isBool(condition, visiting))
      continue;
    std::string from = "a block parameter";
    if (const auto *r = llvm::dyn_cast<InstResult>(condition))
      from = "`" + printer().instruction(*r->instruction()) + "`";
    return fail(*term, "on 3.13 a branch on true or false needs a bool "
                       "(from to_bool, COMPARE_OP, "
                       "CONTAINS_OP, IS_OP, UNARY_NOT, CHECK_EXC_MATCH, "
                       "MATCH_SEQUENCE, MATCH_MAPPING or a bool constant), "
                       "because POP_JUMP_IF_TRUE/FALSE test identity with "
                       "True; the condition comes from " + from);
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Structure and the op table
//===----------------------------------------------------------------------===//

Status FunctionVerifier::checkBlock(const Block &block) {
  for (unsigned i = 0; i < block.numParams(); ++i)
    if (block.param(i)->block() != &block || block.param(i)->index() != i)
      return fail(block, "parameter " + std::to_string(i) +
                             " does not know its place in the block");
  for (const Instruction &inst : block) {
    if (inst.parent() != &block)
      return fail(inst, "the instruction does not know its block");
    if (inst.isTerminator() && &inst != &block.back())
      return fail(inst, "terminator before the end of the block");
    if (Status s = checkInstruction(inst); !s)
      return s;
  }
  if (block.empty() || !block.back().isTerminator())
    return fail(block, "the block does not end with a terminator");
  return checkHandler(block);
}

Status FunctionVerifier::checkInstruction(const Instruction &inst) {
  const OpInfo &info = inst.info();
  if (inst.isStrongLoad() && !inst.is(Op::LoadFast))
    return fail(inst, std::string(info.mnemonic) +
                          " is marked strong; only load_fast can be");
  int minOperands = info.minOperands + inst.hasOptionalOperand();
  int maxOperands = info.maxOperands == Variadic
                        ? Variadic
                        : info.maxOperands + inst.hasOptionalOperand();
  if (int(inst.numOperands()) < minOperands ||
      (maxOperands != Variadic && int(inst.numOperands()) > maxOperands))
    return fail(inst, std::string(info.mnemonic) + " takes " +
                          allowed(minOperands, maxOperands, "operand") +
                          ", but has " + std::to_string(inst.numOperands()));
  if (int(inst.numResults()) < info.minResults ||
      (info.maxResults != Variadic && int(inst.numResults()) > info.maxResults))
    return fail(inst, std::string(info.mnemonic) + " defines " +
                          allowed(info.minResults, info.maxResults, "result") +
                          ", but has " + std::to_string(inst.numResults()));
  for (unsigned i = 0; i < inst.numResults(); ++i)
    if (inst.result(i)->instruction() != &inst || inst.result(i)->index() != i)
      return fail(inst, "result " + std::to_string(i) +
                            " does not know its instruction");

  int successors = expectedSuccessors(inst, info);
  if (int(inst.numSuccessors()) != successors) {
    std::string what = inst.is(Op::Py) ? std::string("py ") + inst.pyOpname()
                                       : std::string(info.mnemonic);
    return fail(inst, what + " takes " +
                          count(size_t(successors), "successor") +
                          ", but has " + std::to_string(inst.numSuccessors()));
  }
  if (Status s = checkImmediate(inst); !s)
    return s;
  for (unsigned i = 0; i < inst.numSuccessors(); ++i)
    if (Status s = checkEdge(inst, i); !s)
      return s;
  return Status::ok();
}

Status FunctionVerifier::checkImmediate(const Instruction &inst) {
  if (std::optional<std::string> problem = versionProblem(f, inst))
    return fail(inst, *problem);
  uint32_t imm = inst.immediate();
  auto outside = [&](const char *what, const char *pool, size_t size,
                     const char *unit) {
    return fail(inst, std::string(what) + " " + std::to_string(imm) +
                          " is outside " + pool + " (" + count(size, unit) +
                          ")");
  };
  switch (inst.info().immediate) {
  case ImmediateKind::None:
  case ImmediateKind::Count:
    return Status::ok();
  case ImmediateKind::Const:
    if (imm >= f.consts.size())
      return outside("constant index", "the consts pool", f.consts.size(),
                     "entry");
    return Status::ok();
  case ImmediateKind::Name:
    if (imm >= f.names.size())
      return outside("name index", "the names pool", f.names.size(), "entry");
    return Status::ok();
  case ImmediateKind::Local:
    if (imm >= f.localsPlus.size())
      return outside("local index", "localsplus", f.localsPlus.size(), "slot");
    return Status::ok();
  case ImmediateKind::Test:
    if (imm >= kNumBranchTests)
      return fail(inst,
                  "branch test " + std::to_string(imm) + " does not exist");
    return Status::ok();
  case ImmediateKind::PyOpcode: {
    const OpcodeInfo *py = opcodes ? opcodes->info(inst.pyOpcode()) : nullptr;
    if (!py)
      return fail(inst, "CPython " + f.version().str() + " has no opcode " +
                            std::to_string(inst.pyOpcode()));
    if (!pyArgumentInPool(inst, *py, f))
      return fail(inst, std::string(py->name) + "'s argument " +
                            std::to_string(inst.pyOparg()) +
                            " is outside the pool it indexes");
    return Status::ok();
  }
  }
  bcc_unreachable("unknown immediate kind");
}

Status FunctionVerifier::checkEdge(const Instruction &inst, unsigned index) {
  const Successor &edge = inst.successor(index);
  if (!blocks.count(edge.target()))
    return fail(inst, "successor " + std::to_string(index) +
                          " is not a block of this function");
  unsigned params = edge.target()->numParams();
  if (edge.numArgs() != params) {
    std::string target = printer().blockName(edge.target());
    return fail(inst, "the edge to " + target + " passes " +
                          count(edge.numArgs(), "argument") + ", but " +
                          target + " has " + count(params, "parameter"));
  }
  return Status::ok();
}

Status FunctionVerifier::checkHandler(const Block &block) {
  if (!block.hasHandler())
    return Status::ok();
  const Block *handler = block.handler();
  if (!blocks.count(handler))
    return fail(block, "the handler edge goes to a block that is not in "
                       "this function");
  if (block.numHandlerArgs() != block.handlerDepth())
    return fail(block, "the handler edge passes " +
                           count(block.numHandlerArgs(), "value") +
                           ", but its depth is " +
                           std::to_string(block.handlerDepth()));
  unsigned expected =
      block.handlerDepth() + (block.handlerPushesLasti() ? 1 : 0) + 1;
  if (handler->numParams() != expected)
    return fail(block,
                "handler " + printer().blockName(handler) + " has " +
                    count(handler->numParams(), "parameter") + ", but depth " +
                    std::to_string(block.handlerDepth()) +
                    (block.handlerPushesLasti() ? ", lasti" : "") +
                    " and the exception make " + std::to_string(expected));
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// SSA
//===----------------------------------------------------------------------===//

/// `value` is used in `user` at `position` (0: on entry to the block;
/// i + 1: by the i-th instruction). `ownResultsAllowed`: a terminator's
/// successor argument, which may be the terminator's own result.
Status FunctionVerifier::checkUse(
    const Value *value, const Block &user, unsigned position,
    bool ownResultsAllowed,
    llvm::function_ref<Error(const std::string &)> report) {
  if (!value)
    return report("is null");
  auto it = definitions.find(value);
  if (it == definitions.end())
    return report("is not defined in this function");
  const Definition &def = it->second;
  bool isParam = llvm::isa<BlockParam>(value);
  bool available;
  if (def.block == &user)
    available = isParam || def.position < position ||
                (ownResultsAllowed && def.position == position);
  else if (isParam)
    available = dominators().dominates(def.block, &user);
  else
    available = dominators().instructionsDominate(def.block, &user);
  if (!available)
    return report(position == 0 ? "is not available on entry to the block"
                                : "is not dominated by its definition");
  return Status::ok();
}

Status FunctionVerifier::checkSSA() {
  for (const Block &block : f) {
    for (unsigned i = 0; i < block.numHandlerArgs(); ++i) {
      const Value *v = block.handlerArg(i);
      auto report = [&](const std::string &problem) {
        return fail(block, "handler argument " + std::to_string(i) + " (" +
                               printer().valueName(v) + ") " + problem);
      };
      if (Status s = checkUse(v, block, 0, false, report); !s)
        return s;
    }
    unsigned position = 0;
    for (const Instruction &inst : block) {
      ++position;
      for (unsigned i = 0; i < inst.numOperands(); ++i) {
        const Value *v = inst.operand(i);
        auto report = [&](const std::string &problem) {
          return fail(inst, "operand " + std::to_string(i) + " (" +
                                printer().valueName(v) + ") " + problem);
        };
        if (Status s = checkUse(v, block, position, false, report); !s)
          return s;
      }
      for (const Successor &edge : inst.successors()) {
        for (unsigned i = 0; i < edge.numArgs(); ++i) {
          const Value *v = edge.arg(i);
          auto report = [&](const std::string &problem) {
            return fail(inst, "argument " + std::to_string(i) + " (" +
                                  printer().valueName(v) + ") of the edge to " +
                                  printer().blockName(edge.target()) + " " +
                                  problem);
          };
          if (Status s = checkUse(v, block, position, true, report); !s)
            return s;
        }
      }
    }
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Use lists
//===----------------------------------------------------------------------===//

template <typename IsOurs>
inline bool FunctionVerifier::isSlotOf(const Use &use, const IsOurs &isOurs) {
  auto within = [&](llvm::ArrayRef<Use> slots) {
    return &use >= slots.begin() && &use < slots.end();
  };
  if (const Block *block = use.handlerBlock())
    return isOurs(block) && within(block->handlerArgUses());
  const Instruction *inst = use.user();
  if (!inst || !inst->parent() || !isOurs(inst->parent()))
    return false;
  if (within(inst->operandUses()))
    return true;
  for (const Successor &edge : inst->successors())
    if (within(edge.argUses()))
      return true;
  return false;
}

/// Every slot points at a value defined here (checkSSA), so the use lists
/// hold exactly the slots when each listed use is a slot of this function
/// that points at the list's value and the lists, which are then disjoint
/// and (being acyclic) without repeats, add up to the number of slots. On
/// any doubt, explainUseLists() finds the value to blame.
Status FunctionVerifier::checkUseLists() {
  size_t slots = 0;
  for (const Block &block : f) {
    slots += block.numHandlerArgs();
    for (const Instruction &inst : block) {
      slots += inst.numOperands();
      for (const Successor &edge : inst.successors())
        slots += edge.numArgs();
    }
  }
  size_t listed = 0;
  auto listValue = [&](const Value *value) {
    for (const Use &use : value->uses()) {
      if (use.get() != value || !isSlotOfFunction(use) || ++listed > slots)
        return false;
    }
    return true;
  };
  bool good = true;
  for (const Block &block : f) {
    for (const BlockParam *param : block.params())
      good = good && listValue(param);
    for (const Instruction &inst : block)
      for (const InstResult &result : inst.results())
        good = good && listValue(&result);
    if (!good)
      break;
  }
  if (good && listed == slots)
    return Status::ok();
  return explainUseLists();
}

Status FunctionVerifier::explainUseLists() {
  llvm::DenseSet<const Use *> slots;
  llvm::DenseMap<const Value *, unsigned> slotsPerValue;
  auto addSlot = [&](const Use &use) {
    slots.insert(&use);
    if (use.get())
      ++slotsPerValue[use.get()];
  };
  for (const Block &block : f) {
    for (const Use &use : block.handlerArgUses())
      addSlot(use);
    for (const Instruction &inst : block) {
      for (const Use &use : inst.operandUses())
        addSlot(use);
      for (const Successor &edge : inst.successors())
        for (const Use &use : edge.argUses())
          addSlot(use);
    }
  }

  auto checkValue =
      [&](const Value *value,
          llvm::function_ref<Error(const std::string &)> report) -> Status {
    size_t listed = 0;
    for (const Use &use : value->uses()) {
      if (!slots.count(&use) || use.get() != value)
        return report("holds a use that is not an operand slot of this "
                      "function pointing at it");
      if (++listed > slots.size())
        return report("is cyclic");
    }
    unsigned expected = slotsPerValue.lookup(value);
    if (listed != expected)
      return report("has " + count(listed, "use") + ", but " +
                    count(expected, "operand slot") +
                    (expected == 1 ? " points" : " point") + " at it");
    return Status::ok();
  };

  for (const Block &block : f) {
    for (const BlockParam *param : block.params()) {
      auto report = [&](const std::string &problem) {
        return fail(block, "the use list of " + printer().valueName(param) +
                               " " + problem);
      };
      if (Status s = checkValue(param, report); !s)
        return s;
    }
    for (const Instruction &inst : block) {
      for (const InstResult &result : inst.results()) {
        auto report = [&](const std::string &problem) {
          return fail(inst, "the use list of " + printer().valueName(&result) +
                                " " + problem);
        };
        if (Status s = checkValue(&result, report); !s)
          return s;
      }
    }
  }
  return Status::ok();
}

} // namespace

Status verify(const Function &function) {
  QuickTables quick;
  return FunctionVerifier(function, quick).run();
}

Status verify(const Module &module) {
  QuickTables quick;
  for (const auto &function : module.functions()) {
    for (unsigned i = 0; i < function->consts.size(); ++i) {
      const PoolConstant &c = function->consts[i];
      if (c.isCode() && c.codeFunction()->parent() != &module)
        return Error("function @" + std::to_string(function->index()) + " " +
                     reprString(function->name.utf8, module.version()) +
                     ": constant " + std::to_string(i) +
                     " is a function of another module");
    }
    if (Status s = FunctionVerifier(*function, quick).run(); !s)
      return s;
  }
  return Status::ok();
}

//===----------------------------------------------------------------------===//
// Stack form: what lowering needs beyond SSA
//===----------------------------------------------------------------------===//

Status verifyStackForm(const Function &function) {
  const Function &f = function;
  std::unique_ptr<FunctionPrinter> printer;
  auto name = [&] {
    return "function @" + std::to_string(f.index()) + " " +
           reprString(f.name.utf8, f.version());
  };
  auto print = [&]() -> const FunctionPrinter & {
    if (!printer)
      printer = std::make_unique<FunctionPrinter>(f);
    return *printer;
  };
  auto failAt = [&](const Instruction &inst, const std::string &message) {
    return Error(name() + ", " + print().blockName(inst.parent()) + ": `" +
                 print().instruction(inst) + "`: " + message);
  };
  llvm::DenseSet<const Value *> available;
  for (const Block &block : f) {
    available.clear();
    for (const BlockParam *param : block.params())
      available.insert(param);
    if (block.hasHandler()) {
      bool bottom = block.numHandlerArgs() <= block.numParams();
      for (unsigned i = 0; bottom && i < block.numHandlerArgs(); ++i)
        bottom = block.handlerArg(i) == block.param(i);
      if (!bottom)
        return Error(name() + ", " + print().blockName(&block) +
                     ": the handler arguments are not the block's first " +
                     std::to_string(block.handlerDepth()) +
                     " parameters (the bottom of its stack)");
    }
    for (const Instruction &inst : block) {
      for (unsigned i = 0; i < inst.numOperands(); ++i)
        if (!available.count(inst.operand(i)))
          return failAt(inst, "operand " + std::to_string(i) + " (" +
                                  print().valueName(inst.operand(i)) +
                                  ") is not a value of this block");
      for (const InstResult &result : inst.results())
        available.insert(&result);
      for (const Successor &edge : inst.successors())
        for (unsigned i = 0; i < edge.numArgs(); ++i)
          if (!available.count(edge.arg(i)))
            return failAt(inst, "argument " + std::to_string(i) + " (" +
                                    print().valueName(edge.arg(i)) +
                                    ") of the edge to " +
                                    print().blockName(edge.target()) +
                                    " is not a value of this block");
      if (inst.is(Op::CondBr)) {
        const Successor &a = inst.successor(0), &b = inst.successor(1);
        bool same = a.numArgs() == b.numArgs();
        for (unsigned i = 0; same && i < a.numArgs(); ++i)
          same = a.arg(i) == b.arg(i);
        if (!same)
          return failAt(inst, "the two edges of a conditional branch pass "
                              "different values");
      }
    }
  }
  return Status::ok();
}

Status verifyStackForm(const Module &module) {
  for (const auto &function : module.functions())
    if (Status s = verifyStackForm(*function); !s)
      return s;
  return Status::ok();
}

} // namespace bcc
