// Argument and result types of the public API. One object per call: inputs and options side by
// side; unknown keys are rejected (UNKNOWN_OPTION) so a typo never silently falls back to a default.
import type { EpsMode, Preset, RowScore, Singleton, StdKind, WhitenEpsMode } from "./core/options.js";
import type { GroupDiagnostics } from "./core/group-stats.js";
import type { WhitenStats } from "./core/moments.js";
import type { BnpoDiagnostics } from "./group/rows.js";
import type { WhitenedDiagnostics, BnpoResultDiagnostics, OrlDiagnostics, GpgDiagnostics, DlerDiagnostics, TrlDiagnostics } from "./group/estimators.js";

export type { GroupDiagnostics, BnpoDiagnostics, WhitenStats, WhitenedDiagnostics, BnpoResultDiagnostics, OrlDiagnostics, GpgDiagnostics, DlerDiagnostics, TrlDiagnostics };
import type { Mask } from "./core/arg-types.js";
export type { Mask };

import type { Common, ElementwiseLayout, Groups, Layout, ScoreInput, TokenLayout } from "./core/arg-types.js";
export type { Common, ElementwiseLayout, Groups, Layout, ScoreInput, TokenLayout };
export type { PaddedMaskLayout, PaddedLengthsLayout, PaddedDenseLayout, PackedLayout, FlatLayout } from "./core/arg-types.js";

// Options shared by several kernels, documented once; each kernel's arguments extend them.

/** Group normalisation knobs (GRPO, Pass@k, the TRL block). */
export interface NormalizeOptions {
  /** Added to the std (default by preset: verl 1e-6, openrlhf 1e-9, trl 1e-4); >= 0, else `PARAM_OUT_OF_RANGE`. */
  eps?: number;
  /** Where eps goes: `"std"` `d/(std+eps)` (every preset), `"var"` `d/sqrt(var+eps)`, `"maxVar"` `d/sqrt(max(var,eps))`. */
  epsMode?: EpsMode;
  /** Bessel-corrected (`"unbiased"`, every preset, as all three trainers) or `"biased"` group std. */
  stdKind?: StdKind;
  /** Divide by the std (default true); false is Dr.GRPO (verl `norm_adv_by_std_in_grpo=False`). */
  normalizeByStd?: boolean;
}
/** What a group of one row gets. */
export interface SingletonOption {
  /** `"raw"` (verl: mean 0, std 1), `"zero"` (trl: advantage 0) or `"error"` (openrlhf: `GROUP_TOO_SMALL` naming the row). */
  singleton?: Singleton;
}
/** How row scores are read from token rewards. */
export interface RowScoreOption {
  /** Sum the token rewards over `"all"` positions of the row (verl) or the `"valid"` ones (openrlhf, trl). */
  rowScore?: RowScore;
}
/** Token-weighted batch whitening: `(x - mean) * rstd` over every valid token. */
export interface WhitenArgs {
  /** `"unbiased"` (verl, trl) or `"biased"` (openrlhf) token variance. */
  whitenVariance?: StdKind;
  /** Default 1e-8; >= 0. With 0, a batch of equal values whitens to exactly 0. */
  whitenEps?: number;
  /** `"add"`: `rsqrt(var + eps)` (verl, trl); `"max"`: `rsqrt(max(var, eps))` (openrlhf). */
  whitenEpsMode?: WhitenEpsMode;
}

