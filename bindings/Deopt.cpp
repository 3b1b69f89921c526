//===- bindings/Deopt.cpp - Giving a function its original code back ------===//

#include "bindings/Deopt.h"

#include <dlfcn.h>

#include <cstring>

#include <memory>
#include <unordered_map>
#include <vector>

#include "bindings/LiveCode.h"
#include "ir/IR.h"
#include "ir/IRBuilder.h"
#include "passes/IRUtils.h"

namespace bcc::python {

void exportSymbolsForPlugins() {
  static bool done = false;
  if (done)
    return;
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&exportSymbolsForPlugins), &info) &&
      info.dli_fname)
    dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  done = true;
}

namespace {

/// An optimized function: what to put back, and who to tell. The function
/// is held weakly: watching it must not keep it (and through it its
/// module) alive; a watch whose function is gone is dropped.
struct Dependent {
  py::object function;  ///< a weak reference to the function
  py::object original;  ///< the code to put back
  py::object optimized; ///< the code bcc installed
  py::object onDeopt;   ///< called as on_deopt(function, reason), or None
  bool alive = true;

  /// The function (a new reference), or null once it is gone.
  py::object target() const {
    if (!function)
      return py::object();
#if PY_VERSION_HEX >= 0x030D0000
    PyObject *f = nullptr;
    if (PyWeakref_GetRef(function.ptr(), &f) < 0)
      PyErr_Clear();
    return py::reinterpret_steal<py::object>(f);
#else
    PyObject *f = PyWeakref_GetObject(function.ptr());
    if (!f) { // only for a non-weakref, which function never is
      PyErr_Clear();
      return py::object();
    }
    if (f == Py_None)
      return py::object();
    return py::reinterpret_borrow<py::object>(f);
#endif
  }
  bool live() const { return alive && target(); }
};
using DependentRef = std::shared_ptr<Dependent>;

DependentRef makeDependent(py::handle function, py::handle original,
                           py::handle optimized, py::handle onDeopt) {
  auto d = std::make_shared<Dependent>();
  PyObject *ref = PyWeakref_NewRef(function.ptr(), nullptr);
  if (!ref)
    throw py::error_already_set();
  d->function = py::reinterpret_steal<py::object>(ref);
  d->original = py::reinterpret_borrow<py::object>(original);
  d->optimized = py::reinterpret_borrow<py::object>(optimized);
  d->onDeopt = py::reinterpret_borrow<py::object>(onDeopt);
  return d;
}

[[maybe_unused]] bool finalizing() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing();
#else
  return _Py_IsFinalizing();
#endif
}

/// Set while bcc itself installs code (set_code): a function watcher
/// event then is bcc's own doing and breaks no fact.
bool installing = false;

/// Puts the original code back (unless someone else replaced the
/// optimized code meanwhile: theirs stays) and tells on_deopt.
void deoptimize(const DependentRef &d, const std::string &reason) {
  if (!d->alive)
    return;
  d->alive = false;
  py::object held = d->target();
  if (!held)
    return;
  PyObject *function = held.ptr();
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  // Borrowed; a function's code is never null.
  PyObject *current =
      PyFunction_Check(function) ? PyFunction_GetCode(function) : nullptr;
  if (current && (!d->optimized || current == d->optimized.ptr())) {
    bool saved = installing;
    installing = true;
    if (PyObject_SetAttrString(function, "__code__", d->original.ptr()) < 0)
      PyErr_WriteUnraisable(function);
    installing = saved;
  }
  if (d->onDeopt && !d->onDeopt.is_none()) {
    PyObject *r = PyObject_CallFunction(d->onDeopt.ptr(), "Os", function,
                                        reason.c_str());
    if (!r)
      PyErr_WriteUnraisable(d->onDeopt.ptr());
    Py_XDECREF(r);
  }
  PyErr_Restore(type, value, traceback);
}

