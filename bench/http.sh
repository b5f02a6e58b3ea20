#!/usr/bin/env bash
# The HTTP front door against the socket (issue #14), in the same run, on this machine:
#   1. the load generators' ceilings, with nothing behind them: load_test against bench/rawsink (the socket
#      protocol) and bench/http_load against bench/httpsink (HTTP/1.1 answered at once), 2 connections —
#      what the clients can drive here, so that the daemon's numbers below are the daemon's;
#   2. `logdaemon serve` with its defaults (--ack durable: every acknowledgement waits for the group
#      commit's fdatasync; --overflow drop; io_uring) taking the same logs (the benches' Loghub corpus)
#      three ways, 2 connections each:
#        socket  load_test, the wire protocol (256 logs in flight per connection);
#        NDJSON  http_load, POST /api/v1/ingest, 1 000 logs per request, keep-alive;
#        OTLP    http_load, POST /v1/logs, ExportLogsServiceRequest protobuf of 1 000 logs per request
#                (encoded once, before the clock, with the generated classes);
#      logs/s acknowledged, logs/s written (the client's time, then until SIGTERM has flushed everything and
#      the daemon exited), latency p50/p99 (a reply for the socket, a request for HTTP), the CPU time of the
#      daemon and of http_load during the run; medians of REPS runs, each on a fresh storage directory, the
#      three ways interleaved in each round;
#   3. the ratios NDJSON/socket (target >= 0.8) and OTLP/socket (target >= 0.5).
#   bench/http.sh [BUILD_DIR]     default build/ (a Release build); LOGS (default 1000000), REPS (3)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
logs=${LOGS:-1000000}
reps=${REPS:-3}
batch=1000
connections=2
daemon=$build/logdaemon
load_test=$build/examples/load_test
http_load=$build/bench/http_load
for tool in "$daemon" "$load_test" "$http_load" "$build/bench/rawsink" "$build/bench/httpsink" \
  "$build/bench/parquet_export"; do
  [ -x "$tool" ] || { echo "http.sh: $tool is missing (make build)" >&2; exit 1; }
done

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
bench_start
avg=$(awk '{ n += length($0) } END { printf "%.0f", n / NR }' "$work/corpus.ndjson")
echo "corpus: 200000 distinct logs, $avg bytes per log on average; $logs logs per run, $connections connections," \
  "$batch logs per HTTP request; medians of $reps runs"

wait_for_http() {  # wait_for_http PORT: until GET /metrics answers (20 s at most)
  for _ in $(seq 1 400); do
    python3 -c 'import sys, urllib.request as u; u.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=1)' \
      "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "http.sh: the HTTP port $1 did not answer" >&2
  return 1
}
cpu_seconds() {  # cpu_seconds PID: user + system time of a running process
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}
# A client run, as one line: acked/s p50_ms p99_ms client_cpu_s ok errors. client_cpu_s is http_load's own
# CPU time while the clock ran; "-" for load_test, which does not measure it.
client() {  # client socket|ndjson|otlp TARGET OUT
  local way=$1 target=$2 out=$3
  if [ "$way" = socket ]; then
    "$load_test" "$target" "$logs" --connections "$connections" --corpus "$work/corpus.ndjson" --json >"$out.json"
  else
    "$http_load" "127.0.0.1:$target" "$logs" --format "$way" --batch "$batch" --connections "$connections" \
      --corpus "$work/corpus.ndjson" --json >"$out.json"
  fi
  local cpu=-
  [ "$way" = socket ] || cpu=$(field client_cpu_s <"$out.json")
  echo "$(field logs_per_s <"$out.json") $(field latency_p50_ms <"$out.json") $(field latency_p99_ms <"$out.json")" \
    "$cpu $(field ok <"$out.json") $(field errors <"$out.json")"
}
client_cpu() {  # client_cpu WAY FILE: the median client CPU of the runs in FILE, as "0.42 s"; "-" for load_test
  if [ "$1" = socket ]; then echo -; else awk '{ print $4 }' "$2" | median | awk '{ printf "%.2f s", $1 }'; fi
}

