"""python -m bcc: bcc's command line, from the package.

    python -m bcc dis [-O] FILE.pyc...        the driver's `bcc dis`
    python -m bcc opt [OPTIONS] IN            the driver's `bcc opt`
    python -m bcc run [OPTIONS] SCRIPT [ARGS...]
                                              SCRIPT as __main__, optimized,
                                              with the import hook installed
    python -m bcc --version | --help

`dis`, `opt` and `--version` are the bcc driver itself (tools/bcc), linked
into the extension: the same options, output and exit statuses as the
`bcc` executable (docs/cli.md). `run` is the package's own. The top-level
help lists the driver's commands and `run`.
"""

import argparse
import signal
import sys

from . import _bcc, _hook

PROG = "python -m bcc"

_RUN_SUMMARY = "run a Python script, optimized, with bcc's import hook"

_RUN_DESCRIPTION = """\
Runs SCRIPT as __main__, with ARGS as its sys.argv[1:], optimized at LEVEL
and with bcc's import hook installed (bcc.install): the modules it imports
are optimized as they are loaded, those matching an --include pattern or,
without one, every module outside the standard library. Everything after
SCRIPT is the script's, options and -- included."""

# The options of run that take their value as the next argument.
_RUN_OPTIONS_WITH_VALUE = ("-O", "--assume", "--include", "--passes")


def _top_level_help():
    lines = ["usage: %s [--version] [--help] COMMAND [ARGS...]" % PROG, "",
             "bcc is an optimizing compiler for CPython bytecode "
             "(CPython 3.8-3.15 .pyc files).", "",
             "commands:"]
    for name, summary in _bcc.driver_commands() + [("run", _RUN_SUMMARY)]:
        lines.append("  %-8s %s" % (name, summary))
    lines += ["",
              "Run '%s COMMAND --help' for the options of one command." % PROG]
    return "\n".join(lines) + "\n"


def _run_parser():
    parser = argparse.ArgumentParser(
        prog=PROG + " run", description=_RUN_DESCRIPTION,
        usage="%(prog)s [-O LEVEL] [--assume=LIST] [--include=PATTERN]...\n"
              "                         [--passes=LIST] SCRIPT [ARGS...]",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False)
    parser.add_argument(
        "-O", dest="level", type=int, choices=range(4), default=3,
        metavar="LEVEL",
        help="the optimization level, 0 to 3, as -O2 or -O 2 (default: 3; "
             "docs/passes.md says what each level may change)")
    parser.add_argument(
        "--assume", action="append", default=[], metavar="LIST",
        help="grant facts, a comma list: module-constants, "
             "stable-functions, stable-globals, no-print, or all "
             "(repeatable)")
    parser.add_argument(
        "--include", action="append", metavar="PATTERN",
        help="optimize only the modules whose dotted name matches this "
             "fnmatch pattern (repeatable; 'pkg.*' covers pkg too)")
    parser.add_argument(
        "--passes", default="", metavar="LIST",
        help="run these passes instead of the level's pipeline, as "
             "`bcc opt --passes`")
    parser.add_argument("script", metavar="SCRIPT",
                        help="the script to run as __main__")
    return parser


def _split_run_arguments(argv):
    """(run's options and SCRIPT, the script's ARGS): everything after
    the script is passed on untouched, `--` and options included."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return argv[:i + 2], argv[i + 2:]
        if arg == "-" or not arg.startswith("-"):
            return argv[:i + 1], argv[i + 1:]
        if arg in _RUN_OPTIONS_WITH_VALUE:
            i += 1
        i += 1
    return argv, []


def _run(argv):
    own, script_args = _split_run_arguments(argv)
    options = _run_parser().parse_args(own)
    assume = tuple(name.strip() for names in options.assume
                   for name in names.split(",") if name.strip())
    _hook.run_path(options.script, script_args, level=options.level,
                   assume=assume, include=options.include,
                   passes=options.passes)
    return 0


def _driver(argv):
    # The driver runs in C++ until it returns, as the `bcc` executable
    # does: Ctrl-C and a closed pipe end the process there too, instead
    # of waiting for the whole run to raise KeyboardInterrupt afterwards.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    return _bcc.driver(argv)


def main(argv=None):
    """The exit status of `python -m bcc ARGV...`."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv:
        sys.stdout.write(_top_level_help())
        return 2
    if argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(_top_level_help())
        return 0
    if argv[0] == "run":
        return _run(argv[1:])
    # dis, opt, --version, and the driver's message for anything else.
    return _driver(argv)


if __name__ == "__main__":
    sys.exit(main())