/** `grpo` and `drGrpo`: scores (or token rewards), a layout for the token broadcast, groups. */
export interface GrpoArgs extends ScoreInput, Layout, Groups, Common, NormalizeOptions, SingletonOption, RowScoreOption {
  /** `"group"` (default): each group's std; `"batch"`: the std over all rows (TRL `scale_rewards="batch"`). */
  stdScope?: "group" | "batch";
}
/** `rloo`: leave-one-out baselines. */
export interface RlooArgs extends ScoreInput, Layout, Groups, Common, SingletonOption, RowScoreOption {
  /** NaN scores mark unscorable rows: they get 0 and do not count (trl default true). */
  nanAsMissing?: boolean;
  /** Then z-score the advantages over the batch (TRL RLOOTrainer `normalize_advantages`; default false). */
  batchNormalize?: boolean;
  /** The eps of `batchNormalize` (default by preset). */
  eps?: number;
}
/** `reinforcePPBaseline`: group-mean baseline, then token-weighted whitening (a mask or lengths is required). */
export interface RfppbArgs extends ScoreInput, Layout, Groups, Common, WhitenArgs, SingletonOption, RowScoreOption {}
/** `dler`: the truncation penalty, then `reinforcePPBaseline`. */
export interface DlerArgs extends RfppbArgs {
  /** 1 where the response hit the length cap, Uint8Array[B]. */
  truncated: Uint8Array;
  /** The score a truncated response gets (default 0). */
  truncatedValue?: number;
}
/** `opo`: a length-weighted group baseline (a mask or lengths is required). */
export interface OpoArgs extends ScoreInput, Layout, Groups, Common, SingletonOption, RowScoreOption {}
/** `gpg`: `alpha (s - mean_g) / fNorm` with `alpha = B / #{s != 0}`. */
export interface GpgArgs extends ScoreInput, Layout, Groups, Common, SingletonOption, RowScoreOption {
  /** Divides every advantage (default 1); > 0. */
  fNorm?: number;
}
/** `grpoPassK`: the group's best row gets `(r1 - r2) / den`, the others 0; groups of at least 2. */
export interface PassKArgs extends ScoreInput, Layout, Groups, Common, NormalizeOptions, RowScoreOption {}
/** `bnpo`: Beta-normalised advantages, with advantage decomposition over `components`. */
export interface BnpoArgs extends ScoreInput, Layout, Groups, Common, SingletonOption, RowScoreOption {
  /** Scores map to `(s - lo) / (hi - lo)`, which must lie in [0, 1] (default 0). */
  lo?: number;
  /** Default 1; `hi > lo`. */
  hi?: number;
  /** Fix the Beta's alpha instead of fitting it (default null: fitted); >= 1. */
  alpha?: number | null;
  /** Fix the Beta's beta instead of fitting it (default null: fitted); >= 1. */
  beta?: number | null;
  /** Upper bound of the weight `1/f(p)` (default 1e6). */
  wMax?: number;
  /** Advantage decomposition: K score vectors (or K token-reward tensors), one BNPO run each, averaged. */
  components?: Float32Array[];
}
/** `remax`: reward-to-go minus the greedy baseline. */
export interface RemaxArgs extends Layout, Common {
  /** Token rewards, token tensor. */
  tokenRewards: Float32Array;
  /** The greedy response's summed score per row, Float32Array[B]. */
  baselines: Float32Array;
}
/** `trlGroupAdvantage`: TRL GRPOTrainer's advantage block over K reward functions. */
export interface TrlArgs extends Layout, Groups, Common {
  /** Row-major [B][K]; NaN = the reward function returned None. */
  rewardsPerFunc: Float32Array;
  /** One weight per reward function (default all 1). */
  weights?: Float32Array | number[];
  /** `"group"` (default), `"batch"` or `"none"` (TRL `scale_rewards`). */
  scaleRewards?: "group" | "batch" | "none";
  /** `"sumThenNormalize"` (default) or `"normalizeThenSum"` (GDPO-style). */
  aggregation?: "sumThenNormalize" | "normalizeThenSum";
  /** Default 1e-4 (TRL's). */
  eps?: number;
  /** NaN means None (default true); false makes a NaN `NON_FINITE`. */
  nanAsMissing?: boolean;
}
/** `openrlhfOutcome`: OpenRLHF's `compute_advantages_and_returns` for its outcome estimators. */
export interface OrlArgs extends Groups, Common, WhitenArgs {
  /** Scalar reward per row, Float32Array[B], rows in prompt order. */
  rewards: Float32Array;
  /** OpenRLHF's action mask (token tensor). */
  actionMask?: Mask;
  /** Prefix lengths instead of a mask (with `width`). */
  lengths?: Int32Array;
  /** Packed layout: Int32Array[B+1]. */
  offsets?: Int32Array;
  /** Padded width T. */
  width?: number;
  /** Per-token KL (token tensor; zeros when absent). */
  kl?: Float32Array;
  /** The advantage estimator (default `"group_norm"`). */
  estimator?: "group_norm" | "rloo" | "dr_grpo" | "reinforce_baseline" | "reinforce";
  /** KL coefficient (default 0.01). */
  klCoef?: number;
  /** `"zero"` (openrlhf): a negative coefficient counts as 0; `"keep"`. */
  klCoefNegative?: "keep" | "zero";
  /** Clip of the shaped reward, after group shaping (default [-10, 10]). */
  rewardClip?: readonly [number, number] | null;
  /** Discount (used by `"reinforce"`; forced to 1 for the group estimators). */
  gamma?: number;
  /** Centre only in the global normalisation (default false). */
  noStdNorm?: boolean;
  /** eps of `group_norm` (default 1e-9). */
  eps?: number;
}
export type { GroupStatsArgs, RowScoresArgs, BroadcastArgs } from "./group/building-blocks.js";

