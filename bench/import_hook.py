#!/usr/bin/env python3
"""Benchmark: the import hook (bcc.install) on large packages, cold and
warm cache, against CPython's own import, in the same run; and what
bcc.optimize costs per function.

For each CPython 3.11-3.13 found (tests/python/pythons.py) whose bcc
package is built (build/python/<XY>) or installed:

- Import: copies of the standard library's `asyncio`, `email` and `json`
  packages (about 70 modules, 25,000 lines) go into a temporary directory
  that comes first on sys.path, so that they are imported from there.
  Each measurement is a fresh process (`-S`) that imports every module of
  the copies and times it:
    CPython cold   no __pycache__: CPython compiles and writes its cache
    CPython warm   CPython's cache read
    bcc cold       no cache at all: CPython compiles, bcc optimizes
                   (-O3 by default) and writes its own cache
    bcc warm       bcc's cache read (CPython's is there too, unused)
  Best of --repeat rounds; each round deletes the caches and runs the four
  in that order. Printed: milliseconds and ratios to CPython's import.
- bcc.optimize: every plain function of the copies' modules is optimized
  with bcc.optimize(always=True); printed: microseconds per function and
  per 1,000 code units of the original, against compile() of the modules'
  sources in the same process (also per 1,000 code units).

  python3 bench/import_hook.py [--versions 3.12] [--repeat 5] [--level 3]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
import pythons  # noqa: E402

PACKAGES = ("asyncio", "email", "json")

WORKER = r'''
import importlib, os, sys, time, warnings
lib, package, mode, level, modules = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5].split(",")
sys.path.insert(0, lib)
if package:
    sys.path.insert(0, package)
import bcc
if mode == "bcc":
    bcc.install(level=level, include=[m + ".*" for m in %(packages)r])
warnings.simplefilter("ignore")
start = time.perf_counter()
for name in modules:
    importlib.import_module(name)
elapsed = time.perf_counter() - start
for name in modules:
    if not sys.modules[name].__file__.startswith(lib):
        raise SystemExit("%%s came from %%s" %% (name, sys.modules[name].__file__))
# Where the code came from: bcc's hook records it per module; for CPython,
# whether its cache file exists after the import (it does after the cold run).
if mode == "bcc":
    from bcc import _hook
    cached = sum(1 for name in modules if _hook.imported.get(name) == "cache")
else:
    cached = sum(1 for name in modules if os.path.exists(sys.modules[name].__cached__))
import json
print(json.dumps({"seconds": elapsed, "cached": cached,
                  "dont_write_bytecode": sys.dont_write_bytecode}))
''' % {"packages": PACKAGES}

COST = r'''
import dis, importlib, os, sys, time, types, warnings
lib, package, modules = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
sys.path.insert(0, lib)
if package:
    sys.path.insert(0, package)
import bcc
warnings.simplefilter("ignore")
functions, units, sources = [], 0, []
for name in modules:
    m = importlib.import_module(name)
    sources.append((m.__file__, open(m.__file__).read()))
    for value in list(vars(m).values()):
        if isinstance(value, types.FunctionType) and value.__module__ == name and \
                not value.__code__.co_flags & 0x3a0:
            functions.append(value)
            units += len(value.__code__.co_code) // 2
start = time.perf_counter()
optimized = 0
for f in functions:
    bcc.optimize(f, always=True)
    optimized += bool(bcc.report(f) and bcc.report(f).optimized)
spent = time.perf_counter() - start
start = time.perf_counter()
compiled_units = 0
for path, source in sources:
    code = compile(source, path, "exec")
    stack = [code]
    while stack:
        c = stack.pop()
        compiled_units += len(c.co_code) // 2
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
compile_time = time.perf_counter() - start
import json
print(json.dumps({"functions": len(functions), "optimized": optimized, "units": units,
                  "seconds": spent, "compile_seconds": compile_time,
                  "compile_units": compiled_units}))
'''


def modules_of(lib):
    names = []
    for package in PACKAGES:
        for dirpath, dirnames, filenames in os.walk(os.path.join(lib, package)):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            rel = os.path.relpath(dirpath, lib).replace(os.sep, ".")
            for f in sorted(filenames):
                if not f.endswith(".py") or f == "__main__.py":
                    continue
                names.append(rel if f == "__init__.py" else rel + "." + f[:-3])
    return sorted(names)


def clear_caches(lib):
    for dirpath, dirnames, _ in os.walk(lib):
        if "__pycache__" in dirnames:
            shutil.rmtree(os.path.join(dirpath, "__pycache__"))


def importable(python, lib, package, names):
    ok = []
    for name in names:
        proc = subprocess.run([python, "-S", "-c", "import sys; sys.path[:0] = [%r, %r]; "
                               "import %s" % (lib, package, name)], capture_output=True)
        if proc.returncode == 0:
            ok.append(name)
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", default="3.11,3.12,3.13")
    parser.add_argument("--python-package", default=os.path.join(ROOT, "build", "python"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--level", type=int, default=3)
    args = parser.parse_args()
    print("load average at the start: %.2f %.2f %.2f" % os.getloadavg())
    status = 0
    for version in args.versions.split(","):
        python = pythons.find_python(version)
        if not python:
            print("%s: not found" % version)
            continue
        package = os.path.join(args.python_package, version.replace(".", ""))
        if not os.path.exists(os.path.join(package, "bcc", "__init__.py")):
            package = ""
        stdlib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()"
                                 "['stdlib'])"], capture_output=True, text=True).stdout.strip()
        work = tempfile.mkdtemp(prefix="bcc-import-%s-" % version)
        try:
            lib = os.path.join(work, "lib")
            for p in PACKAGES:
                shutil.copytree(os.path.join(stdlib, p), os.path.join(lib, p),
                                ignore=shutil.ignore_patterns("__pycache__"))
            names = importable(python, lib, package, modules_of(lib))
            lines = sum(len(open(os.path.join(lib, *n.split(".")) + ".py"
                                 if os.path.exists(os.path.join(lib, *n.split(".")) + ".py")
                                 else os.path.join(lib, *n.split("."), "__init__.py")).readlines())
                        for n in names)
            best = {}
            for _ in range(args.repeat):
                clear_caches(lib)
                for label, mode in (("CPython cold", "cpython"), ("CPython warm", "cpython")):
                    r = run(python, lib, package, mode, args.level, names, label.endswith("warm"))
                    best[label] = min(best.get(label, 1e9), r)
                clear_caches(lib)
                for label, mode in (("bcc cold", "bcc"), ("bcc warm", "bcc")):
                    r = run(python, lib, package, mode, args.level, names, label.endswith("warm"))
                    best[label] = min(best.get(label, 1e9), r)
            print("CPython %s: %d modules, %d lines; import in ms (best of %d): %s" % (
                version, len(names), lines, args.repeat,
                "  ".join("%s %.1f" % (k, v * 1e3) for k, v in best.items())))
            print("  bcc cold / CPython cold %.2f   bcc warm / CPython warm %.2f" % (
                best["bcc cold"] / best["CPython cold"], best["bcc warm"] / best["CPython warm"]))
            proc = subprocess.run([python, "-S", "-c", COST, lib, package, ",".join(names)],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                print("  bcc.optimize cost: failed: %s" % proc.stderr.strip()[-300:])
                status = 1
                continue
            c = json.loads(proc.stdout)
            print("  bcc.optimize: %d functions (%d changed), %.0f us per function, %.0f us per "
                  "1000 code units; compile() of the sources: %.0f us per 1000 code units" % (
                      c["functions"], c["optimized"], c["seconds"] / c["functions"] * 1e6,
                      c["seconds"] / c["units"] * 1e9,
                      c["compile_seconds"] / c["compile_units"] * 1e9))
        except RuntimeError as error:
            print("%s: %s" % (version, error))
            status = 1
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
    return status


def run(python, lib, package, mode, level, names, warm):
    # A warm import needs caches written by the cold one: an inherited
    # PYTHONDONTWRITEBYTECODE (or a cache prefix elsewhere) would make every
    # round a cold one and the comparison meaningless.
    env = dict(os.environ)
    for name in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"):
        env.pop(name, None)
    proc = subprocess.run([python, "-S", "-c", WORKER, lib, package, mode, str(level),
                           ",".join(names)], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError("%s import failed: %s" % (mode, proc.stderr.strip()[-500:]))
    result = json.loads(proc.stdout)
    if warm and result["cached"] != len(names):
        raise RuntimeError("%s warm import: only %d of %d modules came from a cache" % (
            mode, result["cached"], len(names)))
    if not warm and mode == "bcc" and result["cached"]:
        raise RuntimeError("bcc cold import: %d modules came from a cache" % result["cached"])
    return result["seconds"]


if __name__ == "__main__":
    sys.exit(main())
