"""bcc.timer: time the body of a with-statement, as the tradition's
LittleTimer did, for CPython 3.11, 3.12 and 3.13.

    import bcc
    with bcc.timer(1000) as t:
        a = b + c
    print(t.rate, t.per_call)

LittleTimer grabbed a with-body's bytecode, repeated it N times between two
calls of time() and divided. bcc.timer does the same with the means the
standard library gives, and subtracts the cost of its own loop, like timeit:

1. `__enter__` looks at the frame that runs the with-statement
   (sys._getframe(1)) and at the instruction that called it (BEFORE_WITH).
   That instruction's source position names the with-statement: on 3.11
   and 3.12 it is the whole statement, on 3.13 the context expression of
   the item being entered.
2. The caller's source file is read with linecache (which also reads
   sources that an import loader provides) and parsed with ast; the With
   node at that position gives the body.
3. The body is compiled, with its original line numbers and the caller's
   `from __future__` flags, into a function that runs it N times:

       def _bcc_make_timed(<the caller's cell and free variables>):
           def _bcc_timed(_bcc_iterations, <the caller's other locals>):
               nonlocal <those of the first kind that the body assigns>
               for _bcc_i in _bcc_iterations:
                   <body>
           return _bcc_timed

   Only the names the body mentions are passed, with their current values
   from frame.f_locals (which includes closure variables on 3.11+), so a
   name is loaded by the same kind of instruction as in the caller: a local
   with LOAD_FAST, a closure variable with LOAD_DEREF, a global or builtin
   with LOAD_GLOBAL (through the caller's f_globals, which becomes the
   function's globals). A name the body assigns is a local of the timing
   function, initialised from the caller's value where there is one (for a
   module-level with-statement: from the module's globals), so the N runs
   do not rebind anything in the caller. Inside a class the function is
   compiled in a class of the same name, so that `__private` names are
   mangled as in the caller; zero-argument super() works because the
   caller's first argument is passed first and the caller's __class__ cell
   is given as the closure. The `as` name, if the body reads it, is the
   timer itself, as it is when the body runs in the caller.
4. The timing function runs N times per sample with itertools.repeat as
   the loop iterator and the garbage collector off, as in timeit; the same
   function with an empty body (`pass`) gives the loop's own cost. Samples
   of both alternate `repeat` times (default 5), and the best of each is
   kept (timeit's advice: the minimum is the run least disturbed by the
   rest of the machine).
5. `__enter__` returns and the with-statement runs the body once more, for
   real, in the caller's frame. `__exit__` does nothing else and lets
   exceptions propagate.

timer(number=1_000_000, repeat=5) takes timeit's defaults. Results, on
the timer object after `__enter__`:

    number            N, the executions of the body per sample
    total             seconds for the N executions, the loop's cost removed
    per_call          total / N, in seconds; never negative
    rate              executions per second (1 / per_call; inf if 0)
    overhead          seconds per iteration of the empty loop
    below_resolution  True if the body measured no slower than the empty
                      loop; per_call is then 0 (clamped), not a measurement

Side effects: the body really runs N * repeat + 1 times. Rebinding a name
stays inside the timing function, but effects on objects (list.append, an
attribute set on an object, output, I/O) are repeated, exactly as with
timeit. An exception raised while the body is being timed propagates from
`__enter__` (with a note saying so), and the body is not run in the caller.

What cannot be timed raises TimerError (also available as
`timer.TimerError`) from `__enter__`, with the file and line: a with-
statement without source (code exec'd from a string, typed at the classic
interactive prompt, a frozen module), a body that leaves the with-statement
(return, break or continue outside a loop of its own), a body that needs its
own frame kind (yield, await, async for, async with) or that declares names
(global, nonlocal, from ... import *), and a timer that is not the last item
of its with-statement (the items after it are not entered yet).

Other limits: a name the caller has not bound yet is unbound in the timing
function too; in a class body, a comprehension in the body sees the class's
names (the caller's would not); if the source file changed after the code
was compiled, the with-statement is usually not found (TimerError) and
otherwise the wrong body could be timed; CPython 3.14 has no BEFORE_WITH
any more, and older versions no column positions. Sites are cached by code
object and instruction, so a with-statement's source is parsed once.
"""

import __future__
import ast
import dis
import functools
import gc
import inspect
import itertools
import linecache
import os
import sys
import time
import types

__all__ = ["timer", "TimerError"]

