// The knowledge base over HTTP through the real server: retrieval for free queries and for AI
// routes' requests (transformer + selector), the RAG cache, passages, validation, the search
// health check and metrics, start-up with a bad or edited knowledge base, a prebuilt index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServer, stopServer, call, mintHs256, tempDir, BIN } from './harness.mjs';

const KNOWLEDGE = new URL('../../knowledge', import.meta.url).pathname;
const search = (server, token, json) => call(server, 'POST', '/api/knowledge/search', { token, json });

test('free queries: sources, namespaces, the cache, passages', async () => {
  const server = await startServer();
  try {
    const token = await mintHs256('kb-' + crypto.randomUUID());
    const first = await search(server, token, { query: 'my calves are wrecked two days after leg day, is that doms?' });
    assert.equal(first.status, 200, first.text);
    assert.ok(first.body.sources.length >= 3 && first.body.sources.length <= 5);
    for (const s of first.body.sources) {
      assert.match(s.id, /^[a-z0-9-]+$/);
      assert.equal(typeof s.title, 'string');
      assert.ok(s.score > 0 && s.score <= 1);
      assert.ok(first.body.meta.rag.namespaces.includes(s.namespace));
    }
    assert.ok(first.body.sources.some((s) => s.namespace === 'recovery'), JSON.stringify(first.body.sources));
    assert.equal(first.body.meta.rag.cache, 'miss');
    assert.equal(first.body.meta.engine, 'offline');
    const again = await search(server, token, { query: 'My calves are WRECKED two days after leg day... is that DOMS' });
    assert.equal(again.body.meta.rag.cache, 'hit');
    assert.deepEqual(again.body.sources, first.body.sources);

    const withText = await search(server, token, { query: 'how much protein per day to build muscle', k: 2, include_text: true });
    assert.equal(withText.body.sources.length, 2);
    assert.ok(withText.body.sources[0].text.split(/\s+/).length >= 60);
    assert.ok(withText.body.sources[0].cite.length > 0);

    // Namespaces the caller names are searched as given.
    const only = await search(server, token, { query: 'protein and sleep after training', namespaces: ['nutrition'] });
    assert.deepEqual(only.body.meta.rag.namespaces, ['nutrition']);
    assert.ok(only.body.sources.length > 0 && only.body.sources.every((s) => s.namespace === 'nutrition'));

    const id = first.body.sources[0].id;
    const passage = await call(server, 'GET', `/api/knowledge/passages/${id}`, { token });
    assert.equal(passage.status, 200);
    assert.equal(passage.body.id, id);
    assert.ok(passage.body.text.length > 100);
    const missing = await call(server, 'GET', '/api/knowledge/passages/no-such-passage', { token });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-type'), 'application/problem+json');
    assert.equal((await call(server, 'GET', `/api/knowledge/passages/${id}`)).status, 401);

    const health = await call(server, 'GET', '/api/monitoring/health');
    assert.equal(health.body.checks.search.status, 'ok');
    assert.ok(health.body.checks.search.passages >= 300);
    const metrics = await call(server, 'GET', '/metrics');
    assert.match(metrics.text, /voicefit_rag_retrievals_total\{endpoint="coach\/ask",namespace="recovery"\} [1-9]/);
    assert.match(metrics.text, /voicefit_cache_lookups_total\{family="rag_context",result="hit"\} [1-9]/);
  } finally {
    await stopServer(server);
  }
});

test("AI routes' requests go through their transformers and the namespace selector", async () => {
  const server = await startServer();
  try {
    const token = await mintHs256('kb-route-' + crypto.randomUUID());
    // SPEC.md §3: a knee question on the running-analysis route searches running and injury.
    const run = await search(server, token, {
      endpoint: 'running/analyze',
      request: { distance_m: 12000, duration_s: 3900, notes: 'my knee started hurting after 8k, sharp pain on the outside' },
    });
    assert.equal(run.status, 200, run.text);
    assert.deepEqual(run.body.meta.rag.namespaces.slice(0, 1), ['running']);
    assert.ok(run.body.meta.rag.namespaces.includes('injury'), JSON.stringify(run.body.meta.rag));
    assert.ok(run.body.sources.some((s) => s.namespace === 'injury'));
    assert.match(run.body.query.text, /knee started hurting/);

    const injury = await search(server, token, {
      endpoint: 'injury/analyze',
      request: { body_part: 'achilles', description: 'stiff every morning, worse after hills', onset: 'gradual' },
    });
    assert.equal(injury.status, 200, injury.text);
    assert.equal(injury.body.query.k, 6);
    assert.ok(injury.body.sources.filter((s) => s.namespace === 'injury').length >= 3);

    // The user's context feeds the transformer: an injury logged makes the program query mention it.
    const logged = await call(server, 'POST', '/api/injury/log', { token, json: { body_part: 'shoulder', severity: 4, description: 'pinches overhead' } });
    assert.equal(logged.status, 201, logged.text);
    const program = await search(server, token, { endpoint: 'program/generate/strength', request: { goal: 'strength', days_per_week: 3, weeks: 8 } });
    assert.equal(program.status, 200, program.text);
    assert.match(program.body.query.text, /training around shoulder pain/);
    assert.ok(program.body.meta.rag.namespaces.includes('injury'));
    // ...and its guidance reach the plan's first three sources, however the rest of it ranks.
    assert.ok(program.body.sources.slice(0, 3).some((s) => s.namespace === 'injury' && s.id.includes('shoulder')),
      JSON.stringify(program.body.sources));
  } finally {
    await stopServer(server);
  }
});

