//===- passes/HoistGlobals.cpp - hoist-globals: loop-invariant global reads =//
//
// What it does: in a function's loop, every read of a global or builtin
// (`len`, `helper`) and of an attribute of an imported module (`math.sin`)
// happens once, before the loop, into a fresh hidden local; the loop reads
// the local. This is the default-argument trick (`def f(x, sin=math.sin)`)
// done for the programmer: a LOAD_FAST instead of a global lookup and an
// attribute lookup per iteration.
//
// What it assumes: under stable-globals, that the names the loop reads are
// bound when it starts and not rebound while it runs (docs/passes.md). At
// -O3 without that assumption, only where the loop itself runs no code
// that could rebind them (no call, no operator that may call a method, no
// attribute access), and only names that are certainly bound: a builtin the
// module does not shadow, or a module-level name bound once.
//
// What it refuses: module and class bodies (their names are not fast
// locals); loops with more than one way in from outside; names the loop
// assigns or deletes itself; attributes of something that is not an
// imported module.
//
//===----------------------------------------------------------------------===//

#include "ir/CodeObject.h"
#include "ir/Dominators.h"
#include "ir/Loops.h"
#include "passes/IRUtils.h"
#include "passes/ModuleFacts.h"
#include "passes/BuiltinPasses.h"

#include <map>

