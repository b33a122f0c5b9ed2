// The local embeddings endpoint (tools/embeddings-server): a real sentence encoder read through
// the knowledge-topic classifier, behind the OpenAI embeddings API the dense leg speaks. Its
// request checks, that its classifier was trained on the knowledge base as it is, that its
// vectors carry meaning the knowledge base's own words do not, and the retrieval figures of the
// server's lexical legs fused with it, held to knowledge/eval/baseline.json like the lexical ones;
// and that the server computes the same vectors in-process (EMBEDDINGS_LOCAL_DIR).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, tempDir, ragEval } from './harness.mjs';

const tools = new URL('../../tools/embeddings-server/', import.meta.url).pathname;
const { startEmbeddingsServer, MODEL } = await import(join(tools, 'server.mjs'));
const { loadPassages, passageText } = await import(join(tools, 'topics.mjs'));
const KEY = 'local-embeddings-key';
const sanitized = process.env.VOICEFIT_SANITIZED === 'true' || process.env.VOICEFIT_SANITIZED === '1';
const baselines = JSON.parse(readFileSync(new URL('../../knowledge/eval/baseline.json', import.meta.url), 'utf8'));

async function post(port, body, { key = KEY, raw } = {}) {
  const res = await fetch(`http://127.0.0.1:${port}/v1/embeddings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: raw ?? JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

const cosine = (a, b) => a.reduce((sum, x, i) => sum + x * b[i], 0);

let embeddings;
test.before(async () => {
  embeddings = await startEmbeddingsServer({ port: 0, apiKey: KEY });
});
test.after(() => embeddings.server.close());

test('trained on the knowledge base as it is (after adding or removing passages, run tools/embeddings-server/train)', async () => {
  const health = await (await fetch(`http://127.0.0.1:${embeddings.port}/health`)).json();
  assert.equal(health.model, MODEL);
  assert.equal(health.trained_on_current_knowledge, true);
  assert.ok(health.passages >= 300, String(health.passages));
});

test('answers in the OpenAI embeddings shape: one unit vector per input, in order', async () => {
  const inputs = ['how long should i rest between sets', 'easy run pace'];
  const r = await post(embeddings.port, { model: MODEL, input: inputs });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.object, 'list');
  assert.equal(r.body.model, MODEL);
  assert.deepEqual(r.body.data.map((d) => d.index), [0, 1]);
  for (const d of r.body.data) {
    assert.equal(d.object, 'embedding');
    assert.equal(d.embedding.length, embeddings.passages);
    assert.ok(Math.abs(cosine(d.embedding, d.embedding) - 1) < 1e-6);
  }
  assert.ok(r.body.usage.prompt_tokens >= 9);
  const single = await post(embeddings.port, { model: MODEL, input: inputs[0] });
  assert.equal(single.status, 200);
  assert.ok(cosine(single.body.data[0].embedding, r.body.data[0].embedding) > 0.9999);
});

test('rejects bad requests with OpenAI-style errors', async () => {
  const { port } = embeddings;
  assert.equal((await post(port, { model: MODEL, input: 'x' }, { key: '' })).status, 401);
  assert.equal((await post(port, { model: MODEL, input: 'x' }, { key: 'wrong' })).status, 401);
  assert.equal((await post(port, null, { raw: '{"model":' })).status, 400);
  assert.equal((await post(port, [MODEL])).status, 400);
  assert.equal((await post(port, { input: 'x' })).body.error.param, 'model');
  const unknown = await post(port, { model: 'text-embedding-3-small', input: 'x' });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, 'model_not_found');
  for (const input of [[], [''], [42], ['x', null], 'y'.repeat(40000)]) {
    const r = await post(port, { model: MODEL, input });
    assert.equal(r.status, 400, JSON.stringify(input).slice(0, 40));
    assert.equal(r.body.error.param, 'input');
  }
  assert.equal((await post(port, { model: MODEL, input: 'x', encoding_format: 'base64' })).status, 400);
  assert.equal((await post(port, null, { raw: JSON.stringify({ model: MODEL, input: 'z'.repeat(9 << 20) }) })).status, 413);
  assert.equal((await fetch(`http://127.0.0.1:${port}/v1/embeddings`)).status, 405);
  assert.equal((await fetch(`http://127.0.0.1:${port}/v1/models`)).status, 404);
});

