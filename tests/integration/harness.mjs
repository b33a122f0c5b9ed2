// Test harness: starts the real server binary on 127.0.0.1 port 0, talks to it over real sockets,
// mints tokens with jose (the library Supabase's own tooling uses).
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import net from 'node:net';

const require = createRequire(join(dirname(new URL(import.meta.url).pathname), '../interop/'));
const jose = await import(require.resolve('jose'));
export { jose };

export const SECRET = 'integration-secret-at-least-32-bytes-long!!';
export const BIN = process.env.VOICEFIT_BIN || new URL('../../build/voicefit', import.meta.url).pathname;

export function tempDir(prefix = 'vf-it-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// One search-index folder for every test server, as servers of a deployment share one: the first
// to start builds each knowledge-base version's index (the sanitizer build takes seconds), the
// rest reuse it, and concurrent starts exercise the build-and-rename path. A test passes its
// own KNOWLEDGE_INDEX_DIR to start from nothing. scripts/test prebuilds it.
export const SHARED_INDEX_DIR = process.env.VOICEFIT_TEST_INDEX_DIR || join(tmpdir(), 'voicefit-test-index');

// Starts `voicefit serve`; resolves once it logs "listening". Collects stdout lines in `logs`.
export async function startServer(env = {}, { bin = BIN, args = ['serve'], expectFailure = false } = {}) {
  const dir = tempDir();
  const child = spawn(bin, args, {
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: `sqlite://${join(dir, 'vf.db')}`,
      SUPABASE_JWT_SECRET: SECRET,
      IO_THREADS: '2',
      KNOWLEDGE_INDEX_DIR: SHARED_INDEX_DIR,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const server = { child, dir, logs: [], stderr: '', port: 0, exited: null };
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      server.logs.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
  });
  child.stderr.on('data', (chunk) => (server.stderr += chunk));
  server.exited = new Promise((resolve) => child.on('exit', (code, signal) => {
    if ((signal && signal !== 'SIGTERM' && signal !== 'SIGKILL') || (code !== 0 && !expectFailure)) {
      console.error(`server died (${code} ${signal}); stderr:\n${server.stderr}\nlast log lines:\n${server.logs.slice(-5).join('\n')}`);
    }
    resolve({ code, signal });
  }));
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    const line = server.logs.find((l) => l.includes('"msg":"listening"'));
    if (line) {
      server.port = JSON.parse(line).port;
      server.url = `http://127.0.0.1:${server.port}`;
      return server;
    }
    const done = await Promise.race([server.exited, sleep(20).then(() => null)]);
    if (done) {
      if (expectFailure) return { ...server, exit: done };
      throw new Error(`server exited early (${JSON.stringify(done)}): ${server.stderr}`);
    }
  }
  child.kill('SIGKILL');
  throw new Error('server did not start in time: ' + server.stderr);
}