/** What an outcome estimator returns (copy API: new arrays). */
export interface OutcomeResult<D> {
  /** a_i for every row, empty rows included. */
  rowAdvantages: Float32Array;
  /** Broadcast onto the valid tokens (+0 elsewhere); present when a token layout was given. */
  advantages?: Float32Array;
  /** Equal to `advantages` (the same array object) for every estimator but ReMax and openrlhfOutcome. */
  returns?: Float32Array;
  /** Group counts and the estimator's own statistics. */
  diagnostics: D;
}
/** An outcome result with token outputs (ReMax, openrlhfOutcome). */
export interface TokenResult<D> extends OutcomeResult<D> {
  /** Token advantages. */
  advantages: Float32Array;
  /** Token returns. */
  returns: Float32Array;
}

/** `gae`: generalized advantage estimation over the valid tokens. */
export interface GaeArgsOptions extends Common, WhitenArgs {
  /** Per-token rewards (token tensor). */
  tokenRewards: Float32Array;
  /** Per-token value estimates (token tensor). */
  values: Float32Array;
  /** Discount in [0, 1] (default 1). */
  gamma?: number;
  /** GAE lambda in [0, 1] (verl, openrlhf 1; trl 0.95). */
  lam?: number;
  /** `"skip"` (verl): masked positions carry the state; `"through"` (openrlhf, trl): the recurrence runs through them. */
  gaeMasked?: "skip" | "through";
  /** Whiten the advantages over the batch's valid tokens (default true). */
  whiten?: boolean;
}
/** GaeArgs: its options and a token layout (`width` with a mask or lengths, or packed `offsets`). */
export type GaeArgs = GaeArgsOptions & TokenLayout;
/** `discountedReturns`: reward-to-go with a discount. */
export interface ReturnsArgsOptions extends Common {
  /** Per-token rewards (token tensor). */
  tokenRewards: Float32Array;
  /** Discount in [0, 1] (default 1). */
  gamma?: number;
  /** At masked positions: `"carry"` (verl), `"through"` (openrlhf, trl) or `"reset"` (old verl). */
  returnsMasked?: "carry" | "through" | "reset";
}
/** ReturnsArgs: its options and a token layout (`width` with a mask or lengths, or packed `offsets`). */
export type ReturnsArgs = ReturnsArgsOptions & TokenLayout;
/** `reinforcePP`: discounted returns, then token-weighted whitening. */
export type ReinforcePPArgs = ReturnsArgs & WhitenArgs;
/** `maskedWhiten`: `(x - mean) * rstd` over the valid values. */
export interface MaskedWhitenArgsOptions extends Common, WhitenArgs {
  /** The values (token tensor). */
  values: Float32Array;
  /** A merged moment record [count, mean, M2] (data-parallel whitening); default: this batch's own. */
  moments?: Float64Array;
  /** Subtract the mean (default true); false adds it back after scaling. */
  shiftMean?: boolean;
  /** Centre only, no scaling (default false). */
  centerOnly?: boolean;
}
/** MaskedWhitenArgs: its options and a token layout (`width` with a mask or lengths, or packed `offsets`). */
export type MaskedWhitenArgs = MaskedWhitenArgsOptions & TokenLayout;
/** `maskedSum` and `maskedMean`. */
export interface MaskedStatArgsOptions extends Common {
  /** The values (token tensor). */
  values: Float32Array;
  /** `"all"` (default): one number over every valid value; `"row"`: one per row. */
  axis?: "row" | "all";
}
/** MaskedStatArgs: its options and a token layout (`width` with a mask or lengths, or packed `offsets`). */
export type MaskedStatArgs = MaskedStatArgsOptions & TokenLayout;
/** `maskedVar`. */
export interface MaskedVarArgsOptions extends Common {
  /** The values (token tensor). */
  values: Float32Array;
  /** Bessel-corrected (default true). */
  unbiased?: boolean;
}
/** MaskedVarArgs: its options and a token layout (`width` with a mask or lengths, or packed `offsets`). */
export type MaskedVarArgs = MaskedVarArgsOptions & TokenLayout;
/** `moments`: the local record [count, mean, M2] of the valid values. */
export interface MomentsArgsOptions extends Common {
  /** The values (token tensor). */
  values: Float32Array;
}
/** MomentsArgs: its options and a token layout (`width` with a mask or lengths, or packed `offsets`). */
export type MomentsArgs = MomentsArgsOptions & TokenLayout;
/** KL clamps: `"verl"` (k3 only: log-ratio to ±20, value to [-10, 10]), `"all10"` (openrlhf: every estimator to [-10, 10]), `"none"` (trl). */
export type KlClamp = "verl" | "all10" | "none";
/** `klPenalty`: the per-token KL estimate. */
export interface KlPenaltyArgsOptions extends Common {
  /** Policy log-probs (token tensor). */
  logp: Float32Array;
  /** Reference log-probs (token tensor). */
  refLogp: Float32Array;
  /** Default `"k1"`. */
  klEstimator?: KlEstimator;
  /** Default by preset. */
  klClamp?: KlClamp;
}
/** KlPenaltyArgs: its options and a token layout (`width` with a mask or lengths, or packed `offsets`). */
export type KlPenaltyArgs = KlPenaltyArgsOptions & ElementwiseLayout;
/** `klInReward`: KL in the reward, verl's `apply_kl_penalty` or OpenRLHF's `compute_reward`. */
export interface KlInRewardArgsOptions extends Common {
  /** "verl" (apply_kl_penalty) or "openrlhf" (compute_reward); default from the preset. */
  mode?: "verl" | "openrlhf";
  /** verl mode: the token scores (token tensor). */
  tokenScores?: Float32Array;
  /** verl mode: policy log-probs. */
  logp?: Float32Array;
  /** verl mode: reference log-probs. */
  refLogp?: Float32Array;
  /** OpenRLHF mode: the scalar reward per row. */
  rewards?: Float32Array;
  /** OpenRLHF mode: the per-token KL. */
  kl?: Float32Array;
  /** Default `"k1"`. */
  klEstimator?: KlEstimator;
  /** Default by preset. */
  klClamp?: KlClamp;
  /**
   * The KL coefficient (default by preset: 0.001, 0.01, 0.05). verl mode applies it as verl does,
   * in float32: `f32(score - f32(f32(klCoef) * kl))` from the float32 KL (docs/numerics.md#kl-map).
   */
  klCoef?: number;
  /** `"zero"`: a negative coefficient counts as 0 (openrlhf); `"keep"`. */
  klCoefNegative?: "keep" | "zero";
  /** OpenRLHF mode: clip of the reward. */
  rewardClip?: readonly [number, number] | null;
  /** OpenRLHF mode: a row with no valid token is `"error"` (`EMPTY_ROW`) or `"skip"`. */
  emptyRow?: "error" | "skip";
}
/** KlInRewardArgs: its options and a token layout (`width` with a mask or lengths, or packed `offsets`). */
export type KlInRewardArgs = KlInRewardArgsOptions & ElementwiseLayout;

