// One runner per outcome estimator. A runner validates, computes row results into scratch and
// returns; nothing caller-visible is written until `emit`, which cannot fail. The copy API and
// the workspace API differ only in where `emit` writes.
import type { Engine } from "../core/engine.js";
import { rangeError, typeError } from "../core/errors.js";
import { checkFiniteList, msg, numberList } from "../core/safe.js";
import { checkF32, checkLayoutStructure, checkU8, layoutShape, place, placeGroups, placeLayout, type LayoutInputs, type Rows, type Scratch } from "../core/layout.js";
import { checkGroupTypes, resolveGroups } from "../core/groups.js";
import { checkFiniteParam, checkNonNegative, checkPositive, resolveOptions, type Knobs } from "../core/options.js";
import { bnpoRows, gpgRows, grpoRows, meanBaselineRows, opoRows, passKRows, whitenRows, type BnpoDiagnostics } from "./rows.js";
import { denominator, diagnosticsOf, emptyRowsOf, groupMoments, rlooRows, variance, type Ctx, type GroupDiagnostics } from "../core/group-stats.js";
import { whitenScale, type WhitenStats } from "../core/moments.js";
import { bindOutcome, computeScores, GROUP_INPUTS, LAYOUT_INPUTS, OUTCOME_INPUTS, type OutcomeInputs } from "../core/outcome.js";

export interface TokenOuts { advantages: number; returns: number }

export interface Ran<D> {
  rows: Rows;
  /** Row advantages in scratch (Float32Array[B]). */
  row: number;
  diagnostics: D;
  /** Token outputs: the broadcast of `row` (returns = advantages), or a custom writer. */
  tokens: "broadcast" | ((out: TokenOuts) => void);
  /** True when returns differ from advantages (ReMax, openrlhfOutcome). */
  distinctReturns: boolean;
  extra?: Record<string, unknown>;
}

export interface BindOpts {
  idsCache?: { ptr: number; size: number };
  /** The workspace's rowAdvantages: a fused pass may write final rows there (Ran.row is then it). */
  rowOut?: number;
}

const broadcastRan = <D>(c: Ctx, row: number, diagnostics: D): Ran<D> => ({ rows: c.rows, row, diagnostics, tokens: "broadcast", distinctReturns: false });

// ---------------------------------------------------------------------------------------------

export const GRPO_OPTIONS = ["eps", "epsMode", "stdKind", "stdScope", "normalizeByStd", "singleton", "rowScore"] as const;
export function runGrpo(e: Engine, s: Scratch, a: OutcomeInputs & Partial<Knobs>, bo?: BindOpts): Ran<GroupDiagnostics> {
  const o = resolveOptions("grpo", a as Record<string, unknown>, OUTCOME_INPUTS, GRPO_OPTIONS);
  const b = bindOutcome(e, s, a, bo);
  checkNonNegative("eps", o.eps);
  computeScores(b, o.rowScore, false, true);
  const r = grpoRows(b.ctx, o, bo?.rowOut);
  return broadcastRan(b.ctx, r.row, r.diagnostics);
}

export const RLOO_OPTIONS = ["singleton", "nanAsMissing", "batchNormalize", "eps", "rowScore"] as const;
export function runRloo(e: Engine, s: Scratch, a: OutcomeInputs & Record<string, unknown>, bo?: BindOpts): Ran<GroupDiagnostics> {
  const o = resolveOptions("rloo", a, OUTCOME_INPUTS, RLOO_OPTIONS, { batchNormalize: false });
  const b = bindOutcome(e, s, a as OutcomeInputs, bo);
  checkNonNegative("eps", o.eps);
  const nanOk = o.nanAsMissing && b.scoresPtr !== 0;
  computeScores(b, o.rowScore, nanOk, !nanOk);
  let include = 0;
  if (nanOk) {
    include = s.alloc(b.ctx.rows.B);
    const F = e.F32, U = e.U8, base = b.ctx.sPtr >>> 2;
    for (let i = 0; i < b.ctx.rows.B; i++) U[include + i] = Number.isNaN(F[base + i]!) ? 0 : 1;
  }
  const r = rlooRows(b.ctx, { singleton: o.singleton, include, dest: o.batchNormalize ? 0 : bo?.rowOut });
  let row = r.row;
  if (o.batchNormalize) {
    // TRL RLOOTrainer normalize_advantages: (a - nanmean(a)) / (nanstd(a) + eps) over the batch.
    const m = s.alloc(24);
    e.exports.moments_f32(row, include, b.ctx.rows.B, m);
    const F = e.F64;
    const n = F[m >>> 3]!, mean = F[(m >>> 3) + 1]!, m2 = F[(m >>> 3) + 2]!;
    const sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN;
    const out = s.alloc(b.ctx.rows.B * 4);
    const den = sd + o.eps;
    const bad = e.exports.row_affine_f32(row, b.ctx.rows.B, mean, Number.isNaN(den) ? 0 : den === 0 ? 0 : 1 / den, 0, out);
    if (bad >= 0) rangeError("RESULT_OVERFLOW", "scores", bad, "the advantage is outside the float32 range");
    if (include) { const U = e.U8, F32 = e.F32; for (let i = 0; i < b.ctx.rows.B; i++) if (!U[include + i]) F32[(out >>> 2) + i] = 0; }
    row = out;
  }
  return broadcastRan(b.ctx, row, r.diagnostics);
}

