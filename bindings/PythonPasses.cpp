//===- bindings/PythonPasses.cpp - Passes written in Python ---------------===//
//
// The tradition's "write your own hack", without C++: bcc.register_pass
// (bindings/bcc/_passes.py) registers a Python function as a pass of the
// process's registry (bindings/Registry.h), beside bcc's own passes and the
// plugins'. Pipelines name it like any other (`bcc.optimize(f,
// passes="mine,dce")`), and the pass manager's instruments see it.
//
// The function works on the IR's text form (docs/ir.md, section 6), which
// prints and parses back exactly. With granularity "module" it is called
// once, with the module's text; with "function", once per function, with
// that function's text (`function @N ... { ... }`), which goes back into
// the module's text in its place. It returns the new text, or None for no
// change. The result is parsed, verified (verify and verifyStackForm: what
// lowering needs) and put in place of the module's contents
// (Module::replaceWith), which keeps the Function objects, so that what
// the pass context and the live facts point to stays valid. Functions
// whose text did not change are not marked changed (they stay pristine).
//
// Objects the text form cannot spell (Host constants: a module, a function
// or a list that fold-globals put into a pool, or that an optimized
// function's code already held) travel as str constants
// '\x00bcc host object N: REPR', which become the objects again wherever
// the returned text has them.
//
// What it refuses, each as an error of the pass that names it: text that
// does not parse or verify, IR of another Python version, fewer functions
// than the module has (pointers to the missing ones would dangle), a
// result that is neither a str nor None. Pass::run has no error channel,
// so the error is a C++ exception; these passes only run under the
// bindings, called from Python, where it becomes a RuntimeError (and
// bcc.optimize warns and leaves the function as it was). An exception of
// the function becomes a RuntimeError that names the pass and the
// exception, chained to it; a BaseException that is not an Exception
// (KeyboardInterrupt, SystemExit) propagates as it is.
//
// Not carried through the text: the inliner's marks on the calls its
// guards fall back to (PassContext::markFallbackCall), so a later inline
// may inline such a call again, behind a guard of its own.
//
//===----------------------------------------------------------------------===//

#include "bindings/PythonPasses.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "bindings/Registry.h"
#include "ir/IRParser.h"
#include "ir/IRPrinter.h"
#include "ir/Verifier.h"
#include "passes/Pass.h"
#include "passes/PassRegistry.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"

namespace bcc::python {

namespace {

enum class Granularity { Module, Function };

/// What every instance of one registered pass shares. The registry keeps
/// it for the life of the process, so the Python object is never released
/// after the interpreter has gone.
struct PythonPassInfo {
  std::string name;
  py::object callback;
  Granularity granularity;
};

[[noreturn]] void fail(const PythonPassInfo &pass, const std::string &message) {
  throw std::runtime_error("Python pass '" + pass.name + "': " + message);
}

//===----------------------------------------------------------------------===//
// Host constants through the text
//===----------------------------------------------------------------------===//

/// `c` with `leaf` applied to every constant that is not a container
/// (tuple, list, set, frozenset, dict, slice), inside containers too; `c`
/// itself when nothing changed.
ConstantRef
mapLeaves(const ConstantRef &c,
          llvm::function_ref<ConstantRef(const ConstantRef &)> leaf) {
  if (!c)
    return c;
  auto mapElements = [&](const Constant::Elements &elements, bool &changed) {
    Constant::Elements out;
    out.reserve(elements.size());
    for (const ConstantRef &e : elements) {
      out.push_back(mapLeaves(e, leaf));
      changed |= out.back() != e;
    }
    return out;
  };
  bool changed = false;
  switch (c->kind()) {
  case ConstantKind::Tuple:
  case ConstantKind::List:
  case ConstantKind::Set:
  case ConstantKind::FrozenSet: {
    Constant::Elements elements = mapElements(c->elements(), changed);
    if (!changed)
      return c;
    switch (c->kind()) {
    case ConstantKind::Tuple:
      return Constant::tuple(std::move(elements));
    case ConstantKind::List:
      return Constant::list(std::move(elements));
    case ConstantKind::Set:
      return Constant::set(std::move(elements));
    default:
      return Constant::frozenSet(std::move(elements));
    }
  }
  case ConstantKind::Dict:
  case ConstantKind::FrozenDict: {
    Constant::DictItems items;
    for (const auto &[key, value] : c->dictItems()) {
      items.emplace_back(mapLeaves(key, leaf), mapLeaves(value, leaf));
      changed |= items.back().first != key || items.back().second != value;
    }
    if (!changed)
      return c;
    return c->is(ConstantKind::Dict) ? Constant::dict(std::move(items))
                                     : Constant::frozenDict(std::move(items));
  }
  case ConstantKind::Slice: {
    const PySlice &s = c->asSlice();
    ConstantRef start = mapLeaves(s.start, leaf),
                stop = mapLeaves(s.stop, leaf), step = mapLeaves(s.step, leaf);
    if (start == s.start && stop == s.stop && step == s.step)
      return c;
    return Constant::slice(start, stop, step);
  }
  default:
    return leaf(c);
  }
}

/// The Host constants of one module's pools as placeholder strings in its
/// text, and the objects back in place of the placeholders.
class HostPlaceholders {
public:
  /// The text of each function of `module`, with placeholders; the
  /// module is as it was afterwards.
  std::vector<std::string> printFunctions(Module &module);
  /// Puts the objects back where `module`'s pools hold placeholders.
  void restore(Module &module) const;

private:
  ConstantRef placeholder(const ConstantRef &c);

