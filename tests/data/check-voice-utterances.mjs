#!/usr/bin/env node
// Validates tests/data/voice-utterances.json, the labelled utterances the voice parser's
// accuracy test reads, and prints counts by tag. Node 20, no dependencies.
//
//   node tests/data/check-voice-utterances.mjs [utterances.json] [--facts exercise-facts.json]
//
// The exercise facts are looked up from --facts, then $VOICEFIT_EXERCISE_FACTS, then
// <repo>/data/exercise-facts.json, then <repo>/../shared/data/exercise-facts.json.
// Exit status 0 when the file is valid, 1 with one line per problem otherwise.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');

const KG_PER_LB = 0.45359237;
const MIN_TOTAL = 160;
const MIN_NONE = 20;
const MIN_RUN = 15;

const HAND_TAGS = new Set([
  'sets-reps', 'rep-words', 'rep-list', 'numbers-as-words', 'units-spoken', 'rpe', 'rir',
  'multi-weight', 'per-side', 'dumbbell-shorthand', 'filler', 'correction', 'alias', 'asr-slip',
  'word-order', 'verb-form', 'day-reference', 'weighted-bodyweight', 'bodyweight', 'run', 'pace',
  'must-not-parse', 'question', 'plan', 'command', 'chit-chat', 'numbers-only', 'no-numbers',
  'empty', 'junk', 'body-stat',
]);
const DERIVED_TAGS = new Set([
  'multi-exercise', 'default-exercise', 'unit-from-request', 'unit-from-profile', 'unit-default-kg',
]);
const SET_KEYS = new Set([
  'exercise_id', 'reps', 'weight_kg', 'rpe', 'rir', 'per_side', 'bodyweight', 'weight_as_said',
  'weight_unit',
]);
const UTTERANCE_KEYS = new Set(['id', 'text', 'unit', 'profile_unit', 'tags', 'expect', 'note']);

