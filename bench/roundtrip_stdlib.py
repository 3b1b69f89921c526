#!/usr/bin/env python3
"""Benchmark: the round trip of a whole standard library, .pyc bytes in to
.pyc bytes out, in code units per second, against two baselines measured in
the same run.

- bcc: `bcc opt -O0 TREE -o OUT` (read, lift to SSA, verify, lower, write),
  and the same with the optimizer: `-O2` (the exact pipeline, whose target is
  2M code units per CPU second, against 5M for -O0) and `-O3`.
- the `bytecode` library (Debian's python3-bytecode, run by Debian's
  python3): every code object through `Bytecode.from_code(...).to_code()`,
  nested ones included, then marshal.dumps.
- CPython's own compile(): every source file compiled and marshalled (the
  work that produced the .pyc files in the first place).

All three handle the same files: Debian's python3 standard library (Lib/test
when installed, site-packages excluded), byte-compiled by that interpreter.
Prints one line per contender and the ratios. Then bcc alone on CPython
3.14's standard library (pyodide's, compiled by scripts/python3.14; the
interpreter under WebAssembly is no timing reference), with its speed as a
ratio to its speed on the first tree. Run: `make bench`, or
`python3 bench/roundtrip_stdlib.py --bcc build/tools/bcc/bcc`; `--tree DIR`
times bcc alone on a tree of .pyc files (e.g. one that python3.12 wrote
with PYTHONPYCACHEPREFIX=DIR).

Rates are code units per CPU second (user + system) of one process on one
core: bcc opt is single-threaded, and on a shared machine CPU time is what
the work costs where wall time is not. bcc's CPU time is the whole
process's: reading each file, lifting, verifying, lowering, writing each
file. The baselines time their loop alone (the files are read before, and
nothing is written). bcc writes its output to /dev/shm when it can, so that
the file system's cost of creating files stays small (see --scratch).
Wall seconds are printed too; bcc's own split by stage (wall, from its
summary) follows the table.
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

BASELINE_PYTHON = "/usr/bin/python3"  # Debian's, where python3-bytecode lives

# Runs under Debian's python3; prints "files code_objects code_units seconds failures".
BYTECODE_WORKER = r'''
import marshal, os, sys, time
import bytecode
tree = sys.argv[1]
paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(tree) for f in fs if f.endswith(".pyc"))
blobs = [open(p, "rb").read() for p in paths]
def roundtrip(code, counts):
    consts = tuple(roundtrip(c, counts) if hasattr(c, "co_code") else c for c in code.co_consts)
    code = code.replace(co_consts=consts)
    counts[0] += 1
    counts[1] += len(code.co_code) // 2
    return bytecode.Bytecode.from_code(code).to_code()
counts = [0, 0]
failures = 0
start, cpu = time.perf_counter(), time.process_time()
for blob in blobs:
    try:
        code = roundtrip(marshal.loads(blob[16:]), counts)
        out = blob[:16] + marshal.dumps(code)
    except Exception:
        failures += 1
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
print(len(blobs), counts[0], counts[1], cpu, elapsed, failures)
'''

# Runs under Debian's python3; compiles every source behind a .pyc of the tree.
COMPILE_WORKER = r'''
import marshal, os, sys, time
tree, libdir = sys.argv[1], sys.argv[2]
sources = []
for d, _, fs in os.walk(tree):
    for f in fs:
        if f.endswith(".pyc"):
            src_dir = d[len(tree):]
            name = f.split(".")[0] + ".py"
            path = os.path.join(src_dir, name)
            if os.path.exists(path):
                sources.append(path)
sources.sort()
texts = [(p, open(p, "rb").read()) for p in sources]
def count(code):
    n, units = 1, len(code.co_code) // 2
    for c in code.co_consts:
        if hasattr(c, "co_code"):
            a, b = count(c)
            n += a; units += b
    return n, units
objects = units = failures = 0
start, cpu = time.perf_counter(), time.process_time()
for path, text in texts:
    try:
        code = compile(text, path, "exec", dont_inherit=True)
        marshal.dumps(code)
    except Exception:
        failures += 1
        continue
    a, b = count(code)
    objects += a; units += b
elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
print(len(texts), objects, units, cpu, elapsed, failures)
'''


def run_worker(source, *args):
    out = subprocess.run([BASELINE_PYTHON, "-c", source] + list(args),
                         check=True, capture_output=True, text=True).stdout.split()
    files, objects, units, cpu, wall, failures = out
    return int(files), int(objects), int(units), float(cpu), float(wall), int(failures)


def children_cpu():
    """(user, system) CPU seconds of the finished children so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime, usage.ru_stime


