"""Passes written in Python (bcc.register_pass): registered in the same
registry as bcc's own passes, run inside bcc.optimize's pipelines on the
IR's text, and refused with a warning naming the pass when what they
return does not parse or verify, or when they raise."""

import itertools
import math
import re
import unittest
import warnings

import bcc
from bcc import _passes

from support import make_module

# bcc/__init__.py exports it; the fallback lets these tests run on a
# package that does not yet.
register_pass = bcc.register_pass

_names = itertools.count()


def fresh_name(stem):
    """A pass name no other test registered (the registry is the
    process's, and passes stay registered)."""
    return "py-%s-%d" % (stem, next(_names))


def two_to_three(text):
    """Rewrites the constant 2 into 3, in the pools and where it is used."""
    text = re.sub(r"(consts: .*)\b2\b", r"\g<1>3", text)
    return re.sub(r"\bconst 2\b", "const 3", text)


def returns_two():
    return make_module("""
        def f():
            return 2
    """).f


class PythonPassTest(unittest.TestCase):

    def optimize(self, function, passes):
        """bcc.optimize(function, passes=...), with the warnings it gave."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            bcc.optimize(function, passes=passes, always=True)
        return [w for w in caught
                if issubclass(w.category, bcc.OptimizationWarning)]

    def assert_refused(self, function, code, passes, *fragments):
        warned = self.optimize(function, passes)
        self.assertEqual(len(warned), 1, [str(w.message) for w in warned])
        message = str(warned[0].message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertIs(function.__code__, code)
        report = bcc.report(function)
        self.assertFalse(report and report.optimized)
        return message

    def test_a_pass_rewrites_the_function(self):
        name = fresh_name("two-to-three")
        register_pass(name, two_to_three)
        f = returns_two()
        self.assertEqual(self.optimize(f, name), [])
        self.assertEqual(f(), 3)
        report = bcc.report(f)
        self.assertTrue(report.optimized)
        self.assertIn(name, report.pipeline)
        self.assertEqual(report.stats.get((name, "functions changed")), 1)

    def test_it_sees_the_stand_in_module(self):
        name = fresh_name("look")
        seen = []
        register_pass(name, lambda text: seen.append(text))
        f = returns_two()
        self.optimize(f, name)
        self.assertEqual(len(seen), 1)
        self.assertTrue(seen[0].startswith("module python 3.1"))
        self.assertIn("\nfunction @0 '<module>'", seen[0])
        self.assertIn("\nfunction @1 'f'", seen[0])
        self.assertNotIn("\nfunction @2", seen[0])

    def test_in_a_pipeline_with_bcc_passes(self):
        name = fresh_name("two-to-three")
        register_pass(name, two_to_three)
        g = make_module("""
            def g(x):
                return x * 2 + 2
        """).g
        self.assertEqual(self.optimize(g, "const-fold,%s,dce" % name), [])
        self.assertEqual(g(5), 18)

    def test_none_changes_nothing(self):
        name = fresh_name("nothing")
        calls = []
        register_pass(name, lambda text: calls.append(1))
        f = returns_two()
        code = f.__code__
        self.assertEqual(self.optimize(f, name), [])
        self.assertEqual(calls, [1])
        self.assertIs(f.__code__, code)
        self.assertFalse(bcc.report(f).optimized)

    def test_the_same_text_changes_nothing(self):
        name = fresh_name("same")
        register_pass(name, lambda text: text + "\n; a comment\n")
        f = returns_two()
        code = f.__code__
        self.assertEqual(self.optimize(f, name), [])
        self.assertIs(f.__code__, code)
        self.assertFalse(bcc.report(f).optimized)

    def test_garbage_is_refused(self):
        name = fresh_name("garbage")
        register_pass(name, lambda text: "garbage")
        f = returns_two()
        self.assert_refused(f, f.__code__, name, "Python pass '%s'" % name,
                            "does not parse")
        self.assertEqual(f(), 2)

    def test_ir_that_does_not_verify_is_refused(self):
        name = fresh_name("broken")

        def drop_returns(text):
            return re.sub(r"\n *return %\d+[^\n]*", "", text)

        register_pass(name, drop_returns)
        f = returns_two()
        self.assert_refused(f, f.__code__, name, "Python pass '%s'" % name,
                            "does not verify",
                            "does not end with a terminator")
        self.assertEqual(f(), 2)

    def test_an_exception_is_refused(self):
        name = fresh_name("raises")

        def raises(text):
            raise ValueError("no thanks")

        register_pass(name, raises)
        f = returns_two()
        self.assert_refused(f, f.__code__, name,
                            "Python pass '%s' raised ValueError: no thanks"
                            % name)

    def test_the_exception_is_chained(self):
        name = fresh_name("chained")

        def raises(text):
            raise KeyError("k")

        register_pass(name, raises)
        f = returns_two()
        with warnings.catch_warnings():
            warnings.simplefilter("error", bcc.OptimizationWarning)
            with self.assertRaises(bcc.OptimizationWarning) as caught:
                bcc.optimize(f, passes=name, always=True)
        # The warning is raised while bcc.optimize handles the pass's
        # RuntimeError, which comes from the KeyError.
        chain, error = [], caught.exception
        while error is not None and len(chain) < 5:
            chain.append(error)
            error = error.__cause__ or error.__context__
        self.assertTrue(any(isinstance(e, RuntimeError) and
                            isinstance(e.__cause__, KeyError)
                            for e in chain), chain)

    def test_keyboard_interrupt_goes_through(self):
        name = fresh_name("interrupted")

        def interrupted(text):
            raise KeyboardInterrupt

        register_pass(name, interrupted)
        f = returns_two()
        with self.assertRaises(KeyboardInterrupt):
            bcc.optimize(f, passes=name, always=True)
        self.assertEqual(f(), 2)

    def test_a_result_that_is_not_text_is_refused(self):
        name = fresh_name("number")
        register_pass(name, lambda text: 42)
        f = returns_two()
        self.assert_refused(f, f.__code__, name, "Python pass '%s'" % name,
                            "returned int")

    def test_removing_a_function_is_refused(self):
        name = fresh_name("shrink")
        register_pass(name, lambda text: text.split("\n\nfunction @1")[0]
                      .replace("consts: None, @1", "consts: None, 5"))
        f = returns_two()
        self.assert_refused(f, f.__code__, name, "Python pass '%s'" % name,
                            "not remove them")

    def test_granularity_function(self):
        name = fresh_name("per-function")
        seen = []

        def per_function(text):
            seen.append(text.split("\n")[0])
            return two_to_three(text) if "'f'" in seen[-1] else None

        register_pass(name, per_function, granularity="function")
        f = returns_two()
        self.assertEqual(self.optimize(f, name), [])
        self.assertEqual(f(), 3)
        self.assertEqual(len(seen), 2)
        self.assertTrue(seen[0].startswith("function @0 '<module>'"))
        self.assertTrue(seen[1].startswith("function @1 'f'"))

    def test_granularity_function_places_parse_errors(self):
        name = fresh_name("per-function-garbage")
        register_pass(
            name, lambda text: text.replace("const 2", "const 7")
            if "'f'" in text.split("\n")[0] else None,
            granularity="function")
        f = returns_two()
        self.assert_refused(f, f.__code__, name,
                            "for function @1 'f' does not parse",
                            "constant 7 is not in the function's pool")

    def test_objects_of_the_namespace_go_through_the_text(self):
        name = fresh_name("after-fold")
        seen = []

        def record(text):
            seen.append(text)
            return two_to_three(text)

        register_pass(name, record)
        g = make_module("""
            import math
            def g(x):
                return math.floor(x) + 2
        """).g
        self.assertEqual(self.optimize(g, "fold-globals,%s" % name), [])
        self.assertEqual(g(4.5), 7)
        self.assertIn("\\x00bcc host object 0: <built-in function floor>",
                      seen[0])
        self.assertIn(math.floor, g.__code__.co_consts)

    def test_decorator(self):
        name = fresh_name("decorated")

        @register_pass(name, kind="test")
        def decorated(text):
            """Does nothing, for the listing.

            More lines that the listing does not show."""
            return None

        self.assertTrue(callable(decorated))
        self.assertEqual(decorated.__name__, "decorated")
        self.assertEqual(bcc.passes()[name],
                         ("test", "", "Does nothing, for the listing."))

    def test_listed_with_kind_and_description(self):
        name = fresh_name("listed")
        returned = register_pass(name, two_to_three, kind="facts",
                                 description="2 becomes 3")
        self.assertIs(returned, two_to_three)
        self.assertEqual(bcc.passes()[name], ("facts", "", "2 becomes 3"))

    def test_a_taken_name_is_refused(self):
        name = fresh_name("twice")
        register_pass(name, two_to_three)
        with self.assertRaises(ValueError) as caught:
            register_pass(name, two_to_three)
        self.assertIn("a pass called '%s' is already registered" % name,
                      str(caught.exception))
        self.assertIn("two_to_three", str(caught.exception))
        with self.assertRaises(ValueError) as caught:
            register_pass("dce", two_to_three)
        self.assertIn("one of bcc's own", str(caught.exception))

    def test_a_wrong_kind_is_refused(self):
        name = fresh_name("kind")
        with self.assertRaises(ValueError) as caught:
            register_pass(name, two_to_three, kind="fast")
        self.assertIn("it must be exact, facts or test", str(caught.exception))
        self.assertNotIn(name, bcc.passes())
        register_pass(name, two_to_three)  # the name is still free
        self.assertIn(name, bcc.passes())

    def test_malformed_names_and_granularities_are_refused(self):
        with self.assertRaises(ValueError):
            register_pass("My Pass", two_to_three)
        with self.assertRaises(ValueError):
            register_pass(fresh_name("grain"), two_to_three,
                          granularity="block")
        with self.assertRaises(TypeError):
            register_pass(fresh_name("not-callable"), 42)

    def test_parameters_are_refused(self):
        name = fresh_name("no-parameters")
        register_pass(name, two_to_three)
        f = returns_two()
        self.assert_refused(f, f.__code__, "%s<x=1>" % name,
                            "pass '%s' has no parameter 'x'" % name)


if __name__ == "__main__":
    unittest.main()
