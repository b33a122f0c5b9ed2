// Cold vs warm GET /api/context against a running server (URL and TOKEN from the environment):
// 12 workouts of 20 sets and 12 runs are logged first; then each round makes the context cold
// (a profile write invalidates it) and reads it twice. Reports the server's own handler time
// (meta.latency_ms) and the client's round trip, p50 and p95 of each.
const url = process.env.URL, token = process.env.TOKEN;
const rounds = Number(process.env.ROUNDS || 200);
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const send = async (method, path, body) => {
  const started = performance.now();
  const r = await fetch(url + path, { method, headers, body: body && JSON.stringify(body) });
  const json = await r.json();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return { json, ms: performance.now() - started };
};
for (let d = 0; d < 12; d++) {
  const at = new Date(Date.now() - d * 2 * 86400e3).toISOString();
  const sets = Array.from({ length: 20 }, (_, s) => ({ exercise: s < 10 ? 'back squat' : 'bench press', reps: 5, weight_kg: 100 + s }));
  await send('POST', '/api/workouts', { performed_at: at, sets });
  await send('POST', '/api/runs', { started_at: at, distance_m: 8000, duration_s: 2600 });
}
const cold = { server: [], client: [] }, warm = { server: [], client: [] };
for (let i = 0; i < rounds; i++) {
  await send('PUT', '/api/profile', { age: 30 + (i % 20), goals: ['strength'] });
  const c = await send('GET', '/api/context');
  const w = await send('GET', '/api/context');
  if (c.json.meta.cached || !w.json.meta.cached) throw new Error('expected a miss then a hit');
  cold.server.push(c.json.meta.latency_ms); cold.client.push(c.ms);
  warm.server.push(w.json.meta.latency_ms); warm.client.push(w.ms);
}
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * p)].toFixed(3);
for (const [name, m] of [['cold (miss: built from the store)', cold], ['warm (hit)', warm]]) {
  console.log(`${name.padEnd(34)} handler p50 ${pct(m.server, 0.5)} ms, p95 ${pct(m.server, 0.95)} ms; round trip p50 ${pct(m.client, 0.5)} ms, p95 ${pct(m.client, 0.95)} ms`);
}
