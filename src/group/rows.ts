// Outcome estimators of docs/kernels.md on placed inputs. Row-level statistics and the per-row
// map run in wasm (f64 accumulation, one rounding); the O(G) per-group parameters are computed
// here in f64. Results go to scratch first and are checked, so a throw never leaves a partial
// output behind.
import { rangeError } from "../core/errors.js";
import { groupsArgument } from "../core/layout.js";
import { msg } from "../core/safe.js";
import type { EpsMode, Singleton, StdKind } from "../core/options.js";
import { logBeta } from "../core/math.js";
import {
  affineArrays, allEqual, applyAffine, batchVariance, centerContig, checkScoresNow, denominator, settleScoresCheck, diagnosticsOf, emptyRowsOf, EPS_MODE, F64Memo, firstRowOf, groupMoments,
  groupsByFirstRow, singletonError, variance, type Ctx, type GroupDiagnostics, type RowType,
} from "../core/group-stats.js";
import { whitenScale, type WhitenKnobs, type WhitenStats } from "../core/moments.js";
export { rlooRows } from "../core/group-stats.js";
export type { Ctx, GroupDiagnostics, WhitenKnobs, WhitenStats };

export interface GrpoKnobs {
  eps: number; epsMode: EpsMode; stdKind: StdKind; stdScope: "group" | "batch"; normalizeByStd: boolean; singleton: Singleton;
}

/** `dest`: where the final rows may go directly (CenterArgs.dest). */
export function grpoRows(c: Ctx, o: GrpoKnobs, dest = 0): { row: number; diagnostics: GroupDiagnostics } {
  const batchVar = o.stdScope === "batch" ? batchVariance(c, o.stdKind) : 0;
  const fused = centerContig(c, { mode: 0, eps: o.eps, epsMode: o.normalizeByStd ? o.epsMode : null, unbiased: o.stdKind === "unbiased", batchVar: o.stdScope === "batch" ? batchVar : null, singleton: o.singleton, dest });
  if (fused) return fused;
  const st = groupMoments(c);
  const af = affineArrays(c);
  const F = c.e.F64;
  for (let g = 0; g < c.groups.G; g++) {
    const n = F[(st.count >>> 3) + g]!;
    let shift = F[(st.mean >>> 3) + g]!, mul = 1, v: number;
    if (n === 1) {
      if (o.singleton === "error") singletonError(c, g);
      if (o.singleton === "zero") mul = 0;
      shift = 0;
      v = o.stdScope === "batch" ? batchVar : 1;
    } else v = o.stdScope === "batch" ? batchVar : n > 1 ? variance(F[(st.m2 >>> 3) + g]!, n, o.stdKind) : 0;
    F[(af.shift >>> 3) + g] = shift;
    F[(af.mul >>> 3) + g] = mul;
    F[(af.den >>> 3) + g] = o.normalizeByStd ? denominator(v, o.eps, o.epsMode) : 1;
  }
  const row = applyAffine(c, af);
  return { row, diagnostics: diagnosticsOf(c, st) };
}

export function meanBaselineRows(c: Ctx, singleton: Singleton, out: RowType = "f32"): { row: number; diagnostics: GroupDiagnostics } {
  const fused = centerContig(c, { mode: 2, singleton, out });
  if (fused) return fused;
  const st = groupMoments(c);
  const af = affineArrays(c);
  const F = c.e.F64;
  for (let g = 0; g < c.groups.G; g++) {
    const n = F[(st.count >>> 3) + g]!;
    let shift = F[(st.mean >>> 3) + g]!, mul = 1;
    if (n === 1) {
      if (singleton === "error") singletonError(c, g);
      shift = 0; if (singleton === "zero") mul = 0;
    }
    F[(af.shift >>> 3) + g] = shift; F[(af.mul >>> 3) + g] = mul; F[(af.den >>> 3) + g] = 1;
  }
  const row = applyAffine(c, af, 0, 0, 1, out);
  return { row, diagnostics: diagnosticsOf(c, st) };
}

