// The command line: verbs, exit codes, and migrations run by `voicefit migrate`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, tempDir } from './harness.mjs';

const run = (args, env = {}) => spawnSync(BIN, args, { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });

test('version and --help print and exit 0; --help lists every setting', () => {
  const v = run(['version']);
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^voicefit \d+\.\d+\.\d+/);
  const h = run(['--help']);
  assert.equal(h.status, 0);
  for (const name of ['serve', 'migrate', 'PORT', 'DATABASE_URL', 'SUPABASE_JWT_SECRET', 'REDIS_URL', 'ENABLE_RATE_LIMITING']) {
    assert.match(h.stdout, new RegExp(name));
  }
});

test('no command or an unknown one exits 64 with the usage', () => {
  for (const args of [[], ['fly']]) {
    const r = run(args);
    assert.equal(r.status, 64);
    assert.match(r.stderr, /usage: voicefit/);
  }
});

test('migrate applies the schema once; a second run applies nothing', () => {
  const db = join(tempDir(), 'nested', 'vf.db');
  const first = run(['migrate'], { DATABASE_URL: `sqlite://${db}` });
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /applied 1 migration/);
  const second = run(['migrate'], { DATABASE_URL: db });
  assert.equal(second.status, 0);
  assert.match(second.stdout, /applied 0 migration/);
  const tables = spawnSync('sqlite3', [db, '.tables'], { encoding: 'utf8' }).stdout;
  for (const t of ['profiles', 'workouts', 'workout_sets', 'runs', 'injuries', 'programs', 'onboarding_sessions', 'schema_migrations']) {
    assert.match(tables, new RegExp(`\\b${t}\\b`));
  }
  const mode = spawnSync('sqlite3', [db, 'PRAGMA journal_mode;'], { encoding: 'utf8' }).stdout.trim();
  assert.equal(mode, 'wal');
});

test('migrate refuses a PostgreSQL URL with a clear message', () => {
  const r = run(['migrate'], { DATABASE_URL: 'postgres://u@127.0.0.1/x' });
  assert.equal(r.status, 78);
  assert.match(r.stderr, /DATABASE_URL: PostgreSQL is not supported/);
});
