"""Seed pattern: a chain of three small helpers called in a loop.

`nearest` is written plainly: `dist2` calls `sum_squares`, which calls
`square` twice. `nearest_by_hand` has the chain written out. bcc reaches
it with `-O3 --assume=stable-functions` (inline, callees first, so the
whole chain collapses into the loop).
"""


def square(x):
    return x * x


def sum_squares(a, b):
    return square(a) + square(b)


def dist2(p, q):
    return sum_squares(p[0] - q[0], p[1] - q[1])


def nearest(points, target):
    best = None
    best_d = float("inf")
    for p in points:
        d = dist2(p, target)
        if d < best_d:
            best, best_d = p, d
    return best


def nearest_by_hand(points, target):
    best = None
    best_d = float("inf")
    for p in points:
        dx = p[0] - target[0]
        dy = p[1] - target[1]
        d = dx * dx + dy * dy
        if d < best_d:
            best, best_d = p, d
    return best
