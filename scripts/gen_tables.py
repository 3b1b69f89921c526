#!/usr/bin/env python3
"""Write bcc's opcode and Unicode tables from a CPython 3.8-3.15 interpreter.

Run it under the interpreter whose tables you want (3.8 to 3.15; 3.14 and
3.15 are scripts/python3.14 and scripts/python3.15, CPython under pyodide):

    python3.12 scripts/gen_tables.py --out ir/generated          # write
    python3.12 scripts/gen_tables.py --out ir/generated --check  # compare
    python3 scripts/gen_tables.py --all [--check]    # under every interpreter
                                                     # tests/python/pythons.py
                                                     # finds, pyodide's too

It writes ir/generated/Opcodes_3_12.inc and Unicode_3_12.inc, C++ data that
ir/Opcodes.cpp includes. Everything comes from that interpreter's own
`opcode`, `dis`, `_opcode` (3.13+), `importlib.util` and `str.isprintable`:

  * the real opcodes (in `opcode.opmap`, below 256 and below the first
    instrumented opcode), their argument and operand-kind flags, inline cache
    entries, and jump kind. The jump kind is measured: each jump opcode is put
    into a synthetic code object and `dis` is asked for its target at two
    offsets and two arguments;
  * the stack effect of each opcode with and without the jump, as the first of
    a few shapes (Constant, Linear, ByteLinear, BitWeights, Table) that
    reproduces every value `dis.stack_effect` gives on the sampled arguments;
  * 3.11+: the stack signature of each opcode (what it pops, pushes and reads
    in place, per path), from the hand-written scripts/stack_signatures.py.
    They are verified here: every real opcode of the version has one (or is
    listed as never in co_code), and for every argument sample and path the
    signature's outputs - inputs equals dis.stack_effect, but for the few
    differences stack_signatures.DIS_ADJUSTMENTS names and quantifies;
  * the specialized and instrumented opcodes, which never appear in co_code,
    with the opcode each one stands for;
  * the argument-repr tables `dis` uses (3.14+: LOAD_COMMON_CONSTANT's and
    LOAD_SPECIAL's, as dis renders each argument), the compiler flag names,
    the magic number, and the code points for which str.isprintable() is
    False.

The only facts typed by hand are the control-flow classes (FLOW_NAMES), which
no version exposes as data, the opcodes that sit in the instrumented range
without being instrumented (OTHER_ADAPTIVE), and the stack signatures
(stack_signatures.py), which no version exposes to Python. Any surprise (an unknown shape, a listed name missing
from its version, a jump that fits no rule) stops the generator with an error.
The output is deterministic and names no machine path and no patch release.
"""

import argparse
import collections
import difflib
import dis
import importlib.util
import opcode
import os
import subprocess
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stack_signatures  # noqa: E402

VERSION = sys.version_info[:2]
VERSION_TEXT = "%d.%d" % VERSION
SUFFIX = "%d_%d" % VERSION
SUPPORTED = [(3, minor) for minor in range(8, 16)]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class GenerationError(Exception):
    pass


def fail(message):
    raise GenerationError("Python %s: %s" % (VERSION_TEXT, message))


# ---------------------------------------------------------------------------
# Facts that are not available as data in every version. Each name is listed
# with the versions that have it; the generator fails if that is not exactly
# where the name exists, so a new version forces a look at this list.

ALL = ((3, 8), (3, 15))
FLOW_NAMES = {
    "UnconditionalJump": [
        ("JUMP_FORWARD", ALL),
        ("JUMP_ABSOLUTE", ((3, 8), (3, 10))),
        ("JUMP_BACKWARD", ((3, 11), (3, 15))),
        ("JUMP_BACKWARD_NO_INTERRUPT", ((3, 11), (3, 15))),
    ],
    "ScopeExit": [
        ("RETURN_VALUE", ALL),
        ("RETURN_CONST", ((3, 12), (3, 13))),
        ("RAISE_VARARGS", ALL),
        ("RERAISE", ((3, 9), (3, 15))),
    ],
    # Opcodes that dis gives a jump target but that never jump: 3.14's
    # END_ASYNC_FOR names the END_SEND of its loop only as the source of
    # the branch event that sys.monitoring reports ("from L5" in dis).
    "Normal": [
        ("END_ASYNC_FOR", ((3, 14), (3, 15))),
    ],
}

