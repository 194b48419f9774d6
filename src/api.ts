// The copy API: plain typed arrays in, new typed arrays out. Cost per call: every input that does
// not already live in WebAssembly memory is copied in once (bytes = its byteLength), and every
// output is copied out once (4 bytes per row or token). For a [B,T] batch with a byte mask that
// is about 9*B*T bytes moved on top of the kernel itself; the workspace API moves none of them.
import { Engine, load, loadSync, type LoadOptions } from "./engine.js";
import { broadcast, HeapScratch, type Scratch } from "./bind.js";
import { rangeError } from "./errors.js";
import { canonicalizeGroups } from "./groups.js";
import {
  runBnpo, runDler, runGpg, runGrpo, runGrpoPassK, runOpenrlhfOutcome, runOpo, runReinforcePPBaseline, runRemax, runRloo,
  runTrl, type Ran,
} from "./estimators.js";
import { groupStatsRun, rowScoresRun, broadcastRowsRun, type GroupStatsResult } from "./basics.js";
import type * as T from "./types.js";
import { Workspace, type WorkspacePlan } from "./workspace.js";
import { KlController, runKlInReward, runKlPenalty, type KlRewardDiagnostics } from "./kl.js";
import { aggLossRun, type AggLossArgs } from "./aggloss.js";
import { placeScoresRun, type PlaceScoresArgs } from "./place.js";
import { clipStepRewards, deltaStepRewards, igpoAdvantageRun, igpoTurnRewards, type IgpoArgs } from "./turns.js";
import { likelihoodRun, sarRun, tgdpoRun, type TgdpoResult } from "./likelihood.js";
import { primeAdvantageRun, primeBatchNormRun, primeImplicitRun } from "./prime.js";
import { rerankRun, type RerankArgs, type RerankResult } from "./rerank.js";
import { minFormRun, prmStepRewardRun, pureRlooRun, pureVerifiableRun, softminRun, stepsFromMask, zeroStepEndsRun, type MinFormResult } from "./pure.js";
import {
  finalizeMoments, maskedSumMean, maskedVarRun, mergeMoments, momentsRun, runDiscountedReturns, runGae, runMaskedWhiten,
  runReinforcePP, type GaeDiagnostics, type TokenRan,
} from "./scans.js";

export class RlAdvantage {
  constructor(readonly engine: Engine) {}

  /** "simd" or "scalar": the build this instance runs. */
  get build(): "simd" | "scalar" { return this.engine.build; }

  private call<R>(fn: (s: Scratch) => R): R {
    const s = new HeapScratch(this.engine);
    try { return fn(s); } finally { s.release(); }
  }

  private finish<D>(s: Scratch, ran: Ran<D>): T.OutcomeResult<D> {
    const e = this.engine, { rows } = ran;
    const rowAdvantages = e.f32(ran.row, rows.B).slice();
    if (!rows.hasTokens) return { rowAdvantages, diagnostics: ran.diagnostics };
    const adv = s.alloc(rows.N * 4);
    const ret = ran.distinctReturns ? s.alloc(rows.N * 4) : adv;
    if (ran.tokens === "broadcast") broadcast(e, rows, ran.row, adv);
    else ran.tokens({ advantages: adv, returns: ret });
    const advantages = e.f32(adv, rows.N).slice();
    const returns = ran.distinctReturns ? e.f32(ret, rows.N).slice() : advantages;
    const res: T.OutcomeResult<D> = { rowAdvantages, advantages, returns, diagnostics: ran.diagnostics };
    if (ran.extra?.shapedRewards !== undefined) (res as any).shapedRewards = e.f32(ran.extra.shapedRewards as number, rows.B).slice();
    return res;
  }

