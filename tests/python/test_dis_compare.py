#!/usr/bin/env python3
"""`bcc dis FILE.pyc` against `python3.X -m dis SOURCE.py`, for every CPython
3.8-3.15 found by pythons.py (3.14 and 3.15 under pyodide).

For each interpreter, a deterministic sample of its own standard library is
byte-compiled by that interpreter (py_compile, dfile=the source path) and
disassembled by it; bcc then disassembles each .pyc, and the two texts must be
identical except for object addresses (every `0x[0-9a-f]+` is replaced by
`0x...` on both sides, nothing else is normalized).

The sample: the interpreter's Lib/**/*.py sorted by path, split into Lib/test
and the rest; --modules N (default 150) are taken evenly spaced, 3/4 from the
rest and 1/4 from Lib/test. A file that interpreter cannot compile (Lib has a
few on purpose) is replaced by the next one in order. --all takes every file.

CPython 3.14 and 3.15 run under pyodide (scripts/python3.14, CPython compiled
to WebAssembly and run by node): there, every module of the standard library
the pyodide package ships (python_stdlib.zip, sources only, ~560-600 files)
is compared, always. The zip is extracted into the temporary directory, so
that the interpreter and bcc see the same paths. pyodide cannot fork, so its
worker compiles and disassembles every module in its one process, and one
module (not three) goes through a real `python3.X -m dis`, each start of the
runner costing seconds. A version whose runner is not installed (node and
the pyodide package in $BCC_PYODIDE_DIR/X.Y, scripts/install-pyodide.sh) is
skipped, saying so.

One corner cannot match, and is checked separately rather than normalized:
from 3.11 on, marshal writes a frozenset's elements sorted (for reproducible
.pyc files), so the order in which the compiler's frozenset iterated, which
is what `-m dis` prints, is not in the .pyc when hash collisions made it
depend on the compiler's insertion order. bcc prints the order CPython itself
iterates the frozenset it loads from the .pyc. A module that differs from
`-m dis` passes only if (1) every differing line differs only in the order of
the elements inside `frozenset({...})`, and (2) bcc's text is identical to
what that interpreter's dis prints for the code object loaded from the .pyc
(`dis.dis(marshal.loads(pyc[16:]))`); or, on 3.11 only, where None's hash is
its address, the set holds None and (1) holds against both texts. Such
modules are counted and reported apart.

Under pyodide (3.14, 3.15) (2) cannot be checked: pyodide's CPython is a
32-bit build (sys.hash_info.width 32, FNV string hashes), whose sets iterate
in another order than those of the 64-bit CPython that bcc's set model
follows, so there (1) alone decides, and the summary says so. The worker
reports the hash width; the rule follows it, not the version.

A version whose .pyc files bcc cannot read at all yet (every module fails
with "marshal data of Python X.Y is not supported") is reported as a skip
after its summary; any other failure fails the test. The summary counts the
differing modules by reason (bcc's error, or the opname or kind of line
where the texts first differ).

Speed: one interpreter process per version compiles and disassembles the whole
sample (`dis.dis(compile(source, path, "exec"))`, which is what `-m dis` runs,
with the same PYTHONHASHSEED=0 and PYTHONIOENCODING=utf-8 environment), each
module's disassembly and byte-compilation in a fresh fork of it (where the
interpreter can fork); three modules of each version (one under pyodide)
are also run through a real `python3.X -m dis` to prove that the bulk output
is the same bytes. bcc runs once per .pyc, in parallel. Under pyodide a
version takes about 45 s (560-600 modules) on an idle machine.

Usage:
  test_dis_compare.py --bcc build/tools/bcc/bcc [--modules N | --all]
                      [--versions 3.12,3.13] [--list] [--keep]
                      [unittest options]
The bcc binary may also come from the environment variable BCC_BINARY.
"""

import argparse
import ast
import collections
import concurrent.futures
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402

ADDRESS = re.compile(r"0x[0-9a-f]+")
# Modules per version (spread over the sample, the last one from Lib/test)
# whose bulk dis output is checked against a real `python3.X -m dis` run.
REAL_DIS_CHECKS = 3
DIFF_LINES = 40

