// Likelihood rewards, SAR and TGDPO (docs/kernels.md#likelihoodreward, #selfalignedreward, #tgdpo): segmented row reductions in wasm (f64),
// the few per-row transcendental steps here in f64.
import type { Engine } from "../core/engine.js";
import { rangeError } from "../core/errors.js";
import { msg, show } from "../core/safe.js";
import { placeTokenRows as rowsOf, requireNonEmpty, type Scratch } from "../core/layout.js";
import { checkFiniteParam, checkNonNegative, resolveOptions } from "../core/options.js";
import { LAYOUT_INPUTS } from "../core/outcome.js";

export type LikelihoodMode = "sum" | "prob" | "avgProb" | "mean";
/** sum: Σ l; prob: exp(Σ l); avgProb: mean exp(l); mean (provisional): Σ l / n. */
export function likelihoodRun(e: Engine, s: Scratch, a: Record<string, any>): Float32Array {
  const o = resolveOptions("likelihoodReward", a, ["answerLogp", ...LAYOUT_INPUTS], ["mode"] as const, { mode: "sum" });
  if (!["sum", "prob", "avgProb", "mean"].includes(o.mode)) rangeError("UNKNOWN_OPTION", "mode", -1, msg`unknown value ${show(o.mode)}; expected sum, prob, avgProb or mean`);
  const { rows, ptrs: [x] } = rowsOf(e, s, a, [["answerLogp", a.answerLogp]]);
  requireNonEmpty(e, rows);
  const sum = s.alloc(rows.B * 8), ex = s.alloc(rows.B * 8);
  e.exports.row_logp_sums_f32(x!, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, sum, o.mode === "avgProb" ? ex : 0);
  const out = new Float32Array(rows.B), F = e.F64, L = e.I32;
  for (let i = 0; i < rows.B; i++) {
    const S = F[(sum >>> 3) + i]!, n = L[(rows.rowLensPtr >>> 2) + i]!;
    const v = o.mode === "sum" ? S : o.mode === "prob" ? Math.exp(S) : o.mode === "mean" ? S / n : F[(ex >>> 3) + i]! / n;
    out[i] = v;
    if (!Number.isFinite(out[i]!)) rangeError("RESULT_OVERFLOW", "answerLogp", i, msg`the reward of row ${i} is outside the float32 range`);
  }
  return out;
}

/** SAR: R = max((ppl0 - pplQ)/(ppl0 + eps), floor) with ppl = exp(-masked mean log-prob). */
export function sarRun(e: Engine, s: Scratch, a: Record<string, any>): Float32Array {
  const o = resolveOptions("selfAlignedReward", a, ["logpWithQuery", "logpWithoutQuery", ...LAYOUT_INPUTS], ["eps", "floor"] as const, { eps: 1e-9, floor: -1 });
  const { rows, ptrs: [q, z] } = rowsOf(e, s, a, [["logpWithQuery", a.logpWithQuery], ["logpWithoutQuery", a.logpWithoutQuery]]);
  checkNonNegative("eps", o.eps); checkFiniteParam("floor", o.floor);
  requireNonEmpty(e, rows);
  const sq = s.alloc(rows.B * 8), s0 = s.alloc(rows.B * 8);
  e.exports.row_logp_sums_f32(q!, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, sq, 0);
  e.exports.row_logp_sums_f32(z!, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, s0, 0);
  const out = new Float32Array(rows.B), F = e.F64, L = e.I32;
  for (let i = 0; i < rows.B; i++) {
    const n = L[(rows.rowLensPtr >>> 2) + i]!;
    const pplQ = Math.exp(-F[(sq >>> 3) + i]! / n), ppl0 = Math.exp(-F[(s0 >>> 3) + i]! / n);
    if (!Number.isFinite(pplQ) || !Number.isFinite(ppl0)) rangeError("RESULT_OVERFLOW", !Number.isFinite(pplQ) ? "logpWithQuery" : "logpWithoutQuery", i, "exp(-mean log-prob) overflows (mean below -709)");
    out[i] = Math.max((ppl0 - pplQ) / (ppl0 + o.eps), o.floor) + 0;
  }
  return out;
}

export interface TgdpoResult { chosenWeights: Float32Array; rejectedWeights: Float32Array; z: Float32Array; loss: Float32Array; meanLoss: number }

/** TGDPO (loss type sigmoid): token weights from a token reward model, z per pair, -logσ(z). */
export function tgdpoRun(e: Engine, s: Scratch, a: Record<string, any>): TgdpoResult {
  const o = resolveOptions("tgdpo", a, ["chosenLogp", "chosenRefLogp", "chosenRewardLogp", "chosenMask", "rejectedLogp", "rejectedRefLogp", "rejectedRewardLogp", "rejectedMask", "width", "lengths", "offsets"],
    ["beta", "alpha"] as const, { beta: 0.1, alpha: 0.5 });
  const w = rowsOf(e, s, a, [["chosenLogp", a.chosenLogp], ["chosenRefLogp", a.chosenRefLogp], ["chosenRewardLogp", a.chosenRewardLogp]], "chosenMask");
  const l = rowsOf(e, s, a, [["rejectedLogp", a.rejectedLogp], ["rejectedRefLogp", a.rejectedRefLogp], ["rejectedRewardLogp", a.rejectedRewardLogp]], "rejectedMask");
  if (w.rows.B !== l.rows.B) rangeError("SHAPE_MISMATCH", "rejectedLogp", -1, msg`chosen has ${w.rows.B} pairs, rejected ${l.rows.B}`);
  checkFiniteParam("beta", o.beta); checkFiniteParam("alpha", o.alpha);
  const P = w.rows.B;
  const ww = s.alloc(w.rows.N * 4), wl = s.alloc(l.rows.N * 4), zw = s.alloc(P * 8), zl = s.alloc(P * 8);
  let bad = e.exports.tgdpo_side_f32(w.ptrs[0]!, w.ptrs[1]!, w.ptrs[2]!, w.rows.maskPtr, w.rows.lensPtr, w.rows.offsetsPtr, P, w.rows.T, o.beta, o.alpha, 1, ww, zw);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "chosenRewardLogp", bad, "token weight outside the float32 range");
  bad = e.exports.tgdpo_side_f32(l.ptrs[0]!, l.ptrs[1]!, l.ptrs[2]!, l.rows.maskPtr, l.rows.lensPtr, l.rows.offsetsPtr, P, l.rows.T, o.beta, o.alpha, -1, wl, zl);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "rejectedRewardLogp", bad, "token weight outside the float32 range");
  const F = e.F64, z = new Float32Array(P), loss = new Float32Array(P);
  let total = 0;
  for (let p = 0; p < P; p++) {
    const zp = F[(zw >>> 3) + p]! - F[(zl >>> 3) + p]!;
    const lp = Math.max(-zp, 0) + Math.log1p(Math.exp(-Math.abs(zp))); // -logσ(z), stable
    z[p] = zp; loss[p] = lp; total += lp;
  }
  return { chosenWeights: e.f32(ww, w.rows.N).slice(), rejectedWeights: e.f32(wl, l.rows.N).slice(), z, loss, meanLoss: P ? total / P : 0 };
}
