"""The import hook: modules optimized as they are imported, bcc's cache
beside CPython's (never in its place), invalidated like CPython's, and a
module bcc cannot optimize imported unoptimized with a warning."""

import importlib
import marshal
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest
import warnings

import bcc
from bcc import _bcc, _hook

MODULE = '''
from typing import Final
DEBUG: Final = False

def debug(*args):
    if DEBUG:
        print("debug:", *args)

def work(n):
    total = 0
    for i in range(n):
        debug("step", i)
        total += i
    return total
'''


class Hook(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bcc-hook-")
        self.package = "bcchookpkg%d" % id(self)
        pkg = os.path.join(self.dir, self.package)
        os.mkdir(pkg)
        with open(os.path.join(pkg, "__init__.py"), "w") as f:
            f.write("VALUE = 1\n")
        self.mod_path = os.path.join(pkg, "mod.py")
        with open(self.mod_path, "w") as f:
            f.write(MODULE)
        with open(os.path.join(self.dir, "bcchookother%d.py" % id(self)), "w") as f:
            f.write(MODULE)
        sys.path.insert(0, self.dir)
        self.saved_dont_write = sys.dont_write_bytecode
        sys.dont_write_bytecode = False
        bcc.install(level=3, include=[self.package + ".*"])

    def tearDown(self):
        bcc.uninstall()
        sys.dont_write_bytecode = self.saved_dont_write
        sys.path.remove(self.dir)
        for name in list(sys.modules):
            if name.startswith(self.package) or name.startswith("bcchookother"):
                del sys.modules[name]
        importlib.invalidate_caches()
        shutil.rmtree(self.dir, ignore_errors=True)

    def import_mod(self):
        for name in list(sys.modules):
            if name.startswith(self.package):
                del sys.modules[name]
        importlib.invalidate_caches()
        return importlib.import_module(self.package + ".mod")

    def test_optimizes_and_caches_beside_cpython(self):
        mod = self.import_mod()
        self.assertEqual(mod.work(10), 45)
        self.assertIsInstance(mod.__loader__, _hook.BccLoader)
        # strip-debug removed the call of debug() (the Final flag folded).
        names = [i.opname for i in __import__("dis").get_instructions(mod.work)]
        self.assertNotIn("CALL_FUNCTION_EX", names)
        self.assertEqual(_hook.imported[self.package + ".mod"], "optimized")
        cpython_pyc = importlib.util.cache_from_source(self.mod_path)
        bcc_pyc = _hook.cache_path(self.mod_path, _hook.Options(3))
        self.assertTrue(os.path.exists(cpython_pyc))
        self.assertTrue(os.path.exists(bcc_pyc))
        self.assertNotEqual(cpython_pyc, bcc_pyc)
        self.assertIn(".bcc-O3-", bcc_pyc)
        # CPython's own .pyc is CPython's: its code is compile()'s.
        with open(cpython_pyc, "rb") as f:
            code = __import__("marshal").loads(f.read()[16:])
        with open(self.mod_path) as f:
            self.assertEqual(code, compile(f.read(), self.mod_path, "exec"))

    def test_finder_goes_before_pathfinder(self):
        # A finder placed earlier (an assertion rewriter, say) still comes
        # first; bcc's goes right before CPython's PathFinder.
        from bcc import _hook
        import importlib.machinery

        class Earlier:
            @staticmethod
            def find_spec(*args):
                return None

        earlier = Earlier()
        sys.meta_path.insert(0, earlier)
        try:
            finder = bcc.install(level=3, include=[self.package + ".*"])
            order = sys.meta_path.index
            self.assertLess(order(earlier), order(finder))
            self.assertEqual(order(finder) + 1,
                             order(importlib.machinery.PathFinder))
            self.assertEqual(sum(isinstance(f, _hook.BccFinder)
                                 for f in sys.meta_path), 1)
        finally:
            sys.meta_path.remove(earlier)

    def test_cached_code_names_the_source_where_it_is_now(self):
        # The tree moved after bcc cached it: co_filename follows, as for
        # CPython's own cache.
        from bcc import _hook
        importlib.import_module(self.package + ".mod")
        del sys.modules[self.package + ".mod"]
        cached = _hook.cache_path(self.mod_path, sys.meta_path[[
            isinstance(f, _hook.BccFinder) for f in sys.meta_path].index(True)].options)
        with open(cached, "rb") as f:
            data = bytearray(f.read())
        code = marshal.loads(bytes(data[16:]))
        moved = code.replace(co_filename="/elsewhere/mod.py")
        with open(cached, "wb") as f:
            f.write(bytes(data[:16]) + marshal.dumps(moved))
        module = importlib.import_module(self.package + ".mod")
        self.assertEqual(_hook.imported[self.package + ".mod"], "cache")
        self.assertEqual(module.__spec__.loader.get_code(
            self.package + ".mod").co_filename, self.mod_path)

    def test_warm_cache_is_used(self):
        self.import_mod()
        saved = _bcc.optimize_pyc
        _hook._bcc.optimize_pyc = None  # would fail if called
        try:
            mod = self.import_mod()
        finally:
            _hook._bcc.optimize_pyc = saved
        self.assertEqual(_hook.imported[self.package + ".mod"], "cache")
        self.assertEqual(mod.work(4), 6)

    def test_cache_goes_stale_with_the_source(self):
        self.import_mod()
        time.sleep(0.01)
        with open(self.mod_path, "a") as f:
            f.write("\ndef extra():\n    return 'new'\n")
        st = os.stat(self.mod_path)
        os.utime(self.mod_path, (st.st_atime, st.st_mtime + 2))
        mod = self.import_mod()
        self.assertEqual(_hook.imported[self.package + ".mod"], "optimized")
        self.assertEqual(mod.extra(), "new")

    def test_failure_imports_unoptimized(self):
        def broken(*args):
            raise RuntimeError("cannot lift: a test's failure")
        saved = _bcc.optimize_pyc
        _hook._bcc.optimize_pyc = broken
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                mod = self.import_mod()
        finally:
            _hook._bcc.optimize_pyc = saved
        self.assertEqual(mod.work(4), 6)
        self.assertTrue(any("imported unoptimized" in str(w.message)
                            for w in caught))
        self.assertTrue(_hook.imported[self.package + ".mod"]
                        .startswith("unoptimized"))

    def test_modules_outside_include_are_untouched(self):
        name = "bcchookother%d" % id(self)
        mod = importlib.import_module(name)
        self.assertNotIsInstance(mod.__loader__, _hook.BccLoader)
        self.assertNotIn(name, _hook.imported)

    def test_dont_write_bytecode(self):
        sys.dont_write_bytecode = True
        self.import_mod()
        bcc_pyc = _hook.cache_path(self.mod_path, _hook.Options(3))
        self.assertFalse(os.path.exists(bcc_pyc))

    def test_uninstall(self):
        bcc.uninstall()
        mod = self.import_mod()
        self.assertNotIsInstance(mod.__loader__, _hook.BccLoader)


class RunPath(unittest.TestCase):
    def test_run_path(self):
        d = tempfile.mkdtemp(prefix="bcc-run-")
        try:
            with open(os.path.join(d, "helper_mod.py"), "w") as f:
                f.write(MODULE)
            script = os.path.join(d, "script.py")
            with open(script, "w") as f:
                f.write(textwrap.dedent('''
                    import sys, helper_mod
                    from bcc import _hook
                    print(sys.argv[1:], helper_mod.work(5),
                          type(helper_mod.__loader__).__name__,
                          __name__)
                '''))
            out = subprocess.run(
                [sys.executable, "-c",
                 "import sys; from bcc import _hook; "
                 "_hook.run_path(sys.argv[1], sys.argv[2:])", script, "a", "b"],
                capture_output=True, text=True, cwd=d)
            self.assertEqual(out.returncode, 0, out.stderr)
            self.assertEqual(out.stdout.strip(),
                             "['a', 'b'] 10 BccLoader __main__")
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
