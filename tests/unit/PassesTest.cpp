//===- tests/unit/PassesTest.cpp - The optimizer's pieces -----------------===//
//
// Python's operators on constants against what CPython computes (the
// expected values were printed by CPython 3.12), the options a user gives
// (--assume, --const, --passes), module names of a tree, module facts
// read from IR, and the IR edits passes share. The passes themselves are
// tested IR-in/IR-out in tests/lit and by execution in tests/exec.
//
//===----------------------------------------------------------------------===//

#include "ir/IRParser.h"
#include "ir/IRPrinter.h"
#include "ir/Verifier.h"
#include "passes/ConstantEval.h"
#include "passes/IRUtils.h"
#include "passes/ModuleFacts.h"
#include "passes/PassManager.h"
#include "passes/PassRegistry.h"
#include "passes/Pipelines.h"

#include <cmath>
#include <gtest/gtest.h>

namespace bcc {
namespace {

ConstantRef I(int64_t v) { return Constant::integer(v); }
ConstantRef F(double v) { return Constant::floating(v); }
ConstantRef S(const char *v) { return Constant::string(v); }

int64_t asInt(const ConstantRef &c) {
  EXPECT_TRUE(c && c->is(ConstantKind::Int));
  return c ? c->asInt().small : 0;
}

TEST(ConstantEval, IntegerArithmeticFollowsPython) {
  EXPECT_EQ(asInt(foldBinary("//", *I(-7), *I(2))), -4);
  EXPECT_EQ(asInt(foldBinary("%", *I(-7), *I(2))), 1);
  EXPECT_EQ(asInt(foldBinary("%", *I(7), *I(-2))), -1);
  EXPECT_EQ(asInt(foldBinary("**", *I(2), *I(10))), 1024);
  EXPECT_EQ(asInt(foldBinary("<<", *I(1), *I(62))), int64_t(1) << 62);
  EXPECT_EQ(asInt(foldBinary(">>", *I(-9), *I(100))), -1);
  EXPECT_EQ(asInt(foldBinary("+=", *I(2), *I(3))), 5); // in-place form
  // True + True is an int; True & False stays a bool.
  EXPECT_EQ(asInt(foldBinary("+", *Constant::boolean(true),
                             *Constant::boolean(true))),
            2);
  ConstantRef b =
      foldBinary("&", *Constant::boolean(true), *Constant::boolean(false));
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->is(ConstantKind::False));
}

TEST(ConstantEval, WhatWouldRaiseOrOverflowIsNotFolded) {
  EXPECT_FALSE(foldBinary("//", *I(1), *I(0)));
  EXPECT_FALSE(foldBinary("%", *I(1), *I(0)));
  EXPECT_FALSE(foldBinary("<<", *I(1), *I(-1)));
  EXPECT_FALSE(foldBinary("**", *I(2), *I(-1))); // a float in Python
  EXPECT_FALSE(foldBinary("*", *I(INT64_MAX), *I(2)));
  EXPECT_FALSE(foldBinary("**", *I(3), *I(1000000000)));
  EXPECT_FALSE(foldBinary("/", *F(1.0), *F(0.0)));
  EXPECT_FALSE(foldBinary("+", *S("a"), *I(1)));
  EXPECT_FALSE(foldInvert(*Constant::boolean(true))); // deprecated, warns
  EXPECT_FALSE(foldNegative(*I(INT64_MIN)));
  EXPECT_FALSE(foldCompare("<", *S("a"), *I(1)));
  // str against bytes warns under -b.
  EXPECT_FALSE(constantsEqual(*S("a"), *Constant::bytes("a")));
}

TEST(ConstantEval, FloatsFollowFloatObject) {
  // -7.5 // 2.0 == -4.0, -7.5 % 2.0 == 0.5, 7.0 % -2.0 == -1.0,
  // 0.0 // -1.0 == -0.0
  EXPECT_EQ(foldBinary("//", *F(-7.5), *F(2.0))->asFloat(), -4.0);
  EXPECT_EQ(foldBinary("%", *F(-7.5), *F(2.0))->asFloat(), 0.5);
  EXPECT_EQ(foldBinary("%", *F(7.0), *F(-2.0))->asFloat(), -1.0);
  double z = foldBinary("//", *F(0.0), *F(-1.0))->asFloat();
  EXPECT_TRUE(z == 0.0 && std::signbit(z));
  EXPECT_EQ(foldBinary("/", *I(1), *I(4))->asFloat(), 0.25);
  EXPECT_EQ(foldBinary("+", *I(1), *F(0.5))->asFloat(), 1.5);
}

TEST(ConstantEval, ComparisonsAndTruth) {
  EXPECT_EQ(foldCompare("<", *I(1), *F(1.5)), std::optional<bool>(true));
  EXPECT_EQ(foldCompare("==", *I(1), *F(1.0)), std::optional<bool>(true));
  EXPECT_EQ(foldCompare("==", *Constant::boolean(true), *I(1)),
            std::optional<bool>(true));
  EXPECT_EQ(foldCompare("<", *F(NAN), *F(1.0)), std::optional<bool>(false));
  EXPECT_EQ(foldCompare("==", *F(NAN), *F(NAN)), std::optional<bool>(false));
  EXPECT_EQ(foldCompare("<=", *S("ab"), *S("b")), std::optional<bool>(true));
  EXPECT_EQ(foldCompare("==", *Constant::none(), *I(0)),
            std::optional<bool>(false));
  EXPECT_EQ(truthValue(*F(-0.0)), std::optional<bool>(false));
  EXPECT_EQ(truthValue(*Constant::tuple({})), std::optional<bool>(false));
  EXPECT_EQ(truthValue(*S("0")), std::optional<bool>(true));
  EXPECT_EQ(foldIs(*Constant::none(), *Constant::none()),
            std::optional<bool>(true));
  EXPECT_EQ(foldIs(*Constant::none(), *I(0)), std::optional<bool>(false));
  EXPECT_FALSE(foldIs(*I(1), *I(1))); // ints' identity is the interpreter's
  EXPECT_EQ(foldContains(*I(3), *Constant::tuple({I(1), I(3)})),
            std::optional<bool>(true));
  EXPECT_EQ(foldContains(*S("bc"), *S("abcd")), std::optional<bool>(true));
}

TEST(ConstantEval, SequencesWithinCPythonsLimits) {
  EXPECT_EQ(foldBinary("+", *S("ab"), *S("cd"))->asString().utf8, "abcd");
  EXPECT_EQ(foldBinary("*", *S("ab"), *I(2))->asString().utf8, "abab");
  EXPECT_EQ(foldBinary("*", *S("ab"), *I(-3))->asString().utf8, "");
  EXPECT_FALSE(foldBinary("*", *S("ab"), *I(3000))); // over 4096 characters
  EXPECT_EQ(foldSubscript(*S("h\xc3\xa9llo"), *I(1))->asString().utf8,
            "\xc3\xa9"); // by code point
  EXPECT_FALSE(foldSubscript(*S("abc"), *I(3)));  // IndexError
  EXPECT_EQ(asInt(foldSubscript(*Constant::tuple({I(5), I(6)}), *I(-1))), 6);
  Constant::Elements many(300, I(0));
  EXPECT_FALSE(foldTuple(many));
}

TEST(Options, Assumptions) {
  Expected<Assumptions> all = Assumptions::parse("all");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->str(),
            "module-constants,stable-functions,stable-globals,no-print");
  Expected<Assumptions> two = Assumptions::parse("no-print, stable-globals");
  ASSERT_TRUE(two);
  EXPECT_TRUE(two->has(Assumption::NoPrint));
  EXPECT_FALSE(two->has(Assumption::StableFunctions));
  Expected<Assumptions> bad = Assumptions::parse("fast");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("unknown assumption 'fast'"),
            std::string::npos);
}

