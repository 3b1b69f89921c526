"""bcc._aot: finding the mark `bcc opt` puts on code it compiled ahead of
time for a decorator (apply-decorators, docs/passes.md), and what the
decorator then watches. tests/python/test_aot.py checks the mark on code
that bcc opt wrote."""

import builtins
import types
import unittest

from bcc import _aot


def original(x):
    return x + SCALE  # noqa: F821 - the module below binds it


def marked(code, orig, mark):
    """`code` with the original code and `mark` appended, as bcc opt does."""
    consts = code.co_consts + (orig,)
    return code.replace(co_consts=consts + (mark(len(consts) - 1),))


class AotMarker(unittest.TestCase):
    def test_plain_code_has_no_mark(self):
        self.assertIsNone(_aot.aot_marker(original.__code__))
        self.assertIsNone(_aot.aot_marker(compile("x = (1, 2)", "m", "exec")))

    def test_the_mark(self):
        def new(x):
            return x + 3

        code = marked(new.__code__, original.__code__,
                      lambda i: (_aot.MARKER, "optimize", i, ("SCALE",),
                                 ((3,),)))
        self.assertEqual(_aot.aot_marker(code),
                         ("optimize", original.__code__, ("SCALE",), ((3,),)))
        # The code still runs: nothing loads the added constants.
        new.__code__ = code
        self.assertEqual(new(1), 4)

    def test_a_broken_mark_is_no_mark(self):
        code = original.__code__
        for mark in (lambda i: (_aot.MARKER, "optimize", i + 5, (), ()),
                     lambda i: (_aot.MARKER, "optimize", i - 1, (), ()),
                     lambda i: (_aot.MARKER, "optimize", str(i), (), ()),
                     lambda i: (_aot.MARKER, "optimize", i, "SCALE", ((),)),
                     lambda i: (_aot.MARKER, "optimize", i, ("SCALE",), ()),
                     lambda i: (_aot.MARKER, "optimize", i, ("SCALE",), (3,)),
                     lambda i: (_aot.MARKER, "optimize", i, ("SCALE",)),
                     lambda i: ("bcc-aot", "optimize", i, (), ())):
            with self.subTest(mark=mark(0)):
                self.assertIsNone(_aot.aot_marker(marked(code, code, mark)))


class WatchFacts(unittest.TestCase):
    def setUp(self):
        self.config = types.ModuleType("config")
        self.config.DEBUG = False
        self.namespace = {"__builtins__": builtins, "SCALE": 3,
                          "config": self.config}
        exec("def helper(x):\n    return x\n"
             "def user(x):\n    return helper(x) + SCALE\n", self.namespace)

    def test_names_become_watches(self):
        user = self.namespace["user"]
        facts, callees = _aot.watch_facts(
            user, ("SCALE", "config.DEBUG", "helper", "print", "config"),
            builtins.__dict__)
        ns, cd, bd = self.namespace, self.config.__dict__, builtins.__dict__
        self.assertEqual(
            [(space is ns, space is cd, space is bd, key, present)
             for space, key, present, _ in facts],
            [(True, False, False, "SCALE", True),
             (True, False, False, "config", True),
             (False, True, False, "DEBUG", True),
             (True, False, False, "helper", True),
             (True, False, False, "print", False),
             (False, False, True, "print", True)])
        self.assertEqual(callees, [self.namespace["helper"]])

    def test_a_folded_value_must_hold(self):
        # The code folded SCALE to 3 and config.DEBUG to False: it is kept
        # only if they hold those literals now (exactly: True is not 1).
        user = self.namespace["user"]
        names = ("SCALE", "config.DEBUG", "helper")
        self.assertIsNotNone(_aot.watch_facts(
            user, names, builtins.__dict__, ((3,), (False,), ())))
        for expected in (((4,), (False,), ()), ((3,), (True,), ()),
                         ((3.0,), (False,), ()), ((3,), (0,), ())):
            with self.subTest(expected=expected):
                self.assertIsNone(_aot.watch_facts(
                    user, names, builtins.__dict__, expected))
        self.config.DEBUG = True  # set by someone before the import
        self.assertIsNone(_aot.watch_facts(
            user, names, builtins.__dict__, ((3,), (False,), ())))

    def test_print_must_be_the_builtin(self):
        user = self.namespace["user"]
        self.assertIsNotNone(_aot.watch_facts(user, ("print",),
                                              builtins.__dict__, ((),)))
        self.namespace["print"] = lambda *a: None
        self.assertIsNone(_aot.watch_facts(user, ("print",),
                                           builtins.__dict__, ((),)))

    def test_same_literal(self):
        same = _aot.same_literal
        self.assertTrue(same((1, "a", (2.5, None)), (1, "a", (2.5, None))))
        self.assertTrue(same(frozenset({1, 2}), frozenset({2, 1})))
        self.assertFalse(same(True, 1))
        self.assertFalse(same(0.0, -0.0))
        self.assertFalse(same((1, True), (1, 1)))
        self.assertFalse(same(frozenset({1}), frozenset({True})))
        self.assertFalse(same(b"a", "a"))

    def test_an_unbound_name_breaks_the_premise(self):
        user = self.namespace["user"]
        for names in (("LATE",), ("config.TRACE",), ("SCALE.real",),
                      ("len.x",)):
            with self.subTest(names=names):
                self.assertIsNone(
                    _aot.watch_facts(user, names, builtins.__dict__))


if __name__ == "__main__":
    unittest.main()
