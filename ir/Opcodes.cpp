//===- ir/Opcodes.cpp - Per-version CPython opcode tables -----------------===//
//
// The data lives in ir/generated/*.inc, written by scripts/gen_tables.py; this
// file defines the few helpers those files are written in (op(), constant(),
// linear(), input(), output(), sig(), ... and the data structs), includes one
// pair of files per version in its own namespace, and answers queries on
// them.
//
//===----------------------------------------------------------------------===//

#include "ir/Opcodes.h"

#include <algorithm>
#include <cassert>
#include <climits>

namespace bcc {

/// How many slots a signature item spans, as a function of the argument:
/// ((arg >> shift) & mask) * scale + offset, or, if `equals`, 1 when
/// ((arg >> shift) & mask) == offset and 0 otherwise. A fixed count has
/// mask 0.
struct StackCountSpec {
  bool equals;
  uint8_t shift;
  uint32_t mask;
  int32_t scale;
  int32_t offset;

  /// nullopt when the count would be negative or above INT32_MAX.
  std::optional<uint32_t> evaluate(uint32_t arg) const {
    int64_t field = int64_t((arg >> shift) & mask);
    int64_t value =
        equals ? (field == offset ? 1 : 0) : field * scale + int64_t(offset);
    if (value < 0 || value > INT32_MAX)
      return std::nullopt;
    return uint32_t(value);
  }
};

/// One input or output item of a signature, as the generated files list it.
struct StackItemSpec {
  const char *name;
  StackCountSpec count;
  bool isOutput;
  int8_t source; ///< outputs: input index, or -1 for a new value
  bool maybeNull;
};

/// One path's signature: `inputs` then `outputs` consecutive items of the
/// version's item array, starting at `firstItem`.
struct StackPathSpec {
  uint16_t firstItem;
  uint8_t inputs;
  uint8_t outputs;
  const char *notation;
};

struct OpcodeSignatureSpec {
  uint8_t opcode;
  StackPathSpec fallThrough;
  StackPathSpec jump;
};

/// One version's opcode data, as a generated Opcodes_3_X.inc spells it.
struct OpcodeTableData {
  PythonVersion version;
  uint16_t magicNumber;
  uint8_t haveArgument;
  uint8_t extendedArg;
  int16_t cacheOpcode; ///< -1 before 3.11
  uint8_t jumpUnit;
  llvm::ArrayRef<OpcodeInfo> opcodes; ///< sorted by number
  llvm::ArrayRef<AdaptiveOpcode> adaptiveOpcodes;
  llvm::ArrayRef<const char *> compareOps;
  llvm::ArrayRef<const char *> binaryOpNames;
  llvm::ArrayRef<const char *> binaryOps;
  llvm::ArrayRef<const char *> intrinsic1;
  llvm::ArrayRef<const char *> intrinsic2;
  llvm::ArrayRef<const char *> formatValueConverters;
  llvm::ArrayRef<const char *> makeFunctionFlags;
  llvm::ArrayRef<CompilerFlagName> compilerFlagNames;
  llvm::ArrayRef<const char *> commonConstants;    ///< empty before 3.14
  llvm::ArrayRef<const char *> specialMethodNames; ///< empty before 3.14
  llvm::ArrayRef<StackItemSpec> stackItems;       ///< empty before 3.11
  llvm::ArrayRef<OpcodeSignatureSpec> signatures; ///< sorted by opcode
};

/// One version's Unicode data, as a generated Unicode_3_X.inc spells it.
struct UnicodeData {
  const char *version;
  llvm::ArrayRef<CodePointRange> nonPrintable; ///< sorted, disjoint
};

namespace {

// The vocabulary of the generated files.
enum OpcodeFlags : unsigned {
  NoFlags = 0,
  HasArg = 1 << 0,
  HasConst = 1 << 1,
  HasName = 1 << 2,
  HasLocal = 1 << 3,
  HasFree = 1 << 4,
  HasCompare = 1 << 5,
  HasExc = 1 << 6,
};

constexpr OpcodeInfo op(uint8_t number, const char *name, unsigned flags,
                        JumpKind jump, FlowKind flow, uint8_t cacheEntries,
                        StackEffectRule effect, StackEffectRule effectJump) {
  return OpcodeInfo{name,
                    number,
                    (flags & HasArg) != 0,
                    (flags & HasConst) != 0,
                    (flags & HasName) != 0,
                    (flags & HasLocal) != 0,
                    (flags & HasFree) != 0,
                    (flags & HasCompare) != 0,
                    (flags & HasExc) != 0,
                    jump,
                    flow,
                    cacheEntries,
                    effect,
                    effectJump};
}

constexpr StackEffectRule constant(int32_t c) {
  return StackEffectRule::constant(c);
}
constexpr StackEffectRule linear(int32_t c, int32_t k) {
  return StackEffectRule::linear(c, k);
}
constexpr StackEffectRule byteLinear(int32_t c, int32_t low, int32_t high) {
  return StackEffectRule::byteLinear(c, low, high);
}
constexpr StackEffectRule bitWeights(int32_t c, std::array<int8_t, 8> w) {
  return StackEffectRule::bitWeights(c, w);
}
constexpr StackEffectRule table(const int16_t *values) {
  return StackEffectRule::table(values);
}

constexpr uint32_t kAllBits = 0xFFFFFFFFu;
constexpr StackCountSpec fixed(int32_t n) {
  return StackCountSpec{false, 0, 0, 0, n};
}
constexpr StackCountSpec field(uint8_t shift, uint32_t mask, int32_t scale,
                               int32_t offset) {
  return StackCountSpec{false, shift, mask, scale, offset};
}
constexpr StackCountSpec fieldEquals(uint8_t shift, uint32_t mask,
                                     int32_t value) {
  return StackCountSpec{true, shift, mask, 0, value};
}
constexpr StackItemSpec input(const char *name, StackCountSpec count) {
  return StackItemSpec{name, count, false, -1, false};
}
constexpr StackItemSpec output(const char *name, StackCountSpec count,
                               int8_t source, bool maybeNull) {
  return StackItemSpec{name, count, true, source, maybeNull};
}
constexpr StackPathSpec path(uint16_t firstItem, uint8_t inputs,
                             uint8_t outputs, const char *notation) {
  return StackPathSpec{firstItem, inputs, outputs, notation};
}
constexpr OpcodeSignatureSpec sig(uint8_t opcode, StackPathSpec fallThrough,
                                  StackPathSpec jump) {
  return OpcodeSignatureSpec{opcode, fallThrough, jump};
}
constexpr OpcodeSignatureSpec sig(uint8_t opcode, StackPathSpec both) {
  return OpcodeSignatureSpec{opcode, both, both};
}

namespace v3_8 {
#include "ir/generated/Opcodes_3_8.inc"
#include "ir/generated/Unicode_3_8.inc"
} // namespace v3_8
namespace v3_9 {
#include "ir/generated/Opcodes_3_9.inc"
#include "ir/generated/Unicode_3_9.inc"
} // namespace v3_9
namespace v3_10 {
#include "ir/generated/Opcodes_3_10.inc"
#include "ir/generated/Unicode_3_10.inc"
} // namespace v3_10
namespace v3_11 {
#include "ir/generated/Opcodes_3_11.inc"
#include "ir/generated/Unicode_3_11.inc"
} // namespace v3_11
namespace v3_12 {
#include "ir/generated/Opcodes_3_12.inc"
#include "ir/generated/Unicode_3_12.inc"
} // namespace v3_12
namespace v3_13 {
#include "ir/generated/Opcodes_3_13.inc"
#include "ir/generated/Unicode_3_13.inc"
} // namespace v3_13
namespace v3_14 {
#include "ir/generated/Opcodes_3_14.inc"
#include "ir/generated/Unicode_3_14.inc"
} // namespace v3_14
namespace v3_15 {
#include "ir/generated/Opcodes_3_15.inc"
#include "ir/generated/Unicode_3_15.inc"
} // namespace v3_15

} // namespace

std::optional<int> StackEffectRule::evaluateShape(uint32_t arg) const {
  int64_t value = base;
  switch (shape) {
  case Shape::Constant:
    break;
  case Shape::Linear:
    value += int64_t(perArg) * arg;
    break;
  case Shape::ByteLinear:
    value += int64_t(perArg) * (arg & 0xff) + int64_t(perHighArg) * (arg >> 8);
    break;
  case Shape::BitWeights:
    for (unsigned bit = 0; bit < weights.size(); ++bit)
      if ((arg >> bit) & 1)
        value += weights[bit];
    break;
  case Shape::Table:
    if (arg > 255)
      return std::nullopt;
    value = tableValues[arg];
    break;
  }
  if (value < INT_MIN || value > INT_MAX)
    return std::nullopt;
  return int(value);
}

/// Whether `test` holds for an output item of signature `index`, on either
/// path.
static bool
anyOutputItem(const OpcodeTableData &data, int16_t index,
              llvm::function_ref<bool(const StackItemSpec &)> test) {
  const OpcodeSignatureSpec &spec = data.signatures[index];
  for (const StackPathSpec *onePath : {&spec.fallThrough, &spec.jump})
    for (unsigned i = 0; i < onePath->outputs; ++i)
      if (test(data.stackItems[onePath->firstItem + onePath->inputs + i]))
        return true;
  return false;
}

OpcodeTable::OpcodeTable(const OpcodeTableData &opcodeData,
                         const UnicodeData &unicodeData)
    : data(opcodeData), unicode(unicodeData) {
  signatureByNumber.fill(-1);
  for (size_t i = 0; i < data.signatures.size(); ++i) {
    const OpcodeSignatureSpec &spec = data.signatures[i];
    assert(signatureByNumber[spec.opcode] == -1 && "signature listed twice");
    for (const StackPathSpec &onePath : {spec.fallThrough, spec.jump}) {
      (void)onePath;
      assert(size_t(onePath.firstItem) + onePath.inputs + onePath.outputs <=
                 data.stackItems.size() &&
             "signature items out of range");
    }
    signatureByNumber[spec.opcode] = int16_t(i);
  }
  infoByNumber.fill(nullptr);
  for (size_t i = 0; i < data.opcodes.size(); ++i) {
    uint8_t number = data.opcodes[i].number;
    assert(!infoByNumber[number] && "opcode listed twice");
    infoByNumber[number] = &data.opcodes[i];
    numbersByName.push_back(number);
  }
  for (unsigned op = 0; op < 256; ++op) {
    int16_t index = signatureByNumber[op];
    if (index < 0)
      continue;
    mayOutputNull_[op] = anyOutputItem(
        data, index, [](const StackItemSpec &s) { return s.maybeNull; });
    outputsAreNew_[op] = !anyOutputItem(
        data, index, [](const StackItemSpec &s) { return s.source >= 0; });
  }
  std::sort(
      numbersByName.begin(), numbersByName.end(), [&](uint8_t a, uint8_t b) {
        return llvm::StringRef(info(a)->name) < llvm::StringRef(info(b)->name);
      });
  // RETURN_GENERATOR's stack_effect says 0 on 3.11 and 3.12, although it
  // pushes the generator (see stackDepthCorrection()).
  if (data.version.atLeast(3, 11) && !data.version.atLeast(3, 13))
    if (std::optional<uint8_t> op = lookup("RETURN_GENERATOR"))
      returnGeneratorCorrected = *op;
}

const OpcodeTable *OpcodeTable::forVersion(PythonVersion version) {
  static const OpcodeTable tables[] = {
      {v3_8::kOpcodeData, v3_8::kUnicodeData},
      {v3_9::kOpcodeData, v3_9::kUnicodeData},
      {v3_10::kOpcodeData, v3_10::kUnicodeData},
      {v3_11::kOpcodeData, v3_11::kUnicodeData},
      {v3_12::kOpcodeData, v3_12::kUnicodeData},
      {v3_13::kOpcodeData, v3_13::kUnicodeData},
      {v3_14::kOpcodeData, v3_14::kUnicodeData},
      {v3_15::kOpcodeData, v3_15::kUnicodeData},
  };
  for (const OpcodeTable &table : tables)
    if (table.version() == version)
      return &table;
  return nullptr;
}

PythonVersion OpcodeTable::version() const { return data.version; }
uint16_t OpcodeTable::magicNumber() const { return data.magicNumber; }

std::optional<uint8_t> OpcodeTable::lookup(llvm::StringRef name) const {
  auto it =
      std::lower_bound(numbersByName.begin(), numbersByName.end(), name,
                       [&](uint8_t number, llvm::StringRef wanted) {
                         return llvm::StringRef(info(number)->name) < wanted;
                       });
  if (it == numbersByName.end() || name != info(*it)->name)
    return std::nullopt;
  return *it;
}

llvm::ArrayRef<OpcodeInfo> OpcodeTable::opcodes() const { return data.opcodes; }

uint8_t OpcodeTable::haveArgument() const { return data.haveArgument; }
uint8_t OpcodeTable::extendedArg() const { return data.extendedArg; }

std::optional<uint8_t> OpcodeTable::cacheOpcode() const {
  if (data.cacheOpcode < 0)
    return std::nullopt;
  return uint8_t(data.cacheOpcode);
}

unsigned OpcodeTable::jumpUnit() const { return data.jumpUnit; }

int64_t OpcodeTable::rawJumpTarget(const OpcodeInfo &info, int64_t offset,
                                   int64_t arg) const {
  int64_t next = offset + 2 + 2 * int64_t(info.cacheEntries);
  int64_t distance = arg * int64_t(data.jumpUnit);
  switch (info.jump) {
  case JumpKind::RelativeForward:
    return next + distance;
  case JumpKind::RelativeBackward:
    return next - distance;
  case JumpKind::Absolute:
    return distance;
  case JumpKind::None:
    break;
  }
  return -1;
}

std::optional<uint32_t> OpcodeTable::jumpTarget(uint8_t op, uint32_t offset,
                                                uint32_t arg) const {
  const OpcodeInfo *opInfo = info(op);
  if (!opInfo || !opInfo->isJump())
    return std::nullopt;
  int64_t target = rawJumpTarget(*opInfo, offset, arg);
  if (target < 0 || target > int64_t(UINT32_MAX))
    return std::nullopt;
  return uint32_t(target);
}

std::optional<uint32_t> OpcodeTable::jumpArgument(uint8_t op, uint32_t offset,
                                                  uint32_t target) const {
  const OpcodeInfo *opInfo = info(op);
  if (!opInfo)
    return std::nullopt;
  int64_t next = int64_t(offset) + 2 + 2 * int64_t(opInfo->cacheEntries);
  int64_t distance = 0;
  switch (opInfo->jump) {
  case JumpKind::None:
    return std::nullopt;
  case JumpKind::RelativeForward:
    distance = int64_t(target) - next;
    break;
  case JumpKind::RelativeBackward:
    distance = next - int64_t(target);
    break;
  case JumpKind::Absolute:
    distance = target;
    break;
  }
  if (distance < 0 || distance % data.jumpUnit != 0 ||
      distance / data.jumpUnit > int64_t(UINT32_MAX))
    return std::nullopt;
  return uint32_t(distance / data.jumpUnit);
}

bool OpcodeTable::hasStackSignatures() const {
  return !data.signatures.empty();
}

/// Evaluates the item counts of one path of signature `index` for `arg`,
/// calling visit(item, count) for each item in order (inputs first). The
/// slot totals, or nullopt where a count does not evaluate or a total
/// exceeds INT32_MAX (items may have been visited by then).
template <typename Visit>
static std::optional<OpcodeTable::StackSlots>
evaluateItems(const OpcodeTableData &data, int16_t index, uint32_t arg,
              bool jump, Visit visit) {
  const OpcodeSignatureSpec &spec = data.signatures[index];
  const StackPathSpec &onePath = jump ? spec.jump : spec.fallThrough;
  uint64_t inputTotal = 0, outputTotal = 0;
  for (unsigned i = 0; i < unsigned(onePath.inputs) + onePath.outputs; ++i) {
    const StackItemSpec &item = data.stackItems[onePath.firstItem + i];
    std::optional<uint32_t> count = item.count.evaluate(arg);
    if (!count)
      return std::nullopt;
    assert(item.isOutput == (i >= onePath.inputs) && "items out of order");
    (item.isOutput ? outputTotal : inputTotal) += *count;
    visit(item, *count);
  }
  if (inputTotal > INT32_MAX || outputTotal > INT32_MAX)
    return std::nullopt;
  return OpcodeTable::StackSlots{uint32_t(inputTotal), uint32_t(outputTotal)};
}

std::optional<StackSignature> OpcodeTable::signature(uint8_t op, uint32_t arg,
                                                     bool jump) const {
  int16_t index = signatureByNumber[op];
  if (index < 0)
    return std::nullopt;
  StackSignature result;
  auto add = [&](const StackItemSpec &item, uint32_t count) {
    StackItem evaluated;
    evaluated.name = item.name;
    evaluated.count = count;
    evaluated.source = item.source;
    evaluated.maybeNull = item.maybeNull;
    (item.isOutput ? result.outputs : result.inputs).push_back(evaluated);
  };
  if (!evaluateItems(data, index, arg, jump, add))
    return std::nullopt;
  return result;
}

std::optional<OpcodeTable::StackSlots>
OpcodeTable::stackSlots(uint8_t op, uint32_t arg, bool jump) const {
  int16_t index = signatureByNumber[op];
  if (index < 0)
    return std::nullopt;
  return evaluateItems(data, index, arg, jump,
                       [](const StackItemSpec &, uint32_t) {});
}

/// The argument bits the item counts of one path of signature `index`
/// depend on (clamped to 32 bits).
static uint32_t countArgBits(const OpcodeTableData &data, int16_t index,
                             bool jump) {
  const OpcodeSignatureSpec &spec = data.signatures[index];
  const StackPathSpec &onePath = jump ? spec.jump : spec.fallThrough;
  uint64_t bits = 0;
  for (unsigned i = 0; i < unsigned(onePath.inputs) + onePath.outputs; ++i) {
    const StackCountSpec &count = data.stackItems[onePath.firstItem + i].count;
    bits |= uint64_t(count.mask) << count.shift;
  }
  return uint32_t(std::min<uint64_t>(bits, UINT32_MAX));
}

bool OpcodeTable::signatureUsesArgument(uint8_t op) const {
  int16_t index = signatureByNumber[op];
  return index >= 0 && (countArgBits(data, index, false) |
                        countArgBits(data, index, true)) != 0;
}


std::optional<OpcodeTable::StackSlots>
OpcodeTable::outputSlots(uint8_t op, uint32_t arg, bool jump,
                         llvm::SmallVectorImpl<OutputSlot> &outputs) const {
  outputs.clear();
  int16_t index = signatureByNumber[op];
  if (index < 0)
    return std::nullopt;
  // Where each input item starts, counted in slots from the deepest input;
  // each output item with its count. The slots are listed once the totals
  // are known to be in range.
  llvm::SmallVector<uint64_t, 8> inputStart;
  llvm::SmallVector<std::pair<const StackItemSpec *, uint32_t>, 8> outputItems;
  uint64_t inputsSoFar = 0;
  std::optional<StackSlots> slots = evaluateItems(
      data, index, arg, jump, [&](const StackItemSpec &item, uint32_t count) {
        if (item.isOutput) {
          outputItems.push_back({&item, count});
        } else {
          inputStart.push_back(inputsSoFar);
          inputsSoFar += count;
        }
      });
  if (!slots)
    return std::nullopt;
  for (const auto &[item, count] : outputItems)
    for (uint32_t k = 0; k < count; ++k) {
      OutputSlot slot;
      slot.maybeNull = item->maybeNull;
      if (item->source >= 0)
        slot.source = uint32_t(slots->inputs -
                               (inputStart[size_t(item->source)] + k));
      outputs.push_back(slot);
    }
  return slots;
}

uint32_t OpcodeTable::stackArgBits(uint8_t op, bool jump) const {
  int16_t index = signatureByNumber[op];
  const OpcodeInfo *opInfo = info(op);
  if (index < 0 || !opInfo)
    return UINT32_MAX;
  uint64_t bits = 0;
  const StackEffectRule &effect = jump ? opInfo->effectJump : opInfo->effect;
  switch (effect.shape) {
  case StackEffectRule::Shape::Constant:
    break;
  case StackEffectRule::Shape::BitWeights:
    for (unsigned bit = 0; bit < effect.weights.size(); ++bit)
      if (effect.weights[bit])
        bits |= uint64_t(1) << bit;
    break;
  default:
    return UINT32_MAX;
  }
  return uint32_t(bits) | countArgBits(data, index, jump);
}

std::optional<llvm::StringRef> OpcodeTable::signatureNotation(uint8_t op,
                                                              bool jump) const {
  int16_t index = signatureByNumber[op];
  if (index < 0)
    return std::nullopt;
  const OpcodeSignatureSpec &spec = data.signatures[index];
  return llvm::StringRef(jump ? spec.jump.notation : spec.fallThrough.notation);
}

uint32_t StackSignature::inputSlots() const {
  uint32_t total = 0;
  for (const StackItem &item : inputs)
    total += item.count;
  return total;
}

uint32_t StackSignature::outputSlots() const {
  uint32_t total = 0;
  for (const StackItem &item : outputs)
    total += item.count;
  return total;
}

int StackSignature::effect() const {
  return int(int64_t(outputSlots()) - int64_t(inputSlots()));
}

uint32_t StackSignature::keptSlots() const {
  uint32_t kept = 0;
  for (size_t i = 0; i < outputs.size() && i < inputs.size(); ++i) {
    if (outputs[i].source != int(i))
      break;
    kept += outputs[i].count;
  }
  return kept;
}

std::vector<uint32_t> StackSignature::peekedDepths() const {
  // Kept items are items 0..k-1 of both lists; a slot at offset `o` from the
  // bottom of the signature is at depth kept - o once the pops are done.
  std::vector<uint32_t> depths;
  uint32_t kept = keptSlots(), offset = 0;
  for (size_t i = 0; i < outputs.size() && i < inputs.size(); ++i) {
    if (outputs[i].source != int(i))
      break;
    if (inputs[i].isRead())
      for (uint32_t slot = 0; slot < inputs[i].count; ++slot)
        depths.push_back(kept - (offset + slot));
    offset += inputs[i].count;
  }
  std::reverse(depths.begin(), depths.end());
  return depths;
}

namespace {

/// The item of `items` that holds the slot at `offset` from the bottom, and
/// the slot's offset within it.
template <typename Items>
std::optional<std::pair<size_t, uint32_t>> itemAt(const Items &items,
                                                  uint32_t offset) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (offset < items[i].count)
      return std::make_pair(i, offset);
    offset -= items[i].count;
  }
  return std::nullopt;
}

} // namespace

