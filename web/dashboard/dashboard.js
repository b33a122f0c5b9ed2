// VoiceFit monitoring dashboard. Polls the admin monitoring API and renders it.
// Plain browser JavaScript with no build step, so the server serves this file as it is.
//
// Every number taken from the summary is rendered into an element carrying
// data-metric="<its path in the summary>" and data-value="<the raw JSON value>", so tests (and
// curious people) can read exact values whatever the on-screen formatting.
'use strict';

(() => {
  const POLL_MS = 3000;
  const REQUEST_TIMEOUT_MS = 10000;
  const WINDOW_S = 300; // the server keeps 5 minutes of series points
  const TOKEN_KEY = 'voicefit.monitoring.token';
  const NONE = '—';

  const $ = (id) => document.getElementById(id);

  // ---------- token handling ----------

  // sessionStorage can be unavailable (privacy settings); fall back to memory for this page.
  let memoryToken = null;
  const storedToken = () => {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch { return memoryToken; }
  };
  const storeToken = (token) => {
    memoryToken = token;
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token); else sessionStorage.removeItem(TOKEN_KEY);
    } catch { /* memory copy is enough */ }
  };

  // Takes "#token=..." out of the address bar (history, screenshots, shoulder surfers) and keeps it
  // in sessionStorage, which dies with the tab.
  function adoptFragmentToken() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ''));
    if (!params.has('token')) return;
    const token = (params.get('token') || '').trim();
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', location.pathname + location.search + (rest ? '#' + rest : ''));
    if (token) storeToken(token);
  }

  // ---------- formatting ----------

  const intFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

  function fmtMs(v) {
    if (!isNum(v)) return NONE;
    if (v < 10) return v.toFixed(2);
    if (v < 100) return v.toFixed(1);
    return intFormat.format(v);
  }

  function fmtDuration(s) {
    if (!isNum(s)) return NONE;
    s = Math.max(0, Math.floor(s));
    const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    const m = Math.floor((s % 3600) / 60), sec = s % 60;
    const two = (n) => String(n).padStart(2, '0');
    if (d) return `${d}d ${h}h`;
    if (h) return `${h}h ${two(m)}m`;
    if (m) return `${m}m ${two(sec)}s`;
    return `${sec}s`;
  }

  function fmtBytes(b) {
    if (!isNum(b)) return NONE;
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
    return `${i === 0 ? b : b.toFixed(b < 10 ? 2 : 1)} ${units[i]}`;
  }

  function fmtClock(iso) {
    const t = Date.parse(iso);
    if (!Number.isFinite(t)) return NONE;
    return new Date(t).toLocaleTimeString('en-GB', { hour12: false });
  }

  const FORMATS = {
    count: (v) => (isNum(v) ? intFormat.format(v) : NONE),
    rate: (v) => (isNum(v) ? v.toFixed(v < 10 ? 2 : 1) : NONE),
    ms: fmtMs,
    seconds: (v) => (isNum(v) ? v.toFixed(1) : NONE),
    percent: (v) => (isNum(v) ? `${(v * 100).toFixed(1)}%` : NONE),
    duration: fmtDuration,
    bytes: fmtBytes,
    clock: fmtClock,
    text: (v) => (v === null || v === undefined || v === '' ? NONE : String(v)),
    failing_open: (v) => (v === true ? 'failing open' : v === false ? 'enforcing' : NONE),
  };

  // Writes a value into a metric element: formatted text for people, the raw value for machines.
  function setMetric(el, value, format) {
    el.dataset.value = value === undefined ? '' : value === null ? 'null' : String(value);
    el.textContent = FORMATS[format](value);
    el.classList.toggle('is-null', value === null || value === undefined);
  }

  function metricEl(tag, path, value, format, className) {
    const el = document.createElement(tag);
    el.dataset.metric = path;
    if (className) el.className = className;
    setMetric(el, value, format);
    return el;
  }

  // Dotted paths only ("requests.by_status_class.2xx"); list items are rendered explicitly.
  const lookup = (obj, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);

  function el(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function emptyNote(text) {
    return el('p', 'empty', text);
  }

  // ---------- fetching ----------

  class ApiError extends Error {
    constructor(kind, status, detail) {
      super(`${kind} ${status} ${detail}`);
      this.kind = kind; // 'network' | 'http' | 'format'
      this.status = status;
      this.detail = detail;
    }
  }

  async function getJson(path, token) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    try {
      let res;
      try {
        res = await fetch(path, {
          headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
          cache: 'no-store',
          signal: abort.signal,
        });
      } catch (e) {
        throw new ApiError('network', 0, e && e.name === 'AbortError' ? 'timeout' : 'unreachable');
      }
      const text = await res.text().catch(() => '');
      let body;
      try { body = JSON.parse(text); } catch { body = undefined; }
      if (!res.ok) {
        // problem+json carries a human-readable detail; show it when there is one.
        const detail = body && (body.detail || body.title);
        throw new ApiError('http', res.status, typeof detail === 'string' ? detail : '');
      }
      if (body === undefined || body === null || typeof body !== 'object') {
        throw new ApiError('format', res.status, `${path} did not return a JSON object`);
      }
      return body;
    } finally {
      clearTimeout(timer);
    }
  }

  // ---------- status, banner, token form ----------

  function setStatus(kind, text) {
    const s = $('status');
    s.dataset.kind = kind;
    $('status-text').textContent = text;
  }

  function showBanner(kind, title, detail) {
    const b = $('banner');
    b.dataset.kind = kind;
    b.replaceChildren(el('strong', null, title), document.createTextNode(detail ? ` ${detail}` : ''));
    b.hidden = false;
  }

  function hideBanner() {
    $('banner').hidden = true;
  }

  function showTokenForm(state = 'token') {
    document.body.dataset.state = state;
    $('token-panel').hidden = false;
    $('change-token').hidden = true;
    setStatus('idle', 'Waiting for a token');
    $('token-input').focus();
  }

  // ---------- charts ----------

  const charts = {};
  let xWindow = { min: 0, max: WINDOW_S };

  const AXIS = {
    stroke: '#67768a',
    font: '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    grid: { stroke: '#edf0f4', width: 1 },
    ticks: { stroke: '#edf0f4', width: 1, size: 4 },
  };

  // Time axis fixed to the last 5 minutes so the picture does not stretch while points arrive.
  const xScale = { time: true, range: () => [xWindow.min, xWindow.max] };
  const fromZero = (u, min, max) => [0, max > 0 ? max * 1.15 : 1];

  // Legend values: the hovered point's, or the latest one when the cursor is elsewhere.
  function legendValue(format) {
    return (u, v, si, idx) => {
      if (idx === null || idx === undefined) {
        const col = u.data[si] || [];
        v = null;
        for (let i = col.length - 1; i >= 0 && v === null; i--) v = col[i] ?? null;
      }
      return v === null || v === undefined ? NONE : format(v);
    };
  }

  function line(label, color, format, extra = {}) {
    return {
      label, stroke: color, width: 2, spanGaps: false,
      points: { size: 5, fill: color },
      value: legendValue(format),
      ...extra,
    };
  }

  const two = (n) => String(n).padStart(2, '0');
  // 24-hour clock on the time axis; seconds only when ticks are closer than a minute.
  const timeTicks = (u, splits, axisIdx, space, incr) => splits.map((s) => {
    const d = new Date(s * 1000);
    return incr < 60 ? `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}` : `${two(d.getHours())}:${two(d.getMinutes())}`;
  });

  function chartOptions(kind, width) {
    const base = {
      width, height: 170,
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      legend: { live: true },
      scales: { x: xScale, y: { range: fromZero } },
      padding: [8, 8, 0, 0],
    };
    const yAxis = (label, fmt) => ({ ...AXIS, size: 48, label, labelSize: 14, labelFont: AXIS.font, values: (u, vals) => vals.map(fmt) });
    const xAxis = { ...AXIS, size: 30, space: 56, incrs: [5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600], values: timeTicks };
    if (kind === 'rate') {
      return {
        ...base,
        axes: [xAxis, yAxis('req/s', (v) => (v >= 10 ? v.toFixed(0) : +v.toFixed(2)))],
        series: [{ value: '{HH}:{mm}:{ss}' },
          line('requests/s', '#2563eb', (v) => v.toFixed(2), { fill: 'rgba(37,99,235,0.10)' }),
          line('5xx/s', '#dc2626', (v) => v.toFixed(2))],
      };
    }
    if (kind === 'latency') {
      return {
        ...base,
        axes: [xAxis, yAxis('ms', (v) => (v >= 10 ? v.toFixed(0) : +v.toFixed(2)))],
        series: [{ value: '{HH}:{mm}:{ss}' },
          line('p50', '#16a34a', (v) => `${fmtMs(v)} ms`),
          line('p95', '#d97706', (v) => `${fmtMs(v)} ms`),
          line('p99', '#dc2626', (v) => `${fmtMs(v)} ms`)],
      };
    }
    return {
      ...base,
      axes: [xAxis, yAxis('per 5 s', (v) => (Number.isInteger(v) ? String(v) : ''))],
      series: [{ value: '{HH}:{mm}:{ss}' },
        { label: '429 responses', stroke: '#7c3aed', fill: 'rgba(124,58,237,0.6)', width: 0,
          paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false },
          value: legendValue((v) => intFormat.format(v)) }],
    };
  }

  function seriesData(kind, points, interval) {
    const t = points.map((p) => Date.parse(p.t) / 1000);
    const num = (v) => (isNum(v) ? v : null);
    if (kind === 'rate') {
      return [t, points.map((p) => num(p.rate_per_s)),
        points.map((p) => (isNum(p.errors_5xx) && interval > 0 ? p.errors_5xx / interval : null))];
    }
    if (kind === 'latency') {
      return [t, points.map((p) => num(p.p50_ms)), points.map((p) => num(p.p95_ms)), points.map((p) => num(p.p99_ms))];
    }
    return [t, points.map((p) => num(p.limited_429))];
  }

  function renderCharts(summary) {
    const series = summary.series || {};
    const points = (Array.isArray(series.points) ? series.points : [])
      .filter((p) => p && Number.isFinite(Date.parse(p.t)));
    const interval = isNum(series.interval_s) ? series.interval_s : 5;
    const lastT = points.length ? Date.parse(points[points.length - 1].t) / 1000 : NaN;
    const genT = Date.parse(summary.generated_at) / 1000;
    const right = Math.max(Number.isFinite(genT) ? genT : -Infinity, Number.isFinite(lastT) ? lastT : -Infinity);
    const max = Number.isFinite(right) ? right : Date.now() / 1000;
    xWindow = { min: max - WINDOW_S, max: max + interval / 2 };

    for (const kind of ['rate', 'latency', 'limited']) {
      const box = document.querySelector(`[data-chart="${kind}"]`);
      const data = seriesData(kind, points, interval);
      if (!charts[kind]) {
        charts[kind] = new uPlot(chartOptions(kind, Math.max(200, box.clientWidth)), data, box);
        new ResizeObserver(() => {
          const w = Math.max(200, box.clientWidth);
          if (w !== charts[kind].width) charts[kind].setSize({ width: w, height: 170 });
        }).observe(box);
      } else {
        charts[kind].setData(data);
      }
      box.dataset.points = String(points.length);
      box.classList.toggle('is-empty', points.length === 0);
    }

    const last = points.length ? points[points.length - 1] : {};
    setMetric($('now-rate'), last.rate_per_s ?? (points.length ? null : undefined), 'rate');
    setMetric($('now-p95'), last.p95_ms ?? (points.length ? null : undefined), 'ms');
  }

  // ---------- lists and tables ----------

  function renderAlerts(alertsDoc) {
    const list = $('alerts');
    const alerts = Array.isArray(alertsDoc && alertsDoc.alerts) ? alertsDoc.alerts : [];
    const rank = { critical: 0, warning: 1, info: 2 };
    alerts.sort((a, b) => (rank[a.severity] ?? 3) - (rank[b.severity] ?? 3));
    const badge = $('alert-count');
    badge.textContent = String(alerts.length);
    badge.dataset.severity = alerts.length ? alerts[0].severity || 'info' : 'none';
    if (!alerts.length) {
      const li = el('li', 'alerts-none');
      li.append(el('span', 'check', '✓'), document.createTextNode('no active alerts'));
      list.replaceChildren(li);
      return;
    }
    const ref = Date.parse(alertsDoc.evaluated_at);
    list.replaceChildren(...alerts.map((a) => {
      const li = el('li', 'alert');
      li.dataset.severity = a.severity || 'info';
      const head = el('div', 'alert-head');
      head.append(el('span', 'severity', a.severity || 'info'), el('code', 'alert-name', a.name || '(unnamed)'));
      const since = Date.parse(a.since);
      const ago = Number.isFinite(since) && Number.isFinite(ref) ? ` (for ${fmtDuration((ref - since) / 1000)})` : '';
      const facts = el('div', 'alert-facts');
      const key = `alerts[${a.name}]`;
      facts.append('value ', metricEl('b', `${key}.value`, a.value ?? null, 'text'),
        ' · threshold ', metricEl('b', `${key}.threshold`, a.threshold ?? null, 'text'),
        ` · since ${fmtClock(a.since)}${ago}`);
      li.append(head, el('div', 'alert-message', a.message || ''), facts);
      return li;
    }));
  }

  function renderCache(summary) {
    const box = $('cache');
    const families = (summary.cache && Array.isArray(summary.cache.families)) ? summary.cache.families : [];
    if (!families.length) {
      box.replaceChildren(emptyNote('no cache traffic yet'));
      return;
    }
    const table = el('table', 'table cache');
    const head = el('tr');
    for (const [h, num] of [['Family', false], ['Hit rate', false], ['Hits', true], ['Misses', true], ['Stale', true], ['Loads', true]]) {
      head.append(el('th', num ? 'num' : null, h));
    }
    const thead = el('thead');
    thead.append(head);
    table.append(thead);
    const body = el('tbody');
    for (const f of families) {
      const key = `cache.families[${f.family}]`;
      const tr = el('tr');
      const rateCell = el('td', 'hit-cell');
      const bar = el('div', 'bar');
      const fill = el('div', 'bar-fill');
      const rate = isNum(f.hit_rate) ? Math.min(1, Math.max(0, f.hit_rate)) : 0;
      fill.style.width = `${(rate * 100).toFixed(1)}%`;
      fill.dataset.level = !isNum(f.hit_rate) ? 'none' : rate >= 0.8 ? 'good' : rate >= 0.5 ? 'fair' : 'poor';
      bar.append(fill);
      rateCell.append(bar, metricEl('span', `${key}.hit_rate`, f.hit_rate ?? null, 'percent', 'hit-value'));
      const td = (path, v) => { const c = el('td', 'num'); c.append(metricEl('span', `${key}.${path}`, v ?? null, 'count')); return c; };
      tr.append(el('td', 'mono', f.family), rateCell, td('hits', f.hits), td('misses', f.misses), td('stale', f.stale), td('loads', f.loads));
      body.append(tr);
    }
    table.append(body);
    box.replaceChildren(table);
  }

  function renderRoutes(summary) {
    const tbody = $('routes');
    const routes = (summary.requests && Array.isArray(summary.requests.routes)) ? [...summary.requests.routes] : [];
    if (!routes.length) {
      const tr = el('tr');
      const td = el('td', 'empty', 'no requests yet');
      td.colSpan = 10;
      tr.append(td);
      tbody.replaceChildren(tr);
      return;
    }
    routes.sort((a, b) => (b.total || 0) - (a.total || 0) || String(a.route).localeCompare(String(b.route)));
    tbody.replaceChildren(...routes.map((r) => {
      const key = `routes[${r.method} ${r.route}]`;
      const tr = el('tr');
      const cell = (path, v, format, cls = 'num') => {
        const td = el('td', cls);
        td.append(metricEl('span', `${key}.${path}`, v ?? null, format));
        return td;
      };
      const byClass = r.by_status_class || {};
      const lat = r.latency_ms || {};
      const method = el('td');
      method.append(el('span', `method method-${String(r.method).toLowerCase()}`, r.method));
      const c5 = cell('by_status_class.5xx', byClass['5xx'], 'count');
      if (byClass['5xx'] > 0) c5.classList.add('bad');
      const c429 = cell('limited_429', r.limited_429, 'count');
      if (r.limited_429 > 0) c429.classList.add('warn');
      tr.append(method, el('td', 'mono route', r.route),
        cell('total', r.total, 'count', 'num strong'),
        cell('by_status_class.2xx', byClass['2xx'], 'count'),
        cell('by_status_class.4xx', byClass['4xx'], 'count'),
        c5, c429,
        cell('latency_ms.p50', lat.p50, 'ms'),
        cell('latency_ms.p95', lat.p95, 'ms'),
        cell('latency_ms.p99', lat.p99, 'ms'));
      return tr;
    }));
  }

  function renderDependencies(summary) {
    const deps = summary.dependencies && typeof summary.dependencies === 'object' ? summary.dependencies : {};
    const names = Object.keys(deps);
    if (!names.length) {
      $('deps').replaceChildren(el('li', 'empty', 'no dependency report'));
      return;
    }
    $('deps').replaceChildren(...names.map((name) => {
      const li = el('li', 'dep');
      const state = String(deps[name]);
      const pill = metricEl('span', `dependencies.${name}`, deps[name], 'text', 'pill');
      pill.dataset.state = state === 'ok' ? 'ok' : ['not_configured', 'offline', 'disabled'].includes(state) ? 'idle' : 'bad';
      pill.textContent = state.replace(/_/g, ' ');
      li.append(el('span', 'dep-name', name), pill);
      return li;
    }));
  }

  // A small table of list items: columns are [header, path within the item, format].
  function smallTable(items, keyOf, prefix, columns, emptyText) {
    if (!items.length) return emptyNote(emptyText);
    const table = el('table', 'table compact');
    const head = el('tr');
    for (const [h, , format] of columns) head.append(el('th', format === 'label' ? null : 'num', h));
    const thead = el('thead');
    thead.append(head);
    table.append(thead);
    const body = el('tbody');
    for (const item of items) {
      const tr = el('tr');
      for (const [, path, format] of columns) {
        if (format === 'label') {
          tr.append(el('td', 'mono', String(lookup(item, path) ?? NONE)));
        } else {
          const td = el('td', 'num');
          td.append(metricEl('span', `${prefix}[${keyOf(item)}].${path}`, lookup(item, path) ?? null, format));
          tr.append(td);
        }
      }
      body.append(tr);
    }
    table.append(body);
    return table;
  }

  function renderSmallTables(summary) {
    const decisions = (summary.rate_limit && Array.isArray(summary.rate_limit.decisions)) ? summary.rate_limit.decisions : [];
    $('decisions').replaceChildren(smallTable(decisions, (d) => `${d.tier}/${d.class}/${d.result}`, 'rate_limit.decisions',
      [['Tier', 'tier', 'label'], ['Class', 'class', 'label'], ['Result', 'result', 'label'], ['Count', 'count', 'count']],
      'no rate-limit decisions yet'));
    const providers = (summary.models && Array.isArray(summary.models.providers)) ? summary.models.providers : [];
    $('models').replaceChildren(smallTable(providers, (p) => p.provider, 'models.providers',
      [['Provider', 'provider', 'label'], ['Calls', 'calls', 'count'], ['Errors', 'errors', 'count'],
        ['Tok. in', 'tokens.prompt', 'count'], ['Tok. out', 'tokens.completion', 'count'], ['p95 ms', 'latency_ms.p95', 'ms']],
      'no model calls yet'));
    const retrievals = (summary.rag && Array.isArray(summary.rag.retrievals)) ? summary.rag.retrievals : [];
    $('rag').replaceChildren(smallTable(retrievals, (r) => `${r.endpoint}/${r.namespace}`, 'rag.retrievals',
      [['Endpoint', 'endpoint', 'label'], ['Namespace', 'namespace', 'label'], ['Count', 'count', 'count'], ['p95 ms', 'latency_ms.p95', 'ms']],
      'no retrievals yet'));
  }

  function render(summary, alertsDoc) {
    for (const node of document.querySelectorAll('[data-metric][data-format]')) {
      setMetric(node, lookup(summary, node.dataset.metric), node.dataset.format);
    }
    const failingOpen = summary.rate_limit && summary.rate_limit.failing_open === true;
    $('kpi-rate-limit').classList.toggle('is-bad', failingOpen);
    document.querySelector('[data-metric="rate_limit.failing_open"]').dataset.state = failingOpen ? 'bad' : 'ok';
    renderCharts(summary);
    renderAlerts(alertsDoc);
    renderCache(summary);
    renderRoutes(summary);
    renderDependencies(summary);
    renderSmallTables(summary);
  }

  // ---------- polling ----------

  let timer = null;
  let generation = 0; // bumps when the token changes so an in-flight poll's result is dropped
  let lastSuccess = null;

  function schedule() {
    clearTimeout(timer);
    const mine = generation;
    timer = setTimeout(() => poll().catch((bug) => {
      if (mine === generation) console.error('VoiceFit dashboard: polling failed', bug);
    }), POLL_MS);
  }

  function stop() {
    clearTimeout(timer);
    timer = null;
    generation++;
  }

  async function poll() {
    const token = storedToken();
    if (!token) { showTokenForm(); return; }
    const mine = generation;
    try {
      const [summary, alertsDoc] = await Promise.all([
        getJson('/api/monitoring/summary', token),
        getJson('/api/monitoring/alerts', token),
      ]);
      if (mine !== generation) return;
      $('content').hidden = false;
      $('topbar-meta').hidden = false;
      $('token-panel').hidden = true;
      $('change-token').hidden = false;
      $('content').classList.remove('stale');
      hideBanner();
      try {
        render(summary, alertsDoc);
      } catch (bug) {
        // Only a bug in this page gets here: say so on the page and in the console.
        console.error('VoiceFit dashboard: rendering failed', bug);
        showBanner('error', 'The dashboard could not render this data.', String(bug && bug.message));
      }
      lastSuccess = new Date();
      document.body.dataset.state = 'live';
      document.body.dataset.ready = 'true';
      setStatus('live', `Live · every ${POLL_MS / 1000} s`);
      schedule();
    } catch (err) {
      if (mine !== generation) return;
      if (!(err instanceof ApiError)) throw err; // a bug: let it surface
      handleFetchError(err);
    }
  }

  function handleFetchError(err) {
    const detail = err.detail ? `(${err.detail})` : '';
    if (err.kind === 'http' && (err.status === 401 || err.status === 403)) {
      // Retrying with the same token cannot help: ask for another one.
      stop();
      storeToken(null);
      if (err.status === 401) {
        showBanner('error', 'The server rejected the token (401).', `It is missing, expired or invalid. Paste a fresh admin token. ${detail}`);
      } else {
        showBanner('error', 'This token is not an admin’s (403).', `The monitoring API is for admins only. ${detail}`);
      }
      showTokenForm('denied');
      setStatus('error', err.status === 401 ? 'Token rejected' : 'Not an admin');
      return;
    }
    document.body.dataset.state = 'error';
    const since = lastSuccess ? ` Showing data from ${lastSuccess.toLocaleTimeString('en-GB', { hour12: false })}.` : '';
    $('content').classList.add('stale');
    if (err.kind === 'network') {
      const why = err.detail === 'timeout' ? `No answer within ${REQUEST_TIMEOUT_MS / 1000} s. ` : '';
      showBanner('warn', 'Cannot reach the server.', `${why}Retrying every ${POLL_MS / 1000} s.${since}`);
      setStatus('warn', 'Reconnecting…');
    } else if (err.kind === 'http') {
      showBanner('error', `The monitoring API answered ${err.status}.`, `${detail} Retrying every ${POLL_MS / 1000} s.${since}`);
      setStatus('error', `Error ${err.status}`);
    } else {
      showBanner('error', 'The monitoring API sent something unexpected.', `${err.detail}. Retrying every ${POLL_MS / 1000} s.${since}`);
      setStatus('error', 'Bad response');
    }
    schedule();
  }

  function start() {
    stop();
    const mine = generation;
    setStatus('idle', 'Connecting…');
    poll().catch((bug) => {
      if (mine === generation) console.error('VoiceFit dashboard: polling failed', bug);
    });
  }

  // ---------- wiring ----------

  function init() {
    adoptFragmentToken();
    $('token-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const token = $('token-input').value.trim();
      if (!token) return;
      $('token-input').value = '';
      storeToken(token);
      $('token-panel').hidden = true;
      hideBanner();
      start();
    });
    $('change-token').addEventListener('click', () => {
      stop();
      storeToken(null);
      hideBanner();
      showTokenForm();
    });
    window.addEventListener('hashchange', () => {
      if (!/(^#|&)token=/.test(location.hash)) return;
      adoptFragmentToken();
      hideBanner();
      $('token-panel').hidden = true;
      start();
    });
    if (storedToken()) start(); else showTokenForm();
  }

  init();
})();
