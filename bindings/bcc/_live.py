"""Optimizing live functions: the facts, the stand-in module, the new code
and its deoptimization.

How bcc.optimize(func) works (docs/python.md, "How it works"):

1. Facts. Every global the function's code (nested code included) reads is
   looked up in func.__globals__ and, failing that, in its builtins, right
   now. A name some function of the module assigns or deletes (`global x;
   x = ...`) is left alone: the function could see it change while it runs.
   What is left is described to the core as
     ("constant", value)               any object: a literal stays a literal
                                       (so `DEBUG` folds into branches), an
                                       object (math, len, a class) becomes a
                                       constant of the code;
     ("function", index, defaults)     a plain function of the same module,
                                       whose code is put in the stand-in
                                       module for inline and strip-debug;
     ("module", path)                  a module, whose attributes the code
                                       reads are facts of a module of the
                                       tree (so `math.sin` folds).
   Each fact is also a watch: (namespace dict, key, present, value).
2. The stand-in module: a module code object that does nothing and holds
   the function's code and the candidate callees' code as constants. bcc's
   pipeline runs on it with the facts given (not read from its code), and
   its lowered constant 1 is the new code.
3. Host constants come back as placeholder strings through marshal and are
   put back here.
4. The new code replaces func.__code__ only; the function object keeps its
   identity, name, qualname, doc, defaults, annotations, closure and
   signature. Its original code is kept for deoptimization: on 3.12+ dict
   watchers and a function watcher put it back as soon as a fact breaks;
   on 3.11 a guard at the start of the new code checks the facts first
   (bindings/Deopt.h).
"""

import builtins
import dis
import marshal
import sys
import types
import warnings
import weakref

from . import _aot
from . import _bcc

CO_GENERATOR = 0x20
CO_COROUTINE = 0x80
CO_ITERABLE_COROUTINE = 0x100
CO_ASYNC_GENERATOR = 0x200
CO_VARARGS = 0x04
CO_VARKEYWORDS = 0x08

# The assumptions bcc.optimize grants by itself: the watchers keep them
# true for every global it reads (docs/python.md, "Deoptimization").
WATCHED_ASSUMPTIONS = ("module-constants", "stable-functions")

_PLACEHOLDER = "\x00bcc-host\x00"
_MAX_MODULE_DEPTH = 3


class OptimizationWarning(UserWarning):
    """bcc left a function as it was (a generator, a builtin, a failure)."""


class Report:
    """What bcc did to one function: bcc.report(func) returns it."""

    def __init__(self, function, decorator):
        # Weakly: reports live in a WeakKeyDictionary keyed by the function,
        # so a strong reference here would keep every function alive.
        self._function = weakref.ref(function)
        self.decorator = decorator
        self.pipeline = ""
        self.remarks = []
        self.stats = {}
        self.facts = []  # names whose values the new code relies on
        self.optimized = False
        self.deoptimized = None  # the reason, once it happened
        self.original_code = None
        self.optimized_code = None

    @property
    def function(self):
        """The function (None once it is gone)."""
        return self._function()

    def __repr__(self):
        state = ("deoptimized (%s)" % self.deoptimized if self.deoptimized
                 else "optimized" if self.optimized else "unchanged")
        return "<bcc report for %s: %s, %d remarks>" % (
            getattr(self.function, "__qualname__", "?"), state,
            len(self.remarks))


# Reports by function (weakly: a function that goes away takes its own).
_reports = weakref.WeakKeyDictionary()


def report(function):
    """The Report of bcc's last work on `function`, or None."""
    function = _unwrap(function)[0]
    return _reports.get(function)


def _unwrap(obj):
    """(function, rewrap): staticmethod and classmethod objects give their
    function and a way to wrap the result the same way (the same object:
    only the function's __code__ changes)."""
    if isinstance(obj, (staticmethod, classmethod)):
        return obj.__func__, obj
    return obj, obj


