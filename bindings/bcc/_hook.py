"""The import hook: modules optimized as they are imported.

bcc.install(level=3, assume=(), include=None) puts a finder first on
sys.meta_path. For a module it is asked to optimize (its name matches one
of the `include` patterns, or, without them, any module loaded from a
source file outside the standard library), the finder hands the normal
spec a loader of bcc's own, a SourceFileLoader whose get_code:

1. reads bcc's cache if it is there and still valid: a .pyc beside
   CPython's own, under a name of bcc's (`mod.cpython-312.bcc-O3-<tag>.pyc`
   where the tag hashes the options and bcc's version), with CPython's
   timestamp header (the source's mtime and size), so it goes stale exactly
   when CPython's would;
2. otherwise lets CPython compile the module as always (which writes
   CPython's cache, untouched by bcc), runs bcc's pipeline on the module's
   code (_bcc.optimize_pyc: what `bcc opt` does to one .pyc, the facts read
   from the module's own code), writes bcc's cache (unless
   sys.dont_write_bytecode) and returns the new code;
3. if bcc fails, warns (bcc.OptimizationWarning) and returns CPython's code:
   a module bcc cannot optimize is imported unoptimized, never not at all.

The module itself runs normally: its __spec__, __file__ and __cached__
(CPython's .pyc) are what they would be; only __loader__ is bcc's.
"""

import _imp
import fnmatch
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import marshal
import os
import sys
import sysconfig
import types
import warnings
from importlib import _bootstrap_external

from . import _bcc
from ._live import OptimizationWarning

_HEADER = 16


class Options:
    def __init__(self, level=3, assume=(), include=None, passes=""):
        if isinstance(assume, str):
            assume = [a for a in assume.split(",") if a]
        if not 0 <= level <= 3:
            raise ValueError("level must be 0 to 3, not %r" % (level,))
        self.level = level
        self.assume = ",".join(sorted(set(assume)))
        self.include = list(include) if include is not None else None
        self.passes = passes
        key = "%s|%d|%s|%s" % (_bcc.__version__, level, self.assume, passes)
        self.tag = "bcc-O%d-%s" % (level,
                                   hashlib.sha256(key.encode()).hexdigest()[:8])

    def wants(self, fullname, origin):
        if fullname == "bcc" or fullname.startswith("bcc."):
            return False
        if self.include is not None:
            for pattern in self.include:
                if fnmatch.fnmatchcase(fullname, pattern):
                    return True
                # "pkg.*" covers the package itself too.
                if pattern.endswith(".*") and fullname == pattern[:-2]:
                    return True
            return False
        return not _in_stdlib(origin)


def _stdlib_dirs():
    paths = sysconfig.get_paths()
    dirs = {os.path.realpath(paths[k]) for k in ("stdlib", "platstdlib")
            if k in paths}
    return tuple(d + os.sep for d in dirs)


_STDLIB = _stdlib_dirs()


def _in_stdlib(origin):
    if not origin:
        return True
    real = os.path.realpath(origin)
    if os.sep + "site-packages" + os.sep in real or \
            os.sep + "dist-packages" + os.sep in real:
        return False
    return real.startswith(_STDLIB)


def cache_path(source_path, options):
    """Where bcc caches `source_path`'s optimized code (None: nowhere)."""
    try:
        pyc = importlib.util.cache_from_source(source_path)
    except NotImplementedError:
        return None
    return pyc[:-len(".pyc")] + "." + options.tag + ".pyc"


# What the hook did, by module name: "cache", "optimized", "unchanged" or
# the reason it imported the module unoptimized.
imported = {}


