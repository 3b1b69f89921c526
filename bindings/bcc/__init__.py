"""bcc: an optimizing compiler for CPython bytecode, from Python.

The package wraps bcc's C++ core (the extension bcc._bcc): live functions
are lifted from their code objects, optimized with the facts only a live
function has (what its globals, builtins and modules hold right now), and
given their new code, which goes back to the original as soon as one of
those facts stops holding. docs/python.md documents every name here with
the bytecode-hacking tradition's examples.

    import math, bcc

    @bcc.optimize
    def wave(n):
        s = 0.0
        for i in range(n):
            s += math.sin(i) * math.sin(i)   # math.sin is a constant now
        return s
"""

import functools as _functools
import sys as _sys
import types as _types

from . import _bcc
from . import _live
from ._live import OptimizationWarning, Report, report, lift
from ._hook import install, uninstall
from ._passes import register_pass

__version__ = _bcc.__version__

__all__ = [
    "__version__", "optimize", "cache_globals", "unprint", "smartdebug",
    "inline", "make_local_functions_constant", "make_local_modules_constant",
    "lift", "passes", "load_pass_plugin", "report", "Report",
    "OptimizationWarning", "install", "uninstall", "register_pass",
]

_CLEANUPS = "const-fold,fold-branches,simplify-cfg,dce"


def _decorator(name, apply):
    """A decorator usable as @name, @name() and @name(options...)."""

    def decorator(func=None, **options):
        if func is None:
            return lambda f: apply(f, **options)
        return apply(func, **options)

    decorator.__name__ = decorator.__qualname__ = name
    return decorator


def _assumptions(assume):
    if not assume:
        return ()
    if isinstance(assume, str):
        assume = assume.split(",")
    return tuple(a.strip() for a in assume if a.strip())


def _optimize(func, level=3, assume=None, passes="", verify_each=False,
              always=False):
    assume = _assumptions(assume)
    selection = _live.Selection(keep_print="no-print" in assume
                                or "all" in assume)
    return _live.optimize_function(func, "optimize", selection, level=level,
                                   assume=assume, passes=passes,
                                   verify_each=verify_each,
                                   weigh_guard=not always)


optimize = _decorator("optimize", _optimize)
optimize.__doc__ = """@bcc.optimize, @bcc.optimize(level=3, assume=..., always=False)

Runs bcc's -O<level> pipeline on the function with the facts of its live
namespace: globals, builtins and module attributes it reads become
constants, plain functions of its module may be inlined, and code that the
folded flags make dead goes. `assume` adds facts bcc cannot watch, e.g.
"no-print". The function's original code comes back if a fact breaks.
On 3.11, where the new code starts with a guard call, a function with no
loop and no call removed or inlined is left as it is unless always=True."""


def _cache_globals(func, builtins=True, modules=True):
    selection = _live.Selection(builtins=builtins, modules=modules,
                                inline=False)
    return _live.optimize_function(
        func, "cache_globals", selection, level=2,
        passes="fold-globals," + _CLEANUPS)


cache_globals = _decorator("cache_globals", _cache_globals)
cache_globals.__doc__ = """@bcc.cache_globals, @bcc.cache_globals(builtins=True, modules=True)

Folds the globals the function reads (and the attribute chains of the
modules among them, and the builtins its module does not shadow) into
constants: `math.sin(x)` becomes a call of the constant math.sin."""


def _unprint(func):
    selection = _live.Selection(constants=False, functions=False,
                                modules=False, builtins=False, inline=False,
                                keep_print=True)
    return _live.optimize_function(
        func, "unprint", selection, level=2, assume=("no-print",),
        passes="strip-print," + _CLEANUPS)


unprint = _decorator("unprint", _unprint)
unprint.__doc__ = """@bcc.unprint

Removes the calls of the builtin print (their arguments are still
evaluated), as long as the module does not bind a print of its own."""


def _smartdebug(func):
    selection = _live.Selection(functions=False, modules=True, builtins=False,
                                inline=True)
    return _live.optimize_function(
        func, "smartdebug", selection, level=2,
        passes="fold-globals,%s,strip-debug,%s" % (_CLEANUPS, _CLEANUPS))


