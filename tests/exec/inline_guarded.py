# inline: calls of small module functions are replaced by their bodies,
# behind a guard. Rebinding a callee at run time must make the optimized
# callers call the new function; defaults, keywords, several returns and
# exceptions keep their meaning.
#
# bcc-flags: -O3
# expect: inline: done: inlined 'scale' (
# expect: inline: done: inlined 'clamp' (
# expect: inline: done: inlined 'checked' (
# expect: inline: done: inlined 'boom' (
# expect: inline: missed: 'gen' is not inlined: it is a generator or a coroutine
# expect: inline: missed: 'fact' is not inlined: it is the caller itself
import traceback


def scale(x, k=2):
    return x * k + 1


def clamp(x, low=0, high=10):
    if x < low:
        return low
    if x > high:
        return high
    return x


def checked(x):
    try:
        return 100 // x
    except ZeroDivisionError:
        return -1


def gen(n):
    yield from range(n)


def fact(n):
    return 1 if n <= 1 else n * fact(n - 1)


def user(values):
    out = []
    for v in values:
        out.append(scale(v))
        out.append(scale(v, k=3))
        out.append(clamp(v * 3, high=12))
        out.append(checked(v))
    out.append(list(gen(3)))
    out.append(fact(5))
    return out


def boom(x):
    return 1 / x


def calls_boom():
    try:
        return boom(0)
    except ZeroDivisionError:
        return traceback.format_exc().count("ZeroDivisionError")


print(user([0, 1, 2, 5]))
print(calls_boom())

# Rebinding a callee from outside the module's own code: the guard fails
# and the new function runs.
globals()["scale"] = lambda x, k=2: -x
print(user([1, 2]))
