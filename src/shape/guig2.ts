// GUI-G² Gaussian point and coverage rewards for predicted boxes (docs/shapers.md#guig2reward).
import type { Engine } from "../core/engine.js";
import { rangeError } from "../core/errors.js";
import { checkF32, place, type Scratch } from "../core/layout.js";
import { checkFiniteParam, checkNonNegative, checkPositive, resolveOptions } from "../core/options.js";
import { msg } from "../core/safe.js";
import { copyOut, mainOut, side, type Sink } from "./sink.js";

/** `guiG2Reward`: boxes as x1, y1, x2, y2 in pixels. */
export interface GuiG2Args {
  /** Predicted boxes, Float32Array[B*4] (a degenerate prediction is allowed and scores low). */
  pred: Float32Array;
  /** Ground-truth boxes, Float32Array[B*4], with x2 > x1 and y2 > y1. */
  gt: Float32Array;
  /** sigma = alpha * the box's size (default 0.5). */
  alpha?: number;
  /** Weight of the point reward in total (default 1). */
  nu?: number;
  /** Weight of the coverage reward in total (default 1). */
  gammaCov?: number;
  /** Added to variances in the coverage (default 1e-8). */
  eps?: number;
}
/** `guiG2Reward`'s result (upstream rounds each to 3 decimals; this does not). */
export interface GuiG2Result {
  /** exp(-0.5 * the centre offset in ground-truth sigmas squared), Float32Array[B]. */
  point: Float32Array;
  /** The Bhattacharyya coefficient of the two Gaussians (can exceed 1 by ~1e-6 for 1-pixel boxes). */
  coverage: Float32Array;
  /** nu*point + gammaCov*coverage. */
  total: Float32Array;
}

export function guiG2Run(e: Engine, s: Scratch, a: Record<string, any>, sink: Sink = copyOut(e)): GuiG2Result {
  const o = resolveOptions("guiG2Reward", a, ["pred", "gt"], ["alpha", "nu", "gammaCov", "eps"] as const, { alpha: 0.5, nu: 1, gammaCov: 1, eps: 1e-8 });
  checkF32("pred", a.pred); checkF32("gt", a.gt);
  const n = a.gt.length;
  if (n % 4) rangeError("SHAPE_MISMATCH", "gt", -1, msg`length ${n} is not a multiple of 4 (x1, y1, x2, y2 per box)`);
  if (a.pred.length !== n) rangeError("SHAPE_MISMATCH", "pred", -1, msg`length ${a.pred.length} != gt length ${n}`);
  const B = n / 4;
  const pp = place(e, s, a.pred), gp = place(e, s, a.gt);
  for (const [name, p, v] of [["pred", pp, a.pred], ["gt", gp, a.gt]] as const) {
    const bad = e.exports.first_nonfinite_f32(p, n);
    if (bad >= 0) rangeError("NON_FINITE", name, bad, msg`value is ${v[bad]}`);
  }
  const badBox = e.exports.first_bad_box_f32(gp, B);
  if (badBox >= 0) {
    const g = a.gt as Float32Array, i = badBox >> 2;
    if ((badBox & 3) === 2) rangeError("DOMAIN", "gt", badBox, msg`box ${i} has width ${g[4 * i + 2]! - g[4 * i]!}; a ground-truth box needs x2 > x1`);
    rangeError("DOMAIN", "gt", badBox, msg`box ${i} has height ${g[4 * i + 3]! - g[4 * i + 1]!}; a ground-truth box needs y2 > y1`);
  }
  checkPositive("alpha", o.alpha as number); checkFiniteParam("nu", o.nu); checkFiniteParam("gammaCov", o.gammaCov); checkNonNegative("eps", o.eps);
  const pt = s.alloc(B * 4 || 4), cv = s.alloc(B * 4 || 4), tt = mainOut(s, sink, B);
  const bad = e.exports.guig2_f32(pp, gp, B, o.alpha as number, o.nu, o.gammaCov, o.eps, pt, cv, tt);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "pred", 4 * bad, msg`the reward of box ${bad} is outside the float32 range (a degenerate prediction with eps = 0?)`);
  return { point: side(e, sink, pt, B), coverage: side(e, sink, cv, B), total: sink(tt, B) };
}
