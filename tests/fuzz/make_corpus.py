#!/usr/bin/env python3
"""Regenerates the seed corpus of fuzz-pyc-reader in tests/fuzz/corpus/.

  * pyc-3.X.pyc: a small module compiled by each CPython 3.8-3.13 found by
    tests/python/pythons.py (functions, closures, comprehensions, async,
    try/except, and constants of every kind);
  * lift-3.X.pyc (3.11-3.13): a module whose bytecode exercises the
    lifter and the backend (fuzz-lift-lower): match statements, with,
    chained assignments and comparisons, walrus, inlined comprehensions,
    generators, try/except*/finally, loops with break and continue;
  * marshal-*.bin: raw marshal data, prefixed with the version byte the
    target uses for its second mode (3.8 + byte % 7): ints of every size,
    floats (-0.0, inf, nan), complex, containers, shared references, the
    old text float forms, version-2 data without references, and a 3.14
    slice, and the deepest nesting allowed.

Kept by hand (not written by this script): crash-*.bin, inputs that once
made the target fail, as regression seeds.

Usage: tests/fuzz/make_corpus.py [OUT_DIR]   (default: tests/fuzz/corpus)
"""

import marshal
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import pythons  # noqa: E402

SOURCE = '''\
import os
X = (1, 2.5, -0.0, 3j, b"b", "s\\xe9\\u4e2d", 2 ** 70, None, ..., ("t", 1))


def f(a, /, b=1, *c, d, **e):
    def g():
        return a, d
    try:
        return [x for x in c if x in {1, 2}] + [g]
    except (KeyError, TypeError) as err:
        raise ValueError from err
    finally:
        del b


class K:
    async def m(self):
        async for i in self:
            yield i
'''

LIFT_SOURCE = '''\
async def m(x, *, k=1):
    match x:
        case [a, b, *rest] if a < b <= k:
            return a, rest
        case {"k": v, **kw}:
            return v
        case int(n) | float(n) if (y := n + 1) > 2:
            return y
        case _:
            pass
    p = q = [i * j for i in range(3) for j in (1, 2) if i != j]
    p[0], q[1] = q[1], p[0]
    async with open(x) as f, open(k) as g:
        for line in f:
            if not line:
                continue
            elif line == "x":
                break
            p += line,
    try:
        raise ExceptionGroup("e", [ValueError()])
    except* ValueError as e:
        del e
    finally:
        k **= 2
    return {key: [v async for v in k] for key in p}


def gen(n):
    total = yield from range(n)
    while (total := total - 1) > 0:
        yield total
'''

# Compiles SOURCE in the interpreter that runs this and prints the .pyc.
COMPILE = '''
import importlib.util, marshal, sys
code = compile(sys.stdin.read(), "seed.py", "exec")
sys.stdout.buffer.write(importlib.util.MAGIC_NUMBER + bytes(12) +
                        marshal.dumps(code))
'''


def version_byte(minor):
    return bytes([minor - 8])


def marshal_seeds():
    shared = "abcdef"
    values = {
        "ints": (0, 1, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1,
                 2 ** 63, -(2 ** 63), 2 ** 100, -(2 ** 200)),
        "floats": (1.5, -0.0, float("inf"), -float("inf"), float("nan"),
                   5e-324, 2j, complex(-1, 0.5)),
        "containers": {"k": [1, {2, 3}], (1, 2): frozenset({"x", "y"}),
                       None: ()},
        "strings": ("short", "\xe9" * 3, "\ud800", "x" * 300, "\U0001f600",
                    b"\x00\xff", Ellipsis, StopIteration, True, False),
        "refs": (shared, shared, (shared,), [shared], frozenset({shared})),
    }
    seeds = {}
    for name, value in values.items():
        seeds["marshal-%s.bin" % name] = version_byte(11) + marshal.dumps(value)
    nested = ()
    for _ in range(50):
        nested = (nested, 1)
    seeds["marshal-nested.bin"] = version_byte(11) + marshal.dumps(nested)
    seeds["marshal-text-floats.bin"] = version_byte(8) + marshal.dumps(
        (1.5, -2.25, 1e300, complex(1, -2)), 1)
    seeds["marshal-v2.bin"] = version_byte(9) + marshal.dumps(
        values["strings"], 2)
    # The deepest nesting CPython reads (2000 levels).
    seeds["marshal-deep-tuples.bin"] = (version_byte(11) + b")\x01" * 1999 +
                                        b"N")
    seeds["marshal-deep-slices-3.14.bin"] = (version_byte(14) +
                                             b"\xbaNN" * 1999 + b"N")
    # slice(None, 1, None), only valid for 3.14 (marshal version 5).
    seeds["marshal-slice-3.14.bin"] = (version_byte(14) + b":N" +
                                       b"\xe9\x01\x00\x00\x00" + b"N")
    return seeds


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    os.makedirs(out, exist_ok=True)
    seeds = marshal_seeds()
    for version, python in pythons.all_pythons().items():
        result = subprocess.run([python, "-c", COMPILE],
                                input=SOURCE.encode(), stdout=subprocess.PIPE,
                                check=True)
        seeds["pyc-%s.pyc" % version] = result.stdout
        if version in ("3.11", "3.12", "3.13"):
            result = subprocess.run([python, "-c", COMPILE],
                                    input=LIFT_SOURCE.encode(),
                                    stdout=subprocess.PIPE, check=True)
            seeds["lift-%s.pyc" % version] = result.stdout
    total = 0
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        total += len(data)
        print("%-26s %6d bytes" % (name, len(data)))
    print("%d seeds, %d bytes" % (len(seeds), total))


if __name__ == "__main__":
    main()
