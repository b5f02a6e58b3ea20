#!/usr/bin/env bash
# The logdaemon command line: `inspect` on a real file (text and --json), on bad input, and the
# commands that do not exist yet (they say so and exit 2).
#   cli_test.sh PATH/TO/logdaemon PATH/TO/parquet_testgen
set -uo pipefail
logdaemon=$1
testgen=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

"$testgen" "$work" /nonexistent-corpus.tsv > /dev/null 2>&1 || fail "parquet_testgen could not write its files"
file="$work/types_ZSTD_auto_v1.parquet"

out=$("$logdaemon" inspect "$file") || fail "inspect exited $?"
for want in "rows:        1500" "created_by:  logdaemon version" "ts: REQUIRED INT64 logical=TIMESTAMP(isAdjustedToUTC=true, MICROS) converted=TIMESTAMP_MICROS" \
            "s: OPTIONAL BYTE_ARRAY logical=STRING converted=UTF8" "ZSTD [" "with CRC" "page index: column + offset"; do
  grep -qF "$want" <<< "$out" || fail "inspect output lacks '$want'"
done

json=$("$logdaemon" inspect --json "$file" "$work/one_row.parquet") || fail "inspect --json exited $?"
node -e '
  const docs = require("fs").readFileSync(0, "utf8").trim().split("\n").map(JSON.parse);
  if (docs.length !== 2) throw new Error("expected 2 documents, got " + docs.length);
  const d = docs[0];
  if (d.num_rows !== 1500 || d.schema.length !== 6 || d.row_groups.length !== 3) throw new Error("wrong summary");
  const c = d.row_groups[0].columns[0];
  if (c.codec !== "ZSTD" || !c.encodings.includes("DELTA_BINARY_PACKED") || c.statistics.null_count !== 0) throw new Error("wrong chunk " + JSON.stringify(c));
' <<< "$json" || fail "inspect --json is not the expected JSON"

err=$("$logdaemon" inspect "$work/missing.parquet" 2>&1 >/dev/null); status=$?
[ $status -eq 1 ] || fail "inspect of a missing file exited $status, not 1"
grep -qF "missing.parquet" <<< "$err" || fail "the error does not name the file: $err"

head -c 100 /dev/urandom > "$work/garbage.parquet"
err=$("$logdaemon" inspect "$work/garbage.parquet" 2>&1 >/dev/null); status=$?
[ $status -eq 1 ] || fail "inspect of garbage exited $status"
grep -qF "not a Parquet file" <<< "$err" || fail "garbage: unexpected error: $err"

for command in serve query "validate-schema x.json" ingest; do
  err=$($logdaemon $command 2>&1 >/dev/null); status=$?
  [ $status -eq 2 ] || fail "'$command' exited $status, not 2"
  grep -qF "not implemented yet" <<< "$err" || fail "'$command' does not say it is not implemented: $err"
done
"$logdaemon" --bogus-flag > /dev/null 2>&1 && fail "an unknown flag was accepted"

if [ $failures -ne 0 ]; then
  echo "cli: $failures failure(s)"
  exit 1
fi
echo "cli: inspect and the command line behave as documented"
