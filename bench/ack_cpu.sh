#!/usr/bin/env bash
# What durable acknowledgements cost in CPU, and how much of it is the write-ahead log's backlog (issue #12):
# `logdaemon serve --overflow block` with `--ack memory` and `--ack durable`, each with its defaults and
# with a queue large enough that no log ever waits in the backlog (--queue-capacity 3000000
# --memory-limit 4GiB: the upper bound of anything that makes the backlog cheaper, such as a record
# format with rows already shredded), LOGS corpus logs from CONNECTIONS connections with WINDOW logs in
# flight each. Per run, once every log is written: logs/s written, logs that went through the backlog
# (logdaemon_wal_spilled_logs_total), the daemon's CPU per log and each thread's CPU. The four set-ups
# take turns run after run; medians of REPS runs at the end.
#   bench/ack_cpu.sh [BUILD_DIR]     default build/; LOGS (2000000), CONNECTIONS (2), WINDOW (4096), REPS (3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
logs=${LOGS:-2000000}
connections=${CONNECTIONS:-2}
window=${WINDOW:-4096}
reps=${REPS:-3}
daemon=$build/logdaemon
load_test=$build/examples/load_test
for tool in "$daemon" "$load_test" "$build/bench/parquet_export"; do
  [ -x "$tool" ] || { echo "ack_cpu.sh: $tool is missing (make build)" >&2; exit 1; }
done

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_start
echo "$logs logs per run, $connections connections, window $window, --overflow block, medians of $reps runs"

setups=("memory" "durable" "memory big-queue" "durable big-queue")

# One run of a set-up; prints: written/s spilled cpu_us_per_log thread=seconds...
run_setup() {
  local ack=$1 queue=$2 dir=$work/run port
  local extra=()
  [ "$queue" = big-queue ] && extra=(--queue-capacity 3000000 --memory-limit 4GiB)
  rm -rf "$dir"
  mkdir -p "$dir"
  port=$(free_port)
  "$daemon" serve --socket "$dir/s.sock" --storage "$dir/logs" --metrics-addr "127.0.0.1:$port" \
    --overflow block --ack "$ack" --log-level warn "${extra[@]}" 2>"$dir/stderr" &
  local pid=$!
  pids+=("$pid")
  wait_for_socket "$dir/s.sock"
  "$load_test" "$dir/s.sock" "$logs" --connections "$connections" --window "$window" \
    --corpus "$work/corpus.ndjson" --json >"$dir/lt.json" &
  local client=$!
  pids+=("$client")
  local written
  written=$(python3 - "$port" "$logs" <<'PY'
import sys, time, urllib.request
port, logs = sys.argv[1], int(sys.argv[2])
def metric(name):
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    except OSError:
        return 0.0  # not listening yet
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0
start = time.monotonic()
while metric("logdaemon_rows_written_total") < logs:
    if time.monotonic() - start > 600:
        sys.exit("ack_cpu.sh: the logs were not all written within 600 s")
    time.sleep(0.1)
print(f"{logs / (time.monotonic() - start):.0f} {metric('logdaemon_wal_spilled_logs_total'):.0f}")
PY
)
  local cpu
  cpu=$(thread_cpu "$pid")
  wait "$client"
  unset 'pids[-1]'
  kill -TERM "$pid"
  wait "$pid"
  unset 'pids[-1]'
  [ "$(field ok <"$dir/lt.json")" = "$logs" ] || { echo "ack_cpu.sh: not every log acknowledged" >&2; exit 1; }
  local total
  read -r total _ <<<"$(cpu_totals "$cpu")"
  echo "$written $(awk -v total="$total" -v logs="$logs" 'BEGIN { printf "%.2f", total / logs * 1e6 }') $cpu"
}

: >"$work/results.txt"
for rep in $(seq 1 "$reps"); do
  for setup in "${setups[@]}"; do
    read -r ack queue <<<"$setup"
    line=$(run_setup "$ack" "${queue:-default}")
    echo "  run $rep, $setup: $line"
    echo "$setup|$line" >>"$work/results.txt"
  done
done

echo
printf '%-20s %12s %14s %14s\n' set-up written/s spilled_logs cpu_us/log
for setup in "${setups[@]}"; do
  rows=$(grep "^$setup|" "$work/results.txt" | cut -d'|' -f2)
  printf '%-20s %12.0f %14.0f %14.2f\n' "$setup" \
    "$(cut -d' ' -f1 <<<"$rows" | median)" "$(cut -d' ' -f2 <<<"$rows" | median)" \
    "$(cut -d' ' -f3 <<<"$rows" | median)"
done
