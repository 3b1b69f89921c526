"""Constants compared as the interpreter holds them, for the checks that run
inside the CPython under test (test_pyc_roundtrip.py's compare script and
check_pyc_tree.py). Keep it Python 3.8 syntax.

ValueCompare.value(a, b, where) is True when a and b are the same constant:
the same type, floats and complex numbers by their bits (so -0.0 and NaN
payloads count), containers element by element in their iteration order
(the same elements inserted in the same order iterate alike), dicts and
3.15's frozendicts by their items, 3.14's slices by start, stop and step.
Code objects go to the subclass's code(a, b, where). Problems are
collected, the first MAX_PROBLEMS with their place.
"""

import struct
import types

MAX_PROBLEMS = 50


class ValueCompare:
    def __init__(self):
        self.problems = []
        self.problem_count = 0

    def fail(self, where, message):
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append("%s: %s" % (where, message))
        return False

    def code(self, a, b, where):
        raise NotImplementedError

    def value(self, a, b, where):
        if type(a) is not type(b):
            return self.fail(where, "type %s != %s" %
                             (type(a).__name__, type(b).__name__))
        if isinstance(a, types.CodeType):
            return self.code(a, b, where)
        if isinstance(a, float):
            if struct.pack("<d", a) != struct.pack("<d", b):
                return self.fail(where, "%r != %r" % (a, b))
            return True
        if isinstance(a, complex):
            if struct.pack("<dd", a.real, a.imag) != \
                    struct.pack("<dd", b.real, b.imag):
                return self.fail(where, "%r != %r" % (a, b))
            return True
        if isinstance(a, (tuple, list, set, frozenset)):
            xs, ys = list(a), list(b)
            if len(xs) != len(ys):
                return self.fail(where, "length %d != %d" % (len(xs), len(ys)))
            ok = True
            for i, (x, y) in enumerate(zip(xs, ys)):
                ok = self.value(x, y, "%s[%d]" % (where, i)) and ok
            return ok
        if isinstance(a, dict) or type(a).__name__ == "frozendict":
            return self.value(list(a.items()), list(b.items()), where)
        if isinstance(a, slice):  # 3.14+ constants
            return self.value((a.start, a.stop, a.step),
                              (b.start, b.stop, b.step), where)
        if a != b:
            return self.fail(where, "%r != %r" % (a, b))
        return True
