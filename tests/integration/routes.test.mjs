// Every route of the foundation on a real server: happy paths, the contract's shapes and units,
// and that one user can never see or delete another's data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { startServer, stopServer, call, mintHs256 } from './harness.mjs';

let server, alice, bob, admin;

before(async () => {
  server = await startServer();
  alice = await mintHs256('alice-' + crypto.randomUUID());
  bob = await mintHs256('bob-' + crypto.randomUUID(), { tier: 'premium' });
  admin = await mintHs256('admin-' + crypto.randomUUID(), { role: 'service_role' });
});
after(() => stopServer(server));

test('health is public and reports each dependency', async () => {
  const r = await call(server, 'GET', '/api/monitoring/health');
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ok');
  assert.equal(r.body.checks.store.status, 'ok');
  assert.equal(r.body.checks.redis.status, 'not_configured');
  assert.ok(r.body.checks.search && r.body.checks.llm);
  assert.equal(typeof r.body.version, 'string');
  assert.equal(typeof r.body.uptime_s, 'number');
  assert.match(r.headers.get('x-request-id'), /^[A-Za-z0-9]{16}$/);
});

test('X-Request-Id is echoed when the client sends a sane one, replaced otherwise', async () => {
  const r = await call(server, 'GET', '/api/monitoring/health', { headers: { 'x-request-id': 'abc-123' } });
  assert.equal(r.headers.get('x-request-id'), 'abc-123');
  const long = 'x'.repeat(300);
  const r2 = await call(server, 'GET', '/api/monitoring/health', { headers: { 'x-request-id': long } });
  assert.notEqual(r2.headers.get('x-request-id'), long);
});

test('unknown path is 404 problem+json; wrong method is 405 with Allow', async () => {
  const r = await call(server, 'GET', '/api/nope', { token: alice });
  assert.equal(r.status, 404);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  assert.equal(r.body.status, 404);
  assert.match(r.body.type, /^https:\/\//);
  const m = await call(server, 'PATCH', '/api/profile', { token: alice });
  assert.equal(m.status, 405);
  assert.equal(m.headers.get('allow'), 'GET, PUT');
  assert.equal(m.body.title, 'Method Not Allowed');
});

test('profile: empty at first, PUT replaces, GET returns it in API units', async () => {
  const empty = await call(server, 'GET', '/api/profile', { token: alice });
  assert.equal(empty.status, 200);
  assert.equal(empty.body.updated_at, null);
  assert.deepEqual(empty.body.goals, []);
  const profile = {
    age: 34, sex: 'female', height_cm: 168, weight_kg: 61.5, experience: 'intermediate',
    goals: ['strength', 'race'], days_per_week: 4, session_minutes: 60,
    equipment: ['barbell', 'dumbbells'], injuries: [{ body_part: 'knee', note: 'old ACL' }],
    running: { weekly_km: 25, recent_race: { distance_m: 5000, time_s: 1500 } }, preferred_unit: 'lb',
  };
  const put = await call(server, 'PUT', '/api/profile', { token: alice, json: profile });
  assert.equal(put.status, 200);
  const got = await call(server, 'GET', '/api/profile', { token: alice });
  assert.equal(got.status, 200);
  for (const [k, v] of Object.entries(profile)) assert.deepEqual(got.body[k], v, k);
  assert.ok(Date.parse(got.body.updated_at) > Date.now() - 60000);
  // PUT is a replacement: omitted fields are cleared.
  await call(server, 'PUT', '/api/profile', { token: alice, json: { age: 35 } });
  const replaced = await call(server, 'GET', '/api/profile', { token: alice });
  assert.equal(replaced.body.age, 35);
  assert.equal(replaced.body.weight_kg, undefined);
  assert.deepEqual(replaced.body.goals, []);
});

test('workouts: POST stores sets (lb converted exactly), GET lists newest first with filters', async () => {
  const user = await mintHs256('lifter-' + crypto.randomUUID());
  const first = await call(server, 'POST', '/api/workouts', {
    token: user,
    json: { performed_at: '2026-11-20T18:00:00Z', sets: [{ exercise: 'Bench', reps: 8, weight_kg: 80, rpe: 8 }] },
  });
  assert.equal(first.status, 201);
  assert.ok(first.body.workout_id);
  assert.equal(first.body.sets[0].set_number, 1);
  // Names are matched against the catalog like voice logs: "Bench" is the barbell bench press.
  assert.equal(first.body.sets[0].exercise, 'Barbell Bench Press - Medium Grip');
  assert.equal(first.body.sets[0].exercise_id, 'barbell-bench-press-medium-grip');
  assert.deepEqual(first.body.warnings, []);
  const second = await call(server, 'POST', '/api/workouts', {
    token: user,
    json: {
      performed_at: '2026-11-22T07:30:00+01:00', unit: 'lb',
      sets: [{ exercise: 'squat', reps: 5, weight: 225 }, { exercise: 'plank', duration_s: 60 }],
    },
  });
  assert.equal(second.status, 201);
  assert.equal(second.body.performed_at, '2026-11-22T06:30:00Z');
  assert.equal(second.body.sets[0].weight_kg, 225 * 0.45359237);
  assert.equal(second.body.sets[1].duration_s, 60);
  assert.equal(second.body.sets[0].exercise_id, 'barbell-full-squat');
  // A catalog id is taken as it is; a name the catalog does not know is kept, with a warning.
  const byId = await call(server, 'POST', '/api/workouts', {
    token: await mintHs256('byid-' + crypto.randomUUID()), json: { sets: [{ exercise: 'romanian-deadlift', reps: 8 }, { exercise: 'zercher carry', reps: 3 }] },
  });
  assert.equal(byId.status, 201);
  assert.equal(byId.body.sets[0].exercise_id, 'romanian-deadlift');
  assert.equal(byId.body.sets[1].exercise_id, null);
  assert.equal(byId.body.sets[1].exercise, 'zercher carry');
  assert.equal(byId.body.warnings.length, 1);
  assert.match(byId.body.warnings[0], /zercher carry/);
  const list = await call(server, 'GET', '/api/workouts', { token: user });
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.workouts.map((w) => w.workout_id), [second.body.workout_id, first.body.workout_id]);
  assert.equal(list.body.workouts[1].sets[0].rpe, 8);
  const since = await call(server, 'GET', '/api/workouts?since=2026-11-21', { token: user });
  assert.deepEqual(since.body.workouts.map((w) => w.workout_id), [second.body.workout_id]);
  const until = await call(server, 'GET', '/api/workouts?until=2026-11-21T00:00:00Z', { token: user });
  assert.deepEqual(until.body.workouts.map((w) => w.workout_id), [first.body.workout_id]);
  const limited = await call(server, 'GET', '/api/workouts?limit=1', { token: user });
  assert.equal(limited.body.workouts.length, 1);
});