const WHITEN_OPTIONS = ["whitenVariance", "whitenEps", "whitenEpsMode"] as const;
export const RFPPB_OPTIONS = ["singleton", "rowScore", ...WHITEN_OPTIONS] as const;
/** The group counts, plus the statistics of the token whitening. */
export interface WhitenedDiagnostics extends GroupDiagnostics {
  /** count, mean, variance and rstd of the whitening. */
  whiten: WhitenStats;
}
/** GPG's diagnostics: the group counts, plus its batch factor. */
export interface GpgDiagnostics extends GroupDiagnostics {
  /** `B / max(#{s != 0}, 1)`. */
  alpha: number;
  /** Rows with a non-zero score. */
  nonZero: number;
}
/** DLER's diagnostics: the whitening statistics, plus the truncated rows. */
export interface DlerDiagnostics extends WhitenedDiagnostics {
  /** Rows flagged `truncated`. */
  truncatedRows: number;
}
/** The TRL block's diagnostics: the group counts, plus the rows every reward function skipped. */
export interface TrlDiagnostics extends GroupDiagnostics {
  /** Rows whose every reward is NaN (None); they get 0. */
  unscorableRows: number;
}


function whitenedBaseline(b: ReturnType<typeof bindOutcome>, o: { singleton: Knobs["singleton"] } & Knobs): Ran<WhitenedDiagnostics> {
  const r = meanBaselineRows(b.ctx, o.singleton, "f64");
  const w = whitenRows(b.ctx, r.row, o);
  return broadcastRan(b.ctx, w.row, { ...r.diagnostics, whiten: w.whiten });
}

export function runReinforcePPBaseline(e: Engine, s: Scratch, a: OutcomeInputs & Record<string, unknown>, bo?: BindOpts): Ran<WhitenedDiagnostics> {
  const o = resolveOptions("reinforcePPBaseline", a, OUTCOME_INPUTS, RFPPB_OPTIONS);
  const b = bindOutcome(e, s, a as OutcomeInputs, { needsMask: true, needLengths: true, ...bo });
  checkNonNegative("whitenEps", o.whitenEps);
  computeScores(b, o.rowScore);
  return whitenedBaseline(b, o as any);
}

export const DLER_INPUTS = [...OUTCOME_INPUTS, "truncated"] as const;
export const DLER_OPTIONS = ["truncatedValue", ...RFPPB_OPTIONS] as const;
export function runDler(e: Engine, s: Scratch, a: OutcomeInputs & { truncated?: Uint8Array } & Record<string, unknown>, bo?: BindOpts): Ran<DlerDiagnostics> {
  const o = resolveOptions("dler", a, DLER_INPUTS, DLER_OPTIONS, { truncatedValue: 0 });
  if (a.truncated === undefined) typeError("WRONG_TYPE", "truncated", -1, "dler needs truncated: Uint8Array[B] (1 = the response hit the length cap)");
  checkU8("truncated", a.truncated);
  const b = bindOutcome(e, s, a as OutcomeInputs, { needsMask: true, needLengths: true, ...bo });
  const B = b.ctx.rows.B;
  if (a.truncated!.length !== B) rangeError("SHAPE_MISMATCH", "truncated", -1, msg`length ${a.truncated!.length} != rows ${B}`);
  const tr = place(e, s, a.truncated!);
  // The flags' 0/1 check comes before the parameters' (the validation order): one SIMD pass. The
  // substitution r_i = truncated_i ? truncatedValue : s_i (docs/kernels.md#dler) runs once the
  // scores are known.
  const r = s.alloc(B * 4);
  const badFlag = e.exports.mask_check_u8(tr, B);
  if (badFlag >= 0) rangeError("MASK_NOT_BINARY", "truncated", badFlag, msg`flags must be 0 or 1, got ${e.U8[tr + badFlag]}`);
  checkFiniteParam("truncatedValue", o.truncatedValue);
  checkNonNegative("whitenEps", o.whitenEps);
  computeScores(b, o.rowScore);
  const truncatedRows = e.exports.dler_truncate_f32(b.ctx.sPtr, tr, B, Math.fround(o.truncatedValue), r);
  b.ctx.sPtr = r;
  const ran = whitenedBaseline(b, o as any);
  return { ...ran, diagnostics: { ...ran.diagnostics, truncatedRows } };
}

