#!/usr/bin/env bash
# The daemon end to end (issue #5), on this machine's cores with the load generator on the same machine:
#   1. the socket ceiling: bench/rawsink (the wire protocol, nothing behind it) driven by load_test;
#   2. `logdaemon serve` (Release, --overflow block so every log is acknowledged and stored) driven by
#      load_test with 1, 2, 4 and 8 connections over realistic logs (the Loghub corpus, as the other
#      benches): logs/s acknowledged, logs/s written (until the graceful shutdown has flushed everything),
#      MB/s, reply latency p50/p99, peak RSS (VmHWM), files left; medians of REPS runs, each on a fresh
#      storage directory;
#   3. peak RSS with --queue-capacity 10000 and 100 connections;
#   4. a CPU profile of the daemon (perf, per thread and per function) at 4 connections.
#   bench/ingest.sh [BUILD_DIR]        default build/ (a Release build); LOGS (default 2000000), REPS (3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
logs=${LOGS:-2000000}
reps=${REPS:-3}
daemon=$build/logdaemon
load_test=$build/examples/load_test
rawsink=$build/bench/rawsink
for tool in "$daemon" "$load_test" "$rawsink" "$build/bench/parquet_export"; do
  [ -x "$tool" ] || { echo "ingest.sh: $tool is missing (make build)" >&2; exit 1; }
done

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_start
avg=$(awk '{ n += length($0) } END { printf "%.0f", n / NR }' "$work/corpus.ndjson")
echo "corpus: 200000 distinct logs, $avg bytes per log on average; $logs logs per run, medians of $reps runs"

# ---- 1. the socket ceiling ----------------------------------------------------------------------------
echo
echo "rawsink (the socket ceiling: frames read and answered OK, nothing else)"
printf '%-12s %12s %10s %10s %10s\n' connections logs/s MB/s p50_ms p99_ms
declare -A ceiling
for c in 1 2 4 8; do
  for r in $(seq 1 "$reps"); do
    sock=$work/raw.sock
    "$rawsink" "$sock" 2>/dev/null &
    pids+=($!)
    wait_for_socket "$sock"
    "$load_test" "$sock" "$logs" --connections "$c" --corpus "$work/corpus.ndjson" --json >"$work/raw_${c}_$r.json"
    kill -TERM "${pids[-1]}"
    wait "${pids[-1]}" 2>/dev/null || true
    unset 'pids[-1]'
    cat "$work/raw_${c}_$r.json" >>"$work/raw_$c.jsonl"
  done
  rate=$(while read -r l; do echo "$l" | field logs_per_s; done <"$work/raw_$c.jsonl" | median)
  mbs=$(while read -r l; do echo "$l" | field mb_per_s; done <"$work/raw_$c.jsonl" | median)
  p50=$(while read -r l; do echo "$l" | field latency_p50_ms; done <"$work/raw_$c.jsonl" | median)
  p99=$(while read -r l; do echo "$l" | field latency_p99_ms; done <"$work/raw_$c.jsonl" | median)
  ceiling[$c]=$rate
  printf '%-12s %12.0f %10.1f %10.3f %10.3f\n' "$c" "$rate" "$mbs" "$p50" "$p99"
done

# ---- 2. the daemon ------------------------------------------------------------------------------------
# One run: a fresh storage directory, the daemon, load_test, then SIGTERM and the time until the daemon has
# flushed everything and exited. Prints: acked_rate written_rate mb_s p50 p99 vmhwm_kib files
run_daemon() {
  local c=$1 extra=$2
  local dir=$work/run
  rm -rf "$dir"
  mkdir -p "$dir"
  # shellcheck disable=SC2086
  "$daemon" serve --socket "$dir/s.sock" --storage "$dir/logs" --metrics-addr off --overflow block \
    --log-level warn $extra 2>"$dir/stderr" &
  local pid=$!
  pids+=("$pid")
  wait_for_socket "$dir/s.sock"
  local start
  start=$(date +%s.%N)
  "$load_test" "$dir/s.sock" "$logs" --connections "$c" --corpus "$work/corpus.ndjson" --json >"$dir/lt.json"
  local hwm
  hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
  kill -TERM "$pid"
  wait "$pid"
  unset 'pids[-1]'
  local end
  end=$(date +%s.%N)
  local ok
  ok=$(field ok <"$dir/lt.json")
  [ "$ok" = "$logs" ] || { echo "ingest.sh: only $ok of $logs logs acknowledged" >&2; cat "$dir/stderr" >&2; exit 1; }
  local files
  files=$(find "$dir/logs" -name '*.parquet' | wc -l)
  echo "$(field logs_per_s <"$dir/lt.json") $(awk -v n="$logs" -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", n / (e - s) }') $(field mb_per_s <"$dir/lt.json") $(field latency_p50_ms <"$dir/lt.json") $(field latency_p99_ms <"$dir/lt.json") $hwm $files"
}

