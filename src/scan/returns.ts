// Scans and whitening (docs/kernels.md#masked-statistics to #gae): masked statistics, maskedWhiten, the moment API,
// discountedReturns, reinforcePP and gae. Validation of types, shapes, structure, mask and
// parameters (and TOO_FEW_VALID) runs first; the scans then validate their token inputs while
// they compute (validatedScan), so their `write` can fail, and a workspace poisons its outputs.
import type { Engine } from "../core/engine.js";
import { rangeError } from "../core/errors.js";
import { msg, show } from "../core/safe.js";
import { checkMoments, finalizeMomentRecord, type MomentRecord } from "../core/moments.js";
import { checkF32, checkLayoutStructure, checkTokens, layoutShape, place, placeLayout, splitRows, type LayoutInputs, type Rows, type Scratch } from "../core/layout.js";
import { checkNonNegative, checkRange, resolveOptions, type StdKind } from "../core/options.js";
import { whitenScale, type WhitenKnobs, type WhitenStats } from "../core/moments.js";
import { LAYOUT_INPUTS, type TokenRan } from "../core/outcome.js";


/** Sum of the valid-token counts (rows.rowLensPtr must be set). */
function validCount(e: Engine, rows: Rows): number {
  const L = e.I32, b = rows.rowLensPtr >>> 2;
  let n = 0;
  for (let i = 0; i < rows.B; i++) n += L[b + i]!;
  return n;
}

function bindTokens(e: Engine, s: Scratch, a: LayoutInputs & Record<string, unknown>, tensors: [string, Float32Array | undefined][], needLengths: boolean, maskName = "mask"): { rows: Rows; ptrs: number[] } {
  for (const [name, v] of tensors) checkF32(name, v);
  const shape = layoutShape(a, undefined, tensors, maskName);
  if (!shape.hasTokens) rangeError("SHAPE_MISMATCH", "mask", -1, "a token layout is required (mask, lengths + width, or offsets)");
  checkLayoutStructure(a, shape, e);
  const rows = placeLayout(e, s, a, shape, maskName, needLengths);
  return { rows, ptrs: tensors.map(([, v]) => place(e, s, v!)) };
}

const gammaCheck = (name: string, v: number) => checkRange(name, v, 0, 1);
const WHITEN_OPTIONS = ["whitenVariance", "whitenEps", "whitenEpsMode"] as const;

/** rstd of a moment record with the whitening knobs (centerOnly: 1). */
function scaleOf(rec: { count: number; m2: number }, o: WhitenKnobs & { centerOnly?: boolean }, argument: string): { variance: number; rstd: number } {
  const sc = whitenScale(rec.count, rec.m2, o, argument);
  return o.centerOnly ? { variance: sc.variance, rstd: 1 } : sc;
}

// ---------------------------------------------------------------------------------------------
// GAE (docs/kernels.md#gae)

export const GAE_INPUTS = ["tokenRewards", "values", ...LAYOUT_INPUTS] as const;
export const GAE_OPTIONS = ["gamma", "lam", "gaeMasked", "whiten", ...WHITEN_OPTIONS] as const;
export interface GaeDiagnostics { emptyRows: number; validTokens: number; whiten?: WhitenStats }

export function runGae(e: Engine, s: Scratch, a: Record<string, any>): TokenRan<GaeDiagnostics> {
  const o = resolveOptions("gae", a, GAE_INPUTS, GAE_OPTIONS, { whiten: true });
  const { rows, ptrs: [r, V] } = bindTokens(e, s, a, [["tokenRewards", a.tokenRewards], ["values", a.values]], o.whiten);
  gammaCheck("gamma", o.gamma);
  gammaCheck("lam", o.lam);
  checkNonNegative("whitenEps", o.whitenEps);
  const check = () => checkTokens(e, s, rows, ["tokenRewards", r!], ["values", V!]);
  const count = o.whiten ? validCount(e, rows) : 0;
  if (o.whiten) tooFewValid(count, o, check);
  const plan = scanPlan(e, s, rows);
  const rowMom = o.whiten ? s.alloc(Math.max(rows.B, 1) * 24) : 0;
  const { bounds, buf, tmp, touch } = scanParts(e, s, rows, plan);
  const scan = (raw: number, ret: number, check: number) => firstBad(e.rows("gae_rows_f32", bounds, (i0, i1, k) =>
    [r!, V!, rows.maskPtr, rows.offsetsPtr, rows.prefixPtr, i1, rows.T, plan.scanLen, o.gamma, o.lam, o.gaeMasked === "through" ? 1 : 0, check, raw, ret, buf[k]!, rowMom, tmp[k]!, touch, i0]));
  const diagnostics: GaeDiagnostics = { emptyRows: rows.rowLensPtr ? countZeros(e, rows) : Math.max(rows.emptyRows, 0), validTokens: count };
  return {
    rows, diagnostics, distinctReturns: true,
    write: (out) => {
      validatedScan((c) => scan(out.advantages, out.returns, c), check, "the advantage or return is outside the float32 range");
      if (o.whiten) diagnostics.whiten = whitenScanned(e, s, rows, out.advantages, plan.scanLen, rowMom, o);
    },
  };
}