/// A fact: `dict[key] is expected` (expected null: key not in dict).
struct Fact {
  py::object key;
  py::object expected; ///< empty handle: absent
};

/// The key as text for a reason; never throws (a key with lone
/// surrogates has no UTF-8 form).
std::string keyText(PyObject *key) {
  if (!PyUnicode_Check(key))
    return "?";
  Py_ssize_t size = 0;
  const char *text = PyUnicode_AsUTF8AndSize(key, &size);
  if (!text) {
    PyErr_Clear();
    return "?";
  }
  return std::string(text, size_t(size));
}
std::string keyText(const py::object &key) { return keyText(key.ptr()); }

/// The facts as _live.py gives them: [(dict, key, present, value), ...].
std::vector<std::pair<py::object, Fact>> readFacts(py::list facts) {
  std::vector<std::pair<py::object, Fact>> out;
  for (py::handle item : facts) {
    py::tuple t = py::reinterpret_borrow<py::tuple>(item);
    if (!PyDict_Check(t[0].ptr()))
      throw py::type_error("a fact's namespace must be a dict");
    Fact f{py::reinterpret_borrow<py::object>(t[1]),
           t[2].cast<bool>() ? py::reinterpret_borrow<py::object>(t[3])
                             : py::object()};
    out.emplace_back(py::reinterpret_borrow<py::object>(t[0]), std::move(f));
  }
  return out;
}

//===----------------------------------------------------------------------===//
// 3.12+: watchers
//===----------------------------------------------------------------------===//

#if PY_VERSION_HEX >= 0x030C0000

struct Watch {
  Fact fact;
  DependentRef dependent;
};

struct Watchers {
  int dictWatcher = -1;
  int functionWatcher = -1;
  std::unordered_map<PyObject *, std::vector<Watch>> byDict;
  /// Inlined functions: (code, defaults, kwdefaults) they had, and who
  /// inlined them.
  std::unordered_map<PyObject *, std::vector<DependentRef>> byCallee;
};

Watchers &watchers() {
  static Watchers *w = new Watchers();
  return *w;
}

/// Whether the event's `key` may be the fact's key `factKey` (a str).
/// No user code runs here (a watcher must not re-enter Python): str keys,
/// subclasses included, compare by their text; another key could equal a
/// str only through its own __eq__, so it counts as a match (a needless
/// deoptimization at worst, never a missed one).
bool mayBeKey(PyObject *key, PyObject *factKey) {
  if (key == factKey)
    return true;
  if (!PyUnicode_Check(key) || !PyUnicode_Check(factKey))
    return true;
  return PyUnicode_Compare(key, factKey) == 0;
}

int onDictEventImpl(PyDict_WatchEvent event, PyObject *dict, PyObject *key,
                    PyObject *newValue) {
  Watchers &w = watchers();
  auto it = w.byDict.find(dict);
  if (it == w.byDict.end())
    return 0;
  // At exit CPython clears every module's namespace: nothing will run the
  // optimized code again, and bcc's Python side may be gone already.
  if (finalizing()) {
    if (event == PyDict_EVENT_DEALLOCATED)
      w.byDict.erase(it);
    return 0;
  }
  std::vector<std::pair<DependentRef, std::string>> broken;
  std::vector<Watch> &list = it->second;
  for (Watch &watch : list) {
    if (!watch.dependent->live())
      continue;
    if (!key) { // cleared, cloned into, deallocated
      broken.emplace_back(watch.dependent, "a namespace it read was replaced");
      continue;
    }
    if (!mayBeKey(key, watch.fact.key.ptr()))
      continue;
    if (event == PyDict_EVENT_MODIFIED && watch.fact.expected &&
        newValue == watch.fact.expected.ptr())
      continue; // the same object stored again
    const char *what = event == PyDict_EVENT_DELETED  ? "deleted"
                       : event == PyDict_EVENT_ADDED  ? "bound"
                                                      : "rebound";
    broken.emplace_back(watch.dependent,
                        "'" + keyText(watch.fact.key) + "' was " + what);
  }
  // Drop what no longer guards anything before calling out.
  list.erase(std::remove_if(list.begin(), list.end(),
                            [&](const Watch &x) {
                              if (!x.dependent->live())
                                return true;
                              for (auto &b : broken)
                                if (b.first == x.dependent)
                                  return true;
                              return false;
                            }),
             list.end());
  if (event == PyDict_EVENT_DEALLOCATED || list.empty())
    w.byDict.erase(dict);
  for (auto &[dependent, reason] : broken)
    deoptimize(dependent, reason);
  return 0;
}

