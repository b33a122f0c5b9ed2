// Monitoring through the real server: the Prometheus scrape checked by promtool after traffic,
// the admin summary against the traffic sent, and alerts raised and cleared by killing and
// restarting a real Redis, with a webhook receiving both events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnSync } from 'node:child_process';
import { startServer, stopServer, call, mintHs256, sleep, startRedis } from './harness.mjs';

test('GET /metrics passes promtool check metrics after traffic, and counts it', async () => {
  const server = await startServer({ RATE_LIMIT_FREE_GENERAL: '3' });
  try {
    const token = await mintHs256('metrics-' + crypto.randomUUID());
    for (let i = 0; i < 5; i++) await call(server, 'GET', '/api/profile', { token });
    await call(server, 'POST', '/api/workouts', { token, json: { sets: [] } });
    await call(server, 'GET', '/nowhere');
    const r = await call(server, 'GET', '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: r.text, encoding: 'utf8' });
    assert.equal(check.error, undefined, 'promtool must be installed (scripts/install-deps test)');
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.equal((check.stdout + check.stderr).trim(), '', 'no lint warnings');
    const line = (name) => r.text.split('\n').find((l) => l.startsWith(name));
    assert.equal(line('voicefit_http_requests_total{route="/api/profile",method="GET",status="2xx"}').split(' ')[1], '3');
    assert.equal(line('voicefit_http_requests_total{route="/api/profile",method="GET",status="4xx"}').split(' ')[1], '2');
    assert.equal(line('voicefit_http_rate_limited_total{route="/api/profile",method="GET"}').split(' ')[1], '2');
    assert.equal(line('voicefit_rate_limit_decisions_total{tier="free",class="general",result="limited"}').split(' ')[1], '3');
    assert.equal(line('voicefit_http_requests_total{route="unmatched",method="ANY",status="4xx"}').split(' ')[1], '1');
    assert.ok(Number(line('process_resident_memory_bytes').split(' ')[1]) > 1e6);
    // Labels are route templates, never raw paths or user ids.
    assert.ok(!r.text.includes('/nowhere'));
    assert.ok(!r.text.includes('metrics-'));
  } finally {
    await stopServer(server);
  }
});

test('summary and alerts are admin-only and report the traffic', async () => {
  const server = await startServer({ RATE_LIMIT_FREE_GENERAL: '2', METRICS_SAMPLE_INTERVAL_S: '1' });
  try {
    const user = await mintHs256('sum-' + crypto.randomUUID());
    const admin = await mintHs256('admin-' + crypto.randomUUID(), { tier: 'admin' });
    assert.equal((await call(server, 'GET', '/api/monitoring/summary')).status, 401);
    const forbidden = await call(server, 'GET', '/api/monitoring/summary', { token: user });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.headers.get('content-type'), 'application/problem+json');
    assert.equal((await call(server, 'GET', '/api/monitoring/alerts', { token: user })).status, 403);
    for (let i = 0; i < 4; i++) await call(server, 'GET', '/api/profile', { token: user });
    await sleep(1200);
    const s = (await call(server, 'GET', '/api/monitoring/summary', { token: admin })).body;
    const profile = s.requests.routes.find((r) => r.route === '/api/profile' && r.method === 'GET');
    assert.equal(profile.total, 4);
    assert.equal(profile.by_status_class['2xx'], 2);
    assert.equal(profile.limited_429, 2);
    assert.ok(profile.latency_ms.p50 > 0 && profile.latency_ms.p99 >= profile.latency_ms.p50);
    assert.equal(s.rate_limit.backend, 'in-process');
    assert.ok(s.series.points.length >= 1);
    assert.equal(s.dependencies.store, 'ok');
    assert.ok(s.process.resident_bytes > 1e6);
    const alerts = (await call(server, 'GET', '/api/monitoring/alerts', { token: admin })).body;
    assert.deepEqual(alerts.alerts, []);
  } finally {
    await stopServer(server);
  }
});

test('Redis killed: redis_down and fail-open alerts fire and clear, and the webhook hears both', async () => {
  const events = [];
  const hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => { events.push(JSON.parse(body)); res.writeHead(204).end(); });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  const redis = await startRedis();
  const server = await startServer({
    REDIS_URL: redis.url, ALERT_EVAL_INTERVAL_S: '1', ACCESS_LOG: 'false',
    ALERT_WEBHOOK_URL: `http://127.0.0.1:${hook.address().port}/alerts`,
  });
  const admin = await mintHs256('admin-' + crypto.randomUUID(), { tier: 'admin' });
  const user = await mintHs256('alert-' + crypto.randomUUID());
  let trickle = true;
  const traffic = (async () => {
    while (trickle) { await call(server, 'GET', '/api/profile', { token: user }); await sleep(100); }
  })();
  const activeNames = async () =>
    (await call(server, 'GET', '/api/monitoring/alerts', { token: admin })).body.alerts.map((a) => a.name).sort();
  const waitFor = async (want, ms) => {
    const deadline = Date.now() + ms;
    let names = [];
    while (Date.now() < deadline) {
      names = await activeNames();
      if (want(names)) return { names, after: ms - (deadline - Date.now()) };
      await sleep(100);
    }
    assert.fail(`alerts did not reach the expected state in ${ms} ms; active: ${names}`);
  };
  try {
    await sleep(1500);
    assert.deepEqual(await activeNames(), []);
    await redis.kill();
    // One health probe (every 1 s) plus one evaluation (every 1 s).
    const fired = await waitFor((n) => n.includes('redis_down') && n.includes('rate_limiter_failing_open'), 3000);
    console.log(`fired after ${fired.after} ms: ${fired.names}`);
    const detail = (await call(server, 'GET', '/api/monitoring/alerts', { token: admin })).body.alerts;
    const down = detail.find((a) => a.name === 'redis_down');
    assert.equal(down.severity, 'critical');
    assert.ok(Date.parse(down.since) > Date.now() - 10_000);
    await redis.start();
    const cleared = await waitFor((n) => !n.includes('redis_down') && !n.includes('rate_limiter_failing_open'), 8000);
    console.log(`cleared after ${cleared.after} ms`);
    await sleep(1000); // let the webhook thread deliver
    const seen = (event, name) => events.some((e) => e.event === event && e.alert.name === name);
    assert.ok(seen('firing', 'redis_down'), JSON.stringify(events));
    assert.ok(seen('firing', 'rate_limiter_failing_open'));
    assert.ok(seen('resolved', 'redis_down'));
    assert.ok(seen('resolved', 'rate_limiter_failing_open'));
    const metrics = (await call(server, 'GET', '/metrics')).text;
    assert.match(metrics, /voicefit_rate_limit_fail_open_total [1-9]/);
  } finally {
    trickle = false;
    await traffic;
    await stopServer(server);
    await redis.kill();
    hook.close();
  }
});
