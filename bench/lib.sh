# Shell helpers shared by the daemon benches (ingest, durable, http, memory, memory_ab). Sourced, not run.

# Waits up to 20 s for the Unix socket $1 to appear.
wait_for_socket() {
  for _ in $(seq 1 400); do [ -S "$1" ] && return 0; sleep 0.05; done
  echo "$(basename "$0"): $1 did not appear" >&2
  return 1
}

# The median of the numbers on stdin.
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Field $1 of the JSON object on stdin (load_test --json).
field() { node -e 'const o = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(o[process.argv[1]])' "$1"; }

# A free TCP port on the loopback interface.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The start every daemon bench shares: a scratch directory $work (removed at exit, after every process in
# $pids is killed), the machine line, and the benches' corpus in $work/corpus.ndjson (and .parquet):
# 200 000 distinct Loghub logs dated up to now (--recent: the daemon refuses logs older than its
# --max-age, 30 days by default). Needs $build.
bench_start() {
  work=$(mktemp -d)
  pids=()
  trap bench_cleanup EXIT
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
  "$build/bench/parquet_export" 200000 "$work/corpus.parquet" "$work/corpus.ndjson" --recent >/dev/null
}
bench_cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
