// Presets (spec README §9, decision D4). A preset only fills knob defaults; every knob can be set
// on its own, and explicit options win. Unknown keys and enum values are UNKNOWN_OPTION.
import { rangeError, typeError } from "./errors.js";

export type Preset = "verl" | "openrlhf" | "trl";
export type EpsMode = "std" | "var" | "maxVar";
export type StdKind = "unbiased" | "biased";
export type Singleton = "raw" | "zero" | "error";
export type RowScore = "all" | "valid";
export type WhitenEpsMode = "add" | "max";

export interface Knobs {
  eps: number;
  epsMode: EpsMode;
  stdKind: StdKind;
  stdScope: "group" | "batch";
  normalizeByStd: boolean;
  singleton: Singleton;
  rowScore: RowScore;
  nanAsMissing: boolean;
  rewardClip: readonly [number, number] | null;
  whitenVariance: StdKind;
  whitenEps: number;
  whitenEpsMode: WhitenEpsMode;
  gamma: number;
  klCoef: number;
  klCoefNegative: "keep" | "zero";
}

export const PRESETS: Record<Preset, Knobs> = {
  verl: {
    eps: 1e-6, epsMode: "std", stdKind: "unbiased", stdScope: "group", normalizeByStd: true,
    singleton: "raw", rowScore: "all", nanAsMissing: false, rewardClip: null,
    whitenVariance: "unbiased", whitenEps: 1e-8, whitenEpsMode: "add", gamma: 1, klCoef: 0.001,
    klCoefNegative: "keep",
  },
  openrlhf: {
    eps: 1e-9, epsMode: "std", stdKind: "unbiased", stdScope: "group", normalizeByStd: true,
    singleton: "error", rowScore: "valid", nanAsMissing: false, rewardClip: [-10, 10],
    whitenVariance: "biased", whitenEps: 1e-8, whitenEpsMode: "max", gamma: 1, klCoef: 0.01,
    klCoefNegative: "zero",
  },
  trl: {
    eps: 1e-4, epsMode: "std", stdKind: "unbiased", stdScope: "group", normalizeByStd: true,
    singleton: "zero", rowScore: "valid", nanAsMissing: true, rewardClip: null,
    whitenVariance: "unbiased", whitenEps: 1e-8, whitenEpsMode: "add", gamma: 1, klCoef: 0.05,
    klCoefNegative: "keep",
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
  if (args === null || typeof args !== "object") typeError("WRONG_TYPE", "args", -1, `${kernel} takes one object argument`);
  for (const key of Object.keys(args)) {
    if (args[key] === undefined) continue;
    if (key === "preset" || inputs.includes(key) || (options as readonly string[]).includes(key)) continue;
    rangeError("UNKNOWN_OPTION", key, -1, `${kernel} has no input or option named "${key}"`);
  }
  const preset = (args.preset ?? "verl") as Preset;
  checkKind("preset", preset);
  const base = PRESETS[preset] as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { preset };
  for (const k of options) {
    const given = args[k];
    if (given !== undefined) {
      checkKind(k, given);
      out[k] = given;
    } else out[k] = k in extraDefaults ? (extraDefaults as Record<string, unknown>)[k] : base[k];
  }
  return out as Record<K, any> & { preset: Preset };
}

function checkKind(key: string, v: unknown): void {
  const kind = KINDS[key];
  if (!kind) return;
  if ("enum" in kind) {
    if (typeof v !== "string" || !kind.enum.includes(v))
      rangeError("UNKNOWN_OPTION", key, -1, `unknown value ${JSON.stringify(v)}; expected one of ${kind.enum.join(", ")}`);
    return;
  }
  switch (kind.type) {
    case "number":
      if (typeof v !== "number") typeError("WRONG_TYPE", key, -1, `must be a number, got ${typeof v}`);
      break;
    case "numberOrNull":
      if (v !== null && typeof v !== "number") typeError("WRONG_TYPE", key, -1, `must be a number or null`);
      break;
    case "boolean":
      if (typeof v !== "boolean") typeError("WRONG_TYPE", key, -1, `must be a boolean, got ${typeof v}`);
      break;
    case "clip":
      if (v !== null && !(Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "number")))
        typeError("WRONG_TYPE", key, -1, `must be [lo, hi] or null`);
      break;
  }
}

/** Parameter range checks, run at their place in the validation order (after mask checks). */
export function checkFiniteParam(name: string, v: number): void {
  if (!Number.isFinite(v)) rangeError("NON_FINITE", name, -1, `must be finite, got ${v}`);
}
export function checkRange(name: string, v: number, lo: number, hi: number, what = `[${lo}, ${hi}]`): void {
  if (Number.isNaN(v)) rangeError("NON_FINITE", name, -1, "is NaN");
  if (!(v >= lo && v <= hi)) rangeError("PARAM_OUT_OF_RANGE", name, -1, `must lie in ${what}, got ${v}`);
}
export function checkNonNegative(name: string, v: number): void {
  checkRange(name, v, 0, Infinity, ">= 0 and finite");
  if (v === Infinity) rangeError("PARAM_OUT_OF_RANGE", name, -1, "must be finite");
}
export function checkPositive(name: string, v: number): void {
  if (Number.isNaN(v)) rangeError("NON_FINITE", name, -1, "is NaN");
  if (!(v > 0) || v === Infinity) rangeError("PARAM_OUT_OF_RANGE", name, -1, `must be > 0 and finite, got ${v}`);
}
