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

export const grpo: RlAdvantage["grpo"] = (a) => instance().grpo(a as never);
export const drGrpo: RlAdvantage["drGrpo"] = (a) => instance().drGrpo(a as never);
export const rloo: RlAdvantage["rloo"] = (a) => instance().rloo(a as never);
export const reinforcePPBaseline: RlAdvantage["reinforcePPBaseline"] = (a) => instance().reinforcePPBaseline(a as never);
export const remax: RlAdvantage["remax"] = (a) => instance().remax(a as never);
export const opo: RlAdvantage["opo"] = (a) => instance().opo(a as never);
export const gpg: RlAdvantage["gpg"] = (a) => instance().gpg(a as never);
export const grpoPassK: RlAdvantage["grpoPassK"] = (a) => instance().grpoPassK(a as never);
export const bnpo: RlAdvantage["bnpo"] = (a) => instance().bnpo(a as never);
export const dler: RlAdvantage["dler"] = (a) => instance().dler(a as never);
export const trlGroupAdvantage: RlAdvantage["trlGroupAdvantage"] = (a) => instance().trlGroupAdvantage(a as never);
export const openrlhfOutcome: RlAdvantage["openrlhfOutcome"] = (a) => instance().openrlhfOutcome(a as never);
export const groupStats: RlAdvantage["groupStats"] = (a) => instance().groupStats(a as never);
export const rowScores: RlAdvantage["rowScores"] = (a) => instance().rowScores(a as never);
export const broadcastRows: RlAdvantage["broadcastRows"] = (a) => instance().broadcastRows(a as never);
export const createWorkspace: RlAdvantage["createWorkspace"] = (plan) => instance().createWorkspace(plan);
export const gae: RlAdvantage["gae"] = (a) => instance().gae(a as never);
export const discountedReturns: RlAdvantage["discountedReturns"] = (a) => instance().discountedReturns(a as never);
export const reinforcePP: RlAdvantage["reinforcePP"] = (a) => instance().reinforcePP(a as never);
export const maskedWhiten: RlAdvantage["maskedWhiten"] = (a) => instance().maskedWhiten(a as never);
export const maskedSum: RlAdvantage["maskedSum"] = (a: T.MaskedStatArgs) => instance().maskedSum(a) as never;
export const maskedMean: RlAdvantage["maskedMean"] = (a: T.MaskedStatArgs) => instance().maskedMean(a) as never;
export const maskedVar: RlAdvantage["maskedVar"] = (a) => instance().maskedVar(a as never);
export const moments: RlAdvantage["moments"] = (a) => instance().moments(a as never);
export { mergeMoments, finalizeMoments, clipStepRewards, deltaStepRewards, igpoTurnRewards, stepsFromMask, canonicalizeGroups, lgamma } from "./standalone.js";
export const klPenalty: RlAdvantage["klPenalty"] = (a) => instance().klPenalty(a as never);
export const klInReward: RlAdvantage["klInReward"] = (a) => instance().klInReward(a as never);
export { KlController, parseEstimator } from "./token/kl.js";
export const prmStepReward: RlAdvantage["prmStepReward"] = (a) => instance().prmStepReward(a as never);
export const softminStepRewards: RlAdvantage["softminStepRewards"] = (a) => instance().softminStepRewards(a as never);
export const minFormReturns: RlAdvantage["minFormReturns"] = (a) => instance().minFormReturns(a as never);
export const pureRlooBaseline: RlAdvantage["pureRlooBaseline"] = (a) => instance().pureRlooBaseline(a as never);
export const pureVerifiableReward: RlAdvantage["pureVerifiableReward"] = (a) => instance().pureVerifiableReward(a as never);
export const zeroStepEnds: RlAdvantage["zeroStepEnds"] = (a) => instance().zeroStepEnds(a as never);
export const rerank = (a: import("./token/rerank.js").RerankArgs) => instance().rerank(a);
export type { RerankArgs, RerankResult } from "./token/rerank.js";
export const aggLoss = (a: import("./token/agg-loss.js").AggLossArgs) => instance().aggLoss(a);
export type { AggLossArgs, LossAggMode } from "./token/agg-loss.js";
export const placeScores = (a: import("./token/place-scores.js").PlaceScoresArgs) => instance().placeScores(a);
export type { PlaceScoresArgs } from "./token/place-scores.js";
export const primeImplicitReward: RlAdvantage["primeImplicitReward"] = (a) => instance().primeImplicitReward(a as never);
export const primeBatchNorm: RlAdvantage["primeBatchNorm"] = (a) => instance().primeBatchNorm(a as never);
export const primeAdvantage: RlAdvantage["primeAdvantage"] = (a) => instance().primeAdvantage(a as never);
export const likelihoodReward: RlAdvantage["likelihoodReward"] = (a) => instance().likelihoodReward(a as never);
export const selfAlignedReward: RlAdvantage["selfAlignedReward"] = (a) => instance().selfAlignedReward(a as never);
export const tgdpo: RlAdvantage["tgdpo"] = (a) => instance().tgdpo(a as never);
export type { IgpoArgs } from "./scan/turns.js";
export const igpoAdvantage = (a: import("./scan/turns.js").IgpoArgs) => instance().igpoAdvantage(a);

export { RlAdvantage, create, createSync };
export { simdSupported, type BuildName, type LoadOptions, Engine, MEMORY_LIMIT } from "./core/engine.js";
export type { CanonicalGroups } from "./core/groups.js";
export { RlaRangeError, RlaTypeError, isRlaError, type RlaErrorCode } from "./core/errors.js";
export { PRESETS, type Preset, type Knobs } from "./core/options.js";
export { Workspace, type WorkspacePlan, type WsResult, type WsCall } from "./workspace.js";
export type * from "./types.js";
