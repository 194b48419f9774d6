// KL estimators, KL in the reward and the KL controller (docs/kernels.md#klpenalty to #klcontroller).
import type { Engine } from "../core/engine.js";
import { rangeError, typeError } from "../core/errors.js";
import { checkEnum, msg, ownOptions, show } from "../core/safe.js";
import { checkF32, checkLayoutStructure, checkTokens, firstNonFiniteValid, layoutShape, place, placeLayout, type Scratch } from "../core/layout.js";
import { checkFiniteParam, resolveOptions } from "../core/options.js";
import { LAYOUT_INPUTS, type TokenRan } from "../core/outcome.js";

const ESTIMATORS: Record<string, number> = { k1: 0, kl: 0, abs: 1, k2: 2, mse: 2, k3: 3, low_var_kl: 3 };
const CLAMPS = { verl: 0, all10: 1, none: 2 } as const;
export type KlEstimator = "k1" | "kl" | "abs" | "k2" | "mse" | "k3" | "low_var_kl" | `${"k1" | "kl" | "abs" | "k2" | "mse" | "k3" | "low_var_kl"}+`;

/** Estimator code and gradient metadata; a trailing "+" keeps the value (docs/kernels.md#klpenalty). */
/** A KL estimator name, parsed. */
export interface ParsedEstimator {
  /** The kernel's estimator code. */
  code: number;
  /** `"value"`, or `"k2-straight-through"` for a `+` name. */
  gradient: "value" | "k2-straight-through";
}
/** The kernel code of a KL estimator name and the gradient its `+` form asks for; `UNKNOWN_OPTION` otherwise. */
export function parseEstimator(name: unknown): ParsedEstimator {
  if (typeof name !== "string") typeError("WRONG_TYPE", "klEstimator", -1, "must be a string");
  const plus = (name as string).endsWith("+");
  const base = plus ? (name as string).slice(0, -1) : (name as string);
  const code = Object.hasOwn(ESTIMATORS, base) ? ESTIMATORS[base] : undefined;
  if (code === undefined) rangeError("UNKNOWN_OPTION", "klEstimator", -1, msg`unknown KL estimator ${show(name)}; expected k1, kl, abs, k2, mse, k3 or low_var_kl, optionally with "+"`);
  return { code: code!, gradient: plus && code !== 2 ? "k2-straight-through" : "value" };
}

function checkKlClamp(v: unknown): number {
  const c = typeof v === "string" && Object.hasOwn(CLAMPS, v) ? CLAMPS[v as keyof typeof CLAMPS] : undefined;
  if (c === undefined) rangeError("UNKNOWN_OPTION", "klClamp", -1, msg`unknown value ${show(v)}; expected "verl", "all10" or "none"`);
  return c!;
}

/** Token layout for element-wise kernels: the mask is optional (absent = every position valid). */
function bindElementwise(e: Engine, s: Scratch, a: Record<string, any>, tensors: [string, Float32Array | undefined][], rowsHint?: number) {
  for (const [name, v] of tensors) checkF32(name, v);
  const flat = a.mask === undefined && a.lengths === undefined && a.offsets === undefined && a.width === undefined;
  const lay = flat ? { ...a, width: tensors[0]![1]!.length } : a; // one row: every position valid
  const shape = layoutShape(lay, flat ? 1 : rowsHint, tensors);
  checkLayoutStructure(lay, shape, e);
  const rows = placeLayout(e, s, lay, shape);
  return { rows, ptrs: tensors.map(([, v]) => place(e, s, v!)) };
}

export const KL_PENALTY_INPUTS = ["logp", "refLogp", ...LAYOUT_INPUTS] as const;
export const KL_PENALTY_OPTIONS = ["klEstimator", "klClamp"] as const;


/** |kl| bound from the checked inputs (maxX = max|logp| + max|refLogp|); Infinity when unbounded. */
function klBound(est: number, clamp: number, maxX: number): number {
  if (est === 3) return clamp === 2 ? Infinity : 10;
  if (clamp === 1) return Math.min(10, maxX);
  return est === 2 ? 0.5 * maxX * maxX : maxX;
}

