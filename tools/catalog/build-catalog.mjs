#!/usr/bin/env node
// Builds data/exercises.json from the public-domain exercise facts and the
// project's hand-written additions (tools/catalog/additions.json).
//
//   node tools/catalog/build-catalog.mjs [facts.json] [--check]
//
// facts.json defaults to ../shared/data/exercise-facts.json relative to the
// repository root. With --check nothing is written: the script exits 1 when
// data/exercises.json is not what the build would produce.
//
// The output is deterministic: exercises sorted by id, keys in a fixed order,
// two-space indentation, a trailing newline, and a version that is a hash of
// the content (no dates), so two runs give identical bytes.
//
// Node 20, no dependencies.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..", "..");
const ADDITIONS_PATH = resolve(HERE, "additions.json");
const OUT_PATH = resolve(REPO, "data", "exercises.json");
const DEFAULT_FACTS = resolve(REPO, "..", "shared", "data", "exercise-facts.json");

const JOINTS = ["knee", "hip", "lower_back", "shoulder", "elbow", "wrist", "ankle", "neck"];
const BASE_PATTERNS = [
  "squat", "hinge", "lunge", "horizontal_push", "vertical_push", "horizontal_pull",
  "vertical_pull", "carry", "core", "cardio", "stretch", "plyometric", "olympic",
];
const MUSCLES = [
  "abdominals", "abductors", "adductors", "biceps", "calves", "chest", "forearms", "glutes",
  "hamstrings", "lats", "lower back", "middle back", "neck", "quadriceps", "shoulders",
  "traps", "triceps",
];
const ISOLATION_PATTERNS = MUSCLES.map((m) => `isolation_${m.replace(/ /g, "_")}`);
const PATTERNS = new Set([...BASE_PATTERNS, ...ISOLATION_PATTERNS]);
const ADDITION_KEYS = new Set([
  "_comment", "aliases", "defaults", "shadowed_names", "patterns", "bodyweight",
  "not_bodyweight", "joints",
]);

// ---------------------------------------------------------------------------
// Errors are collected so one run reports every problem, then exits 1.

const errors = [];
const warnings = [];
const fail = (msg) => errors.push(msg);
const warn = (msg) => warnings.push(msg);

function bail() {
  for (const w of warnings) console.error(`warning: ${w}`);
  for (const e of errors) console.error(`error: ${e}`);
  console.error(`build-catalog: ${errors.length} error(s); nothing written`);
  process.exit(1);
}

// ---------------------------------------------------------------------------
// A strict JSON reader. JSON.parse keeps the last of two equal keys without a
// word, which would hide an alias written twice with different targets; this
// reader rejects duplicate keys and reports the line.

function parseJsonStrict(text, file) {
  let i = 0;
  const lineOf = (pos) => text.slice(0, pos).split("\n").length;
  const die = (msg) => {
    throw new Error(`${file}:${lineOf(i)}: ${msg}`);
  };
  const ws = () => {
    while (i < text.length && " \t\r\n".includes(text[i])) i++;
  };
  const expect = (ch) => {
    if (text[i] !== ch) die(`expected '${ch}'`);
    i++;
  };
  const str = () => {
    const start = i;
    expect('"');
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      i++;
    }
    expect('"');
    return JSON.parse(text.slice(start, i));
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj = {};
      const seen = new Map();
      ws();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        const keyPos = i;
        const key = str();
        if (seen.has(key)) {
          i = keyPos;
          die(`duplicate key "${key}" (first on line ${seen.get(key)})`);
        }
        seen.set(key, lineOf(keyPos));
        ws();
        expect(":");
        obj[key] = value();
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        expect("}");
        return obj;
      }
    }
    if (c === "[") {
      i++;
      const arr = [];
      ws();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ",") {
          i++;
          continue;
        }
        expect("]");
        return arr;
      }
    }
    if (c === '"') return str();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) die("unexpected character");
    i += m[0].length;
    return JSON.parse(m[0]);
  };
  const v = value();
  ws();
  if (i !== text.length) die("trailing characters after the JSON value");
  return v;
}

