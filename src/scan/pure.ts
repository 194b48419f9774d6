// PURE min-form credit assignment (docs/kernels.md#pure): step structure, PRM step rewards, the
// softmin transform, strict min-form returns, leave-one-out baselines, the verifiable reward.
import type { Engine } from "../core/engine.js";
import { rangeError, typeError } from "../core/errors.js";
import { msg, show } from "../core/safe.js";
import { checkF32, checkLayoutStructure, checkU8, groupsArgument, layoutShape, place, placeGroups, placeLayout, type Rows, type Scratch } from "../core/layout.js";
import { checkGroupTypes, checkInt32, resolveGroups } from "../core/groups.js";
import { checkPositive, resolveOptions } from "../core/options.js";
import { GROUP_INPUTS, LAYOUT_INPUTS } from "../core/outcome.js";
import { rlooRows, type Ctx } from "../core/group-stats.js";

export interface Steps { stepOffsets: Int32Array; stepEnds: Int32Array }

/** Builds the CSR step structure from a 0/1 step-end token tensor (padded with width, or packed). */
export function stepsFromMask(a: { stepEndMask: Uint8Array; width?: number; offsets?: Int32Array }): Steps {
  resolveOptions("stepsFromMask", a, ["stepEndMask", "width", "offsets"], [] as never[]);
  checkU8("stepEndMask", a.stepEndMask);
  const shape = layoutShape({ width: a.width, offsets: a.offsets }, undefined, [["stepEndMask", a.stepEndMask]]);
  checkLayoutStructure({ offsets: a.offsets }, shape);
  const starts = (i: number) => (a.offsets ? a.offsets[i]! : i * shape.T);
  const offs = new Int32Array(shape.B + 1), ends: number[] = [];
  for (let i = 0; i < shape.B; i++) {
    const s = starts(i), e = a.offsets ? a.offsets[i + 1]! : s + shape.T;
    for (let t = s; t < e; t++) {
      const v = a.stepEndMask[t]!;
      if (v > 1) rangeError("MASK_NOT_BINARY", "stepEndMask", t, msg`must be 0 or 1, got ${v}`);
      if (v) ends.push(t - s);
    }
    offs[i + 1] = ends.length;
  }
  return { stepOffsets: offs, stepEnds: Int32Array.from(ends) };
}

/** Structure checks of CSR steps against the token layout (BAD_OFFSETS, DOMAIN). */
function checkSteps(e: Engine, rows: Rows, a: { stepOffsets?: Int32Array; stepEnds?: Int32Array; stepValues?: Float32Array }, needEnds: boolean): void {
  checkInt32("stepOffsets", a.stepOffsets);
  const so = a.stepOffsets!;
  if (so.length !== rows.B + 1) rangeError("SHAPE_MISMATCH", "stepOffsets", -1, msg`length ${so.length} != rows + 1 = ${rows.B + 1}`);
  const S = so[rows.B]!;
  if (so[0] !== 0) rangeError("BAD_OFFSETS", "stepOffsets", 0, "stepOffsets[0] must be 0");
  for (let i = 1; i <= rows.B; i++) if (so[i]! < so[i - 1]!) rangeError("BAD_OFFSETS", "stepOffsets", i, "stepOffsets must be non-decreasing");
  if (a.stepValues && a.stepValues.length !== S) rangeError("SHAPE_MISMATCH", "stepValues", -1, msg`length ${a.stepValues.length} != steps ${S}`);
  if (!needEnds) return;
  checkInt32("stepEnds", a.stepEnds);
  const se = a.stepEnds!;
  if (se.length !== S) rangeError("SHAPE_MISMATCH", "stepEnds", -1, msg`length ${se.length} != steps ${S}`);
  const I = e.I32, U = e.U8;
  for (let i = 0; i < rows.B; i++) {
    const start = rows.offsetsPtr ? I[(rows.offsetsPtr >>> 2) + i]! : i * rows.T;
    const len = rows.offsetsPtr ? I[(rows.offsetsPtr >>> 2) + i + 1]! - start : rows.T;
    for (let k = so[i]!; k < so[i + 1]!; k++) {
      const t = se[k]!;
      if (t < 0 || t >= len) rangeError("BAD_OFFSETS", "stepEnds", k, msg`step end ${t} outside row ${i} (length ${len})`);
      if (k > so[i]! && t <= se[k - 1]!) rangeError("BAD_OFFSETS", "stepEnds", k, "step ends must be strictly increasing within a row");
    }
  }
  for (let i = 0; i < rows.B; i++) {
    const start = rows.offsetsPtr ? I[(rows.offsetsPtr >>> 2) + i]! : i * rows.T;
    const L = rows.lensPtr ? I[(rows.lensPtr >>> 2) + i]! : Infinity;
    for (let k = so[i]!; k < so[i + 1]!; k++) {
      const t = se[k]!;
      if (t >= L || (rows.maskPtr && !U[rows.maskPtr + start + t])) rangeError("DOMAIN", "stepEnds", k, msg`step end ${t} of row ${i} is a masked position`);
    }
  }
}

