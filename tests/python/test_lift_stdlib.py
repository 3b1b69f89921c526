#!/usr/bin/env python3
"""Lift every code object of each CPython 3.11-3.13 standard library.

For each of those interpreters found (pythons.py), its whole Lib/ (tests
included, site-packages excluded) is compiled into a temporary directory
with PYTHONPYCACHEPREFIX (not -X pycache_prefix: the workers of 3.12+
`compileall -j0` ignore -X), and bcc-lift-check lifts and verifies every
code object of those .pyc files and prints the counts, the errors by reason
and the lifting speed. With --text each lifted module is also printed,
parsed and printed again, and the two texts must be equal:
print(parse(print(m))) == print(m) (docs/ir.md). With --text-lower (as CTest
runs it) the parsed module must also lower to the same code as the lifted
one, so the text carries everything the backend uses. Fails if any code
object does not lift, verify or come back the same through the text.

  test_lift_stdlib.py --tool build/tests/tools/bcc-lift-check
                      [--text | --text-lower] [--keep DIR]
"""

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402

VERSIONS = ("3.11", "3.12", "3.13")


def lift_version(tool, python, version, workdir, text_option):
    stdlib = subprocess.check_output(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"],
        text=True).strip()
    prefix = os.path.join(workdir, version)
    # compileall writes whatever PYTHONDONTWRITEBYTECODE says; setting it
    # keeps out what the interpreter itself imports at start-up (on 3.11,
    # site-packages' _distutils_hack and certifi, through .pth files).
    env = dict(os.environ, PYTHONPYCACHEPREFIX=prefix,
               PYTHONDONTWRITEBYTECODE="1")
    # Some test files are deliberately not valid Python: compileall's exit
    # status is not ours to judge.
    subprocess.run([python, "-m", "compileall", "-q", "-j0", "-x",
                    r"[/\\]site-packages[/\\]", stdlib],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result = subprocess.run([tool] + text_option + [prefix], text=True,
                            capture_output=True)
    print("== CPython %s (%s)" % (version, stdlib))
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
    return result.returncode == 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True, help="bcc-lift-check")
    parser.add_argument("--text", action="store_true",
                        help="also check the IR text round trip")
    parser.add_argument("--text-lower", action="store_true",
                        help="--text, and lowering the parsed IR gives the "
                        "same code")
    parser.add_argument("--keep", help="compile into DIR and keep it")
    args = parser.parse_args()
    found = pythons.all_pythons()
    ok = True
    tested = 0
    with tempfile.TemporaryDirectory(prefix="bcc-lift-") as tmp:
        workdir = args.keep or tmp
        for version in VERSIONS:
            if version not in found:
                print("== CPython %s: not found, skipped" % version)
                continue
            tested += 1
            text_option = (["--text-lower"] if args.text_lower else
                           ["--text"] if args.text else [])
            ok &= lift_version(args.tool, found[version], version, workdir,
                               text_option)
    if not tested:
        print("no CPython 3.11-3.13 found")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
