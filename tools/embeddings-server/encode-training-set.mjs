// Writes the classifier's training set for train_topics.py: every training text of every passage
// (topics.mjs) as its sentence vector, with the passage's index as its label.
//   node encode-training-set.mjs <out-dir>
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPassages, loadEncoder, trainingTexts } from './topics.mjs';

const out = process.argv[2];
if (!out) {
  console.error('usage: node encode-training-set.mjs <out-dir>');
  process.exit(64);
}
mkdirSync(out, { recursive: true });
const passages = loadPassages();
const texts = [];
const labels = [];
passages.forEach((p, index) => {
  for (const text of trainingTexts(p)) {
    texts.push(text);
    labels.push(index);
  }
});
const encoder = await loadEncoder();
const vectors = await encoder.encode(texts);
const dimensions = vectors[0].length;
const matrix = new Float32Array(vectors.length * dimensions);
vectors.forEach((v, i) => matrix.set(v, i * dimensions));
writeFileSync(join(out, 'vectors.f32'), Buffer.from(matrix.buffer));
writeFileSync(join(out, 'labels.json'), JSON.stringify({
  dimensions,
  labels,
  passages: passages.map((p) => p.id),
}));
console.log(`encoded ${texts.length} texts of ${passages.length} passages (${dimensions} dimensions)`);
