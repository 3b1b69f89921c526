# fold-globals under each rule that allows it, and the names no rule
# covers.
#
# bcc-flags: -O2 --const DEBUG=False --const LEVEL=3
# expect: fold-globals: done: 'DEBUG' is False (--const DEBUG=False)
# expect: fold-globals: done: 'LEVEL' is 3 (--const LEVEL=3)
# expect: fold-globals: missed: 'COUNT' is not folded: 'COUNT' is assigned 2 times
# bcc-flags: -O2 --assume=module-constants
# expect: fold-globals: done: 'NAME' is 'bcc' (module-constants)
# expect: fold-globals: done: 'LEVEL' is 3 (module-constants)
# expect-not: 'COUNT' is 0
# expect-not: 'MAYBE' is 1
# expect: fold-globals: missed: 'MAYBE' is not folded: 'MAYBE' is not always assigned
# bcc-flags: -O3
# expect: fold-globals: done: 'LIMIT' is 100 (Final)
# expect-not: 'NAME' is 'bcc'
import sys
from typing import Final

DEBUG = False
LEVEL = 3
NAME = "bcc"
LIMIT: Final = 100
COUNT = 0
if len(sys.argv) > 5:
    MAYBE = 1


def bump():
    global COUNT
    COUNT += 1
    return COUNT


def report():
    out = []
    if DEBUG:
        out.append("debugging")
    out.append(LEVEL * 2)
    out.append(NAME.upper())
    out.append(LIMIT + 1)
    out.append(bump())
    out.append(bump())
    try:
        out.append(MAYBE)
    except NameError as e:
        out.append(str(e))
    return out


print(report())
print(DEBUG, LEVEL, NAME, LIMIT, COUNT)
