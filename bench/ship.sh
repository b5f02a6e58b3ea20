#!/usr/bin/env bash
# Shipping to object storage (issue #15), on this machine, against the local S3 server of the tests (npm
# s3rver, tests/ship/node_modules; its disk writes are part of what is measured):
#   1. the CPU cost of shipping during an ingest: `logdaemon serve` (defaults but --rotation-mb 32, and
#      --ship-after 1s so that files are shipped while the ingest runs) takes LOGS generated logs over 2
#      socket connections (examples/load_test), once without and once with --ship-url; logs/s acknowledged,
#      the daemon's CPU seconds (utime + stime) once every log is in a file (and, with shipping, every file
#      shipped), and the CPU seconds of the uploader thread (ld-shipper) with the bytes it shipped. Note:
#      --ship-after 1s ships flush files before compaction merges them, so the shipping run compacts less;
#      the uploader thread's own CPU is the cost of shipping;
#   2. upload throughput: the storage directory of the run without shipping is then shipped by a daemon
#      that only ships (no ingest): its bytes / the time until the last file is confirmed (MB/s).
#   bench/ship.sh [BUILD_DIR]     default build/ (a Release build); LOGS (default 2000000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
logs=${LOGS:-2000000}
daemon=$build/logdaemon
load_test=$build/examples/load_test
s3rver=$root/tests/ship/node_modules/s3rver/bin/s3rver.js
for tool in "$daemon" "$load_test" "$s3rver"; do
  [ -e "$tool" ] || { echo "missing $tool (build the project; run scripts/install-deps.sh)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/ld-bench-ship-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
s3_port=$(free_port)
node "$s3rver" -d "$work/s3" -a 127.0.0.1 -p "$s3_port" --silent --configure-bucket bench >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$s3_port") 2>/dev/null && break; sleep 0.1; done
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER

metric() { curl -s "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n { print $2 }'; }
cpu_seconds() { awk -v t="$(getconf CLK_TCK)" '{ print ($14 + $15) / t }' "/proc/$1/stat"; }
# The CPU seconds of the uploader thread alone (named ld-shipper); 0 without one.
shipper_seconds() {
  local t total=0
  for t in /proc/"$1"/task/*; do
    [ "$(cat "$t/comm")" = "ld-shipper" ] && total=$(awk -v t="$(getconf CLK_TCK)" '{ print ($14 + $15) / t }' "$t/stat")
  done
  echo "$total"
}

# run NAME STORAGE [FLAGS...]: starts serve, ingests, stops it; prints "logs/s cpu_s".
run() {
  local name=$1 storage=$2; shift 2
  local port; port=$(free_port)
  "$daemon" serve --socket "$work/$name.sock" --storage "$storage" --http-addr "127.0.0.1:$port" \
    --rotation-mb 32 "$@" 2>"$work/$name.log" &
  local pid=$!
  pids+=($pid)
  for _ in $(seq 100); do [ -S "$work/$name.sock" ] && break; sleep 0.05; done
  local out; out=$("$load_test" "$work/$name.sock" "$logs" --connections 2 --json)
  local rate; rate=$(python3 -c 'import json,sys; print(round(json.loads(sys.argv[1])["logs_per_s"]))' "$out")
  # Both runs are measured at the same point: every log in a file, and with shipping every file shipped.
  for _ in $(seq 600); do
    [ "$(metric "$port" logdaemon_rows_written_total)" = "$logs" ] && break
    sleep 0.1
  done
  if [ "$#" -gt 0 ]; then  # with shipping: until every file is shipped
    for _ in $(seq 600); do
      [ "$(metric "$port" logdaemon_ship_backlog_files)" = "0" ] && [ "$(metric "$port" logdaemon_ship_files_total)" != "0" ] && break
      sleep 0.1
    done
  fi
  local cpu shipper shipped; cpu=$(cpu_seconds "$pid"); shipper=$(shipper_seconds "$pid")
  shipped=$(metric "$port" logdaemon_ship_bytes_total); shipped=${shipped:-0}
  kill -TERM "$pid"; wait "$pid"
  echo "$rate $cpu $shipper $shipped"
}

read -r rate_off cpu_off _ _ < <(run plain "$work/plain")
read -r rate_on cpu_on shipper_on shipped_on < <(run shipping "$work/shipping" --ship-url "http://127.0.0.1:$s3_port" \
  --ship-bucket bench --ship-prefix ingest --ship-host bench --ship-after 1s)

# Upload throughput: the plain run's files, shipped by a daemon with nothing else to do.
bytes=$(find "$work/plain" -name '*.parquet' -printf '%s\n' | awk '{ s += $1 } END { print s }')
port=$(free_port)
start=$(date +%s.%N)
"$daemon" serve --socket "$work/upload.sock" --storage "$work/plain" --http-addr "127.0.0.1:$port" \
  --rotation-mb 32 --ship-url "http://127.0.0.1:$s3_port" --ship-bucket bench --ship-prefix upload \
  --ship-host bench --ship-after 1s 2>"$work/upload.log" &
pid=$!
pids+=($pid)
for _ in $(seq 6000); do
  shipped=$(metric "$port" logdaemon_ship_bytes_total 2>/dev/null || true)
  [ -n "$shipped" ] && [ "$shipped" -ge "$bytes" ] && break
  sleep 0.05
done
end=$(date +%s.%N)
kill -TERM "$pid"; wait "$pid"

python3 - "$logs" "$rate_off" "$cpu_off" "$rate_on" "$cpu_on" "$bytes" "$start" "$end" "$shipper_on" "$shipped_on" "$(nproc)" "$(cut -d" " -f1 /proc/loadavg)" <<'PY'
import sys
logs, r0, c0, r1, c1, b, t0, t1, shipper, shipped, cores, load = sys.argv[1:]
r0, c0, r1, c1, b = float(r0), float(c0), float(r1), float(c1), int(b)
# The uploader only starts once a file is 1 s old: the upload's time counts from the first second.
secs = max(float(t1) - float(t0) - 1.0, 1e-3)
print(f"ingest of {int(logs):,} logs, 2 connections ({cores} cores, load average {load}):")
print(f"  without shipping  {r0:12,.0f} logs/s   daemon CPU {c0:6.2f} s")
print(f"  with shipping     {r1:12,.0f} logs/s   daemon CPU {c1:6.2f} s  ({r1 / r0:.2f}x the rate, "
      f"{c1 - c0:+.2f} s CPU)")
print(f"    the uploader thread: {int(float(shipped)) / 1e6:.1f} MB shipped in {float(shipper):.2f} s of CPU")
print(f"upload of {b / 1e6:.1f} MB of Parquet to the local s3rver: {b / 1e6 / secs:.1f} MB/s")
PY
