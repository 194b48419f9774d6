// Running statistics of the stateful reward shapers (docs/shapers.md#runningstats): count, mean,
// M2, min and max in f64, updated batch by batch with the Chan merge, and serialisable so a run
// that stops and resumes continues with bitwise the same state.
import { rangeError, typeError } from "../core/errors.js";
import { isArraySafe, msg, show, typedArrayKind } from "../core/safe.js";

/** The serialised state of a {@link RunningStats} (`toJSON()`; non-finite min/max as strings, JSON has no Infinity). */
export interface RunningStatsJSON {
  /** Observations merged so far. */
  n: number;
  /** Their mean. */
  mean: number;
  /** Sum of squared deviations from the mean. */
  M2: number;
  /** Smallest observation, or "Infinity" before the first. */
  min: number | string;
  /** Largest observation, or "-Infinity" before the first. */
  max: number | string;
}

const encode = (v: number): number | string => (Number.isFinite(v) ? v : String(v));
function decodeField(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  const x = v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v;
  if (typeof x !== "number" || Number.isNaN(x)) typeError("WRONG_TYPE", `stats.${key}`, -1, msg`must be a number, got ${show(v)}`);
  return x as number;
}

/**
 * Running mean, population variance, min and max over every batch seen (PAR's `RunningStats`).
 * The initial state is n = 0, mean = 0, M2 = 0, min = +Infinity, max = -Infinity (PAR starts
 * min/max at ±1e4; the results differ only when every value lies beyond ±1e4).
 *
 * `update` mutates the object. Two ranks' states merge exactly as whitening moments do.
 */
export class RunningStats {
  /** Observations merged so far. */
  n = 0;
  /** Their mean. */
  mean = 0;
  /** Sum of squared deviations from the mean. */
  M2 = 0;
  /** Smallest observation (+Infinity before the first). */
  min = Infinity;
  /** Largest observation (-Infinity before the first). */
  max = -Infinity;

  /** Population variance M2/n ("biased", as PAR), 0 while n <= 1. */
  get variance(): number { return this.n > 1 ? this.M2 / this.n : 0; }
  /** sqrt(variance). */
  get std(): number { return Math.sqrt(this.variance); }

  /**
   * Merges one batch: its mean and two-pass population variance, then the Chan update
   * (mean += d*b/n', M2 += vb*b + d*d*n*b/n'). Throws NON_FINITE naming `x` and the index.
   */
  update(x: Float32Array | readonly number[]): this {
    if (typedArrayKind(x) !== "Float32Array" && !isArraySafe(x)) typeError("WRONG_TYPE", "x", -1, msg`must be a Float32Array or an array of numbers, got ${show(x)}`);
    const b = x.length;
    if (b === 0) return this;
    let s = 0, lo = Infinity, hi = -Infinity;
    for (let i = 0; i < b; i++) {
      const v = x[i]!;
      if (typeof v !== "number") typeError("WRONG_TYPE", "x", i, msg`must be a number, got ${show(v)}`);
      if (!Number.isFinite(v)) rangeError("NON_FINITE", "x", i, msg`value is ${v}`);
      s += v; if (v < lo) lo = v; if (v > hi) hi = v;
    }
    const mb = s / b;
    let q = 0;
    for (let i = 0; i < b; i++) { const d = x[i]! - mb; q += d * d; }
    return this.absorb(b, mb, q / b, lo, hi);
  }

  /** Merges a batch given by its size, mean, population variance, min and max (the kernels' moments). */
  absorb(b: number, mb: number, vb: number, lo: number, hi: number): this {
    if (b <= 0) return this;
    const n = this.n, n1 = n + b, d = mb - this.mean;
    this.mean += d * b / n1;
    this.M2 += vb * b + d * d * n * b / n1;
    this.n = n1;
    this.min = Math.min(this.min, lo);
    this.max = Math.max(this.max, hi);
    return this;
  }

  /** The Chan merge of two states (neither is changed). */
  static merge(a: RunningStats, b: RunningStats): RunningStats {
    const out = a.clone();
    if (b.n === 0) return out;
    if (a.n === 0) return b.clone();
    const n = a.n + b.n, d = b.mean - a.mean;
    out.mean = a.mean + d * b.n / n;
    out.M2 = a.M2 + b.M2 + d * d * a.n * b.n / n;
    out.n = n;
    out.min = Math.min(a.min, b.min);
    out.max = Math.max(a.max, b.max);
    return out;
  }

  /** An independent copy. */
  clone(): RunningStats { const c = new RunningStats(); c.set(this); return c; }
  /** Overwrites this state with another's (used to commit a call's result atomically). */
  set(o: RunningStats): this { this.n = o.n; this.mean = o.mean; this.M2 = o.M2; this.min = o.min; this.max = o.max; return this; }

  /** The state as plain JSON; `fromJSON(JSON.parse(JSON.stringify(s)))` restores it bitwise. */
  toJSON(): RunningStatsJSON { return { n: this.n, mean: this.mean, M2: this.M2, min: encode(this.min), max: encode(this.max) }; }

  /** Restores a state saved by `toJSON()`. WRONG_TYPE / PARAM_OUT_OF_RANGE name the field. */
  static fromJSON(o: unknown): RunningStats {
    if (o === null || typeof o !== "object") typeError("WRONG_TYPE", "stats", -1, msg`must be the object toJSON() wrote, got ${show(o)}`);
    const r = o as Record<string, unknown>, s = new RunningStats();
    s.n = decodeField(r, "n"); s.mean = decodeField(r, "mean"); s.M2 = decodeField(r, "M2"); s.min = decodeField(r, "min"); s.max = decodeField(r, "max");
    if (!(s.n >= 0) || !Number.isFinite(s.n)) rangeError("PARAM_OUT_OF_RANGE", "stats.n", -1, msg`must be a finite count >= 0, got ${s.n}`);
    if (!(s.M2 >= 0) || !Number.isFinite(s.M2) || !Number.isFinite(s.mean)) rangeError("PARAM_OUT_OF_RANGE", "stats.M2", -1, "mean must be finite and M2 finite and >= 0");
    return s;
  }
}
