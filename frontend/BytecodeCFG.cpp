//===- frontend/BytecodeCFG.cpp - Instructions and blocks of bytecode -----===//

#include "frontend/BytecodeCFG.h"

#include <algorithm>

#include "frontend/BytecodeDecoder.h"

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

// The instructions of the code without their EXTENDED_ARG prefixes, straight
// from the decoder into `instructions`; jump targets are resolved once every
// start is known.
Status BytecodeCFG::decode(const CodeObject &code, const OpcodeTable &table) {
  const uint8_t extendedArg = table.extendedArg();
  instructionAtUnit_.assign(code.codeUnits() + 1, -1);
  instructions.reserve(code.codeUnits());
  jumps_.clear();
  Status decoded = decodeBytecode(
      code, UnknownOpcodes::AreErrors, [&](const DecodedInstruction &ins) {
        if (ins.opcode == extendedArg) // folded into the next instruction
          return;
        if (ins.info->isJump())
          jumps_.push_back(
              {uint32_t(instructions.size()), ins.jumpTarget.value_or(-1)});
        BytecodeInstruction inst;
        inst.offset = ins.offset;
        inst.start = ins.startOffset;
        inst.arg = uint32_t(ins.arg.value_or(0));
        inst.opcode = ins.baseOpcode;
        inst.info = ins.info;
        instructionAtUnit_[ins.startOffset / 2] = int32_t(instructions.size());
        instructions.push_back(inst);
      });
  if (!decoded)
    return decoded;
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
