#!/usr/bin/env python3
"""Benchmark: bcc.timer's seconds per execution against timeit's, for a few
cheap statements, on each CPython 3.11-3.13 found (tests/python/pythons.py).

bcc.timer times a with-body by running it N times in a function of its own
and subtracting the same loop with an empty body (bindings/bcc/timer.py).
timeit does the same with a statement given as a string, so the two should
agree: for each statement, bcc.timer's per_call is set against
(timeit(stmt) - timeit('pass')) / N, with the statement's names as locals of
timeit's function (assigned by its setup), as they are in the function that
bcc.timer compiles. Each side keeps its best sample of the statement and
its best sample of the empty loop over --rounds runs of --repeat samples of
--number executions each, and subtracts at the end (the best of the runs'
own differences would favour a run whose empty loop was slowed down). The
runs of the two sides alternate, and each round visits every statement, so
that a burst of load from other jobs hits both sides and all statements.
Short samples (about a millisecond by default) are more likely to run
undisturbed on a shared machine than long ones.

One small difference is known and kept: timeit's empty loop runs `pass`
on a line of its own, which leaves a NOP in the loop (its loop around a
statement has none), so timeit subtracts a little more than the bare loop:
0.3-0.6 ns per iteration on 3.11-3.13 here (timeit of 'pass' against that
of ''), most of the few percent by which bcc.timer reads higher.
bcc.timer's empty loop is its timing loop with the body removed and
nothing else. On a machine shared with other jobs the noise can be larger
than that: take --rounds up before reading much into a ratio.

Each interpreter runs this file with --child and reports JSON; the timer
comes from the installed package `bcc` if it has one, else from
bindings/bcc/timer.py in this tree, loaded by path.

  python3 bench/timer_vs_timeit.py [--number N] [--repeat K]
                                   [--rounds R] [--versions 3.12 ...]
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(HERE)
TIMER_SOURCE = os.path.join(SOURCE_ROOT, "bindings", "bcc", "timer.py")
VERSIONS = ("3.11", "3.12", "3.13")


def load_timer():
    """(the timer class, where it came from)."""
    try:
        from bcc.timer import timer
        return timer, "installed bcc"
    except ImportError:
        pass
    spec = importlib.util.spec_from_file_location("bcc_timer", TIMER_SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.timer, os.path.relpath(TIMER_SOURCE, SOURCE_ROOT)


# --- The statements (child side) --------------------------------------------
# Each with-body is the statement, its names locals of the function.

def time_add(timer, number, repeat, a, b):
    with timer(number, repeat=repeat) as t:
        a + b
    return t


def time_scale(timer, number, repeat, x):
    with timer(number, repeat=repeat) as t:
        x * 2.5
    return t


def time_len(timer, number, repeat, s):
    with timer(number, repeat=repeat) as t:
        len(s)
    return t


def time_subscript(timer, number, repeat, d):
    with timer(number, repeat=repeat) as t:
        d["key"]
    return t


def time_method(timer, number, repeat, s):
    with timer(number, repeat=repeat) as t:
        s.upper()
    return t


STATEMENTS = (
    ("a + b", time_add, {"a": 12345, "b": 678}),
    ("x * 2.5", time_scale, {"x": 3.0}),
    ("len(s)", time_len, {"s": "hello"}),
    ('d["key"]', time_subscript, {"d": {"key": 1, "other": 2}}),
    ("s.upper()", time_method, {"s": "hello"}),
)


def timeit_best_seconds(statement, values, number, repeat):
    """(best seconds of `number` runs of statement, of 'pass')."""
    setup = "; ".join("%s = _values[%r]" % (name, name) for name in values)
    return [min(timeit.repeat(timed, setup, number=number, repeat=repeat,
                              globals={"_values": values}))
            for timed in (statement, "pass")]


def timer_best_seconds(t):
    """(best seconds of the body's runs, of the empty loop's) of one timer;
    when it was clamped, the empty loop's stands in for the body's."""
    empty = t.overhead * t.number
    return [t.total + empty, empty]


def child(number, repeat, rounds):
    timer, origin = load_timer()
    # Per statement: [best of the statement, best of the empty loop].
    infinity = float("inf")
    timer_bests = [[infinity, infinity] for _ in STATEMENTS]
    timeit_bests = [[infinity, infinity] for _ in STATEMENTS]
    # Each round visits every statement, so that a slow spell of the
    # machine (another job on the same core) does not fall on one alone.
    for _ in range(rounds):
        for index, (statement, time_with_timer, values) in \
                enumerate(STATEMENTS):
            measured = timer_best_seconds(
                time_with_timer(timer, number, repeat, **values))
            timer_bests[index] = list(map(min, timer_bests[index], measured))
            measured = timeit_best_seconds(statement, values, number, repeat)
            timeit_bests[index] = list(map(min, timeit_bests[index],
                                           measured))
    rows = []
    for (statement, _, _), timer_best, timeit_best in zip(
            STATEMENTS, timer_bests, timeit_bests):
        rows.append({
            "statement": statement,
            "timer": max(timer_best[0] - timer_best[1], 0.0) / number,
            "timeit": max(timeit_best[0] - timeit_best[1], 0.0) / number,
            "overhead": timer_best[1] / number})
    json.dump({"origin": origin, "rows": rows}, sys.stdout)


# --- The driver -------------------------------------------------------------

def run_version(path, number, repeat, rounds):
    result = subprocess.run(
        [path, os.path.abspath(__file__), "--child", "--number", str(number),
         "--repeat", str(repeat), "--rounds", str(rounds)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        universal_newlines=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr.strip() or "exit status %d"
                           % result.returncode)
    return json.loads(result.stdout)


def print_version(version, report, number, repeat, rounds):
    print("CPython %s (bcc.timer from %s), number=%d, best of %d rounds "
          "of %d samples" % (version, report["origin"], number, rounds,
                             repeat))
    print("  %-12s %12s %12s %8s %14s" % ("statement", "timer ns",
                                          "timeit ns", "ratio",
                                          "loop ns/iter"))
    ratios = []
    for row in report["rows"]:
        ratio = row["timer"] / row["timeit"] if row["timeit"] else \
            float("inf")
        ratios.append(ratio)
        print("  %-12s %12.2f %12.2f %8.2f %14.2f" % (
            row["statement"], row["timer"] * 1e9, row["timeit"] * 1e9,
            ratio, row["overhead"] * 1e9))
    print("  ratio timer/timeit: %.2f to %.2f" % (min(ratios), max(ratios)))
    return ratios


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=100_000,
                        help="executions per sample (default 100000)")
    parser.add_argument("--repeat", type=int, default=10,
                        help="samples per run (default 10)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="runs of each side per statement (default 5)")
    parser.add_argument("--versions", nargs="+", default=VERSIONS,
                        metavar="X.Y")
    parser.add_argument("--child", action="store_true",
                        help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.number, arguments.repeat, arguments.rounds)
        return 0

    sys.path.insert(0, os.path.join(SOURCE_ROOT, "tests", "python"))
    import pythons
    status = 0
    found = False
    for version in arguments.versions:
        path = pythons.find_python(version)
        if path is None:
            print("CPython %s: not found (set %s)"
                  % (version, pythons.env_var_name(version)))
            continue
        found = True
        try:
            report = run_version(path, arguments.number, arguments.repeat,
                                 arguments.rounds)
        except (RuntimeError, ValueError) as error:
            print("CPython %s: failed: %s" % (version, error))
            status = 1
            continue
        print_version(version, report, arguments.number, arguments.repeat,
                      arguments.rounds)
    return status if found else 1


if __name__ == "__main__":
    sys.exit(main())
