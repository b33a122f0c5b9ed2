// A stand-in for Upstash Search's hosted REST API (which cannot run here), with the request and
// response shapes its SDKs use: POST /{command}/{index} with a bearer token, {"result": ...} on
// success, {"error", "status"} otherwise. Commands: upsert-data, search, fetch, reset, info.
// Its ranking is plain word overlap (not Upstash's semantic model); `only` makes every answer
// that one document, so a test can see the server fuse this leg's ranking into its own.
import { startStandInServer } from './standin_server.mjs';

const words = (text) => String(text).toLowerCase().match(/[a-z0-9]+/g) ?? [];

// The subset of Upstash's filter language the server sends.
function parseFilter(filter) {
  if (filter === undefined) return () => true;
  let m = /^@metadata\.namespace IN \(((?:'[a-z-]+'(?:, )?)+)\)$/.exec(filter);
  if (m) {
    const allowed = new Set(m[1].split(', ').map((s) => s.slice(1, -1)));
    return (doc) => allowed.has(doc.metadata?.namespace);
  }
  m = /^@metadata\.namespace != '([a-z_-]+)'$/.exec(filter);
  if (m) return (doc) => doc.metadata?.namespace !== m[1];
  throw new Error(`unsupported filter: ${filter}`);
}

export async function startUpstashSearchStandIn(token) {
  const indexes = new Map();  // index -> Map(id -> doc)
  const stats = { requests: [], unauthorized: 0, only: null };
  const standin = await startStandInServer({ token, unauthorizedBody: { error: 'Unauthorized', status: 401 }, stats }, (req, body, reply) => {
    const [, command, index] = req.url.split('/');
    let payload = {};
    try { if (body) payload = JSON.parse(body); } catch { return reply(400, { error: 'invalid JSON', status: 400 }); }
    stats.requests.push({ command, index, payload });
    const docs = indexes.get(index) ?? new Map();
    indexes.set(index, docs);
    try {
      switch (command) {
        case 'upsert-data': {
          for (const doc of Array.isArray(payload) ? payload : [payload]) {
            if (typeof doc.id !== 'string' || typeof doc.content !== 'object') throw new Error('each document needs an id and content');
            docs.set(doc.id, doc);
          }
          return reply(200, { result: 'Success' });
        }
        case 'fetch':
          return reply(200, { result: (payload.ids ?? []).map((id) => docs.get(id) ?? null) });
        case 'reset':
          docs.clear();
          return reply(200, { result: 'Success' });
        case 'info':
          return reply(200, { result: { documentCount: docs.size, pendingDocumentCount: 0 } });
        case 'search': {
          if (typeof payload.query !== 'string') throw new Error('query is required');
          const keep = parseFilter(payload.filter);
          const q = new Set(words(payload.query));
          const scored = [];
          for (const doc of docs.values()) {
            if (!keep(doc)) continue;
            const text = words(Object.values(doc.content).join(' '));
            let score = text.filter((w) => q.has(w)).length / Math.sqrt(text.length + 1);
            if (stats.only) score = doc.id === stats.only ? 1 : 0;
            if (score > 0) scored.push({ id: doc.id, score, metadata: payload.includeMetadata ? doc.metadata : undefined });
          }
          scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
          const top = scored.slice(0, payload.topK ?? 5);
          const best = top[0]?.score || 1;
          for (const d of top) d.score /= best;  // 0-1, as documented
          return reply(200, { result: top });
        }
        default:
          return reply(404, { error: `unknown command ${command}`, status: 404 });
      }
    } catch (e) {
      return reply(400, { error: e.message, status: 400 });
    }
  });
  return {
    url: standin.origin,
    stats,
    indexes,
    close: standin.close,
  };
}
