// The cache through the real server: two server processes sharing one Redis and one database,
// the user context read on B, a workout logged on A, the next read on B shows it; Redis killed:
// every request still succeeds; and the in-process cache invalidated by each kind of write.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, stopServer, call, mintHs256, startRedis, tempDir } from './harness.mjs';

const context = async (server, token) => {
  const r = await call(server, 'GET', '/api/context', { token });
  assert.equal(r.status, 200, r.text);
  return r.body;
};

test('two servers, one Redis: a write on A is seen by the next read on B', async () => {
  const redis = await startRedis();
  const db = `sqlite://${join(tempDir(), 'shared.db')}`;
  const a = await startServer({ REDIS_URL: redis.url, DATABASE_URL: db });
  const b = await startServer({ REDIS_URL: redis.url, DATABASE_URL: db });
  try {
    const token = await mintHs256('cache-' + crypto.randomUUID());
    const first = await context(b, token);
    assert.equal(first.meta.cached, false);
    assert.equal(first.context.training.workouts, 0);
    assert.equal((await context(b, token)).meta.cached, true);
    assert.equal((await context(a, token)).meta.cached, true, 'A reads what B cached (Redis tier)');

    const logged = await call(a, 'POST', '/api/workouts', { token, json: { sets: [{ exercise: 'deadlift', reps: 3, weight_kg: 180 }] } });
    assert.equal(logged.status, 201);
    const after = await context(b, token);
    assert.equal(after.meta.cached, false);
    assert.equal(after.context.training.workouts, 1);
    assert.equal(after.context.training.top_exercises[0].exercise, 'Barbell Deadlift');
    assert.equal((await context(b, token)).meta.cached, true);

    // Each kind of write invalidates: profile, run, injury; then account deletion.
    const writes = [
      ['PUT', '/api/profile', { age: 41, goals: ['strength'] }, (c) => c.profile?.age === 41],
      ['POST', '/api/runs', { distance_m: 5000, duration_s: 1500 }, (c) => c.running.runs === 1],
      ['POST', '/api/injury/log', { body_part: 'knee', description: 'sore after squats', severity: 3 }, (c) => c.active_injuries.length === 1],
    ];
    for (const [method, path, json, check] of writes) {
      const w = await call(a, method, path, { token, json });
      assert.ok(w.status === 200 || w.status === 201, `${path}: ${w.status} ${w.text}`);
      const c = await context(b, token);
      assert.equal(c.meta.cached, false, path);
      assert.ok(check(c.context), `${path}: ${JSON.stringify(c.context)}`);
    }
    assert.equal((await call(a, 'DELETE', '/api/me', { token })).status, 200);
    const gone = await context(b, token);
    assert.equal(gone.context.training.workouts, 0);
    assert.equal(gone.context.profile, null);

    const metrics = (await call(b, 'GET', '/metrics')).text;
    assert.match(metrics, /voicefit_cache_lookups_total\{family="user_context",result="hit"\} [1-9]/);
    assert.match(metrics, /voicefit_cache_loads_total\{family="user_context"\} [1-9]/);
  } finally {
    await stopServer(a);
    await stopServer(b);
    await redis.kill();
  }
});

test('Redis killed: every request still succeeds, uncached; caching resumes when it is back', async () => {
  const redis = await startRedis();
  const server = await startServer({ REDIS_URL: redis.url });
  try {
    const token = await mintHs256('down-' + crypto.randomUUID());
    await context(server, token);
    assert.equal((await context(server, token)).meta.cached, true);
    await redis.kill();
    for (let i = 0; i < 3; i++) {
      const c = await context(server, token);
      assert.equal(c.meta.cached, false, 'without Redis the generation is unknown: no cache');
    }
    const w = await call(server, 'POST', '/api/workouts', { token, json: { sets: [{ exercise: 'bench press', reps: 5, weight_kg: 80 }] } });
    assert.equal(w.status, 201);
    assert.equal((await context(server, token)).context.training.workouts, 1);
    const metrics = (await call(server, 'GET', '/metrics')).text;
    assert.match(metrics, /voicefit_cache_backend_errors_total [1-9]/);
    await redis.start();
    await context(server, token);
    const again = await context(server, token);
    assert.equal(again.meta.cached, true);
    assert.equal(again.context.training.workouts, 1);
  } finally {
    await stopServer(server);
    await redis.kill();
  }
});

test('GET /api/context needs a token', async () => {
  const server = await startServer();
  try {
    const r = await call(server, 'GET', '/api/context');
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
  } finally {
    await stopServer(server);
  }
});
