// placeScores (docs/kernels.md#placescores): the score on the last valid token (every preset) or at explicit
// row-local positions; an empty row is EMPTY_ROW or skipped, never written to a padding column.
import type { Engine } from "../core/engine.js";
import { rangeError } from "../core/errors.js";
import { msg, show } from "../core/safe.js";
import { checkF32, checkLayoutStructure, layoutShape, place, placeLayout, type Scratch } from "../core/layout.js";
import { checkInt32 } from "../core/groups.js";
import { resolveOptions } from "../core/options.js";
import { LAYOUT_INPUTS } from "../core/outcome.js";
import type { Common, Layout } from "../core/arg-types.js";

/** `placeScores`: one score per row onto a token position. */
export interface PlaceScoresArgs extends Layout, Common {
  /** One score per row, Float32Array[B]. */
  scores: Float32Array;
  /** `"explicit"`: the position of each row's score (token index within the row), Int32Array[B]. */
  positions?: Int32Array;
  /** `"lastValid"` (every preset) or `"explicit"` (`positions`). */
  scorePlacement?: "lastValid" | "explicit";
  /** A row with no valid token: `"error"` (`EMPTY_ROW`, default) or `"skip"`. */
  emptyRow?: "error" | "skip";
}

/** Validates everything, then `write(out)` fills N f32 at `out` (nothing is written before). */
export function placeScoresPlan(e: Engine, s: Scratch, a: PlaceScoresArgs): { N: number; diagnostics: { skippedRows: number }; write: (out: number) => void } {
  const o = resolveOptions("placeScores", a as any, ["scores", "positions", ...LAYOUT_INPUTS], ["scorePlacement", "emptyRow"] as const, { scorePlacement: "lastValid", emptyRow: "error" });
  if (o.scorePlacement !== "lastValid" && o.scorePlacement !== "explicit") rangeError("UNKNOWN_OPTION", "scorePlacement", -1, msg`unknown value ${show(o.scorePlacement)}`);
  checkF32("scores", a.scores);
  const explicit = o.scorePlacement === "explicit";
  if (explicit) checkInt32("positions", a.positions);
  const shape = layoutShape(a, a.offsets ? undefined : a.scores.length, []);
  if (a.scores.length !== shape.B) rangeError("SHAPE_MISMATCH", "scores", -1, msg`length ${a.scores.length} != rows ${shape.B}`);
  if (!shape.hasTokens) rangeError("SHAPE_MISMATCH", "mask", -1, "placeScores needs a token layout (mask, lengths + width, or offsets)");
  if (explicit && a.positions!.length !== shape.B) rangeError("SHAPE_MISMATCH", "positions", -1, msg`length ${a.positions!.length} != rows ${shape.B}`);
  checkLayoutStructure(a, shape, e);
  const rowLen = (i: number) => (a.offsets ? a.offsets[i + 1]! - a.offsets[i]! : shape.T);
  if (explicit) for (let i = 0; i < shape.B; i++) { const p = a.positions![i]!; if (p < 0 || p >= rowLen(i)) rangeError("BAD_OFFSETS", "positions", i, msg`position ${p} outside row ${i} (length ${rowLen(i)})`); }
  const rows = placeLayout(e, s, a, shape, "mask", true);
  const L = e.I32, lb = rows.rowLensPtr >>> 2;
  if (explicit) for (let i = 0; i < shape.B; i++) {
    const p = a.positions![i]!, start = a.offsets ? a.offsets[i]! : i * shape.T;
    const valid = rows.lensPtr ? p < L[lb + i]! : rows.maskPtr ? e.U8[rows.maskPtr + start + p] === 1 : true;
    if (!valid) rangeError("DOMAIN", "positions", i, msg`position ${p} of row ${i} is a masked position`);
  }
  let skipped = 0;
  for (let i = 0; i < shape.B; i++) if (L[lb + i] === 0) {
    if (o.emptyRow === "error") rangeError("EMPTY_ROW", "mask", i, msg`row ${i} has no valid token to receive its score`);
    skipped++;
  }
  const sp = place(e, s, a.scores);
  const bad = e.exports.first_nonfinite_f32(sp, shape.B);
  if (bad >= 0) rangeError("NON_FINITE", "scores", bad, msg`score is ${a.scores[bad]}`);
  const pos = explicit ? place(e, s, a.positions!) : 0;
  return {
    N: rows.N, diagnostics: { skippedRows: skipped },
    write: (out) => e.exports.place_scores_f32(sp, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.prefixPtr, rows.B, rows.T, pos, out),
  };
}

/** The copy API: a new Float32Array with the placed scores. */
export function placeScoresRun(e: Engine, s: Scratch, a: PlaceScoresArgs): { tokenScores: Float32Array; diagnostics: { skippedRows: number } } {
  const plan = placeScoresPlan(e, s, a);
  const out = s.alloc(Math.max(plan.N, 1) * 4);
  plan.write(out);
  return { tokenScores: e.f32(out, plan.N).slice(), diagnostics: plan.diagnostics };
}