  /** GRPO and Dr.GRPO (`normalizeByStd: false`), group.md §2. */
  grpo(args: T.GrpoArgs): T.OutcomeResult<T.GroupDiagnostics> { return this.call((s) => this.finish(s, runGrpo(this.engine, s, args as any))); }
  /** Dr.GRPO: GRPO without the std division. */
  drGrpo(args: Omit<T.GrpoArgs, "normalizeByStd">): T.OutcomeResult<T.GroupDiagnostics> { return this.grpo({ ...args, normalizeByStd: false }); }
  /** RLOO, group.md §4. */
  rloo(args: T.RlooArgs): T.OutcomeResult<T.GroupDiagnostics> { return this.call((s) => this.finish(s, runRloo(this.engine, s, args as any))); }
  /** REINFORCE++-baseline: group-mean baseline then token-weighted batch whitening, group.md §5. */
  reinforcePPBaseline(args: T.RfppbArgs): T.OutcomeResult<T.WhitenedDiagnostics> { return this.call((s) => this.finish(s, runReinforcePPBaseline(this.engine, s, args as any))); }
  /** ReMax, group.md §6. */
  remax(args: T.RemaxArgs): T.TokenResult<{ emptyRows: number }> { return this.call((s) => this.finish(s, runRemax(this.engine, s, args as any))) as T.TokenResult<{ emptyRows: number }>; }
  /** OPO (length-weighted group baseline), group.md §7. */
  opo(args: T.OpoArgs): T.OutcomeResult<T.GroupDiagnostics> { return this.call((s) => this.finish(s, runOpo(this.engine, s, args as any))); }
  /** GPG, group.md §8. */
  gpg(args: T.GpgArgs): T.OutcomeResult<T.GroupDiagnostics & { alpha: number; nonZero: number }> { return this.call((s) => this.finish(s, runGpg(this.engine, s, args as any))); }
  /** GRPO Pass@k, group.md §9. */
  grpoPassK(args: T.PassKArgs): T.OutcomeResult<T.GroupDiagnostics> { return this.call((s) => this.finish(s, runGrpoPassK(this.engine, s, args as any))); }
  /** BNPO, with advantage decomposition over `components`, group.md §10. */
  bnpo(args: T.BnpoArgs): T.OutcomeResult<T.BnpoResultDiagnostics> { return this.call((s) => this.finish(s, runBnpo(this.engine, s, args as any))); }
  /** DLER: explicit truncation penalty, then REINFORCE++-baseline, group.md §13. */
  dler(args: T.DlerArgs): T.OutcomeResult<T.WhitenedDiagnostics & { truncatedRows: number }> { return this.call((s) => this.finish(s, runDler(this.engine, s, args as any))); }
  /** TRL GRPOTrainer advantages with K reward functions and NaN = None, group.md §3. */
  trlGroupAdvantage(args: T.TrlArgs): T.OutcomeResult<T.GroupDiagnostics & { unscorableRows: number }> { return this.call((s) => this.finish(s, runTrl(this.engine, s, args as any))); }
  /** OpenRLHF compute_advantages_and_returns for its outcome estimators, group.md §11. */
  openrlhfOutcome(args: T.OrlArgs): T.TokenResult<T.OrlDiagnostics> & { shapedRewards: Float32Array } {
    return this.call((s) => this.finish(s, runOpenrlhfOutcome(this.engine, s, args as any))) as any;
  }

  private finishTokens<D>(s: Scratch, ran: TokenRan<D>): { advantages: Float32Array; returns: Float32Array; diagnostics: D } {
    const e = this.engine, N = ran.rows.N;
    const adv = s.alloc(N * 4), ret = ran.distinctReturns ? s.alloc(N * 4) : adv;
    ran.write({ advantages: adv, returns: ret });
    const advantages = e.f32(adv, N).slice();
    return { advantages, returns: ran.distinctReturns ? e.f32(ret, N).slice() : advantages, diagnostics: ran.diagnostics };
  }

