#!/usr/bin/env python3
"""Acceptance test for bcc's marshal reader and writer, against real CPythons.

For every CPython 3.8-3.15 that tests/python/pythons.py finds (3.14 and 3.15
are pyodide's, under node, unless BCC_PYTHON_3_14/3_15 name a native one):

  * test_stdlib: that interpreter compiles its whole Lib/ (Lib/test included,
    site-packages excluded) into a temporary pycache_prefix (for pyodide,
    which keeps its standard library in its own memory and starts no
    subprocess: the sources of the package's python_stdlib.zip, extracted on
    the host, in one start of the interpreter); the
    bcc-pyc-roundtrip tool reads every .pyc, writes it back (checking on its
    own that writing is deterministic and that re-reading gives an equal
    model) and stores the copy; then ONE process of the same interpreter
    loads every original and every copy and compares them: the 16-byte
    header, and the code objects field by field, recursively through
    co_consts (floats by their bits, containers element by element, nested
    code objects in full), plus `marshal.dumps(code, 2)` of both, which has
    no references and no interning and so also covers what Python does not
    expose (the 3.11+ localsplus kinds; where that cannot hold 3.14's slices
    or 3.15's frozendicts, the kinds are read from both files' bytes). The
    tool is run twice and the two output trees must be byte-identical (no
    dependence on addresses or hash seeds).
  * test_invalidation_modes: py_compile in TIMESTAMP, CHECKED_HASH and
    UNCHECKED_HASH modes; the copies keep the header, the hash in the header
    equals bcc's sourceHash of the source, and the interpreter imports and
    runs the copy written by bcc.
  * test_source_hash: bcc's sourceHash equals importlib.util.source_hash for
    inputs around the SipHash block boundaries and a real source file.

Usage:  test_pyc_roundtrip.py --tool path/to/bcc-pyc-roundtrip [unittest args]
        (or set BCC_PYC_ROUNDTRIP_TOOL). BCC_TEST_VERSIONS=3.8,3.12 limits
        the versions; timings go to stderr.
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402

TOOL = os.environ.get("BCC_PYC_ROUNDTRIP_TOOL")

# Run by the interpreter under test (so it must stay 3.8 syntax): compares
# every .pyc under argv[1] with the file at the same relative path under
# argv[2] and prints one JSON object. argv[3] is this folder (code_compare).
COMPARE_SCRIPT = r'''
import json, marshal, os, sys

sys.dont_write_bytecode = True
sys.path.insert(0, sys.argv[3])
from code_compare import ValueCompare

V = sys.version_info[:2]
FIELDS = ["co_argcount", "co_posonlyargcount", "co_kwonlyargcount",
          "co_nlocals", "co_stacksize", "co_flags", "co_firstlineno",
          "co_code", "co_names", "co_varnames", "co_freevars", "co_cellvars",
          "co_filename", "co_name"]
FIELDS.append("co_lnotab" if V < (3, 10) else "co_linetable")
if V >= (3, 11):
    FIELDS += ["co_qualname", "co_exceptiontable"]


def code_kinds(data):
    """co_localspluskinds of every code object written in full in the
    marshal data, in the order they are written (3.11+). For 3.14+ files
    that marshal.dumps(code, 2) cannot hold (slices, frozendicts), the kinds
    are read from the bytes, since Python does not expose them."""
    out = []
    refs = []
    pos = [0]

    def take(n):
        start = pos[0]
        pos[0] += n
        return data[start:pos[0]]

    def i32():
        return int.from_bytes(take(4), "little", signed=True)

    def obj():
        code = data[pos[0]]
        pos[0] += 1
        t, flag = chr(code & 0x7f), code & 0x80
        if t in "0NFTS.":
            return None
        if t == "r":
            return refs[i32()]
        slot = len(refs)
        if flag:
            refs.append(None)
        value = None
        if t == "i":
            take(4)
        elif t in "Ig":
            take(8)
        elif t == "y":
            take(16)
        elif t == "l":
            take(2 * abs(i32()))
        elif t in "stuaA":
            value = take(i32())
        elif t in "zZ":
            value = take(data[pos[0]] + 1)[1:]
        elif t in ")([<>":
            n = take(1)[0] if t == ")" else i32()
            for _ in range(n):
                obj()
        elif t in "{}":
            while data[pos[0]] != ord("0"):
                obj()
                obj()
            take(1)
        elif t == ":":
            for _ in range(3):
                obj()
        elif t == "c":
            take(20)
            for _ in range(4):  # code, consts, names, localsplusnames
                obj()
            out.append(obj())  # localspluskinds
            for _ in range(3):  # filename, name, qualname
                obj()
            take(4)
            obj()
            obj()
        else:
            raise ValueError("type code %r at %d" % (t, pos[0] - 1))
        if flag:
            refs[slot] = value
        return value

    obj()
    return out


class Compare(ValueCompare):
    def __init__(self):
        ValueCompare.__init__(self)
        self.code_objects = 0

    def code(self, a, b, where):
        self.code_objects += 1
        where = "%s<%s>" % (where, a.co_name)
        ok = True
        for field in FIELDS:
            ok = self.value(getattr(a, field), getattr(b, field),
                            where + "." + field) and ok
        return self.value(a.co_consts, b.co_consts,
                          where + ".co_consts") and ok


def main():
    original_root, copy_root = sys.argv[1], sys.argv[2]
    cmp = Compare()
    files = kinds_from_bytes = 0
    start = __import__("time").time()
    for directory, _, names in os.walk(original_root):
        for name in sorted(names):
            if not name.endswith(".pyc"):
                continue
            files += 1
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, original_root)
            copy = os.path.join(copy_root, rel)
            with open(path, "rb") as f:
                data = f.read()
            try:
                with open(copy, "rb") as f:
                    new = f.read()
            except OSError as e:
                cmp.fail(rel, "no copy: %s" % e)
                continue
            if data[:16] != new[:16]:
                cmp.fail(rel, "header %s != %s" % (data[:16].hex(),
                                                   new[:16].hex()))
            try:
                a = marshal.loads(data[16:])
                b = marshal.loads(new[16:])
            except Exception as e:
                cmp.fail(rel, "cannot load: %s: %s" % (type(e).__name__, e))
                continue
            if cmp.value(a, b, rel):
                try:
                    da, db = marshal.dumps(a, 2), marshal.dumps(b, 2)
                except ValueError:  # 3.14+: a slice or frozendict inside
                    kinds_from_bytes += 1
                    if code_kinds(data[16:]) != code_kinds(new[16:]):
                        cmp.fail(rel, "co_localspluskinds differ")
                    continue
                if da != db:
                    i = next(i for i in range(min(len(da), len(db)) + 1)
                             if i >= min(len(da), len(db)) or da[i] != db[i])
                    cmp.fail(rel, "marshal.dumps(code, 2) differs at byte %d"
                             % i)
    print(json.dumps({"files": files, "code_objects": cmp.code_objects,
                      "kinds_from_bytes": kinds_from_bytes,
                      "problems": cmp.problems,
                      "seconds": __import__("time").time() - start}))


main()
'''

# A module that exercises every kind of constant the compilers emit.
SAMPLE_SOURCE = '''\
"""Sample module for the .pyc round trip: docstring \u00e9\u4e2d\U0001f600."""
VALUE = "from the pyc"
BIG = 2 ** 100, -(2 ** 70), 2 ** 31, -(2 ** 31) - 1, 2 ** 63, -(2 ** 63)
FLOATS = 0.0, -0.0, 1.5, float("inf"), 1e308, 5e-324
COMPLEX = 1j, -2.5j, (1 + 2j)
DATA = b"\\x00\\xff bytes", "\\ud800 lone surrogate", "x" * 300, "\\xe9" * 300
NESTED = ((1, (2, (3, (4, ("deep",))))), ...)


def outer(a, b=1, *args, c, d=2, **kw):
    cell = a + b

    def inner(z, /, w):
        nonlocal cell
        cell += z
        return cell, w, c

    return inner


async def coroutine(x):
    async with x as y:
        return [i async for i in y]


def generator(items):
    yield from (i for i in items if i in {1, 2, 3} or i in frozenset("ab"))


class Klass:
    attr: int = 3

    def method(self):
        return __class__, super().__repr__(), [n for n in range(3)]


try:
    pass
except (ValueError, TypeError) as error:
    raise RuntimeError from error
finally:
    LAMBDA = lambda *, k=None: k  # noqa: E731
'''


# Part of the py_compile script: 3.14's slices and 3.15's frozendicts as
# constants, which the compilers emit rarely (slices) or never (frozendicts),
# in a timestamp .pyc CONSTANTS.pyc written by the interpreter's own
# marshal. Each frozendict appears once: 3.15.0rc1 cannot load a reference
# to one (CPython gh-155315).
EXTRA_CONSTANTS_SCRIPT = """\
if sys.version_info >= (3, 14):
    import importlib._bootstrap_external as bootstrap
    code = compile(open(sys.argv[1]).read(), sys.argv[1], "exec")
    extra = (slice(1, None, (2, "x")), slice(None, None, None))
    if sys.version_info >= (3, 15):
        extra += (frozendict({"k": slice(None, 1), 2: frozendict(a=(1, 2))}),
                  frozendict(), frozenset({frozendict(z=-0.0)}))
    code = code.replace(co_consts=code.co_consts + extra)
    with open(sys.argv[2] + "/CONSTANTS.pyc", "wb") as f:
        f.write(bootstrap._code_to_timestamp_pyc(code, 0, 0))
