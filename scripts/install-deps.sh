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
for pkg in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
