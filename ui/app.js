// The logdaemon web UI (docs/ui.md): a histogram of volume by level, facets, a virtualised table of logs
// and a live tail, on the query API (/api/v1/*). Every text that comes from a log is put into the page
// with textContent, never as HTML.
'use strict';

const ROW_HEIGHT = 24;
const FIRST_PAGE = 100;
const MAX_ROWS = 10000;
const LEVEL_ORDER = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

const $ = (id) => document.getElementById(id);
const state = {
  rows: [],          // parsed logs, newest first
  limit: FIRST_PAGE,
  selected: -1,
  levels: new Set(),
  services: new Set(),
  controller: null,  // aborts the requests of the previous search
  tail: null,        // the EventSource
  plot: null,
  histogram: null,
  timeField: 'timestamp',
};
// For the browser test and the curious: the data behind what is shown.
window.logdaemonUi = state;

function levelColor(level) {
  const name = level === 'error' ? '--err' : LEVEL_ORDER.includes(level) ? `--${level}` : '--other';
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The filters as URL parameters; `only` leaves out the level/service selections (for the facets).
function filterParams({ facets = false, range = true } = {}) {
  const params = new URLSearchParams();
  const where = $('where').value.trim();
  if (where) params.set('where', where);
  if (range) {
    const since = $('since').value.trim();
    const until = $('until').value.trim();
    if (since) params.set('since', since);
    if (until) params.set('until', until);
  }
  if (!facets) {
    if (state.levels.size) params.set('level', [...state.levels].join(','));
    if (state.services.size) params.set('service', [...state.services].join(','));
  }
  return params;
}

// --- errors, shown where they are ---

function clearErrors() {
  for (const id of ['where', 'since', 'until']) $(id).removeAttribute('aria-invalid');
  $('where-error').hidden = true;
  $('where-error').replaceChildren();
  $('range-error').hidden = true;
  $('range-error').textContent = '';
}

function showError(error) {
  const parameter = error.parameter || '';
  if (parameter === 'where') {
    const input = $('where');
    const text = input.value;
    input.setAttribute('aria-invalid', 'true');
    const box = $('where-error');
    box.replaceChildren();
    box.appendChild(document.createTextNode(error.error));
    if (error.position) {
      // The expression again, with the character the parser stopped at marked.
      const chars = [...text];
      const at = Math.min(error.position - 1, chars.length);
      const line = el('div', 'caret-line');
      line.appendChild(document.createTextNode(chars.slice(0, at).join('')));
      line.appendChild(el('mark', '', chars[at] !== undefined ? chars[at] : ' '));
      line.appendChild(document.createTextNode(chars.slice(at + 1).join('')));
      box.appendChild(line);
      const offset = chars.slice(0, at).join('').length;
      input.focus();
      input.setSelectionRange(offset, offset + (chars[at] ? chars[at].length : 0));
    }
    box.hidden = false;
    return;
  }
  if (parameter === 'since' || parameter === 'until') $(parameter).setAttribute('aria-invalid', 'true');
  $('range-error').textContent = error.error || String(error);
  $('range-error').hidden = false;
}

async function getJson(path, params, signal) {
  const response = await fetch(`${path}?${params}`, { signal, headers: { Accept: 'application/json' } });
  const text = await response.text();
  if (!response.ok) {
    let error;
    try { error = JSON.parse(text); } catch { error = { error: `${response.status} ${text}` }; }
    throw Object.assign(new Error(error.error), { api: error });
  }
  return { text, response };
}

// --- the histogram ---

function drawHistogram(data) {
  state.histogram = data;
  const container = $('histogram');
  const times = data.times.map((t) => t / 1000);
  // Stacked bars: each series is the running total up to its level; the highest total is drawn first so
  // that each level's band shows above the ones below it.
  const levels = data.levels;
  const cumulative = [];
  let running = new Array(times.length).fill(0);
  for (const level of levels) {
    running = running.map((sum, i) => sum + data.counts[level][i]);
    cumulative.push(running);
  }
  const series = [{}];
  const columns = [times];
  for (let i = levels.length - 1; i >= 0; i--) {
    const color = levelColor(levels[i]);
    series.push({ label: levels[i], fill: color, stroke: color, width: 0,
                  paths: uPlot.paths.bars({ size: [0.9, 64], gap: 1 }), points: { show: false } });
    columns.push(cumulative[i]);
  }
  if (!levels.length) {
    series.push({ label: 'logs', points: { show: false } });
    columns.push(new Array(times.length).fill(0));
  }
  const style = getComputedStyle(document.documentElement);
  const axis = { stroke: style.getPropertyValue('--muted').trim(),
                 grid: { stroke: style.getPropertyValue('--line').trim(), width: 1 },
                 ticks: { stroke: style.getPropertyValue('--line').trim(), width: 1 } };
  const options = {
    width: Math.max(container.clientWidth, 200), height: 170,
    legend: { show: false },
    // The axis in UTC, as the table's times.
    tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: true, range: [data.from / 1000, data.to / 1000] }, y: { range: (u, lo, hi) => [0, Math.max(hi, 1)] } },
    axes: [{ ...axis }, { ...axis, size: 50 }],
    series,
    hooks: { setSelect: [(u) => {
      if (u.select.width < 4) return;
      // A dragged range becomes the time range.
      const from = new Date(u.posToVal(u.select.left, 'x') * 1000);
      const to = new Date(u.posToVal(u.select.left + u.select.width, 'x') * 1000);
      $('preset').value = 'custom';
      $('since').value = from.toISOString();
      $('until').value = to.toISOString();
      u.setSelect({ left: 0, width: 0, top: 0, height: 0 }, false);
      search();
    }] },
  };
  if (state.plot) state.plot.destroy();
  container.replaceChildren();
  state.plot = new uPlot(options, columns, container);
}

