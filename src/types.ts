// Argument and result types of the public API. One object per call: inputs and options side by
// side; unknown keys are rejected (UNKNOWN_OPTION) so a typo never silently falls back to a default.
import type { EpsMode, Preset, RowScore, Singleton, StdKind, WhitenEpsMode } from "./core/options.js";
import type { GroupDiagnostics } from "./core/group-stats.js";
import type { WhitenStats } from "./core/moments.js";
import type { BnpoDiagnostics } from "./group/rows.js";
import type { WhitenedDiagnostics, BnpoResultDiagnostics, OrlDiagnostics } from "./group/estimators.js";

export type { GroupDiagnostics, BnpoDiagnostics, WhitenStats, WhitenedDiagnostics, BnpoResultDiagnostics, OrlDiagnostics };
import type { Mask } from "./core/arg-types.js";
export type { Mask };

import type { Common, Groups, Layout, ScoreInput } from "./core/arg-types.js";
export type { Common, Groups, Layout, ScoreInput };

export interface GrpoArgs extends ScoreInput, Layout, Groups, Common {
  eps?: number; epsMode?: EpsMode; stdKind?: StdKind; stdScope?: "group" | "batch"; normalizeByStd?: boolean;
  singleton?: Singleton; rowScore?: RowScore;
}
export interface RlooArgs extends ScoreInput, Layout, Groups, Common {
  singleton?: Singleton; nanAsMissing?: boolean; batchNormalize?: boolean; eps?: number; rowScore?: RowScore;
}
export interface WhitenArgs { whitenVariance?: StdKind; whitenEps?: number; whitenEpsMode?: WhitenEpsMode }
export interface RfppbArgs extends ScoreInput, Layout, Groups, Common, WhitenArgs { singleton?: Singleton; rowScore?: RowScore }
export interface DlerArgs extends RfppbArgs { truncated: Uint8Array; truncatedValue?: number }
export interface OpoArgs extends ScoreInput, Layout, Groups, Common { singleton?: Singleton; rowScore?: RowScore }
export interface GpgArgs extends ScoreInput, Layout, Groups, Common { fNorm?: number; singleton?: Singleton; rowScore?: RowScore }
export interface PassKArgs extends ScoreInput, Layout, Groups, Common {
  eps?: number; epsMode?: EpsMode; stdKind?: StdKind; normalizeByStd?: boolean; rowScore?: RowScore;
}
export interface BnpoArgs extends ScoreInput, Layout, Groups, Common {
  lo?: number; hi?: number; alpha?: number | null; beta?: number | null; wMax?: number; singleton?: Singleton; rowScore?: RowScore;
  /** Advantage decomposition: K score vectors (or K token-reward tensors), one BNPO run each, averaged. */
  components?: Float32Array[];
}
export interface RemaxArgs extends Layout, Common { tokenRewards: Float32Array; baselines: Float32Array }
export interface TrlArgs extends Layout, Groups, Common {
  /** Row-major [B][K]; NaN = the reward function returned None. */
  rewardsPerFunc: Float32Array;
  weights?: Float32Array | number[];
  scaleRewards?: "group" | "batch" | "none";
  aggregation?: "sumThenNormalize" | "normalizeThenSum";
  eps?: number;
  nanAsMissing?: boolean;
}
export interface OrlArgs extends Groups, Common, WhitenArgs {
  rewards: Float32Array;
  actionMask?: Mask; lengths?: Int32Array; offsets?: Int32Array; width?: number;
  kl?: Float32Array;
  estimator?: "group_norm" | "rloo" | "dr_grpo" | "reinforce_baseline" | "reinforce";
  klCoef?: number; klCoefNegative?: "keep" | "zero"; rewardClip?: readonly [number, number] | null; gamma?: number;
  noStdNorm?: boolean; eps?: number;
}
export type { GroupStatsArgs, RowScoresArgs, BroadcastArgs } from "./group/building-blocks.js";

export interface OutcomeResult<D> {
  /** a_i for every row, empty rows included. */
  rowAdvantages: Float32Array;
  /** Broadcast onto the valid tokens (+0 elsewhere); present when a token layout was given. */
  advantages?: Float32Array;
  /** Equal to `advantages` (the same array object) for every estimator but ReMax and openrlhfOutcome. */
  returns?: Float32Array;
  diagnostics: D;
}
export interface TokenResult<D> extends OutcomeResult<D> { advantages: Float32Array; returns: Float32Array }

export interface GaeArgs extends Layout, Common, WhitenArgs {
  tokenRewards: Float32Array; values: Float32Array;
  gamma?: number; lam?: number; gaeMasked?: "skip" | "through"; whiten?: boolean;
}
export interface ReturnsArgs extends Layout, Common { tokenRewards: Float32Array; gamma?: number; returnsMasked?: "carry" | "through" | "reset" }
export interface ReinforcePPArgs extends ReturnsArgs, WhitenArgs {}
export interface MaskedWhitenArgs extends Layout, Common, WhitenArgs {
  values: Float32Array;
  /** A merged moment record [count, mean, M2] (data-parallel whitening); default: this batch's own. */
  moments?: Float64Array;
  shiftMean?: boolean; centerOnly?: boolean;
}
export interface MaskedStatArgs extends Layout, Common { values: Float32Array; axis?: "row" | "all" }
export interface MaskedVarArgs extends Layout, Common { values: Float32Array; unbiased?: boolean }
export interface MomentsArgs extends Layout, Common { values: Float32Array }

