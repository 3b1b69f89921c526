"""Stack signatures of CPython 3.11-3.15 opcodes: what each one pops, pushes
and reads in place, typed by hand from CPython's own sources.

The net stack effect (`dis.stack_effect`) is not enough to lift bytecode into
SSA: the lifter must know which stack values are an instruction's operands,
which ones it leaves where they are, and which of its results are old values
moved or copied. CPython 3.12 and 3.13 write that in Python/bytecodes.c as
`inst(LIST_APPEND, (list, unused[oparg-1], v -- list, unused[oparg-1]))`;
3.11 only in the C code of Python/ceval.c; 3.14 and 3.15 keep the
bytecodes.c form. This file restates those facts in
our own notation, per version. scripts/gen_tables.py folds them into
ir/generated/Opcodes_3_X.inc and checks them against the interpreter
(outputs - inputs == dis.stack_effect for every opcode, argument sample and
path); tests/python/test_opcode_tables.py checks them against co_stacksize
of real code.

Notation, one string per path:  "inputs -- outputs", each side a comma list
of items, deepest first (the rightmost item is the top of the stack):

  name            one stack slot
  name[COUNT]     COUNT slots, a function of the oparg (0 slots: absent)
  name?           (outputs only) the value may be NULL
  _name           (inputs) slots the instruction does not read

An output with the name of an input IS that input's value: left in place
(a peek, when the name is read and the item stays at the same position),
moved (SWAP, END_SEND, PUSH_EXC_INFO), or copied (COPY names it twice).
Every other output is a new value. COUNT is exactly one of:

  N   oparg   oparg&M   oparg>>S   (oparg>>S)&M        a field F
  F+N   F-N   F*N                                       affine in F
  F==N                                                  1 if equal, else 0

(N, M, S are decimal or 0x-hex integers.) A COUNT that comes out negative
means the instruction does not accept that oparg (SWAP 1, COPY 0,
LIST_APPEND 0): the compiler never emits it and the interpreter asserts.

SIGNATURES lists (opcode name, (first version, last version), fall-through
signature[, signature when the jump is taken]); without a second signature
both paths are the same. NOT_IN_CO_CODE lists the real opcodes that get no
signature and why. DIS_ADJUSTMENTS lists the only places where the
signature's net effect deliberately differs from dis.stack_effect, each with
the difference as signature - dis.

Runs under Python 3.8+ (gen_tables.py imports it under every interpreter).
"""

import re

FIRST, LAST = (3, 11), (3, 15)

V11 = ((3, 11), (3, 11))
V12 = ((3, 12), (3, 12))
V13 = ((3, 13), (3, 13))
V15 = ((3, 15), (3, 15))
V11_12 = ((3, 11), (3, 12))
V11_13 = ((3, 11), (3, 13))
V11_14 = ((3, 11), (3, 14))
V12_13 = ((3, 12), (3, 13))
V12_14 = ((3, 12), (3, 14))
V12_15 = ((3, 12), (3, 15))
V13_14 = ((3, 13), (3, 14))
V13_15 = ((3, 13), (3, 15))
V14_15 = ((3, 14), (3, 15))
V14 = ((3, 14), (3, 14))
ALL = ((3, 11), (3, 15))

# ---------------------------------------------------------------------------
# The signatures.