// --- facets ---

function drawFacet(list, facet, selected, colored) {
  list.replaceChildren();
  if (!facet) return;
  const values = facet.values.slice();
  for (const name of selected) {
    if (!values.some((v) => v.value === name)) values.push({ value: name, count: 0 });
  }
  for (const { value, count } of values) {
    const item = el('li');
    const label = el('label');
    const box = el('input');
    box.type = 'checkbox';
    box.checked = selected.has(value);
    box.addEventListener('change', () => {
      if (box.checked) selected.add(value); else selected.delete(value);
      search();
    });
    label.appendChild(box);
    if (colored) {
      const swatch = el('span', 'swatch');
      swatch.style.background = levelColor(String(value));
      label.appendChild(swatch);
    }
    label.appendChild(el('span', 'name', value === null ? '(none)' : String(value)));
    label.appendChild(el('span', 'count', count.toLocaleString()));
    item.appendChild(label);
    list.appendChild(item);
  }
}

// --- the table, virtualised: only the rows in view (and a few more) exist in the page ---

function formatTime(value) {
  if (typeof value !== 'string') return '';
  return value.replace('T', ' ');
}

function renderRows() {
  const viewport = $('viewport');
  const first = Math.max(0, Math.floor(viewport.scrollTop / ROW_HEIGHT) - 10);
  const count = Math.ceil(viewport.clientHeight / ROW_HEIGHT) + 20;
  const rows = $('rows');
  $('spacer').style.height = `${state.rows.length * ROW_HEIGHT}px`;
  rows.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
  rows.replaceChildren();
  for (let i = first; i < Math.min(state.rows.length, first + count); i++) {
    const log = state.rows[i];
    const row = el('div', log.__new ? 'row new' : 'row');
    row.setAttribute('role', 'row');
    row.setAttribute('aria-rowindex', String(i + 1));
    row.setAttribute('aria-selected', String(i === state.selected));
    row.dataset.index = String(i);
    const level = typeof log.level === 'string' ? log.level : '';
    row.appendChild(el('span', 'c-time', formatTime(log[state.timeField])));
    row.appendChild(el('span', `c-level lv lv-${LEVEL_ORDER.includes(level) ? level : 'other'}`, level));
    row.appendChild(el('span', 'c-service', typeof log.service === 'string' ? log.service : ''));
    const message = typeof log.message === 'string' ? log.message : JSON.stringify(log.message ?? '');
    row.appendChild(el('span', 'c-message', message));
    for (const cell of row.children) cell.setAttribute('role', 'gridcell');
    rows.appendChild(row);
  }
  $('table').setAttribute('aria-rowcount', String(state.rows.length));
}

