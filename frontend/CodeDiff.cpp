//===- frontend/CodeDiff.cpp - Why two code objects differ ----------------===//

#include "frontend/CodeDiff.h"

#include "frontend/BytecodeDecoder.h"
#include "frontend/ExceptionTable.h"
#include "frontend/LineTable.h"

#include <algorithm>

namespace bcc {

namespace {

/// The real instructions (EXTENDED_ARG prefixes folded into their
/// instruction), or nothing when the code does not decode.
std::vector<DecodedInstruction> realInstructions(const CodeObject &code) {
  Expected<std::vector<DecodedInstruction>> all = decodeInstructions(code);
  std::vector<DecodedInstruction> out;
  if (!all)
    return out;
  const OpcodeTable *table = OpcodeTable::forVersion(code.version);
  for (const DecodedInstruction &d : *all)
    if (!table || !d.isExtendedArg(*table))
      out.push_back(d);
  return out;
}

std::string opName(const DecodedInstruction &d) {
  return d.info ? d.info->name : "<" + std::to_string(d.opcode) + ">";
}

std::string describe(const DecodedInstruction &d) {
  std::string s = opName(d);
  if (d.arg)
    s += " " + std::to_string(*d.arg);
  return s;
}

std::string describe(const SourcePosition &p) {
  if (!p.line && !p.column)
    return "no location";
  auto field = [](std::optional<int32_t> v) {
    return v ? std::to_string(*v) : std::string("?");
  };
  return field(p.line) + ":" + field(p.column) + "-" + field(p.endLine) +
         ":" + field(p.endColumn);
}

std::string describe(const ExceptionTableEntry &e) {
  return std::to_string(e.start) + "-" + std::to_string(e.end) + " -> " +
         std::to_string(e.target) + " depth " + std::to_string(e.depth) +
         (e.lasti ? " lasti" : "");
}

CodeDifference codeDifference(const CodeObject &before,
                              const CodeObject &after) {
  std::vector<DecodedInstruction> a = realInstructions(before);
  std::vector<DecodedInstruction> b = realInstructions(after);
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    // Jump arguments are compared through their targets' instruction
    // indices below, so that a difference earlier in the code is reported
    // where it is rather than at every jump across it.
    if (a[i].opcode == b[i].opcode && a[i].arg == b[i].arg)
      continue;
    std::string where = "instruction " + std::to_string(i) + " (offset " +
                        std::to_string(a[i].offset) + ")";
    return {"co_code", "code " + opName(a[i]) + " -> " + opName(b[i]),
            "co_code differs at " + where + ": " + describe(a[i]) + " -> " +
                describe(b[i])};
  }
  if (a.size() != b.size()) {
    const std::vector<DecodedInstruction> &longer = a.size() > b.size() ? a : b;
    std::string extra = describe(longer[n]);
    return {"co_code",
            std::string("code ") + (a.size() > b.size() ? "missing " : "extra ") +
                opName(longer[n]),
            "co_code: " + std::to_string(a.size()) + " -> " +
                std::to_string(b.size()) + " instructions; from instruction " +
                std::to_string(n) + ", " + extra +
                (a.size() > b.size() ? " is missing" : " is extra")};
  }
  return {"co_code", "code bytes",
          "co_code bytes differ with the same instructions"};
}

CodeDifference exceptionTableDifference(const CodeObject &before,
                                        const CodeObject &after) {
  Expected<std::vector<ExceptionTableEntry>> a =
      decodeExceptionTable(before.exceptionTable);
  Expected<std::vector<ExceptionTableEntry>> b =
      decodeExceptionTable(after.exceptionTable);
  if (!a || !b)
    return {"co_exceptiontable", "exctable undecodable",
            "co_exceptiontable does not decode"};
  size_t n = std::min(a->size(), b->size());
  for (size_t i = 0; i < n; ++i)
    if (!((*a)[i] == (*b)[i]))
      return {"co_exceptiontable", "exctable entry",
              "co_exceptiontable entry " + std::to_string(i) + ": " +
                  describe((*a)[i]) + " -> " + describe((*b)[i])};
  return {"co_exceptiontable", "exctable entry count",
          "co_exceptiontable: " + std::to_string(a->size()) + " -> " +
              std::to_string(b->size()) + " entries"};
}

CodeDifference lineTableDifference(const CodeObject &before,
                                   const CodeObject &after) {
  Expected<LineTable> a = LineTable::decode(before);
  Expected<LineTable> b = LineTable::decode(after);
  if (!a || !b)
    return {"co_linetable", "linetable undecodable",
            "co_linetable does not decode"};
  std::vector<DecodedInstruction> insts = realInstructions(before);
  for (size_t i = 0; i < insts.size(); ++i) {
    SourcePosition pa = a->position(insts[i].offset / 2);
    SourcePosition pb = b->position(insts[i].offset / 2);
    if (pa == pb)
      continue;
    return {"co_linetable", "location " + opName(insts[i]),
            "location of instruction " + std::to_string(i) + " (offset " +
                std::to_string(insts[i].offset) + ", " + describe(insts[i]) +
                "): " + describe(pa) + " -> " + describe(pb)};
  }
  return {"co_linetable", "linetable encoding",
          "co_linetable bytes differ with the same positions"};
}

} // namespace

CodeDifference compareCode(const CodeObject &before, const CodeObject &after) {
  if (before.code != after.code)
    return codeDifference(before, after);
  if (before.exceptionTable != after.exceptionTable)
    return exceptionTableDifference(before, after);
  if (before.lineTable != after.lineTable)
    return lineTableDifference(before, after);
  if (before.stackSize != after.stackSize)
    return {"co_stacksize",
            before.stackSize < after.stackSize ? "stacksize larger"
                                               : "stacksize smaller",
            "co_stacksize " + std::to_string(before.stackSize) + " -> " +
                std::to_string(after.stackSize)};
  return {};
}

void forEachCodePair(
    const CodeObject &before, const CodeObject &after,
    llvm::function_ref<void(const CodeObject &, const CodeObject &)> visit) {
  visit(before, after);
  std::vector<const CodeObject *> childrenBefore, childrenAfter;
  for (const ConstantRef &c : before.consts)
    if (c->is(ConstantKind::Code))
      childrenBefore.push_back(c->asCode().get());
  for (const ConstantRef &c : after.consts)
    if (c->is(ConstantKind::Code))
      childrenAfter.push_back(c->asCode().get());
  for (size_t i = 0; i < childrenBefore.size() && i < childrenAfter.size(); ++i)
    forEachCodePair(*childrenBefore[i], *childrenAfter[i], visit);
}

} // namespace bcc