  /** GAE with verl's skip or OpenRLHF's through semantics, optionally whitened (scan.md §6). */
  gae(args: T.GaeArgs): { advantages: Float32Array; returns: Float32Array; diagnostics: GaeDiagnostics } { return this.call((s) => this.finishTokens(s, runGae(this.engine, s, args as any))); }
  /** Discounted returns: carry (verl), through (OpenRLHF) or reset (old verl) (scan.md §4). */
  discountedReturns(args: T.ReturnsArgs): Float32Array { return this.call((s) => this.finishTokens(s, runDiscountedReturns(this.engine, s, args as any)).returns); }
  /** REINFORCE++: discounted returns, then token-weighted batch whitening (scan.md §4). */
  reinforcePP(args: T.ReinforcePPArgs): { advantages: Float32Array; returns: Float32Array; diagnostics: GaeDiagnostics } { return this.call((s) => this.finishTokens(s, runReinforcePP(this.engine, s, args as any))); }
  /** (x - mean) * rstd over the valid values; +0 elsewhere. Pass merged `moments` for data-parallel whitening. */
  maskedWhiten(args: T.MaskedWhitenArgs): Float32Array { return this.call((s) => this.finishTokens(s, runMaskedWhiten(this.engine, s, args as any)).advantages); }
  maskedSum(args: T.MaskedStatArgs): Float32Array | number { return this.call((s) => maskedSumMean(this.engine, s, args as any, "sum")); }
  maskedMean(args: T.MaskedStatArgs): Float32Array | number { return this.call((s) => maskedSumMean(this.engine, s, args as any, "mean")); }
  maskedVar(args: T.MaskedVarArgs): number { return this.call((s) => maskedVarRun(this.engine, s, args as any)); }
  /** Local moment record [count, mean, M2] of the valid values (scan.md §5). */
  moments(args: T.MomentsArgs): Float64Array { return this.call((s) => momentsRun(this.engine, s, args as any)); }
  mergeMoments = mergeMoments;
  finalizeMoments = finalizeMoments;

  /** KL estimators k1, abs, k2, k3 (and "+" names) with the verl, all10 or none clamps (token.md §3). */
  klPenalty(args: T.KlPenaltyArgs): Float32Array { return this.call((s) => this.finishTokens(s, runKlPenalty(this.engine, s, args as any)).advantages); }
  /** KL in the reward: verl apply_kl_penalty or OpenRLHF compute_reward (token.md §4). */
  klInReward(args: T.KlInRewardArgs): { tokenRewards: Float32Array; kl?: Float32Array; currentKl?: number; diagnostics: KlRewardDiagnostics } {
    return this.call((s) => {
      const ran = runKlInReward(this.engine, s, args as any);
      const e = this.engine, N = ran.rows.N;
      const rw = s.alloc(N * 4), kl = ran.diagnostics.mode === "verl" ? s.alloc(N * 4) : 0;
      ran.write({ advantages: rw, returns: kl });
      const out: { tokenRewards: Float32Array; kl?: Float32Array; currentKl?: number; diagnostics: KlRewardDiagnostics } = { tokenRewards: e.f32(rw, N).slice(), diagnostics: ran.diagnostics };
      if (kl) { out.kl = e.f32(kl, N).slice(); out.currentKl = ran.diagnostics.currentKl!; }
      return out;
    });
  }
  KlController = KlController;

  /** PURE (scan.md §7): r_k = tanh((l1 - l0)/2) from the PRM's two logits. */
  prmStepReward(args: { logit0: Float32Array; logit1: Float32Array }): Float32Array { return this.call((s) => prmStepRewardRun(this.engine, s, args)); }
  /** Softmin ("approximate min-form") transform, CSR steps or token form with a step-end mask. */
  softminStepRewards(args: T.SoftminArgs): Float32Array { return this.call((s) => softminRun(this.engine, s, args as any)); }
  /** Strict min-form returns: "steps" (the paper) or "verlCompat" (PURE's verl branch). */
  minFormReturns(args: T.MinFormArgs): MinFormResult { return this.call((s) => minFormRun(this.engine, s, args as any)); }
  /** PURE leave-one-out baselines: "token" and "step" (CSR step rewards) or "return" (token returns). */
  pureRlooBaseline(args: T.PureRlooArgs): Float32Array { return this.call((s) => pureRlooRun(this.engine, s, args as any)); }
  /** PURE's verifiable reward coef * (v_i - mean of the others), v = solved - 1. */
  pureVerifiableReward(args: T.PureVerifiableArgs): Float32Array { return this.call((s) => pureVerifiableRun(this.engine, s, args as any)); }
  /** Zeroes the values at every step end (a new array). */
  zeroStepEnds(args: T.ZeroStepEndsArgs): Float32Array { return this.call((s) => zeroStepEndsRun(this.engine, s, args as any)); }
  stepsFromMask = stepsFromMask;

