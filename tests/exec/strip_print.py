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


print("start")
value = work(4)
sys.stdout.write("%d %r\n" % (value, calls))
