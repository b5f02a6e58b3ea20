#!/usr/bin/env bash
# Bounded memory (issue #13), on this machine's cores with the load generator on the same machine:
#   1. `logdaemon serve` with its defaults (--memory-limit 64 MiB, --ack durable) plus --overflow block
#      (every log acknowledged and stored), LOGS logs of the benches' corpus from 2 and from 100
#      connections (window 4096 and 256): logs/s acknowledged, peak RSS (VmHWM), and each thread's CPU
#      seconds from /proc — the compactor's share of the daemon's CPU is what streaming compaction cuts;
#      medians of REPS runs, fresh storage each;
#   2. `logdaemon import` of an NDJSON file of IMPORT_LOGS logs (default 4 M, ~1 GB): logs/s and VmHWM
#      (the whole run, flushing and compacting included).
#   bench/memory.sh [BUILD_DIR]     default build/; LOGS (default 5000000), REPS (3), IMPORT_LOGS (4000000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
logs=${LOGS:-5000000}
reps=${REPS:-3}
import_logs=${IMPORT_LOGS:-4000000}
daemon=$build/logdaemon
load_test=$build/examples/load_test
for tool in "$daemon" "$load_test" "$build/bench/parquet_export"; do
  [ -x "$tool" ] || { echo "memory.sh: $tool is missing (make build)" >&2; exit 1; }
done

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_start
echo "corpus: 200000 distinct logs (the benches' Loghub corpus), $logs logs per run, medians of $reps runs"

# One run; prints: acked/s VmHWM_MiB compactor_share total_cpu_s
run_daemon() {
  local c=$1 window=$2
  local dir=$work/run
  rm -rf "$dir"
  mkdir -p "$dir"
  "$daemon" serve --socket "$dir/s.sock" --storage "$dir/logs" --metrics-addr off --overflow block \
    --log-level warn 2>"$dir/stderr" &
  local pid=$!
  pids+=("$pid")
  wait_for_socket "$dir/s.sock"
  "$load_test" "$dir/s.sock" "$logs" --connections "$c" --window "$window" --corpus "$work/corpus.ndjson" \
    --json >"$dir/lt.json"
  local cpu
  cpu=$(thread_cpu "$pid")
  kill -TERM "$pid"
  wait "$pid"
  unset 'pids[-1]'
  [ "$(field ok <"$dir/lt.json")" = "$logs" ] || { echo "memory.sh: not every log acknowledged" >&2; exit 1; }
  local total comp hwm
  read -r total comp hwm <<<"$(cpu_totals "$cpu")"
  awk -v lps="$(field logs_per_s <"$dir/lt.json")" -v total="$total" -v comp="$comp" -v hwm="$hwm" 'BEGIN {
    printf "%.0f %.1f %.3f %.1f\n", lps, hwm, (total > 0 ? comp / total : 0), total }'
}

echo
echo "logdaemon serve, defaults + --overflow block ($logs logs)"
printf '%-12s %-8s %12s %12s %16s %12s\n' connections window acked/s VmHWM_MiB compactor_cpu daemon_cpu_s
for spec in "2 4096" "100 256"; do
  read -r c window <<<"$spec"
  : >"$work/r.txt"
  for _ in $(seq 1 "$reps"); do run_daemon "$c" "$window" >>"$work/r.txt"; done
  col() { awk -v k="$1" '{ print $k }' "$work/r.txt" | median; }
  printf '%-12s %-8s %12.0f %12.1f %15.1f%% %12.1f\n' "$c" "$window" "$(col 1)" "$(col 2)" \
    "$(awk -v s="$(col 3)" 'BEGIN { print s * 100 }')" "$(col 4)"
done

echo
awk -v n="$import_logs" 'NR == FNR { line[NR] = $0; count = NR; next } END {
  for (i = 0; i < n; i++) print line[i % count + 1] }' "$work/corpus.ndjson" /dev/null >"$work/import.ndjson"
size=$(du -m "$work/import.ndjson" | cut -f1)
rm -rf "$work/import-logs"
start=$(date +%s.%N)
# Peak RSS of the child, from getrusage (KiB).
python3 - "$work/import.rss" "$daemon" import --storage "$work/import-logs" --quiet "$work/import.ndjson" \
  2>"$work/import.err" <<'PY' || { cat "$work/import.err" >&2; exit 1; }
import resource, subprocess, sys
rc = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL).returncode
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)
PY
end=$(date +%s.%N)
echo "logdaemon import of $import_logs logs ($size MB of NDJSON): $(awk -v n="$import_logs" -v s="$start" -v e="$end" \
  'BEGIN { printf "%.0f", n / (e - s) }') logs/s, peak RSS $(awk '{ printf "%.1f", $1 / 1024 }' "$work/import.rss") MiB"