int onDictEvent(PyDict_WatchEvent event, PyObject *dict, PyObject *key,
                PyObject *newValue) {
  // No C++ exception may cross into CPython.
  try {
    return onDictEventImpl(event, dict, key, newValue);
  } catch (...) {
    return 0;
  }
}

int onFunctionEventImpl(PyFunction_WatchEvent event, PyFunctionObject *func,
                        PyObject *newValue) {
  if (event == PyFunction_EVENT_CREATE)
    return 0;
  Watchers &w = watchers();
  auto it = w.byCallee.find(reinterpret_cast<PyObject *>(func));
  if (it == w.byCallee.end())
    return 0;
  if (event == PyFunction_EVENT_DESTROY) {
    w.byCallee.erase(it);
    return 0;
  }
  if (installing || finalizing())
    return 0;
  std::vector<DependentRef> dependents = std::move(it->second);
  w.byCallee.erase(it);
  const char *what = event == PyFunction_EVENT_MODIFY_CODE ? "__code__"
                     : event == PyFunction_EVENT_MODIFY_DEFAULTS
                         ? "__defaults__"
                         : "__kwdefaults__";
  std::string name = "?";
  if (PyObject *q = func->func_qualname; q)
    name = keyText(q);
  for (const DependentRef &d : dependents)
    deoptimize(d, "the " + std::string(what) + " of " + name +
                      ", which it inlined, was changed");
  return 0;
}

int onFunctionEvent(PyFunction_WatchEvent event, PyFunctionObject *func,
                    PyObject *newValue) {
  try {
    return onFunctionEventImpl(event, func, newValue);
  } catch (...) {
    return 0;
  }
}

void watch(py::object function, py::object original, py::object optimized,
           py::list facts, py::list callees, py::object onDeopt) {
  Watchers &w = watchers();
  if (w.dictWatcher < 0) {
    w.dictWatcher = PyDict_AddWatcher(onDictEvent);
    if (w.dictWatcher < 0)
      throw py::error_already_set();
  }
  DependentRef dependent = makeDependent(function, original, optimized, onDeopt);
  for (auto &[dict, fact] : readFacts(facts)) {
    if (PyDict_Watch(w.dictWatcher, dict.ptr()) < 0)
      throw py::error_already_set();
    w.byDict[dict.ptr()].push_back(Watch{std::move(fact), dependent});
  }
  if (!callees.empty() && w.functionWatcher < 0) {
    w.functionWatcher = PyFunction_AddWatcher(onFunctionEvent);
    if (w.functionWatcher < 0)
      throw py::error_already_set();
  }
  for (py::handle callee : callees)
    w.byCallee[callee.ptr()].push_back(dependent);
}

#endif

//===----------------------------------------------------------------------===//
// 3.11: the guard
//===----------------------------------------------------------------------===//

#if PY_VERSION_HEX < 0x030C0000

struct DictState {
  PyObject *dict; ///< strong
  uint64_t version;
  std::vector<Fact> facts;
};

struct CalleeState {
  PyObject *function, *code, *defaults, *kwdefaults; ///< strong (or null)
};

struct GuardObject {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  DependentRef *dependent;
  std::vector<DictState> *dicts;
  std::vector<CalleeState> *callees;
  PyObject *fallback;     ///< the original function, copied
  PyObject *callFallback; ///< _live.call_with_frame(fallback, frame)
  PyObject *ok;
};

