# strip-debug: a DEBUG() helper that does nothing once its flag is folded
# is called no more, but its arguments are still evaluated when that has
# effects; the dead arms of `if DEBUG:`, `DEBUG and f()` and
# `x if DEBUG else y` go. Rebinding the helper at run time brings the call
# back (the guard).
#
# bcc-flags: -O3
# expect: fold-globals: done: 'DEBUG' is False (Final)
# expect: strip-debug: done: removed the call of 'debug', which does nothing (guarded)
# bcc-flags: -O3 --assume=stable-functions
# expect: strip-debug: done: removed the call of 'debug', which does nothing (no guard: stable-functions)
# bcc-flags: -O2 --const DEBUG=False
# expect: fold-globals: done: 'DEBUG' is False (--const DEBUG=False)
# expect-not: strip-debug
from typing import Final

DEBUG: Final = False
effects = []


def debug(*args, **kwargs):
    if DEBUG:
        print("debug:", *args, **kwargs)


def noisy(value):
    effects.append(value)
    return value


def work(n):
    total = 0
    for i in range(n):
        debug("i =", i)                 # pure arguments: nothing left
        debug("effect", noisy(i))       # noisy(i) still runs
        debug(i, sep="")                # keywords are fine too
        if DEBUG:
            print("never")
        total += i if not DEBUG else -i
        DEBUG and print("never either")
        if DEBUG:
            total -= 100
        elif i % 2:
            total += 1000
        else:
            total += 10
    return total


print(work(5))
print(effects)
if not DEBUG:
    print("module level sees DEBUG false")