// Unit words as they appear in transcripts (see conventions: UNITS).
const KG_WORDS = /\b(kilo|kilos|kilogram|kilograms|kgs?|kg's)\b|\d(kgs?)\b/i;
const LB_WORDS = /\b(pounds?|lbs?)\b/i;
const PER_SIDE_WORDS = /\b(each|per|a)\s+(leg|side|arm)\b/i;
const RPE_WORDS = /\brpe\b/i;
const RIR_WORDS = /\brir\b|in the tank|in reserve|to failure/i;

function catalogId(factsId) {
  return factsId.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

function parseArgs(argv) {
  const args = { file: join(here, 'voice-utterances.json'), facts: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--facts') args.facts = argv[++i];
    else args.file = argv[i];
  }
  return args;
}

function findFacts(explicit) {
  const candidates = [
    explicit,
    process.env.VOICEFIT_EXERCISE_FACTS,
    join(repo, 'data', 'exercise-facts.json'),
    resolve(repo, '..', 'shared', 'data', 'exercise-facts.json'),
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    console.error(`exercise facts not found; tried:\n  ${candidates.join('\n  ')}`);
    process.exit(2);
  }
  return found;
}

const isNum = (x) => typeof x === 'number' && Number.isFinite(x);
const isPosInt = (x) => Number.isInteger(x) && x > 0;
const twoDecimals = (x) => Math.abs(x * 100 - Math.round(x * 100)) < 1e-6;
const round2 = (x) => Math.round(x * 100) / 100;

function main() {
  const args = parseArgs(process.argv.slice(2));
  const factsPath = findFacts(args.facts);
  const facts = JSON.parse(readFileSync(factsPath, 'utf8'));
  const ids = new Set(facts.map((f) => catalogId(f.id)));
  if (ids.size !== facts.length) {
    console.error(`the id rule maps ${facts.length} facts onto ${ids.size} ids`);
    process.exit(2);
  }

  const doc = JSON.parse(readFileSync(args.file, 'utf8'));
  const problems = [];
  const bad = (where, msg) => problems.push(`${where}: ${msg}`);

  // ---- conventions
  const conv = doc.conventions;
  if (!conv || !Array.isArray(conv.notes) || conv.notes.length === 0) {
    bad('conventions', 'needs a non-empty notes array');
  }
  const defaults = conv?.defaults_used ?? {};
  if (Object.keys(defaults).length === 0) bad('conventions', 'needs defaults_used');
  const defaultIds = new Set(Object.values(defaults));
  for (const mapName of ['defaults_used', 'aliases_used', 'dumbbell_variants_used']) {
    for (const [word, id] of Object.entries(conv?.[mapName] ?? {})) {
      if (!ids.has(id)) bad(`conventions.${mapName}["${word}"]`, `unknown exercise id ${id}`);
    }
  }
  for (const word of ['bench', 'squat', 'squats', 'deadlift', 'curls', 'rows', 'press', 'overhead press',
    'ohp', 'rdl', 'pull ups']) {
    if (!(word in defaults)) bad('conventions.defaults_used', `missing "${word}"`);
  }

  // ---- utterances
  const utts = doc.utterances;
  if (!Array.isArray(utts)) {
    console.error('utterances must be an array');
    process.exit(1);
  }
  const seenIds = new Set();
  const seenTexts = new Set();
  const tagCounts = new Map();
  const kindCounts = { sets: 0, run: 0, none: 0 };
  let setCount = 0;

  utts.forEach((u, index) => {
    const at = u?.id ?? `utterances[${index}]`;
    for (const k of Object.keys(u)) if (!UTTERANCE_KEYS.has(k)) bad(at, `unknown key ${k}`);
    if (!/^u\d{3,}$/.test(u.id ?? '')) bad(at, 'id must look like u001');
    if (seenIds.has(u.id)) bad(at, 'duplicate id');
    seenIds.add(u.id);
    if (typeof u.text !== 'string') bad(at, 'text must be a string');
    else if (seenTexts.has(u.text)) bad(at, 'duplicate text');
    seenTexts.add(u.text);
    for (const k of ['unit', 'profile_unit']) {
      if (!(u[k] === null || u[k] === 'kg' || u[k] === 'lb')) bad(at, `${k} must be "kg", "lb" or null`);
    }
    if (u.note !== undefined && (typeof u.note !== 'string' || !u.note)) bad(at, 'note must be a non-empty string');
    const tags = Array.isArray(u.tags) ? u.tags : [];
    if (!Array.isArray(u.tags) || tags.length === 0) bad(at, 'needs a non-empty tags array');
    if (new Set(tags).size !== tags.length) bad(at, 'duplicate tag');
    for (const t of tags) {
      if (!HAND_TAGS.has(t) && !DERIVED_TAGS.has(t)) bad(at, `unknown tag ${t}`);
      tagCounts.set(t, (tagCounts.get(t) ?? 0) + 1);
    }
    const has = (t) => tags.includes(t);

    const e = u.expect ?? {};
    const kinds = ['sets', 'run', 'none'].filter((k) => k in e);
    if (kinds.length !== 1 || Object.keys(e).length !== 1) {
      bad(at, 'expect must have exactly one of sets, run, none');
      return;
    }
    const kind = kinds[0];
    kindCounts[kind]++;
    if (has('must-not-parse') !== (kind === 'none')) bad(at, 'tag must-not-parse iff expect.none');
    if (has('run') !== (kind === 'run')) bad(at, 'tag run iff expect.run');

    if (kind === 'none') {
      if (e.none !== true) bad(at, 'expect.none must be true');
      return;
    }
    if (kind === 'run') {
      const r = e.run ?? {};
      if (Object.keys(r).sort().join() !== 'distance_m,duration_s') bad(at, 'run needs exactly distance_m and duration_s');
      if (!(r.distance_m === null || (isNum(r.distance_m) && r.distance_m > 0 && twoDecimals(r.distance_m)))) {
        bad(at, 'distance_m must be null or a positive number with at most 2 decimals');
      }
      if (!(r.duration_s === null || isPosInt(r.duration_s))) bad(at, 'duration_s must be null or a positive integer');
      if (r.distance_m === null && r.duration_s === null) bad(at, 'a run needs a distance or a duration');
      return;
    }

    // kind === 'sets'
    const sets = e.sets;
    if (!Array.isArray(sets) || sets.length === 0) {
      bad(at, 'sets must be a non-empty array');
      return;
    }
    setCount += sets.length;
    const fallbackUnit = u.unit ?? u.profile_unit ?? 'kg';
    const fallbackSource = u.unit ? 'unit-from-request' : u.profile_unit ? 'unit-from-profile' : 'unit-default-kg';
    const text = u.text ?? '';
    const saysKg = KG_WORDS.test(text);
    const saysLb = LB_WORDS.test(text);
    let usedFallback = false;
    const order = [];

    sets.forEach((s, j) => {
      const sat = `${at}.sets[${j}]`;
      for (const k of Object.keys(s)) if (!SET_KEYS.has(k)) bad(sat, `unknown key ${k}`);
      for (const k of ['exercise_id', 'reps', 'weight_kg', 'rpe', 'rir']) if (!(k in s)) bad(sat, `missing ${k}`);
      if (!ids.has(s.exercise_id)) bad(sat, `unknown exercise id ${s.exercise_id}`);
      if (!order.includes(s.exercise_id)) order.push(s.exercise_id);
      else if (order[order.length - 1] !== s.exercise_id) bad(sat, 'sets must be grouped by exercise');
      if (!isPosInt(s.reps)) bad(sat, 'reps must be a positive integer');
      if (!(s.rpe === null || (isNum(s.rpe) && s.rpe >= 1 && s.rpe <= 10 && Number.isInteger(s.rpe * 2)))) {
        bad(sat, 'rpe must be null or 1..10 in steps of 0.5');
      }
      if (!(s.rir === null || (Number.isInteger(s.rir) && s.rir >= 0 && s.rir <= 10))) {
        bad(sat, 'rir must be null or an integer 0..10');
      }
      if ('per_side' in s && s.per_side !== true) bad(sat, 'per_side is written only as true');
      if ('bodyweight' in s && s.bodyweight !== true) bad(sat, 'bodyweight is written only as true');
      if (s.per_side && !PER_SIDE_WORDS.test(text)) bad(sat, 'per_side without each/per/a leg|side|arm in the text');

      if (s.weight_kg === null) {
        if ('weight_as_said' in s || 'weight_unit' in s) bad(sat, 'weight_as_said/weight_unit only with a weight');
        return;
      }
      if (!isNum(s.weight_kg) || s.weight_kg <= 0 || s.weight_kg > 1000) bad(sat, 'weight_kg must be a number in (0, 1000]');
      if (!twoDecimals(s.weight_kg)) bad(sat, 'weight_kg must have at most 2 decimals');
      if (s.bodyweight) bad(sat, 'bodyweight: true only when there is no load');
      if (!isNum(s.weight_as_said) || !(s.weight_unit === 'kg' || s.weight_unit === 'lb')) {
        bad(sat, 'a weight needs weight_as_said and weight_unit ("kg" or "lb")');
        return;
      }
      const want = round2(s.weight_as_said * (s.weight_unit === 'lb' ? KG_PER_LB : 1));
      if (Math.abs(want - s.weight_kg) > 0.005) bad(sat, `weight_kg ${s.weight_kg} != ${s.weight_as_said} ${s.weight_unit} = ${want}`);
      // The resolved unit must be the spoken one or the precedence fallback.
      const spokenOk = (s.weight_unit === 'kg' && saysKg) || (s.weight_unit === 'lb' && saysLb);
      if (s.weight_unit !== fallbackUnit && !spokenOk) {
        bad(sat, `weight_unit ${s.weight_unit} is neither spoken nor the fallback ${fallbackUnit}`);
      }
      if (!saysKg && !saysLb) usedFallback = true;
      else if (s.weight_unit === fallbackUnit && !(fallbackUnit === 'kg' ? saysKg : saysLb)) usedFallback = true;
    });

    // Derived tags.
    if (has('multi-exercise') !== (order.length > 1)) bad(at, 'tag multi-exercise iff more than one exercise id');
    if (has('default-exercise') !== order.some((id) => defaultIds.has(id))) {
      bad(at, 'tag default-exercise iff an id from defaults_used is expected');
    }
    for (const t of ['unit-from-request', 'unit-from-profile', 'unit-default-kg']) {
      if (t !== fallbackSource && has(t)) bad(at, `tag ${t} does not match unit/profile_unit`);
    }
    if (usedFallback && !has(fallbackSource)) bad(at, `a weight resolved without a spoken unit: tag ${fallbackSource}`);
    if (has('units-spoken') && !(saysKg || saysLb)) bad(at, 'tag units-spoken but no unit word in the text');
    if (has('per-side') !== sets.some((s) => s.per_side)) bad(at, 'tag per-side iff some set has per_side');
    if (PER_SIDE_WORDS.test(text) && !sets.some((s) => s.per_side)) bad(at, 'text says each/per/a leg|side|arm but no set has per_side');
    if (has('bodyweight') !== sets.some((s) => s.bodyweight)) bad(at, 'tag bodyweight iff some set is bodyweight');
    if (has('weighted-bodyweight') && !sets.some((s) => s.weight_kg !== null)) bad(at, 'weighted-bodyweight needs a load');
    if (has('rpe') !== sets.some((s) => s.rpe !== null)) bad(at, 'tag rpe iff some set has rpe');
    if (has('rir') !== sets.some((s) => s.rir !== null)) bad(at, 'tag rir iff some set has rir');
    if (RPE_WORDS.test(text) !== sets.some((s) => s.rpe !== null)) bad(at, 'rpe in the text iff some set has rpe');
    if (RIR_WORDS.test(text) !== sets.some((s) => s.rir !== null)) bad(at, 'rir wording in the text iff some set has rir');
  });

  if (utts.length < MIN_TOTAL) bad('utterances', `${utts.length} < ${MIN_TOTAL}`);
  if (kindCounts.none < MIN_NONE) bad('utterances', `${kindCounts.none} must-not-parse < ${MIN_NONE}`);
  if (kindCounts.run < MIN_RUN) bad('utterances', `${kindCounts.run} runs < ${MIN_RUN}`);

  console.log(`${args.file}`);
  console.log(`facts: ${factsPath} (${ids.size} ids)`);
  console.log(`utterances: ${utts.length}  (sets: ${kindCounts.sets}, run: ${kindCounts.run}, none: ${kindCounts.none}; ${setCount} expected sets)`);
  console.log('by tag:');
  const width = Math.max(...[...tagCounts.keys()].map((t) => t.length));
  for (const [t, n] of [...tagCounts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    console.log(`  ${t.padEnd(width)}  ${String(n).padStart(4)}${DERIVED_TAGS.has(t) ? '  (derived)' : ''}`);
  }
  if (problems.length) {
    console.error(`\n${problems.length} problem(s):`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log('ok');
}

main();