export function opoRows(c: Ctx, singleton: Singleton): { row: number; diagnostics: GroupDiagnostics } {
  const n = c.groups.groupSize;
  if (n >= 2) {
    // Contiguous groups: one fused pass (assembly/group/opo.ts), bitwise the general path below.
    const out = c.s.alloc(c.rows.B * 4), info = c.s.alloc(8);
    const bad = c.e.exports.group_opo_contig_f32(c.sPtr, c.rows.rowLensPtr, c.rows.B, n, out, info);
    if (bad >= 0) rangeError("RESULT_OVERFLOW", "scores", bad, "the advantage is outside the float32 range");
    return { row: out, diagnostics: { numGroups: c.groups.G, emptyGroups: 0, singletonGroups: 0, zeroVarianceGroups: c.e.I32[info >>> 2]!, emptyRows: emptyRowsOf(c) } };
  }
  const st = groupMoments(c);
  const G = c.groups.G;
  const sumW = c.s.alloc(G * 8), sumWX = c.s.alloc(G * 8);
  c.e.exports.group_weighted_sums_f32(c.sPtr, c.rows.rowLensPtr, c.groups.idsPtr, c.rows.B, G, sumW, sumWX);
  const af = affineArrays(c);
  const F = c.e.F64;
  for (let g = 0; g < G; g++) {
    const n = F[(st.count >>> 3) + g]!;
    const w = F[(sumW >>> 3) + g]!;
    let shift = w === 0 ? 0 : F[(sumWX >>> 3) + g]! / w, mul = 1;
    if (n === 1) {
      if (singleton === "error") singletonError(c, g);
      shift = 0; if (singleton === "zero") mul = 0;
    }
    F[(af.shift >>> 3) + g] = shift; F[(af.mul >>> 3) + g] = mul; F[(af.den >>> 3) + g] = 1;
  }
  const row = applyAffine(c, af);
  return { row, diagnostics: diagnosticsOf(c, st) };
}

export function gpgRows(c: Ctx, o: { fNorm: number; singleton: Singleton }, dest = 0): { row: number; diagnostics: GroupDiagnostics & { alpha: number; nonZero: number } } {
  const nnz = c.e.exports.count_nonzero_f32(c.sPtr, c.rows.B);
  const alpha = c.rows.B / Math.max(nnz, 1);
  const fused = centerContig(c, { mode: 2, mulP: alpha, denP: o.fNorm, singleton: o.singleton, dest });
  if (fused) return { row: fused.row, diagnostics: { ...fused.diagnostics, alpha, nonZero: nnz } };
  const st = groupMoments(c);
  const af = affineArrays(c);
  const F = c.e.F64;
  for (let g = 0; g < c.groups.G; g++) {
    const n = F[(st.count >>> 3) + g]!;
    let shift = F[(st.mean >>> 3) + g]!, mul = alpha;
    if (n === 1) {
      if (o.singleton === "error") singletonError(c, g);
      shift = 0; if (o.singleton === "zero") mul = 0;
    }
    F[(af.shift >>> 3) + g] = shift; F[(af.mul >>> 3) + g] = mul; F[(af.den >>> 3) + g] = o.fNorm;
  }
  const row = applyAffine(c, af);
  return { row, diagnostics: { ...diagnosticsOf(c, st), alpha, nonZero: nnz } };
}

