// A local OpenAI-compatible embeddings endpoint serving knowledge-topic embeddings (topics.mjs),
// for the server's optional dense retrieval leg without any hosted model:
//   EMBEDDINGS_BASE_URL=http://127.0.0.1:8091/v1 EMBEDDINGS_MODEL=knowledge-topics
// Environment: PORT (8091), HOST (127.0.0.1), EMBEDDINGS_API_KEY (when set, requests need it as
// a bearer token). Routes: POST /v1/embeddings (OpenAI's request and response shapes), GET /health.
import http from 'node:http';
import { loadClassifier, loadEncoder, loadPassages, passageText } from './topics.mjs';

export const MODEL = 'knowledge-topics';
const MAX_BODY_BYTES = 8 << 20;
const MAX_INPUTS = 2048;  // OpenAI's own limit per request
const MAX_INPUT_CHARS = 32768;

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function fail(res, status, message, type = 'invalid_request_error', code = null, param = null) {
  reply(res, status, { error: { message, type, param, code } });
}

// The request's inputs as a list. Returns [status, message, param] when the request is not well formed.
function inputsOf(payload) {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    return [400, 'the body must be a JSON object', null];
  }
  if (typeof payload.model !== 'string' || payload.model === '') return [400, 'model is required', 'model'];
  if (payload.model !== MODEL) return [404, `The model '${payload.model}' does not exist`, 'model'];
  const inputs = Array.isArray(payload.input) ? payload.input : [payload.input];
  if (inputs.length === 0 || inputs.length > MAX_INPUTS) {
    return [400, `input must hold 1 to ${MAX_INPUTS} strings`, 'input'];
  }
  if (inputs.some((s) => typeof s !== 'string' || s.length === 0 || s.length > MAX_INPUT_CHARS)) {
    return [400, `every input must be a non-empty string of at most ${MAX_INPUT_CHARS} characters`, 'input'];
  }
  if (payload.encoding_format !== undefined && payload.encoding_format !== 'float') {
    return [400, "only encoding_format 'float' is served", 'encoding_format'];
  }
  return { inputs };
}

export async function startEmbeddingsServer({ port = 8091, host = '127.0.0.1', apiKey = '' } = {}) {
  const classifier = loadClassifier();
  const encoder = await loadEncoder();
  const passages = loadPassages();
  const knowledge = passages.map((p) => p.id);
  // The classifier learned each passage's text as the dense leg sends it; counting the inputs
  // that match one exactly shows the two agree on that text.
  const passageTexts = new Set(passages.map(passageText));
  const stats = { passageInputs: new Set() };
  // Trained for another set of passages, the vectors still work (a new passage is read as the
  // passages it resembles) but are weaker: say so, and retrain (./train).
  const matches = knowledge.length === classifier.meta.passages.length &&
    knowledge.every((id, i) => id === classifier.meta.passages[i]);
  if (!matches) console.warn('embeddings-server: the classifier was trained on other passages; run ./train');

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/health') {
      if (req.method !== 'GET') return fail(res, 405, 'use GET');
      return reply(res, 200, { status: 'ok', model: MODEL, passages: classifier.meta.passages.length,
        trained_on_current_knowledge: matches });
    }
    if (path !== '/v1/embeddings') return fail(res, 404, `no route ${path}`);
    if (req.method !== 'POST') return fail(res, 405, 'use POST');
    if (apiKey && req.headers.authorization !== `Bearer ${apiKey}`) {
      return fail(res, 401, 'Incorrect API key provided', 'invalid_request_error', 'invalid_api_key');
    }
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', async () => {
      if (size > MAX_BODY_BYTES) return fail(res, 413, `the body is over ${MAX_BODY_BYTES} bytes`);
      let payload;
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return fail(res, 400, 'the body is not valid JSON');
      }
      const checked = inputsOf(payload);
      if (Array.isArray(checked)) {
        const [status, message, param] = checked;
        return fail(res, status, message, 'invalid_request_error', status === 404 ? 'model_not_found' : null, param);
      }
      const { inputs } = checked;
      for (const input of inputs) if (passageTexts.has(input)) stats.passageInputs.add(input);
      try {
        const sentences = await encoder.encode(inputs);
        const data = sentences.map((s, index) => ({ object: 'embedding', index, embedding: classifier.topics(s) }));
        const tokens = inputs.reduce((n, s) => n + (s.match(/\S+/g) ?? []).length, 0);
        reply(res, 200, { object: 'list', data, model: MODEL, usage: { prompt_tokens: tokens, total_tokens: tokens } });
      } catch (e) {
        fail(res, 500, `encoding failed: ${e.message}`, 'server_error');
      }
    });
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  return { server, port: server.address().port, passages: classifier.meta.passages.length, matches, stats };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { port } = await startEmbeddingsServer({
    port: Number(process.env.PORT ?? 8091),
    host: process.env.HOST ?? '127.0.0.1',
    apiKey: process.env.EMBEDDINGS_API_KEY ?? '',
  });
  console.log(`embeddings-server: ${MODEL} on port ${port}`);
}
