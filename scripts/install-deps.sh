#!/usr/bin/env bash
# Installs everything logdaemon's build, tests and benchmarks need on Debian 12, and nothing else.
# Idempotent: one `apt-get update` only when a package is missing, then only the missing packages; the
# npm packages of tests/interop/ come from its committed lock file (`npm ci`), skipped when up to date.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)

# Build: compiler, CMake, codecs (DESIGN.md §8), CLI, simdjson and PCRE2 (JSON Schema). Tests: GoogleTest,
# clang's libFuzzer runtime. Benchmarks: Google Benchmark. Interop tests: Node.js + npm.
packages=(
  g++ cmake ninja-build make pkg-config
  libsnappy-dev libzstd-dev zlib1g-dev liblz4-dev
  libcli11-dev libfmt-dev
  libsimdjson-dev libpcre2-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  zstd
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

# npm packages for tests/interop (DuckDB, parquet-wasm, apache-arrow), exactly as locked.
interop="$root/tests/interop"
stamp="$interop/node_modules/.logdaemon-lock"
if [ -f "$interop/package-lock.json" ]; then
  if ! cmp -s "$interop/package-lock.json" "$stamp" 2>/dev/null; then
    echo "install-deps: npm ci in tests/interop"
    # `npm ci` refuses a lock file that lacks the optional DuckDB binaries of other platforms, which a
    # registry mirror without them cannot record. `npm install` then installs the same locked versions;
    # the check after it proves the lock file was honoured, not rewritten.
    if ! (cd "$interop" && npm ci --no-audit --no-fund --loglevel=error 2>/dev/null); then
      before=$(sha256sum "$interop/package-lock.json")
      (cd "$interop" && npm install --no-audit --no-fund --loglevel=error)
      if [ "$before" != "$(sha256sum "$interop/package-lock.json")" ]; then
        echo "install-deps: npm changed tests/interop/package-lock.json; refusing unpinned packages" >&2
        exit 1
      fi
    fi
    cp "$interop/package-lock.json" "$stamp"
  fi
fi
