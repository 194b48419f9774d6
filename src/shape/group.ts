// Group-level shapers (docs/shapers.md#drpocoefficients to #erlengthreward): DRPO's coefficients,
// CANON, GRPO-λ (provisional), VeRPO (provisional), O1-pruner and ER. Per-group statistics and the
// per-row pass run in wasm (f64, rounded once); GRPO-λ's group ranking is host bookkeeping.
import type { Engine } from "../core/engine.js";
import { rangeError, typeError } from "../core/errors.js";
import { checkGroupTypes, checkInt32 } from "../core/groups.js";
import { checkF32, checkU8, place, placeGroups, type Scratch } from "../core/layout.js";
import { checkFiniteParam, checkPositive, checkRange, resolveOptions } from "../core/options.js";
import { msg, show } from "../core/safe.js";
import { copyOut, mainOut, side, type Sink } from "./sink.js";
import { checkBinary, placeBinary, placeLengths, placeValues } from "./rows.js";

const GROUPS = ["groupSize", "groupIds", "numGroups"] as const;
/** Groups of a row-level call (contiguous groupSize, or dense groupIds / numGroups). */
export interface ShaperGroups {
  /** Contiguous groups of this many rows. */
  groupSize?: number;
  /** Dense group id per row, Int32Array[B]. */
  groupIds?: Int32Array;
  /** Groups G (default max id + 1). */
  numGroups?: number;
}

const out32 = (s: Scratch, B: number) => s.alloc(B * 4 || 4);

// ---------------------------------------------------------------------------------------------
/** `drpoCoefficients`: DRPO's per-sequence gradient coefficients. */
export interface DrpoArgs extends ShaperGroups {
  /** 0 or 1 per row, Float32Array[B] (anything else is DOMAIN). */
  rewards: Float32Array;
  /** Masked mean log-probability per row (maskedMean), Float32Array[B]. */
  meanLogp: Float32Array;
  /** Response lengths, Int32Array[B]; or give mask [B*width] to count them. */
  lengths?: Int32Array;
  /** Byte mask [B*width], instead of lengths. */
  mask?: Uint8Array;
  /** The padded response width (required with lengths; mask.length / B with a mask). */
  width?: number;
  /** Temperature of the length preference among correct rows (default 0.1, > 0). */
  lambda?: number;
  /** Temperature of the log-prob weighting among wrong rows (default 10, > 0). */
  tau?: number;
}

export function drpoRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): Float32Array {
  const o = resolveOptions("drpoCoefficients", a, ["rewards", "meanLogp", "lengths", "mask", "width", ...GROUPS], ["lambda", "tau"] as const, { lambda: 0.1, tau: 10 });
  checkF32("rewards", a.rewards); checkF32("meanLogp", a.meanLogp);
  const B = a.rewards.length;
  const [, lp] = placeValues(e, s, "meanLogp", a.meanLogp, B);
  const rp = place(e, s, a.rewards), badR = e.exports.first_not01_f32(rp, B);
  if (badR >= 0) rangeError("DOMAIN", "rewards", badR, msg`DRPO takes rewards of 0 or 1, got ${a.rewards[badR]}`);
  let L: Int32Array, width: number, lptr = 0;
  if (a.mask !== undefined) {
    if (a.lengths !== undefined) rangeError("UNKNOWN_OPTION", "lengths", -1, "give lengths or mask, not both");
    checkU8("mask", a.mask);
    width = a.width ?? (B ? a.mask.length / B : 0);
    if (!Number.isInteger(width) || width * B !== a.mask.length) rangeError("SHAPE_MISMATCH", "mask", -1, msg`length ${a.mask.length} is not rows x width`);
    const m = checkBinary("mask", a.mask, a.mask.length);
    L = Int32Array.from({ length: B }, (_, i) => { let c = 0; for (let t = 0; t < width; t++) c += m[i * width + t]!; return c; });
  } else {
    [L, lptr] = placeLengths(e, s, a.lengths, B);
    if (typeof a.width !== "number") typeError("WRONG_TYPE", "width", -1, msg`the padded width is required with lengths, got ${show(a.width)}`);
    width = a.width;
    // L > width for an integer L is L > floor(width), clamped to the int32 range; NaN and
    // +Infinity bound nothing.
    const over = width !== width || width === Infinity ? -1
      : e.exports.first_outside_i32(lptr, B, -2147483648, Math.max(-2147483648, Math.min(2147483647, Math.floor(width))));
    if (over >= 0) rangeError("PARAM_OUT_OF_RANGE", "lengths", over, msg`${L[over]} exceeds width ${width}`);
  }
  if (!(width > 0) && B > 0) rangeError("PARAM_OUT_OF_RANGE", "width", -1, msg`must be > 0, got ${width}`);
  checkPositive("lambda", o.lambda); checkPositive("tau", o.tau);
  checkGroupTypes(a);
  const g = placeGroups(e, s, a, B);
  const out = mainOut(s, sink, B);
  e.exports.drpo_coef_f32(rp, lp, lptr || place(e, s, L), g.idsPtr, B, g.G, width, o.lambda, o.tau, out, s.alloc(g.G * 32 || 8), s.alloc(g.G * 12 || 4), s.alloc(B * 8 || 8));
  return sink(out, B);
}

