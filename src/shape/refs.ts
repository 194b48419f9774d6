// Reference rewards per row in CSR form (docs/shapers.md#reference-rewards): {values, offsets}
// with offsets Int32Array[B+1], or {values, perRow: M} for M references on every row.
import type { Engine } from "../core/engine.js";
import { rangeError, typeError } from "../core/errors.js";
import { checkInt32 } from "../core/groups.js";
import { checkF32, place, type Scratch } from "../core/layout.js";
import { msg, ownRecord, show } from "../core/safe.js";

/** Reference rewards of each row: row i's are `values[offsets[i]:offsets[i+1]]`, or `perRow` per row. */
export type Refs = RefsCsr | RefsUniform;
/** References in CSR form. */
export interface RefsCsr {
  /** Every row's references, concatenated. */
  values: Float32Array;
  /** Int32Array[B+1]: row i's references are values[offsets[i]:offsets[i+1]]. */
  offsets: Int32Array;
}
/** The same number of references on every row. */
export interface RefsUniform {
  /** Row-major [B][perRow]. */
  values: Float32Array;
  /** References per row. */
  perRow: number;
}

/** Refs checked and placed in engine memory: values and i32 offsets [B+1]. */
export interface PlacedRefs { values: number; offsets: number; count: number }

/**
 * Checks the shape (SHAPE_MISMATCH, BAD_OFFSETS with the index), the values (NON_FINITE at the flat
 * index into `values`) and places both. `name` is the argument's name in errors.
 */
export function placeRefs(e: Engine, s: Scratch, refs: unknown, B: number, name = "refs"): PlacedRefs {
  const o = ownRecord(refs, name, ["values", "offsets", "perRow"], ["values"]);
  checkF32(`${name}.values`, o.values);
  const values = o.values as Float32Array;
  let offs!: Int32Array;
  if (o.offsets !== undefined) {
    if (o.perRow !== undefined) rangeError("UNKNOWN_OPTION", `${name}.perRow`, -1, "give offsets or perRow, not both");
    checkInt32(`${name}.offsets`, o.offsets);
    offs = o.offsets as Int32Array;
    if (offs.length !== B + 1) rangeError("SHAPE_MISMATCH", `${name}.offsets`, -1, msg`length ${offs.length} != rows + 1 = ${B + 1}`);
    if (offs[0] !== 0) rangeError("BAD_OFFSETS", `${name}.offsets`, 0, msg`must start at 0, got ${offs[0]}`);
    for (let i = 1; i <= B; i++) if (offs[i]! < offs[i - 1]!) rangeError("BAD_OFFSETS", `${name}.offsets`, i, msg`decreases (${offs[i - 1]} then ${offs[i]})`);
    if (offs[B] !== values.length) rangeError("BAD_OFFSETS", `${name}.offsets`, B, msg`last offset ${offs[B]} != values length ${values.length}`);
  } else {
    const M = o.perRow;
    if (typeof M !== "number" || !Number.isInteger(M) || M < 0) typeError("WRONG_TYPE", `${name}.perRow`, -1, msg`must be a non-negative integer, got ${show(M)}`);
    if ((M as number) * B !== values.length) rangeError("SHAPE_MISMATCH", `${name}.values`, -1, msg`length ${values.length} != rows x perRow = ${B * (M as number)}`);
    // Uniform offsets written straight into engine memory (a JS array of B + 1 would cost more
    // than the kernel on a large batch).
    const op = s.alloc((B + 1) * 4), I = e.I32, base = op >>> 2;
    for (let i = 0; i <= B; i++) I[base + i] = i * (M as number);
    const vp = place(e, s, values);
    const bad = e.exports.first_nonfinite_f32(vp, values.length);
    if (bad >= 0) rangeError("NON_FINITE", `${name}.values`, bad, msg`value is ${values[bad]}`);
    return { values: vp, offsets: op, count: values.length };
  }
  const vp = place(e, s, values);
  const bad = e.exports.first_nonfinite_f32(vp, values.length);
  if (bad >= 0) rangeError("NON_FINITE", `${name}.values`, bad, msg`value is ${values[bad]}`);
  return { values: vp, offsets: place(e, s, offs), count: values.length };
}

/** DOMAIN at the first row with no reference (a relative step there has nothing to compare with). */
export function requireRefs(e: Engine, r: PlacedRefs, B: number, name = "refs"): void {
  const i = e.exports.refs_first_empty_i32(r.offsets, B);
  if (i >= 0) rangeError("DOMAIN", name, i, msg`row ${i} has no reference reward; a relative step needs at least one`);
}
