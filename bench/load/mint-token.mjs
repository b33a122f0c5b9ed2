// Mints a Supabase-style HS256 access token with jose for load tests: mint-token.mjs SUB TIER TTL
import { createRequire } from 'node:module';
const require = createRequire(new URL('../../tests/interop/', import.meta.url).pathname);
const { SignJWT } = await import(require.resolve('jose'));
const [sub = 'bench-user', tier = 'free', ttl = '3600'] = process.argv.slice(2);
const now = Math.floor(Date.now() / 1000);
const token = await new SignJWT({ role: 'authenticated', app_metadata: { provider: 'email', tier }, user_metadata: {} })
  .setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setSubject(sub).setAudience('authenticated')
  .setIssuedAt(now).setExpirationTime(now + Number(ttl))
  .sign(new TextEncoder().encode(process.env.SUPABASE_JWT_SECRET));
console.log(token);