# Runs under the interpreter being compared (any of 3.8-3.13): picks the
# sample, byte-compiles it and writes what `-m dis` would print for each.
WORKER = r'''
import dis, io, json, os, py_compile, sys
job = json.load(open(sys.argv[1], encoding="utf-8"))
out_dir = job["out_dir"]
chosen, skipped = [], []

def in_child(work, error_file):
    if not job["fork"]:
        # pyodide cannot fork; 3.14+ compile the same in any process state.
        try:
            work()
            return True
        except Exception as e:
            with open(error_file, "w", encoding="utf-8") as f:
                f.write("%s: %s" % (type(e).__name__, e))
            return False
    # Each step runs in a fresh fork of this process, so that every module
    # is compiled in the same interpreter state. (Compiling a module leaves
    # its strings interned, and on <= 3.10 whether a string constant was
    # already interned decides whether the compiler rebuilds a frozenset
    # constant, which can change its iteration order: a second compile of
    # the same source in one process may print a frozenset differently.)
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            work()
            status = 0
        except BaseException as e:
            try:
                with open(error_file, "w", encoding="utf-8") as f:
                    f.write("%s: %s" % (type(e).__name__, e))
            except BaseException:
                pass
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    return status == 0

def try_module(src):
    n = len(chosen)
    pyc = "%s/m%04d.pyc" % (out_dir, n)
    ref = "%s/m%04d.dis" % (out_dir, n)
    err = "%s/m%04d.err" % (out_dir, n)

    def disassemble():
        # What `python -m dis src` runs.
        with open(src, "rb") as f:
            source = f.read()
        code = compile(source, src, "exec")
        text = io.StringIO()
        dis.dis(code, file=text)
        with open(ref, "wb") as f:
            f.write(text.getvalue().encode("utf-8"))

    def byte_compile():
        py_compile.compile(src, cfile=pyc, dfile=src, doraise=True)

    if not (in_child(disassemble, err) and in_child(byte_compile, err)):
        try:
            with open(err, encoding="utf-8") as f:
                reason = f.read()
        except OSError:
            reason = "failed"
        skipped.append([src, reason])
        return False
    chosen.append({"source": src, "pyc": pyc, "expected": ref})
    return True

for group in job["groups"]:
    files, want = group["files"], group["count"]
    if want >= len(files):
        picks = list(range(len(files)))
    else:
        picks = [i * len(files) // want for i in range(want)]
    taken = set()
    for i in picks:
        # On failure, take the next file not yet taken.
        while i < len(files):
            if i not in taken:
                taken.add(i)
                if try_module(files[i]):
                    break
            i += 1
json.dump({"modules": chosen, "skipped": skipped,
           "hash_width": sys.hash_info.width},
          open(out_dir + "/manifest.json", "w", encoding="utf-8"))
'''


# Runs under the interpreter being compared: what its dis prints for the code
# objects loaded from the given .pyc files.
LOADED_WORKER = r'''
import dis, io, marshal, sys
for pyc, out in zip(sys.argv[1::2], sys.argv[2::2]):
    with open(pyc, "rb") as f:
        code = marshal.loads(f.read()[16:])
    text = io.StringIO()
    dis.dis(code, file=text)
    with open(out, "wb") as f:
        f.write(text.getvalue().encode("utf-8"))
'''

FROZENSET = re.compile(r"frozenset\((\{.*\})\)")


def frozenset_in(line):
    """(prefix, elements, suffix) of the frozenset repr in `line`, or None."""
    match = FROZENSET.search(line)
    if not match:
        return None
    try:
        elements = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        return None
    return line[:match.start()], elements, line[match.end():]


def differs_only_in_set_order(expected, actual, require_none=False):
    """True if the texts have the same lines except for lines whose only
    difference is the element order inside one frozenset({...}) repr."""
    a, b = expected.splitlines(), actual.splitlines()
    if len(a) != len(b) or a == b:
        return False
    for x, y in zip(a, b):
        if x == y:
            continue
        sx, sy = frozenset_in(x), frozenset_in(y)
        if sx is None or sy is None or sx != sy:
            return False
        if require_none and None not in sx[1]:
            return False
    return True


