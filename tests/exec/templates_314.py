# 3.14's new code: template strings (BUILD_TEMPLATE, BUILD_INTERPOLATION),
# `async for` (END_ASYNC_FOR, whose argument the lowering recomputes),
# `async with` (LOAD_SPECIAL), and a Final constant folded into a template's
# interpolation; with the module's annotations read from its __annotate__.
#
# versions: 3.14
# bcc-flags: -O2
# bcc-flags: -O3
# expect: fold-globals: done: 'GREETING' is 'Hello' (Final)
from string.templatelib import Interpolation
from typing import Final

GREETING: Final = "Hello"


def render(name, n):
    t = t"{GREETING} {name!r:>10}, you have {n * 2:05d} items {name=}"
    parts = []
    for item in t:
        if isinstance(item, Interpolation):
            parts.append((item.expression, item.conversion, item.format_spec,
                          item.value))
        else:
            parts.append(item)
    return parts, t.strings


class Ctx:
    async def __aenter__(self):
        return "ctx"

    async def __aexit__(self, *exc):
        return False


async def agen(xs):
    for x in xs:
        if x == 2:
            continue
        yield x


async def use():
    out = []
    async for v in agen([1, 2, 3]):
        out.append(v)
    async with Ctx() as c:
        out.append(c)
    try:
        async for v in agen([4, None]):
            out.append(v + 1)
    except TypeError as e:
        out.append(type(e).__name__)
    return out


print(render("bob", 21))
coroutine = use()
try:
    coroutine.send(None)
except StopIteration as e:
    print(e.value)
