// A stand-in for an OpenAI-compatible embeddings API (the hosted models cannot run here):
// POST /v1/embeddings {"model", "input": [...]} with a bearer key, answered in the documented
// {"object": "list", "data": [{"object": "embedding", "index", "embedding"}], "model", "usage"}
// shape. Its vectors are hashed word counts, a crude model; `redirect` makes a query's vector the
// one of the embedded input starting with that text (a passage's title), so a test can see the
// dense leg's choice reach the fused results; `revision` stands for the model retrained under the
// same name (other vectors for the same text); `batchDelayMs` delays replies to batches, as a
// slow model embedding many passages would; `failQuestions`, a pattern, fails any request with a
// question (not a passage) that it matches, as an endpoint going down mid-run would.
import { startStandInServer } from './standin_server.mjs';
import { createHash } from 'node:crypto';

const DIMENSIONS = 64;

function embed(text, revision) {
  const v = new Array(DIMENSIONS).fill(0);
  for (const word of String(text).toLowerCase().match(/[a-z]+/g) ?? []) {
    const h = createHash('sha1').update(`${revision}:${word}`).digest();
    v[h[0] % DIMENSIONS] += h[1] % 2 ? 1 : -1;
  }
  if (v.every((x) => x === 0)) v[0] = 1;
  return v;
}

export async function startEmbeddingsStandIn(key) {
  const stats = { calls: 0, failedCalls: 0, inputs: 0, unauthorized: 0, redirect: null, seen: [], fail: false, revision: 1, batchDelayMs: 0, failQuestions: null };
  const unauthorizedBody = { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } };
  const standin = await startStandInServer({ token: key, unauthorizedBody, stats }, async (req, body, reply) => {
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') return reply(404, { error: { message: 'not found' } });
    if (stats.fail) {
      stats.failedCalls++;
      return reply(503, { error: { message: 'overloaded' } });
    }
    let payload;
    try { payload = JSON.parse(body); } catch { return reply(400, { error: { message: 'invalid JSON' } }); }
    const inputs = Array.isArray(payload.input) ? payload.input : [payload.input];
    if (typeof payload.model !== 'string' || inputs.some((i) => typeof i !== 'string')) {
      return reply(400, { error: { message: 'model and string inputs are required' } });
    }
    if (stats.failQuestions && inputs.some((i) => !i.includes('\n\n') && stats.failQuestions.test(i))) {
      stats.failedCalls++;
      return reply(503, { error: { message: 'overloaded' } });
    }
    stats.calls++;
    stats.inputs += inputs.length;
    const data = inputs.map((input, index) => {
      let source = input;
      if (stats.redirect && inputs.length === 1) source = stats.seen.find((s) => s.startsWith(stats.redirect)) ?? input;
      else stats.seen.push(input);
      return { object: 'embedding', index, embedding: embed(source, stats.revision) };
    });
    if (inputs.length > 1 && stats.batchDelayMs) await new Promise((r) => setTimeout(r, stats.batchDelayMs));
    reply(200, { object: 'list', data, model: payload.model, usage: { prompt_tokens: 0, total_tokens: 0 } });
  });
  return {
    url: `${standin.origin}/v1`,
    stats,
    close: standin.close,
  };
}
