// PAR and the shapers of the PAR paper, LSC (docs/shapers.md#parshape, #lsc). The steps run in
// wasm on an f64 working copy of the batch, in PAR's fixed order, and the result is rounded once.
// Stateful steps update a copy of the caller's RunningStats, committed only when the call
// succeeds: a call that throws leaves the statistics as they were.
import type { Engine } from "../core/engine.js";
import { rangeError, typeError } from "../core/errors.js";
import { checkF32, place, type Scratch } from "../core/layout.js";
import { phiInv } from "../core/math.js";
import { checkFiniteParam, checkNumber, resolveOptions } from "../core/options.js";
import { checkFiniteList, msg, numberList, show } from "../core/safe.js";
import { placeRefs, requireRefs, type Refs } from "./refs.js";
import { RunningStats } from "./running-stats.js";
import { copyOut, mainOut, type Sink } from "./sink.js";
import { placeLengths } from "./rows.js";

/** `parShape`: PAR's reward shaping pipeline on one batch of sequence-level rewards. */
export interface ParShapeArgs {
  /** Reward-model scores, Float32Array[B]. */
  r: Float32Array;
  /** Reference rewards per row (required by the relative steps and lsc). */
  refs?: Refs;
  /** Response lengths, Int32Array[B] (required by lengthPenalty). */
  lengths?: Int32Array;
  /** Shared by meanstd, clipping and minmax, each of which updates it with the batch (mutated). */
  stats?: RunningStats;
  /** Step 0 and 6: r = min(r, ceil); null (default) = off. */
  ceil?: number | null;
  /** Step 1: r -= lengthCoef * (L - lengthThreshold) where L > lengthThreshold (default false). */
  lengthPenalty?: boolean;
  /** Default 300. */
  lengthThreshold?: number;
  /** Default 0.01. */
  lengthCoef?: number;
  /** Step 2: mean of (r - ref_m) over the first M = min(maxRef, #refs) references. */
  centered?: boolean;
  /** Step 3: mean of σ(sigmoidK (r - 3 - ref_m)). */
  sgfc?: boolean;
  /** Step 4: stats.update(r); (r - mean)/(std or 1). */
  meanstd?: boolean;
  /** Step 5: stats.update(r); clamp to mean ± std. */
  clipping?: boolean;
  /** Step 7: stats.update(r); (r - min)/(max - min), 0 when max == min. */
  minmax?: boolean;
  /** Step 8: relative (PAR): mean of σ(sigmoidK (r - ref_m)); absolute: σ(sigmoidK r). */
  sigmoid?: boolean;
  /** Step 9: relative: mean of tanh(r - ref_m); absolute: tanh(r). */
  tanh?: boolean;
  /** Step 10: LSC, logσ(r - refReward) with refReward from ALL of the row's references. */
  lsc?: boolean;
  /** Relative forms of sigmoid and tanh (default true; PAR's own flag defaults to false). */
  relative?: boolean;
  /** Default 1. */
  sigmoidK?: number;
  /** References the relative steps use per row (default 10). */
  maxRef?: number;
  /** LSC's quantile, in (0, 1) (default 0.85). */
  q?: number;
}

const STEP_FLAGS = ["lengthPenalty", "centered", "sgfc", "meanstd", "clipping", "minmax", "sigmoid", "tanh", "lsc", "relative"] as const;
const MODE = { centered: 0, sgfc: 1, sigmoid: 2, tanh: 3 } as const;

function checkFlag(name: string, v: unknown): boolean {
  if (typeof v !== "boolean") typeError("WRONG_TYPE", name, -1, msg`must be a boolean, got ${show(v)}`);
  return v as boolean;
}
function checkQ(q: number): number {
  checkNumber("q", q);
  if (!(q > 0 && q < 1)) rangeError("PARAM_OUT_OF_RANGE", "q", -1, msg`must lie in (0, 1), got ${q}`);
  return phiInv(q);
}
function checkMaxRef(v: number): void {
  checkNumber("maxRef", v);
  if (!Number.isInteger(v) || v < 1) rangeError("PARAM_OUT_OF_RANGE", "maxRef", -1, msg`must be a positive integer, got ${v}`);
}
/** Rewards r (checked, NON_FINITE at the index) into an f64 working copy. */
function workingCopy(e: Engine, s: Scratch, r: Float32Array, name = "r"): number {
  const x = s.alloc(r.length * 8 || 8);
  const bad = e.exports.f32_to_f64_rows(place(e, s, r), r.length, x);
  if (bad >= 0) rangeError("NON_FINITE", name, bad, msg`value is ${r[bad]}`);
  return x;
}
function rounded(e: Engine, s: Scratch, x: number, B: number, name: string, sink: Sink): Float32Array {
  const out = mainOut(s, sink, B);
  const bad = e.exports.f64_to_f32_rows(x, B, out);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", name, bad, msg`the shaped reward of row ${bad} is outside the float32 range`);
  return sink(out, B);
}

