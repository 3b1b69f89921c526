#!/usr/bin/env python3
"""Run CPython's own regression suite on bytecode that went through bcc.

For each CPython version asked for, this script

1. byte-compiles that interpreter's standard library (Lib/, Lib/test
   included, site-packages excluded) into a private tree A with
   ``-X pycache_prefix=A`` (the interpreter's own tree is never written);
2. turns A into B with ``bcc opt FLAGS A -o B`` (FLAGS from ``--bcc-flags``,
   ``-O0`` by default; or, with
   ``--transform=copy``, a plain copy, to test this harness itself);
3. runs ``python3.X -m test`` twice, once on A (the stock bytecode) and once
   on B (bcc's), and compares the result of every test module.

With ``--stock-tests LIST`` the named test modules' own ``.pyc`` files are
copied from A into B first: for a pipeline that rewrites every function
(``--passes=stress<seed=N>``), the tests that compare their own functions'
bytecode with expected listings (BYTECODE_TESTS) would fail by design,
while the stdlib they exercise still comes from B.

Making sure it is bcc's bytecode that runs:

- ``-X frozen_modules=off`` makes the interpreter import the stdlib modules
  it would otherwise take from its frozen copies (regrtest passes the option
  on to its worker processes). ``importlib._bootstrap`` and
  ``importlib._bootstrap_external`` stay frozen whatever the option says:
  they are the import system itself.
- ``PYTHONPYCACHEPREFIX`` points every process at A or B, and
  ``PYTHONDONTWRITEBYTECODE=1`` keeps the importer from writing new files
  there.
- ``PYTHONHOME`` is set (to the interpreter's own home), which makes
  test.support's script_helper start its child interpreters with the
  environment instead of ``-I``/``-E``, so they too run the tree's bytecode.
  Children a test starts with an explicitly isolated interpreter
  (``__isolated=True``, ``-I``, ``-E``) use the interpreter's own
  ``__pycache__`` as usual.
- A ``sitecustomize`` hook (tests/regrtest/hook) logs every stdlib module
  that the importer compiles from source instead of loading a ``.pyc`` (it
  does that silently when it dislikes one), and counts the modules loaded
  from the tree. The report prints both; a module that the importer
  compiled from source on bcc's tree more often than on the stock one
  although the stock tree has a ``.pyc`` for it is an error (on the stock
  tree that happens only in tests that change the pycache settings on
  purpose, such as test_compileall). The hook is an audit hook, which
  the interpreter neither traces nor profiles, so tests of tracing see no
  trace of it.

- A few tests start children with every PYTHON* variable removed
  (test_support's check_options); those write ``.pyc`` files into the
  interpreter's own tree, as in a plain run. The harness deletes every
  ``.pyc`` that appeared there during a run.

With all of that, the stock tree passes every module of the CI list, as a
plain ``python3.X -m test MODULE`` does.

The whole suite (no module list) takes about 17 minutes per tree per
version on 2 cores. There the stock tree fails a few modules that pass in a
plain run from the interpreter's own tree, on both trees alike, because of
what this harness must do (3.12: 9 of 469):
- a pycache prefix instead of __pycache__ next to the sources:
  test_py_compile, test_compileall, test_importlib, test_runpy,
  test_cmd_line_script, test_multiprocessing_main_handling (they expect
  __pycache__/ paths or zip imports of compiled files);
- the environment passed on to children (PYTHONPATH, PYTHONHOME, the
  prefix): test_cmd_line, test_venv;
- test_socket hangs in accept() on this machine (a socket family the
  sandbox does not serve) until the per-module timeout, with or without
  the harness.
None of them is in the CI list.

Exit status: 0 when every test module has the same result on both trees and
no module fell back to source, 1 otherwise, 2 on a usage error.
"""

import argparse
import collections
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "python"))

import pythons  # noqa: E402

