// Our reader reads files that DuckDB writes, for every codec we share: DuckDB writes one table per
// codec, `parquet_testgen --cat` prints what our FileReader decodes, and it must equal DuckDB's own
// reading of the same file, value for value.
//   node ours_reads_duckdb.mjs DIR PARQUET_TESTGEN
import { DuckDBInstance } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { doubleToJson, sameValue, Failures, show } from './common.mjs';

const [dir, testgen] = process.argv.slice(2);
const failures = new Failures('our reader on DuckDB files');
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();

// Every kind of column, nulls, extremes, unicode, long strings, NaN and infinities; enough rows for
// several pages and dictionary encoding.
await db.run(`CREATE TABLE t AS SELECT
    i::INTEGER AS id,
    CASE WHEN i % 5 = 0 THEN NULL ELSE (i * 7919)::BIGINT * 1000003 END AS big,
    CASE WHEN i = 1 THEN 9223372036854775807 WHEN i = 2 THEN -9223372036854775808 ELSE i END::BIGINT AS extreme,
    CASE WHEN i % 11 = 0 THEN 'nan'::DOUBLE WHEN i % 13 = 0 THEN 'inf'::DOUBLE ELSE i / 3.0 END AS d,
    (i / 7.0)::FLOAT AS f,
    CASE WHEN i % 3 = 0 THEN NULL ELSE i % 2 = 0 END AS b,
    CASE WHEN i % 4 = 0 THEN NULL WHEN i % 4 = 1 THEN 'level-' || (i % 6)
         WHEN i % 4 = 2 THEN 'ünïcödé 日本 🚀 ' || i ELSE repeat('x', 300) || i END AS s,
    TIMESTAMPTZ '2026-01-15 19:00:00+00' + INTERVAL (i * 1234567) MICROSECOND AS ts
  FROM range(0, 30000) r(i)`);

function theirs(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'number') return doubleToJson(value);
  if (typeof value === 'object' && 'micros' in value) return String(value.micros);
  return value;
}

let checked = 0;
for (const codec of ['uncompressed', 'snappy', 'gzip', 'zstd', 'lz4_raw']) {
  const file = path.join(dir, `duckdb_${codec}.parquet`);
  await db.run(`COPY t TO '${file}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 10000)`);
  const expected = (await db.runAndReadAll(
      `SELECT * FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`)).getRows();
  let lines;
  try {
    lines = execFileSync(testgen, ['--cat', file], { encoding: 'utf8', maxBuffer: 1 << 30 })
        .split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
  } catch (e) {
    failures.add(`${codec}: our reader failed: ${e.stderr || e}`);
    continue;
  }
  if (lines.length !== expected.length) {
    failures.add(`${codec}: DuckDB has ${expected.length} rows, our reader read ${lines.length}`);
    continue;
  }
  for (let r = 0; r < expected.length; r++) {
    for (let c = 0; c < lines[r].length; c++) {
      let want = theirs(expected[r][c]);
      // INT32 columns: our cat prints them as strings like INT64.
      if (typeof want === 'number' && c === 0) want = String(want);
      const got = lines[r][c];  // parquet_testgen --cat prints under the same conventions
      const same = sameValue(want, got) ||
          // FLOAT: our reader widens to double; compare at float precision.
          (typeof want === 'number' && typeof got === 'number' && Math.fround(want) === Math.fround(got));
      if (!same) failures.add(`${codec} row ${r} column ${c}: DuckDB read ${show(want)}, ours ${show(got)}`);
    }
  }
  checked++;
}
failures.finish(checked, 'every value equal to DuckDB\'s reading');
