// arrow-rs (through parquet-wasm, read into apache-arrow JS) reads every file parquet_testgen wrote:
// the Arrow types and every value equal what was written.
//   node arrow_reads_ours.mjs DIR
import * as parquet from 'parquet-wasm/node';
import * as arrow from 'apache-arrow';
import fs from 'node:fs';
import path from 'node:path';
import { expectations, doubleToJson, sameValue, Failures, show } from './common.mjs';

const dir = process.argv[2];
const failures = new Failures('arrow-rs');

function typeMatches(kind, type) {
  switch (kind) {
    case 'timestamp':
      return type.typeId === arrow.Type.Timestamp && type.unit === arrow.TimeUnit.MICROSECOND &&
          (type.timezone === 'UTC' || type.timezone === '+00:00');
    case 'int64': return type.typeId === arrow.Type.Int && type.bitWidth === 64 && type.isSigned;
    case 'double': return type.typeId === arrow.Type.Float && type.precision === arrow.Precision.DOUBLE;
    case 'boolean': return type.typeId === arrow.Type.Bool;
    default: return type.typeId === arrow.Type.Utf8 || type.typeId === arrow.Type.LargeUtf8;
  }
}

// Every value of a column under the expectation conventions; timestamps from the raw microseconds.
function columnValues(kind, vector) {
  const out = [];
  for (const data of vector.data) {
    for (let i = 0; i < data.length; i++) {
      if (!data.getValid(i)) {
        out.push(null);
        continue;
      }
      const raw = kind === 'timestamp' || kind === 'int64' ? data.values[data.offset + i] : null;
      switch (kind) {
        case 'timestamp':
        case 'int64': out.push(String(raw)); break;
        case 'double': out.push(doubleToJson(data.values[data.offset + i])); break;
        default: out.push(null);
      }
    }
  }
  if (kind === 'boolean' || kind === 'string' || kind === 'json') {
    return Array.from({ length: vector.length }, (_, i) => (vector.isValid(i) ? vector.get(i) : null));
  }
  return out;
}

let checked = 0;
for (const expect of expectations(dir)) {
  const where = expect.file;
  let table;
  try {
    const bytes = new Uint8Array(fs.readFileSync(path.join(dir, expect.file)));
    table = arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
  } catch (e) {
    failures.add(`${where}: arrow-rs failed to read it: ${e}`);
    continue;
  }
  if (table.numRows !== expect.rows.length) {
    failures.add(`${where}: expected ${expect.rows.length} rows, arrow-rs read ${table.numRows}`);
    continue;
  }
  expect.columns.forEach((c, ci) => {
    const field = table.schema.fields[ci];
    if (!field || field.name !== c.name || !typeMatches(c.kind, field.type)) {
      failures.add(`${where}: column ${c.name} (${c.kind}): arrow-rs type ${field ? `${field.name}: ${field.type}` : 'missing'}`);
      return;
    }
    const values = columnValues(c.kind, table.getChildAt(ci));
    for (let r = 0; r < expect.rows.length; r++) {
      if (!sameValue(expect.rows[r][ci], values[r])) {
        failures.add(`${where} row ${r} column ${c.name}: expected ${show(expect.rows[r][ci])}, arrow-rs read ${show(values[r])}`);
      }
    }
  });
  checked++;
}
failures.finish(checked, 'every Arrow type and value');