# The representative part CI runs (the ctest `regrtest`, for 3.11, 3.12 and
# 3.13: about 1.5 minutes per tree per version on 2 cores, so the whole list
# is kept). Modules a version does not have are left out for that version
# (and reported): test_monitoring is 3.12+. Every module here passes on the
# stock tree under this harness, as with a plain `python3.X -m test`.
CI_TESTS = [
    # The areas issue 3 names: dis, code objects, generators, coroutines,
    # exceptions, with, pattern matching, comprehensions, tracing and line
    # events (settrace, setprofile, sys.monitoring, bdb, trace).
    "test_dis", "test_code", "test_generators", "test_coroutines",
    "test_exceptions", "test_with", "test_patma", "test_listcomps",
    "test_setcomps", "test_dictcomps", "test_genexps", "test_sys_settrace",
    "test_sys_setprofile", "test_monitoring", "test_bdb", "test_trace",
    # Around them: async generators and context managers, exception groups,
    # frames, tracebacks, inspect (which reads code objects), the compiler's
    # own tests and the peephole optimizer's.
    "test_asyncgen", "test_contextlib", "test_contextlib_async",
    "test_exception_group", "test_except_star", "test_exception_hierarchy",
    "test_raise", "test_frame", "test_traceback", "test_inspect",
    "test_compile", "test_peepholer", "test_yield_from",
    # The language: scopes, closures, calls and signatures, classes,
    # unpacking, operators, literals.
    "test_scope", "test_grammar", "test_opcodes", "test_unpack",
    "test_unpack_ex", "test_keywordonlyarg", "test_positional_only_arg",
    "test_class", "test_super", "test_funcattrs", "test_global",
    "test_named_expressions", "test_augassign", "test_binop", "test_richcmp",
    "test_string_literals", "test_fstring", "test_keyword", "test_iter",
    # Pure-Python library code that runs many loops, branches and handlers.
    "test_int", "test_float", "test_bool", "test_list", "test_dict",
    "test_set", "test_tuple", "test_itertools", "test_functools",
    "test_collections", "test_enum", "test_dataclasses", "test_builtin",
    "test_types", "test_sort", "test_string", "test_re", "test_json",
    "test_textwrap",
]

# The CI modules that compare the bytecode of their own functions with
# expected listings, opcode by opcode or offset by offset: test_dis (dis
# output), test_peepholer and test_compile (which opcodes the compiler
# wrote, RETURN_CONST, no SWAP), test_monitoring (INSTRUCTION events and
# jump offsets). Any pipeline that rewrites every function (the stress
# pass) fails them by design; -O0 and the optimizing levels, which leave
# unchanged functions as CPython wrote them, pass them.
# dis_module is not a test module but test_dis's sample, whose listing
# test_big_linenos compares with an expected one.
BYTECODE_TESTS = ["test_dis", "dis_module", "test_peepholer", "test_compile",
                  "test_monitoring"]

SUMMARY_HEADER = re.compile(r"^(\d+) tests? (.*?):?$")
# The last words of every regrtest run that got to the end (3.11-3.13).
RESULT_LINE = re.compile(r"^== Tests result: [A-Z ,]+ ==$", re.M)


def log(msg):
    print(msg, flush=True)


def stdlib_dir_and_prefix(python):
    out = subprocess.run([python, "-c", "import os, sys; print(os.path.dirname(os.__file__)); "
                          "print(sys.prefix if sys.prefix == sys.exec_prefix "
                          "else sys.prefix + os.pathsep + sys.exec_prefix)"],
                         check=True, capture_output=True, text=True)
    libdir, home = out.stdout.splitlines()
    return libdir, home


def available_tests(libdir, names):
    have, missing = [], []
    for name in names:
        base = os.path.join(libdir, "test", name)
        if os.path.exists(base + ".py") or os.path.isdir(base):
            have.append(name)
        else:
            missing.append(name)
    return have, missing


def list_tests(python):
    """The test modules a plain `python3.X -m test` runs."""
    out = subprocess.run([python, "-B", "-m", "test", "--list-tests"],
                         check=True, capture_output=True, text=True)
    return [line.strip() for line in out.stdout.splitlines() if line.strip().startswith("test")]


