// A stand-in for Upstash's hosted REST API (which cannot run here): POST / with a JSON array
// command and a bearer token, answered {"result": ...} or {"error": "..."} (HTTP 400), as
// Upstash documents it. Commands are forwarded to a real local redis-server with ioredis, so the
// project's Lua script really runs.
import { startStandInServer } from './standin_server.mjs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';

const require = createRequire(join(dirname(new URL(import.meta.url).pathname), '../interop/'));
const Redis = require('ioredis');

export async function startUpstashStandIn(redisUrl, token) {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 });
  await redis.connect();
  const stats = { commands: [], unauthorized: 0 };
  const standin = await startStandInServer({ token, unauthorizedBody: { error: 'Unauthorized' }, stats }, async (req, body, reply) => {
    let command;
    try { command = JSON.parse(body); } catch { return reply(400, { error: 'ERR invalid JSON' }); }
    if (req.method !== 'POST' || req.url !== '/' || !Array.isArray(command) || command.length === 0) {
      return reply(400, { error: 'ERR expected a JSON array command' });
    }
    stats.commands.push(String(command[0]).toUpperCase());
    try {
      const result = await redis.call(...command.map(String));
      reply(200, { result });
    } catch (e) {
      reply(400, { error: e.message });
    }
  });
  return {
    url: standin.origin,
    stats,
    redis,
    close: async () => { await standin.close(); await redis.quit(); },
  };
}
