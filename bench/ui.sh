#!/usr/bin/env bash
# The web UI's first paint on 10 M logs (issue #17; target < 300 ms): the histogram and the first rows of
# a query over every log, (1) as the page's two API requests (GET /api/v1/histogram and /api/v1/query
# with limit=100, sent together), and (2) in Debian's chromium: from the navigation's start to the frame
# after both answers are drawn (page load, uPlot, the requests, the drawing). Logs written by
# bench/storage_export (zstd, compacted; LOGS to change the count), served by `logdaemon serve`; medians of
# RUNS (default 7) warm runs each.
#   bench/ui.sh [BUILD_DIR]        default build/ (a Release build); needs tests/ui/node_modules
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
logs=${LOGS:-10000000}
for tool in "$build/logdaemon" "$build/bench/storage_export"; do
  [ -x "$tool" ] || { echo "ui.sh: $tool is missing (make build)" >&2; exit 1; }
done
[ -d "$root/tests/ui/node_modules/puppeteer-core" ] || { echo "ui.sh: run scripts/install-deps.sh" >&2; exit 1; }
work=$(mktemp -d)
daemon=
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "writing $logs logs through the storage engine (zstd, compacted)..."
"$build/bench/storage_export" "$logs" "$work/logs" "$work/logs.ndjson" "$work/files.txt" >/dev/null
rm -f "$work/logs.ndjson"
echo "storage: $(wc -l <"$work/files.txt") files, $(du -sh "$work/logs" | cut -f1)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$build/logdaemon" serve --socket "$work/daemon.sock" --storage "$work/logs" --http-addr "127.0.0.1:$port" \
  >"$work/daemon.log" 2>&1 &
daemon=$!
node "$root/bench/ui_bench.mjs" "http://127.0.0.1:$port" "${RUNS:-7}"
