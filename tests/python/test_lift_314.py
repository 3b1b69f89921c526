#!/usr/bin/env python3
"""CPython 3.14 through bcc's lifter and lowering, and bcc's 3.14 bytecode
run in the 3.14 interpreter.

The interpreter is pyodide's (scripts/python3.14, found by pythons.py). Two
trees of its .pyc files are made, each in one start of the runner: A from
the sources of the package's python_stdlib.zip, C from CPython 3.13's
Lib/test (those files 3.14 compiles; the part is left out, saying so, when
pyenv has no 3.13). Then, for each tree:

  1. bcc-lift-check --text-lower: every code object lifts and verifies, its
     IR text prints, parses and prints again the same, and lowers from the
     text to what it lowers to directly;
  2. bcc opt -O0 --compare A -o B (C -o D): every file done; how many code
     objects come back identical in co_code, co_exceptiontable,
     co_linetable and co_stacksize, at least MIN_IDENTITY percent; the
     others counted by their first difference, with examples;
  3. bcc opt -O0 --compare B (D): lowering is a fixed point on its own
     output;

and then the interpreter runs bcc's code:

  4. exec_stdlib_checks.py imports modules of the standard library from B,
     and from trees bcc optimized at -O2 and -O3, and runs some of their
     code, in one process per tree (it counts the modules that came from
     bcc's .pyc files; the runner starts no subprocesses);
  5. run_lib_tests.py runs TEST_MODULES of Lib/test from C (CPython's own
     bytecode) and from D (bcc's), checking that each module came from
     that tree, and requires the same tests run, and the same ones failed,
     erred and skipped.

Exits 77 (a skip for CTest) when the runner or its package is missing.

  test_lift_314.py --bcc build/tools/bcc/bcc
                   --lift-check build/tests/tools/bcc-lift-check [--keep DIR]
"""

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP = 77

# Measured when loads kept CPython's choice of borrowing
# (Instruction::isStrongLoad): 18,157 of the stdlib's 18,162 code objects
# (99.97%) and 60,806 of Lib/test's 60,845 (99.94%) identical. What differs
# is a COPY's location or a jump target in match statements (the stack
# scheduler's order of moves), and one SWAP. The bar is 99%.
MIN_IDENTITY = 99.9
EXAMPLES = 5

# Lib/test modules run from CPython's tree and from bcc's. They exercise
# what 3.14 compiles differently (borrowed loads, with, match, comprehensions,
# generators, exceptions, f-strings, annotations) and run under pyodide
# (test_exceptions, test_class and test_json overflow its stack; some 3.13
# tests fail on 3.14, the same from both trees).
TEST_MODULES = [
    "test_patma", "test_type_params", "test_listcomps", "test_setcomps",
    "test_dictcomps", "test_with", "test_contextlib", "test_scope",
    "test_unpack", "test_augassign", "test_bool", "test_compare",
    "test_keywordonlyarg", "test_fstring", "test_generators",
    "test_exception_group", "test_raise", "test_string", "test_dataclasses",
    "test_enum", "test_coroutines", "test_named_expressions",
    "test_unpack_ex", "test_genexps", "test_yield_from", "test_list",
    "test_dict", "test_set", "test_tuple", "test_textwrap", "test_fractions",
    "test_statistics", "test_heapq",
]

IDENTITY_LINE = re.compile(r"identical: (\d+) of (\d+) code objects")


def kind_of(line):
    """The first difference of a --compare line, numbers taken out."""
    what = line.split(": ", 2)[-1]
    what = re.sub(r"at instruction \d+ \(offset \d+\)", "at I", what)
    return re.sub(r"\d+", "N", what)


def lib_test_dir():
    """CPython 3.13's Lib/test, or None."""
    python = pythons.find_python("3.13")
    if not python:
        return None
    out = subprocess.run([python, "-c", "import os, test; "
                          "print(os.path.dirname(test.__file__))"],
                         text=True, capture_output=True)
    path = out.stdout.strip()
    return path if out.returncode == 0 and os.path.isdir(path) else None


