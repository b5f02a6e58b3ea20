// Bytes per log after compaction: logdaemon's storage (the visible files storage_export listed, zstd)
// against DuckDB's zstd Parquet of the same logs, written in the same run; also against the raw NDJSON
// and `zstd -3` of it. Checks that DuckDB's file and ours hold exactly the same rows first.
//   node bench/storage_size.mjs FILES.txt LOGS.ndjson WORK_DIR
// Run from anywhere; @duckdb/node-api comes from tests/interop/node_modules.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';

const here = path.dirname(url.fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../tests/interop/package.json'));
const { DuckDBInstance, version } = require('@duckdb/node-api');

const [fileList, ndjson, work] = process.argv.slice(2);
const ours = fs.readFileSync(fileList, 'utf8').split('\n').filter((f) => f.length > 0);
if (ours.length === 0) throw new Error(`${fileList} lists no files`);
const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;
// Our files sit in dt=…/ directories: no hive columns, only the table's own.
const oursList = `[${ours.map(sqlString).join(', ')}]`;
const oursScan = `read_parquet(${oursList}, hive_partitioning = false)`;
const columns = 'timestamp, level, message, service, trace_id, metadata';

const theirs = path.join(work, 'duckdb_zstd.parquet');
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
await db.run(`CREATE TABLE logs AS SELECT * FROM read_json(${sqlString(ndjson)}, format = 'newline_delimited',
  columns = {timestamp: 'TIMESTAMPTZ', level: 'VARCHAR', message: 'VARCHAR', service: 'VARCHAR',
             trace_id: 'VARCHAR', metadata: 'JSON'})`);
await db.run(`COPY logs TO ${sqlString(theirs)} (FORMAT parquet, COMPRESSION zstd)`);
const theirsScan = `read_parquet(${sqlString(theirs)})`;

const one = async (sql) => (await db.runAndReadAll(sql)).getRows()[0];
const [ourRows, theirRows, ndjsonRows] = [
  Number((await one(`SELECT count(*) FROM ${oursScan}`))[0]),
  Number((await one(`SELECT count(*) FROM ${theirsScan}`))[0]),
  Number((await one('SELECT count(*) FROM logs'))[0]),
];
if (ourRows !== theirRows || ourRows !== ndjsonRows) {
  throw new Error(`row counts differ: ours ${ourRows}, DuckDB ${theirRows}, NDJSON ${ndjsonRows}`);
}
// Same content, same types: the symmetric difference of the two is empty.
const diff = Number((await one(`SELECT count(*) FROM (
  (SELECT ${columns} FROM ${oursScan} EXCEPT ALL SELECT ${columns} FROM ${theirsScan}) UNION ALL
  (SELECT ${columns} FROM ${theirsScan} EXCEPT ALL SELECT ${columns} FROM ${oursScan}))`))[0]);
if (diff !== 0) throw new Error(`our files and DuckDB's differ in ${diff} rows`);
const types = async (scan) => (await db.runAndReadAll(`DESCRIBE SELECT ${columns} FROM ${scan}`))
  .getRows().map((r) => `${r[0]} ${r[1]}`).join(', ');
const [ourTypes, theirTypes] = [await types(oursScan), await types(theirsScan)];
if (ourTypes !== theirTypes) throw new Error(`types differ: ours ${ourTypes}; DuckDB ${theirTypes}`);
const rowGroups = async (files) =>
  Number((await one(`SELECT count(DISTINCT (file_name, row_group_id)) FROM parquet_metadata(${files})`))[0]);
const [ourGroups, theirGroups] = [await rowGroups(oursList), await rowGroups(sqlString(theirs))];

const zst = path.join(work, 'logs.ndjson.zst');
execFileSync('zstd', ['-3', '-q', '-f', ndjson, '-o', zst]);
const size = (f) => fs.statSync(f).size;
const oursBytes = ours.reduce((sum, f) => sum + size(f), 0);
const rows = ourRows;
const line = (name, bytes) =>
  console.log(`${name.padEnd(48)} ${String(bytes).padStart(12)} bytes  ${(bytes / rows).toFixed(1).padStart(7)} B/log`);
console.log(`rows: ${rows} (the same rows and types in both Parquet forms: ${ourTypes})`);
line('NDJSON', size(ndjson));
line('zstd -3 of the NDJSON', size(zst));
line(`DuckDB ${version()} Parquet, zstd (${theirGroups} row groups)`, size(theirs));
line(`logdaemon storage, zstd (${ours.length} files, ${ourGroups} row groups)`, oursBytes);
console.log(`ratio logdaemon / DuckDB: ${(oursBytes / size(theirs)).toFixed(3)}`);
