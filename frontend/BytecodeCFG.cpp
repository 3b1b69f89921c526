//===- frontend/BytecodeCFG.cpp - Instructions and blocks of bytecode -----===//

#include "frontend/BytecodeCFG.h"

#include <algorithm>

namespace bcc {

Error liftError(const CodeObject &code, uint32_t offset,
                const std::string &message) {
  return Error("code object '" + code.qualName.utf8 + "', offset " +
               std::to_string(offset) + ": " + message);
}

int32_t BytecodeCFG::instructionAt(uint64_t offset) const {
  if (offset == codeBytes_)
    return int32_t(instructions.size());
  if (offset % 2 || offset > codeBytes_)
    return -1;
  return instructionAtUnit_[size_t(offset / 2)];
}

Status BytecodeCFG::build(const CodeObject &code, const OpcodeTable &table) {
  instructions.clear();
  handlers.clear();
  blocks.clear();
  codeBytes_ = code.code.size();
  if (Status s = decode(code, table); !s)
    return s;
  return findBlocks(code);
}

// The same decoding as decodeInstructions() (frontend/Disassembler.h), and
// the same errors, without building its vector of DecodedInstruction:
// lifting decodes every code object, and that copy was a good part of the
// cost.
Status BytecodeCFG::decode(const CodeObject &code, const OpcodeTable &table) {
  if (!OpcodeTable::forVersion(code.version))
    return Error("code object '" + code.qualName.utf8 +
                 "': unsupported Python version " + code.version.str());
  if (code.code.size() % 2)
    return Error("code object '" + code.qualName.utf8 + "': co_code of '" +
                 code.name.utf8 + "' has odd length " +
                 std::to_string(code.code.size()));
  const OpcodeTable &decodeTable = *OpcodeTable::forVersion(code.version);
  const bool hasArgByTable = decodeTable.version().atLeast(3, 12);
  auto describe = [&](uint8_t op, bool deoptimize) {
    ByteInfo byte;
    byte.base = op;
    byte.info = decodeTable.info(op);
    if (!byte.info && deoptimize) {
      byte.base = decodeTable.deoptimize(op).value_or(op);
      byte.info = decodeTable.info(byte.base);
    }
    byte.cacheEntries = byte.info ? byte.info->cacheEntries : 0;
    byte.isExtendedArg = byte.base == decodeTable.extendedArg();
    byte.takesArgument = hasArgByTable
                             ? byte.info && byte.info->hasArg
                             : byte.base >= decodeTable.haveArgument();
    return byte;
  };
  if (byteTable_ != &decodeTable) {
    // Bytes that are no real opcode (info null) are described again below
    // when met: deoptimizing all of them here would cost more than real
    // code ever needs.
    byteTable_ = &decodeTable;
    for (unsigned op = 0; op < 256; ++op)
      byteInfo_[op] = describe(uint8_t(op), false);
  }
  const PythonVersion v = code.version;
  const bool signedArg = v.atLeast(3, 11);
  const bool keepsExtended = !v.atLeast(3, 10);
  const uint8_t skippedOpcode = table.extendedArg();
  const auto *bytes = reinterpret_cast<const unsigned char *>(code.code.data());
  const uint32_t size = uint32_t(code.code.size());

  instructionAtUnit_.assign(code.codeUnits() + 1, -1);
  instructions.reserve(code.codeUnits());
  jumps_.clear();
  int64_t extended = 0;
  uint32_t prefixes = 0; // EXTENDED_ARG units right before this one
  for (uint32_t i = 0; i < size; i += 2) {
    uint8_t opcode = bytes[i];
    ByteInfo specialized;
    const ByteInfo *found = &byteInfo_[opcode];
    if (!found->info) {
      specialized = describe(opcode, true);
      found = &specialized;
    }
    const ByteInfo &byte = *found;
    const OpcodeInfo *info = byte.info;
    uint8_t base = byte.base;
    uint32_t cacheEntries = byte.cacheEntries;
    bool isExtendedArg = byte.isExtendedArg;
    std::optional<int64_t> arg;
    if (byte.takesArgument) {
      arg = int64_t(bytes[i + 1]) | extended;
      extended = isExtendedArg ? int64_t(uint64_t(*arg) << 8) : 0;
      // 3.11+: "The oparg is stored as a signed integer".
      if (signedArg && extended >= (int64_t(1) << 31))
        extended -= int64_t(1) << 32;
    } else if (!keepsExtended) {
      extended = 0;
    }
    uint32_t startOffset = isExtendedArg ? i : i - 2 * prefixes;
    prefixes = isExtendedArg ? prefixes + 1 : 0;
    // The caches after this instruction.
    uint32_t next = i + 2;
    i += 2 * cacheEntries;

    if (opcode == skippedOpcode)
      continue;
    if (!info) // decoding itself has no later errors, so this comes first
      return liftError(code, next - 2,
                       "unknown opcode " + std::to_string(opcode));
    if (info->isJump()) {
      int64_t target =
          arg ? decodeTable.rawJumpTarget(*info, next - 2, *arg) : -1;
      jumps_.push_back({uint32_t(instructions.size()), target});
    }
    BytecodeInstruction inst;
    inst.offset = next - 2;
    inst.start = startOffset;
    inst.arg = uint32_t(arg.value_or(0));
    inst.opcode = base;
    inst.info = info;
    instructionAtUnit_[startOffset / 2] = int32_t(instructions.size());
    instructions.push_back(inst);
  }
  // Jump targets, now that every start is known.
  for (const auto &[index, target] : jumps_) {
    BytecodeInstruction &inst = instructions[index];
    int32_t targetIndex = target < 0 || target >= int64_t(codeBytes_)
                              ? -1
                              : instructionAt(uint64_t(target));
    if (targetIndex < 0)
      return liftError(code, inst.offset,
                       opname(inst) + " jumps to offset " +
                           std::to_string(target) +
                           ", which is not an instruction of the code");
    inst.target = targetIndex;
  }
  if (instructions.empty())
    return Error("code object '" + code.qualName.utf8 + "' has no code");
  return Status::ok();
}

Status BytecodeCFG::findBlocks(const CodeObject &code) {
  Expected<std::vector<ExceptionTableEntry>> table =
      decodeExceptionTable(code.exceptionTable);
  if (!table)
    return Error("code object '" + code.qualName.utf8 +
                 "': exception table: " + table.error().message);
  handlers = std::move(*table);
  std::sort(handlers.begin(), handlers.end(),
            [](const ExceptionTableEntry &a, const ExceptionTableEntry &b) {
              return a.start < b.start;
            });

  size_t n = instructions.size();
  leader_.assign(n + 1, 0);
  leader_[0] = 1;
  for (size_t e = 0; e < handlers.size(); ++e) {
    const ExceptionTableEntry &entry = handlers[e];
    int32_t start = instructionAt(entry.start), end = instructionAt(entry.end),
            target = instructionAt(entry.target);
    if (start < 0 || end < 0 || target < 0 || target == int32_t(n) ||
        entry.start >= entry.end ||
        (e > 0 && entry.start < handlers[e - 1].end))
      return liftError(code, entry.start,
                       "exception-table entry [" + std::to_string(entry.start) +
                           ", " + std::to_string(entry.end) + ") -> " +
                           std::to_string(entry.target) +
                           " does not fit the instructions");
    leader_[size_t(start)] = leader_[size_t(end)] = leader_[size_t(target)] = 1;
    for (int32_t i = start; i < end; ++i)
      instructions[size_t(i)].handler = int32_t(e);
  }
  for (size_t i = 0; i < n; ++i) {
    const BytecodeInstruction &inst = instructions[i];
    if (inst.target >= 0)
      leader_[size_t(inst.target)] = 1;
    if (inst.info->flow != FlowKind::Normal)
      leader_[i + 1] = 1;
  }

  blockAtInstruction_.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    if (!leader_[i])
      continue;
    if (!blocks.empty())
      blocks.back().end = uint32_t(i);
    blockAtInstruction_[i] = int32_t(blocks.size());
    BytecodeBlock block;
    block.first = uint32_t(i);
    block.handler = instructions[i].handler;
    blocks.push_back(block);
  }
  blocks.back().end = uint32_t(n);
  return Status::ok();
}

} // namespace bcc