SIGNATURES = [
    # No stack effect.
    ("NOP", ALL, "--"),
    ("RESUME", ALL, "--"),
    ("EXTENDED_ARG", ALL, "--"),
    ("SETUP_ANNOTATIONS", ALL, "--"),
    ("MAKE_CELL", ALL, "--"),
    ("COPY_FREE_VARS", ALL, "--"),
    ("DELETE_FAST", ALL, "--"),
    ("DELETE_DEREF", ALL, "--"),
    ("DELETE_NAME", ALL, "--"),
    ("DELETE_GLOBAL", ALL, "--"),
    ("JUMP_FORWARD", ALL, "--"),
    ("JUMP_BACKWARD", ALL, "--"),
    ("JUMP_BACKWARD_NO_INTERRUPT", ALL, "--"),
    ("RETURN_CONST", V12_13, "--"),
    # 3.14: marks the fall-through of a conditional jump, for branch
    # monitoring.
    ("NOT_TAKEN", V14_15, "--"),
    # 3.11/3.12: sets the interpreter's kwnames for the next PRECALL/CALL.
    ("KW_NAMES", V11_12, "--"),

    # Loads.
    ("LOAD_CONST", ALL, "-- value"),
    ("LOAD_NAME", ALL, "-- value"),
    ("LOAD_FAST", ALL, "-- value"),
    ("LOAD_FAST_CHECK", V12_15, "-- value"),
    # Saves a comprehension's shadowed local, which may be unbound (NULL).
    ("LOAD_FAST_AND_CLEAR", V12_15, "-- value?"),
    ("LOAD_FAST_LOAD_FAST", V13_15, "-- value1, value2"),
    # 3.14: LOAD_FAST's value as a borrowed reference, where the compiler
    # proved the local outlives it on the stack.
    ("LOAD_FAST_BORROW", V14_15, "-- value"),
    ("LOAD_FAST_BORROW_LOAD_FAST_BORROW", V14_15, "-- value1, value2"),
    # 3.14: an int 0..255 (the argument itself), and an entry of
    # opcode._common_constants (AssertionError, ...; 3.15 adds literals).
    ("LOAD_SMALL_INT", V14_15, "-- value"),
    ("LOAD_COMMON_CONSTANT", V14_15, "-- value"),
    ("LOAD_DEREF", ALL, "-- value"),
    ("LOAD_CLASSDEREF", V11, "-- value"),
    ("LOAD_CLOSURE", V11_12, "-- cell"),
    ("LOAD_LOCALS", V12_15, "-- locals"),
    ("LOAD_FROM_DICT_OR_GLOBALS", V12_15, "mod_or_class_dict -- value"),
    ("LOAD_FROM_DICT_OR_DEREF", V12_15, "class_dict -- value"),
    ("LOAD_BUILD_CLASS", ALL, "-- build_class"),
    ("LOAD_ASSERTION_ERROR", V11_13, "-- value"),
    # 3.14's with statement: a special method of the manager looked up like
    # LOAD_ATTR's method form, [method, self] or [attribute, NULL].
    ("LOAD_SPECIAL", V14_15, "owner -- attr, self_or_null?"),
    ("PUSH_NULL", ALL, "-- null?"),
    # Bit 0 asks for a NULL too: below the value up to 3.12, above in 3.13.
    ("LOAD_GLOBAL", V11_12, "-- null?[oparg&1], value"),
    ("LOAD_GLOBAL", V13_15, "-- value, null?[oparg&1]"),
    # 3.11: LOAD_ATTR is plain; LOAD_METHOD pushes [method, self] or
    # [NULL, attribute]. 3.12 folds that into LOAD_ATTR's bit 0; 3.13 puts
    # the pair the other way up: [method, self] or [attribute, NULL].
    ("LOAD_ATTR", V11, "owner -- attr"),
    ("LOAD_METHOD", V11, "owner -- method_or_null?, attr_or_self"),
    ("LOAD_ATTR", V12,
     "owner -- method_or_null?[oparg&1], attr_or_self"),
    ("LOAD_ATTR", V13_15, "owner -- attr, self_or_null?[oparg&1]"),
    ("LOAD_SUPER_ATTR", V12,
     "global_super, class, self -- method_or_null?[oparg&1], attr_or_self"),
    ("LOAD_SUPER_ATTR", V13_15,
     "global_super, class, self -- attr, self_or_null?[oparg&1]"),

    # Stores.
    ("STORE_FAST", ALL, "value --"),
    ("STORE_FAST_LOAD_FAST", V13_15, "value1 -- value2"),
    ("STORE_FAST_STORE_FAST", V13_15, "value2, value1 --"),
    ("STORE_NAME", ALL, "value --"),
    ("STORE_GLOBAL", ALL, "value --"),
    ("STORE_DEREF", ALL, "value --"),
    ("STORE_ATTR", ALL, "value, owner --"),
    ("DELETE_ATTR", ALL, "owner --"),
    ("STORE_SUBSCR", ALL, "value, container, sub --"),
    ("DELETE_SUBSCR", ALL, "container, sub --"),
    ("STORE_SLICE", V12_15, "value, container, start, stop --"),
    ("IMPORT_STAR", V11, "module --"),
    ("IMPORT_NAME", ALL, "level, fromlist -- module"),
    ("IMPORT_FROM", ALL, "module -- module, attr"),

    # Stack shuffles.
    ("POP_TOP", V11_13, "value --"),
    # 3.14 also pops the NULL half of a LOAD_SPECIAL pair at the end of a
    # with statement.
    ("POP_TOP", V14_15, "value_or_null --"),
    ("COPY", ALL, "bottom, _above[oparg-1] -- bottom, _above[oparg-1], bottom"),
    ("SWAP", ALL,
     "bottom, _middle[oparg-2], top -- top, _middle[oparg-2], bottom"),

    # Operators.
    ("UNARY_POSITIVE", V11, "value -- res"),
    ("UNARY_NEGATIVE", ALL, "value -- res"),
    ("UNARY_NOT", ALL, "value -- res"),
    ("UNARY_INVERT", ALL, "value -- res"),
    ("TO_BOOL", V13_15, "value -- res"),
    ("BINARY_OP", ALL, "lhs, rhs -- res"),
    ("BINARY_SUBSCR", V11_13, "container, sub -- res"),
    ("BINARY_SLICE", V12_15, "container, start, stop -- res"),
    ("COMPARE_OP", ALL, "left, right -- res"),
    ("IS_OP", ALL, "left, right -- res"),
    ("CONTAINS_OP", ALL, "left, right -- res"),
    ("CALL_INTRINSIC_1", V12_15, "value -- res"),
    ("CALL_INTRINSIC_2", V12_15, "value2, value1 -- res"),
    ("LIST_TO_TUPLE", V11, "list -- tuple"),
    ("PRINT_EXPR", V11, "value --"),
    ("ASYNC_GEN_WRAP", V11, "value -- wrapped"),
    # f-strings: bit 2 of FORMAT_VALUE's oparg says a format spec is on top.
    ("FORMAT_VALUE", V11_12, "value, fmt_spec[(oparg>>2)&1] -- res"),
    ("CONVERT_VALUE", V13_15, "value -- res"),
    ("FORMAT_SIMPLE", V13_15, "value -- res"),
    ("FORMAT_WITH_SPEC", V13_15, "value, fmt_spec -- res"),

    # Building and unpacking.
    ("BUILD_TUPLE", ALL, "values[oparg] -- tuple"),
    ("BUILD_LIST", ALL, "values[oparg] -- list"),
    ("BUILD_SET", ALL, "values[oparg] -- set"),
    ("BUILD_MAP", ALL, "items[oparg*2] -- map"),
    ("BUILD_CONST_KEY_MAP", V11_13, "values[oparg], keys -- map"),
    ("BUILD_STRING", ALL, "pieces[oparg] -- str"),
    ("BUILD_SLICE", V11_13, "start, stop, step[oparg==3] -- slice"),
    ("BUILD_SLICE", V14_15, "values[oparg] -- slice"),
    # 3.14 template strings: bit 0 of BUILD_INTERPOLATION's oparg says a
    # format spec is on top (the conversion is in oparg>>2).
    ("BUILD_INTERPOLATION", V14_15,
     "value, str, format[oparg&1] -- interpolation"),
    ("BUILD_TEMPLATE", V14_15, "strings, interpolations -- template"),
    ("UNPACK_SEQUENCE", ALL, "seq -- values[oparg]"),
    # The first target ends on top: (oparg>>8) values after the starred one
    # at the bottom, then the starred list, then (oparg&0xFF) before it.
    ("UNPACK_EX", ALL,
     "seq -- after[oparg>>8], starred, before[oparg&0xFF]"),
    # Comprehensions and displays: the container sits oparg slots below the
    # top once the operands are popped (CPython's PEEK(oparg)).
    ("LIST_APPEND", ALL,
     "list, _items[oparg-1], value -- list, _items[oparg-1]"),
    ("SET_ADD", ALL, "set, _items[oparg-1], value -- set, _items[oparg-1]"),
    ("MAP_ADD", ALL,
     "dict, _items[oparg-1], key, value -- dict, _items[oparg-1]"),
    ("LIST_EXTEND", ALL,
     "list, _items[oparg-1], iterable -- list, _items[oparg-1]"),
    ("SET_UPDATE", ALL,
     "set, _items[oparg-1], iterable -- set, _items[oparg-1]"),
    ("DICT_UPDATE", ALL,
     "dict, _items[oparg-1], update -- dict, _items[oparg-1]"),
    # Only for f(**kw): it also reads the callable, to name it in the
    # TypeError for a repeated keyword. The call's layout is [NULL, callable,
    # args tuple, dict] up to 3.12 and [callable, NULL, args tuple, dict] in
    # 3.13.
    ("DICT_MERGE", V11_12,
     "callable, _callargs, dict, _items[oparg-1], update"
     " -- callable, _callargs, dict, _items[oparg-1]"),
    ("DICT_MERGE", V13_15,
     "callable, _self_or_null, _callargs, dict, _items[oparg-1], update"
     " -- callable, _self_or_null, _callargs, dict, _items[oparg-1]"),

    # Functions and calls. Up to 3.12 a call's operands are [NULL, callable]
    # or [method, self] below the arguments; 3.13 has [callable, NULL] or
    # [method, self].
    ("MAKE_FUNCTION", V11_12,
     "defaults[oparg&1], kwdefaults[(oparg>>1)&1],"
     " annotations[(oparg>>2)&1], closure[(oparg>>3)&1], code -- func"),
    ("MAKE_FUNCTION", V13_15, "code -- func"),
    ("SET_FUNCTION_ATTRIBUTE", V13_15, "attr, func -- func"),
    # 3.11's PRECALL leaves the stack as it is (it may rewrite a bound
    # method in place into [function, self]) and CALL pops everything;
    # dis.stack_effect splits the call's effect as PRECALL -oparg, CALL -1.
    ("PRECALL", V11,
     "method_or_null, callable_or_self, _args[oparg]"
     " -- method_or_null, callable_or_self, _args[oparg]"),
    ("CALL", V11_12, "method_or_null, callable_or_self, args[oparg] -- res"),
    ("CALL", V13_15, "callable, self_or_null, args[oparg] -- res"),
    ("CALL_KW", V13_15, "callable, self_or_null, args[oparg], kwnames -- res"),
    ("CALL_FUNCTION_EX", V11_12,
     "null, func, callargs, kwargs[oparg&1] -- res"),
    ("CALL_FUNCTION_EX", V13,
     "func, null, callargs, kwargs[oparg&1] -- res"),
    # 3.14 has no argument: the kwargs slot is always there, NULL without **.
    ("CALL_FUNCTION_EX", V14_15,
     "func, null, callargs, kwargs_or_null -- res"),
    # Only in the shim frame that runs after a specialized __init__ call.
    ("EXIT_INIT_CHECK", V13_15, "should_be_none --"),
    ("RETURN_VALUE", ALL, "retval --"),
    # Pushes, from the frame's own point of view, the value sent by the
    # first send() (None), which the POP_TOP after it discards.
    ("RETURN_GENERATOR", ALL, "-- sent"),
    # Returns retval to the caller; resumes with the value sent in.
    ("YIELD_VALUE", ALL, "retval -- sent"),
    # Only in the interpreter's own entry frame.
    ("INTERPRETER_EXIT", V12_15, "retval --"),

    # Branches.
    ("POP_JUMP_FORWARD_IF_TRUE", V11, "cond --"),
    ("POP_JUMP_FORWARD_IF_FALSE", V11, "cond --"),
    ("POP_JUMP_FORWARD_IF_NONE", V11, "value --"),
    ("POP_JUMP_FORWARD_IF_NOT_NONE", V11, "value --"),
    ("POP_JUMP_BACKWARD_IF_TRUE", V11, "cond --"),
    ("POP_JUMP_BACKWARD_IF_FALSE", V11, "cond --"),
    ("POP_JUMP_BACKWARD_IF_NONE", V11, "value --"),
    ("POP_JUMP_BACKWARD_IF_NOT_NONE", V11, "value --"),
    ("POP_JUMP_IF_TRUE", V12_15, "cond --"),
    ("POP_JUMP_IF_FALSE", V12_15, "cond --"),
    ("POP_JUMP_IF_NONE", V12_15, "value --"),
    ("POP_JUMP_IF_NOT_NONE", V12_15, "value --"),
    ("JUMP_IF_TRUE_OR_POP", V11, "cond --", "cond -- cond"),
    ("JUMP_IF_FALSE_OR_POP", V11, "cond --", "cond -- cond"),

    # Iteration. FOR_ITER on 3.11 pops the iterator when it jumps out. From
    # 3.12 the jump lands on END_FOR, which the compiler sees popping
    # [iterator, value] (3.12), or END_FOR + POP_TOP popping one each
    # (3.13); the interpreter instead pops the iterator and skips them. The
    # signatures follow the compiler, so the exit path pushes a placeholder,
    # `exhausted`, that no real value fills: marked may-be-NULL.
    ("GET_ITER", V11_14, "iterable -- iter"),
    # 3.15: the argument says what the iterator is for (0 for, 3 yield from).
    ("GET_ITER", V15, "iterable -- iter, index_or_null?"),
    # 3.14: pops the iterator once the loop is done (END_FOR pops the value).
    ("POP_ITER", V14, "iter --"),
    ("POP_ITER", V15, "iter, index_or_null --"),
    ("GET_YIELD_FROM_ITER", V11_14, "iterable -- iter"),
    ("FOR_ITER", V11, "iter -- iter, next", "iter --"),
    ("FOR_ITER", V12_14, "iter -- iter, next", "iter -- iter, exhausted?"),
    # 3.15's virtual iterators: GET_ITER pushes [iterator, NULL], or, for a
    # list or tuple, [the sequence itself, index]. FOR_ITER, SEND and the
    # instructions after them carry the pair.
    ("FOR_ITER", V15, "iter, index_or_null -- iter, index_or_null, next",
     "iter, index_or_null -- iter, index_or_null, exhausted?"),
    ("END_FOR", V12, "iter, exhausted --"),
    ("END_FOR", V13_15, "exhausted --"),
    ("GET_AITER", ALL, "obj -- aiter"),
    ("GET_ANEXT", ALL, "aiter -- aiter, awaitable"),
    ("END_ASYNC_FOR", ALL, "awaitable, exc --"),
    ("GET_AWAITABLE", ALL, "iterable -- iter"),
    # yield from / await: 3.11's SEND replaces [receiver, value] by the
    # return value when it jumps out; from 3.12 it keeps the receiver and
    # END_SEND at the target pops it.
    ("SEND", V11, "receiver, value -- receiver, retval",
     "receiver, value -- retval"),
    ("SEND", V12_14, "receiver, value -- receiver, retval"),
    ("END_SEND", V12_14, "receiver, value -- value"),
    ("SEND", V15, "receiver, index_or_null, value"
     " -- receiver, index_or_null, retval"),
    ("END_SEND", V15, "receiver, index_or_null, value -- value"),
    ("CLEANUP_THROW", V12_14,
     "sub_iter, last_sent_val, exc_value -- none, value"),
    ("CLEANUP_THROW", V15,
     "sub_iter, index_or_null, last_sent_val, exc_value"
     " -- none, null_out?, value"),

    # With and exceptions.
    ("BEFORE_WITH", V11_13, "mgr -- exit, res"),
    ("BEFORE_ASYNC_WITH", V11_13, "mgr -- exit, res"),
    # Calls exit_func (4 deep) with the exception on top; lasti and the
    # previous exception in between are only asserted on.
    ("WITH_EXCEPT_START", V11_13,
     "exit_func, _lasti, _prev_exc, val"
     " -- exit_func, _lasti, _prev_exc, val, res"),
    # 3.14: __exit__ comes from LOAD_SPECIAL as a [method, self] pair.
    ("WITH_EXCEPT_START", V14_15,
     "exit_func, exit_self_or_null, _lasti, _prev_exc, val"
     " -- exit_func, exit_self_or_null, _lasti, _prev_exc, val, res"),
    ("PUSH_EXC_INFO", ALL, "new_exc -- prev_exc, new_exc"),
    ("POP_EXCEPT", ALL, "exc_value --"),
    ("CHECK_EXC_MATCH", ALL, "left, right -- left, res"),
    # On no match 3.11 leaves exc_value in place of rest: a new value all
    # the same, since the lifter cannot know which.
    ("CHECK_EG_MATCH", ALL, "exc_value, match_type -- rest, match"),
    ("PREP_RERAISE_STAR", V11, "orig, excs -- res"),
    ("RAISE_VARARGS", ALL, "args[oparg] --"),
    # values[0] is the saved lasti when oparg is set. Never falls through.
    ("RERAISE", ALL, "values[oparg], exc -- values[oparg]"),

    # Pattern matching.
    ("GET_LEN", ALL, "obj -- obj, len"),
    ("MATCH_MAPPING", ALL, "subject -- subject, res"),
    ("MATCH_SEQUENCE", ALL, "subject -- subject, res"),
    ("MATCH_KEYS", ALL, "subject, keys -- subject, keys, values_or_none"),
    ("MATCH_CLASS", ALL, "subject, type, names -- attrs"),
]

