"""bcc.register_pass: passes written in Python.

The tradition's "write your own hack", without C++. A function that takes
the IR's text form (docs/ir.md, section 6: what bcc.lift prints) and
returns the new text, or None for no change, becomes a pass of the same
registry as bcc's own passes and the plugins' (bindings/PythonPasses.cpp),
so pipelines name it like any other:

    import re, bcc

    @bcc.register_pass("two-to-three", description="2 becomes 3")
    def two_to_three(text):
        text = re.sub(r"(consts: .*)\\b2\\b", r"\\g<1>3", text)  # the pool
        return re.sub(r"\\bconst 2\\b", "const 3", text)         # its uses

    bcc.optimize(f, passes="two-to-three,dce", always=True)

bcc.optimize hands a pass the text of its stand-in module: function @0 is
a module that does nothing, @1 is the optimized function, and the functions
it may inline follow. What comes back must parse and verify (bcc checks
both, and lowering's stack form); otherwise, or if the function raises, the
pass fails with an error naming it, and bcc.optimize warns and leaves the
function as it was. Objects the text cannot spell (a module or a function
that fold-globals put into a pool) appear as str constants
'\\x00bcc host object N: REPR' and come back wherever the text keeps them.
docs/embedding.md, section 3, has the details.
"""

from . import _bcc

__all__ = ["register_pass"]

_GRANULARITIES = ("module", "function")


def register_pass(name, function=None, *, kind="exact", description="",
                  granularity="module"):
    """Registers `function(text) -> str or None` as the pass `name`.

    Also a decorator: @bcc.register_pass("my-pass") on the function.
    Returns the function.

    name: lowercase words joined by "-", not taken by another pass.
    kind: "exact" (nothing a program can see changes), "facts" (relies on
        facts bcc.optimize grants) or "test", as docs/passes.md defines
        them; bcc trusts it.
    description: one line for bcc.passes(); by default the first line of
        the function's docstring.
    granularity: "module" calls the function once with the module's text;
        "function" once per function, with that function's text
        (`function @N ... { ... }`), which must come back as one function.

    A name that is taken or malformed, an unknown kind or granularity
    raise ValueError; registered passes stay for the life of the process.
    """
    if granularity not in _GRANULARITIES:
        raise ValueError("bcc.register_pass: granularity must be 'module' or "
                         "'function', not %r" % (granularity,))

    def register(function):
        text = description
        doc = getattr(function, "__doc__", None)
        if not text and isinstance(doc, str):
            lines = [line.strip() for line in doc.strip().splitlines()]
            text = lines[0] if lines else ""
        _bcc.register_pass(name, function, kind, text, granularity)
        return function

    if function is None:
        return register
    return register(function)
