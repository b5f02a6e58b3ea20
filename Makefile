# The two commands of the README's quick start, and the few others a developer needs.
#   make run    install dependencies, Release build, start `logdaemon serve` with its defaults
#   make test   install dependencies, build, run every test through ctest
#   make deb    the Debian packages; make install PREFIX=…: cmake --install (docs/install.md)
# SANITIZE=1 builds and tests with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/.

SANITIZE ?= 0
JOBS ?= $(shell nproc)
ifeq ($(SANITIZE),1)
  BUILD_DIR ?= build-asan
  CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLOGDAEMON_SANITIZE=ON -DLOGDAEMON_BUILD_BENCH=OFF
else
  BUILD_DIR ?= build
  CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=Release
endif

.PHONY: all deps build run test bench fuzz format clean deb install

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja $(CMAKE_FLAGS) > /dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The daemon with its embedded defaults (socket /tmp/logdaemon.sock, storage ./logs, metrics on
# 127.0.0.1:9100); extra flags: make run ARGS='--compression zstd'. Ctrl-C shuts it down gracefully.
ARGS ?=
run: build
	$(BUILD_DIR)/logdaemon serve $(ARGS)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 600

# The Debian packages (docs/install.md): $(BUILD_DIR)/logdaemon_<version>-1_amd64.deb and logdaemon-dev_….
deb: build
	cd $(BUILD_DIR) && cpack -G DEB

# Everything under PREFIX (default /usr/local): binary, units, config, man pages, headers, libraries.
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

bench: build
	bench/run.sh $(BUILD_DIR)

# Long fuzzing runs: make fuzz FUZZ_SECONDS=3600 [FUZZ_TARGET=schema_compile_fuzzer] (docs/fuzzing.md).
FUZZ_SECONDS ?= 60
FUZZ_TARGET ?= parquet_reader_fuzzer
fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGET)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf build build-asan build-fuzz