uint64_t versionOf(PyObject *dict) {
  return reinterpret_cast<PyDictObject *>(dict)->ma_version_tag;
}

/// Null (with no error) if the facts of `state` still hold.
const char *checkDict(DictState &state, std::string &reason) {
  uint64_t now = versionOf(state.dict);
  if (now == state.version)
    return nullptr;
  for (const Fact &f : state.facts) {
    PyObject *value = PyDict_GetItemWithError(state.dict, f.key.ptr());
    if (!value && PyErr_Occurred())
      PyErr_Clear();
    if (value != (f.expected ? f.expected.ptr() : nullptr)) {
      reason = "'" + keyText(f.key) + "' was " +
               (!value ? "deleted" : f.expected ? "rebound" : "bound");
      return "broken";
    }
  }
  state.version = now;
  return nullptr;
}

PyObject *guardCallImpl(GuardObject *g) {
  std::string reason;
  bool broken = !(*g->dependent)->live();
  for (DictState &state : *g->dicts)
    if (!broken && checkDict(state, reason))
      broken = true;
  if (!broken)
    for (const CalleeState &c : *g->callees) {
      auto *f = reinterpret_cast<PyFunctionObject *>(c.function);
      if (f->func_code != c.code || f->func_defaults != c.defaults ||
          f->func_kwdefaults != c.kwdefaults) {
        broken = true;
        reason = "a function it inlined was changed";
        break;
      }
    }
  if (!broken)
    return Py_NewRef(g->ok);
  deoptimize(*g->dependent, reason);
  PyFrameObject *frame = PyEval_GetFrame();
  if (!frame) {
    PyErr_SetString(PyExc_SystemError, "bcc guard called without a frame");
    return nullptr;
  }
  return PyObject_CallFunctionObjArgs(g->callFallback, g->fallback,
                                      reinterpret_cast<PyObject *>(frame),
                                      nullptr);
}

PyObject *guardCall(PyObject *self, PyObject *const *, size_t, PyObject *) {
  auto *g = reinterpret_cast<GuardObject *>(self);
  if (!g->dependent || !g->dicts || !g->callees || !g->fallback) {
    PyErr_SetString(PyExc_SystemError, "bcc guard used after it was cleared");
    return nullptr;
  }
  try {
    return guardCallImpl(g);
  } catch (const std::exception &e) {
    PyErr_SetString(PyExc_SystemError, e.what());
    return nullptr;
  }
}

/// Drops every reference the guard holds (tp_clear, and dealloc).
int guardClear(PyObject *self) {
  auto *g = reinterpret_cast<GuardObject *>(self);
  if (DependentRef *d = g->dependent) {
    g->dependent = nullptr;
    delete d; // its py::objects release their references
  }
  if (std::vector<DictState> *dicts = g->dicts) {
    g->dicts = nullptr;
    for (DictState &s : *dicts)
      Py_XDECREF(s.dict);
    delete dicts;
  }
  if (std::vector<CalleeState> *callees = g->callees) {
    g->callees = nullptr;
    for (CalleeState &c : *callees) {
      Py_XDECREF(c.function);
      Py_XDECREF(c.code);
      Py_XDECREF(c.defaults);
      Py_XDECREF(c.kwdefaults);
    }
    delete callees;
  }
  Py_CLEAR(g->fallback);
  Py_CLEAR(g->callFallback);
  Py_CLEAR(g->ok);
  return 0;
}

void guardDealloc(PyObject *self) {
  PyObject_GC_UnTrack(self);
  guardClear(self);
  PyObject_GC_Del(self);
}

