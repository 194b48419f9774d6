// Length rewards (docs/shapers.md#length-rewards): Kimi k1.5, LASER / LASER-D / LASER-DE and
// their target lengths, HAPO with its per-prompt history, DAPO's overlong and ProRL's
// stop-properly penalties. The per-row arithmetic runs in wasm (f64, rounded once); the target
// lengths and HAPO's history are host-side bookkeeping.
import type { Engine } from "../core/engine.js";
import { rangeError, typeError } from "../core/errors.js";
import { checkGroupTypes, resolveGroups } from "../core/groups.js";
import { place, placeGroups, type Scratch } from "../core/layout.js";
import { checkFiniteParam, checkNonNegative, checkNumber, resolveOptions } from "../core/options.js";
import { msg, ownOptions, ownRecord, show, typedArrayKind } from "../core/safe.js";
import { copyOut, mainOut, side, type Sink } from "./sink.js";
import { checkBinary, checkLengths, placeBinary, placeLengths, placeValues } from "./rows.js";

function checkBase(e: Engine, s: Scratch, v: unknown, B: number): number { return placeValues(e, s, "base", v, B)[1]; }
function enumOf<V extends string>(name: string, v: unknown, values: readonly V[]): number {
  const i = values.indexOf(v as V);
  if (i < 0) rangeError("UNKNOWN_OPTION", name, -1, msg`unknown value ${show(v)}; expected ${values.join(", ")}`);
  return i;
}
const f32Out = (s: Scratch, B: number) => s.alloc(B * 4 || 4);

// ---------------------------------------------------------------------------------------------
/** `kimiLengthReward`: Kimi k1.5's length reward per row. */
export interface KimiLengthArgs {
  /** Response lengths, Int32Array[B] (>= 0). */
  lengths: Int32Array;
  /** 1 for a correct answer, Uint8Array[B]. */
  correct: Uint8Array;
  /** 1 for rows that get the term (LASER excludes format errors), Uint8Array[B]; default all. */
  eligible?: Uint8Array;
  /** Contiguous groups of this many rows, or groupIds. */
  groupSize?: number;
  /** Dense group id per row, Int32Array[B]. */
  groupIds?: Int32Array;
  /** Groups G (default max id + 1). */
  numGroups?: number;
  /** Added to the range in the denominator (default 1e-6). */
  eps?: number;
  /** `"zero"` (default): a singleton group gets 0; `"laserCompat"`: LASER's minL = 0, maxL = 1. */
  singleton?: "zero" | "laserCompat";
  /** Scores the term is added to, Float32Array[B]: reward = base + weight*len. */
  base?: Float32Array;
  /** Default 1 (LASER uses 0.4 or 0.5). */
  weight?: number;
}
/** `kimiLengthReward`'s result. */
export interface KimiLengthResult {
  /** The length term: lambda for correct rows, min(0, lambda) otherwise, 0 where not eligible. */
  len: Float32Array;
  /** lambda = 0.5 - (L - minL)/(maxL - minL + eps) for every row (upstream's stored value). */
  lambda: Float32Array;
  /** base + weight*len, when base is given. */
  reward?: Float32Array;
}

export function kimiLengthRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): KimiLengthResult {
  // singleton is read as an input: its values here are not the group estimators' (raw, zero, error).
  const o = resolveOptions("kimiLengthReward", a, ["lengths", "correct", "eligible", "groupSize", "groupIds", "numGroups", "base", "singleton"], ["eps", "weight"] as const, { eps: 1e-6, weight: 1 });
  const [L, lp] = placeLengths(e, s, a.lengths, undefined), B = L.length;
  const cp = placeBinary(e, s, "correct", a.correct, B);
  const ep = a.eligible !== undefined ? placeBinary(e, s, "eligible", a.eligible, B) : 0;
  checkGroupTypes(a);
  const g = placeGroups(e, s, a, B);
  checkNonNegative("eps", o.eps);
  const compat = enumOf("singleton", a.singleton ?? "zero", ["zero", "laserCompat"] as const);
  checkFiniteParam("weight", o.weight);
  const base = a.base !== undefined ? checkBase(e, s, a.base, B) : 0;
  const rew = base ? mainOut(s, sink, B) : 0, len = base ? f32Out(s, B) : mainOut(s, sink, B), lam = f32Out(s, B);
  const bad = e.exports.kimi_len_f32(lp, cp, ep, g.idsPtr, B, g.G, o.eps, compat,
    base, o.weight, len, lam, rew, s.alloc(g.G * 12 || 12));
  return { ...termOutputs(e, sink, bad, B, len, rew), lambda: side(e, sink, lam, B) };
}

