#!/usr/bin/env python3
"""Whole-tree facts: constants of one module fold in the modules that import
them, when `bcc opt` is given the whole tree.

For each CPython 3.11-3.14 found (pythons.py), the test writes a small
package (app/config.py with `DEBUG: Final = False` and `LEVEL = 3`, and
app/main.py importing them five different ways), byte-compiles it into a
pycache-prefix tree, runs `bcc opt -O3` (and `-O3 --assume=module-constants`)
on the tree, and checks

  1. the remarks: DEBUG folds through `from app.config import DEBUG`,
     `import app.config as config`, `from . import config`, `from .config
     import DEBUG as D` and `app.config.DEBUG` (Final in app.config), LEVEL
     only under
     module-constants, and the small functions of app/util.py that main
     imports by name are inlined into it (guarded: rebinding one from
     outside makes the optimized code call the new one);
  2. that importing app.main from bcc's tree (the interpreter loads bcc's
     .pyc: the test checks `__cached__` and that no source was compiled)
     prints what it prints from CPython's own tree.

  test_tree_facts.py --bcc build/tools/bcc/bcc [--versions 3.12]
"""

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402

FILES = {
    "app/__init__.py": "",
    "app/config.py": (
        "from typing import Final\n"
        "DEBUG: Final = False\n"
        "LEVEL = 3\n"
    ),
    "app/util.py": (
        "def clamp(x, low=0, high=10):\n"
        "    return max(low, min(x, high))\n"
        "\n"
        "def shout(text):\n"
        "    return text.upper() + '!'\n"
    ),
    "app/main.py": (
        "import sys\n"
        "import app.config\n"
        "from app.util import clamp, shout\n"
        "from app.config import DEBUG, LEVEL\n"
        "import app.config as config\n"
        "from . import config as cfg\n"
        "from .config import DEBUG as D\n"
        "\n"
        "def run():\n"
        "    out = []\n"
        "    if DEBUG:\n"
        "        out.append('from-import')\n"
        "    if config.DEBUG:\n"
        "        out.append('import-as')\n"
        "    if cfg.DEBUG:\n"
        "        out.append('relative module')\n"
        "    if D:\n"
        "        out.append('relative name')\n"
        "    if app.config.DEBUG:\n"
        "        out.append('dotted')\n"
        "    out.append(LEVEL * 2)\n"
        "    out.append([clamp(v) for v in (-5, 5, 50)])\n"
        "    out.append(shout('tree'))\n"
        "    return out\n"
        "\n"
        "print(run())\n"
        "# Rebinding an inlined function from outside: the guard calls the new one.\n"
        "setattr(sys.modules[__name__], 'clamp', lambda x: -x)\n"
        "print(run())\n"
    ),
}

RUN = (
    "import sys, app.main\n"
    "cached = app.main.__cached__ or ''\n"
    "print('from-tree' if cached.startswith(sys.argv[1]) else 'NOT FROM TREE: ' + cached)\n"
)

EXPECT = {
    "-O3": ["main.py:11: run: fold-globals: done: 'DEBUG' is False (Final in app.config)",
            "main.py:13: run: fold-globals: done: 'config.DEBUG' is False (Final in app.config)",
            "main.py:15: run: fold-globals: done: 'cfg.DEBUG' is False (Final in app.config)",
            "main.py:17: run: fold-globals: done: 'D' is False (Final in app.config)",
            "main.py:19: run: fold-globals: done: 'app.config.DEBUG' is False (Final in app.config)",
            "main.py:22: run",  # run.<locals>.<listcomp> on 3.11
            "inline: done: inlined 'clamp' from another module",
            "main.py:23: run: inline: done: inlined 'shout' from another module"],
    "-O3 --assume=module-constants": [
        "main.py:21: run: fold-globals: done: 'LEVEL' is 3 (module-constants in app.config)"],
}
NOT_EXPECTED = {"-O3": ["'LEVEL' is 3"]}


def check(bcc, version, python, work):
    problems = []
    src = os.path.join(work, "src")
    for rel, text in FILES.items():
        path = os.path.join(src, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    stock = os.path.join(work, "stock")
    env = dict(os.environ, PYTHONPYCACHEPREFIX=stock, PYTHONDONTWRITEBYTECODE="1")
    subprocess.run([python, "-m", "compileall", "-q", os.path.join(src, "app")],
                   env=env, check=True, stdout=subprocess.DEVNULL)

    def run(tree):
        proc = subprocess.run([python, "-c", RUN, tree], cwd=src, text=True,
                              env=dict(os.environ, PYTHONPYCACHEPREFIX=tree,
                                       PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=src),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        return proc.stdout
    reference = run(stock)
    if "from-tree" not in reference:
        problems.append("the stock tree was not used: %s" % reference)
    for flags, wanted in EXPECT.items():
        out = os.path.join(work, "bcc" + str(len(flags)))
        proc = subprocess.run([bcc, "opt"] + flags.split() + ["--remarks", "-q", stock, "-o", out],
                              text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.returncode != 0:
            problems.append("bcc opt %s failed: %s" % (flags, proc.stderr))
            continue
        for line in wanted:
            if line not in proc.stdout:
                problems.append("%s: no remark %r; remarks:\n%s" % (flags, line, proc.stdout))
        for line in NOT_EXPECTED.get(flags, []):
            if line in proc.stdout:
                problems.append("%s: a remark says %r, which must not happen" % (flags, line))
        result = run(out)
        if result != reference:
            problems.append("%s: the optimized tree prints\n%s\ninstead of\n%s" %
                            (flags, result, reference))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bcc", required=True)
    parser.add_argument("--versions", default="3.11,3.12,3.13,3.14")
    args = parser.parse_args()
    failed = tested = 0
    for version in args.versions.split(","):
        python = pythons.find_python(version.strip())
        if not python:
            print("%s: not found, skipped (set %s)" % (version, pythons.env_var_name(version)))
            continue
        tested += 1
        with tempfile.TemporaryDirectory(prefix="bcc-tree-") as work:
            problems = check(args.bcc, version, python, work)
        if problems:
            failed += 1
            print("FAIL %s" % version)
            for p in problems:
                print("    " + p.replace("\n", "\n    "))
        else:
            print("ok   %s" % version)
    if not tested:
        print("no interpreter found")
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