std::optional<uint32_t> StackSignature::outputSource(uint32_t depth) const {
  uint32_t total = outputSlots();
  if (depth == 0 || depth > total)
    return std::nullopt;
  auto found = itemAt(outputs, total - depth);
  if (!found || outputs[found->first].source < 0)
    return std::nullopt;
  size_t source = size_t(outputs[found->first].source);
  uint32_t inputOffset = found->second;
  for (size_t i = 0; i < source; ++i)
    inputOffset += inputs[i].count;
  return inputSlots() - inputOffset;
}

bool StackSignature::outputMayBeNull(uint32_t depth) const {
  uint32_t total = outputSlots();
  if (depth == 0 || depth > total)
    return false;
  auto found = itemAt(outputs, total - depth);
  return found && outputs[found->first].maybeNull;
}

std::string StackSignature::str() const {
  std::string text;
  for (const StackItem &item : inputs) {
    text += item.name.str() + ":" + std::to_string(item.count) + " ";
  }
  text += "--";
  for (const StackItem &item : outputs) {
    text += " " + item.name.str() + ":" + std::to_string(item.count);
    if (item.source >= 0)
      text += "=" + std::to_string(item.source);
    if (item.maybeNull)
      text += "?";
  }
  return text;
}

llvm::ArrayRef<AdaptiveOpcode> OpcodeTable::adaptiveOpcodes() const {
  return data.adaptiveOpcodes;
}

