//===- bindings/LiveOptimize.cpp - Optimizing a live function -------------===//

#include "bindings/LiveOptimize.h"

#include <functional>
#include <map>

#include <pybind11/stl.h>

#include "backend/Lowering.h"
#include "backend/MarshalWriter.h"
#include "frontend/MarshalReader.h"
#include "bindings/Deopt.h"
#include "bindings/LiveCode.h"
#include "bindings/Registry.h"
#include "frontend/Lifter.h"
#include "ir/IRPrinter.h"
#include "ir/Verifier.h"
#include "passes/ModuleFacts.h"
#include "passes/PassManager.h"
#include "passes/PassPlugin.h"
#include "passes/PassRegistry.h"
#include "passes/Pipelines.h"

namespace bcc::python {

namespace {

/// What a remark names as the reason a live global folded: the namespace
/// is read now and watched (3.12+) or guarded (3.11) from then on.
const char *const kLiveRule = "live namespace";

[[noreturn]] void fail(const std::string &message) {
  throw std::runtime_error(message);
}

std::unique_ptr<Module> liftCode(py::handle code) {
  std::shared_ptr<CodeObject> object = codeFromPython(code);
  if (!object->version.atLeast(3, 11))
    fail("bcc lifts code of CPython 3.11-3.13 only");
  Expected<std::unique_ptr<Module>> module = liftModule(*object);
  if (!module)
    fail("cannot lift " + object->qualName.utf8 + ": " +
         module.error().message);
  if (Status s = verify(**module); !s)
    fail("the lifted IR of " + object->qualName.utf8 +
         " does not verify: " + s.error().message);
  return std::move(*module);
}

std::string lift(py::handle code) { return printModule(*liftCode(code)); }

/// One binding of the live namespace, as bcc/_live.py describes it:
/// ("constant", value), ("function", const_index, defaults),
/// ("module", path) or ("other", writes).
GlobalBinding bindingOf(const std::string &name, py::handle description,
                        const Function &root) {
  py::tuple d = py::reinterpret_borrow<py::tuple>(description);
  std::string kind = d[0].cast<std::string>();
  GlobalBinding b;
  b.writes = 1;
  b.unconditional = true;
  if (kind == "constant") {
    b.kind = GlobalBinding::Kind::Constant;
    b.value = constantFromPython(d[1]);
    b.everConstant = true;
  } else if (kind == "function") {
    b.kind = GlobalBinding::Kind::Function;
    size_t index = d[1].cast<size_t>();
    if (index >= root.consts.size() || !root.consts[index].isCode())
      fail("live binding of '" + name + "': no code at constant " +
           std::to_string(index));
    b.function = root.consts[index].codeFunction();
    if (!d[2].is_none())
      b.defaults = constantFromPython(d[2]);
    if (b.defaults && !b.defaults->is(ConstantKind::Tuple)) {
      // Defaults that are not all literals: a tuple of objects.
      Constant::Elements elements;
      for (py::handle item : d[2])
        elements.push_back(constantFromPython(item));
      b.defaults = Constant::tuple(std::move(elements));
    }
  } else if (kind == "module") {
    b.kind = GlobalBinding::Kind::Import;
    b.path = d[1].cast<std::string>();
    b.importsModule = true;
  } else if (kind == "other") {
    // Bound in the namespace, but no fact bcc may use (`writes` > 1: some
    // function assigns it).
    b.kind = GlobalBinding::Kind::Other;
    b.writes = d[1].cast<unsigned>();
  } else {
    fail("live binding of '" + name + "': unknown kind '" + kind + "'");
  }
  return b;
}

struct Result {
  py::bytes code;
  std::vector<py::object> hosts;
  std::vector<std::string> remarks;
  std::vector<std::tuple<std::string, std::string, uint64_t>> stats;
  std::string pipeline;
};

/// The options of a level and a comma list of assumptions.
OptimizationOptions optionsFor(unsigned level, const std::string &assume) {
  OptimizationOptions options;
  options.level = level;
  if (!assume.empty()) {
    Expected<Assumptions> a = Assumptions::parse(assume);
    if (!a)
      fail(a.error().message);
    options.assumptions = *a;
  }
  return options;
}

py::tuple optimize(py::handle rootCode, const std::string &moduleName,
                   py::dict globals, py::dict modules, unsigned level,
                   const std::string &assume, const std::string &passes,
                   bool verifyEach, const std::string &placeholderPrefix,
                   py::object guard) {
  std::unique_ptr<Module> module = liftCode(rootCode);
  Function &root = *module->topLevel();

  OptimizationOptions options = optionsFor(level, assume);

  std::map<std::string, GlobalBinding> bindings;
  for (auto item : globals) {
    std::string name = item.first.cast<std::string>();
    bindings[name] = bindingOf(name, item.second, root);
  }
  TreeFacts tree;
  for (auto item : modules) {
    std::map<std::string, GlobalBinding> attributes;
    for (auto attribute : py::reinterpret_borrow<py::dict>(item.second)) {
      std::string name = attribute.first.cast<std::string>();
      attributes[name] = bindingOf(name, attribute.second, root);
    }
    tree.add(ModuleFacts::fromBindings(item.first.cast<std::string>(),
                                       std::move(attributes), kLiveRule));
  }

  Statistics stats;
  PassContext context(options, stats);
  context.setModuleName(moduleName, false);
  context.setFixedFacts(std::make_shared<ModuleFacts>(
      ModuleFacts::fromBindings(moduleName, std::move(bindings), kLiveRule)));
  context.setTree(&tree);
  Result result;
  context.setRemarkSink([&](const Remark &r) { result.remarks.push_back(r.str()); });
  for (const auto &function : module->functions())
    context.setPristine(*function);

  Instrumentation instruments;
  instruments.verifyEach = verifyEach;
  PassManager pm(instruments);
  Status built = passes.empty() ? buildPipeline(pm, options, registry())
                                : parsePipeline(pm, passes, registry());
  if (!built)
    fail(built.error().message);
  result.pipeline = pm.str();
  if (Status s = pm.run(*module, context); !s)
    fail(s.error().message);
  // Whether the function's own code tree changed (the callees' copies
  // do not count): without a change, no guard and no new code.
  std::function<bool(const Function &)> changedTree = [&](const Function &f) {
    if (!context.isPristine(f))
      return true;
    for (const PoolConstant &c : f.consts)
      if (c.isCode() && changedTree(*c.codeFunction()))
        return true;
    return false;
  };
  bool changed = root.consts.size() >= 2 && root.consts[1].isCode() &&
                 changedTree(*root.consts[1].codeFunction());
  if (changed && !guard.is_none()) {
    py::tuple g = guard.cast<py::tuple>();
    if (root.consts.size() < 2 || !root.consts[1].isCode())
      fail("the stand-in module holds no function at constant 1");
    insertGuardPrologue(*root.consts[1].codeFunction(), g[0], g[1]);
  }
  if (Status s = verify(*module); !s)
    fail("bcc internal error: the optimized IR does not verify: " +
         s.error().message);
  if (Status s = verifyStackForm(*module); !s)
    fail("bcc internal error: the optimized IR is not in stack form: " +
         s.error().message);
  Expected<std::shared_ptr<CodeObject>> lowered = lowerModule(*module);
  if (!lowered)
    fail("cannot lower: " + lowered.error().message);
  std::string bytes =
      marshalWithPlaceholders(**lowered, placeholderPrefix, result.hosts);
  for (const Statistics::Entry &e : stats.entries())
    result.stats.emplace_back(e.pass, e.counter, e.value);
  return py::make_tuple(py::bytes(bytes), result.hosts, result.remarks,
                        result.stats, result.pipeline, changed);
}

/// The import hook's work (bcc/_hook.py): a module's .pyc bytes optimized
/// as `bcc opt` would (the facts read from the module's own code), with
/// the same header. Returns (pyc bytes, remarks, statistics, changed).
py::tuple optimizePyc(py::bytes data, const std::string &moduleName,
                      bool isPackage, unsigned level,
                      const std::string &assume, const std::string &passes) {
  std::string bytes = data;
  Expected<PycFile> pyc = readPyc(bytes);
  if (!pyc)
    fail(pyc.error().message);
  if (pyc->header.version != hostVersion())
    fail("the .pyc is for Python " + pyc->header.version.str() +
         ", this is " + hostVersion().str());
  Expected<std::unique_ptr<Module>> module = liftModule(*pyc->code);
  if (!module)
    fail("cannot lift: " + module.error().message);
  if (Status s = verify(**module); !s)
    fail("the lifted IR does not verify: " + s.error().message);
  OptimizationOptions options = optionsFor(level, assume);
  Statistics stats;
  PassContext context(options, stats);
  context.setModuleName(moduleName, isPackage);
  std::vector<std::string> remarks;
  context.setRemarkSink([&](const Remark &r) { remarks.push_back(r.str()); });
  for (const auto &function : (*module)->functions())
    context.setPristine(*function);
  PassManager pm;
  Status built = passes.empty() ? buildPipeline(pm, options, registry())
                                : parsePipeline(pm, passes, registry());
  if (!built)
    fail(built.error().message);
  if (Status s = pm.run(**module, context); !s)
    fail(s.error().message);
  bool changed = false;
  for (const auto &function : (*module)->functions())
    changed |= !context.isPristine(*function);
  // What the driver checks before lowering: the IR, and its stack form
  // (the lowering's precondition).
  Status s = verify(**module);
  if (s)
    s = verifyStackForm(**module);
  if (!s)
    fail("bcc internal error: the optimized IR does not verify: " +
         s.error().message);
  Expected<std::shared_ptr<CodeObject>> lowered = lowerModule(**module);
  if (!lowered)
    fail("cannot lower: " + lowered.error().message);
  PycFile out;
  out.header = pyc->header;
  out.code = *lowered;
  Expected<std::string> written = writePyc(out);
  if (!written)
    fail(written.error().message);
  std::vector<std::tuple<std::string, std::string, uint64_t>> counters;
  for (const Statistics::Entry &e : stats.entries())
    counters.emplace_back(e.pass, e.counter, e.value);
  return py::make_tuple(py::bytes(*written), remarks, counters, changed);
}

/// Lowers the code lifted from `code` again, nothing changed (a test of
/// the live path: lift from the object, lower, marshal).
py::tuple roundTrip(py::handle code, const std::string &placeholderPrefix) {
  std::unique_ptr<Module> module = liftCode(code);
  Expected<std::shared_ptr<CodeObject>> lowered = lowerModule(*module);
  if (!lowered)
    fail("cannot lower: " + lowered.error().message);
  std::vector<py::object> hosts;
  std::string bytes =
      marshalWithPlaceholders(**lowered, placeholderPrefix, hosts);
  return py::make_tuple(py::bytes(bytes), hosts);
}

py::list listPasses() {
  py::list out;
  for (const PassInfo &info : registry().passes())
    out.append(py::make_tuple(info.name, info.kind, info.parameters,
                              info.description, info.plugin));
  return out;
}

py::tuple loadPlugin(const std::string &path) {
  exportSymbolsForPlugins();
  Expected<LoadedPassPlugin> plugin = loadPassPlugin(path, registry());
  if (!plugin)
    fail(plugin.error().format(path));
  return py::make_tuple(plugin->name, plugin->version);
}

} // namespace

void defineLiveFunctions(py::module_ &m) {
  m.def("lift", &lift, py::arg("code"),
        "The IR text of a live code object and its nested code objects.");
  m.def("optimize", &optimize, py::arg("root"), py::arg("module_name"),
        py::arg("globals"), py::arg("modules"), py::arg("level"),
        py::arg("assume"), py::arg("passes"), py::arg("verify_each"),
        py::arg("placeholder"), py::arg("guard") = py::none(),
        "Optimizes the code objects of a stand-in module code object; "
        "returns (marshal bytes, host objects, remarks, statistics, "
        "pipeline, changed). Use bcc.optimize.");
  m.def("optimize_pyc", &optimizePyc, py::arg("data"), py::arg("module_name"),
        py::arg("is_package"), py::arg("level"), py::arg("assume"),
        py::arg("passes"),
        "A module's .pyc bytes optimized as bcc opt would; returns (pyc "
        "bytes, remarks, statistics, changed). Use bcc.install.");
  m.def("round_trip", &roundTrip, py::arg("code"), py::arg("placeholder"));
  m.def("passes", &listPasses,
        "Every registered pass: (name, kind, parameters, description, "
        "plugin).");
  m.def("load_pass_plugin", &loadPlugin, py::arg("path"),
        "Loads a pass plugin into the registry; returns (name, version).");
}

} // namespace bcc::python