TEST(Options, UserConstants) {
  Expected<UserConstant> c = UserConstant::parse("app.config:DEBUG=False");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->module, "app.config");
  EXPECT_EQ(c->name, "DEBUG");
  EXPECT_TRUE(c->value->is(ConstantKind::False));
  Expected<UserConstant> t = UserConstant::parse("LIMITS=(1, 'a')");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->value->is(ConstantKind::Tuple));
  for (const char *bad : {"DEBUG", "1x=2", "X=[1]", "X=1 2", "X=nope"})
    EXPECT_FALSE(UserConstant::parse(bad)) << bad;
}

TEST(Pipelines, ParsesNamesAndParameters) {
  PassManager pm;
  ASSERT_TRUE(parsePipeline(pm, "const-fold, inline<max-size=60>,dce"));
  EXPECT_EQ(pm.str(), "const-fold,inline,dce");
  for (const char *bad :
       {"no-such-pass", "inline<max-size=x>", "dce<foo=1>", "inline<max-size",
        ""}) {
    PassManager other;
    EXPECT_FALSE(parsePipeline(other, bad)) << bad;
  }
  // Every registered pass builds with its defaults, and the levels only use
  // registered passes.
  for (const PassInfo &info : PassRegistry::builtin().passes())
    EXPECT_TRUE(info.create(PassParameters())) << info.name;
  for (unsigned level = 0; level <= 3; ++level) {
    OptimizationOptions options;
    options.level = level;
    options.assumptions = *Assumptions::parse("all");
    PassManager levels;
    EXPECT_TRUE(buildPipeline(levels, options));
    EXPECT_EQ(levels.empty(), level == 0);
  }
}

