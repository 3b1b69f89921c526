"""The patterns the bytecode-hacking tradition optimized by hand, written
plainly: a debug flag and a DEBUG() helper, a small helper called in a
loop, and math.sin in a loop. `make demo` runs bcc opt -O3 on it."""
import math
from typing import Final

DEBUG: Final = False


def debug(*args):
    if DEBUG:
        print("debug:", *args)


def scale(x, k=3):
    return x * k + 1


def work(n):
    total = 0
    for i in range(n):
        debug("step", i)
        total += scale(i)
    return total


def wave(n):
    s = 0.0
    for i in range(n):
        s += math.sin(i) * math.sin(i)
    return s