def _code_tree(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_tree(const)


_LOAD_GLOBAL = dis.opmap["LOAD_GLOBAL"]
_STORE_GLOBAL = dis.opmap["STORE_GLOBAL"]
_DELETE_GLOBAL = dis.opmap["DELETE_GLOBAL"]
_EXTENDED_ARG = dis.opmap["EXTENDED_ARG"]

# (reads, writes) of each code object's own bytecode, nested code not
# included: a plain dict, since a module's functions are few and their
# code objects live as long as the functions.
_scans = {}


def _scan(code):
    """The global names one code object reads (LOAD_GLOBAL) and writes
    (STORE_GLOBAL, DELETE_GLOBAL), from co_code directly: dis's
    instruction objects cost too much for every function of a module."""
    entry = _scans.get(id(code))
    if entry is not None and entry[0] is code:
        return entry[1]
    reads, writes = set(), set()
    raw = code.co_code
    names = code.co_names
    extended = 0
    for i in range(0, len(raw), 2):
        op, arg = raw[i], raw[i + 1] | extended
        if op == _EXTENDED_ARG:
            extended = arg << 8
            continue
        extended = 0
        if op == _LOAD_GLOBAL:
            reads.add(names[arg >> 1])
        elif op == _STORE_GLOBAL or op == _DELETE_GLOBAL:
            writes.add(names[arg])
    found = (frozenset(reads), frozenset(writes))
    if len(_scans) > 100000:
        _scans.clear()
    # By identity (hashing a code object hashes its bytecode and
    # constants); the entry holds the code, so the id stays its own.
    _scans[id(code)] = (code, found)
    return found


def _global_reads(code):
    """Names the code tree reads as globals (LOAD_GLOBAL), and names it
    reads as attributes (any co_names entry, for module attributes)."""
    reads, attributes = set(), set()
    for c in _code_tree(code):
        attributes.update(c.co_names)
        reads |= _scan(c)[0]
    return reads, attributes


_tree_writes = {}


def _global_writes(code):
    """The global names a code tree writes (cached by identity)."""
    entry = _tree_writes.get(id(code))
    if entry is not None and entry[0] is code:
        return entry[1]
    writes = set()
    for c in _code_tree(code):
        writes |= _scan(c)[1]
    writes = frozenset(writes)
    if len(_tree_writes) > 100000:
        _tree_writes.clear()
    _tree_writes[id(code)] = (code, writes)
    return writes


def _module_code(namespace):
    """The module code object running with `namespace` as its globals (the
    import that is executing the module now, a decorator being applied),
    or None when no frame runs it."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_globals is namespace and \
                frame.f_code.co_name == "<module>":
            return frame.f_code
        frame = frame.f_back
    return None


def _written_globals(namespace):
    """Names that the module assigns or deletes as a global from a
    function: every function and method of the module's code while the
    module is being executed (the ones defined later included), and every
    function or method found in its namespace (one class level deep)."""
    writes = set()
    module_code = _module_code(namespace)
    if module_code is not None:
        writes |= _global_writes(module_code)
    for value in list(namespace.values()):
        if isinstance(value, types.FunctionType):
            if value.__globals__ is namespace:
                writes |= _global_writes(value.__code__)
        elif isinstance(value, type):
            for attr in list(vars(value).values()):
                attr = _unwrap(attr)[0]
                if isinstance(attr, types.FunctionType) and \
                        attr.__globals__ is namespace:
                    writes |= _global_writes(attr.__code__)
    return writes


def _builtins_of(namespace):
    b = namespace.get("__builtins__", builtins)
    return b.__dict__ if isinstance(b, types.ModuleType) else b


def _is_plain_function(value, namespace):
    return (isinstance(value, types.FunctionType)
            and value.__globals__ is namespace
            and value.__closure__ is None
            and not value.__kwdefaults__
            and not value.__code__.co_flags & (
                CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR
                | CO_ITERABLE_COROUTINE))


class Selection:
    """Which globals a decorator turns into facts.

    constants: globals bound to anything but a module or a function
    functions: globals bound to functions (as constants)
    modules:   globals bound to modules, and their attributes
    builtins:  builtins the module does not shadow
    inline:    plain functions of the module offered to inline/strip-debug
               (True: every one; "marked": those marked by @bcc.inline)
    keep_print: leave `print` unfolded (strip-print needs to see it)
    """

    def __init__(self, constants=True, functions=True, modules=True,
                 builtins=True, inline=True, keep_print=False):
        self.constants = constants
        self.functions = functions
        self.modules = modules
        self.builtins = builtins
        self.inline = inline
        self.keep_print = keep_print


def _describe_module(module, attributes, path, modules, facts, depth):
    """Adds the facts of `module`'s attributes the code may read."""
    if path in modules:
        return
    namespace = module.__dict__
    described = {}
    modules[path] = described
    for name in attributes:
        if name not in namespace:
            continue
        value = namespace[name]
        facts.append((namespace, name, True, value))
        if isinstance(value, types.ModuleType) and depth < _MAX_MODULE_DEPTH:
            described[name] = ("module", path + "." + name)
            _describe_module(value, attributes, path + "." + name, modules,
                             facts, depth + 1)
        else:
            described[name] = ("constant", value)


def collect_facts(function, selection):
    """The globals, modules, watches and callee code objects for
    _bcc.optimize, and the names it relies on (for the report)."""
    code = function.__code__
    namespace = function.__globals__
    builtin_names = _builtins_of(namespace)
    reads, attributes = _global_reads(code)
    written = _written_globals(namespace) | _global_writes(code)
    globals_, modules, facts, callees, names = {}, {}, [], [], []
    callee_codes = []
    # The callees' own reads count too (their copies are optimized with
    # the function: a flag folded in debug() lets strip-debug drop it), and
    # their callees', in the order they are found.
    pending = sorted(reads)
    seen = set()
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.add(name)
        if name in namespace:
            # Bound in the module, whatever the selection: a pass must not
            # take it for a builtin (strip-print and a module's own print).
            globals_[name] = ("other", 2 if name in written else 1)
        if name in written:
            continue
        if name in namespace:
            value = namespace[name]
            is_builtin = False
        elif name in builtin_names:
            value = builtin_names[name]
            is_builtin = True
            if name == "print" and selection.keep_print:
                # strip-print removes calls of the builtin print: it must
                # stay a global read, which must stay the builtin (whether
                # or not other builtins are facts).
                facts.append((namespace, name, False, None))
                facts.append((builtin_names, name, True, value))
                names.append(name)
                continue
            if not selection.builtins:
                continue
        else:
            continue  # unbound now: reading it raises NameError, as before
        if isinstance(value, types.ModuleType):
            if not selection.modules:
                continue
            description = ("module", name)
            _describe_module(value, attributes, name, modules, facts, 1)
        elif isinstance(value, types.FunctionType):
            inlinable = (selection.inline and value is not function
                         and _is_plain_function(value, namespace)
                         and (selection.inline is True
                              or getattr(value, "__bcc_inline__", False)))
            if inlinable:
                description = ("function", 1 + len(callee_codes) + 1,
                               value.__defaults__)
                # A callee bcc optimized already is inlined from its
                # original code: the names that code reads become facts
                # of this function too (watched for it), and its own
                # guard (3.11) stays out of this function.
                callee_code = _original_code(value)
                callee_codes.append(callee_code)
                callees.append(value)
                more_reads, more_attributes = _global_reads(callee_code)
                written |= _global_writes(callee_code)
                attributes |= more_attributes
                pending.extend(sorted(more_reads - seen))
            elif selection.functions:
                description = ("constant", value)
            else:
                continue
        elif is_builtin or selection.constants:
            description = ("constant", value)
        else:
            continue
        globals_[name] = description
        names.append(name)
        if is_builtin:
            facts.append((namespace, name, False, None))
            facts.append((builtin_names, name, True, value))
        else:
            facts.append((namespace, name, True, value))
    return globals_, modules, facts, callees, callee_codes, names


def _original_code(function):
    """The code `function` had before bcc changed it (its current code if
    bcc did not, or deoptimized it)."""
    r = _reports.get(function)
    if r is not None and r.optimized and r.original_code is not None and \
            function.__code__ is r.optimized_code:
        return r.original_code
    return function.__code__


def _facts_hold(facts):
    """Whether every (dict, key, present, value) fact holds now."""
    for space, key, present, value in facts:
        if present:
            if space.get(key, _MISSING) is not value:
                return False
        elif key in space:
            return False
    return True


_MISSING = object()


def _stand_in(function, callee_codes):
    """The stand-in module: does nothing, holds the code objects."""
    code = function.__code__
    base = compile("", code.co_filename, "exec")
    return base.replace(co_consts=(None, code) + tuple(callee_codes))


def _put_back(code, hosts):
    """`code` with every placeholder constant replaced by its object."""

    def value(const):
        if isinstance(const, str) and const.startswith(_PLACEHOLDER):
            return hosts[int(const[len(_PLACEHOLDER):])]
        if isinstance(const, types.CodeType):
            return _put_back(const, hosts)
        if type(const) is tuple:
            items = tuple(value(c) for c in const)
            return items if any(a is not b for a, b in zip(items, const)) \
                else const
        if type(const) is frozenset:
            items = frozenset(value(c) for c in const)
            return items if items != const else const
        return const

    consts = tuple(value(c) for c in code.co_consts)
    if all(a is b for a, b in zip(consts, code.co_consts)):
        return code
    return code.replace(co_consts=consts)


def call_with_frame(fallback, frame):
    """3.11's deoptimization path: calls `fallback` (the original function)
    with the arguments the optimized frame was called with."""
    code = fallback.__code__
    local = frame.f_locals
    names = code.co_varnames
    n, k = code.co_argcount, code.co_kwonlyargcount
    args = [local[name] for name in names[:n]]
    kwargs = {name: local[name] for name in names[n:n + k] if name in local}
    i = n + k
    if code.co_flags & CO_VARARGS:
        args.extend(local[names[i]])
        i += 1
    if code.co_flags & CO_VARKEYWORDS:
        kwargs.update(local[names[i]])
    return fallback(*args, **kwargs)


_OK = type("_Ok", (), {"__repr__": lambda self: "<bcc guard ok>"})()


def _on_deopt(function, reason):
    reports = _reports
    if reports is None:  # the interpreter is shutting down
        return
    r = reports.get(function)
    if r is not None:
        r.deoptimized = reason
        r.optimized = False


def refuse(function, decorator, why):
    warnings.warn("bcc.%s: %s left as it is: %s" % (
        decorator, getattr(function, "__qualname__", repr(function)), why),
        OptimizationWarning, stacklevel=4)


def optimize_function(obj, decorator, selection, level=3, assume=(),
                      passes="", verify_each=False, weigh_guard=False):
    """Optimizes `obj` (a function, staticmethod or classmethod) in place;
    returns obj. Refusals warn (OptimizationWarning) and change nothing."""
    function, wrapper = _unwrap(obj)
    if not isinstance(function, types.FunctionType):
        refuse(obj, decorator, "not a Python function")
        return wrapper
    code = function.__code__
    if code.co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR
                        | CO_ITERABLE_COROUTINE):
        refuse(function, decorator,
               "generators and coroutines are not optimized")
        return wrapper
    previous = _reports.get(function)
    if previous is not None and previous.optimized:
        # Done already (by another decorator, or at compile time).
        return wrapper
    mark = _aot.aot_marker(code)
    if mark is not None:
        if _adopt_ahead_of_time(function, decorator, mark):
            return wrapper
        code = function.__code__  # the original, put back: optimize live
    result = Report(function, decorator)
    result.original_code = code
    assumptions = sorted(set(WATCHED_ASSUMPTIONS) | set(assume))
    try:
        (globals_, modules, facts, callees, callee_codes,
         names) = collect_facts(function, selection)
        root = _stand_in(function, callee_codes)
        guard = None
        if not _bcc.HAS_WATCHERS:
            fallback = types.FunctionType(
                code, function.__globals__, function.__name__,
                function.__defaults__, function.__closure__)
            fallback.__kwdefaults__ = function.__kwdefaults__
            guard = (_bcc.make_guard(function, code, facts, callees,
                                     _on_deopt, fallback, call_with_frame,
                                     _OK), _OK)
        data, hosts, remarks, stats, pipeline, changed = _bcc.optimize(
            root, function.__module__ or "", globals_, modules, level,
            ",".join(assumptions), passes, verify_each, _PLACEHOLDER, guard)
        new_root = marshal.loads(data)
        new_code = _put_back(new_root, hosts).co_consts[1]
    except (RuntimeError, ValueError, TypeError) as error:
        refuse(function, decorator, "bcc failed: %s" % error)
        return wrapper
    result.remarks = list(remarks)
    result.stats = {(p, c): n for p, c, n in stats}
    result.pipeline = pipeline
    result.facts = names
    if new_code.co_freevars != code.co_freevars:
        refuse(function, decorator, "its free variables changed")
        return wrapper
    _reports[function] = result
    if not changed:
        return wrapper
    if weigh_guard and guard is not None and \
            not _worth_a_guard(new_code, result.stats):
        result.remarks.append(
            "%s:%d: %s: bcc: missed: left as it was: on 3.11 the guard at "
            "its start (one C call per call) costs more than folding saves "
            "in a function without a loop, an inlined call or a removed "
            "call" % (code.co_filename, code.co_firstlineno,
                      function.__qualname__))
        return wrapper
    _bcc.set_code(function, new_code)
    result.optimized = True
    result.optimized_code = new_code
    if _bcc.HAS_WATCHERS:
        _bcc.watch(function, code, new_code, facts, callees, _on_deopt)
        # The facts were read before bcc optimized; a change another thread
        # made since then was seen by no watcher. From here on the watchers
        # see every change, so one look now closes the gap.
        if not _facts_hold(facts):
            _bcc.set_code(function, code)
            _on_deopt(function, "a name it read changed while bcc "
                      "optimized it")
    return wrapper


