// groupStats, rowScores and broadcastRows: the building blocks, exposed on their own.
import type { Engine } from "../core/engine.js";
import { rangeError } from "../core/errors.js";
import { msg } from "../core/safe.js";
import { broadcast, checkF32, checkLayoutStructure, checkU8, layoutShape, place, placeGroups, placeLayout, type Scratch } from "../core/layout.js";
import { checkGroupTypes, resolveGroups } from "../core/groups.js";
import { resolveOptions } from "../core/options.js";
import { groupMoments } from "../core/group-stats.js";
import { bindOutcome, computeScores, LAYOUT_INPUTS } from "../core/outcome.js";
import type { Common, Groups, Layout } from "../core/arg-types.js";
import type { RowScore } from "../core/options.js";

/** groupStats: per-group f64 statistics of `x` (rows counted where `include` is 1). */
export interface GroupStatsArgs extends Groups {
  /** One value per row, Float32Array[B]. */
  x: Float32Array;
  /** Rows to count (1) or leave out (0), Uint8Array[B]; only counted rows are read. */
  include?: Uint8Array;
}
/** rowScores: each row's score from its token rewards (`rowScore`: "all" or "valid" positions). */
export interface RowScoresArgs extends Layout, Common {
  /** Token rewards (token tensor). */
  tokenRewards: Float32Array;
  /** `"all"` positions (verl) or the `"valid"` ones. */
  rowScore?: RowScore;
}
/** broadcastRows: one value per row onto its valid tokens (+0 elsewhere). */
export interface BroadcastArgs extends Layout {
  /** One value per row, Float32Array[B]. */
  values: Float32Array;
}

const GROUP_STATS_INPUTS = ["x", "include", "groupSize", "groupIds", "numGroups"] as const;
const ROW_SCORES_INPUTS = ["tokenRewards", ...LAYOUT_INPUTS] as const;
const ROW_SCORE_OPTIONS = ["rowScore"] as const;
const BROADCAST_INPUTS = ["values", ...LAYOUT_INPUTS] as const;
const NO_OPTIONS = [] as const;

/** Per-group f64 statistics; every field is 0 for an empty group (count 0). */
export interface GroupStatsResult {
  count: Float64Array; sum: Float64Array; mean: Float64Array; m2: Float64Array; min: Float64Array; max: Float64Array;
  /** M2/(count-1) for count >= 2, 0 otherwise (no spread is measurable; `count` says why). */
  varUnbiased: Float64Array;
  /** M2/count for count >= 1, 0 for an empty group. */
  varBiased: Float64Array;
  /** 1 when count >= 2 and M2 == 0 (all members equal). */
  allEqual: Uint8Array;
}

export function groupStatsRun(e: Engine, s: Scratch, a: GroupStatsArgs): GroupStatsResult {
  resolveOptions("groupStats", a as any, GROUP_STATS_INPUTS, NO_OPTIONS);
  checkF32("x", a.x);
  if (a.include !== undefined) checkU8("include", a.include);
  checkGroupTypes(a);
  const B = a.x.length;
  if (a.include && a.include.length !== B) rangeError("SHAPE_MISMATCH", "include", -1, msg`length ${a.include.length} != rows ${B}`);
  resolveGroups(a, B);
  if (a.include) for (let i = 0; i < B; i++) if (a.include[i]! > 1) rangeError("MASK_NOT_BINARY", "include", i, msg`must be 0 or 1, got ${a.include[i]}`);
  const groups = placeGroups(e, s, a, B);
  const x = place(e, s, a.x);
  const inc = a.include ? place(e, s, a.include) : 0;
  // Only counted rows are read: the first non-finite one among them (an excluded NaN before it
  // must not hide it).
  for (let i = 0; i < B; i++) if ((!a.include || a.include[i]) && !Number.isFinite(a.x[i]!)) rangeError("NON_FINITE", "x", i, msg`value is ${a.x[i]}`);
  const st = groupMoments({ e, s, rows: { B, T: 0, N: 0, packed: false, hasTokens: false, offsetsPtr: 0, maskPtr: 0, lensPtr: 0, rowLensPtr: 0, emptyRows: -1, prefixPtr: 0 }, groups, sPtr: x }, inc);
  const G = groups.G;
  const get = (p: number) => e.f64(p, G).slice();
  const count = get(st.count), m2 = get(st.m2);
  const varUnbiased = new Float64Array(G), varBiased = new Float64Array(G), allEqual = new Uint8Array(G);
  for (let g = 0; g < G; g++) {
    const n = count[g]!;
    varUnbiased[g] = n >= 2 ? m2[g]! / (n - 1) : 0;
    varBiased[g] = n >= 1 ? m2[g]! / n : 0;
    allEqual[g] = n >= 2 && m2[g] === 0 ? 1 : 0;
  }
  const sum = get(st.sum), mean = get(st.mean), min = get(st.min), max = get(st.max);
  // An empty group (an id below numGroups with no counted row) has no values: its statistics are
  // 0, not the NaN and ±Infinity of an empty reduction; `count` is 0.
  for (let g = 0; g < G; g++) if (count[g] === 0) { sum[g] = 0; mean[g] = 0; m2[g] = 0; min[g] = 0; max[g] = 0; }
  return { count, sum, mean, m2, min, max, varUnbiased, varBiased, allEqual };
}

export function rowScoresRun(e: Engine, s: Scratch, a: RowScoresArgs): Float32Array {
  const o = resolveOptions("rowScores", a as any, ROW_SCORES_INPUTS, ROW_SCORE_OPTIONS);
  const b = bindOutcome(e, s, a, { groups: false });
  computeScores(b, o.rowScore);
  return e.f32(b.ctx.sPtr, b.ctx.rows.B).slice();
}

export function broadcastRowsRun(e: Engine, s: Scratch, a: BroadcastArgs): Float32Array {
  resolveOptions("broadcastRows", a as any, BROADCAST_INPUTS, NO_OPTIONS);
  checkF32("values", a.values);
  const shape = layoutShape(a, a.offsets ? undefined : a.values.length, []);
  if (a.values.length !== shape.B) rangeError("SHAPE_MISMATCH", "values", -1, msg`length ${a.values.length} != rows ${shape.B}`);
  if (!shape.hasTokens) rangeError("SHAPE_MISMATCH", "mask", -1, "broadcastRows needs a token layout (mask, lengths + width, or offsets)");
  checkLayoutStructure(a, shape, e);
  const rows = placeLayout(e, s, a, shape);
  const v = place(e, s, a.values);
  const bad = e.exports.first_nonfinite_f32(v, rows.B); // every row value is read
  if (bad >= 0) rangeError("NON_FINITE", "values", bad, msg`value is ${a.values[bad]}`);
  const out = s.alloc(rows.N * 4);
  broadcast(e, rows, v, out);
  return e.f32(out, rows.N).slice();
}