/**
 * Kimi's and HAPO's outputs: RESULT_OVERFLOW at the first bad row, then the main output through
 * the sink (the reward when a base was given, else the length term) and the other as a copy.
 */
function termOutputs(e: Engine, sink: Sink, bad: number, B: number, len: number, rew: number): { len: Float32Array; reward?: Float32Array } {
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "base", bad, msg`base + weight*len of row ${bad} is outside the float32 range`);
  return rew ? { len: side(e, sink, len, B), reward: sink(rew, B) } : { len: sink(len, B) };
}

// ---------------------------------------------------------------------------------------------
/** LASER's three band targets (D and DE). */
export interface BandTargets {
  /** Target of groups with accuracy below 1/3. */
  low: number;
  /** Target of groups with accuracy in [1/3, 2/3). */
  medium: number;
  /** Target of groups with accuracy >= 2/3. */
  high: number;
}
/** LASER's base score per status. */
export interface LaserBaseScores {
  /** Status 1 (default 1). */
  correct: number;
  /** Status 0 (default -0.5). */
  wrong: number;
  /** Status -1 (default -1). */
  invalid: number;
}

/** `laserReward`: LASER, LASER-D and LASER-DE step length rewards. */
export interface LaserArgs {
  /** Int8Array[B]: 1 correct, 0 wrong with an answer, -1 no answer or format error. */
  status: Int8Array;
  /** Response lengths, Int32Array[B]. */
  lengths: Int32Array;
  /** Groups (variants d and de): contiguous groupSize, or groupIds / numGroups. */
  groupSize?: number;
  /** Dense group id per row. */
  groupIds?: Int32Array;
  /** Groups G. */
  numGroups?: number;
  /** The step size of the length term (default 0.5). */
  alpha?: number;
  /** `"reward"` (default): +alpha at or below the target; `"penalty"`: -alpha above; `"hybrid"`: both. */
  mode?: "reward" | "penalty" | "hybrid";
  /** Base score per status (default correct 1, wrong -0.5, invalid -1). */
  baseScores?: LaserBaseScores;
  /** `"laser"` (default, fixed target), `"d"` (band targets), `"de"` (band targets, exploration bonus for long wrong answers). */
  variant?: "laser" | "d" | "de";
  /** Variant laser: the target length (default 8192). */
  targetLength?: number;
  /** Variants d and de: the target of each accuracy band (laserTargetLengths). */
  bandTargets?: BandTargets;
  /** Variant de: 1 for rows that end in a repeated n-gram (no bonus), Uint8Array[B]; default none. */
  repetitive?: Uint8Array;
}
/** `laserReward`'s result. */
export interface LaserResult {
  /** base + the length term, Float32Array[B]. */
  scores: Float32Array;
  /** The length term alone (+alpha, -alpha or 0). */
  lengthTerms: Float32Array;
  /** The target length each row was compared with. */
  targets: Float32Array;
}

function checkBands(v: unknown): BandTargets {
  const o = ownRecord(v, "bandTargets", ["low", "medium", "high"], ["low", "medium", "high"]);
  for (const k of ["low", "medium", "high"]) { checkFiniteParam(`bandTargets.${k}`, o[k] as number); }
  return o as unknown as BandTargets;
}