namespace bcc {

namespace {

constexpr const char *kPass = "hoist-globals";

/// One hoisted read: a global, or an attribute of a global module.
struct Candidate {
  std::string key;           ///< "len", "math.sin"
  unsigned nameIndex = 0;    ///< the global
  int attributeIndex = -1;   ///< the attribute, or -1
  Instruction *global = nullptr;
  Instruction *attribute = nullptr; ///< null for a plain global
};

class HoistGlobals final : public Pass {
public:
  llvm::StringRef name() const override { return kPass; }
  bool run(Module &module, PassContext &context) override;

private:
  bool hoistIn(Function &f, const ModuleFacts &facts, PassContext &context);
};

bool HoistGlobals::hoistIn(Function &f, const ModuleFacts &facts,
                           PassContext &context) {
  bool assumed = context.options().assumptions.has(Assumption::StableGlobals);
  DominatorTree dominators(f);
  LoopInfo loops(dominators);
  if (loops.topLevelLoops().empty())
    return false;
  bool v313 = f.version().atLeast(3, 13);
  bool changed = false;
  // Loops are read first and rewritten after, since the rewrite adds
  // blocks and locals the analyses do not know.
  struct Plan {
    Block *preheader;
    Block *header;
    std::vector<Candidate> reads;
    int line;
  };
  std::vector<Plan> plans;
  for (const Loop *loop : loops.topLevelLoops()) {
    Block *header = const_cast<Block *>(loop->header());
    int line = header->empty() ? -1 : lineOf(header->front());
    // The one block outside the loop that enters it, with a plain jump.
    Block *preheader = nullptr;
    bool single = true;
    for (Block &b : f) {
      Instruction *term = b.terminator();
      if (!term || loop->contains(&b))
        continue;
      for (Successor &s : term->successors())
        if (s.target() == header) {
          if (preheader || !term->is(Op::Br))
            single = false;
          preheader = &b;
        }
    }
    if (!single || !preheader) {
      context.remark(kPass, false, f, line,
                     "the loop has more than one way in");
      continue;
    }
    // What the loop writes, and whether it runs code of its own.
    std::set<std::string> written;
    const Instruction *foreign = nullptr;
    for (const Block *b : loop->blocks())
      for (const Instruction &inst : *b) {
        if (inst.is(Op::StoreGlobal) || inst.is(Op::DeleteGlobal))
          written.insert(f.names[inst.nameIndex()].utf8);
        else if (!foreign && inst.has(opprops::MayRunCode) &&
                 !inst.is(Op::LoadAttr))
          foreign = &inst;
      }
    bool readsGlobals = false;
    for (const Block *b : loop->blocks())
      for (const Instruction &inst : *b)
        readsGlobals |= inst.is(Op::LoadGlobal);
    if (!readsGlobals)
      continue;
    if (!assumed && foreign) {
      context.remark(kPass, false, f, line,
                     "globals read in the loop stay where they are: the "
                     "loop runs code that could rebind them (grant "
                     "--assume=stable-globals)");
      continue;
    }
    Plan plan{preheader, header, {}, line};
    for (const Block *b : loop->blocks())
      for (const Instruction &cinst : *b) {
        Instruction &inst = const_cast<Instruction &>(cinst);
        if (!inst.is(Op::LoadGlobal))
          continue;
        std::string name = f.names[inst.nameIndex()].utf8;
        if (written.count(name))
          continue;
        const GlobalBinding *binding = facts.lookup(name);
        Candidate c;
        c.global = &inst;
        c.nameIndex = inst.nameIndex();
        c.key = name;
        // An attribute of an imported module: the pair is the read.
        if (assumed && binding &&
            binding->kind == GlobalBinding::Kind::Import &&
            binding->importsModule && binding->boundOnce()) {
          unsigned moduleResult =
              inst.numResults() == 2 ? (v313 ? 0 : 1) : 0;
          Value *moduleValue = inst.result(moduleResult);
          if (moduleValue->hasOneUse()) {
            Instruction *attr = moduleValue->uses().begin()->user();
            if (attr && attr->is(Op::LoadAttr) && attr->parent() == inst.parent() &&
                !(inst.numResults() == 2 && attr->numResults() == 2)) {
              c.attribute = attr;
              c.attributeIndex = int(attr->nameIndex());
              c.key = name + "." + f.names[attr->nameIndex()].utf8;
            }
          }
        }
        if (!c.attribute && !assumed) {
          bool bound = binding ? binding->boundOnce()
                               : isBuiltinName(name) && !facts.isDynamic();
          if (!bound)
            continue;
        }
        if (!c.attribute && inst.numResults() == 2 &&
            !inst.result(v313 ? 0 : 1)->hasUses())
          continue;
        plan.reads.push_back(c);
      }
    if (!plan.reads.empty())
      plans.push_back(std::move(plan));
  }
  for (Plan &plan : plans) {
    // One local per name (or module attribute), read in the preheader.
    std::map<std::string, unsigned> locals;
    for (const Candidate &c : plan.reads)
      if (!locals.count(c.key))
        locals[c.key] = 0;
    for (auto &[key, slot] : locals)
      slot = addLocal(f, "$" + key, true);
    Instruction *entry = plan.preheader->terminator();
    // The hoisted reads run where the loop is entered, so they take that
    // place's line (the last located instruction of the preheader, else
    // the header's): a tracer sees no line event that the original would
    // not have sent (their own lines would be new events before the loop).
    SourceLocation where = SourceLocation::none();
    for (auto it = entry->getIterator();; --it) {
      if (it->location().line > 0) {
        where = it->location();
        break;
      }
      if (it == plan.preheader->begin())
        break;
    }
    if (where.line <= 0)
      for (const Instruction &inst : *plan.header)
        if (inst.location().line > 0) {
          where = inst.location();
          break;
        }
    std::set<std::string> loaded;
    for (const Candidate &c : plan.reads) {
      unsigned slot = locals[c.key];
      if (loaded.insert(c.key).second) {
        IRBuilder b(f);
        b.setInsertPoint(entry);
        b.setOrigin(where.line > 0 ? where
                    : c.attribute      ? c.attribute->location()
                                       : c.global->location());
        Value *v = b.loadGlobal(c.nameIndex)->result(0);
        if (c.attribute)
          v = b.loadAttr(unsigned(c.attributeIndex), v)->result(0);
        b.storeFast(slot, v);
        context.remark(kPass, true, f, plan.line,
                       "'" + c.key + "' is read once, before the loop (" +
                           (assumed ? "stable-globals"
                                    : "the loop runs no code of its own") +
                           ")");
      }
      context.count(kPass, "loads hoisted");
      // The reads in the loop.
      Instruction &last = c.attribute ? *c.attribute : *c.global;
      IRBuilder b(f);
      b.setInsertPoint(&last);
      b.setOrigin(last.location());
      if (c.attribute) {
        // The module's load goes; its NULL (3.12 load_global's) stays as a
        // push_null where it was.
        Instruction &global = *c.global;
        Value *value = b.loadFast(slot);
        llvm::SmallVector<Value *, 2> results;
        if (last.numResults() == 2) {
          Value *null = b.pushNull();
          if (v313)
            results = {value, null};
          else {
            // NULL first on 3.11/3.12: swap the two new instructions.
            definer(null)->moveBefore(definer(value));
            results = {null, value};
          }
        } else {
          results = {value};
        }
        replaceInstruction(last, results);
        if (global.numResults() == 2) {
          IRBuilder g(f);
          g.setInsertPoint(&global);
          g.setOrigin(global.location());
          Value *null = g.pushNull();
          unsigned nullIndex = v313 ? 1 : 0;
          global.result(nullIndex)->replaceAllUsesWith(null);
        }
        global.eraseFromParent();
      } else {
        Value *value = b.loadFast(slot);
        if (last.numResults() == 2) {
          Value *null = b.pushNull();
          if (!v313)
            definer(null)->moveBefore(definer(value));
          unsigned nullIndex = v313 ? 1 : 0;
          llvm::SmallVector<Value *, 2> results(2, value);
          results[nullIndex] = null;
          replaceInstruction(last, results);
        } else {
          replaceInstruction(last, {value});
        }
      }
    }
    changed = true;
  }
  return changed;
}

bool HoistGlobals::run(Module &module, PassContext &context) {
  const ModuleFacts &facts = context.facts(module);
  bool changed = false;
  for (const auto &function : module.functions()) {
    Function &f = *function;
    if (!(f.flags & CO_OPTIMIZED) || &f == module.topLevel())
      continue;
    if (hoistIn(f, facts, context)) {
      context.markChanged(f);
      changed = true;
    }
  }
  return changed;
}

} // namespace

Expected<std::unique_ptr<Pass>>
createHoistGlobalsPass(const PassParameters &parameters) {
  if (Status s = parameters.allowOnly(kPass, {}); !s)
    return s.error();
  return std::unique_ptr<Pass>(new HoistGlobals());
}

} // namespace bcc
