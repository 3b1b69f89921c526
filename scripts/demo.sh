#!/usr/bin/env bash
# make demo: byte-compile the shipped example with a CPython, show what bcc
# reads out of the .pyc, then send it through bcc's SSA round trip and run
# the result in the same interpreter.
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