/// Everything the guard holds, so that a cycle through it (the function's
/// namespace holds the function, whose code holds the guard, which holds
/// the namespace) can be collected.
int guardTraverse(PyObject *self, visitproc visit, void *arg) {
  auto *g = reinterpret_cast<GuardObject *>(self);
  if (g->dependent && *g->dependent) {
    const Dependent &d = **g->dependent;
    Py_VISIT(d.function.ptr());
    Py_VISIT(d.original.ptr());
    Py_VISIT(d.optimized.ptr());
    Py_VISIT(d.onDeopt.ptr());
  }
  if (g->dicts)
    for (DictState &s : *g->dicts) {
      Py_VISIT(s.dict);
      for (const Fact &f : s.facts) {
        Py_VISIT(f.key.ptr());
        Py_VISIT(f.expected.ptr());
      }
    }
  if (g->callees)
    for (CalleeState &c : *g->callees) {
      Py_VISIT(c.function);
      Py_VISIT(c.code);
      Py_VISIT(c.defaults);
      Py_VISIT(c.kwdefaults);
    }
  Py_VISIT(g->fallback);
  Py_VISIT(g->callFallback);
  Py_VISIT(g->ok);
  return 0;
}

PyTypeObject GuardType = [] {
  PyTypeObject t;
  std::memset(&t, 0, sizeof t);
  Py_SET_REFCNT(reinterpret_cast<PyObject *>(&t), 1);
  t.tp_name = "bcc._bcc.Guard";
  t.tp_basicsize = sizeof(GuardObject);
  t.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC |
               Py_TPFLAGS_HAVE_VECTORCALL;
  t.tp_doc = "The guard at the start of code bcc.optimize made (3.11).";
  t.tp_dealloc = guardDealloc;
  t.tp_traverse = guardTraverse;
  t.tp_clear = guardClear;
  t.tp_call = PyVectorcall_Call;
  t.tp_vectorcall_offset = offsetof(GuardObject, vectorcall);
  return t;
}();

py::object makeGuard(py::object function, py::object original, py::list facts,
                     py::list callees, py::object onDeopt, py::object fallback,
                     py::object callFallback, py::object ok) {
  if (PyType_Ready(&GuardType) < 0)
    throw py::error_already_set();
  GuardObject *g = PyObject_GC_New(GuardObject, &GuardType);
  if (!g)
    throw py::error_already_set();
  g->vectorcall = guardCall;
  g->dependent = nullptr;
  g->dicts = nullptr;
  g->callees = nullptr;
  g->fallback = g->callFallback = g->ok = nullptr;
  // Owned from here on: an exception below frees it (guardDealloc copes
  // with the fields not set yet).
  py::object guard = py::reinterpret_steal<py::object>(
      reinterpret_cast<PyObject *>(g));
  // The optimized code does not exist yet; the guard is inside it, so it
  // never runs once other code replaced it: no code to compare.
  g->dependent = new DependentRef(
      makeDependent(function, original, py::object(), onDeopt));
  g->dicts = new std::vector<DictState>();
  g->callees = new std::vector<CalleeState>();
  g->fallback = Py_NewRef(fallback.ptr());
  g->callFallback = Py_NewRef(callFallback.ptr());
  g->ok = Py_NewRef(ok.ptr());
  for (auto &[dict, fact] : readFacts(facts)) {
    DictState *state = nullptr;
    for (DictState &s : *g->dicts)
      if (s.dict == dict.ptr())
        state = &s;
    if (!state) {
      g->dicts->push_back(DictState{Py_NewRef(dict.ptr()), 0, {}});
      state = &g->dicts->back();
    }
    state->facts.push_back(std::move(fact));
  }
  for (py::handle callee : callees) {
    if (!PyFunction_Check(callee.ptr()))
      throw py::type_error("an inlined callee must be a function");
    auto *f = reinterpret_cast<PyFunctionObject *>(callee.ptr());
    g->callees->push_back(CalleeState{Py_NewRef(callee.ptr()),
                                      Py_XNewRef(f->func_code),
                                      Py_XNewRef(f->func_defaults),
                                      Py_XNewRef(f->func_kwdefaults)});
  }
  PyObject_GC_Track(g);
  // The versions now. The facts were read a moment ago, and another
  // thread may have changed a dict since: a dict whose facts do not hold
  // now gets a version no dict has, so that the first call looks again
  // (and deoptimizes).
  for (DictState &s : *g->dicts) {
    std::string reason;
    s.version = versionOf(s.dict) + 1; // makes checkDict look
    if (checkDict(s, reason))          // else it set the version now
      s.version = ~uint64_t(0);
  }
  return guard;
}

