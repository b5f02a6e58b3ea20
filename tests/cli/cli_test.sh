#!/usr/bin/env bash
# The logdaemon command line: `inspect` on a real file (text and --json), on bad input; `validate-schema`
# (columns, compile errors, --data); `import` (summary, exit codes, stdin, custom schema, hostile input,
# bad flags, appending; rows counted with `inspect`); `query --explain`; `query --follow`'s usage errors.
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

# --follow refuses what it cannot do, as a usage error (it is run for real in tests/server/follow.py).
for flags in "--count" "--count-by level" "--order desc"; do
  err=$("$logdaemon" query --storage "$work" --follow $flags 2>&1 >/dev/null); status=$?
  [ $status -eq 2 ] || fail "'query --follow $flags' exited $status, not 2"
  grep -qF -- "--follow" <<< "$err" || fail "'query --follow $flags' does not say why: $err"
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

# import: NDJSON through validation into a storage directory. Rows are counted with `inspect`.
rows() {
  find "$1" -name '*.parquet' -not -path '*/.tmp/*' -exec "$logdaemon" inspect {} + | awk '/^rows:/ { n += $2 } END { print n + 0 }'
}
ts='"timestamp":"2026-01-15T19:00:00Z"'
printf '%s\n' "{$ts,\"level\":\"info\",\"message\":\"one\"}" \
  "{$ts,\"level\":\"verbose\",\"message\":\"bad level\"}" '' \
  '{"timestamp":"2026-01-16T08:30:00Z","level":"error","message":"two","service":"api","extra":1}' \
  "{$ts,\"level\":\"loud\",\"message\":\"bad level\"}" '{"broken' "{$ts,\"level\":\"warn\",\"message\":\"three\"}" \
  > "$work/import.ndjson"
out=$("$logdaemon" import -d "$work/store" "$work/import.ndjson" 2> "$work/import.err"); status=$?
err=$(cat "$work/import.err")
[ $status -eq 1 ] || fail "import with rejected logs exited $status, not 1"
for want in "files:     1" "lines:     7 (1 blank)" "imported:  3" "rejected:  3" "storage:   $work/store:"; do
  grep -qF "$want" <<< "$out" || fail "import summary lacks '$want': $out"
done
# Reasons, largest first.
grep -qE '^ +2  schema: /level: enum$' <<< "$(sed -n 5p <<< "$out")" || fail "import: first reason: $out"
grep -qE '^ +1  invalid JSON$' <<< "$(sed -n 6p <<< "$out")" || fail "import: second reason: $out"
grep -qF "import.ndjson:2: schema: /level: enum" <<< "$err" || fail "import: rejected line 2 not shown: $err"
grep -qF "import.ndjson:6: invalid JSON: unterminated string" <<< "$err" || fail "import: line 6 not shown: $err"
[ "$(rows "$work/store")" = 3 ] || fail "import: $(rows "$work/store") rows stored, not 3"
[ -d "$work/store/dt=2026-01-15" ] && [ -d "$work/store/dt=2026-01-16" ] || fail "import: not partitioned by day"
# Importing again appends; a clean input exits 0.
"$logdaemon" import -q -d "$work/store" "$work/import.ndjson" > /dev/null 2>&1
[ "$(rows "$work/store")" = 6 ] || fail "a second import did not append: $(rows "$work/store") rows, not 6"
grep -F '"info"' "$work/import.ndjson" > "$work/clean.ndjson"
out=$("$logdaemon" import -d "$work/store" "$work/clean.ndjson") || fail "import of valid logs exited $?"
grep -qF "rejected:  0" <<< "$out" || fail "import of valid logs: $out"
# More than ten rejected lines: ten are shown, then a count.
for i in $(seq 25); do echo '{"level":"info"}'; done > "$work/many_bad.ndjson"
err=$("$logdaemon" import -d "$work/store" "$work/many_bad.ndjson" 2>&1 >/dev/null)
[ "$(grep -c 'required: missing property' <<< "$err")" = 10 ] || fail "import did not show exactly 10 rejects: $err"
grep -qF "… 15 more rejected" <<< "$err" || fail "import does not count the hidden rejects: $err"

