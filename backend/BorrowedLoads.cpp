//===- backend/BorrowedLoads.cpp - 3.14's LOAD_FAST_BORROW ----------------===//
//
// The rule of CPython 3.14's compiler (optimize_load_fast in
// Python/flowgraph.c), applied to the instructions the lowering wrote:
//
//  * The code is cut into basic blocks: at jump targets, and after jumps
//    and frame exits.
//  * From the entry, following jumps and fall-throughs but not exception
//    edges, each block is interpreted once over a stack of abstract
//    references: each slot is the instruction that pushed it (and the local
//    it loaded, for a LOAD_FAST), or unknown. A block starts with unknown
//    slots: nothing is tracked across blocks.
//  * A load may not borrow when its reference is still on the stack when
//    its local is written or deleted (STORE_FAST, DELETE_FAST,
//    LOAD_FAST_AND_CLEAR), when it is stored into a local, or when it is
//    still on the stack at the end of its block. Code only exception edges
//    reach never borrows.
//  * Nor when its reference lies in the part of the stack an exception
//    handler keeps, at an instruction that handler covers, and the code
//    that handler leads to (by any edge) may write its local. CPython's
//    compiler gets this from its blocks (a `try` starts one, so what lies
//    below its handler's depth is unknown there; a `with` keeps its
//    __exit__'s self there, and its handler writes no local); bcc's blocks
//    are cut from the final code, which does not show where CPython's
//    were, so it checks it.
//  * A load CPython wrote as LOAD_FAST (MachineInstr::strong) stays one.
//    Its blocks were cut where the compiler's were, some of which the
//    bytecode does not show (such as an empty block left where unreachable
//    code was removed, which ends the walk), so bcc's proof can reach
//    farther than CPython's did. A borrow is written only where both agree.
//
// How each opcode moves references: COPY and SWAP move them; a few opcodes
// leave some of their inputs in place (LIST_APPEND's list, GET_LEN's
// object, LOAD_ATTR's self in the method form, ...); every other opcode
// consumes all its inputs and pushes new values (the stack signature's slot
// counts, as CPython's _PyOpcode_num_popped/pushed).
//
//===----------------------------------------------------------------------===//

#include "backend/BorrowedLoads.h"

#include <algorithm>
#include <array>
#include <map>
#include <vector>

namespace bcc {
namespace {

/// How an opcode moves the abstract references (see the file comment).
enum class Rule : uint8_t {
  ConsumeAll,     ///< pops its inputs, pushes new values; jumps with them
  LoadFast,       ///< pushes a reference to local `arg`
  LoadFastPair,   ///< two, `arg >> 4` then `arg & 15`
  LoadAndClear,   ///< kills local `arg`, pushes a reference to it
  StoreFast,      ///< pops one and stores it into local `arg`
  StoreLoad,      ///< STORE_FAST `arg >> 4`, then LOAD_FAST `arg & 15`
  StoreStore,     ///< STORE_FAST `arg >> 4`, then `arg & 15`
  DeleteFast,     ///< kills local `arg`
  Copy,
  Swap,
  KeepInputs,     ///< leaves its inputs, pushes the rest as new values
  PopExtra,       ///< pops the inputs it does not give back, pushes none
  KeepTop,        ///< pops its inputs, pushes back what was on top
  TopBelowNew,    ///< pops one, pushes a new value, then the popped one
                  ///< back (LOAD_SPECIAL's self, PUSH_EXC_INFO)
  ReplaceTop,     ///< pops one, pushes a new value (CHECK_EXC_MATCH)
  ForIter,        ///< pushes a new value; its target gets one more slot
  Send,           ///< its target gets the stack as is; replaces the top
  Attribute,      ///< LOAD_ATTR: pops the owner, pushes the attribute and,
                  ///< in the method form, the owner back
  SuperAttribute, ///< LOAD_SUPER_ATTR: the same after two more pops
};

struct BorrowOpcodes {
  int loadFast = -1, loadFastPair = -1, borrow = -1, borrowPair = -1;
  std::array<Rule, 256> rules;

