# bcc: the two set-up commands are `make demo` and `make test`; both install
# what is missing (Debian packages), configure and build first.

BUILD       ?= build
ASAN_BUILD  ?= build-asan
JOBS        ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=
# The interpreter that byte-compiles the demo example (any of 3.8-3.13).
DEMO_PYTHON ?= $(shell command -v python3.11 || command -v python3)

BCC := $(BUILD)/tools/bcc/bcc

.PHONY: all deps configure build demo test unit-asan clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) > $(BUILD).configure.log 2>&1 || \
	  { cat $(BUILD).configure.log; exit 1; }

build: configure
	@env -u MAKEFLAGS -u MFLAGS cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh "$(BCC)" "$(DEMO_PYTHON)"

# Every test: the unit tests and the interpreter-backed tests under ctest,
# then the unit tests again under ASan + UBSan.
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory unit-asan

unit-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DBCC_SANITIZE=ON > $(ASAN_BUILD).configure.log 2>&1 || \
	  { cat $(ASAN_BUILD).configure.log; exit 1; }
	@env -u MAKEFLAGS -u MFLAGS cmake --build $(ASAN_BUILD) -j $(JOBS) --target bcc_unittests
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(BUILD).configure.log $(ASAN_BUILD).configure.log