def run_bcc(bcc, tree, out, level):
    """One `bcc opt LEVEL tree -o out`: (files, objects, units, cpu, wall,
    failed, stage split line, system part of cpu)."""
    (user0, sys0), start = children_cpu(), time.perf_counter()
    proc = subprocess.run([bcc, "opt", level, tree, "-o", out], capture_output=True, text=True)
    (user1, sys1), wall = children_cpu(), time.perf_counter() - start
    cpu, system = (user1 - user0) + (sys1 - sys0), sys1 - sys0
    lines = proc.stderr.splitlines()
    summary = [l for l in lines if "code units in" in l]
    if not summary:
        sys.exit("bcc opt printed no summary:\n" + proc.stderr[-2000:])
    words = summary[-1].split()
    files, failed = int(words[2]), int(words[4].strip("("))
    objects, units = int(words[6]), int(words[9])
    split = [l for l in lines if "read+unmarshal" in l]
    shutil.rmtree(out, ignore_errors=True)
    return files, objects, units, cpu, wall, failed, split[-1] if split else "", system


def best_bcc(bcc, tree, scratch, repeat, level="-O0"):
    """The run with the least CPU time of `repeat`, each writing into a new
    directory under `scratch`."""
    best = None
    for i in range(repeat):
        out = tempfile.mkdtemp(prefix="bcc-bench-out-", dir=scratch)
        try:
            run = run_bcc(bcc, tree, os.path.join(out, "tree"), level)
        finally:
            shutil.rmtree(out, ignore_errors=True)
        if best is None or run[3] < best[3]:
            best = run
    return best


def print_bcc_notes(run, level="-O0"):
    print("bcc opt %s: %.2f of its %.2f CPU s were system time (mostly creating the output "
          "files)" % (level, run[7], run[3]))
    print("bcc opt %s, wall seconds by stage: %s" % (level, run[6].split(": ", 1)[-1]))


# Compile-speed targets, code units per CPU second on one core.
TARGETS = {"-O0": 5e6, "-O2": 2e6}


def bcc_levels(bcc, tree, scratch, repeat):
    """Rows and runs of bcc at -O0, -O2 and -O3, and the target lines."""
    rows, runs, verdicts = [], {}, []
    for level, what in (("-O0", "read, lift, verify, lower, write"),
                        ("-O2", "the same with the exact pipeline"),
                        ("-O3", "with every -O3 pass, whole-tree facts")):
        run = best_bcc(bcc, tree, scratch, repeat, level)
        runs[level] = run
        rows.append(("bcc opt %s (%s)" % (level, what), run[:6]))
        if level in TARGETS:
            rate = run[2] / run[3]
            verdicts.append("bcc opt %s: %.2fM code units per CPU second, target %.0fM: %s" % (
                level, rate / 1e6, TARGETS[level] / 1e6, "PASS" if rate >= TARGETS[level] else "FAIL"))
    return rows, runs, verdicts


