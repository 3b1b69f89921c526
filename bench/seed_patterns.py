#!/usr/bin/env python3
"""Benchmark: the seed patterns written plainly, against their hand-optimized
forms and against bcc's output, timed in the same run.

Each pattern is a small module under bench/seed/ that holds the plain
function and the form(s) a person would write to make it fast:

- trig.py: `math.sin(x) * math.sin(x) + math.cos(x) * math.cos(x)` in a
  loop; by hand with the default-argument trick and with a from-import.
  bcc -O3 --assume=stable-globals (hoist-globals).
- debug_helper.py: a loop calling a one-line helper and a debug() whose
  body is guarded by a `DEBUG: Final = False` flag; by hand, the helper
  written out and the debug call deleted. bcc -O3
  --assume=stable-functions (fold-globals, strip-debug, inline).
- print_loop.py: print calls in a hot loop; by hand, deleted. bcc -O3
  --assume=no-print (strip-print).
- env_debug.py: the debug pattern with the flag computed at import from
  the environment: no module-level analysis can fold it, so -O3 inlines
  the helper but keeps the log() calls (no target for -O3 / hand: "n/a");
  bcc.optimize folds the flag as the live object it is and reaches the
  hand form. The pattern where live facts do more than AOT ones.
- helper_chain.py: a chain of three small helpers called in a loop; by
  hand, written out. bcc -O3 --assume=stable-functions (inline).

For each CPython 3.11-3.13 found (tests/python/pythons.py), the modules are
byte-compiled by that interpreter, and bcc makes two optimized .pyc files
of each: `bcc opt -O2` (no assumption) and `bcc opt -O3` with the
assumptions the pattern needs. Before anything is timed, bcc's remarks
must show that the expected optimization was done, and every optimized
function must return what the original returns (for -O2, print the same
output too).

Then ONE process of that interpreter loads every contender from its .pyc
with marshal (so that it is certainly that bytecode which runs) and times
them interleaved. Contenders: the original, the hand-optimized form(s),
bcc -O2, bcc -O3, and the original once more ("original again", an A/A
control: the same bytecode timed as a separate contender shows how far
apart two equal things come out). Each contender is loaded --copies times
(separate modules and code objects); a sample calls one copy for about
--sample seconds of the thread's CPU time (CPU time, since other jobs
share the machine); each round takes one sample of every copy of every
contender, in an order that rotates from round to round. A copy's rate is
its best sample; a contender's rate is the mean over its copies. After
--repeat rounds, more follow while the copies of some contender still
disagree (standard error above --precision of the mean), until --budget
seconds of timing have passed for that version. sys.stdout is a null
writer (os.devnull) for every contender while it is timed; the garbage
collector is off, as in timeit.

One more contender, "bcc live", when the Python package is built for that
interpreter (build/python/<XY>, or installed): the plain function loaded
like the others, then given to `bcc.optimize` (with assume="no-print" for
the print pattern, the one fact it cannot watch), which folds its globals,
builtins and module attributes as the live objects they are and inlines
its module's functions. Its target is the same as -O3's: live / hand >=
0.95; live/O3 shows what the live facts add over the module-level ones.

Printed per version and pattern: loop iterations per second of the
original, the hand-optimized form, bcc -O2 and bcc -O3, and the two
targets: -O3 / hand >= 0.95 and -O2 / original >= 0.99, each with ± two
standard errors (from the scatter of the copies) and PASS or FAIL; FAIL*
when the miss is no bigger than the line's noise (that ± or how far A/A
is from 1). "(-O2: same co_code)" says that bcc -O2 gave back the
original's bytecode, so that any difference in that column is noise. A
broken pattern (bcc failed, a remark is missing, a result differs) always
makes the exit status 1; a target missed beyond the noise (FAIL) only
with --check (a FAIL* is listed, but cannot tell a miss from noise).

  python3 bench/seed_patterns.py --bcc build/tools/bcc/bcc [--check]
      [--versions 3.12] [--budget SECONDS] [--copies K] [--repeat N]
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEED = os.path.join(HERE, "seed")
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
import pythons  # noqa: E402

VERSIONS = ("3.11", "3.12", "3.13")
O3_TARGET = 0.95  # bcc -O3 / hand-optimized
O2_TARGET = 0.99  # bcc -O2 / original


class Pattern:
    """One seed module: its plain function, the hand-optimized forms, the
    arguments of a call (a Python expression) and how many loop iterations
    a call makes, the assumptions -O3 needs and the remarks that prove the
    optimization was done (function, regular expression of the rest)."""

    def __init__(self, name, module, plain, hands, args, iterations, assume, remarks,
                 aot_reaches=True):
        self.name, self.module, self.plain, self.hands = name, module, plain, hands
        # False: a pattern only live facts can optimize fully; -O3 / hand
        # is printed but has no target.
        self.aot_reaches = aot_reaches
        self.args, self.iterations = args, iterations
        self.assume, self.remarks = assume, remarks
        # bcc.optimize needs no assumption for what it watches; no-print
        # it cannot watch, so the print pattern names it.
        self.live_assume = "no-print" if "--assume=no-print" in assume else ""


PATTERNS = [
    Pattern("math loop", "trig", "trig",
            [("default args", "trig_default_args"), ("from-import", "trig_from_import")],
            "(1000,)", 1000, ["--assume=stable-globals"],
            [("trig", r"hoist-globals: done: 'math\.sin' is read once, before the loop"),
             ("trig", r"hoist-globals: done: 'math\.cos' is read once, before the loop")]),
    Pattern("helper + debug()", "debug_helper", "work",
            [("written out", "work_by_hand")],
            "(1000,)", 1000, ["--assume=stable-functions"],
            [("debug", r"fold-globals: done: 'DEBUG' is False \(Final\)"),
             ("work", r"strip-debug: done: removed the call of 'debug'.*no guard"),
             ("work", r"inline: done: inlined 'scale' .*no guard")]),
    Pattern("print in a loop", "print_loop", "checksum",
            [("prints deleted", "checksum_by_hand")],
            "(bytes(range(250)) * 4,)", 1000, ["--assume=no-print"],
            [("checksum", r"strip-print: done: removed a call of print")]),
    Pattern("helper chain", "helper_chain", "nearest",
            [("written out", "nearest_by_hand")],
            "([(i % 37, i % 91) for i in range(1000)], (10, 20))", 1000,
            ["--assume=stable-functions"],
            [("sum_squares", r"inline: done: inlined 'square' .*no guard"),
             ("dist2", r"inline: done: inlined 'sum_squares' .*no guard"),
             ("nearest", r"inline: done: inlined 'dist2' .*no guard")]),
    Pattern("flag from environ", "env_debug", "work",
            [("written out", "work_by_hand")],
            "(1000,)", 1000, ["--assume=stable-functions"],
            [("work", r"inline: done: inlined 'step' .*no guard")],
            aot_reaches=False),
]

# Runs in the interpreter under test. argv[1] is a JSON file:
# {"repeat": N, "sample": seconds, "copies": K, "clock": "cpu"|"wall",
#  "precision": relative standard error, "budget": seconds,
#  "patterns": [{"name", "args", "iterations",
#                "contenders": [{"label", "pyc", "function"}]}]}.
# Each contender is loaded K times (K modules, each executing the code
# object marshal read from the .pyc). Prints JSON: per pattern, per
# contender, per copy, the rate of every sample; or the problems found when
# checking the results.
WORKER = r'''
import gc, io, json, marshal, os, statistics, sys, time, types

spec = json.load(open(sys.argv[1]))
real_stdout = sys.stdout
null = open(os.devnull, "w")


def load(pyc, name):
    with open(pyc, "rb") as f:
        f.read(16)
        code = marshal.load(f)
    module = types.ModuleType(name)
    module.__file__ = pyc
    exec(code, module.__dict__)
    return module


# The copies are loaded in turns (the first copy of every contender, then
# the second...), so that where in memory a copy lands does not go with
# its contender.
patterns = [(p, eval(p["args"]), [(c["label"], []) for c in p["contenders"]])
            for p in spec["patterns"]]
problems = []
if spec.get("package") is not None:
    if spec["package"]:
        sys.path.insert(0, spec["package"])
    import bcc
for k in range(spec["copies"]):
    for p, _, contenders in patterns:
        for c, (_, fns) in zip(p["contenders"], contenders):
            name = os.path.basename(c["pyc"]).split(".")[0]
            fn = load(c["pyc"], name).__dict__[c["function"]]
            if "live" in c:
                # bcc.optimize on the live function, as a program would.
                bcc.optimize(fn, assume=c["live"])
                r = bcc.report(fn)
                if not (r and r.optimized):
                    problems.append("%s: bcc.optimize left %s as it was: %s" % (
                        p["name"], c["function"], r and r.remarks))
            fns.append(fn)

# Same results first: every contender (every copy) against the original;
# bcc -O2 must print the same too.
identical = {}
for p, args, contenders in patterns:
    expected = None
    for label, fns in contenders:
        for fn in fns:
            sys.stdout = io.StringIO()
            try:
                result = fn(*args)
            except Exception as e:
                result = "raised %r" % e
            output = sys.stdout.getvalue()
            sys.stdout = real_stdout
            if expected is None:
                expected = (result, output)
            if result != expected[0]:
                problems.append("%s: %s returned %r, the original %r" %
                                (p["name"], label, result, expected[0]))
            if label == "bcc -O2" and output != expected[1]:
                problems.append("%s: %s printed something else than the original" %
                                (p["name"], label))
    original = contenders[0][1][0].__code__.co_code
    identical[p["name"]] = {label: fns[0].__code__.co_code == original
                            for label, fns in contenders}
if problems:
    print(json.dumps({"problems": sorted(set(problems))}))
    sys.exit(0)

sys.stdout = null
gc.disable()
sample = spec["sample"]
clock = time.thread_time if spec["clock"] == "cpu" else time.perf_counter
calls = {}
for p, args, contenders in patterns:
    for label, fns in contenders:
        for fn in fns:
            fn(*args)  # warm up: the specializing interpreter's caches
        start = clock()
        fns[0](*args)
        once = clock() - start
        calls[(p["name"], label)] = max(1, int(sample / max(once, 1e-7)))
rates = {p["name"]: {label: [[] for _ in fns] for label, fns in contenders}
         for p, _, contenders in patterns}


def settled():
    """Every contender's copies agree: the standard error of the mean of
    their best samples is within `precision` of it."""
    for per_label in rates.values():
        for copies in per_label.values():
            bests = [max(samples) for samples in copies]
            if len(bests) > 1 and (statistics.stdev(bests) / len(bests) ** 0.5 >
                                   spec["precision"] * statistics.mean(bests)):
                return False
    return True


# At least `repeat` rounds; then more while the copies disagree, until the
# time budget (wall seconds) is spent.
began = time.perf_counter()
rounds = 0
while rounds < spec["repeat"] or (not settled() and
                                  time.perf_counter() - began < spec["budget"]):
    for p, args, contenders in patterns:
        units = [(label, k, fns[k]) for k in range(spec["copies"]) for label, fns in contenders]
        shift = rounds % len(units)
        for label, k, fn in units[shift:] + units[:shift]:
            n = calls[(p["name"], label)]
            loop = range(n)
            start = clock()
            for _ in loop:
                fn(*args)
            elapsed = clock() - start
            rates[p["name"]][label][k].append(n * p["iterations"] / elapsed)
    rounds += 1
gc.enable()
sys.stdout = real_stdout
print(json.dumps({"rates": rates, "identical": identical, "settled": settled(),
                  "seconds": time.perf_counter() - began, "python": sys.version.split()[0]}))
'''


def compile_pyc(python, source, pyc):
    subprocess.run([python, "-c", "import py_compile, sys; py_compile.compile(sys.argv[1], "
                    "cfile=sys.argv[2], doraise=True)", source, pyc], check=True)


def run_bcc(bcc, flags, pyc, out):
    """(remarks, error): bcc opt FLAGS --remarks on one file."""
    proc = subprocess.run([bcc, "opt"] + flags + ["--remarks", "-q", pyc, "-o", out],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return "", "bcc opt %s failed (exit %d): %s" % (" ".join(flags), proc.returncode,
                                                         proc.stderr.strip())
    return proc.stdout, ""


def prepare(bcc, python, work, live):
    """Byte-compiles every pattern and runs bcc on it. Returns (spec for the
    worker, problems)."""
    problems = []
    spec = []
    for pattern in PATTERNS:
        source = os.path.join(work, pattern.module + ".py")
        shutil.copy(os.path.join(SEED, pattern.module + ".py"), source)
        original = os.path.join(work, pattern.module + ".orig.pyc")
        compile_pyc(python, source, original)
        o2 = os.path.join(work, pattern.module + ".O2.pyc")
        o3 = os.path.join(work, pattern.module + ".O3.pyc")
        _, error = run_bcc(bcc, ["-O2"], original, o2)
        remarks, error3 = run_bcc(bcc, ["-O3"] + pattern.assume, original, o3)
        for e in (error, error3):
            if e:
                problems.append("%s: %s" % (pattern.name, e))
        if error or error3:
            continue
        for function, text in pattern.remarks:
            if not any(re.search(": %s: %s" % (re.escape(function), text), line)
                       for line in remarks.splitlines()):
                problems.append("%s: bcc -O3 %s did not do it: no remark '%s: %s'; its "
                                "remarks were:\n    %s" % (
                                    pattern.name, " ".join(pattern.assume), function, text,
                                    remarks.strip().replace("\n", "\n    ") or "(none)"))
        # The original loaded again and timed as one more contender: how far
        # apart the same bytecode comes out is the noise floor of every ratio.
        contenders = [{"label": "original", "pyc": original, "function": pattern.plain},
                      {"label": "original again", "pyc": original, "function": pattern.plain}]
        for label, function in pattern.hands:
            contenders.append({"label": "hand: " + label, "pyc": original, "function": function})
        contenders.append({"label": "bcc -O2", "pyc": o2, "function": pattern.plain})
        contenders.append({"label": "bcc -O3", "pyc": o3, "function": pattern.plain})
        if live:
            contenders.append({"label": "bcc live", "pyc": original,
                               "function": pattern.plain, "live": pattern.live_assume})
        spec.append({"name": pattern.name, "args": pattern.args,
                     "iterations": pattern.iterations, "contenders": contenders})
    return spec, problems


def find_package(python, version, directory):
    """The directory to put on sys.path for the bcc package of `python`
    ("" if it imports bcc by itself), or None."""
    built = os.path.join(directory, version.replace(".", ""))
    if os.path.exists(os.path.join(built, "bcc", "__init__.py")):
        return built
    proc = subprocess.run([python, "-c", "import bcc"], capture_output=True)
    return "" if proc.returncode == 0 else None


def spread(rates):
    """How far the median sample lies below the best (0.03 = 3%)."""
    return 1 - statistics.median(rates) / max(rates)


def rate(copies):
    """A contender's rate: the best sample of each copy, averaged."""
    return statistics.mean(max(samples) for samples in copies)