echo
echo "logdaemon serve (io_uring, --overflow block; 'written' = until SIGTERM has flushed all and the daemon exited)"
printf '%-12s %12s %12s %10s %10s %10s %10s %7s %9s\n' connections acked/s written/s MB/s p50_ms p99_ms VmHWM_MiB files "%ceiling"
for c in 1 2 4 8; do
  : >"$work/d_$c.txt"
  for r in $(seq 1 "$reps"); do run_daemon "$c" "" >>"$work/d_$c.txt"; done
  col() { awk -v k="$1" '{ print $k }' "$work/d_$c.txt" | median; }
  acked=$(col 1)
  printf '%-12s %12.0f %12.0f %10.1f %10.3f %10.3f %10.1f %7.0f %8.1f%%\n' "$c" "$acked" "$(col 2)" "$(col 3)" \
    "$(col 4)" "$(col 5)" "$(echo "$(col 6)" | awk '{ print $1 / 1024 }')" "$(col 7)" \
    "$(awk -v a="$acked" -v b="${ceiling[$c]}" 'BEGIN { print 100 * a / b }')"
done
echo "--io-backend epoll:"
for c in 2 8; do
  : >"$work/e_$c.txt"
  for r in $(seq 1 "$reps"); do run_daemon "$c" "--io-backend epoll" >>"$work/e_$c.txt"; done
  printf '%-12s %12.0f %12.0f\n' "$c" "$(awk '{ print $1 }' "$work/e_$c.txt" | median)" \
    "$(awk '{ print $2 }' "$work/e_$c.txt" | median)"
done

# ---- 3. memory with 100 connections -------------------------------------------------------------------
echo
: >"$work/m.txt"
for r in $(seq 1 "$reps"); do run_daemon 100 "--queue-capacity 10000" >>"$work/m.txt"; done
echo "peak RSS with --queue-capacity 10000 and 100 connections: $(awk '{ print $6 }' "$work/m.txt" | median | awk '{ printf "%.1f", $1 / 1024 }') MiB (VmHWM, median); $(awk '{ print $1 }' "$work/m.txt" | median | awk '{ printf "%.0f", $1 }') logs/s acked"

# ---- 4. where the time goes ---------------------------------------------------------------------------
echo
if command -v perf >/dev/null && perf record -e cpu-clock -o /dev/null true >/dev/null 2>&1; then
  dir=$work/prof
  rm -rf "$dir"
  mkdir -p "$dir"
  "$daemon" serve --socket "$dir/s.sock" --storage "$dir/logs" --metrics-addr off --overflow block \
    --log-level warn 2>/dev/null &
  pid=$!
  pids+=("$pid")
  wait_for_socket "$dir/s.sock"
  perf record -e cpu-clock -F 999 -p "$pid" -o "$dir/perf.data" 2>/dev/null &
  perf_pid=$!
  sleep 0.2
  "$load_test" "$dir/s.sock" "$logs" --connections 4 --corpus "$work/corpus.ndjson" >/dev/null
  kill -INT "$perf_pid"
  wait "$perf_pid" 2>/dev/null || true
  kill -TERM "$pid"
  wait "$pid"
  unset 'pids[-1]'
  echo "profile of the daemon at 4 connections (perf, cpu-clock): CPU share per thread"
  # awk reads all its input: with `head`, pipefail ends the script with 141 once head stops reading.
  perf report -i "$dir/perf.data" --no-children --sort comm --stdio 2>/dev/null | awk '/%/ && n++ < 8'
  echo "top functions:"
  perf report -i "$dir/perf.data" --no-children --sort comm,dso,sym --stdio 2>/dev/null | awk '/%/ && n++ < 25'
else
  echo "perf is not usable here (linux-perf missing or perf_event_paranoid); profile with valgrind --tool=callgrind"
fi
