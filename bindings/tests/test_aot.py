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
                      lambda i: (_aot.MARKER, "optimize", i, ("SCALE",)))
        self.assertEqual(_aot.aot_marker(code),
                         ("optimize", original.__code__, ("SCALE",)))
        # The code still runs: nothing loads the added constants.
        new.__code__ = code
        self.assertEqual(new(1), 4)

    def test_a_broken_mark_is_no_mark(self):
        code = original.__code__
        for mark in (lambda i: (_aot.MARKER, "optimize", i + 5, ()),
                     lambda i: (_aot.MARKER, "optimize", i - 1, ()),
                     lambda i: (_aot.MARKER, "optimize", str(i), ()),
                     lambda i: (_aot.MARKER, "optimize", i, "SCALE"),
                     lambda i: ("bcc-aot", "optimize", i, ())):
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

    def test_an_unbound_name_breaks_the_premise(self):
        user = self.namespace["user"]
        for names in (("LATE",), ("config.TRACE",), ("SCALE.real",),
                      ("len.x",)):
            with self.subTest(names=names):
                self.assertIsNone(
                    _aot.watch_facts(user, names, builtins.__dict__))


if __name__ == "__main__":
    unittest.main()
