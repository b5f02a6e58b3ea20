// DuckDB and arrow-rs (parquet-wasm) read a logdaemon storage directory (storage_duckdb.sh runs this).
//   node storage_duckdb.mjs count DIR ROWS   read_parquet('DIR/**/*.parquet', hive_partitioning = true)
//                                            has ROWS rows, and DuckDB reads every file on its own
//   node storage_duckdb.mjs layout DIR       for DIR/default and DIR/custom (storage_fixture_writer):
//                                            DESCRIBE types, every value (EXCEPT ALL both ways against
//                                            DIR/<name>.expect.ndjson), and arrow-rs reads every file
// The npm packages live in tests/interop/node_modules, which Node does not search from this folder, so
// they are resolved from there explicitly.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';

const interop = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'interop');
const require = createRequire(path.join(interop, 'package.json'));
const load = async (name) => import(pathToFileURL(require.resolve(name)).href);
const { DuckDBInstance } = await load('@duckdb/node-api');

const [mode, dir, expectedRows] = process.argv.slice(2);
const failures = [];
const fail = (m) => {
  if (failures.length < 50) failures.push(m);
};
const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
await db.run(`SET TimeZone = 'UTC'`);
const all = async (sql) => (await db.runAndReadAll(sql)).getRowObjects();
const quote = (s) => `'${s.replaceAll("'", "''")}'`;

function parquetFiles(root) {
  const out = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath ?? entry.path, entry.name);
    if (entry.isFile() && entry.name.endsWith('.parquet') && !full.includes(`${path.sep}.tmp${path.sep}`)) out.push(full);
  }
  return out.sort();
}

// Every file on its own, then the whole directory as a Hive-partitioned table.
async function countRows(root) {
  let sum = 0n;
  const files = parquetFiles(root);
  for (const file of files) {
    try {
      const [row] = await all(`SELECT count(*) AS n FROM read_parquet(${quote(file)})`);
      sum += BigInt(row.n);
    } catch (e) {
      fail(`DuckDB cannot read ${file}: ${e.message}`);
    }
  }
  const [row] = await all(`SELECT count(*) AS n FROM read_parquet(${quote(`${root}/**/*.parquet`)}, hive_partitioning = true)`);
  return { files: files.length, perFile: sum, glob: BigInt(row.n) };
}

