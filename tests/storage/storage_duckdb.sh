#!/usr/bin/env bash
# Storage engine checks that need DuckDB and arrow-rs (npm packages in tests/interop/node_modules):
#   storage_duckdb.sh crash   HARNESS WRITER [RUNS]   kill -9 a writer ≥ 50 times (proof 2), then DuckDB
#   storage_duckdb.sh bounded DRIVER [SECONDS]        60 s of fast writes: bounded files (proof 3), then DuckDB
#   storage_duckdb.sh layout  FIXTURE_WRITER          types and every value through DuckDB and arrow-rs (proofs 1, 5)
# Each runs in a fresh temporary directory, removed afterwards with every process it started.
set -euo pipefail
mode=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
interop="$here/../interop"
if [ ! -d "$interop/node_modules/@duckdb/node-api" ] || [ ! -d "$interop/node_modules/parquet-wasm" ]; then
  echo "storage: tests/interop/node_modules is missing: run scripts/install-deps.sh" >&2
  exit 1
fi
work=$(mktemp -d)
child=
cleanup() {
  if [ -n "$child" ]; then kill -KILL "$child" 2>/dev/null || true; wait "$child" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
# Runs a command in the background (so that the traps above can stop it) and waits for it.
run() {
  "$@" &
  child=$!
  local status=0
  wait "$child" || status=$?
  child=
  return "$status"
}
case "$mode" in
  crash)
    run "$1" "$2" "$work/logs" "${3:-50}" >"$work/out" || { cat "$work/out"; exit 1; }
    cat "$work/out"
    rows=$(sed -n 's/^rows //p' "$work/out")
    run node "$here/storage_duckdb.mjs" count "$work/logs" "$rows"
    ;;
  bounded)
    run "$1" "$work/logs" "${2:-60}" >"$work/out" || { cat "$work/out"; exit 1; }
    cat "$work/out"
    rows=$(sed -n 's/^rows //p' "$work/out")
    run node "$here/storage_duckdb.mjs" count "$work/logs" "$rows"
    ;;
  layout)
    run "$1" "$work"
    run node "$here/storage_duckdb.mjs" layout "$work"
    ;;
  *)
    echo "usage: storage_duckdb.sh crash|bounded|layout ..." >&2
    exit 2
    ;;
esac