DEFAULT_NUMBER = 1_000_000
DEFAULT_REPEAT = 5

# Names of the timing function's own; a body that uses one cannot be timed.
_MAKE_TIMED = "_bcc_make_timed"
_TIMED = "_bcc_timed"
_ITERATIONS = "_bcc_iterations"
_LOOP_VARIABLE = "_bcc_i"
_INTERNAL_NAMES = frozenset((_MAKE_TIMED, _TIMED, _ITERATIONS,
                             _LOOP_VARIABLE))

_BEFORE_WITH = dis.opmap.get("BEFORE_WITH")
_FUTURE_FLAGS = functools.reduce(
    lambda flags, name: flags | getattr(__future__, name).compiler_flag,
    __future__.all_feature_names, 0)

# Analysed with-statements: (id(code), lasti) -> (code, _WithSite). The code
# object is kept so that its id is not reused while the entry exists.
_site_cache = {}
_SITE_CACHE_LIMIT = 1024


class TimerError(Exception):
    """bcc.timer cannot time this with-statement's body."""


class _WithSite:
    """What the source says about one with-statement that enters a timer."""

    __slots__ = ("filename", "lineno", "body", "target", "class_name",
                 "names", "uses_super", "future_flags")

    def __init__(self, filename, lineno, body, target, class_name, names,
                 uses_super, future_flags):
        self.filename = filename        # the caller's co_filename
        self.lineno = lineno            # first line of the with-statement
        self.body = body                # list of ast statements
        self.target = target            # `as NAME`: NAME, else None
        self.class_name = class_name    # innermost enclosing class, or None
        self.names = names              # identifiers the body mentions
        self.uses_super = uses_super    # the body mentions `super`
        self.future_flags = future_flags

    def where(self):
        return "%s:%d" % (self.filename, self.lineno)


# --- Finding the with-statement ---------------------------------------------

