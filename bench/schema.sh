#!/usr/bin/env bash
# JSON Schema validation on one core: our validator (schema_bench: simdjson parse + Validator) against
# ajv (ajv_bench.mjs: JSON.parse + compiled validate) on the same logs and schemas, both pinned to CPU 0.
# Prints each side's median logs/s over 5 repetitions and the ratio ours / ajv.
#   bench/schema.sh [BUILD_DIR]     default build/ (a Release build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[ -d "$root/bench/node_modules/ajv-formats" ] ||
  { echo "schema.sh: ajv is not installed in bench/node_modules; run scripts/install-deps.sh" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Both sides read the files written here, so they validate the very same bytes.
"$build/bench/schema_export" "$work"

taskset -c 0 "$build/bench/schema_bench" --logs_dir="$work" --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_display_aggregates_only=true \
  --benchmark_out="$work/ours.json" --benchmark_out_format=json 2>&1 | grep -E 'Benchmark|median|---'
taskset -c 0 node "$root/bench/ajv_bench.mjs" "$work" "$root/bench/rich_schema.json" --runs=5 \
  --json="$work/ajv.json"

node - "$work/ours.json" "$work/ajv.json" <<'JS'
const { readFileSync } = require('node:fs');
const [oursPath, ajvPath] = process.argv.slice(2);
const ours = new Map(JSON.parse(readFileSync(oursPath, 'utf8')).benchmarks
  .filter((b) => b.aggregate_name === 'median')
  .map((b) => [b.run_name.replace(/\/real_time$/, ''), b.items_per_second]));
const ajv = new Map(JSON.parse(readFileSync(ajvPath, 'utf8')).results
  .map((r) => [r.name, r.logs_per_second]));
const rows = [
  ['parse only (floor)', 'BM_Parse', 'parse'],
  ['default', 'BM_ParseValidate/default', 'default'],
  ['rich', 'BM_ParseValidate/rich', 'rich'],
  ['default, 10% invalid', 'BM_ParseValidateMixed/default', 'mixed/default'],
  ['rich, 10% invalid', 'BM_ParseValidateMixed/rich', 'mixed/rich'],
];
const m = (x) => `${(x / 1e6).toFixed(2)} M`;
console.log('\nparse + validate, one core, logs/s (medians of 5)');
console.log(`${'schema'.padEnd(22)} ${'ours'.padStart(9)} ${'ajv'.padStart(9)} ${'ratio'.padStart(7)}`);
for (const [label, oursName, ajvName] of rows) {
  const a = ours.get(oursName), b = ajv.get(ajvName);
  const ratio = `${(a / b).toFixed(2)}×`;
  console.log(`${label.padEnd(22)} ${m(a).padStart(9)} ${m(b).padStart(9)} ${ratio.padStart(7)}`);
}
JS
