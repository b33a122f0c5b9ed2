// Tokens minted by a real client (jose, as Supabase's tooling uses): HS256 with the shared
// secret, ES256 and RS256 from a JWKS file or fetched from SUPABASE_URL, with key rotation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, stopServer, call, mintHs256, signingKey, mintWithKey, writeJwks, tempDir, jose, SECRET } from './harness.mjs';

test('HS256, ES256 and RS256 tokens from jose are accepted; each caller sees only their own data', async () => {
  const dir = tempDir();
  const es = await signingKey('ES256');
  const rs = await signingKey('RS256');
  const server = await startServer({ SUPABASE_JWKS_PATH: writeJwks(dir, [es, rs]) });
  try {
    const tokens = {
      hs: await mintHs256('user-hs'),
      es: await mintWithKey(es, 'user-es', { tier: 'premium' }),
      rs: await mintWithKey(rs, 'user-rs'),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const put = await call(server, 'PUT', '/api/profile', { token, json: { age: 20 + name.length, sex: 'other' } });
      assert.equal(put.status, 200, `${name}: ${put.text}`);
      const got = await call(server, 'GET', '/api/profile', { token });
      assert.equal(got.body.user_id, `user-${name}`);
    }
    // An ES256 token naming the RSA key's kid (algorithm/key mismatch) is refused.
    const confused = await mintWithKey(es, 'user-x', { kid: rs.kid });
    assert.equal((await call(server, 'GET', '/api/profile', { token: confused })).status, 401);
    // A key not in the JWKS is refused.
    const stranger = await signingKey('ES256');
    const r = await call(server, 'GET', '/api/profile', { token: await mintWithKey(stranger, 'user-y') });
    assert.equal(r.status, 401);
    assert.match(r.body.detail, /key/);
  } finally {
    await stopServer(server);
  }
});

test('expired, wrong-audience, alg none and HS256-signed-with-the-public-key tokens get 401', async () => {
  const dir = tempDir();
  const rs = await signingKey('RS256');
  const server = await startServer({ SUPABASE_JWKS_PATH: writeJwks(dir, [rs]) });
  try {
    const expired = await mintHs256('late', { ttl: -120 });
    let r = await call(server, 'GET', '/api/profile', { token: expired });
    assert.equal(r.status, 401);
    assert.match(r.body.detail, /expired/);
    const now = Math.floor(Date.now() / 1000);
    const wrongAud = await new jose.SignJWT({ role: 'authenticated' }).setProtectedHeader({ alg: 'HS256' })
      .setSubject('u').setAudience('anon').setIssuedAt(now).setExpirationTime(now + 600).sign(new TextEncoder().encode(SECRET));
    r = await call(server, 'GET', '/api/profile', { token: wrongAud });
    assert.equal(r.status, 401);
    const unsigned = new jose.UnsecuredJWT({ role: 'authenticated' }).setSubject('u').setAudience('authenticated').setExpirationTime(now + 600).encode();
    assert.equal((await call(server, 'GET', '/api/profile', { token: unsigned })).status, 401);
    // Algorithm confusion: HMAC keyed with the RSA public key's PEM.
    const pem = await jose.exportSPKI(await jose.importJWK(rs.jwk, 'RS256'));
    const confused = await new jose.SignJWT({ role: 'authenticated' }).setProtectedHeader({ alg: 'HS256', kid: rs.kid })
      .setSubject('u').setAudience('authenticated').setIssuedAt(now).setExpirationTime(now + 600).sign(new TextEncoder().encode(pem));
    assert.equal((await call(server, 'GET', '/api/profile', { token: confused })).status, 401);
    r = await call(server, 'GET', '/api/profile', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal(r.status, 401);
  } finally {
    await stopServer(server);
  }
});

test('JWKS is fetched from SUPABASE_URL and re-fetched when a token names a new kid', async () => {
  let keys = [await signingKey('ES256')];
  let fetches = 0;
  const jwksServer = http.createServer((req, res) => {
    if (req.url !== '/auth/v1/.well-known/jwks.json') { res.writeHead(404).end(); return; }
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  });
  await new Promise((r) => jwksServer.listen(0, '127.0.0.1', r));
  const server = await startServer({ SUPABASE_URL: `http://127.0.0.1:${jwksServer.address().port}` });
  try {
    assert.equal(fetches, 1);
    const first = await mintWithKey(keys[0], 'rotating-user');
    assert.equal((await call(server, 'GET', '/api/profile', { token: first })).status, 200);
    // Rotation: a standby key is published, and tokens start using it.
    const next = await signingKey('ES256');
    keys = [keys[0], next];
    const rotated = await mintWithKey(next, 'rotating-user');
    let status = 0;
    for (let i = 0; i < 40 && status !== 200; i++) {
      status = (await call(server, 'GET', '/api/profile', { token: rotated })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 200);
    assert.equal(fetches, 2);
    // Unknown kids do not make the server hammer the JWKS endpoint.
    const stranger = await signingKey('ES256');
    for (let i = 0; i < 10; i++) await call(server, 'GET', '/api/profile', { token: await mintWithKey(stranger, 'x') });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(fetches, 2);
  } finally {
    await stopServer(server);
    jwksServer.close();
  }
});

test('logs carry request ids and user ids but never tokens, secrets or query values', async () => {
  const server = await startServer();
  const token = await mintHs256('logged-user');
  await call(server, 'GET', '/api/workouts?since=2026-01-01T00:00:00Z&secretish=hunter2', { token });
  await call(server, 'GET', '/api/profile', { token: token + 'x' });
  await stopServer(server);
  const all = server.logs.join('\n');
  assert.ok(server.logs.some((l) => l.includes('"route":"/api/workouts"') && l.includes('"user":"logged-user"')));
  assert.ok(!all.includes(token.split('.')[2]), 'token signature in logs');
  assert.ok(!all.includes(token.split('.')[1]), 'token payload in logs');
  assert.ok(!all.includes(SECRET), 'secret in logs');
  assert.ok(!all.includes('hunter2'), 'query value in logs');
  for (const line of server.logs) JSON.parse(line);  // every line is JSON
});
