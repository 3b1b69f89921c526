"""Deoptimization: a fact bcc.optimize relied on breaks (a global rebound
or deleted, a builtin shadowed, a module attribute rebound, an inlined
function's code or defaults changed) and the program sees the new state
on its next call, as it would without bcc."""

import builtins
import gc
import os
import subprocess
import sys
import types
import unittest
import weakref

import bcc

from support import make_module

SOURCE = """
import math
import bcc_deopt_helper as helper

LIMIT = 10
SCALE = 3

def scale(x, k=2):
    return x * k

def uses_global(n):
    return [i * SCALE for i in range(n) if i < LIMIT]

def uses_builtin(xs):
    return len(xs)

def uses_module_attribute(x):
    return helper.twice(x)

def uses_callee(n):
    s = 0
    for i in range(n):
        s += scale(i)
    return s

def uses_math(x):
    return math.floor(x)
"""


def make_helper():
    module = types.ModuleType("bcc_deopt_helper")
    module.twice = lambda x: 2 * x
    sys.modules["bcc_deopt_helper"] = module
    return module


class Deopt(unittest.TestCase):
    def setUp(self):
        self.helper = make_helper()
        self.m = make_module(SOURCE)
        for name in ("uses_global", "uses_builtin", "uses_module_attribute",
                     "uses_callee", "uses_math"):
            f = getattr(self.m, name)
            bcc.optimize(f, always=True)
            self.assertTrue(bcc.report(f).optimized,
                            (name, bcc.report(f).remarks))

    def assertDeoptimized(self, f, reason):
        r = bcc.report(f)
        self.assertIsNotNone(r.deoptimized)
        self.assertIn(reason, r.deoptimized)
        self.assertIs(f.__code__, r.original_code)

    def test_rebind_global(self):
        f = self.m.uses_global
        self.assertEqual(f(4), [0, 3, 6, 9])
        self.m.SCALE = 5
        self.assertEqual(f(4), [0, 5, 10, 15])
        self.assertDeoptimized(f, "'SCALE' was rebound")

    def test_same_value_stored_again_keeps_the_code(self):
        f = self.m.uses_global
        code = f.__code__
        self.m.SCALE = 3
        self.assertEqual(f(2), [0, 3])
        if bcc._bcc.HAS_WATCHERS:
            self.assertIs(f.__code__, code)
            self.assertIsNone(bcc.report(f).deoptimized)

    def test_delete_global(self):
        f = self.m.uses_global
        del self.m.LIMIT
        with self.assertRaises(NameError):
            f(3)
        self.assertDeoptimized(f, "'LIMIT' was deleted")

    def test_shadow_builtin(self):
        f = self.m.uses_builtin
        self.assertEqual(f([1, 2, 3]), 3)
        self.m.len = lambda xs: 42
        self.assertEqual(f([1, 2, 3]), 42)
        self.assertDeoptimized(f, "'len' was bound")

    def test_rebind_builtin_itself(self):
        f = self.m.uses_builtin
        saved = builtins.len
        try:
            builtins.len = lambda xs: -1
            self.assertEqual(f([1]), -1)
        finally:
            builtins.len = saved
        self.assertDeoptimized(f, "'len' was rebound")

    def test_rebind_module_attribute(self):
        f = self.m.uses_module_attribute
        self.assertEqual(f(4), 8)
        self.helper.twice = lambda x: 3 * x
        self.assertEqual(f(4), 12)
        self.assertDeoptimized(f, "'twice' was rebound")

    def test_rebind_module_itself(self):
        f = self.m.uses_module_attribute
        other = types.ModuleType("other")
        other.twice = lambda x: x
        self.m.helper = other
        self.assertEqual(f(4), 4)
        self.assertDeoptimized(f, "'helper' was rebound")

    def test_rebind_inlined_function(self):
        f = self.m.uses_callee
        self.assertEqual(f(4), 12)
        self.m.scale = lambda x: x
        self.assertEqual(f(4), 6)
        self.assertDeoptimized(f, "'scale' was rebound")

    def test_change_inlined_code(self):
        f = self.m.uses_callee
        self.m.scale.__code__ = (lambda x, k=2: x + k).__code__
        self.assertEqual(f(4), 0 + 1 + 2 + 3 + 4 * 2)
        self.assertIsNotNone(bcc.report(f).deoptimized)

    def test_change_inlined_defaults(self):
        f = self.m.uses_callee
        self.m.scale.__defaults__ = (10,)
        self.assertEqual(f(4), 60)
        self.assertIsNotNone(bcc.report(f).deoptimized)

    def test_clear_namespace(self):
        f = self.m.uses_math
        self.assertEqual(f(2.5), 2)
        saved = dict(self.m.__dict__)
        self.m.__dict__.clear()
        self.m.__dict__.update(saved)
        self.m.math = types.SimpleNamespace(floor=lambda x: "floored")
        self.assertEqual(f(2.5), "floored")
        self.assertIsNotNone(bcc.report(f).deoptimized)

    def test_reoptimize_after_deopt(self):
        f = self.m.uses_global
        self.m.SCALE = 7
        self.assertEqual(f(2), [0, 7])
        bcc.optimize(f, always=True)
        self.assertTrue(bcc.report(f).optimized)
        self.assertEqual(f(2), [0, 7])
        self.m.SCALE = 1
        self.assertEqual(f(2), [0, 1])

    def test_arguments_reach_the_original(self):
        # 3.11's guard calls the original with the frame's arguments.
        m = make_module("""
            import math
            K = 2
            def f(a, b=1, *rest, c, d=4, **more):
                return (math.floor(a) * K, b, rest, c, d, sorted(more))
        """)
        bcc.optimize(m.f, always=True)
        self.assertTrue(bcc.report(m.f).optimized)
        expected = (2, 5, (6, 7), 8, 4, ["z"])
        self.assertEqual(m.f(1.5, 5, 6, 7, c=8, z=0)[1:], expected[1:])
        m.K = 3
        self.assertEqual(m.f(1.5, 5, 6, 7, c=8, z=0),
                         (3,) + expected[1:])
        self.assertIsNotNone(bcc.report(m.f).deoptimized)

    def test_globals_the_module_assigns_are_not_folded(self):
        m = make_module("""
            counter = 0
            def bump():
                global counter
                counter += 1
            def loop(n):
                out = []
                for i in range(n):
                    bump()
                    out.append(counter)
                return out
        """)
        bcc.optimize(m.loop)
        self.assertEqual(m.loop(3), [1, 2, 3])
        self.assertIsNone(bcc.report(m.loop).deoptimized)


