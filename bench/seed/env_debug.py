"""Seed pattern: a debug flag computed at import, from the environment.

`work` is written plainly: DEBUG comes from an environment variable, so
no module-level analysis can fold it, and `bcc opt -O3` cannot remove the
calls of log(). `work_by_hand` has the log calls deleted and the helper
written out. `bcc.optimize` reaches it: on the live function DEBUG is the
object the module holds (False), so the flag folds, strip-debug removes
the calls of the now empty log(), and inline writes step() out; if the
flag is rebound later, the function gets its original code back.
"""
import os

DEBUG = os.environ.get("BCC_SEED_DEBUG") == "1"


def log(*args):
    if DEBUG:
        print("log:", *args)


def step(x):
    return 3 * x + 1


def work(n):
    total = 0
    for i in range(n):
        log("step", i)
        total += step(i)
    return total


def work_by_hand(n):
    total = 0
    for i in range(n):
        total += 3 * i + 1
    return total
