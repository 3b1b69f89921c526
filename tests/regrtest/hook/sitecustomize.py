"""Logs, for tests/regrtest/run_regrtest.py, where imported code comes from.

Each line of $BCC_REGRTEST_LOG is "pyc PATH" for a module loaded from a .pyc
under $BCC_REGRTEST_TREE, or "source PATH" for a module the importer compiled
from source. Modules imported before this file runs (the interpreter's start)
are not seen.
"""
import os

_log_path = os.environ.get("BCC_REGRTEST_LOG")
_tree = os.environ.get("BCC_REGRTEST_TREE")


def _install():
    from importlib import _bootstrap_external as external

    def record(kind, path):
        try:
            with open(_log_path, "a", encoding="utf-8", errors="replace") as f:
                f.write("%s %s\n" % (kind, path))
        except OSError:
            pass

    original_compile_bytecode = external._compile_bytecode

    def compile_bytecode(data, name=None, bytecode_path=None, source_path=None):
        if bytecode_path and _tree and str(bytecode_path).startswith(_tree):
            record("pyc", bytecode_path)
        return original_compile_bytecode(data, name, bytecode_path, source_path)

    original_source_to_code = external.SourceLoader.source_to_code

    def source_to_code(self, data, path, *args, **kwargs):
        record("source", path)
        return original_source_to_code(self, data, path, *args, **kwargs)

    external._compile_bytecode = compile_bytecode
    external.SourceLoader.source_to_code = source_to_code


if _log_path:
    _install()
