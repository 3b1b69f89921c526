"""bcc: an optimizing compiler for CPython bytecode, from Python.

The package wraps bcc's C++ core (the extension bcc._bcc): live functions
are lifted from their code objects, optimized with the facts only a live
function has, and given their new code, which goes back to the original
when one of those facts stops holding. docs/python.md documents every
name exported here.
"""

from . import _bcc

__version__ = _bcc.__version__

__all__ = ["__version__"]
