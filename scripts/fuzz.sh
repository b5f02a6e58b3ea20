#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs one for SECONDS.
#   scripts/fuzz.sh SECONDS [TARGET]      TARGET defaults to parquet_reader_fuzzer
# The build goes to $LOGDAEMON_FUZZ_BUILD_DIR (default build-fuzz/). The corpus starts from the
# parquet-testing fixtures and fuzz/corpus/ (if any); new inputs go to <build>/corpus-TARGET/, crashes
# to <build>/crashes/. Exits non-zero when the fuzzer found a crash, leak or timeout.
set -euo pipefail
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET]}
target=${2:-parquet_reader_fuzzer}
root=$(cd "$(dirname "$0")/.." && pwd)
build=${LOGDAEMON_FUZZ_BUILD_DIR:-$root/build-fuzz}
fixtures=${LOGDAEMON_FIXTURES_DIR:-$root/../shared/fixtures}

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLOGDAEMON_FUZZ=ON -DLOGDAEMON_BUILD_TESTS=OFF -DLOGDAEMON_BUILD_BENCH=OFF > "$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
cmake --build "$build" --target "$target" > "$build.build.log" 2>&1 || { tail -50 "$build.build.log"; exit 1; }

corpus="$build/corpus-$target"
crashes="$build/crashes"
mkdir -p "$corpus" "$crashes"
seeds=()
for dir in "$fixtures/parquet-testing/data" "$fixtures/parquet-testing/bad_data" "$root/fuzz/corpus"; do
  [ -d "$dir" ] && seeds+=("$dir")
done

set +e
"$build/fuzz/$target" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
  -dict="$root/fuzz/parquet.dict" -artifact_prefix="$crashes/" -print_final_stats=1 2>&1 | tail -25
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "fuzz: $target found a problem; reproducers in $crashes:" >&2
  ls -l "$crashes" >&2
  exit 1
fi
echo "fuzz: $target ran ${seconds}s with no crash"