export function laserRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): LaserResult {
  const o = resolveOptions("laserReward", a, ["status", "lengths", "groupSize", "groupIds", "numGroups", "repetitive"],
    ["alpha", "mode", "baseScores", "variant", "targetLength", "bandTargets"] as const,
    { alpha: 0.5, mode: "reward", baseScores: { correct: 1, wrong: -0.5, invalid: -1 }, variant: "laser", targetLength: 8192, bandTargets: undefined });
  if (typedArrayKind(a.status) !== "Int8Array") typeError("WRONG_TYPE", "status", -1, msg`must be an Int8Array of 1 / 0 / -1, got ${show(a.status)}`);
  const st = a.status as Int8Array, B = st.length, sp = place(e, s, st), badStatus = e.exports.first_outside_i8(sp, B, -1, 1);
  if (badStatus >= 0) rangeError("PARAM_OUT_OF_RANGE", "status", badStatus, msg`must be 1, 0 or -1, got ${st[badStatus]}`);
  const [, lp] = placeLengths(e, s, a.lengths, B);
  const mode = enumOf("mode", o.mode, ["reward", "penalty", "hybrid"] as const);
  const variant = enumOf("variant", o.variant, ["laser", "d", "de"] as const);
  if (o.alpha === null) typeError("WRONG_TYPE", "alpha", -1, "must be a number");
  checkFiniteParam("alpha", o.alpha);
  const bs = ownRecord(o.baseScores, "baseScores", ["correct", "wrong", "invalid"], ["correct", "wrong", "invalid"]);
  for (const k of ["correct", "wrong", "invalid"]) checkFiniteParam(`baseScores.${k}`, bs[k] as number);
  let ids = 0, G = 0, bands: BandTargets = { low: 0, medium: 0, high: 0 };
  if (variant > 0) {
    checkGroupTypes(a);
    const g = placeGroups(e, s, a, B);
    ids = g.idsPtr; G = g.G;
    if (o.bandTargets === undefined) rangeError("SHAPE_MISMATCH", "bandTargets", -1, "variants d and de need bandTargets {low, medium, high} (laserTargetLengths)");
    bands = checkBands(o.bandTargets);
  } else checkFiniteParam("targetLength", o.targetLength);
  const rp = a.repetitive !== undefined ? placeBinary(e, s, "repetitive", a.repetitive, B) : 0;
  const sc = mainOut(s, sink, B), tm = sink.mainOnly ? 0 : f32Out(s, B), tg = sink.mainOnly ? 0 : f32Out(s, B);
  const bad = e.exports.laser_reward_f32(sp, lp, ids, B, G, o.alpha, mode, bs.correct as number, bs.wrong as number, bs.invalid as number,
    variant, o.targetLength, bands.low, bands.medium, bands.high, rp, sc, tm, tg, s.alloc(G * 8 || 8));
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "baseScores", bad, msg`the score of row ${bad} is outside the float32 range`);
  return { scores: sink(sc, B), lengthTerms: side(e, sink, tm, B), targets: side(e, sink, tg, B) };
}

/** The most candidate lengths laserTargetLengths scans (upstream uses a handful, 1024 apart). */
const MAX_CANDIDATES = 65536;

/** `laserTargetLengths`: LASER-D's band targets from a monitor set. */
export interface LaserTargetArgs {
  /** Monitor response lengths, Int32Array[M]. */
  lengths: Int32Array;
  /** 1 for a correct monitor response, Uint8Array[M]. */
  correct: Uint8Array;
  /** Monitor prompt per response (groupIds / numGroups or groupSize). */
  groupIds?: Int32Array;
  /** Groups G. */
  numGroups?: number;
  /** Contiguous groups of this many responses. */
  groupSize?: number;
  /** Samples per prompt n used for the expected-correct counts (default 8, upstream's n_rollout). */
  n?: number;
  /** Smallest candidate length. */
  lower: number;
  /** Largest candidate length (the last candidate can exceed it, as upstream). */
  upper: number;
  /** Candidate step (default 1024). */
  interval?: number;
  /** Expected correct responses a target must keep (default 1). */
  expectedCorrect?: number;
  /** `"floor"` (default) or `"ceil"`. */
  roundMethod?: "floor" | "ceil";
  /** The target when no candidate qualifies (the maximum response length). */
  fallbackLength: number;
}

/**
 * Host-side (no wasm): banding by each monitor prompt's accuracy (<= 1/3 low, <= 2/3 medium, else
 * high), coverage cov_d(L) = the fraction of the band's responses of length <= L, and per band the
 * smallest candidate whose expected correct count reaches expectedCorrect, capped by fallbackLength.
 */