# ---- 1. the ceilings ---------------------------------------------------------------------------------------
echo
echo "the load generators against sinks that answer at once (nothing stored): the clients' ceilings"
printf '%-8s %12s %10s %10s %12s\n' way logs/s p50_ms p99_ms client_cpu
for way in socket ndjson otlp; do
  : >"$work/ceiling_$way.txt"
  for _ in $(seq 1 "$reps"); do
    if [ "$way" = socket ]; then
      "$build/bench/rawsink" "$work/raw.sock" 2>/dev/null &
      pids+=($!)
      wait_for_socket "$work/raw.sock"
      target=$work/raw.sock
    else
      rm -f "$work/sink.port"
      "$build/bench/httpsink" "$work/sink.port" 2>/dev/null &
      pids+=($!)
      for _ in $(seq 1 400); do [ -f "$work/sink.port" ] && break; sleep 0.05; done
      target=$(cat "$work/sink.port")
    fi
    client "$way" "$target" "$work/c" >>"$work/ceiling_$way.txt"
    kill -TERM "${pids[-1]}"
    wait "${pids[-1]}" 2>/dev/null || true
    unset 'pids[-1]'
  done
  col() { awk -v k="$1" '{ print $k }' "$work/ceiling_$way.txt" | median; }
  printf '%-8s %12.0f %10.3f %10.3f %12s\n' "$way" "$(col 1)" "$(col 2)" "$(col 3)" \
    "$(client_cpu "$way" "$work/ceiling_$way.txt")"
done

# ---- 2. the daemon ---------------------------------------------------------------------------------------
# One run: a fresh storage directory, the daemon with its defaults, one client, then SIGTERM and the time
# until the daemon has flushed everything and exited. Prints:
#   acked/s p50_ms p99_ms client_cpu_s ok errors written/s daemon_cpu_s
run_daemon() {
  local way=$1
  local dir=$work/run
  rm -rf "$dir"
  mkdir -p "$dir"
  local port
  port=$(free_port)
  "$daemon" serve --socket "$dir/s.sock" --storage "$dir/logs" --http-addr "127.0.0.1:$port" \
    --log-level warn 2>"$dir/stderr" &
  local pid=$!
  pids+=("$pid")
  wait_for_socket "$dir/s.sock"
  wait_for_http "$port"
  local target=$port
  [ "$way" = socket ] && target=$dir/s.sock
  local cpu0 line
  cpu0=$(cpu_seconds "$pid")
  line=$(client "$way" "$target" "$dir/client")
  local cpu1 stop
  cpu1=$(cpu_seconds "$pid")
  stop=$(date +%s.%N)
  kill -TERM "$pid"
  wait "$pid"
  unset 'pids[-1]'
  local end
  end=$(date +%s.%N)
  # Written: the client's clock (its frames and bodies are built before it starts), then the shutdown.
  local elapsed
  elapsed=$(field elapsed_s <"$dir/client.json")
  local ok
  ok=$(echo "$line" | awk '{ print $5 }')
  [ "$ok" -ge "$logs" ] || {
    echo "http.sh: $way: only $ok of $logs logs acknowledged" >&2
    cat "$dir/client.json" "$dir/stderr" >&2
    exit 1
  }
  echo "$line $(awk -v n="$ok" -v t="$elapsed" -v s="$stop" -v e="$end" 'BEGIN { printf "%.0f", n / (t + e - s) }')" \
    "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')"
}

echo
echo "logdaemon serve, default settings (--ack durable, io_uring), $connections connections; CPU in seconds per run"
for _ in $(seq 1 "$reps"); do
  for way in socket ndjson otlp; do run_daemon "$way" >>"$work/d_$way.txt"; done
done
printf '%-8s %12s %12s %10s %10s %11s %11s %10s\n' way acked/s written/s p50_ms p99_ms daemon_cpu client_cpu "vs socket"
declare -A acked
for way in socket ndjson otlp; do
  col() { awk -v k="$1" '{ print $k }' "$work/d_$way.txt" | median; }
  acked[$way]=$(col 1)
  printf '%-8s %12.0f %12.0f %10.3f %10.3f %11s %11s %9.2fx\n' "$way" "$(col 1)" "$(col 7)" "$(col 2)" \
    "$(col 3)" "$(col 8 | awk '{ printf "%.2f s", $1 }')" "$(client_cpu "$way" "$work/d_$way.txt")" \
    "$(awk -v a="${acked[$way]}" -v s="${acked[socket]}" 'BEGIN { print a / s }')"
done
echo "runs (acked/s): socket $(awk '{ printf "%.0f ", $1 }' "$work/d_socket.txt")| ndjson" \
  "$(awk '{ printf "%.0f ", $1 }' "$work/d_ndjson.txt")| otlp $(awk '{ printf "%.0f ", $1 }' "$work/d_otlp.txt")"

# ---- 3. the targets ----------------------------------------------------------------------------------------
echo
awk -v n="${acked[ndjson]}" -v o="${acked[otlp]}" -v s="${acked[socket]}" 'BEGIN {
  printf "NDJSON/socket %.2f (target >= 0.8: %s), OTLP/socket %.2f (target >= 0.5: %s)\n",
    n / s, (n / s >= 0.8 ? "met" : "NOT met"), o / s, (o / s >= 0.5 ? "met" : "NOT met") }'