/** `softminStepRewards`: softmin weighting of each row's step rewards (PURE's approximate min-form). */
export interface SoftminArgs {
  /** CSR form: step values. */
  stepValues?: Float32Array;
  /** CSR form: Int32Array[B+1]. */
  stepOffsets?: Int32Array;
  /** Token form: values at step ends. */
  tokenValues?: Float32Array;
  /** Token form: 1 at each step end. */
  stepEndMask?: Uint8Array;
  /** Token form: padded width. */
  width?: number;
  /** Token form: packed offsets. */
  offsets?: Int32Array;
  /** Softmin temperature (default 0.1); > 0. */
  temperature?: number;
  /** Uniform weights instead (PURE's `disable_weighted_reward`). */
  uniform?: boolean;
}
/** `minFormReturns`: strict min-form returns. */
export interface MinFormArgs extends Layout {
  /** `"steps"` (the paper, default) or `"verlCompat"` (PURE's verl branch). */
  mode?: "steps" | "verlCompat";
  /** Step values (steps mode). */
  stepValues?: Float32Array;
  /** Int32Array[B+1] (steps mode). */
  stepOffsets?: Int32Array;
  /** The token index of each step's end within its row (steps mode). */
  stepEnds?: Int32Array;
  /** Token rewards (verlCompat mode). */
  tokenRewards?: Float32Array;
  /** The padded width the verl branch reads (packed layout). */
  paddedWidth?: number;
}
/** `pureRlooBaseline`: PURE's leave-one-out baselines. */
export interface PureRlooArgs extends Layout, Groups {
  /** `"token"` (default), `"step"` or `"return"`. */
  mode?: "token" | "step" | "return";
  /** Token returns (return mode). */
  returns?: Float32Array;
  /** The padded width the verl branch reads (packed layout). */
  paddedWidth?: number;
  /** Step values (token and step modes). */
  stepValues?: Float32Array;
  /** Int32Array[B+1]. */
  stepOffsets?: Int32Array;
  /** The token index of each step's end within its row. */
  stepEnds?: Int32Array;
  /** Default `"raw"`. */
  singleton?: "raw" | "zero" | "error";
}
/** `pureVerifiableReward`: `coef (v_i - mean of the others)`, `v = solved - 1`. */
export interface PureVerifiableArgs extends Groups {
  /** 1 where the response was verified correct, Uint8Array[B]. */
  solved: Uint8Array;
  /** Default 1. */
  coef?: number;
  /** Default `"raw"`. */
  singleton?: "raw" | "zero" | "error";
}
/** `zeroStepEnds`: the values with every step end set to 0. */
export interface ZeroStepEndsArgs extends Layout {
  /** The values (token tensor). */
  values: Float32Array;
  /** Int32Array[B+1]. */
  stepOffsets: Int32Array;
  /** The token index of each step's end within its row. */
  stepEnds: Int32Array;
}

