#!/usr/bin/env python3
"""The package's decorators applied ahead of time by `bcc opt` (the pass
apply-decorators, docs/passes.md).

For each CPython 3.11-3.13 found (pythons.py), the test writes a module
that imports bcc (`import bcc`, `from bcc import inline as bcc_inline`) and
decorates functions with each decorator, next to a decorator called
`optimize` from another module, byte-compiles it into a pycache-prefix
tree, runs `bcc opt -O2` and `bcc opt -O3` on the tree and imports the
module from each tree with a stand-in `bcc` package on sys.path whose
decorators change nothing and record what bindings/bcc/_aot.py's
aot_marker() finds on the code they are given. It checks

  1. the remarks: each decorated function compiled ahead of time, the
     one with an unknown keyword left alone, the other module's
     `optimize` not taken for bcc's;
  2. the code: what each decorator does is done (the Final flag and the
     module's constants folded, debug() gone, scale() inlined, print gone
     under @bcc.unprint, a name bound after the def still read), the mark
     names the decorator and the globals relied on, and its original code
     is the function as CPython compiled it (at -O2); undecorated
     functions and the other module's decorated one keep CPython's bytes
     at -O2;
  3. that the module gives the same results as from CPython's own tree
     (and prints nothing where @bcc.unprint removed a print), and that the
     stand-in decorators saw the mark exactly on the functions compiled
     ahead of time.

  test_aot.py --bcc build/tools/bcc/bcc [--versions 3.12]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
AOT_PY = os.path.join(os.path.dirname(os.path.dirname(HERE)),
                      "bindings", "bcc", "_aot.py")

MODULE = '''\
import bcc
from bcc import inline as bcc_inline
from typing import Final
from fakelib import optimize
import fakelib as lib

DEBUG: Final = False
VERBOSE = False
SCALE = 3
EARLY = 10

def debug(*args):
    if VERBOSE:
        print("debug:", *args)

def scale(x):
    return SCALE * x + 1

def plain(n):
    total = 0
    for i in range(n):
        if DEBUG:
            print("plain", i)
        total += scale(i)
    return total

@bcc.optimize
def work(n):
    total = 0
    for i in range(n):
        if DEBUG or lib.TRACE:
            print("work", i)
        debug("step", i)
        total += scale(i)
    return total

@bcc.unprint
def noisy(x):
    print("noisy", x)
    return x * 2

@bcc.smartdebug
def smart(x):
    debug("smart", x)
    if VERBOSE:
        x += 100
    return x + EARLY

@bcc.optimize(level=2, assume="no-print")
def level2(x):
    print("level2", x)
    return x + SCALE

@bcc.cache_globals
def cached(x):
    return x * SCALE + EARLY

@bcc_inline
def inl(x):
    return scale(x) + scale(x + 1)

@optimize
def foreign(x):
    return x + SCALE

@bcc.optimize(bogus=1)
def unknown(x):
    return x + SCALE

class K:
    @bcc.optimize
    def method(self, x):
        return x * SCALE

@bcc.optimize
def uses_late(x):
    return x + EARLY + LATE

LATE = 5

def results():
    return [work(10), noisy(4), smart(1), level2(1), cached(2), inl(3),
            foreign(1), unknown(1), K().method(2), uses_late(1), plain(10)]
'''

FAKELIB = '''\
SEEN = []
TRACE = False

def optimize(func):
    SEEN.append(func.__qualname__)
    return func
'''

# The stand-in bcc: decorators that change nothing and record the mark.
STUB = '''\
from ._aot import aot_marker

SEEN = {}

def _decorator(name):
    def decorator(func=None, **options):
        if func is None:
            return lambda f: decorator(f, **options)
        mark = aot_marker(func.__code__)
        SEEN[func.__qualname__] = None if mark is None else \\
            [mark[0], mark[1].co_name, list(mark[2])]
        return func
    return decorator

for _name in ("optimize", "cache_globals", "unprint", "smartdebug", "inline"):
    globals()[_name] = _decorator(_name)
'''

# Imports the module from the tree given (PYTHONPYCACHEPREFIX) and prints
# one JSON object: where it was loaded from, its results and what they
# printed, what the stand-in decorators saw, and each function's code.
DRIVER = r'''
import contextlib, dis, io, json, sys, types
import aotmod, bcc, fakelib

def globals_read(code, original):
    """What the code and its nested code (not the mark's original) read."""
    names = set()
    for c in [code] + [k for k in code.co_consts
                       if isinstance(k, types.CodeType) and k is not original]:
        names |= {i.argval for i in dis.get_instructions(c) if i.opname == "LOAD_GLOBAL"}
    return sorted(names)

out = io.StringIO()
with contextlib.redirect_stdout(out):
    values = aotmod.results()
codes = {}
for name in ("work", "noisy", "smart", "level2", "cached", "inl", "foreign",
             "unknown", "uses_late", "plain", "debug", "scale"):
    codes[name] = getattr(aotmod, name).__code__
codes["K.method"] = aotmod.K.method.__code__
functions = {}
for name, code in codes.items():
    mark = bcc._aot.aot_marker(code)
    functions[name] = {
        "globals": globals_read(code, mark[1] if mark else None),
        "code": code.co_code.hex(),
        "original": mark[1].co_code.hex() if mark else None,
    }
print(json.dumps({
    "cached": aotmod.__cached__ or "",
    "values": values,
    "printed": out.getvalue(),
    "seen": bcc.SEEN,
    "foreign": fakelib.SEEN,
    "functions": functions,
}))
'''

DONE = "apply-decorators: done: compiled ahead of time as @bcc."
REMARKS = [
    ": work: " + DONE + "optimize does at import (relies on DEBUG, SCALE, "
    "VERBOSE, debug, %sscale)",
    ": noisy: " + DONE + "unprint does at import (relies on print)",
    ": smart: " + DONE + "smartdebug does at import (relies on EARLY, "
    "VERBOSE, debug)",
    ": level2: " + DONE + "optimize does at import (relies on SCALE, print)",
    ": cached: " + DONE + "cache_globals does at import (relies on EARLY, "
    "SCALE)",
    ": inl: " + DONE + "inline does at import (relies on scale)",
    ": K.method: " + DONE + "optimize does at import (relies on SCALE)",
    ": uses_late: " + DONE + "optimize does at import (relies on EARLY)",
    ": unknown: apply-decorators: missed: @bcc.optimize is left to the "
    "import: bcc.optimize takes no keyword argument 'bogus'",
]
NOT_REMARKED = [": foreign: apply-decorators", ": plain: apply-decorators"]

# Function: (decorator, names the mark lists, globals the new code still
# reads, globals it must no longer read).
MARKED = {
    # lib.TRACE: a constant of another module of the tree, known from the
    # tree's facts, which bcc opt reads at -O3.
    "work": ("optimize", ["DEBUG", "SCALE", "VERBOSE", "debug", "%s", "scale"],
             ["range"], ["DEBUG", "debug", "scale", "SCALE", "%s"]),
    "noisy": ("unprint", ["print"], [], ["print"]),
    "smart": ("smartdebug", ["EARLY", "VERBOSE", "debug"], [],
              ["debug", "VERBOSE", "EARLY"]),
    "level2": ("optimize", ["SCALE", "print"], [], ["SCALE", "print"]),
    "cached": ("cache_globals", ["EARLY", "SCALE"], [], ["SCALE", "EARLY"]),
    # @bcc.inline folds no constant: the inlined body reads SCALE.
    "inl": ("inline", ["scale"], ["SCALE"], ["scale"]),
    "K.method": ("optimize", ["SCALE"], [], ["SCALE"]),
    "uses_late": ("optimize", ["EARLY"], ["LATE"], ["EARLY"]),
}
UNMARKED = ["foreign", "unknown"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def check(bcc, version, python, work):
    problems = []
    src = os.path.join(work, "src")
    write(os.path.join(src, "aotmod.py"), MODULE)
    write(os.path.join(src, "fakelib.py"), FAKELIB)
    stub = os.path.join(work, "stub")
    write(os.path.join(stub, "bcc", "__init__.py"), STUB)
    shutil.copy(AOT_PY, os.path.join(stub, "bcc", "_aot.py"))
    stock = os.path.join(work, "stock")
    env = dict(os.environ, PYTHONPYCACHEPREFIX=stock,
               PYTHONDONTWRITEBYTECODE="1")
    subprocess.run([python, "-m", "compileall", "-q", src], env=env,
                   check=True, stdout=subprocess.DEVNULL)

    def run(tree):
        proc = subprocess.run(
            [python, "-c", DRIVER], cwd=work, text=True,
            env=dict(os.environ, PYTHONPYCACHEPREFIX=tree,
                     PYTHONDONTWRITEBYTECODE="1",
                     PYTHONPATH=os.pathsep.join([src, stub])),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            problems.append("the module fails from %s:\n%s" % (tree, proc.stderr))
            return None
        result = json.loads(proc.stdout)
        if not result["cached"].startswith(tree):
            problems.append("not loaded from %s: %s" % (tree, result["cached"]))
        return result

    reference = run(stock)
    if reference is None:
        return problems
    if any(reference["seen"].values()):
        problems.append("CPython's own code carries a mark: %s" % reference["seen"])
    for level in ("-O2", "-O3"):
        out = os.path.join(work, "bcc" + level)
        proc = subprocess.run([bcc, "opt", level, "--remarks", "-q", stock, "-o", out],
                              text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            problems.append("bcc opt %s failed: %s" % (level, proc.stderr))
            continue
        tree = level == "-O3"
        for line in REMARKS:
            line = line.replace("%s", "lib, lib.TRACE, " if tree else "")
            if line not in proc.stdout:
                problems.append("%s: no remark %r; remarks:\n%s" % (level, line, proc.stdout))
        for line in NOT_REMARKED:
            if line in proc.stdout:
                problems.append("%s: a remark has %r" % (level, line))
        result = run(out)
        if result is None:
            continue
        if result["values"] != reference["values"]:
            problems.append("%s: results %s instead of %s" %
                            (level, result["values"], reference["values"]))
        # Only the prints of noisy and level2 go (@bcc.unprint, no-print).
        wanted = "".join(line for line in reference["printed"].splitlines(True)
                         if not line.startswith(("noisy", "level2")))
        if result["printed"] != wanted or wanted == reference["printed"]:
            problems.append("%s: printed %r; CPython's code printed %r" %
                            (level, result["printed"], reference["printed"]))
        if result["foreign"] != reference["foreign"] or \
                result["foreign"] != ["foreign"]:
            problems.append("%s: the other module's optimize saw %s" %
                            (level, result["foreign"]))
        seen = result["seen"]
        functions = result["functions"]
        stock_functions = reference["functions"]
        for name, (decorator, names, reads, gone) in MARKED.items():
            # Without the tree's facts (-O2), lib.TRACE stays a read.
            names = [n for m in names for n in (
                (["lib", "lib.TRACE"] if tree else []) if m == "%s" else [m])]
            gone = [n for m in gone for n in (
                (["lib", "print"] if tree else []) if m == "%s" else [m])]
            reads = reads + (["lib", "print"] if name == "work" and not tree
                             else [])
            mark = seen.get(name)
            short = name.split(".")[-1]
            if mark != [decorator, short, names]:
                problems.append("%s: %s: the decorator saw the mark %s, not %s" %
                                (level, name, mark, [decorator, short, names]))
            read = functions[name]["globals"]
            for g in reads:
                if g not in read:
                    problems.append("%s: %s no longer reads %s: %s" % (level, name, g, read))
            for g in gone:
                if g in read:
                    problems.append("%s: %s still reads %s" % (level, name, g))
            if level == "-O2" and \
                    functions[name]["original"] != stock_functions[name]["code"]:
                problems.append("%s: %s: the mark's original code is not "
                                "CPython's" % (level, name))
        for name in UNMARKED:
            if seen.get(name) is not None:
                problems.append("%s: %s carries a mark: %s" % (level, name, seen[name]))
        if level == "-O2":
            # Exact and pristine: what is not decorated by bcc keeps
            # CPython's bytes.
            for name in UNMARKED + ["plain", "debug", "scale"]:
                if functions[name]["code"] != stock_functions[name]["code"]:
                    problems.append("-O2: %s does not keep CPython's code" % name)
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bcc", required=True)
    parser.add_argument("--versions", default="3.11,3.12,3.13")
    args = parser.parse_args()
    failed = tested = 0
    for version in args.versions.split(","):
        python = pythons.find_python(version.strip())
        if not python:
            print("%s: not found, skipped (set %s)" % (version, pythons.env_var_name(version)))
            continue
        tested += 1
        with tempfile.TemporaryDirectory(prefix="bcc-aot-") as work:
            problems = check(args.bcc, version, python, work)
        if problems:
            failed += 1
            print("FAIL %s" % version)
            for p in problems:
                print("    " + p.replace("\n", "\n    "))
        else:
            print("ok   %s" % version)
    if not tested:
        print("no interpreter found")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
