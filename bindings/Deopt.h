//===- bindings/Deopt.h - Giving a function its original code back --------===//
//
// A function that bcc.optimize changed depends on facts of the live
// namespace: a global bound to a given object (or not bound at all, where
// a builtin was folded), a module attribute, an inlined function's code
// and defaults. When one of them stops holding, the function gets its
// original code back (and bcc/_live.py may optimize it again later).
//
// 3.12 and later: dict watchers (PyDict_AddWatcher) on the namespaces the
// facts come from, and a function watcher (PyFunction_AddWatcher) for the
// inlined functions. A change that breaks a fact puts the original code
// back at once. Nothing runs when nothing changes.
//
// 3.11 has no watchers: the optimized code starts with a call of a Guard
// object, which compares the version tags of those dicts (PEP 509's
// ma_version_tag, which every change of a dict bumps) with the ones it saw
// last; only when one moved does it look the facts up again. When a fact
// broke, the guard puts the original code back and calls a copy of the
// original function with the frame's arguments, and the optimized code
// returns what that call returned.
//
// Either way a call that is already running when a fact breaks finishes
// with the code it started with (docs/python.md, "Deoptimization").
//
//===----------------------------------------------------------------------===//
#ifndef BCC_BINDINGS_DEOPT_H
#define BCC_BINDINGS_DEOPT_H

#include "bindings/Common.h"

namespace bcc {
class Function;
}

namespace bcc::python {

namespace py = pybind11;

/// Makes this extension's symbols global, so that a pass plugin loaded
/// later resolves bcc's symbols against it (passes/PassPlugin.h).
void exportSymbolsForPlugins();

/// Registers watch, Guard and the deoptimization helpers on `m`.
void defineDeoptFunctions(py::module_ &m);

/// 3.11: puts `result = guard(); if result is not ok: return result` at
/// the start of `f` (after the frame set-up: MAKE_CELL, COPY_FREE_VARS,
/// RESUME). `guard` and `ok` are Host constants.
void insertGuardPrologue(Function &f, py::handle guard, py::handle ok);

} // namespace bcc::python

#endif // BCC_BINDINGS_DEOPT_H
