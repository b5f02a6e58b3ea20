// Other writers' files (../shared/fixtures/parquet-testing/data): for every file our reader accepts,
// every value of every column whose type both sides print the same way (integers, floating point,
// booleans, strings) equals DuckDB's reading of the same file. Columns of other types (decimals,
// dates, INT96 timestamps, binary, unsigned, FLOAT16 — which `--cat` prints as "?") are checked for
// their row count only.
//   node fixtures_vs_duckdb.mjs FIXTURES_DIR PARQUET_TESTGEN
import { DuckDBInstance } from '@duckdb/node-api';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { doubleToJson, sameValue, Failures, show } from './common.mjs';

const [fixtures, testgen] = process.argv.slice(2);
const dir = path.join(fixtures, 'parquet-testing', 'data');
const failures = new Failures('our reader on parquet-testing files');
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();

const comparable = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'DOUBLE', 'FLOAT', 'BOOLEAN', 'VARCHAR']);
let files = 0;
let columns = 0;
for (const name of fs.readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort()) {
  const file = path.join(dir, name);
  let lines;
  try {
    lines = execFileSync(testgen, ['--cat', file], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] })
        .split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
  } catch {
    continue;  // not read by us: fixtures_test.cc checks that it fails for the documented reason
  }
  let rows;
  let types;
  try {
    types = (await db.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)).getRowObjects();
    rows = (await db.runAndReadAll(
        `SELECT * FROM read_parquet('${file}', file_row_number = true) ORDER BY file_row_number`)).getRows();
  } catch (e) {
    continue;  // DuckDB refuses it (e.g. a corrupt checksum it does not verify, or an odd type)
  }
  if (rows.length !== lines.length) {
    failures.add(`${name}: DuckDB reads ${rows.length} rows, ours ${lines.length}`);
    continue;
  }
  types.forEach((t, c) => {
    if (!comparable.has(t.column_type) || lines.some((line) => line[c] === '?')) return;
    columns++;
    for (let r = 0; r < rows.length; r++) {
      let want = rows[r][c];
      if (want !== null && (typeof want === 'bigint' || t.column_type.endsWith('INT') || t.column_type === 'INTEGER')) {
        want = String(want);
      } else if (typeof want === 'number') {
        want = doubleToJson(want);
      }
      let got = lines[r][c];
      if (t.column_type === 'FLOAT' && typeof got === 'number' && typeof want === 'number') {
        got = Math.fround(got);
        want = Math.fround(want);
      }
      if (!sameValue(want, got)) {
        failures.add(`${name} row ${r} column ${t.column_name} (${t.column_type}): DuckDB ${show(want)}, ours ${show(got)}`);
        break;
      }
    }
  });
  files++;
}
if (files < 30) failures.add(`only ${files} fixture files compared; expected 30 or more`);
failures.finish(files, `${columns} columns compared with DuckDB's reading, every value`);
