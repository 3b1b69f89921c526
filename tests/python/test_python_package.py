#!/usr/bin/env python3
"""The Python package bcc, installed with pip the way a user installs it.

For each CPython 3.11-3.13 found (pythons.py), one after another (the
build backend may run CMake on the build directory, and two runs must not
do that at once):

  1. a fresh virtual environment in a temporary folder (`python3.X -m
     venv`, pip from ensurepip; no package index is used anywhere);
  2. `pip install --no-index SRC` with build isolation, BCC_BUILD_DIR set
     to BUILD so that the build backend (bindings/build_backend) reuses
     the libraries and the extension target built there;
  3. from the temporary folder (outside the source tree), a check that
     `import bcc` finds the package inside the virtual environment and the
     distribution metadata, then every test in bindings/tests (unittest
     discovery), run by the environment's interpreter.

Prints per version the seconds pip took, the test counts and the result;
exits 1 if any version fails or if no interpreter 3.11+ is found.

  test_python_package.py --build-dir BUILD [--source SRC]
                         [--versions 3.11,3.12,3.13] [--keep]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402

VERSIONS = ("3.11", "3.12", "3.13")

# A full build of the libraries takes minutes; packing takes seconds.
PIP_TIMEOUT = 3600
TESTS_TIMEOUT = 900

# Run by the environment's interpreter, from a file (3.13 gives code run
# with -c the source "<string>" in linecache, which the tests of code
# executed from a "<string>" would then find), with: VENV TESTS_DIR SOURCE.
# Refuses a bcc imported from anywhere but the environment (a PYTHONPATH or
# the current directory could otherwise test the source tree), then runs
# the tests and prints one line of counts for the driver.
RUNNER = """\
import importlib.metadata, os, sys, unittest
venv, tests, source = (os.path.realpath(a) for a in sys.argv[1:4])
import bcc
where = bcc.__file__ and os.path.realpath(bcc.__file__)
if (not where or not where.startswith(venv + os.sep)
        or where.startswith(source + os.sep)):
    sys.exit("bcc was imported from %s, not from the environment %s"
             % (where or list(bcc.__path__), venv))
print("bcc %s from %s" % (importlib.metadata.version("bcc"), where))
suite = unittest.defaultTestLoader.discover(tests, top_level_dir=tests)
result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
print("RESULT run=%d failures=%d errors=%d skipped=%d"
      % (result.testsRun, len(result.failures), len(result.errors),
         len(result.skipped)))
sys.exit(0 if result.wasSuccessful() and result.testsRun else 1)
"""


def clean_environment(build_dir):
    env = dict(os.environ)
    # Nothing may reach the package but what pip installed, and pip may
    # take nothing from an index, a wheel folder or a configuration file
    # that could name one: the install must work from the tree alone.
    for name in list(env):
        if name.startswith("PIP_") or name in ("PYTHONPATH", "PYTHONHOME",
                                               "PYTHONSTARTUP", "VIRTUAL_ENV"):
            del env[name]
    env["PIP_CONFIG_FILE"] = os.devnull
    env["BCC_BUILD_DIR"] = build_dir
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    env["PIP_NO_INPUT"] = "1"
    return env


def run(command, cwd, env, timeout):
    """(exit status, output); the output is stdout and stderr together."""
    try:
        result = subprocess.run(command, cwd=cwd, env=env,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                universal_newlines=True, errors="replace",
                                timeout=timeout)
    except subprocess.TimeoutExpired as error:
        output = error.output or ""
        if isinstance(output, bytes):
            output = output.decode(errors="replace")
        return 124, output + "\n(timed out after %d s)" % timeout
    return result.returncode, result.stdout


def show(output, indent="    | "):
    for line in output.rstrip("\n").splitlines():
        print(indent + line)


def check_version(version, python, source, build_dir, keep):
    """Installs and tests the package for one interpreter; True if it
    passed. Prints what it did."""
    scratch = tempfile.mkdtemp(prefix="bcc-package-%s-" % version)
    env = clean_environment(build_dir)
    try:
        venv = os.path.join(scratch, "venv")
        status, output = run([python, "-m", "venv", venv], scratch, env, 600)
        if status != 0:
            print("%s: FAIL: python%s -m venv failed:" % (version, version))
            show(output)
            return False
        venv_python = os.path.join(venv, "bin", "python")

        status, output = run([venv_python, "-m", "pip", "--version"],
                             scratch, env, 120)
        if status != 0:
            print("%s: FAIL: pip is missing in the virtual environment "
                  "(python%s -m venv installs it with ensurepip; is "
                  "ensurepip part of this interpreter?):" % (version, version))
            show(output)
            return False
        pip_version = output.split()[1] if output.split()[1:] else "?"

        started = time.monotonic()
        status, output = run([venv_python, "-m", "pip", "install",
                              "--no-index", "--no-cache-dir", source],
                             scratch, env, PIP_TIMEOUT)
        seconds = time.monotonic() - started
        if status != 0:
            print("%s: FAIL: pip %s install --no-index took %.1f s and "
                  "failed:" % (version, pip_version, seconds))
            show(output)
            return False
        print("%s: pip %s install --no-index: %.1f s"
              % (version, pip_version, seconds))

        tests_dir = os.path.join(source, "bindings", "tests")
        runner = os.path.join(scratch, "run_package_tests.py")
        with open(runner, "w") as f:
            f.write(RUNNER)
        status, output = run([venv_python, runner, venv, tests_dir, source],
                             scratch, env, TESTS_TIMEOUT)
        counts = [line for line in output.splitlines()
                  if line.startswith("RESULT ")]
        summary = counts[-1][len("RESULT "):] if counts else "no result"
        if status != 0:
            print("%s: FAIL: tests: %s" % (version, summary))
            show(output)
            return False
        print("%s: PASS: tests: %s" % (version, summary))
        return True
    finally:
        if keep:
            print("%s: kept %s" % (version, scratch))
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", required=True,
                        help="a configured bcc build directory (BCC_BUILD_DIR "
                             "for the build backend)")
    parser.add_argument("--source",
                        default=os.path.dirname(os.path.dirname(here)),
                        help="bcc's source tree (default: this script's)")
    parser.add_argument("--versions", default=",".join(VERSIONS))
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folders")
    args = parser.parse_args()
    source = os.path.abspath(args.source)
    build_dir = os.path.abspath(args.build_dir)
    if not os.path.isfile(os.path.join(build_dir, "CMakeCache.txt")):
        print("error: %s is not a configured build directory" % build_dir)
        return 1

    failed, tested = [], 0
    for version in args.versions.split(","):
        try:
            python = pythons.find_python(version)
        except pythons.PythonNotUsable as error:
            print("%s: FAIL: %s" % (version, error))
            failed.append(version)
            continue
        if python is None:
            print("%s: not found (set %s), skipped"
                  % (version, pythons.env_var_name(version)))
            continue
        tested += 1
        sys.stdout.flush()
        if not check_version(version, python, source, build_dir, args.keep):
            failed.append(version)
        sys.stdout.flush()

    if tested == 0 and not failed:
        print("FAIL: no CPython 3.11+ found (pythons.py)")
        return 1
    if failed:
        print("FAIL: %s" % ", ".join(failed))
        return 1
    print("PASS: %d version(s)" % tested)
    return 0


if __name__ == "__main__":
    sys.exit(main())