export function runKlPenalty(e: Engine, s: Scratch, a: Record<string, any>): TokenRan<{ gradient: string }> {
  const o = resolveOptions("klPenalty", a, KL_PENALTY_INPUTS, KL_PENALTY_OPTIONS);
  const est = parseEstimator(o.klEstimator), clamp = checkKlClamp(o.klClamp);
  const { rows, ptrs: [lp, rp] } = bindElementwise(e, s, a, [["logp", a.logp], ["refLogp", a.refLogp]]);
  const [maxLp, maxRp] = checkTokens(e, s, rows, ["logp", lp!], ["refLogp", rp!]) as [number, number];
  const run = (out: number) => e.rows("kl_penalty_f32", e.split(rows.B, rows.N), (i0, i1) => [lp!, rp!, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.prefixPtr, i1, rows.T, est.code, clamp, out, i0]);
  // Bounded (every preset's clamps, sane log-probs): the pass writes the output directly. Only
  // TRL's unclamped k3 (or absurd log-probs) can leave the f32 range: scratch first, then the index.
  let tmp = 0;
  if (!(klBound(est.code, clamp, maxLp + maxRp) < 1e38)) {
    run((tmp = s.alloc(rows.N * 4)));
    const bad = firstNonFiniteValid(e, rows, tmp);
    if (bad >= 0) rangeError("RESULT_OVERFLOW", "logp", bad, "the unclamped k3 value is outside the float32 range");
  }
  return { rows, diagnostics: { gradient: est.gradient }, distinctReturns: false, write: (out) => (tmp ? e.U8.copyWithin(out.advantages, tmp, tmp + rows.N * 4) : run(out.advantages)) };
}

// ---------------------------------------------------------------------------------------------

export const KL_REWARD_INPUTS = ["tokenScores", "logp", "refLogp", "rewards", "kl", ...LAYOUT_INPUTS] as const;
export const KL_REWARD_OPTIONS = ["mode", "klEstimator", "klClamp", "klCoef", "klCoefNegative", "rewardClip", "emptyRow"] as const;
/** `klInReward`'s diagnostics. */
export interface KlRewardDiagnostics { mode: "verl" | "openrlhf"; currentKl?: number; skippedRows?: number; gradient?: string; beta: number }

/**
 * KL in the reward. In verl mode, `write(out)` writes the token rewards to out.advantages and, when
 * out.returns != 0, the per-token KL there; diagnostics.currentKl is set by then.
 */
