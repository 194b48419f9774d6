// Presets (docs/presets.md, docs/presets.md). A preset only fills knob defaults; every knob can be set
// on its own, and explicit options win. Unknown keys and enum values are UNKNOWN_OPTION.
import { rangeError, typeError } from "./errors.js";
import { msg, show } from "./safe.js";

/** The trainers whose defaults a preset fills in (docs/presets.md). */
export type Preset = "verl" | "openrlhf" | "trl";
/** Where eps goes: `d/(std+eps)`, `d/sqrt(var+eps)` or `d/sqrt(max(var,eps))`. */
export type EpsMode = "std" | "var" | "maxVar";
/** Bessel-corrected or not. */
export type StdKind = "unbiased" | "biased";
/** What a group of one row gets: verl's raw score, 0, or GROUP_TOO_SMALL. */
export type Singleton = "raw" | "zero" | "error";
/** Row scores from token rewards: every position, or the valid ones. */
export type RowScore = "all" | "valid";
/** `rsqrt(var + eps)` or `rsqrt(max(var, eps))`. */
export type WhitenEpsMode = "add" | "max";

/** Every knob a preset fills in; each can be set per call (docs/presets.md). */
export interface Knobs {
  /** Group normalisation eps. */
  eps: number;
  /** Where eps goes. */
  epsMode: EpsMode;
  /** Group std kind. */
  stdKind: StdKind;
  /** Group or batch std (GRPO). */
  stdScope: "group" | "batch";
  /** Divide by the std (false: Dr.GRPO). */
  normalizeByStd: boolean;
  /** Singleton-group policy. */
  singleton: Singleton;
  /** Row scores from token rewards. */
  rowScore: RowScore;
  /** NaN marks an unscorable row (TRL). */
  nanAsMissing: boolean;
  /** Clip of the scalar reward (OpenRLHF). */
  rewardClip: readonly [number, number] | null;
  /** Whitening variance kind. */
  whitenVariance: StdKind;
  /** Whitening eps. */
  whitenEps: number;
  /** Whitening eps placement. */
  whitenEpsMode: WhitenEpsMode;
  /** Discount. */
  gamma: number;
  /** KL coefficient. */
  klCoef: number;
  /** A negative KL coefficient: kept or 0. */
  klCoefNegative: "keep" | "zero";
  /** GAE at masked positions. */
  gaeMasked: "skip" | "through";
  /** GAE lambda. */
  lam: number;
  /** Returns at masked positions. */
  returnsMasked: "carry" | "through" | "reset";
  /** KL estimator. */
  klEstimator: string;
  /** KL clamps. */
  klClamp: "verl" | "all10" | "none";
}

/** The knob defaults of each preset. */
export const PRESETS: Record<Preset, Knobs> = {
  verl: {
    eps: 1e-6, epsMode: "std", stdKind: "unbiased", stdScope: "group", normalizeByStd: true,
    singleton: "raw", rowScore: "all", nanAsMissing: false, rewardClip: null,
    whitenVariance: "unbiased", whitenEps: 1e-8, whitenEpsMode: "add", gamma: 1, klCoef: 0.001,
    klCoefNegative: "keep", gaeMasked: "skip", lam: 1, returnsMasked: "carry", klEstimator: "k1", klClamp: "verl",
  },
  openrlhf: {
    eps: 1e-9, epsMode: "std", stdKind: "unbiased", stdScope: "group", normalizeByStd: true,
    singleton: "error", rowScore: "valid", nanAsMissing: false, rewardClip: [-10, 10],
    whitenVariance: "biased", whitenEps: 1e-8, whitenEpsMode: "max", gamma: 1, klCoef: 0.01,
    klCoefNegative: "zero", gaeMasked: "through", lam: 1, returnsMasked: "through", klEstimator: "k1", klClamp: "all10",
  },
  trl: {
    eps: 1e-4, epsMode: "std", stdKind: "unbiased", stdScope: "group", normalizeByStd: true,
    singleton: "zero", rowScore: "valid", nanAsMissing: true, rewardClip: null,
    whitenVariance: "unbiased", whitenEps: 1e-8, whitenEpsMode: "add", gamma: 1, klCoef: 0.05,
    klCoefNegative: "keep", gaeMasked: "through", lam: 0.95, returnsMasked: "through", klEstimator: "k1", klClamp: "none",
  },
};

// How each option is checked. Enums are checked at resolve time (UNKNOWN_OPTION); numeric ranges
// are checked later, in the fixed validation order (PARAM_OUT_OF_RANGE after mask checks).
type Kind =
  | { enum: readonly string[] }
  | { type: "number" | "boolean" | "clip" | "numberOrNull" | "any" };

