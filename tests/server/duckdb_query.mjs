// Runs one SQL query with DuckDB (npm @duckdb/node-api) for the daemon's end-to-end tests (daemon.py):
//   node duckdb_query.mjs INTEROP_DIR SQL            the rows as one JSON array of objects (BIGINT as text)
//   node duckdb_query.mjs INTEROP_DIR SQL --lines    the first column of every row, one per line
// The npm packages live in INTEROP_DIR/node_modules (tests/interop), which Node does not search from this
// folder, so they are resolved from there explicitly.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [interop, sql, mode] = process.argv.slice(2);
const require = createRequire(path.resolve(interop, 'package.json'));
const { DuckDBInstance } = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);

const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
await db.run(`SET TimeZone = 'UTC'`);
const rows = (await db.runAndReadAll(sql)).getRowObjects();
const text = (v) => (typeof v === 'bigint' ? v.toString() : v);
if (mode === '--lines') {
  const out = rows.map((r) => String(text(Object.values(r)[0]))).join('\n');
  process.stdout.write(out.length ? out + '\n' : '');
} else {
  process.stdout.write(JSON.stringify(rows, (k, v) => text(v)) + '\n');
}
