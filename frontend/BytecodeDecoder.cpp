//===- frontend/BytecodeDecoder.cpp - The one walk over co_code -----------===//

#include "frontend/BytecodeDecoder.h"

#include <string>

namespace bcc {

DecodingFacts::DecodingFacts(const OpcodeTable &table)
    : table(table), signedArgument(table.version().atLeast(3, 11)),
      keepsExtendedArgument(!table.version().atLeast(3, 10)) {
  const bool hasArgByTable = table.version().atLeast(3, 12);
  for (unsigned number = 0; number < 256; ++number) {
    ByteOpcode &byte = bytes[number];
    byte.base = table.deoptimize(uint8_t(number)).value_or(uint8_t(number));
    byte.info = table.info(byte.base);
    byte.cacheEntries = byte.info ? byte.info->cacheEntries : 0;
    byte.isExtendedArg = byte.base == table.extendedArg();
    // 3.12+: `deop in hasarg`; before, `deop >= HAVE_ARGUMENT`, also for
    // a byte that is no opcode.
    byte.takesArgument = hasArgByTable ? byte.info && byte.info->hasArg
                                       : byte.base >= table.haveArgument();
    byte.isJump = byte.info && byte.info->isJump();
  }
}

namespace {

/// "code object 'NAME'": the qualified name where the version has one.
std::string codeObjectName(const CodeObject &code) {
  const std::string &name =
      code.qualName.utf8.empty() ? code.name.utf8 : code.qualName.utf8;
  return "code object '" + name + "'";
}

} // namespace

namespace detail {

Expected<const DecodingFacts *> startDecoding(const CodeObject &code) {
  const OpcodeTable *table = OpcodeTable::forVersion(code.version);
  if (!table)
    return Error(codeObjectName(code) + ": unsupported Python version " +
                 code.version.str());
  if (code.code.size() % 2)
    return Error(codeObjectName(code) + ": co_code has odd length " +
                 std::to_string(code.code.size()));
  return &versionFacts<DecodingFacts>(*table);
}

Error unknownOpcode(const CodeObject &code, uint32_t offset, uint8_t opcode) {
  return Error(codeObjectName(code) + ", offset " + std::to_string(offset) +
               ": unknown opcode " + std::to_string(opcode));
}

} // namespace detail

Expected<std::vector<DecodedInstruction>>
decodeInstructions(const CodeObject &code) {
  std::vector<DecodedInstruction> out;
  out.reserve(code.code.size() / 2); // at most one per code unit
  Status decoded = decodeBytecode(
      code, UnknownOpcodes::Keep,
      [&out](const DecodedInstruction &ins) { out.push_back(ins); });
  if (!decoded)
    return decoded.error();
  return out;
}

} // namespace bcc
