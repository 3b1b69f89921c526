"""Load a tree of .pyc files that bcc wrote, in the interpreter that owns them.

Run BY the CPython under test (3.11+), by tests/python/test_opt_stdlib.py:

  python3.X check_pyc_tree.py ORIGINALS COPIES [--shard I/N]
                              [--disassemble-all | --disassemble-sample N]

ORIGINALS and COPIES are pycache_prefix trees: COPIES is what
`bcc opt ORIGINALS -o COPIES` wrote. For every .pyc under COPIES (those of
shard I of N, taken every N-th in sorted order):

  * importlib loads it as the import system would with
    `-X pycache_prefix=COPIES`: cache_from_source of its source gives back
    its path, the header passes importlib's magic, flags and timestamp
    checks, and marshal.loads gives a code object. A loader whose
    source_to_code raises makes a silent fall-back to the source an error;
  * its header equals the original's, and every code object (recursively
    through co_consts) has the original's names, locals, constants (other
    than code), argument counts, flags, first line, name, qualname and file;
  * every code object is well-formed: list(co_lines()), list(co_positions())
    (one entry per code unit) and code.replace() (which runs the
    interpreter's own validation); where bcc's bytes differ from the
    original's (co_code, co_linetable, co_exceptiontable or co_stacksize),
    also dis.disassemble(), which decodes every instruction, argument, jump
    target and the exception table, and a check that every opcode is one
    of the version's and every jump lands inside the code
    (--disassemble-all: everywhere; it is most of the time taken;
    --disassemble-sample N: only every N-th code object). Where no code
    object of a file differs, the whole file must marshal.dumps() the same
    as the original, which covers what Python does not show (the
    localsplus kinds).

co_code, co_linetable, co_exceptiontable and co_stacksize are not compared:
they are what bcc rewrites (its --compare reports them).

Prints one JSON object: files, code_objects, rewritten (code objects whose
bytes differ), disassembled, problems (the first 50), problem_count,
seconds.
"""

import argparse
import dis
import importlib.machinery
import importlib.util
import io
import json
import marshal
import os
import sys
import time
import types

sys.dont_write_bytecode = True  # not into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from code_compare import ValueCompare  # noqa: E402

FIELDS = ("co_argcount", "co_posonlyargcount", "co_kwonlyargcount",
          "co_nlocals", "co_flags", "co_firstlineno", "co_name",
          "co_qualname", "co_filename", "co_names", "co_varnames",
          "co_freevars", "co_cellvars")
# What bcc's lowering writes afresh.
REWRITTEN = ("co_code", "co_linetable", "co_exceptiontable", "co_stacksize")


class FellBackToSource(Exception):
    pass


class CopyOnlyLoader(importlib.machinery.SourceFileLoader):
    """The import system's loader, except that it never uses the source."""

    def source_to_code(self, data, path, *, _optimize=-1):
        raise FellBackToSource("importlib rejected the .pyc and compiled "
                               "the source instead")

    def set_data(self, path, data, *, _mode=0o666):
        pass  # never write