def round_trip(args, label, tree_in, tree_out, problems):
    """Steps 1-3 on one tree; returns (identical, total) or None."""
    lift = subprocess.run([args.lift_check, "--text-lower", tree_in],
                          text=True, capture_output=True)
    print("== %s 1. bcc-lift-check --text-lower" % label)
    print(lift.stdout, end="")
    if lift.returncode != 0:
        problems.append("%s 1. lifting or the text round trip failed: %s"
                        % (label, lift.stderr[-2000:]))

    opt = subprocess.run([args.bcc, "opt", "-O0", "--compare", "-q",
                          tree_in, "-o", tree_out],
                         text=True, capture_output=True)
    lines = opt.stdout.splitlines()
    identity = [IDENTITY_LINE.match(l) for l in lines if IDENTITY_LINE.match(l)]
    print("== %s 2. bcc opt -O0 --compare" % label)
    result = None
    if opt.returncode != 0 or not identity:
        problems.append("%s 2. bcc opt failed: %s" % (label, opt.stderr[-2000:]))
    else:
        same, total = map(int, identity[0].groups())
        result = (same, total)
        percent = 100.0 * same / total if total else 0.0
        print("identical: %d of %d code objects (%.2f%%, floor %.1f%%)"
              % (same, total, percent, MIN_IDENTITY))
        kinds = collections.defaultdict(list)
        for line in lines:
            if not IDENTITY_LINE.match(line):
                kinds[kind_of(line)].append(line)
        for kind, examples in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
            print("  %5d  %s" % (len(examples), kind))
            for example in examples[:EXAMPLES]:
                print("           " + example)
        if percent < MIN_IDENTITY:
            problems.append("%s 2. identity %.2f%% is below %.1f%%"
                            % (label, percent, MIN_IDENTITY))

    again = subprocess.run([args.bcc, "opt", "-O0", "--compare", "-q", tree_out],
                           text=True, capture_output=True)
    print("== %s 3. bcc opt -O0 --compare on its own output" % label)
    match = [IDENTITY_LINE.match(l) for l in again.stdout.splitlines()
             if IDENTITY_LINE.match(l)]
    if again.returncode != 0 or not match or match[0].group(1) != match[0].group(2):
        problems.append("%s 3. lowering is not a fixed point: %s%s"
                        % (label, again.stdout[-2000:], again.stderr[-2000:]))
    else:
        print(again.stdout.strip().splitlines()[-1])
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bcc", required=True)
    parser.add_argument("--lift-check", required=True)
    parser.add_argument("--keep", help="work in DIR and keep the trees")
    args = parser.parse_args()
    python = pythons.find_python("3.14")
    if not python or not pythons.is_pyodide_runner(python):
        print("skipped: CPython 3.14 (pyodide) not found; "
              "scripts/install-pyodide.sh installs it")
        return SKIP
    problems = []
    with tempfile.TemporaryDirectory(prefix="bcc-314-") as tmp:
        work = os.path.abspath(args.keep or tmp)
        tree = {k: os.path.join(work, k) for k in ("A", "B", "B2", "B3", "C", "D")}
        lib = pythons.compile_pyodide_stdlib(python, "3.14", work, tree["A"])
        counts = [round_trip(args, "stdlib:", tree["A"], tree["B"], problems)]

        tests = lib_test_dir()
        if tests:
            # A copy, so that only the test package comes from that path.
            copy = os.path.join(work, "libtest", "test")
            shutil.copytree(tests, copy, ignore=shutil.ignore_patterns("__pycache__"))
            tests = copy
            pythons.compile_tree(python, tests, tree["C"])
            counts.append(round_trip(args, "Lib/test:", tree["C"], tree["D"],
                                     problems))
        else:
            print("== Lib/test: left out: no CPython 3.13 found (pythons.py)")
        if all(counts):
            same = sum(c[0] for c in counts)
            total = sum(c[1] for c in counts)
            print("== together: %d of %d code objects identical (%.2f%%)"
                  % (same, total, 100.0 * same / total))

        for level in ("-O2", "-O3"):
            out = tree["B2" if level == "-O2" else "B3"]
            opt = subprocess.run([args.bcc, "opt", level, "-q", tree["A"], "-o", out],
                                 text=True, capture_output=True)
            if opt.returncode != 0:
                problems.append("4. bcc opt %s failed: %s" % (level, opt.stderr[-2000:]))
        print("== 4. the interpreter runs bcc's code of the standard library")
        for name in ("B", "B2", "B3"):
            run = subprocess.run([python, os.path.join(HERE, "exec_stdlib_checks.py"),
                                  tree[name], lib], text=True, capture_output=True)
            level = {"B": "-O0", "B2": "-O2", "B3": "-O3"}[name]
            print("%s: %s" % (level, run.stdout.strip().replace("\n", "; ")))
            if run.returncode != 0:
                problems.append("4. running bcc's %s code failed: %s"
                                % (level, run.stderr[-3000:]))

        if tests:
            print("== 5. Lib/test modules from CPython's tree and from bcc's")
            results = {}
            for name in ("C", "D"):
                run = subprocess.run([python, os.path.join(HERE, "run_lib_tests.py"),
                                      tree[name], tests] + TEST_MODULES,
                                     text=True, capture_output=True)
                if run.returncode != 0 or not run.stdout.strip():
                    problems.append("5. the tests did not run from %s: %s"
                                    % (name, (run.stdout + run.stderr)[-3000:]))
                    continue
                results[name] = run.stdout.strip().splitlines()[-1]
                label = "CPython's" if name == "C" else "bcc's    "
                print("%s: %s" % (label, results[name]))
            if len(results) == 2 and results["C"] != results["D"]:
                problems.append("5. the results differ:\n  CPython's: %s\n  bcc's:     %s"
                                % (results["C"], results["D"]))
    for p in problems:
        print("FAILED: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