function checkFiniteF32(e: Engine, name: string, ptr: number, n: number, nanOk = false): void {
  const bad = e.exports.first_nonfinite_f32(ptr, n);
  if (bad >= 0 && !nanOk) rangeError("NON_FINITE", name, bad, msg`value is ${e.F32[(ptr >>> 2) + bad]}`);
}

function tokenRows(e: Engine, s: Scratch, a: Record<string, any>, tensors: [string, Float32Array | Uint8Array | undefined][], maskOptional = true): Rows {
  const shape = layoutShape(a, a.offsets ? undefined : a.rowsHint, tensors as any);
  if (!shape.hasTokens) rangeError("SHAPE_MISMATCH", "width", -1, "a token layout is required (width or offsets)");
  checkLayoutStructure(a, shape, e);
  void maskOptional;
  return placeLayout(e, s, a, shape, "mask", true);
}

// ---------------------------------------------------------------------------------------------

export function prmStepRewardRun(e: Engine, s: Scratch, a: Record<string, any>): Float32Array {
  resolveOptions("prmStepReward", a, ["logit0", "logit1"], [] as never[]);
  checkF32("logit0", a.logit0); checkF32("logit1", a.logit1);
  if (a.logit0.length !== a.logit1.length) rangeError("SHAPE_MISMATCH", "logit1", -1, "logit0 and logit1 must have the same length");
  const n = a.logit0.length, p0 = place(e, s, a.logit0), p1 = place(e, s, a.logit1);
  checkFiniteF32(e, "logit0", p0, n); checkFiniteF32(e, "logit1", p1, n);
  const out = s.alloc(n * 4);
  e.exports.prm_step_reward_f32(p0, p1, n, out);
  return e.f32(out, n).slice();
}

/** `outPtr` (a workspace's view, token form only): the weights are written there after every check, and the view's copy is not made (null). */
export function softminRun(e: Engine, s: Scratch, a: Record<string, any>, outPtr = 0): Float32Array | null {
  const o = resolveOptions("softminStepRewards", a, ["stepValues", "stepOffsets", "tokenValues", "stepEndMask", "width", "offsets"], ["temperature", "uniform"] as const, { temperature: 0.1, uniform: false });
  if (typeof o.uniform !== "boolean") typeError("WRONG_TYPE", "uniform", -1, "must be a boolean");
  if (a.tokenValues !== undefined) {
    checkF32("tokenValues", a.tokenValues); checkU8("stepEndMask", a.stepEndMask);
    const shape = layoutShape({ width: a.width, offsets: a.offsets }, undefined, [["tokenValues", a.tokenValues], ["stepEndMask", a.stepEndMask]]);
    checkLayoutStructure({ offsets: a.offsets }, shape, e);
    const m = place(e, s, a.stepEndMask);
    const bad = e.exports.mask_check_u8(m, shape.N);
    if (bad >= 0) rangeError("MASK_NOT_BINARY", "stepEndMask", bad, msg`must be 0 or 1, got ${a.stepEndMask[bad]}`);
    checkPositive("temperature", o.temperature);
    const x = place(e, s, a.tokenValues);
    const hit = e.exports.first_nonfinite_valid_f32(x, m, 0, a.offsets ? place(e, s, a.offsets) : 0, shape.B, shape.T);
    if (hit >= 0) rangeError("NON_FINITE", "tokenValues", hit, "step value is not finite");
    const out = outPtr || s.alloc(shape.N * 4);
    e.exports.softmin_tokens_f32(x, m, a.offsets ? place(e, s, a.offsets) : 0, shape.B, shape.T, o.temperature, o.uniform ? 1 : 0, out);
    return outPtr ? null : e.f32(out, shape.N).slice();
  }
  checkF32("stepValues", a.stepValues); checkInt32("stepOffsets", a.stepOffsets);
  const so = a.stepOffsets as Int32Array, B = so.length - 1;
  if (B < 0 || so[0] !== 0) rangeError("BAD_OFFSETS", "stepOffsets", 0, "stepOffsets[0] must be 0");
  for (let i = 1; i <= B; i++) if (so[i]! < so[i - 1]!) rangeError("BAD_OFFSETS", "stepOffsets", i, "stepOffsets must be non-decreasing");
  if (so[B] !== a.stepValues.length) rangeError("BAD_OFFSETS", "stepOffsets", B, msg`stepOffsets[B] = ${so[B]} != steps ${a.stepValues.length}`);
  checkPositive("temperature", o.temperature);
  const v = place(e, s, a.stepValues), op = place(e, s, so);
  checkFiniteF32(e, "stepValues", v, a.stepValues.length);
  const out = s.alloc(a.stepValues.length * 4);
  e.exports.softmin_steps_f32(v, op, B, o.temperature, o.uniform ? 1 : 0, out);
  return e.f32(out, a.stepValues.length).slice();
}