/** A KL estimator name: k1 (`kl`), `abs`, k2 (`mse`), k3 (`low_var_kl`); `+` marks the straight-through gradient variant (same value). */
/** The KL estimators without the gradient-variant suffix. */
export type KlEstimatorBase = "k1" | "kl" | "abs" | "k2" | "mse" | "k3" | "low_var_kl";
/** A KL estimator name, optionally with `+` (the straight-through gradient variant; same value). */
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
  /** Process rewards per token (else computed from `logpRm` and `logpRef`). */
  processRewards?: Float32Array;
  /** Log-probs of the implicit reward model. */
  logpRm?: Float32Array;
  /** Log-probs of the reference model. */
  logpRef?: Float32Array;
  /** Outcome reward per row, Float32Array[B]. */
  outcome?: Float32Array;
  /** Implicit reward scale (default 0.05). */
  beta?: number;
  /** `"token"` (default) or `"whole"`. */
  granularity?: "token" | "whole";
  /** Drop each row's last valid token from the process rewards (default false). */
  dropLastToken?: boolean;
  /** Divide process rewards by the batch's largest reverse cumulative sum (default true). */
  batchNorm?: boolean;
  /** Leave-one-out form: the code's (default) or the paper's. */
  processBaseline?: "code" | "paper";
  /** Discount of the process returns (default 1). */
  gammaProcess?: number;
  /** Discount of the outcome returns (default 1). */
  gammaOutcome?: number;
  /** Weight of the process part (default 1). */
  coefProcess?: number;
  /** Weight of the outcome part (default 1). */
  coefOutcome?: number;
  /** What a group of one row gets. */
  singleton?: Singleton;
  /** Whiten the returns over the batch's valid tokens (default true). */
  whiten?: boolean;
}
/** Likelihood rewards from answer-token log-probs (`likelihoodReward`). */
export interface LikelihoodArgs extends Layout {
  /** Log-probs of the answer tokens (token tensor). */
  answerLogp: Float32Array;
  /** `"sum"` (default), `"prob"`, `"avgProb"`; `"mean"` is provisional. */
  mode?: "sum" | "prob" | "avgProb" | "mean";
}
/** SAR, the self-aligned reward (`selfAlignedReward`). */
export interface SarArgs extends Layout {
  /** Response log-probs given the query (token tensor). */
  logpWithQuery: Float32Array;
  /** Response log-probs without the query (token tensor). */
  logpWithoutQuery: Float32Array;
  /** >= 0 (default 1e-9). */
  eps?: number;
  /** Lower bound of the reward (default -1). */
  floor?: number;
}
/** TGDPO token weights and loss (`tgdpo`): chosen and rejected sides, each with its own mask. */
export interface TgdpoArgs {
  /** Policy log-probs of the chosen response. */
  chosenLogp: Float32Array;
  /** Reference log-probs of the chosen response. */
  chosenRefLogp: Float32Array;
  /** Token reward model log-probs of the chosen response. */
  chosenRewardLogp: Float32Array;
  /** Mask of the chosen responses. */
  chosenMask?: Mask;
  /** Policy log-probs of the rejected response. */
  rejectedLogp: Float32Array;
  /** Reference log-probs of the rejected response. */
  rejectedRefLogp: Float32Array;
  /** Token reward model log-probs of the rejected response. */
  rejectedRewardLogp: Float32Array;
  /** Mask of the rejected responses. */
  rejectedMask?: Mask;
  /** Padded width T. */
  width?: number;
  /** Prefix lengths (padded layout). */
  lengths?: Int32Array;
  /** Packed layout: Int32Array[B+1]. */
  offsets?: Int32Array;
  /** Default 0.1. */
  beta?: number;
  /** Default 0.5. */
  alpha?: number;
}

