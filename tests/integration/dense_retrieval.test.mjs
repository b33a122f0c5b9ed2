// Dense retrieval through an OpenAI-compatible embeddings endpoint, against a local stand-in of
// that API (hosted models cannot run here): passages embedded once per knowledge-base version
// and kept with a prebuilt index, queries embedded and searched per namespace in hnswlib, the
// dense ranking fused with the lexical one, and lexical retrieval alone when the endpoint fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startServer, stopServer, call, mintHs256, tempDir, ragEval } from './harness.mjs';
import { startEmbeddingsStandIn } from './embeddings_standin.mjs';

const KEY = 'embeddings-standin-key';

test('embeds passages once, fuses the dense ranking, falls back to lexical (stand-in)', async (t) => {
  const standin = await startEmbeddingsStandIn(KEY);
  t.after(() => standin.close());
  const indexDir = join(tempDir('vf-dense-'), 'index');
  const env = { EMBEDDINGS_BASE_URL: standin.url, EMBEDDINGS_API_KEY: KEY, EMBEDDINGS_MODEL: 'standin-hash-64', KNOWLEDGE_INDEX_DIR: indexDir, EMBEDDINGS_WEIGHT_PERCENT: '1000', RAG_LEG_BREAKER_OPEN_MS: '300' };
  let server = await startServer(env);
  let passages;
  try {
    const health = (await call(server, 'GET', '/api/monitoring/health')).body.checks.search;
    assert.equal(health.backend, 'xapian+dense');
    passages = health.passages;
    assert.equal(standin.stats.inputs, passages + 1);  // and the probe kept beside them
    assert.ok(standin.stats.calls >= Math.ceil(passages / 64));

    const token = await mintHs256('dense-' + crypto.randomUUID());
    // A question about sleep: lexical retrieval alone (the endpoint failing) does not bring up
    // the caffeine-for-performance passage in its ten; with the dense leg ranking it first and
    // weighted ten to one, the fusion does (a filler word keeps the two apart in the cache).
    const caffeine = (await call(server, 'GET', '/api/knowledge/passages/nutrition-caffeine-performance', { token })).body;
    const question = { query: 'how many hours of sleep do athletes need', namespaces: ['recovery', 'nutrition'] };
    standin.stats.fail = true;
    const lexical = await call(server, 'POST', '/api/knowledge/search', { token, json: { ...question, k: 10 } });
    assert.equal(lexical.body.meta.rag.cache, 'miss');
    assert.equal(lexical.status, 200, lexical.text);
    assert.ok(!lexical.body.sources.some((s) => s.id === caffeine.id), JSON.stringify(lexical.body.sources));
    // The failure left the leg out for RAG_LEG_BREAKER_OPEN_MS; after that one search tries it.
    standin.stats.fail = false;
    await new Promise((resolve) => setTimeout(resolve, 400));
    standin.stats.redirect = `${caffeine.title}\n\n`;
    const r = await call(server, 'POST', '/api/knowledge/search', { token, json: { ...question, query: `${question.query} please`, k: 10 } });
    assert.equal(r.body.meta.rag.cache, 'miss');
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.sources.some((s) => s.id === caffeine.id), JSON.stringify(r.body.sources));
    assert.ok(r.body.sources.some((s) => s.id.includes('sleep')));
    // Filtered inside the index: a namespace not asked for never appears.
    standin.stats.redirect = 'Nordic';  // an exercises passage, outside the namespace asked for
    const filtered = await call(server, 'POST', '/api/knowledge/search', { token, json: { query: 'protein after training', namespaces: ['nutrition'] } });
    assert.ok(filtered.body.sources.every((s) => s.namespace === 'nutrition'));
  } finally {
    await stopServer(server);
  }

  // Restarted with the same knowledge base and model: the saved vectors are used; only the
  // probe is embedded, to see that the model is the same.
  standin.stats.redirect = null;
  let inputsBefore = standin.stats.inputs;
  server = await startServer(env);
  try {
    assert.ok(server.logs.some((l) => l.includes('dense retrieval on') && l.includes('"from_disk":true')));
    assert.equal(standin.stats.inputs, inputsBefore + 1);
    standin.stats.fail = true;
    const token = await mintHs256('dense-down-' + crypto.randomUUID());
    const r = await call(server, 'POST', '/api/knowledge/search', { token, json: { query: 'creatine loading phase' } });
    assert.equal(r.status, 200);
    assert.ok(r.body.sources.some((s) => s.namespace === 'nutrition'));
  } finally {
    await stopServer(server);
  }

  // Restarted while the endpoint is down: the probe cannot be embedded, and the saved vectors
  // serve unverified (each question falls back to the lexical legs until the endpoint is back).
  standin.stats.fail = true;
  server = await startServer(env);
  try {
    assert.ok(server.logs.some((l) => l.includes('dense retrieval on') && l.includes('"from_disk":true')));
  } finally {
    await stopServer(server);
  }

  // The model retrained under the same name, and slow at embedding batches (longer than the
  // deadline a question gets): every passage is embedded again, with a batch's own deadline.
  standin.stats.fail = false;
  standin.stats.revision = 2;
  standin.stats.batchDelayMs = 400;
  inputsBefore = standin.stats.inputs;
  server = await startServer({ ...env, EMBEDDINGS_TIMEOUT_MS: '150' });
  try {
    assert.ok(server.logs.some((l) => l.includes('dense retrieval on') && l.includes('"from_disk":false')));
    assert.equal(standin.stats.inputs, inputsBefore + passages + 1);
  } finally {
    await stopServer(server);
  }

  // Unreachable at start-up: the server starts with lexical retrieval only.
  await standin.close();
  server = await startServer({ ...env, KNOWLEDGE_INDEX_DIR: '', EMBEDDINGS_TIMEOUT_MS: '200' });
  try {
    assert.ok(server.logs.some((l) => l.includes('dense retrieval off')));
    assert.equal((await call(server, 'GET', '/api/monitoring/health')).body.checks.search.backend, 'xapian');
  } finally {
    await stopServer(server);
  }
});