function select(index, open) {
  if (!state.rows.length) return;
  state.selected = Math.max(0, Math.min(index, state.rows.length - 1));
  const viewport = $('viewport');
  const top = state.selected * ROW_HEIGHT;
  if (top < viewport.scrollTop) viewport.scrollTop = top;
  if (top + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight) {
    viewport.scrollTop = top + ROW_HEIGHT - viewport.clientHeight;
  }
  renderRows();
  if (open || !$('detail').hidden) openDetail();
}

function openDetail() {
  const log = state.rows[state.selected];
  if (!log) return;
  const { __new, ...shown } = log;
  $('detail-json').textContent = JSON.stringify(shown, null, 2);
  $('detail').hidden = false;
}

function closeDetail() {
  $('detail').hidden = true;
  $('viewport').focus();
}

function parseLines(text) {
  const rows = [];
  for (const line of text.split('\n')) if (line) rows.push(JSON.parse(line));
  return rows;
}

// --- searching ---

async function search({ more = false } = {}) {
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  const { signal } = controller;
  if (!more) state.limit = FIRST_PAGE;
  clearErrors();
  const started = performance.now();
  const query = filterParams();
  query.set('limit', String(state.limit));
  const histogram = filterParams();
  const width = $('histogram').clientWidth || 800;
  histogram.set('buckets', String(Math.max(10, Math.min(120, Math.floor(width / 12)))));
  const facets = filterParams({ facets: true });
  facets.set('facets', 'level,service');
  try {
    const [rows, bars] = await Promise.all([
      getJson('/api/v1/query', query, signal),
      more ? Promise.resolve(null) : getJson('/api/v1/histogram', histogram, signal),
    ]);
    state.rows = parseLines(rows.text);
    // A new search starts with nothing selected; more rows of the same one keep the selection.
    state.selected = more ? Math.min(state.selected, state.rows.length - 1) : -1;
    if (bars) drawHistogram(JSON.parse(bars.text));
    renderRows();
    const total = state.histogram ? state.histogram.total : state.rows.length;
    $('summary').textContent = `${total.toLocaleString()} logs match · showing ${state.rows.length.toLocaleString()}` +
      ` · ${Math.round(performance.now() - started)} ms`;
    $('more').hidden = state.rows.length >= total || state.limit >= MAX_ROWS;
    document.body.dataset.ready = String(Date.now());
    // For bench/ui.sh: when the first answer was on screen, in ms since the navigation started.
    if (!document.body.dataset.firstPaintMs) {
      requestAnimationFrame(() => { document.body.dataset.firstPaintMs = String(Math.round(performance.now())); });
    }
    // The facets after the first paint: they read more columns.
    const fields = JSON.parse((await getJson('/api/v1/fields', facets, signal)).text);
    const time = fields.columns.find((c) => c.time);
    if (time) state.timeField = time.name;
    drawFacet($('facet-level'), fields.facets.level, state.levels, true);
    drawFacet($('facet-service'), fields.facets.service, state.services, false);
    document.body.dataset.facets = String(Date.now());
  } catch (error) {
    if (signal.aborted) return;
    showError(error.api || { error: String(error.message || error) });
    document.body.dataset.ready = String(Date.now());
  }
  if (state.tail) startTail();  // the tail follows the new filters
}

// --- live tail ---

