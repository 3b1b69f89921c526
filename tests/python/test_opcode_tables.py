#!/usr/bin/env python3
"""Drift test: do bcc's generated opcode tables still match the interpreters?

For every CPython 3.8-3.15 that tests/python/pythons.py finds (3.14 and
3.15 under pyodide, include_wasm):

  * generator_check: scripts/gen_tables.py --check under that interpreter
    regenerates ir/generated/*_3_X.inc in memory and must find no difference;
  * cpp_tables: the C++ OpcodeTable (through tests/helpers/OpcodeQuery.cpp)
    agrees with the live `opcode`/`dis` modules on every opcode 0..255: name,
    has-argument, cache entries, whether it jumps, and dis.stack_effect on a
    spread of arguments; and with str.isprintable() on sampled code points;
  * jump_targets: compiles sample code with loops, conditionals, try, with,
    async, match, EXTENDED_ARG-sized jumps, plus some of the interpreter's
    own stdlib, and checks that OpcodeTable::jumpTarget gives the target
    `dis` computes (Instruction.argval) for every jump instruction;
  * signatures: the C++ stack signatures (OpcodeTable::signature) equal
    scripts/stack_signatures.py, the data they are generated from, on every
    opcode, path and a spread of arguments: items, counts, sources, NULL
    marks, notation, and the derived pops/pushes/peeks/sources views, which
    are computed independently on each side; none before 3.11;
  * stack_depth (3.11+): an empirical check of the signatures on real
    bytecode. Every code object of the interpreter's top-level stdlib and of
    the samples is simulated through its CFG from the signatures alone
    (handlers seeded at depth + lasti + 1 from co_exceptiontable), and the
    maximum depth must equal co_stacksize. On the way, every instruction's
    inputs must exist on the stack, a handler's depth must not exceed the
    stack of any instruction it covers, and a call-protocol NULL (an output
    named *null* marked '?') may only reach inputs named for it;
  * opcode_metadata (when the interpreter installs
    internal/pycore_opcode_metadata.h, i.e. 3.13): the signatures' input
    and output slot counts equal its _PyOpcode_num_popped/num_pushed.

Each interpreter is started once: one child process does the generator's
check (running scripts/gen_tables.py in its own process) and gathers the
data of every check, which the tests then share. A pyodide start costs
seconds, and the stack_depth walk is the slow part under WebAssembly.

A missing interpreter is reported as a skip that names it. The C++ checks
need the query tool: --query-tool PATH (CTest passes it) or the environment
variable BCC_OPCODE_QUERY.

    python3 tests/python/test_opcode_tables.py \
        --query-tool build/tests/bcc-opcode-query
"""

import argparse
import functools
import json
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import pythons  # noqa: E402

sys.path.insert(0, os.path.join(REPO, "scripts"))
import stack_signatures  # noqa: E402

QUERY_TOOL = os.environ.get("BCC_OPCODE_QUERY")
SCRIPTS = os.path.join(REPO, "scripts")