class BccLoader(importlib.machinery.SourceFileLoader):
    """A source loader that returns bcc's code for the module."""

    def __init__(self, fullname, path, options):
        super().__init__(fullname, path)
        self.options = options

    def get_code(self, fullname):
        source_path = self.get_filename(fullname)
        try:
            st = self.path_stats(source_path)
        except OSError:
            return super().get_code(fullname)
        mtime, size = int(st["mtime"]), st.get("size", 0)
        cached = cache_path(source_path, self.options)
        if cached is not None:
            code = self._read_cache(cached, mtime, size)
            if code is not None:
                # As CPython does for its own cache: a tree that moved
                # gives its new place in tracebacks.
                _imp._fix_co_filename(code, source_path)
                imported[fullname] = "cache"
                return code
        code = super().get_code(fullname)
        try:
            data = _bootstrap_external._code_to_timestamp_pyc(code, mtime,
                                                              size)
            new, remarks, stats, changed = _bcc.optimize_pyc(
                bytes(data), fullname, self.is_package(fullname),
                self.options.level, self.options.assume, self.options.passes)
            new_code = marshal.loads(new[_HEADER:])
        except (RuntimeError, ValueError) as error:
            imported[fullname] = "unoptimized: %s" % error
            warnings.warn("bcc: %s imported unoptimized: %s" % (fullname,
                                                                error),
                          OptimizationWarning, stacklevel=2)
            return code
        if cached is not None and not sys.dont_write_bytecode:
            try:
                _bootstrap_external._write_atomic(
                    cached, new, _bootstrap_external._calc_mode(source_path))
            except OSError:
                pass  # like CPython: a read-only tree still imports
        imported[fullname] = "optimized" if changed else "unchanged"
        return new_code

    @staticmethod
    def _read_cache(path, mtime, size):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError:
            return None
        if len(data) < _HEADER or data[:4] != importlib.util.MAGIC_NUMBER:
            return None
        flags = int.from_bytes(data[4:8], "little")
        if flags != 0:
            return None
        if int.from_bytes(data[8:12], "little") != mtime & 0xFFFFFFFF or \
                int.from_bytes(data[12:16], "little") != size & 0xFFFFFFFF:
            return None
        try:
            return marshal.loads(data[_HEADER:])
        except (EOFError, ValueError, TypeError):
            return None


class BccFinder(importlib.abc.MetaPathFinder):
    """Finds modules the normal way and gives bcc's loader to those it
    should optimize."""

    def __init__(self, options):
        self.options = options

    def find_spec(self, fullname, path, target=None):
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is None or type(spec.loader) is not \
                importlib.machinery.SourceFileLoader:
            return None  # the rest of sys.meta_path decides, as without bcc
        if not self.options.wants(fullname, spec.origin):
            return None
        spec.loader = BccLoader(fullname, spec.origin, self.options)
        return spec

    def invalidate_caches(self):
        importlib.machinery.PathFinder.invalidate_caches()


def install(level=3, assume=(), include=None, passes=""):
    """Optimizes modules as they are imported from now on (see the module
    docstring). `include`: fnmatch patterns of module names ("mypkg.*"
    also covers mypkg); without it, every module imported from source
    outside the standard library. Returns the finder; a second install
    replaces the first.

    The finder goes right before CPython's PathFinder on sys.meta_path:
    finders placed before it (an assertion rewriter, a custom importer)
    still see their modules first, as they would without bcc."""
    uninstall()
    finder = BccFinder(Options(level, assume, include, passes))
    position = 0
    for i, f in enumerate(sys.meta_path):
        if f is importlib.machinery.PathFinder:
            position = i
            break
    sys.meta_path.insert(position, finder)
    return finder


def uninstall():
    """Removes the hook; modules imported already stay as they are."""
    sys.meta_path[:] = [f for f in sys.meta_path
                        if not isinstance(f, BccFinder)]


def run_path(path, args, level=3, assume=(), include=None, passes=""):
    """`python -m bcc run`: runs the script at `path` as __main__, itself
    optimized, with the hook installed (`include` as in install; without
    it, every module outside the standard library)."""
    path = os.path.abspath(path)
    with open(path, "rb") as f:
        source = f.read()
    code = compile(source, path, "exec", dont_inherit=True)
    options = Options(level, assume, include, passes)
    try:
        data = _bootstrap_external._code_to_timestamp_pyc(code)
        new = _bcc.optimize_pyc(bytes(data), "__main__", False, level,
                                options.assume, passes)[0]
        code = marshal.loads(new[_HEADER:])
    except (RuntimeError, ValueError) as error:
        warnings.warn("bcc: %s runs unoptimized: %s" % (path, error),
                      OptimizationWarning)
    install(level, assume, include, passes)
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = __builtins__
    main.__spec__ = None
    main.__loader__ = None
    sys.modules["__main__"] = main
    sys.argv[:] = [path] + list(args)
    sys.path.insert(0, os.path.dirname(path))
    exec(code, main.__dict__)
