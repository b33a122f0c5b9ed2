// The monitoring dashboard and the API reference in a real browser: Debian's Chromium, driven by
// playwright-core, against the real server serving web/ (WEB_DIR). Checks what a person would see
// (charts with data, a screenshot worth looking at) and that the page's numbers are the server's,
// with no console errors, no failed requests and nothing fetched from any other host.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname, extname } from 'node:path';
import { startServer, stopServer, call, mintHs256, sleep, tempDir } from './harness.mjs';

const require = createRequire(join(dirname(new URL(import.meta.url).pathname), '../interop/'));
const { chromium } = require('playwright-core');

const CHROMIUM = '/usr/bin/chromium';
const WEB_DIR = new URL('../../web', import.meta.url).pathname;
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

// One server and one browser for the whole file, started by the first test that needs them.
let setupPromise = null;
function setup() {
  setupPromise ??= (async () => {
    // A missing browser or front-end install is a broken test machine, not a reason to skip.
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)`);
    }
    const manifest = JSON.parse(readFileSync(join(WEB_DIR, 'assets.json'), 'utf8'));
    for (const [urlPath, file] of Object.entries(manifest)) {
      if (!existsSync(join(WEB_DIR, file))) {
        throw new Error(`web/${file} (served at ${urlPath}) is missing: run "npm ci" in web/`);
      }
    }
    const server = await startServer({ WEB_DIR, RATE_LIMIT_FREE_GENERAL: '5' });
    let browser;
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS });
    } catch (e) {
      await stopServer(server);
      throw e;
    }
    return { server, browser, manifest };
  })();
  return setupPromise;
}

after(async () => {
  if (!setupPromise) return;
  const env = await setupPromise.catch(() => null);
  if (!env) return;
  await env.browser.close();
  await stopServer(env.server);
});

// Records everything on a page that would make a person frown: console errors, uncaught
// exceptions, failed or refused requests, and any request leaving our own server.
function watch(page, origin, { allowStatus = [] } = {}) {
  const problems = [];
  const requests = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // Chromium itself logs a console error for every 4xx/5xx response; expected ones are allowed.
    const expected = allowStatus.some((s) => m.text().includes(`status of ${s} `));
    if (!expected) problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('request', (r) => {
    const url = r.url();
    requests.push(url);
    const local = url.startsWith(`${origin}/`) || url.startsWith('data:') || url.startsWith(`blob:${origin}/`);
    if (!local) problems.push(`request to another host: ${url}`);
  });
  page.on('requestfailed', (r) => problems.push(`failed request: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !allowStatus.includes(r.status())) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return { problems, requests };
}

// Every [data-metric] element's raw value, by metric path.
const pageMetrics = (page) => page.evaluate(() => Object.fromEntries(
  [...document.querySelectorAll('[data-metric]')].map((e) => [e.dataset.metric, e.dataset.value])));

test('every file in web/assets.json is served with the content type of its extension', async () => {
  const { server, manifest } = await setup();
  const types = {
    '.html': /^text\/html/, '.js': /^(text|application)\/javascript/, '.css': /^text\/css/,
    '.svg': /^image\/svg\+xml/, '.json': /^application\/json/, '.map': /^application\/json/,
  };
  for (const [urlPath, file] of Object.entries(manifest)) {
    const r = await fetch(server.url + urlPath);
    const body = Buffer.from(await r.arrayBuffer());
    assert.equal(r.status, 200, urlPath);
    assert.match(r.headers.get('content-type') ?? '', types[extname(file)], urlPath);
    assert.ok(body.equals(readFileSync(join(WEB_DIR, file))), `${urlPath} serves web/${file} as it is`);
  }
});