namespace {

/// A pass that changes nothing, for the registry's tests.
class NamedNoOp final : public Pass {
public:
  explicit NamedNoOp(std::string name) : name_(std::move(name)) {}
  llvm::StringRef name() const override { return name_; }
  bool run(Module &, PassContext &) override { return false; }

private:
  std::string name_;
};

PassInfo noOpInfo(const std::string &name) {
  return {name, "exact", "", "does nothing",
          [name](const PassParameters &parameters)
              -> Expected<std::unique_ptr<Pass>> {
            if (Status s = parameters.allowOnly(name, {}); !s)
              return s.error();
            return std::unique_ptr<Pass>(new NamedNoOp(name));
          },
          ""};
}

} // namespace

TEST(PassRegistry, RegistersPassesByNameAfterBccsOwn) {
  PassRegistry registry;
  size_t builtins = registry.passes().size();
  EXPECT_EQ(builtins, PassRegistry::builtin().passes().size());
  ASSERT_TRUE(registry.registerPass(noOpInfo("count-things")));
  ASSERT_EQ(registry.passes().size(), builtins + 1);
  EXPECT_EQ(registry.passes().back().name, "count-things");
  EXPECT_TRUE(registry.find("count-things"));
  EXPECT_FALSE(PassRegistry::builtin().find("count-things"));
  PassManager pm;
  ASSERT_TRUE(parsePipeline(pm, "dce,count-things", registry));
  EXPECT_EQ(pm.str(), "dce,count-things");
  PassManager other;
  EXPECT_FALSE(parsePipeline(other, "count-things<x=1>", registry));
  EXPECT_FALSE(parsePipeline(other, "count-things"));
  // A factory must make a pass of the name it is registered under.
  PassInfo misnamed = noOpInfo("misnamed");
  misnamed.create = noOpInfo("something-else").create;
  ASSERT_TRUE(registry.registerPass(misnamed));
  EXPECT_FALSE(registry.create("misnamed"));
  EXPECT_FALSE(parsePipeline(other, "misnamed", registry));
}

TEST(PassRegistry, RefusesClashesBadNamesAndKinds) {
  PassRegistry registry;
  size_t before = registry.passes().size();
  Status clash = registry.registerPass(noOpInfo("dce"));
  ASSERT_FALSE(clash);
  EXPECT_NE(clash.error().message.find("already registered (one of bcc's own)"),
            std::string::npos)
      << clash.error().message;
  for (const char *bad : {"", "Upper", "a b", "-x", "x-", "a--b", "a<b>"})
    EXPECT_FALSE(registry.registerPass(noOpInfo(bad))) << bad;
  PassInfo kind = noOpInfo("odd-kind");
  kind.kind = "fast";
  EXPECT_FALSE(registry.registerPass(kind));
  PassInfo noFactory = noOpInfo("no-factory");
  noFactory.create = nullptr;
  EXPECT_FALSE(registry.registerPass(noFactory));
  EXPECT_EQ(registry.passes().size(), before);
}

