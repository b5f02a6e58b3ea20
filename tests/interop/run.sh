#!/usr/bin/env bash
# Runs one interop check in a fresh temporary directory, removed afterwards.
#   run.sh duckdb_reads_ours|arrow_reads_ours|ours_reads_duckdb|fixtures_vs_duckdb PATH/TO/parquet_testgen
set -euo pipefail
check=$1
testgen=$2
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/@duckdb/node-api" ] || [ ! -d "$here/node_modules/parquet-wasm" ]; then
  echo "interop: tests/interop/node_modules is missing: run scripts/install-deps.sh" >&2
  exit 1
fi
corpus="${LOGDAEMON_FIXTURES_DIR:-$here/../../../shared/fixtures}/corpus/loghub_messages.tsv"
if [ ! -f "$corpus" ] && [ "${LOGDAEMON_REQUIRE_FIXTURES:-0}" = 1 ]; then
  echo "interop: fixture corpus $corpus is missing (LOGDAEMON_REQUIRE_FIXTURES=1)" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
case "$check" in
  ours_reads_duckdb) node "$here/ours_reads_duckdb.mjs" "$work" "$testgen" ;;
  fixtures_vs_duckdb)
    fixtures="${LOGDAEMON_FIXTURES_DIR:-$here/../../../shared/fixtures}"
    if [ ! -d "$fixtures/parquet-testing" ]; then
      [ "${LOGDAEMON_REQUIRE_FIXTURES:-0}" = 1 ] && { echo "interop: $fixtures/parquet-testing missing" >&2; exit 1; }
      echo "interop: fixtures not found at $fixtures; skipping"
      exit 77  # ctest: skipped
    fi
    node "$here/fixtures_vs_duckdb.mjs" "$fixtures" "$testgen"
    ;;
  *)
    "$testgen" "$work" "$corpus"
    node "$here/$check.mjs" "$work"
    ;;
esac