#endif

void setCode(py::object function, py::object code) {
  bool saved = installing;
  installing = true;
  int status = PyObject_SetAttrString(function.ptr(), "__code__", code.ptr());
  installing = saved;
  if (status < 0)
    throw py::error_already_set();
}

} // namespace

void insertGuardPrologue(Function &f, py::handle guard, py::handle ok) {
  const PyOps &ops = pyOps(f.version());
  Block &entry = *f.entry();
  Instruction *resume = nullptr;
  for (Instruction &inst : entry)
    if (isPy(inst, ops.RESUME)) {
      resume = &inst;
      break;
    }
  if (!resume || resume == entry.terminator())
    throw std::runtime_error("no RESUME to put the guard after in " +
                             f.qualName.utf8);
  Block *rest = splitBlockBefore(*std::next(resume->getIterator()));
  Instruction *jump = entry.terminator();
  if (jump->successor(0).numArgs() != 0)
    throw std::runtime_error("the frame set-up of " + f.qualName.utf8 +
                             " leaves values on the stack");
  auto host = [&](py::handle object) {
    return f.addConstant(Constant::host(std::make_shared<PyHostObject>(
        py::reinterpret_borrow<py::object>(object))));
  };
  IRBuilder b(f);
  b.setInsertPoint(jump);
  // No location: a tracer sees no line event for the guard.
  b.clearOrigin();
  Value *null = b.pushNull();
  Value *callee = b.constant(host(guard));
  Value *result = b.call(null, callee, {});
  Value *expected = b.constant(host(ok));
  Value *same =
      b.createPy(uint8_t(ops.IS_OP), 0, {{result}, {expected}}, 1)->result(0);
  // In stack form both edges pass the same values: the guard's result goes
  // to both, and the function's own code drops it first.
  Block *bail = f.createBlock();
  Value *value = bail->addParam();
  IRBuilder r(f);
  r.setInsertPoint(bail);
  r.clearOrigin();
  r.ret(value);
  Value *unused = rest->addParam();
  IRBuilder d(f);
  d.setInsertPoint(&*rest->begin());
  d.clearOrigin();
  d.drop(unused);
  b.condBr(BranchTest::IfTrue, same, {rest, {result}}, {bail, {result}});
  jump->eraseFromParent();
}

void defineDeoptFunctions(py::module_ &m) {
  m.def("set_code", &setCode, py::arg("function"), py::arg("code"),
        "Sets function.__code__ without counting it as a change of an "
        "inlined function.");
#if PY_VERSION_HEX >= 0x030C0000
  m.attr("HAS_WATCHERS") = true;
  m.def("watch", &watch, py::arg("function"), py::arg("original"),
        py::arg("optimized"), py::arg("facts"), py::arg("callees"),
        py::arg("on_deopt"),
        "Puts `original` back as function.__code__ (if it still is "
        "`optimized`) when a fact (dict, key, present, value) or an inlined "
        "callee changes. The function is held weakly.");
#else
  m.attr("HAS_WATCHERS") = false;
  m.def("make_guard", &makeGuard, py::arg("function"), py::arg("original"),
        py::arg("facts"), py::arg("callees"), py::arg("on_deopt"),
        py::arg("fallback"), py::arg("call_fallback"), py::arg("ok"),
        "The guard object the optimized code calls first (3.11).");
#endif
}

} // namespace bcc::python
