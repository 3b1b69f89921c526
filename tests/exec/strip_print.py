# strip-print under no-print: calls of the builtin print go; arguments with
# effects are still evaluated; print(..., file=...) stays.
#
# reference: no-print
# bcc-flags: -O2 --assume=no-print
# expect: strip-print: done: removed a call of print
# expect: strip-print: missed: print(..., file=...) stays: it writes to a file
# bcc-flags: -O3 --assume=all
# expect: strip-print: done: removed a call of print
import sys

calls = []


def effect(x):
    calls.append(x)
    return x


def work(n):
    total = 0
    for i in range(n):
        print("step", i)
        print("value", effect(i), sep="=")
        total += i
        result = print(total)
        assert result is None
    args = ("a", "b")
    print(*args)
    print("to stdout explicitly", file=sys.stdout)
    return total


def maybe_unbound(flag, ready):
    # The prints go, but reading a local that may be unbound still raises
    # UnboundLocalError (3.11's LOAD_FAST checks, and so does the drop of
    # the load that stays); `ready`, a parameter, is certainly bound.
    if flag:
        value = "bound"
    print(ready, value)
    return "read"


print("start")
value = work(4)
sys.stdout.write("%d %r\n" % (value, calls))
for flag in (True, False):
    try:
        sys.stdout.write(maybe_unbound(flag, 1) + "\n")
    except UnboundLocalError as e:
        sys.stdout.write("UnboundLocalError: %s\n" % e)