# Opcodes in the instrumented range (MIN_INSTRUMENTED_OPCODE..255) that are
# not INSTRUMENTED_*: they never appear in co_code either.
OTHER_ADAPTIVE = [
    ("ENTER_EXECUTOR", ((3, 14), (3, 15))),  # 255 from 3.14 on
    ("TRACE_RECORD", ((3, 15), (3, 15))),    # the JIT's trace recorder
]

# Stack effects are sampled at every argument 0..255 and at these.
WIDE_ARGS = [256, 257, 1000, 65535, 65536 + 3, (1 << 20) + 7, (1 << 24) + 5]

# ---------------------------------------------------------------------------
# Reading the interpreter.


def min_instrumented():
    return getattr(opcode, "MIN_INSTRUMENTED_OPCODE", 256)


def real_opcodes():
    """[(number, name)] of opcode.opmap below the instrumented range.

    These are the opcodes co_code may hold, plus a few the compiler never
    emits (CACHE as an instruction, RESERVED, INTERPRETER_EXIT, 3.13's
    ENTER_EXECUTOR) that `dis` still names. Specialized opcodes are not in
    opmap; they and the instrumented ones go to adaptive_opcodes().
    """
    found = [(number, name) for name, number in opcode.opmap.items()
             if number < min(256, min_instrumented())]
    for number, name in found:
        if opcode.opname[number] != name:
            fail("opmap and opname disagree on %d" % number)
    return sorted(found)


def has_arg(number):
    if hasattr(opcode, "hasarg"):
        result = number in opcode.hasarg
        if VERSION >= (3, 13) and result != opcode._opcode.has_arg(number):
            fail("opcode.hasarg and _opcode.has_arg disagree on %d" % number)
        return result
    return number >= opcode.HAVE_ARGUMENT


def cache_entries(name):
    entries = getattr(opcode, "_inline_cache_entries", None)
    if entries is None:
        return 0
    if hasattr(entries, "get"):  # a dict; 3.15: a frozendict
        return entries.get(name, 0)
    return entries[opcode.opmap[name]]


def jump_opcodes():
    jumps = set(opcode.hasjrel) | set(opcode.hasjabs)
    if hasattr(opcode, "hasjump"):
        jumps |= set(opcode.hasjump)
    return jumps


def dis_jump_target(number, arg, at_unit):
    """The target `dis` computes for `number arg` at code unit `at_unit`."""
    nop = opcode.opmap["NOP"]
    caches = cache_entries(opcode.opname[number])
    code = (bytes([nop, 0]) * at_unit + bytes([number, arg]) +
            bytes([0, 0]) * caches + bytes([nop, 0]) * 64)
    template = compile("pass", "<probe>", "exec")
    for instruction in dis.get_instructions(template.replace(co_code=code)):
        if instruction.offset == 2 * at_unit:
            return instruction.argval
    fail("dis lost the probed %s" % opcode.opname[number])


def measure_jumps():
    """({opcode: JumpKind name}, jump unit in bytes), measured through dis.

    For a relative jump, target = offset + 2 + 2*caches +- unit*arg; for an
    absolute one, target = unit*arg. Anything else is an error.
    """
    kinds, units = {}, set()
    for number, name in real_opcodes():
        if number not in jump_opcodes():
            continue
        base_units, base_arg = 100, 3
        at_base = dis_jump_target(number, base_arg, base_units)
        per_arg = (dis_jump_target(number, base_arg + 2, base_units) -
                   at_base) // 2
        per_offset = (dis_jump_target(number, base_arg, base_units + 10) -
                      at_base) // 20
        if per_offset == 0 and per_arg > 0 and at_base == per_arg * base_arg:
            kind = "Absolute"
            in_list = number in opcode.hasjabs
        elif per_offset == 1 and per_arg != 0:
            kind = "RelativeForward" if per_arg > 0 else "RelativeBackward"
            in_list = number in opcode.hasjrel
            expected = 2 * base_units + 2 + 2 * cache_entries(name)
            if at_base - per_arg * base_arg != expected:
                fail("%s: jump base is not the end of its caches" % name)
        else:
            fail("%s: dis's jump target fits no known rule" % name)
        if not in_list:
            fail("%s measured %s but is not in the matching dis list" %
                 (name, kind))
        if hasattr(dis, "_is_backward_jump"):
            if dis._is_backward_jump(number) != (kind == "RelativeBackward"):
                fail("%s: dis._is_backward_jump disagrees" % name)
        kinds[number] = kind
        units.add(abs(per_arg))
    if len(units) != 1:
        fail("jump units differ between opcodes: %s" % sorted(units))
    return kinds, units.pop()