export interface MinFormResult { returns: Float32Array; stepReturns?: Float32Array; diagnostics: { positionsAfterLastStep?: number; emptyRows: number } }

/** A checked min-form call: every check is done; `write` runs the kernel into an output region. */
export interface MinFormPlan {
  rows: Rows;
  diagnostics: MinFormResult["diagnostics"];
  /** Writes the token returns at `out` (and the step returns, steps mode, into scratch). */
  write: (out: number) => void;
  /** The step returns after `write` (steps mode), a copy. */
  stepReturns?: () => Float32Array;
}

export function minFormPlan(e: Engine, s: Scratch, a: Record<string, any>): MinFormPlan {
  const o = resolveOptions("minFormReturns", a, ["stepValues", "stepOffsets", "stepEnds", "tokenRewards", "paddedWidth", ...LAYOUT_INPUTS], ["mode"] as const, { mode: "steps" });
  if (o.mode === "verlCompat") {
    checkF32("tokenRewards", a.tokenRewards);
    const rows = tokenRows(e, s, a, [["tokenRewards", a.tokenRewards]]);
    const W = rows.packed ? a.paddedWidth : rows.T;
    if (typeof W !== "number" || !Number.isInteger(W)) typeError("WRONG_TYPE", "paddedWidth", -1, "the packed layout needs paddedWidth (the padded T) in verlCompat mode");
    const r = place(e, s, a.tokenRewards);
    if (rows.lensPtr) rangeError("UNKNOWN_OPTION", "lengths", -1, "verlCompat takes a mask (the minimum runs over every column)");
    return {
      rows, diagnostics: { emptyRows: Math.max(rows.emptyRows, 0) },
      // Validated while computing: the kernel flags a non-finite valid reward as it reads it; the
      // index is found only then. The output is never in place over the input, so a failed call
      // leaves garbage only in the output (the workspace poisons it, the copy API drops it).
      write: (out) => {
        if (e.rows("minform_verlcompat_f32", e.split(rows.B, rows.N), (i0, i1) => [r, rows.maskPtr, rows.prefixPtr, rows.offsetsPtr, i1, rows.T, W, out, i0]).some((bad) => bad !== 0))
          rangeError("NON_FINITE", "tokenRewards", e.exports.first_nonfinite_valid_f32(r, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T), "token reward is not finite");
      },
    };
  }
  if (o.mode !== "steps") rangeError("UNKNOWN_OPTION", "mode", -1, msg`unknown value ${show(o.mode)}; expected "steps" or "verlCompat"`);
  checkF32("stepValues", a.stepValues);
  const rows = tokenRows(e, s, a, []);
  checkSteps(e, rows, a, true);
  const v = place(e, s, a.stepValues), so = place(e, s, a.stepOffsets), se = place(e, s, a.stepEnds);
  checkFiniteF32(e, "stepValues", v, a.stepValues.length);
  const S = a.stepValues.length, sr = s.alloc(Math.max(S, 1) * 4);
  const diagnostics: MinFormResult["diagnostics"] = { positionsAfterLastStep: 0, emptyRows: Math.max(rows.emptyRows, 0) };
  return {
    rows, diagnostics,
    write: (out) => { diagnostics.positionsAfterLastStep = e.exports.minform_steps_f32(v, so, se, rows.maskPtr, rows.offsetsPtr, rows.B, rows.T, out, sr); },
    stepReturns: () => e.f32(sr, S).slice(),
  };
}