# Runs under the interpreter being checked (so: Python 3.8 syntax). Prints
# JSON on stdout. It reads the interpreter's opcode and dis modules on its
# own, not through scripts/gen_tables.py, on purpose: code shared with the
# generator would let a bug in it pass both.
CHILD = r'''
import contextlib, dis, io, json, opcode, os, runpy, sys, types, zipfile

VERSION = sys.version_info[:2]
MIN_INSTRUMENTED = getattr(opcode, "MIN_INSTRUMENTED_OPCODE", 256)
JUMPS = (set(opcode.hasjrel) | set(opcode.hasjabs) |
         set(getattr(opcode, "hasjump", ())))
EFFECT_ARGS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 128, 255, 256, 257,
               258, 511, 1000, 65535, 65539, (1 << 20) + 9]
PRINTABLE_SAMPLES = (list(range(0, 0x3000)) +
                     list(range(0x1F000, 0x20000, 3)) +
                     [0x2EBF0, 0x2EE5D, 0x30000, 0x31350, 0x323AF, 0xE0001,
                      0xF0000, 0x10FFFF])


def has_arg(op):
    if hasattr(opcode, "hasarg"):
        return op in opcode.hasarg
    return op >= opcode.HAVE_ARGUMENT


def cache_entries(name):
    entries = getattr(opcode, "_inline_cache_entries", None)
    if entries is None:
        return 0
    if hasattr(entries, "get"):  # a dict; 3.15: a frozendict
        return entries.get(name, 0)
    return entries[opcode.opmap[name]]


def stdlib_file(name):
    """The text of Lib/`name`; pyodide keeps the stdlib in a zip file."""
    lib = os.path.dirname(os.__file__)
    if os.path.isdir(lib):
        with open(os.path.join(lib, name), encoding="utf-8") as f:
            return f.read()
    with zipfile.ZipFile(lib) as archive:
        return archive.read(name).decode("utf-8")


def stdlib_top_level():
    """Sorted names of the .py files at the top of Lib/."""
    lib = os.path.dirname(os.__file__)
    if os.path.isdir(lib):
        names = os.listdir(lib)
    else:
        with zipfile.ZipFile(lib) as archive:
            names = [n for n in archive.namelist() if "/" not in n]
    return sorted(n for n in names if n.endswith(".py"))


def table():
    ops = []
    for op in range(256):
        name = opcode.opname[op]
        if opcode.opmap.get(name) != op or op >= MIN_INSTRUMENTED:
            ops.append(None)
            continue
        effects = []
        for arg in (EFFECT_ARGS if has_arg(op) else [None]):
            for jump in (False, True):
                if arg is None:
                    value = dis.stack_effect(op, jump=jump)
                else:
                    value = dis.stack_effect(op, arg, jump=jump)
                effects.append([0 if arg is None else arg, jump, value])
        ops.append({"name": name, "hasArg": has_arg(op),
                    "caches": cache_entries(name), "jump": op in JUMPS,
                    "effects": effects})
    printable = [[cp, chr(cp).isprintable()] for cp in PRINTABLE_SAMPLES]
    return {"ops": ops, "printable": printable,
            "haveArgument": opcode.HAVE_ARGUMENT,
            "extendedArg": opcode.EXTENDED_ARG}


SAMPLE = """
import os

def loops(items, n):
    total = 0
    for x in items:
        if x is None:
            continue
        if x > n and not x < -n or x == 3:
            break
        total += x
    else:
        total = -1
    while n > 0:
        n -= 1
        if n % 7 == 3:
            break
    while total is not None and n:
        n = n and total or n
    return [y for y in items if y] + list(z for z in items if not z)

def exceptions(path):
    try:
        with open(path) as f:
            return f.read()
    except (OSError, ValueError) as error:
        raise RuntimeError(path) from error
    except Exception:
        pass
    finally:
        print("done")
    try:
        pass
    except KeyError:
        return None
    return a if path else b

async def coroutines(stream, lock):
    async with lock:
        async for chunk in stream:
            await chunk
    return [c async for c in stream if c]

def generator(n):
    yield from range(n)
    x = yield n
    return x

def cells():
    v = 1
    def inner():
        nonlocal v
        del v
    class Reads:
        w = v
    global g
    del g
    return inner, Reads

def far(x):
    while x:
        if x:
BODY
        x -= 1
    return x
""".replace("BODY", "\n".join("            x = x + %d * x - x" % i
                               for i in range(300)))

SAMPLE_310 = """
def matching(command):
    match command:
        case [x, y, *rest] if x > y:
            return rest
        case {"key": value, **others}:
            return value
        case Point(x=0, y=yy) | Point(x=yy, y=0):
            return yy
        case str() | bytes():
            return 1
        case _:
            return None
"""

SAMPLE_311 = """
def groups():
    try:
        pass
    except* ValueError as group:
        raise
    except* TypeError:
        pass
"""

SAMPLE_314 = """
def templates(a, b, f, m):
    f(*a)
    with m as x, m:
        pass
    return t"{a!r:>{b}} {b}", f"{a}"[1:2:3], a[b], assert_(a is not b)

def assert_(x):
    assert x, "message"
    return NotImplemented

async def aloop(s):
    async for c in s:
        yield c
"""

SAMPLE_312 = """
type Pair[T] = tuple[T, T]

class Box[T: int, *Ts, **P]:
    def get[U](self, default: U) -> T | U:
        return super().get(default) or super(Box, self).value

def calls(f, a, k, w, x):
    f(*a, **k)
    f(1, *a, x=2, **k)
    return {**k, **w}, [*a, *x], {*a}, f"{x!r:>{w}}" f"{x:{w}}{a!s}"

async def slices(a, v, i, j):
    a[i:j] = v
    del a[i]
    return a[i:j], [y async for y in v] if 0 else 0

async def agen(xs):
    async for x in xs:
        yield [z for z in x if z]

class WithAlias:
    A = int
    type B = A
"""

STDLIB = ["argparse.py", "difflib.py", "typing.py", "pydoc.py",
          "asyncio/base_events.py", "email/_header_value_parser.py"]


def samples():
    """[(filename, source, mode)] of the samples for this version."""
    found = [("<sample>", SAMPLE, "exec")]
    if VERSION >= (3, 10):
        found.append(("<sample 3.10>", SAMPLE_310, "exec"))
    if VERSION >= (3, 11):
        found.append(("<sample 3.11>", SAMPLE_311, "exec"))
    if VERSION >= (3, 12):
        found.append(("<sample 3.12>", SAMPLE_312, "exec"))
    if VERSION >= (3, 14):
        found.append(("<sample 3.14>", SAMPLE_314, "exec"))
    # An interactive statement prints its value (PRINT_EXPR, or
    # CALL_INTRINSIC_1 INTRINSIC_PRINT).
    found.append(("<interactive>", "x + 1\n", "single"))
    return found


def walk(code, out):
    for instruction in dis.get_instructions(code):
        if instruction.opcode in JUMPS:
            out.append([instruction.opcode, instruction.offset,
                        instruction.arg, instruction.argval])
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            walk(const, out)


def jumps():
    sources = [(name, text) for name, text, mode in samples()
               if mode == "exec"]
    for name in STDLIB:
        sources.append((name, stdlib_file(name)))
    out = []
    for filename, text in sources:
        walk(compile(text, filename, "exec"), out)
    return {"jumps": out}


# --- stack_depth: simulate co_stacksize from the stack signatures ---------

NO_FALL_THROUGH = {"RETURN_VALUE", "RETURN_CONST", "RAISE_VARARGS",
                   "RERAISE", "JUMP_FORWARD", "JUMP_BACKWARD",
                   "JUMP_BACKWARD_NO_INTERRUPT"}
# 3.14's END_ASYNC_FOR has a target for sys.monitoring but never jumps.
NEVER_JUMPS = {"END_ASYNC_FOR"} if VERSION >= (3, 14) else set()
# Only move or copy their operands: from 3.14 they also shuffle the NULL of
# a LOAD_SPECIAL pair.
MOVES = {"SWAP", "COPY"} if VERSION >= (3, 14) else set()
# 3.15 keeps a generator expression's iterator pair on the stack from its
# first instruction, and the region of its StopIteration handler (depth 2)
# runs on past the POP_ITER that ends the loop, over the `return None`
# that follows. Nothing there can raise, so the handler is never taken from
# it; the check skips instructions that cannot raise.
CANNOT_RAISE = ({"LOAD_COMMON_CONSTANT", "LOAD_CONST", "LOAD_SMALL_INT",
                 "RETURN_VALUE", "NOP", "NOT_TAKEN"}
                if VERSION >= (3, 15) else set())


def exception_entries(code):
    """[(start, end, target, depth, lasti)], offsets in bytes: the
    co_exceptiontable varints of reference 3.2."""
    data, entries, position = code.co_exceptiontable, [], [0]

    def varint():
        byte = data[position[0]]
        position[0] += 1
        value = byte & 63
        while byte & 64:
            byte = data[position[0]]
            position[0] += 1
            value = (value << 6) | (byte & 63)
        return value

    while position[0] < len(data):
        start, length, target, depth_lasti = (varint(), varint(), varint(),
                                              varint())
        entries.append((2 * start, 2 * (start + length), 2 * target,
                        depth_lasti >> 1, depth_lasti & 1))
    return entries


def simulate(code, signatures, problems, stats):
    """The maximum stack depth of `code`, from the signatures alone.

    The state at an instruction is one flag per stack slot, bottom first:
    may the slot hold a call-protocol NULL (an output named *null* and
    marked '?')? States meet with `or`; the walk runs to a fixed point.
    """
    instructions = list(dis.get_instructions(code))
    index_at = {ins.offset: i for i, ins in enumerate(instructions)}
    entries = exception_entries(code)
    where = "%s:%d %s" % (code.co_filename, code.co_firstlineno,
                          code.co_qualname)
    states, work, deepest = {}, [], [0]

    def reach(offset, state):
        deepest[0] = max(deepest[0], len(state))
        old = states.get(offset)
        if old is None:
            states[offset] = state
            work.append(offset)
        elif len(old) != len(state):
            problems.append("%s: depths %d and %d meet at %d" %
                            (where, len(old), len(state), offset))
        else:
            joined = tuple(a or b for a, b in zip(old, state))
            if joined != old:
                states[offset] = joined
                work.append(offset)

    reach(0, ())
    for start, end, target, depth, lasti in entries:
        reach(target, (False,) * (depth + lasti + 1))
    while work:
        offset = work.pop()
        state = states[offset]
        ins = instructions[index_at[offset]]
        stats["instruction visits"] += 1
        stats["opcodes seen"].add(ins.opname)
        pair = signatures.get(ins.opname)
        if pair is None:
            problems.append("%s: no signature for %s" % (where, ins.opname))
            continue
        # A handler finds the slots below its depth as they were here.
        for start, end, target, depth, lasti in entries:
            if start <= offset < end:
                if depth > len(state) and ins.opname in CANNOT_RAISE:
                    stats["handler above the stack, cannot raise"] += 1
                elif depth > len(state):
                    problems.append("%s: handler depth %d above the stack "
                                    "(%d) at %d" % (where, depth, len(state),
                                                    offset))
                else:
                    reach(target, state[:depth] + (False,) * (lasti + 1))
        paths = [(False, pair[0])]
        if ins.opcode in JUMPS and ins.opname not in NEVER_JUMPS:
            paths.append((True, pair[1]))
        for jump, signature in paths:
            evaluated = signature.evaluate(ins.arg or 0)
            if evaluated is None:
                problems.append("%s: %s %s rejected at %d" %
                                (where, ins.opname, ins.arg, offset))
                continue
            span = evaluated.input_slots()
            if span > len(state):
                problems.append("%s: %s %s spans %d slots, the stack has %d "
                                "at %d" % (where, ins.opname, ins.arg, span,
                                           len(state), offset))
                continue
            base = len(state) - span
            items, position = [], base
            for name, n in evaluated.inputs:
                item = state[position:position + n]
                if any(item) and "null" not in name and \
                        not name.startswith("_") and ins.opname not in MOVES:
                    problems.append("%s: a call NULL reaches %s's %s at %d" %
                                    (where, ins.opname, name, offset))
                stats["call NULLs consumed"] += sum(item)
                items.append(item)
                position += n
            out = []
            for name, n, source, maybe_null in evaluated.outputs:
                if source is not None:
                    out += items[source]
                else:
                    out += [maybe_null and "null" in name] * n
            after = state[:base] + tuple(out)
            if jump:
                reach(ins.argval, after)
            elif ins.opname not in NO_FALL_THROUGH:
                following = index_at[offset] + 1
                if following < len(instructions):
                    reach(instructions[following].offset, after)
    return deepest[0]


def stack_depth(scripts):
    sys.path.insert(0, scripts)
    import stack_signatures
    signatures = stack_signatures.signatures_for(VERSION)
    sources = samples()
    for name in stdlib_top_level():
        sources.append((name, stdlib_file(name), "exec"))
    problems = []
    stats = {"modules": 0, "code objects": 0, "instruction visits": 0,
             "exception entries": 0, "call NULLs consumed": 0,
             "handler above the stack, cannot raise": 0,
             "opcodes seen": set()}
    for filename, text, mode in sources:
        codes = []
        walk_codes(compile(text, filename, mode), codes)
        stats["modules"] += 1
        for code in codes:
            stats["code objects"] += 1
            stats["exception entries"] += len(exception_entries(code))
            depth = simulate(code, signatures, problems, stats)
            if VERSION >= (3, 13):
                depth = max(depth, 1)  # 3.13 turns co_stacksize 0 into 1
            if depth != code.co_stacksize:
                problems.append("%s:%d %s: simulated %d, co_stacksize %d" % (
                    code.co_filename, code.co_firstlineno, code.co_qualname,
                    depth, code.co_stacksize))
    stats["opcodes seen"] = sorted(stats["opcodes seen"])
    stats["opcodes never seen"] = sorted(set(signatures) -
                                         set(stats["opcodes seen"]))
    return {"stats": stats, "problems": problems}


def walk_codes(code, out):
    out.append(code)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            walk_codes(const, out)


def include_dir():
    import sysconfig
    return {"include": sysconfig.get_paths()["include"]}


def generator_check(scripts, generated):
    """scripts/gen_tables.py --check, run in this process: {status,
    output}."""
    output = io.StringIO()
    argv = sys.argv
    sys.argv = [os.path.join(scripts, "gen_tables.py"), "--check", "--out",
                generated]
    status = 0
    try:
        with contextlib.redirect_stdout(output), \
                contextlib.redirect_stderr(output):
            runpy.run_path(sys.argv[0], run_name="__main__")
    except SystemExit as exit:
        status = exit.code if isinstance(exit.code, int) else 1
    finally:
        sys.argv = argv
    return {"status": status, "output": output.getvalue()}


def everything(scripts, generated):
    """Every mode's result, or {"error": traceback} for one that failed."""
    import traceback
    modes = [("generator", lambda: generator_check(scripts, generated)),
             ("table", table), ("jumps", jumps), ("include", include_dir)]
    sys.path.insert(0, scripts)
    import stack_signatures
    if stack_signatures.has_signatures(VERSION):
        modes.append(("stack_depth", lambda: stack_depth(scripts)))
    results = {}
    for name, run in modes:
        try:
            results[name] = run()
        except Exception:
            results[name] = {"error": traceback.format_exc()}
    return results


print(json.dumps(everything(sys.argv[1], sys.argv[2])))
'''


