// Compressed bytes per column of some Parquet files, summed over their row groups, with the number of
// column chunks and the encodings used, as DuckDB's parquet_metadata() reports them: where a file's
// bytes go, for comparing two builds' output (docs/performance.md).
//   node bench/column_sizes.mjs FILE.parquet...
//   e.g. node bench/column_sizes.mjs $(cat files.txt)      (the list bench/storage_export writes)
// Run from anywhere; @duckdb/node-api comes from tests/interop/node_modules.
import { createRequire } from 'node:module';
import path from 'node:path';
import url from 'node:url';

const here = path.dirname(url.fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../tests/interop/package.json'));
const { DuckDBInstance } = require('@duckdb/node-api');

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node bench/column_sizes.mjs FILE.parquet...');
  process.exit(2);
}
const list = `[${files.map((f) => `'${f.replaceAll("'", "''")}'`).join(', ')}]`;
const db = await (await DuckDBInstance.create(':memory:')).connect();
const result = await db.runAndReadAll(`SELECT path_in_schema, sum(total_compressed_size), count(*),
    string_agg(DISTINCT encodings, ' | ') FROM parquet_metadata(${list}) GROUP BY 1 ORDER BY 1`);
let total = 0;
console.log(`${'column'.padEnd(16)} ${'MB'.padStart(9)} ${'chunks'.padStart(6)}  encodings`);
for (const [column, bytes, chunks, encodings] of result.getRows()) {
  total += Number(bytes);
  console.log(`${String(column).padEnd(16)} ${(Number(bytes) / 1e6).toFixed(3).padStart(9)} ` +
    `${String(chunks).padStart(6)}  ${encodings}`);
}
console.log(`${'(all columns)'.padEnd(16)} ${(total / 1e6).toFixed(3).padStart(9)}`);