# stdin, without FILE and as '-'.
head -1 "$work/import.ndjson" | "$logdaemon" import -d "$work/stdin" > /dev/null || fail "import from stdin exited $?"
head -1 "$work/import.ndjson" | "$logdaemon" import -d "$work/stdin" - > /dev/null || fail "import - exited $?"
[ "$(rows "$work/stdin")" = 2 ] || fail "import from stdin: $(rows "$work/stdin") rows, not 2"

# A custom schema (custom.json and logs.ndjson above: 1 valid log of 5), zstd, no partitions.
out=$("$logdaemon" import -d "$work/custom" --schema "$work/custom.json" -c zstd --partition none "$work/logs.ndjson" 2>/dev/null)
status=$?
[ $status -eq 1 ] || fail "import with a custom schema exited $status, not 1"
grep -qF "imported:  1" <<< "$out" || fail "import with a custom schema: $out"
meta=$(find "$work/custom" -maxdepth 1 -name '*.parquet' -exec "$logdaemon" inspect {} +)
grep -qF "app_id: REQUIRED BYTE_ARRAY logical=STRING" <<< "$meta" || fail "custom schema: no app_id column: $meta"
grep -qF "ZSTD [" <<< "$meta" || fail "import -c zstd did not write ZSTD chunks"
"$logdaemon" import -q -d "$work/level" -c zstd --compression-level 19 "$work/clean.ndjson" > /dev/null ||
  fail "import -c zstd --compression-level 19 exited $?"
[ "$(rows "$work/level")" = 1 ] || fail "import --compression-level 19: $(rows "$work/level") rows, not 1"
for bad in "-c snappy --compression-level 5|--compression-level: snappy has no levels (only zstd and gzip do), got 5" \
           "-c gzip --compression-level 10|--compression-level: gzip levels are 1..9, got 10" \
           "-c zstd --compression-level 23|--compression-level: must be between 0 and 22, got 23" \
           "-c zstd --compression-level -1|--compression-level: must be between 0 and 22, got -1"; do
  IFS='|' read -r flags want <<< "$bad"
  # shellcheck disable=SC2086  # the flags are split on purpose
  err=$("$logdaemon" import -q -d "$work/badlevel" $flags "$work/clean.ndjson" 2>&1 >/dev/null); status=$?
  [ $status -eq 2 ] || fail "import $flags: exit $status, not 2"
  grep -qF -- "$want" <<< "$err" || fail "import $flags: '$err' does not say '$want'"
done
[ ! -e "$work/badlevel" ] || fail "import with a bad --compression-level created the storage directory"
"$logdaemon" import -q -d "$work/compat" --parquet-compat --partition hour "$work/clean.ndjson" > /dev/null ||
  fail "import --parquet-compat exited $?"
[ -d "$work/compat/dt=2026-01-15/hour=19" ] || fail "import --partition hour: no hour=19 directory"
find "$work/compat" -name '*.parquet' -exec "$logdaemon" inspect {} + | grep -qF DELTA_BINARY_PACKED &&
  fail "import --parquet-compat wrote DELTA_BINARY_PACKED"

# A missing file is reported by name; the other files are still imported; exit 2.
err=$("$logdaemon" import -d "$work/partial" "$work/missing.ndjson" "$work/clean.ndjson" 2>&1 >/dev/null); status=$?
[ $status -eq 2 ] || fail "import with a missing file exited $status, not 2"
grep -qF "missing.ndjson: cannot open" <<< "$err" || fail "import: the error does not name the file: $err"
[ "$(rows "$work/partial")" = 1 ] || fail "import with a missing file did not import the other file"

# Hostile input: binary garbage, a 10 MB line, an empty file, no final newline, CRLF.
head -c 200000 /dev/urandom > "$work/garbage.bin"
: > "$work/empty.ndjson"
{ printf '{"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"'
  head -c 10000000 /dev/zero | tr '\0' x
  printf '"}\n{"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"after the long line"}\n'; } > "$work/long.ndjson"
