// The web UI in a real browser (issue #17): Debian's chromium, driven by puppeteer-core, against a
// `logdaemon serve` this script starts on its own socket, storage and loopback port. It types a filter and
// checks the histogram's bars and the table's rows against DuckDB's answers for the same filter on the
// same files, opens a row, turns on the live tail and sees a log sent afterwards appear, sees logs holding
// HTML shown as text, sees a bad filter's error where it is, and fails on any console error or request to
// anywhere but the daemon. Screenshots of each step go to OUT_DIR.
//
//   node tests/ui/ui_test.mjs LOGDAEMON INTEROP_DIR OUT_DIR
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const [logdaemon, interop, outDir] = process.argv.slice(2);
if (!logdaemon || !interop || !outDir) {
  console.error('usage: node ui_test.mjs LOGDAEMON INTEROP_DIR OUT_DIR');
  process.exit(2);
}
const CHROMIUM = '/usr/bin/chromium';
const FILTER = "level IN ('error', 'warn') OR service = 'web'";
const started = Date.now();
let failures = 0;
const cleanups = [];

function fail(message) {
  throw new Error(message);
}
function equal(got, want, what) {
  const a = JSON.stringify(got);
  const b = JSON.stringify(want);
  if (a !== b) fail(`${what}:\n  got  ${a.slice(0, 2000)}\n  want ${b.slice(0, 2000)}`);
}
function step(name) {
  console.log(`step: ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
async function until(predicate, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) fail(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- the daemon and its logs ----

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startDaemon(work) {
  const port = await freePort();
  const log = fs.openSync(path.join(work, 'daemon.log'), 'a');
  // setpriv --pdeathsig: the daemon dies with this script, even if ctest kills it at its timeout.
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', logdaemon, 'serve', '--socket',
    path.join(work, 'daemon.sock'), '--storage', path.join(work, 'logs'), '--http-addr', `127.0.0.1:${port}`,
    '--flush-interval', '1'], { stdio: ['ignore', log, log] });
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
  const base = `http://127.0.0.1:${port}`;
  await until(async () => {
    if (child.exitCode !== null) fail(`logdaemon serve exited ${child.exitCode}: ${fs.readFileSync(path.join(work, 'daemon.log'), 'utf8')}`);
    try { return (await fetch(`${base}/metrics`)).ok; } catch { return false; }
  }, 'the daemon answering');
  return { base, child, storage: path.join(work, 'logs') };
}

const LEVELS = ['info', 'info', 'debug', 'warn', 'info', 'error', 'info', 'fatal', 'trace'];
const SERVICES = ['api', 'web', 'worker', 'db'];
const HOSTILE = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2"><b>bold?</b>';

// 400 logs over the last 50 minutes (distinct seconds, none near the hour's edge), and two holding HTML.
function knownLogs() {
  const now = Math.floor(Date.now() / 1000);
  const logs = [];
  for (let i = 0; i < 400; i++) {
    const t = now - 3000 + Math.floor(i * 7.3);
    logs.push({
      timestamp: new Date(t * 1000).toISOString().replace('.000Z', 'Z'),
      level: LEVELS[(i * 7 + (i >> 3)) % LEVELS.length],
      service: SERVICES[(i * 3 + (i >> 4)) % SERVICES.length],
      message: `request ${i} ${i % 11 === 0 ? 'timed out' : 'served'}`,
      metadata: { status: 200 + (i % 5) * 100, user: { id: i % 17 } },
    });
  }
  logs.push({ timestamp: new Date((now - 100) * 1000).toISOString().replace(/\.\d+Z/, 'Z'), level: 'error',
    service: 'web', message: HOSTILE, metadata: { html: '<i>x</i>' } });
  return logs;
}

async function ingest(base, logs) {
  const response = await fetch(`${base}/api/v1/ingest`, {
    method: 'POST', headers: { 'Content-Type': 'application/x-ndjson' },
    body: logs.map((l) => JSON.stringify(l)).join('\n') + '\n',
  });
  const answer = await response.json();
  equal([answer.accepted, answer.rejected], [logs.length, 0], `ingest ${JSON.stringify(answer.errors)}`);
}

// ---- DuckDB, on the same files ----

async function openDuckDb(storage) {
  const require = createRequire(path.resolve(interop, 'package.json'));
  const { DuckDBInstance } = await import(pathToFileURL(require.resolve('@duckdb/node-api')).href);
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run("SET TimeZone = 'UTC'");
  const table = `read_parquet('${path.join(storage, '**', '*.parquet')}', hive_partitioning = true)`;
  return async (sql) => (await db.runAndReadAll(sql.replaceAll('LOGS', table))).getRowObjects()
    .map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
}

// ---- the browser ----

async function openBrowser(work) {
  if (!fs.existsSync(CHROMIUM)) fail(`${CHROMIUM} is missing: run scripts/install-deps.sh (it installs chromium)`);
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: fs.mkdtempSync(path.join(work, 'chromium-')),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--window-size=1280,800'],
  });
  cleanups.unshift(() => browser.close());
  return browser;
}