export function minFormRun(e: Engine, s: Scratch, a: Record<string, any>): MinFormResult {
  const p = minFormPlan(e, s, a);
  const out = s.alloc(p.rows.N * 4);
  p.write(out);
  const res: MinFormResult = { returns: e.f32(out, p.rows.N).slice(), diagnostics: p.diagnostics };
  if (p.stepReturns) res.stepReturns = p.stepReturns();
  return res;
}

export function pureRlooRun(e: Engine, s: Scratch, a: Record<string, any>): Float32Array {
  const r = pureRlooPlan(e, s, a);
  if (r instanceof Float32Array) return r;
  const out = s.alloc(r.rows.N * 4);
  r.write(out);
  return e.f32(out, r.rows.N).slice();
}

/**
 * pureRlooBaseline's checks and, for the token and step modes, its result. Return mode gives a
 * plan instead: every input checked, `write(out)` computes into any output and can only fail with
 * RESULT_OVERFLOW, which a workspace answers by poisoning its view.
 */
export function pureRlooPlan(e: Engine, s: Scratch, a: Record<string, any>): Float32Array | { rows: Rows; write: (out: number) => void } {
  const o = resolveOptions("pureRlooBaseline", a, ["returns", "stepValues", "stepOffsets", "stepEnds", "paddedWidth", ...LAYOUT_INPUTS, ...GROUP_INPUTS], ["mode", "singleton"] as const, { mode: "token" });
  if (!["token", "step", "return"].includes(o.mode)) rangeError("UNKNOWN_OPTION", "mode", -1, msg`unknown value ${show(o.mode)}; expected "token", "step" or "return"`);
  checkGroupTypes(a);
  if (o.mode === "return") {
    checkF32("returns", a.returns);
    const rows = tokenRows(e, s, { ...a, rowsHint: a.groupIds?.length }, [["returns", a.returns]]);
    resolveGroups(a, rows.B);
    const groups = placeGroups(e, s, a, rows.B);
    const W = rows.packed ? a.paddedWidth : rows.T;
    if (typeof W !== "number" || !Number.isInteger(W) || W < 1) typeError("WRONG_TYPE", "paddedWidth", -1, "the packed layout needs paddedWidth (the padded T) in return mode");
    const x = place(e, s, a.returns);
    const hit = e.exports.first_nonfinite_valid_f32(x, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T);
    if (hit >= 0) rangeError("NON_FINITE", "returns", hit, "return is not finite");
    // Row sums of the valid returns, then b_i = (S_g - R_i) / ((n - 1) W).
    const rs = s.alloc(rows.B * 8), b = s.alloc(rows.B * 8);
    e.exports.row_sum_f64(x, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, rs);
    // Views made after the last allocation: a copy API's memory may grow (and old views detach) in one.
    const F = e.F64, I = e.I32, G = groups.G;
    const Sg = new Float64Array(G), ng = new Float64Array(G);
    for (let i = 0; i < rows.B; i++) { const g = I[(groups.idsPtr >>> 2) + i]!; Sg[g]! += F[(rs >>> 3) + i]!; ng[g]!++; }
    for (let i = 0; i < rows.B; i++) {
      const g = I[(groups.idsPtr >>> 2) + i]!, n = ng[g]!;
      let bi = 0;
      if (n > 1) bi = (Sg[g]! - F[(rs >>> 3) + i]!) / ((n - 1) * W);
      else if (o.singleton === "error") rangeError("GROUP_TOO_SMALL", groupsArgument(groups), i, msg`group ${g} has a single row`);
      e.F64[(b >>> 3) + i] = bi;
    }
    return {
      rows,
      write: (out) => {
        const bad = e.exports.row_shift_f32(x, b, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, out);
        if (bad >= 0) rangeError("RESULT_OVERFLOW", "returns", bad, "the return minus its baseline is outside the float32 range");
        if (o.singleton === "zero") for (let i = 0; i < rows.B; i++) if (ng[I[(groups.idsPtr >>> 2) + i]!] === 1) zeroRow(e, rows, out, i);
      },
    };
  }
  checkF32("stepValues", a.stepValues);
  checkInt32("stepOffsets", a.stepOffsets);
  checkGroupTypes(a);
  const rows = tokenRows(e, s, { ...a, rowsHint: a.groupIds?.length ?? (a.stepOffsets ? a.stepOffsets.length - 1 : undefined) }, []);
  resolveGroups(a, rows.B);
  checkSteps(e, rows, a, true);
  const groups = placeGroups(e, s, a, rows.B);
  const v = place(e, s, a.stepValues), so = place(e, s, a.stepOffsets), se = place(e, s, a.stepEnds);
  checkFiniteF32(e, "stepValues", v, a.stepValues.length);
  const so32 = a.stepOffsets as Int32Array, G = groups.G, I = e.I32;
  const sizes = new Int32Array(G);
  for (let i = 0; i < rows.B; i++) sizes[I[(groups.idsPtr >>> 2) + i]!]!++;
  for (let i = 0; i < rows.B; i++) {
    const g = I[(groups.idsPtr >>> 2) + i]!;
    if (sizes[g] === 1 && o.singleton === "error") rangeError("GROUP_TOO_SMALL", groupsArgument(groups), i, msg`group ${g} has a single row`);
    if (o.mode === "step" && sizes[g]! > 1 && so32[i + 1] === so32[i]) rangeError("DOMAIN", "stepOffsets", i, msg`row ${i} has no steps (step mode needs K >= 1 in every row of a group)`);
  }
  const scratch = s.alloc((4 * G + rows.B) * 8), out = s.alloc(Math.max(a.stepValues.length, 1) * 4);
  e.exports.pure_rloo_steps_f32(v, so, se, rows.rowLensPtr, groups.idsPtr, rows.B, G, o.mode === "token" ? 0 : 1, o.singleton === "zero" ? 1 : 0, scratch, out);
  return e.f32(out, a.stepValues.length).slice();
}

