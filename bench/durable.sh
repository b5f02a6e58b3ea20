#!/usr/bin/env bash
# Durable acknowledgements (issue #12) against memory acknowledgements, in the same run, on this machine:
#   1. `logdaemon serve --ack durable` and `--ack memory` (Release, io_uring, --overflow block so every log
#      is acknowledged and stored) driven by load_test with 1, 2 and 8 connections, at load_test's default
#      window (256 logs in flight per connection) and a deep one (4096): logs/s acknowledged, logs/s
#      written (until SIGTERM has flushed everything and the daemon exited), reply latency p50/p99,
#      fsyncs per second and logs per fsync (from /metrics); medians of REPS runs, fresh storage each;
#   2. the fsync latency of the disk under the storage directory (one 8 KiB write + fdatasync, 200 times,
#      into fallocated space and over written blocks, as in a recycled write-ahead log segment);
#   3. a burst of BURST logs (default 10 M) from one client with every setting at its default (--overflow
#      drop): how many were refused as overloaded, peak RSS (VmHWM) and the write-ahead log's peak size.
#   bench/durable.sh [BUILD_DIR]     default build/; LOGS (default 2000000), REPS (3), BURST (10000000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
logs=${LOGS:-2000000}
reps=${REPS:-3}
burst=${BURST:-10000000}
daemon=$build/logdaemon
load_test=$build/examples/load_test
for tool in "$daemon" "$load_test" "$build/bench/parquet_export"; do
  [ -x "$tool" ] || { echo "durable.sh: $tool is missing (make build)" >&2; exit 1; }
done

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_start
echo "corpus: 200000 distinct logs (the benches' Loghub corpus), $logs logs per run, medians of $reps runs"

metric() {  # metric NAME PORT: its value from /metrics
  python3 -c 'import sys, urllib.request as u
for line in u.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[2]).read().decode().splitlines():
    if line.startswith(sys.argv[1] + " "): print(line.split()[1])' "$1" "$2"
}

# ---- 2 first: the disk ------------------------------------------------------------------------------------
python3 - "$work" <<'PY'
import os, sys, time
# Into fresh, fallocated space (a new segment) and over blocks already written (a recycled one).
path = os.path.join(sys.argv[1], "fsync_probe")
def probe(fill):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    if fill:
        os.write(fd, bytes(200 * 8192))
        os.fsync(fd)
    else:
        os.posix_fallocate(fd, 0, 1 << 24)
    times = []
    for i in range(200):
        os.pwrite(fd, b"x" * 8192, i * 8192)
        t = time.perf_counter()
        os.fdatasync(fd)
        times.append(time.perf_counter() - t)
    os.close(fd)
    os.unlink(path)
    times.sort()
    return times[100] * 1e3, times[180] * 1e3
print("fdatasync of 8 KiB on this disk: p50 %.3f ms, p90 %.3f ms into fallocated space; "
      "p50 %.3f ms, p90 %.3f ms over written blocks (a recycled segment)" % (probe(False) + probe(True)))
PY

# ---- 1. durable against memory -----------------------------------------------------------------------------
# One run; prints: acked/s written/s p50 p99 fsyncs/s logs_per_fsync
run_daemon() {
  local ack=$1 c=$2 window=$3
  local dir=$work/run
  rm -rf "$dir"
  mkdir -p "$dir"
  local port
  port=$(free_port)
  "$daemon" serve --socket "$dir/s.sock" --storage "$dir/logs" --metrics-addr "127.0.0.1:$port" \
    --overflow block --ack "$ack" --log-level warn 2>"$dir/stderr" &
  local pid=$!
  pids+=("$pid")
  wait_for_socket "$dir/s.sock"
  local start
  start=$(date +%s.%N)
  "$load_test" "$dir/s.sock" "$logs" --connections "$c" --window "$window" --corpus "$work/corpus.ndjson" \
    --json >"$dir/lt.json"
  local syncs commits
  syncs=$(metric logdaemon_wal_syncs_total "$port")
  commits=$(metric logdaemon_wal_commits_total "$port")
  kill -TERM "$pid"
  wait "$pid"
  unset 'pids[-1]'
  local end
  end=$(date +%s.%N)
  local ok elapsed
  ok=$(field ok <"$dir/lt.json")
  elapsed=$(field elapsed_s <"$dir/lt.json")
  [ "$ok" = "$logs" ] || { echo "durable.sh: only $ok of $logs logs acknowledged" >&2; cat "$dir/stderr" >&2; exit 1; }
  awk -v lps="$(field logs_per_s <"$dir/lt.json")" -v n="$logs" -v s="$start" -v e="$end" \
    -v p50="$(field latency_p50_ms <"$dir/lt.json")" -v p99="$(field latency_p99_ms <"$dir/lt.json")" \
    -v syncs="$syncs" -v commits="$commits" -v el="$elapsed" \
    'BEGIN { printf "%.0f %.0f %s %s %.0f %.1f\n", lps, n / (e - s), p50, p99, syncs / el, (commits > 0 ? n / commits : 0) }'
}

