// Loss aggregation with verl's newest semantics (docs/kernels.md#aggloss): token-mean, token-sum,
// seq-mean-token-sum, seq-mean-token-sum-norm, seq-mean-token-mean. Row sums run in wasm (f64,
// the row-sum lane order of every kernel); the few per-row divisions are f64 here.
import type { Engine } from "../core/engine.js";
import { rangeError } from "../core/errors.js";
import { msg, show } from "../core/safe.js";
import { checkF32, checkLayoutStructure, checkTokens, layoutShape, place, placeLayout, type Scratch } from "../core/layout.js";
import { checkFiniteParam, resolveOptions } from "../core/options.js";
import { LAYOUT_INPUTS } from "../core/outcome.js";
import type { Common, Layout } from "../core/arg-types.js";

const MODES = ["token-mean", "token-sum", "seq-mean-token-sum", "seq-mean-token-sum-norm", "seq-mean-token-mean"] as const;
/** verl `agg_loss` modes. */
export type LossAggMode = (typeof MODES)[number];

/** `aggLoss`: verl's `agg_loss` (newest semantics) over a per-token loss. */
export interface AggLossArgs extends Layout, Common {
  /** The per-token loss (token tensor). */
  loss: Float32Array;
  /** Default `"token-mean"`. */
  lossAggMode?: LossAggMode;
  /** Data-parallel world size (default 1): the global means multiply back by it, as verl does. */
  dpSize?: number;
  /** Global number of valid tokens (token-mean across ranks; default: this batch's). */
  batchNumTokens?: number | null;
  /** Global number of sequences (seq-mean modes across ranks; default: this batch's). */
  globalBatchSize?: number | null;
  /** The constant divisor of `seq-mean-token-sum-norm` (default: the padded width). */
  lossScaleFactor?: number | null;
}

export function aggLossRun(e: Engine, s: Scratch, a: AggLossArgs): number {
  const o = resolveOptions("aggLoss", a as any, ["loss", ...LAYOUT_INPUTS], ["lossAggMode", "dpSize", "batchNumTokens", "globalBatchSize", "lossScaleFactor"] as const,
    { lossAggMode: "token-mean", dpSize: 1, batchNumTokens: null, globalBatchSize: null, lossScaleFactor: null });
  if (!MODES.includes(o.lossAggMode)) rangeError("UNKNOWN_OPTION", "lossAggMode", -1, msg`unknown value ${show(o.lossAggMode)}; expected ${MODES.join(", ")}`);
  checkF32("loss", a.loss);
  const shape = layoutShape(a, undefined, [["loss", a.loss]]);
  if (!shape.hasTokens) rangeError("SHAPE_MISMATCH", "width", -1, "aggLoss needs a token layout (width, lengths + width, or offsets)");
  checkLayoutStructure(a, shape, e);
  const rows = placeLayout(e, s, a, shape, "mask", true);
  if (!Number.isInteger(o.dpSize) || o.dpSize < 1) rangeError("PARAM_OUT_OF_RANGE", "dpSize", -1, msg`must be an integer >= 1, got ${o.dpSize}`);
  for (const k of ["batchNumTokens", "globalBatchSize", "lossScaleFactor"] as const) if (o[k] !== null) {
    checkFiniteParam(k, o[k]);
    if (!(o[k] > 0)) rangeError("PARAM_OUT_OF_RANGE", k, -1, msg`must be > 0, got ${o[k]}`);
  }
  const mode = o.lossAggMode as LossAggMode;
  if (o.dpSize > 1 && mode === "token-mean" && o.batchNumTokens === null) rangeError("PARAM_OUT_OF_RANGE", "batchNumTokens", -1, "dpSize > 1 needs batchNumTokens (the global token count)");
  if (o.dpSize > 1 && mode.startsWith("seq-") && o.globalBatchSize === null) rangeError("PARAM_OUT_OF_RANGE", "globalBatchSize", -1, "dpSize > 1 needs globalBatchSize");
  if (mode === "seq-mean-token-sum-norm" && rows.packed && o.lossScaleFactor === null) rangeError("PARAM_OUT_OF_RANGE", "lossScaleFactor", -1, "the packed layout has no padded width: give lossScaleFactor");
  const x = place(e, s, a.loss);
  checkTokens(e, s, rows, ["loss", x]);
  const rs = s.alloc(Math.max(rows.B, 1) * 8);
  e.exports.row_sum_f64(x, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, rs);
  const F = e.F64, L = e.I32;
  let total = 0, tokens = 0, seqSum = 0, seqMean = 0, nonEmpty = 0;
  for (let i = 0; i < rows.B; i++) {
    const S = F[(rs >>> 3) + i]!, n = L[(rows.rowLensPtr >>> 2) + i]!;
    total += S; tokens += n;
    if (n > 0) { nonEmpty++; seqSum += S; seqMean += S / n; }
  }
  const div = (num: number, den: number) => (den === 0 ? 0 : num / den); // nothing to aggregate: 0
  let v: number;
  if (mode === "token-mean") v = div(total, o.batchNumTokens ?? tokens) * o.dpSize;
  else if (mode === "token-sum") v = total * o.dpSize;
  else if (mode === "seq-mean-token-mean") v = div(seqMean, o.globalBatchSize ?? nonEmpty) * o.dpSize;
  else {
    v = div(seqSum, o.globalBatchSize ?? nonEmpty) * o.dpSize;
    if (mode === "seq-mean-token-sum-norm") v /= o.lossScaleFactor ?? rows.T;
  }
  return v;
}