/** TOO_FEW_VALID for whitening, after any NON_FINITE input (the order of docs/contracts.md). */
function tooFewValid(count: number, o: WhitenKnobs, check: () => unknown): void {
  try { whitenScale(count, 0, o, "mask"); } catch (err) { check(); throw err; }
}

/**
 * A scan validated while it computes (docs/contracts.md: a failing workspace call may poison its
 * outputs; the outputs here are never the inputs). `scan(2)` writes the outputs and flags any
 * non-finite one; only then are the inputs checked (NON_FINITE, the first in argument order) and,
 * with finite inputs, the outputs rescanned exactly for the index of the overflow. A flag with no
 * overflow (finite outputs whose f32 sum left the range) rescans without flags: the same values.
 */
function validatedScan(scan: (check: number) => number, check: () => unknown, overflow: string): void {
  if (scan(2) === -1) return;
  check();
  const bad = scan(1);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "tokenRewards", bad, overflow);
  scan(0);
}

/**
 * A scan's row plan (chunks of about equal scanned positions) and each thread's own row buffer
 * (the longest row in f64) and 160-byte temporaries: one of each without a pool (docs/threads.md).
 * `touch`: whether the scan loads its inputs over the padding (one thread only; assembly/rows.ts).
 */
function scanParts(e: Engine, s: Scratch, rows: Rows, plan: { scanLen: number; longest: number }): { bounds: number[]; buf: number[]; tmp: number[]; touch: number } {
  const longest = plan.longest;
  const bounds = splitRows(e, s, rows, Math.max(longest, 1) * 8 + 176, plan.scanLen), threads = e.threadsOf(bounds);
  const buf = [], tmp = [];
  for (let k = 0; k < threads; k++) { buf.push(s.alloc(Math.max(longest, 1) * 8)); tmp.push(s.alloc(160)); }
  return { bounds, buf, tmp, touch: threads > 1 ? 0 : 1 };
}
/** The first failure over chunks in row order (each chunk reports its first, -2 for a flag, or -1). */
function firstBad(results: number[]): number {
  for (const b of results) if (b !== -1) return b;
  return -1;
}

function countZeros(e: Engine, rows: Rows): number {
  const L = e.I32, b = rows.rowLensPtr >>> 2;
  let n = 0;
  for (let i = 0; i < rows.B; i++) if (L[b + i] === 0) n++;
  return n;
}

/**
 * Scan plan: how far each row is scanned (its valid prefix with lengths, the mask's prefix length
 * for a prefix row, or the whole row). Positions past it are padding, zeroed by the scan just
 * before the row (in the same streams: assembly/rows.ts zeroPaddingStreamed).
 */
export function scanPlan(e: Engine, s: Scratch, rows: Rows): { scanLen: number; longest: number } {
  const B = rows.B;
  let scanLen = rows.lensPtr;
  if (!scanLen) {
    scanLen = s.alloc(Math.max(B, 1) * 4);
    const I = e.I32, sb = scanLen >>> 2, pb = rows.prefixPtr >>> 2, ob = rows.offsetsPtr >>> 2;
    for (let i = 0; i < B; i++) {
      const full = rows.offsetsPtr ? I[ob + i + 1]! - I[ob + i]! : rows.T;
      const p = rows.prefixPtr ? I[pb + i]! : -1;
      I[sb + i] = p >= 0 ? p : full;
    }
  }
  const I = e.I32, sb = scanLen >>> 2;
  let longest = 0;
  for (let i = 0; i < B; i++) longest = Math.max(longest, I[sb + i]!);
  return { scanLen, longest };
}