const KINDS: Record<string, Kind> = {
  preset: { enum: ["verl", "openrlhf", "trl"] },
  eps: { type: "number" },
  epsMode: { enum: ["std", "var", "maxVar"] },
  stdKind: { enum: ["unbiased", "biased"] },
  stdScope: { enum: ["group", "batch"] },
  normalizeByStd: { type: "boolean" },
  singleton: { enum: ["raw", "zero", "error"] },
  rowScore: { enum: ["all", "valid"] },
  nanAsMissing: { type: "boolean" },
  rewardClip: { type: "clip" },
  whitenVariance: { enum: ["unbiased", "biased"] },
  whitenEps: { type: "number" },
  whitenEpsMode: { enum: ["add", "max"] },
  gamma: { type: "number" },
  klCoef: { type: "number" },
  klCoefNegative: { enum: ["keep", "zero"] },
  scaleRewards: { enum: ["group", "batch", "none"] },
  aggregation: { enum: ["sumThenNormalize", "normalizeThenSum"] },
  batchNormalize: { type: "boolean" },
  fNorm: { type: "number" },
  lo: { type: "number" },
  hi: { type: "number" },
  alpha: { type: "numberOrNull" },
  beta: { type: "numberOrNull" },
  wMax: { type: "number" },
  truncatedValue: { type: "number" },
  estimator: { enum: ["group_norm", "rloo", "dr_grpo", "reinforce_baseline", "reinforce"] },
  noStdNorm: { type: "boolean" },
  shiftMean: { type: "boolean" },
  centerOnly: { type: "boolean" },
  gaeMasked: { enum: ["skip", "through"] },
  lam: { type: "number" },
  returnsMasked: { enum: ["carry", "through", "reset"] },
  whiten: { type: "boolean" },
  unbiased: { type: "boolean" },
  axis: { enum: ["row", "all"] },
  klClamp: { enum: ["verl", "all10", "none"] },
  emptyRow: { enum: ["error", "skip"] },
  temperature: { type: "number" },
  uniform: { type: "boolean" },
  coef: { type: "number" },
  combine: { enum: ["weightedSum", "logSigmoid", "par"] },
  scorePlacement: { enum: ["lastValid", "explicit"] },
  granularity: { enum: ["token", "whole"] },
  floor: { type: "number" },
  eta: { type: "number" },
  lastStep: { enum: ["zero", "keep"] },
  valueMode: { enum: ["prob", "logProb"] },
  outcomeWeight: { type: "number" },
  normMode: { enum: ["separate", "joint"] },
  varEps: { type: "number" },
  weightOutcome: { type: "number" },
  weightGain: { type: "number" },
  excludeZeroGain: { type: "boolean" },
  dropLastToken: { type: "boolean" },
  batchNorm: { type: "boolean" },
  processBaseline: { enum: ["code", "paper"] },
  gammaProcess: { type: "number" },
  gammaOutcome: { type: "number" },
  coefProcess: { type: "number" },
  coefOutcome: { type: "number" },
  lossAggMode: { enum: ["token-mean", "token-sum", "seq-mean-token-sum", "seq-mean-token-sum-norm", "seq-mean-token-mean"] },
  dpSize: { type: "number" },
  batchNumTokens: { type: "numberOrNull" },
  globalBatchSize: { type: "numberOrNull" },
  lossScaleFactor: { type: "numberOrNull" },
  sigmoidK: { type: "number" },
  maxRef: { type: "number" },
  k: { type: "number" },
};

/**
 * Checks every key of `args` against the kernel's inputs and options, fills option defaults from
 * the preset, and returns the resolved options. Inputs are left in `args`.
 */
export function resolveOptions<K extends string>(
  kernel: string,
  args: Record<string, unknown>,
  inputs: readonly string[],
  options: readonly K[],
  extraDefaults: Partial<Record<K, unknown>> = {},
): Record<K, any> & { preset: Preset } {
  if (args === null || typeof args !== "object") typeError("WRONG_TYPE", "args", -1, msg`${kernel} takes one object argument`);
  // Frozen arguments (a workspace's reused ones) cannot change: resolved once per kernel.
  const frozen = Object.isFrozen(args);
  if (frozen) {
    const hit = frozenCache.get(args)?.get(options);
    if (hit) return hit as Record<K, any> & { preset: Preset };
  }
  const resolved = resolveFresh(kernel, args, inputs, options, extraDefaults);
  if (frozen) {
    Object.freeze(resolved); // shared from now on
    let m = frozenCache.get(args);
    if (!m) frozenCache.set(args, (m = new WeakMap()));
    m.set(options, resolved);
  }
  return resolved;
}

const frozenCache = new WeakMap<object, WeakMap<readonly string[], Record<string, unknown>>>();

