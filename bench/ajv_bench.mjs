// The reference for bench/schema_bench.cc: ajv (compiled validators, the fastest widely used JSON Schema
// validator for JavaScript) with ajv-formats' full formats, on the same NDJSON and the same schemas.
// Each log is JSON.parse'd then validated, the JavaScript equivalent of simdjson parse + Validator.
//
//   node bench/ajv_bench.mjs LOGS_DIR RICH_SCHEMA [--runs=5] [--passes=5] [--json=OUT]
//
// LOGS_DIR holds what bench/schema_export writes (logs.ndjson, logs_mixed.ndjson, default_schema.json).
// A run is `passes` passes over a log set; the result is the median logs/s of `runs` runs, after two
// passes of warm-up so that V8 has optimised the validator. Run it pinned to one core (taskset -c 0) as
// schema.sh does: V8's garbage collector threads then share the core instead of borrowing another.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const args = process.argv.slice(2);
const positional = args.filter((a) => !a.startsWith('--'));
const option = (name, fallback) => {
  const found = args.find((a) => a.startsWith(`--${name}=`));
  return found === undefined ? fallback : found.slice(name.length + 3);
};
if (positional.length !== 2) {
  console.error('usage: node ajv_bench.mjs LOGS_DIR RICH_SCHEMA [--runs=5] [--passes=5] [--json=OUT]');
  process.exit(2);
}
const [logsDir, richSchemaPath] = positional;
const runs = Number(option('runs', 5));
const passes = Number(option('passes', 5));
const jsonOut = option('json', '');

const readLines = (path) => {
  const text = readFileSync(path, 'utf8');
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
};
const valid = readLines(join(logsDir, 'logs.ndjson'));
const mixed = readLines(join(logsDir, 'logs_mixed.ndjson'));
const bytes = (lines) => lines.reduce((n, line) => n + Buffer.byteLength(line) + 1, 0);
const broken = mixed.reduce((n, line, i) => n + (line !== valid[i]), 0);

// strict mode (ajv's default) refuses unknown keywords and formats, so a schema ajv accepts here means
// the same thing to both validators.
const ajv = new Ajv({ allErrors: false });
addFormats(ajv);
const schemas = {
  default: ajv.compile(JSON.parse(readFileSync(join(logsDir, 'default_schema.json'), 'utf8'))),
  rich: ajv.compile(JSON.parse(readFileSync(richSchemaPath, 'utf8'))),
};

// One pass: parse and validate every line; a failing log gets its error text built, as the daemon
// builds its `ERROR: schema: …` line. Returns the number of invalid logs.
let lastError = '';
function pass(lines, validate) {
  let invalid = 0;
  for (let i = 0; i < lines.length; ++i) {
    const log = JSON.parse(lines[i]);
    if (!validate(log)) {
      ++invalid;
      lastError = ajv.errorsText(validate.errors);
    }
  }
  return invalid;
}

// The floor: JSON.parse only.
let fields = 0;
function parsePass(lines) {
  for (let i = 0; i < lines.length; ++i) fields += JSON.parse(lines[i]) === null ? 0 : 1;
  return 0;
}

function measure(name, lines, onePass, expectedInvalid) {
  for (let w = 0; w < 2; ++w) {
    const invalid = onePass(lines);
    if (invalid !== expectedInvalid) {
      console.error(`ajv_bench: ${name}: ${invalid} invalid logs, expected ${expectedInvalid}` +
                    ` (last error: ${lastError})`);
      process.exit(1);
    }
  }
  const rates = [];
  for (let r = 0; r < runs; ++r) {
    const start = process.hrtime.bigint();
    for (let p = 0; p < passes; ++p) onePass(lines);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push((lines.length * passes) / seconds);
  }
  rates.sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)];
  const bytesPerLog = bytes(lines) / lines.length;
  return { name, logs_per_second: median, bytes_per_second: median * bytesPerLog, runs: rates };
}

const results = [
  measure('parse', valid, parsePass, 0),
  measure('default', valid, (l) => pass(l, schemas.default), 0),
  measure('rich', valid, (l) => pass(l, schemas.rich), 0),
  measure('mixed/default', mixed, (l) => pass(l, schemas.default), broken),
  measure('mixed/rich', mixed, (l) => pass(l, schemas.rich), broken),
];

const ajvPackage = new URL('./node_modules/ajv/package.json', import.meta.url);
console.log(`ajv ${JSON.parse(readFileSync(ajvPackage, 'utf8')).version}, node ${process.version}: ` +
            `${valid.length} logs, ${broken} invalid in the mixed set, ` +
            `median of ${runs} runs of ${passes} passes`);
for (const r of results) {
  console.log(`  ${r.name.padEnd(14)} ${(r.logs_per_second / 1e6).toFixed(3).padStart(7)} M logs/s ` +
              `${(r.bytes_per_second / 1e6).toFixed(0).padStart(6)} MB/s`);
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ fields, results }, null, 2));