export function parShapeRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): Float32Array {
  const o = resolveOptions("parShape", a, ["r", "refs", "lengths", "stats"],
    ["ceil", "lengthThreshold", "lengthCoef", "sigmoidK", "maxRef", "q", ...STEP_FLAGS] as const,
    { ceil: null, lengthThreshold: 300, lengthCoef: 0.01, sigmoidK: 1, maxRef: 10, q: 0.85, relative: true,
      lengthPenalty: false, centered: false, sgfc: false, meanstd: false, clipping: false, minmax: false, sigmoid: false, tanh: false, lsc: false });
  checkF32("r", a.r);
  const B = a.r.length;
  const f: Record<(typeof STEP_FLAGS)[number], boolean> = {} as never;
  for (const k of STEP_FLAGS) f[k] = checkFlag(k, o[k]);
  const relativeSteps = f.centered || f.sgfc || (f.relative && (f.sigmoid || f.tanh));
  const stateful = f.meanstd || f.clipping || f.minmax;
  // Every input given is checked, used or not: a stray value is a mistake the caller should hear of.
  const lengths = f.lengthPenalty || a.lengths !== undefined ? placeLengths(e, s, a.lengths, B)[1] : 0;
  if ((stateful || a.stats !== undefined) && !(a.stats instanceof RunningStats)) typeError("WRONG_TYPE", "stats", -1, msg`meanstd, clipping and minmax need a RunningStats (new RunningStats()), got ${show(a.stats)}`);
  if (o.ceil !== null) checkFiniteParam("ceil", o.ceil);
  checkFiniteParam("lengthThreshold", o.lengthThreshold); checkFiniteParam("lengthCoef", o.lengthCoef);
  checkFiniteParam("sigmoidK", o.sigmoidK); checkMaxRef(o.maxRef);
  const z = checkQ(o.q);
  const x = workingCopy(e, s, a.r);
  if ((relativeSteps || f.lsc) && a.refs === undefined) rangeError("DOMAIN", "refs", 0, "the relative steps and lsc need reference rewards");
  const refs = a.refs !== undefined ? placeRefs(e, s, a.refs, B) : null;
  if (refs && (relativeSteps || f.lsc) && B > 0) requireRefs(e, refs, B);
  const X = e.exports;
  const work = stateful ? (a.stats as RunningStats).clone() : null;
  const mom = s.alloc(32);
  const update = () => {
    if (B === 0) return;
    X.batch_moments_f64(x, B, mom);
    const F = e.F64, m = mom >>> 3;
    work!.absorb(B, F[m]!, F[m + 1]!, F[m + 2]!, F[m + 3]!);
  };
  if (o.ceil !== null) X.clamp_f64(x, B, -Infinity, o.ceil);
  if (f.lengthPenalty) X.length_penalty_f64(x, lengths, B, o.lengthThreshold, o.lengthCoef);
  if (f.centered) X.par_relative_f64(x, B, refs!.values, refs!.offsets, o.maxRef, MODE.centered, o.sigmoidK);
  if (f.sgfc) X.par_relative_f64(x, B, refs!.values, refs!.offsets, o.maxRef, MODE.sgfc, o.sigmoidK);
  if (f.meanstd) { update(); const sd = work!.std; X.shift_div_f64(x, B, work!.mean, sd > 0 ? sd : 1); }
  if (f.clipping) { update(); const sd = work!.std; X.clamp_f64(x, B, work!.mean - sd, work!.mean + sd); }
  if (o.ceil !== null) X.clamp_f64(x, B, -Infinity, o.ceil);
  if (f.minmax) { update(); X.shift_div_f64(x, B, work!.min, work!.max - work!.min); }
  if (f.sigmoid) f.relative ? X.par_relative_f64(x, B, refs!.values, refs!.offsets, o.maxRef, MODE.sigmoid, o.sigmoidK) : X.par_absolute_f64(x, B, MODE.sigmoid, o.sigmoidK);
  if (f.tanh) f.relative ? X.par_relative_f64(x, B, refs!.values, refs!.offsets, o.maxRef, MODE.tanh, o.sigmoidK) : X.par_absolute_f64(x, B, MODE.tanh, o.sigmoidK);
  if (f.lsc) {
    const ref = s.alloc(B * 8 || 8);
    X.lsc_ref_f64(refs!.values, refs!.offsets, B, z, ref);
    X.log_sigmoid_diff_f64(x, ref, B);
  }
  const out = rounded(e, s, x, B, "r", sink);
  if (work) (a.stats as RunningStats).set(work);
  return out;
}

/** `lscTransform`: u = logσ(r - refReward), the reference from reference samples or given. */
export interface LscTransformArgs {
  /** Rewards, Float32Array[B]. */
  r: Float32Array;
  /** Reference samples per row: refReward = mean + (sd + 1e-5) Φ⁻¹(q), sd the sample sd (0 for one sample). */
  refs?: Refs;
  /** The reference reward per row, Float32Array[B], instead of refs. */
  refReward?: Float32Array;
  /** Quantile in (0, 1) (default 0.85). */
  q?: number;
}