function readJson(file) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    console.error(`error: cannot read ${file}: ${e.message}`);
    process.exit(1);
  }
  try {
    return parseJsonStrict(text, file);
  } catch (e) {
    console.error(`error: ${e.message}`);
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------
// Names and ids.

// Stable id rule (other code relies on it): lowercase, every run of characters
// other than a-z and 0-9 becomes one '-', leading and trailing '-' trimmed.
export function stableId(factsId) {
  return factsId.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

// The form used to compare spoken names: lowercase, apostrophes dropped,
// other punctuation as spaces, regular plurals reduced, gym shorthand spelled
// out, small words dropped, word order ignored. Two keys with the same form
// are the same thing to a matcher.
const SHORTHAND = new Map([["db", "dumbbell"], ["bb", "barbell"], ["kb", "kettlebell"]]);
const SMALL_WORDS = new Set(["the", "a", "an", "with", "of", "on", "to", "in", "at", "and", "for", "my"]);

function spokenForm(s) {
  const words = s
    .toLowerCase()
    .replace(/['\u2019]/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim()
    .split(" ")
    .map(singular)
    .map((w) => SHORTHAND.get(w) ?? w)
    .filter((w) => w && !SMALL_WORDS.has(w));
  return [...new Set(words)].sort().join(" ");
}

function singular(w) {
  if (w.length > 4 && w.endsWith("ies")) return `${w.slice(0, -3)}y`;
  if (/(?:ches|shes|sses|xes)$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("ss") || w.endsWith("us")) return w;
  if (w.length > 3 && w.endsWith("s")) return w.slice(0, -1);
  return w;
}

// Aliases are written as people say them: lowercase words separated by single
// spaces, hyphens and apostrophes allowed inside words, digits allowed.
const ALIAS_SHAPE = /^[a-z0-9]+(?:['-][a-z0-9]+)*'?(?: [a-z0-9]+(?:['-][a-z0-9]+)*'?)*$/;

// ---------------------------------------------------------------------------
// Movement pattern rules. First match wins; additions.patterns overrides.

const LOWER_BODY = new Set([
  "quadriceps", "hamstrings", "glutes", "calves", "adductors", "abductors", "lower back",
]);

function isolationOf(muscle) {
  return `isolation_${muscle.replace(/ /g, "_")}`;
}

function rulePattern(f) {
  const n = ` ${f.name.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim()} `;
  const has = (...words) => words.some((w) => n.includes(` ${w} `));
  const muscle = f.primaryMuscles[0];

  if (f.category === "stretching") return "stretch";
  if (f.category === "cardio") return "cardio";

  // Named movements first: the name is the best evidence there is.
  if (has("deadlift", "deadlifts", "rdl", "good morning", "good mornings", "stiff legs",
    "rack pull", "rack pulls", "pull through", "hip thrust", "hip lift", "hyperextension",
    "hyperextensions", "atlas stone", "atlas stones", "keg load", "sandbag load", "tire flip",
    "power stairs")) return "hinge";
  if (has("bridge", "swing", "swings") && ["hamstrings", "glutes", "lower back"].includes(muscle)) {
    return "hinge";
  }
  if (has("lunge", "lunges", "split squat", "split squats", "step up", "step ups")) return "lunge";
  if (f.category === "plyometrics" || has("jump", "jumps", "hop", "hops", "bound", "skip", "skipping"))
    return "plyometric";
  if (!has("clean grip") && has("clean", "snatch", "jerk", "high pull", "rack delivery"))
    return "olympic";
  if (has("farmer s walk", "farmers walk", "yoke walk", "carry", "drag", "drags", "sled push",
    "conan s wheel", "backward walk") && !has("curl")) return "carry";
  if (has("shrug", "shrugs")) return isolationOf(muscle);
  if (has("calf", "calves")) return "isolation_calves";
  if (has("squat", "squats", "leg press", "thruster")) return "squat";
  // Upright rows are treated as shoulder accessories, not as rows.
  if (has("upright") && has("row", "rows")) return "isolation_shoulders";
  if (has("straight arm pulldown", "pullover")) return isolationOf(muscle);
  if (has("pulldown", "pulldowns", "pull up", "pull ups", "pullup", "pullups", "chin up", "chins",
    "mixed grip chin", "muscle up", "rope climb", "high pulley row")) {
    if (muscle !== "abdominals") return "vertical_pull";
  }
  if (has("row", "rows", "bench pull", "face pull")) return "horizontal_pull";
  if (has("fly", "flye", "flyes", "crossover", "cross over", "butterfly", "iron cross")) {
    if (has("reverse", "rear", "back")) return "isolation_shoulders";
    if (muscle === "chest") return "isolation_chest";
  }
  if (has("curl", "curls")) return isolationOf(muscle);
  if (has("pushdown", "kickback", "skullcrusher", "skull crusher", "extension", "extensions")) {
    return isolationOf(muscle);
  }
  if (has("dip", "dips") && f.mechanic === "compound") return "horizontal_push";
  if (has("push up", "push ups", "pushup", "pushups") && !has("handstand")) return "horizontal_push";

  // Then the facts: primary muscle, force and mechanic.
  if (muscle === "abdominals") return "core";
  if ((muscle === "chest" || muscle === "triceps") && has("press", "presses") && f.mechanic !== "isolation") {
    return "horizontal_push";
  }
  if (f.mechanic === "isolation") return isolationOf(muscle);
  if (f.force === "push" && (muscle === "chest" || muscle === "triceps")) return "horizontal_push";
  if (f.force === "push" && muscle === "shoulders") {
    return has("press", "presses", "push", "handstand", "jammer", "log lift", "circus bell")
      ? "vertical_push" : "isolation_shoulders";
  }
  if (f.force === "pull" && muscle === "lats") return "vertical_pull";
  if (f.force === "pull" && muscle === "middle back") return "horizontal_pull";
  if (f.force === "push" && muscle === "quadriceps") return "squat";
  if (f.force === "pull" && ["hamstrings", "glutes", "lower back"].includes(muscle)) return "hinge";
  if (MUSCLES.includes(muscle)) return isolationOf(muscle);
  return null; // no rule applies: reported as an error
}

// ---------------------------------------------------------------------------
// Joint-stress rules, used where additions.joints has no entry for the id.

function ruleJoints(f, pattern) {
  const n = ` ${f.name.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim()} `;
  const has = (...words) => words.some((w) => n.includes(` ${w} `));
  const muscle = f.primaryMuscles[0];
  const j = new Set();
  switch (pattern) {
    case "squat":
      j.add("knee").add("hip");
      if (f.equipment === "barbell") j.add("lower_back"); // a loaded bar on the trunk
      if (f.equipment === "barbell" && has("front")) j.add("wrist"); // front rack
      if (has("overhead", "thruster")) j.add("shoulder").add("wrist");
      break;
    case "lunge":
      j.add("knee").add("hip");
      if (f.equipment === "barbell") j.add("lower_back");
      break;
    case "hinge":
      j.add("hip").add("lower_back");
      if (has("deadlift", "deadlifts") && !has("stiff", "stiff legged", "romanian")) j.add("knee");
      if (f.category === "strongman") j.add("knee"); // stones, kegs, tyres come off the floor
      break;
    case "horizontal_push":
      j.add("shoulder").add("elbow");
      if (has("push up", "push ups", "pushup", "pushups", "floor press", "dip", "dips")) j.add("wrist");
      if (f.equipment === "barbell") j.add("wrist");
      break;
    case "vertical_push":
      j.add("shoulder").add("elbow");
      if (f.equipment === "barbell") j.add("wrist");
      if (f.equipment === "barbell" && !has("seated")) j.add("lower_back");
      if (has("push press")) j.add("knee").add("hip").add("lower_back");
      if (f.category === "strongman") j.add("knee").add("hip").add("lower_back").add("wrist");
      if (has("behind the neck", "behind neck")) j.add("neck");
      break;
    case "horizontal_pull":
      j.add("shoulder").add("elbow");
      if (has("bent over", "t bar", "long bar")) j.add("lower_back");
      break;
    case "vertical_pull":
      j.add("shoulder").add("elbow");
      if (has("behind the neck")) j.add("neck");
      break;
    case "carry":
      if (has("sled", "drag", "drags", "prowler", "push")) j.add("knee").add("hip").add("ankle");
      else j.add("hip").add("lower_back").add("shoulder").add("wrist");
      break;
    case "core":
      j.add("lower_back");
      if (has("crunch", "crunches", "sit up", "sit ups", "situp") && !has("reverse")) j.add("neck");
      if (has("reverse")) j.add("hip");
      if (has("windmill", "windmills")) j.add("hip").add("shoulder");
      if (has("sit up", "sit ups", "leg raise", "knee raise", "hip raise", "pull in", "flutter",
        "tuck", "jackknife", "pike")) j.add("hip");
      if (has("hanging", "rollout", "roller", "plank", "bridge", "fallout", "wipers", "crawl"))
        j.add("shoulder");
      break;
    case "olympic":
      j.add("knee").add("hip").add("lower_back").add("shoulder");
      if (!has("pull", "shrug")) j.add("wrist"); // pulls and shrugs have no catch
      break;
    case "plyometric":
      if (LOWER_BODY.has(muscle)) j.add("knee").add("hip").add("ankle");
      else if (muscle === "abdominals") j.add("lower_back").add("shoulder");
      else j.add("shoulder").add("elbow").add("wrist");
      break;
    case "cardio":
      if (has("bicycling", "bike")) j.add("knee");
      else if (has("rowing")) j.add("knee").add("hip").add("lower_back");
      else if (has("elliptical")) j.add("knee").add("hip");
      else j.add("knee").add("hip").add("ankle");
      break;
    case "stretch":
      break;
    case "isolation_biceps":
      j.add("elbow").add("wrist");
      break;
    case "isolation_triceps":
      j.add("elbow");
      if (has("overhead", "behind the head")) j.add("shoulder");
      break;
    case "isolation_forearms":
      j.add("wrist").add("elbow");
      break;
    case "isolation_chest":
    case "isolation_shoulders":
    case "isolation_middle_back":
      j.add("shoulder");
      if (has("upright")) j.add("wrist");
      break;
    case "isolation_lats":
      j.add("shoulder").add("elbow");
      break;
    case "isolation_traps":
      j.add("neck").add("shoulder");
      break;
    case "isolation_quadriceps":
      j.add("knee");
      break;
    case "isolation_hamstrings":
      j.add("knee");
      if (has("glute ham")) j.add("hip");
      break;
    case "isolation_calves":
      j.add("ankle");
      break;
    case "isolation_glutes":
    case "isolation_adductors":
    case "isolation_abductors":
      j.add("hip");
      break;
    case "isolation_lower_back":
      j.add("lower_back");
      break;
    case "isolation_neck":
      j.add("neck");
      break;
    default:
      break;
  }
  return JOINTS.filter((x) => j.has(x));
}

// ---------------------------------------------------------------------------
// Build.

function main() {
  const args = process.argv.slice(2);
  const check = args.includes("--check");
  const positional = args.filter((a) => !a.startsWith("--"));
  const unknownFlags = args.filter((a) => a.startsWith("--") && a !== "--check");
  if (unknownFlags.length || positional.length > 1) {
    console.error("usage: node tools/catalog/build-catalog.mjs [facts.json] [--check]");
    process.exit(2);
  }
  const factsPath = positional.length ? resolve(positional[0]) : DEFAULT_FACTS;

  const facts = readJson(factsPath);
  const add = readJson(ADDITIONS_PATH);

  // --- facts -------------------------------------------------------------
  if (!Array.isArray(facts)) {
    fail(`${factsPath}: expected an array of exercises`);
    bail();
  }
  const byId = new Map(); // stable id -> facts record
  const rawIds = new Set();
  facts.forEach((f, idx) => {
    const where = `facts[${idx}]`;
    if (!f || typeof f !== "object") return fail(`${where}: not an object`);
    for (const k of ["id", "name"]) {
      if (typeof f[k] !== "string" || !f[k].trim()) fail(`${where}: missing or empty "${k}"`);
    }
    for (const k of ["primaryMuscles", "secondaryMuscles"]) {
      if (!Array.isArray(f[k])) fail(`${where} (${f.id}): "${k}" is not an array`);
    }
    if (typeof f.id !== "string" || !Array.isArray(f.primaryMuscles)) return undefined;
    if (f.primaryMuscles.length === 0) fail(`${where} (${f.id}): no primary muscle`);
    for (const m of [...f.primaryMuscles, ...(f.secondaryMuscles || [])]) {
      if (!MUSCLES.includes(m)) fail(`${where} (${f.id}): unknown muscle "${m}"`);
    }
    if (rawIds.has(f.id)) return fail(`duplicate facts id "${f.id}"`);
    rawIds.add(f.id);
    const id = stableId(f.id);
    if (!id) return fail(`${where}: id "${f.id}" is empty under the stable id rule`);
    if (byId.has(id)) {
      return fail(`facts ids "${byId.get(id).id}" and "${f.id}" both become "${id}" under the stable id rule`);
    }
    byId.set(id, f);
    return undefined;
  });
  if (errors.length) bail();

  // --- additions: shape --------------------------------------------------
  if (!add || typeof add !== "object" || Array.isArray(add)) {
    fail(`${ADDITIONS_PATH}: expected an object`);
    bail();
  }
  for (const k of Object.keys(add)) {
    if (!ADDITION_KEYS.has(k)) fail(`additions: unknown top-level key "${k}"`);
  }
  const obj = (k) => {
    const v = add[k] ?? {};
    if (typeof v !== "object" || Array.isArray(v)) {
      fail(`additions.${k}: expected an object`);
      return {};
    }
    return v;
  };
  const list = (k) => {
    const v = add[k] ?? [];
    if (!Array.isArray(v)) {
      fail(`additions.${k}: expected an array`);
      return [];
    }
    return v;
  };
  const aliases = obj("aliases");
  const defaults = obj("defaults");
  const shadowed = obj("shadowed_names");
  const patternOverrides = obj("patterns");
  const jointTags = obj("joints");
  const bodyweightIds = list("bodyweight");
  const notBodyweightIds = list("not_bodyweight");
  const mustExist = (section, key, id) => {
    if (typeof id !== "string" || !byId.has(id)) {
      fail(`additions.${section}${key === null ? "" : `["${key}"]`}: "${id}" is not an exercise id`);
      return false;
    }
    return true;
  };

  // --- aliases and defaults ------------------------------------------------
  // Every spoken key (alias or default) must name exactly one exercise, also
  // once case, punctuation and regular plurals are set aside; and it must not
  // be another exercise's own name unless additions.shadowed_names says so.
  const nameForms = new Map(); // spoken form of a facts name -> [ids]
  for (const [id, f] of byId) {
    const form = spokenForm(f.name);
    if (!nameForms.has(form)) nameForms.set(form, []);
    nameForms.get(form).push(id);
  }
  for (const [form, ids] of nameForms) {
    if (ids.length > 1) warn(`names of ${ids.join(", ")} read the same ("${form}"); a matcher cannot tell them apart by name`);
  }
  const spoken = new Map(); // spoken form -> { key, id, section }
  const usedShadows = new Set();
  const aliasesById = new Map();
  for (const key of Object.keys(defaults)) {
    if (Object.prototype.hasOwnProperty.call(aliases, key)) fail(`"${key}" is in both aliases and defaults; keep one`);
  }
  for (const [section, map] of [["aliases", aliases], ["defaults", defaults]]) {
    for (const [key, id] of Object.entries(map)) {
      if (!ALIAS_SHAPE.test(key)) {
        fail(`additions.${section}["${key}"]: write it lowercase, plain words, single spaces, only ' and - as punctuation`);
      }
      if (!mustExist(section, key, id)) continue;
      const form = spokenForm(key);
      const prev = spoken.get(form);
      if (prev && prev.id !== id) {
        fail(`"${key}" (${section}) -> ${id} but "${prev.key}" (${prev.section}) -> ${prev.id}: the same spoken name cannot mean two exercises`);
        continue;
      }
      if (!prev) spoken.set(form, { key, id, section });
      const owners = (nameForms.get(form) || []).filter((x) => x !== id);
      if (owners.length) {
        if (Object.prototype.hasOwnProperty.call(shadowed, form)) usedShadows.add(form);
        else fail(`additions.${section}["${key}"] -> ${id} reads the same as the name of ${owners.join(", ")}; pick another key or list "${form}" in shadowed_names with a reason`);
      }
      if (section === "aliases") {
        if (!aliasesById.has(id)) aliasesById.set(id, new Set());
        aliasesById.get(id).add(key);
      }
    }
  }
  for (const [form, why] of Object.entries(shadowed)) {
    if (typeof why !== "string" || !why.trim()) fail(`additions.shadowed_names["${form}"]: give the reason as a string`);
    if (!usedShadows.has(form)) fail(`additions.shadowed_names["${form}"]: no alias or default shadows a name of that form; remove it`);
  }

  // --- patterns ----------------------------------------------------------
  const patterns = new Map();
  for (const [id, f] of byId) {
    const p = rulePattern(f);
    if (p !== null) patterns.set(id, p);
  }
  for (const [id, p] of Object.entries(patternOverrides)) {
    if (!mustExist("patterns", id, id)) continue;
    if (!PATTERNS.has(p)) {
      fail(`additions.patterns["${id}"]: "${p}" is not a pattern (one of ${[...BASE_PATTERNS].join(", ")}, isolation_<muscle>)`);
      continue;
    }
    if (patterns.get(id) === p) warn(`additions.patterns["${id}"]: the rules already give "${p}"; the override is redundant`);
    patterns.set(id, p);
  }
  for (const [id] of byId) {
    const p = patterns.get(id);
    if (!p) fail(`${id}: no movement pattern (no rule applies); add it to additions.patterns`);
    else if (!PATTERNS.has(p)) fail(`${id}: rule produced unknown pattern "${p}"`);
  }

  // --- bodyweight ----------------------------------------------------------
  const bwSet = new Set();
  const notBwSet = new Set();
  for (const id of bodyweightIds) {
    if (!mustExist("bodyweight", null, id)) continue;
    if (bwSet.has(id)) fail(`additions.bodyweight: "${id}" listed twice`);
    if (byId.get(id).equipment === "body only") warn(`additions.bodyweight: "${id}" already has equipment "body only"`);
    bwSet.add(id);
  }
  for (const id of notBodyweightIds) {
    if (!mustExist("not_bodyweight", null, id)) continue;
    if (notBwSet.has(id)) fail(`additions.not_bodyweight: "${id}" listed twice`);
    if (bwSet.has(id)) fail(`"${id}" is in both bodyweight and not_bodyweight`);
    notBwSet.add(id);
  }
  const isBodyweight = (id, f) => {
    if (notBwSet.has(id)) return false;
    if (bwSet.has(id)) return true;
    // Stretches and cardio are not loaded with the body's weight in the sense
    // that matters here (a set is not "bodyweight x reps").
    const p = patterns.get(id);
    if (p === "stretch" || p === "cardio") return false;
    return f.equipment === "body only";
  };
  for (const id of notBwSet) {
    const f = byId.get(id);
    const p = patterns.get(id);
    if (f.equipment !== "body only" || p === "stretch" || p === "cardio") {
      warn(`additions.not_bodyweight: "${id}" would not be bodyweight anyway`);
    }
  }

  // --- joints ----------------------------------------------------------------
  for (const [id, tags] of Object.entries(jointTags)) {
    if (!mustExist("joints", id, id)) continue;
    if (!Array.isArray(tags)) {
      fail(`additions.joints["${id}"]: expected an array`);
      continue;
    }
    const seen = new Set();
    for (const t of tags) {
      if (!JOINTS.includes(t)) fail(`additions.joints["${id}"]: "${t}" is not one of ${JOINTS.join(", ")}`);
      if (seen.has(t)) fail(`additions.joints["${id}"]: "${t}" listed twice`);
      seen.add(t);
    }
  }

  if (errors.length) bail();

  // --- assemble --------------------------------------------------------------
  const exercises = [...byId.keys()].sort().map((id) => {
    const f = byId.get(id);
    const pattern = patterns.get(id);
    const joints = Object.prototype.hasOwnProperty.call(jointTags, id)
      ? JOINTS.filter((x) => jointTags[id].includes(x))
      : ruleJoints(f, pattern);
    return {
      id,
      name: f.name,
      aliases: [...(aliasesById.get(id) || [])].sort(),
      pattern,
      equipment: f.equipment ?? null,
      primary_muscles: [...f.primaryMuscles],
      secondary_muscles: [...f.secondaryMuscles],
      mechanic: f.mechanic ?? null,
      force: f.force ?? null,
      level: f.level ?? null,
      category: f.category ?? null,
      bodyweight: isBodyweight(id, f),
      joints,
    };
  });
  const sortedDefaults = {};
  for (const k of Object.keys(defaults).sort()) sortedDefaults[k] = defaults[k];

  const body = { defaults: sortedDefaults, exercises };
  const version = `sha256-${createHash("sha256").update(JSON.stringify(body)).digest("hex").slice(0, 16)}`;
  const catalog = {
    version,
    source: "exercise-facts.json (public domain)",
    defaults: sortedDefaults,
    exercises,
  };
  const text = `${JSON.stringify(catalog, null, 2)}\n`;

  for (const w of warnings) console.error(`warning: ${w}`);
  const shown = relative(process.cwd(), OUT_PATH) || OUT_PATH;
  if (check) {
    const current = existsSync(OUT_PATH) ? readFileSync(OUT_PATH, "utf8") : null;
    if (current !== text) {
      console.error(`build-catalog: ${shown} is out of date; run node tools/catalog/build-catalog.mjs`);
      process.exit(1);
    }
    console.log(`build-catalog: ${shown} is up to date (${version})`);
    return;
  }
  writeFileSync(OUT_PATH, text);
  const aliasCount = exercises.reduce((n, e) => n + e.aliases.length, 0);
  console.log(
    `build-catalog: wrote ${shown}: ${exercises.length} exercises, ${aliasCount} aliases, ` +
      `${Object.keys(sortedDefaults).length} defaults, ${Object.keys(jointTags).length} hand-tagged joints, ${version}`,
  );
}

main();
