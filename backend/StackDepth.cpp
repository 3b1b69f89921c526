//===- backend/StackDepth.cpp - co_stacksize ------------------------------===//

#include "backend/StackDepth.h"

#include <algorithm>
#include <vector>

namespace bcc {

Expected<int32_t> computeStackDepth(
    const OpcodeTable &table, const MachineCode &code,
    llvm::ArrayRef<std::pair<uint32_t, int32_t>> deadEntries) {
  const std::vector<MachineInstr> &instrs = code.instrs;
  size_t n = instrs.size();
  std::vector<int32_t> depthAt(n, -1);
  std::vector<uint32_t> work;
  int32_t maxDepth = 0;
  Status status;
  auto reach = [&](uint32_t index, int32_t depth) {
    if (index >= n)
      return;
    if (depth < 0) {
      status = Error("negative stack depth at instruction " +
                     std::to_string(index));
      return;
    }
    // As CPython's stackdepth_push: every path reaches an instruction with
    // the same depth ("Invalid CFG, inconsistent stackdepth" on 3.12+).
    // Code that is not balanced would otherwise go round a loop for ever,
    // one slot deeper each time.
    if (depthAt[index] >= 0 && depth != depthAt[index]) {
      status = Error("inconsistent stack depth at instruction " +
                     std::to_string(index) + ": " +
                     std::to_string(depthAt[index]) + " and " +
                     std::to_string(depth));
      return;
    }
    if (depth > depthAt[index]) {
      depthAt[index] = depth;
      work.push_back(index);
    }
  };
  // Follows a straight line from instruction i; branch targets go on the
  // work list.
  auto walk = [&](uint32_t i) -> Status {
    for (;;) {
      const MachineInstr &in = instrs[i];
      int32_t depth = depthAt[i];
      maxDepth = std::max(maxDepth, depth);
      if (in.handler != MachineInstr::kNone) {
        const ExceptionHandler &h = code.handlers[in.handler];
        int32_t hd = static_cast<int32_t>(h.depth) + (h.lasti ? 1 : 0) + 1;
        maxDepth = std::max(maxDepth, hd);
        reach(h.target, hd);
      }
      const OpcodeInfo *info = table.info(in.opcode);
      std::optional<int> effect = table.stackEffect(in.opcode, in.arg, false);
      if (!info || !effect)
        return Error("no stack effect for opcode " +
                     std::to_string(in.opcode) + " at instruction " +
                     std::to_string(i));
      int correction = table.stackDepthCorrection(in.opcode);
      if (in.target != MachineInstr::kNone) {
        std::optional<int> jump = table.stackEffect(in.opcode, in.arg, true);
        int32_t jd = depth + *jump + correction;
        maxDepth = std::max(maxDepth, jd);
        reach(static_cast<uint32_t>(in.target), jd);
      }
      int32_t next = depth + *effect + correction;
      maxDepth = std::max(maxDepth, next);
      if (info->flow == FlowKind::UnconditionalJump ||
          info->flow == FlowKind::ScopeExit || !status)
        break;
      if (i + 1 >= n)
        break;
      if (next < 0)
        return Error("negative stack depth after instruction " +
                     std::to_string(i));
      if (depthAt[i + 1] >= 0) {
        reach(i + 1, next); // only to check that the depths agree
        break;
      }
      depthAt[++i] = next;
    }
    return Status::ok();
  };
  if (n)
    reach(0, 0);
  // Code that nothing reaches (dead code CPython left in place, which the
  // lifter keeps) is still laid out; it counts from the depths the caller
  // knows its blocks start with, so that co_stacksize covers every
  // instruction and bcc's output lifts again.
  size_t nextDead = 0;
  for (;;) {
    while (!work.empty() && status) {
      uint32_t i = work.back();
      work.pop_back();
      if (Status s = walk(i); !s)
        return s.error();
    }
    if (!status || nextDead >= deadEntries.size())
      break;
    auto [index, depth] = deadEntries[nextDead++];
    if (index < n && depthAt[index] < 0)
      reach(index, depth);
  }
  if (!status)
    return status.error();
  if (table.version().minor >= 13 && maxDepth < 1)
    maxDepth = 1;
  return maxDepth;
}

} // namespace bcc