function zeroRow(e: Engine, rows: Rows, out: number, i: number): void {
  const I = e.I32;
  const s0 = rows.offsetsPtr ? I[(rows.offsetsPtr >>> 2) + i]! : i * rows.T;
  const e0 = rows.offsetsPtr ? I[(rows.offsetsPtr >>> 2) + i + 1]! : s0 + rows.T;
  e.F32.fill(0, (out >>> 2) + s0, (out >>> 2) + e0);
}

/** PURE's verifiable reward: coef * (v_i - mean_{j≠i} v_j) with v = solved - 1 (an RLOO of v). */
export function pureVerifiableRun(e: Engine, s: Scratch, a: Record<string, any>): Float32Array {
  const o = resolveOptions("pureVerifiableReward", a, ["solved", ...GROUP_INPUTS], ["coef", "singleton"] as const, { coef: 1 });
  checkU8("solved", a.solved);
  checkGroupTypes(a);
  const B = a.solved.length;
  resolveGroups(a, B);
  for (let i = 0; i < B; i++) if (a.solved[i] > 1) rangeError("MASK_NOT_BINARY", "solved", i, msg`must be 0 or 1, got ${a.solved[i]}`);
  if (typeof o.coef !== "number" || !Number.isFinite(o.coef)) rangeError("NON_FINITE", "coef", -1, "must be finite");
  const v = s.alloc(B * 4);
  { const F = e.F32; for (let i = 0; i < B; i++) F[(v >>> 2) + i] = a.solved[i] - 1; }
  const groups = placeGroups(e, s, a, B);
  const ctx: Ctx = { e, s, rows: { B, T: 0, N: 0, packed: false, hasTokens: false, offsetsPtr: 0, maskPtr: 0, lensPtr: 0, rowLensPtr: 0, emptyRows: -1, prefixPtr: 0 }, groups, sPtr: v };
  const r = rlooRows(ctx, { singleton: o.singleton, include: 0 });
  const out = e.f32(r.row, B).slice();
  for (let i = 0; i < B; i++) out[i] = Math.fround(o.coef * out[i]!) + 0;
  return out;
}

/** Sets the values at every step end (EOS included) to 0 (PURE pipeline step 7). Not in place. */
export function zeroStepEndsRun(e: Engine, s: Scratch, a: Record<string, any>): Float32Array {
  resolveOptions("zeroStepEnds", a, ["values", "stepOffsets", "stepEnds", ...LAYOUT_INPUTS], [] as never[]);
  checkF32("values", a.values);
  checkInt32("stepOffsets", a.stepOffsets);
  checkInt32("stepEnds", a.stepEnds);
  const rows = tokenRows(e, s, { ...a, rowsHint: a.stepOffsets ? a.stepOffsets.length - 1 : undefined }, [["values", a.values]]);
  checkSteps(e, rows, a, true);
  const out = (a.values as Float32Array).slice();
  const I = e.I32, so = a.stepOffsets as Int32Array, se = a.stepEnds as Int32Array;
  for (let i = 0; i < rows.B; i++) {
    const start = rows.offsetsPtr ? I[(rows.offsetsPtr >>> 2) + i]! : i * rows.T;
    for (let k = so[i]!; k < so[i + 1]!; k++) out[start + se[k]!] = 0;
  }
  return out;
}
