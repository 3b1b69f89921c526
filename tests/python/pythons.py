#!/usr/bin/env python3
"""Find the CPython interpreters bcc is tested against.

bcc reads and writes bytecode for CPython 3.8 to 3.15, and its tests compare
it with the real interpreter of each version. This module finds those
interpreters at run time; nothing names a machine path. For version X.Y, in
order:

  1. the environment variable BCC_PYTHON_X_Y (e.g. BCC_PYTHON_3_12). If it is
     set to the empty string, the version counts as missing; otherwise it must
     name a working interpreter of that version, or PythonNotUsable is raised
     (a broken explicit setting should not be silently replaced);
  2. $(pyenv root)/versions/X.Y.*/bin/pythonX.Y, the highest patch release
     (pyenv root: `pyenv root`, else $PYENV_ROOT, else ~/.pyenv);
  3. pythonX.Y on PATH.

A candidate from 2 or 3 is used only if it runs and reports version X.Y (a
pyenv shim for a version that is not selected exists on PATH but fails).

CPython 3.14 and 3.15 (WASM_VERSIONS) are not installed natively here: they
come from the npm package pyodide, CPython compiled to WebAssembly and run by
node (scripts/install-pyodide.sh puts it in build/pyodide, or in
$BCC_PYODIDE_DIR). For them, step 2 and 3 are replaced by the runner
scripts/pythonX.Y, used when its pyodide package is installed. The runner
runs a script, -c or -m with the host's files under their own paths, but
starts no subprocesses; each start costs about 3 s, so tests give it whole
batches. BCC_PYTHON_3_14 overrides it like any other version.

API (other tests import it):
  find_python(version) -> path or None    version: "3.12" or (3, 12)
  all_pythons() -> {"3.8": path, ...}     only the versions found, oldest first
                                          (3.8-3.13; include_wasm=True adds
                                          3.14 and 3.15)
  is_wasm(version) -> bool                the version runs under pyodide
  is_pyodide_runner(python) -> bool       python is scripts/pythonX.Y
  compile_pyodide_stdlib(python, version, workdir, prefix) -> lib dir
                                          pyodide's stdlib compiled into
                                          the pycache_prefix tree prefix
  SUPPORTED_VERSIONS                      ("3.8", ..., "3.13")
  WASM_VERSIONS                           ("3.14", "3.15")

Run as a script to print what was found; `--paths 3.11 3.12` prints only the
paths of those versions that were found, one per line (CMake reads it).
"""

import functools
import glob
import os
import re
import shutil
import subprocess
import sys

SUPPORTED_VERSIONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")
WASM_VERSIONS = ("3.14", "3.15")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class PythonNotUsable(RuntimeError):
    """BCC_PYTHON_X_Y is set but does not name a working interpreter."""


def _normalize(version):
    if isinstance(version, str):
        match = re.fullmatch(r"(\d+)\.(\d+)", version)
        if not match:
            raise ValueError("expected a version like '3.12', got %r" %
                             version)
        return "%d.%d" % (int(match.group(1)), int(match.group(2)))
    major, minor = version[:2]
    return "%d.%d" % (major, minor)


def env_var_name(version):
    """BCC_PYTHON_3_12 for "3.12"."""
    return "BCC_PYTHON_" + _normalize(version).replace(".", "_")