test('runs: POST derives pace, GET lists them', async () => {
  const user = await mintHs256('runner-' + crypto.randomUUID());
  const r = await call(server, 'POST', '/api/runs', {
    token: user,
    json: { started_at: '2026-11-21T06:00:00Z', distance_m: 10000, duration_s: 3000, avg_hr: 150, max_hr: 172,
            splits: [{ distance_m: 5000, duration_s: 1520 }, { distance_m: 5000, duration_s: 1480 }] },
  });
  assert.equal(r.status, 201);
  assert.ok(r.body.run_id);
  assert.equal(r.body.pace_s_per_km, 300);
  const list = await call(server, 'GET', '/api/runs', { token: user });
  assert.equal(list.body.runs.length, 1);
  assert.equal(list.body.runs[0].splits.length, 2);
  assert.equal(list.body.runs[0].avg_hr, 150);
});

test('injuries: log one, list all and active', async () => {
  const user = await mintHs256('hurt-' + crypto.randomUUID());
  const r = await call(server, 'POST', '/api/injury/log', {
    token: user, json: { body_part: 'knee', side: 'left', severity: 4, description: 'ache on stairs', onset: '2026-11-01' },
  });
  assert.equal(r.status, 201);
  assert.ok(r.body.injury_id);
  assert.equal(r.body.onset, '2026-11-01T00:00:00Z');
  const kind = await call(server, 'POST', '/api/injury/log', {
    token: user, json: { body_part: 'shoulder', severity: 2, description: 'tweak', onset: 'sudden' },
  });
  assert.equal(kind.body.onset_kind, 'sudden');
  const list = await call(server, 'GET', '/api/injuries?status=active', { token: user });
  assert.equal(list.status, 200);
  assert.equal(list.body.injuries.length, 2);
  assert.equal(list.body.injuries[0].body_part, 'shoulder');
});

test('a user never sees, and cannot delete, another user\'s data', async () => {
  await call(server, 'POST', '/api/workouts', { token: bob, json: { sets: [{ exercise: 'row', reps: 10 }] } });
  await call(server, 'POST', '/api/runs', { token: bob, json: { distance_m: 5000, duration_s: 1500 } });
  await call(server, 'PUT', '/api/profile', { token: bob, json: { age: 50 } });
  const eve = await mintHs256('eve-' + crypto.randomUUID());
  assert.deepEqual((await call(server, 'GET', '/api/workouts', { token: eve })).body.workouts, []);
  assert.deepEqual((await call(server, 'GET', '/api/runs', { token: eve })).body.runs, []);
  assert.equal((await call(server, 'GET', '/api/profile', { token: eve })).body.age, undefined);
  const del = await call(server, 'DELETE', '/api/me', { token: eve });
  assert.equal(del.status, 200);
  assert.equal(del.body.deleted.workouts, 0);
  assert.equal((await call(server, 'GET', '/api/workouts', { token: bob })).body.workouts.length, 1);
  assert.equal((await call(server, 'GET', '/api/profile', { token: bob })).body.age, 50);
});

