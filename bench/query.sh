#!/usr/bin/env bash
# The query engine against DuckDB (issue #6): 10 M realistic logs (LOGS to change it) written by the storage
# engine with zstd and compacted (bench/storage_export), then six queries run by `logdaemon query` and by
# DuckDB (in-process, @duckdb/node-api) on the same files, both warm; medians of 5 runs each. Ours is
# reported twice: the engine's own time (what --explain prints) and the whole process (start, scan, print).
#   bench/query.sh [BUILD_DIR]        default build/ (a Release build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
logs=${LOGS:-10000000}
for tool in "$build/logdaemon" "$build/bench/storage_export"; do
  [ -x "$tool" ] || { echo "query.sh: $tool is missing (make build)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "writing $logs logs through the storage engine (zstd, compacted)..."
"$build/bench/storage_export" "$logs" "$work/logs" "$work/logs.ndjson" "$work/files.txt" >/dev/null
rm -f "$work/logs.ndjson"
echo "storage: $(wc -l <"$work/files.txt") files, $(du -sh "$work/logs" | cut -f1)"
node "$root/bench/query_bench.mjs" "$build/logdaemon" "$work/logs"