# Real opcodes (in opcode.opmap, below the instrumented range) that get no
# signature: none of them is ever executed from co_code.
NOT_IN_CO_CODE = [
    ("CACHE", ALL, "inline cache entries are data after an instruction, "
                   "never executed"),
    ("RESERVED", V12_15, "a placeholder number; executing it is fatal"),
    # (3.14 moves it to 255, among the instrumented opcodes.)
    ("ENTER_EXECUTOR", V13, "the interpreter writes it over an instruction "
                            "at run time; never in co_code or marshal data"),
]

# signature effect - dis.stack_effect, where they differ on purpose. COUNT
# syntax, optionally negated: "1", "oparg", "-oparg".
DIS_ADJUSTMENTS = [
    ("RETURN_VALUE", V14_15, "-1",
     "dis says 0: 3.14 declares the returned value as pushed again, onto "
     "the caller's stack; nothing follows it in this frame"),
    ("RETURN_GENERATOR", V11_12, "1",
     "dis says 0 because CPython inserts the instruction after computing "
     "co_stacksize, which counts it as +1 (reference 2.6 rule 5); 3.13 "
     "says +1 itself"),
    ("PRECALL", V11, "oparg",
     "dis says -oparg: the compiler books the arguments' pop on PRECALL, "
     "which pops nothing at run time"),
    ("CALL", V11, "-oparg",
     "dis says -1: the compiler books the arguments' pop on PRECALL; the "
     "two sum to the same -(oparg+1)"),
]

