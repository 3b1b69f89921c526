#!/usr/bin/env python3
"""bcc.timer (bindings/bcc/timer.py): a with-body timed N times in a
function of its own, the empty loop's cost subtracted.

What is checked, on the interpreter that runs this file (run it with each
of CPython 3.11, 3.12 and 3.13):

- the body runs once for real in the caller after the timing; rebinding a
  name in the body does not reach the caller N times (function locals,
  closure cells, module globals), while effects on objects are repeated,
  as documented;
- the body reads the caller's locals, closure variables, globals and
  builtins, its `as` target, private (mangled) names and zero-argument
  super();
- the results: per_call > 0 for a body that does work, total, rate and
  overhead consistent with it, the clamp at 0 (below_resolution) with a
  clock that says the body was faster than the empty loop;
- TimerError from __enter__ for a body with return, yield, await, break,
  global, for code without source (exec of a string), for a timer that is
  not the last item or not entered by a with-statement; an exception in
  the body propagates with a note;
- per_call agrees with timeit's (the statement's time minus that of
  'pass') within 0.5x-2x for a few cheap statements; since other jobs
  share the machine, each side takes the best of many short samples, and
  up to three attempts add more samples before the check fails.

  python3.12 bindings/tests/test_timer.py    (bcc installed, or on the path)
"""

import asyncio
import importlib
import os
import runpy
import sys
import tempfile
import textwrap
import timeit
import unittest
from unittest import mock

import bcc
from bcc.timer import timer, TimerError

MODULE_CONSTANT = 7


class _Base:
    def describe(self):
        return "base"


class _Derived(_Base):
    def __init__(self):
        self.__secret = 4

    def measure(self):
        with timer(20, repeat=2) as t:
            result = super().describe() + str(self.__secret)
        return result, t


class SemanticsTest(unittest.TestCase):

    def test_body_runs_once_in_the_caller(self):
        counter = 0
        appended = []
        with timer(100, repeat=3):
            counter += 1
            appended.append(counter)
        self.assertEqual(counter, 1)
        # Effects on objects are repeated: 100 * 3 timed runs, 1 real one.
        self.assertEqual(len(appended), 100 * 3 + 1)
        self.assertEqual(appended[-1], 1)

    def test_reads_locals_closures_globals_builtins(self):
        seen = []
        local_value = 3

        def inner():
            own = "ab"
            with timer(10, repeat=2):
                seen.append((local_value, MODULE_CONSTANT, len(own)))

        inner()
        self.assertEqual(seen, [(3, 7, 2)] * (10 * 2 + 1))

    def test_assignments_stay_in_the_timing_function(self):
        x = 0
        with timer(100, repeat=2):
            x += 1
            y = x * 10
        self.assertEqual((x, y), (1, 10))

    def test_closure_cell_assigned_in_the_body(self):
        count = 0

        def read():
            return count

        with timer(50, repeat=2):
            count += 1
        self.assertEqual((count, read()), (1, 1))

    def test_nonlocal_of_the_caller(self):
        total = 0

        def bump():
            nonlocal total
            with timer(50, repeat=2):
                total += 5

        bump()
        self.assertEqual(total, 5)

    def test_module_level_with_statement(self):
        source = textwrap.dedent("""\
            from bcc.timer import timer
            counter = 0
            values = []
            b, c = 2, 3
            with timer(100, repeat=2) as t:
                a = b + c
                counter += 1
                values.append(a)
            """)
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "module_level.py")
            with open(path, "w") as file:
                file.write(source)
            namespace = runpy.run_path(path)
        self.assertEqual(namespace["counter"], 1)
        self.assertEqual(namespace["a"], 5)
        self.assertEqual(namespace["values"], [5] * (100 * 2 + 1))
        self.assertEqual(namespace["t"].number, 100)

    def test_class_body(self):
        class Holder:
            factor = 6
            with timer(20, repeat=2):
                product = factor * 7
        self.assertEqual(Holder.product, 42)

    def test_as_target_is_the_timer(self):
        with timer(10, repeat=2) as t:
            seen = t
        self.assertIs(seen, t)

    def test_private_names_and_super(self):
        result, t = _Derived().measure()
        self.assertEqual(result, "base4")
        self.assertGreater(t.per_call, 0)

    def test_body_with_nested_scopes(self):
        base = 3
        with timer(20, repeat=2):
            add = lambda value: value + base  # noqa: E731
            squares = [add(i) for i in range(3)]
        self.assertEqual(squares, [3, 4, 5])

    def test_called_through_another_name(self):
        # (Not `import bcc.timer as ...`: that is the class once the
        # package exports it.)
        timer_module = importlib.import_module("bcc.timer")
        rename = timer
        hits = []
        with rename(10, repeat=2) as first:
            hits.append("first")
        with timer_module.timer(10, repeat=2) as second:
            hits.append("second")
        # Each body ran once for the program and 10 times in each of the
        # 2 rounds: the timer found its body under either name.
        self.assertEqual(hits, ["first"] * 21 + ["second"] * 21)
        self.assertEqual((first.number, second.number), (10, 10))

    def test_package_exports_timer(self):
        if not isinstance(bcc.timer, type):
            self.skipTest("bcc/__init__.py does not import timer")
        self.assertIs(bcc.timer, timer)
        with bcc.timer(10, repeat=2) as t:
            pass
        self.assertIs(t.TimerError, TimerError)