def ratio_error(a, b):
    """Two standard errors of rate(a) / rate(b), relative, from how the
    copies of each scatter."""
    def relative(copies):
        bests = [max(samples) for samples in copies]
        if len(bests) < 2:
            return 0.0
        return statistics.stdev(bests) / len(bests) ** 0.5 / statistics.mean(bests)
    return 2 * (relative(a) ** 2 + relative(b) ** 2) ** 0.5


def copy_spread(copies):
    """How far apart the copies' best samples are, relative to their mean."""
    bests = [max(samples) for samples in copies]
    return (max(bests) - min(bests)) / statistics.mean(bests)


def verdict(ratio, target, noise):
    """PASS, FAIL, or FAIL* when the miss is no bigger than the noise."""
    if ratio >= target:
        return "PASS"
    return "FAIL*" if target - ratio <= noise else "FAIL"


def report(version, result):
    """Prints the table of one version; returns the targets missed, as
    (FAIL or FAIL*, what)."""
    rates, identical = result["rates"], result["identical"]
    copies = rates[PATTERNS[0].name]["original"]
    print("CPython %s: M loop iterations per second (best of %d samples, mean of %d copies; "
          "%.0f s of timing%s)" % (
              result["python"], len(copies[0]), len(copies), result["seconds"],
              "" if result["settled"] else ", stopped by the time budget before the copies "
              "agreed"))
    live = "bcc live" in rates[PATTERNS[0].name]
    print("%-17s %-15s %-17s %8s %8s %8s %8s  %-17s %-17s %5s" % (
        "pattern", "hand form", "-O3 assumes", "original", "hand", "bcc -O2", "bcc -O3",
        "O3/hand", "O2/orig", "A/A") + ("   %8s  %-17s %6s" % ("live", "live/hand", "live/O3")
                                        if live else ""))
    missed = []
    for pattern in PATTERNS:
        r = rates[pattern.name]
        best = {label: rate(copies) for label, copies in r.items()}
        same = identical[pattern.name]["bcc -O2"]
        # The same bytecode twice: a ratio that misses its target by no more
        # than this, or than two standard errors, is within the noise.
        twice = best["original again"] / best["original"]
        for label, _ in pattern.hands:
            hand = "hand: " + label
            o3_ratio = best["bcc -O3"] / best[hand]
            o2_ratio = best["bcc -O2"] / best["original"]
            o3_error = ratio_error(r["bcc -O3"], r[hand])
            o2_error = ratio_error(r["bcc -O2"], r["original"])
            o3_verdict = verdict(o3_ratio, O3_TARGET, max(abs(1 - twice), o3_error)) \
                if pattern.aot_reaches else "n/a"
            o2_verdict = verdict(o2_ratio, O2_TARGET, max(abs(1 - twice), o2_error))
            print("%-17s %-15s %-17s %8.2f %8.2f %8.2f %8.2f  %.3f±%.3f %-5s %.3f±%.3f %-5s "
                  "%.3f%s" % (
                      pattern.name, label, ",".join(a.split("=", 1)[1] for a in pattern.assume),
                      best["original"] / 1e6, best[hand] / 1e6, best["bcc -O2"] / 1e6,
                      best["bcc -O3"] / 1e6, o3_ratio, o3_error, o3_verdict, o2_ratio,
                      o2_error, o2_verdict, twice, "" if live else
                      "  (-O2: same co_code)" if same else ""), end="")
            if live:
                live_ratio = best["bcc live"] / best[hand]
                live_error = ratio_error(r["bcc live"], r[hand])
                live_verdict = verdict(live_ratio, O3_TARGET, max(abs(1 - twice), live_error))
                print("   %8.2f  %.3f±%.3f %-5s %6.3f" % (
                    best["bcc live"] / 1e6, live_ratio, live_error, live_verdict,
                    best["bcc live"] / best["bcc -O3"]), end="")
                if live_verdict != "PASS":
                    missed.append((live_verdict, "%s %s / %s: bcc.optimize is %.3f of the "
                                   "hand-optimized speed%s" % (
                                       version, pattern.name, label, live_ratio,
                                       " (within the noise)" if live_verdict == "FAIL*"
                                       else "")))
            print()
            if o3_verdict not in ("PASS", "n/a"):
                missed.append((o3_verdict, "%s %s / %s: bcc -O3 is %.3f of the hand-optimized "
                               "speed%s" % (version, pattern.name, label, o3_ratio,
                                            " (within the noise)" if o3_verdict == "FAIL*"
                                            else "")))
            if o2_verdict != "PASS" and label == pattern.hands[0][0]:
                missed.append((o2_verdict, "%s %s: bcc -O2 is %.3f of the original's speed%s%s" % (
                    version, pattern.name, o2_ratio,
                    " (within the noise)" if o2_verdict == "FAIL*" else "",
                    ", with the same co_code" if same else "")))
    spreads = [spread(v) for r in rates.values() for c in r.values() for v in c]
    copy_spreads = [copy_spread(c) for r in rates.values() for c in r.values()]
    print("noise: A/A is the original loaded again, against itself; the copies of a "
          "contender are %.1f%% apart (median), %.1f%% at worst; the median sample lies "
          "%.1f%% below the best (median), %.1f%% at worst" % (
              100 * statistics.median(copy_spreads), 100 * max(copy_spreads),
              100 * statistics.median(spreads), 100 * max(spreads)))
    return missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bcc", default=os.environ.get("BCC_BINARY", "build/tools/bcc/bcc"))
    parser.add_argument("--versions", default=",".join(VERSIONS))
    parser.add_argument("--repeat", type=int, default=12,
                        help="samples of each copy of a contender at least; the best counts "
                        "(default 12)")
    parser.add_argument("--sample", type=float, default=0.01,
                        help="seconds of calls in one sample (default 0.01)")
    parser.add_argument("--copies", type=int, default=5,
                        help="times each contender is loaded (separate code objects, whose "
                        "best samples scatter by a few %%); its rate is the mean over them "
                        "(default 5)")
    parser.add_argument("--precision", type=float, default=0.004,
                        help="after --repeat rounds, go on while the standard error of some "
                        "contender's mean over its copies is above this share of it "
                        "(default 0.004) ...")
    parser.add_argument("--budget", type=float, default=40,
                        help="... and this many wall seconds of timing per version have not "
                        "passed (default 40)")
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                        help="time samples by the thread's CPU time (default) or wall time")
    parser.add_argument("--python-package", default=os.path.join(ROOT, "build", "python"),
                        help="where the built package is: DIR/<XY>/bcc (default build/python); "
                        "an installed bcc is used if it is not there")
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 when a speed target is missed by more "
                        "than the noise (FAIL; a FAIL* does not count)")
    args = parser.parse_args()
    if not os.access(args.bcc, os.X_OK):
        sys.exit("no bcc at %s (--bcc)" % args.bcc)
    start = time.perf_counter()
    print("seed patterns: plain, hand-optimized, bcc -O2 (no assumption), bcc -O3 "
          "(with the assumptions shown); targets: O3/hand >= %.2f, O2/orig >= %.2f" % (
              O3_TARGET, O2_TARGET))
    print("load average at the start: %.2f %.2f %.2f" % os.getloadavg())
    problems, missed, tested = [], [], 0
    for version in [v.strip() for v in args.versions.split(",")]:
        python = pythons.find_python(version)
        if not python:
            print("%s: not found, skipped (set %s)" % (version, pythons.env_var_name(version)))
            continue
        tested += 1
        work = tempfile.mkdtemp(prefix="bcc-seed-%s-" % version)
        try:
            package = find_package(python, version, args.python_package)
            if package is None:
                print("%s: no bcc package for this interpreter (build it, or --python-package): "
                      "bcc.optimize not timed" % version)
            spec, found = prepare(args.bcc, python, work, package is not None)
            problems += ["%s %s" % (version, p) for p in found]
            if found:
                print("%s: not timed, the patterns are broken:" % version)
                for p in found:
                    print("  " + p)
                continue
            spec_path = os.path.join(work, "spec.json")
            with open(spec_path, "w") as f:
                json.dump({"repeat": args.repeat, "sample": args.sample, "clock": args.clock,
                           "copies": args.copies, "precision": args.precision,
                           "budget": args.budget, "patterns": spec, "package": package}, f)
            proc = subprocess.run([python, "-c", WORKER, spec_path], capture_output=True,
                                  text=True, env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
            if proc.returncode != 0:
                problems.append("%s: the timing process failed: %s" % (version, proc.stderr))
                print(problems[-1])
                continue
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            if "problems" in result:
                problems += ["%s %s" % (version, p) for p in result["problems"]]
                print("%s: not timed, results differ:" % version)
                for p in result["problems"]:
                    print("  " + p)
                continue
            print()
            missed += report(version, result)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("load average at the end: %.2f %.2f %.2f; %.0f s in all" % (
        os.getloadavg() + (time.perf_counter() - start,)))
    if missed:
        print("targets missed (FAIL*: by no more than the line's noise, |1 - A/A| or the "
              "± of two standard errors):")
        for _, what in missed:
            print("  " + what)
    elif problems:
        print("the broken patterns were not timed")
    else:
        print("every target met" if tested else "no interpreter found")
    if problems:
        print("broken patterns (%d): see above" % len(problems))
        return 1
    if not tested:
        return 1
    beyond_noise = [what for verdict, what in missed if verdict == "FAIL"]
    return 1 if (beyond_noise and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
