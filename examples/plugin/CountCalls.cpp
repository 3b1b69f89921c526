//===- examples/plugin/CountCalls.cpp - a pass plugin ---------------------===//
//
// count-calls: counts the calls each function makes, by callee, and
// reports them through bcc's own channels: `--stats` (calls, calls whose
// callee has a name, functions with calls) and one `--remarks` line per
// function that calls anything ("3 calls: len x2, .append x1"). It changes
// nothing.
//
// The callee's name is the name its callable was loaded by: a global or
// builtin (`len`), a name at module level (`print`), or an attribute
// (`.append`, for `xs.append(...)` and `math.sin(...)` alike). A callable
// that comes from anywhere else (a local, a block parameter, a call) is
// counted as a call without a name.
//
// The plugin registers the pass by name, so that `--passes=count-calls`
// runs it, and at the extension point `optimizer-last`, so that -O1..-O3
// run it last, on the code that will be lowered.
//
//===----------------------------------------------------------------------===//

#include <map>
#include <memory>
#include <string>

#include "ir/CallProtocol.h"
#include "ir/IR.h"
#include "passes/Pass.h"
#include "passes/PassManager.h"
#include "passes/PassPlugin.h"
#include "passes/PassRegistry.h"
#include "llvm/Support/Casting.h"

namespace {

constexpr const char *kPass = "count-calls";

/// The name the callable of `call` was loaded by, or "" if none.
std::string calleeName(const bcc::Function &function,
                       const bcc::Instruction &call) {
  bcc::CallOperands operands = bcc::callOperands(call);
  // Whichever slot holds the callable (it moved in 3.13), the other holds
  // NULL or self: take the first slot a named load defines.
  for (bcc::Value *slot : {operands.slot0, operands.slot1}) {
    const auto *result = llvm::dyn_cast<bcc::InstResult>(slot);
    if (!result)
      continue;
    const bcc::Instruction *load = result->instruction();
    if (load->is(bcc::Op::LoadGlobal) || load->is(bcc::Op::LoadName))
      return function.names[load->nameIndex()].utf8;
    if (load->is(bcc::Op::LoadAttr))
      return "." + function.names[load->nameIndex()].utf8;
  }
  return "";
}

class CountCalls final : public bcc::FunctionPass {
public:
  llvm::StringRef name() const override { return kPass; }

  bool runOnFunction(bcc::Function &function,
                     bcc::PassContext &context) override {
    std::map<std::string, unsigned> byCallee; // sorted: deterministic output
    unsigned calls = 0, named = 0;
    for (bcc::Block &block : function)
      for (bcc::Instruction &inst : block) {
        if (!inst.is(bcc::Op::Call))
          continue;
        ++calls;
        std::string callee = calleeName(function, inst);
        if (callee.empty())
          continue;
        ++named;
        ++byCallee[callee];
      }
    if (calls == 0)
      return false;
    context.count(kPass, "calls", calls);
    context.count(kPass, "calls of a named callee", named);
    context.count(kPass, "functions with calls");
    if (context.wantsRemarks()) {
      std::string message = std::to_string(calls) +
                            (calls == 1 ? " call" : " calls");
      const char *separator = ": ";
      for (const auto &[callee, n] : byCallee) {
        message += separator + callee + " x" + std::to_string(n);
        separator = ", ";
      }
      if (named < calls)
        message += std::string(separator) + "unnamed x" +
                   std::to_string(calls - named);
      context.remark(kPass, /*done=*/true, function, 0, message);
    }
    return false; // an analysis: nothing changed
  }
};

void registerPasses(bcc::PassRegistry &registry) {
  // A refused registration (a pass of that name exists) also makes the
  // load fail, with the plugin's file named; nothing to check here.
  (void)registry.registerPass(
      {kPass, "exact", "",
       "counts the calls of each function by callee (--stats, --remarks); "
       "changes nothing",
       [](const bcc::PassParameters &parameters)
           -> bcc::Expected<std::unique_ptr<bcc::Pass>> {
         if (bcc::Status s = parameters.allowOnly(kPass, {}); !s)
           return s.error();
         return std::unique_ptr<bcc::Pass>(std::make_unique<CountCalls>());
       },
       ""});
  registry.registerExtension(
      bcc::ExtensionPoint::OptimizerLast,
      [](bcc::PassManager &pm, const bcc::OptimizationOptions &) {
        pm.add(std::make_unique<CountCalls>());
      });
}

} // namespace

extern "C" BCC_PLUGIN_EXPORT const bcc::PassPluginInfo *
bccGetPassPluginInfo() {
  static const bcc::PassPluginInfo info = {
      BCC_PLUGIN_API_VERSION, "count-calls", "1.0", registerPasses};
  return &info;
}