// ---------------------------------------------------------------------------------------------
/** `canon`: CANON's advantages from a metric split of each group. */
export interface CanonArgs extends ShaperGroups {
  /** Row scores, Float32Array[B]. */
  scores: Float32Array;
  /** The split metric per row (mean token entropy, or length), Float32Array[B]. */
  metric: Float32Array;
  /** `"entropy"` (default) or `"length"` (alpha's placement swapped). */
  variant?: "entropy" | "length";
  /** Default 1. */
  alpha?: number;
  /** Default 0. */
  beta?: number;
  /** Weight of the between-halves term (default 1; 1/2 with even groups is Dr.GRPO / maxLength). */
  lambda?: number;
  /** The divisor (default 8192, > 0). */
  maxLength?: number;
  /** A group of one row: `"raw"` (default: both half means 0), `"zero"`, or `"error"` (GROUP_TOO_SMALL). */
  singleton?: "raw" | "zero" | "error";
}

export function canonRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): Float32Array {
  const o = resolveOptions("canon", a, ["scores", "metric", ...GROUPS], ["variant", "alpha", "beta", "lambda", "maxLength", "singleton"] as const,
    { variant: "entropy", alpha: 1, beta: 0, lambda: 1, maxLength: 8192, singleton: "raw" });
  checkF32("scores", a.scores);
  const B = a.scores.length, sp = placeValues(e, s, "scores", a.scores)[1], mp = placeValues(e, s, "metric", a.metric, B)[1];
  const variant = ["entropy", "length"].indexOf(o.variant);
  if (variant < 0) rangeError("UNKNOWN_OPTION", "variant", -1, msg`unknown value ${show(o.variant)}; expected entropy or length`);
  for (const k of ["alpha", "beta", "lambda"] as const) { if (o[k] === null) typeError("WRONG_TYPE", k, -1, "must be a number"); checkFiniteParam(k, o[k]); }
  checkPositive("maxLength", o.maxLength);
  checkGroupTypes(a);
  const g = placeGroups(e, s, a, B);
  if (o.singleton === "error") {
    const n = new Int32Array(g.G), I = e.I32, base = g.idsPtr >>> 2;
    for (let i = 0; i < B; i++) n[I[base + i]!]!++;
    const one = n.indexOf(1);
    if (one >= 0) rangeError("GROUP_TOO_SMALL", g.groupSize ? "groupSize" : "groupIds", one, msg`group ${one} has one row; CANON splits a group in halves`);
  }
  const out = mainOut(s, sink, B);
  const bad = e.exports.canon_f32(sp, mp, g.idsPtr, B, g.G, variant, o.alpha, o.beta, o.lambda, o.maxLength, o.singleton === "zero" ? 1 : 0, out, s.alloc(B * 4 || 4), s.alloc((g.G + 1) * 4));
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "scores", bad, msg`the advantage of row ${bad} is outside the float32 range`);
  return sink(out, B);
}

// ---------------------------------------------------------------------------------------------
/** `grpoLambda` (provisional): the Kimi length reward only in the most accurate groups. */
export interface GrpoLambdaArgs extends ShaperGroups {
  /** 1 for a correct answer, Uint8Array[B]. */
  correct: Uint8Array;
  /** Response lengths, Int32Array[B]. */
  lengths: Int32Array;
  /** The fraction of groups shaped, in [0, 1] (required). */
  lambda: number;
  /** Weight of the length reward (required). */
  lengthWeight: number;
}
/** `grpoLambda`'s result. */
export interface GrpoLambdaResult {
  /** correct + lengthWeight * the Kimi length term in selected groups, correct elsewhere. */
  rewards: Float32Array;
  /** The selected groups, most accurate first (ties: the group whose first row comes first). */
  selectedGroups: Int32Array;
}

