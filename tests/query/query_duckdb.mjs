// The query matrix (issue #6): every implemented filter and combination runs through `logdaemon query`
// and through DuckDB on the same files; the results must be equal.
//   node query_duckdb.mjs LOGDAEMON INTEROP_DIR        (works in a temporary directory it removes)
// The logs: 3 days × 1500, levels and services cycling, 1 in 7 without a service, unicode and quotes in
// messages, a metadata object, an undeclared field; loaded with `logdaemon import`. Each message is
// unique ("#<n> …"), so results compare as sets of messages (and counts), plus the order of a limit.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [logdaemon, interop] = process.argv.slice(2);
const work = mkdtempSync(path.join(os.tmpdir(), 'logdaemon_query_'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const require = createRequire(path.resolve(interop, 'package.json'));
const { DuckDBInstance } = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);

const levels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const services = ['api', 'worker', 'db', 'café'];
const lines = [];
for (let day = 0; day < 3; ++day) {
  for (let i = 0; i < 1500; ++i) {
    const n = day * 1500 + i;
    const seconds = i * 57;  // spread over the day
    const ts = new Date(Date.UTC(2026, 0, 15 + day, 0, 0, seconds)).toISOString().replace('.000Z', 'Z');
    const log = { timestamp: ts, level: levels[n % 6], message: `#${n} ${n % 5 === 0 ? 'exception in façade "x"' : 'ok'} ✓` };
    if (n % 7 !== 0) log.service = services[n % 4];
    if (n % 3 === 0) log.metadata = { http: { status: 200 + (n % 4) * 100 } };
    if (n % 11 === 0) log.user = n;  // undeclared: _extra
    lines.push(JSON.stringify(log));
  }
}
// Two imports: the second one's logs fall between the first one's (odd seconds), so the storage holds
// files that overlap in time, as a daemon's late logs make them (what --order must merge).
const first = lines.filter((_, n) => n % 2 === 0);
const second = lines.filter((_, n) => n % 2 === 1).map((l) => {
  const o = JSON.parse(l);
  o.timestamp = new Date(Date.parse(o.timestamp) + 1000).toISOString().replace('.000Z', 'Z');
  return JSON.stringify(o);
});
lines.length = 0;
lines.push(...first, ...second);
const storage = path.join(work, 'logs');
for (const [name, part] of [['first.ndjson', first], ['second.ndjson', second]]) {
  writeFileSync(path.join(work, name), part.join('\n') + '\n');
  const imported = spawnSync(logdaemon, ['import', '--storage', storage, '-q', path.join(work, name)], { encoding: 'utf8' });
  if (imported.status !== 0) {
    console.error(imported.stdout, imported.stderr);
    process.exit(1);
  }
}

const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
await db.run(`SET TimeZone = 'UTC'`);
await db.run(`CREATE VIEW logs AS SELECT * FROM read_parquet('${storage}/**/*.parquet')`);
const duck = async (where) =>
  (await db.runAndReadAll(`SELECT message FROM logs ${where ? 'WHERE ' + where : ''}`)).getRowObjects().map((r) => r.message);

function ours(args) {
  const r = spawnSync(logdaemon, ['query', '--storage', storage, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`query ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}
const oursMessages = (args) =>
  ours([...args, '--format', 'json', '--fields', 'message']).split('\n').filter(Boolean).map((l) => JSON.parse(l).message);

const cases = [
  [[], ''],
  [['--level', 'error'], `level = 'error'`],
  [['--level', 'warn,error'], `level IN ('warn', 'error')`],
  [['--service', 'café'], `service = 'café'`],
  [['--service', 'api', '--level', 'warn,error'], `service = 'api' AND level IN ('warn', 'error')`],
  [['--since', '2026-01-16T12:00:00Z'], `timestamp >= TIMESTAMPTZ '2026-01-16 12:00:00+00'`],
  [['--until', '2026-01-16'], `timestamp < TIMESTAMPTZ '2026-01-16 00:00:00+00'`],
  [['--since', '2026-01-16T05:30:00+02:00', '--until', '2026-01-17T01:00:00Z'],
   `timestamp >= TIMESTAMPTZ '2026-01-16 03:30:00+00' AND timestamp < TIMESTAMPTZ '2026-01-17 01:00:00+00'`],
  [['--since', '2026-01-17', '--level', 'fatal', '--service', 'db'],
   `timestamp >= TIMESTAMPTZ '2026-01-17 00:00:00+00' AND level = 'fatal' AND service = 'db'`],
  [['--service', 'nope'], `service = 'nope'`],
  [['--since', '2030-01-01'], `timestamp >= TIMESTAMPTZ '2030-01-01 00:00:00+00'`],
  [['--grep', 'exception'], `message LIKE '%exception%'`],
  [['--grep', 'FAÇADE "X', '-i'], `lower(message) LIKE '%façade "x%'`],
  [['--grep', 'exception', '--level', 'error'], `message LIKE '%exception%' AND level = 'error'`],
  [['--where', "level = 'warn' AND metadata.http.status >= 300"],
   `level = 'warn' AND (metadata->>'$.http.status')::INTEGER >= 300`],
  [['--where', "service IN ('api', 'db') OR level = 'fatal'"], `service IN ('api', 'db') OR level = 'fatal'`],
  [['--where', 'service IS NULL'], `service IS NULL`],
  [['--where', 'metadata IS NOT NULL AND NOT (level = \'info\')'], `metadata IS NOT NULL AND NOT (level = 'info')`],
  [['--where', "message LIKE '#1_ %'"], `message LIKE '#1_ %'`],
  [['--where', "message ILIKE '%FAÇADE%' AND service <> 'api'"], `message ILIKE '%façade%' AND service <> 'api'`],
  [['--where', "timestamp >= '2026-01-16T12:00:00Z' AND level NOT IN ('info', 'debug')"],
   `timestamp >= TIMESTAMPTZ '2026-01-16 12:00:00+00' AND level NOT IN ('info', 'debug')`],
  [['--where', "_extra IS NOT NULL", '--since', '2026-01-17'], `_extra IS NOT NULL AND timestamp >= TIMESTAMPTZ '2026-01-17 00:00:00+00'`],
];

let failures = 0;
for (const [args, where] of cases) {
  const expected = (await duck(where)).sort();
  const got = oursMessages(args).sort();
  const count = Number(ours([...args, '--count']).trim());
  const same = expected.length === got.length && expected.every((m, i) => m === got[i]) && count === expected.length;
  console.log(`${same ? 'PASS' : 'FAIL'} query ${args.join(' ') || '(all)'}: ours ${got.length} rows, --count ${count}, DuckDB ${expected.length}`);
  if (!same) failures++;
}

// --count-by: the same groups and counts as GROUP BY, largest first (nulls are a group).
for (const [field, args, where] of [['service', [], ''], ['level', ['--service', 'api'], `service = 'api'`]]) {
  const got = ours(['--count-by', field, '--format', 'json', ...args]).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const rows = (await db.runAndReadAll(
    `SELECT ${field} AS v, count(*) AS n FROM logs ${where ? 'WHERE ' + where : ''} GROUP BY ${field}`)).getRowObjects();
  const expected = new Map(rows.map((r) => [r.v ?? null, Number(r.n)]));
  let ok = got.length === expected.size;
  for (let i = 0; ok && i < got.length; ++i) {
    const key = got[i][field] ?? null;
    ok = expected.get(key) === got[i].count && (i === 0 || got[i - 1].count >= got[i].count);
  }
  console.log(`${ok ? 'PASS' : 'FAIL'} --count-by ${field} ${args.join(' ')}: ${got.length} groups, DuckDB ${expected.size}`);
  if (!ok) failures++;
}

// --order: exactly DuckDB's ORDER BY timestamp (every timestamp is unique), across overlapping files.
for (const [args, sql] of [
  [['--order', 'asc'], `ORDER BY timestamp`],
  [['--order', 'desc', '--limit', '25'], `ORDER BY timestamp DESC LIMIT 25`],
  [['--order', 'desc', '--level', 'error', '--since', '2026-01-16'],
   `WHERE level = 'error' AND timestamp >= TIMESTAMPTZ '2026-01-16 00:00:00+00' ORDER BY timestamp DESC`],
  [['--order', 'asc', '--where', "service = 'db'", '--limit', '7'], `WHERE service = 'db' ORDER BY timestamp LIMIT 7`],
]) {
  const got = oursMessages(args);
  const expected = (await db.runAndReadAll(`SELECT message FROM logs ${sql}`)).getRowObjects().map((r) => r.message);
  const ok = got.length === expected.length && got.every((m, i) => m === expected[i]);
  console.log(`${ok ? 'PASS' : 'FAIL'} query ${args.join(' ')}: ${got.length} rows in DuckDB's order`);
  if (!ok) failures++;
}

// JSON lines carry the original fields: the timestamps as RFC 3339 UTC, metadata as an object, the
// undeclared field back at the top level, no field for a null.
const all = ours(['--format', 'json']).split('\n').filter(Boolean).map((l) => JSON.parse(l));
const byMessage = new Map(all.map((o) => [o.message, o]));
let roundTrip = all.length === lines.length;
for (const line of lines) {
  const original = JSON.parse(line);
  const got = byMessage.get(original.message);
  if (!got) { roundTrip = false; break; }
  const sameTime = Date.parse(got.timestamp) === Date.parse(original.timestamp);
  const rest = (o) => JSON.stringify(Object.keys(o).filter((k) => k !== 'timestamp').sort().map((k) => [k, o[k]]));
  if (!sameTime || rest(got) !== rest(original)) {
    console.log(`  differs: ${line}\n     got: ${JSON.stringify(got)}`);
    roundTrip = false;
    break;
  }
}
console.log(`${roundTrip ? 'PASS' : 'FAIL'} --format json gives back every original log (${all.length} of ${lines.length})`);
if (!roundTrip) failures++;

console.log(failures === 0 ? 'query matrix: all equal to DuckDB' : `query matrix: ${failures} FAILED`);
process.exit(failures === 0 ? 0 : 1);
