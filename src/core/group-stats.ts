// Group statistics every family builds on: f64 group moments and diagnostics, the per-group
// affine row map (general and the fused contiguous-group pass), and the leave-one-out rows that
// RLOO and PURE's baselines share. Row-level work runs in wasm (f64 accumulation, one rounding);
// the O(G) per-group parameters are computed here in f64.
import type { Engine } from "./engine.js";
import { rangeError } from "./errors.js";
import { msg } from "./safe.js";
import { groupsArgument, type PlacedGroups, type Rows, type Scratch } from "./layout.js";
import type { EpsMode, Singleton, StdKind } from "./options.js";

/** What every group kernel reports about its groups and rows. */
export interface GroupDiagnostics {
  /** Non-empty groups. */
  numGroups: number;
  /** Ids in [0, G) with no rows (ignored everywhere). */
  emptyGroups: number;
  /** Groups of exactly one row (see `singleton`). */
  singletonGroups: number;
  /** Groups of size >= 2 whose f64 M2 is exactly 0 (all members equal). */
  zeroVarianceGroups: number;
  /** Rows with no valid token (0 when no token layout was given). */
  emptyRows: number;
}

export interface Ctx {
  e: Engine;
  s: Scratch;
  rows: Rows;
  groups: PlacedGroups;
  /** Row scores, Float32Array[B] in engine memory. */
  sPtr: number;
  /**
   * The scores' finiteness is still to be checked: computeScores left it to the fused group pass
   * (validated while computing). Whatever reads the scores next checks it (checkScoresNow).
   */
  scoresUnchecked?: boolean;
}

/** NON_FINITE at row `at` of the scores at `sPtr` (the one message of the row scores' check). */
export function nonFiniteScore(e: Engine, sPtr: number, at: number): never {
  return rangeError("NON_FINITE", "scores", at, msg`score is ${e.F32[(sPtr >>> 2) + Math.max(at, 0)]}`);
}

/** NON_FINITE at the first score that is NaN or infinite, when the check was left for later. */
export function checkScoresNow(c: Ctx): void {
  if (!c.scoresUnchecked) return;
  c.scoresUnchecked = false;
  const bad = c.e.exports.first_nonfinite_f32(c.sPtr, c.rows.B);
  if (bad >= 0) nonFiniteScore(c.e, c.sPtr, bad);
}

/**
 * After a fused pass that was left the scores' check: when it flagged a non-finite score, the
 * output at `poison` (0: none, a scratch output) is set to NaN and NON_FINITE names the first one.
 */
export function settleScoresCheck(c: Ctx, flagged: boolean, poison: number): void {
  if (!c.scoresUnchecked) return;
  c.scoresUnchecked = false;
  if (!flagged) return;
  if (poison) c.e.F32.fill(NaN, poison >>> 2, (poison >>> 2) + c.rows.B);
  nonFiniteScore(c.e, c.sPtr, c.e.exports.first_nonfinite_f32(c.sPtr, c.rows.B));
}

export interface Stats { count: number; sum: number; mean: number; m2: number; min: number; max: number }

export type RowType = "f32" | "f64";

/** f64 group moments of x (f32 or f64 rows); returns base pointers (index with e.F64[(p >>> 3) + g]). */
export function groupMoments(c: Ctx, include = 0, preShift = 0, preDiv = 1, x = c.sPtr, type: RowType = "f32"): Stats {
  const G = c.groups.G, X = c.e.exports;
  const st: Stats = {
    count: c.s.alloc(G * 8), sum: c.s.alloc(G * 8), mean: c.s.alloc(G * 8), m2: c.s.alloc(G * 8),
    min: c.s.alloc(G * 8), max: c.s.alloc(G * 8),
  };
  const contig = c.groups.groupSize > 0 && include === 0;
  const n = c.groups.groupSize;
  if (type === "f32") {
    if (contig) X.group_moments_contig_f32(x, c.rows.B, n, preShift, preDiv, st.count, st.sum, st.mean, st.m2, st.min, st.max);
    else X.group_moments_f32(x, include, c.groups.idsPtr, c.rows.B, G, preShift, preDiv, st.count, st.sum, st.mean, st.m2, st.min, st.max);
  } else if (contig) X.group_moments_contig_f64(x, c.rows.B, n, preShift, preDiv, st.count, st.sum, st.mean, st.m2, st.min, st.max);
  else X.group_moments_f64(x, include, c.groups.idsPtr, c.rows.B, G, preShift, preDiv, st.count, st.sum, st.mean, st.m2, st.min, st.max);
  return st;
}

export function diagnosticsOf(c: Ctx, st: Stats): GroupDiagnostics {
  const F = c.e.F64, G = c.groups.G;
  let numGroups = 0, emptyGroups = 0, singletonGroups = 0, zeroVarianceGroups = 0;
  for (let g = 0; g < G; g++) {
    const n = F[(st.count >>> 3) + g]!;
    if (n === 0) emptyGroups++;
    else {
      numGroups++;
      if (n === 1) singletonGroups++;
      else if (F[(st.m2 >>> 3) + g] === 0) zeroVarianceGroups++;
    }
  }
  return { numGroups, emptyGroups, singletonGroups, zeroVarianceGroups, emptyRows: emptyRowsOf(c) };
}

