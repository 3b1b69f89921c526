# The exact cleanups on code CPython left foldable: comparisons of
# constants (CPython's compiler does not fold them), the branches they
# decide, and what becomes dead. The output, tracebacks included, must not
# change.
#
# bcc-flags: -O1
# expect: const-fold: done: COMPARE_OP on constants is True
# expect: fold-branches: done
# bcc-flags: -O2
# expect: const-fold: done
import traceback


def compare():
    results = []
    if 1 < 2:
        results.append("1 < 2")
    else:
        results.append("never")
    if "a" > "b":
        results.append("never")
    results.append(2 ** 10 == 1024)
    results.append(not 0)
    results.append((1, 2) == (1, 2))
    results.append("ab" in "cabd")
    results.append(3 in (1, 2, 3))
    return results


def chained(x):
    # A chained comparison with constants on both ends.
    return 1 < 2 < x


def keeps_errors():
    out = []
    for thunk in (lambda: 1 // 0, lambda: 1 << -1, lambda: "a" < 1):
        try:
            out.append(thunk())
        except Exception as e:
            out.append(type(e).__name__)
    return out


def traceback_lines():
    try:
        if 2 > 1:
            raise ValueError("in the folded branch")
    except ValueError:
        return traceback.format_exc()


def conditional_expression(x):
    y = "yes" if 10 > 3 else x.missing
    z = x if 0 > 1 else "no"
    return y, z


print(compare())
print(chained(3), chained(0))
print(keeps_errors())
print(traceback_lines())
print(conditional_expression(None))