def flow_kinds(jump_kinds):
    names = {name: number for number, name in real_opcodes()}
    flows = {}
    for flow, entries in sorted(FLOW_NAMES.items()):
        for name, (first, last) in entries:
            expected = first <= VERSION <= last
            if flow == "Normal":
                # Listed for the versions where dis gives it a target.
                found = names.get(name) in jump_kinds
                what = "has a jump target" if expected else "has none"
            else:
                found = name in names
                what = "exists" if expected else "does not exist"
            if found != expected:
                fail("FLOW_NAMES says %s %s in this version; update it" %
                     (name, what))
            if expected:
                flows[names[name]] = flow
    for number, flow in flows.items():
        if (flow != "ScopeExit") != (number in jump_kinds):
            fail("%s is listed as %s but %s a jump" % (
                opcode.opname[number], flow,
                "is" if number in jump_kinds else "is not"))
    for number in jump_kinds:
        flows.setdefault(number, "ConditionalJump")
    return flows


Rule = collections.namedtuple("Rule",
                              "shape base per_arg per_high weights table")


def sample_stack_effects(number, jump):
    """{arg: dis.stack_effect(number, arg, jump=jump)}; arg None if no arg."""
    # 3.8-3.12 raise if an argument is passed to an opcode below
    # HAVE_ARGUMENT, or omitted for one above; 3.13 accepts both.
    if not has_arg(number):
        return {None: dis.stack_effect(number, jump=jump)}
    samples = {}
    for arg in list(range(256)) + WIDE_ARGS:
        try:
            samples[arg] = dis.stack_effect(number, arg, jump=jump)
        except ValueError as error:
            fail("stack_effect(%s, %d) raised %s" %
                 (opcode.opname[number], arg, error))
    return samples


def fit_stack_effect(name, samples):
    """The first shape that reproduces every sampled value."""
    if None in samples:
        return Rule("Constant", samples[None], 0, 0, None, None)
    c = samples[0]

    def fits(evaluate):
        return all(evaluate(arg) == value for arg, value in samples.items())

    if fits(lambda arg: c):
        return Rule("Constant", c, 0, 0, None, None)
    k = samples[1] - c
    if fits(lambda arg: c + k * arg):
        return Rule("Linear", c, k, 0, None, None)
    k0, k1 = samples[1] - c, samples[256] - c
    if fits(lambda arg: c + k0 * (arg & 0xFF) + k1 * (arg >> 8)):
        return Rule("ByteLinear", c, k0, k1, None, None)
    weights = [samples[1 << bit] - c for bit in range(8)]
    if fits(lambda arg: c + sum(w for bit, w in enumerate(weights)
                                if arg >> bit & 1)):
        if not all(-128 <= w <= 127 for w in weights):
            fail("%s: bit weights do not fit in int8" % name)
        return Rule("BitWeights", c, 0, 0, weights, None)
    table = [samples[arg] for arg in range(256)]
    if not all(-32768 <= v <= 32767 for v in table):
        fail("%s: no shape fits and the values do not fit a table" % name)
    return Rule("Table", 0, 0, 0, None, table)


def adaptive_opcodes():
    """[(number, name, base number or None)] of the specialized and
    instrumented opcodes, which exist only in the adaptive copy of the code.
    """
    found = []
    specializations = getattr(opcode, "_specializations", {})
    all_opmap = getattr(dis, "_all_opmap", None)
    if VERSION >= (3, 13):
        all_opmap = dict(opcode.opmap, **opcode._specialized_opmap)
    for base, variants in specializations.items():
        for variant in variants:
            number = all_opmap[variant]
            if number >= 256:
                fail("specialized %s is not a byte" % variant)
            if dis._deoptop(number) != opcode.opmap[base]:
                fail("dis._deoptop(%s) is not %s" % (variant, base))
            found.append((number, variant, opcode.opmap[base]))
    others = {}
    for name, (first, last) in OTHER_ADAPTIVE:
        expected = first <= VERSION <= last
        in_range = min_instrumented() <= opcode.opmap.get(name, -1) < 256
        if in_range != expected:
            fail("OTHER_ADAPTIVE says %s %s in the instrumented range in this "
                 "version; update it" % (name, "is" if expected else "is not"))
        if expected:
            others[name] = opcode.opmap[name]
    for name, number in opcode.opmap.items():
        if min_instrumented() <= number < 256:
            if name in others:
                found.append((number, name, None))
                continue
            base = opcode.opmap.get(name[len("INSTRUMENTED_"):])
            if not name.startswith("INSTRUMENTED_"):
                fail("%s is in the instrumented range" % name)
            found.append((number, name, base))
    return sorted(found)


