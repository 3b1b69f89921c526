#!/usr/bin/env python3
"""The installed bcc, used the way another project uses it (docs/embedding.md).

In a fresh temporary folder:

  1. `cmake --install BUILD --prefix PREFIX`; the public headers are there
     and the private ones are not; every installed header compiles against
     PREFIX alone (one translation unit including them all, built through
     find_package(bcc) and bcc::headers);
  2. copies of examples/embed, examples/plugin and tests/install (plugins
     bcc must refuse) are configured and built against PREFIX
     (CMAKE_PREFIX_PATH, no path into the source tree), without LTO, so
     that the installed archives must hold machine code;
  3. for each CPython 3.11-3.13 found (pythons.py), a small program is
     byte-compiled; the embed tool (pycopt) optimizes it at -O2 and with
     a pass list, and the result loads and runs the same in that
     interpreter; the installed bcc runs the plugin's pass by name
     (--passes=count-calls with --stats and --remarks) and at its
     extension point (-O2), and --print-after and --list-passes know it;
  4. the errors: pycopt on a missing file and on a file that is not a
     .pyc (one line naming it, exit 1, no output written); bcc opt with a
     plugin for another API version, a shared object without the entry
     point, a plugin whose pass clashes with one of bcc's, one that needs a
     symbol bcc does not have, one whose registration throws, a file that
     is not a shared object and a missing file: each exactly one line on
     stderr naming the file and the problem, and exit status 1.

  test_install.py --build BUILD --source SRC [--cmake CMAKE]
                  [--cxx-compiler CXX] [--generator GEN] [--keep]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402

VERSIONS = ("3.11", "3.12", "3.13")

PROGRAM = """\
import math

DEBUG = False
SCALE = 2

def area(r):
    if DEBUG:
        print("area", r)
    return math.pi * r * r * SCALE

class Shape:
    def __init__(self, sides):
        self.sides = sides

    def describe(self):
        return "%d sides" % self.sides if self.sides > 2 else "round"

def main():
    xs = []
    for i in range(5):
        xs.append(round(area(i), 3))
    print(len(xs), xs, sorted(xs, reverse=True)[0])
    print([Shape(n).describe() for n in (0, 3, 4)])
    print(1 + 2 * 3, not not xs, "x" if 3 > 2 else "y")
    try:
        {}["missing"]
    except KeyError as e:
        print("KeyError", e)

