// Experiment: encode the base training set and extra example kinds into separate folders.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPassages, loadEncoder, trainingTexts } from '/work/main/tools/embeddings-server/topics.mjs';
const out = process.argv[2];
const passages = loadPassages();
const encoder = await loadEncoder();
function sentences(p) {
  return p.body.replace(/\n+/g, ' ').split(/(?<=[.!?])\s+(?=[A-Z0-9"(])/).map((s) => s.trim()).filter((s) => s.split(/\s+/).length >= 4);
}
const kinds = {
  base: (p) => trainingTexts(p),
  sentences,
  pairs: (p) => { const s = sentences(p); const r = []; for (let i = 0; i + 1 < s.length; i++) r.push(`${s[i]} ${s[i + 1]}`); return r; },
  titled: (p) => sentences(p).map((s) => `${p.title}: ${s}`),
};
for (const [kind, fn] of Object.entries(kinds)) {
  const texts = []; const labels = [];
  passages.forEach((p, i) => { for (const t of fn(p)) { texts.push(t); labels.push(i); } });
  const t0 = Date.now();
  const vectors = await encoder.encode(texts);
  const dims = vectors[0].length;
  const m = new Float32Array(vectors.length * dims);
  vectors.forEach((v, i) => m.set(v, i * dims));
  const dir = join(out, kind); mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'vectors.f32'), Buffer.from(m.buffer));
  writeFileSync(join(dir, 'labels.json'), JSON.stringify({ dimensions: dims, labels, passages: passages.map((p) => p.id) }));
  writeFileSync(join(dir, 'texts.json'), JSON.stringify(texts));
  console.log(kind, texts.length, ((Date.now() - t0) / 1000).toFixed(0) + 's');
}