def print_rows(rows):
    print("%-44s %6s %9s %10s %8s %8s %12s %7s" % ("", "files", "code objs", "code units",
                                                   "CPU s", "wall s", "units/CPU s", "failed"))
    for name, (files, objects, units, cpu, wall, failures) in rows:
        print("%-44s %6d %9d %10d %8.2f %8.2f %11.2fM %7d" % (
            name, files, objects, units, cpu, wall, units / cpu / 1e6, failures))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bcc", default=os.environ.get("BCC_BINARY", "build/tools/bcc/bcc"))
    parser.add_argument("--repeat", type=int, default=3,
                        help="bcc runs; the one with the least CPU time is kept")
    parser.add_argument("--tree", help="time bcc alone on this tree of .pyc files")
    parser.add_argument("--scratch", help="where bcc writes its output trees (default: "
                        "/dev/shm when it is a writable tmpfs, else a temporary directory; "
                        "creating files costs system time that depends on the file system "
                        "and that the baselines, which write no files, do not pay)")
    parser.add_argument("--no-314", action="store_true",
                        help="leave out CPython 3.14's tree (pyodide's standard library)")
    args = parser.parse_args()
    if not args.scratch and os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        args.scratch = "/dev/shm"
    if args.tree:
        work = tempfile.mkdtemp(prefix="bcc-bench-")
        try:
            rows, runs, verdicts = bcc_levels(args.bcc, args.tree, args.scratch or work,
                                              args.repeat)
            print_rows(rows)
            for level, run in runs.items():
                print_bcc_notes(run, level)
            print("\n".join(verdicts))
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return
    if not os.path.exists(BASELINE_PYTHON):
        sys.exit("needs Debian's %s with python3-bytecode" % BASELINE_PYTHON)
    libdir = subprocess.run([BASELINE_PYTHON, "-c", "import os; print(os.path.dirname(os.__file__))"],
                            check=True, capture_output=True, text=True).stdout.strip()
    version = subprocess.run([BASELINE_PYTHON, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    work = tempfile.mkdtemp(prefix="bcc-bench-")
    try:
        tree = os.path.join(work, "in")
        env = dict(os.environ, PYTHONPYCACHEPREFIX=tree)
        subprocess.run([BASELINE_PYTHON, "-m", "compileall", "-q", "-j0",
                        "-x", r"[\\/](site-packages|dist-packages)[\\/]", libdir],
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print("stdlib of Debian's python3 %s (%s), byte-compiled into a private tree; "
              "bcc writes its output under %s" % (version, libdir, args.scratch or work))

        rows, runs, verdicts = bcc_levels(args.bcc, tree, args.scratch or work, args.repeat)
        best = runs["-O0"]
        rows.append(("bytecode %s: from_code().to_code()" % subprocess.run(
            [BASELINE_PYTHON, "-c", "import bytecode; print(bytecode.__version__)"],
            capture_output=True, text=True).stdout.strip(), run_worker(BYTECODE_WORKER, tree)))
        rows.append(("CPython compile() + marshal.dumps", run_worker(COMPILE_WORKER, tree, libdir)))

        print_rows(rows)
        for level, run in runs.items():
            print_bcc_notes(run, level)
        bcc_rate = best[2] / best[3]
        for name, (_, _, units, cpu, _, _) in rows[3:]:
            print("bcc -O0 is %.1fx the speed of %s (per CPU second)" % (bcc_rate / (units / cpu), name))
        print("\n".join(verdicts))
        if not args.no_314:
            bench_314(args, work, runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_314(args, work, native):
    """bcc on CPython 3.14's standard library (pyodide's, byte-compiled by its
    runner, scripts/python3.14): bcc's own speed, natively; the interpreter
    under WebAssembly is no timing reference. The ratio is to bcc on the
    native tree above, in this run."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                    os.pardir, "tests", "python"))
    import pythons
    python = pythons.find_python("3.14")
    if not python or not pythons.is_pyodide_runner(python):
        print("\nCPython 3.14 (pyodide) not found: its tree is not timed "
              "(scripts/install-pyodide.sh installs it)")
        return
    tree = os.path.join(work, "in314")
    pythons.compile_pyodide_stdlib(python, "3.14", os.path.join(work, "src314"), tree)
    print("\nstdlib of CPython 3.14 (pyodide %s), byte-compiled by its runner"
          % pythons.pyodide_version("3.14"))
    rows, runs, verdicts = bcc_levels(args.bcc, tree, args.scratch or work, args.repeat)
    print_rows(rows)
    for level, run in runs.items():
        print_bcc_notes(run, level)
        print("bcc opt %s on 3.14 is %.2fx its speed on the tree above (per CPU second)"
              % (level, (run[2] / run[3]) / (native[level][2] / native[level][3])))
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
