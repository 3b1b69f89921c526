#!/usr/bin/env bash
# make demo: byte-compile the shipped examples with a CPython, show what bcc
# reads out of a .pyc and its SSA round trip, then optimize
# examples/seed.py at -O3 and show what changed, that it gives the same
# results, and how fast it runs against the original in the same process.
set -euo pipefail
bcc=$1
python=$2
here=$(cd "$(dirname "$0")/.." && pwd)
example="$here/examples/fibonacci.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pyc="$work/fibonacci.pyc"
"$python" -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], dfile="fibonacci.py", doraise=True)' "$example" "$pyc"
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

echo "== examples/fibonacci.py, byte-compiled by CPython $version =="
echo
echo "\$ bcc dis fibonacci.pyc"
"$bcc" dis "$pyc"
echo
echo "\$ bcc opt -O0 --print-ir --compare --stats fibonacci.pyc -o fibonacci.bcc.pyc"
"$bcc" opt -O0 --print-ir --compare --stats "$pyc" -o "$work/fibonacci.bcc.pyc"
echo
echo "\$ python$version: run the module bcc wrote"
"$python" - "$work/fibonacci.bcc.pyc" <<'PY'
import marshal, sys
with open(sys.argv[1], "rb") as f:
    code = marshal.loads(f.read()[16:])
namespace = {"__name__": "fibonacci"}
exec(code, namespace)
print("fibonacci(10) =", namespace["fibonacci"](10))
print("list(Squares(5)) =", list(namespace["Squares"](5)))
print("TABLE =", namespace["TABLE"])
PY

echo
echo "== examples/seed.py: the optimizer =="
seed="$work/seed.pyc"
"$python" -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], dfile="seed.py", doraise=True)' "$here/examples/seed.py" "$seed"
echo
echo "\$ bcc opt -O3 --assume=stable-functions,stable-globals --remarks --stats seed.pyc -o seed.opt.pyc"
"$bcc" opt -O3 --assume=stable-functions,stable-globals --remarks --stats "$seed" -o "$work/seed.opt.pyc"
echo
echo "\$ python$version: the loop of work() before and after (dis)"
"$python" - "$seed" "$work/seed.opt.pyc" <<'PY'
import dis, marshal, sys, timeit

def load(path):
    with open(path, "rb") as f:
        code = marshal.loads(f.read()[16:])
    namespace = {"__name__": "seed"}
    exec(code, namespace)
    return namespace

original, optimized = load(sys.argv[1]), load(sys.argv[2])
for label, ns in (("original", original), ("bcc -O3", optimized)):
    print("--- work(), %s: %d instructions" % (label, len(list(dis.get_instructions(ns["work"])))))
    dis.dis(ns["work"])
for name, arg in (("work", 200000), ("wave", 200000)):
    same = original[name](arg) == optimized[name](arg)
    t0 = min(timeit.repeat(lambda: original[name](arg), number=1, repeat=5))
    t1 = min(timeit.repeat(lambda: optimized[name](arg), number=1, repeat=5))
    print("%s(%d): same result: %s; original %.1f ms, bcc -O3 %.1f ms: %.2fx" %
          (name, arg, same, t0 * 1e3, t1 * 1e3, t0 / t1))
PY