std::optional<uint8_t> OpcodeTable::deoptimize(uint8_t number) const {
  if (info(number))
    return number;
  for (const AdaptiveOpcode &adaptive : data.adaptiveOpcodes)
    if (adaptive.number == number && adaptive.baseOpcode >= 0)
      return uint8_t(adaptive.baseOpcode);
  return std::nullopt;
}

llvm::ArrayRef<const char *> OpcodeTable::compareOps() const {
  return data.compareOps;
}
llvm::ArrayRef<const char *> OpcodeTable::binaryOps() const {
  return data.binaryOps;
}
llvm::ArrayRef<const char *> OpcodeTable::binaryOpNames() const {
  return data.binaryOpNames;
}
llvm::ArrayRef<const char *> OpcodeTable::intrinsic1() const {
  return data.intrinsic1;
}
llvm::ArrayRef<const char *> OpcodeTable::intrinsic2() const {
  return data.intrinsic2;
}
llvm::ArrayRef<const char *> OpcodeTable::formatValueConverters() const {
  return data.formatValueConverters;
}
llvm::ArrayRef<const char *> OpcodeTable::makeFunctionFlags() const {
  return data.makeFunctionFlags;
}
llvm::ArrayRef<CompilerFlagName> OpcodeTable::compilerFlagNames() const {
  return data.compilerFlagNames;
}

llvm::ArrayRef<const char *> OpcodeTable::commonConstants() const {
  return data.commonConstants;
}

llvm::ArrayRef<const char *> OpcodeTable::specialMethodNames() const {
  return data.specialMethodNames;
}

llvm::StringRef OpcodeTable::unicodeVersion() const { return unicode.version; }

bool OpcodeTable::isPrintable(uint32_t codePoint) const {
  if (codePoint > 0x10FFFF)
    return false;
  // The first non-printable range that ends at or after codePoint.
  auto it = std::lower_bound(
      unicode.nonPrintable.begin(), unicode.nonPrintable.end(), codePoint,
      [](const CodePointRange &range, uint32_t cp) { return range.last < cp; });
  return it == unicode.nonPrintable.end() || codePoint < it->first;
}

bool isPrintable(PythonVersion version, uint32_t codePoint) {
  if (const OpcodeTable *table = OpcodeTable::forVersion(version))
    return table->isPrintable(codePoint);
  return codePoint >= 0x20 && codePoint < 0x7F;
}

} // namespace bcc