export function laserTargetLengths(args: LaserTargetArgs): BandTargets {
  const a = ownOptions(args, "args");
  const o = resolveOptions("laserTargetLengths", a, ["lengths", "correct", "groupIds", "numGroups", "groupSize"],
    ["n", "lower", "upper", "interval", "expectedCorrect", "roundMethod", "fallbackLength"] as const,
    { n: 8, interval: 1024, expectedCorrect: 1, roundMethod: "floor", lower: undefined, upper: undefined, fallbackLength: undefined });
  const L = checkLengths(a.lengths, undefined), M = L.length;
  const c = checkBinary("correct", a.correct, M);
  checkGroupTypes(a as never);
  const { G } = resolveGroups(a as never, M);
  const ids = (a.groupIds as Int32Array | undefined) ?? Int32Array.from({ length: M }, (_, i) => Math.floor(i / (a.groupSize as number)));
  for (const k of ["n", "lower", "upper", "interval", "expectedCorrect", "fallbackLength"] as const) checkFiniteParam(k, o[k]);
  if (!Number.isInteger(o.n) || o.n < 1) rangeError("PARAM_OUT_OF_RANGE", "n", -1, msg`must be a positive integer, got ${o.n}`);
  if (!(o.interval > 0)) rangeError("PARAM_OUT_OF_RANGE", "interval", -1, msg`must be > 0, got ${o.interval}`);
  if (!(o.lower <= o.upper)) rangeError("PARAM_OUT_OF_RANGE", "lower", -1, msg`must be <= upper (${o.upper}), got ${o.lower}`);
  const ceil = enumOf("roundMethod", o.roundMethod, ["floor", "ceil"] as const) === 1;
  // Each candidate is a scan of the monitor set: refuse a span that would make millions of them.
  const span = (o.upper + o.interval - Math.min(o.lower, 1024)) / o.interval;
  if (!(span <= MAX_CANDIDATES)) rangeError("PARAM_OUT_OF_RANGE", "upper", -1, msg`(upper - lower) / interval gives ${span} candidates; at most ${MAX_CANDIDATES}`);
  // Candidates as upstream's range(): [lower] + range(1024, upper + interval, interval) below 1024.
  const cand: number[] = o.lower < 1024 ? [o.lower] : [];
  for (let v = o.lower < 1024 ? 1024 : o.lower; v < o.upper + o.interval; v += o.interval) cand.push(v);
  const size = new Int32Array(G), good = new Int32Array(G);
  for (let i = 0; i < M; i++) { size[ids[i]!]!++; good[ids[i]!]! += c[i]!; }
  // Each response's band, once (the candidate scan below reads it per candidate).
  const rowBand = Uint8Array.from(ids, (g) => { const acc = good[g]! / size[g]!; return acc <= 1 / 3 ? 0 : acc <= 2 / 3 ? 1 : 2; });
  const n = o.n;
  const nd = ceil ? [1, Math.ceil(n / 3), Math.ceil(2 * n / 3)] : [1, Math.floor(n / 3), Math.floor(2 * n / 3)];
  const total = [0, 0, 0];
  for (let i = 0; i < M; i++) total[rowBand[i]!]!++;
  const out = [o.fallbackLength, o.fallbackLength, o.fallbackLength];
  for (let d = 0; d < 3; d++) {
    if (total[d] === 0) continue;
    for (const cl of cand) {
      let k = 0;
      for (let i = 0; i < M; i++) if (rowBand[i] === d && L[i]! <= cl) k++;
      const cov = k / total[d]!;
      const ecr = ceil ? cov * nd[d]! : Math.floor(cov * nd[d]!);
      if (ecr >= o.expectedCorrect) { if (cl < out[d]!) out[d] = cl; break; }
    }
  }
  return { low: out[0]!, medium: out[1]!, high: out[2]! };
}

// ---------------------------------------------------------------------------------------------
type PromptKey = number | string;
/** The serialised state of a {@link HapoHistory}. */
export interface HapoHistoryJSON {
  /** Always "min" (the shortest correct length per prompt). */
  mode: "min";
  /** [prompt, h] pairs: h the shortest correct length seen. */
  entries: [PromptKey, number][];
}