function resolveFresh<K extends string>(
  kernel: string, args: Record<string, unknown>, inputs: readonly string[], options: readonly K[], extraDefaults: Partial<Record<K, unknown>>,
): Record<K, any> & { preset: Preset } {
  const known = knownKeys(inputs, options);
  let anyOption = false;
  for (const key of Object.keys(args)) {
    if (args[key] === undefined) continue;
    const kind = known.get(key);
    if (kind === undefined) rangeError("UNKNOWN_OPTION", key, -1, msg`${kernel} has no input or option named "${key}"`);
    if (kind === KEY_OPTION) anyOption = true;
  }
  const preset = (args.preset ?? "verl") as Preset;
  checkKind("preset", preset);
  // A call that sets no knob (the common zero-copy loop) gets the preset's resolved defaults,
  // built once per kernel and preset. Frozen, because callers share it.
  if (!anyOption) {
    const cache = defaultsCache.get(options) ?? new Map<string, Record<string, unknown>>();
    defaultsCache.set(options, cache);
    const hit = cache.get(preset + "\u0000" + kernel);
    if (hit) return hit as Record<K, any> & { preset: Preset };
    const made = Object.freeze(fill(preset, options, extraDefaults, args));
    cache.set(preset + "\u0000" + kernel, made);
    return made as Record<K, any> & { preset: Preset };
  }
  return fill(preset, options, extraDefaults, args) as Record<K, any> & { preset: Preset };
}

const defaultsCache = new WeakMap<readonly string[], Map<string, Record<string, unknown>>>();

function fill(preset: Preset, options: readonly string[], extraDefaults: Record<string, unknown>, args: Record<string, unknown>): Record<string, unknown> {
  const base = PRESETS[preset] as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { preset };
  for (let k = 0; k < options.length; k++) {
    const name = options[k]!;
    const given = args[name];
    if (given !== undefined) {
      checkKind(name, given);
      out[name] = given;
    } else out[name] = name in extraDefaults ? extraDefaults[name] : base[name];
  }
  return out;
}

// Keyed by the identity of the (module-level, constant) inputs and options arrays.
// Each known key maps to what it is, so the per-call loop is one lookup per key.
const KEY_INPUT = 0, KEY_OPTION = 1;
const knownCache = new WeakMap<readonly string[], WeakMap<readonly string[], Map<string, number>>>();
function knownKeys(inputs: readonly string[], options: readonly string[]): Map<string, number> {
  let m = knownCache.get(inputs);
  if (!m) knownCache.set(inputs, (m = new WeakMap()));
  let s = m.get(options);
  if (!s) {
    s = new Map<string, number>([...options.map((k) => [k, KEY_OPTION] as [string, number]), ...inputs.map((k) => [k, KEY_INPUT] as [string, number])]);
    s.set("preset", KEY_INPUT); // the preset picks the defaults; it is not a knob
    m.set(options, s);
  }
  return s;
}

function checkKind(key: string, v: unknown): void {
  const kind = Object.hasOwn(KINDS, key) ? KINDS[key] : undefined;
  if (!kind) return;
  if ("enum" in kind) {
    if (typeof v !== "string" || !kind.enum.includes(v))
      rangeError("UNKNOWN_OPTION", key, -1, msg`unknown value ${show(v)}; expected one of ${kind.enum.join(", ")}`);
    return;
  }
  switch (kind.type) {
    case "number":
      if (typeof v !== "number") typeError("WRONG_TYPE", key, -1, msg`must be a number, got ${typeof v}`);
      break;
    case "numberOrNull":
      if (v !== null && typeof v !== "number") typeError("WRONG_TYPE", key, -1, msg`must be a number or null`);
      break;
    case "boolean":
      if (typeof v !== "boolean") typeError("WRONG_TYPE", key, -1, msg`must be a boolean, got ${typeof v}`);
      break;
    case "clip":
      if (v !== null && !(Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number")))
        typeError("WRONG_TYPE", key, -1, msg`must be [lo, hi] or null`);
      break;
  }
}

/** WRONG_TYPE unless `v` is a number (a BigInt, a string or a boxed Number is not). */
export function checkNumber(name: string, v: unknown): asserts v is number {
  if (typeof v !== "number") typeError("WRONG_TYPE", name, -1, msg`must be a number, got ${show(v)}`);
}

/** Parameter range checks, run at their place in the validation order (after mask checks). */
export function checkFiniteParam(name: string, v: number): void {
  checkNumber(name, v);
  if (!Number.isFinite(v)) rangeError("NON_FINITE", name, -1, msg`must be finite, got ${v}`);
}
export function checkRange(name: string, v: number, lo: number, hi: number, what = `[${lo}, ${hi}]`): void {
  checkNumber(name, v);
  if (Number.isNaN(v)) rangeError("NON_FINITE", name, -1, "is NaN");
  if (!(v >= lo && v <= hi)) rangeError("PARAM_OUT_OF_RANGE", name, -1, msg`must lie in ${what}, got ${v}`);
}
export function checkNonNegative(name: string, v: number): void {
  checkRange(name, v, 0, Infinity, ">= 0 and finite");
  if (v === Infinity) rangeError("PARAM_OUT_OF_RANGE", name, -1, "must be finite");
}
export function checkPositive(name: string, v: number): void {
  checkNumber(name, v);
  if (Number.isNaN(v)) rangeError("NON_FINITE", name, -1, "is NaN");
  if (!(v > 0) || v === Infinity) rangeError("PARAM_OUT_OF_RANGE", name, -1, msg`must be > 0 and finite, got ${v}`);
}