# A function with a loop (so that 3.11 keeps it behind its guard) whose
# new code folds the global K.
LOOP_OVER_K = """
    K = 2
    def f(x):
        for _ in range(1):
            x = x * K
        return x
"""


class Corners(unittest.TestCase):
    """Ways a fact could break unseen, and what watching must not do."""

    def test_a_writer_defined_later_is_seen(self):
        # _load, defined after the decorator ran, assigns _cache with a
        # `global` statement: _cache is no fact (a running call of get()
        # would not see the new value), as for a writer defined before.
        m = make_module("""
            import bcc
            _cache = None
            @bcc.optimize(always=True)
            def get():
                if _cache is None:
                    _load()
                return _cache
            def _load():
                global _cache
                _cache = 42
        """)
        self.assertNotIn("_cache", bcc.report(m.get).facts)
        self.assertEqual(m.get(), 42)

    def test_an_optimized_callee_is_inlined_from_its_original(self):
        # helper was optimized first (DEBUG folded into its code); user
        # inlines helper's original code, so DEBUG is a fact of user too.
        m = make_module("""
            DEBUG = False
            def helper(x):
                if DEBUG:
                    return -x
                return x
            def user(n):
                s = 0
                for i in range(n):
                    s += helper(i)
                return s
        """)
        bcc.optimize(m.helper, always=True)
        bcc.optimize(m.user, always=True)
        self.assertTrue(bcc.report(m.helper).optimized)
        self.assertTrue(bcc.report(m.user).optimized)
        self.assertIn("DEBUG", bcc.report(m.user).facts)
        self.assertEqual(m.user(3), 3)
        m.DEBUG = True
        self.assertEqual(m.helper(2), -2)
        self.assertEqual(m.user(3), -3)

    def test_code_set_by_someone_else_stays(self):
        m = make_module(LOOP_OVER_K + """
    def g(x):
        return x + 100
""")
        bcc.optimize(m.f, always=True)
        self.assertTrue(bcc.report(m.f).optimized)
        m.f.__code__ = m.g.__code__  # a reloader, a coverage tool
        m.K = 3
        self.assertIs(m.f.__code__, m.g.__code__)
        self.assertEqual(m.f(1), 101)

    def test_watching_keeps_nothing_alive(self):
        m = make_module("""
            K = 2
            def make():
                def f(x):
                    for _ in range(1):
                        x = x * K
                    return x
                return f
        """)
        f = m.make()
        bcc.optimize(f, always=True)
        self.assertTrue(bcc.report(f).optimized)
        self.assertEqual(f(1), 2)
        ref = weakref.ref(f)
        del f
        gc.collect()
        self.assertIsNone(ref())
        m.K = 3  # a watch whose function is gone is dropped quietly
        self.assertEqual(m.make()(1), 3)

    def test_a_change_while_bcc_optimizes_is_seen(self):
        # Another thread rebinding K while bcc works: simulated by a
        # stand-in for the extension whose optimize() rebinds it.
        from bcc import _live
        m = make_module(LOOP_OVER_K)
        real = _live._bcc

        class Racing:
            def __getattr__(self, name):
                return getattr(real, name)

            def optimize(self, *args):
                result = real.optimize(*args)
                m.K = 5
                return result

        _live._bcc = Racing()
        try:
            bcc.optimize(m.f, always=True)
        finally:
            _live._bcc = real
        self.assertEqual(m.f(1), 5)
        self.assertIsNotNone(bcc.report(m.f).deoptimized)

    def test_unprint_watches_print(self):
        m = make_module("""
            def f(x):
                for i in range(1):
                    print("value", x)
                return x
        """)
        bcc.unprint(m.f)
        self.assertTrue(bcc.report(m.f).optimized)
        self.assertIn("print", bcc.report(m.f).facts)
        seen = []
        m.print = lambda *a: seen.append(a)  # the module's own print now
        self.assertEqual(m.f(7), 7)
        self.assertEqual(seen, [("value", 7)])

    def test_nothing_is_printed_at_exit(self):
        # At exit CPython clears every namespace: no watcher may report a
        # deoptimization then (bcc's own modules may be gone already).
        script = """
import bcc
K = 2
def f(x):
    for _ in range(1):
        x = x * K
    return x
bcc.optimize(f, always=True)
assert bcc.report(f).optimized
print(f(1))
"""
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            p for p in sys.path if p))
        proc = subprocess.run([sys.executable, "-c", script], env=env,
                              capture_output=True, text=True, timeout=120)
        self.assertEqual((proc.returncode, proc.stdout, proc.stderr),
                         (0, "2\n", ""))


if __name__ == "__main__":
    unittest.main()