function promptKeys(v: unknown, B: number, name = "promptIds"): ArrayLike<PromptKey> {
  const ok = typedArrayKind(v) === "Int32Array" || (Array.isArray(v) && v.every((x) => typeof x === "string" || (typeof x === "number" && Number.isInteger(x))));
  if (!ok) typeError("WRONG_TYPE", name, -1, msg`must be an Int32Array or an array of strings / integers, got ${show(v)}`);
  const k = v as ArrayLike<PromptKey>;
  if (k.length !== B) rangeError("SHAPE_MISMATCH", name, -1, msg`length ${k.length} != rows ${B}`);
  return k;
}

/**
 * HAPO's per-prompt history: h = the shortest correct length seen so far for each prompt (none
 * until a correct answer). Update it after computing a batch's rewards, so a batch never sees its
 * own lengths. Serialisable with toJSON / fromJSON.
 */
export class HapoHistory {
  private readonly h = new Map<PromptKey, number>();
  /** h of a prompt, or null when it has no correct answer yet. */
  get(prompt: PromptKey): number | null { return this.h.get(prompt) ?? null; }
  /** Prompts with a history. */
  get size(): number { return this.h.size; }
  /** h = min(h, min{L_i : correct_i, prompt_i = p}). Checks everything before changing anything. */
  update(lengths: Int32Array, correct: Uint8Array, promptIds: Int32Array | PromptKey[]): this {
    const L = checkLengths(lengths, undefined), B = L.length;
    const c = checkBinary("correct", correct, B), k = promptKeys(promptIds, B);
    for (let i = 0; i < B; i++) if (c[i]) { const p = k[i]!, old = this.h.get(p); if (old === undefined || L[i]! < old) this.h.set(p, L[i]!); }
    return this;
  }
  /** The state as plain JSON. */
  toJSON(): HapoHistoryJSON { return { mode: "min", entries: [...this.h.entries()] }; }
  /** Restores a state saved by toJSON(). */
  static fromJSON(o: unknown): HapoHistory {
    const r = ownRecord(o, "history", ["mode", "entries"], ["mode", "entries"]);
    if (r.mode !== "min") rangeError("UNKNOWN_OPTION", "history.mode", -1, msg`unknown value ${show(r.mode)}; expected min`);
    if (!Array.isArray(r.entries)) typeError("WRONG_TYPE", "history.entries", -1, "must be an array of [prompt, h] pairs");
    const out = new HapoHistory();
    (r.entries as unknown[]).forEach((en, i) => {
      if (!Array.isArray(en) || en.length !== 2 || !(typeof en[0] === "string" || typeof en[0] === "number") || typeof en[1] !== "number" || !(en[1] >= 0) || !Number.isFinite(en[1]))
        typeError("WRONG_TYPE", "history.entries", i, "must be a [prompt, h >= 0] pair");
      const [k, v] = en as [PromptKey, number];
      out.h.set(k, v);
    });
    return out;
  }
}

/** `hapoLengthReward`: HAPO's history-aware length reward. */
export interface HapoArgs {
  /** Response lengths, Int32Array[B]. */
  lengths: Int32Array;
  /** 1 for a correct answer, Uint8Array[B]. */
  correct: Uint8Array;
  /** Prompt per row: Int32Array or an array of strings / integers (the history's keys). */
  promptIds: Int32Array | PromptKey[];
  /** The per-prompt history (read only here; call history.update after the rewards). */
  history: HapoHistory;
  /** `"cosine"` (default) or `"linear"`. */
  type?: "cosine" | "linear";
  /** Floor of correct rows (default -0.7: every correct answer stays above every wrong one). */
  correctFloor?: number;
  /** Linear: the tolerance band above h (default 0.1). */
  tau?: number;
  /** Linear: floor of wrong rows (default -1). */
  wrongFloor?: number;
  /** Scores the term is added to, Float32Array[B]: reward = base + weight*len. */
  base?: Float32Array;
  /** Default 1. */
  weight?: number;
}
/** `hapoLengthReward`'s result. */
export interface HapoResult {
  /** The length term per row (0 for prompts without history). */
  len: Float32Array;
  /** base + weight*len, when base is given. */
  reward?: Float32Array;
}