def bcc_error_reason(message):
    """bcc's error without the file and offset, so that equal errors count
    together: "bcc dis: error: FILE: offset N: message" -> "bcc fails:
    message"."""
    message = message.splitlines()[0] if message else "no message"
    message = re.sub(r"^(bcc \w+: )?(error: )?\S+?\.pyc: (offset \d+: )?", "",
                     message, count=1)
    return "bcc fails: " + message


def difference_reason(expected, actual):
    """The opname (or the kind of line) where the texts first differ."""
    for x, y in zip(expected.splitlines() + [""], actual.splitlines() + [""]):
        if x == y:
            continue
        words = [w for w in x.split() if not w.isdigit() and
                 not re.fullmatch(r"L\d+:", w)]
        if x.startswith("Disassembly of"):
            return "first difference in a 'Disassembly of' line"
        if x.startswith("  L") and " -> L" in x:
            return "first difference in the exception table"
        return "first difference at %s" % (words[0] if words else "a blank line")
    return "different length"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bcc", default=os.environ.get("BCC_BINARY"),
                        help="the bcc binary (default: $BCC_BINARY)")
    parser.add_argument("--modules", type=int, default=150,
                        help="modules per version (default: %(default)s)")
    parser.add_argument("--all", action="store_true",
                        help="every module of each Lib/ instead of a sample")
    parser.add_argument("--versions", default="",
                        help="comma-separated subset, e.g. 3.12,3.13")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary directory")
    parser.add_argument("--list", action="store_true",
                        help="print the modules compared (and skipped)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    return parser.parse_known_args(argv)


ARGS = None


def environment():
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    for name in ("PYTHONSTARTUP", "PYTHONPATH", "PYTHONOPTIMIZE",
                 "PYTHONNODEBUGRANGES", "PYTHONWARNINGS"):
        env.pop(name, None)
    return env


def wasm_stdlib_zip(version, python):
    """python_stdlib.zip of the pyodide package that scripts/pythonX.Y runs,
    or None when `python` is not that runner (BCC_PYTHON_X_Y may name a
    native build)."""
    if not pythons.is_wasm(version):
        return None
    if os.path.basename(python) != "python" + version:
        return None
    path = os.path.join(pythons.pyodide_dir(), version, "node_modules",
                        "pyodide", "python_stdlib.zip")
    return path if os.path.exists(path) else None


def stdlib_dir(python):
    return subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
        stdout=subprocess.PIPE, check=True, universal_newlines=True,
        env=environment()).stdout.strip()


def library_files(lib):
    """(files outside Lib/test, files in Lib/test), each sorted by path."""
    rest, tests = [], []
    for root, dirs, files in os.walk(lib):
        rel = os.path.relpath(root, lib)
        dirs[:] = sorted(d for d in dirs
                         if d not in ("site-packages", "__pycache__"))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = os.path.join(root, name)
            top = rel.split(os.sep)[0]
            (tests if top == "test" else rest).append(path)
    return sorted(rest), sorted(tests)


def normalize(text):
    return ADDRESS.sub("0x...", text)


def first_difference(expected, actual, label):
    diff = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(),
        "python -m dis " + label, "bcc dis " + label, lineterm="", n=3)
    lines = list(diff)
    more = len(lines) - DIFF_LINES
    lines = lines[:DIFF_LINES]
    if more > 0:
        lines.append("... %d more diff lines" % more)
    return "\n".join(lines)