export const OPO_OPTIONS = ["singleton", "rowScore"] as const;
export function runOpo(e: Engine, s: Scratch, a: OutcomeInputs & Record<string, unknown>, bo?: BindOpts): Ran<GroupDiagnostics> {
  const o = resolveOptions("opo", a, OUTCOME_INPUTS, OPO_OPTIONS);
  const b = bindOutcome(e, s, a as OutcomeInputs, { needsMask: true, needLengths: true, ...bo });
  computeScores(b, o.rowScore);
  const r = opoRows(b.ctx, o.singleton);
  return broadcastRan(b.ctx, r.row, r.diagnostics);
}

export const GPG_OPTIONS = ["fNorm", "singleton", "rowScore"] as const;
export function runGpg(e: Engine, s: Scratch, a: OutcomeInputs & Record<string, unknown>, bo?: BindOpts): Ran<GpgDiagnostics> {
  const o = resolveOptions("gpg", a, OUTCOME_INPUTS, GPG_OPTIONS, { fNorm: 1 });
  const b = bindOutcome(e, s, a as OutcomeInputs, bo);
  checkPositive("fNorm", o.fNorm);
  computeScores(b, o.rowScore, false, true);
  const r = gpgRows(b.ctx, o, bo?.rowOut);
  return broadcastRan(b.ctx, r.row, r.diagnostics);
}

export const PASSK_OPTIONS = ["eps", "epsMode", "stdKind", "normalizeByStd", "rowScore"] as const;
export function runGrpoPassK(e: Engine, s: Scratch, a: OutcomeInputs & Record<string, unknown>, bo?: BindOpts): Ran<GroupDiagnostics> {
  const o = resolveOptions("grpoPassK", a, OUTCOME_INPUTS, PASSK_OPTIONS);
  const b = bindOutcome(e, s, a as OutcomeInputs, bo);
  checkNonNegative("eps", o.eps);
  computeScores(b, o.rowScore, false, true);
  const r = passKRows(b.ctx, o);
  return broadcastRan(b.ctx, r.row, r.diagnostics);
}

export const BNPO_INPUTS = [...OUTCOME_INPUTS, "components"] as const;
export const BNPO_OPTIONS = ["lo", "hi", "alpha", "beta", "wMax", "singleton", "rowScore"] as const;
/** BNPO with decomposition: the group counts and one fit per component. */
export interface BnpoComponentsDiagnostics extends GroupDiagnostics {
  /** The fit (alpha, beta, fallback) of each component. */
  components: BnpoDiagnostics[];
}
/** BNPO's diagnostics: one fit, or one per component under decomposition. */
export type BnpoResultDiagnostics = BnpoDiagnostics | BnpoComponentsDiagnostics;

/**
 * BNPO; with `components` (K score vectors or K token-reward tensors) it runs once per component
 * and averages (advantage decomposition, docs/kernels.md#bnpo).
 */