class ResultTest(unittest.TestCase):

    def test_non_trivial_body_takes_time(self):
        numbers = list(range(200))
        with timer(2000) as t:
            sum(numbers)
        self.assertEqual(t.number, 2000)
        self.assertGreater(t.per_call, 0)
        self.assertFalse(t.below_resolution)
        self.assertAlmostEqual(t.total, t.per_call * t.number)
        self.assertAlmostEqual(t.rate, 1 / t.per_call)
        self.assertGreater(t.overhead, 0)
        # sum of 200 ints costs far more than one loop iteration.
        self.assertGreater(t.per_call, t.overhead)

    def test_results_from_a_given_clock(self):
        # repeat=1: body start, body end, empty start, empty end.
        clock = [0.0, 5.0, 10.0, 11.0]
        with mock.patch("time.perf_counter", side_effect=clock):
            with timer(4, repeat=1) as t:
                pass
        self.assertEqual((t.total, t.per_call, t.rate, t.overhead),
                         (4.0, 1.0, 1.0, 0.25))
        self.assertFalse(t.below_resolution)

    def test_clamped_at_zero(self):
        clock = [0.0, 1.0, 10.0, 12.0]     # the body "beat" the empty loop
        with mock.patch("time.perf_counter", side_effect=clock):
            with timer(4, repeat=1) as t:
                pass
        self.assertTrue(t.below_resolution)
        self.assertEqual((t.total, t.per_call, t.rate), (0.0, 0.0,
                                                         float("inf")))
        self.assertIn("below resolution", repr(t))

    def test_repr(self):
        t = timer(300)
        self.assertEqual(repr(t), "bcc.timer(number=300, repeat=5)")
        with t:
            sorted(range(50))
        self.assertRegex(repr(t), r"test_timer\.py:\d+: [0-9.e+]+ (ns|us|ms|s)"
                                  r" per call, [0-9.e+]+ [kMG]?/s")

    def test_arguments(self):
        self.assertEqual(timer().number, 1_000_000)
        self.assertEqual(timer(number=10).number, 10)
        self.assertRaises(ValueError, timer, 0)
        self.assertRaises(TypeError, timer, 1.5)
        self.assertRaises(ValueError, timer, 10, repeat=0)


def _return_in_body():
    with timer(10):
        return 1


def _yield_in_body():
    with timer(10):
        yield 1


async def _await_in_body():
    with timer(10):
        await asyncio.sleep(0)


def _break_in_body():
    for _ in range(2):
        with timer(10):
            break


def _global_in_body():
    with timer(10):
        global MODULE_CONSTANT
        MODULE_CONSTANT = 8


def _timer_not_last():
    with timer(10), open(__file__):
        pass


def _entered_by_hand():
    timer(10).__enter__()