export function passKRows(c: Ctx, o: { eps: number; epsMode: EpsMode; stdKind: StdKind; normalizeByStd: boolean }): { row: number; diagnostics: GroupDiagnostics } {
  const n = c.groups.groupSize;
  if (n > 0) {
    // Contiguous groups: one fused pass (assembly/group/passk.ts), bitwise the general path below.
    if (n === 1 && c.rows.B > 0) { checkScoresNow(c); rangeError("GROUP_TOO_SMALL", groupsArgument(c.groups), 0, msg`Pass@k needs at least 2 rows per group; group 0 has 1`); }
    const out = c.s.alloc(c.rows.B * 4), info = c.s.alloc(12);
    c.e.exports.group_passk_contig_f32(c.sPtr, c.rows.B, n, o.eps, EPS_MODE[o.epsMode], o.stdKind === "unbiased" ? 1 : 0, o.normalizeByStd ? 1 : 0, out, info);
    const I = c.e.I32, bad = I[(info >>> 2) + 1]!;
    // The scores' check, when left to this pass (out is scratch: nothing to poison).
    settleScoresCheck(c, I[(info >>> 2) + 2] !== 0, 0);
    if (bad >= 0) rangeError("RESULT_OVERFLOW", "scores", bad, "the advantage is outside the float32 range");
    return { row: out, diagnostics: { numGroups: c.groups.G, emptyGroups: 0, singletonGroups: 0, zeroVarianceGroups: I[info >>> 2]!, emptyRows: emptyRowsOf(c) } };
  }
  checkScoresNow(c);
  const st = groupMoments(c);
  const G = c.groups.G;
  const r1 = c.s.alloc(G * 8), r2 = c.s.alloc(G * 8), top = c.s.alloc(G * 4), adv = c.s.alloc(G * 8);
  const out = c.s.alloc(c.rows.B * 4);
  let F = c.e.F64;
  for (let g = 0; g < G; g++) if (F[(st.count >>> 3) + g] === 1)
    rangeError("GROUP_TOO_SMALL", groupsArgument(c.groups), firstRowOf(c, g), msg`Pass@k needs at least 2 rows per group; group ${g} has 1`);
  c.e.exports.group_top2_f32(c.sPtr, c.groups.idsPtr, c.rows.B, G, r1, r2, top);
  F = c.e.F64;
  for (let g = 0; g < G; g++) {
    const n = F[(st.count >>> 3) + g]!;
    let a = 0;
    if (n >= 2) {
      const d = F[(r1 >>> 3) + g]! - F[(r2 >>> 3) + g]!;
      if (o.normalizeByStd) {
        const den = denominator(variance(F[(st.m2 >>> 3) + g]!, n, o.stdKind), o.eps, o.epsMode);
        a = den === 0 ? 0 : d / den;
      } else a = d;
    }
    if (Math.abs(Math.fround(a)) === Infinity) rangeError("RESULT_OVERFLOW", "scores", firstRowOf(c, g), "the advantage is outside the float32 range");
    F[(adv >>> 3) + g] = a;
  }
  c.e.exports.group_top_apply_f32(c.groups.idsPtr, c.rows.B, top, adv, out);
  return { row: out, diagnostics: diagnosticsOf(c, st) };
}

// ---------------------------------------------------------------------------------------------
// BNPO (docs/kernels.md#bnpo)

/** Why BNPO did not use the fitted Beta: none, every group at one success rate, at most one group, alpha/beta given. */
export type BnpoFallback = "none" | "zeroVariance" | "singleGroup" | "override";
/** BNPO's diagnostics: the group counts and the Beta fit. */
export interface BnpoDiagnostics extends GroupDiagnostics {
  /** The Beta's alpha (>= 1). */
  alpha: number;
  /** The Beta's beta (>= 1). */
  beta: number;
  /** The mean of the groups' success rates. */
  mu: number;
  /** Their variance. */
  v: number;
  /** Which fallback applied, if any. */
  fallback: BnpoFallback;
}
export interface BnpoKnobs { lo: number; hi: number; alpha: number | null; beta: number | null; wMax: number; singleton: Singleton }

/** xlogy(c, y): 0 when c == 0, -inf when c > 0 and y == 0, else c*log(y). */
export function xlogy(cf: number, y: number): number {
  if (cf === 0) return 0;
  if (y === 0) return -Infinity;
  return cf * Math.log(y);
}

