// Step- and turn-level credit (docs/kernels.md#clip-and-delta, #igpo): Clip and Delta for PRM rewards
// (provisional: not checked against the paper's code), and IGPO's information-gain turn rewards
// and turn-level advantages. Turn-level arithmetic is O(S) and done here in f64; the token
// broadcast runs in wasm.
import type { Engine } from "../core/engine.js";
import { rangeError, typeError } from "../core/errors.js";
import { msg, show } from "../core/safe.js";
import { checkF32, checkLayoutStructure, layoutShape, place, placeGroups, placeLayout, type Scratch } from "../core/layout.js";
import { checkGroupTypes, checkInt32, resolveGroups } from "../core/groups.js";
import { checkFiniteParam, checkNonNegative, checkRange, resolveOptions } from "../core/options.js";
import { GROUP_INPUTS, LAYOUT_INPUTS } from "../core/outcome.js";
import type { Groups, Layout } from "../core/arg-types.js";

function checkCsr(name: string, offsets: unknown, S: number): Int32Array {
  checkInt32(name, offsets);
  const o = offsets as Int32Array, B = o.length - 1;
  if (B < 0 || o[0] !== 0) rangeError("BAD_OFFSETS", name, 0, msg`${name}[0] must be 0`);
  for (let i = 1; i <= B; i++) if (o[i]! < o[i - 1]!) rangeError("BAD_OFFSETS", name, i, msg`${name} must be non-decreasing`);
  if (o[B] !== S) rangeError("BAD_OFFSETS", name, B, msg`${name}[B] = ${o[B]} != ${S}`);
  return o;
}
function finiteAll(name: string, x: ArrayLike<number>): void {
  for (let k = 0; k < x.length; k++) if (!Number.isFinite(x[k]!)) rangeError("NON_FINITE", name, k, msg`value is ${x[k]}`);
}

/** Clip (provisional): r'_k = min(r_k - eta, 0); every dense reward is then <= 0. */
export function clipStepRewards(a: { stepValues: Float32Array; eta: number }): Float32Array {
  resolveOptions("clipStepRewards", a as any, ["stepValues"], ["eta"] as const, {});
  checkF32("stepValues", a.stepValues);
  if (typeof a.eta !== "number") typeError("WRONG_TYPE", "eta", -1, "eta is required (a number)");
  checkFiniteParam("eta", a.eta);
  finiteAll("stepValues", a.stepValues);
  return Float32Array.from(a.stepValues, (r) => Math.min(r - a.eta, 0) + 0);
}

/** Delta (provisional): r'_k = r_k - r_{k+1}; the last step is 0 ("zero") or kept ("keep"). */
export function deltaStepRewards(a: { stepValues: Float32Array; stepOffsets: Int32Array; lastStep?: "zero" | "keep" }): Float32Array {
  const o = resolveOptions("deltaStepRewards", a as any, ["stepValues", "stepOffsets"], ["lastStep"] as const, { lastStep: "zero" });
  if (o.lastStep !== "zero" && o.lastStep !== "keep") rangeError("UNKNOWN_OPTION", "lastStep", -1, msg`unknown value ${show(o.lastStep)}`);
  checkF32("stepValues", a.stepValues);
  const so = checkCsr("stepOffsets", a.stepOffsets, a.stepValues.length);
  finiteAll("stepValues", a.stepValues);
  const out = new Float32Array(a.stepValues.length), r = a.stepValues;
  for (let i = 0; i + 1 < so.length; i++) for (let k = so[i]!; k < so[i + 1]!; k++)
    out[k] = (k + 1 < so[i + 1]! ? r[k]! - r[k + 1]! : o.lastStep === "keep" ? r[k]! : 0) + 0;
  return out;
}

