// rl-advantage: rewards and advantages for LLM RL trainers on a WebAssembly SIMD core.
//
// Two layers over one binary:
//  - Workspace (zero-copy): plan once, fill views in WebAssembly memory, run, read views.
//  - Copy API (this module's functions): typed arrays in, new typed arrays out.
// Module-level functions run on a default instance created synchronously on first use
// (SIMD when the runtime validates it). Use `create()` / `createSync({ build })` for another.
import { RlAdvantage, create, createSync } from "./api.js";
import type { LoadOptions } from "./core/engine.js";
import type * as T from "./types.js";
import type { WorkspacePlan } from "./workspace.js";

let defaultInstance: RlAdvantage | null = null;
/** The default instance (created synchronously on first use). */
export function instance(): RlAdvantage { return (defaultInstance ??= createSync()); }
/** Creates (or replaces) the default instance asynchronously: use this where sync compile is not allowed. */
export async function init(opts?: LoadOptions): Promise<RlAdvantage> { return (defaultInstance = await create(opts)); }
/** Creates (or replaces) the default instance synchronously, optionally forcing a build. */
export function initSync(opts?: LoadOptions): RlAdvantage { return (defaultInstance = createSync(opts)); }

/** GRPO: `(s - mean_g) / (std_g + eps)` per group, broadcast onto the valid tokens; `normalizeByStd: false` is Dr.GRPO. verl `compute_grpo_outcome_advantage`, OpenRLHF `group_norm`, TRL `scale_rewards`. Throws the typed errors of docs/contracts.md. (Copy API on the default instance: new arrays out.) */
export const grpo: RlAdvantage["grpo"] = (a) => instance().grpo(a as never);
/** Dr.GRPO: `s - mean_g` per group (GRPO without the std division). verl `norm_adv_by_std_in_grpo=False`, OpenRLHF `dr_grpo`, TRL `scale_rewards="none"`. (Copy API on the default instance: new arrays out.) */
export const drGrpo: RlAdvantage["drGrpo"] = (a) => instance().drGrpo(a as never);
/** RLOO: `s_i - mean of the other rows of the group`. verl `compute_rloo_outcome_advantage`, OpenRLHF `rloo`, TRL RLOOTrainer. (Copy API on the default instance: new arrays out.) */
export const rloo: RlAdvantage["rloo"] = (a) => instance().rloo(a as never);
/** REINFORCE++-baseline: group-mean baseline, then token-weighted batch whitening. verl `reinforce_plus_plus_baseline`. (Copy API on the default instance: new arrays out.) */
export const reinforcePPBaseline: RlAdvantage["reinforcePPBaseline"] = (a) => instance().reinforcePPBaseline(a as never);
/** ReMax: undiscounted reward-to-go minus the greedy baseline. verl `compute_remax_outcome_advantage`. (Copy API on the default instance: new arrays out.) */
export const remax: RlAdvantage["remax"] = (a) => instance().remax(a as never);
/** OPO: a length-weighted group baseline. verl `compute_opo_outcome_advantage`. (Copy API on the default instance: new arrays out.) */
export const opo: RlAdvantage["opo"] = (a) => instance().opo(a as never);
/** GPG: `B/nnz (s - mean_g) / fNorm`. verl `compute_gpg_outcome_advantage`. (Copy API on the default instance: new arrays out.) */
export const gpg: RlAdvantage["gpg"] = (a) => instance().gpg(a as never);
/** GRPO Pass@k: the group's best row gets `(r1 - r2) / (std + eps)`, the others 0. verl `compute_grpo_passk_outcome_advantage`. (Copy API on the default instance: new arrays out.) */
export const grpoPassK: RlAdvantage["grpoPassK"] = (a) => instance().grpoPassK(a as never);
/** BNPO: Beta-normalised advantages with a batch-fitted Beta, advantage decomposition over `components`, zero-variance fallback. changyi7231/BNPO. (Copy API on the default instance: new arrays out.) */
export const bnpo: RlAdvantage["bnpo"] = (a) => instance().bnpo(a as never);
/** DLER: an explicit truncation penalty, then REINFORCE++-baseline. NVlabs/DLER. (Copy API on the default instance: new arrays out.) */
export const dler: RlAdvantage["dler"] = (a) => instance().dler(a as never);
/** TRL GRPOTrainer's advantage block over K reward functions, NaN = None. (Copy API on the default instance: new arrays out.) */
export const trlGroupAdvantage: RlAdvantage["trlGroupAdvantage"] = (a) => instance().trlGroupAdvantage(a as never);
/** OpenRLHF `compute_advantages_and_returns` for its outcome estimators: group shaping, clip, KL in the reward, returns, global normalisation. (Copy API on the default instance: new arrays out.) */
export const openrlhfOutcome: RlAdvantage["openrlhfOutcome"] = (a) => instance().openrlhfOutcome(a as never);
/** Per-group f64 statistics: count, sum, mean, M2, min, max, variances, allEqual. (Copy API on the default instance: new arrays out.) */
export const groupStats: RlAdvantage["groupStats"] = (a) => instance().groupStats(a as never);
/** Row scores from token rewards (`rowScore`: all positions, or the valid ones). (Copy API on the default instance: new arrays out.) */
export const rowScores: RlAdvantage["rowScores"] = (a) => instance().rowScores(a as never);
/** One value per row onto its valid tokens, +0 elsewhere. (Copy API on the default instance: new arrays out.) */
export const broadcastRows: RlAdvantage["broadcastRows"] = (a) => instance().broadcastRows(a as never);
/** Plans a zero-copy workspace (its own WebAssembly memory) for a batch shape; see {@link Workspace}. Throws `CAPACITY` past 4 GiB, `UNKNOWN_OPTION` for an unknown plan key. (Copy API on the default instance: new arrays out.) */
export const createWorkspace: RlAdvantage["createWorkspace"] = (plan) => instance().createWorkspace(plan);
/** GAE with verl's skip or OpenRLHF/TRL's through semantics, optionally whitened. verl `compute_gae_advantage_return`, OpenRLHF `get_advantages_and_returns`. (Copy API on the default instance: new arrays out.) */
export const gae: RlAdvantage["gae"] = (a) => instance().gae(a as never);
/** Discounted reward-to-go (`carry`, `through` or `reset` at masked positions). OpenRLHF `get_cumulative_returns`. (Copy API on the default instance: new arrays out.) */
export const discountedReturns: RlAdvantage["discountedReturns"] = (a) => instance().discountedReturns(a as never);
/** REINFORCE++: discounted returns, then token-weighted whitening. verl `compute_reinforce_plus_plus_outcome_advantage`. (Copy API on the default instance: new arrays out.) */
export const reinforcePP: RlAdvantage["reinforcePP"] = (a) => instance().reinforcePP(a as never);
/** `(x - mean) * rstd` over the valid values (verl: unbiased, eps in the sqrt; OpenRLHF: biased, `max(var, eps)`); `moments` for data-parallel whitening. verl `masked_whiten`. (Copy API on the default instance: new arrays out.) */
export const maskedWhiten: RlAdvantage["maskedWhiten"] = (a) => instance().maskedWhiten(a as never);
/** Sum of the valid values: one number, or one per row (`axis: "row"`). verl `masked_sum`. (Copy API on the default instance: new arrays out.) */
export const maskedSum: RlAdvantage["maskedSum"] = (a: T.MaskedStatArgs) => instance().maskedSum(a) as never;
/** Mean of the valid values: one number, or one per row (`axis: "row"`). verl `masked_mean`. (Copy API on the default instance: new arrays out.) */
export const maskedMean: RlAdvantage["maskedMean"] = (a: T.MaskedStatArgs) => instance().maskedMean(a) as never;
/** Variance of the valid values (unbiased by default). verl `masked_var`. (Copy API on the default instance: new arrays out.) */
export const maskedVar: RlAdvantage["maskedVar"] = (a) => instance().maskedVar(a as never);
/** The local moment record `[count, mean, M2]` of the valid values, to merge across ranks with `mergeMoments`. (Copy API on the default instance: new arrays out.) */
export const moments: RlAdvantage["moments"] = (a) => instance().moments(a as never);
export { mergeMoments, finalizeMoments, clipStepRewards, deltaStepRewards, igpoTurnRewards, stepsFromMask, canonicalizeGroups, lgamma } from "./standalone.js";
/** Per-token KL: k1, abs, k2, k3 (and `+` names) with the verl, all10 or none clamps. verl `kl_penalty`, OpenRLHF `compute_approx_kl`. (Copy API on the default instance: new arrays out.) */
export const klPenalty: RlAdvantage["klPenalty"] = (a) => instance().klPenalty(a as never);
/** KL in the reward: verl `apply_kl_penalty` (tokenRewards = scores - klCoef * kl) or OpenRLHF `compute_reward`. (Copy API on the default instance: new arrays out.) */
export const klInReward: RlAdvantage["klInReward"] = (a: T.KlInRewardArgs) => instance().klInReward(a) as never;
export { KlController, parseEstimator } from "./token/kl.js";
/** PURE: `tanh((l1 - l0) / 2)` from the PRM's two logits per step. (Copy API on the default instance: new arrays out.) */
export const prmStepReward: RlAdvantage["prmStepReward"] = (a) => instance().prmStepReward(a as never);
/** PURE's approximate min-form: softmin weighting of each row's step rewards. (Copy API on the default instance: new arrays out.) */
export const softminStepRewards: RlAdvantage["softminStepRewards"] = (a) => instance().softminStepRewards(a as never);
/** PURE's strict min-form returns (`steps`, or `verlCompat` for PURE's verl branch). (Copy API on the default instance: new arrays out.) */
export const minFormReturns: RlAdvantage["minFormReturns"] = (a) => instance().minFormReturns(a as never);
/** PURE's leave-one-out baselines (`token`, `step`, `return`). (Copy API on the default instance: new arrays out.) */
export const pureRlooBaseline: RlAdvantage["pureRlooBaseline"] = (a) => instance().pureRlooBaseline(a as never);
/** PURE's verifiable reward `coef (v_i - mean of the others)`, `v = solved - 1`. (Copy API on the default instance: new arrays out.) */
export const pureVerifiableReward: RlAdvantage["pureVerifiableReward"] = (a) => instance().pureVerifiableReward(a as never);
/** A copy of the values with every step end set to 0. (Copy API on the default instance: new arrays out.) */
export const zeroStepEnds: RlAdvantage["zeroStepEnds"] = (a) => instance().zeroStepEnds(a as never);
/** Best-of-N reranking: K heads combined (weighted sum, log-sigmoid, PAR), stable top-k per prompt. (Copy API on the default instance: new arrays out.) */
export const rerank: RlAdvantage["rerank"] = (a) => instance().rerank(a);
export type { RerankArgs, RerankResult } from "./token/rerank.js";
/** PAR's reward shaping pipeline (PAR, centered, sgfc, meanstd, clipping, minmax, tanh, LSC, ceiling, length penalty). PorUna-byte/PAR `RewardShaper.shaped_reward`. (Copy API on the default instance: new arrays out.) */
export const parShape: RlAdvantage["parShape"] = (a) => instance().parShape(a);
/** LSC, the log-sigmoid-centred transform `logσ(r - refReward)`. (Copy API on the default instance: new arrays out.) */
export const lscTransform: RlAdvantage["lscTransform"] = (a) => instance().lscTransform(a);
/** LSC combination of K reward heads (a logical AND of "good on every head"). (Copy API on the default instance: new arrays out.) */
export const lscCombine: RlAdvantage["lscCombine"] = (a) => instance().lscCombine(a);
/** Kimi k1.5 length reward, as in hkust-nlp/Laser `compute_kimi_penalty`. (Copy API on the default instance: new arrays out.) */
export const kimiLengthReward: RlAdvantage["kimiLengthReward"] = (a) => instance().kimiLengthReward(a);
/** LASER / LASER-D / LASER-DE length rewards, hkust-nlp/Laser `length_penalty.py`. (Copy API on the default instance: new arrays out.) */
export const laserReward: RlAdvantage["laserReward"] = (a) => instance().laserReward(a);
/** HAPO history-aware length reward (HCY123902/HAPO). (Copy API on the default instance: new arrays out.) */
export const hapoLengthReward: RlAdvantage["hapoLengthReward"] = (a) => instance().hapoLengthReward(a);
/** DAPO's overlong penalty, OpenRLHF `apply_overlong_penalty`. (Copy API on the default instance: new arrays out.) */
export const overlongPenalty: RlAdvantage["overlongPenalty"] = (a) => instance().overlongPenalty(a);
/** ProRL's stop-properly penalty, OpenRLHF `apply_stop_properly_penalty`. (Copy API on the default instance: new arrays out.) */
export const stopProperlyPenalty: RlAdvantage["stopProperlyPenalty"] = (a) => instance().stopProperlyPenalty(a);
/** GUI-G² Gaussian point and coverage rewards (ZJU-REAL/GUI-G2). (Copy API on the default instance: new arrays out.) */
export const guiG2Reward: RlAdvantage["guiG2Reward"] = (a) => instance().guiG2Reward(a);
/** BCO pair loss with its running shift, TRL `DPOTrainer` loss `bco_pair`. (Copy API on the default instance: new arrays out.) */
export const bcoPairLoss: RlAdvantage["bcoPairLoss"] = (a) => instance().bcoPairLoss(a);
/** DRPO's per-sequence gradient coefficients, Optimization-AI/DRPO `compute_policy_loss_drpo`. (Copy API on the default instance: new arrays out.) */
export const drpoCoefficients: RlAdvantage["drpoCoefficients"] = (a) => instance().drpoCoefficients(a);
/** CANON advantages (entropy or length split), biuboomc/CANON. (Copy API on the default instance: new arrays out.) */
export const canon: RlAdvantage["canon"] = (a) => instance().canon(a);
/** GRPO-λ (provisional), arXiv 2505.18086. (Copy API on the default instance: new arrays out.) */
export const grpoLambda: RlAdvantage["grpoLambda"] = (a) => instance().grpoLambda(a);
/** VeRPO dense test rewards (provisional), arXiv 2601.03525. (Copy API on the default instance: new arrays out.) */
export const verpoReward: RlAdvantage["verpoReward"] = (a) => instance().verpoReward(a);
/** O1-pruner length reward, SAR's `compute_score_o1p`. (Copy API on the default instance: new arrays out.) */
export const o1PrunerReward: RlAdvantage["o1PrunerReward"] = (a) => instance().o1PrunerReward(a);
/** ER length reward, SAR's `compute_score_er`. (Copy API on the default instance: new arrays out.) */
export const erLengthReward: RlAdvantage["erLengthReward"] = (a) => instance().erLengthReward(a);
/** ROVER Q-values and regression targets, yuxiaooye/ROVER `DataParallelROVERActor.update_policy`. (Copy API on the default instance: new arrays out.) */
export const roverTargets: RlAdvantage["roverTargets"] = (a) => instance().roverTargets(a);
/** G-RA gated reward accumulation (provisional), arXiv 2508.10548. (Copy API on the default instance: new arrays out.) */
export const gatedRewards: RlAdvantage["gatedRewards"] = (a) => instance().gatedRewards(a);
export type { ShaperGroups, DrpoArgs, CanonArgs, GrpoLambdaArgs, GrpoLambdaResult, VerpoArgs, VerpoResult, O1PrunerArgs, ErLengthArgs } from "./shape/group.js";
export type { ShaperLayout, RoverArgs, RoverResult, GatedArgs, GatedResult } from "./shape/rover.js";
export { RunningStats, type RunningStatsJSON } from "./shape/running-stats.js";
export { HapoHistory, laserTargetLengths, type HapoHistoryJSON, type HapoArgs, type HapoResult, type KimiLengthArgs, type KimiLengthResult, type LaserArgs, type LaserResult, type LaserTargetArgs, type BandTargets, type LaserBaseScores, type OverlongArgs, type StopProperlyArgs } from "./shape/length.js";
export { BcoShift, type BcoShiftJSON, type BcoArgs, type BcoResult } from "./shape/bco.js";
export type { ParShapeArgs, LscTransformArgs, LscCombineArgs } from "./shape/par.js";
export type { Refs, RefsCsr, RefsUniform } from "./shape/refs.js";
export type { GuiG2Args, GuiG2Result } from "./shape/guig2.js";
export { phiInv } from "./core/math.js";
/** Loss aggregation with verl's newest `agg_loss` semantics (token-mean, seq-mean-token-sum(-norm), seq-mean-token-mean, ...). (Copy API on the default instance: new arrays out.) */
export const aggLoss: RlAdvantage["aggLoss"] = (a) => instance().aggLoss(a);
export type { AggLossArgs, LossAggMode } from "./token/agg-loss.js";
/** Each row's score on its last valid token (or explicit positions), +0 elsewhere. verl reward managers, OpenRLHF `compute_reward`. (Copy API on the default instance: new arrays out.) */
export const placeScores: RlAdvantage["placeScores"] = (a) => instance().placeScores(a);
export type { PlaceScoresArgs } from "./token/place-scores.js";
/** PRIME implicit process rewards `beta (logpRm - logpRef)` per token or whole. PRIME-RL/PRIME. (Copy API on the default instance: new arrays out.) */
export const primeImplicitReward: RlAdvantage["primeImplicitReward"] = (a) => instance().primeImplicitReward(a as never);
/** PRIME batch normalisation: divide by the largest |reverse cumulative sum| + 1e-6. (Copy API on the default instance: new arrays out.) */
export const primeBatchNorm: RlAdvantage["primeBatchNorm"] = (a) => instance().primeBatchNorm(a as never);
/** PRIME advantages: per-source leave-one-out, discounted returns, whitening. (Copy API on the default instance: new arrays out.) */
export const primeAdvantage: RlAdvantage["primeAdvantage"] = (a) => instance().primeAdvantage(a as never);
/** Likelihood rewards from answer-token log-probs: sum, prob, avgProb (mean is provisional). (Copy API on the default instance: new arrays out.) */
export const likelihoodReward: RlAdvantage["likelihoodReward"] = (a) => instance().likelihoodReward(a as never);
/** SAR: the self-aligned reward from the perplexities with and without the query. (Copy API on the default instance: new arrays out.) */
export const selfAlignedReward: RlAdvantage["selfAlignedReward"] = (a) => instance().selfAlignedReward(a as never);
/** TGDPO token weights, the pair margin z and the sigmoid loss. (Copy API on the default instance: new arrays out.) */
export const tgdpo: RlAdvantage["tgdpo"] = (a) => instance().tgdpo(a as never);
export type { IgpoArgs } from "./scan/turns.js";
/** IGPO advantages: pooled normalisation of turn rewards, a discounted scan over turns, broadcast to each turn's tokens. (Copy API on the default instance: new arrays out.) */
export const igpoAdvantage: RlAdvantage["igpoAdvantage"] = (a) => instance().igpoAdvantage(a);

export { RlAdvantage, create, createSync };
export { simdSupported, type BuildName, type LoadOptions, Engine, MEMORY_LIMIT } from "./core/engine.js";
export type { CanonicalGroups } from "./core/groups.js";
export { RlaRangeError, RlaTypeError, isRlaError, type RlaErrorCode } from "./core/errors.js";
export { PRESETS, type Preset, type Knobs } from "./core/options.js";
export { Workspace, type WorkspacePlan, type WsResult, type WsCall, type WsMinFormResult, type WsMinFormDiagnostics, type WsRerankResult, type WsShaperCall } from "./workspace.js";
export type * from "./types.js";