def compile_stdlib(python, libdir, prefix, jobs):
    # Bad-syntax files in Lib/test make compileall exit non-zero; that is
    # expected, so the exit status is not checked.
    # The prefix goes in the environment: 3.12+ compileall runs its workers
    # from a forkserver, which does not inherit -X pycache_prefix.
    env = dict(os.environ, PYTHONPYCACHEPREFIX=prefix)
    subprocess.run([python, "-m", "compileall", "-q", "-j", str(jobs),
                    "-x", r"[\\/]site-packages[\\/]", libdir],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    count = sum(1 for _, _, files in os.walk(prefix) for f in files if f.endswith(".pyc"))
    if count == 0:
        raise SystemExit("compileall wrote no .pyc under %s" % prefix)
    return count


def transform(kind, bcc, flags, src, dst):
    if kind == "copy":
        shutil.copytree(src, dst)
        return
    command = [bcc, "opt"] + flags + ["-q", src, "-o", dst]
    proc = subprocess.run(command, stderr=subprocess.PIPE, text=True)
    failures = [line for line in proc.stderr.splitlines() if line.strip()]
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not failures):
        raise SystemExit("%s failed (exit %d)\n%s" % (" ".join(command), proc.returncode, proc.stderr))
    # Files bcc could not do are not written; the importer then compiles
    # their source, which the hook reports as a fallback below.
    for line in failures[:20]:
        log("    " + line)
    if len(failures) > 20:
        log("    ... and %d more" % (len(failures) - 20))


def keep_stock(names, libdir, src, dst):
    """Copies the stock .pyc files of the test modules `names` (their own
    code, not what they import) from tree `src` over tree `dst`; returns
    how many."""
    kept = 0
    for name in names:
        for rel in (os.path.join("test", name + ".py"),
                    os.path.join("test", name)):
            source = os.path.join(libdir, rel)
            folder = src + os.path.abspath(os.path.dirname(source))
            if os.path.isfile(source):
                stem = os.path.splitext(os.path.basename(source))[0] + "."
                if os.path.isdir(folder):
                    for f in os.listdir(folder):
                        if f.startswith(stem) and f.endswith(".pyc"):
                            shutil.copy2(os.path.join(folder, f),
                                         dst + os.path.join(folder[len(src):], f))
                            kept += 1
            elif os.path.isdir(source):
                package = src + os.path.abspath(source)
                for root, _, files in os.walk(package):
                    for f in files:
                        if f.endswith(".pyc"):
                            target = dst + root[len(src):]
                            os.makedirs(target, exist_ok=True)
                            shutil.copy2(os.path.join(root, f),
                                         os.path.join(target, f))
                            kept += 1
    return kept


def parse_summary(output):
    """{test module: status} for every module regrtest's summary names."""
    statuses = {}
    lines = output.splitlines()
    i = 0
    while i < len(lines):
        m = SUMMARY_HEADER.match(lines[i].strip())
        if not m or not lines[i].rstrip().endswith(":"):
            i += 1
            continue
        what = m.group(2)
        if "re-run" in what:
            status = None
        elif "failed" in what or "crashed" in what or "interrupted" in what:
            status = "failed"
        elif "skipped" in what or "resource denied" in what:
            status = "skipped"
        elif "altered the execution environment" in what or "env changed" in what:
            status = "env-changed"
        elif "run no tests" in what:
            status = "no-tests"
        else:
            status = what
        i += 1
        while i < len(lines) and lines[i].startswith("    "):
            for name in lines[i].split():
                if status and name.startswith("test"):
                    statuses[name] = status
            i += 1
    return statuses


def run_suite(python, sys_prefix, tree, tests, expected, jobs, timeout, hook_log):
    """Runs regrtest on `tests` (all when empty); {module: status} for
    every module of `expected` and every one its summary names (regrtest
    lists the modules that passed only by number)."""
    env = dict(os.environ)
    env["PYTHONPYCACHEPREFIX"] = tree
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONPATH"] = os.path.join(HERE, "hook")
    env["BCC_REGRTEST_LOG"] = hook_log
    env["BCC_REGRTEST_TREE"] = tree
    # test.support.script_helper starts its child interpreters with -I or -E
    # (ignoring PYTHONPYCACHEPREFIX, so they would run the interpreter's own
    # bytecode, and test_inspect's test_details sees two different
    # __cached__) unless the interpreter looks as if it needs its
    # environment, which it decides from PYTHONHOME being set. The right
    # home changes nothing else.
    env["PYTHONHOME"] = sys_prefix
    cmd = [python, "-X", "frozen_modules=off", "-m", "test", "-j", str(jobs),
           "--timeout", str(timeout)] + tests
    start = time.time()
    with tempfile.TemporaryDirectory(prefix="bcc-regrtest-cwd-") as cwd:
        proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    statuses = parse_summary(output)
    # regrtest names the modules that passed only by number, so a module
    # its summary does not name passed: but only if there is a summary. A
    # run that printed none (it crashed, or a pipeline that removes print
    # calls, such as --assume=no-print, silenced regrtest itself, which
    # runs from the same tree) proves nothing about any module.
    finished = RESULT_LINE.search(output) is not None
    for name in expected:
        statuses.setdefault(name, "ok" if finished else "no-summary")
    return statuses, time.time() - start, output


