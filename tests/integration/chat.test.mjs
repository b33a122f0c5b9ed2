// POST /api/chat/classify through the real server: intents with calibrated scores and entities,
// validation, and the AI-class rate limit (both windows) that applies to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, call, mintHs256 } from './harness.mjs';

test('classifies messages, with entities and a full score list', async () => {
  const server = await startServer({ RATE_LIMIT_FREE_AI: '100' });
  try {
    const token = await mintHs256('chat-' + crypto.randomUUID());
    const cases = [
      ['bench 3x8 at 185 lbs', 'log_workout'],
      ['my knee hurts when i squat', 'report_injury'],
      ['make me a 12 week strength program', 'request_program'],
      ['show my squat progress', 'view_progress'],
    ];
    for (const [message, intent] of cases) {
      const r = await call(server, 'POST', '/api/chat/classify', { token, json: { message } });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.intent, intent, message);
      assert.equal(r.body.intents.length, 8);
      const sum = r.body.intents.reduce((a, i) => a + i.score, 0);
      assert.ok(Math.abs(sum - 1) < 0.01);
      assert.equal(r.body.intents[0].intent, intent);
      assert.equal(typeof r.body.unsure, 'boolean');
      assert.equal(r.body.meta.engine, 'offline:intent-model');
    }
    const e = (await call(server, 'POST', '/api/chat/classify', { token, json: { message: 'did RDLs 3x8 at 100 kg' } })).body.entities;
    assert.equal(e.exercise.id, 'romanian-deadlift');
    assert.equal(e.sets, 3);
    assert.equal(e.reps, 8);
    assert.equal(e.weight.kg, 100);
  } finally {
    await stopServer(server);
  }
});

test('bad input is a 4xx problem', async () => {
  const server = await startServer();
  try {
    const token = await mintHs256('chat-bad-' + crypto.randomUUID());
    assert.equal((await call(server, 'POST', '/api/chat/classify', { json: { message: 'hi' } })).status, 401);
    for (const json of [{ message: '' }, { message: 'x'.repeat(2001) }, { text: 'hi' }, { message: 42 }]) {
      const r = await call(server, 'POST', '/api/chat/classify', { token, json });
      assert.equal(r.status, 422, JSON.stringify(json).slice(0, 40));
      assert.equal(r.headers.get('content-type'), 'application/problem+json');
    }
    const malformed = await call(server, 'POST', '/api/chat/classify', { token, body: '{"message":', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.status, 400);
  } finally {
    await stopServer(server);
  }
});

test('it is an AI route: the ai window limits it, and it counts against the general one', async () => {
  const server = await startServer({ RATE_LIMIT_FREE_AI: '3', RATE_LIMIT_FREE_GENERAL: '5' });
  try {
    const token = await mintHs256('chat-limit-' + crypto.randomUUID());
    const statuses = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await call(server, 'POST', '/api/chat/classify', { token, json: { message: 'hi coach' } });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.deepEqual(last.body['violated-policies'], ['ai']);
    assert.equal(last.headers.get('ratelimit-policy'), '"general";q=5;w=3600, "ai";q=3;w=60');
    // Three AI requests used three of the five general ones; the refused one used none.
    const general = await call(server, 'GET', '/api/profile', { token });
    assert.equal(general.headers.get('ratelimit'), '"general";r=1;t=3600');
  } finally {
    await stopServer(server);
  }
});