test('bad input is a 4xx problem', async () => {
  const server = await startServer();
  try {
    const token = await mintHs256('kb-bad-' + crypto.randomUUID());
    assert.equal((await search(server, undefined, { query: 'sleep' })).status, 401);
    const cases = [
      {},
      { query: '' },
      { query: 'x'.repeat(1001) },
      { query: 'sleep', request: {} },
      { request: { question: 'sleep?' } },
      { endpoint: 'coach/nothing', request: {} },
      { query: 'sleep', namespaces: ['yoga'] },
      { query: 'sleep', namespaces: ['recovery', 'recovery'] },
      { query: 'sleep', k: 0 },
      { query: 'sleep', k: 21 },
      { query: 42 },
      { query: 'sleep', extra: true },
      { endpoint: 'chat/classify', request: { message: '?!' } },
      { query: 'what is the of and' },
    ];
    for (const json of cases) {
      const r = await search(server, token, json);
      assert.equal(r.status, 422, JSON.stringify(json).slice(0, 60) + ' ' + r.text);
      assert.equal(r.headers.get('content-type'), 'application/problem+json');
      assert.ok(r.body.errors.length >= 1);
    }
    const malformed = await call(server, 'POST', '/api/knowledge/search', { token, body: '{"query":', headers: { 'content-type': 'application/json' } });
    assert.equal(malformed.status, 400);
    const text = await call(server, 'POST', '/api/knowledge/search', { token, body: 'sleep', headers: { 'content-type': 'text/plain' } });
    assert.equal(text.status, 415);
  } finally {
    await stopServer(server);
  }
});

test('a broken knowledge base stops start-up naming the setting; an edit changes the version', async () => {
  const dir = tempDir('vf-kb-');
  cpSync(KNOWLEDGE, dir, { recursive: true });
  appendFileSync(join(dir, 'strength.md'), '\n## Too short\nid: strength-too-short\nnamespace: strength\ntags: x\ncite: y\n\nFive words only in here.\n');
  const failed = await startServer({ KNOWLEDGE_DIR: dir }, { expectFailure: true });
  assert.notEqual(failed.exit.code, 0);
  assert.match(failed.stderr, /KNOWLEDGE_DIR: .*strength-too-short: 5 words/s);

  cpSync(KNOWLEDGE, dir, { recursive: true });
  const token = await mintHs256('kb-version-' + crypto.randomUUID());
  let server = await startServer({ KNOWLEDGE_DIR: dir });
  const before = (await search(server, token, { query: 'rest between sets' })).body.meta.kb_version;
  await stopServer(server);
  const file = join(dir, 'recovery.md');
  writeFileSync(file, readFileSync(file, 'utf8').replace('DOMS', 'DOMS (delayed onset muscle soreness)'));
  server = await startServer({ KNOWLEDGE_DIR: dir });
  try {
    const after = (await search(server, token, { query: 'rest between sets' })).body.meta.kb_version;
    assert.match(before, /^[0-9a-f]{16}$/);
    assert.notEqual(after, before);
  } finally {
    await stopServer(server);
  }
});

test('voicefit index prebuilds the index the server then reuses', async () => {
  const indexDir = join(tempDir('vf-index-'), 'index');
  const built = spawnSync(BIN, ['index'], { env: { PATH: process.env.PATH, KNOWLEDGE_INDEX_DIR: indexDir }, encoding: 'utf8' });
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stdout, /^indexed \d{3} passages .* in .*kb-[0-9a-f]{16}-layout\d+ /);
  const again = spawnSync(BIN, ['index'], { env: { PATH: process.env.PATH, KNOWLEDGE_INDEX_DIR: indexDir }, encoding: 'utf8' });
  assert.match(again.stdout, /^already indexed/);
  const server = await startServer({ KNOWLEDGE_INDEX_DIR: indexDir });
  try {
    const line = server.logs.find((l) => l.includes('knowledge base indexed'));
    assert.equal(JSON.parse(line).built, false);
    const token = await mintHs256('kb-index-' + crypto.randomUUID());
    assert.equal((await search(server, token, { query: 'zone 2 running' })).status, 200);
  } finally {
    await stopServer(server);
  }
  const missing = spawnSync(BIN, ['index'], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
  assert.equal(missing.status, 78);
  assert.match(missing.stderr, /KNOWLEDGE_INDEX_DIR/);
});