TEST(PassRegistry, PluginScopeNamesThePluginAndTakesBackOnError) {
  PassRegistry registry;
  size_t before = registry.passes().size();
  {
    PassRegistry::PluginScope scope(registry, "good");
    ASSERT_TRUE(registry.registerPass(noOpInfo("mine")));
    registry.registerExtension(
        ExtensionPoint::OptimizerLast,
        [](PassManager &, const OptimizationOptions &) {});
    ASSERT_TRUE(scope.close());
  }
  ASSERT_TRUE(registry.find("mine"));
  EXPECT_EQ(registry.find("mine")->plugin, "good");
  EXPECT_EQ(registry.numExtensions(ExtensionPoint::OptimizerLast), 1u);
  {
    PassRegistry::PluginScope scope(registry, "bad");
    ASSERT_TRUE(registry.registerPass(noOpInfo("theirs")));
    registry.registerExtension(
        ExtensionPoint::OptimizerLast,
        [](PassManager &, const OptimizationOptions &) {});
    (void)registry.registerPass(noOpInfo("mine")); // clashes with "good"
    Status closed = scope.close();
    ASSERT_FALSE(closed);
    EXPECT_NE(closed.error().message.find("by plugin 'good'"),
              std::string::npos)
        << closed.error().message;
  }
  EXPECT_FALSE(registry.find("theirs"));
  EXPECT_EQ(registry.passes().size(), before + 1);
  EXPECT_EQ(registry.numExtensions(ExtensionPoint::OptimizerLast), 1u);
  {
    // A callback that failed otherwise (it threw): all of it goes.
    PassRegistry::PluginScope scope(registry, "abandoned");
    ASSERT_TRUE(registry.registerPass(noOpInfo("half-done")));
    scope.abandon();
  }
  EXPECT_FALSE(registry.find("half-done"));
  EXPECT_EQ(registry.passes().size(), before + 1);
}

TEST(PassRegistry, ExtensionPointsOfTheLevels) {
  PassRegistry registry;
  for (const char *name : {"at-start", "after-cleanups", "at-end"})
    ASSERT_TRUE(registry.registerPass(noOpInfo(name)));
  auto adder = [&registry](const char *name) {
    return [&registry, name](PassManager &pm, const OptimizationOptions &) {
      pm.add(std::move(*registry.create(name)));
    };
  };
  registry.registerExtension(ExtensionPoint::PipelineStart, adder("at-start"));
  registry.registerExtension(ExtensionPoint::CleanupsEnd,
                             adder("after-cleanups"));
  registry.registerExtension(ExtensionPoint::OptimizerLast, adder("at-end"));
  const std::string cleanups = "const-fold,fold-branches,simplify-cfg,dce";
  auto pipeline = [&](unsigned level, const char *assume) {
    OptimizationOptions options;
    options.level = level;
    if (*assume)
      options.assumptions = *Assumptions::parse(assume);
    PassManager pm;
    EXPECT_TRUE(buildPipeline(pm, options, registry));
    return pm.str();
  };
  EXPECT_EQ(pipeline(0, ""), "");
  EXPECT_EQ(pipeline(1, ""),
            "at-start," + cleanups + ",after-cleanups,at-end");
  EXPECT_EQ(pipeline(2, "no-print"),
            "at-start,apply-decorators," + cleanups +
                ",after-cleanups,strip-print," + cleanups +
                ",after-cleanups,at-end");
  // The built-in registry's pipelines have no extensions.
  OptimizationOptions o2;
  o2.level = 2;
  PassManager plain;
  ASSERT_TRUE(buildPipeline(plain, o2));
  EXPECT_EQ(plain.str(), "apply-decorators," + cleanups);
  EXPECT_STREQ(extensionPointName(ExtensionPoint::CleanupsEnd),
               "cleanups-end");
}

