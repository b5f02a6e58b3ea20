// bench/ui.sh's measurements against a running daemon: the UI's first two requests timed from here, then
// the page's first paint in chromium (puppeteer-core from tests/ui/node_modules). Medians of RUNS.
//   node bench/ui_bench.mjs BASE_URL RUNS
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [base, runsText] = process.argv.slice(2);
const runs = Number(runsText || 7);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'tests/ui/package.json'));
const puppeteer = (await import(pathToFileURL(require.resolve('puppeteer-core')).href)).default;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (let i = 0; ; i++) {  // the daemon's start
  try { if ((await fetch(`${base}/metrics`)).ok) break; } catch {}
  if (i > 200) throw new Error('the daemon did not answer');
  await new Promise((r) => setTimeout(r, 50));
}

// Every log: the range of the whole storage.
const fields = await (await fetch(`${base}/api/v1/histogram?buckets=100`)).json();
const since = new Date(fields.from).toISOString();
const until = new Date(fields.to + 1000).toISOString();
console.log(`logs: ${fields.total.toLocaleString('en-US')} from ${since} to ${until}`);
const range = `since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`;

async function apiOnce() {
  const t0 = performance.now();
  const [h, q] = await Promise.all([fetch(`${base}/api/v1/histogram?${range}&buckets=100`),
    fetch(`${base}/api/v1/query?${range}&limit=100`)]);
  const [histogram, rows] = [await h.json(), (await q.text()).split('\n').length - 1];
  if (histogram.total !== fields.total || rows !== 100) throw new Error(`unexpected answers: ${histogram.total}, ${rows}`);
  return performance.now() - t0;
}
await apiOnce();  // warm
const api = [];
for (let i = 0; i < runs; i++) api.push(await apiOnce());
console.log(`API (histogram + 100 rows, in parallel): median ${median(api).toFixed(0)} ms ` +
  `(runs: ${api.map((x) => x.toFixed(0)).join(', ')})`);

const browser = await puppeteer.launch({
  executablePath: '/usr/bin/chromium', headless: true,
  userDataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'ld-ui-bench-')),
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  const paints = [];
  for (let i = 0; i <= runs; i++) {
    await page.goto(`${base}/ui/?${range}`, { waitUntil: 'domcontentloaded' });
    const ms = await page.waitForFunction(() => document.body.dataset.firstPaintMs, { timeout: 30000 });
    const value = Number(await ms.jsonValue());
    const shown = await page.evaluate(() => window.logdaemonUi.rows.length);
    if (shown < 100) throw new Error(`only ${shown} rows shown`);
    if (i > 0) paints.push(value);  // the first load warms the caches
  }
  console.log(`browser first paint (navigation start to histogram + rows drawn): median ${median(paints)} ms ` +
    `(runs: ${paints.join(', ')})`);
} finally {
  await browser.close();
}