export interface KlPenaltyArgs extends Layout, Common {
  logp: Float32Array; refLogp: Float32Array;
  klEstimator?: KlEstimator; klClamp?: "verl" | "all10" | "none";
}
export interface KlInRewardArgs extends Layout, Common {
  /** "verl" (apply_kl_penalty) or "openrlhf" (compute_reward); default from the preset. */
  mode?: "verl" | "openrlhf";
  tokenScores?: Float32Array; logp?: Float32Array; refLogp?: Float32Array;
  rewards?: Float32Array; kl?: Float32Array;
  klEstimator?: KlEstimator; klClamp?: "verl" | "all10" | "none"; klCoef?: number; klCoefNegative?: "keep" | "zero";
  rewardClip?: readonly [number, number] | null; emptyRow?: "error" | "skip";
}

export interface SoftminArgs {
  /** CSR form: step values with stepOffsets[B+1]. */
  stepValues?: Float32Array; stepOffsets?: Int32Array;
  /** Token form: values at step ends (stepEndMask = 1), with width or offsets. */
  tokenValues?: Float32Array; stepEndMask?: Uint8Array; width?: number; offsets?: Int32Array;
  temperature?: number; uniform?: boolean;
}
export interface MinFormArgs extends Layout {
  mode?: "steps" | "verlCompat";
  stepValues?: Float32Array; stepOffsets?: Int32Array; stepEnds?: Int32Array;
  tokenRewards?: Float32Array; paddedWidth?: number;
}
export interface PureRlooArgs extends Layout, Groups {
  mode?: "token" | "step" | "return";
  returns?: Float32Array; paddedWidth?: number;
  stepValues?: Float32Array; stepOffsets?: Int32Array; stepEnds?: Int32Array;
  singleton?: "raw" | "zero" | "error";
}
export interface PureVerifiableArgs extends Groups { solved: Uint8Array; coef?: number; singleton?: "raw" | "zero" | "error" }
export interface ZeroStepEndsArgs extends Layout { values: Float32Array; stepOffsets: Int32Array; stepEnds: Int32Array }

/** A KL estimator name: k1 (`kl`), `abs`, k2 (`mse`), k3 (`low_var_kl`); `+` marks the straight-through gradient variant (same value). */
export type KlEstimatorBase = "k1" | "kl" | "abs" | "k2" | "mse" | "k3" | "low_var_kl";
export type KlEstimator = KlEstimatorBase | `${KlEstimatorBase}+`;

/** PRIME implicit process rewards (`primeImplicitReward`): inputs and options. */
export interface PrimeImplicitArgs extends Layout {
  /** Log-probs of the implicit reward model, token tensor. */
  logpRm: Float32Array;
  /** Log-probs of the reference model, token tensor. */
  logpRef: Float32Array;
  /** Reward scale (default 0.05). */
  beta?: number;
  /** `"token"` (default): a reward per token; `"whole"`: the sum on the last valid token. */
  granularity?: "token" | "whole";
  /** Drop the last valid token of each row (default false). */
  dropLastToken?: boolean;
}
/** PRIME batch normalisation (`primeBatchNorm`). */
export interface PrimeBatchNormArgs extends Layout {
  /** Process rewards, token tensor. */
  values: Float32Array;
}
/** PRIME advantages (`primeAdvantage`): process rewards given, or from log-probs, plus the outcome per row. */
export interface PrimeAdvantageArgs extends Layout, Groups, Common, WhitenArgs {
  processRewards?: Float32Array; logpRm?: Float32Array; logpRef?: Float32Array;
  /** Outcome reward per row, Float32Array[B]. */
  outcome?: Float32Array;
  beta?: number; granularity?: "token" | "whole"; dropLastToken?: boolean;
  /** Divide process rewards by the batch's largest reverse cumulative sum (default true). */
  batchNorm?: boolean;
  /** Leave-one-out form: the code's (default) or the paper's. */
  processBaseline?: "code" | "paper";
  gammaProcess?: number; gammaOutcome?: number; coefProcess?: number; coefOutcome?: number;
  singleton?: Singleton;
  /** Whiten the returns over the batch's valid tokens (default true). */
  whiten?: boolean;
}
/** Likelihood rewards from answer-token log-probs (`likelihoodReward`). */
export interface LikelihoodArgs extends Layout {
  answerLogp: Float32Array;
  /** `"sum"` (default), `"prob"`, `"avgProb"`; `"mean"` is provisional. */
  mode?: "sum" | "prob" | "avgProb" | "mean";
}
/** SAR, the self-aligned reward (`selfAlignedReward`). */
export interface SarArgs extends Layout {
  logpWithQuery: Float32Array;
  logpWithoutQuery: Float32Array;
  /** >= 0 (default 1e-9). */
  eps?: number;
  /** Lower bound of the reward (default -1). */
  floor?: number;
}
/** TGDPO token weights and loss (`tgdpo`): chosen and rejected sides, each with its own mask. */
export interface TgdpoArgs {
  chosenLogp: Float32Array; chosenRefLogp: Float32Array; chosenRewardLogp: Float32Array; chosenMask?: Mask;
  rejectedLogp: Float32Array; rejectedRefLogp: Float32Array; rejectedRewardLogp: Float32Array; rejectedMask?: Mask;
  width?: number; lengths?: Int32Array; offsets?: Int32Array;
  /** Default 0.1. */
  beta?: number;
  /** Default 0.5. */
  alpha?: number;
}