TEST(ModuleNamer, NamesModulesAsTheImportSystemWould) {
  ModuleNamer namer({"proj/app/__pycache__/__init__.cpython-312.pyc",
                     "proj/app/__pycache__/config.cpython-312.pyc",
                     "proj/app/sub/__init__.cpython-312.pyc",
                     "proj/app/sub/x.cpython-312.opt-1.pyc",
                     "proj/tool.cpython-312.pyc", "3rd/bad-name.pyc"});
  bool package = false;
  EXPECT_EQ(namer.name("proj/app/__pycache__/config.cpython-312.pyc", package),
            "app.config");
  EXPECT_FALSE(package);
  EXPECT_EQ(namer.name("proj/app/__pycache__/__init__.cpython-312.pyc", package),
            "app");
  EXPECT_TRUE(package);
  EXPECT_EQ(namer.name("proj/app/sub/x.cpython-312.opt-1.pyc", package),
            "app.sub.x");
  EXPECT_EQ(namer.name("proj/tool.cpython-312.pyc", package), "tool");
  EXPECT_EQ(namer.name("3rd/bad-name.pyc", package), "");
}

std::unique_ptr<Module> parse(const char *text) {
  Expected<std::unique_ptr<Module>> m = parseModule(text);
  EXPECT_TRUE(m) << (m ? "" : m.error().message);
  return m ? std::move(*m) : nullptr;
}

TEST(ModuleFacts, BindingsFinalAndImports) {
  std::unique_ptr<Module> m = parse(R"(module python 3.12
function @0 '<module>' flags 0x0 {
  consts: 0, None, ('Final',), False, 'DEBUG', 1, 2, ('x',)
  names: typing, Final, DEBUG, __annotations__, N, sys, M, x
bb0:
  %0 = const 0
  %1 = const ('Final',)
  %2 = py IMPORT_NAME 0 %0, %1
  %3 = py IMPORT_FROM 1 peek %2
  store_name Final %3
  drop %2
  %4 = const False
  store_name DEBUG %4
  %5 = load_name Final
  %6 = load_name __annotations__
  %7 = const 'DEBUG'
  py STORE_SUBSCR %5, %6, %7
  %8 = const 0
  %9 = const None
  %10 = py IMPORT_NAME 5 %8, %9
  store_name sys %10
  %11 = const 1
  store_name N %11
  %12 = const 2
  store_name N %12
  %13 = const 1
  %14 = const ('x',)
  %15 = py IMPORT_NAME 7 %13, %14
  %16 = py IMPORT_FROM 7 peek %15
  store_name M %16
  drop %15
  %17 = const None
  return %17
}
)");
  ASSERT_TRUE(m);
  ModuleFacts facts = ModuleFacts::compute(*m, "pkg.mod", false);
  const GlobalBinding *debug = facts.lookup("DEBUG");
  ASSERT_TRUE(debug);
  EXPECT_EQ(debug->kind, GlobalBinding::Kind::Constant);
  EXPECT_TRUE(debug->final);
  EXPECT_TRUE(debug->boundOnce());
  const GlobalBinding *sys = facts.lookup("sys");
  ASSERT_TRUE(sys);
  EXPECT_EQ(sys->path, "sys");
  EXPECT_TRUE(sys->importsModule);
  const GlobalBinding *relative = facts.lookup("M");
  ASSERT_TRUE(relative);
  EXPECT_EQ(relative->path, "pkg.x.x"); // from .x import x, in pkg.mod
  EXPECT_FALSE(relative->importsModule);
  EXPECT_FALSE(facts.lookup("N")->boundOnce()); // assigned twice

  OptimizationOptions options;
  options.level = 3;
  std::string why;
  std::optional<ConstantFact> fact =
      constantGlobal(facts, nullptr, "DEBUG", options, &why);
  ASSERT_TRUE(fact);
  EXPECT_EQ(fact->rule, "Final");
  EXPECT_FALSE(constantGlobal(facts, nullptr, "N", options, &why));
  EXPECT_EQ(why, "'N' is assigned 2 times");
  options.level = 2;
  EXPECT_FALSE(constantGlobal(facts, nullptr, "DEBUG", options, &why));
}