/** IGPO turn rewards: information gains val(vTurn_k) - val(vTurn_{k-1}) (vTurn_{-1} = v0), the answer turn gets outcomeWeight*outcome. */
export function igpoTurnRewards(a: { v0: Float32Array; vTurn: Float32Array; turnOffsets: Int32Array; outcome: Float32Array; valueMode?: "prob" | "logProb"; outcomeWeight?: number }): Float32Array {
  const o = resolveOptions("igpoTurnRewards", a as any, ["v0", "vTurn", "turnOffsets", "outcome"], ["valueMode", "outcomeWeight"] as const, { valueMode: "prob", outcomeWeight: 1 });
  if (o.valueMode !== "prob" && o.valueMode !== "logProb") rangeError("UNKNOWN_OPTION", "valueMode", -1, msg`unknown value ${show(o.valueMode)}`);
  for (const k of ["v0", "vTurn", "outcome"] as const) checkF32(k, a[k]);
  const to = checkCsr("turnOffsets", a.turnOffsets, a.vTurn.length), B = to.length - 1;
  if (a.v0.length !== B) rangeError("SHAPE_MISMATCH", "v0", -1, msg`length ${a.v0.length} != rows ${B}`);
  if (a.outcome.length !== B) rangeError("SHAPE_MISMATCH", "outcome", -1, msg`length ${a.outcome.length} != rows ${B}`);
  checkFiniteParam("outcomeWeight", o.outcomeWeight);
  finiteAll("v0", a.v0); finiteAll("outcome", a.outcome);
  const val = (x: number) => (o.valueMode === "prob" ? Math.exp(x) : x);
  const out = new Float32Array(a.vTurn.length);
  for (let i = 0; i < B; i++) {
    let prev = a.v0[i]!;
    for (let k = to[i]!; k < to[i + 1]!; k++) {
      if (k === to[i + 1]! - 1) { out[k] = o.outcomeWeight * a.outcome[i]!; continue; } // the answer turn; its vTurn is ignored
      const v = a.vTurn[k]!;
      if (!Number.isFinite(v)) rangeError("NON_FINITE", "vTurn", k, msg`value is ${v}`);
      out[k] = val(v) - val(prev);
      prev = v;
    }
  }
  return out;
}

/** `igpoAdvantage`: turn rewards normalised in pooled groups, scanned over turns, broadcast to tokens. */
export interface IgpoArgs extends Layout, Groups {
  /** One reward per turn (CSR over rows). */
  turnRewards: Float32Array;
  /** Int32Array[B+1]: row `i`'s turns are `[turnOffsets[i], turnOffsets[i+1])`. */
  turnOffsets: Int32Array;
  /** The token index (within its row) where each turn ends, strictly increasing per row. */
  turnEnds: Int32Array;
  /** `"joint"` (default): outcome and gain rewards pooled together; `"separate"`: each pool on its own. */
  normMode?: "separate" | "joint";
  /** Divide by the pool's std (default true). */
  normalizeByStd?: boolean;
  /** Added to the std (default 1e-6); >= 0. */
  eps?: number;
  /** Added to the variance (default 1e-8); >= 0. */
  varEps?: number;
  /** Discount over turns (default 1). */
  gamma?: number;
  /** Weight of the outcome turn (default 1). */
  weightOutcome?: number;
  /** Weight of the information-gain turns (default 1). */
  weightGain?: number;
  /** Leave zero-gain turns out of the pools (default false). */
  excludeZeroGain?: boolean;
}

