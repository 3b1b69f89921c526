#!/usr/bin/env python3
"""Benchmark: what bcc.optimize's deoptimization costs when nothing is
rebound, measured in the same process against the original and the
hand-written forms.

Two costs, per CPython version (3.11-3.13, tests/python/pythons.py):

- a call: `f(xs)` sums `x * SCALE + OFFSET` over a 2-tuple, with two
  module globals (a loop, so that 3.11 optimizes it: bcc/_live.py leaves a
  function without one alone there). Contenders: the original (two
  LOAD_GLOBALs per iteration), bcc.optimize's form (the globals are
  constants; on 3.11 the code starts with the guard's C call), and by hand
  (`x * 3 + 1`). The guard's cost is optimized / hand; on 3.12+ there is
  no guard and the ratio is noise around 1.
- a store into a watched namespace (3.12+): `ns["other"] = i` into a
  module dict that a dict watcher watches because an optimized function
  reads another name of it, against the same store into a dict nobody
  watches: every change of a watched dict calls bcc's watcher.

Each timing is the best of --repeat samples of --number calls, the
contenders interleaved; ratios are printed with the A/A ratio (the
original timed twice) as the noise floor.

  python3 bench/live_guards.py [--python-package build/python] [--versions 3.11,3.12]
"""

import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
import pythons  # noqa: E402

WORKER = r'''
import gc, json, sys, time, types
if sys.argv[1]:
    sys.path.insert(0, sys.argv[1])
import bcc
number, repeat = int(sys.argv[2]), int(sys.argv[3])

SOURCE = """
SCALE = 3
OFFSET = 1
def f(xs):
    t = 0
    for x in xs:
        t += x * SCALE + OFFSET
    return t
def by_hand(xs):
    t = 0
    for x in xs:
        t += x * 3 + 1
    return t
def loop(fn, n):
    xs = (1, 2)
    for i in range(n):
        fn(xs)
"""


def module(name):
    m = types.ModuleType(name)
    exec(compile(SOURCE, "<%s>" % name, "exec"), m.__dict__)
    return m


original, again, optimized = module("a"), module("b"), module("c")
bcc.optimize(optimized.f)
assert bcc.report(optimized.f).optimized, bcc.report(optimized.f).remarks
assert optimized.f((5,)) == original.f((5,)) == 16
contenders = {"original": original.f, "original again": again.f,
              "bcc.optimize": optimized.f, "hand": original.by_hand}
loop = original.loop
best = {k: float("inf") for k in contenders}
gc.disable()
for _ in range(repeat):
    for label, fn in contenders.items():
        start = time.perf_counter()
        loop(fn, number)
        best[label] = min(best[label], (time.perf_counter() - start) / number)

stores = {}
if bcc._bcc.HAS_WATCHERS:
    watched = optimized.__dict__   # watched: optimized.f reads SCALE, OFFSET
    plain = module("d").__dict__
    def store(ns, n):
        for i in range(n):
            ns["other"] = i
    stores = {"unwatched dict": float("inf"), "watched dict": float("inf")}
    for _ in range(repeat):
        for label, ns in (("unwatched dict", plain), ("watched dict", watched)):
            start = time.perf_counter()
            store(ns, number)
            stores[label] = min(stores[label], (time.perf_counter() - start) / number)
    assert bcc.report(optimized.f).deoptimized is None
print(json.dumps({"calls": best, "stores": stores, "python": sys.version.split()[0],
                  "watchers": bcc._bcc.HAS_WATCHERS}))
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", default="3.11,3.12,3.13")
    parser.add_argument("--python-package", default=os.path.join(ROOT, "build", "python"))
    parser.add_argument("--number", type=int, default=200000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print("load average at the start: %.2f %.2f %.2f" % os.getloadavg())
    status = 0
    for version in args.versions.split(","):
        python = pythons.find_python(version)
        if not python:
            print("%s: not found" % version)
            continue
        package = os.path.join(args.python_package, version.replace(".", ""))
        if not os.path.exists(os.path.join(package, "bcc", "__init__.py")):
            package = ""  # an installed bcc, if there is one
        proc = subprocess.run([python, "-c", WORKER, package, str(args.number),
                               str(args.repeat)], capture_output=True, text=True)
        if proc.returncode != 0:
            print("%s: failed: %s" % (version, proc.stderr.strip().splitlines()[-1:]))
            status = 1
            continue
        r = json.loads(proc.stdout)
        c = r["calls"]
        print("CPython %s (%s): ns per call  original %.1f  bcc.optimize %.1f  hand %.1f  "
              "| optimized/hand %.3f  optimized/original %.3f  A/A %.3f" % (
                  r["python"], "dict watchers" if r["watchers"] else "entry guard",
                  c["original"] * 1e9, c["bcc.optimize"] * 1e9, c["hand"] * 1e9,
                  c["bcc.optimize"] / c["hand"], c["bcc.optimize"] / c["original"],
                  c["original again"] / c["original"]))
        if r["stores"]:
            s = r["stores"]
            print("  a store into a watched namespace: %.1f ns against %.1f ns unwatched "
                  "(%.3f)" % (s["watched dict"] * 1e9, s["unwatched dict"] * 1e9,
                              s["watched dict"] / s["unwatched dict"]))
    print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
    return status


if __name__ == "__main__":
    sys.exit(main())