test('rag-eval measures the configured dense leg with the lexical ones; an endpoint that cannot embed is an error (stand-in)', async (t) => {
  const standin = await startEmbeddingsStandIn(KEY);
  t.after(() => standin.close());
  const lexical = await ragEval({});
  assert.equal(lexical.code, 0, lexical.stderr);
  const lexicalFigures = JSON.parse(lexical.stdout);
  assert.equal(lexicalFigures.backend, 'xapian');
  assert.equal(standin.stats.calls, 0);

  const env = { EMBEDDINGS_BASE_URL: standin.url, EMBEDDINGS_API_KEY: KEY, EMBEDDINGS_MODEL: 'standin-hash-64', EMBEDDINGS_WEIGHT_PERCENT: '1000' };
  const fused = await ragEval(env);
  assert.equal(fused.code, 0, fused.stderr);
  const fusedFigures = JSON.parse(fused.stdout);
  assert.equal(fusedFigures.backend, 'xapian+dense');
  assert.equal(fusedFigures.queries, lexicalFigures.queries);
  // Every passage embedded, then the questions: the crude hashed model, weighted ten to one,
  // changes the order the figures are computed on.
  const passages = standin.stats.seen.filter((input) => input.includes('\n\n')).length;
  assert.ok(passages >= 300, String(passages));
  assert.ok(standin.stats.inputs - passages >= fusedFigures.queries, String(standin.stats.inputs));
  assert.notEqual(fusedFigures['ndcg@10'], lexicalFigures['ndcg@10']);

  // The regression baseline is the embedded legs' alone: refused before anything is embedded.
  const calls = standin.stats.calls;
  const baseline = await ragEval(env, ['--baseline']);
  assert.equal(baseline.code, 64);
  assert.match(baseline.stderr, /--baseline/);
  assert.equal(standin.stats.calls, calls);

  // The endpoint failing part of the way through: the figures are not the fused legs', and
  // rag-eval says so instead of printing them as such.
  standin.stats.failQuestions = /sore|doms/i;
  const partly = await ragEval(env);
  assert.equal(partly.code, 1, partly.stderr);
  assert.match(partly.stderr, /searches went without a configured leg/);
  standin.stats.failQuestions = null;

  standin.stats.fail = true;
  const down = await ragEval(env);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /EMBEDDINGS_BASE_URL/);
  assert.equal(down.stdout, '');

  // An in-process model whose files are not there: an error too, naming what is missing.
  const missing = await ragEval({ EMBEDDINGS_LOCAL_DIR: join(tempDir('vf-no-model-'), 'nothing') });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /EMBEDDINGS_LOCAL_DIR/);
  assert.match(missing.stderr, /vocab\.json/);
  assert.equal(missing.stdout, '');
});

