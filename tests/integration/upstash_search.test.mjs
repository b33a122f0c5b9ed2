// Upstash Search as the optional hosted retrieval leg, against a local stand-in of its REST API
// (the hosted service cannot run here): the knowledge base is mirrored once per version, queries
// carry the selected namespaces as a filter and no LLM rewriting, its ranking is fused with the
// embedded one, and when it is gone the embedded index answers alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer, call, mintHs256 } from './harness.mjs';
import { startUpstashSearchStandIn } from './upstash_search_standin.mjs';

const TOKEN = 'search-standin-token';

test('mirrors the knowledge base, fuses the hosted ranking, survives its loss (stand-in)', async (t) => {
  const standin = await startUpstashSearchStandIn(TOKEN);
  t.after(() => standin.close());
  const env = { UPSTASH_SEARCH_REST_URL: standin.url, UPSTASH_SEARCH_REST_TOKEN: TOKEN, UPSTASH_SEARCH_INDEX: 'kb-test', UPSTASH_SEARCH_WEIGHT_PERCENT: '300' };
  let server = await startServer(env);
  try {
    const health = (await call(server, 'GET', '/api/monitoring/health')).body.checks.search;
    assert.equal(health.backend, 'xapian+upstash');
    const docs = standin.indexes.get('kb-test');
    assert.equal(docs.size, health.passages + 1);  // every passage and the version document
    assert.equal(docs.get('_kb_version').content.version.slice(0, 16), health.kb_version);
    assert.ok(standin.stats.requests.some((r) => r.command === 'reset'));
    assert.equal(standin.stats.unauthorized, 0);

    const token = await mintHs256('upstash-search-' + crypto.randomUUID());
    // A recovery passage about something else than sleep, as the hosted leg's only answer.
    standin.stats.only = [...docs.keys()].find((id) => id.startsWith('recovery-') && !id.includes('sleep'));
    const r = await call(server, 'POST', '/api/knowledge/search', { token, json: { query: 'how much sleep do athletes need each night' } });
    assert.equal(r.status, 200, r.text);
    const searchRequest = standin.stats.requests.findLast((x) => x.command === 'search');
    assert.equal(searchRequest.payload.inputEnrichment, false);
    assert.equal(searchRequest.payload.reranking, false);
    assert.ok(searchRequest.payload.topK >= 5);
    const filtered = /IN \((.*)\)/.exec(searchRequest.payload.filter)[1].split(', ').map((s) => s.slice(1, -1));
    assert.deepEqual(filtered, r.body.meta.rag.namespaces);
    // Weighted three to one, the hosted leg's first choice leads the fused list.
    assert.equal(r.body.sources[0].id, standin.stats.only, JSON.stringify(r.body.sources));
    assert.ok(r.body.sources.some((s) => s.id.startsWith('recovery-sleep')));
  } finally {
    await stopServer(server);
  }

  // Same knowledge base: nothing uploaded again.
  const before = standin.stats.requests.length;
  server = await startServer(env);
  try {
    const since = standin.stats.requests.slice(before).map((r) => r.command);
    assert.deepEqual(since, ['fetch']);
    await standin.close();
    const token = await mintHs256('upstash-search-gone-' + crypto.randomUUID());
    const r = await call(server, 'POST', '/api/knowledge/search', { token, json: { query: 'best time to take creatine' } });
    assert.equal(r.status, 200, r.text);
    assert.ok(r.body.sources.some((s) => s.namespace === 'nutrition'));
    await new Promise((resolve) => setTimeout(resolve, 1100));  // the health snapshot refreshes each second
    const health = (await call(server, 'GET', '/api/monitoring/health')).body.checks.search;
    assert.ok(health.external_failures >= 1);
  } finally {
    await stopServer(server);
  }
});

test('a wrong token is reported at start-up and the server still serves (stand-in)', async (t) => {
  const standin = await startUpstashSearchStandIn(TOKEN);
  t.after(() => standin.close());
  const server = await startServer({ UPSTASH_SEARCH_REST_URL: standin.url, UPSTASH_SEARCH_REST_TOKEN: 'wrong' });
  try {
    assert.ok(server.logs.some((l) => l.includes('upstash search sync failed') && l.includes('401')));
    const token = await mintHs256('upstash-search-bad-' + crypto.randomUUID());
    const r = await call(server, 'POST', '/api/knowledge/search', { token, json: { query: 'deload week' } });
    assert.equal(r.status, 200);
    assert.ok(r.body.sources.length > 0);
  } finally {
    await stopServer(server);
  }
});