# ---------------------------------------------------------------------------
# Parsing.

ALL_BITS = 0xFFFFFFFF
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ITEM = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<null>\?)?(?:\[(?P<count>[^\]]+)\])?\Z")
_INT = r"(?:0x[0-9A-Fa-f]+|[0-9]+)"
_COUNT = re.compile(
    r"(?:(?P<const>{i})"
    r"|(?P<field>oparg|oparg&(?P<m1>{i})|oparg>>(?P<s1>{i})"
    r"|\(oparg>>(?P<s2>{i})\)&(?P<m2>{i}))"
    r"(?:(?P<op>[-+*]|==)(?P<n>{i}))?)\Z".format(i=_INT))


class SignatureError(Exception):
    pass


class Count:
    """A COUNT in normal form.

    kind "affine": ((oparg >> shift) & mask) * scale + offset;
    kind "equals": 1 if ((oparg >> shift) & mask) == offset else 0.
    """

    def __init__(self, text, kind, shift, mask, scale, offset):
        self.text, self.kind = text, kind
        self.shift, self.mask, self.scale, self.offset = (shift, mask, scale,
                                                           offset)

    def evaluate(self, oparg):
        field = (oparg >> self.shift) & self.mask
        if self.kind == "equals":
            return 1 if field == self.offset else 0
        return field * self.scale + self.offset

    def depends_on_oparg(self):
        return self.mask != 0


