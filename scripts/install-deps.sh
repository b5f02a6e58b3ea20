#!/usr/bin/env bash
# Installs everything logdaemon's build, tests and benchmarks need on Debian 12, and nothing else.
# Idempotent: one `apt-get update` only when a package is missing, then only the missing packages; the
# npm packages of tests/interop/, tests/http/clients/ and bench/ come from their committed lock files
# (`npm ci`), skipped when up to date.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

# Build: compiler, CMake, codecs (DESIGN.md §8), CLI, simdjson, PCRE2 and libidn2 (JSON Schema), libsystemd
# (socket activation, sd_notify), liburing (the
# io_uring loops), toml++ (config files), spdlog (the daemon's own log), libmicrohttpd + protobuf (the
# HTTP front door: OTLP, NDJSON, Elasticsearch bulk; curl drives its tests), libcurl + OpenSSL (shipping
# files to object storage: SigV4 requests, MD5). Tests: GoogleTest, clang's
# libFuzzer runtime, python3 (the spec's Python client example), systemd (systemd-socket-activate and
# systemd-analyze for the service tests; installing it starts nothing in a container), lintian (the .deb),
# man-db and groff-base (rendering the generated man pages). Benchmarks: Google Benchmark, Node.js + npm (ajv). Interop tests: Node.js + npm. The web UI's
# browser test: Debian's chromium (puppeteer-core never downloads a browser).
packages=(
  g++ cmake ninja-build make pkg-config
  libsnappy-dev libzstd-dev zlib1g-dev liblz4-dev libisal-dev
  libcli11-dev libfmt-dev
  libsimdjson-dev libpcre2-dev libidn2-dev
  libsystemd-dev
  liburing-dev libtomlplusplus-dev libspdlog-dev
  libmicrohttpd-dev libprotobuf-dev protobuf-compiler curl
  libcurl4-openssl-dev libssl-dev
  python3 systemd lintian man-db groff-base
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  zstd
  chromium
)
# Node.js: the machine image may carry its own build (with npm inside); use Debian's only when absent.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages, exactly as locked, in each directory that has a package-lock.json: `npm ci`, skipped when
# node_modules was installed from the same lock file already.
npm_ci_locked() {
  local dir=$1
  local name=${dir#"$root"/}
  local stamp="$dir/node_modules/.logdaemon-lock"
  [ -f "$dir/package-lock.json" ] || return 0
  cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null && return 0
  echo "install-deps: npm ci in $name"
  # The lock files record the optional DuckDB binaries of every platform, so `npm ci` works against the
  # registry. Should it refuse anyway (a registry that lacks some of them), `npm install` installs the same
  # locked versions; the check after it proves the lock file was honoured, not rewritten.
  if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error 2>/dev/null); then
    local before
    before=$(sha256sum "$dir/package-lock.json")
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
    if [ "$before" != "$(sha256sum "$dir/package-lock.json")" ]; then
      echo "install-deps: npm changed $name/package-lock.json; refusing unpinned packages" >&2
      exit 1
    fi
  fi
  cp "$dir/package-lock.json" "$stamp"
}

npm_ci_locked "$root/tests/interop"       # DuckDB, parquet-wasm, apache-arrow: the interop tests
npm_ci_locked "$root/tests/http/clients"  # OpenTelemetry JS SDK, Elasticsearch client: tests/server/http_clients.py
npm_ci_locked "$root/tests/ship"          # s3rver: the local S3 API of tests/server/ship.py
npm_ci_locked "$root/bench"               # ajv, ajv-formats: the reference of bench/schema.sh
npm_ci_locked "$root/ui"                  # uPlot: embedded into the binary by the build (docs/ui.md)
npm_ci_locked "$root/tests/ui"            # puppeteer-core: drives Debian's chromium in tests/ui