main()
"""

# Run a .pyc's code as __main__ without the import system (no source
# check, no cache): exactly the code bcc wrote.
RUN_PYC = ("import marshal, sys\n"
           "data = open(sys.argv[1], 'rb').read()\n"
           "exec(marshal.loads(data[16:]), {'__name__': '__main__'})\n")

# Private headers that must not be installed (a sample of each layer's).
PRIVATE = ("ir/MarshalFormat.h", "ir/TextReader.h", "ir/ConstantLiteral.h",
           "frontend/BytecodeCFG.h", "frontend/BytecodeDecoder.h",
           "backend/StackScheduler.h", "backend/MachineCode.h",
           "passes/IRUtils.h", "passes/Inliner.h", "passes/BuiltinPasses.h",
           "passes/Passes.def")
PUBLIC = ("ir/IR.h", "ir/Verifier.h", "frontend/MarshalReader.h",
          "frontend/Lifter.h", "backend/Lowering.h", "backend/MarshalWriter.h",
          "passes/PassManager.h", "passes/PassRegistry.h",
          "passes/Pipelines.h", "passes/PassPlugin.h")

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)
        print("FAIL: " + what)
    return condition


def run(command, cwd=None, expect=0):
    """Runs `command`; its CompletedProcess. A status other than `expect`
    (None: any) is a failure, reported with the output."""
    result = subprocess.run(command, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, universal_newlines=True)
    if expect is not None and result.returncode != expect:
        check(False, "%s: exit status %d, expected %d\n%s%s" % (
            " ".join(command), result.returncode, expect, result.stdout,
            result.stderr))
    return result


def cmake_project(args, source, build, prefix):
    """Configures and builds the CMake project in `source` against the
    installed bcc at `prefix`; True if both steps worked."""
    configure = [args.cmake, "-S", source, "-B", build,
                 "-DCMAKE_PREFIX_PATH=" + prefix,
                 "-DCMAKE_BUILD_TYPE=Release"]
    if args.generator:
        configure += ["-G", args.generator]
    if args.cxx_compiler:
        configure += ["-DCMAKE_CXX_COMPILER=" + args.cxx_compiler]
    if run(configure).returncode != 0:
        return False
    built = run([args.cmake, "--build", build, "-j", "2"])
    if built.returncode != 0:
        return False
    check("warning:" not in built.stdout + built.stderr,
          "%s builds with warnings:\n%s%s" % (
              os.path.basename(source), built.stdout, built.stderr))
    return True


def check_install(args, prefix):
    include = os.path.join(prefix, "include", "bcc")
    for header in PUBLIC:
        check(os.path.isfile(os.path.join(include, header)),
              "public header %s is not installed" % header)
    for header in PRIVATE:
        check(not os.path.exists(os.path.join(include, header)),
              "private header %s is installed" % header)
    config = os.path.join(prefix, "lib", "cmake", "bcc")
    for name in ("bccConfig.cmake", "bccConfigVersion.cmake",
                 "bccTargets.cmake", "bccDependencies.cmake"):
        check(os.path.isfile(os.path.join(config, name)),
              "%s is not installed" % name)


def check_headers_alone(args, work, prefix):
    """Every installed header compiles with only the installed tree (and
    LLVM's and Boost's headers) on the include path."""
    include = os.path.join(prefix, "include", "bcc")
    headers = []
    for root, _, files in os.walk(include):
        for name in files:
            if name.endswith(".h"):
                headers.append(os.path.relpath(os.path.join(root, name),
                                               include))
    source = os.path.join(work, "headers")
    os.makedirs(source)
    with open(os.path.join(source, "all.cpp"), "w") as f:
        for header in sorted(headers):
            f.write('#include "%s"\n' % header)
    with open(os.path.join(source, "CMakeLists.txt"), "w") as f:
        f.write("cmake_minimum_required(VERSION 3.20)\n"
                "project(headers LANGUAGES CXX)\n"
                "find_package(bcc CONFIG REQUIRED)\n"
                "add_library(every_header OBJECT all.cpp)\n"
                "target_link_libraries(every_header PRIVATE bcc::headers)\n")
    check(cmake_project(args, source, os.path.join(work, "headers-build"),
                        prefix),
          "the installed headers do not compile on their own")


def plugin_api_version(prefix):
    """BCC_PLUGIN_API_VERSION, as the installed header defines it."""
    header = os.path.join(prefix, "include", "bcc", "passes", "PassPlugin.h")
    with open(header) as f:
        for line in f:
            words = line.split()
            if words[:2] == ["#define", "BCC_PLUGIN_API_VERSION"]:
                return int(words[2])
    raise RuntimeError("no BCC_PLUGIN_API_VERSION in " + header)


def byte_compile(python, source, pyc):
    run([python, "-c",
         "import py_compile, sys; py_compile.compile(sys.argv[1], "
         "cfile=sys.argv[2], doraise=True)", source, pyc])


def runs_the_same(python, original, optimized, what):
    a = run([python, "-c", RUN_PYC, original], expect=None)
    b = run([python, "-c", RUN_PYC, optimized], expect=None)
    check((a.returncode, a.stdout, a.stderr) ==
          (b.returncode, b.stdout, b.stderr),
          "%s runs differently:\n--- original (%d)\n%s%s--- bcc (%d)\n%s%s"
          % (what, a.returncode, a.stdout, a.stderr, b.returncode, b.stdout,
             b.stderr))
    check(a.returncode == 0 and "KeyError 'missing'" in a.stdout,
          "%s: the test program itself failed:\n%s%s" % (what, a.stdout,
                                                          a.stderr))


def one_line_error(result, path, words, what):
    """Exit status 1 and exactly one line on stderr naming `path` and
    containing each of `words`."""
    lines = result.stderr.splitlines()
    ok = (result.returncode == 1 and len(lines) == 1 and path in lines[0]
          and all(w in lines[0] for w in words))
    check(ok, "%s: expected one line with %r and %r, exit status 1; got "
          "%d:\n%s" % (what, path, words, result.returncode, result.stderr))


def check_version(args, version, python, work, pycopt, bcc, plugin):
    print("== CPython %s (%s)" % (version, python))
    folder = os.path.join(work, "py" + version)
    os.makedirs(folder)
    source = os.path.join(folder, "prog.py")
    with open(source, "w") as f:
        f.write(PROGRAM)
    pyc = os.path.join(folder, "prog.pyc")
    byte_compile(python, source, pyc)

    # The embed tool.
    for flags in (["-O2"], ["-O3", "--assume=stable-functions"],
                  ["--passes=const-fold,fold-branches,simplify-cfg,dce"]):
        out = os.path.join(folder, "embed%s.pyc" % len(flags))
        if run([pycopt] + flags + [pyc, "-o", out]).returncode == 0:
            runs_the_same(python, pyc, out, "pycopt %s" % " ".join(flags))
    stats = run([pycopt, "-O3", "--stats", pyc, "-o",
                 os.path.join(folder, "stats.pyc")])
    check("inline: " in stats.stdout,
          "pycopt -O3 --stats printed no inline counter:\n" + stats.stdout)

    # The plugin's pass by name, with stats and remarks.
    out = os.path.join(folder, "plugin-passes.pyc")
    named = run([bcc, "opt", "-q", "--load-pass-plugin=" + plugin,
                 "--passes=count-calls", "--stats", "--remarks", pyc,
                 "-o", out])
    check("count-calls: calls: " in named.stdout,
          "--passes=count-calls --stats: no count:\n" + named.stdout)
    check("main: count-calls: done: " in named.stdout and ".append x1"
          in named.stdout,
          "--passes=count-calls --remarks: no remark for main:\n" +
          named.stdout)
    runs_the_same(python, pyc, out, "bcc opt --passes=count-calls")

    # At its extension point, in -O2.
    out = os.path.join(folder, "plugin-O2.pyc")
    level = run([bcc, "opt", "-q", "-O2", "--load-pass-plugin=" + plugin,
                 "--stats", "--remarks=count-calls",
                 "--print-after=count-calls", pyc, "-o", out])
    check("count-calls: calls: " in level.stdout,
          "-O2 with the plugin: count-calls did not run at optimizer-last:\n"
          + level.stdout)
    check("IR Dump After count-calls" in level.stderr,
          "--print-after=count-calls printed nothing")
    check(all(": count-calls: " in line
              for line in level.stdout.splitlines() if ": done: " in line),
          "--remarks=count-calls printed other passes' remarks")
    runs_the_same(python, pyc, out, "bcc opt -O2 with the plugin")
    # Without the plugin the same -O2 does not have it.
    plain = run([bcc, "opt", "-q", "-O2", "--stats", pyc, "-o",
                 os.path.join(folder, "plain.pyc")])
    check("count-calls" not in plain.stdout,
          "-O2 without the plugin ran count-calls")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, help="bcc's build folder")
    parser.add_argument("--source", required=True,
                        help="bcc's source tree (for examples/ and tests/)")
    parser.add_argument("--cmake", default="cmake")
    parser.add_argument("--cxx-compiler", default="",
                        help="the compiler bcc was built with (same ABI)")
    parser.add_argument("--generator", default="")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="bcc-install-")
    try:
        prefix = os.path.join(work, "prefix")
        if run([args.cmake, "--install", args.build, "--prefix",
                prefix]).returncode != 0:
            return 1
        check_install(args, prefix)
        check_headers_alone(args, work, prefix)

        # The projects are copied out of the source tree, so that nothing
        # but the installed package can be found.
        built = {}
        for name, source in (("embed", "examples/embed"),
                             ("plugin", "examples/plugin"),
                             ("bad", "tests/install")):
            copy = os.path.join(work, name)
            shutil.copytree(os.path.join(args.source, source), copy)
            built[name] = cmake_project(args, copy, copy + "-build", prefix)
            check(built[name], "%s does not build against the install"
                  % source)
        if not all(built.values()):
            return 1
        pycopt = os.path.join(work, "embed-build", "pycopt")
        plugin = os.path.join(work, "plugin-build", "libCountCalls.so")
        bad = os.path.join(work, "bad-build")
        bcc = os.path.join(prefix, "bin", "bcc")

        found = {v: pythons.find_python(v) for v in VERSIONS}
        found = {v: p for v, p in found.items() if p}
        check(found, "no CPython 3.11-3.13 found")
        for version, python in found.items():
            check_version(args, version, python, work, pycopt, bcc, plugin)

        # --help and --list-passes.
        helped = run([pycopt, "--help"])
        check(helped.stdout.startswith("usage: pycopt"), "pycopt --help")
        listed = run([bcc, "opt", "--load-pass-plugin=" + plugin,
                      "--list-passes"])
        check("count-calls" in listed.stdout and "from plugin count-calls"
              in listed.stdout, "--list-passes does not list the plugin's "
              "pass:\n" + listed.stdout)

        # The errors.
        some_pyc = os.path.join(work, "py" + next(iter(found)), "prog.pyc")
        text = os.path.join(work, "not-a-plugin.txt")
        with open(text, "w") as f:
            f.write("not a shared object\n")
        out = os.path.join(work, "never.pyc")
        missing = os.path.join(work, "missing.pyc")
        one_line_error(run([pycopt, missing, "-o", out], expect=None),
                       missing, ["cannot open"], "pycopt on a missing file")
        one_line_error(run([pycopt, text, "-o", out], expect=None), text,
                       ["magic number"], "pycopt on a text file")
        check(not os.path.exists(out), "pycopt wrote output after an error")
        api = plugin_api_version(prefix)
        cases = (
            (os.path.join(bad, "libBadVersion.so"),
             ["API version %d" % (api + 1), "this bcc has %d" % api],
             "another API version"),
            (os.path.join(bad, "libNoEntryPoint.so"),
             ["not a bcc pass plugin", "bccGetPassPluginInfo"],
             "no entry point"),
            (os.path.join(bad, "libClash.so"),
             ["'clash'", "'dce' is already registered"], "a clashing name"),
            (os.path.join(bad, "libUnresolved.so"),
             ["cannot load pass plugin", "undefined symbol",
              "functionNoBccHas"], "a symbol bcc does not have"),
            (os.path.join(bad, "libThrows.so"),
             ["'throws'", "threw", "no configuration file"],
             "a registration that throws"),
            (text, ["it is not a shared object"], "not a shared object"),
            (os.path.join(work, "missing.so"),
             ["No such file or directory"], "a missing file"),
        )
        for path, words, what in cases:
            result = run([bcc, "opt", "-q", "--load-pass-plugin=" + path,
                          "--passes=dce", some_pyc, "-o", out], expect=None)
            one_line_error(result, path, words, "plugin: " + what)
            print("plugin %s: %s" % (what, result.stderr.strip()))
        check(not os.path.exists(out), "bcc opt wrote output after a bad "
              "plugin")
    finally:
        if args.keep:
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)

    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    print("install: every check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