export function runBnpo(e: Engine, s: Scratch, a: OutcomeInputs & { components?: Float32Array[] } & Record<string, unknown>, bo?: BindOpts): Ran<BnpoResultDiagnostics> {
  const o = resolveOptions("bnpo", a, BNPO_INPUTS, BNPO_OPTIONS, { lo: 0, hi: 1, alpha: null, beta: null, wMax: 1e6 });
  const comps = a.components;
  if (comps === undefined) {
    const b = bindOutcome(e, s, a as OutcomeInputs, bo);
    checkBnpoParams(o);
    computeScores(b, o.rowScore);
    const r = bnpoRows(b.ctx, o);
    return broadcastRan(b.ctx, r.row, r.diagnostics);
  }
  if (!Array.isArray(comps) || comps.length < 1) typeError("WRONG_TYPE", "components", -1, "must be a non-empty array of Float32Array");
  if (a.scores !== undefined || a.tokenRewards !== undefined) rangeError("UNKNOWN_OPTION", "components", -1, "give components or scores/tokenRewards, not both");
  comps.forEach((c, k) => checkF32(`components[${k}]`, c));
  // Each component is scores ([B]) or token rewards (token tensor); decide from the first.
  const asTokens = a.groupIds ? comps[0]!.length !== a.groupIds.length : comps[0]!.length !== (a.lengths?.length ?? -1) && (a.mask !== undefined || a.offsets !== undefined || a.width !== undefined);
  const bound = comps.map((comp) => bindOutcome(e, s, { ...(a as OutcomeInputs), components: undefined, scores: asTokens ? undefined : comp, tokenRewards: asTokens ? comp : undefined } as OutcomeInputs, bo));
  checkBnpoParams(o);
  for (const b of bound) computeScores(b, o.rowScore);
  const runs = bound.map((b) => bnpoRows(b.ctx, o));
  const c0 = bound[0]!.ctx, B = c0.rows.B;
  const row = s.alloc(B * 4);
  const F = e.F32, K = runs.length;
  for (let i = 0; i < B; i++) {
    let acc = 0;
    for (const r of runs) acc += F[(r.row >>> 2) + i]!;
    F[(row >>> 2) + i] = acc / K;
  }
  const d0 = runs[0]!.diagnostics;
  return broadcastRan(c0, row, {
    numGroups: d0.numGroups, emptyGroups: d0.emptyGroups, singletonGroups: d0.singletonGroups,
    zeroVarianceGroups: Math.max(...runs.map((r) => r.diagnostics.zeroVarianceGroups)), emptyRows: d0.emptyRows,
    components: runs.map((r) => r.diagnostics),
  });
}

function checkBnpoParams(o: { lo: number; hi: number; alpha: number | null; beta: number | null; wMax: number }): void {
  checkFiniteParam("lo", o.lo);
  checkFiniteParam("hi", o.hi);
  if (!(o.hi > o.lo)) rangeError("PARAM_OUT_OF_RANGE", "hi", -1, msg`hi (${o.hi}) must be > lo (${o.lo})`);
  for (const k of ["alpha", "beta"] as const) {
    const v = o[k];
    if (v !== null) {
      checkFiniteParam(k, v);
      if (v < 1) rangeError("PARAM_OUT_OF_RANGE", k, -1, msg`must be >= 1, got ${v}`);
    }
  }
  checkPositive("wMax", o.wMax);
}

// ---------------------------------------------------------------------------------------------
// ReMax (docs/kernels.md#remax): token rewards, mask, baselines[B].

export const REMAX_INPUTS = ["tokenRewards", "baselines", ...LAYOUT_INPUTS] as const;
const NO_OPTIONS = [] as const;
export function runRemax(e: Engine, s: Scratch, a: { tokenRewards?: Float32Array; baselines?: Float32Array } & LayoutInputs & Record<string, unknown>): Ran<{ emptyRows: number }> {
  resolveOptions("remax", a, REMAX_INPUTS, NO_OPTIONS);
  checkF32("tokenRewards", a.tokenRewards);
  checkF32("baselines", a.baselines);
  // Rows come from the token layout when it fixes them (offsets or width); baselines must agree.
  const shape = layoutShape(a, a.offsets || a.width !== undefined ? undefined : a.baselines!.length, [["tokenRewards", a.tokenRewards]]);
  if (a.baselines!.length !== shape.B) rangeError("SHAPE_MISMATCH", "baselines", -1, msg`length ${a.baselines!.length} != rows ${shape.B}`);
  checkLayoutStructure(a, shape, e);
  const rows = placeLayout(e, s, a, shape);
  const r = place(e, s, a.tokenRewards!), bp = place(e, s, a.baselines!);
  let bad = e.exports.first_nonfinite_valid_f32(r, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T);
  if (bad >= 0) rangeError("NON_FINITE", "tokenRewards", bad, msg`token reward is ${e.F32[(r >>> 2) + bad]}`);
  bad = e.exports.first_nonfinite_f32(bp, rows.B);
  if (bad >= 0) rangeError("NON_FINITE", "baselines", bad, msg`baseline is ${e.F32[(bp >>> 2) + bad]}`);
  // Compute into scratch and check, then emit copies: ReMax outputs are token tensors only.
  const ret = s.alloc(rows.N * 4), adv = s.alloc(rows.N * 4);
  bad = e.exports.remax_f32(r, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, bp, ret, adv);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "tokenRewards", bad, "the return is outside the float32 range");
  const row = s.alloc(rows.B * 4);
  // Row-level value: the advantage at the row's first valid token (its full return minus b).
  const ctx: Ctx = { e, s, rows, groups: { idsPtr: 0, G: 0, groupSize: 0 }, sPtr: 0 };
  firstValid(e, rows, adv, row);
  return {
    rows, row, diagnostics: { emptyRows: emptyRowsOf(ctx) }, distinctReturns: true,
    tokens: (out) => { e.U8.copyWithin(out.advantages, adv, adv + rows.N * 4); e.U8.copyWithin(out.returns, ret, ret + rows.N * 4); },
  };
}

