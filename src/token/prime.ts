// PRIME implicit process rewards (docs/kernels.md#prime): the implicit reward, the batch
// normalisation, per-source leave-one-out baselines, discounted returns and whitening.
import type { Engine } from "../core/engine.js";
import { rangeError, typeError } from "../core/errors.js";
import { msg, show } from "../core/safe.js";
import { checkF32, checkLayoutStructure, firstNonFiniteValid, groupsArgument, layoutShape, place, placeGroups, placeLayout, type Rows, type Scratch } from "../core/layout.js";
import { checkGroupTypes, resolveGroups } from "../core/groups.js";
import { checkNonNegative, checkRange, checkFiniteParam, resolveOptions, type Singleton } from "../core/options.js";
import { GROUP_INPUTS, LAYOUT_INPUTS } from "../core/outcome.js";
import { whitenScale, type WhitenStats } from "../core/moments.js";

function tokenRows(e: Engine, s: Scratch, a: Record<string, any>, tensors: [string, Float32Array | undefined][], rowsHint?: number): Rows {
  for (const [n, v] of tensors) checkF32(n, v);
  const shape = layoutShape(a, a.offsets ? undefined : rowsHint, tensors);
  if (!shape.hasTokens) rangeError("SHAPE_MISMATCH", "width", -1, "a token layout is required (mask, width or offsets)");
  checkLayoutStructure(a, shape, e);
  return placeLayout(e, s, a, shape, "mask", true);
}
function finiteAt(e: Engine, rows: Rows, name: string, p: number): void {
  const bad = e.exports.first_nonfinite_valid_f32(p, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T);
  if (bad >= 0) rangeError("NON_FINITE", name, bad, msg`value is ${e.F32[(p >>> 2) + bad]} at a valid position`);
}

/** RESULT_OVERFLOW at the first valid position of `ptr` that is not finite (finite inputs, a huge result). */
function overflowAt(e: Engine, rows: Rows, ptr: number, argument: string, what: string): void {
  const bad = firstNonFiniteValid(e, rows, ptr);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", argument, bad, what);
}

/**
 * The implicit process rewards, every input checked; `write(rewards, q)` then runs the kernel
 * (q = 0: into scratch) and can only fail with RESULT_OVERFLOW, which a workspace answers by
 * poisoning its views.
 */
export function primeImplicitPlan(e: Engine, s: Scratch, a: Record<string, any>): { rows: Rows; write: (rewards: number, q: number) => void } {
  const o = resolveOptions("primeImplicitReward", a, ["logpRm", "logpRef", ...LAYOUT_INPUTS], ["beta", "granularity", "dropLastToken"] as const, { beta: 0.05, granularity: "token", dropLastToken: false });
  if (o.granularity !== "token" && o.granularity !== "whole") rangeError("UNKNOWN_OPTION", "granularity", -1, msg`unknown value ${show(o.granularity)}`);
  const rows = tokenRows(e, s, a, [["logpRm", a.logpRm], ["logpRef", a.logpRef]]);
  checkFiniteParam("beta", o.beta);
  const lp = place(e, s, a.logpRm), rp = place(e, s, a.logpRef);
  finiteAt(e, rows, "logpRm", lp); finiteAt(e, rows, "logpRef", rp);
  return {
    rows,
    write: (rw, qOut) => {
      const q = qOut || s.alloc(rows.N * 4);
      e.exports.prime_implicit_f32(lp, rp, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, o.beta, o.granularity === "whole" ? 1 : 0, o.dropLastToken ? 1 : 0, rw, q);
      // Finite inputs and beta can still leave the f32 range (found by the fuzz suite).
      overflowAt(e, rows, rw, "logpRm", "the implicit reward is outside the float32 range");
      overflowAt(e, rows, q, "logpRm", "the implicit Q is outside the float32 range");
    },
  };
}

export function primeImplicitRun(e: Engine, s: Scratch, a: Record<string, any>): { processRewards: Float32Array; q: Float32Array } {
  const { rows, write } = primeImplicitPlan(e, s, a);
  const rw = s.alloc(rows.N * 4), q = s.alloc(rows.N * 4);
  write(rw, q);
  return { processRewards: e.f32(rw, rows.N).slice(), q: e.f32(q, rows.N).slice() };
}

export function primeBatchNormRun(e: Engine, s: Scratch, a: Record<string, any>): { values: Float32Array; batchMax: number } {
  resolveOptions("primeBatchNorm", a, ["values", ...LAYOUT_INPUTS], [] as never[]);
  const rows = tokenRows(e, s, a, [["values", a.values]]);
  const x = place(e, s, a.values);
  finiteAt(e, rows, "values", x);
  const M = e.exports.prime_batch_max_f32(x, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T);
  const out = s.alloc(rows.N * 4);
  e.exports.masked_affine_f32(x, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, 0, 1 / (M + 1e-6), 0, out);
  return { values: e.f32(out, rows.N).slice(), batchMax: M };
}

