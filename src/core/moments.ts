// Mergeable moment records [count, mean, M2] (Chan's merge) and the whitening scale built on
// them: shared by every kernel that whitens (group estimators, returns, GAE, PRIME) and by the
// data-parallel API that merges records across ranks.
import { rangeError, typeError } from "./errors.js";
import { isArraySafe, msg, typedArrayKind } from "./safe.js";
import type { StdKind } from "./options.js";

/** A mergeable moment record `[count, mean, M2]`. */
export type MomentRecord = Float64Array;

/**
 * A moment record `[count, mean, M2]` checked before use: count a non-negative integer, mean and
 * M2 finite, M2 >= 0 (and 0 when count <= 1). Returns a plain copy.
 */
export function checkMoments(name: string, rec: unknown): [number, number, number] {
  const kind = typedArrayKind(rec);
  if (kind !== "Float64Array" && !isArraySafe(rec)) typeError("WRONG_TYPE", name, -1, msg`must be a Float64Array [count, mean, M2], got ${rec}`);
  const r = rec as ArrayLike<unknown>;
  let len = 0;
  try { len = r.length; } catch { typeError("WRONG_TYPE", name, -1, "its length cannot be read"); }
  if (len !== 3) rangeError("SHAPE_MISMATCH", name, -1, msg`a moment record has 3 entries [count, mean, M2], got ${len}`);
  const v: number[] = [];
  for (let k = 0; k < 3; k++) {
    let x: unknown;
    try { x = r[k]; } catch { typeError("WRONG_TYPE", name, k, "an entry cannot be read"); }
    if (typeof x !== "number") typeError("WRONG_TYPE", name, k, msg`entries must be numbers, got ${x}`);
    if (!Number.isFinite(x)) rangeError("NON_FINITE", name, k, msg`entry is ${x}`);
    v.push(x as number);
  }
  const [n, , m2] = v as [number, number, number];
  if (!Number.isSafeInteger(n) || n < 0) rangeError("DOMAIN", name, 0, msg`count must be a non-negative integer, got ${n}`);
  if (m2 < 0) rangeError("DOMAIN", name, 2, msg`M2 (a sum of squares) must be >= 0, got ${m2}`);
  if (n <= 1 && m2 !== 0) rangeError("DOMAIN", name, 2, msg`M2 must be 0 for a record of ${n} value(s), got ${m2}`);
  return v as [number, number, number];
}

export function mergeMomentRecords(a: ArrayLike<number>, b: ArrayLike<number>): MomentRecord {
  const na = a[0]!, nb = b[0]!;
  const n = na + nb;
  if (n === 0) return new Float64Array(3);
  if (na === 0) return Float64Array.from([b[0]!, b[1]!, b[2]!]);
  if (nb === 0) return Float64Array.from([a[0]!, a[1]!, a[2]!]);
  const d = b[1]! - a[1]!;
  return Float64Array.from([n, a[1]! + d * (nb / n), a[2]! + b[2]! + d * d * ((na * nb) / n)]);
}

/** The statistics of a moment record. */
export interface FinalMoments {
  /** Values counted. */
  count: number;
  /** Their mean. */
  mean: number;
  /** Their variance (unbiased or biased as asked). */
  var: number;
}
export function finalizeMomentRecord(rec: ArrayLike<number>, kind: StdKind = "unbiased"): FinalMoments {
  const n = rec[0]!;
  const need = kind === "unbiased" ? 2 : 1;
  if (n < need) rangeError("TOO_FEW_VALID", "moments", -1, msg`${kind} variance needs at least ${need} values, got ${n}`);
  return { count: n, mean: rec[1]!, var: kind === "unbiased" ? rec[2]! / (n - 1) : rec[2]! / n };
}


export interface WhitenKnobs { whitenVariance: StdKind; whitenEps: number; whitenEpsMode: "add" | "max" }
/** The statistics a whitening used. */
export interface WhitenStats {
  /** Valid tokens counted. */
  count: number;
  /** Their mean. */
  mean: number;
  /** Their variance (unbiased or biased as asked). */
  variance: number;
  /** The scale applied: rsqrt(var + eps) or rsqrt(max(var, eps)); 0 when both are 0. */
  rstd: number;
}

/** Variance of a moment record's M2 over n values. */
function varianceOf(m2: number, n: number, kind: StdKind): number { return kind === "unbiased" ? m2 / (n - 1) : m2 / n; }

export function whitenScale(count: number, m2: number, o: WhitenKnobs, argument: string): { variance: number; rstd: number } {
  const need = o.whitenVariance === "unbiased" ? 2 : 1;
  if (count < need) rangeError("TOO_FEW_VALID", argument, -1, msg`whitening needs at least ${need} valid token(s), got ${count}`);
  const v = varianceOf(m2, count, o.whitenVariance);
  const d = o.whitenEpsMode === "add" ? v + o.whitenEps : Math.max(v, o.whitenEps);
  // d = 0 only when every valid value equals the (exact, f64) mean and eps is 0: each numerator
  // x - mean is then exactly 0, and 0/0 is defined as 0 (a zero scale), never NaN.
  const rstd = d === 0 ? 0 : 1 / Math.sqrt(d);
  return { variance: v, rstd };
}

/** Whitens f64 row values (from meanBaselineRows(..., "f64")) into f32 rows. */
