"""Code that `bcc opt` compiled ahead of time for one of the decorators.

At -O2 and -O3, `bcc opt` gives a function decorated with `@bcc.optimize`,
`@bcc.cache_globals`, `@bcc.unprint`, `@bcc.smartdebug` or `@bcc.inline`
the code the decorator would give it at import (the pass apply-decorators,
docs/passes.md), from the facts the module's code proves. It marks that
code: its co_consts end with the function's original code object and the
tuple

    ("\\x00bcc-aot", DECORATOR, INDEX_OF_ORIGINAL_CODE, (NAMES...),
     (EXPECTED...))

where NAMES are the globals the new code relies on ("SCALE", "helper",
"print" when the builtin print's calls were removed, "config.DEBUG" for an
attribute of a module read through the global `config`) and EXPECTED holds,
for each name, `(literal,)` when the code folded it to that literal, else
`()`. When the decorator runs at import it finds the mark here and keeps
the code only if every folded name holds its literal (another module may
have set `config.DEBUG` before this one was imported) and `print` is the
builtin; it then watches NAMES, with the original code to go back to.

This module uses nothing but the standard library: it also works in a
stand-in `bcc` that only wants to know whether the mark is there.
"""

import types

MARKER = "\x00bcc-aot"


def aot_marker(code):
    """(decorator_name, original_code, names, expected) if `code` was
    compiled ahead of time by `bcc opt`, else None."""
    consts = getattr(code, "co_consts", None)
    if not consts:
        return None
    for const in reversed(consts):
        if type(const) is not tuple or len(const) != 5 or \
                const[0] != MARKER:
            continue
        name, index, names, expected = const[1:]
        if type(name) is not str or type(index) is not int or \
                type(names) is not tuple or type(expected) is not tuple or \
                len(expected) != len(names) or \
                not all(type(e) is tuple and len(e) <= 1 for e in expected) \
                or not 0 <= index < len(consts):
            return None
        original = consts[index]
        if not isinstance(original, types.CodeType):
            return None
        return name, original, names, expected
    return None


def same_literal(a, b):
    """Whether `a` is the literal `b` (a constant of marshaled code): the
    same type and value, so that True is not 1, and -0.0 is not 0.0."""
    if type(a) is not type(b):
        return False
    if type(a) in (tuple, frozenset):
        if len(a) != len(b):
            return False
        if type(a) is frozenset:
            return a == b and all(
                any(same_literal(x, y) for y in b) for x in a)
        return all(same_literal(x, y) for x, y in zip(a, b))
    if type(a) in (float, complex):
        return repr(a) == repr(b)
    try:
        return bool(a == b)
    except Exception:
        return False


def watch_facts(function, names, builtins, expected=None):
    """What the decorator watches for code compiled ahead of time: (facts,
    callees) in the form bcc/_live.py gives bcc._bcc.watch and make_guard
    (facts: (dict, key, present, value); callees: the functions among the
    names, whose code and defaults are watched), or None when a name is not
    bound as the code expects (then its premise does not hold, and the
    original code must be used). `builtins` is the builtins dict of the
    function's globals. `expected`, parallel to `names`: `(literal,)` for
    a name the code folded to that literal, which it must hold now.

    "SCALE" is function.__globals__["SCALE"]; "print" is the builtin while
    the namespace does not bind it; "config.DEBUG" is the global `config`,
    a module, and its attribute DEBUG."""
    namespace = function.__globals__
    facts, callees, seen = [], [], set()

    def watch(space, key, present, value):
        if (id(space), key) not in seen:
            seen.add((id(space), key))
            facts.append((space, key, present, value))

    for position, name in enumerate(names):
        first, _, rest = name.partition(".")
        if first == "print" and not rest and first in namespace:
            return None  # calls of the builtin were removed; this is not it
        if first in namespace:
            value = namespace[first]
            watch(namespace, first, True, value)
        elif first in builtins and not rest:
            value = builtins[first]
            watch(namespace, first, False, None)
            watch(builtins, first, True, value)
        else:
            return None
        for attribute in rest.split(".") if rest else ():
            if not isinstance(value, types.ModuleType) or \
                    attribute not in value.__dict__:
                return None
            space = value.__dict__
            value = space[attribute]
            watch(space, attribute, True, value)
        if expected is not None and expected[position] and \
                not same_literal(value, expected[position][0]):
            return None
        if isinstance(value, types.FunctionType) and value is not function \
                and value.__globals__ is namespace and value not in callees:
            callees.append(value)
    return facts, callees
