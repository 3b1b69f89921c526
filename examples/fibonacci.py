"""A small module for the demo: bcc reads the .pyc CPython writes for it."""

DEBUG = False


def fibonacci(n):
    a, b = 0, 1
    for _ in range(n):
        if DEBUG:
            print("step", a, b)
        a, b = b, a + b
    return a


class Squares:
    def __init__(self, limit):
        self.limit = limit

    def __iter__(self):
        return (i * i for i in range(self.limit))


try:
    TABLE = {n: fibonacci(n) for n in range(10)}
except RecursionError:
    TABLE = {}