test('a question in words the knowledge base never uses lands on its topic', async () => {
  // Neither "infant" nor "gym rat" is anywhere in the knowledge base.
  const passages = new Map(loadPassages().map((p) => [p.id, passageText(p)]));
  const passage = (id) => passages.get(id) ?? assert.fail(`no passage ${id}`);
  const texts = [
    'my infant wakes me every two hours, is it still worth training',
    passage('recovery-sleep-loss-effects'),
    passage('exercises-back-squat'),
    passage('nutrition-creatine-how-to-take'),
  ];
  const r = await post(embeddings.port, { model: MODEL, input: texts });
  assert.equal(r.status, 200);
  const [question, sleep, squat, creatine] = r.body.data.map((d) => d.embedding);
  assert.ok(cosine(question, sleep) > cosine(question, squat) && cosine(question, sleep) > cosine(question, creatine),
    `${cosine(question, sleep)} ${cosine(question, squat)} ${cosine(question, creatine)}`);
});

// `voicefit embed` with the sentence encoder computed in-process (the endpoint's model; the
// server's default in-process model is its distilled student, tested below).
function embedInProcess(texts) {
  return new Promise((resolve) => {
    const child = spawn(BIN, ['embed'], {
      env: { PATH: process.env.PATH, EMBEDDINGS_LOCAL_DIR: tools, EMBEDDINGS_LOCAL_MODEL: 'encoder' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(JSON.stringify(texts));
  });
}

test('the server computes the same vectors in-process: tokenizer, encoder and classifier', { timeout: 300_000 }, async () => {
  const passages = loadPassages();
  // Passage texts of every length (the encoder reads the first 128 pieces), questions, and the
  // tokenizer's edge cases: one letter, NFKC forms, pieces with no score (':'), a
  // character outside the vocabulary, emoji outside the Basic Multilingual Plane, runs of spaces.
  const texts = [
    ...passages.filter((_, i) => i % 15 === 0).map(passageText),
    'how many sets per muscle per week do i need to grow',
    'legs are absolutely wrecked 2 days after leg day, anything that actually helps with DOMS?',
    'a', 'Ünïcödé café — naïve “quotes” 10× ½ ﬁt', 'ratio 3:1 :) :( http://x.y',
    '漢字 and ☃ snow', 'lifting 💪🏽 today', '  two   spaces  ', 'x'.repeat(400),
  ];
  const endpoint = await post(embeddings.port, { model: MODEL, input: texts });
  assert.equal(endpoint.status, 200, JSON.stringify(endpoint.body));
  const run = await embedInProcess(texts);
  assert.equal(run.code, 0, run.stderr);
  const local = JSON.parse(run.stdout);
  assert.equal(local.length, texts.length);
  texts.forEach((text, i) => {
    const expected = endpoint.body.data[i].embedding;
    assert.equal(local[i].length, expected.length);
    const worst = Math.max(...local[i].map((x, j) => Math.abs(x - expected[j])));
    assert.ok(worst < 1e-4, `${JSON.stringify(text.slice(0, 60))}: differs by ${worst}`);
    assert.ok(cosine(local[i], expected) > 0.99999, JSON.stringify(text.slice(0, 60)));
  });
});

// The figures of the whole pipeline with the local model fused in (EMBEDDINGS_WEIGHT_PERCENT 25,
// chosen on the training split and fresh set; 0 for a route's composed query, chosen on the
// training split's route queries: the in-process model's defaults), held to those recorded under
// "dense" in baseline.json with the lexical gates' margins, and above the lexical legs' own.
test('the lexical legs fused with the local model keep their recorded figures on the report split and the fresh set', { timeout: 600_000 }, async () => {
  const env = {
    EMBEDDINGS_BASE_URL: `http://127.0.0.1:${embeddings.port}/v1`,
    EMBEDDINGS_API_KEY: KEY,
    EMBEDDINGS_MODEL: MODEL,
    EMBEDDINGS_WEIGHT_PERCENT: String(baselines.dense.weight_percent),
    EMBEDDINGS_COMPOSED_WEIGHT_PERCENT: String(baselines.dense.composed_weight_percent),
  };
  const indexDir = join(tempDir('vf-local-dense-'), 'index');  // passages embedded once for both
  const inProcessIndexDir = join(tempDir('vf-in-process-dense-'), 'index');
  for (const split of ['test', 'fresh']) {
    const run = await ragEval(env, ['--split', split, '--misses'], indexDir);
    // The same model computed in-process, passages embedded by it too: the same figures. (Not
    // in the sanitizer build, whose debug evaluation would take minutes more; `voicefit embed`
    // above runs the same code there.)
    if (!sanitized) {
      const inProcess = await ragEval({ EMBEDDINGS_LOCAL_DIR: tools, EMBEDDINGS_LOCAL_MODEL: 'encoder' },
        ['--split', split, '--misses'], inProcessIndexDir);
      assert.equal(inProcess.code, 0, inProcess.stderr);
      assert.match(inProcess.stderr, /"in_process":true/);
      assert.equal(inProcess.stdout, run.stdout);
    }
    assert.equal(run.code, 0, run.stderr);
    const figures = JSON.parse(run.stdout.slice(0, run.stdout.indexOf('\n}\n') + 2));
    const recorded = baselines.dense[split];
    const label = `${split}: ${JSON.stringify(figures)}\n${run.stdout.slice(run.stdout.indexOf('\n}\n') + 3)}`;
    assert.equal(figures.backend, 'xapian+dense');
    // The server sent every passage's text exactly as the classifier learned it.
    assert.equal(embeddings.stats.passageInputs.size, embeddings.passages);
    assert.equal(figures.queries, recorded.queries);
    assert.ok(figures['ndcg@10'] >= recorded['ndcg@10'] - 0.01, label);
    assert.ok(figures['answer_recall@5'] >= recorded['answer_recall@5'] - 0.02, label);
    assert.ok(figures['answer_recall@5'] > baselines[split]['answer_recall@5'], label);
    console.log(`local dense leg, ${split}: answer recall@5 ${figures['answer_recall@5']}, nDCG@10 ${figures['ndcg@10']}`);
  }
});

// The distilled encoder (the in-process default): trained to give the encoder's vectors at a
// sixth of its cost, held to its own recorded figures ("distilled" in baseline.json) and above
// the lexical legs'. Not in the sanitizer build, for time, as above; the unit tests compare its
// vectors with PyTorch's there.
test('the distilled model computed in-process keeps its recorded figures on the report split and the fresh set', { timeout: 600_000, skip: sanitized }, async () => {
  const indexDir = join(tempDir('vf-distilled-dense-'), 'index');
  for (const split of ['test', 'fresh']) {
    const run = await ragEval({ EMBEDDINGS_LOCAL_DIR: tools }, ['--split', split, '--misses'], indexDir);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /"model":"knowledge-topics-distilled"/);
    const figures = JSON.parse(run.stdout.slice(0, run.stdout.indexOf('\n}\n') + 2));
    const recorded = baselines.distilled[split];
    const label = `${split}: ${JSON.stringify(figures)}\n${run.stdout.slice(run.stdout.indexOf('\n}\n') + 3)}`;
    assert.equal(figures.backend, 'xapian+dense');
    assert.equal(figures.queries, recorded.queries);
    assert.ok(figures['ndcg@10'] >= recorded['ndcg@10'] - 0.01, label);
    assert.ok(figures['answer_recall@5'] >= recorded['answer_recall@5'] - 0.02, label);
    assert.ok(figures['answer_recall@5'] > baselines[split]['answer_recall@5'], label);
    console.log(`distilled dense leg, ${split}: answer recall@5 ${figures['answer_recall@5']}, nDCG@10 ${figures['ndcg@10']}`);
  }
});