/** Merges the per-row moments in row order, then whitens the scanned values of x into out (x itself by default). */
function whitenScanned(e: Engine, s: Scratch, rows: Rows, x: number, scanLen: number, rowMom: number, o: WhitenKnobs, out = x): WhitenStats {
  const mom = s.alloc(24);
  e.exports.merge_rows_f64(rowMom, rows.B, mom);
  const F = e.F64;
  const count = F[mom >>> 3]!, mean = F[(mom >>> 3) + 1]!, m2 = F[(mom >>> 3) + 2]!;
  const { variance, rstd } = whitenScale(count, m2, o, "mask");
  e.rows("whiten_scanned_f32", e.split(rows.B, rows.N, Infinity, scanLen), (i0, i1) => [x, out, rows.maskPtr, rows.offsetsPtr, rows.prefixPtr, i1, rows.T, scanLen, mean, rstd, 0, i0]);
  return { count, mean, variance, rstd };
}

// ---------------------------------------------------------------------------------------------
// discountedReturns and reinforcePP (docs/kernels.md#discountedreturns)

export const RETURNS_INPUTS = ["tokenRewards", ...LAYOUT_INPUTS] as const;
export const RETURNS_OPTIONS = ["gamma", "returnsMasked"] as const;
const RETURN_MODE = { carry: 0, through: 1, reset: 2 } as const;

function runReturns(e: Engine, s: Scratch, a: Record<string, any>, kernel: string, options: readonly string[], whiten: boolean): TokenRan<GaeDiagnostics> {
  const o = resolveOptions(kernel, a, RETURNS_INPUTS, options as any) as any;
  const { rows, ptrs: [r] } = bindTokens(e, s, a, [["tokenRewards", a.tokenRewards]], whiten);
  gammaCheck("gamma", o.gamma);
  if (whiten) checkNonNegative("whitenEps", o.whitenEps);
  const check = () => checkTokens(e, s, rows, ["tokenRewards", r!]);
  const count = whiten ? validCount(e, rows) : 0;
  if (whiten) tooFewValid(count, o, check);
  const plan = scanPlan(e, s, rows);
  const rowMom = whiten ? s.alloc(Math.max(rows.B, 1) * 24) : 0;
  const { bounds, buf, tmp, touch } = scanParts(e, s, rows, plan);
  const scan = (ret: number, check: number) => firstBad(e.rows("returns_rows_f32", bounds, (i0, i1, k) =>
    [r!, rows.maskPtr, rows.offsetsPtr, rows.prefixPtr, i1, rows.T, plan.scanLen, o.gamma, RETURN_MODE[o.returnsMasked as "carry"], check, ret, buf[k]!, rowMom, tmp[k]!, touch, i0]));
  const diagnostics: GaeDiagnostics = { emptyRows: rows.rowLensPtr ? countZeros(e, rows) : Math.max(rows.emptyRows, 0), validTokens: count };
  return {
    rows, diagnostics, distinctReturns: whiten,
    write: (out) => {
      validatedScan((c) => scan(out.returns, c), check, "the return is outside the float32 range");
      if (whiten) diagnostics.whiten = whitenScanned(e, s, rows, out.returns, plan.scanLen, rowMom, o, out.advantages);
    },
  };
}

export const runDiscountedReturns = (e: Engine, s: Scratch, a: Record<string, any>) => runReturns(e, s, a, "discountedReturns", RETURNS_OPTIONS, false);
export const REINFORCE_PP_OPTIONS = ["gamma", "returnsMasked", ...WHITEN_OPTIONS] as const;
export const runReinforcePP = (e: Engine, s: Scratch, a: Record<string, any>) => runReturns(e, s, a, "reinforcePP", REINFORCE_PP_OPTIONS, true);

// ---------------------------------------------------------------------------------------------
// Masked statistics, moments and whitening (docs/kernels.md#masked-statistics, #maskedwhiten, #moments)


export const STATS_INPUTS = ["values", ...LAYOUT_INPUTS] as const;

function bindValues(e: Engine, s: Scratch, a: Record<string, any>, needLengths: boolean) {
  const b = bindTokens(e, s, a, [["values", a.values]], needLengths);
  checkTokens(e, s, b.rows, ["values", b.ptrs[0]!]);
  return { rows: b.rows, x: b.ptrs[0]! };
}

/** Two-pass moments of the valid values: Float64Array [count, mean, M2]. */
export function momentsRun(e: Engine, s: Scratch, a: Record<string, any>): MomentRecord {
  resolveOptions("moments", a, STATS_INPUTS, [] as never[]);
  const { rows, x } = bindValues(e, s, a, false);
  const m = s.alloc(24);
  e.exports.masked_moments_f32(x, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, m);
  return e.f64(m, 3).slice();
}

