"""Seed pattern: a loop that calls a one-line helper and a debug() function
whose body is guarded by a module flag that is off.

`work` is written plainly; `work_by_hand` is what a person writes to make
it fast: the helper written out, the debug call deleted. bcc reaches it
with `-O3 --assume=stable-functions`: the flag is `Final`, so fold-globals
folds it, strip-debug removes the calls of the now empty debug(), and
inline writes the helper out without a guard.
"""
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


def work_by_hand(n):
    total = 0
    for i in range(n):
        total += 3 * i + 1
    return total