function startTail() {
  stopTail();
  const params = filterParams({ range: false });
  const source = new EventSource(`/api/v1/tail?${params}`);
  state.tail = source;
  $('tail').setAttribute('aria-pressed', 'true');
  $('tail-status').textContent = 'live tail: connecting…';
  source.addEventListener('ready', () => { $('tail-status').textContent = 'live tail: on'; });
  source.addEventListener('error', (event) => {
    if (event.data) {
      showError(JSON.parse(event.data));
      stopTail();
    } else if (source.readyState === EventSource.CONNECTING) {
      $('tail-status').textContent = 'live tail: reconnecting…';
    }
  });
  source.addEventListener('message', (event) => {
    const log = JSON.parse(event.data);
    log.__new = true;
    state.rows.unshift(log);
    if (state.rows.length > MAX_ROWS) state.rows.pop();
    if (state.selected >= 0) state.selected++;
    renderRows();
  });
}

function stopTail() {
  if (state.tail) state.tail.close();
  state.tail = null;
  $('tail').setAttribute('aria-pressed', 'false');
  $('tail-status').textContent = '';
}

// --- wiring ---

function applyPreset() {
  const preset = $('preset').value;
  if (preset === 'custom') {
    $('since').focus();
    return;
  }
  $('since').value = preset;
  $('until').value = '';
  search();
}

function toggleTheme() {
  const root = document.documentElement;
  const dark = root.dataset.theme ? root.dataset.theme === 'dark'
    : matchMedia('(prefers-color-scheme: dark)').matches;
  root.dataset.theme = dark ? 'light' : 'dark';
  if (state.histogram) drawHistogram(state.histogram);
}

function onKey(event) {
  const typing = ['INPUT', 'SELECT', 'TEXTAREA'].includes(event.target.tagName);
  if (event.key === 'Escape') {
    if (!$('detail').hidden) closeDetail(); else if (typing) event.target.blur();
    return;
  }
  if (typing) return;
  const keys = {
    '/': () => $('where').focus(),
    j: () => select(state.selected + 1), ArrowDown: () => select(state.selected + 1),
    k: () => select(state.selected - 1), ArrowUp: () => select(state.selected - 1),
    PageDown: () => select(state.selected + 20), PageUp: () => select(state.selected - 20),
    Home: () => select(0), End: () => select(state.rows.length - 1),
    Enter: () => select(Math.max(state.selected, 0), true), o: () => select(Math.max(state.selected, 0), true),
    t: () => (state.tail ? stopTail() : startTail()),
    d: toggleTheme,
    r: () => $('preset').focus(),
  };
  const action = keys[event.key];
  if (action && !event.ctrlKey && !event.metaKey && !event.altKey) {
    event.preventDefault();
    action();
  }
}

function init() {
  $('since').value = $('preset').value;
  $('search').addEventListener('submit', (event) => { event.preventDefault(); search(); });
  $('preset').addEventListener('change', applyPreset);
  $('tail').addEventListener('click', () => (state.tail ? stopTail() : startTail()));
  $('theme').addEventListener('click', toggleTheme);
  $('close').addEventListener('click', closeDetail);
  $('more').addEventListener('click', () => {
    state.limit = Math.min(state.limit * 4, MAX_ROWS);
    search({ more: true });
  });
  $('viewport').addEventListener('scroll', renderRows, { passive: true });
  $('rows').addEventListener('click', (event) => {
    const row = event.target.closest('.row');
    if (row) select(Number(row.dataset.index), true);
  });
  document.addEventListener('keydown', onKey);
  // The chart follows its box (the window, the detail panel opening and closing).
  new ResizeObserver(() => {
    if (state.plot && $('histogram').clientWidth > 0) {
      state.plot.setSize({ width: $('histogram').clientWidth, height: 170 });
    }
    renderRows();
  }).observe($('histogram'));
  // A link can carry a search: /ui/?where=...&since=...
  const url = new URLSearchParams(location.search);
  for (const id of ['where', 'since', 'until']) if (url.has(id)) $(id).value = url.get(id);
  if (url.has('since')) $('preset').value = 'custom';
  search();
}

init();
