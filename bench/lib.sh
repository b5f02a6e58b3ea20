# Shell helpers shared by the daemon benches (ingest, durable, ack_cpu, http, memory, memory_ab). Sourced, not run.

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

# Per-thread CPU seconds of process $1 (threads of one name summed) and its VmHWM in MiB, as
# "name=seconds ... hwm=MiB".
thread_cpu() {
  python3 - "$1" <<'PY'
import os, sys
pid = sys.argv[1]
tick = os.sysconf("SC_CLK_TCK")
cpu = {}
for tid in os.listdir(f"/proc/{pid}/task"):
    stat = open(f"/proc/{pid}/task/{tid}/stat").read()
    name = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2:].split()
    cpu[name] = cpu.get(name, 0) + (int(fields[11]) + int(fields[12])) / tick
hwm = next(int(l.split()[1]) for l in open(f"/proc/{pid}/status") if l.startswith("VmHWM"))
print(" ".join(f"{k}={v:.2f}" for k, v in sorted(cpu.items())), f"hwm={hwm / 1024:.1f}")
PY
}

# From thread_cpu's line $1: "total_seconds compactor_seconds hwm_MiB".
cpu_totals() {
  awk '{
    total = 0; comp = 0; hwm = 0
    for (i = 1; i <= NF; i++) {
      split($i, p, "=")
      if (p[1] == "hwm") hwm = p[2]; else { total += p[2]; if (p[1] == "ld-compactor") comp = p[2] }
    }
    print total, comp, hwm }' <<<"$1"
}
