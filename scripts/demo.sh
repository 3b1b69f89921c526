#!/usr/bin/env bash
# make demo: byte-compile the shipped example with a CPython and show what
# bcc reads out of the .pyc it wrote.
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