def parse_count(text):
    compact = text.replace(" ", "")
    match = _COUNT.match(compact)
    if not match:
        raise SignatureError("bad count %r" % text)
    if match.group("const") is not None:
        return Count(compact, "affine", 0, 0, 0, int(match.group("const"), 0))
    shift = int(match.group("s1") or match.group("s2") or "0", 0)
    mask = int(match.group("m1") or match.group("m2") or str(ALL_BITS), 0)
    if not 0 <= shift < 32 or not 0 < mask <= ALL_BITS:
        raise SignatureError("count %r: shift or mask out of range" % text)
    op, n = match.group("op"), match.group("n")
    n = int(n, 0) if n is not None else 0
    if op == "==":
        return Count(compact, "equals", shift, mask, 0, n)
    if op == "*":
        return Count(compact, "affine", shift, mask, n, 0)
    return Count(compact, "affine", shift, mask, 1, -n if op == "-" else n)


class Item:
    """One input or output item. source: for an output, the index of the
    input it is, or None for a new value."""

    def __init__(self, name, count, maybe_null=False, source=None):
        self.name, self.count = name, count
        self.maybe_null, self.source = maybe_null, source

    def is_read(self):
        return not self.name.startswith("_")


class Signature:
    def __init__(self, text, inputs, outputs):
        self.text, self.inputs, self.outputs = text, inputs, outputs

    def evaluate(self, oparg):
        """Evaluated([(name, n)], [(name, n, source, maybe_null)]), or None
        if the signature rejects `oparg` (a negative count)."""
        ins = [(item.name, item.count.evaluate(oparg)) for item in self.inputs]
        outs = [(item.name, item.count.evaluate(oparg), item.source,
                 item.maybe_null) for item in self.outputs]
        if any(n < 0 or n > ALL_BITS for _, n in ins) or any(
                o[1] < 0 or o[1] > ALL_BITS for o in outs):
            return None
        return Evaluated(ins, outs)


