# hoist-globals: globals, builtins and attributes of imported modules read
# in a loop are read once before it.
#
# bcc-flags: -O2 --assume=stable-globals
# expect: hoist-globals: done: 'math.sin' is read once, before the loop (stable-globals)
# expect: hoist-globals: done: 'len' is read once, before the loop (stable-globals)
# bcc-flags: -O3
# expect: hoist-globals: missed: globals read in the loop stay where they are
import math

SCALE = 3


def trig(n):
    s = 0.0
    for i in range(n):
        s += math.sin(i) * math.sin(i) + math.cos(i) * math.cos(i)
    return round(s, 6)


def lengths(words):
    out = []
    for w in words:
        out.append(len(w) * SCALE)
    return out


def empty_loop():
    for _ in range(0):
        math.floor(1.5)
    return "ok"


print(trig(100), lengths(["a", "bb", "ccc"]), empty_loop())
