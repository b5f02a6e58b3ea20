#!/usr/bin/env bash
# The logdaemon command line: `inspect` on a real file (text and --json), on bad input; `validate-schema`
# (columns, compile errors, --data); the commands that do not exist yet (they say so and exit 2).
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

for command in serve query ingest; do
  err=$($logdaemon $command 2>&1 >/dev/null); status=$?
  [ $status -eq 2 ] || fail "'$command' exited $status, not 2"
  grep -qF "not implemented yet" <<< "$err" || fail "'$command' does not say it is not implemented: $err"
done
"$logdaemon" --bogus-flag > /dev/null 2>&1 && fail "an unknown flag was accepted"

# validate-schema: the default schema's columns, a custom schema, compile errors, --data.
out=$("$logdaemon" validate-schema) || fail "validate-schema (default schema) exited $?"
for want in "ok (the built-in default schema)" "timestamp  TIMESTAMP  required  time field" "metadata   JSON       optional" "_extra"; do
  grep -qF "$want" <<< "$out" || fail "validate-schema output lacks '$want': $out"
done
cat > "$work/custom.json" <<'JSON'
{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "required": ["timestamp", "level", "message", "app_id"],
  "properties": {
    "timestamp": { "type": "string", "format": "date-time" },
    "level": { "type": "string", "enum": ["debug", "info", "error"] },
    "message": { "type": "string" },
    "app_id": { "type": "string" },
    "user_id": { "type": "integer" }
  }
}
JSON
out=$("$logdaemon" validate-schema "$work/custom.json") || fail "validate-schema custom.json exited $?"
grep -qE "app_id +STRING +required" <<< "$out" || fail "app_id is not a required STRING: $out"
grep -qE "user_id +INT64 +optional" <<< "$out" || fail "user_id is not an optional INT64: $out"

printf '{"type": "object", "properties": {"a": {"minLength": "x"}}}' > "$work/bad_keyword.json"
err=$("$logdaemon" validate-schema "$work/bad_keyword.json" 2>&1 >/dev/null); status=$?
[ $status -eq 1 ] || fail "a schema with a bad keyword exited $status, not 1"
grep -qF '#/properties/a/minLength: must be a non-negative integer, got "x"' <<< "$err" || fail "bad keyword: $err"
printf '{"type": "object",
  "properties": }' > "$work/not_json.json"
err=$("$logdaemon" validate-schema "$work/not_json.json" 2>&1 >/dev/null); status=$?
[ $status -eq 1 ] || fail "a schema that is not JSON exited $status, not 1"
grep -qF "line 2, column" <<< "$err" || fail "the JSON error does not say where: $err"
printf '{"$ref": "http://example.com/log.json"}' > "$work/remote.json"
err=$("$logdaemon" validate-schema "$work/remote.json" 2>&1 >/dev/null)
grep -qF 'cannot resolve "http://example.com/log.json"' <<< "$err" || fail "remote ref: $err"
mkdir -p "$work/mirror"
printf '{"type": "object", "properties": {"timestamp": {"type": "string", "format": "date-time"}}}' > "$work/mirror/log.json"
out=$("$logdaemon" validate-schema "$work/remote.json" --schema-path "http://example.com/=$work/mirror") ||
  fail "--schema-path URI=DIR did not resolve the remote ref"

cat > "$work/logs.ndjson" <<'NDJSON'
{"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"ok","app_id":"a"}
{"timestamp":"2026-01-15T19:00:00Z","level":"verbose","message":"x","app_id":"a"}

{"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"no app"}
{"timestamp":"yesterday","level":"info","message":"x","app_id":"a"}
{"broken
NDJSON
out=$("$logdaemon" validate-schema "$work/custom.json" --data "$work/logs.ndjson"); status=$?
[ $status -eq 1 ] || fail "--data with invalid logs exited $status, not 1"
grep -qF 'line 2: schema: /level: enum: "verbose" is not one of debug, info, error' <<< "$out" || fail "--data line 2: $out"
grep -qF 'line 4: schema: (root): required: missing property "app_id"' <<< "$out" || fail "--data line 4: $out"
grep -qF 'line 5: schema: /timestamp: format: "yesterday" is not a valid date-time' <<< "$out" || fail "--data line 5: $out"
grep -qF 'line 6: invalid JSON: unterminated string at byte 8' <<< "$out" || fail "--data line 6: $out"
grep -qF '5 logs checked: 1 valid, 4 invalid' <<< "$out" || fail "--data summary: $out"
head -1 "$work/logs.ndjson" | "$logdaemon" validate-schema "$work/custom.json" --data - > /dev/null ||
  fail "--data - (stdin) with a valid log failed"
"$logdaemon" validate-schema "$work/missing.json" > /dev/null 2>&1 && fail "a missing schema file was accepted"

if [ $failures -ne 0 ]; then
  echo "cli: $failures failure(s)"
  exit 1
fi
echo "cli: inspect, validate-schema and the command line behave as documented"
