// Writes the distillation set's first part: texts and the sentence encoder's own vectors for
// them (the teacher's targets). Three kinds, each in a folder of <out-dir>: `base`, the
// classifier's training texts (topics.mjs); `sentences`, every passage's sentences of four words
// or more; `pairs`, neighbouring sentences joined.
//   node distil/encode.mjs <out-dir>
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPassages, loadEncoder, trainingTexts } from '../topics.mjs';

const out = process.argv[2];
if (!out) {
  console.error('usage: node distil/encode.mjs <out-dir>');
  process.exit(64);
}
function sentences(passage) {
  return passage.body
    .replace(/\n+/g, ' ')
    .split(/(?<=[.!?])\s+(?=[A-Z0-9"(])/)
    .map((s) => s.trim())
    .filter((s) => s.split(/\s+/).length >= 4);
}
function pairs(passage) {
  const s = sentences(passage);
  return s.slice(1).map((second, i) => `${s[i]} ${second}`);
}
const kinds = { base: trainingTexts, sentences, pairs };
const passages = loadPassages();
const encoder = await loadEncoder();
for (const [kind, textsOf] of Object.entries(kinds)) {
  const texts = passages.flatMap((p) => textsOf(p));
  const vectors = await encoder.encode(texts);
  const matrix = new Float32Array(vectors.length * vectors[0].length);
  vectors.forEach((v, i) => matrix.set(v, i * v.length));
  const dir = join(out, kind);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'vectors.f32'), Buffer.from(matrix.buffer));
  writeFileSync(join(dir, 'texts.json'), JSON.stringify(texts));
  console.log(`${kind}: ${texts.length} texts encoded`);
}
