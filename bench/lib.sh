# Shell helpers shared by the daemon benches (bench/ingest.sh, bench/durable.sh). Sourced, not run.

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
