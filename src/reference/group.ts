// Float64 reference implementations (the test oracle) of docs/kernels.md, written for reading,
// not speed. Reference semantics (docs/numerics.md): inputs are f32 values taken exactly as f64, every
// formula is evaluated in f64, and each output is rounded once to f32 by the caller (`toF32`).
//
// Besides values, each function returns what docs/numerics.md#against-the-f64-oracle needs for a tolerance:
// `kappa[i]`, the cancellation magnitude of row i, and `sens[i]`, the reduction sensitivity S of
// its group (or batch) with `n[i]` terms.

/** What a group of one row gets. */
export type Singleton = "raw" | "zero" | "error";
/** Where eps goes. */
export type EpsMode = "std" | "var" | "maxVar";
/** Bessel-corrected or not. */
export type StdKind = "unbiased" | "biased";

/** One value per row from the oracle, with what its tolerance needs (docs/numerics.md). */
export interface RowResult {
  /** Unrounded f64 advantages. */
  a: number[];
  /** Cancellation magnitude per row. */
  kappa: number[];
  /** Reduction sensitivity S of the row's group (or batch). */
  sens: number[];
  /** Terms in that reduction. */
  n: number[];
  /**
   * Absolute error allowance from ill-conditioned parameters evaluated in f64 (BNPO's Beta
   * weight: logf is a difference of terms as large as lgamma(alpha + beta)), else absent.
   */
  extra?: number[];
}

/** The oracle's error: the code the library must throw for the same input. */
export class ReferenceError extends Error {
  /** The library's error code for this input. */
  readonly code: string;
  /** Builds the error from the code the library must throw and a message. */
  constructor(code: string, message: string) { super(`${code}: ${message}`); this.code = code; }
}

/** Rows of each group, in row order. */
export function membersOf(ids: ArrayLike<number>, G: number): number[][] {
  const m: number[][] = Array.from({ length: G }, () => []);
  for (let i = 0; i < ids.length; i++) m[ids[i]!]!.push(i);
  return m;
}

/** Arithmetic mean in f64. */
export function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Two-pass M2 = Σ (x - mean)^2. */
export function m2Of(xs: number[], mu = mean(xs)): number {
  let s = 0;
  for (const x of xs) s += (x - mu) * (x - mu);
  return s;
}

/** Two-pass variance. */
export function varianceOf(xs: number[], kind: StdKind): number {
  return kind === "unbiased" ? m2Of(xs) / (xs.length - 1) : m2Of(xs) / xs.length;
}

/** The normalising denominator for an eps mode. */
export function den(v: number, eps: number, mode: EpsMode): number {
  if (mode === "std") return Math.sqrt(v) + eps;
  if (mode === "var") return Math.sqrt(v + eps);
  return Math.sqrt(Math.max(v, eps));
}

const sumAbs = (xs: number[]) => xs.reduce((s, x) => s + Math.abs(x), 0);
/** d / den with 0/0 := 0 (docs/numerics.md). */
const div = (d: number, q: number) => (q === 0 ? 0 : d / q);

function emptyResult(B: number): RowResult {
  return { a: new Array(B).fill(0), kappa: new Array(B).fill(0), sens: new Array(B).fill(0), n: new Array(B).fill(1) };
}

/** Scores from token rewards (docs/kernels.md#rowscores): the f64 sum of the row, rounded once to f32. */
export function rowScores(r: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, rowScore: "all" | "valid"): Float32Array {
  const s = new Float32Array(B);
  for (let i = 0; i < B; i++) {
    let acc = 0;
    for (let t = 0; t < T; t++) if (rowScore === "all" || mask[i * T + t] === 1) acc += r[i * T + t]!;
    s[i] = acc;
  }
  return s;
}

/** GRPO's knobs, all given. */
export interface GrpoOpts {
  /** eps. */
  eps: number;
  /** Where eps goes. */
  epsMode: EpsMode;
  /** Group std kind. */
  stdKind: StdKind;
  /** Group or batch std. */
  stdScope: "group" | "batch";
  /** Divide by the std (false: Dr.GRPO). */
  normalizeByStd: boolean;
  /** Singleton policy. */
  singleton: Singleton;
}

