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

export const grpo = (a: T.GrpoArgs) => instance().grpo(a);
export const drGrpo = (a: Omit<T.GrpoArgs, "normalizeByStd">) => instance().drGrpo(a);
export const rloo = (a: T.RlooArgs) => instance().rloo(a);
export const reinforcePPBaseline = (a: T.RfppbArgs) => instance().reinforcePPBaseline(a);
export const remax = (a: T.RemaxArgs) => instance().remax(a);
export const opo = (a: T.OpoArgs) => instance().opo(a);
export const gpg = (a: T.GpgArgs) => instance().gpg(a);
export const grpoPassK = (a: T.PassKArgs) => instance().grpoPassK(a);
export const bnpo = (a: T.BnpoArgs) => instance().bnpo(a);
export const dler = (a: T.DlerArgs) => instance().dler(a);
export const trlGroupAdvantage = (a: T.TrlArgs) => instance().trlGroupAdvantage(a);
export const openrlhfOutcome = (a: T.OrlArgs) => instance().openrlhfOutcome(a);
export const groupStats = (a: T.GroupStatsArgs) => instance().groupStats(a);
export const rowScores = (a: T.RowScoresArgs) => instance().rowScores(a);
export const broadcastRows = (a: T.BroadcastArgs) => instance().broadcastRows(a);
export const createWorkspace = (plan: WorkspacePlan) => instance().createWorkspace(plan);
export const gae = (a: T.GaeArgs) => instance().gae(a);
export const discountedReturns = (a: T.ReturnsArgs) => instance().discountedReturns(a);
export const reinforcePP = (a: T.ReinforcePPArgs) => instance().reinforcePP(a);
export const maskedWhiten = (a: T.MaskedWhitenArgs) => instance().maskedWhiten(a);
export const maskedSum = (a: T.MaskedStatArgs) => instance().maskedSum(a);
export const maskedMean = (a: T.MaskedStatArgs) => instance().maskedMean(a);
export const maskedVar = (a: T.MaskedVarArgs) => instance().maskedVar(a);
export const moments = (a: T.MomentsArgs) => instance().moments(a);
export { mergeMoments, finalizeMoments, clipStepRewards, deltaStepRewards, igpoTurnRewards, stepsFromMask, canonicalizeGroups, lgamma } from "./standalone.js";
export const klPenalty = (a: T.KlPenaltyArgs) => instance().klPenalty(a);
export const klInReward = (a: T.KlInRewardArgs) => instance().klInReward(a);
export { KlController, parseEstimator } from "./token/kl.js";
export const prmStepReward = (a: { logit0: Float32Array; logit1: Float32Array }) => instance().prmStepReward(a);
export const softminStepRewards = (a: T.SoftminArgs) => instance().softminStepRewards(a);
export const minFormReturns = (a: T.MinFormArgs) => instance().minFormReturns(a);
export const pureRlooBaseline = (a: T.PureRlooArgs) => instance().pureRlooBaseline(a);
export const pureVerifiableReward = (a: T.PureVerifiableArgs) => instance().pureVerifiableReward(a);
export const zeroStepEnds = (a: T.ZeroStepEndsArgs) => instance().zeroStepEnds(a);
export const rerank = (a: import("./token/rerank.js").RerankArgs) => instance().rerank(a);
export type { RerankArgs, RerankResult } from "./token/rerank.js";
export const aggLoss = (a: import("./token/agg-loss.js").AggLossArgs) => instance().aggLoss(a);
export type { AggLossArgs, LossAggMode } from "./token/agg-loss.js";
export const placeScores = (a: import("./token/place-scores.js").PlaceScoresArgs) => instance().placeScores(a);
export type { PlaceScoresArgs } from "./token/place-scores.js";
export const primeImplicitReward = (a: Record<string, unknown>) => instance().primeImplicitReward(a);
export const primeBatchNorm = (a: Record<string, unknown>) => instance().primeBatchNorm(a);
export const primeAdvantage = (a: Record<string, unknown>) => instance().primeAdvantage(a);
export const likelihoodReward = (a: Record<string, unknown>) => instance().likelihoodReward(a);
export const selfAlignedReward = (a: Record<string, unknown>) => instance().selfAlignedReward(a);
export const tgdpo = (a: Record<string, unknown>) => instance().tgdpo(a);
export type { IgpoArgs } from "./scan/turns.js";
export const igpoAdvantage = (a: import("./scan/turns.js").IgpoArgs) => instance().igpoAdvantage(a);

export { RlAdvantage, create, createSync };
export { simdSupported, type BuildName, type LoadOptions, Engine, MEMORY_LIMIT } from "./core/engine.js";
export type { CanonicalGroups } from "./core/groups.js";
export { RlaRangeError, RlaTypeError, isRlaError, type RlaErrorCode } from "./core/errors.js";
export { PRESETS, type Preset, type Knobs } from "./core/options.js";
export { Workspace, type WorkspacePlan, type WsResult, type WsCall } from "./workspace.js";
export type * from "./types.js";