  /** The score on the last valid token (or explicit positions); empty rows per emptyRow (token.md §2). */
  placeScores(args: PlaceScoresArgs): { tokenScores: Float32Array; diagnostics: { skippedRows: number } } { return this.call((s) => placeScoresRun(this.engine, s, args)); }
  /** PRIME: q = logpRm - logpRef on valid tokens, rm = beta*q (token or whole granularity) (token.md §6). */
  primeImplicitReward(args: Record<string, unknown>): { processRewards: Float32Array; q: Float32Array } { return this.call((s) => primeImplicitRun(this.engine, s, args)); }
  /** PRIME batch normalisation: x / (max |reverse cumsum| + 1e-6). */
  primeBatchNorm(args: Record<string, unknown>): { values: Float32Array; batchMax: number } { return this.call((s) => primeBatchNormRun(this.engine, s, args)); }
  /** PRIME advantages: per-source leave-one-out, discounted returns, whitening. */
  primeAdvantage(args: Record<string, unknown>) { return this.call((s) => primeAdvantageRun(this.engine, s, args)); }
  /** Likelihood rewards from answer-token log-probs: sum, prob, avgProb, mean (provisional) (token.md §7). */
  likelihoodReward(args: Record<string, unknown>): Float32Array { return this.call((s) => likelihoodRun(this.engine, s, args)); }
  /** SAR, the self-aligned reward from two perplexities (token.md §8). */
  selfAlignedReward(args: Record<string, unknown>): Float32Array { return this.call((s) => sarRun(this.engine, s, args)); }
  /** TGDPO token weights, z and the sigmoid loss (token.md §9). */
  tgdpo(args: Record<string, unknown>): TgdpoResult { return this.call((s) => tgdpoRun(this.engine, s, args)); }
  /** Clip for PRM step rewards (provisional): min(r - eta, 0). */
  clipStepRewards = clipStepRewards;
  /** Delta for PRM step rewards (provisional): r_k - r_{k+1}, last step "zero" or "keep". */
  deltaStepRewards = deltaStepRewards;
  /** IGPO information-gain turn rewards (scan.md §10). */
  igpoTurnRewards = igpoTurnRewards;
  /** IGPO advantages: pooled normalisation, discounted scan over turns, broadcast to the turn's tokens. */
  igpoAdvantage(args: IgpoArgs): { advantages: Float32Array; turnAdvantages: Float32Array } { return this.call((s) => igpoAdvantageRun(this.engine, s, args)); }
  /** Loss aggregation with verl's newest semantics (token.md §11). */
  aggLoss(args: AggLossArgs): number { return this.call((s) => aggLossRun(this.engine, s, args)); }
  /** Best-of-N reranking: combine K heads, top k per prompt, stable ties (shaping.md §8). */
  rerank(args: RerankArgs): RerankResult { return this.call((s) => rerankRun(this.engine, s, args)); }

  /** Per-group f64 statistics (group.md §1.2). */
  groupStats(args: T.GroupStatsArgs): GroupStatsResult { return this.call((s) => groupStatsRun(this.engine, s, args)); }
  /** Row scores from token rewards (token.md §1). */
  rowScores(args: T.RowScoresArgs): Float32Array { return this.call((s) => rowScoresRun(this.engine, s, args)); }
  /** Broadcast of row values onto the valid tokens; +0 elsewhere. */
  broadcastRows(args: T.BroadcastArgs): Float32Array { return this.call((s) => broadcastRowsRun(this.engine, s, args)); }

  canonicalizeGroups = canonicalizeGroups;

  /** A zero-copy workspace planned for a batch shape (see Workspace). */
  createWorkspace(plan: WorkspacePlan): Workspace { return new Workspace(this.engine, plan); }
}

export function createSync(opts?: LoadOptions): RlAdvantage { return new RlAdvantage(loadSync(opts)); }
export async function create(opts?: LoadOptions): Promise<RlAdvantage> { return new RlAdvantage(await load(opts)); }

export { rangeError };