/** `inPlace`: the scores are read from the output view (the workspace without a tokenScores view). */
export function runKlInReward(e: Engine, s: Scratch, a: Record<string, any>, inPlace = false): TokenRan<KlRewardDiagnostics> {
  const preset = a.preset ?? "verl";
  const o = resolveOptions("klInReward", a, KL_REWARD_INPUTS, KL_REWARD_OPTIONS, { mode: preset === "openrlhf" ? "openrlhf" : "verl", emptyRow: "error" });
  if (o.mode !== "verl" && o.mode !== "openrlhf") rangeError("UNKNOWN_OPTION", "mode", -1, msg`unknown value ${show(o.mode)}; expected "verl" or "openrlhf"`);
  if (o.emptyRow !== "error" && o.emptyRow !== "skip") rangeError("UNKNOWN_OPTION", "emptyRow", -1, msg`unknown value ${show(o.emptyRow)}`);
  if (o.mode === "verl") {
    const est = parseEstimator(o.klEstimator), clamp = checkKlClamp(o.klClamp);
    const { rows, ptrs: [sc, lp, rp] } = bindElementwise(e, s, a, [["tokenScores", a.tokenScores], ["logp", a.logp], ["refLogp", a.refLogp]]);
    checkFiniteParam("klCoef", o.klCoef);
    const rm = s.alloc(Math.max(rows.B, 1) * 8);
    // Each chunk flags into its own pair; the pairs are OR-ed (docs/threads.md).
    const bounds = e.split(rows.B, rows.N), flagPairs = bounds.slice(1).map(() => s.alloc(8));
    const check = () => checkTokens(e, s, rows, ["tokenScores", sc!], ["logp", lp!], ["refLogp", rp!]) as [number, number, number];
    const run = (rw: number, kl: number, flagged: boolean) => e.rows("kl_in_reward_verl_f32", bounds, (i0, i1, _k, j) =>
      [sc!, lp!, rp!, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.prefixPtr, i1, rows.T, est.code, clamp, o.klCoef, rw, kl, rm, flagged ? flagPairs[j]! : 0, i0]);
    const flag = (j: number) => flagPairs.some((f) => e.I32[(f >>> 2) + j] !== 0);
    const diagnostics: KlRewardDiagnostics = { mode: "verl", currentKl: 0, gradient: est.gradient, beta: o.klCoef };
    const currentKl = () => { let sum = 0; const F = e.F64; for (let i = 0; i < rows.B; i++) sum += F[(rm >>> 3) + i]!; return rows.B ? sum / rows.B : 0; };
    if (!inPlace) {
      // Validated while computing: the kernel flags non-finite inputs and outputs as it passes;
      // only then are the inputs checked (NON_FINITE names the first, in argument order) or the
      // outputs searched (RESULT_OVERFLOW). The outputs are not the inputs here, so a failed call
      // leaves garbage only where the caller discards it (copy API) or poisons it (workspace).
      return {
        rows, distinctReturns: false, diagnostics,
        write: (out) => {
          run(out.advantages, out.returns, true);
          // An input NaN or infinity can make an output non-finite too: inputs are checked first.
          if (flag(0) || flag(1)) check();
          if (flag(1)) rangeError("RESULT_OVERFLOW", "logp", firstNonFiniteValid(e, rows, ...(out.returns ? [out.returns, out.advantages] : [out.advantages])), "the KL or the token reward is outside the float32 range");
          diagnostics.currentKl = currentKl();
        },
      };
    }
    // In place (the scores are read from the output): every check before the first write.
    const [maxS, maxLp, maxRp] = check();
    const maxX = maxLp + maxRp;
    // |kl| bound from the checked inputs: when neither it nor any reward can leave the float32
    // range, the pass writes the caller's outputs directly. Otherwise (huge inputs, TRL's
    // unclamped k3): scratch first, and the outputs are checked before anything is copied out.
    const bound = klBound(est.code, clamp, maxX);
    const safe = bound < 1e38 && maxS + Math.abs(o.klCoef) * bound < 1e38;
    let pre: { rw: number; kl: number } | null = null;
    if (!safe) {
      pre = { rw: s.alloc(rows.N * 4), kl: s.alloc(rows.N * 4) };
      run(pre.rw, pre.kl, false);
      const bad = firstNonFiniteValid(e, rows, pre.kl, pre.rw);
      if (bad >= 0) rangeError("RESULT_OVERFLOW", "logp", bad, "the KL or the token reward is outside the float32 range");
    }
    if (pre) diagnostics.currentKl = currentKl();
    return {
      rows, distinctReturns: false, diagnostics,
      // out.returns carries the optional KL output pointer (0 = not wanted).
      write: (out) => {
        if (pre) { e.U8.copyWithin(out.advantages, pre.rw, pre.rw + rows.N * 4); if (out.returns) e.U8.copyWithin(out.returns, pre.kl, pre.kl + rows.N * 4); }
        else { run(out.advantages, out.returns, false); diagnostics.currentKl = currentKl(); }
      },
    };
  }
  checkF32("rewards", a.rewards);
  if (a.kl !== undefined) checkF32("kl", a.kl);
  const B = (a.rewards as Float32Array).length;
  const tensors: [string, Float32Array | undefined][] = [["kl", a.kl]];
  const shape = layoutShape(a, a.offsets ? undefined : B, tensors);
  if (B !== shape.B) rangeError("SHAPE_MISMATCH", "rewards", -1, msg`length ${B} != rows ${shape.B}`);
  if (!shape.hasTokens) rangeError("SHAPE_MISMATCH", "mask", -1, "klInReward needs a token layout");
  checkLayoutStructure(a, shape, e);
  const rows = placeLayout(e, s, a, shape, "mask", true);
  const klp = a.kl ? place(e, s, a.kl) : 0;
  const rp = place(e, s, a.rewards);
  checkFiniteParam("klCoef", o.klCoef);
  if (o.rewardClip && !(o.rewardClip[1] > o.rewardClip[0])) rangeError("PARAM_OUT_OF_RANGE", "rewardClip", -1, msg`hi must be > lo, got [${o.rewardClip}]`);
  let bad = e.exports.first_nonfinite_f32(rp, B);
  if (bad >= 0) rangeError("NON_FINITE", "rewards", bad, msg`reward is ${e.F32[(rp >>> 2) + bad]}`);
  if (klp) checkTokens(e, s, rows, ["kl", klp]);
  const L = e.I32, lb = rows.rowLensPtr >>> 2;
  let skipped = 0;
  for (let i = 0; i < B; i++) if (L[lb + i] === 0) {
    if (o.emptyRow === "error") rangeError("EMPTY_ROW", "mask", i, msg`row ${i} has no valid token to receive its reward (emptyRow: "error")`);
    skipped++;
  }
  const clipped = s.alloc(B * 4);
  { const F = e.F32; for (let i = 0; i < B; i++) { let v = F[(rp >>> 2) + i]!; if (o.rewardClip) v = Math.min(Math.max(v, o.rewardClip[0]), o.rewardClip[1]); F[(clipped >>> 2) + i] = v; } }
  const beta = o.klCoefNegative === "zero" ? Math.max(o.klCoef, 0) : o.klCoef;
  const out = s.alloc(rows.N * 4);
  bad = e.exports.kl_reward_orl_f32(klp, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, clipped, beta, out);
  if (bad >= 0) rangeError("RESULT_OVERFLOW", "kl", bad, "the token reward is outside the float32 range");
  return {
    rows, distinctReturns: false, diagnostics: { mode: "openrlhf", skippedRows: skipped, beta },
    write: (o2) => e.U8.copyWithin(o2.advantages, out, out + rows.N * 4),
  };
}