def _instruction_position(code, offset):
    """(line, end_line, column, end_column) of the instruction at offset."""
    return next(itertools.islice(code.co_positions(), offset // 2, None))


def _with_statements(tree):
    """(With node, name of the innermost enclosing class or None), for
    every with-statement in tree."""
    pending = [(tree, None)]
    while pending:
        node, class_name = pending.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.With):
                yield child, class_name
            if isinstance(child, ast.ClassDef):
                pending.append((child, child.name))
            else:
                pending.append((child, class_name))


def _span(node):
    return (node.lineno, node.end_lineno, node.col_offset,
            node.end_col_offset)


def _locate(tree, code, offset, where):
    """The With node entered by BEFORE_WITH at offset, the index of the
    item being entered, and the innermost enclosing class's name."""
    position = _instruction_position(code, offset)
    statements = list(_with_statements(tree))
    if position[2] is None:
        # No column information (-X no_debug_ranges): go by line alone.
        line = position[0]
        matches = [(node, class_name) for node, class_name in statements
                   if node.lineno == line or
                   any(item.context_expr.lineno == line
                       for item in node.items)]
        if len(matches) == 1 and len(matches[0][0].items) == 1:
            return matches[0][0], 0, matches[0][1]
        raise TimerError(
            "%s: cannot tell which with-statement enters bcc.timer (the "
            "code has no column positions; is -X no_debug_ranges set?)"
            % where)
    # 3.13: the position is that of the item's context expression.
    for node, class_name in statements:
        for index, item in enumerate(node.items):
            if _span(item.context_expr) == position:
                return node, index, class_name
    # 3.11 and 3.12: the position is the whole statement's, shared by the
    # BEFORE_WITH of each item, which come in the items' order.
    for node, class_name in statements:
        if _span(node) == position:
            entries = [unit * 2 for unit, unit_position
                       in enumerate(code.co_positions())
                       if code.co_code[unit * 2] == _BEFORE_WITH and
                       unit_position == position]
            # (A with-statement in a `finally:` block is compiled twice.)
            if offset in entries and len(entries) % len(node.items) == 0:
                return (node, entries.index(offset) % len(node.items),
                        class_name)
    raise TimerError(
        "%s: the with-statement that enters bcc.timer is not in the source "
        "file as it is now (was the file changed after it was compiled?)"
        % where)


@functools.lru_cache(maxsize=16)
def _parse(filename, source):
    return ast.parse(source, filename)


class _BodyChecker(ast.NodeVisitor):
    """Finds the first construct of a with-body that cannot run inside a
    function of its own. Nested functions and classes may do anything in
    their own bodies; what they evaluate in the with-body's scope
    (decorators, defaults, bases) is checked."""

    def __init__(self):
        self.loop_depth = 0
        self.problem = None     # (node, description)

    def _report(self, node, description):
        if self.problem is None:
            self.problem = (node, description)

    def _visit_all(self, nodes):
        for node in nodes:
            if node is not None:
                self.visit(node)

    def _visit_arguments(self, arguments):
        self._visit_all(arguments.defaults)
        self._visit_all(arguments.kw_defaults)

    def visit_FunctionDef(self, node):
        self._visit_all(node.decorator_list)
        self._visit_arguments(node.args)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self._visit_arguments(node.args)

    def visit_ClassDef(self, node):
        self._visit_all(node.decorator_list)
        self._visit_all(node.bases)
        self._visit_all(keyword.value for keyword in node.keywords)

    def _visit_loop(self, node, header):
        self._visit_all(header)
        self.loop_depth += 1
        self._visit_all(node.body)
        self.loop_depth -= 1
        self._visit_all(node.orelse)    # `else:` belongs to the outer level

    def visit_For(self, node):
        self._visit_loop(node, (node.target, node.iter))

    def visit_While(self, node):
        self._visit_loop(node, (node.test,))

    def visit_Break(self, node):
        if self.loop_depth == 0:
            self._report(node, "'break' outside a loop of the body")

    def visit_Continue(self, node):
        if self.loop_depth == 0:
            self._report(node, "'continue' outside a loop of the body")

    def visit_Return(self, node):
        self._report(node, "'return'")

    def visit_Yield(self, node):
        self._report(node, "'yield'")

    def visit_YieldFrom(self, node):
        self._report(node, "'yield from'")

    def visit_Await(self, node):
        self._report(node, "'await'")

    def visit_AsyncFor(self, node):
        self._report(node, "'async for'")

    def visit_AsyncWith(self, node):
        self._report(node, "'async with'")

    def visit_Global(self, node):
        self._report(node, "a 'global' statement")

    def visit_Nonlocal(self, node):
        self._report(node, "a 'nonlocal' statement")

    def visit_ImportFrom(self, node):
        if any(alias.name == "*" for alias in node.names):
            self._report(node, "'from ... import *'")

    def _visit_comprehension(self, node):
        if any(generator.is_async for generator in node.generators):
            self._report(node, "an asynchronous comprehension")
        self.generic_visit(node)

    visit_ListComp = visit_SetComp = visit_DictComp = _visit_comprehension


def _identifiers(body):
    """Every identifier the body mentions, in any scope (more than it uses
    is harmless: only those the caller has bound are passed)."""
    names = set()
    for statement in body:
        for node in ast.walk(statement):
            for field in ("id", "arg", "name", "asname", "rest"):
                value = getattr(node, field, None)
                if isinstance(value, str):
                    names.add(value.split(".")[0])
            if isinstance(node, (ast.Global, ast.Nonlocal)):
                names.update(node.names)
    return frozenset(names)


def _analyse(frame):
    """The _WithSite of the with-statement that frame is entering."""
    code = frame.f_code
    offset = frame.f_lasti
    where = "%s:%d" % (code.co_filename, frame.f_lineno)
    if _BEFORE_WITH is None or not hasattr(code, "co_positions"):
        raise TimerError("bcc.timer works on CPython 3.11 to 3.13, not %d.%d"
                         % sys.version_info[:2])
    if code.co_code[offset] != _BEFORE_WITH:
        raise TimerError("%s: bcc.timer must be entered by a with-statement"
                         % where)
    lines = linecache.getlines(code.co_filename, frame.f_globals)
    if not lines:
        raise TimerError(
            "%s: no source for this with-statement (code exec'd from a "
            "string, typed at the interactive prompt, or a frozen module); "
            "bcc.timer reads the body from the source file" % where)
    try:
        tree = _parse(code.co_filename, "".join(lines))
    except SyntaxError as error:
        raise TimerError("%s: the source file does not parse (%s)"
                         % (where, error)) from None
    node, index, class_name = _locate(tree, code, offset, where)
    where = "%s:%d" % (code.co_filename, node.lineno)
    if index != len(node.items) - 1:
        raise TimerError(
            "%s: bcc.timer must be the last item of its with-statement "
            "(the items after it are not entered while the body is timed)"
            % where)
    checker = _BodyChecker()
    for statement in node.body:
        checker.visit(statement)
    if checker.problem:
        bad_node, description = checker.problem
        raise TimerError(
            "%s: the with-body has %s (line %d), which cannot run inside "
            "bcc.timer's timing function" % (where, description,
                                             bad_node.lineno))
    names = _identifiers(node.body)
    clashes = sorted(names & _INTERNAL_NAMES)
    if clashes:
        raise TimerError("%s: the with-body uses %s, a name of bcc.timer's "
                         "own" % (where, ", ".join(clashes)))
    target = node.items[index].optional_vars
    target = target.id if isinstance(target, ast.Name) else None
    return _WithSite(code.co_filename, node.lineno, node.body, target,
                     class_name, names, "super" in names,
                     code.co_flags & _FUTURE_FLAGS)


def _site(frame):
    key = (id(frame.f_code), frame.f_lasti)
    cached = _site_cache.get(key)
    if cached is not None and cached[0] is frame.f_code:
        return cached[1]
    site = _analyse(frame)
    if len(_site_cache) >= _SITE_CACHE_LIMIT:
        _site_cache.clear()
    _site_cache[key] = (frame.f_code, site)
    return site


# --- Building the timing function -------------------------------------------

def _mangle(name, class_name):
    """name as the compiler spells it inside class class_name."""
    if (class_name is None or not name.startswith("__") or
            name.endswith("__") or "." in name):
        return name
    stripped = class_name.lstrip("_")
    return "_" + stripped + name if stripped else name


def _demangle(compiled_name, class_name):
    """The name in the source that _mangle made compiled_name from."""
    prefix = "_%s__" % (class_name or "").lstrip("_")
    if class_name and prefix != "___" and compiled_name.startswith(prefix):
        return compiled_name[len(prefix) - 2:]
    return compiled_name


def _timing_module(site, body, first, plain, cells, nonlocals,
                   deleted_plain, deleted_cells):
    """The module AST that defines _bcc_make_timed (in a class named like
    the caller's, if there is one) around body."""
    plain_parameters = ([first] if first else []) + [_ITERATIONS] + plain
    source = ("def %s(%s):\n"
              "    def %s(%s):\n"
              "        for %s in %s:\n"
              "            pass\n"
              "    return %s\n"
              % (_MAKE_TIMED, ", ".join(cells), _TIMED,
                 ", ".join(plain_parameters), _LOOP_VARIABLE, _ITERATIONS,
                 _TIMED))
    if site.class_name:
        source = "class %s:\n%s" % (site.class_name, "".join(
            "    " + line for line in source.splitlines(True)))
    module = ast.parse(source)
    make_timed = module.body[0]
    if site.class_name:
        make_timed = make_timed.body[0]
    timed = make_timed.body[0]
    if deleted_cells:
        make_timed.body.insert(0, ast.Delete(
            [ast.Name(name, ast.Del()) for name in deleted_cells]))
    prologue = []
    if nonlocals:
        prologue.append(ast.Nonlocal(list(nonlocals)))
    if deleted_plain:
        prologue.append(ast.Delete(
            [ast.Name(name, ast.Del()) for name in deleted_plain]))
    timed.body[0:0] = prologue
    # The scaffolding says it is at the with-statement's line; the body
    # keeps its own lines, so that a traceback shows the caller's source.
    for node in ast.walk(module):
        if "lineno" in node._attributes:
            node.lineno = node.end_lineno = site.lineno
            node.col_offset = node.end_col_offset = 0
    timed.body[-1].body = body
    return ast.fix_missing_locations(module)    # an empty body's `pass`


def _find_code(code, name):
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            if constant.co_name == name:
                return constant
            found = _find_code(constant, name)
            if found is not None:
                return found
    return None


def _compile_make_timed(site, body, first, plain, cells, nonlocals,
                        deleted_plain, deleted_cells):
    module = _timing_module(site, body, first, plain, cells, nonlocals,
                            deleted_plain, deleted_cells)
    try:
        code = compile(module, site.filename, "exec",
                       flags=site.future_flags, dont_inherit=True)
    except SyntaxError as error:
        raise TimerError("%s: the with-body cannot be compiled as a "
                         "function of its own: %s"
                         % (site.where(), error.msg)) from None
    return _find_code(code, _MAKE_TIMED)


@functools.lru_cache(maxsize=256)
def _bound_names(site, first, plain, cells):
    """The names (as compiled) that the timing function binds itself."""
    make_timed = _compile_make_timed(site, site.body, first, list(plain),
                                     list(cells), (), (), ())
    timed = _find_code(make_timed, _TIMED)
    return frozenset(timed.co_varnames) | frozenset(timed.co_cellvars)


@functools.lru_cache(maxsize=256)
def _make_timed_codes(site, first, plain, cells, nonlocals, deleted_plain,
                      deleted_cells):
    """The code of _bcc_make_timed with the body, and with `pass`."""
    arguments = (first, list(plain), list(cells), nonlocals, deleted_plain,
                 deleted_cells)
    return (_compile_make_timed(site, site.body, *arguments),
            _compile_make_timed(site, [ast.Pass()], *arguments))


_UNBOUND = object()


class _Caller:
    """The caller's names, looked up as its code looks them up."""

    def __init__(self, frame):
        code = frame.f_code
        self.optimized = bool(code.co_flags & inspect.CO_OPTIMIZED)
        self.locals = frame.f_locals
        self.globals = frame.f_globals
        self.builtins = frame.f_builtins
        self.cell_names = frozenset(code.co_cellvars + code.co_freevars)
        self.local_names = frozenset(code.co_varnames) | self.cell_names
        self.first_argument = None
        if self.optimized and code.co_argcount:
            self.first_argument = code.co_varnames[0]

    def local(self, compiled_name):
        """The caller's local value, _UNBOUND if it has none."""
        if (not self.optimized and self.locals is self.globals) or \
                compiled_name not in self.locals:
            return _UNBOUND
        return self.locals[compiled_name]

    def lookup(self, compiled_name):
        """The value the caller would load: local, global, builtin."""
        value = self.local(compiled_name)
        if value is _UNBOUND:
            value = self.globals.get(compiled_name, _UNBOUND)
        if value is _UNBOUND:
            value = self.builtins.get(compiled_name, _UNBOUND)
        return value


class _Parameters:
    """What the timing function takes from the caller: `first` (the
    caller's first argument, for zero-argument super()), `plain` (the
    timing function's parameters) and `cells` (_bcc_make_timed's, which
    become the timing function's free variables); `values` maps each to
    the caller's value or _UNBOUND. Names are spelled as in the source."""

    def __init__(self, caller, site, timer_object):
        self.first = None
        self.plain, self.cells = [], []
        self.values = {}
        # Compiled name (mangled in a class) -> name in the source.
        self.source_name = {_mangle(name, site.class_name): name
                            for name in site.names}
        if site.uses_super and caller.first_argument:
            compiled_name = caller.first_argument
            self.source_name[compiled_name] = _demangle(compiled_name,
                                                        site.class_name)
        for compiled_name, name in sorted(self.source_name.items()):
            if caller.optimized:
                if compiled_name not in caller.local_names:
                    continue    # a global or builtin: LOAD_GLOBAL
            elif caller.local(compiled_name) is _UNBOUND and \
                    name != site.target:
                continue        # module level: globals stay globals
            if name == site.target:
                self.values[name] = timer_object
            else:
                self.values[name] = caller.local(compiled_name)
            if compiled_name == caller.first_argument and site.uses_super:
                self.first = name
            elif compiled_name in caller.cell_names:
                self.cells.append(name)
            else:
                self.plain.append(name)

    def add_bound_globals(self, caller, bound):
        """Names the body binds that the caller reads as globals (at module
        level, or declared `global`) become locals of the timing function,
        starting from the caller's value."""
        for compiled_name in sorted(bound):
            name = self.source_name.get(compiled_name)
            if name is None or name in self.values:
                continue
            value = caller.lookup(compiled_name)
            if value is not _UNBOUND:
                self.values[name] = value
                self.plain.append(name)

    def unbound(self, names):
        return tuple(name for name in names
                     if self.values[name] is _UNBOUND)

    def arguments(self, names):
        """The values to pass; an unbound name gets None, deleted at once
        by the function."""
        return [None if self.values[name] is _UNBOUND else self.values[name]
                for name in names]


def _timing_functions(frame, site, timer_object):
    """(timed, empty, arguments before the iterator, arguments after it)."""
    caller = _Caller(frame)
    parameters = _Parameters(caller, site, timer_object)
    first = parameters.first
    bound = _bound_names(site, first, tuple(parameters.plain),
                         tuple(parameters.cells))
    nonlocals = tuple(name for name in parameters.cells
                      if _mangle(name, site.class_name) in bound)
    parameters.add_bound_globals(caller, bound)
    plain, cells = tuple(parameters.plain), tuple(parameters.cells)
    deleted_plain = parameters.unbound(((first,) if first else ()) + plain)
    codes = _make_timed_codes(site, first, plain, cells, nonlocals,
                              deleted_plain, parameters.unbound(cells))
    functions = []
    for make_timed_code in codes:
        closure = []
        for compiled_name in make_timed_code.co_freevars:
            # __class__ for super(), from the caller's own cell.
            value = caller.local(compiled_name)
            if value is _UNBOUND:
                raise TimerError("%s: the with-body needs %s, which the "
                                 "caller does not have" % (site.where(),
                                                           compiled_name))
            closure.append(types.CellType(value))
        make_timed = types.FunctionType(make_timed_code, caller.globals,
                                        _MAKE_TIMED, None,
                                        tuple(closure) or None)
        functions.append(make_timed(*parameters.arguments(cells)))
    before = parameters.arguments((first,) if first else ())
    return functions[0], functions[1], before, parameters.arguments(plain)


# --- The timer --------------------------------------------------------------

def _format_seconds(seconds):
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return "%.4g %s" % (seconds / scale, unit)
    return "%.4g ns" % (seconds / 1e-9)


def _format_rate(rate):
    if rate == float("inf"):
        return "inf/s"
    for prefix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if rate >= scale:
            return "%.4g %s/s" % (rate / scale, prefix)
    return "%.4g /s" % rate


class timer:
    """Context manager that times its with-body; see the module docstring.

    timer(number=1_000_000, repeat=5): the body runs `number` times per
    sample, and the best of `repeat` samples counts.
    """

    TimerError = TimerError

    def __init__(self, number=DEFAULT_NUMBER, repeat=DEFAULT_REPEAT):
        for name, value in (("number", number), ("repeat", repeat)):
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError("bcc.timer: %s must be an int, not %s"
                                % (name, type(value).__name__))
            if value < 1:
                raise ValueError("bcc.timer: %s must be at least 1, got %d"
                                 % (name, value))
        self.number = number
        self.repeat = repeat
        self.total = None
        self.per_call = None
        self.rate = None
        self.overhead = None
        self.below_resolution = None
        self.filename = None
        self.lineno = None

    def __enter__(self):
        frame = sys._getframe(1)
        try:
            site = _site(frame)
            timed, empty, before, after = _timing_functions(frame, site,
                                                            self)
        finally:
            del frame
        self.filename, self.lineno = site.filename, site.lineno
        try:
            body_seconds, empty_seconds = self._measure(timed, empty, before,
                                                        after)
        except Exception as error:
            error.add_note("(raised while bcc.timer ran the with-body of %s "
                           "%d times)" % (site.where(), self.number))
            raise
        self.overhead = empty_seconds / self.number
        difference = body_seconds - empty_seconds
        self.below_resolution = difference <= 0
        self.total = max(difference, 0.0)
        self.per_call = self.total / self.number
        self.rate = 1.0 / self.per_call if self.per_call else float("inf")
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        return False

    def _measure(self, timed, empty, before, after):
        """Best seconds for `number` runs of timed and of empty."""
        best_body = best_empty = float("inf")
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for _ in range(self.repeat):
                for function, is_body in ((timed, True), (empty, False)):
                    iterations = itertools.repeat(None, self.number)
                    start = time.perf_counter()
                    function(*before, iterations, *after)
                    seconds = time.perf_counter() - start
                    if is_body:
                        best_body = min(best_body, seconds)
                    else:
                        best_empty = min(best_empty, seconds)
        finally:
            if gc_was_enabled:
                gc.enable()
        return best_body, best_empty

    def __repr__(self):
        if self.per_call is None:
            return "bcc.timer(number=%d, repeat=%d)" % (self.number,
                                                        self.repeat)
        per_call = _format_seconds(self.per_call)
        if self.below_resolution:
            per_call = "0 s (below resolution)"
        return ("<bcc.timer %s:%d: %s per call, %s, number=%d, overhead %s "
                "per iteration>" % (os.path.basename(self.filename),
                                    self.lineno, per_call,
                                    _format_rate(self.rate), self.number,
                                    _format_seconds(self.overhead)))