test('DELETE /api/me removes every record of the caller', async () => {
  const user = await mintHs256('leaver-' + crypto.randomUUID());
  await call(server, 'PUT', '/api/profile', { token: user, json: { age: 29 } });
  await call(server, 'POST', '/api/workouts', { token: user, json: { sets: [{ exercise: 'dip', reps: 12 }, { exercise: 'dip', reps: 10 }] } });
  await call(server, 'POST', '/api/runs', { token: user, json: { distance_m: 3000, duration_s: 900 } });
  await call(server, 'POST', '/api/injury/log', { token: user, json: { body_part: 'wrist', severity: 1, description: 'x' } });
  const del = await call(server, 'DELETE', '/api/me', { token: user });
  assert.equal(del.status, 200);
  assert.deepEqual(del.body.deleted, { profiles: 1, workouts: 1, runs: 1, injuries: 1, programs: 0, onboarding_sessions: 0 });
  assert.deepEqual((await call(server, 'GET', '/api/workouts', { token: user })).body.workouts, []);
  assert.deepEqual((await call(server, 'GET', '/api/injuries', { token: user })).body.injuries, []);
  assert.equal((await call(server, 'GET', '/api/profile', { token: user })).body.updated_at, null);
  // Nothing of the user is left in the database file, sets included.
  const db = join(server.dir, 'vf.db');
  const sub = JSON.parse(Buffer.from(user.split('.')[1], 'base64url')).sub;
  const rows = execFileSync('sqlite3', [db, `SELECT (SELECT count(*) FROM workouts WHERE user_id='${sub}') + (SELECT count(*) FROM workout_sets) - (SELECT count(*) FROM workout_sets ws JOIN workouts w ON w.id = ws.workout_id);`]).toString().trim();
  assert.equal(rows, '0');
});

test('/openapi.json lists every route of the table and lints clean with Redocly', async () => {
  const r = await call(server, 'GET', '/openapi.json');
  assert.equal(r.status, 200);
  const doc = r.body;
  assert.equal(doc.openapi, '3.1.0');
  const expected = [
    ['get', '/api/monitoring/health'], ['get', '/api/profile'], ['put', '/api/profile'],
    ['post', '/api/workouts'], ['get', '/api/workouts'], ['post', '/api/runs'], ['get', '/api/runs'],
    ['get', '/api/injuries'], ['post', '/api/injury/log'], ['delete', '/api/me'], ['get', '/openapi.json'],
  ];
  for (const [m, p] of expected) assert.ok(doc.paths[p]?.[m], `${m} ${p} missing`);
  // Every documented operation is served (not 404/405) by this server.
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const m of Object.keys(ops)) {
      const res = await call(server, m.toUpperCase(), p);
      assert.ok(![404, 405].includes(res.status), `${m} ${p} -> ${res.status}`);
    }
  }
  const file = join(server.dir, 'openapi.json');
  writeFileSync(file, r.text);
  const cli = new URL('../interop/node_modules/@redocly/cli/bin/cli.js', import.meta.url).pathname;
  let out;
  try {
    out = execFileSync(process.execPath, [cli, 'lint', '--format=stylish', file], { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`redocly lint failed:\n${e.stdout}\n${e.stderr}`);
  }
  assert.doesNotMatch(out, /warning/i, out);
});

test('health checks Redis when REDIS_URL is set, and says degraded when it is unreachable', {
  skip: !process.env.VOICEFIT_TEST_REDIS_URL && 'needs VOICEFIT_TEST_REDIS_URL (scripts/test starts Redis)',
}, async () => {
  const up = await startServer({ REDIS_URL: process.env.VOICEFIT_TEST_REDIS_URL });
  try {
    const r = await call(up, 'GET', '/api/monitoring/health');
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ok');
    assert.equal(r.body.checks.redis.status, 'ok');
    assert.equal(typeof r.body.checks.redis.latency_ms, 'number');
  } finally {
    await stopServer(up);
  }
  // A port nothing listens on: the server still starts and serves, and says so.
  const down = await startServer({ REDIS_URL: 'redis://127.0.0.1:1' });
  try {
    const r = await call(down, 'GET', '/api/monitoring/health');
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'degraded');
    assert.equal(r.body.checks.redis.status, 'down');
  } finally {
    await stopServer(down);
  }
});
