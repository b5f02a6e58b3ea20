// DuckDB reads every file parquet_testgen wrote: column types, every value, and the statistics that
// parquet_metadata() shows (null counts, min/max) — all equal to what was written.
//   node duckdb_reads_ours.mjs DIR
import { DuckDBInstance } from '@duckdb/node-api';
import path from 'node:path';
import { expectations, doubleToJson, sameValue, Failures, show } from './common.mjs';

const dir = process.argv[2];
const failures = new Failures('DuckDB');
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();

const duckType = {
  timestamp: 'TIMESTAMP WITH TIME ZONE', int64: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN',
  string: 'VARCHAR', json: 'JSON',
};

function normalize(kind, v) {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'timestamp': return String(v.micros);
    case 'int64': return String(v);
    case 'double': return doubleToJson(v);
    case 'json': return typeof v === 'string' ? v : String(v);
    default: return v;
  }
}

// DuckDB's text for a timestamp statistic ("2026-01-15 19:00:00.002528+00") as microseconds.
function timestampMicros(text) {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))?\+00$/.exec(text);
  if (!m) return null;
  const seconds = BigInt(Date.parse(`${m[1]}T${m[2]}Z`) / 1000);
  const fraction = BigInt((m[3] || '').padEnd(6, '0').slice(0, 6) || '0');
  return String(seconds * 1000000n + fraction);
}

function statMatches(kind, expected, text, which) {
  if (expected === undefined) return text === null;
  if (text === null && kind !== 'double') return false;
  switch (kind) {
    case 'timestamp': return timestampMicros(text) === expected;
    case 'int64': return BigInt(text) === BigInt(expected);
    case 'boolean': return text === String(expected);
    case 'double': {
      // parquet_metadata() shows an infinite bound as NULL (DuckDB does so for its own files too).
      if (text === null) return expected === 'Infinity' || expected === '-Infinity';
      const got = text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
      const want = expected === 'Infinity' ? Infinity : expected === '-Infinity' ? -Infinity : expected;
      return got === want;  // -0 and 0 are the same bound
    }
    default: {
      if (Buffer.byteLength(expected) <= 64) return text === expected;
      // Truncated statistics: the minimum is a prefix; the maximum still bounds the value from above.
      const e = Buffer.from(expected);
      const g = Buffer.from(text);
      return which === 'min' ? e.subarray(0, g.length).equals(g) : Buffer.compare(g, e) >= 0;
    }
  }
}

let checked = 0;
for (const expect of expectations(dir)) {
  const file = path.join(dir, expect.file);
  const where = expect.file;
  const describe = (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjects();
  expect.columns.forEach((c, i) => {
    if (!describe[i] || describe[i].column_name !== c.name || describe[i].column_type !== duckType[c.kind]) {
      failures.add(`${where}: column ${c.name}: expected ${duckType[c.kind]}, DuckDB says ${show(describe[i])}`);
    }
  });
  const names = expect.columns.map((c) => `"${c.name}"`).join(', ');
  const rows = (await db.runAndReadAll(
      `SELECT ${names} FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`)).getRows();
  if (rows.length !== expect.rows.length) {
    failures.add(`${where}: expected ${expect.rows.length} rows, DuckDB read ${rows.length}`);
  }
  for (let r = 0; r < Math.min(rows.length, expect.rows.length); r++) {
    expect.columns.forEach((c, i) => {
      const got = normalize(c.kind, rows[r][i]);
      if (!sameValue(expect.rows[r][i], got)) {
        failures.add(`${where} row ${r} column ${c.name}: expected ${show(expect.rows[r][i])}, DuckDB read ${show(got)}`);
      }
    });
  }
  const meta = (await db.runAndReadAll(
      `SELECT row_group_id, column_id, row_group_num_rows, stats_null_count, stats_min_value, stats_max_value, compression,
              encodings
       FROM parquet_metadata('${file}') ORDER BY row_group_id, column_id`)).getRowObjects();
  // The pages a string column writes once it leaves its dictionary (or gives it up at the first page)
  // are DELTA_LENGTH_BYTE_ARRAY: this file must have some, so that the values above were read from them.
  if (expect.file.startsWith('dictionary_fallback') &&
      !meta.some((m) => String(m.encodings).includes('DELTA_LENGTH_BYTE_ARRAY'))) {
    failures.add(`${where}: no column chunk with DELTA_LENGTH_BYTE_ARRAY pages (encodings: ${meta.map((m) => m.encodings).join(' | ')})`);
  }
  if (meta.length !== expect.row_groups.length * expect.columns.length) {
    failures.add(`${where}: expected ${expect.row_groups.length} row groups, parquet_metadata has ${meta.length} chunks`);
  }
  for (const m of meta) {
    const g = Number(m.row_group_id);
    const c = Number(m.column_id);
    const column = expect.columns[c];
    const stats = expect.row_groups[g]?.stats[c];
    if (!stats) continue;
    const at = `${where} row group ${g} column ${column.name}`;
    if (Number(m.row_group_num_rows) !== expect.row_groups[g].rows) failures.add(`${at}: row count ${m.row_group_num_rows}`);
    if (Number(m.stats_null_count) !== stats.null_count) {
      failures.add(`${at}: null_count expected ${stats.null_count}, DuckDB shows ${m.stats_null_count}`);
    }
    if (m.compression !== expect.codec) failures.add(`${at}: compression ${m.compression}, expected ${expect.codec}`);
    for (const which of ['min', 'max']) {
      const text = m[`stats_${which}_value`];
      if (!statMatches(column.kind, stats[which], text, which)) {
        failures.add(`${at}: ${which} expected ${show(stats[which])}, DuckDB shows ${show(text)}`);
      }
    }
  }
  checked++;
}
failures.finish(checked, 'every column type, value, null count and min/max statistic');