export function emptyRowsOf(c: Ctx): number {
  if (!c.rows.rowLensPtr || c.rows.emptyRows >= 0) return Math.max(c.rows.emptyRows, 0);
  const L = c.e.I32, b = c.rows.rowLensPtr >>> 2;
  let n = 0;
  for (let i = 0; i < c.rows.B; i++) if (L[b + i] === 0) n++;
  return n;
}

export function allEqual(xs: ArrayLike<number>): boolean {
  for (let k = 1; k < xs.length; k++) if (xs[k] !== xs[0]) return false;
  return true;
}

/** Non-empty group ids in order of their first row (a numbering-independent order). */
export function groupsByFirstRow(c: Ctx): Int32Array {
  const G = c.groups.G;
  if (c.groups.groupSize > 0) { const all = new Int32Array(G); for (let g = 0; g < G; g++) all[g] = g; return all; }
  const seen = new Uint8Array(G), order = new Int32Array(G);
  const ids = c.e.I32, b = c.groups.idsPtr >>> 2;
  let k = 0;
  for (let i = 0; i < c.rows.B; i++) { const g = ids[b + i]!; if (!seen[g]) { seen[g] = 1; order[k++] = g; } }
  return order.subarray(0, k);
}

/**
 * Memo of a function of an f64 (BNPO's weight of a success rate): binary rewards give few
 * distinct values, so an open-addressing table keyed by the value's bits replaces a Map, whose
 * lookups of doubles cost more than the kernel around them.
 */
export class F64Memo {
  private readonly keys = new Float64Array(4096).fill(NaN);
  private readonly vals = new Float64Array(4096);
  private readonly bits = new Uint32Array(new Float64Array(1).buffer);
  private readonly cell = new Float64Array(this.bits.buffer);
  private used = 0;
  constructor(private readonly fn: (x: number) => number) {}
  get(x: number): number {
    this.cell[0] = x;
    let h = (Math.imul(this.bits[0]! ^ this.bits[1]!, 0x9e3779b1) >>> 20) & 4095;
    for (let probe = 0; probe < 4096; probe++, h = (h + 1) & 4095) {
      const k = this.keys[h]!;
      if (k === x && !(x === 0 && Object.is(k, -0) !== Object.is(x, -0))) return this.vals[h]!;
      if (Number.isNaN(k)) {
        const v = this.fn(x);
        if (this.used < 2048) { this.keys[h] = x; this.vals[h] = v; this.used++; }
        return v;
      }
    }
    return this.fn(x);
  }
}

export function firstRowOf(c: Ctx, g: number): number {
  const ids = c.e.I32, b = c.groups.idsPtr >>> 2;
  for (let i = 0; i < c.rows.B; i++) if (ids[b + i] === g) return i;
  return -1;
}

/** std-based denominator of docs/kernels.md#group-machinery. */
export function denominator(v: number, eps: number, epsMode: EpsMode): number {
  if (epsMode === "std") return Math.sqrt(v) + eps;
  if (epsMode === "var") return Math.sqrt(v + eps);
  return Math.sqrt(Math.max(v, eps));
}

export function variance(m2: number, n: number, kind: StdKind): number {
  return kind === "unbiased" ? m2 / (n - 1) : m2 / n;
}

export function singletonError(c: Ctx, g: number): never {
  return rangeError("GROUP_TOO_SMALL", groupsArgument(c.groups), firstRowOf(c, g), msg`group ${g} has a single row (singleton: "error")`);
}

/** Per-group affine parameters: a = ((x' - shift) * mul) / den. */
export interface Affine { shift: number; mul: number; den: number }
export function affineArrays(c: Ctx): Affine {
  const G = c.groups.G;
  return { shift: c.s.alloc(G * 8), mul: c.s.alloc(G * 8), den: c.s.alloc(G * 8) };
}

/**
 * Runs the row map into scratch; RESULT_OVERFLOW if a final (f32) result leaves the f32 range.
 * `out: "f64"` keeps the rows in f64 because they are reduced again (whitening).
 */
export function applyAffine(c: Ctx, a: Affine, include = 0, preShift = 0, preDiv = 1, out: RowType = "f32", x = c.sPtr, xType: RowType = "f32"): number {
  const X = c.e.exports, B = c.rows.B;
  const dst = c.s.alloc(B * (out === "f64" ? 8 : 4));
  const contig = c.groups.groupSize > 0 && include === 0;
  let bad: number;
  if (xType === "f64") bad = X.group_affine_f64_f32(x, include, c.groups.idsPtr, B, preShift, preDiv, a.shift, a.mul, a.den, dst);
  else if (out === "f64") bad = contig
    ? X.group_affine_contig_f32_f64(x, B, c.groups.groupSize, preShift, preDiv, a.shift, a.mul, a.den, dst)
    : X.group_affine_f32_f64(x, include, c.groups.idsPtr, B, preShift, preDiv, a.shift, a.mul, a.den, dst);
  else bad = contig
    ? X.group_affine_contig_f32(x, B, c.groups.groupSize, preShift, preDiv, a.shift, a.mul, a.den, dst)
    : X.group_affine_f32(x, include, c.groups.idsPtr, B, preShift, preDiv, a.shift, a.mul, a.den, dst);
  if (out === "f32" && bad >= 0) rangeError("RESULT_OVERFLOW", "scores", bad, "the advantage is outside the float32 range");
  return dst;
}