/** Chan et al. merge of two moment records (docs/kernels.md#moments). Merging with an empty record is the identity. */
export const WHITEN_INPUTS = ["values", "moments", ...LAYOUT_INPUTS] as const;
export const MASKED_WHITEN_OPTIONS = [...WHITEN_OPTIONS, "shiftMean", "centerOnly"] as const;

/**
 * maskedWhiten. With `moments` (a merged record from every rank), the statistics come from it and
 * only the local values are transformed: the data-parallel form of docs/kernels.md#moments.
 */
export function runMaskedWhiten(e: Engine, s: Scratch, a: Record<string, any>): TokenRan<{ whiten: WhitenStats }> {
  const o = resolveOptions("maskedWhiten", a, WHITEN_INPUTS, MASKED_WHITEN_OPTIONS, { shiftMean: true, centerOnly: false });
  if (a.moments !== undefined) a = { ...a, moments: checkMoments("moments", a.moments) };
  const { rows, x } = bindValues(e, s, a, false);
  checkNonNegative("whitenEps", o.whitenEps);
  let rec: ArrayLike<number>;
  if (a.moments) rec = a.moments;
  else { const m = s.alloc(24); e.exports.masked_moments_f32(x, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, m); rec = e.f64(m, 3).slice(); }
  const { variance, rstd } = scaleOf({ count: rec[0]!, m2: rec[2]! }, o, "mask");
  const mean = rec[1]!;
  return {
    rows, distinctReturns: false, diagnostics: { whiten: { count: rec[0]!, mean, variance, rstd } },
    write: (out) => { e.exports.masked_affine_f32(x, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, mean, rstd, o.shiftMean ? 0 : mean, out.advantages); },
  };
}

export const MASKED_STAT_OPTIONS = ["axis"] as const;
/** maskedSum / maskedMean: per row (Float32Array[B]) or over the batch (a number). */
export function maskedSumMean(e: Engine, s: Scratch, a: Record<string, any>, kind: "sum" | "mean"): Float32Array | number {
  const o = resolveOptions(kind === "sum" ? "maskedSum" : "maskedMean", a, STATS_INPUTS, ["axis"] as const, { axis: "all" });
  if (o.axis !== "all" && o.axis !== "row") rangeError("UNKNOWN_OPTION", "axis", -1, msg`unknown value ${show(o.axis)}; expected "row" or "all"`);
  const { rows, x } = bindValues(e, s, a, kind === "mean");
  if (o.axis === "all") {
    const m = s.alloc(24);
    e.exports.masked_moments_f32(x, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, m);
    const F = e.F64, n = F[m >>> 3]!, mean = F[(m >>> 3) + 1]!;
    // The sum is taken directly (row sums folded in row order), not as mean*count.
    if (kind === "mean") return n === 0 ? 0 : mean;
    const rs = s.alloc(rows.B * 8);
    e.exports.row_sum_f64(x, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, rs);
    let total = 0;
    for (let i = 0; i < rows.B; i++) total += e.F64[(rs >>> 3) + i]!;
    return total;
  }
  const rs = s.alloc(rows.B * 8);
  e.exports.row_sum_f64(x, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, rs);
  const out = new Float32Array(rows.B), F = e.F64, L = e.I32;
  for (let i = 0; i < rows.B; i++) {
    const sum = F[(rs >>> 3) + i]!;
    if (kind === "sum") out[i] = sum;
    else { const n = L[(rows.rowLensPtr >>> 2) + i]!; out[i] = n === 0 ? 0 : sum / n; }
  }
  return out;
}

export function maskedVarRun(e: Engine, s: Scratch, a: Record<string, any>): number {
  const o = resolveOptions("maskedVar", a, STATS_INPUTS, ["unbiased"] as const, { unbiased: true });
  if (typeof o.unbiased !== "boolean") rangeError("UNKNOWN_OPTION", "unbiased", -1, "must be a boolean");
  const { rows, x } = bindValues(e, s, a, false);
  const m = s.alloc(24);
  e.exports.masked_moments_f32(x, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, m);
  const F = e.F64;
  return finalizeMomentRecord([F[m >>> 3]!, F[(m >>> 3) + 1]!, F[(m >>> 3) + 2]!], o.unbiased ? "unbiased" : "biased").var;
}
