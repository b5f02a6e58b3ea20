// bench/query.sh's measuring part: each query through `logdaemon query --explain` (engine time and the
// whole process) and through DuckDB in-process on the same files; warm (one run first), medians of 5.
//   node query_bench.mjs LOGDAEMON STORAGE_DIR
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

// DuckDB comes from tests/interop's pinned packages (scripts/install-deps.sh installs them).
const interop = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'tests', 'interop');
const require = createRequire(path.join(interop, 'package.json'));
const { DuckDBInstance } = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);

const [logdaemon, storage] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
await db.run(`SET TimeZone = 'UTC'`);
await db.run(`CREATE VIEW logs AS SELECT * FROM read_parquet('${storage}/**/*.parquet')`);

// The time range holding 1 % of the rows, from the data itself.
const span = (await db.runAndReadAll(`SELECT epoch_us(min(timestamp)) AS lo, epoch_us(max(timestamp)) AS hi FROM logs`)).getRowObjects()[0];
const lo = Number(span.lo), hi = Number(span.hi);
const from = lo + Math.floor((hi - lo) * 0.5), to = from + Math.floor((hi - lo) * 0.01);
// RFC 3339 with the microseconds (toISOString alone would cut them to milliseconds).
const iso = (us) =>
  new Date(Math.floor(us / 1000)).toISOString().replace('Z', `${String(us % 1000).padStart(3, '0')}Z`);

// The service with the most warnings and errors, so that the query has rows to return.
const services = (await db.runAndReadAll(
  `SELECT service, count(*) n FROM logs WHERE service IS NOT NULL AND level IN ('warn', 'error') GROUP BY 1 ORDER BY 2 DESC LIMIT 1`)).getRowObjects();
const service = services[0].service;

const queries = [
  ['count', ['--count'], `SELECT count(*) FROM logs`],
  ['level = error', ['--level', 'error', '--format', 'json'], `SELECT * FROM logs WHERE level = 'error'`],
  [`service ${service}, level in (warn, error)`, ['--service', service, '--level', 'warn,error', '--format', 'json'],
   `SELECT * FROM logs WHERE service = '${service}' AND level IN ('warn', 'error')`],
  ['message contains exception, limit 100', ['--grep', 'exception', '--limit', '100', '--format', 'json'],
   `SELECT * FROM logs WHERE message LIKE '%exception%' LIMIT 100`],
  ['1 % time range', ['--since', iso(from), '--until', iso(to), '--format', 'json'],
   `SELECT * FROM logs WHERE timestamp >= make_timestamptz(${from}) AND timestamp < make_timestamptz(${to})`],
  ['errors by service', ['--level', 'error', '--count-by', 'service', '--format', 'json'],
   `SELECT service, count(*) AS n FROM logs WHERE level = 'error' GROUP BY service ORDER BY n DESC`],
];

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
function ours(args) {
  const t0 = performance.now();
  const r = spawnSync(logdaemon, ['query', '--storage', storage, '--explain', ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`query ${args.join(' ')}: ${r.stderr}`);
  const engine = Number(/([\d.]+) ms\s*$/m.exec(r.stderr)[1]);
  return { engine, wall, rows: r.stdout.split('\n').filter(Boolean).length };
}
async function duck(sql) {
  const t0 = performance.now();
  const result = await db.runAndReadAll(sql);
  const rows = result.getRows().length;  // materialized, as ours prints them
  return { wall: performance.now() - t0, rows };
}

console.log(`\n${'query'.padEnd(42)} ${'rows'.padStart(9)} ${'ours engine'.padStart(12)} ${'ours process'.padStart(13)} ${'DuckDB'.padStart(9)} ${'engine/DuckDB'.padStart(14)}`);
for (const [name, args, sql] of queries) {
  ours(args); await duck(sql);  // warm
  const o = [], d = [];
  let rows = 0, duckRows = 0;
  for (let i = 0; i < 5; ++i) {
    const a = ours(args); o.push(a); rows = a.rows;
    const b = await duck(sql); d.push(b.wall); duckRows = b.rows;
  }
  const engine = median(o.map((x) => x.engine)), wall = median(o.map((x) => x.wall)), dk = median(d);
  const shownRows = name === 'count' ? '1' : `${rows}${rows === duckRows ? '' : `≠${duckRows}`}`;
  console.log(`${name.padEnd(42)} ${shownRows.padStart(9)} ${engine.toFixed(1).padStart(9)} ms ${wall.toFixed(1).padStart(10)} ms ${dk.toFixed(1).padStart(6)} ms ${(engine / dk).toFixed(2).padStart(13)}×`);
}