@functools.lru_cache(maxsize=None)
def _reported_version(path):
    """The "X.Y" the interpreter at `path` reports; None if it fails."""
    try:
        result = subprocess.run(
            [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            universal_newlines=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip()


def _pyenv_root():
    pyenv = shutil.which("pyenv")
    if pyenv:
        try:
            result = subprocess.run([pyenv, "root"], stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL,
                                    universal_newlines=True, timeout=60)
            if result.returncode == 0 and result.stdout.strip():
                return result.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return os.environ.get("PYENV_ROOT") or os.path.expanduser("~/.pyenv")


def is_wasm(version):
    """True for the versions that run under pyodide (3.14, 3.15)."""
    return _normalize(version) in WASM_VERSIONS


def pyodide_dir():
    """Where scripts/install-pyodide.sh puts the pyodide packages."""
    return os.environ.get("BCC_PYODIDE_DIR") or os.path.join(REPO, "build", "pyodide")


def pyodide_version(version):
    """The version of the pyodide package installed for `version`, or "?"."""
    path = os.path.join(pyodide_dir(), _normalize(version), "node_modules",
                        "pyodide", "package.json")
    try:
        import json
        with open(path, encoding="utf-8") as f:
            return json.load(f).get("version", "?")
    except (OSError, ValueError):
        return "?"


def is_pyodide_runner(python):
    """Whether `python` is one of the runner scripts (pyodide under node),
    which start no subprocesses."""
    return os.path.dirname(os.path.abspath(python)) == os.path.join(REPO, "scripts")


def compile_tree(python, source, prefix):
    """Byte-compiles every .py file under `source` with `python` into the
    pycache_prefix tree `prefix`, in one start (the pyodide runners cannot
    start compileall's workers). Files that are not valid Python are
    skipped, as compileall does; raises RuntimeError if the interpreter
    fails."""
    script = ("import compileall, sys\n"
              "sys.pycache_prefix = sys.argv[1]\n"
              "compileall.compile_dir(sys.argv[2], quiet=2)\n")
    result = subprocess.run([python, "-c", script, prefix, source],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            universal_newlines=True)
    if result.returncode != 0:
        raise RuntimeError("%s could not compile %s: %s"
                           % (python, source, result.stderr[-3000:]))


def compile_pyodide_stdlib(python, version, workdir, prefix):
    """Compiles the standard library of pyodide's CPython `version` (its
    package's python_stdlib.zip, sources only, extracted under `workdir`)
    into the pycache_prefix tree `prefix` (compile_tree); returns the
    extracted Lib directory."""
    import zipfile
    archive = os.path.join(pyodide_dir(), _normalize(version), "node_modules",
                           "pyodide", "python_stdlib.zip")
    lib = os.path.join(workdir, "lib")
    with zipfile.ZipFile(archive) as z:
        z.extractall(lib)
    compile_tree(python, lib, prefix)
    return lib


def _wasm_candidates(version):
    """scripts/pythonX.Y when node and its pyodide package are there."""
    runner = os.path.join(REPO, "scripts", "python" + version)
    package = os.path.join(pyodide_dir(), version, "node_modules", "pyodide",
                           "pyodide.mjs")
    if os.path.exists(runner) and os.path.exists(package) and shutil.which("node"):
        return [runner]
    return []


def _pyenv_candidates(version):
    """pyenv's X.Y.N installs, highest N first (skips 3.13.0t and the like)."""
    root = _pyenv_root()
    found = []
    pattern = os.path.join(root, "versions", version + ".*", "bin",
                           "python" + version)
    for path in glob.glob(pattern):
        release = os.path.basename(os.path.dirname(os.path.dirname(path)))
        patch = release[len(version) + 1:]
        if patch.isdigit():
            found.append((int(patch), path))
    return [path for _, path in sorted(found, reverse=True)]


@functools.lru_cache(maxsize=None)
def find_python(version):
    """Path of a working CPython `version` ("3.12" or (3, 12)), or None."""
    version = _normalize(version)
    override = os.environ.get(env_var_name(version))
    if override is not None:
        if override == "":
            return None
        if _reported_version(override) != version:
            raise PythonNotUsable("%s=%s is not a working Python %s" %
                                  (env_var_name(version), override, version))
        return override
    if is_wasm(version):
        candidates = _wasm_candidates(version)
    else:
        candidates = _pyenv_candidates(version)
        on_path = shutil.which("python" + version)
        if on_path:
            candidates.append(on_path)
    for path in candidates:
        if _reported_version(path) == version:
            return path
    return None


def all_pythons(include_wasm=False):
    """{"3.8": path, ...} for every supported version found, oldest first;
    with include_wasm, 3.14 and 3.15 too."""
    found = {}
    for version in SUPPORTED_VERSIONS + (WASM_VERSIONS if include_wasm else ()):
        path = find_python(version)
        if path:
            found[version] = path
    return found


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--paths":
        # --paths X.Y ...: the path of each version found, one per line.
        for version in sys.argv[2:]:
            path = find_python(version)
            if path:
                print(path)
        return 0
    status = 0
    for version in SUPPORTED_VERSIONS + WASM_VERSIONS:
        try:
            path = find_python(version)
        except PythonNotUsable as error:
            path, status = "error: %s" % error, 1
        print("%-5s %s" % (version, path or "not found (set %s)" %
                           env_var_name(version)))
    return status


if __name__ == "__main__":
    sys.exit(main())