class Checker(ValueCompare):
    def __init__(self, disassemble_all, sample=1):
        ValueCompare.__init__(self)
        self.disassemble_all = disassemble_all
        self.sample = sample
        self.code_objects = 0
        self.rewritten = 0
        self.disassembled = 0

    def code(self, a, b, where):
        return True  # compare_code walks the nested code objects

    def well_formed(self, code, rewritten, where):
        """The interpreter's own checks; dis only where bcc changed bytes."""
        units = len(code.co_code) // 2
        try:
            list(code.co_lines())
            positions = list(code.co_positions())
            if len(positions) != units:
                self.fail(where, "co_positions() has %d entries for %d code "
                          "units" % (len(positions), units))
            code.replace()
            if (rewritten or self.disassemble_all) and \
                    (self.sample == 1 or self.code_objects % self.sample == 0):
                self.disassembled += 1
                dis.disassemble(code, file=io.StringIO())
                self.instructions_known(code, where)
        except Exception as e:  # anything the interpreter objects to
            self.fail(where, "%s: %s" % (type(e).__name__, e))

    def instructions_known(self, code, where):
        """Every opcode is one of the version's, every jump lands inside."""
        size = len(code.co_code)
        jumps = set(dis.hasjrel) | set(dis.hasjabs)
        # (co_code shows a specialized opcode of 3.12+ as its base form, so
        # those are bcc-lift-check's to find, in the bytes of the file.)
        for ins in dis.get_instructions(code):
            if ins.opname.startswith("<"):
                self.fail(where, "offset %d: unknown opcode %d" %
                          (ins.offset, ins.opcode))
            elif ins.opcode in jumps and not 0 <= ins.argval < size:
                self.fail(where, "offset %d: %s jumps to %r, outside the "
                          "code" % (ins.offset, ins.opname, ins.argval))

    def compare_code(self, original, copy, where):
        self.code_objects += 1
        where = "%s<%s>" % (where, original.co_qualname)
        for field in FIELDS:
            self.value(getattr(original, field), getattr(copy, field),
                       where + "." + field)
        rewritten = any(getattr(original, f) != getattr(copy, f)
                        for f in REWRITTEN)
        self.rewritten += rewritten
        self.well_formed(copy, rewritten, where)
        if len(original.co_consts) != len(copy.co_consts):
            self.fail(where, "co_consts has %d entries, not %d" %
                      (len(copy.co_consts), len(original.co_consts)))
            return
        for i, (a, b) in enumerate(zip(original.co_consts, copy.co_consts)):
            if self.value(a, b, "%s.co_consts[%d]" % (where, i)) and \
                    isinstance(a, types.CodeType):
                self.compare_code(a, b, where)

    def check_file(self, originals, copies, rel):
        copy_path = os.path.join(copies, rel)
        source = importlib.util.source_from_cache(copy_path)
        if importlib.util.cache_from_source(source) != copy_path:
            return self.fail(rel, "-X pycache_prefix would look for %s" %
                             importlib.util.cache_from_source(source))
        try:
            copy = CopyOnlyLoader("bcc_copy", source).get_code("bcc_copy")
        except Exception as e:
            return self.fail(rel, "importlib cannot load it: %s: %s" %
                             (type(e).__name__, e))
        with open(os.path.join(originals, rel), "rb") as f:
            original_bytes = f.read()
        with open(copy_path, "rb") as f:
            copy_bytes = f.read()
        if original_bytes[:16] != copy_bytes[:16]:
            self.fail(rel, "header %s != %s" % (copy_bytes[:16].hex(),
                                                original_bytes[:16].hex()))
        original = marshal.loads(original_bytes[16:])
        rewritten = self.rewritten
        self.compare_code(original, copy, rel)
        # Nothing rewritten: then the whole file must marshal the same,
        # which also covers what Python does not show (localsplus kinds).
        if self.rewritten == rewritten and \
                marshal.dumps(original, 2) != marshal.dumps(copy, 2):
            self.fail(rel, "no code object was rewritten, but "
                      "marshal.dumps(code, 2) differs")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("originals")
    parser.add_argument("copies")
    parser.add_argument("--shard", default="0/1", help="I/N")
    parser.add_argument("--disassemble-all", action="store_true")
    parser.add_argument("--disassemble-sample", type=int, default=1,
                        metavar="N",
                        help="disassemble only every N-th code object bcc "
                             "rewrote (dis is most of the time taken when "
                             "bcc rewrote every code object)")
    args = parser.parse_args()
    originals = os.path.abspath(args.originals)
    copies = os.path.abspath(args.copies)
    shard, shards = (int(x) for x in args.shard.split("/"))
    # Where the import system looks: what `-X pycache_prefix=COPIES` sets.
    sys.pycache_prefix = copies
    sys.dont_write_bytecode = True
    files = []
    for directory, _, names in os.walk(copies):
        files += [os.path.relpath(os.path.join(directory, n), copies)
                  for n in names if n.endswith(".pyc")]
    files = sorted(files)[shard::shards]
    start = time.time()
    checker = Checker(args.disassemble_all, max(1, args.disassemble_sample))
    for rel in files:
        checker.check_file(originals, copies, rel)
    print(json.dumps({"files": len(files),
                      "code_objects": checker.code_objects,
                      "rewritten": checker.rewritten,
                      "disassembled": checker.disassembled,
                      "problems": checker.problems,
                      "problem_count": checker.problem_count,
                      "seconds": time.time() - start}))


if __name__ == "__main__":
    main()