// ---------------------------------------------------------------------------------------------
// Contiguous groups (groupSize, no include mask): one fused wasm pass computes each group's
// statistics, parameters and outputs (assembly/group/center.ts), bitwise equal to the general
// path below it. Singleton groups only exist when groupSize is 1.

/** epsMode as the kernels number it. */
export const EPS_MODE = { std: 0, var: 1, maxVar: 2 } as const;
export interface CenterArgs {
  mode: 0 | 1 | 2; eps?: number; epsMode?: EpsMode | null; unbiased?: boolean; batchVar?: number | null; mulP?: number; denP?: number; singleton: Singleton; out?: RowType;
  /**
   * Where the f32 rows go when they are the call's final result: a workspace's rowAdvantages, so
   * it need not copy them out of scratch. Poisoned (all NaN) if the pass then finds an overflow.
   */
  dest?: number;
}

export function centerContig(c: Ctx, a: CenterArgs): { row: number; diagnostics: GroupDiagnostics } | null {
  const n = c.groups.groupSize;
  if (!(n > 0)) { checkScoresNow(c); return null; }
  if (n === 1 && a.singleton === "error" && c.rows.B > 0) { checkScoresNow(c); singletonError(c, 0); }
  const B = c.rows.B, f64 = a.out === "f64";
  const out = !f64 && a.dest ? a.dest : c.s.alloc(B * (f64 ? 8 : 4)), info = c.s.alloc(12); // zero-variance count, first bad row, non-finite score flag
  const X = c.e.exports;
  const args = [c.sPtr, B, n, a.mode, a.eps ?? 0, a.epsMode ? EPS_MODE[a.epsMode] : -1, a.unbiased === false ? 0 : 1,
    a.batchVar ?? 0, a.batchVar === null || a.batchVar === undefined ? 0 : 1, a.mulP ?? 1, a.denP ?? 1, a.singleton === "zero" ? 1 : 0, out, info] as const;
  if (f64) X.group_center_contig_f32_f64(...args); else X.group_center_contig_f32(...args);
  const I = c.e.I32;
  // A non-finite score (flagged by the pass when the check was left to it) comes before an
  // overflow: it makes its group's outputs non-finite too.
  settleScoresCheck(c, I[(info >>> 2) + 2] !== 0, out === a.dest ? out : 0);
  const bad = I[(info >>> 2) + 1]!;
  if (!f64 && bad >= 0) {
    if (out === a.dest) c.e.F32.fill(NaN, out >>> 2, (out >>> 2) + B);
    rangeError("RESULT_OVERFLOW", "scores", bad, "the advantage is outside the float32 range");
  }
  const G = c.groups.G;
  return {
    row: out,
    diagnostics: { numGroups: G, emptyGroups: 0, singletonGroups: n === 1 ? G : 0, zeroVarianceGroups: I[info >>> 2]!, emptyRows: emptyRowsOf(c) },
  };
}

export function batchVariance(c: Ctx, kind: StdKind): number {
  const m = c.s.alloc(24);
  c.e.exports.moments_f32(c.sPtr, 0, c.rows.B, m);
  const F = c.e.F64;
  const n = F[m >>> 3]!;
  return n > 1 ? variance(F[(m >>> 3) + 2]!, n, kind) : 0;
}


export function rlooRows(c: Ctx, o: { singleton: Singleton; include: number; dest?: number }): { row: number; diagnostics: GroupDiagnostics } {
  if (o.include === 0) { const fused = centerContig(c, { mode: 1, singleton: o.singleton, dest: o.dest }); if (fused) return fused; }
  const st = groupMoments(c, o.include);
  const af = affineArrays(c);
  const F = c.e.F64;
  for (let g = 0; g < c.groups.G; g++) {
    const n = F[(st.count >>> 3) + g]!;
    // (s - mean) * (n / (n - 1)): the factor rounded once, as the fused pass applies it.
    let shift = F[(st.mean >>> 3) + g]!, mul = n / (n - 1), den = 1;
    if (n === 1) {
      if (o.singleton === "error") singletonError(c, g);
      shift = 0; den = 1; mul = o.singleton === "zero" ? 0 : 1;
    }
    F[(af.shift >>> 3) + g] = shift; F[(af.mul >>> 3) + g] = mul; F[(af.den >>> 3) + g] = den;
  }
  const row = applyAffine(c, af, o.include);
  return { row, diagnostics: diagnosticsOf(c, st) };
}

/**
 * s - mean_g with the singleton policy (RF++-baseline, DLER, OpenRLHF's baselines). With
 * `out: "f64"` the rows stay f64 for the whitening that follows.
 */