  llvm::DenseMap<const Constant *, ConstantRef> placeholders_;
  llvm::StringMap<ConstantRef> hosts_; ///< placeholder text -> the Host
};

ConstantRef HostPlaceholders::placeholder(const ConstantRef &c) {
  if (!c->is(ConstantKind::Host))
    return c;
  ConstantRef &text = placeholders_[c.get()];
  if (!text) {
    std::string repr = c->asHost().repr();
    if (repr.size() > 60) { // cut at a character boundary
      size_t n = 60;
      while (n > 0 && (static_cast<unsigned char>(repr[n]) & 0xC0) == 0x80)
        --n;
      repr = repr.substr(0, n) + "...";
    }
    std::string s = std::string("\0bcc host object ", 17) +
                    std::to_string(hosts_.size()) + ": " + repr;
    hosts_[s] = c;
    text = Constant::string(std::move(s));
  }
  return text;
}

std::vector<std::string> HostPlaceholders::printFunctions(Module &module) {
  std::vector<std::pair<PoolConstant *, ConstantRef>> saved;
  for (const auto &function : module.functions())
    for (PoolConstant &entry : function->consts) {
      if (entry.isCode())
        continue;
      ConstantRef text = mapLeaves(entry.constant(), [&](const ConstantRef &c) {
        return placeholder(c);
      });
      if (text == entry.constant())
        continue;
      saved.emplace_back(&entry, entry.constant());
      entry = PoolConstant::value(text);
    }
  std::vector<std::string> texts;
  for (const auto &function : module.functions())
    texts.push_back(printFunction(*function));
  for (auto &[entry, original] : saved)
    *entry = PoolConstant::value(original);
  return texts;
}

void HostPlaceholders::restore(Module &module) const {
  if (hosts_.empty())
    return;
  auto host = [&](const ConstantRef &c) {
    if (!c->is(ConstantKind::String))
      return c;
    auto it = hosts_.find(c->asString().utf8);
    return it == hosts_.end() ? c : it->second;
  };
  for (const auto &function : module.functions())
    for (PoolConstant &entry : function->consts)
      if (!entry.isCode())
        entry = PoolConstant::value(mapLeaves(entry.constant(), host));
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

/// `callback(text)`: the new text, or nothing when it returned None or the
/// same text.
std::optional<std::string> callBack(const PythonPassInfo &pass,
                                    const std::string &text) {
  py::object argument, result;
  try {
    argument = py::str(text);
  } catch (py::error_already_set &e) {
    fail(pass, "the module's text is not valid UTF-8: " +
                   std::string(py::str(e.value())));
  }
  try {
    result = pass.callback(argument);
  } catch (py::error_already_set &e) {
    if (!e.matches(PyExc_Exception))
      throw;
    std::string what = py::str(e.type().attr("__name__"));
    try {
      std::string message = py::str(e.value());
      if (!message.empty())
        what += ": " + message;
    } catch (py::error_already_set &) { // its __str__ raised
    }
    py::raise_from(e, PyExc_RuntimeError,
                   ("Python pass '" + pass.name + "' raised " + what).c_str());
    throw py::error_already_set();
  }
  if (result.is_none())
    return std::nullopt;
  if (!py::isinstance<py::str>(result))
    fail(pass, "it returned " + std::string(Py_TYPE(result.ptr())->tp_name) +
                   ", not the IR's text (a str) or None");
  std::string out;
  try {
    out = result.cast<std::string>();
  } catch (const py::cast_error &) {
    fail(pass, "the text it returned is not valid Unicode");
  }
  if (out == text)
    return std::nullopt;
  return out;
}

/// The line of a parse error ("LINE:COLUMN: message"), or 0.
size_t errorLine(llvm::StringRef message) {
  size_t line = 0;
  llvm::StringRef digits = message.take_until([](char c) { return c == ':'; });
  if (digits.getAsInteger(10, line))
    return 0;
  return line;
}

class PythonPass final : public Pass {
public:
  explicit PythonPass(std::shared_ptr<const PythonPassInfo> info)
      : info_(std::move(info)) {}
  llvm::StringRef name() const override { return info_->name; }
  bool run(Module &module, PassContext &context) override;

private:
  /// The module's new text, or nothing when the function changed nothing;
  /// for granularity "function", the line where each function's text
  /// starts in it.
  std::optional<std::string> newText(const Module &module,
                                     const std::vector<std::string> &texts,
                                     std::vector<size_t> &firstLines) const;
  /// A parse error, placed in the function's own text for "function".
  std::string parseError(const Module &module, const std::string &message,
                         const std::vector<size_t> &firstLines) const;

  std::shared_ptr<const PythonPassInfo> info_;
};

std::optional<std::string>
PythonPass::newText(const Module &module, const std::vector<std::string> &texts,
                    std::vector<size_t> &firstLines) const {
  std::string text = "module python " + module.version().str() + "\n";
  if (info_->granularity == Granularity::Module) {
    for (const std::string &function : texts)
      text += "\n" + function;
    return callBack(*info_, text);
  }
  bool changed = false;
  size_t lines = 1;
  for (const std::string &function : texts) {
    std::optional<std::string> result = callBack(*info_, function);
    changed |= bool(result);
    const std::string &piece = result ? *result : function;
    text += "\n";
    lines += 1;
    firstLines.push_back(lines + 1);
    text += piece;
    if (piece.empty() || piece.back() != '\n')
      text += "\n";
    lines += std::count(piece.begin(), piece.end(), '\n') +
             (piece.empty() || piece.back() != '\n');
  }
  if (!changed)
    return std::nullopt;
  return text;
}

std::string
PythonPass::parseError(const Module &module, const std::string &message,
                       const std::vector<size_t> &firstLines) const {
  size_t line = errorLine(message);
  if (info_->granularity == Granularity::Module || line == 0 ||
      firstLines.empty() || line < firstLines.front())
    return "the IR it returned does not parse: " + message;
  size_t i = firstLines.size() - 1;
  while (firstLines[i] > line)
    --i;
  const Function &function = *module.function(unsigned(i));
  std::string rest = message.substr(message.find(':'));
  return "the IR it returned for function @" + std::to_string(i) + " '" +
         function.qualName.utf8 +
         "' does not parse: " + std::to_string(line - firstLines[i] + 1) + rest;
}

bool PythonPass::run(Module &module, PassContext &context) {
  py::gil_scoped_acquire gil;
  HostPlaceholders hosts;
  std::vector<std::string> before = hosts.printFunctions(module);
  std::vector<size_t> firstLines;
  std::optional<std::string> text = newText(module, before, firstLines);
  if (!text)
    return false;

  Expected<std::unique_ptr<Module>> parsed = parseModule(*text);
  if (!parsed)
    fail(*info_, parseError(module, parsed.error().message, firstLines));
  Module &result = **parsed;
  if (result.version() != module.version())
    fail(*info_, "it returned IR for Python " + result.version().str() +
                     ", but the module is for " + module.version().str());
  if (info_->granularity == Granularity::Function &&
      result.numFunctions() != module.numFunctions())
    fail(*info_, "the texts it returned hold " +
                     std::to_string(result.numFunctions()) +
                     " functions, but the module has " +
                     std::to_string(module.numFunctions()) +
                     " (each must hold exactly its own function)");
  if (result.numFunctions() < module.numFunctions())
    fail(*info_, "it returned " + std::to_string(result.numFunctions()) +
                     " functions, but the module has " +
                     std::to_string(module.numFunctions()) +
                     " (a pass may add functions, not remove them)");

  std::vector<bool> changed(result.numFunctions());
  unsigned numChanged = 0;
  for (unsigned i = 0; i < result.numFunctions(); ++i) {
    changed[i] =
        i >= before.size() || printFunction(*result.function(i)) != before[i];
    numChanged += changed[i];
  }
  if (numChanged == 0)
    return false; // the same IR, written differently
  hosts.restore(result);
  if (Status s = verify(result); !s)
    fail(*info_, "the IR it returned does not verify: " + s.error().message);
  if (Status s = verifyStackForm(result); !s)
    fail(*info_,
         "the IR it returned is not in stack form: " + s.error().message);

  module.replaceWith(std::move(result));
  for (unsigned i = 0; i < module.numFunctions(); ++i)
    if (changed[i])
      context.markChanged(*module.function(i));
  context.count(info_->name, "functions changed", numChanged);
  return true;
}

//===----------------------------------------------------------------------===//
// Registration
//===----------------------------------------------------------------------===//

/// Raises `type` with `message`: any Python exception type, which
/// pybind11's own exception classes (py::value_error and its kin) do not
/// cover.
[[noreturn]] void raise(PyObject *type, const std::string &message) {
  PyErr_SetString(type, message.c_str());
  throw py::error_already_set();
}

/// "Python function MODULE.QUALNAME": the plugin a registry error names.
std::string describeCallback(const py::object &callback) {
  py::object module = py::getattr(callback, "__module__", py::none());
  py::object name = py::getattr(callback, "__qualname__", py::none());
  if (name.is_none())
    name = py::getattr(py::type::of(callback), "__qualname__", py::none());
  std::string out = "Python function ";
  if (!module.is_none())
    out += py::str(module).cast<std::string>() + ".";
  return out + py::str(name).cast<std::string>();
}

Expected<std::unique_ptr<Pass>>
createPass(const std::shared_ptr<const PythonPassInfo> &info,
           const PassParameters &parameters) {
  if (Status s = parameters.allowOnly(info->name, {}); !s)
    return s.error();
  return std::unique_ptr<Pass>(std::make_unique<PythonPass>(info));
}

void registerPass(const std::string &name, py::object callback,
                  const std::string &kind, const std::string &description,
                  const std::string &granularity) {
  if (!PyCallable_Check(callback.ptr()))
    raise(PyExc_TypeError, "bcc.register_pass: the pass must be callable, "
                           "not " +
                               std::string(Py_TYPE(callback.ptr())->tp_name));
  Granularity g;
  if (granularity == "module")
    g = Granularity::Module;
  else if (granularity == "function")
    g = Granularity::Function;
  else
    raise(PyExc_ValueError, "bcc.register_pass: granularity must be "
                            "'module' or 'function', not '" +
                                granularity + "'");
  auto info =
      std::make_shared<const PythonPassInfo>(PythonPassInfo{name, callback, g});
  PassFactory factory = [info](const PassParameters &parameters) {
    return createPass(info, parameters);
  };
  // A Python pass is a one-pass plugin: the registry names it in the
  // errors of a later registration of the same name.
  PassRegistry::PluginScope scope(registry(), describeCallback(callback));
  (void)registry().registerPass(
      {name, kind, "", description, std::move(factory), ""});
  if (Status s = scope.close(); !s)
    raise(PyExc_ValueError, s.error().message);
}

} // namespace

void definePythonPassFunctions(py::module_ &m) {
  m.def("register_pass", &registerPass, py::arg("name"), py::arg("callback"),
        py::arg("kind"), py::arg("description"), py::arg("granularity"),
        "Registers callback(ir_text) -> str or None as the pass `name` of "
        "the process's registry. Use bcc.register_pass.");
}

} // namespace bcc::python