function firstValid(e: Engine, rows: Rows, tok: number, row: number): void {
  const F = e.F32, U = e.U8, I = e.I32;
  for (let i = 0; i < rows.B; i++) {
    const s0 = rows.offsetsPtr ? I[(rows.offsetsPtr >>> 2) + i]! : i * rows.T;
    const e0 = rows.offsetsPtr ? I[(rows.offsetsPtr >>> 2) + i + 1]! : s0 + (rows.lensPtr ? I[(rows.lensPtr >>> 2) + i]! : rows.T);
    let v = 0;
    for (let t = s0; t < e0; t++) if (!rows.maskPtr || U[rows.maskPtr + t]) { v = F[(tok >>> 2) + t]!; break; }
    F[(row >>> 2) + i] = v;
  }
}

// ---------------------------------------------------------------------------------------------
// TRL GRPOTrainer advantages (docs/kernels.md#trlgroupadvantage).

export const TRL_INPUTS = ["rewardsPerFunc", "weights", ...LAYOUT_INPUTS, ...GROUP_INPUTS] as const;
export const TRL_OPTIONS = ["scaleRewards", "aggregation", "eps", "nanAsMissing"] as const;
export function runTrl(e: Engine, s: Scratch, a: { rewardsPerFunc?: Float32Array; weights?: Float32Array | number[] } & Record<string, unknown>, bo?: BindOpts): Ran<TrlDiagnostics> {
  const o = resolveOptions("trlGroupAdvantage", a, TRL_INPUTS, TRL_OPTIONS, { scaleRewards: "group", aggregation: "sumThenNormalize", eps: 1e-4, nanAsMissing: true });
  checkF32("rewardsPerFunc", a.rewardsPerFunc);
  const wl = a.weights === undefined ? undefined : numberList(a.weights, "weights");
  const w = wl?.values;
  checkGroupTypes(a as any);
  const K = w ? w.length : 1;
  if (K < 1) rangeError("SHAPE_MISMATCH", "weights", -1, "needs at least one reward function");
  const R = a.rewardsPerFunc!;
  if (R.length % K !== 0) rangeError("SHAPE_MISMATCH", "rewardsPerFunc", -1, msg`length ${R.length} is not rows x ${K} functions`);
  const B = R.length / K;
  const shape = layoutShape(a as any, B, []);
  checkLayoutStructure(a as any, shape, e);
  resolveGroups(a as any, B);
  const rows = placeLayout(e, s, a as any, shape);
  const groups = placeGroups(e, s, a as any, B, bo?.idsCache);
  const Rp = place(e, s, R);
  checkNonNegative("eps", o.eps);
  const wp = s.alloc(K * 8);
  if (w) checkFiniteList("weights", w);
  { const F = e.F64; for (let k = 0; k < K; k++) { const v = w ? w[k]! : 1; F[(wp >>> 3) + k] = wl?.f32 ? v : Math.fround(v); } }
  // NaN means "reward function returned None"; infinities are never allowed. One wasm scan finds
  // any non-finite value; only then does the per-value check look for which.
  const anyNonFinite = e.exports.first_nonfinite_f32(Rp, B * K) >= 0;
  if (anyNonFinite) { const F = e.F32, base = Rp >>> 2; for (let i = 0; i < B * K; i++) { const v = F[base + i]!; if (Math.abs(v) === Infinity || (Number.isNaN(v) && !o.nanAsMissing)) rangeError("NON_FINITE", "rewardsPerFunc", i, msg`value is ${v}`); } }
  const ctx: Ctx = { e, s, rows, groups, sPtr: 0 };
  const G = groups.G;
  // Rows per group (TRL's num_generations > 1 test, per group).
  const groupRows = s.alloc(G * 4);
  {
    const I = e.I32, base = groupRows >>> 2;
    if (groups.groupSize) I.fill(groups.groupSize, base, base + G);
    else { I.fill(0, base, base + G); for (let i = 0; i < B; i++) I[base + I[(groups.idsPtr >>> 2) + i]!]!++; }
  }
  const out = s.alloc(B * 4);
  // Row rewards r_i = nansum_k(w_k R[i,k]) (NaN when unscorable) feed the group statistics and
  // the diagnostics in both aggregation modes.
  const r = s.alloc(B * 8), sc = s.alloc(B);
  let unscorable = 0;
  // No NaN at all (the common case): every row is scorable and the row sums vectorise.
  if (!anyNonFinite && groups.groupSize >= 2 && o.aggregation === "sumThenNormalize") e.exports.trl_row_rewards_dense_f32(Rp, B, K, wp, r);
  else unscorable = B - e.exports.trl_row_rewards_f32(Rp, B, K, wp, r, sc);
  ctx.sPtr = r;
  const n = groups.groupSize;
  if (n >= 2 && unscorable === 0 && o.aggregation === "sumThenNormalize") {
    // Contiguous groups, every row scorable: one fused pass (assembly/group/trl.ts), bitwise the
    // general path below. The batch scale's std comes first, as there.
    let fixed = NaN;
    if (o.scaleRewards === "none") fixed = 1;
    else if (o.scaleRewards === "batch") {
      const m = s.alloc(24);
      e.exports.moments_f64(r, 0, B, m);
      const F = e.F64;
      fixed = (B > 1 ? Math.sqrt(F[(m >>> 3) + 2]! / (F[m >>> 3]! - 1)) : 0) + o.eps;
    }
    const info = s.alloc(8);
    const bad = e.exports.group_trl_contig_f64(r, B, n, fixed, o.scaleRewards === "group" ? 0 : 1, o.eps, out, info);
    if (bad >= 0) rangeError("RESULT_OVERFLOW", "rewardsPerFunc", bad, "the advantage is outside the float32 range");
    const d = { numGroups: G, emptyGroups: 0, singletonGroups: 0, zeroVarianceGroups: e.I32[info >>> 2]!, emptyRows: emptyRowsOf(ctx), unscorableRows: 0 };
    return broadcastRan(ctx, out, d);
  }
  const st = groupMoments(ctx, sc, 0, 1, r, "f64");
  if (o.aggregation === "sumThenNormalize") {
    const sh = s.alloc(G * 8), mul = s.alloc(G * 8), den = s.alloc(G * 8);
    let batchSd = 0;
    if (o.scaleRewards === "batch") {
      const m = s.alloc(24);
      e.exports.moments_f64(r, sc, B, m);
      const F = e.F64;
      const c = F[m >>> 3]!;
      batchSd = B > 1 ? (c > 1 ? Math.sqrt(F[(m >>> 3) + 2]! / (c - 1)) : NaN) : 0;
    }
    const F = e.F64, I = e.I32;
    for (let g = 0; g < G; g++) {
      const c = F[(st.count >>> 3) + g]!;
      let sd = 0;
      if (o.scaleRewards === "group") sd = I[(groupRows >>> 2) + g]! > 1 ? (c > 1 ? Math.sqrt(F[(st.m2 >>> 3) + g]! / (c - 1)) : NaN) : 0;
      else if (o.scaleRewards === "batch") sd = batchSd;
      const d = o.scaleRewards === "none" ? 1 : sd + o.eps;
      F[(sh >>> 3) + g] = F[(st.mean >>> 3) + g]!;
      F[(mul >>> 3) + g] = Number.isNaN(d) ? 0 : 1; // NaN std -> nan_to_num -> 0
      F[(den >>> 3) + g] = Number.isNaN(d) ? 1 : d;
    }
    const bad = e.exports.group_affine_f64_f32(r, sc, groups.idsPtr, B, 0, 1, sh, mul, den, out);
    if (bad >= 0) rangeError("RESULT_OVERFLOW", "rewardsPerFunc", bad, "the advantage is outside the float32 range");
  } else {
    // GDPO-style: per-function group z-scores, weighted sum, then a batch z-score (all f64).
    const scratch = s.alloc(3 * G * K * 8), r64 = s.alloc(B * 8), m = s.alloc(24);
    e.exports.trl_normalize_then_sum_f32(Rp, B, K, wp, groups.idsPtr, G, groupRows, o.eps, scratch, r64);
    e.exports.nan_moments_f64(r64, B, m);
    const F = e.F64;
    const c = F[m >>> 3]!;
    const sd = B > 1 ? (c > 1 ? Math.sqrt(F[(m >>> 3) + 2]! / (c - 1)) : NaN) : 0;
    e.exports.affine_nan0_f64(r64, B, F[(m >>> 3) + 1]!, sd + o.eps, out);
  }
  const d = diagnosticsOf(ctx, st);
  // Singleton groups are counted by rows (TRL's num_generations), not by scorable rows.
  { const I = e.I32; let single = 0; for (let g = 0; g < G; g++) if (I[(groupRows >>> 2) + g] === 1) single++; d.singletonGroups = single; }
  return broadcastRan(ctx, out, { ...d, unscorableRows: unscorable });
}