echo
echo "logdaemon serve --ack durable vs --ack memory (io_uring, --overflow block, window = logs in flight per connection)"
printf '%-8s %-8s %-12s %12s %12s %9s %9s %10s %10s %10s %10s\n' ack window connections acked/s written/s p50_ms \
  p99_ms fsyncs/s logs/fsync "acked, x" "written, x"
for window in 256 4096; do
  for c in 1 2 8; do
    declare -A acked written
    for ack in memory durable; do
      : >"$work/r.txt"
      for r in $(seq 1 "$reps"); do run_daemon "$ack" "$c" "$window" >>"$work/r.txt"; done
      col() { awk -v k="$1" '{ print $k }' "$work/r.txt" | median; }
      acked[$ack]=$(col 1)
      written[$ack]=$(col 2)
      # The last two columns: this mode's rates over memory mode's (acknowledged, written to files).
      printf '%-8s %-8s %-12s %12.0f %12.0f %9.3f %9.3f %10.0f %10.1f %9.2fx %9.2fx\n' "$ack" "$window" "$c" \
        "$(col 1)" "$(col 2)" "$(col 3)" "$(col 4)" "$(col 5)" "$(col 6)" \
        "$(awk -v a="${acked[$ack]}" -v m="${acked[memory]}" 'BEGIN { print a / m }')" \
        "$(awk -v a="${written[$ack]}" -v m="${written[memory]}" 'BEGIN { print a / m }')"
    done
  done
done

# ---- 3. a burst with the defaults -------------------------------------------------------------------------
echo
dir=$work/burst
mkdir -p "$dir"
"$daemon" serve --socket "$dir/s.sock" --storage "$dir/logs" --metrics-addr off --log-level warn 2>"$dir/stderr" &
pid=$!
pids+=("$pid")
wait_for_socket "$dir/s.sock"
(
  peak=0
  while kill -0 "$pid" 2>/dev/null; do
    size=$(du -sk "$dir/logs/wal" 2>/dev/null | cut -f1)
    [ -n "$size" ] && [ "$size" -gt "$peak" ] && peak=$size
    echo "$peak" >"$dir/wal_peak"
    sleep 0.2
  done
) &
watcher=$!
"$load_test" "$dir/s.sock" "$burst" --corpus "$work/corpus.ndjson" --json >"$dir/lt.json" || true
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
kill -TERM "$pid"
wait "$pid"
unset 'pids[-1]'
wait "$watcher" 2>/dev/null || true
echo "burst of $burst logs from one client, default settings (--ack durable, --overflow drop, --queue-capacity 10000):"
echo "  acknowledged $(field ok <"$dir/lt.json"), refused $(field errors <"$dir/lt.json") $(field errors_by_reason <"$dir/lt.json" | tr -d '\n'), $(field logs_per_s <"$dir/lt.json" | awk '{ printf "%.0f", $1 }') logs/s"
echo "  peak RSS (VmHWM) $(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }') MiB, write-ahead log peak $(awk -v k="$(cat "$dir/wal_peak")" 'BEGIN { printf "%.1f", k / 1024 }') MiB on disk"
