// Bad input on every route: the right 4xx as problem+json, the offending fields named, and
// nothing stored (checked in the database file itself, not only through the API).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, stopServer, call, mintHs256 } from './harness.mjs';

let server, token, sub;

before(async () => {
  // Far more requests than the free tier's hourly quota come from one user here.
  server = await startServer({ RATE_LIMIT_FREE_GENERAL: '100000' });
  sub = 'bad-input-' + crypto.randomUUID();
  token = await mintHs256(sub);
});
after(() => stopServer(server));

function rowsOf(user) {
  const db = join(server.dir, 'vf.db');
  const q = ['profiles', 'workouts', 'runs', 'injuries']
    .map((t) => `(SELECT count(*) FROM ${t} WHERE user_id='${user}')`).join(' + ');
  return Number(execFileSync('sqlite3', [db, `SELECT ${q};`]).toString().trim());
}

const valid = {
  'PUT /api/profile': { age: 30 },
  'POST /api/workouts': { sets: [{ exercise: 'bench', reps: 5, weight_kg: 100 }] },
  'POST /api/runs': { distance_m: 5000, duration_s: 1500 },
  'POST /api/injury/log': { body_part: 'knee', severity: 3, description: 'sore' },
};

// [route, body, expected status, fields that must be named]
const cases = [
  ['PUT /api/profile', { age: 'thirty' }, 422, ['age']],
  ['PUT /api/profile', { age: 7 }, 422, ['age']],
  ['PUT /api/profile', { goals: ['get huge'] }, 422, ['goals[0]']],
  ['PUT /api/profile', { equipment: 'barbell' }, 422, ['equipment']],
  ['PUT /api/profile', { weigth_kg: 80 }, 422, ['weigth_kg']],
  ['PUT /api/profile', { running: { recent_race: { distance_m: 5000 } } }, 422, ['running.recent_race.time_s']],
  ['PUT /api/profile', [1, 2], 422, ['body']],
  ['POST /api/workouts', {}, 422, ['sets']],
  ['POST /api/workouts', { sets: [] }, 422, ['sets']],
  ['POST /api/workouts', { sets: [{ reps: 5 }] }, 422, ['sets[0].exercise']],
  ['POST /api/workouts', { sets: [{ exercise: 'bench', reps: '5' }] }, 422, ['sets[0].reps']],
  ['POST /api/workouts', { sets: [{ exercise: 'bench', reps: 5.5 }] }, 422, ['sets[0].reps']],
  ['POST /api/workouts', { sets: [{ exercise: 'bench', reps: -1 }] }, 422, ['sets[0].reps']],
  ['POST /api/workouts', { sets: [{ exercise: 'bench' }] }, 422, ['sets[0]']],
  ['POST /api/workouts', { sets: [{ exercise: '', reps: 5 }] }, 422, ['sets[0].exercise']],
  ['POST /api/workouts', { sets: [{ exercise: 'bench', reps: 5, weight: 10, weight_kg: 10 }] }, 422, ['sets[0]']],
  ['POST /api/workouts', { unit: 'stone', sets: [{ exercise: 'bench', reps: 5 }] }, 422, ['unit']],
  ['POST /api/workouts', { performed_at: 'yesterday', sets: [{ exercise: 'bench', reps: 5 }] }, 422, ['performed_at']],
  ['POST /api/workouts', { performed_at: '2099-01-01T00:00:00Z', sets: [{ exercise: 'bench', reps: 5 }] }, 422, ['performed_at']],
  ['POST /api/workouts', { sets: [{ exercise: 'ok', reps: 1 }, { exercise: 'bad', reps: 'x' }] }, 422, ['sets[1].reps']],
  ['POST /api/workouts', { sets: Array.from({ length: 201 }, () => ({ exercise: 'x', reps: 1 })) }, 422, ['sets']],
  ['POST /api/runs', { distance_m: 5000 }, 422, ['duration_s']],
  ['POST /api/runs', { distance_m: 0, duration_s: 100 }, 422, ['distance_m']],
  ['POST /api/runs', { distance_m: 5000, duration_s: 60 }, 422, ['duration_s']],
  ['POST /api/runs', { distance_m: 5000, duration_s: 1500, avg_hr: 170, max_hr: 150 }, 422, ['max_hr']],
  ['POST /api/runs', { distance_m: 5000, duration_s: 1500, splits: [{ distance_m: 9000, duration_s: 1500 }] }, 422, ['splits']],
  ['POST /api/runs', { distance_m: 5000, duration_s: 1500, splits: [{ distance_m: 1000 }] }, 422, ['splits[0].duration_s']],
  ['POST /api/runs', { distance_m: null, duration_s: 1500 }, 422, ['distance_m']],
  ['POST /api/injury/log', { body_part: 'knee', severity: 11, description: 'x' }, 422, ['severity']],
  ['POST /api/injury/log', { body_part: 'knee', severity: 3 }, 422, ['description']],
  ['POST /api/injury/log', { body_part: 'knee', severity: 3, description: 'x', side: 'middle' }, 422, ['side']],
  ['POST /api/injury/log', { body_part: 'knee', severity: 3, description: 'x', onset: 'last tuesday' }, 422, ['onset']],
];

