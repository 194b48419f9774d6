// Shared plumbing of the outcome estimators: binding their inputs (scores or token rewards,
// layout, groups) and emitting row and token outputs.
import type { Engine } from "./engine.js";
import { rangeError, typeError } from "./errors.js";
import { msg } from "./safe.js";
import { checkF32, checkLayoutStructure, layoutShape, placeGroups, placeLayout, place, VOUCHED_SHAPE, type LayoutInputs, type Mask, type Rows, type Scratch } from "./layout.js";
import { checkGroupTypes, resolveGroups, type GroupSpec } from "./groups.js";
import { nonFiniteScore, type Ctx } from "./group-stats.js";
import type { RowScore } from "./options.js";

export const LAYOUT_INPUTS = ["mask", "lengths", "offsets", "width"] as const;
export const GROUP_INPUTS = ["groupSize", "groupIds", "numGroups"] as const;
export const OUTCOME_INPUTS = ["scores", "tokenRewards", ...LAYOUT_INPUTS, ...GROUP_INPUTS] as const;

export interface OutcomeInputs extends LayoutInputs, GroupSpec {
  /** One score per row, Float32Array[B]. */
  scores?: Float32Array | undefined;
  /** Token rewards; the row score is their sum (`rowScore`). */
  tokenRewards?: Float32Array | undefined;
}

export interface Bound {
  ctx: Ctx;
  /** Placed token rewards, 0 when scores were given. */
  tokenRewardsPtr: number;
  scoresPtr: number;
}

/** Types, shapes, structure and mask checks, then placement. Row scores are not computed yet. */
export function bindOutcome(e: Engine, s: Scratch, a: OutcomeInputs, opts: { needsMask?: boolean; needLengths?: boolean; groups?: boolean; idsCache?: { ptr: number; size: number } } = {}): Bound {
  const wantGroups = opts.groups !== false;
  // A workspace's own views (VOUCHED_SHAPE) have the types it planned: no type checks to repeat.
  const vouched = VOUCHED_SHAPE in a;
  if (!vouched && a.scores !== undefined) checkF32("scores", a.scores);
  if (!vouched && a.tokenRewards !== undefined) checkF32("tokenRewards", a.tokenRewards);
  if ((a.scores === undefined) === (a.tokenRewards === undefined))
    typeError("WRONG_TYPE", "scores", -1, "give exactly one of scores (Float32Array[B]) or tokenRewards (a token tensor)");
  if (wantGroups && !vouched) checkGroupTypes(a);
  const hint = a.scores?.length ?? (a.offsets ? undefined : (a.groupIds?.length ?? a.lengths?.length));
  const shape = layoutShape(a, hint, [["tokenRewards", a.tokenRewards]]);
  if (a.scores && a.scores.length !== shape.B) rangeError("SHAPE_MISMATCH", "scores", -1, msg`length ${a.scores.length} != rows ${shape.B}`);
  if (opts.needsMask && !shape.hasTokens) rangeError("SHAPE_MISMATCH", "mask", -1, "this estimator needs a token layout (mask, lengths or offsets)");
  checkLayoutStructure(a, shape, e);
  if (wantGroups) resolveGroups(a, shape.B);
  const rows = placeLayout(e, s, a, shape, "mask", opts.needLengths ?? false);
  const groups = wantGroups ? placeGroups(e, s, a, shape.B, opts.idsCache) : { idsPtr: 0, G: 0, groupSize: 0 };
  const scoresPtr = a.scores ? place(e, s, a.scores) : 0;
  const tokenRewardsPtr = a.tokenRewards ? place(e, s, a.tokenRewards) : 0;
  return { ctx: { e, s, rows, groups, sPtr: scoresPtr }, scoresPtr, tokenRewardsPtr };
}

/**
 * Finiteness of the scores (or of the token rewards that make them) and the row sums. Under
 * `nanAsMissing` NaN scores are allowed (they mark unscorable rows); infinities never are.
 */
export function computeScores(b: Bound, rowScore: RowScore, nanAsMissing = false, leaveToFusedPass = false): void {
  const { e, rows, s } = b.ctx;
  // `leaveToFusedPass`: the caller's next step is centerContig, whose pass reads every score
  // anyway and flags a non-finite one (checkScoresNow covers the paths that do not fuse).
  if (b.scoresPtr && leaveToFusedPass && !nanAsMissing) { b.ctx.scoresUnchecked = true; return; }
  if (b.scoresPtr) {
    const bad = e.exports.first_nonfinite_f32(b.scoresPtr, rows.B);
    if (bad >= 0) {
      if (!nanAsMissing) nonFiniteScore(e, b.scoresPtr, bad);
      const F = e.F32, base = b.scoresPtr >>> 2;
      for (let i = bad; i < rows.B; i++) if (Math.abs(F[base + i]!) === Infinity) rangeError("NON_FINITE", "scores", i, msg`score is ${F[base + i]}`);
    }
    return;
  }
  const out = s.alloc(rows.B * 4);
  const all = rowScore === "all";
  // "all" reads every position of the row (verl's token_level_rewards.sum(-1)).
  const badRow = e.exports.row_sum_f32(b.tokenRewardsPtr, all ? 0 : rows.maskPtr, all ? 0 : rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, out);
  if (badRow >= 0) {
    const bad = all
      ? e.exports.first_nonfinite_f32(b.tokenRewardsPtr, rows.packed ? rows.N : rows.B * rows.T)
      : e.exports.first_nonfinite_valid_f32(b.tokenRewardsPtr, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T);
    if (bad >= 0) rangeError("NON_FINITE", "tokenRewards", bad, msg`token reward is ${e.F32[(b.tokenRewardsPtr >>> 2) + bad]} at a position the row score reads (rowScore: "${rowScore}")`);
    rangeError("RESULT_OVERFLOW", "tokenRewards", -1, msg`the score of row ${badRow} is outside the float32 range`);
  }
  b.ctx.sPtr = out;
}


export type { Mask };

/** A token kernel, validated and ready: `write` puts its outputs where the caller says. */
export interface TokenRan<D> {
  rows: Rows;
  diagnostics: D;
  /** Writes the token outputs (advantages, and returns when distinct). Cannot fail. */
  write: (out: { advantages: number; returns: number }) => void;
  distinctReturns: boolean;
}
