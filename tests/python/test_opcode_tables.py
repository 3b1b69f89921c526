#!/usr/bin/env python3
"""Drift test: do bcc's generated opcode tables still match the interpreters?

For every CPython 3.8-3.13 that tests/python/pythons.py finds:

  * generator_check: scripts/gen_tables.py --check under that interpreter
    regenerates ir/generated/*_3_X.inc in memory and must find no difference;
  * cpp_tables: the C++ OpcodeTable (through tests/helpers/OpcodeQuery.cpp)
    agrees with the live `opcode`/`dis` modules on every opcode 0..255: name,
    has-argument, cache entries, whether it jumps, and dis.stack_effect on a
    spread of arguments; and with str.isprintable() on sampled code points;
  * jump_targets: compiles sample code with loops, conditionals, try, with,
    async, match, EXTENDED_ARG-sized jumps, plus some of the interpreter's
    own stdlib, and checks that OpcodeTable::jumpTarget gives the target
    `dis` computes (Instruction.argval) for every jump instruction.

A missing interpreter is reported as a skip that names it. The C++ checks
need the query tool: --query-tool PATH (CTest passes it) or the environment
variable BCC_OPCODE_QUERY.

    python3 tests/python/test_opcode_tables.py \
        --query-tool build/tests/bcc-opcode-query
"""

import argparse
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import pythons  # noqa: E402

QUERY_TOOL = os.environ.get("BCC_OPCODE_QUERY")

# Runs under the interpreter being checked (so: Python 3.8 syntax). Prints
# JSON on stdout.
CHILD = r'''
import dis, json, opcode, os, sys, types

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
    if isinstance(entries, dict):
        return entries.get(name, 0)
    return entries[opcode.opmap[name]]


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

STDLIB = ["argparse.py", "difflib.py", "typing.py", "pydoc.py",
          "asyncio/base_events.py", "email/_header_value_parser.py"]


def walk(code, out):
    for instruction in dis.get_instructions(code):
        if instruction.opcode in JUMPS:
            out.append([instruction.opcode, instruction.offset,
                        instruction.arg, instruction.argval])
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            walk(const, out)


def jumps():
    sources = [("<sample>", SAMPLE)]
    if VERSION >= (3, 10):
        sources.append(("<sample 3.10>", SAMPLE_310))
    if VERSION >= (3, 11):
        sources.append(("<sample 3.11>", SAMPLE_311))
    lib = os.path.dirname(os.__file__)
    for name in STDLIB:
        with open(os.path.join(lib, name), encoding="utf-8") as f:
            sources.append((name, f.read()))
    out = []
    for filename, text in sources:
        walk(compile(text, filename, "exec"), out)
    return {"jumps": out}


print(json.dumps(table() if sys.argv[1] == "table" else jumps()))
'''


def run_child(python, mode):
    result = subprocess.run([python, "-c", CHILD, mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, timeout=300)
    if result.returncode != 0:
        raise AssertionError("%s child failed:\n%s" % (mode, result.stderr))
    return json.loads(result.stdout)


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
        result = subprocess.run(
            [python, os.path.join(REPO, "scripts", "gen_tables.py"), "--check",
             "--out", os.path.join(REPO, "ir", "generated")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            universal_newlines=True, timeout=300)
        self.assertEqual(result.returncode, 0,
                         "generated tables for %s are stale:\n%s" %
                         (version, result.stdout))

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


def _add_tests():
    for version in pythons.SUPPORTED_VERSIONS:
        suffix = version.replace(".", "_")
        for check in ("generator", "cpp_tables", "jump_targets"):
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
