// Float64 references of docs/kernels.md on the padded layout [B,T] with a 0/1 mask, written for
// reading. Values are unrounded f64; `sens[k]` is the reduction sensitivity S of docs/numerics.md#against-the-f64-oracle
// (Σ |term| along the row for scans), `kappa[k]` the cancellation magnitude.
import { ReferenceError } from "./group.js";

/** Token values from the oracle with what their tolerance needs. */
export interface TokenResult {
  /** Unrounded f64 values. */
  values: number[];
  /** Cancellation magnitude per token. */
  kappa: number[];
  /** Reduction sensitivity per token. */
  sens: number[];
  /** Terms in the reductions. */
  n: number;
}
/** GAE's oracle result. */
export interface GaeRef {
  /** Unwhitened advantages. */
  raw: number[];
  /** Advantages plus values. */
  returns: number[];
  /** Σ |terms| along each row's scan. */
  sens: number[];
}
/** Discounted returns' oracle result. */
export interface ReturnsRef {
  /** Returns per token. */
  returns: number[];
  /** Σ |terms| along each row's scan. */
  sens: number[];
}

/** GAE with skip or through semantics, f64 state. */
export function gae(r: ArrayLike<number>, V: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, gamma: number, lam: number, mode: "skip" | "through"): GaeRef {
  const raw = new Array(B * T).fill(0), returns = new Array(B * T).fill(0), sens = new Array(B * T).fill(0);
  for (let i = 0; i < B; i++) {
    let A = 0, nv = 0, S = 0, nvS = 0;
    for (let t = T - 1; t >= 0; t--) {
      const k = i * T + t, m = mask[k] === 1;
      if (mode === "skip") {
        if (!m) continue;
        A = r[k]! + gamma * nv - V[k]! + gamma * lam * A;
        S = Math.abs(r[k]!) + gamma * nvS + Math.abs(V[k]!) + gamma * lam * S;
        nv = V[k]!; nvS = Math.abs(V[k]!);
      } else {
        const rt = m ? r[k]! : 0, vt = m ? V[k]! : 0;
        A = rt + gamma * nv - vt + gamma * lam * A;
        S = Math.abs(rt) + gamma * nvS + Math.abs(vt) + gamma * lam * S;
        nv = vt; nvS = Math.abs(vt);
        if (!m) continue;
      }
      raw[k] = A; returns[k] = A + V[k]!; sens[k] = S + Math.abs(V[k]!);
    }
  }
  return { raw, returns, sens };
}

/** Discounted returns with the masked-position rule. */
export function discountedReturns(r: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, gamma: number, mode: "carry" | "through" | "reset"): ReturnsRef {
  const ret = new Array(B * T).fill(0), sens = new Array(B * T).fill(0);
  for (let i = 0; i < B; i++) {
    let R = 0, S = 0;
    for (let t = T - 1; t >= 0; t--) {
      const k = i * T + t, m = mask[k] === 1;
      if (m) { R = r[k]! + gamma * R; S = Math.abs(r[k]!) + gamma * S; ret[k] = R; sens[k] = S; }
      else if (mode === "through") { R = gamma * R; S = gamma * S; }
      else if (mode === "reset") { R = 0; S = 0; }
    }
  }
  return { returns: ret, sens };
}

/** maskedWhiten's oracle result. */
export interface WhitenRef {
  /** Whitened values (0 at masked positions). */
  out: number[];
  /** Mean of the valid values. */
  mean: number;
  /** Their variance. */
  variance: number;
  /** The scale. */
  rstd: number;
  /** Cancellation magnitude. */
  kappa: number;
  /** Reduction sensitivity. */
  sens: number;
  /** Valid values. */
  count: number;
}

/** maskedWhiten over the valid positions (two-pass, token-weighted). */
export function maskedWhiten(x: ArrayLike<number>, mask: ArrayLike<number>, o: { whitenVariance: "unbiased" | "biased"; whitenEps: number; whitenEpsMode: "add" | "max"; shiftMean?: boolean; centerOnly?: boolean }): WhitenRef {
  const vals: number[] = [];
  for (let k = 0; k < x.length; k++) if (mask[k] === 1) vals.push(x[k]!);
  const need = o.whitenVariance === "unbiased" ? 2 : 1;
  if (vals.length < need) throw new ReferenceError("TOO_FEW_VALID", `${vals.length} valid values`);
  let s = 0;
  for (const v of vals) s += v;
  const mean = s / vals.length;
  let m2 = 0;
  for (const v of vals) m2 += (v - mean) * (v - mean);
  const variance = o.whitenVariance === "unbiased" ? m2 / (vals.length - 1) : m2 / vals.length;
  const rstd = o.centerOnly ? 1 : o.whitenEpsMode === "add" ? 1 / Math.sqrt(variance + o.whitenEps) : 1 / Math.sqrt(Math.max(variance, o.whitenEps));
  const back = o.shiftMean === false ? mean : 0;
  const out = Array.from(x, (v, k) => (mask[k] === 1 ? (v - mean) * rstd + back : 0));
  const sens = vals.reduce((acc, v) => acc + Math.abs(v), 0) * rstd;
  return { out, mean, variance, rstd, kappa: Math.abs(mean) * rstd + Math.abs(back), sens, count: vals.length };
}

/** Masked sum per row or over all valid values. */
export function maskedSum(x: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, axis: "row" | "all"): number[] | number {
  const rows = Array.from({ length: B }, (_, i) => { let s = 0; for (let t = 0; t < T; t++) if (mask[i * T + t] === 1) s += x[i * T + t]!; return s; });
  return axis === "row" ? rows : rows.reduce((a, b) => a + b, 0);
}

/** Masked mean per row or over all valid values. */
export function maskedMean(x: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, axis: "row" | "all"): number[] | number {
  const cnt = Array.from({ length: B }, (_, i) => { let c = 0; for (let t = 0; t < T; t++) if (mask[i * T + t] === 1) c++; return c; });
  const sums = maskedSum(x, mask, B, T, "row") as number[];
  if (axis === "row") return sums.map((s, i) => (cnt[i] === 0 ? 0 : s / cnt[i]!));
  const n = cnt.reduce((a, b) => a + b, 0);
  return n === 0 ? 0 : sums.reduce((a, b) => a + b, 0) / n;
}
