#!/usr/bin/env bash
# The storage engine (issue #4), on the machine's cores (no pinning: the producing thread and the writer
# thread run side by side, as in the daemon):
#   1. rows/s through StorageEngine::Append (parse + validate + shred + encode + compress + write) and
#      through an Appender with pre-parsed logs (shred + encode + compress + write), snappy and zstd,
#      1 M logs per iteration, files fsynced into a fresh directory under $TMPDIR (default /tmp);
#      medians of 5 repetitions;
#   2. bytes per log after compaction (zstd) against DuckDB's zstd Parquet of the same logs, the raw
#      NDJSON and `zstd -3` of it.
#   bench/storage.sh [BUILD_DIR]     default build/ (a Release build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
tmp=${TMPDIR:-/tmp}
command -v zstd >/dev/null || { echo "storage.sh: the zstd command is missing" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fstype=$(findmnt -n -o FSTYPE -T "$tmp" 2>/dev/null || stat -f -c %T "$tmp")
echo "storage directory: $tmp ($fstype), load $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/bench/storage_bench" --storage_dir="$tmp" --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_display_aggregates_only=true \
  --benchmark_out="$work/bench.json" --benchmark_out_format=json 2>&1 | grep -E 'Benchmark|median|---'

node - "$work/bench.json" <<'JS'
const { readFileSync } = require('node:fs');
const medians = new Map(JSON.parse(readFileSync(process.argv[2], 'utf8')).benchmarks
  .filter((b) => b.aggregate_name === 'median')
  .map((b) => [b.run_name.replace(/\/iterations:\d+|\/manual_time/g, ''), b]));
const rows = [
  ['Append(json), snappy', 'BM_StorageAppend/snappy'],
  ['Append(json), zstd', 'BM_StorageAppend/zstd'],
  ['Appender (pre-parsed), snappy', 'BM_StorageAppender/snappy'],
  ['Appender (pre-parsed), zstd', 'BM_StorageAppender/zstd'],
];
console.log('\nrows/s through the storage engine, 1 M logs per iteration, until Flush() returns (medians of 5)');
console.log(`${'path'.padEnd(30)} ${'ms/1M'.padStart(7)} ${'rows/s'.padStart(8)} ${'MB/s'.padStart(6)} ` +
  `${'B/row'.padStart(6)} ${'main'.padStart(5)} ${'other'.padStart(5)} ${'others'.padStart(6)}`);
for (const [label, name] of rows) {
  const b = medians.get(name);
  if (!b) continue;
  console.log(`${label.padEnd(30)} ${b.real_time.toFixed(0).padStart(7)} ` +
    `${(b.items_per_second / 1e6).toFixed(2).padStart(6)} M ${(b.bytes_per_second / 1e6).toFixed(0).padStart(6)} ` +
    `${b['out_B/row'].toFixed(1).padStart(6)} ${b.main_cpu.toFixed(2).padStart(5)} ${b.other_cpu.toFixed(2).padStart(5)} ${b.others.toFixed(2).padStart(6)}`);
}
const hot = medians.get('BM_StorageAppender/snappy');
if (hot) {
  const rate = hot.items_per_second / 1e6;
  console.log(`target (Appender, snappy) >= 1.5 M rows/s: ${rate >= 1.5 ? 'met' : 'MISSED'} (${rate.toFixed(2)} M)`);
}
console.log('(main / other: CPU seconds per wall second of the producing thread / of the writer and publisher\n' +
  ' threads; others: of other processes on the machine, which disturb the numbers when above ~0.1)');
JS

echo
"$build/bench/storage_export" 1000000 "$work/storage" "$work/logs.ndjson" "$work/files.txt"
node "$root/bench/storage_size.mjs" "$work/files.txt" "$work/logs.ndjson" "$work"
