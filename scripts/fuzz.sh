#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs one for SECONDS.
#   scripts/fuzz.sh SECONDS [TARGET]      TARGET defaults to parquet_reader_fuzzer
# Targets and their seeds (docs/fuzzing.md):
#   parquet_reader_fuzzer    the parquet-testing fixtures (good and bad files), fuzz/parquet.dict
#   schema_compile_fuzzer    every schema of the JSON Schema test suite, fuzz/json_schema.dict
#   schema_validate_fuzzer   every test document of the suite, fuzz/json_schema.dict
# plus fuzz/corpus/TARGET/ (regression inputs) for each. The build goes to $LOGDAEMON_FUZZ_BUILD_DIR
# (default build-fuzz/); new inputs go to <build>/corpus-TARGET/, crashes to <build>/crashes/. Exits
# non-zero when the fuzzer found a crash, leak or timeout.
set -euo pipefail
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET]}
target=${2:-parquet_reader_fuzzer}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${LOGDAEMON_FUZZ_BUILD_DIR:-$root/build-fuzz}
fixtures=${LOGDAEMON_FIXTURES_DIR:-$root/../shared/fixtures}

seeds=()
case "$target" in
  parquet_reader_fuzzer)
    dict=parquet.dict
    seeds+=("$fixtures/parquet-testing/data" "$fixtures/parquet-testing/bad_data")
    ;;
  schema_compile_fuzzer | schema_validate_fuzzer)
    dict=json_schema.dict
    # The suite's files are arrays of cases: split them into one seed per schema and per document.
    suite="$fixtures/json-schema-test-suite"
    if [ -d "$suite" ]; then
      python3 "$root/scripts/json_schema_seeds.py" "$suite" "$build/seeds-schema_compile_fuzzer" \
        "$build/seeds-schema_validate_fuzzer"
      seeds+=("$build/seeds-$target")
    fi
    ;;
  *)
    echo "fuzz: unknown target $target" >&2
    exit 2
    ;;
esac
seeds+=("$root/fuzz/corpus/$target")

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLOGDAEMON_FUZZ=ON -DLOGDAEMON_BUILD_TESTS=OFF -DLOGDAEMON_BUILD_BENCH=OFF > "$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
cmake --build "$build" --target "$target" > "$build.build.log" 2>&1 || { tail -50 "$build.build.log"; exit 1; }

corpus="$build/corpus-$target"
crashes="$build/crashes"
mkdir -p "$corpus" "$crashes"
existing=()
for dir in "${seeds[@]}"; do
  [ -d "$dir" ] && existing+=("$dir")
done

set +e
LOGDAEMON_FIXTURES_DIR="$fixtures" "$build/fuzz/$target" "$corpus" "${existing[@]}" -max_total_time="$seconds" \
  -rss_limit_mb=2048 -timeout=10 -dict="$root/fuzz/$dict" -artifact_prefix="$crashes/" -print_final_stats=1 2>&1 |
  tail -25
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "fuzz: $target found a problem; reproducers in $crashes:" >&2
  ls -l "$crashes" >&2
  exit 1
fi
echo "fuzz: $target ran ${seconds}s with no crash"
