"""Logs, for tests/regrtest/run_regrtest.py, where imported code comes from.

Each line of $BCC_REGRTEST_LOG is "pyc PATH" for a .pyc under
$BCC_REGRTEST_TREE that was opened (the importer reads a module's .pyc with
io.open_code), or "source PATH" for a .py file given to compile(), which is
what the importer does when it has no .pyc it likes. Modules imported before
this file runs (the interpreter's start) are not seen.

It listens to audit events (sys.addaudithook) instead of wrapping the
importer's functions: the interpreter does not trace or profile audit hooks,
so tests that record every call and line (test_bdb, test_trace,
test_sys_settrace...) see the same events as without the hook.
"""
import os
import sys

_log_path = os.environ.get("BCC_REGRTEST_LOG")
_tree = os.environ.get("BCC_REGRTEST_TREE")


def _from_importer():
    # The importer compiles a module's source in SourceLoader.source_to_code
    # (through _call_with_frames_removed); tests also compile stdlib files,
    # and those are not fallbacks.
    try:
        frame = sys._getframe(1)  # the hook; its caller called compile()
    except ValueError:
        return False
    for _ in range(4):
        frame = frame.f_back
        if frame is None:
            return False
        if frame.f_code.co_name == "source_to_code":
            return True
    return False


def _install():
    writing = False

    def record(kind, path):
        # os.open raises an "open" event of its own; the flag keeps that one
        # out of the log.
        nonlocal writing
        if writing:
            return
        writing = True
        try:
            fd = os.open(_log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, ("%s %s\n" % (kind, path)).encode("utf-8", "replace"))
            finally:
                os.close(fd)
        except OSError:
            pass
        finally:
            writing = False

    def hook(event, args):
        if event == "open":
            path = args[0]
            if isinstance(path, str) and path.endswith(".pyc") and _tree and path.startswith(_tree):
                record("pyc", path)
        elif event == "compile":
            path = args[1] if len(args) > 1 else None
            if isinstance(path, str) and path.endswith(".py") and _from_importer():
                record("source", path)

    sys.addaudithook(hook)


if _log_path:
    _install()