// ---------------------------------------------------------------------------------------------

/** The KL controller (docs/kernels.md#klcontroller): a small serializable state object; `update` mutates it. */
/** The serializable state of a {@link KlController}. */
export interface KlControllerState {
  /** `"fixed"` or `"adaptive"`. */
  type: "fixed" | "adaptive";
  /** The coefficient. */
  value: number;
  /** The target KL. */
  target: number;
  /** The horizon in steps. */
  horizon: number;
}

/**
 * The KL coefficient controller, a small serializable state `{ type, value, target, horizon }`:
 * `"fixed"` never changes; `"adaptive"` is verl's `AdaptiveKLController`. Unknown keys are
 * `UNKNOWN_OPTION`; errors name the keys.
 */
export class KlController {
  /** `"fixed"` (default) or `"adaptive"`. */
  type: "fixed" | "adaptive";
  /** The current coefficient. */
  value: number;
  /** Adaptive: the target KL (default 0.1); > 0. */
  target: number;
  /** Adaptive: the horizon in steps (default 10000); > 0. */
  horizon: number;
  /** Builds the controller from `{ type?, value, target?, horizon? }`. */
  constructor(options: { type?: "fixed" | "adaptive"; value: number; target?: number; horizon?: number }) {
    const opts = ownOptions(options, "options", ["type", "value", "target", "horizon"]) as { type?: "fixed" | "adaptive"; value: number; target?: number; horizon?: number };
    const type = checkEnum<"fixed" | "adaptive">("type", opts.type ?? "fixed", ["fixed", "adaptive"]);
    if (opts.value === undefined) typeError("WRONG_TYPE", "value", -1, "the initial coefficient `value` is required");
    checkFiniteParam("value", opts.value);
    const target = opts.target ?? 0.1, horizon = opts.horizon ?? 10000;
    if (type === "adaptive") {
      checkFiniteParam("target", target);
      checkFiniteParam("horizon", horizon);
      if (!(target > 0)) rangeError("PARAM_OUT_OF_RANGE", "target", -1, msg`must be > 0, got ${target}`);
      if (!(horizon > 0)) rangeError("PARAM_OUT_OF_RANGE", "horizon", -1, msg`must be > 0, got ${horizon}`);
    }
    this.type = type; this.value = opts.value; this.target = target; this.horizon = horizon;
  }

  /** fixed: unchanged. adaptive: value *= 1 + clamp(current/target - 1, -0.2, 0.2) * nSteps/horizon. */
  update(current: number, nSteps: number): number {
    checkFiniteParam("current", current);
    if (typeof nSteps !== "number") typeError("WRONG_TYPE", "nSteps", -1, msg`must be an integer, got ${nSteps}`);
    if (!Number.isSafeInteger(nSteps) || nSteps < 0) rangeError("PARAM_OUT_OF_RANGE", "nSteps", -1, msg`must be an integer >= 0, got ${nSteps}`);
    if (this.type === "adaptive") {
      const err = Math.min(Math.max(current / this.target - 1, -0.2), 0.2);
      const next = this.value * (1 + (err * nSteps) / this.horizon);
      if (!Number.isFinite(next)) rangeError("RESULT_OVERFLOW", "nSteps", -1, msg`the coefficient would become ${next}; the controller is unchanged`);
      this.value = next;
    }
    return this.value;
  }

  /** The state, to save and pass back to the constructor. */
  toJSON(): KlControllerState { return { type: this.type, value: this.value, target: this.target, horizon: this.horizon }; }
}
