// Voice logging end to end: what the athlete says is stored as sets (or a run), shows up in the
// history, follows the athlete's unit, refreshes their context; bad input stores nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, call, mintHs256 } from './harness.mjs';

let server;
before(async () => { server = await startServer({ RATE_LIMIT_FREE_GENERAL: '1000' }); });
after(() => stopServer(server));

test('a spoken log is stored as sets and listed with the history', async () => {
  const token = await mintHs256('voice-' + crypto.randomUUID());
  const before = await call(server, 'GET', '/api/context', { token });
  const r = await call(server, 'POST', '/api/voice/log', {
    token, json: { transcript: 'uh bench three by eight at one eighty five then RDLs 3x10 at 60 kilos', unit: 'lb' },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.sets.length, 6);
  assert.equal(r.body.sets[0].exercise_id, 'barbell-bench-press-medium-grip');
  assert.equal(r.body.sets[0].reps, 8);
  assert.ok(Math.abs(r.body.sets[0].weight_kg - 185 * 0.45359237) < 0.01);
  assert.equal(r.body.sets[5].exercise_id, 'romanian-deadlift');
  assert.equal(r.body.sets[5].weight_kg, 60); // a spoken unit beats the request's
  assert.ok(r.body.sets.every((s) => s.confidence >= 0.8));
  const list = await call(server, 'GET', '/api/workouts', { token });
  assert.equal(list.body.workouts.length, 1);
  assert.equal(list.body.workouts[0].workout_id, r.body.workout_id);
  assert.equal(list.body.workouts[0].source, 'voice');
  assert.equal(list.body.workouts[0].sets.length, 6);
  const ctx = await call(server, 'GET', '/api/context', { token });
  assert.equal(before.body.context.training.workouts, 0);
  assert.equal(ctx.body.meta.cached, false, 'the log invalidated the context');
  assert.equal(ctx.body.context.training.workouts, 1);
});

test('a spoken run is stored as a run', async () => {
  const token = await mintHs256('voice-run-' + crypto.randomUUID());
  const r = await call(server, 'POST', '/api/voice/log', { token, json: { transcript: 'ran 5k in 24 minutes' } });
  assert.equal(r.status, 201, r.text);
  assert.ok(r.body.run_id);
  assert.equal(r.body.distance_m, 5000);
  assert.equal(r.body.duration_s, 1440);
  const runs = await call(server, 'GET', '/api/runs', { token });
  assert.equal(runs.body.runs.length, 1);
  assert.equal(runs.body.runs[0].distance_m, 5000);
});

test("the athlete's preferred unit applies when nothing else says", async () => {
  const token = await mintHs256('voice-unit-' + crypto.randomUUID());
  assert.equal((await call(server, 'PUT', '/api/profile', { token, json: { preferred_unit: 'lb' } })).status, 200);
  const r = await call(server, 'POST', '/api/voice/log', { token, json: { transcript: 'squat 225 for 5' } });
  assert.equal(r.status, 201, r.text);
  assert.ok(Math.abs(r.body.sets[0].weight_kg - 102.06) < 0.01);
});

test('bad input: 4xx problem+json and nothing stored', async () => {
  const token = await mintHs256('voice-bad-' + crypto.randomUUID());
  const cases = [
    [{ transcript: '' }, 422],
    [{ transcript: 'five five five' }, 422],
    [{ transcript: 'how much should I bench?' }, 422],
    [{ transcript: 'x'.repeat(2001) }, 422],
    [{ transcript: 'bench 3 by 8', unit: 'stone' }, 422],
    [{ text: 'bench 3 by 8' }, 422],
    [{ transcript: 'bench 3 by 8', performed_at: '2099-01-01T00:00:00Z' }, 422],
  ];
  for (const [json, status] of cases) {
    const r = await call(server, 'POST', '/api/voice/log', { token, json });
    assert.equal(r.status, status, `${JSON.stringify(json).slice(0, 60)}: ${r.text}`);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
  }
  const nothing = await call(server, 'POST', '/api/voice/log', { token, json: { transcript: 'five five five' } });
  assert.equal(nothing.body.errors[0].field, 'transcript');
  assert.match(nothing.body.errors[0].message, /no sets or run understood/);
  const huge = await call(server, 'POST', '/api/voice/log', {
    token, body: JSON.stringify({ transcript: 'bench '.repeat(20000) }), headers: { 'content-type': 'application/json' },
  });
  assert.equal(huge.status, 413);
  const binary = await call(server, 'POST', '/api/voice/log', {
    token, body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x00, 0x01]), headers: { 'content-type': 'application/json' },
  });
  assert.equal(binary.status, 400);
  const junk = await call(server, 'POST', '/api/voice/log', { token, json: { transcript: '\u0001\u0002 DROP TABLE workouts; --' } });
  assert.equal(junk.status, 422);
  assert.equal((await call(server, 'GET', '/api/workouts', { token })).body.workouts.length, 0);
  assert.equal((await call(server, 'GET', '/api/runs', { token })).body.runs.length, 0);
});
