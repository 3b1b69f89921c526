"""Helpers of the package's tests: modules made from source text, so that
each test has a namespace of its own to bind, rebind and delete in."""

import contextlib
import io
import itertools
import sys
import textwrap
import types

_counter = itertools.count()


def make_module(source, name=None):
    """A module object (registered in sys.modules) whose namespace is what
    `source` defines; its functions' __globals__ is the module's dict."""
    name = name or "bcc_test_module_%d" % next(_counter)
    module = types.ModuleType(name)
    module.__file__ = "<%s>" % name
    sys.modules[name] = module
    code = compile(textwrap.dedent(source), module.__file__, "exec")
    exec(code, module.__dict__)
    return module


@contextlib.contextmanager
def captured_stdout():
    saved = sys.stdout
    sys.stdout = io.StringIO()
    try:
        yield sys.stdout
    finally:
        sys.stdout = saved


def opnames(function):
    import dis
    return [i.opname for i in dis.get_instructions(function)]