def run_bcc(pyc):
    result = subprocess.run([ARGS.bcc, "dis", pyc], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    return result.returncode, result.stdout, result.stderr


class DisCompare(unittest.TestCase):
    maxDiff = None

    def compare_version(self, version):
        python = pythons.find_python(version)
        if python is None and pythons.is_wasm(version):
            self.skipTest(
                "Python %s not found: its runner scripts/python%s needs node "
                "and the pyodide package in %s (scripts/install-pyodide.sh; "
                "or set BCC_PYODIDE_DIR, or %s)" %
                (version, version, os.path.join(pythons.pyodide_dir(), version),
                 pythons.env_var_name(version)))
        if python is None:
            self.skipTest("Python %s not found (set %s)" %
                          (version, pythons.env_var_name(version)))
        if not ARGS.bcc:
            self.fail("no bcc binary: pass --bcc or set BCC_BINARY")
        started = time.time()
        work = tempfile.mkdtemp(prefix="bcc-dis-%s-" % version)
        try:
            self.compare_in(version, python, work, started)
        finally:
            if ARGS.keep:
                print("kept %s" % work, file=sys.stderr)
            else:
                shutil.rmtree(work, ignore_errors=True)

    def compare_in(self, version, python, work, started):
        stdlib_zip = wasm_stdlib_zip(version, python)
        if stdlib_zip:
            lib = os.path.join(work, "lib")
            with zipfile.ZipFile(stdlib_zip) as archive:
                archive.extractall(lib)
        else:
            lib = stdlib_dir(python)
        rest, tests = library_files(lib)
        if stdlib_zip or ARGS.all:
            groups = [{"files": rest, "count": len(rest)},
                      {"files": tests, "count": len(tests)}]
        else:
            want_tests = ARGS.modules // 4
            groups = [{"files": rest, "count": ARGS.modules - want_tests},
                      {"files": tests, "count": want_tests}]
        job = os.path.join(work, "job.json")
        with open(job, "w", encoding="utf-8") as f:
            json.dump({"out_dir": work, "groups": groups,
                       "fork": not pythons.is_wasm(version)}, f)
        # The compiler's SyntaxWarnings go to the worker's stderr, shown only
        # if the worker fails.
        worker = subprocess.run([python, "-c", WORKER, job], env=environment(),
                                cwd=work, stderr=subprocess.PIPE)
        if worker.returncode != 0:
            self.fail("the %s worker failed:\n%s" %
                      (version, worker.stderr.decode("utf-8", "replace")))
        with open(os.path.join(work, "manifest.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        modules = manifest["modules"]
        if ARGS.list:
            for module in modules:
                print("%s: %s" % (version, module["source"]), file=sys.stderr)
            for source, reason in manifest["skipped"]:
                print("%s: skipped %s: %s" % (version, source, reason),
                      file=sys.stderr)
        self.assertGreaterEqual(len(modules), min(100, ARGS.modules),
                                "too few modules compiled")

        # The bulk output is exactly what `python -m dis` prints.
        checks = 1 if pythons.is_wasm(version) else REAL_DIS_CHECKS
        step = max(1, len(modules) // checks)
        for module in modules[::step][:checks - 1] + modules[-1:]:
            real = subprocess.run([python, "-m", "dis", module["source"]],
                                  stdout=subprocess.PIPE, check=True,
                                  env=environment(), cwd=work).stdout
            with open(module["expected"], "rb") as f:
                bulk = f.read()
            self.assertEqual(normalize(real.decode("utf-8")),
                             normalize(bulk.decode("utf-8")),
                             "bulk dis differs from -m dis for %s" %
                             module["source"])

        failures = []
        reasons = collections.Counter()  # why modules differ, for the summary
        set_order = []  # (module, expected, actual) differing in set order
        with concurrent.futures.ThreadPoolExecutor(ARGS.jobs) as pool:
            results = pool.map(run_bcc, [m["pyc"] for m in modules])
            for module, (status, out, err) in zip(modules, results):
                with open(module["expected"], encoding="utf-8") as f:
                    expected = normalize(f.read())
                label = module["source"]
                if status != 0:
                    message = err.decode("utf-8", "replace").strip()
                    failures.append("%s: bcc exited with %d: %s" %
                                    (label, status, message))
                    reasons[bcc_error_reason(message)] += 1
                    continue
                actual = normalize(out.decode("utf-8", "surrogateescape"))
                if actual == expected:
                    continue
                if (version not in ("3.8", "3.9", "3.10") and
                        differs_only_in_set_order(expected, actual)):
                    set_order.append((module, expected, actual))
                else:
                    failures.append(first_difference(expected, actual, label))
                    reasons[difference_reason(expected, actual)] += 1
        identical = len(modules) - len(failures) - len(set_order)
        before = len(failures)
        if manifest["hash_width"] == 64:
            unrecorded = self.check_set_order(version, python, work,
                                              set_order, failures)
            set_order_note = ("identical to dis of the loaded .pyc: %d; 3.11 "
                              "sets holding None: %d" % unrecorded)
        else:
            # pyodide's CPython is a 32-bit build: its str hash is FNV and
            # every hash 32 bits wide, so its sets iterate in another order
            # than a 64-bit CPython's, which is what bcc prints. Dis of the
            # loaded .pyc under it proves nothing; that the elements are
            # the same is all that is checked.
            set_order_note = ("hash width %d: the order of a 32-bit "
                              "CPython's sets, not checked" %
                              manifest["hash_width"])
        reasons["frozenset order, also unlike dis of the loaded .pyc"] += (
            len(failures) - before)
        set_order_ok = len(set_order) - (len(failures) - before)
        elapsed = time.time() - started
        print("\nPython %s: %d modules, %d identical, %d differ only in "
              "frozenset order the .pyc does not record (%s), %d differ, "
              "%d skipped (cannot compile), %.1fs" %
              (version, len(modules), identical, set_order_ok, set_order_note,
               len(failures), len(manifest["skipped"]), elapsed),
              file=sys.stderr)
        for reason, count in reasons.most_common():
            if count:
                print("  %d differ: %s" % (count, reason),
                      file=sys.stderr)
        unreadable = sum(
            count for reason, count in reasons.items()
            if reason.startswith("bcc fails: marshal data of Python %s is "
                                 "not supported" % version))
        if unreadable and unreadable == len(failures):
            # Reading this version's .pyc files is another piece of work
            # (docs/code-objects.md); until it lands there is nothing to
            # compare.
            self.skipTest("bcc cannot read Python %s .pyc files yet (%d of "
                          "%d modules)" % (version, unreadable, len(modules)))
        if failures:
            self.fail("%d of %d modules differ; first ones:\n\n%s" %
                      (len(failures), len(modules),
                       "\n\n".join(failures[:5])))


def _check_set_order_impl(self, version, python, work, set_order, failures):
    """Modules that differ from -m dis only in frozenset element order must
    match what dis prints for the code loaded from the .pyc (or, on 3.11,
    hold None, whose hash is an address). Returns the two counts."""
    if not set_order:
        return (0, 0)
    args = []
    for module, _, _ in set_order:
        args += [module["pyc"], module["pyc"] + ".loaded.dis"]
    subprocess.run([python, "-c", LOADED_WORKER] + args, check=True,
                   env=environment(), cwd=work)
    loaded_equal = with_none = 0
    for module, expected, actual in set_order:
        with open(module["pyc"] + ".loaded.dis", encoding="utf-8") as f:
            loaded = normalize(f.read())
        if loaded == actual:
            loaded_equal += 1
        elif (version == "3.11" and
              differs_only_in_set_order(loaded, actual, require_none=True)):
            with_none += 1
        else:
            failures.append(
                "%s differs from -m dis only in frozenset order, but also "
                "from dis of the loaded .pyc:\n%s" %
                (module["source"],
                 first_difference(loaded, actual, module["source"])))
    return (loaded_equal, with_none)


DisCompare.check_set_order = _check_set_order_impl


def _add_version_tests():
    for version in pythons.SUPPORTED_VERSIONS + pythons.WASM_VERSIONS:
        def test(self, version=version):
            if ARGS.versions and version not in ARGS.versions.split(","):
                self.skipTest("not selected by --versions")
            self.compare_version(version)
        setattr(DisCompare, "test_python_" + version.replace(".", "_"), test)


_add_version_tests()

if __name__ == "__main__":
    ARGS, rest = parse_args(sys.argv[1:])
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