TEST(IRUtils, SplitBlockKeepsStackFormAndHandler) {
  std::unique_ptr<Module> m = parse(R"(module python 3.12
function @0 'f' flags 0x3 {
  consts: None, 1, 2
bb0:
  %0 = const 1
  br ^bb1(%0)
bb1(%1) handler ^bb2(%1) depth 1:
  %2 = const 2
  %3 = py BINARY_OP 0 %1, %2
  %4 = py BINARY_OP 0 %3, %2
  return %4
bb2(%5, %6):
  py RERAISE 0 %6
}
)");
  ASSERT_TRUE(m);
  Function &f = *m->function(0);
  Block &b1 = *std::next(f.begin());
  Instruction &second = *std::next(b1.begin(), 2);
  Block *tail = splitBlockBefore(second);
  ASSERT_TRUE(verify(f)) << verify(f).error().message;
  ASSERT_TRUE(verifyStackForm(f)) << verifyStackForm(f).error().message;
  // The handler's slot first, then the values the tail uses. The first
  // BINARY_OP popped the slot's value (nothing after uses it) and pushed
  // its result there.
  EXPECT_EQ(tail->numParams(), 2u);
  EXPECT_TRUE(tail->hasHandler());
  EXPECT_EQ(tail->handlerArg(0), tail->param(0));
  ASSERT_TRUE(b1.back().is(Op::Br));
  EXPECT_EQ(b1.back().successors()[0].arg(0),
            std::next(b1.begin(), 1)->result(0));
}

// A finally block's handler keeps the previous exception, which
// PUSH_EXC_INFO puts in the slot where the exception it popped was and
// which no instruction uses: a split after it passes that value in the
// handler's slot, and the exception above it (-O3 once passed the popped
// exception there, and a call inlined into a finally block did not lower).
TEST(IRUtils, SplitBlockAfterPushExcInfo) {
  std::unique_ptr<Module> m = parse(R"(module python 3.12
function @0 'f' flags 0x3 {
  consts: None, 1
  names: g
bb0:
  %0 = const None
  return %0
bb1(%1) handler ^bb2(%1) depth 1 lasti:
  %2, %3 = py PUSH_EXC_INFO %1
  %4, %5 = load_global g
  %6 = call %4, %5
  drop %6
  py RERAISE 0 %3
bb2(%7, %8, %9):
  py POP_EXCEPT %7
  py RERAISE 1 peek %8, %9
}
)");
  ASSERT_TRUE(m);
  Function &f = *m->function(0);
  Block &b1 = *std::next(f.begin());
  Instruction &load = *std::next(b1.begin(), 1);
  Instruction &push = b1.front();
  Block *tail = splitBlockBefore(load);
  ASSERT_TRUE(verify(f)) << verify(f).error().message;
  ASSERT_TRUE(verifyStackForm(f)) << verifyStackForm(f).error().message;
  ASSERT_EQ(tail->numParams(), 2u);
  EXPECT_EQ(tail->handlerArg(0), tail->param(0));
  ASSERT_TRUE(b1.back().is(Op::Br));
  EXPECT_EQ(b1.back().successors()[0].arg(0), push.result(0));
  EXPECT_EQ(b1.back().successors()[0].arg(1), push.result(1));
}

TEST(IRUtils, AddLocalRenumbersCellsAndFreeVariables) {
  std::unique_ptr<Module> m = parse(R"(module python 3.12
function @0 'f' flags 0x13 args 1 {
  locals: a, c:cell, fv:free
  consts: None
bb0:
  copy_free_vars 1
  make_cell c
  %0 = load_fast a
  store_deref c %0
  %1 = load_deref fv
  return %1
}
)");
  ASSERT_TRUE(m);
  Function &f = *m->function(0);
  unsigned slot = addLocal(f, "$len", true);
  EXPECT_EQ(slot, 1u);
  EXPECT_EQ(f.localsPlus[1].name.utf8, "$len");
  EXPECT_EQ(f.localsPlus[2].name.utf8, "c");
  std::string text = printFunction(f);
  EXPECT_NE(text.find("make_cell c"), std::string::npos);
  EXPECT_NE(text.find("load_deref fv"), std::string::npos);
  EXPECT_NE(text.find("'$len':hidden+local"), std::string::npos) << text;
  EXPECT_EQ(addLocal(f, "$len", true), 2u); // a second one, renamed
  EXPECT_EQ(f.localsPlus[2].name.utf8, "$len.2");
}

} // namespace
} // namespace bcc
