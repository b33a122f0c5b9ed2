// The command line: verbs, exit codes, migrations run by `voicefit migrate`, and rag-eval's
// comparison of two judgments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, tempDir, ragEval } from './harness.mjs';

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

test('rag-eval --second-judge compares a judgment of the split with the set and scores the retrieval by each; a file off the split or malformed is refused', async () => {
  const second = new URL('../../knowledge/eval/agreement/report-split-second-judge.qrels', import.meta.url).pathname;
  const indexDir = join(tempDir('vf-judge-'), 'index');
  const plain = await ragEval({}, ['--split', 'test'], indexDir);
  assert.equal(plain.code, 0, plain.stderr);
  const compared = await ragEval({}, ['--second-judge', second], indexDir);
  assert.equal(compared.code, 0, compared.stderr);
  const out = JSON.parse(compared.stdout);
  assert.equal(out.agreement.queries, 64);
  assert.ok(out.agreement.answer_kappa > 0 && out.agreement.answer_kappa <= 1);
  // The same queries by the set's judgments are the report split's own figures.
  assert.deepEqual(out.retrieval_by_the_set['answer_recall@5'], JSON.parse(plain.stdout)['answer_recall@5']);
  assert.ok(out.retrieval_by_the_second_judge['answer_recall@5'] > 0);
  // The report split's judgment read against the training split grades none of its queries.
  const offSplit = await ragEval({}, ['--split', 'train', '--second-judge', second], indexDir);
  assert.equal(offSplit.code, 64);
  assert.match(offSplit.stderr, /grades 64 queries, 0 of them in this split/);
  const bad = join(tempDir('vf-judge-bad-'), 'bad.qrels');
  writeFileSync(bad, 'sh-05 0 strength-rpe-rir-scale 7\n');
  const malformed = await ragEval({}, ['--second-judge', bad], indexDir);
  assert.notEqual(malformed.code, 0);
  assert.match(malformed.stderr, /not `qid 0 passage grade`/);
});