/** ReMax's diagnostics. */
export interface RemaxDiagnostics {
  /** Rows with no valid token. */
  emptyRows: number;
}
/** `openrlhfOutcome`'s result: token advantages and returns, plus the shaped scalar rewards. */
export interface OrlResult extends TokenResult<OrlDiagnostics> {
  /** The scalar rewards after group shaping and the clip, Float32Array[B]. */
  shapedRewards: Float32Array;
}
/** A token kernel's result (GAE, REINFORCE++): new arrays. */
export interface ScanResult<D> {
  /** Token advantages (+0 at masked positions). */
  advantages: Float32Array;
  /** Token returns (GAE: advantages + values; REINFORCE++: the discounted returns). */
  returns: Float32Array;
  /** Valid tokens, empty rows and the whitening statistics. */
  diagnostics: D;
}
/** `klInReward`'s result. */
export interface KlInRewardResult<D> {
  /** The token rewards with the KL term. */
  tokenRewards: Float32Array;
  /** verl mode: the per-token KL. */
  kl?: Float32Array;
  /** verl mode: the mean over rows of each row's mean KL (what verl's controller reads). */
  currentKl?: number;
  /** The mode, the coefficient used and, in OpenRLHF mode, the skipped rows. */
  diagnostics: D;
}
/** `placeScores`' result. */
export interface PlaceScoresResult {
  /** The token scores (+0 everywhere but the placed positions). */
  tokenScores: Float32Array;
  /** Rows skipped under `emptyRow: "skip"`. */
  diagnostics: PlaceScoresDiagnostics;
}
/** `placeScores`' diagnostics. */
export interface PlaceScoresDiagnostics {
  /** Rows with no valid token, skipped. */
  skippedRows: number;
}
/** `primeAdvantage`'s result. */
export interface PrimeAdvantageResult<D> extends ScanResult<D> {
  /** The process rewards used, when computed from log-probs. */
  processRewards?: Float32Array;
}
/** `primeImplicitReward`'s result. */
export interface PrimeImplicitResult {
  /** `beta q` per token (or summed onto the last valid token). */
  processRewards: Float32Array;
  /** `logpRm - logpRef` at valid tokens. */
  q: Float32Array;
}
/** `primeBatchNorm`'s result. */
export interface PrimeBatchNormResult {
  /** The normalised process rewards. */
  values: Float32Array;
  /** The batch's largest |reverse cumulative sum|. */
  batchMax: number;
}
/** `igpoAdvantage`'s result. */
export interface IgpoResult {
  /** Token advantages (each turn's advantage on its tokens). */
  advantages: Float32Array;
  /** One advantage per turn. */
  turnAdvantages: Float32Array;
}

/**
 * The result of an outcome estimator for these arguments: with a token layout given (a mask,
 * lengths, offsets, width or token rewards), `advantages` and `returns` are present.
 */
export type OutcomeFor<A, D> = A extends TokenLayoutGiven ? TokenResult<D> : OutcomeResult<D>;
/** Arguments that give a token layout, so the token outputs exist. */
export type TokenLayoutGiven = MaskGiven | LengthsGiven | OffsetsGiven | WidthGiven | TokenRewardsGiven;
/** A mask was given. */
export interface MaskGiven {
  /** The mask. */
  mask: Mask;
}
/** Lengths were given. */
export interface LengthsGiven {
  /** The lengths. */
  lengths: Int32Array;
}
/** Offsets were given. */
export interface OffsetsGiven {
  /** The offsets. */
  offsets: Int32Array;
}
/** A width was given. */
export interface WidthGiven {
  /** The padded width. */
  width: number;
}
/** Token rewards were given. */
export interface TokenRewardsGiven {
  /** The token rewards. */
  tokenRewards: Float32Array;
}
/** `klInReward`'s result in verl mode: the per-token KL and the current KL are present. */
export interface KlInRewardVerlResult<D> extends KlInRewardResult<D> {
  /** The per-token KL. */
  kl: Float32Array;
  /** The mean over rows of each row's mean KL (what verl's controller reads). */
  currentKl: number;
}