export async function stopServer(server, signal = 'SIGTERM') {
  if (!server?.child || server.child.exitCode !== null) return server?.exited;
  server.child.kill(signal);
  return server.exited;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function mintHs256(sub, { tier, role = 'authenticated', ttl = 3600, claims = {}, secret = SECRET } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const app_metadata = { provider: 'email', providers: ['email'] };
  if (tier) app_metadata.tier = tier;
  return new jose.SignJWT({ role, app_metadata, user_metadata: {}, aal: 'aal1', is_anonymous: false, email: `${sub}@example.com`, phone: '', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(sub).setAudience('authenticated').setIssuer('http://127.0.0.1:54321/auth/v1')
    .setIssuedAt(now).setExpirationTime(now + ttl)
    .sign(new TextEncoder().encode(secret));
}

// A signing key pair for ES256 or RS256 and its public JWK, as Supabase's signing keys are.
export async function signingKey(alg) {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true });
  const kid = crypto.randomUUID();
  const jwk = { ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig', key_ops: ['verify'] };
  return { alg, kid, privateKey, jwk };
}

export async function mintWithKey(key, sub, { tier, ttl = 3600, kid = key.kid } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const app_metadata = { provider: 'email' };
  if (tier) app_metadata.tier = tier;
  return new jose.SignJWT({ role: 'authenticated', app_metadata, user_metadata: {}, session_id: crypto.randomUUID() })
    .setProtectedHeader({ alg: key.alg, kid, typ: 'JWT' })
    .setSubject(sub).setAudience('authenticated').setIssuer('https://project.supabase.co/auth/v1')
    .setIssuedAt(now).setExpirationTime(now + ttl)
    .sign(key.privateKey);
}

export function writeJwks(dir, keys) {
  const path = join(dir, 'jwks.json');
  writeFileSync(path, JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  return path;
}

// fetch with a JSON body and a bearer token; returns { status, headers, body (parsed when JSON), text }.
export async function call(server, method, path, { token, json, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (json !== undefined) {
    h['content-type'] ??= 'application/json';
    body = JSON.stringify(json);
  }
  const res = await fetch(server.url + path, { method, headers: h, body });
  const text = await res.text();
  let parsed;
  try { parsed = JSON.parse(text); } catch { parsed = undefined; }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

// Writes raw bytes on a new socket and collects whatever comes back until close or timeout.
export function rawExchange(port, payload, { timeoutMs = 5000, chunks } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let closed = false;
    const started = Date.now();
    const finish = () => { if (!closed) { closed = true; socket.destroy(); resolve({ received, ms: Date.now() - started }); } };
    socket.on('data', (d) => (received += d));
    socket.on('close', finish);
    socket.on('error', finish);
    setTimeout(finish, timeoutMs);
    socket.on('connect', async () => {
      if (chunks) {
        for (const c of chunks) { if (closed) break; socket.write(c); await sleep(chunks.delayMs ?? 0); }
      } else {
        socket.write(payload);
      }
    });
  });
}

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, ms = 5000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const open = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.on('connect', () => { s.destroy(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (open) return;
    await sleep(20);
  }
  throw new Error(`nothing listens on ${port}`);
}

// A redis-server of the test's own (tests that kill and restart Redis must not touch the shared
// one). `kill()` and `start()` may be repeated; the port stays the same.
export async function startRedis() {
  const port = await freePort();
  const dir = tempDir('vf-redis-');
  const redis = { port, url: `redis://127.0.0.1:${port}`, child: null };
  redis.start = async () => {
    redis.child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
      '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    await waitForPort(port);
  };
  redis.kill = async () => {
    if (!redis.child || redis.child.exitCode !== null) return;
    const exited = new Promise((r) => redis.child.on('exit', r));
    redis.child.kill('SIGKILL');
    await exited;
  };
  await redis.start();
  return redis;
}

// Checks decisions against the exact sliding-window rule. `records`: [{ now (µs, the deciding
// clock), admitted }] for one user and one window. Returns the counts of admissions beyond the
// limit and of refusals while under it (both must be 0).
export function auditSlidingWindow(records, limit, lengthUs) {
  const sorted = [...records].sort((a, b) => (a.now < b.now ? -1 : a.now > b.now ? 1 : 0));
  const admitted = [];
  let first = 0; // index into admitted of the oldest stamp still inside the window
  let overAdmitted = 0, wronglyRefused = 0;
  for (const r of sorted) {
    while (first < admitted.length && admitted[first] <= r.now - lengthUs) first++;
    const inWindow = admitted.length - first;
    if (r.admitted) {
      if (inWindow >= limit) overAdmitted++;
      admitted.push(r.now);
    } else if (inWindow < limit) {
      wronglyRefused++;
    }
  }
  return { overAdmitted, wronglyRefused, admitted: admitted.length, refused: sorted.length - admitted.length };
}

// VoiceFit-RateLimit-Clock: "<µs>;source=<shared|in-process|fail-open>;<admitted|refused>"
export function decisionOf(headers) {
  const v = headers.get('voicefit-ratelimit-clock');
  if (!v) return null;
  const [now, source, outcome] = v.split(';');
  return { now: BigInt(now), source: source.replace('source=', ''), admitted: outcome === 'admitted' };
}

// `voicefit rag-eval` over a process of its own (an embeddings stand-in may answer from this one,
// so not spawnSync): exit code, stdout and stderr. A fresh index folder unless one is given (a
// dense leg keeps its passage vectors there).
export function ragEval(env, args = ['--split', 'test'], indexDir = join(tempDir('vf-eval-'), 'index')) {
  const knowledge = new URL('../../knowledge', import.meta.url).pathname;
  return new Promise((resolve) => {
    const child = spawn(BIN, ['rag-eval', ...args], {
      env: { PATH: process.env.PATH, KNOWLEDGE_DIR: knowledge, KNOWLEDGE_INDEX_DIR: indexDir, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