async function main() {
  fs.mkdirSync(outDir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ld-ui-test-'));
  cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));
  const { base, storage } = await startDaemon(work);
  const logs = knownLogs();
  await ingest(base, logs);
  await until(async () => (await (await fetch(`${base}/api/v1/query?limit=10000`)).text()).split('\n').length - 1 === logs.length,
    'the logs flushed');
  const sql = await openDuckDb(storage);

  const browser = await openBrowser(work);
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  // Any console error fails the test, except the one the bad-filter step expects (Chrome reports the 400).
  const consoleErrors = [];
  let expect400 = false;
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    if (expect400 && /status of 400/.test(message.text())) return;
    consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400 && !(expect400 && response.status() === 400)) {
      consoleErrors.push(`${response.status()} from ${response.url()}`);
    }
  });
  const foreign = [];
  page.on('request', (request) => {
    if (!request.url().startsWith(base) && !request.url().startsWith('data:')) foreign.push(request.url());
  });
  const shot = async (name) => page.screenshot({ path: path.join(outDir, `${name}.png`) });
  const readyAfter = async (before) => until(async () => {
    const ready = await page.$eval('body', (b) => b.dataset.ready || '');
    return ready && ready !== before;
  }, 'the page to show its answer');
  const ready = () => page.$eval('body', (b) => b.dataset.ready || '');
  // Types `text` into the emptied filter box and presses Enter, as a person would; waits for the answer.
  const search = async (text) => {
    const before = await ready();
    await page.$eval('#where', (input) => { input.value = ''; });
    await page.click('#where');
    await page.keyboard.type(text);
    await page.keyboard.press('Enter');
    await readyAfter(before);
  };

  step('open the UI at / (a browser is sent to /ui/)');
  await page.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
  equal(new URL(page.url()).pathname, '/ui/', 'the page the browser landed on');
  await readyAfter('');
  await until(() => page.$eval('body', (b) => b.dataset.facets || ''), 'the facets');
  await shot('01-opened');

  step('type a filter');
  await search(FILTER);
  await shot('02-filtered');

  step("the histogram's bars against DuckDB");
  const chart = await page.evaluate(() => {
    const s = window.logdaemonUi;
    return { histogram: s.histogram, plotData: s.plot.data.map((column) => Array.from(column)) };
  });
  const { histogram } = chart;
  const buckets = await sql(`SELECT (epoch_ms(timestamp) - ${histogram.times[0]}) // ${histogram.bucket_ms} AS b,
      level, count(*) AS n FROM LOGS WHERE (${FILTER}) AND epoch_ms(timestamp) >= ${histogram.from}
      AND epoch_ms(timestamp) < ${histogram.to} GROUP BY ALL ORDER BY ALL`);
  const totals = new Array(histogram.times.length).fill(0);
  const byLevel = {};
  for (const { b, level, n } of buckets) {
    totals[b] += n;
    (byLevel[level] ??= new Array(histogram.times.length).fill(0))[b] += n;
  }
  if (!buckets.length) fail('DuckDB found no logs for the filter');
  // The plot's series: the running totals, highest first; the first is every level's bar height.
  equal(chart.plotData[1], totals, 'bar heights (logs per bucket) vs DuckDB');
  equal(histogram.counts, Object.fromEntries(histogram.levels.map((l) => [l, byLevel[l]])), 'per level vs DuckDB');
  equal(chart.plotData[0], histogram.times.map((t) => t / 1000), 'bar times');
  const levels = histogram.levels;
  for (let i = 0; i < levels.length; i++) {
    // series i+1 is the sum of the levels up to levels[levels.length - 1 - i]
    const upTo = levels.slice(0, levels.length - i);
    const want = totals.map((_, b) => upTo.reduce((sum, l) => sum + byLevel[l][b], 0));
    equal(chart.plotData[i + 1], want, `stacked series up to ${upTo.at(-1)}`);
  }

  step("the table's rows against DuckDB");
  const expected = await sql(`SELECT strftime(timestamp, '%Y-%m-%d %H:%M:%SZ') AS t, level, service, message
      FROM LOGS WHERE (${FILTER}) ORDER BY timestamp DESC`);
  const shown = await page.$$eval('#rows .row', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  if (shown.length < 10) fail(`only ${shown.length} rows in view`);
  equal(shown, expected.slice(0, shown.length).map((r) => [r.t, r.level, r.service, r.message]), 'rows in view');
  const held = await page.evaluate(() => window.logdaemonUi.rows.length);
  equal(held, Math.min(100, expected.length), 'rows loaded (the first page)');
  const summary = await page.$eval('#summary', (s) => s.textContent);
  if (!summary.startsWith(`${expected.length.toLocaleString('en-US')} logs match`)) fail(`summary: ${summary}`);

  step('scroll the virtualised table');
  await page.focus('#viewport');
  await page.$eval('#viewport', (v) => { v.scrollTop = 150 * 24; });
  await until(() => page.$eval('#rows .row', (r) => r.getAttribute('aria-rowindex') !== '1'), 'rows re-rendered');
  const domRows = await page.$$eval('#rows .row', (rows) => rows.length);
  if (domRows > 80) fail(`${domRows} rows in the page: the table is not virtualised`);
  const firstIndex = await page.$eval('#rows .row', (r) => Number(r.dataset.index));
  const firstShown = await page.$eval('#rows .row .c-message', (c) => c.textContent);
  equal(firstShown, expected[firstIndex].message, `row ${firstIndex} after scrolling`);
  await page.$eval('#viewport', (v) => { v.scrollTop = 0; });

  step('open a row with the keyboard');
  await page.focus('#viewport');
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await until(() => page.$eval('#detail', (d) => !d.hidden), 'the detail panel');
  const detail = JSON.parse(await page.$eval('#detail-json', (p) => p.textContent));
  const second = await sql(`SELECT message, CAST(metadata AS VARCHAR) AS metadata FROM LOGS WHERE (${FILTER})
      ORDER BY timestamp DESC LIMIT 1 OFFSET 1`);
  equal([detail.message, detail.metadata], [second[0].message, JSON.parse(second[0].metadata)], 'the opened log');
  await shot('03-row-opened');
  await page.keyboard.press('Escape');

  step('logs holding HTML are shown as text');
  await search("message LIKE '%<script>%'");
  const cells = await page.$$eval('#rows .row .c-message', (c) => c.map((x) => x.textContent));
  equal(cells, [HOSTILE], 'the message cell holds the text as sent');
  const injected = await page.evaluate(() => ({
    scripts: document.querySelectorAll('#rows script, #rows img, #rows b, #detail script').length,
    xss: window.__xss ?? null,
  }));
  equal(injected, { scripts: 0, xss: null }, 'no element made from a log, no script run');
  await page.focus('#viewport');
  await page.keyboard.press('Enter');
  await until(() => page.$eval('#detail', (d) => !d.hidden), 'the detail panel');
  equal(JSON.parse(await page.$eval('#detail-json', (p) => p.textContent)).message, HOSTILE, 'the detail as text');
  await shot('04-html-as-text');
  await page.keyboard.press('Escape');

  step('a bad filter: the error where it is');
  expect400 = true;
  await search('level = AND service');
  const error = await page.$eval('#where-error', (e) => ({ hidden: e.hidden, text: e.firstChild.textContent,
    marked: e.querySelector('mark')?.textContent }));
  equal(error, { hidden: false, text: "where: column 9: expected a value after '=', got AND", marked: 'A' },
    'the error under the filter box, its character marked');
  equal(await page.$eval('#where', (i) => [i.getAttribute('aria-invalid'), i.selectionStart]), ['true', 8],
    'the input marked invalid, the cursor at the error');
  await shot('05-filter-error');
  expect400 = false;

  step('live tail: a log sent afterwards appears');
  await search("service = 'web'");
  await page.click('#tail');
  await until(() => page.$eval('#tail-status', (s) => s.textContent === 'live tail: on'), 'the tail ready');
  const fresh = { timestamp: new Date().toISOString(), level: 'warn', service: 'web', message: `sent after the tail ${Date.now()}` };
  const other = { timestamp: new Date().toISOString(), level: 'warn', service: 'api', message: 'not for this tail' };
  await ingest(base, [fresh, other]);
  await until(() => page.evaluate((m) => window.logdaemonUi.rows[0]?.message === m, fresh.message),
    'the new log at the top of the table', 15000);
  await until(() => page.$eval('#rows .row .c-message', (c, m) => c.textContent === m, fresh.message), 'the new row drawn');
  await new Promise((r) => setTimeout(r, 1500));  // another flush: the other service's log must not come
  const tailed = await page.evaluate(() => window.logdaemonUi.rows.filter((r) => r.__new).map((r) => r.message));
  equal(tailed, [fresh.message], 'the logs the tail added');
  await shot('06-live-tail');
  await page.click('#tail');

  step('dark mode');
  await page.focus('#viewport');
  await page.keyboard.press('d');
  const dark = await page.evaluate(() => [document.documentElement.dataset.theme,
    getComputedStyle(document.body).backgroundColor]);
  equal(dark, ['dark', 'rgb(17, 20, 24)'], 'the dark theme');
  await shot('07-dark');

  equal(consoleErrors, [], 'console errors');
  equal(foreign, [], 'requests to anywhere but the daemon');
}

try {
  await main();
  console.log(`ui test: passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${outDir}`);
} catch (error) {
  failures++;
  console.error(`ui test: FAILED: ${error.stack || error}`);
} finally {
  for (const cleanup of cleanups) {
    try { await cleanup(); } catch (error) { console.error(`cleanup: ${error}`); }
  }
}
process.exit(failures ? 1 : 0);
