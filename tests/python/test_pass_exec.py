#!/usr/bin/env python3
"""Execution tests of the optimizer: optimized bytecode against the original,
in the real interpreters.

Every program in tests/exec/*.py says in its header how bcc should optimize
it and what must happen:

    # bcc-flags: -O3 --assume=stable-functions     (one run per line)
    # expect: inline: done: 'helper'               (a remark that must appear)
    # expect-not: strip-print: done                (one that must not)
    # versions: 3.12, 3.13                         (default: 3.11-3.14)
    # reference: no-print                          (see below)

With `reference: no-print`, the original runs with the builtin print
replaced by one that prints only to an explicit file=, which is what
--assume=no-print promises the optimized program does.

`expect` and `expect-not` lines apply to the `bcc-flags` line above them
(or to every run when they come before the first one). For each CPython
3.11-3.14 found (pythons.py; 3.14 is pyodide's, scripts/python3.14) and
each flags line, the test

  1. byte-compiles the program with that interpreter's py_compile;
  2. runs `bcc opt FLAGS --remarks --verify-each` on the .pyc;
  3. runs the original .pyc and bcc's .pyc in that interpreter, each
     loaded from its file by marshal (so it is certainly that bytecode that
     runs, never a recompile of the source), as `__main__`;
  4. requires the same stdout, stderr (tracebacks included) and exit
     status, and the expected remarks: a pass that never fired proves
     nothing.

  test_pass_exec.py --bcc build/tools/bcc/bcc [--versions 3.12] [PROGRAM...]
"""

import argparse
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(os.path.dirname(HERE), "exec")
VERSIONS = ("3.11", "3.12", "3.13", "3.14")

# Loads the code object from a .pyc (skipping its 16-byte header) and runs
# it as __main__, the way `python prog.py` would run the source.
RUNNER = r"""
import builtins, marshal, sys, types
pyc, source, reference = sys.argv[1], sys.argv[2], sys.argv[3]
if reference == "no-print":
    real_print = builtins.print
    def print_to_files_only(*args, sep=" ", end="\n", file=None, flush=False):
        if file is not None:
            real_print(*args, sep=sep, end=end, file=file, flush=flush)
    builtins.print = print_to_files_only
with open(pyc, "rb") as f:
    f.read(16)
    code = marshal.load(f)
sys.argv = [source]
module = types.ModuleType("__main__")
module.__file__ = source
module.__builtins__ = __builtins__
sys.modules["__main__"] = module
exec(code, module.__dict__)
"""


class Run:
    def __init__(self, flags):
        self.flags = flags
        self.expect = []
        self.expect_not = []
        self.reference = ""


def parse_header(path):
    """The runs a program asks for, and its versions."""
    runs, common_expect, common_not = [], [], []
    versions = list(VERSIONS)
    reference = ""
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"#\s*(bcc-flags|expect|expect-not|versions|reference):\s*(.*)$", line)
            if not m:
                continue
            key, value = m.group(1), m.group(2).strip()
            if key == "bcc-flags":
                runs.append(Run(shlex.split(value)))
            elif key == "reference":
                reference = value
            elif key == "versions":
                versions = [v.strip() for v in value.split(",") if v.strip()]
            else:
                target = (runs[-1].expect if key == "expect" else runs[-1].expect_not) \
                    if runs else (common_expect if key == "expect" else common_not)
                target.append(value)
    for run in runs:
        run.reference = reference
        run.expect = common_expect + run.expect
        run.expect_not = common_not + run.expect_not
    return runs, versions


def run_pyc(python, pyc, source, cwd, reference=""):
    proc = subprocess.run([python, "-c", RUNNER, pyc, source, reference], cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=300,
                          env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
                                   PYTHONHASHSEED="0"))
    return proc.stdout, proc.stderr, proc.returncode


def check(bcc, python, version, program, run, workdir):
    """A list of problems (empty when the run is good)."""
    name = os.path.splitext(os.path.basename(program))[0]
    source = os.path.join(workdir, name + ".py")
    with open(program, encoding="utf-8") as f:
        text = f.read()
    with open(source, "w", encoding="utf-8") as f:
        f.write(text)
    original = os.path.join(workdir, name + ".orig.pyc")
    optimized = os.path.join(workdir, name + ".opt.pyc")
    subprocess.run([python, "-c",
                    "import py_compile, sys; py_compile.compile(sys.argv[1], "
                    "cfile=sys.argv[2], doraise=True)", source, original],
                   check=True)
    proc = subprocess.run([bcc, "opt"] + run.flags +
                          ["--remarks", "--verify-each", "-q", original, "-o", optimized],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    problems = []
    if proc.returncode != 0:
        return ["bcc opt failed (exit %d): %s" % (proc.returncode, proc.stderr.strip())]
    remarks = proc.stdout
    for wanted in run.expect:
        if wanted not in remarks:
            problems.append("no remark contains %r; the remarks were:\n%s" %
                            (wanted, remarks.rstrip() or "    (none)"))
    for unwanted in run.expect_not:
        if unwanted in remarks:
            problems.append("a remark contains %r, which must not happen" % unwanted)
    before = run_pyc(python, original, source, workdir, run.reference)
    after = run_pyc(python, optimized, source, workdir)
    for label, a, b in (("stdout", before[0], after[0]), ("stderr", before[1], after[1]),
                        ("exit status", before[2], after[2])):
        if a != b:
            problems.append("%s differs:\n--- original\n%s\n--- optimized\n%s" %
                            (label, a, b))
    if before[2] != 0 and not problems:
        problems.append("the original program itself failed:\n%s" % before[1])
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bcc", required=True)
    parser.add_argument("--versions", default=",".join(VERSIONS))
    parser.add_argument("programs", nargs="*")
    args = parser.parse_args()
    programs = args.programs or sorted(glob.glob(os.path.join(PROGRAMS, "*.py")))
    if not programs:
        print("no programs in %s" % PROGRAMS)
        return 1
    failures = runs = 0
    tested_versions = 0
    for version in [v.strip() for v in args.versions.split(",")]:
        python = pythons.find_python(version)
        if not python:
            print("%s: not found, skipped (set %s)" % (version, pythons.env_var_name(version)))
            continue
        tested_versions += 1
        for program in programs:
            program_runs, versions = parse_header(program)
            if not program_runs:
                print("%s: no '# bcc-flags:' line" % program)
                failures += 1
                continue
            if version not in versions:
                continue
            for run in program_runs:
                runs += 1
                with tempfile.TemporaryDirectory(prefix="bcc-exec-") as workdir:
                    problems = check(args.bcc, python, version, program, run, workdir)
                label = "%s %s %s" % (version, os.path.basename(program), " ".join(run.flags))
                if problems:
                    failures += 1
                    print("FAIL %s" % label)
                    for p in problems:
                        print("    " + p.replace("\n", "\n    "))
                else:
                    print("ok   %s" % label)
    print("%d runs, %d failed" % (runs, failures))
    if tested_versions == 0:
        print("no interpreter of %s found" % args.versions)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