def probe_argrepr(number, arg):
    """dis's argrepr for `number arg` (raises if dis cannot render it)."""
    code = bytes([number, arg, opcode.opmap["NOP"], 0])
    template = compile("pass", "<probe>", "exec")
    return next(iter(dis.get_instructions(
        template.replace(co_code=code)))).argrepr


def format_value_converters():
    """Names of the conversions of FORMAT_VALUE (<=3.12) / CONVERT_VALUE."""
    if hasattr(dis, "FORMAT_VALUE_CONVERTERS"):
        return [name for _, name in dis.FORMAT_VALUE_CONVERTERS]
    # 3.13 keeps the table inside dis's code: ask dis for each argument.
    number, names = opcode.opmap["CONVERT_VALUE"], []
    while True:
        try:
            names.append(probe_argrepr(number, len(names)))
        except IndexError:
            return names


def probed_names(opname, count):
    """dis's argrepr of `opname` for each argument 0..count-1 (3.14+:
    LOAD_COMMON_CONSTANT, LOAD_SPECIAL); [] where the opcode is absent."""
    number = opcode.opmap.get(opname)
    if number is None:
        return []
    names = [probe_argrepr(number, arg) for arg in range(count)]
    if not all(names):
        fail("dis renders no argument of %s for some of 0..%d" %
             (opname, count - 1))
    return names


def nb_ops():
    if VERSION >= (3, 13):
        return opcode._opcode.get_nb_ops()
    return getattr(opcode, "_nb_ops", [])


def intrinsic_descs(which):
    if VERSION >= (3, 13):
        return getattr(opcode._opcode, "get_intrinsic%d_descs" % which)()
    return getattr(opcode, "_intrinsic_%d_descs" % which, [])


def magic_number():
    magic = importlib.util.MAGIC_NUMBER
    if magic[2:] != b"\r\n":
        fail("unexpected magic %r" % magic)
    return int.from_bytes(magic[:2], "little")


def non_printable_ranges():
    ranges, start = [], None
    for code_point in range(0x110000):
        printable = chr(code_point).isprintable()
        if not printable and start is None:
            start = code_point
        elif printable and start is not None:
            ranges.append((start, code_point - 1))
            start = None
    if start is not None:
        ranges.append((start, 0x10FFFF))
    return ranges


def effect_samples(number):
    """The arguments to sample for `number`: [None] if it takes none."""
    return list(range(256)) + WIDE_ARGS if has_arg(number) else [None]


