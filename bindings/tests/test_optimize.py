"""bcc.optimize and the tradition's decorators on live functions: what
they fold, that results stay the same, that the function object keeps
everything but its code, and what they refuse."""

import inspect
import math
import sys
import unittest
import warnings

import bcc

from support import captured_stdout, make_module, opnames

SEED = """
import math
from typing import Final

DEBUG: Final = False


def debug(*args):
    if DEBUG:
        print("debug:", *args)


def scale(x):
    return 3 * x + 1


def work(n):
    total = 0
    for i in range(n):
        debug("step", i)
        total += scale(i)
    return total


def trig(n):
    total = 0.0
    for i in range(n):
        x = i * 0.001
        total += math.sin(x) * math.sin(x) + math.cos(x) * math.cos(x)
    return total


def square(x):
    return x * x


def sum_squares(a, b):
    return square(a) + square(b)


def dist2(p, q):
    return sum_squares(p[0] - q[0], p[1] - q[1])


def nearest(points, target):
    best = None
    best_d = float("inf")
    for p in points:
        d = dist2(p, target)
        if d < best_d:
            best, best_d = p, d
    return best


def checksum(data):
    total = 0
    for i, byte in enumerate(data):
        print("byte", i, byte)
        total = (total * 31 + byte) & 0xFFFFFFFF
    print("checksum", total)
    return total
"""

POINTS = [(i % 17, i % 23) for i in range(200)]


class OptimizeSeed(unittest.TestCase):
    def setUp(self):
        self.m = make_module(SEED)

    def test_work_inlines_and_strips_debug(self):
        expected = self.m.work(300)
        bcc.optimize(self.m.work)
        r = bcc.report(self.m.work)
        self.assertTrue(r.optimized, r.remarks)
        ops = opnames(self.m.work)
        self.assertNotIn("LOAD_GLOBAL", ops)
        self.assertNotIn("CALL_FUNCTION_EX", ops)
        self.assertEqual(self.m.work(300), expected)
        self.assertTrue(any("strip-debug: done" in x for x in r.remarks))
        self.assertTrue(any("inlined 'scale'" in x for x in r.remarks))

    def test_trig_folds_module_attributes(self):
        expected = self.m.trig(500)
        bcc.optimize(self.m.trig)
        self.assertEqual(self.m.trig(500), expected)
        ops = opnames(self.m.trig)
        self.assertNotIn("LOAD_GLOBAL", ops)
        self.assertNotIn("LOAD_ATTR", ops)
        consts = self.m.trig.__code__.co_consts
        self.assertTrue(any(c is math.sin for c in consts))
        self.assertTrue(any(c is range for c in consts))

    def test_helper_chain_inlined(self):
        expected = self.m.nearest(POINTS, (5, 5))
        bcc.optimize(self.m.nearest)
        self.assertEqual(self.m.nearest(POINTS, (5, 5)), expected)
        r = bcc.report(self.m.nearest)
        self.assertTrue(any("inlined 'dist2'" in x for x in r.remarks),
                        r.remarks)
        # Only the builtin float is still called in the function itself.
        code = self.m.nearest.__code__
        self.assertFalse(any(c is self.m.dist2 for c in code.co_consts))

    def test_unprint(self):
        data = bytes(range(50))
        with captured_stdout() as out:
            expected = self.m.checksum(data)
        self.assertIn("checksum", out.getvalue())
        bcc.unprint(self.m.checksum)
        with captured_stdout() as out:
            self.assertEqual(self.m.checksum(data), expected)
        self.assertEqual(out.getvalue(), "")

    def test_unprint_keeps_a_module_print(self):
        m = make_module("""
            seen = []
            def print(*args):
                seen.append(args)
            def f(x):
                print("x", x)
                return x
        """)
        bcc.unprint(m.f)
        self.assertEqual(m.f(3), 3)
        self.assertEqual(m.seen, [("x", 3)])

    def test_unprint_evaluates_arguments(self):
        m = make_module("""
            calls = []
            def note(x):
                calls.append(x)
                return x
            def f(x):
                print(note(x))
                return x
        """)
        bcc.unprint(m.f)
        with captured_stdout() as out:
            m.f(7)
        self.assertEqual(out.getvalue(), "")
        self.assertEqual(m.calls, [7])

    def test_smartdebug(self):
        expected = self.m.work(100)
        bcc.smartdebug(self.m.work)
        self.assertEqual(self.m.work(100), expected)
        r = bcc.report(self.m.work)
        self.assertTrue(any("strip-debug: done" in x for x in r.remarks),
                        r.remarks)
        # smartdebug does not inline: the call of scale stays.
        self.assertTrue(any(c is self.m.scale
                            for c in self.m.work.__code__.co_consts)
                        or "LOAD_GLOBAL" in opnames(self.m.work))

    def test_cache_globals(self):
        bcc.cache_globals(self.m.trig)
        self.assertNotIn("LOAD_ATTR", opnames(self.m.trig))
        m = make_module("""
            import math
            def f(x):
                return math.floor(x) + len([x])
        """)
        bcc.cache_globals(builtins=False)(m.f)
        self.assertEqual(m.f(2.5), 3)
        consts = m.f.__code__.co_consts
        self.assertTrue(any(c is math.floor for c in consts))
        self.assertFalse(any(c is len for c in consts))

    def test_inline_marks(self):
        m = make_module("""
            import bcc
            def small(x):
                return x + 1
            @bcc.inline
            def marked(x):
                y = x * 2
                return y - 1
            @bcc.inline
            def caller(n):
                s = 0
                for i in range(n):
                    s += marked(i) + small(i)
                return s
        """)
        self.assertTrue(m.marked.__bcc_inline__)
        self.assertEqual(m.caller(10), sum(2 * i - 1 + i + 1
                                           for i in range(10)))
        r = bcc.report(m.caller)
        self.assertTrue(any("inlined 'marked'" in x for x in r.remarks))
        self.assertFalse(any("inlined 'small'" in x for x in r.remarks))

    def test_optimize_with_arguments(self):
        bcc.optimize(level=2)(self.m.trig)
        self.assertTrue(bcc.report(self.m.trig).optimized)
        self.assertNotIn("inline", bcc.report(self.m.trig).pipeline)