class ErrorTest(unittest.TestCase):

    def assertTimerError(self, call, *fragments):
        with self.assertRaises(TimerError) as caught:
            call()
        message = str(caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message

    def test_return(self):
        message = self.assertTimerError(_return_in_body, "'return'")
        self.assertRegex(message, r"test_timer\.py:\d+: ")

    def test_yield(self):
        self.assertTimerError(lambda: next(_yield_in_body()), "'yield'")

    def test_await(self):
        self.assertTimerError(lambda: asyncio.run(_await_in_body()),
                              "'await'")

    def test_break(self):
        self.assertTimerError(_break_in_body, "'break'")

    def test_global(self):
        self.assertTimerError(_global_in_body, "'global'")
        self.assertEqual(MODULE_CONSTANT, 7)

    def test_no_source(self):
        namespace = {"timer": timer}
        self.assertTimerError(
            lambda: exec("with timer(10):\n    x = 1\n", namespace),
            "<string>:1", "no source")
        self.assertNotIn("x", namespace)

    def test_not_the_last_item(self):
        self.assertTimerError(_timer_not_last, "last item")

    def test_not_entered_by_a_with_statement(self):
        self.assertTimerError(_entered_by_hand, "with-statement")

    def test_exception_in_the_body_propagates(self):
        ran = 0
        with self.assertRaises(ZeroDivisionError) as caught:
            with timer(10):
                ran += 1
                1 / 0
        self.assertEqual(ran, 0)    # the body never ran in the caller
        self.assertTrue(any("bcc.timer" in note
                            for note in caught.exception.__notes__))

    def test_error_is_reachable_from_the_class(self):
        self.assertIs(timer.TimerError, TimerError)


# The statements compared with timeit, and the values of their names.
# Samples are short (about a millisecond) and many, so that some of them
# escape the other jobs on the machine. Each side keeps its best sample of
# the statement and its best of the empty loop, over all runs, and
# subtracts at the end: the best difference of single runs would favour a
# run whose empty loop was slowed down.
AGREEMENT_NUMBER = 50_000
AGREEMENT_REPEAT = 10


def _time_add(a, b):
    with timer(AGREEMENT_NUMBER, repeat=AGREEMENT_REPEAT) as t:
        a + b
    return t


def _time_scale(x):
    with timer(AGREEMENT_NUMBER, repeat=AGREEMENT_REPEAT) as t:
        x * 2.5
    return t


def _time_len(s):
    with timer(AGREEMENT_NUMBER, repeat=AGREEMENT_REPEAT) as t:
        len(s)
    return t


AGREEMENT_CASES = (
    ("a + b", _time_add, {"a": 12345, "b": 678}),
    ("x * 2.5", _time_scale, {"x": 3.0}),
    ("len(s)", _time_len, {"s": "hello"}),
)


def timer_best_seconds(t):
    """(best seconds of the body's N runs, of the empty loop's) of one
    timer. When it was clamped, the body's best was no slower than the
    empty loop's, which stands in for it."""
    empty = t.overhead * t.number
    return t.total + empty, empty


def timeit_best_seconds(statement, values):
    """(best seconds of N runs of statement, of N runs of 'pass') from
    timeit; the names are locals of timeit's function (set up from
    globals), as in the function that bcc.timer compiles."""
    setup = "; ".join("%s = _values[%r]" % (name, name) for name in values)
    return tuple(min(timeit.repeat(timed, setup, number=AGREEMENT_NUMBER,
                                   repeat=AGREEMENT_REPEAT,
                                   globals={"_values": values}))
                 for timed in (statement, "pass"))


class _Best:
    """The best samples so far of a statement and of the empty loop."""

    def __init__(self):
        self.statement = self.empty = float("inf")

    def add(self, statement_seconds, empty_seconds):
        self.statement = min(self.statement, statement_seconds)
        self.empty = min(self.empty, empty_seconds)

    def per_call(self):
        return max(self.statement - self.empty, 0.0) / AGREEMENT_NUMBER


class AgreementTest(unittest.TestCase):
    LOW, HIGH = 0.5, 2.0
    ATTEMPTS = 3
    ROUNDS = 3

    def test_agrees_with_timeit(self):
        for statement, time_with_timer, values in AGREEMENT_CASES:
            with self.subTest(statement=statement):
                timer_best, timeit_best = _Best(), _Best()
                for _ in range(self.ATTEMPTS):     # each adds samples
                    for _ in range(self.ROUNDS):
                        timer_best.add(*timer_best_seconds(
                            time_with_timer(**values)))
                        timeit_best.add(*timeit_best_seconds(statement,
                                                             values))
                    timer_ns = timer_best.per_call() * 1e9
                    timeit_ns = timeit_best.per_call() * 1e9
                    if (timeit_ns > 0 and
                            self.LOW <= timer_ns / timeit_ns <= self.HIGH):
                        break
                else:
                    self.fail("%s: bcc.timer %.3g ns, timeit %.3g ns per "
                              "call, best of %d rounds" % (
                                  statement, timer_ns, timeit_ns,
                                  self.ATTEMPTS * self.ROUNDS))


if __name__ == "__main__":
    unittest.main()
