// File size of logdaemon's zstd Parquet against DuckDB's zstd Parquet of the same rows, in one run;
// also against the raw NDJSON and `zstd -3` of it.
//   node bench/parquet_size.mjs OURS.parquet LOGS.ndjson WORK_DIR
// Run from anywhere; @duckdb/node-api comes from tests/interop/node_modules.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';

const here = path.dirname(url.fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../tests/interop/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const [ours, ndjson, work] = process.argv.slice(2);
const theirs = path.join(work, 'duckdb_zstd.parquet');
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
await db.run(`CREATE TABLE logs AS SELECT * FROM read_json('${ndjson}', format = 'newline_delimited',
  columns = {timestamp: 'TIMESTAMPTZ', level: 'VARCHAR', message: 'VARCHAR', service: 'VARCHAR',
             trace_id: 'VARCHAR', metadata: 'JSON'})`);
await db.run(`COPY logs TO '${theirs}' (FORMAT parquet, COMPRESSION zstd)`);

const count = async (file) => Number((await db.runAndReadAll(`SELECT count(*) FROM '${file}'`)).getRows()[0][0]);
const [ourRows, theirRows] = [await count(ours), await count(theirs)];
if (ourRows !== theirRows) throw new Error(`row counts differ: ours ${ourRows}, DuckDB ${theirRows}`);
// Same content: the symmetric difference of the two files is empty.
const diff = Number((await db.runAndReadAll(`SELECT count(*) FROM (
  (SELECT * FROM '${ours}' EXCEPT ALL SELECT * FROM '${theirs}') UNION ALL
  (SELECT * FROM '${theirs}' EXCEPT ALL SELECT * FROM '${ours}'))`)).getRows()[0][0]);
if (diff !== 0) throw new Error(`the two files differ in ${diff} rows`);

const zst = path.join(work, 'logs.ndjson.zst');
execFileSync('zstd', ['-3', '-q', '-f', ndjson, '-o', zst]);
const size = (f) => fs.statSync(f).size;
const rows = ourRows;
const line = (name, bytes) =>
  console.log(`${name.padEnd(28)} ${String(bytes).padStart(12)} bytes  ${(bytes / rows).toFixed(1).padStart(7)} B/log`);
console.log(`rows: ${rows} (same rows, same types in both Parquet files)`);
line('NDJSON', size(ndjson));
line('zstd -3 of the NDJSON', size(zst));
line('DuckDB 1.5.6 Parquet, zstd', size(theirs));
line('logdaemon Parquet, zstd', size(ours));
console.log(`ratio logdaemon / DuckDB: ${(size(ours) / size(theirs)).toFixed(3)}`);