def read_hook_log(path):
    """The .pyc files loaded from the tree, and how often the importer
    compiled each source file."""
    loaded, from_source = set(), collections.Counter()
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                kind, _, file = line.rstrip("\n").partition(" ")
                if kind == "pyc":
                    loaded.add(file)
                elif kind == "source":
                    from_source[file] += 1
    return loaded, from_source


def has_pyc(tree, source):
    base = os.path.splitext(os.path.basename(source))[0]
    folder = tree + os.path.dirname(os.path.abspath(source))
    if not os.path.isdir(folder):
        return False
    return any(f.startswith(base + ".") and f.endswith(".pyc") for f in os.listdir(folder))


def pyc_files(libdir):
    return {os.path.join(folder, f) for folder, _, files in os.walk(libdir)
            for f in files if f.endswith(".pyc")}


def remove_new_pycs(libdir, before):
    """Deletes the .pyc files that appeared in the interpreter's own tree.

    A few tests start children with an environment stripped of every
    PYTHON* variable (test_support's check_options, e.g. with -OOOO), and
    those write .pyc files next to the sources as a plain run would. The
    interpreter's tree is left as it was found."""
    created = sorted(pyc_files(libdir) - before)
    for path in created:
        try:
            os.remove(path)
        except OSError:
            pass
    return created


