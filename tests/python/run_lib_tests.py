"""Runs modules of a Lib/test from a pycache_prefix tree of .pyc files.

  pythonX.Y run_lib_tests.py PREFIX TESTDIR MODULE...

TESTDIR is a copy of Lib/test (the package `test`), PREFIX the tree of .pyc
files for it (compiled with sys.pycache_prefix set). Each module must come
from PREFIX (its __cached__ there, the file present; nothing is written).
Prints one line that two trees are compared by: how many tests ran, the
sorted ids of those that failed or erred, how many were skipped, and the
modules that did not import. For the pyodide
runners, which start no subprocesses: everything happens in this process.
"""
import importlib
import io
import os
import sys
import unittest

prefix, testdir = sys.argv[1], sys.argv[2]
sys.pycache_prefix = prefix
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(testdir))
for name in [k for k in sys.modules if k == "test" or k.startswith("test.")]:
    del sys.modules[name]

suite = unittest.TestSuite()
unimportable = []
for name in sys.argv[3:]:
    try:
        module = importlib.import_module("test." + name)
    except Exception as e:  # a 3.13 test 3.14 no longer imports, say
        unimportable.append("%s (%s)" % (name, type(e).__name__))
        continue
    cached = getattr(module, "__cached__", None) or ""
    if not cached.startswith(prefix) or not os.path.exists(cached):
        sys.exit("test.%s did not come from %s (its __cached__ is %r)"
                 % (name, prefix, cached))
    suite.addTests(unittest.defaultTestLoader.loadTestsFromModule(module))

result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)


def ids(pairs):
    return sorted(test.id() for test, _ in pairs)


print("ran %d; failed %s; erred %s; skipped %d; not imported %s" % (
    result.testsRun, ids(result.failures), ids(result.errors),
    len(result.skipped), unimportable))
