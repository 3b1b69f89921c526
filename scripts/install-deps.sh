#!/usr/bin/env bash
# Installs the Debian packages bcc needs, if any is missing. Idempotent and
# quiet when everything is already there.
set -euo pipefail

packages=(
  cmake make g++ clang-14 libclang-rt-14-dev   # compilers; clang for libFuzzer
  llvm-14-dev llvm-14-tools                     # LLVM ADT/Support headers, FileCheck, lit
  zlib1g-dev libncurses-dev libz3-dev           # what LLVMSupport links against
  libboost-graph-dev                            # dominators and loops
  libmimalloc-dev                               # the bcc driver's allocator
  pybind11-dev python3-dev                      # the Python bindings
  python3-venv                                  # venv + pip for Debian's python3.11 (ctest python_package)
  libgtest-dev googletest                       # unit tests
  python3 python3-bytecode                      # benchmark baseline
)

missing=()
# node and npm run CPython 3.14/3.15 (pyodide); any node >= 18 will do, so
# Debian's packages are asked for only when there is none.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -ne 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# CPython 3.14 and 3.15 for the tests (scripts/python3.14, scripts/python3.15).
bash "$(dirname "$0")/install-pyodide.sh"