printf '{"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"crlf"}\r\n\r\n{"timestamp":"2026-01-15T19:00:00Z","level":"info","message":"no final newline"}' > "$work/crlf.ndjson"
out=$("$logdaemon" import -d "$work/hostile" "$work/garbage.bin" "$work/empty.ndjson" "$work/long.ndjson" "$work/crlf.ndjson" 2>/dev/null)
status=$?
[ $status -eq 1 ] || fail "hostile import exited $status, not 1"
grep -qF "files:     4" <<< "$out" || fail "hostile import: not 4 files: $out"
grep -qF "imported:  4" <<< "$out" || fail "hostile import: the 4 good logs were not all imported: $out"
[ "$(rows "$work/hostile")" = 4 ] || fail "hostile import: $(rows "$work/hostile") rows, not 4"
out=$("$logdaemon" import -d "$work/toolong" --max-line-mb 1 "$work/long.ndjson" 2> "$work/toolong.err"); status=$?
[ $status -eq 1 ] || fail "a line beyond --max-line-mb: exit $status, not 1"
grep -qE '^ +1  line too long$' <<< "$out" || fail "a line beyond --max-line-mb is not 'line too long': $out"
grep -qF "long.ndjson:1: line too long: 10000064 bytes" "$work/toolong.err" || fail "too long: $(cat "$work/toolong.err")"
grep -qF "imported:  1" <<< "$out" || fail "the line after a too long line was not imported: $out"

# Bad flags and a storage directory in use: a message naming the problem, exit 2, nothing imported.
err=$("$logdaemon" import -d "$work/bad" --compression bogus "$work/clean.ndjson" 2>&1 >/dev/null); status=$?
[ $status -eq 2 ] || fail "import --compression bogus exited $status, not 2"
grep -qF -- '--compression: unknown compression "bogus"' <<< "$err" || fail "--compression bogus: $err"
err=$("$logdaemon" import -d "$work/bad" --partition week "$work/clean.ndjson" 2>&1 >/dev/null); status=$?
[ $status -eq 2 ] && grep -qF -- "--partition" <<< "$err" || fail "--partition week: exit $status: $err"
err=$("$logdaemon" import -d "$work/bad" --schema "$work/bad_keyword.json" "$work/clean.ndjson" 2>&1 >/dev/null); status=$?
[ $status -eq 2 ] && grep -qF "minLength" <<< "$err" || fail "import with a bad schema: exit $status: $err"
[ -e "$work/bad" ] && fail "a refused import created its storage directory"
if command -v flock > /dev/null; then
  exec 9> "$work/store/.lock"
  flock 9
  err=$("$logdaemon" import -d "$work/store" "$work/clean.ndjson" 2>&1 >/dev/null 9>&-); status=$?
  exec 9>&-
  [ $status -eq 2 ] || fail "import into a directory in use exited $status, not 2"
  grep -qF "in use by another logdaemon process" <<< "$err" || fail "directory in use: $err"
fi

# query --explain: the normalized --where and what the scan read, on stderr; the result on stdout.
store="$work/explain-store"
for i in 1 2 3 4 5 6; do
  level=info; [ $((i % 3)) -eq 0 ] && level=error
  echo "{\"timestamp\":\"2026-01-15T10:00:0${i}Z\",\"level\":\"$level\",\"message\":\"m$i\"}"
done | "$logdaemon" import --storage "$store" - > /dev/null 2>&1 || fail "import for --explain exited $?"
out=$("$logdaemon" query --storage "$store" --where "level='error' and message like 'm%'" --fields message \
  --format csv --explain 2> "$work/explain.err" | tr -d '\r'); status=$?
[ $status -eq 0 ] || fail "query --explain exited $status: $(cat "$work/explain.err")"
[ "$out" = "$(printf 'message\nm3\nm6')" ] || fail "query --explain printed: $out"
grep -qF "explain: where level = 'error' AND message LIKE 'm%'" "$work/explain.err" \
  || fail "--explain does not show the normalized --where: $(cat "$work/explain.err")"
grep -qE "^explain: partitions 1 .*rows scanned 6, matched 2, .* ms$" "$work/explain.err" \
  || fail "--explain does not say what the scan read: $(cat "$work/explain.err")"

if [ $failures -ne 0 ]; then
  echo "cli: $failures failure(s)"
  exit 1
fi
echo "cli: inspect, validate-schema, import and the command line behave as documented"