def checked_signatures():
    """({opcode number: (fall-through, jump) Signature}, summary) for this
    version, verified against the interpreter; ({}, None) before 3.11.

    Fails, listing every offender, if a real opcode has neither a signature
    nor a NOT_IN_CO_CODE entry, if an entry names an opcode this version
    lacks, if a non-jump has a separate jump signature or an argument-free
    opcode a count that depends on the argument, or if outputs - inputs
    differs from dis.stack_effect on any sample and path by anything but the
    documented DIS_ADJUSTMENTS.
    """
    if not stack_signatures.has_signatures(VERSION):
        return {}, None
    try:
        signatures = stack_signatures.signatures_for(VERSION)
        excluded = stack_signatures.not_in_co_code(VERSION)
        adjustments = stack_signatures.dis_adjustments(VERSION)
    except stack_signatures.SignatureError as error:
        fail("stack_signatures.py: %s" % error)
    numbers = {name: number for number, name in real_opcodes()}
    missing = sorted(set(numbers) - set(signatures) - set(excluded))
    if missing:
        fail("no stack signature for %s (add them to "
             "scripts/stack_signatures.py)" % ", ".join(missing))
    unknown = sorted((set(signatures) | set(excluded) | set(adjustments)) -
                     set(numbers))
    if unknown:
        fail("stack_signatures.py names opcodes this version lacks: %s" %
             ", ".join(unknown))
    both = sorted(set(signatures) & set(excluded))
    if both:
        fail("both signed and excluded: %s" % ", ".join(both))
    unsigned = sorted(set(adjustments) - set(signatures))
    if unsigned:
        fail("DIS_ADJUSTMENTS for unsigned %s" % ", ".join(unsigned))

    problems, samples, rejected = [], 0, collections.Counter()
    for name, (fall, jump) in sorted(signatures.items()):
        number = numbers[name]
        if fall.text != jump.text and number not in jump_opcodes():
            problems.append("%s is not a jump but has a jump signature" % name)
        if not has_arg(number) and any(
                item.count.depends_on_oparg()
                for signature in (fall, jump)
                for item in signature.inputs + signature.outputs):
            problems.append("%s takes no argument but a count uses it" % name)
        for is_jump, signature in ((False, fall), (True, jump)):
            for arg in effect_samples(number):
                evaluated = signature.evaluate(arg or 0)
                if evaluated is None:
                    rejected[name] += 1
                    continue
                if arg is None:
                    expected = dis.stack_effect(number, jump=is_jump)
                else:
                    expected = dis.stack_effect(number, arg, jump=is_jump)
                expected += stack_signatures.adjustment(adjustments, name,
                                                        arg or 0)
                samples += 1
                if evaluated.effect() != expected:
                    problems.append(
                        "%s(%s, jump=%s): signature %r gives %+d, "
                        "dis.stack_effect%s %+d" % (
                            name, arg, is_jump, signature.text,
                            evaluated.effect(),
                            " + adjustment" if name in adjustments else "",
                            expected))
    if problems:
        fail("%d stack signature problems:\n  %s" % (
            len(problems), "\n  ".join(problems[:40])))
    summary = ("%d stack signatures match dis.stack_effect on %d "
               "(opcode, argument, path) samples%s; %d samples are "
               "arguments a signature rejects (%s)" % (
                   len(signatures), samples,
                   " (%s by their documented adjustment)" %
                   ", ".join(sorted(adjustments)) if adjustments else "",
                   sum(rejected.values()),
                   ", ".join("%s x%d" % item
                             for item in sorted(rejected.items()))))
    return ({numbers[name]: pair for name, pair in signatures.items()},
            summary)


# ---------------------------------------------------------------------------
# Emitting C++.