for (const [route, body, status, fields] of cases) {
  test(`${route} ${JSON.stringify(body).slice(0, 80)} -> ${status}, nothing stored`, async () => {
    const [method, path] = route.split(' ');
    const r = await call(server, method, path, { token, json: body });
    assert.equal(r.status, status, r.text);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.equal(r.body.status, status);
    const named = (r.body.errors ?? []).map((e) => e.field);
    for (const f of fields) assert.ok(named.includes(f), `expected ${f} in ${JSON.stringify(r.body.errors)}`);
    for (const e of r.body.errors) assert.ok(e.message.length > 3);
    assert.equal(rowsOf(sub), 0);
  });
}

for (const route of Object.keys(valid)) {
  const [method, path] = route.split(' ');
  test(`${route}: malformed JSON -> 400, nothing stored`, async () => {
    const r = await call(server, method, path, { token, body: '{"age": 30,', headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.title, 'Malformed request');
    assert.equal(rowsOf(sub), 0);
  });
  test(`${route}: empty body -> 400`, async () => {
    const r = await call(server, method, path, { token, body: '', headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400);
    assert.equal(rowsOf(sub), 0);
  });
  test(`${route}: wrong content type -> 415, nothing stored`, async () => {
    const r = await call(server, method, path, { token, body: JSON.stringify(valid[route]), headers: { 'content-type': 'text/plain' } });
    assert.equal(r.status, 415);
    const none = await call(server, method, path, { token, body: JSON.stringify(valid[route]) });
    assert.equal(none.status, 415);
    assert.equal(rowsOf(sub), 0);
  });
  test(`${route}: body over the route's limit -> 413, nothing stored`, async () => {
    const huge = JSON.stringify({ ...valid[route], padding: 'x'.repeat(2 * 1024 * 1024) });
    const r = await call(server, method, path, { token, body: huge, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 413);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.equal(rowsOf(sub), 0);
  });
  test(`${route}: no token / bad token -> 401, nothing stored`, async () => {
    const r = await call(server, method, path, { json: valid[route] });
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    const forged = await mintHs256(sub, { secret: 'some-other-secret-that-is-32-bytes-long!!' });
    const r2 = await call(server, method, path, { token: forged, json: valid[route] });
    assert.equal(r2.status, 401);
    assert.match(r2.body.detail, /signature/);
    assert.equal(rowsOf(sub), 0);
  });
  test(`${route}: binary junk -> 400, nothing stored`, async () => {
    const junk = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256));
    const r = await call(server, method, path, { token, body: junk, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400);
    assert.equal(rowsOf(sub), 0);
  });
}

test('the valid bodies above are accepted (so the cases fail for the stated reason)', async () => {
  const user = await mintHs256('control-' + crypto.randomUUID());
  for (const [route, body] of Object.entries(valid)) {
    const [method, path] = route.split(' ');
    const r = await call(server, method, path, { token: user, json: body });
    assert.ok(r.status === 200 || r.status === 201, `${route}: ${r.status} ${r.text}`);
  }
});

test('history query parameters are validated', async () => {
  for (const q of ['limit=0', 'limit=abc', 'limit=201', 'since=yesterday', 'until=2026-13-01']) {
    for (const path of ['/api/workouts', '/api/runs']) {
      const r = await call(server, 'GET', `${path}?${q}`, { token });
      assert.equal(r.status, 422, `${path}?${q}`);
      assert.equal(r.body.errors.length, 1);
    }
  }
  const r = await call(server, 'GET', '/api/injuries?status=healed', { token });
  assert.equal(r.status, 422);
});

test('a malformed request line or target is 400', async () => {
  const { rawExchange } = await import('./harness.mjs');
  const bad = await rawExchange(server.port, 'GARBAGE\r\n\r\n');
  assert.match(bad.received, /^HTTP\/1\.1 400/);
  const target = await rawExchange(server.port, 'GET /api/%zz HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(target.received, /^HTTP\/1\.1 400/);
});

test('every operation the OpenAPI document marks as secured answers 401 problem+json without a token', async () => {
  const doc = (await call(server, 'GET', '/openapi.json')).body;
  let secured = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const concrete = path.replace(/\{[^}]+\}/g, 'x');
      const r = await call(server, method.toUpperCase(), concrete);
      if (op.security.length === 0) {
        assert.notEqual(r.status, 401, `${method} ${path} is public`);
        continue;
      }
      secured++;
      assert.equal(r.status, 401, `${method} ${path}`);
      assert.equal(r.headers.get('content-type'), 'application/problem+json');
      assert.ok(op.responses['401'], `${method} ${path} does not document 401`);
    }
  }
  assert.ok(secured >= 9, `only ${secured} secured operations`);
});