def _adopt_ahead_of_time(function, decorator, mark):
    """`bcc opt` compiled the function for a decorator (bcc/_aot.py): its
    code is kept and the names it relies on are watched, with the original
    code to go back to. False when it cannot be kept (3.11, whose guard
    must be compiled into the code; another decorator; a name not bound as
    the code expects): the original code is then put back."""
    name, original, names, expected = mark
    watches = _aot.watch_facts(function, names,
                               _builtins_of(function.__globals__), expected)
    if not _bcc.HAS_WATCHERS or name != decorator or watches is None:
        _bcc.set_code(function, original)
        return False
    facts, callees = watches
    result = Report(function, decorator)
    result.original_code = original
    result.optimized_code = function.__code__
    result.facts = list(names)
    result.pipeline = "ahead of time"
    result.remarks = [
        "%s:%d: %s: bcc: done: compiled ahead of time by bcc opt"
        % (original.co_filename, original.co_firstlineno,
           function.__qualname__)]
    result.optimized = True
    _reports[function] = result
    _bcc.watch(function, original, function.__code__, facts, callees,
               _on_deopt)
    return True


def _worth_a_guard(code, stats):
    """3.11: whether the new code saves more than its guard costs (about
    20 ns a call, bench/live_guards.py): it has a loop, or a call went
    (inlined, or removed by strip-debug or strip-print)."""
    if any(n for (p, _), n in stats.items()
           if p in ("inline", "strip-debug", "strip-print")):
        return True
    return any(i.opname.startswith("JUMP_BACKWARD")
               for c in _code_tree(code) for i in dis.get_instructions(c))


def lift(obj):
    """The IR text of a function's (or code object's) code."""
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    code = getattr(obj, "__code__", obj)
    if not isinstance(code, types.CodeType):
        raise TypeError("bcc.lift needs a function or a code object, not %s"
                        % type(obj).__name__)
    return _bcc.lift(code)