test('dashboard: charts fill in, numbers match the summary, nothing external or failing', async () => {
  const { server, browser } = await setup();

  // Traffic: a free user over its limit of 5 (200s then 429s), and some other client errors.
  const free = await mintHs256('dash-free-' + crypto.randomUUID());
  const statuses = [];
  for (let i = 0; i < 8; i++) statuses.push((await call(server, 'GET', '/api/profile', { token: free })).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
  const other = await mintHs256('dash-other-' + crypto.randomUUID());
  assert.equal((await call(server, 'PUT', '/api/profile', {
    token: other, body: '{"age":', headers: { 'content-type': 'application/json' } })).status, 400);
  assert.equal((await call(server, 'GET', '/api/profile', { headers: { authorization: 'Bearer not.a.token' } })).status, 401);
  assert.equal((await call(server, 'GET', '/api/no-such-route', { token: other })).status, 404);

  // The server samples its series every 5 s: let one interval close with this traffic in it.
  await sleep(6000);

  const admin = await mintHs256('dash-admin-' + crypto.randomUUID(), { tier: 'admin' });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const seen = watch(page, server.url);
    await page.goto(`${server.url}/dashboard#token=${admin}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
    // The page polls every 3 s; wait for a poll whose series has a point, on every chart.
    await page.waitForFunction(() => [...document.querySelectorAll('[data-chart]')]
      .every((c) => Number(c.dataset.points) > 0), null, { timeout: 20000 });
    assert.equal(await page.locator('[data-chart]').count(), 3);
    assert.ok(!page.url().includes('token='), `the token left the address bar: ${page.url()}`);
    assert.ok(await page.locator('.chart canvas').count() >= 3, 'the charts drew');

    const shot = join(tempDir('vf-dash-'), 'dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = readFileSync(shot);
    assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'a PNG');
    assert.ok(statSync(shot).size > 10 * 1024, `a non-trivial screenshot (${statSync(shot).size} bytes)`);
    console.log(`dashboard screenshot: ${shot}`);

    // The dashboard's own polling touches only the monitoring routes, so these stay put.
    const shown = await pageMetrics(page);
    const summary = (await call(server, 'GET', '/api/monitoring/summary', { token: admin })).body;
    const profile = summary.requests.routes.find((r) => r.method === 'GET' && r.route === '/api/profile');
    assert.ok(profile, 'GET /api/profile is in the summary');
    const key = 'routes[GET /api/profile]';
    assert.equal(shown[`${key}.total`], String(profile.total));
    assert.equal(shown[`${key}.by_status_class.2xx`], String(profile.by_status_class['2xx']));
    assert.equal(shown[`${key}.by_status_class.4xx`], String(profile.by_status_class['4xx']));
    assert.equal(shown['rate_limit.backend'], summary.rate_limit.backend);
    // ... and they are the traffic this test sent.
    assert.equal(profile.by_status_class['2xx'], 5);
    assert.ok(profile.by_status_class['4xx'] >= 3, `4xx ${profile.by_status_class['4xx']}`);
    assert.match(shown['requests.total'], /^\d+$/, 'counts are raw integers');
    assert.ok(Number(shown['requests.total']) >= statuses.length);

    assert.deepEqual(seen.problems, []);
    assert.ok(seen.requests.some((u) => u.endsWith('/api/monitoring/summary')));
    assert.ok(seen.requests.some((u) => u.endsWith('/api/monitoring/alerts')));
  } finally {
    await context.close();
  }
});

test('dashboard: a non-admin token gets a clear message and the token form', async () => {
  const { server, browser } = await setup();
  const user = await mintHs256('dash-user-' + crypto.randomUUID());
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const seen = watch(page, server.url, { allowStatus: [403] });
    await page.goto(`${server.url}/dashboard#token=${user}`);
    await page.waitForSelector('body[data-state="denied"]', { timeout: 20000 });
    assert.match(await page.locator('#banner').innerText(), /403/);
    assert.ok(await page.locator('#token-input').isVisible(), 'the token form is offered');
    assert.equal(await page.evaluate(() => document.body.dataset.ready), 'false');
    assert.deepEqual(seen.problems, []);
  } finally {
    await context.close();
  }
});

test('docs: Redoc renders /openapi.json from our own bundle, nothing external', async () => {
  const { server, browser } = await setup();
  const spec = (await call(server, 'GET', '/openapi.json')).body;
  const summaryText = spec?.paths?.['/api/profile']?.get?.summary;
  assert.ok(summaryText, 'GET /api/profile has a summary in /openapi.json');

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const seen = watch(page, server.url);
    await page.goto(`${server.url}/docs`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    await page.locator('h2', { hasText: summaryText }).first().waitFor({ state: 'visible', timeout: 15000 });
    await page.getByText(spec.info.title).first().waitFor({ state: 'visible', timeout: 5000 });
    // Redoc adds parts of its chrome after the first render; let those requests happen too.
    await page.waitForLoadState('networkidle');
    await sleep(500);
    assert.ok(seen.requests.some((u) => u.endsWith('/assets/redoc.standalone.js')), 'the local Redoc bundle');
    assert.ok(seen.requests.some((u) => u.endsWith('/openapi.json')));
    assert.deepEqual(seen.problems, []);
  } finally {
    await context.close();
  }
});
