#!/usr/bin/env bash
# Two or more builds of `logdaemon` against each other at full ingest, as bench/memory.sh measures one:
# `serve` with its defaults plus --overflow block, LOGS logs of the benches' corpus from CONNECTIONS
# connections with WINDOW logs in flight each; per run, logs/s acknowledged, peak RSS (VmHWM) and the
# compactor's share of the daemon's CPU. The builds take turns run after run (A B A B ...), so that a
# machine whose speed drifts does not favour one of them; medians of REPS runs at the end.
#
# The peak at 100 connections moves by several MiB between runs of one build (it depends on when merges
# fall): compare medians of 8 or more runs, not single runs.
#
# --live-time: load_test stamps each log with the time it is sent, as live logs are, instead of the
# corpus's own times, which repeat with every cycle through it (so that every flush file overlaps the
# others in time, and merged row groups interleave copies of the same log from different cycles).
#
#   bench/memory_ab.sh [--connections N] [--window W] [--logs N] [--reps N] [--live-time] BINARY...
#   e.g. bench/memory_ab.sh --connections 100 --window 256 --reps 8 /tmp/before/logdaemon build/logdaemon
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
connections=100 window=256 logs=5000000 reps=5 live_time=()
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections=$2; shift 2 ;;
    --window) window=$2; shift 2 ;;
    --logs) logs=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --live-time) live_time=(--live-time); shift ;;
    -*) echo "memory_ab.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { echo "usage: bench/memory_ab.sh [options] BINARY BINARY..." >&2; exit 2; }
for bin in "$@"; do [ -x "$bin" ] || { echo "memory_ab.sh: $bin is not an executable" >&2; exit 2; }; done
build=$root/build
for tool in "$build/examples/load_test" "$build/bench/parquet_export"; do
  [ -x "$tool" ] || { echo "memory_ab.sh: $tool is missing (make build)" >&2; exit 1; }
done

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_start
echo "$logs logs per run, $connections connections, window $window, $reps runs of each build, alternated${live_time:+, logs stamped with the time they are sent}"

# One run of binary $1: "logs_per_s vmhwm_mib compactor_share".
run() {
  local dir=$work/run
  rm -rf "$dir"
  mkdir -p "$dir"
  "$1" serve --socket "$dir/s.sock" --storage "$dir/logs" --metrics-addr off --overflow block \
    --log-level warn 2>"$dir/stderr" &
  local pid=$!
  pids+=("$pid")
  wait_for_socket "$dir/s.sock"
  "$build/examples/load_test" "$dir/s.sock" "$logs" --connections "$connections" --window "$window" \
    --corpus "$work/corpus.ndjson" "${live_time[@]}" --json >"$dir/lt.json"
  local measured total comp hwm
  read -r total comp hwm <<<"$(cpu_totals "$(thread_cpu "$pid")")"
  measured=$(awk -v total="$total" -v comp="$comp" -v hwm="$hwm" \
    'BEGIN { printf "%.1f %.3f\n", hwm, (total > 0 ? comp / total : 0) }')
  kill -TERM "$pid"
  wait "$pid"
  unset 'pids[-1]'
  [ "$(field ok <"$dir/lt.json")" = "$logs" ] || { echo "memory_ab.sh: not every log acknowledged" >&2; exit 1; }
  echo "$(field logs_per_s <"$dir/lt.json") $measured"
}

for _ in $(seq 1 "$reps"); do
  for i in $(seq 1 $#); do
    result=$(run "${!i}")
    echo "$i $result" >>"$work/results.txt"
    printf '  build %d: %s logs/s, VmHWM %s MiB, compactor %s\n' "$i" $result
  done
done

echo
printf '%-6s %-50s %12s %12s %14s\n' build binary acked/s VmHWM_MiB compactor_cpu
for i in $(seq 1 $#); do
  col() { awk -v b="$i" -v k="$1" '$1 == b { print $k }' "$work/results.txt" | median; }
  printf '%-6s %-50s %12.0f %12.1f %13.1f%%\n' "$i" "${!i}" "$(col 2)" "$(col 3)" \
    "$(awk -v s="$(col 4)" 'BEGIN { print s * 100 }')"
done
