//===- tests/helpers/OpcodeQuery.cpp - Answer queries on an OpcodeTable ---===//
//
// A test helper for tests/python/test_opcode_tables.py, which compares the
// C++ tables with a live interpreter. Usage: bcc-opcode-query 3.12, then one
// query per line on stdin, one answer per line on stdout ("-" for none):
//
//   constants            -> haveArgument extendedArg cacheOpcode jumpUnit magic
//   info OP              -> NAME hasArg cacheEntries jumpKind flowKind
//                           effectShape effectJumpShape
//   effect OP ARG JUMP   -> dis.stack_effect as the table evaluates it
//   jump OP OFFSET ARG   -> jump target (byte offset)
//   printable CP         -> 1 or 0
//   signature OP ARG JUMP  -> StackSignature::str(), or "-" if none
//   notation OP JUMP       -> the signature's notation, or "-"
//   shape OP ARG JUMP      -> "pops pushes kept | peeked depths | source
//                             input depth of each output depth from the top
//                             ('.' if new) | may-be-NULL output depths"
//
//===----------------------------------------------------------------------===//

#include "ir/Opcodes.h"

#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

using namespace bcc;

namespace {

const char *jumpKindName(JumpKind kind) {
  switch (kind) {
  case JumpKind::None:
    return "None";
  case JumpKind::RelativeForward:
    return "RelativeForward";
  case JumpKind::RelativeBackward:
    return "RelativeBackward";
  case JumpKind::Absolute:
    return "Absolute";
  }
  return "?";
}

const char *shapeName(StackEffectRule::Shape shape) {
  switch (shape) {
  case StackEffectRule::Shape::Constant:
    return "Constant";
  case StackEffectRule::Shape::Linear:
    return "Linear";
  case StackEffectRule::Shape::ByteLinear:
    return "ByteLinear";
  case StackEffectRule::Shape::BitWeights:
    return "BitWeights";
  case StackEffectRule::Shape::Table:
    return "Table";
  }
  return "?";
}

const char *flowKindName(FlowKind kind) {
  switch (kind) {
  case FlowKind::Normal:
    return "Normal";
  case FlowKind::ConditionalJump:
    return "ConditionalJump";
  case FlowKind::UnconditionalJump:
    return "UnconditionalJump";
  case FlowKind::ScopeExit:
    return "ScopeExit";
  }
  return "?";
}

template <typename T> std::string orDash(const std::optional<T> &value) {
  return value ? std::to_string(*value) : "-";
}

std::string answer(const OpcodeTable &table, const std::string &line) {
  std::istringstream in(line);
  std::string query;
  in >> query;
  uint64_t a = 0, b = 0, c = 0;
  if (query == "constants") {
    return std::to_string(table.haveArgument()) + " " +
           std::to_string(table.extendedArg()) + " " +
           orDash(table.cacheOpcode()) + " " +
           std::to_string(table.jumpUnit()) + " " +
           std::to_string(table.magicNumber());
  }
  if (query == "info" && in >> a && a < 256) {
    const OpcodeInfo *info = table.info(uint8_t(a));
    if (!info)
      return "-";
    return std::string(info->name) + " " + (info->hasArg ? "1" : "0") + " " +
           std::to_string(info->cacheEntries) + " " + jumpKindName(info->jump) +
           " " + flowKindName(info->flow) + " " +
           shapeName(info->effect.shape) + " " +
           shapeName(info->effectJump.shape);
  }
  if (query == "effect" && in >> a >> b >> c && a < 256)
    return orDash(table.stackEffect(uint8_t(a), uint32_t(b), c != 0));
  if (query == "jump" && in >> a >> b >> c && a < 256)
    return orDash(table.jumpTarget(uint8_t(a), uint32_t(b), uint32_t(c)));
  if (query == "printable" && in >> a)
    return table.isPrintable(uint32_t(a)) ? "1" : "0";
  if (query == "signature" && in >> a >> b >> c && a < 256) {
    std::optional<StackSignature> sig =
        table.signature(uint8_t(a), uint32_t(b), c != 0);
    return sig ? sig->str() : "-";
  }
  if (query == "notation" && in >> a >> b && a < 256) {
    std::optional<llvm::StringRef> notation =
        table.signatureNotation(uint8_t(a), b != 0);
    return notation ? notation->str() : "-";
  }
  if (query == "shape" && in >> a >> b >> c && a < 256) {
    std::optional<StackSignature> sig =
        table.signature(uint8_t(a), uint32_t(b), c != 0);
    if (!sig)
      return "-";
    std::string text = std::to_string(sig->pops()) + " " +
                       std::to_string(sig->pushes()) + " " +
                       std::to_string(sig->keptSlots()) + " |";
    for (uint32_t depth : sig->peekedDepths())
      text += " " + std::to_string(depth);
    text += " |";
    for (uint32_t depth = 1; depth <= sig->outputSlots(); ++depth) {
      std::optional<uint32_t> source = sig->outputSource(depth);
      text += " " + (source ? std::to_string(*source) : std::string("."));
    }
    text += " |";
    for (uint32_t depth = 1; depth <= sig->outputSlots(); ++depth)
      if (sig->outputMayBeNull(depth))
        text += " " + std::to_string(depth);
    return text;
  }
  return "error: bad query: " + line;
}

} // namespace

int main(int argc, char **argv) {
  std::optional<PythonVersion> version;
  if (argc == 2)
    version = PythonVersion::parse(argv[1]);
  const OpcodeTable *table =
      version ? OpcodeTable::forVersion(*version) : nullptr;
  if (!table) {
    std::fprintf(stderr, "usage: bcc-opcode-query 3.X  (3.8 to 3.15)\n");
    return 2;
  }
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line))
    std::cout << answer(*table, line) << '\n';
  return 0;
}
