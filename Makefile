# bcc: the two set-up commands are `make demo` and `make test`; both install
# what is missing (Debian packages), configure and build first.

SHELL := /bin/bash

BUILD       ?= build
ASAN_BUILD  ?= build-asan
FUZZ_BUILD  ?= build-fuzz
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
# The interpreter that byte-compiles the demo example (any of 3.8-3.13).
DEMO_PYTHON ?= $(shell command -v python3.11 || command -v python3)

BCC := $(BUILD)/tools/bcc/bcc

.PHONY: all deps configure build demo test unit-asan fuzz-smoke bench clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) > $(BUILD).configure.log 2>&1 || \
	  { cat $(BUILD).configure.log; exit 1; }

build: configure
	@env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh "$(BCC)" "$(DEMO_PYTHON)"

# Every test: the unit tests and the interpreter-backed tests under ctest,
# then the unit tests again under ASan + UBSan, then a short libFuzzer run
# of the .pyc reader over its seed corpus.
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory unit-asan
	@$(MAKE) --no-print-directory fuzz-smoke

unit-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DBCC_SANITIZE=ON > $(ASAN_BUILD).configure.log 2>&1 || \
	  { cat $(ASAN_BUILD).configure.log; exit 1; }
	@env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL cmake --build $(ASAN_BUILD) -j $(JOBS) --target bcc_unittests
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

# Builds the fuzz targets with clang and runs each for FUZZ_SECONDS (default
# 30) from the checked-in seeds: fuzz-pyc-reader (marshal and .pyc reading)
# and fuzz-lift-lower (read, lift, verify, lower, re-lift). A crash or a
# broken property fails the target.
FUZZ_SECONDS ?= 30
fuzz-smoke: deps
	@CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) -DBCC_FUZZ=ON -DBCC_BUILD_TESTS=OFF \
	  > $(FUZZ_BUILD).configure.log 2>&1 || { cat $(FUZZ_BUILD).configure.log; exit 1; }
	@env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz-pyc-reader fuzz-lift-lower
	@for target in fuzz-pyc-reader fuzz-lift-lower; do \
	  rm -rf $(FUZZ_BUILD)/scratch-corpus && mkdir -p $(FUZZ_BUILD)/scratch-corpus && \
	  echo "$$target: $(FUZZ_SECONDS) s" && \
	  $(FUZZ_BUILD)/tests/fuzz/$$target -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
	    -print_final_stats=1 $(FUZZ_BUILD)/scratch-corpus tests/fuzz/corpus 2>&1 | \
	    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY|.*ERROR|Fuzz)' ; \
	  test $${PIPESTATUS[0]} -eq 0 || exit 1; \
	done

# Benchmarks print ratios against baselines measured in the same run (bench/):
# the stdlib round trip, then the seed patterns against their hand-optimized
# forms (prints PASS/FAIL per target; `bench/seed_patterns.py --check` fails
# on a miss, make bench does not, since a shared machine's noise can cause one).
bench: build
	@python3 bench/roundtrip_stdlib.py --bcc $(BCC)
	@echo
	@python3 bench/seed_patterns.py --bcc $(BCC)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) *.configure.log
