// BCO's pair loss with its running reward shift (docs/shapers.md#bcoshift). The shift is a
// running mean of batch means: each batch counts once, whatever its size (as TRL's DPO trainer).
import type { Engine } from "../core/engine.js";
import { rangeError, typeError } from "../core/errors.js";
import { checkF32, place, type Scratch } from "../core/layout.js";
import { checkFiniteParam, resolveOptions } from "../core/options.js";
import { msg, ownRecord, show } from "../core/safe.js";

/** The serialised state of a {@link BcoShift}. */
export interface BcoShiftJSON {
  /** Batches merged (starts at 1e-24, so the first batch sets the mean). */
  count: number;
  /** The running mean of the batch reward means: the shift delta. */
  mean: number;
}

/** BCO's running reward shift (TRL's RunningMoments as `bco_pair` uses it). Serialisable. */
export class BcoShift {
  /** Batches merged so far (1e-24 initially). */
  count = 1e-24;
  /** The current shift delta. */
  mean = 0;
  /** Merges one batch's mean reward as one observation. */
  push(batchMean: number): this {
    const n = this.count + 1;
    this.mean += (batchMean - this.mean) * 1 / n;
    this.count = n;
    return this;
  }
  /** The state as plain JSON. */
  toJSON(): BcoShiftJSON { return { count: this.count, mean: this.mean }; }
  /** Restores a state saved by toJSON(). */
  static fromJSON(o: unknown): BcoShift {
    const r = ownRecord(o, "shift", ["count", "mean"], ["count", "mean"]);
    const s = new BcoShift();
    if (typeof r.count !== "number" || !(r.count > 0) || !Number.isFinite(r.count)) typeError("WRONG_TYPE", "shift.count", -1, msg`must be a finite number > 0, got ${show(r.count)}`);
    if (typeof r.mean !== "number" || !Number.isFinite(r.mean)) typeError("WRONG_TYPE", "shift.mean", -1, msg`must be a finite number, got ${show(r.mean)}`);
    s.count = r.count as number; s.mean = r.mean as number;
    return s;
  }
}

/** `bcoPairLoss`: sequence log-probabilities of P preference pairs. */
export interface BcoArgs {
  /** Policy log-prob of each chosen response, Float32Array[P]. */
  chosenLogps: Float32Array;
  /** Policy log-prob of each rejected response, Float32Array[P]. */
  rejectedLogps: Float32Array;
  /** Reference log-probs of the chosen responses, Float32Array[P]. */
  refChosenLogps: Float32Array;
  /** Reference log-probs of the rejected responses, Float32Array[P]. */
  refRejectedLogps: Float32Array;
  /** The running shift, updated with this batch (mutated; committed only when the call succeeds). */
  shift: BcoShift;
  /** Default 0.1. */
  beta?: number;
}
/** `bcoPairLoss`'s result. */
export interface BcoResult {
  /** The shift after this batch. */
  delta: number;
  /** -logσ(r_w - delta) - logσ(-(r_l - delta)) per pair, Float32Array[P]. */
  loss: Float32Array;
  /** beta (logp - refLogp) of the chosen responses. */
  chosenRewards: Float32Array;
  /** beta (logp - refLogp) of the rejected responses. */
  rejectedRewards: Float32Array;
}

const INPUTS = ["chosenLogps", "rejectedLogps", "refChosenLogps", "refRejectedLogps"] as const;

export function bcoRun(e: Engine, s: Scratch, a: Record<string, any>): BcoResult {
  const o = resolveOptions("bcoPairLoss", a, [...INPUTS, "shift"], ["beta"] as const, { beta: 0.1 });
  for (const n of INPUTS) checkF32(n, a[n]);
  const P = a.chosenLogps.length;
  for (const n of INPUTS) if (a[n].length !== P) rangeError("SHAPE_MISMATCH", n, -1, msg`length ${a[n].length} != chosenLogps length ${P}`);
  if (P === 0) rangeError("SHAPE_MISMATCH", "chosenLogps", -1, "a batch needs at least one pair (its mean updates the shift)");
  if (!(a.shift instanceof BcoShift)) typeError("WRONG_TYPE", "shift", -1, msg`must be a BcoShift (new BcoShift()), got ${show(a.shift)}`);
  if (o.beta === null) typeError("WRONG_TYPE", "beta", -1, "must be a number");
  checkFiniteParam("beta", o.beta);
  const p = INPUTS.map((n) => {
    const q = place(e, s, a[n]), bad = e.exports.first_nonfinite_f32(q, P);
    if (bad >= 0) rangeError("NON_FINITE", n, bad, msg`value is ${a[n][bad]}`);
    return q;
  });
  const [pc, pr, rc, rr] = p as [number, number, number, number];
  const cw = s.alloc(P * 4), rw = s.alloc(P * 4), mean = s.alloc(8), loss = s.alloc(P * 4);
  let bad = e.exports.bco_rewards_f32(pc, rc, pr, rr, P, o.beta, cw, rw, mean);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "chosenLogps", bad, msg`the reward of pair ${bad} is outside the float32 range`);
  const next = new BcoShift();
  next.count = a.shift.count; next.mean = a.shift.mean;
  next.push(e.F64[mean >>> 3]!);
  bad = e.exports.bco_loss_f32(pc, rc, pr, rr, P, o.beta, next.mean, loss);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "chosenLogps", bad, msg`the loss of pair ${bad} is outside the float32 range`);
  a.shift.count = next.count; a.shift.mean = next.mean;
  return { delta: next.mean, loss: e.f32(loss, P).slice(), chosenRewards: e.f32(cw, P).slice(), rejectedRewards: e.f32(rw, P).slice() };
}