/**
 * Non-empty groups by accuracy good/n, highest first, ties by first row. With one group size
 * (the usual case) accuracy is decided by the small integer n - good: a counting sort over it,
 * fed the groups in first-row order, is that order exactly, in O(rows + groups) (a sort of
 * packed f64 keys took 13 ms of a 48 ms call at 1M rows; a comparator sort over boxed indices
 * twice that). Other sizes compare good/n exactly by cross-multiplication.
 */
function rankByAccuracy(n: Int32Array, good: Int32Array, first: Int32Array, ids: Int32Array, ib: number, B: number): Int32Array {
  let size = -1, uniform = true, count = 0;
  for (let k = 0; k < n.length; k++) if (n[k]! > 0) { count++; if (size < 0) size = n[k]!; else if (n[k] !== size) uniform = false; }
  if (uniform && size <= B) {
    // Groups in first-row order: ascending ids when every group starts after the previous one
    // (contiguous groups), else the rows' order of first appearance.
    let ordered = true;
    for (let k = 0, prev = -1; k < n.length; k++) if (n[k]! > 0) { if (first[k]! < prev) { ordered = false; break; } prev = first[k]!; }
    const byFirst = new Int32Array(count);
    let j = 0;
    if (ordered) { for (let k = 0; k < n.length; k++) if (n[k]! > 0) byFirst[j++] = k; }
    else for (let i = 0; i < B; i++) { const k = ids[ib + i]!; if (first[k] === i) byFirst[j++] = k; }
    const start = new Int32Array(size + 2);
    for (let m = 0; m < count; m++) start[size - good[byFirst[m]!]! + 1]!++;
    for (let v = 1; v <= size + 1; v++) start[v]! += start[v - 1]!;
    const out = new Int32Array(count);
    for (let m = 0; m < count; m++) { const k = byFirst[m]!; out[start[size - good[k]!]!++] = k; }
    return out;
  }
  return Int32Array.from(Array.from({ length: n.length }, (_, k) => k).filter((k) => n[k]! > 0)
    .sort((x, y) => good[y]! * n[x]! - good[x]! * n[y]! || first[x]! - first[y]!));
}

export function grpoLambdaRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): GrpoLambdaResult {
  const o = resolveOptions("grpoLambda", a, ["correct", "lengths", ...GROUPS], ["lambda", "lengthWeight"] as const, { lambda: undefined, lengthWeight: undefined });
  checkU8("correct", a.correct);
  const B = a.correct.length, cp = placeBinary(e, s, "correct", a.correct, B), c = a.correct as Uint8Array, [, lp] = placeLengths(e, s, a.lengths, B);
  checkRange("lambda", o.lambda, 0, 1);
  checkFiniteParam("lengthWeight", o.lengthWeight);
  checkGroupTypes(a);
  const g = placeGroups(e, s, a, B), I = e.I32, ib = g.idsPtr >>> 2;
  const n = new Int32Array(g.G), good = new Int32Array(g.G), first = new Int32Array(g.G).fill(-1);
  for (let i = 0; i < B; i++) { const k = I[ib + i]!; n[k]!++; good[k]! += c[i]!; if (first[k]! < 0) first[k] = i; }
  const ranked = rankByAccuracy(n, good, first, I, ib, B);
  const selected = ranked.slice(0, Math.floor(o.lambda * ranked.length));
  const pick = new Uint8Array(g.G);
  for (const k of selected) pick[k] = 1;
  const base = s.alloc(B * 4 || 4), F = e.F32;
  for (let i = 0; i < B; i++) F[(base >>> 2) + i] = c[i]!;
  const len = out32(s, B), lam = out32(s, B), rew = mainOut(s, sink, B);
  const bad = e.exports.kimi_len_f32(lp, cp, 0, g.idsPtr, B, g.G, 1e-6, 0, base, o.lengthWeight, len, lam, rew, s.alloc(g.G * 12 || 12));
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "lengthWeight", bad, msg`the reward of row ${bad} is outside the float32 range`);
  // Rows of groups not selected keep their correctness (written over the shaped value in place).
  // Views re-read after the allocations above: a copy API's memory may have grown (and the old
  // views detached) while they were made.
  const shaped = e.f32(rew, B), ids = e.I32;
  for (let i = 0; i < B; i++) if (!pick[ids[ib + i]!]) shaped[i] = c[i]!;
  return { rewards: sink(rew, B), selectedGroups: selected };
}

