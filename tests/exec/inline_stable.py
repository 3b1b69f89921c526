# inline under stable-functions: no guard; a chain of small helpers
# collapses into its caller.
#
# bcc-flags: -O3 --assume=stable-functions
# expect: inline: done: inlined 'square' (
# expect: inline: done: inlined 'add_squares' (
# expect: no guard: stable-functions


def square(x):
    return x * x


def add_squares(a, b):
    return square(a) + square(b)


def norm2(points):
    total = 0
    for p, q in points:
        total += add_squares(p, q)
    return total


print(norm2([(1, 2), (3, 4), (5, 6)]))
print(add_squares(b=3, a=4))
