// Shared by the interop checks: the expectation files parquet_testgen writes, and value comparison
// under its conventions (INT64 and timestamps as decimal strings, doubles as numbers or
// "NaN"/"Infinity"/"-Infinity").
import fs from 'node:fs';
import path from 'node:path';

export function expectations(dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.expect.json')).sort()
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
}

export function doubleToJson(v) {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

// Equal under the conventions; doubles exactly (-0 differs from 0), NaN equals NaN.
export function sameValue(expected, got) {
  if (typeof expected === 'number' && typeof got === 'number') return Object.is(expected, got);
  return expected === got;
}

export class Failures {
  constructor(reader) {
    this.reader = reader;
    this.list = [];
  }
  add(message) {
    if (this.list.length < 50) this.list.push(message);
    else if (this.list.length === 50) this.list.push('… (more failures not shown)');
  }
  // Prints the outcome and exits non-zero when anything failed.
  finish(checked, what) {
    if (this.list.length) {
      console.error(`${this.reader}: ${this.list.length} failure(s):\n  ` + this.list.join('\n  '));
      process.exit(1);
    }
    console.log(`${this.reader}: ${checked} files, ${what} as expected`);
  }
}

export const show = (v) => JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? `${x}n` : x));
