#!/usr/bin/env bash
# Installs CPython 3.14 and 3.15 for bcc's tests: the npm package pyodide
# (CPython compiled to WebAssembly, run by node), pinned by
# scripts/pyodide/X.Y/package-lock.json, into $BCC_PYODIDE_DIR/X.Y
# (default: build/pyodide/X.Y). scripts/python3.14 and scripts/python3.15 run
# it. Idempotent and quiet when the pinned version is already there.
#
#   scripts/install-pyodide.sh [X.Y ...]     (default: every pinned version)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
base="${BCC_PYODIDE_DIR:-$repo/build/pyodide}"

versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
  versions=()
  for d in "$here"/pyodide/3.*/; do versions+=("$(basename "$d")"); done
fi

for version in "${versions[@]}"; do
  pin="$here/pyodide/$version"
  if [ ! -f "$pin/package-lock.json" ]; then
    echo "install-pyodide: no pin for Python $version in scripts/pyodide/" >&2
    exit 1
  fi
  want="$(node -e 'const l = require(process.argv[1]); console.log(l.packages["node_modules/pyodide"].version)' "$pin/package-lock.json")"
  dest="$base/$version"
  have=""
  if [ -f "$dest/node_modules/pyodide/package.json" ]; then
    have="$(node -e 'console.log(require(process.argv[1]).version)' "$dest/node_modules/pyodide/package.json")"
  fi
  if [ "$have" = "$want" ]; then
    continue
  fi
  echo "install-pyodide: pyodide $want (Python $version) into $dest"
  mkdir -p "$dest"
  cp "$pin/package.json" "$pin/package-lock.json" "$dest/"
  (cd "$dest" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
done