"""


def selected_versions():
    only = os.environ.get("BCC_TEST_VERSIONS")
    if only:
        return [v.strip() for v in only.split(",") if v.strip()]
    return list(pythons.SUPPORTED_VERSIONS + pythons.WASM_VERSIONS)


def is_pyodide_runner(python, version):
    """Whether `python` is scripts/pythonX.Y, pyodide under node."""
    runner = os.path.join(pythons.REPO, "scripts", "python" + version)
    return os.path.realpath(python) == os.path.realpath(runner)


def log(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def run(args, **kw):
    return subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, **kw)


def run_tool(args):
    result = run([TOOL] + args)
    return result.returncode, result.stdout, result.stderr


def tree_bytes(root):
    """{relative path: bytes} of every file under root."""
    out = {}
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = f.read()
    return out


class PycRoundTrip(unittest.TestCase):
    maxDiff = None

    def python(self, version):
        path = pythons.find_python(version)
        if not path:
            self.skipTest("Python %s not found (set %s)" %
                          (version, pythons.env_var_name(version)))
        return path

    def compare(self, python, original_root, copy_root):
        result = run([python, "-c", COMPARE_SCRIPT, original_root, copy_root,
                      os.path.dirname(os.path.abspath(__file__))])
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        report = json.loads(result.stdout)
        self.assertEqual(report["problems"], [],
                         "the copies differ from the originals")
        return report

    def check_tool(self, returncode, stdout, stderr):
        failures = stderr.strip().splitlines()
        self.assertEqual((returncode, failures[:30]), (0, []),
                         "bcc-pyc-roundtrip failed:\n" + stdout)

    # -- the whole standard library ---------------------------------------

    def compile_stdlib(self, python, originals):
        lib = run([python, "-c", "import os; print(os.path.dirname("
                   "os.__file__))"]).stdout.strip()
        self.assertTrue(os.path.isdir(lib), lib)
        # The prefix goes in the environment, not in -X pycache_prefix:
        # 3.12+ compileall -j0 runs its workers from a forkserver, which
        # does not inherit -X options, so they would write next to the
        # sources instead. Some Lib/test files are bad syntax on purpose:
        # compileall's exit status is ignored, its output is used.
        env = dict(os.environ, PYTHONPYCACHEPREFIX=originals)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        run([python, "-m", "compileall", "-q", "-j0", "-x",
             r"[/\\]site-packages[/\\]", lib], env=env)

    def compile_pyodide_stdlib(self, python, version, tmp, originals):
        # pyodide's standard library (sources only) is the package's
        # python_stdlib.zip, compiled in one start of its interpreter.
        try:
            pythons.compile_pyodide_stdlib(python, version, tmp, originals)
        except RuntimeError as e:
            self.fail(str(e))

    def stdlib(self, version):
        python = self.python(version)
        with tempfile.TemporaryDirectory(prefix="bcc-pyc-") as tmp:
            originals = os.path.join(tmp, "originals")
            copies = os.path.join(tmp, "copies")
            start = time.time()
            if is_pyodide_runner(python, version):
                self.compile_pyodide_stdlib(python, version, tmp, originals)
            else:
                self.compile_stdlib(python, originals)
            compile_seconds = time.time() - start
            self.assertTrue(os.path.isdir(originals), "compileall wrote nothing")

            start = time.time()
            code, out, err = run_tool(["--out", copies, originals])
            self.check_tool(code, out, err)
            tool_seconds = time.time() - start
            tool_summary = out.strip()

            # Determinism across processes: a second run, same bytes.
            again = os.path.join(tmp, "again")
            self.check_tool(*run_tool(["--out", again, originals]))
            first, second = tree_bytes(copies), tree_bytes(again)
            self.assertEqual(sorted(first), sorted(second))
            differing = [p for p in first if first[p] != second[p]]
            self.assertEqual(differing[:20], [], "output is not deterministic")

            start = time.time()
            report = self.compare(python, originals, copies)
            compare_seconds = time.time() - start
            self.assertEqual(report["files"], len(first))
            self.assertGreater(report["files"], 500)
            log("\n%s: %d files, %d code objects (kinds read from the bytes "
                "in %d files); compileall %.1f s, round trip %.1f s, compare "
                "%.1f s\n  %s" %
                (version, report["files"], report["code_objects"],
                 report["kinds_from_bytes"], compile_seconds, tool_seconds,
                 compare_seconds, tool_summary))

    # -- invalidation modes ------------------------------------------------

    def invalidation_modes(self, version):
        python = self.python(version)
        with tempfile.TemporaryDirectory(prefix="bcc-pyc-") as tmp:
            source = os.path.join(tmp, "sample.py")
            with open(source, "w", encoding="utf-8") as f:
                f.write(SAMPLE_SOURCE)
            originals = os.path.join(tmp, "originals")
            copies = os.path.join(tmp, "copies")
            os.mkdir(originals)
            modes = {"TIMESTAMP": 0, "CHECKED_HASH": 3, "UNCHECKED_HASH": 1}
            script = ("import py_compile, sys\n"
                      "for mode in sys.argv[3:]:\n"
                      "    py_compile.compile(sys.argv[1], doraise=True,\n"
                      "        cfile=sys.argv[2] + '/' + mode + '.pyc',\n"
                      "        invalidation_mode="
                      "py_compile.PycInvalidationMode[mode])\n"
                      + EXTRA_CONSTANTS_SCRIPT +
                      "print(sys.implementation.cache_tag)\n")
            result = run([python, "-c", script, source, originals] +
                         sorted(modes))
            self.assertEqual(result.returncode, 0, result.stderr)
            tag = result.stdout.strip()

            self.check_tool(*run_tool(["--out", copies, originals]))
            report = self.compare(python, originals, copies)
            # ... and CONSTANTS.pyc from 3.14 on.
            with_constants = tuple(map(int, version.split("."))) >= (3, 14)
            self.assertEqual(report["files"], len(modes) + with_constants)

            code, out, err = run_tool(["--source-hash", version, source])
            self.assertEqual(code, 0, err)
            our_hash = out.split()[0]
            for mode, flags in modes.items():
                with open(os.path.join(copies, mode + ".pyc"), "rb") as f:
                    header = f.read(16)
                self.assertEqual(int.from_bytes(header[4:8], "little"), flags)
                if flags:
                    self.assertEqual(header[8:16].hex(), our_hash, mode)

            # Run bcc's copy: with an unchecked hash the importer uses the
            # .pyc even though the source now says something else.
            package = os.path.join(tmp, "run")
            cache = os.path.join(package, "__pycache__")
            os.makedirs(cache)
            with open(os.path.join(package, "sample.py"), "w") as f:
                f.write('VALUE = "from the source"\n')
            shutil.copy(os.path.join(copies, "UNCHECKED_HASH.pyc"),
                        os.path.join(cache, "sample.%s.pyc" % tag))
            result = run([python, "-B", "-c",
                          "import sample; print(sample.VALUE, "
                          "sample.outer(1, c=2)(3, 4), sample.BIG[0])"],
                         cwd=package)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout.strip(),
                             "from the pyc (5, 4, 2) %d" % 2 ** 100)

    # -- source hash -------------------------------------------------------

    def source_hash(self, version):
        python = self.python(version)
        rng = random.Random(552)
        samples = [b"", b"a", b"print('hello')\n"]
        samples += [bytes(rng.randrange(256) for _ in range(n))
                    for n in (7, 8, 9, 15, 16, 17, 63, 64, 65, 1000)]
        with open(os.path.abspath(__file__), "rb") as f:
            samples.append(f.read())
        with tempfile.TemporaryDirectory(prefix="bcc-hash-") as tmp:
            paths = []
            for i, data in enumerate(samples):
                paths.append(os.path.join(tmp, "sample%02d" % i))
                with open(paths[-1], "wb") as f:
                    f.write(data)
            script = ("import importlib.util, sys\n"
                      "for p in sys.argv[1:]:\n"
                      "    print(importlib.util.source_hash("
                      "open(p, 'rb').read()).hex(), p)\n")
            expected = run([python, "-c", script] + paths)
            self.assertEqual(expected.returncode, 0, expected.stderr)
            code, out, err = run_tool(["--source-hash", version] + paths)
            self.assertEqual(code, 0, err)
            self.assertEqual(out.split(), expected.stdout.split())


def _add_version_tests():
    for version in selected_versions():
        suffix = version.replace(".", "_")
        for kind in ("stdlib", "invalidation_modes", "source_hash"):
            def test(self, kind=kind, version=version):
                getattr(self, kind)(version)
            test.__name__ = "test_%s_%s" % (kind, suffix)
            setattr(PycRoundTrip, test.__name__, test)


_add_version_tests()


def main():
    global TOOL
    argv = list(sys.argv)
    if "--tool" in argv:
        i = argv.index("--tool")
        TOOL = argv[i + 1]
        del argv[i:i + 2]
    if not TOOL or not os.path.exists(TOOL):
        sys.exit("test_pyc_roundtrip.py: pass --tool PATH to "
                 "bcc-pyc-roundtrip (or set BCC_PYC_ROUNDTRIP_TOOL)")
    TOOL = os.path.abspath(TOOL)
    unittest.main(argv=argv, verbosity=2)


if __name__ == "__main__":
    main()