class Evaluated:
    def __init__(self, inputs, outputs):
        self.inputs, self.outputs = inputs, outputs

    def input_slots(self):
        return sum(n for _, n in self.inputs)

    def output_slots(self):
        return sum(o[1] for o in self.outputs)

    def effect(self):
        return self.output_slots() - self.input_slots()

    def kept_slots(self):
        """Bottom slots left in place: the leading outputs that are their
        own inputs."""
        kept = 0
        for index, (output, item) in enumerate(zip(self.outputs,
                                                   self.inputs)):
            if output[2] != index:
                break
            kept += item[1]
        return kept

    def pops(self):
        return self.input_slots() - self.kept_slots()

    def pushes(self):
        return self.output_slots() - self.kept_slots()

    def peeked_depths(self):
        """Depths, once pops() slots are gone, of the kept slots that are
        read; shallowest first."""
        kept, offset, found = self.kept_slots(), 0, []
        for index, (output, item) in enumerate(zip(self.outputs,
                                                   self.inputs)):
            if output[2] != index:
                break
            if not item[0].startswith("_"):
                found += [kept - (offset + slot) for slot in range(item[1])]
            offset += item[1]
        return sorted(found)

    def output_sources(self):
        """For each output depth 1..output_slots() (1 = new top): the input
        depth before the instruction that it holds, or None if new."""
        starts, offset = [], 0
        for _, n in self.inputs:
            starts.append(offset)
            offset += n
        total_in = offset
        slots = []  # bottom first
        for _, n, source, _ in self.outputs:
            for slot in range(n):
                slots.append(None if source is None
                             else total_in - (starts[source] + slot))
        return list(reversed(slots))

    def null_depths(self):
        """Output depths (1 = new top) that may hold NULL."""
        slots = []
        for _, n, _, maybe_null in self.outputs:
            slots += [maybe_null] * n
        slots.reverse()
        return [depth + 1 for depth, null in enumerate(slots) if null]

    def shape(self):
        """The derived views as bcc-opcode-query's `shape` query prints
        them: "pops pushes kept | peeks | sources | NULL depths"."""
        text = "%d %d %d |" % (self.pops(), self.pushes(), self.kept_slots())
        text += "".join(" %d" % d for d in self.peeked_depths()) + " |"
        text += "".join(" ." if s is None else " %d" % s
                        for s in self.output_sources()) + " |"
        return text + "".join(" %d" % d for d in self.null_depths())

    def canonical(self):
        """The text bcc-opcode-query prints for a signature, to compare the
        C++ table with this data: "name:n ... -- name:n[=source][?] ..."."""
        ins = ["%s:%d" % item for item in self.inputs]
        outs = []
        for name, n, source, maybe_null in self.outputs:
            outs.append("%s:%d%s%s" % (name, n,
                                       "" if source is None else "=%d" % source,
                                       "?" if maybe_null else ""))
        return " ".join(ins + ["--"] + outs)


