#!/usr/bin/env python3
"""python -m bcc (bindings/bcc/__main__.py): the driver's commands from the
package, run as a user runs them, in a child interpreter.

What is checked, on the interpreter that runs this file:

- `dis` of a .pyc that py_compile wrote prints what `python -m dis` prints
  for its source, object addresses aside (docs/cli.md, `bcc dis`);
- `opt -O2` (with a flag granted constant, so that the code changes)
  writes a .pyc that the interpreter imports (sourceless, so it is that
  file that runs) and runs with the same output as the source;
- a missing file or a garbage .pyc: exit status 1 and one line on stderr
  naming the file; usage errors: status 2 and a hint naming
  `python -m bcc`;
- `--help` (and no argument, with status 2) lists dis, opt and run;
  `--version` prints the package's version;
- `run` hands its options to the import hook (bcc._hook.run_path) and
  everything after SCRIPT to the script, whose exit status it keeps;
  its usage errors exit with 2;
- what Python printed before the driver ran comes out before the driver's
  output, and the driver's before what Python prints after it.

  python3.12 bindings/tests/test_main.py    (bcc installed, or on the path)
"""

import os
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

import bcc

SOURCE = textwrap.dedent('''\
    DEBUG = False


    class Counter:
        def __init__(self, start):
            self.value = start

        def bump(self, by=1):
            self.value += by
            return self.value


    def collatz(n):
        steps = 0
        while n != 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            steps += 1
            if DEBUG:
                print("step", steps, n)
        return steps


    def safe_ratio(a, b):
        try:
            return a / b
        except ZeroDivisionError:
            return None
        finally:
            pass


    def main():
        counter = Counter(10)
        squares = [i * i for i in range(6) if i % 2]
        words = {w: len(w) for w in ("alpha", "be", "gamma")}
        total = sum(map(lambda x: x + 1, squares))
        print(collatz(27), counter.bump(), counter.bump(5))
        print(squares, sorted(words.items()), total)
        print(safe_ratio(1, 4), safe_ratio(1, 0))


    if __name__ == "__main__":
        main()
''')

ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def run_bcc(*args, cwd=None):
    """(status, stdout, stderr) of `python -m bcc ARGS...`."""
    result = subprocess.run([sys.executable, "-m", "bcc"] + list(args),
                            cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True,
                            timeout=300)
    return result.returncode, result.stdout, result.stderr


def run_python(*args, cwd=None):
    result = subprocess.run([sys.executable] + list(args), cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True, timeout=300)
    return result.returncode, result.stdout, result.stderr