test("a route's query and its required facets are embedded in one request, a required facet is remembered, and a failing endpoint is left out for a while (stand-in)", async (t) => {
  const standin = await startEmbeddingsStandIn(KEY);
  t.after(() => standin.close());
  // The break outlasts two retrievals on a loaded machine (the sanitizer build's server).
  const server = await startServer({ EMBEDDINGS_BASE_URL: standin.url, EMBEDDINGS_API_KEY: KEY, EMBEDDINGS_MODEL: 'standin-hash-64', KNOWLEDGE_INDEX_DIR: '', RAG_LEG_BREAKER_OPEN_MS: '3000' });
  t.after(() => stopServer(server));
  const token = await mintHs256('dense-route-' + crypto.randomUUID());
  const logged = await call(server, 'POST', '/api/injury/log', { token, json: { body_part: 'shoulder', severity: 4, description: 'pinches overhead' } });
  assert.equal(logged.status, 201, logged.text);
  const plan = (days) => call(server, 'POST', '/api/knowledge/search', { token, json: { endpoint: 'program/generate/strength', request: { goal: 'strength', days_per_week: days, weeks: 8 } } });
  // What one retrieval asks of the endpoint: the requests it makes and the texts they carry.
  const asked = async (request) => {
    const calls = standin.stats.calls;
    const seen = standin.stats.seen.length;
    const r = await request();
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.meta.rag.cache, 'miss');
    return { r, calls: standin.stats.calls - calls, texts: standin.stats.seen.slice(seen) };
  };

  // The whole query and the injury's required facet, searched apart: one request for both.
  const first = await asked(() => plan(3));
  assert.match(first.r.body.query.text, /training around shoulder pain/);
  assert.equal(first.calls, 1, JSON.stringify(first.texts));
  assert.equal(first.texts.length, 2, JSON.stringify(first.texts));
  assert.ok(first.texts.includes(first.r.body.query.text));
  const facet = first.texts.find((text) => text !== first.r.body.query.text);
  assert.match(facet, /shoulder pain/);

  // Another schedule: a new query; the facet's vector is remembered.
  const second = await asked(() => plan(4));
  assert.equal(second.calls, 1);
  assert.deepEqual(second.texts, [second.r.body.query.text]);

  // The endpoint failing: one request fails and the leg is left out (circuit breaker), so the
  // searches do not ask again, nor the next retrievals for a while; the lexical legs answer,
  // and what they answered alone is not cached.
  standin.stats.fail = true;
  const failedBefore = standin.stats.failedCalls;
  const lexical = await plan(5);
  assert.equal(lexical.status, 200, lexical.text);
  assert.ok(lexical.body.sources.some((s) => s.namespace === 'injury'));
  const again = await plan(5);
  assert.equal(again.body.meta.rag.cache, 'miss');
  assert.equal(standin.stats.failedCalls - failedBefore, 1);
  // The health snapshot (refreshed every second) names the leg left out.
  let health;
  for (let i = 0; i < 30; i++) {
    health = (await call(server, 'GET', '/api/monitoring/health')).body.checks.search;
    if (health.external_skipped > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok(health.external_skipped > 0, JSON.stringify(health));
  assert.equal(health.status, 'degraded');
  assert.deepEqual(health.failing_legs, ['dense:standin-hash-64']);
  // Back, and the break over: the next retrieval uses the leg again, and is cached.
  standin.stats.fail = false;
  await new Promise((resolve) => setTimeout(resolve, 3100));
  const back = await asked(() => plan(5));
  assert.equal(back.calls, 1);
  assert.equal((await plan(5)).body.meta.rag.cache, 'hit');
});