def _parse_items(text, what):
    text = text.strip()
    if not text:
        return []
    items = []
    for part in text.split(","):
        match = _ITEM.match(part.strip())
        if not match:
            raise SignatureError("bad %s item %r" % (what, part.strip()))
        count = parse_count(match.group("count") or "1")
        items.append(Item(match.group("name"), count,
                          match.group("null") is not None))
    return items


def parse_signature(text):
    """Parses "inputs -- outputs"; raises SignatureError."""
    sides = text.split("--")
    if len(sides) != 2:
        raise SignatureError("%r: expected exactly one '--'" % text)
    inputs = _parse_items(sides[0], "input")
    outputs = _parse_items(sides[1], "output")
    by_name = {}
    for index, item in enumerate(inputs):
        if item.maybe_null:
            raise SignatureError("%r: '?' on input %s" % (text, item.name))
        if item.name in by_name:
            raise SignatureError("%r: input %s twice" % (text, item.name))
        by_name[item.name] = index
    fresh = set()
    for item in outputs:
        if item.name in by_name:
            source = inputs[by_name[item.name]]
            if item.count.text != source.count.text:
                raise SignatureError("%r: %s changes size" % (text, item.name))
            if item.maybe_null:
                raise SignatureError("%r: '?' on passed-through %s" %
                                     (text, item.name))
            item.source = by_name[item.name]
        else:
            if item.name in fresh:
                raise SignatureError("%r: output %s twice" % (text, item.name))
            if not item.is_read():
                raise SignatureError("%r: new output %s named as unread" %
                                     (text, item.name))
            fresh.add(item.name)
    return Signature(" ".join(text.split()), inputs, outputs)