/** `lscCombine`: Σ_h w_h logσ(r_{i,h} - refReward_{i,h}) over K reward heads. */
export interface LscCombineArgs {
  /** Rewards, row-major [row][head], Float32Array[B*K]. */
  r: Float32Array;
  /** Heads K (default 1). */
  heads?: number;
  /** One Refs per head (reference samples of each head's reward). */
  refs?: Refs[];
  /** Reference reward per row and head, Float32Array[B*K], instead of refs. */
  refReward?: Float32Array;
  /** One weight per head (default all 1). */
  weights?: ArrayLike<number>;
  /** Quantile in (0, 1) (default 0.85). */
  q?: number;
}

/** Reference rewards into an f64 buffer [B] from samples (lsc_ref_f64) or given directly. */
function refRewards(e: Engine, s: Scratch, refs: unknown, given: unknown, B: number, z: number, name: string, givenName: string): number {
  const out = s.alloc(B * 8 || 8);
  if ((refs === undefined) === (given === undefined)) rangeError("SHAPE_MISMATCH", name, -1, `give either ${name} or ${givenName}`);
  if (given !== undefined) {
    checkF32(givenName, given);
    const g = given as Float32Array;
    if (g.length !== B) rangeError("SHAPE_MISMATCH", givenName, -1, msg`length ${g.length} != rows ${B}`);
    const bad = e.exports.f32_to_f64_rows(place(e, s, g), B, out);
    if (bad >= 0) rangeError("NON_FINITE", givenName, bad, msg`value is ${g[bad]}`);
    return out;
  }
  const p = placeRefs(e, s, refs, B, name);
  requireRefs(e, p, B, name);
  e.exports.lsc_ref_f64(p.values, p.offsets, B, z, out);
  return out;
}

export function lscTransformRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): Float32Array {
  const o = resolveOptions("lscTransform", a, ["r", "refs", "refReward"], ["q"] as const, { q: 0.85 });
  checkF32("r", a.r);
  const B = a.r.length, z = checkQ(o.q);
  const x = workingCopy(e, s, a.r);
  const ref = refRewards(e, s, a.refs, a.refReward, B, z, "refs", "refReward");
  e.exports.log_sigmoid_diff_f64(x, ref, B);
  return rounded(e, s, x, B, "r", sink);
}

export function lscCombineRun(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): Float32Array {
  const o = resolveOptions("lscCombine", a, ["r", "heads", "refs", "refReward", "weights"], ["q"] as const, { q: 0.85 });
  checkF32("r", a.r);
  const K = a.heads ?? 1;
  if (typeof K !== "number" || !Number.isInteger(K) || K < 1) typeError("WRONG_TYPE", "heads", -1, msg`must be a positive integer, got ${show(K)}`);
  const B = a.r.length / K;
  if (!Number.isInteger(B)) rangeError("SHAPE_MISMATCH", "r", -1, msg`length ${a.r.length} is not rows x ${K} heads`);
  const w = a.weights !== undefined ? numberList(a.weights, "weights").values : new Array<number>(K).fill(1);
  if (w.length !== K) rangeError("SHAPE_MISMATCH", "weights", -1, msg`length ${w.length} != heads ${K}`);
  checkFiniteList("weights", w);
  const z = checkQ(o.q);
  const ref = s.alloc(B * K * 8 || 8);
  if ((a.refs === undefined) === (a.refReward === undefined)) rangeError("SHAPE_MISMATCH", "refs", -1, "give either refs (one per head) or refReward");
  if (a.refReward !== undefined) {
    checkF32("refReward", a.refReward);
    if (a.refReward.length !== B * K) rangeError("SHAPE_MISMATCH", "refReward", -1, msg`length ${a.refReward.length} != rows x heads = ${B * K}`);
    const bad = e.exports.f32_to_f64_rows(place(e, s, a.refReward), B * K, ref);
    if (bad >= 0) rangeError("NON_FINITE", "refReward", bad, msg`value is ${a.refReward[bad]}`);
  } else {
    if (!Array.isArray(a.refs) || a.refs.length !== K) rangeError("SHAPE_MISMATCH", "refs", -1, msg`must be an array of ${K} Refs (one per head)`);
    const one = s.alloc(B * 8 || 8);
    for (let h = 0; h < K; h++) {
      const p = placeRefs(e, s, a.refs[h], B, `refs[${h}]`);
      requireRefs(e, p, B, `refs[${h}]`);
      e.exports.lsc_ref_f64(p.values, p.offsets, B, z, one);
      // Read after placeRefs: a copy API's memory may have grown (old views detach).
      const F = e.F64;
      for (let i = 0; i < B; i++) F[(ref >>> 3) + i * K + h] = F[(one >>> 3) + i]!;
    }
  }
  const wp = s.alloc(K * 8);
  e.F64.set(w, wp >>> 3);
  const out = mainOut(s, sink, B);
  const bad = e.exports.lsc_combine_f32(place(e, s, a.r), ref, wp, B, K, out);
  if (bad >= 0) rangeError("NON_FINITE", "r", bad, msg`value is ${a.r[bad]}`);
  if (bad <= -2) rangeError("RESULT_OVERFLOW", "r", (-2 - bad) * K, msg`the combined reward of row ${-2 - bad} is outside the float32 range`);
  return sink(out, B);
}