class MainTest(unittest.TestCase):

    def setUp(self):
        self.scratch = tempfile.mkdtemp(prefix="bcc-main-test-")
        self.addCleanup(shutil.rmtree, self.scratch, ignore_errors=True)

    def write_source(self, name="sample"):
        path = os.path.join(self.scratch, name + ".py")
        with open(path, "w") as f:
            f.write(SOURCE)
        return path

    def compile(self, source):
        pyc = os.path.splitext(source)[0] + ".in.pyc"
        py_compile.compile(source, cfile=pyc, doraise=True)
        return pyc

    def assertOneErrorLine(self, stderr, path):
        lines = stderr.splitlines()
        self.assertEqual(len(lines), 1, stderr)
        self.assertIn(path, lines[0])
        self.assertIn("error", lines[0])

    def test_dis_prints_what_python_m_dis_prints(self):
        source = self.write_source()
        pyc = self.compile(source)
        status, expected, err = run_python("-m", "dis", source)
        self.assertEqual(status, 0, err)
        status, printed, err = run_bcc("dis", pyc)
        self.assertEqual((status, err), (0, ""))
        self.assertGreater(len(printed.splitlines()), 50)
        self.assertEqual(ADDRESS.sub("0x?", printed),
                         ADDRESS.sub("0x?", expected))

    def test_opt_O2_output_loads_and_runs_the_same(self):
        source = self.write_source()
        pyc = self.compile(source)
        status, expected, err = run_python(source)
        self.assertEqual(status, 0, err)
        # Sourceless: the module is imported from the .pyc bcc wrote.
        out_dir = os.path.join(self.scratch, "optimized")
        os.mkdir(out_dir)
        out = os.path.join(out_dir, "sample.pyc")
        # The granted fact folds collatz's DEBUG branch away, so the
        # file bcc writes is not a copy of its input.
        status, printed, err = run_bcc("opt", "-O2", "--const", "DEBUG=False",
                                       "-q", pyc, "-o", out)
        self.assertEqual((status, printed, err), (0, "", ""))
        with open(pyc, "rb") as f, open(out, "rb") as g:
            original, optimized = f.read(), g.read()
        self.assertEqual(original[:16], optimized[:16], "the header is kept")
        self.assertNotEqual(original, optimized)
        status, ran, err = run_python(
            "-c", "import sample, sys; assert sample.__file__ == sys.argv[1]"
                  ", sample.__file__; sample.main()", out, cwd=out_dir)
        self.assertEqual(status, 0, err)
        self.assertEqual(ran, expected)

    def test_missing_file(self):
        missing = os.path.join(self.scratch, "missing.pyc")
        status, printed, err = run_bcc("dis", missing)
        self.assertEqual((status, printed), (1, ""))
        self.assertOneErrorLine(err, missing)

    def test_garbage_pyc(self):
        garbage = os.path.join(self.scratch, "garbage.pyc")
        with open(garbage, "wb") as f:
            f.write(b"this is not a .pyc file at all\n")
        status, printed, err = run_bcc("dis", garbage)
        self.assertEqual((status, printed), (1, ""))
        self.assertOneErrorLine(err, garbage)
        out = os.path.join(self.scratch, "out.pyc")
        status, printed, err = run_bcc("opt", "-O2", "-q", garbage, "-o", out)
        self.assertEqual((status, printed), (1, ""))
        self.assertOneErrorLine(err, garbage)
        self.assertFalse(os.path.exists(out))

    def test_a_bad_file_does_not_stop_the_others(self):
        pyc = self.compile(self.write_source())
        garbage = os.path.join(self.scratch, "garbage.pyc")
        with open(garbage, "wb") as f:
            f.write(b"\0" * 40)
        status, printed, err = run_bcc("dis", garbage, pyc)
        self.assertEqual(status, 1)
        self.assertIn("Disassembly of", printed)
        self.assertOneErrorLine(err, garbage)

    def test_usage_errors_name_python_m_bcc(self):
        status, printed, err = run_bcc("dis")
        self.assertEqual((status, printed), (2, ""))
        self.assertIn("Try 'python -m bcc dis --help'.", err)
        status, printed, err = run_bcc("frobnicate")
        self.assertEqual((status, printed), (2, ""))
        self.assertIn("unknown command 'frobnicate'", err)
        self.assertIn("Try 'python -m bcc --help'.", err)

    def test_help_lists_dis_opt_run(self):
        for args, expected_status in ((["--help"], 0), (["-h"], 0),
                                      ([], 2)):
            status, printed, err = run_bcc(*args)
            self.assertEqual((status, err), (expected_status, ""), args)
            self.assertIn("usage: python -m bcc", printed)
            commands = re.findall(r"^  (\w+) ", printed, re.MULTILINE)
            self.assertEqual(commands, ["dis", "opt", "run"], printed)

    def test_command_help(self):
        for command in ("dis", "opt"):
            status, printed, err = run_bcc(command, "--help")
            self.assertEqual((status, err), (0, ""))
            self.assertIn("usage: bcc %s" % command, printed)

    def test_version(self):
        for flag in ("--version", "-V"):
            status, printed, err = run_bcc(flag)
            self.assertEqual((status, err), (0, ""))
            self.assertTrue(printed.startswith("bcc %s " % bcc.__version__),
                            printed)
            self.assertIn("allocator:", printed)

    def test_run_help_and_usage_errors(self):
        status, printed, err = run_bcc("run", "--help")
        self.assertEqual((status, err), (0, ""))
        self.assertIn("usage: python -m bcc run", printed)
        for option in ("-O LEVEL", "--assume", "--include", "--passes",
                       "SCRIPT"):
            self.assertIn(option, printed)
        for args in ([], ["-O5", "script.py"], ["--bogus", "script.py"]):
            status, printed, err = run_bcc("run", *args)
            self.assertEqual((status, printed), (2, ""), args)
            self.assertIn("usage: python -m bcc run", err)

    def test_run_hands_options_and_arguments_on(self):
        def write(name, text):
            with open(os.path.join(self.scratch, name), "w") as f:
                f.write(textwrap.dedent(text))

        write("helper_mod.py", """\
            def work(n):
                return sum(range(n))
            """)
        write("other_mod.py", "VALUE = 1\n")
        write("script.py", """\
            import sys
            import helper_mod, other_mod
            from bcc import _hook
            options = [f for f in sys.meta_path
                       if isinstance(f, _hook.BccFinder)][0].options
            print(sys.argv[1:], __name__, helper_mod.work(5))
            print(repr((options.level, options.assume, options.include,
                        options.passes)))
            print(sorted(_hook.imported))
            sys.exit(3)
            """)
        # -O1 and -- after SCRIPT are the script's.
        status, printed, err = run_bcc(
            "run", "-O", "2", "--assume=stable-functions",
            "--assume", "module-constants", "--include=helper_*",
            "--passes=const-fold,dce", "script.py", "-O1", "--", "x",
            cwd=self.scratch)
        self.assertEqual((status, err), (3, ""))
        self.assertEqual(printed.splitlines(), [
            "['-O1', '--', 'x'] __main__ 10",
            repr((2, "module-constants,stable-functions", ["helper_*"],
                  "const-fold,dce")),
            "['helper_mod']"])

    def test_output_order_around_the_driver(self):
        # stdout is a pipe here, so Python's buffer holds "before" until
        # the driver flushes it; the driver's own buffer must be flushed
        # before "after" is written.
        status, printed, err = run_python("-c", textwrap.dedent("""\
            import sys
            from bcc import _bcc
            print("before")
            print("before", file=sys.stderr)
            status = _bcc.driver(["--version"])
            _bcc.driver(["dis"])
            print("after", status)
            print("after", file=sys.stderr)
            """))
        self.assertEqual(status, 0, err)
        lines = printed.splitlines()
        self.assertEqual(lines[0], "before")
        self.assertTrue(lines[1].startswith("bcc "), printed)
        self.assertEqual(lines[-1], "after 0")
        errors = err.splitlines()
        self.assertEqual(errors[0], "before")
        self.assertIn("python -m bcc dis: no input file", errors[1])
        self.assertEqual(errors[-1], "after")


if __name__ == "__main__":
    unittest.main()