export function hapoRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): HapoResult {
  const o = resolveOptions("hapoLengthReward", a, ["lengths", "correct", "promptIds", "history", "base"], ["type", "correctFloor", "tau", "wrongFloor", "weight"] as const,
    { type: "cosine", correctFloor: -0.7, tau: 0.1, wrongFloor: -1, weight: 1 });
  const [L, lp] = placeLengths(e, s, a.lengths, undefined), B = L.length;
  const cp = placeBinary(e, s, "correct", a.correct, B);
  const keys = promptKeys(a.promptIds, B);
  if (!(a.history instanceof HapoHistory)) typeError("WRONG_TYPE", "history", -1, msg`must be a HapoHistory, got ${show(a.history)}`);
  const type = enumOf("type", o.type, ["cosine", "linear"] as const);
  for (const k of ["correctFloor", "tau", "wrongFloor", "weight"] as const) checkFiniteParam(k, o[k]);
  checkNumber("tau", o.tau);
  if (o.tau < 0) rangeError("PARAM_OUT_OF_RANGE", "tau", -1, msg`must be >= 0, got ${o.tau}`);
  const base = a.base !== undefined ? checkBase(e, s, a.base, B) : 0;
  const hp = s.alloc(B * 8 || 8), F = e.F64;
  for (let i = 0; i < B; i++) F[(hp >>> 3) + i] = (a.history as HapoHistory).get(keys[i]!) ?? 0;
  const rew = base ? mainOut(s, sink, B) : 0, len = base ? f32Out(s, B) : mainOut(s, sink, B);
  const bad = e.exports.hapo_len_f32(lp, cp, hp, B, type, o.correctFloor, o.tau, o.wrongFloor, base, o.weight, len, rew);
  return termOutputs(e, sink, bad, B, len, rew);
}

// ---------------------------------------------------------------------------------------------
/** `overlongPenalty`: DAPO's soft overlong penalty. */
export interface OverlongArgs {
  /** Rewards, Float32Array[B]. */
  r: Float32Array;
  /** Response lengths, Int32Array[B]. */
  lengths: Int32Array;
  /** The generation limit; the penalty ramps over its last bufferLen tokens. */
  maxNewTokens: number;
  /** 0 <= bufferLen <= maxNewTokens (0: no penalty). */
  bufferLen: number;
  /** The penalty at the limit (default 1). */
  factor?: number;
}
/** `stopProperlyPenalty`: ProRL's penalty on truncated responses. */
export interface StopProperlyArgs {
  /** Rewards, Float32Array[B]. */
  r: Float32Array;
  /** 1 for a truncated response, Uint8Array[B]. */
  truncated: Uint8Array;
  /** coef in [0, 1] scales a truncated row's reward; coef < 0 replaces it. */
  coef: number;
}

export function overlongRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): Float32Array {
  const o = resolveOptions("overlongPenalty", a, ["r", "lengths"], ["maxNewTokens", "bufferLen", "factor"] as const, { factor: 1, maxNewTokens: undefined, bufferLen: undefined });
  const [{ length: B }, rp] = placeValues(e, s, "r", a.r);
  const [, lp] = placeLengths(e, s, a.lengths, B);
  checkNonNegative("maxNewTokens", o.maxNewTokens); checkNonNegative("bufferLen", o.bufferLen); checkFiniteParam("factor", o.factor);
  if (o.bufferLen > o.maxNewTokens) rangeError("PARAM_OUT_OF_RANGE", "bufferLen", -1, msg`must be <= maxNewTokens (${o.maxNewTokens}), got ${o.bufferLen}`);
  const out = mainOut(s, sink, B);
  const bad = e.exports.overlong_penalty_f32(rp, lp, B, o.maxNewTokens, o.bufferLen, o.factor, out);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "r", bad, msg`the penalised reward of row ${bad} is outside the float32 range`);
  return sink(out, B);
}

export function stopProperlyRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): Float32Array {
  const o = resolveOptions("stopProperlyPenalty", a, ["r", "truncated"], ["coef"] as const, { coef: undefined });
  const [{ length: B }, rp] = placeValues(e, s, "r", a.r);
  const tp = placeBinary(e, s, "truncated", a.truncated, B);
  checkFiniteParam("coef", o.coef);
  if (o.coef > 1) rangeError("PARAM_OUT_OF_RANGE", "coef", -1, msg`must be in [0, 1] or negative, got ${o.coef}`);
  const out = mainOut(s, sink, B);
  e.exports.stop_properly_f32(rp, tp, B, o.coef, out);
  return sink(out, B);
}