/** IGPO advantage: per-group pools of turn rewards normalised, a discounted scan over turns, broadcast to the turn's tokens. */
export function igpoAdvantageRun(e: Engine, s: Scratch, a: IgpoArgs): { advantages: Float32Array; turnAdvantages: Float32Array } {
  const o = resolveOptions("igpoAdvantage", a as any, ["turnRewards", "turnOffsets", "turnEnds", ...LAYOUT_INPUTS, ...GROUP_INPUTS],
    ["normMode", "normalizeByStd", "eps", "varEps", "gamma", "weightOutcome", "weightGain", "excludeZeroGain"] as const,
    { normMode: "joint", normalizeByStd: true, eps: 1e-6, varEps: 1e-8, gamma: 1, weightOutcome: 1, weightGain: 1, excludeZeroGain: false });
  if (o.normMode !== "separate" && o.normMode !== "joint") rangeError("UNKNOWN_OPTION", "normMode", -1, msg`unknown value ${show(o.normMode)}`);
  checkF32("turnRewards", a.turnRewards);
  checkInt32("turnOffsets", a.turnOffsets);
  checkInt32("turnEnds", a.turnEnds);
  checkGroupTypes(a);
  const shape = layoutShape(a, a.offsets ? undefined : a.turnOffsets ? a.turnOffsets.length - 1 : undefined, []);
  if (!shape.hasTokens) rangeError("SHAPE_MISMATCH", "width", -1, "a token layout is required");
  checkLayoutStructure(a, shape, e);
  resolveGroups(a, shape.B);
  const to = checkCsr("turnOffsets", a.turnOffsets, a.turnRewards.length);
  if (to.length !== shape.B + 1) rangeError("SHAPE_MISMATCH", "turnOffsets", -1, msg`length ${to.length} != rows + 1`);
  checkInt32("turnEnds", a.turnEnds);
  if (a.turnEnds.length !== a.turnRewards.length) rangeError("SHAPE_MISMATCH", "turnEnds", -1, msg`length ${a.turnEnds.length} != turns ${a.turnRewards.length}`);
  const rowLen = (i: number) => (a.offsets ? a.offsets[i + 1]! - a.offsets[i]! : shape.T);
  for (let i = 0; i < shape.B; i++) for (let k = to[i]!; k < to[i + 1]!; k++) {
    const t = a.turnEnds[k]!;
    if (t < 0 || t >= rowLen(i) || (k > to[i]! && t <= a.turnEnds[k - 1]!)) rangeError("BAD_OFFSETS", "turnEnds", k, msg`turn end ${t} of row ${i} is outside the row or not increasing`);
  }
  const rows = placeLayout(e, s, a, shape, "mask", true);
  for (let i = 0; i < shape.B; i++) for (let k = to[i]!; k < to[i + 1]!; k++) {
    const start = a.offsets ? a.offsets[i]! : i * shape.T, t = a.turnEnds[k]!;
    const ok = rows.lensPtr ? t < e.I32[(rows.lensPtr >>> 2) + i]! : rows.maskPtr ? e.U8[rows.maskPtr + start + t] === 1 : true;
    if (!ok) rangeError("DOMAIN", "turnEnds", k, msg`turn end ${t} of row ${i} is a masked position`);
  }
  checkRange("gamma", o.gamma, 0, 1);
  for (const k of ["weightOutcome", "weightGain"] as const) checkFiniteParam(k, o[k]);
  checkNonNegative("eps", o.eps); checkNonNegative("varEps", o.varEps); // a negative eps can cancel the std: NaN or Inf
  finiteAll("turnRewards", a.turnRewards);
  const groups = placeGroups(e, s, a, shape.B);
  const ids = e.I32.slice(groups.idsPtr >>> 2, (groups.idsPtr >>> 2) + shape.B);
  // Curriculum weights, then pools per group: (group, kind) with kind 0 = gains, 1 = outcomes (joint: one kind).
  const S = a.turnRewards.length, r = new Float64Array(S), kind = new Uint8Array(S), counted = new Uint8Array(S);
  for (let i = 0; i < shape.B; i++) for (let k = to[i]!; k < to[i + 1]!; k++) {
    const answer = k === to[i + 1]! - 1;
    r[k] = a.turnRewards[k]! * (answer ? o.weightOutcome : o.weightGain);
    kind[k] = o.normMode === "separate" && answer ? 1 : 0;
    counted[k] = o.excludeZeroGain && !answer && a.turnRewards[k] === 0 ? 0 : 1;
  }
  const P = groups.G * 2, n = new Float64Array(P), sum = new Float64Array(P), m2 = new Float64Array(P);
  const pool = (i: number, k: number) => ids[i]! * 2 + kind[k]!;
  for (let i = 0; i < shape.B; i++) for (let k = to[i]!; k < to[i + 1]!; k++) if (counted[k]) { n[pool(i, k)]!++; sum[pool(i, k)]! += r[k]!; }
  const mu = Float64Array.from(sum, (v, p) => (n[p]! > 0 ? v / n[p]! : 0));
  for (let i = 0; i < shape.B; i++) for (let k = to[i]!; k < to[i + 1]!; k++) if (counted[k]) { const d = r[k]! - mu[pool(i, k)]!; m2[pool(i, k)]! += d * d; }
  const turnAdv = new Float32Array(S);
  for (let i = 0; i < shape.B; i++) {
    let A = 0;
    for (let k = to[i + 1]! - 1; k >= to[i]!; k--) {
      const p = pool(i, k), c = n[p]!;
      let rhat = 0;
      if (counted[k]) {
        const sd = c <= 1 ? 1 : Math.sqrt(m2[p]! / c + o.varEps);
        const m = c <= 1 ? r[k]! : mu[p]!;
        rhat = o.normalizeByStd ? (r[k]! - m) / (sd + o.eps) : r[k]! - m;
      }
      A = rhat + o.gamma * A;
      turnAdv[k] = Math.fround(A) + 0; // exact zeros are +0, as in every output
    }
  }
  const vp = place(e, s, turnAdv), so = place(e, s, to), se = place(e, s, a.turnEnds);
  const out = s.alloc(Math.max(rows.N, 1) * 4);
  e.exports.segments_broadcast_f32(vp, so, se, rows.lensPtr ? 0 : rows.maskPtr, rows.offsetsPtr, rows.B, rows.T, out);
  if (rows.lensPtr) e.exports.masked_affine_f32(out, 0, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, 0, 1, 0, out);
  return { advantages: e.f32(out, rows.N).slice(), turnAdvantages: turnAdv };
}