def parse_adjustment(text):
    """(sign, Count) of a DIS_ADJUSTMENTS entry."""
    if text.startswith("-"):
        return -1, parse_count(text[1:])
    return 1, parse_count(text)


def _check_range(name, versions):
    first, last = versions
    if not FIRST <= first <= last <= LAST:
        raise SignatureError("%s: bad version range %r" % (name, versions))


def _build():
    per_version = {}
    for entry in SIGNATURES:
        if len(entry) not in (3, 4):
            raise SignatureError("bad entry %r" % (entry,))
        name, versions, fall = entry[:3]
        jump = entry[3] if len(entry) == 4 else fall
        if not _NAME.match(name):
            raise SignatureError("bad opcode name %r" % name)
        _check_range(name, versions)
        try:
            pair = (parse_signature(fall), parse_signature(jump))
        except SignatureError as error:
            raise SignatureError("%s: %s" % (name, error))
        for minor in range(versions[0][1], versions[1][1] + 1):
            table = per_version.setdefault((3, minor), {})
            if name in table:
                raise SignatureError("%s listed twice for 3.%d" %
                                     (name, minor))
            table[name] = pair
    return per_version


_BY_VERSION = None  # built on first use, so errors reach the caller


def _entries_for(entries, version):
    found = {}
    for entry in entries:
        name, versions = entry[0], entry[1]
        _check_range(name, versions)
        if versions[0] <= version <= versions[1]:
            if name in found:
                raise SignatureError("%s listed twice for %d.%d" %
                                     ((name,) + tuple(version)))
            found[name] = entry[2:]
    return found


def has_signatures(version):
    return FIRST <= tuple(version[:2]) <= LAST


def signatures_for(version):
    """{opcode name: (fall-through Signature, jump Signature)}; empty before
    3.11."""
    global _BY_VERSION
    if _BY_VERSION is None:
        _BY_VERSION = _build()
    return dict(_BY_VERSION.get(tuple(version[:2]), {}))


def not_in_co_code(version):
    """{opcode name: reason} of the real opcodes without a signature."""
    found = _entries_for(NOT_IN_CO_CODE, tuple(version[:2]))
    return {name: rest[0] for name, rest in found.items()}


def dis_adjustments(version):
    """{opcode name: (sign, Count, reason)}: signature - dis effect."""
    found = _entries_for(DIS_ADJUSTMENTS, tuple(version[:2]))
    result = {}
    for name, (text, reason) in found.items():
        sign, count = parse_adjustment(text)
        result[name] = (sign, count, reason)
    return result


def adjustment(version_adjustments, name, oparg):
    entry = version_adjustments.get(name)
    if entry is None:
        return 0
    sign, count, _ = entry
    return sign * count.evaluate(oparg)