/** GRPO and Dr.GRPO rows. */
export function grpo(s: ArrayLike<number>, ids: ArrayLike<number>, G: number, o: GrpoOpts): RowResult {
  const B = s.length, out = emptyResult(B), all = Array.from(s);
  const batchVar = all.length > 1 ? varianceOf(all, o.stdKind) : 0;
  for (const rows of membersOf(ids, G)) {
    if (rows.length === 0) continue;
    const xs = rows.map((i) => s[i]!);
    let mu: number, v: number, keep = 1;
    if (rows.length === 1) {
      if (o.singleton === "error") throw new ReferenceError("GROUP_TOO_SMALL", "singleton group");
      if (o.singleton === "zero") keep = 0;
      mu = 0;
      v = o.stdScope === "batch" ? batchVar : 1;
    } else {
      mu = mean(xs);
      v = o.stdScope === "batch" ? batchVar : varianceOf(xs, o.stdKind);
    }
    const q = o.normalizeByStd ? den(v, o.eps, o.epsMode) : 1;
    const S = o.stdScope === "batch" ? sumAbs(all) : sumAbs(xs);
    for (const i of rows) {
      out.a[i] = keep * div(s[i]! - mu, q);
      out.kappa[i] = div(Math.abs(mu), q);
      out.sens[i] = div(S, q);
      out.n[i] = o.stdScope === "batch" ? B : rows.length;
    }
  }
  return out;
}

/** RLOO rows. */
export function rloo(s: ArrayLike<number>, ids: ArrayLike<number>, G: number, o: { singleton: Singleton; nanAsMissing?: boolean }): RowResult {
  const out = emptyResult(s.length);
  for (const all of membersOf(ids, G)) {
    const rows = o.nanAsMissing ? all.filter((i) => !Number.isNaN(s[i]!)) : all;
    if (rows.length === 0) continue;
    if (rows.length === 1) {
      if (o.singleton === "error") throw new ReferenceError("GROUP_TOO_SMALL", "singleton group");
      out.a[rows[0]!] = o.singleton === "zero" ? 0 : s[rows[0]!]!;
      continue;
    }
    const n = rows.length, xs = rows.map((i) => s[i]!), mu = mean(xs);
    for (const i of rows) {
      out.a[i] = ((s[i]! - mu) * n) / (n - 1); // = s_i - mean of the others
      out.kappa[i] = (Math.abs(mu) * n) / (n - 1);
      out.sens[i] = (sumAbs(xs) * n) / (n - 1);
      out.n[i] = n;
    }
  }
  return out;
}

/** s_i - mean_g with the singleton policy (the baseline of RF++-baseline and DLER). */
export function meanBaseline(s: ArrayLike<number>, ids: ArrayLike<number>, G: number, singleton: Singleton): RowResult {
  const out = emptyResult(s.length);
  for (const rows of membersOf(ids, G)) {
    if (rows.length === 0) continue;
    if (rows.length === 1) {
      if (singleton === "error") throw new ReferenceError("GROUP_TOO_SMALL", "singleton group");
      out.a[rows[0]!] = singleton === "zero" ? 0 : s[rows[0]!]!;
      continue;
    }
    const xs = rows.map((i) => s[i]!), mu = mean(xs);
    for (const i of rows) { out.a[i] = s[i]! - mu; out.kappa[i] = Math.abs(mu); out.sens[i] = sumAbs(xs); out.n[i] = rows.length; }
  }
  return out;
}

/** Whitening knobs, all given. */
export interface WhitenOpts {
  /** Variance kind. */
  whitenVariance: StdKind;
  /** eps. */
  whitenEps: number;
  /** eps placement. */
  whitenEpsMode: "add" | "max";
}
/** Whitened rows: the row values plus the statistics used. */
export interface WhitenedRows extends RowResult {
  /** The token-weighted mean. */
  mu: number;
  /** The scale applied. */
  rstd: number;
}

/**
 * Token-weighted whitening of a broadcast row vector: token (i,t) valid carries a_i, so the batch
 * mean and variance are taken over every valid token (docs/kernels.md#reinforceppbaseline, docs/kernels.md#maskedwhiten).
 */
export function whitenBroadcast(a: number[], L: ArrayLike<number>, o: WhitenOpts): WhitenedRows {
  const tokens: number[] = [];
  a.forEach((v, i) => { for (let k = 0; k < L[i]!; k++) tokens.push(v); });
  const need = o.whitenVariance === "unbiased" ? 2 : 1;
  if (tokens.length < need) throw new ReferenceError("TOO_FEW_VALID", `${tokens.length} valid tokens`);
  const mu = mean(tokens);
  const v = varianceOf(tokens, o.whitenVariance);
  const rstd = o.whitenEpsMode === "add" ? 1 / Math.sqrt(v + o.whitenEps) : 1 / Math.sqrt(Math.max(v, o.whitenEps));
  const S = sumAbs(tokens) * rstd;
  return {
    a: a.map((x) => (x - mu) * rstd), kappa: a.map(() => Math.abs(mu) * rstd), sens: a.map(() => S), n: a.map(() => tokens.length), mu, rstd,
  };
}