  explicit BorrowOpcodes(const OpcodeTable &table) {
    rules.fill(Rule::ConsumeAll);
    auto get = [&](const char *name) {
      std::optional<uint8_t> op = table.lookup(name);
      return op ? int(*op) : -1;
    };
    auto set = [&](const char *name, Rule rule) {
      if (std::optional<uint8_t> op = table.lookup(name))
        rules[*op] = rule;
    };
    loadFast = get("LOAD_FAST");
    loadFastPair = get("LOAD_FAST_LOAD_FAST");
    borrow = get("LOAD_FAST_BORROW");
    borrowPair = get("LOAD_FAST_BORROW_LOAD_FAST_BORROW");
    set("LOAD_FAST", Rule::LoadFast);
    set("LOAD_FAST_LOAD_FAST", Rule::LoadFastPair);
    set("LOAD_FAST_AND_CLEAR", Rule::LoadAndClear);
    set("STORE_FAST", Rule::StoreFast);
    set("STORE_FAST_LOAD_FAST", Rule::StoreLoad);
    set("STORE_FAST_STORE_FAST", Rule::StoreStore);
    set("DELETE_FAST", Rule::DeleteFast);
    set("COPY", Rule::Copy);
    set("SWAP", Rule::Swap);
    for (const char *name :
         {"GET_ANEXT", "GET_LEN", "IMPORT_FROM", "MATCH_KEYS", "MATCH_MAPPING",
          "MATCH_SEQUENCE", "WITH_EXCEPT_START"})
      set(name, Rule::KeepInputs);
    for (const char *name : {"DICT_MERGE", "DICT_UPDATE", "LIST_APPEND",
                             "LIST_EXTEND", "MAP_ADD", "RERAISE", "SET_ADD",
                             "SET_UPDATE"})
      set(name, Rule::PopExtra);
    for (const char *name : {"END_SEND", "SET_FUNCTION_ATTRIBUTE"})
      set(name, Rule::KeepTop);
    set("CHECK_EXC_MATCH", Rule::ReplaceTop);
    // Outputs that may be the input itself keep its reference: 3.14's
    // LOAD_SPECIAL gives its owner back as the method's self, and
    // FORMAT_SIMPLE gives back a str unchanged.
    set("LOAD_SPECIAL", Rule::TopBelowNew);
    set("PUSH_EXC_INFO", Rule::TopBelowNew);
    set("FORMAT_SIMPLE", Rule::KeepInputs);
    set("FOR_ITER", Rule::ForIter);
    set("SEND", Rule::Send);
    set("LOAD_ATTR", Rule::Attribute);
    set("LOAD_SUPER_ATTR", Rule::SuperAttribute);
  }
};

constexpr int32_t kUnknown = -1;

/// One abstract stack slot: the instruction that pushed it and the local it
/// refers to, or kUnknown.
struct Ref {
  int32_t instr = kUnknown;
  int32_t local = kUnknown;
};

/// Why a load may not borrow (CPython's flags).
enum : uint8_t {
  SupportKilled = 1,  ///< its local was written while it was on the stack
  StoredAsLocal = 2,  ///< it was stored into a local
  RefUnconsumed = 4,  ///< it was still on the stack at the end of its block
  HandlerKeeps = 8,   ///< an exception handler may find it on the stack
};

} // namespace

unsigned borrowLoads(const OpcodeTable &table, MachineCode &code) {
  const BorrowOpcodes &ops = versionFacts<BorrowOpcodes>(table);
  if (ops.borrow < 0 || ops.loadFast < 0)
    return 0;
  std::vector<MachineInstr> &instrs = code.instrs;
  size_t n = instrs.size();
  if (!std::any_of(instrs.begin(), instrs.end(), [&](const MachineInstr &in) {
        return in.opcode == ops.loadFast || in.opcode == ops.loadFastPair;
      }))
    return 0;

  // Each instruction's slot counts (fall-through path), asked once for the
  // walk and the handler walks.
  std::vector<std::optional<OpcodeTable::StackSlots>> slotsOf(n);
  for (size_t i = 0; i < n; ++i)
    slotsOf[i] = table.stackSlots(instrs[i].opcode, instrs[i].arg, false);

  // Block starts.
  std::vector<uint8_t> leader(n + 1, 0);
  leader[0] = 1;
  for (size_t i = 0; i < n; ++i) {
    const MachineInstr &in = instrs[i];
    const OpcodeInfo *info = table.info(in.opcode);
    if (in.target != MachineInstr::kNone)
      leader[size_t(in.target)] = 1;
    if (info && info->flow != FlowKind::Normal)
      leader[i + 1] = 1;
  }

  // Per block start: the entry depth once reached (-1 before).
  std::vector<int32_t> entryDepth(n, -1);
  std::vector<uint32_t> work;
  auto reach = [&](size_t index, size_t depth) {
    if (index < n && entryDepth[index] < 0) {
      entryDepth[index] = int32_t(depth);
      work.push_back(uint32_t(index));
    }
  };
  reach(0, 0);

  // Whether a reference in stack slot `slot` that an exception leaves to
  // the handler at `entry` could outlive its local `local`: the code the
  // handler leads to writes that local while the slot is still there, or
  // stores, copies or moves the slot, or keeps it in a way this walk does
  // not follow. The walk follows jumps, fall-throughs and the exception
  // edges of handlers that keep the slot, tracking the stack depth, and
  // stops where the slot is consumed. Per (entry, slot), when first asked.
  struct HandlerWrites {
    bool any = false; ///< unsafe whatever the local
    std::vector<bool> locals;
  };
  std::map<std::pair<uint32_t, size_t>, HandlerWrites> written;
  auto handlerDepth = [&](const ExceptionHandler &h) {
    return int64_t(h.depth) + (h.lasti ? 1 : 0) + 1;
  };
  auto writtenFrom = [&](uint32_t entry, size_t slot, int64_t entryDepth,
                         int32_t local) {
    auto [it, added] = written.try_emplace({entry, slot});
    HandlerWrites &out = it->second;
    if (added) {
      auto write = [&](uint32_t l) {
        if (out.locals.size() <= l)
          out.locals.resize(l + 1, false);
        out.locals[l] = true;
      };
      std::vector<int64_t> depthAt(n, -1);
      std::vector<uint32_t> todo;
      auto visit = [&](int64_t j, int64_t depth) {
        if (j < 0 || size_t(j) >= n || depth < 0) {
          out.any = true;
        } else if (depthAt[size_t(j)] < 0) {
          depthAt[size_t(j)] = depth;
          todo.push_back(uint32_t(j));
        } else if (depthAt[size_t(j)] != depth) {
          out.any = true; // not code this walk understands
        }
      };
      visit(entry, entryDepth);
      const int64_t at = int64_t(slot);
      while (!todo.empty() && !out.any) {
        size_t j = todo.back();
        todo.pop_back();
        const MachineInstr &w = instrs[j];
        int64_t depth = depthAt[j];
        Rule rule = ops.rules[w.opcode];
        const std::optional<OpcodeTable::StackSlots> &slots = slotsOf[j];
        if (!slots) {
          out.any = true;
          break;
        }
        int64_t below = depth - int64_t(slots->inputs);
        if ((rule == Rule::Copy || rule == Rule::Swap) &&
            depth - int64_t(w.arg) <= at) {
          out.any = true; // it copies or moves the slot
          break;
        }
        if (w.handler != MachineInstr::kNone) {
          const ExceptionHandler &h = code.handlers[size_t(w.handler)];
          if (int64_t(h.depth) > at)
            visit(h.target, handlerDepth(h));
        }
        const OpcodeInfo *info = table.info(w.opcode);
        bool exits = info && info->flow == FlowKind::ScopeExit;
        if (rule == Rule::KeepInputs) {
          // It leaves its inputs where they are.
        } else if (rule == Rule::PopExtra) {
          // It leaves the inputs it gives back, and consumes the others.
          if (at >= depth - (int64_t(slots->inputs) - int64_t(slots->outputs)))
            continue;
        } else if (below <= at) {
          // It takes the slot. Consuming it (or leaving the frame, or
          // raising, which unwinds it) ends the walk on this path; storing
          // it, or any rule that may give it back, is unsafe.
          if (rule != Rule::ConsumeAll && rule != Rule::ReplaceTop && !exits)
            out.any = true;
          continue;
        }
        switch (rule) {
        case Rule::LoadAndClear:
        case Rule::StoreFast:
        case Rule::DeleteFast:
          write(w.arg);
          break;
        case Rule::StoreLoad:
          write(w.arg >> 4);
          break;
        case Rule::StoreStore:
          write(w.arg >> 4);
          write(w.arg & 15);
          break;
        default:
          break;
        }
        if (w.target != MachineInstr::kNone) {
          std::optional<OpcodeTable::StackSlots> jump =
              table.stackSlots(w.opcode, w.arg, true);
          if (!jump)
            out.any = true;
          else
            visit(w.target, depth - int64_t(jump->inputs) +
                                int64_t(jump->outputs));
        }
        if (!info || info->flow == FlowKind::Normal ||
            info->flow == FlowKind::ConditionalJump)
          visit(int64_t(j) + 1, below + int64_t(slots->outputs));
      }
    }
    return out.any ||
           (size_t(local) < out.locals.size() && out.locals[size_t(local)]);
  };

  std::vector<uint8_t> flags(n, 0);
  std::vector<uint8_t> borrowable(n, 0);
  std::vector<Ref> refs;
  auto kill = [&](int32_t local) {
    for (const Ref &r : refs)
      if (r.local == local && r.instr != kUnknown)
        flags[size_t(r.instr)] |= SupportKilled;
  };
  auto store = [&](int32_t local, Ref r) {
    kill(local);
    if (r.instr != kUnknown)
      flags[size_t(r.instr)] |= StoredAsLocal;
  };
  auto pop = [&]() {
    Ref r;
    if (!refs.empty()) {
      r = refs.back();
      refs.pop_back();
    }
    return r;
  };
  auto pushNew = [&](size_t i, uint32_t count) {
    for (uint32_t k = 0; k < count; ++k)
      refs.push_back({int32_t(i), kUnknown});
  };

  while (!work.empty()) {
    size_t start = work.back();
    work.pop_back();
    refs.assign(size_t(entryDepth[start]), Ref());
    size_t end = start + 1;
    while (end < n && !leader[end])
      ++end;
    for (size_t i = start; i < end; ++i)
      flags[i] = 0;
    for (size_t i = start; i < end; ++i) {
      const MachineInstr &in = instrs[i];
      int32_t arg = int32_t(in.arg);
      if (in.handler != MachineInstr::kNone) {
        // What the handler keeps of the stack if this raises stays there
        // while the handler runs: not borrowed if the code the handler
        // leads to may write its local.
        const ExceptionHandler &h = code.handlers[size_t(in.handler)];
        size_t keeps = std::min<size_t>(refs.size(), h.depth);
        for (size_t k = 0; k < keeps; ++k)
          if (refs[k].instr != kUnknown && refs[k].local != kUnknown &&
              writtenFrom(h.target, k, handlerDepth(h), refs[k].local))
            flags[size_t(refs[k].instr)] |= HandlerKeeps;
      }
      const OpcodeInfo *info = table.info(in.opcode);
      const std::optional<OpcodeTable::StackSlots> &slots = slotsOf[i];
      uint32_t popped = slots ? slots->inputs : 0;
      uint32_t pushed = slots ? slots->outputs : 0;
      switch (ops.rules[in.opcode]) {
      case Rule::LoadFast:
        refs.push_back({int32_t(i), arg});
        break;
      case Rule::LoadFastPair:
        refs.push_back({int32_t(i), arg >> 4});
        refs.push_back({int32_t(i), arg & 15});
        break;
      case Rule::LoadAndClear:
        kill(arg);
        refs.push_back({int32_t(i), arg});
        break;
      case Rule::StoreFast:
        store(arg, pop());
        break;
      case Rule::StoreLoad:
        store(arg >> 4, pop());
        refs.push_back({int32_t(i), arg & 15});
        break;
      case Rule::StoreStore: {
        store(arg >> 4, pop());
        store(arg & 15, pop());
        break;
      }
      case Rule::DeleteFast:
        kill(arg);
        break;
      case Rule::Copy:
        if (arg >= 1 && size_t(arg) <= refs.size())
          refs.push_back(refs[refs.size() - size_t(arg)]);
        else
          pushNew(i, 1);
        break;
      case Rule::Swap:
        if (arg >= 2 && size_t(arg) <= refs.size())
          std::swap(refs.back(), refs[refs.size() - size_t(arg)]);
        break;
      case Rule::KeepInputs:
        pushNew(i, pushed > popped ? pushed - popped : 0);
        break;
      case Rule::PopExtra:
        for (uint32_t k = pushed; k < popped; ++k)
          pop();
        break;
      case Rule::KeepTop: {
        Ref top = pop();
        for (uint32_t k = 1; k < popped; ++k)
          pop();
        refs.push_back(top);
        break;
      }
      case Rule::ReplaceTop:
        pop();
        pushNew(i, 1);
        break;
      case Rule::TopBelowNew: {
        Ref top = pop();
        pushNew(i, 1);
        refs.push_back(top);
        break;
      }
      case Rule::ForIter:
        if (in.target != MachineInstr::kNone)
          reach(size_t(in.target), refs.size() + 1);
        pushNew(i, 1);
        break;
      case Rule::Send:
        if (in.target != MachineInstr::kNone)
          reach(size_t(in.target), refs.size());
        pop();
        pushNew(i, 1);
        break;
      case Rule::Attribute:
      case Rule::SuperAttribute: {
        Ref self = pop();
        if (ops.rules[in.opcode] == Rule::SuperAttribute) {
          pop();
          pop();
        }
        pushNew(i, 1);
        if (arg & 1)
          refs.push_back(self);
        break;
      }
      case Rule::ConsumeAll:
        if (in.target != MachineInstr::kNone) {
          size_t depth = refs.size() >= popped ? refs.size() - popped : 0;
          reach(size_t(in.target), depth + pushed);
        }
        for (uint32_t k = 0; k < popped; ++k)
          pop();
        pushNew(i, pushed);
        break;
      }
      if (info && info->flow != FlowKind::Normal &&
          info->flow != FlowKind::ConditionalJump)
        break; // nothing falls through
      if (i + 1 == end)
        reach(end, refs.size());
    }
    for (const Ref &r : refs)
      if (r.instr != kUnknown)
        flags[size_t(r.instr)] |= RefUnconsumed;
    for (size_t i = start; i < end; ++i)
      borrowable[i] = flags[i] == 0;
  }

  unsigned borrowed = 0;
  for (size_t i = 0; i < n; ++i) {
    MachineInstr &in = instrs[i];
    if (!borrowable[i] || in.strong)
      continue;
    if (in.opcode == ops.loadFast) {
      in.opcode = uint8_t(ops.borrow);
      ++borrowed;
    } else if (in.opcode == ops.loadFastPair && ops.borrowPair >= 0) {
      in.opcode = uint8_t(ops.borrowPair);
      ++borrowed;
    }
  }
  return borrowed;
}

} // namespace bcc