smartdebug = _decorator("smartdebug", _smartdebug)
smartdebug.__doc__ = """@bcc.smartdebug

Folds the module's flags (DEBUG = False) into the function and removes
the branches they make dead and the calls of the module's functions that
then do nothing (a DEBUG()-style helper whose body is `if DEBUG: ...`)."""


def _inline(func, max_size=None):
    function = _live._unwrap(func)[0]
    if isinstance(function, _types.FunctionType):
        function.__bcc_inline__ = True
    marked = _any_marked_callee(function)
    selection = _live.Selection(constants=False, functions=False,
                                modules=False, builtins=False,
                                inline="marked" if marked else True)
    size = max_size or (1000 if marked else 60)
    return _live.optimize_function(
        func, "inline", selection, level=3,
        passes="inline<max-size=%d>,%s" % (size, _CLEANUPS))


def _any_marked_callee(function):
    if not isinstance(function, _types.FunctionType):
        return False
    reads, _ = _live._global_reads(function.__code__)
    namespace = function.__globals__
    return any(getattr(namespace.get(n), "__bcc_inline__", False)
               for n in reads if namespace.get(n) is not function)


inline = _decorator("inline", _inline)
inline.__doc__ = """@bcc.inline, @bcc.inline(max_size=N)

Inlines the calls this function makes to plain functions of its module.
It also marks the function itself: when some callees of a function are
marked, @bcc.inline inlines those (up to 1000 instructions) and no others;
otherwise it inlines every callee up to 60 instructions."""


def _module_functions(namespace):
    """(holder, name, value) for every function and method of a module."""
    for name, value in list(namespace.items()):
        function = _live._unwrap(value)[0]
        if isinstance(function, _types.FunctionType) and \
                function.__globals__ is namespace:
            yield value
        elif isinstance(value, type) and value.__module__ == \
                namespace.get("__name__"):
            for attr in list(vars(value).values()):
                function = _live._unwrap(attr)[0]
                if isinstance(function, _types.FunctionType) and \
                        function.__globals__ is namespace:
                    yield attr


def _whole_module(namespace, selection, decorator):
    done = 0
    for value in _module_functions(namespace):
        function = _live._unwrap(value)[0]
        if function.__code__.co_flags & (0x20 | 0x80 | 0x100 | 0x200):
            continue  # generators stay as they are, silently here
        _live.optimize_function(value, decorator, selection, level=2,
                                passes="fold-globals," + _CLEANUPS)
        r = report(function)
        done += bool(r and r.optimized)
    return done


def make_local_functions_constant(namespace=None):
    """Folds, in every function and method of the calling module (or of the
    module whose namespace dict is given), the globals bound to the
    module's own functions into constants. Call it at the end of the
    module. Returns how many functions changed."""
    namespace = namespace if namespace is not None else \
        _sys._getframe(1).f_globals
    selection = _live.Selection(constants=False, functions=True,
                                modules=False, builtins=False, inline=False)
    return _whole_module(namespace, selection, "make_local_functions_constant")


def make_local_modules_constant(namespace=None):
    """Folds, in every function and method of the calling module (or of the
    given namespace), the globals bound to modules and the attributes read
    through them into constants. Returns how many functions changed."""
    namespace = namespace if namespace is not None else \
        _sys._getframe(1).f_globals
    selection = _live.Selection(constants=False, functions=False,
                                modules=True, builtins=False, inline=False)
    return _whole_module(namespace, selection, "make_local_modules_constant")


def passes():
    """Every registered pass as {name: (kind, parameters, description)}."""
    return {name: (kind, parameters, description)
            for name, kind, parameters, description, _ in _bcc.passes()}


def load_pass_plugin(path):
    """Loads a pass plugin (docs/embedding.md) into this process's registry;
    its passes can then be named in optimize(passes=...). Returns (name,
    version)."""
    import os
    return _bcc.load_pass_plugin(os.fspath(path))


try:
    from .timer import timer, TimerError  # noqa: F401
    __all__ += ["timer", "TimerError"]
except ImportError:  # pragma: no cover - the timer module is optional
    pass