/** REINFORCE++-baseline rows. */
export function reinforcePPBaseline(s: ArrayLike<number>, ids: ArrayLike<number>, G: number, L: ArrayLike<number>, o: WhitenOpts & { singleton: Singleton }): WhitenedRows {
  return whitenBroadcast(meanBaseline(s, ids, G, o.singleton).a, L, o);
}

/** DLER rows. */
export function dler(s: ArrayLike<number>, truncated: ArrayLike<number>, truncatedValue: number, ids: ArrayLike<number>, G: number, L: ArrayLike<number>, o: WhitenOpts & { singleton: Singleton }): WhitenedRows {
  const r = Array.from(s, (x, i) => (truncated[i] ? Math.fround(truncatedValue) : x));
  return reinforcePPBaseline(r, ids, G, L, o);
}

/** OPO rows. */
export function opo(s: ArrayLike<number>, ids: ArrayLike<number>, G: number, L: ArrayLike<number>, singleton: Singleton): RowResult {
  const out = emptyResult(s.length);
  for (const rows of membersOf(ids, G)) {
    if (rows.length === 0) continue;
    let base = 0, keep = 1;
    if (rows.length === 1) {
      if (singleton === "error") throw new ReferenceError("GROUP_TOO_SMALL", "singleton group");
      if (singleton === "zero") keep = 0;
    } else {
      let sw = 0, swx = 0;
      for (const j of rows) { sw += L[j]!; swx += L[j]! * s[j]!; }
      base = sw === 0 ? 0 : swx / sw;
    }
    for (const i of rows) { out.a[i] = keep * (s[i]! - base); out.kappa[i] = Math.abs(base); out.sens[i] = sumAbs(rows.map((j) => s[j]! * L[j]!)); out.n[i] = rows.length; }
  }
  return out;
}

/** GPG rows. */
export function gpg(s: ArrayLike<number>, ids: ArrayLike<number>, G: number, o: { fNorm: number; singleton: Singleton }): RowResult {
  let nnz = 0;
  for (let i = 0; i < s.length; i++) if (s[i] !== 0) nnz++;
  const alpha = s.length / Math.max(nnz, 1);
  const out = emptyResult(s.length);
  for (const rows of membersOf(ids, G)) {
    if (rows.length === 0) continue;
    let mu = 0, keep = 1;
    if (rows.length === 1) {
      if (o.singleton === "error") throw new ReferenceError("GROUP_TOO_SMALL", "singleton group");
      if (o.singleton === "zero") keep = 0;
    } else mu = mean(rows.map((i) => s[i]!));
    for (const i of rows) {
      out.a[i] = keep * ((s[i]! - mu) * alpha) / o.fNorm;
      out.kappa[i] = (Math.abs(mu) * alpha) / o.fNorm;
      out.sens[i] = (sumAbs(rows.map((j) => s[j]!)) * alpha) / o.fNorm;
      out.n[i] = rows.length;
    }
  }
  return out;
}