def c_string(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if any(ord(ch) < 0x20 or ord(ch) > 0x7E for ch in escaped):
        fail("unexpected character in %r" % text)
    return '"%s"' % escaped


def header(what):
    return [
        "// CPython %s %s. GENERATED: do not edit." % (VERSION_TEXT, what),
        "//",
        "// Made by `python%s scripts/gen_tables.py --out ir/generated` from"
        % VERSION_TEXT,
        "// that interpreter's own modules; `--check` verifies this file.",
        "// Included by ir/Opcodes.cpp inside namespace bcc::v%s." % SUFFIX,
        "",
    ]


def string_array(lines, cpp_name, strings):
    """Emits `constexpr const char *name[]`; returns the expression to use."""
    if not strings:
        return "{}"
    lines.append("constexpr const char *%s[] = {" % cpp_name)
    width = max(len(c_string(text)) for text in strings) + 1
    for index, text in enumerate(strings):
        lines.append("    %s // %d" % ((c_string(text) + ",").ljust(width),
                                       index))
    lines.append("};")
    lines.append("")
    return cpp_name


def rule_expression(rule, table_name):
    if rule.shape == "Constant":
        return "constant(%d)" % rule.base
    if rule.shape == "Linear":
        return "linear(%d, %d)" % (rule.base, rule.per_arg)
    if rule.shape == "ByteLinear":
        return "byteLinear(%d, %d, %d)" % (rule.base, rule.per_arg,
                                           rule.per_high)
    if rule.shape == "BitWeights":
        return "bitWeights(%d, {%s})" % (rule.base, ", ".join(
            str(w) for w in rule.weights))
    return "table(%s)" % table_name


def count_expression(count):
    if not count.depends_on_oparg():
        return "fixed(%d)" % count.offset
    mask = ("kAllBits" if count.mask == stack_signatures.ALL_BITS
            else "0x%x" % count.mask)
    if count.kind == "equals":
        return "fieldEquals(%d, %s, %d)" % (count.shift, mask, count.offset)
    return "field(%d, %s, %d, %d)" % (count.shift, mask, count.scale,
                                     count.offset)


def render_signatures(lines, signatures):
    """Emits kStackItems and kSignatures; returns the two expressions."""
    if not signatures:
        return "{}", "{}"
    first_item = {}  # notation -> index of its first item in kStackItems
    item_lines, count = [], 0
    for number, pair in sorted(signatures.items()):
        for signature in pair:
            if signature.text in first_item:
                continue
            first_item[signature.text] = count
            item_lines.append("// [%d] %s" % (count, signature.text))
            for item in signature.inputs:
                item_lines.append("input(%s, %s)," % (
                    c_string(item.name), count_expression(item.count)))
            for item in signature.outputs:
                item_lines.append("output(%s, %s, %d, %s)," % (
                    c_string(item.name), count_expression(item.count),
                    -1 if item.source is None else item.source,
                    "true" if item.maybe_null else "false"))
            count += len(signature.inputs) + len(signature.outputs)
    lines += [
        "// Stack signatures, from scripts/stack_signatures.py, checked "
        "against",
        "// dis.stack_effect by the generator. Items deepest first: "
        "input(name, count)",
        "// and output(name, count, source, maybeNull), where source is "
        "the index of",
        "// the input whose value the output is, or -1 for a new value. "
        "Counts are",
        "// fixed(n); field(shift, mask, scale, offset): ((arg >> shift) & "
        "mask) * scale",
        "// + offset; fieldEquals(shift, mask, value): 1 if ((arg >> shift) "
        "& mask) == value.",
        "constexpr StackItemSpec kStackItems[] = {",
    ]
    lines += ["    " + line for line in item_lines]
    lines += ["};", ""]

    lines.append("// sig(opcode, fall-through path[, jump path if it "
                 "differs]);")
    lines.append("// path(first item, inputs, outputs, notation).")
    lines.append("constexpr OpcodeSignatureSpec kSignatures[] = {")
    for number, pair in sorted(signatures.items()):
        paths = ["path(%d, %d, %d, %s)" % (
            first_item[signature.text], len(signature.inputs),
            len(signature.outputs), c_string(signature.text))
            for signature in pair]
        if paths[0] == paths[1]:
            lines.append("    sig(%3d, %s)," % (number, paths[0]))
        else:
            lines.append("    sig(%3d, %s," % (number, paths[0]))
            lines.append("        %s)," % paths[1])
    lines += ["};", ""]
    return "kStackItems", "kSignatures"


FLAG_SOURCES = [
    ("HasConst", "hasconst"), ("HasName", "hasname"),
    ("HasLocal", "haslocal"), ("HasFree", "hasfree"),
    ("HasCompare", "hascompare"), ("HasExc", "hasexc"),
]


def render_opcodes():
    lines = header("opcode tables")
    jump_kinds, jump_unit = measure_jumps()
    flows = flow_kinds(jump_kinds)
    for number in jump_kinds:
        if VERSION < (3, 12) and cache_entries(opcode.opname[number]):
            fail("a jump with caches before 3.12")

    rows, tables = [], {}  # tables: values -> C++ name
    for number, name in real_opcodes():
        flags = ["HasArg"] if has_arg(number) else []
        flags += [flag for flag, attr in FLAG_SOURCES
                  if number in getattr(opcode, attr, ())]
        effects = []
        for jump in (False, True):
            rule = fit_stack_effect(name, sample_stack_effects(number, jump))
            table_name = None
            if rule.shape == "Table":
                table_name = tables.setdefault(
                    tuple(rule.table),
                    "kEffect_%s%s" % (name, "_Jump" if jump else ""))
            effects.append(rule_expression(rule, table_name))
        rows.append((number, c_string(name), " | ".join(flags) or "NoFlags",
                     "JumpKind::" + jump_kinds.get(number, "None"),
                     "FlowKind::" + flows.get(number, "Normal"),
                     cache_entries(name), effects[0], effects[1]))

    for values, table_name in tables.items():
        lines.append("// No closed shape fits: a table, so arguments above "
                     "255 are unsupported.")
        lines.append("constexpr int16_t %s[256] = {" % table_name)
        for i in range(0, 256, 16):
            row = values[i:i + 16]
            lines.append("    " + ", ".join(str(v) for v in row) + ",")
        lines.append("};")
        lines.append("")

    lines.append("// op(number, name, flags, jump kind, flow kind, inline "
                 "cache entries,")
    lines.append("//    stack effect, stack effect when the jump is taken)")
    lines.append("constexpr OpcodeInfo kOpcodes[] = {")
    widths = [max(len(str(row[i])) for row in rows) for i in range(5)]
    for row in rows:
        cells = ["%*d" % (widths[0], row[0])]
        cells += [("%s," % row[i]).ljust(widths[i] + 1) for i in range(1, 5)]
        lines.append("    op(%s, %s %d, %s, %s)," % (
            cells[0], " ".join(cells[1:]), row[5], row[6], row[7]))
    lines.append("};")
    lines.append("")

    signatures, signature_notes = checked_signatures()
    stack_items, signature_table = render_signatures(lines, signatures)

    lines.append("// Specialized and instrumented opcodes (never in co_code) "
                 "and the opcode")
    lines.append("// each stands for; -1 when only the interpreter's side "
                 "tables know.")
    adaptive = adaptive_opcodes()
    if adaptive:
        lines.append("constexpr AdaptiveOpcode kAdaptiveOpcodes[] = {")
        for number, name, base in adaptive:
            lines.append("    {%s, %d, %d}," % (
                c_string(name), number, -1 if base is None else base))
        lines.append("};")
        lines.append("")

    compare_ops = string_array(lines, "kCompareOps", opcode.cmp_op)
    nb = nb_ops()
    binary_names = string_array(lines, "kBinaryOpNames", [n for n, _ in nb])
    binary_symbols = string_array(lines, "kBinaryOpSymbols",
                                  [s for _, s in nb])
    intrinsic1 = string_array(lines, "kIntrinsic1", intrinsic_descs(1))
    intrinsic2 = string_array(lines, "kIntrinsic2", intrinsic_descs(2))
    converters = string_array(lines, "kFormatValueConverters",
                              format_value_converters())
    function_flags = getattr(dis, "MAKE_FUNCTION_FLAGS", None)
    if function_flags is None:
        # 3.13 moved them to SET_FUNCTION_ATTRIBUTE.
        function_flags = dis.FUNCTION_ATTR_FLAGS
    function_flags = string_array(lines, "kMakeFunctionFlags", function_flags)
    common_constants = string_array(lines, "kCommonConstants", probed_names(
        "LOAD_COMMON_CONSTANT", len(getattr(opcode, "_common_constants", []))))
    special_methods = string_array(lines, "kSpecialMethodNames", probed_names(
        "LOAD_SPECIAL", len(getattr(opcode, "_special_method_names", []))))

    lines.append("constexpr CompilerFlagName kCompilerFlagNames[] = {")
    for flag, name in sorted(dis.COMPILER_FLAG_NAMES.items()):
        lines.append("    {0x%x, %s}," % (flag, c_string(name)))
    lines.append("};")
    lines.append("")

    cache = opcode.opmap.get("CACHE", -1)
    lines += [
        "constexpr OpcodeTableData kOpcodeData = {",
        "    /*version=*/{%d, %d}," % VERSION,
        "    /*magicNumber=*/%d," % magic_number(),
        "    /*haveArgument=*/%d," % opcode.HAVE_ARGUMENT,
        "    /*extendedArg=*/%d," % opcode.EXTENDED_ARG,
        "    /*cacheOpcode=*/%d," % cache,
        "    /*jumpUnit=*/%d," % jump_unit,
        "    kOpcodes,",
        "    /*adaptiveOpcodes=*/%s," % ("kAdaptiveOpcodes" if adaptive
                                         else "{}"),
        "    %s," % compare_ops,
        "    %s," % binary_names,
        "    %s," % binary_symbols,
        "    %s," % intrinsic1,
        "    %s," % intrinsic2,
        "    %s," % converters,
        "    %s," % function_flags,
        "    kCompilerFlagNames,",
        "    /*commonConstants=*/%s," % common_constants,
        "    /*specialMethodNames=*/%s," % special_methods,
        "    /*stackItems=*/%s," % stack_items,
        "    /*signatures=*/%s,%s" % (
            signature_table,
            "" if signatures else " // no stack signatures before 3.11"),
        "};",
    ]
    return "\n".join(lines) + "\n", signature_notes


def render_unicode():
    lines = header("non-printable code points")
    ranges = non_printable_ranges()
    lines.append("// Unicode %s: the %d ranges [first, last] of code points "
                 "for which" % (unicodedata.unidata_version, len(ranges)))
    lines.append("// str.isprintable() is False; repr() escapes them.")
    lines.append("constexpr CodePointRange kNonPrintable[] = {")
    for i in range(0, len(ranges), 4):
        lines.append("    " + " ".join("{0x%x, 0x%x}," % r
                                       for r in ranges[i:i + 4]))
    lines.append("};")
    lines.append("")
    lines.append("constexpr UnicodeData kUnicodeData = {%s, kNonPrintable};" %
                 c_string(unicodedata.unidata_version))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------
# Driver.


def outputs():
    """({file name: text}, [notes to print])."""
    opcodes, signature_notes = render_opcodes()
    notes = []
    if signature_notes:
        notes.append("Python %s: %s" % (VERSION_TEXT, signature_notes))
    return {
        "Opcodes_%s.inc" % SUFFIX: opcodes,
        "Unicode_%s.inc" % SUFFIX: render_unicode(),
    }, notes


def check(out_dir, files):
    """Prints a diff summary for each file that differs; True if all match."""
    clean = True
    for name, text in sorted(files.items()):
        path = os.path.join(out_dir, name)
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except OSError as error:
            print("%s: cannot read (%s)" % (name, error.strerror))
            clean = False
            continue
        if current == text:
            print("%s: up to date" % name)
            continue
        clean = False
        diff = list(difflib.unified_diff(
            current.splitlines(), text.splitlines(),
            "checked-in/" + name, "generated/" + name, lineterm="", n=1))
        added = sum(1 for l in diff if l[:1] == "+" and l[:3] != "+++")
        removed = sum(1 for l in diff if l[:1] == "-" and l[:3] != "---")
        print("%s: DIFFERS (+%d -%d lines); regenerate with `python%s "
              "scripts/gen_tables.py --out ir/generated`" %
              (name, added, removed, VERSION_TEXT))
        for line in diff[:40]:
            print("    " + line)
        if len(diff) > 40:
            print("    ... %d more diff lines" % (len(diff) - 40))
    return clean


def run_all(args):
    """Re-runs this script under every interpreter pythons.py finds."""
    sys.path.insert(0, os.path.join(REPO, "tests", "python"))
    import pythons
    status = 0
    for version in pythons.SUPPORTED_VERSIONS + pythons.WASM_VERSIONS:
        path = pythons.find_python(version)
        if path is None:
            print("Python %s: not found, skipped" % version)
            status = 1
            continue
        command = [path, os.path.abspath(__file__), "--out", args.out]
        if args.check:
            command.append("--check")
        status |= subprocess.call(command)
    return status


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(REPO, "ir", "generated"),
                        help="directory of the .inc files "
                             "(default: %(default)s)")
    parser.add_argument("--check", action="store_true",
                        help="compare with the files instead of writing them")
    parser.add_argument("--all", action="store_true",
                        help="run under every interpreter tests/python/"
                             "pythons.py finds")
    args = parser.parse_args()
    if args.all:
        return run_all(args)
    if VERSION not in SUPPORTED:
        print("gen_tables.py: Python %s is not supported (3.8 to 3.15)" %
              VERSION_TEXT, file=sys.stderr)
        return 2
    try:
        files, notes = outputs()
    except GenerationError as error:
        print("gen_tables.py: error: %s" % error, file=sys.stderr)
        return 2
    for note in notes:
        print(note)
    if args.check:
        return 0 if check(args.out, files) else 1
    os.makedirs(args.out, exist_ok=True)
    for name, text in sorted(files.items()):
        with open(os.path.join(args.out, name), "w", encoding="utf-8",
                  newline="\n") as f:
            f.write(text)
        print("wrote %s" % os.path.join(args.out, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