def check_version(version, args):
    python = pythons.find_python(version)
    if python is None:
        log("%s: no interpreter found (set BCC_PYTHON_%s)" % (version, version.replace(".", "_")))
        return None
    libdir, sys_prefix = stdlib_dir_and_prefix(python)
    names = args.tests or (CI_TESTS if args.ci else None)
    work = tempfile.mkdtemp(prefix="bcc-regrtest-%s-" % version)
    try:
        stock, ours = os.path.join(work, "stock"), os.path.join(work, "bcc")
        t0 = time.time()
        n = compile_stdlib(python, libdir, stock, args.jobs)
        log("%s: compiled %d .pyc files of %s in %.0fs" % (version, n, libdir, time.time() - t0))
        t0 = time.time()
        transform(args.transform, args.bcc, shlex.split(args.bcc_flags), stock, ours)
        log("%s: %s %s produced the bcc tree in %.0fs" % (version, args.transform, args.bcc_flags if args.transform == "bcc" else "", time.time() - t0))
        if args.stock_tests:
            stock_names = [n for n in args.stock_tests.split(",") if n]
            kept = keep_stock(stock_names, libdir, stock, ours)
            log("%s: kept the stock bytecode of %s (%d files); what they "
                "import comes from the bcc tree" % (version, ", ".join(stock_names), kept))
        if names is None:
            tests = []  # regrtest's own default: every test module
            expected = list_tests(python)
        else:
            tests, missing = available_tests(libdir, names)
            if missing:
                log("%s: not in this version: %s" % (version, " ".join(missing)))
            expected = tests
        results = {}
        for label, tree in (("stock", stock), ("bcc", ours)):
            hook_log = os.path.join(work, label + ".log")
            before = pyc_files(libdir)
            statuses, secs, output = run_suite(python, sys_prefix, tree, tests, expected, args.jobs,
                                               args.timeout, hook_log)
            if args.keep_output:
                os.makedirs(args.keep_output, exist_ok=True)
                with open(os.path.join(args.keep_output, "%s-%s.txt" % (version, label)), "w") as f:
                    f.write(output)
            created = remove_new_pycs(libdir, before)
            if created:
                log("%s: %s: removed %d .pyc files that tests wrote into %s"
                    % (version, label, len(created), libdir))
            loaded, from_source = read_hook_log(hook_log)
            # Stdlib modules the importer compiled from source although the
            # stock tree has a .pyc for them. On the stock tree these come
            # from tests that change the pycache settings on purpose
            # (test_compileall, test_importlib, test_cmd_line...: none in the
            # CI list). On bcc's tree, a module compiled more often than on
            # the stock tree is a fallback: bcc did not write its .pyc, or
            # the importer refused it.
            compiled = collections.Counter({f: n for f, n in from_source.items()
                                            if f.startswith(libdir) and has_pyc(stock, f)})
            if label == "stock":
                stock_compiled = compiled
                fallbacks = []
            else:
                fallbacks = sorted(f for f, n in compiled.items() if n > stock_compiled[f])
            results[label] = statuses
            log("%s: %-5s %d test modules in %.0fs; %d stdlib files loaded from the tree, "
                "%d compiled from source although the stock tree has a .pyc%s"
                % (version, label, len(statuses), secs, len(loaded), len(compiled),
                   "" if label == "stock" else " (%d more often than on the stock tree)" % len(fallbacks)))
            for f in (sorted(compiled) if label == "stock" else fallbacks)[:20]:
                log("    %s: %s" % ("compiled from source" if label == "stock" else "fell back to source", f))
            if len(loaded) == 0:
                log("%s: %s: the hook saw no .pyc loaded from the tree" % (version, label))
                fallbacks.append("<nothing loaded>")
            results[label + "-fallbacks"] = fallbacks
        stock_r, ours_r = results["stock"], results["bcc"]
        differ = sorted(t for t in set(stock_r) | set(ours_r) if stock_r.get(t) != ours_r.get(t))
        counts = {}
        for status in stock_r.values():
            counts[status] = counts.get(status, 0) + 1
        log("%s: stock results: %s" % (version, ", ".join("%s %d" % kv for kv in sorted(counts.items()))))
        for t in differ:
            log("%s: DIFFERENT %-30s stock=%s bcc=%s" % (version, t, stock_r.get(t), ours_r.get(t)))
        same = len(stock_r) - len(differ)
        log("%s: %d of %d test modules give the same result on bcc's bytecode" % (version, same, len(stock_r)))
        ok = not differ and not results["bcc-fallbacks"] and not results["stock-fallbacks"]
        return ok
    finally:
        if not args.keep_trees:
            shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bcc", default=os.environ.get("BCC_BINARY"),
                        help="the bcc binary (default: $BCC_BINARY)")
    parser.add_argument("--versions", default="3.11,3.12,3.13",
                        help="comma-separated CPython versions (default: %(default)s)")
    parser.add_argument("--ci", action="store_true",
                        help="run the representative CI subset instead of the whole suite")
    parser.add_argument("--bcc-flags", default="-O0",
                        help="the options of `bcc opt` that make tree B, as one "
                             "string (default: %(default)s): --bcc-flags \"-O2\", "
                             "--bcc-flags \"-O3 --assume=stable-functions\" (not "
                             "no-print: regrtest runs from tree B too and would "
                             "print no results)")
    parser.add_argument("--stock-tests", default="", metavar="LIST",
                        help="comma-separated test modules whose own .pyc stays "
                             "CPython's (the stdlib they import still comes from "
                             "tree B): for pipelines that change every function, "
                             "the tests that compare their own functions' "
                             "bytecode with expected listings (%s)"
                             % ",".join(BYTECODE_TESTS))
    parser.add_argument("--transform", choices=["bcc", "copy"], default="bcc",
                        help="how tree B is made: bcc opt with --bcc-flags, or a plain copy (harness self-test)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=int, default=900, help="per test module, seconds")
    parser.add_argument("--keep-trees", action="store_true", help="keep the compiled trees")
    parser.add_argument("--keep-output", metavar="DIR", help="save regrtest's output here")
    parser.add_argument("tests", nargs="*", help="test modules (default: all, or the CI subset)")
    # `--bcc-flags "-O2"`: the value starts with '-', which argparse would
    # take for an option of its own.
    argv = sys.argv[1:]
    for i, arg in enumerate(argv[:-1]):
        if arg == "--bcc-flags":
            argv[i:i + 2] = ["--bcc-flags=" + argv[i + 1]]
            break
    args = parser.parse_args(argv)
    if args.transform == "bcc" and not args.bcc:
        parser.error("--bcc (or $BCC_BINARY) is needed unless --transform=copy")
    all_ok = True
    ran = 0
    for version in args.versions.split(","):
        ok = check_version(version.strip(), args)
        if ok is None:
            continue
        ran += 1
        all_ok = all_ok and ok
    if ran == 0:
        log("no interpreter found for %s" % args.versions)
        return 1
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