// ---------------------------------------------------------------------------------------------
// OpenRLHF outcome pipeline (docs/kernels.md#openrlhfoutcome).

export const ORL_INPUTS = ["rewards", "actionMask", "kl", "lengths", "offsets", "width", "groupSize", "groupIds", "numGroups"] as const;
export const ORL_OPTIONS = ["estimator", "klCoef", "klCoefNegative", "rewardClip", "gamma", "noStdNorm", "eps", ...WHITEN_OPTIONS] as const;
/** `openrlhfOutcome`'s diagnostics. */
export interface OrlDiagnostics extends GroupDiagnostics {
  /** The discount used (1 for the group estimators, as OpenRLHF forces). */
  gammaEffective: number;
  /** The global normalisation's statistics (reinforce, reinforce_baseline). */
  whiten?: WhitenStats;
}

export function runOpenrlhfOutcome(e: Engine, s: Scratch, a: { rewards?: Float32Array; actionMask?: Uint8Array | Float32Array; kl?: Float32Array } & Record<string, unknown>, bo?: BindOpts): Ran<OrlDiagnostics> {
  const o = resolveOptions("openrlhfOutcome", { preset: "openrlhf", ...a }, ORL_INPUTS, ORL_OPTIONS, { estimator: "group_norm", noStdNorm: false });
  checkF32("rewards", a.rewards);
  if (a.kl !== undefined) checkF32("kl", a.kl);
  const isGroup = o.estimator !== "reinforce";
  const haveGroups = a.groupSize !== undefined || a.groupIds !== undefined;
  if (isGroup || haveGroups) checkGroupTypes(a as any);
  const lay = { mask: a.actionMask, lengths: a.lengths as Int32Array | undefined, offsets: a.offsets as Int32Array | undefined, width: a.width as number | undefined };
  const shape = layoutShape(lay, lay.offsets ? undefined : a.rewards!.length, [["kl", a.kl]], "actionMask");
  if (a.rewards!.length !== shape.B) rangeError("SHAPE_MISMATCH", "rewards", -1, msg`length ${a.rewards!.length} != rows ${shape.B}`);
  if (!shape.hasTokens) rangeError("SHAPE_MISMATCH", "actionMask", -1, "openrlhfOutcome needs a token layout (actionMask, lengths or offsets)");
  checkLayoutStructure(lay, shape, e);
  if (isGroup || haveGroups) resolveGroups(a as any, shape.B);
  const rows = placeLayout(e, s, lay, shape, "actionMask");
  const groups = isGroup || haveGroups ? placeGroups(e, s, a as any, shape.B, bo?.idsCache) : { idsPtr: 0, G: 0, groupSize: 0 };
  const rp = place(e, s, a.rewards!);
  const klp = a.kl ? place(e, s, a.kl) : 0;
  checkFiniteParam("klCoef", o.klCoef);
  if (!(o.gamma >= 0 && o.gamma <= 1)) rangeError(Number.isNaN(o.gamma) ? "NON_FINITE" : "PARAM_OUT_OF_RANGE", "gamma", -1, msg`must lie in [0, 1], got ${o.gamma}`);
  checkNonNegative("eps", o.eps);
  checkNonNegative("whitenEps", o.whitenEps);
  if (o.rewardClip && !(o.rewardClip[1] > o.rewardClip[0])) rangeError("PARAM_OUT_OF_RANGE", "rewardClip", -1, msg`hi must be > lo, got [${o.rewardClip}]`);
  let bad = e.exports.first_nonfinite_f32(rp, rows.B);
  if (bad >= 0) rangeError("NON_FINITE", "rewards", bad, msg`reward is ${e.F32[(rp >>> 2) + bad]}`);
  if (klp) {
    bad = e.exports.first_nonfinite_valid_f32(klp, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T);
    if (bad >= 0) rangeError("NON_FINITE", "kl", bad, msg`kl is ${e.F32[(klp >>> 2) + bad]}`);
  }
  const ctx: Ctx = { e, s, rows, groups, sPtr: rp };
  // 2. group shaping of the scalar reward. OpenRLHF asserts n > 1 for every group estimator.
  let shaped = rp;
  let diagnostics: GroupDiagnostics;
  if (isGroup) {
    const st = groupMoments(ctx);
    const F = e.F64;
    const I = e.I32, ids = groups.idsPtr >>> 2, counts = st.count >>> 3;
    for (let i = 0; i < rows.B; i++) if (F[counts + I[ids + i]!] === 1)
      rangeError("GROUP_TOO_SMALL", groups.groupSize ? "groupSize" : "groupIds", i, msg`OpenRLHF group estimators need n_samples_per_prompt > 1 (row ${i} is alone in group ${I[ids + i]})`);
    const r = o.estimator === "rloo" ? rlooRows(ctx, { singleton: "error", include: 0 })
      : o.estimator === "group_norm" ? grpoRows(ctx, { eps: o.eps, epsMode: "std", stdKind: "unbiased", stdScope: "group", normalizeByStd: true, singleton: "error" })
      : meanBaselineRows(ctx, "error");
    shaped = r.row;
    diagnostics = r.diagnostics;
  } else diagnostics = haveGroups ? diagnosticsOf(ctx, groupMoments(ctx)) : { numGroups: 0, emptyGroups: 0, singletonGroups: 0, zeroVarianceGroups: 0, emptyRows: emptyRowsOf(ctx) };
  // 3. clip after shaping.
  const clipped = s.alloc(rows.B * 4);
  {
    const F = e.F32;
    for (let i = 0; i < rows.B; i++) {
      let v = F[(shaped >>> 2) + i]!;
      if (o.rewardClip) v = Math.min(Math.max(v, o.rewardClip[0]), o.rewardClip[1]);
      F[(clipped >>> 2) + i] = v;
    }
  }
  // 4-5. token rewards and returns in one reverse pass ("through").
  const gammaEffective = o.estimator === "reinforce" ? o.gamma : 1;
  const klCoef = o.klCoefNegative === "zero" ? Math.max(o.klCoef, 0) : o.klCoef;
  const normalise = o.estimator === "reinforce" || o.estimator === "reinforce_baseline";
  const ret = s.alloc(rows.N * 4), ret64 = normalise ? s.alloc(rows.N * 8) : 0;
  bad = e.exports.orl_outcome_returns_f32(klp, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, clipped, klCoef, gammaEffective, ret, ret64);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "rewards", bad, "the return is outside the float32 range");
  // 6. global token normalisation for reinforce and reinforce_baseline.
  let adv = ret;
  let whiten: WhitenStats | undefined;
  if (normalise) {
    // Statistics and the normalised values come from the f64 returns (one rounding per output).
    const m = s.alloc(24);
    e.exports.masked_moments_f64(ret64, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, m);
    const F = e.F64;
    const count = F[m >>> 3]!, mean = F[(m >>> 3) + 1]!, m2 = F[(m >>> 3) + 2]!;
    const sc = whitenScale(count, m2, o, "actionMask");
    const rstd = o.noStdNorm ? 1 : sc.rstd;
    adv = s.alloc(rows.N * 4);
    bad = e.exports.masked_affine_f64_f32(ret64, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, mean, rstd, 0, adv);
    if (bad >= 0) rangeError("RESULT_OVERFLOW", "rewards", bad, "the advantage is outside the float32 range");
    whiten = { count, mean, variance: sc.variance, rstd };
  }
  const row = clipped;
  const d: OrlDiagnostics = { ...diagnostics, gammaEffective };
  if (whiten) d.whiten = whiten;
  return {
    rows, row, diagnostics: d, distinctReturns: true, extra: { shapedRewards: clipped },
    tokens: (out) => { e.U8.copyWithin(out.advantages, adv, adv + rows.N * 4); e.U8.copyWithin(out.returns, ret, ret + rows.N * 4); },
  };
}

export { denominator, variance };