/** w = min(1 / Beta(alpha, beta) density at p, wMax); logB = logBeta(alpha, beta), computed once per call. */
export function bnpoWeight(p: number, alpha: number, beta: number, wMax: number, logB = logBeta(alpha, beta)): number {
  const logf = xlogy(alpha - 1, p) + xlogy(beta - 1, 1 - p) - logB;
  return Math.min(Math.exp(-logf), wMax);
}

export function bnpoRows(c: Ctx, o: BnpoKnobs): { row: number; diagnostics: BnpoDiagnostics } {
  const range = o.hi - o.lo;
  const G = c.groups.G, n = c.groups.groupSize;
  const af = affineArrays(c);
  // Contiguous groups of n >= 2 rows: the means (and the zero-M2 count) in one fused pass and the
  // outputs in another (assembly/group/bnpo.ts), bitwise the general path's moments and affine map.
  const contig = n >= 2;
  const st = contig ? null : groupMoments(c, 0, o.lo, range);
  let zeroVar = 0;
  if (contig) zeroVar = c.e.exports.group_means_contig_f32(c.sPtr, c.rows.B, n, o.lo, range, af.shift);
  const F = c.e.F64;
  // p_g per group; "raw" singletons take part with p = 0, "zero" singletons are left out.
  // Groups are visited in order of their first row, so the batch statistics of p do not depend
  // on how groups are numbered (P-relabel holds bitwise).
  const outOfDomain = (g: number, pg: number) =>
    rangeError("DOMAIN", "scores", firstRowOf(c, g), msg`group ${g} has mean ${pg} outside [0, 1] after (s - lo)/(hi - lo); set lo/hi or use components`);
  // The rates that enter the batch statistics (part[0..Q)), and p_g per group (general path only).
  let part: Float64Array, Q = 0;
  const p = contig ? null : new Float64Array(G);
  if (contig) {
    // Every group has n >= 2 rows and takes part: the means written by the fused pass are the
    // rates, in group order (= first-row order), read in place.
    part = F.subarray(af.shift >>> 3, (af.shift >>> 3) + G);
    for (let g = 0; g < G; g++) { const pg = part[g]!; if (!(pg >= 0 && pg <= 1)) outOfDomain(g, pg); }
    Q = G;
  } else {
    part = new Float64Array(G);
    for (const g of groupsByFirstRow(c)) {
      let pg = F[(st!.mean >>> 3) + g]!;
      if (F[(st!.count >>> 3) + g] === 1) {
        if (o.singleton === "error") singletonError(c, g);
        if (o.singleton === "zero") { p![g] = NaN; continue; }
        pg = 0;
      }
      if (!(pg >= 0 && pg <= 1)) outOfDomain(g, pg);
      p![g] = pg; part[Q++] = pg;
    }
  }
  let mu = 0, v = 1;
  let alpha: number, beta: number, fallback: BnpoFallback;
  if (Q > 1) {
    let s = 0;
    for (let q = 0; q < Q; q++) s += part[q]!;
    mu = s / Q;
    let m2 = 0;
    for (let q = 0; q < Q; q++) m2 += (part[q]! - mu) * (part[q]! - mu);
    v = m2 / (Q - 1);
  }
  if (o.alpha !== null || o.beta !== null) {
    alpha = o.alpha ?? 1; beta = o.beta ?? 1; fallback = "override";
  } else if (Q <= 1) {
    mu = 0; v = 1; alpha = 1; beta = 1; fallback = "singleGroup";
  } else if (v === 0 || allEqual(part.subarray(0, Q))) {
    // Every group at the same p. Test equality, not v == 0: for p like 2/5 the f64 mean of equal
    // p's is off by an ulp, v comes out ~1e-33, and alpha, beta would explode to ~1e31.
    alpha = 1; beta = 1; fallback = "zeroVariance";
  } else {
    const k = (mu * (1 - mu)) / v - 1;
    alpha = Math.max(1 + (k * mu) / 3, 1);
    beta = Math.max(1 + (k * (1 - mu)) / 3, 1);
    fallback = "none";
  }
  // Binary rewards give few distinct p (n + 1 for groups of n), so weights are memoised per call
  // (the memo's 64 KiB of tables only where a path evaluates weights per group).
  const logB = logBeta(alpha, beta);
  const weights = () => new F64Memo((pg) => bnpoWeight(pg, alpha, beta, o.wMax, logB));
  const shift = af.shift >>> 3, mul = af.mul >>> 3, den = af.den >>> 3;
  if (contig) {
    // No group is skipped here; the weight is evaluated once per distinct p (wasm finds them).
    // The table is sized to the groups (at most 2048 distinct values), within the scratch a plan reserves per group.
    const CAP = 2 ** Math.ceil(Math.log2(Math.max(1, Math.min(G, 2048)))), keys = c.s.alloc(CAP * 8), slot = c.s.alloc(G * 4), table = c.s.alloc(2 * CAP * 12), w = c.s.alloc(CAP * 8);
    const d = c.e.exports.f64_distinct(af.shift, G, keys, slot, CAP, table);
    const F2 = c.e.F64;
    if (d >= 0) {
      for (let k = 0; k < d; k++) F2[(w >>> 3) + k] = bnpoWeight(F2[(keys >>> 3) + k]!, alpha, beta, o.wMax, logB);
      c.e.exports.f64_gather(w, slot, G, af.mul);
    } else {
      const weight = weights();
      for (let g = 0; g < G; g++) F2[mul + g] = weight.get(F2[shift + g]!);
    }
  } else {
    const weight = weights();
    for (let g = 0; g < G; g++) {
      const pg = p![g]!;
      const skip = Number.isNaN(pg) || F[(st!.count >>> 3) + g] === 0;
      F[shift + g] = skip ? 0 : pg;
      F[mul + g] = skip ? 0 : weight.get(pg);
      F[den + g] = 1;
    }
  }
  if (!contig) return { row: applyAffine(c, af, 0, o.lo, range), diagnostics: { ...diagnosticsOf(c, st!), alpha, beta, mu, v, fallback } };
  const row = c.s.alloc(c.rows.B * 4);
  const bad = c.e.exports.group_scale_contig_f32(c.sPtr, c.rows.B, n, o.lo, range, af.shift, af.mul, row);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "scores", bad, "the advantage is outside the float32 range");
  const diagnostics = { numGroups: G, emptyGroups: 0, singletonGroups: 0, zeroVarianceGroups: zeroVar, emptyRows: emptyRowsOf(c), alpha, beta, mu, v, fallback };
  return { row, diagnostics };
}

// ---------------------------------------------------------------------------------------------
// Token-weighted whitening of a broadcast row vector (RF++-baseline, DLER): row i stands for
// L_i identical tokens, so the batch token moments are length-weighted row moments. Same
// statistic as docs/kernels.md#maskedwhiten over the broadcast tensor, computed in O(B) instead of O(N).

export function whitenRows(c: Ctx, rowPtr: number, o: WhitenKnobs): { row: number; whiten: WhitenStats } {
  const m = c.s.alloc(24);
  const out = c.s.alloc(c.rows.B * 4);
  c.e.exports.weighted_moments_f64(rowPtr, c.rows.rowLensPtr, c.rows.B, m);
  const F = c.e.F64;
  const count = F[m >>> 3]!, mean = F[(m >>> 3) + 1]!, m2 = F[(m >>> 3) + 2]!;
  const { variance: v, rstd } = whitenScale(count, m2, o, "mask");
  const bad = c.e.exports.row_affine_f64_f32(rowPtr, c.rows.B, mean, rstd, 0, out);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "scores", bad, "the whitened advantage is outside the float32 range");
  return { row: out, whiten: { count, mean, variance: v, rstd } };
}