@functools.lru_cache(maxsize=None)
def child_results(python):
    """The results of every mode of CHILD under `python`: one start."""
    result = subprocess.run(
        [python, "-c", CHILD, SCRIPTS, os.path.join(REPO, "ir", "generated")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True, timeout=1200)
    if result.returncode != 0:
        raise AssertionError("child failed:\n%s" % result.stderr)
    return json.loads(result.stdout)


def run_child(python, mode):
    results = child_results(python)
    if mode not in results:
        raise AssertionError("the child did not run %s" % mode)
    if "error" in results[mode]:
        raise AssertionError("%s child failed:\n%s" % (
            mode, results[mode]["error"]))
    return results[mode]


def ask(version, queries):
    """Answers of the C++ tables to `queries` (one string each)."""
    result = subprocess.run([QUERY_TOOL, version],
                            input="\n".join(queries) + "\n",
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, timeout=300)
    if result.returncode != 0:
        raise AssertionError("%s %s failed: %s" % (QUERY_TOOL, version,
                                                   result.stderr))
    answers = result.stdout.split("\n")[:-1]
    if len(answers) != len(queries):
        raise AssertionError("%d answers to %d queries" % (len(answers),
                                                           len(queries)))
    return answers


class Mismatches:
    """Collects differences and fails once with the first few."""

    def __init__(self, test, version):
        self.test, self.version, self.found = test, version, []

    def expect(self, what, actual, expected):
        if actual != expected:
            self.found.append("%s: C++ says %r, Python %s says %r" %
                              (what, actual, self.version, expected))

    def check(self):
        if self.found:
            self.test.fail("%d mismatches with Python %s, first ones:\n  %s" %
                           (len(self.found), self.version,
                            "\n  ".join(self.found[:25])))


class OpcodeTablesTest(unittest.TestCase):
    maxDiff = None

    def python(self, version):
        path = pythons.find_python(version)
        if path is None:
            self.skipTest("CPython %s not found (set %s or install it with "
                          "pyenv)" % (version, pythons.env_var_name(version)))
        return path

    def need_query_tool(self):
        if not QUERY_TOOL:
            self.skipTest("no bcc-opcode-query (pass --query-tool PATH or set "
                          "BCC_OPCODE_QUERY)")

    def check_generator(self, version):
        python = self.python(version)
        result = run_child(python, "generator")
        self.assertEqual(result["status"], 0,
                         "generated tables for %s are stale:\n%s" %
                         (version, result["output"]))

    def check_cpp_tables(self, version):
        python = self.python(version)
        self.need_query_tool()
        data = run_child(python, "table")
        queries = ["constants"]
        expected = [None]
        for number, op in enumerate(data["ops"]):
            queries.append("info %d" % number)
            expected.append(("info", number, op))
            for arg, jump, value in (op["effects"] if op else []):
                queries.append("effect %d %d %d" % (number, arg, jump))
                expected.append(("effect", (number, arg, jump), value))
        for code_point, printable in data["printable"]:
            queries.append("printable %d" % code_point)
            expected.append(("printable", "U+%04X" % code_point, printable))

        answers = ask(version, queries)
        problems = Mismatches(self, version)
        infos = {}
        have_argument, extended_arg = answers[0].split()[:2]
        problems.expect("HAVE_ARGUMENT", int(have_argument),
                        data["haveArgument"])
        problems.expect("EXTENDED_ARG", int(extended_arg), data["extendedArg"])
        for answer, (kind, what, value) in zip(answers[1:], expected[1:]):
            if kind == "info":
                if value is None:
                    problems.expect("opcode %d" % what, answer, "-")
                    continue
                fields = answer.split()
                infos[what] = fields
                name, has_arg, caches, jump_kind = fields[:4]
                problems.expect("name of %d" % what, name, value["name"])
                problems.expect("hasArg of " + name, has_arg == "1",
                                value["hasArg"])
                problems.expect("caches of " + name, int(caches),
                                value["caches"])
                problems.expect("is %s a jump" % name, jump_kind != "None",
                                value["jump"])
            elif kind == "effect":
                number, arg, jump = what
                name, shape = infos[number][0], infos[number][6 if jump else 5]
                label = "%s(%d, jump=%s)" % (name, arg, jump)
                if answer == "-":
                    # Only a Table rule may leave an argument uncovered,
                    # and only above 255.
                    problems.expect(label + " is covered",
                                    "no (%s rule)" % shape,
                                    "no (Table rule)" if arg > 255 else "yes")
                else:
                    problems.expect(label, int(answer), value)
            else:
                problems.expect("isprintable " + what, answer == "1", value)
        problems.check()

    def check_jump_targets(self, version):
        python = self.python(version)
        self.need_query_tool()
        jumps = run_child(python, "jumps")["jumps"]
        self.assertGreater(len(jumps), 1000, "too few jumps sampled")
        self.assertTrue(any(arg > 255 for _, _, arg, _ in jumps),
                        "no jump needed EXTENDED_ARG")
        answers = ask(version, ["jump %d %d %d" % (op, offset, arg)
                                for op, offset, arg, _ in jumps])
        problems = Mismatches(self, version)
        for answer, (op, offset, arg, target) in zip(answers, jumps):
            problems.expect("target of opcode %d at %d with arg %d" %
                            (op, offset, arg), answer, str(target))
        problems.check()

    def check_signatures(self, version):
        python = self.python(version)
        self.need_query_tool()
        ops = run_child(python, "table")["ops"]
        key = tuple(int(part) for part in version.split("."))
        signatures = stack_signatures.signatures_for(key)
        queries, expected = [], []
        for number, op in enumerate(ops):
            if op is None:
                continue
            pair = signatures.get(op["name"])
            args = sorted({arg for arg, _, _ in op["effects"]})
            for jump in (False, True):
                signature = pair[1 if jump else 0] if pair else None
                queries.append("notation %d %d" % (number, jump))
                expected.append(("notation of %s jump=%s" % (op["name"],
                                                             jump),
                                 signature.text if signature else "-"))
                for arg in args:
                    evaluated = signature.evaluate(arg) if signature else None
                    label = "%s(%d, jump=%s)" % (op["name"], arg, jump)
                    queries.append("signature %d %d %d" % (number, arg, jump))
                    expected.append(("signature " + label, evaluated.canonical()
                                     if evaluated else "-"))
                    if arg <= 1000:
                        queries.append("shape %d %d %d" % (number, arg, jump))
                        expected.append(("shape " + label, evaluated.shape()
                                         if evaluated else "-"))
        answers = ask(version, queries)
        problems = Mismatches(self, version)
        for answer, (what, value) in zip(answers, expected):
            problems.expect(what, answer, value)
        problems.check()
        if stack_signatures.has_signatures(key):
            self.assertTrue(any(a != "-" for a in answers), "no signature")

    def check_stack_depth(self, version):
        python = self.python(version)
        key = tuple(int(part) for part in version.split("."))
        if not stack_signatures.has_signatures(key):
            self.skipTest("no stack signatures before 3.11")
        result = run_child(python, "stack_depth")
        stats, problems = result["stats"], result["problems"]
        self.assertFalse(problems, "%d problems simulating stack depths with "
                         "the signatures, first ones:\n  %s" % (
                             len(problems), "\n  ".join(problems[:25])))
        self.assertGreater(stats["code objects"], 5000)
        self.assertGreater(stats["call NULLs consumed"], 1000)
        print("\n  Python %s: %d modules, %d code objects, co_stacksize "
              "matched; %d instruction visits, %d exception entries, %d "
              "call NULLs traced; signed opcodes never seen: %s" % (
                  version, stats["modules"], stats["code objects"],
                  stats["instruction visits"], stats["exception entries"],
                  stats["call NULLs consumed"],
                  " ".join(stats["opcodes never seen"]) or "none"))

    def check_opcode_metadata(self, version):
        python = self.python(version)
        key = tuple(int(part) for part in version.split("."))
        if not stack_signatures.has_signatures(key):
            self.skipTest("no stack signatures before 3.11")
        header = os.path.join(run_child(python, "include")["include"],
                              "internal", "pycore_opcode_metadata.h")
        try:
            with open(header, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            self.skipTest("Python %s installs no %s" % (version, header))
        if "_PyOpcode_num_popped" not in text:
            self.skipTest("%s has no _PyOpcode_num_popped" % header)
        popped = c_switch(text, "_PyOpcode_num_popped")
        pushed = c_switch(text, "_PyOpcode_num_pushed")
        problems = Mismatches(self, version)
        for name, (fall, _) in sorted(
                stack_signatures.signatures_for(key).items()):
            if name not in popped or name not in pushed:
                problems.found.append("%s missing from %s" % (name, header))
                continue
            for arg in range(300):
                evaluated = fall.evaluate(arg)
                if evaluated is None:
                    continue
                problems.expect(
                    "%s(%d) slots in, out" % (name, arg),
                    (evaluated.input_slots(), evaluated.output_slots()),
                    (c_value(popped[name], arg), c_value(pushed[name], arg)))
        problems.check()


def c_switch(text, function):
    """{case name: return expression} of `int function(int opcode, int
    oparg)` in a C header."""
    start = text.index("int %s(int opcode, int oparg)" % function)
    body = text[start:text.index("\n}\n", start)]
    return dict(re.findall(r"case (\w+):\s*return (.*?);", body))


def c_value(expression, oparg):
    """Evaluates the C expressions those switches return: arithmetic on
    oparg, with `(c) ? a : b`."""
    python = re.sub(r"\(\(([^()]*)\) \? (\w+) : (\w+)\)",
                    r"(\2 if \1 else \3)", expression)
    if not re.fullmatch(r"[\w\s()+\-*&|<>=!]*( if [^:]* else \w+\))?"
                        r"[\w\s()+\-*&|<>=!]*", python):
        raise AssertionError("cannot evaluate %r" % expression)
    return eval(python, {"__builtins__": {}}, {"oparg": oparg})


def _add_tests():
    for version in pythons.SUPPORTED_VERSIONS + pythons.WASM_VERSIONS:
        suffix = version.replace(".", "_")
        for check in ("generator", "cpp_tables", "jump_targets",
                      "signatures", "stack_depth", "opcode_metadata"):
            method = getattr(OpcodeTablesTest, "check_" + check)

            def test(self, method=method, version=version):
                method(self, version)

            test.__name__ = "test_%s_%s" % (check, suffix)
            test.__doc__ = "%s, Python %s" % (check.replace("_", " "), version)
            setattr(OpcodeTablesTest, test.__name__, test)


_add_tests()

if __name__ == "__main__":
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--query-tool")
    options, rest = parser.parse_known_args()
    if options.query_tool:
        QUERY_TOOL = options.query_tool
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
