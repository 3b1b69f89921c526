# A guarded inline, then the callee is rebound at run time from outside
# the module's own assignments (through globals(), setattr on the module,
# by removing it): every optimized caller must see it.
#
# bcc-flags: -O3
# expect: inline: done: inlined 'helper' (
import sys


def helper(x):
    return x + 1


def caller(values):
    return [helper(v) for v in values]


def caller2(v):
    return helper(v) * 2


def rebind(name, value):
    setattr(sys.modules[__name__], name, value)


print(caller([1, 2, 3]), caller2(5))
original = helper
rebind("helper", lambda x: x - 1)
print(caller([1, 2, 3]), caller2(5))
globals()["helper"] = lambda x: x * 10
print(caller([1, 2, 3]), caller2(5))
rebind("helper", original)
print(caller([1, 2, 3]), caller2(5))
globals().pop("helper")
try:
    caller2(1)
except NameError as e:
    print("NameError:", e)
