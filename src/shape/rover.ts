// Token-level shapers (docs/shapers.md#rovertargets, #gatedrewards): ROVER's Q-values and
// regression targets, and G-RA's gated accumulation (provisional), over any token layout.
import type { Engine } from "../core/engine.js";
import { rangeError } from "../core/errors.js";
import { checkF32, place, placeTokenRows, type Scratch } from "../core/layout.js";
import { checkFiniteParam, resolveOptions } from "../core/options.js";
import { LAYOUT_INPUTS } from "../core/outcome.js";
import { msg } from "../core/safe.js";
import type { Mask } from "../core/arg-types.js";

/** Token layout of a token-level shaper: padded [B,T] with mask / lengths and width, or packed offsets. */
export interface ShaperLayout {
  /** Validity, Uint8Array or Float32Array of 0/1 [B*T] (or packed [N]). */
  mask?: Mask;
  /** Valid prefix length per row (padded). */
  lengths?: Int32Array;
  /** Packed row boundaries, Int32Array[B+1]. */
  offsets?: Int32Array;
  /** Padded width T. */
  width?: number;
}

/** `roverTargets`: ROVER's Q-values and regression targets per token. */
export interface RoverArgs extends ShaperLayout {
  /** Log-prob of each sampled token under the current policy. */
  logp: Float32Array;
  /** ... under the old policy. */
  oldLogp: Float32Array;
  /** The vocabulary reduction of the current policy per position (upstream current_q). */
  qLogits: Float32Array;
  /** ... of the old policy (upstream old_logits). */
  oldQLogits: Float32Array;
  /** The row's centred reward broadcast to its tokens (a GRPO advantage). */
  advantages: Float32Array;
  /** rover_t (default 1). */
  rho?: number;
  /** Scale of the next position's Q (default 1). */
  nextQScale?: number;
  /** Clip Q towards the target at log(1 ± clipRatio), in (0, 1); default none. */
  clipRatio?: number;
}
/** `roverTargets`' result (token tensors, +0 at masked positions). */
export interface RoverResult {
  /** rho (logp - oldLogp), clipped when clipRatio is set. */
  q: Float32Array;
  /** rho (qLogits - oldQLogits) at the next valid position of the row, else 0. */
  nextQ: Float32Array;
  /** advantages + nextQScale * nextQ. */
  target: Float32Array;
}

const ROVER_IN = ["logp", "oldLogp", "qLogits", "oldQLogits", "advantages"] as const;

/** Output pointers (a workspace's views); without them the results are new arrays. */
export interface RoverOutputs { q: number; nextQ: number; target: number }

export function roverRun(e: Engine, s: Scratch, a: Record<string, any>, outs?: RoverOutputs): RoverResult {
  const o = resolveOptions("roverTargets", a, [...ROVER_IN, ...LAYOUT_INPUTS], ["rho", "nextQScale", "clipRatio"] as const, { rho: 1, nextQScale: 1, clipRatio: undefined });
  const { rows, ptrs } = placeTokenRows(e, s, a, ROVER_IN.map((n) => [n, a[n]] as [string, Float32Array]));
  checkFiniteParam("rho", o.rho); checkFiniteParam("nextQScale", o.nextQScale);
  const clip = o.clipRatio !== undefined;
  if (clip) { checkFiniteParam("clipRatio", o.clipRatio); if (!(o.clipRatio > 0 && o.clipRatio < 1)) rangeError("PARAM_OUT_OF_RANGE", "clipRatio", -1, msg`must lie in (0, 1), got ${o.clipRatio}`); }
  const N = rows.N, q = outs?.q ?? s.alloc(N * 4 || 4), nq = outs?.nextQ ?? s.alloc(N * 4 || 4), tg = outs?.target ?? s.alloc(N * 4 || 4);
  const [lp, olp, ql, oql, adv] = ptrs as [number, number, number, number, number];
  const bad = e.exports.rover_targets_f32(lp, olp, ql, oql, adv, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, o.rho, o.nextQScale,
    clip ? 1 : 0, clip ? Math.log(1 + o.clipRatio) : 0, clip ? Math.log(1 - o.clipRatio) : 0, q, nq, tg);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "logp", bad, msg`a Q-value or target at position ${bad} is outside the float32 range`);
  const view = (p: number) => (outs ? e.f32(p, N) : e.f32(p, N).slice());
  return { q: view(q), nextQ: view(nq), target: view(tg) };
}

/** `gatedRewards` (provisional): immediate rewards count only when the outcome reaches tau. */
export interface GatedArgs extends ShaperLayout {
  /** The high-level outcome per row, Float32Array[B]. */
  outcome: Float32Array;
  /** Immediate rewards per token. */
  tokenRewards: Float32Array;
  /** The gate's threshold (required): open when outcome >= tau. */
  tau: number;
}
/** `gatedRewards`' result. */
export interface GatedResult {
  /** The token rewards of open rows (+0 in closed rows and at masked positions). */
  tokenRewards: Float32Array;
  /** outcome + (gate ? Σ valid token rewards : 0) per row. */
  rewards: Float32Array;
}

/** tokOut / rowOut: output pointers (a workspace's views; tokOut may be the token input itself). */
export function gatedRun(e: Engine, s: Scratch, a: Record<string, any>, outs?: { tok: number; row: number }): GatedResult {
  const o = resolveOptions("gatedRewards", a, ["outcome", "tokenRewards", ...LAYOUT_INPUTS], ["tau"] as const, { tau: undefined });
  const { rows, ptrs: [r] } = placeTokenRows(e, s, a, [["tokenRewards", a.tokenRewards]]);
  checkF32("outcome", a.outcome);
  if (a.outcome.length !== rows.B) rangeError("SHAPE_MISMATCH", "outcome", -1, msg`length ${a.outcome.length} != rows ${rows.B}`);
  const op = place(e, s, a.outcome), badO = e.exports.first_nonfinite_f32(op, rows.B);
  if (badO >= 0) rangeError("NON_FINITE", "outcome", badO, msg`value is ${a.outcome[badO]}`);
  checkFiniteParam("tau", o.tau);
  const tok = outs?.tok ?? s.alloc(rows.N * 4 || 4), row = outs?.row ?? s.alloc(rows.B * 4 || 4);
  const bad = e.exports.gated_rewards_f32(op, r!, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, o.tau, tok, row);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "tokenRewards", bad, msg`the reward of row ${bad} is outside the float32 range`);
  return outs ? { tokenRewards: e.f32(tok, rows.N), rewards: e.f32(row, rows.B) } : { tokenRewards: e.f32(tok, rows.N).slice(), rewards: e.f32(row, rows.B).slice() };
}