// ---------------------------------------------------------------------------------------------
/** `verpoReward` (provisional): dense test rewards weighted by how rarely the group passes each test. */
export interface VerpoArgs extends ShaperGroups {
  /** Row i passes test j, Uint8Array[B*U] row-major. */
  pass: Uint8Array;
  /** Tests per row U. */
  tests: number;
  /** 1 where test j exists for row i's prompt, Uint8Array[B*U] (default all). */
  testValid?: Uint8Array;
  /** Weight of the local (partial-credit) reward (required). */
  localWeight: number;
}
/** `verpoReward`'s result. */
export interface VerpoResult {
  /** Rglobal + localWeight * Rlocal, Float32Array[B]. */
  rewards: Float32Array;
  /** Rlocal in [0, 1]: passes weighted by (1 - pass rate), normalised over the group's tests. */
  local: Float32Array;
  /** 1 when every existing test passed. */
  global: Float32Array;
}

export function verpoRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): VerpoResult {
  const o = resolveOptions("verpoReward", a, ["pass", "tests", "testValid", ...GROUPS], ["localWeight"] as const, { localWeight: undefined });
  const U = a.tests;
  if (typeof U !== "number" || !Number.isInteger(U) || U < 1) typeError("WRONG_TYPE", "tests", -1, msg`must be a positive integer, got ${show(U)}`);
  checkU8("pass", a.pass);
  const B = a.pass.length / U;
  if (!Number.isInteger(B)) rangeError("SHAPE_MISMATCH", "pass", -1, msg`length ${a.pass.length} is not rows x ${U} tests`);
  const pp = placeBinary(e, s, "pass", a.pass, a.pass.length);
  const vp = a.testValid !== undefined ? placeBinary(e, s, "testValid", a.testValid, a.pass.length) : 0;
  checkFiniteParam("localWeight", o.localWeight);
  checkGroupTypes(a);
  const g = placeGroups(e, s, a, B);
  const out = mainOut(s, sink, B), loc = sink.mainOnly ? 0 : out32(s, B), glo = sink.mainOnly ? 0 : out32(s, B);
  const bad = e.exports.verpo_f32(pp, vp, g.idsPtr, B, g.G, U, o.localWeight, s.alloc(g.G * U * 16 || 16), s.alloc(g.G * 8 || 8), out, loc, glo, s.alloc(U * 8));
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "localWeight", bad, msg`the reward of row ${bad} is outside the float32 range`);
  return { rewards: sink(out, B), local: side(e, sink, loc, B), global: side(e, sink, glo, B) };
}

// ---------------------------------------------------------------------------------------------
/** `o1PrunerReward`: O1-pruner's length reward against the group's mean length. */
export interface O1PrunerArgs extends ShaperGroups {
  /** Response lengths, Int32Array[B], each > 0. */
  lengths: Int32Array;
}
/** `erLengthReward`: ER's length reward against the group's correct answers. */
export interface ErLengthArgs extends ShaperGroups {
  /** Response lengths, Int32Array[B], each > 0. */
  lengths: Int32Array;
  /** Correctness score in [0, 1] per row, Float32Array[B]. */
  correct: Float32Array;
}

export function o1PrunerRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): Float32Array {
  resolveOptions("o1PrunerReward", a, ["lengths", ...GROUPS], [] as const);
  checkInt32("lengths", a.lengths);
  const B = a.lengths.length, [, lp] = placeLengths(e, s, a.lengths, B, "lengths", 1);
  checkGroupTypes(a);
  const g = placeGroups(e, s, a, B), out = mainOut(s, sink, B);
  e.exports.o1_pruner_f32(lp, g.idsPtr, B, g.G, out, s.alloc(g.G * 16 || 16));
  return sink(out, B);
}

export function erLengthRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): Float32Array {
  resolveOptions("erLengthReward", a, ["lengths", "correct", ...GROUPS], [] as const);
  checkInt32("lengths", a.lengths);
  const B = a.lengths.length, [, lp] = placeLengths(e, s, a.lengths, B, "lengths", 1), [, cp] = placeValues(e, s, "correct", a.correct, B, [0, 1]);
  checkGroupTypes(a);
  const g = placeGroups(e, s, a, B), out = mainOut(s, sink, B);
  e.exports.er_length_f32(lp, cp, g.idsPtr, B, g.G, out, s.alloc(g.G * 24 || 24));
  return sink(out, B);
}