/** Pass@k rows. */
export function grpoPassK(s: ArrayLike<number>, ids: ArrayLike<number>, G: number, o: { eps: number; epsMode: EpsMode; stdKind: StdKind; normalizeByStd: boolean }): RowResult {
  const out = emptyResult(s.length);
  for (const rows of membersOf(ids, G)) {
    if (rows.length === 0) continue;
    if (rows.length === 1) throw new ReferenceError("GROUP_TOO_SMALL", "Pass@k singleton");
    const sorted = rows.map((i) => s[i]!).sort((x, y) => y - x);
    const r1 = sorted[0]!, r2 = sorted[1]!;
    const top = rows.find((i) => s[i] === r1)!;
    const q = o.normalizeByStd ? den(varianceOf(rows.map((i) => s[i]!), o.stdKind), o.eps, o.epsMode) : 1;
    out.a[top] = div(r1 - r2, q);
    for (const i of rows) { out.kappa[i] = div(Math.abs(r1) + Math.abs(r2), q); out.sens[i] = div(sumAbs(sorted), q); out.n[i] = rows.length; }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// BNPO

/** log Γ(x) by the Stirling series with upward recurrence (independent of the library's Lanczos). */
export function lgammaStirling(x: number): number {
  let shift = 0;
  while (x < 15) { shift -= Math.log(x); x += 1; }
  const x2 = 1 / (x * x);
  const series = (1 / 12 - x2 * (1 / 360 - x2 * (1 / 1260 - x2 * (1 / 1680 - x2 / 1188)))) / x;
  return shift + (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series;
}

/**
 * log B(a, b) for the oracle, written independently of the library: for large arguments,
 * lgamma(x) - lgamma(x + s) by the Stirling series in difference form (no cancellation).
 * Returns the value and the sum of |terms| (what its f64 rounding error scales with).
 */
/** log B(a, b) and the magnitude of its terms (which cancel). */
export interface LogBeta {
  /** log B(a, b). */
  value: number;
  /** Σ |terms|: the size of what cancels. */
  magnitude: number;
}
/** log B(a, b), evaluated to keep its cancellation visible. */
export function logBetaRef(a: number, b: number): LogBeta {
  const s = Math.min(a, b), x = Math.max(a, b);
  if (x < 15) {
    const t = [lgammaStirling(a), lgammaStirling(b), -lgammaStirling(a + b)];
    return { value: t[0]! + t[1]! + t[2]!, magnitude: t.reduce((acc, v) => acc + Math.abs(v), 0) };
  }
  const y = x + s;
  const tail = (z: number) => 1 / (12 * z) - 1 / (360 * z ** 3) + 1 / (1260 * z ** 5);
  const t = [lgammaStirling(s), -s * Math.log(y), -(x - 0.5) * Math.log1p(s / x), s, tail(x), -tail(y)];
  return { value: t.reduce((acc, v) => acc + v, 0), magnitude: t.reduce((acc, v) => acc + Math.abs(v), 0) };
}

const xlogy = (c: number, y: number) => (c === 0 ? 0 : y === 0 ? -Infinity : c * Math.log(y));

/** BNPO's knobs, all given. */
export interface BnpoOpts {
  /** Score mapped to 0. */
  lo: number;
  /** Score mapped to 1. */
  hi: number;
  /** Fixed alpha, or null to fit. */
  alpha: number | null;
  /** Fixed beta, or null to fit. */
  beta: number | null;
  /** Weight bound. */
  wMax: number;
  /** Singleton policy. */
  singleton: Singleton;
}
/** BNPO rows plus the fit. */
export interface BnpoRows extends RowResult {
  /** Fitted (or given) alpha. */
  alpha: number;
  /** Fitted (or given) beta. */
  beta: number;
  /** The fallback that applied. */
  fallback: string;
}

/** BNPO rows. */
export function bnpo(s: ArrayLike<number>, ids: ArrayLike<number>, G: number, o: BnpoOpts): BnpoRows {
  const x = Array.from(s, (v) => (v - o.lo) / (o.hi - o.lo));
  const groups = membersOf(ids, G);
  const p: (number | null)[] = groups.map((rows) => {
    if (rows.length === 0) return null;
    if (rows.length === 1) {
      if (o.singleton === "error") throw new ReferenceError("GROUP_TOO_SMALL", "singleton group");
      return o.singleton === "zero" ? null : 0;
    }
    return mean(rows.map((i) => x[i]!));
  });
  for (const pg of p) if (pg !== null && !(pg >= 0 && pg <= 1)) throw new ReferenceError("DOMAIN", `group mean ${pg} outside [0,1]`);
  const ps = p.filter((v): v is number => v !== null);
  let alpha = 1, beta = 1, fallback: string;
  let mu = 0, v = 1;
  if (ps.length > 1) { mu = mean(ps); v = varianceOf(ps, "unbiased"); }
  if (o.alpha !== null || o.beta !== null) { alpha = o.alpha ?? 1; beta = o.beta ?? 1; fallback = "override"; }
  else if (ps.length <= 1) fallback = "singleGroup";
  else if (v === 0 || ps.every((x) => x === ps[0])) fallback = "zeroVariance"; // all groups at one p
  else {
    const k = (mu * (1 - mu)) / v - 1;
    alpha = Math.max(1 + (k * mu) / 3, 1);
    beta = Math.max(1 + (k * (1 - mu)) / 3, 1);
    fallback = "none";
  }
  const { value: logB, magnitude: lgMag } = logBetaRef(alpha, beta);
  const out = emptyResult(s.length);
  const extra = new Array(s.length).fill(0);
  groups.forEach((rows, g) => {
    const pg = p[g];
    if (pg === null || pg === undefined) return;
    const t1 = xlogy(alpha - 1, pg), t2 = xlogy(beta - 1, 1 - pg);
    const logf = t1 + t2 - logB;
    const w = Math.min(Math.exp(-logf), o.wMax);
    // d(w)/w = d(logf): each term of logf carries a few ulps in any f64 evaluation.
    const relW = w === o.wMax ? 0 : 8 * 2 ** -53 * (Math.abs(t1) + Math.abs(t2) + lgMag);
    for (const i of rows) {
      out.a[i] = w * (x[i]! - pg); out.kappa[i] = w * Math.abs(pg); out.sens[i] = w * sumAbs(rows.map((j) => x[j]!)); out.n[i] = rows.length;
      extra[i] = Math.abs(out.a[i]!) * relW;
    }
  });
  return { ...out, extra, alpha, beta, fallback };
}

// ---------------------------------------------------------------------------------------------
// TRL GRPOTrainer advantages (docs/kernels.md#trlgroupadvantage): NaN = the reward function returned None.

function nanStats(xs: number[]): { c: number; mean: number; std: number } {
  const v = xs.filter((x) => !Number.isNaN(x));
  const c = v.length;
  if (c === 0) return { c, mean: NaN, std: NaN };
  const mu = mean(v);
  return { c, mean: mu, std: c > 1 ? Math.sqrt(m2Of(v, mu) / (c - 1)) : NaN };
}

/** The TRL block's knobs, all given. */
export interface TrlOpts {
  /** Std scope. */
  scaleRewards: "group" | "batch" | "none";
  /** Order of sum and normalisation. */
  aggregation: "sumThenNormalize" | "normalizeThenSum";
  /** eps. */
  eps: number;
}

/** The TRL block's rows. */
export function trlGroupAdvantage(R: ArrayLike<number>, B: number, K: number, w: ArrayLike<number>, ids: ArrayLike<number>, G: number, o: TrlOpts): RowResult {
  const at = (i: number, k: number) => R[i * K + k]!;
  const unscorable = (i: number) => { for (let k = 0; k < K; k++) if (!Number.isNaN(at(i, k))) return false; return true; };
  const nansumRow = (f: (k: number) => number) => { let s = 0; for (let k = 0; k < K; k++) { const v = f(k); if (!Number.isNaN(v)) s += v; } return s; };
  const groups = membersOf(ids, G);
  const out = emptyResult(B);
  if (o.aggregation === "sumThenNormalize") {
    const r = Array.from({ length: B }, (_, i) => (unscorable(i) ? NaN : nansumRow((k) => w[k]! * at(i, k))));
    const batch = nanStats(r);
    const batchSd = B > 1 ? batch.std : 0;
    for (const rows of groups) {
      if (rows.length === 0) continue;
      const st = nanStats(rows.map((i) => r[i]!));
      const sd = o.scaleRewards === "batch" ? batchSd : rows.length > 1 ? st.std : 0;
      const q = o.scaleRewards === "none" ? 1 : sd + o.eps;
      for (const i of rows) {
        const a = (r[i]! - st.mean) / q;
        out.a[i] = Number.isNaN(a) ? 0 : a;
        // A group with no scorable row has a NaN mean; its rows are exactly 0 (nan_to_num).
        out.kappa[i] = Number.isNaN(q) || Number.isNaN(st.mean) ? 0 : Math.abs(st.mean) / q;
        out.sens[i] = Number.isNaN(q) ? 0 : sumAbs(rows.map((j) => r[j]!).filter((x) => !Number.isNaN(x))) / q;
        out.n[i] = rows.length;
      }
    }
    return out;
  }
  const z: number[][] = Array.from({ length: B }, () => new Array(K).fill(NaN));
  for (const rows of groups) for (let k = 0; k < K; k++) {
    const st = nanStats(rows.map((i) => at(i, k)));
    const sd = rows.length > 1 ? st.std : 0;
    for (const i of rows) z[i]![k] = (at(i, k) - st.mean) / (sd + o.eps);
  }
  const r = Array.from({ length: B }, (_, i) => (unscorable(i) ? NaN : nansumRow((k) => w[k]! * z[i]![k]!)));
  const st = nanStats(r);
  const sd = B > 1 ? st.std : 0;
  for (let i = 0; i < B; i++) {
    const a = (r[i]! - st.mean) / (sd + o.eps);
    out.a[i] = Number.isNaN(a) ? 0 : a;
    out.kappa[i] = Math.abs(st.mean) / (sd + o.eps) || 0;
    out.sens[i] = sumAbs(r.filter((x) => !Number.isNaN(x))) / (sd + o.eps) || 0;
    out.n[i] = B;
  }
  return out;
}