class FunctionObjectKept(unittest.TestCase):
    def test_everything_but_the_code_stays(self):
        m = make_module('''
            import functools, math
            def base(x: float, *, k: int = 2) -> float:
                "Doc of base."
                return math.sqrt(x) * k
            @functools.wraps(base)
            def f(x: float, *, k: int = 2) -> float:
                "Doc of f."
                return math.sqrt(x) * k
        ''')
        f = m.f
        before = (f.__name__, f.__qualname__, f.__doc__, f.__wrapped__,
                  f.__defaults__, f.__kwdefaults__, f.__annotations__,
                  inspect.signature(f), f.__module__, f.__dict__.copy())
        code = f.__code__
        result = bcc.optimize(f, always=True)
        self.assertIs(result, f)
        self.assertIsNot(f.__code__, code)
        after = (f.__name__, f.__qualname__, f.__doc__, f.__wrapped__,
                 f.__defaults__, f.__kwdefaults__, f.__annotations__,
                 inspect.signature(f), f.__module__, f.__dict__.copy())
        self.assertEqual(before, after)
        self.assertEqual(f(4.0), 4.0)
        self.assertEqual(f(4.0, k=3), 6.0)


class Shapes(unittest.TestCase):
    """Methods, static and class methods, nested functions, closures."""

    def test_methods(self):
        m = make_module("""
            import math, bcc
            class C:
                def __init__(self, v):
                    self.v = v
                @bcc.optimize(always=True)
                def m(self):
                    return math.floor(self.v)
                @bcc.optimize(always=True)
                @staticmethod
                def s(x):
                    return math.floor(x)
                @bcc.cache_globals
                @classmethod
                def c(cls, x):
                    return cls.__name__, math.floor(x)
                @bcc.optimize(always=True)
                def sup(self):
                    return super().__repr__()[:2]
        """)
        c = m.C(2.5)
        self.assertEqual(c.m(), 2)
        self.assertEqual(m.C.s(3.5), 3)
        self.assertEqual(m.C.c(4.5), ("C", 4))
        self.assertEqual(c.sup(), "<b")
        for name in ("m", "s", "c"):
            fn = getattr(m.C, name)
            fn = getattr(fn, "__func__", fn)
            self.assertTrue(bcc.report(fn).optimized, name)

    def test_nested_and_closure(self):
        m = make_module("""
            import math, bcc
            def outer(k):
                @bcc.optimize(always=True)
                def inner(x):
                    return math.floor(x) * k
                return inner
        """)
        f = m.outer(3)
        self.assertEqual(f(2.5), 6)
        self.assertTrue(bcc.report(f).optimized)
        self.assertEqual(m.outer(4)(2.5), 8)

    def test_refuses_generators(self):
        m = make_module("""
            import math
            def gen(n):
                for i in range(n):
                    yield math.floor(i / 2)
            async def coro():
                return math.pi
        """)
        code = m.gen.__code__
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.assertIs(bcc.optimize(m.gen), m.gen)
            bcc.unprint(m.coro)
        self.assertIs(m.gen.__code__, code)
        self.assertEqual(len(caught), 2)
        self.assertTrue(all(issubclass(w.category, bcc.OptimizationWarning)
                            for w in caught))
        self.assertIn("generators", str(caught[0].message))
        self.assertEqual(list(m.gen(4)), [0, 0, 1, 1])

    def test_refuses_non_functions(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.assertIs(bcc.optimize(len), len)
        self.assertEqual(len(caught), 1)
        self.assertIn("not a Python function", str(caught[0].message))

    def test_second_decoration_returns_at_once(self):
        m = make_module(SEED)
        bcc.optimize(m.trig)
        code = m.trig.__code__
        bcc.optimize(m.trig)
        self.assertIs(m.trig.__code__, code)


class GuardPolicy(unittest.TestCase):
    @unittest.skipIf(bcc._bcc.HAS_WATCHERS,
                     "3.12+ has dict watchers and no guard to weigh")
    def test_311_leaves_a_function_without_a_loop(self):
        m = make_module("""
            import math
            def f(x):
                return math.floor(x)
        """)
        code = m.f.__code__
        bcc.optimize(m.f)
        self.assertIs(m.f.__code__, code)
        self.assertFalse(bcc.report(m.f).optimized)
        self.assertIn("costs more than folding saves",
                      bcc.report(m.f).remarks[-1])
        bcc.optimize(m.f, always=True)
        self.assertTrue(bcc.report(m.f).optimized)
        self.assertEqual(opnames(m.f)[:3], ["RESUME", "PUSH_NULL",
                                            "LOAD_CONST"])


class WholeModule(unittest.TestCase):
    def test_make_local_functions_constant(self):
        m = make_module("""
            def helper(x):
                return x + 1
            def f(n):
                return sum(helper(i) for i in range(n)) + helper(n)
            class K:
                def m(self):
                    return helper(2)
        """)
        count = m.__dict__ and __import__("bcc").make_local_functions_constant(
            m.__dict__)
        self.assertGreaterEqual(count, 2)
        self.assertEqual(m.f(3), 10)
        self.assertEqual(m.K().m(), 3)
        self.assertTrue(any(c is m.helper for c in m.f.__code__.co_consts))

    def test_make_local_modules_constant(self):
        m = make_module("""
            import math, os.path
            def f(x):
                return math.floor(x), os.path.join("a", "b")
        """)
        self.assertEqual(bcc.make_local_modules_constant(m.__dict__), 1)
        self.assertEqual(m.f(2.5), (2, "a/b"))
        ops = opnames(m.f)
        self.assertNotIn("LOAD_ATTR", ops)


class Introspection(unittest.TestCase):
    def test_lift(self):
        def f(x):
            return x + 1
        text = bcc.lift(f)
        self.assertIn("function @0 'f'", text)
        self.assertIn("BINARY_OP", text)
        self.assertEqual(bcc.lift(f.__code__), text)
        with self.assertRaises(TypeError):
            bcc.lift(3)

    def test_passes(self):
        p = bcc.passes()
        self.assertIn("inline", p)
        self.assertEqual(p["inline"][0], "facts")
        self.assertEqual(p["const-fold"][0], "exact")
        self.assertTrue(p["dce"][2])

    def test_load_pass_plugin_rejects_a_non_plugin(self):
        with self.assertRaises(RuntimeError) as caught:
            bcc.load_pass_plugin(__file__)
        message = str(caught.exception)
        self.assertIn(__file__, message)
        self.assertNotIn("\n", message)


if __name__ == "__main__":
    unittest.main()