export interface PrimeDiagnostics { batchMax?: number; whiten?: WhitenStats; emptyRows: number }

/**
 * PRIME's advantages. `out` (a workspace's views): the returns and advantages are written there
 * (a whitening error then leaves them to be poisoned by the caller) and returned as empty arrays.
 */
export function primeAdvantageRun(e: Engine, s: Scratch, a: Record<string, any>, out?: { advantages: number; returns: number }): { advantages: Float32Array; returns: Float32Array; processRewards?: Float32Array; diagnostics: PrimeDiagnostics } {
  const o = resolveOptions("primeAdvantage", a, ["processRewards", "logpRm", "logpRef", "outcome", ...LAYOUT_INPUTS, ...GROUP_INPUTS],
    ["beta", "granularity", "dropLastToken", "batchNorm", "processBaseline", "gammaProcess", "gammaOutcome", "coefProcess", "coefOutcome", "singleton", "whiten", "whitenVariance", "whitenEps", "whitenEpsMode"] as const,
    { beta: 0.05, granularity: "token", dropLastToken: false, batchNorm: true, processBaseline: "code", gammaProcess: 1, gammaOutcome: 1, coefProcess: 1, coefOutcome: 1, whiten: true });
  if (o.processBaseline !== "code" && o.processBaseline !== "paper") rangeError("UNKNOWN_OPTION", "processBaseline", -1, msg`unknown value ${show(o.processBaseline)}`);
  checkGroupTypes(a);
  const fromLogp = a.processRewards === undefined && a.logpRm !== undefined;
  const tensors: [string, Float32Array | undefined][] = fromLogp ? [["logpRm", a.logpRm], ["logpRef", a.logpRef]] : a.processRewards !== undefined ? [["processRewards", a.processRewards]] : [];
  if (a.outcome !== undefined) checkF32("outcome", a.outcome);
  if (!tensors.length && a.outcome === undefined) typeError("WRONG_TYPE", "processRewards", -1, "give processRewards (or logpRm and logpRef) and/or outcome");
  const rows = tokenRows(e, s, a, tensors, a.outcome?.length ?? a.groupIds?.length);
  if (a.outcome && a.outcome.length !== rows.B) rangeError("SHAPE_MISMATCH", "outcome", -1, msg`length ${a.outcome.length} != rows ${rows.B}`);
  resolveGroups(a, rows.B);
  const groups = placeGroups(e, s, a, rows.B);
  for (const k of ["gammaProcess", "gammaOutcome"] as const) checkRange(k, o[k], 0, 1);
  for (const k of ["beta", "coefProcess", "coefOutcome"] as const) checkFiniteParam(k, o[k]);
  checkNonNegative("whitenEps", o.whitenEps);
  // 1-2. process rewards (implicit, or given) and the batch normalisation.
  let rm = 0, batchMax: number | undefined;
  if (tensors.length) {
    if (fromLogp) {
      const lp = place(e, s, a.logpRm), rp = place(e, s, a.logpRef);
      finiteAt(e, rows, "logpRm", lp); finiteAt(e, rows, "logpRef", rp);
      rm = s.alloc(rows.N * 4);
      e.exports.prime_implicit_f32(lp, rp, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, o.beta, o.granularity === "whole" ? 1 : 0, o.dropLastToken ? 1 : 0, rm, s.alloc(rows.N * 4));
    } else { rm = place(e, s, a.processRewards); finiteAt(e, rows, "processRewards", rm); }
    if (o.batchNorm) {
      batchMax = e.exports.prime_batch_max_f32(rm, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T);
      const nrm = s.alloc(rows.N * 4);
      e.exports.masked_affine_f32(rm, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, 0, 1 / (batchMax + 1e-6), 0, nrm);
      rm = nrm;
    }
  }
  if (a.outcome) for (let i = 0; i < rows.B; i++) if (!Number.isFinite(a.outcome[i])) rangeError("NON_FINITE", "outcome", i, msg`outcome is ${a.outcome[i]}`);
  // Group ids and row lengths copied out once: the allocations below may grow a copy API's
  // memory, which detaches every view made before them.
  const gid = e.I32.slice(groups.idsPtr >>> 2, (groups.idsPtr >>> 2) + rows.B), len = e.I32.slice(rows.rowLensPtr >>> 2, (rows.rowLensPtr >>> 2) + rows.B), G = groups.G;
  const count = new Float64Array(G);
  for (let i = 0; i < rows.B; i++) count[gid[i]!]!++;
  const single = o.singleton as Singleton;
  for (let i = 0; i < rows.B; i++) if (count[gid[i]!] === 1 && single === "error") rangeError("GROUP_TOO_SMALL", groupsArgument(groups), i, "a singleton group (singleton: \"error\")");
  // 3-4. per-source row means and leave-one-out coefficients: r' = src*A_i - C_i.
  const coef = (mean: Float64Array) => {
    const S = new Float64Array(G);
    for (let i = 0; i < rows.B; i++) S[gid[i]!]! += mean[i]!;
    const A = new Float64Array(rows.B), C = new Float64Array(rows.B);
    for (let i = 0; i < rows.B; i++) {
      const g = gid[i]!, K = count[g]!;
      if (K === 1) { A[i] = single === "zero" ? 0 : 1; C[i] = 0; continue; }
      if (o.processBaseline === "code") { A[i] = K / (K - 1); C[i] = S[g]! / (K - 1); }
      else { A[i] = 1; C[i] = (S[g]! - mean[i]!) / (K - 1); }
    }
    return { A, C };
  };
  const pA = s.alloc(rows.B * 8), pC = s.alloc(rows.B * 8), oV = s.alloc(rows.B * 8);
  if (rm) {
    const rs = s.alloc(rows.B * 8);
    e.exports.row_sum_f64(rm, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, rs);
    const mean = Float64Array.from({ length: rows.B }, (_, i) => { const n = len[i]!; return n ? e.F64[(rs >>> 3) + i]! / n : 0; });
    const { A, C } = coef(mean);
    e.F64.set(A, pA >>> 3); e.F64.set(C, pC >>> 3);
  }
  if (a.outcome) {
    // The outcome source: one value at the last valid token. The code and paper forms agree here.
    const mean = Float64Array.from({ length: rows.B }, (_, i) => (len[i]! ? a.outcome[i]! : 0));
    const { A, C } = coef(mean);
    e.F64.set(Float64Array.from(mean, (m, i) => m * A[i]! - C[i]!), oV >>> 3);
  }
  // 5-6. returns and the whitening (statistics from f64 returns).
  const buf = s.alloc(Math.max(rows.T, ...(rows.packed ? [rows.N] : [1])) * 8), rowMom = s.alloc(Math.max(rows.B, 1) * 24), ret = out ? out.returns : s.alloc(rows.N * 4);
  e.exports.prime_returns_f32(rm, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, pA, pC, a.outcome ? 1 : 0, oV, o.gammaProcess, o.gammaOutcome, o.coefProcess, o.coefOutcome, ret, buf, rowMom);
  // Finite inputs can still give returns outside the f32 range (huge coefficients; the fuzz suite).
  const driver = tensors.length ? tensors[0]![0] : "outcome";
  overflowAt(e, rows, ret, driver, "the return is outside the float32 range");
  const diagnostics: PrimeDiagnostics = { emptyRows: Array.from({ length: rows.B }, (_, i) => len[i]).filter((n) => n === 0).length };
  if (batchMax !== undefined) diagnostics.batchMax = batchMax;
  let adv = ret;
  if (o.whiten) {
    const mom = s.alloc(24);
    e.exports.merge_rows_f64(rowMom, rows.B, mom);
    const F = e.F64, cnt = F[mom >>> 3]!, mu = F[(mom >>> 3) + 1]!, m2 = F[(mom >>> 3) + 2]!;
    const { variance, rstd } = whitenScale(cnt, m2, o, "mask");
    adv = out ? out.advantages : s.alloc(rows.N * 4);
    e.exports.masked_affine_f32(ret, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, mu, rstd, 0, adv);
    overflowAt(e, rows, adv, driver, "the whitened advantage is outside the float32 range");
    diagnostics.whiten = { count: cnt, mean: mu, variance, rstd };
  }
  if (out) {
    // Without whitening the advantages are the returns (a copy within the workspace's memory).
    if (adv !== out.advantages) e.U8.copyWithin(out.advantages, ret, ret + rows.N * 4);
    return { advantages: new Float32Array(0), returns: new Float32Array(0), diagnostics };
  }
  const res: { advantages: Float32Array; returns: Float32Array; processRewards?: Float32Array; diagnostics: PrimeDiagnostics } = { advantages: e.f32(adv, rows.N).slice(), returns: e.f32(ret, rows.N).slice(), diagnostics };
  if (rm) res.processRewards = e.f32(rm, rows.N).slice();
  return res;
}