if (mode === 'count') {
  const want = BigInt(expectedRows);
  const got = await countRows(dir);
  if (got.glob !== want) fail(`read_parquet over ${dir}: ${got.glob} rows, our reader counted ${want}`);
  if (got.perFile !== want) fail(`the files one by one: ${got.perFile} rows, our reader counted ${want}`);
  if (!failures.length) console.log(`DuckDB: ${got.files} files, ${got.glob} rows, as our reader counted`);
} else if (mode === 'layout') {
  const arrow = await load('apache-arrow');
  const parquet = await load('parquet-wasm/node');
  for (const name of ['default', 'custom']) {
    try {
      await checkLayout(name);
    } catch (e) {
      fail(`${name}: ${e.message}`);
    }
  }
  async function checkLayout(name) {
    const root = path.join(dir, name);
    const expect = JSON.parse(fs.readFileSync(path.join(dir, `${name}.columns.json`), 'utf8'));
    const ndjson = path.join(dir, `${name}.expect.ndjson`);
    const glob = `read_parquet(${quote(`${root}/**/*.parquet`)}, hive_partitioning = true)`;
    // Types.
    const describe = await all(`DESCRIBE SELECT * FROM ${glob}`);
    const types = Object.fromEntries(describe.map((d) => [d.column_name, d.column_type]));
    for (const c of expect.columns) {
      if (types[c.name] !== c.duckdb) fail(`${name}: column ${c.name}: expected ${c.duckdb}, DuckDB says ${types[c.name]}`);
    }
    if (!('dt' in types)) fail(`${name}: no dt column from the Hive partitions`);
    // Values: timestamps compared as epoch microseconds, JSON as its text, the rest as they are.
    const ours = expect.columns.map((c) => (c.kind === 'timestamp' ? `epoch_us("${c.name}") AS "${c.name}"`
        : c.kind === 'json' ? `CAST("${c.name}" AS VARCHAR) AS "${c.name}"` : `"${c.name}"`)).join(', ');
    const jsonTypes = expect.columns.map((c) => `"${c.name}": '${c.kind === 'timestamp' ? 'BIGINT' : c.kind === 'json' ? 'VARCHAR' : c.duckdb}'`).join(', ');
    const theirs = `SELECT * FROM read_json(${quote(ndjson)}, format = 'newline_delimited', columns = {${jsonTypes}})`;
    const mine = `SELECT ${ours} FROM ${glob}`;
    const [counts] = await all(`SELECT (SELECT count(*) FROM (${mine})) AS got, (SELECT count(*) FROM (${theirs})) AS want`);
    if (counts.got !== counts.want || Number(counts.want) !== expect.rows) {
      fail(`${name}: DuckDB reads ${counts.got} rows, ${counts.want} expected (${expect.rows} written)`);
    }
    for (const [a, b, what] of [[mine, theirs, 'read but not written'], [theirs, mine, 'written but not read']]) {
      const diff = await all(`SELECT * FROM ((${a}) EXCEPT ALL (${b})) LIMIT 5`);
      for (const row of diff) fail(`${name}: ${what}: ${JSON.stringify(row, (k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    }
    // The Hive partition matches each row's UTC date.
    const [bad] = await all(`SELECT count(*) AS n FROM ${glob} WHERE CAST(dt AS VARCHAR) <> strftime("${expect.time_field}", '%Y-%m-%d')`);
    if (Number(bad.n) !== 0) fail(`${name}: ${bad.n} rows in the wrong dt= partition`);
    // The directory is compacted: one file per partition.
    const [parts] = await all(`SELECT count(DISTINCT dt) AS p, count(DISTINCT filename) AS f FROM read_parquet(${quote(`${root}/**/*.parquet`)}, hive_partitioning = true, filename = true)`);
    if (parts.p !== parts.f) fail(`${name}: ${parts.f} files over ${parts.p} partitions after compaction`);

    // arrow-rs: every file, types and every value (rows matched by the unique key column). The
    // expectations for JavaScript hold INT64 and timestamp values as decimal strings (exact).
    const expected = new Map();
    for (const line of fs.readFileSync(path.join(dir, `${name}.arrow.ndjson`), 'utf8').split('\n')) {
      if (!line) continue;
      const row = JSON.parse(line);
      expected.set(row[expect.key], row);
    }
    // A column's values: INT64 and timestamps as decimal strings of the raw values, others as read.
    const values = (vector, kind) => {
      const out = [];
      for (const data of vector.data) {
        for (let i = 0; i < data.length; i++) {
          if (!data.getValid(i)) out.push(null);
          else if (kind === 'timestamp' || kind === 'int64') out.push(String(data.values[data.offset + i]));
          else out.push(null);
        }
      }
      if (kind === 'timestamp' || kind === 'int64') return out;
      return Array.from({ length: vector.length }, (_, i) => (vector.isValid(i) ? vector.get(i) : null));
    };
    let seen = 0;
    for (const file of parquetFiles(root)) {
      let table;
      try {
        table = arrow.tableFromIPC(parquet.readParquet(new Uint8Array(fs.readFileSync(file))).intoIPCStream());
      } catch (e) {
        fail(`arrow-rs cannot read ${file}: ${e}`);
        continue;
      }
      const columns = [];
      for (const c of expect.columns) {
        const vector = table.getChild(c.name);
        const t = vector?.type;
        const ok = t && (c.kind === 'timestamp' ? t.typeId === arrow.Type.Timestamp && t.unit === arrow.TimeUnit.MICROSECOND && (t.timezone === 'UTC' || t.timezone === '+00:00')
          : c.kind === 'int64' ? t.typeId === arrow.Type.Int && t.bitWidth === 64
          : c.kind === 'double' ? t.typeId === arrow.Type.Float && t.precision === arrow.Precision.DOUBLE
          : c.kind === 'boolean' ? t.typeId === arrow.Type.Bool
          : t.typeId === arrow.Type.Utf8 || t.typeId === arrow.Type.LargeUtf8);
        if (!ok) {
          fail(`arrow-rs: ${file}: column ${c.name} (${c.kind}) has type ${t}`);
          columns.push(null);
        } else {
          columns.push(values(vector, c.kind));
        }
      }
      const keyIndex = expect.columns.findIndex((c) => c.name === expect.key);
      if (columns.includes(null)) continue;
      for (let r = 0; r < table.numRows; r++) {
        const key = columns[keyIndex][r];
        const want = expected.get(key);
        if (!want) {
          fail(`arrow-rs: ${file} row ${r}: unexpected key ${key}`);
          continue;
        }
        expect.columns.forEach((c, i) => {
          const got = columns[i][r];
          const w = want[c.name] ?? null;
          if (!(got === w || (typeof got === 'number' && Object.is(got, w)))) {
            fail(`arrow-rs: ${file} key ${key} column ${c.name}: expected ${JSON.stringify(w)}, read ${JSON.stringify(got)}`);
          }
        });
        seen++;
      }
    }
    if (seen !== expect.rows) fail(`arrow-rs: ${seen} rows over the files, ${expect.rows} written`);
    if (!failures.length) console.log(`${name}: DuckDB types and ${expect.rows} rows exactly as written; arrow-rs agrees`);
  }
} else {
  console.error('usage: storage_duckdb.mjs count DIR ROWS | layout DIR');
  process.exit(2);
}
if (failures.length) {
  console.error(`storage_duckdb: ${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
