"""Runs standard-library code that bcc lowered, in the interpreter.

  pythonX.Y exec_stdlib_checks.py PREFIX LIB

LIB is the standard library's source tree and PREFIX the pycache_prefix
tree of bcc's .pyc files for it (`bcc opt A -o PREFIX`, A compiled from
LIB). The modules below are imported afresh from PREFIX (nothing is
written; a module whose .pyc is missing would come from its source, so
the count of modules loaded from PREFIX is printed), and a few of their
functions run with known results. For the pyodide runners, which start no
subprocesses: everything happens in this one process. Exits non-zero on
the first failed check.
"""
import importlib
import os
import sys

prefix, lib = sys.argv[1], sys.argv[2]
sys.pycache_prefix = prefix
sys.dont_write_bytecode = True
sys.path.insert(0, lib)
NAMES = ["json", "textwrap", "tomllib", "fractions", "difflib", "csv", "statistics", "heapq", "bisect", "string", "pprint", "dataclasses", "enum", "ast", "shlex", "argparse", "configparser", "ipaddress", "decimal", "calendar", "colorsys", "base64", "zipfile", "tarfile", "email.parser", "html.parser", "xml.dom.minidom", "urllib.parse", "inspect", "pathlib", "contextlib", "functools", "collections", "operator", "typing", "re", "_pyio", "pickle", "copy", "datetime", "_pydatetime", "graphlib", "tokenize", "asyncio"]
loaded = 0
failed = []
for n in NAMES:
    for k in list(sys.modules):
        if k == n or k.startswith(n + "."):
            del sys.modules[k]
mods = {}
for n in NAMES:
    try:
        mods[n] = importlib.import_module(n)
        loaded += 1
    except Exception as e:
        failed.append(n)
        print("import failed", n, type(e).__name__, e)
from_bcc = sum(1 for m in list(sys.modules.values())
               if str(getattr(m, "__cached__", None) or "").startswith(prefix)
               and os.path.exists(m.__cached__))
print("modules loaded from bcc's .pyc:", from_bcc)
if failed:
    sys.exit(1)
json = mods["json"]; assert json.loads(json.dumps({"a": [1, 2.5, None, "x"]})) == {"a": [1, 2.5, None, "x"]}
import textwrap; assert textwrap.fill("hello world " * 10, 20).count("\n") > 3
import tomllib; assert tomllib.loads('a = 1\n[b]\nc = "x"\n') == {"a": 1, "b": {"c": "x"}}
from fractions import Fraction; assert Fraction(1, 3) + Fraction(1, 6) == Fraction(1, 2)
import difflib; assert len(list(difflib.unified_diff(["a\n", "b\n"], ["a\n", "c\n"]))) > 2
import statistics; assert statistics.median([3, 1, 2]) == 2
import ast; assert ast.unparse(ast.parse("x = [i*2 for i in range(3) if i]")) == "x = [i * 2 for i in range(3) if i]"
import shlex; assert shlex.split("a 'b c' d") == ["a", "b c", "d"]
import argparse; p = argparse.ArgumentParser(); p.add_argument("--x", type=int); assert p.parse_args(["--x", "3"]).x == 3
import ipaddress; assert ipaddress.ip_network("10.0.0.0/30").num_addresses == 4
import dataclasses
@dataclasses.dataclass
class P:
    x: int
    y: int = 2
assert P(1) == P(1, 2)
import enum
class C(enum.Enum):
    A = 1
    B = 2
assert C(2) is C.B
import _pydatetime; assert _pydatetime.date(2024, 3, 1) - _pydatetime.timedelta(days=1) == _pydatetime.date(2024, 2, 29)
import pprint; assert "a" in pprint.pformat({"a": list(range(30))})
import tokenize, io; assert len(list(tokenize.generate_tokens(io.StringIO("x = 1\n").readline))) > 3
import pickle; assert pickle._loads(pickle._dumps({"k": (1, 2)})) == {"k": (1, 2)}
import graphlib; assert list(graphlib.TopologicalSorter({"b": {"a"}}).static_order()) == ["a", "b"]
import asyncio
async def agen():
    for i in range(3):
        yield i
class Ctx:
    async def __aenter__(self):
        return self
    async def __aexit__(self, *exc):
        return False
async def main():
    out = [x async for x in agen()]
    async with Ctx() as c:
        out.append(3)
    return out
coro = main()
try:
    coro.send(None)
except StopIteration as e:
    assert e.value == [0, 1, 2, 3], e.value
import contextlib
with contextlib.suppress(KeyError):
    {}["x"]
import re; assert re.sub(r"(\w+)@(\w+)", r"\2 at \1", "me@host") == "host at me"
print("ran all checks;", loaded, "of", len(NAMES), "modules imported")
