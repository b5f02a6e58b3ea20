#!/usr/bin/env bash
# Runs the benchmarks of bench/ and prints their numbers (medians of repeated runs).
#   bench/run.sh [BUILD_DIR]     default build/ (a Release build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
corpus=${LOGDAEMON_FIXTURES_DIR:-$root/../shared/fixtures}/corpus/loghub_messages.tsv
[ -f "$corpus" ] || { echo "bench: the corpus $corpus is missing" >&2; exit 1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"

"$build/bench/parquet_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_display_aggregates_only=true 2>&1 | grep -E 'Benchmark|median|---'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/bench/parquet_export" 1000000 "$work/logdaemon.parquet" "$work/logs.ndjson"
node "$root/bench/parquet_size.mjs" "$work/logdaemon.parquet" "$work/logs.ndjson" "$work"

echo
"$root/bench/schema.sh" "$build"  # JSON Schema validation against ajv

echo
"$root/bench/storage.sh" "$build"  # the storage engine: rows/s, and bytes per log against DuckDB

echo
"$root/bench/ingest.sh" "$build"  # the daemon end to end: logs/s against the socket ceiling, RSS, profile
"$root/bench/durable.sh" "$build"  # durable acks against memory acks, the fsync latency, a burst
"$root/bench/ack_cpu.sh" "$build"  # what durable acks cost per log, thread by thread, without the backlog
"$root/bench/memory.sh" "$build"  # peak RSS and the compactor's CPU share at full ingest, import's
"$root/bench/http.sh" "$build"  # the HTTP front door (NDJSON, OTLP protobuf) against the socket
"$root/bench/ship.sh" "$build"  # shipping to object storage: the uploader's CPU, upload MB/s (s3rver)

echo
"$root/bench/query.sh" "$build"  # the query engine against DuckDB on 10 M logs
