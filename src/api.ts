// The copy API: plain typed arrays in, new typed arrays out. Cost per call: every input that does
// not already live in WebAssembly memory is copied in once (bytes = its byteLength), and every
// output is copied out once (4 bytes per row or token). For a [B,T] batch with a byte mask that
// is about 9*B*T bytes moved on top of the kernel itself; the workspace API moves none of them.
import { Engine, load, loadSync, type LoadOptions } from "./core/engine.js";
import { broadcast, HeapScratch, type Scratch } from "./core/layout.js";
import { rangeError } from "./core/errors.js";
import { ownOptions } from "./core/safe.js";
import { checkResult, verifiedFinite, type ResultRules } from "./core/guard.js";
import {
  runBnpo, runDler, runGpg, runGrpo, runGrpoPassK, runOpenrlhfOutcome, runOpo, runReinforcePPBaseline, runRemax, runRloo,
  runTrl, type Ran,
} from "./group/estimators.js";
import { groupStatsRun, rowScoresRun, broadcastRowsRun, type GroupStatsResult } from "./group/building-blocks.js";
import type * as T from "./types.js";
import { Workspace, type WorkspacePlan } from "./workspace.js";
import { KlController, runKlInReward, runKlPenalty, type KlRewardDiagnostics } from "./token/kl.js";
import { aggLossRun, type AggLossArgs } from "./token/agg-loss.js";
import { placeScoresRun, type PlaceScoresArgs } from "./token/place-scores.js";
import { igpoAdvantageRun, type IgpoArgs } from "./scan/turns.js";
import { canonicalizeGroups, clipStepRewards, deltaStepRewards, finalizeMoments, igpoTurnRewards, mergeMoments, stepsFromMask } from "./standalone.js";
import { likelihoodRun, sarRun, tgdpoRun, type TgdpoResult } from "./token/likelihood.js";
import { primeAdvantageRun, primeBatchNormRun, primeImplicitRun, type PrimeDiagnostics } from "./token/prime.js";
import { rerankRun, type RerankArgs, type RerankResult } from "./token/rerank.js";
import { lscCombineRun, lscTransformRun, parShapeRun, type LscCombineArgs, type LscTransformArgs, type ParShapeArgs } from "./shape/par.js";
import {
  hapoRun, kimiLengthRun, laserRun, overlongRun, stopProperlyRun,
  type HapoArgs, type HapoResult, type KimiLengthArgs, type KimiLengthResult, type LaserArgs, type LaserResult, type OverlongArgs, type StopProperlyArgs,
} from "./shape/length.js";
import { guiG2Run, type GuiG2Args, type GuiG2Result } from "./shape/guig2.js";
import { bcoRun, type BcoArgs, type BcoResult } from "./shape/bco.js";
import {
  canonRun, drpoRun, erLengthRun, grpoLambdaRun, o1PrunerRun, verpoRun,
  type CanonArgs, type DrpoArgs, type ErLengthArgs, type GrpoLambdaArgs, type GrpoLambdaResult, type O1PrunerArgs, type VerpoArgs, type VerpoResult,
} from "./shape/group.js";
import { gatedRun, roverRun, type GatedArgs, type GatedResult, type RoverArgs, type RoverResult } from "./shape/rover.js";
import { minFormRun, prmStepRewardRun, pureRlooRun, pureVerifiableRun, softminRun, zeroStepEndsRun, type MinFormResult } from "./scan/pure.js";
import {
  maskedSumMean, maskedVarRun, momentsRun, runDiscountedReturns, runGae, runMaskedWhiten,
  runReinforcePP, type GaeDiagnostics,
} from "./scan/returns.js";
import type { TokenRan } from "./core/outcome.js";

/**
 * Memory the copy API keeps between calls. A call that needed more leaves its engine to the
 * garbage collector and the next call starts a fresh one, so one large call does not pin
 * gigabytes for the rest of the process.
 */
const COPY_MEMORY_KEPT = 256 * 2 ** 20;

/**
 * The copy API on one build: every method takes plain typed arrays and returns new ones, and
 * `createWorkspace` plans a zero-copy workspace. `createSync()` / `create()` make one; the
 * module-level functions run on a default instance.
 */
export class RlAdvantage {
  private copyEngine: Engine;
  /** Wraps a loaded engine (normally through `createSync()` or `create()`). */
  constructor(engine: Engine) { this.copyEngine = engine; }

  /**
   * The copy API's private engine (instance and memory). No workspace lives in it: each workspace
   * owns an engine of its own, so a copy-API call can never detach or write a workspace's views.
   */
  get engine(): Engine { return this.copyEngine; }

  /** "simd" or "scalar": the build this instance runs. */
  get build(): "simd" | "scalar" { return this.copyEngine.build; }

  // Every copy-API call: a snapshot of the argument object (own keys, each read once), scratch
  // memory released at the end, and the engine replaced when the call left it large.
  private call<R>(args: unknown, fn: (s: Scratch, e: Engine, a: any) => R, rules?: ResultRules): R {
    const a = ownOptions(args, "args");
    const e = this.copyEngine;
    const s = new HeapScratch(e);
    try {
      const r = fn(s, e, a);
      checkResult("this call", r, rules ?? { allowNaN: a.nanAsMissing === true || (a.nanAsMissing === undefined && a.preset === "trl") });
      return r;
    } finally {
      s.release();
      if (e.heap.bytesTotal > COPY_MEMORY_KEPT) this.copyEngine = e.spawn();
    }
  }

  // Copies a token output out of the engine; when the wasm scan finds it finite (the usual case)
  // it is marked so the result check does not scan it again in JS.
  private out(e: Engine, ptr: number, n: number): Float32Array {
    const a = e.f32(ptr, n).slice();
    if (e.exports.first_nonfinite_f32(ptr, n) < 0) verifiedFinite.add(a);
    return a;
  }

  private finish<D>(e: Engine, s: Scratch, ran: Ran<D>): T.OutcomeResult<D> {
    const { rows } = ran;
    const rowAdvantages = e.f32(ran.row, rows.B).slice();
    if (!rows.hasTokens) return { rowAdvantages, diagnostics: ran.diagnostics };
    const adv = s.alloc(rows.N * 4);
    const ret = ran.distinctReturns ? s.alloc(rows.N * 4) : adv;
    if (ran.tokens === "broadcast") broadcast(e, rows, ran.row, adv);
    else ran.tokens({ advantages: adv, returns: ret });
    const advantages = this.out(e, adv, rows.N);
    const returns = ran.distinctReturns ? this.out(e, ret, rows.N) : advantages;
    const res: T.OutcomeResult<D> = { rowAdvantages, advantages, returns, diagnostics: ran.diagnostics };
    if (ran.extra?.shapedRewards !== undefined) (res as any).shapedRewards = e.f32(ran.extra.shapedRewards as number, rows.B).slice();
    return res;
  }

  /** GRPO and Dr.GRPO (`normalizeByStd: false`), docs/kernels.md#grpo. */
  grpo<A extends T.GrpoArgs>(args: A): T.OutcomeFor<A, T.GroupDiagnostics> { return this.call(args, (s, e, a) => this.finish(e, s, runGrpo(e, s, a))) as T.OutcomeFor<A, T.GroupDiagnostics>; }
  /** Dr.GRPO: GRPO without the std division. */
  drGrpo<A extends Omit<T.GrpoArgs, "normalizeByStd">>(args: A): T.OutcomeFor<A, T.GroupDiagnostics> { return this.grpo({ ...ownOptions(args, "args"), normalizeByStd: false } as T.GrpoArgs) as T.OutcomeFor<A, T.GroupDiagnostics>; }
  /** RLOO, docs/kernels.md#rloo. */
  rloo<A extends T.RlooArgs>(args: A): T.OutcomeFor<A, T.GroupDiagnostics> { return this.call(args, (s, e, a) => this.finish(e, s, runRloo(e, s, a))) as T.OutcomeFor<A, T.GroupDiagnostics>; }
  /** REINFORCE++-baseline: group-mean baseline then token-weighted batch whitening, docs/kernels.md#reinforceppbaseline. */
  reinforcePPBaseline<A extends T.RfppbArgs>(args: A): T.OutcomeFor<A, T.WhitenedDiagnostics> { return this.call(args, (s, e, a) => this.finish(e, s, runReinforcePPBaseline(e, s, a))) as T.OutcomeFor<A, T.WhitenedDiagnostics>; }
  /** ReMax, docs/kernels.md#remax. */
  remax(args: T.RemaxArgs): T.TokenResult<T.RemaxDiagnostics> { return this.call(args, (s, e, a) => this.finish(e, s, runRemax(e, s, a))) as T.TokenResult<T.RemaxDiagnostics>; }
  /** OPO (length-weighted group baseline), docs/kernels.md#opo. */
  opo<A extends T.OpoArgs>(args: A): T.OutcomeFor<A, T.GroupDiagnostics> { return this.call(args, (s, e, a) => this.finish(e, s, runOpo(e, s, a))) as T.OutcomeFor<A, T.GroupDiagnostics>; }
  /** GPG, docs/kernels.md#gpg. */
  gpg<A extends T.GpgArgs>(args: A): T.OutcomeFor<A, T.GpgDiagnostics> { return this.call(args, (s, e, a) => this.finish(e, s, runGpg(e, s, a))) as T.OutcomeFor<A, T.GpgDiagnostics>; }
  /** GRPO Pass@k, docs/kernels.md#grpopassk. */
  grpoPassK<A extends T.PassKArgs>(args: A): T.OutcomeFor<A, T.GroupDiagnostics> { return this.call(args, (s, e, a) => this.finish(e, s, runGrpoPassK(e, s, a))) as T.OutcomeFor<A, T.GroupDiagnostics>; }
  /** BNPO, with advantage decomposition over `components`, docs/kernels.md#bnpo. */
  bnpo<A extends T.BnpoArgs>(args: A): T.OutcomeFor<A, T.BnpoResultDiagnostics> { return this.call(args, (s, e, a) => this.finish(e, s, runBnpo(e, s, a))) as T.OutcomeFor<A, T.BnpoResultDiagnostics>; }
  /** DLER: explicit truncation penalty, then REINFORCE++-baseline, docs/kernels.md#dler. */
  dler<A extends T.DlerArgs>(args: A): T.OutcomeFor<A, T.DlerDiagnostics> { return this.call(args, (s, e, a) => this.finish(e, s, runDler(e, s, a))) as T.OutcomeFor<A, T.DlerDiagnostics>; }
  /** TRL GRPOTrainer advantages with K reward functions and NaN = None, docs/kernels.md#trlgroupadvantage. */
  trlGroupAdvantage<A extends T.TrlArgs>(args: A): T.OutcomeFor<A, T.TrlDiagnostics> { return this.call(args, (s, e, a) => this.finish(e, s, runTrl(e, s, a))) as T.OutcomeFor<A, T.TrlDiagnostics>; }
  /** OpenRLHF compute_advantages_and_returns for its outcome estimators, docs/kernels.md#openrlhfoutcome. */
  openrlhfOutcome(args: T.OrlArgs): T.OrlResult {
    return this.call(args, (s, e, a) => this.finish(e, s, runOpenrlhfOutcome(e, s, a))) as any;
  }

  private finishTokens<D>(e: Engine, s: Scratch, ran: TokenRan<D>): { advantages: Float32Array; returns: Float32Array; diagnostics: D } {
    const N = ran.rows.N;
    const adv = s.alloc(N * 4), ret = ran.distinctReturns ? s.alloc(N * 4) : adv;
    ran.write({ advantages: adv, returns: ret });
    const advantages = this.out(e, adv, N);
    return { advantages, returns: ran.distinctReturns ? this.out(e, ret, N) : advantages, diagnostics: ran.diagnostics };
  }

  /** GAE with verl's skip or OpenRLHF's through semantics, optionally whitened (docs/kernels.md#gae). */
  gae(args: T.GaeArgs): T.ScanResult<GaeDiagnostics> { return this.call(args, (s, e, a) => this.finishTokens(e, s, runGae(e, s, a))); }
  /** Discounted returns: carry (verl), through (OpenRLHF) or reset (old verl) (docs/kernels.md#discountedreturns). */
  discountedReturns(args: T.ReturnsArgs): Float32Array { return this.call(args, (s, e, a) => this.finishTokens(e, s, runDiscountedReturns(e, s, a)).returns); }
  /** REINFORCE++: discounted returns, then token-weighted batch whitening (docs/kernels.md#discountedreturns). */
  reinforcePP(args: T.ReinforcePPArgs): T.ScanResult<GaeDiagnostics> { return this.call(args, (s, e, a) => this.finishTokens(e, s, runReinforcePP(e, s, a))); }
  /** (x - mean) * rstd over the valid values; +0 elsewhere. Pass merged `moments` for data-parallel whitening. */
  maskedWhiten(args: T.MaskedWhitenArgs): Float32Array { return this.call(args, (s, e, a) => this.finishTokens(e, s, runMaskedWhiten(e, s, a)).advantages); }
  /** Sum of the valid values: one number (`axis: "all"`, the default), or one per row (`axis: "row"`). */
  maskedSum(args: T.MaskedStatArgs & { axis: "row" }): Float32Array;
  maskedSum(args: T.MaskedStatArgs & { axis?: "all" }): number;
  maskedSum(args: T.MaskedStatArgs): Float32Array | number;
  maskedSum(args: T.MaskedStatArgs): Float32Array | number { return this.call(args, (s, e, a) => maskedSumMean(e, s, a, "sum")); }
  /** Mean of the valid values: one number (`axis: "all"`, the default), or one per row (`axis: "row"`). */
  maskedMean(args: T.MaskedStatArgs & { axis: "row" }): Float32Array;
  maskedMean(args: T.MaskedStatArgs & { axis?: "all" }): number;
  maskedMean(args: T.MaskedStatArgs): Float32Array | number;
  maskedMean(args: T.MaskedStatArgs): Float32Array | number { return this.call(args, (s, e, a) => maskedSumMean(e, s, a, "mean")); }
  /** Variance of the valid values (unbiased by default); `TOO_FEW_VALID` below 2 values (1 biased). */
  maskedVar(args: T.MaskedVarArgs): number { return this.call(args, (s, e, a) => maskedVarRun(e, s, a)); }
  /** Local moment record [count, mean, M2] of the valid values (docs/kernels.md#moments). */
  moments(args: T.MomentsArgs): Float64Array { return this.call(args, (s, e, a) => momentsRun(e, s, a)); }
  /** Chan's merge of two moment records (validated). */
  mergeMoments = mergeMoments;
  /** `{ count, mean, var }` of a moment record. */
  finalizeMoments = finalizeMoments;

  /** KL estimators k1, abs, k2, k3 (and "+" names) with the verl, all10 or none clamps (docs/kernels.md#klpenalty). */
  klPenalty(args: T.KlPenaltyArgs): Float32Array { return this.call(args, (s, e, a) => this.finishTokens(e, s, runKlPenalty(e, s, a)).advantages); }
  /** KL in the reward: verl apply_kl_penalty or OpenRLHF compute_reward (docs/kernels.md#klinreward). */
  klInReward(args: T.KlInRewardArgs & { mode: "verl" }): T.KlInRewardVerlResult<KlRewardDiagnostics>;
  klInReward(args: T.KlInRewardArgs & { mode?: undefined; preset?: "verl" | "trl" }): T.KlInRewardVerlResult<KlRewardDiagnostics>;
  klInReward(args: T.KlInRewardArgs): T.KlInRewardResult<KlRewardDiagnostics>;
  klInReward(args: T.KlInRewardArgs): T.KlInRewardResult<KlRewardDiagnostics> {
    return this.call(args, (s, e, a) => {
      const ran = runKlInReward(e, s, a);
      const N = ran.rows.N;
      const rw = s.alloc(N * 4), kl = ran.diagnostics.mode === "verl" ? s.alloc(N * 4) : 0;
      ran.write({ advantages: rw, returns: kl });
      const out: { tokenRewards: Float32Array; kl?: Float32Array; currentKl?: number; diagnostics: KlRewardDiagnostics } = { tokenRewards: e.f32(rw, N).slice(), diagnostics: ran.diagnostics };
      if (kl) { out.kl = e.f32(kl, N).slice(); out.currentKl = ran.diagnostics.currentKl!; }
      return out;
    });
  }
  /** The fixed or adaptive KL coefficient controller. */
  KlController = KlController;

  /** PURE (docs/kernels.md#pure): r_k = tanh((l1 - l0)/2) from the PRM's two logits. */
  prmStepReward(args: { logit0: Float32Array; logit1: Float32Array }): Float32Array { return this.call(args, (s, e, a) => prmStepRewardRun(e, s, a)); }
  /** Softmin ("approximate min-form") transform, CSR steps or token form with a step-end mask. */
  softminStepRewards(args: T.SoftminArgs): Float32Array { return this.call(args, (s, e, a) => softminRun(e, s, a)!); }
  /** Strict min-form returns: "steps" (the paper) or "verlCompat" (PURE's verl branch). */
  minFormReturns(args: T.MinFormArgs): MinFormResult { return this.call(args, (s, e, a) => minFormRun(e, s, a)); }
  /** PURE leave-one-out baselines: "token" and "step" (CSR step rewards) or "return" (token returns). */
  pureRlooBaseline(args: T.PureRlooArgs): Float32Array { return this.call(args, (s, e, a) => pureRlooRun(e, s, a)); }
  /** PURE's verifiable reward coef * (v_i - mean of the others), v = solved - 1. */
  pureVerifiableReward(args: T.PureVerifiableArgs): Float32Array { return this.call(args, (s, e, a) => pureVerifiableRun(e, s, a)); }
  /** Zeroes the values at every step end (a new array). */
  zeroStepEnds(args: T.ZeroStepEndsArgs): Float32Array { return this.call(args, (s, e, a) => zeroStepEndsRun(e, s, a)); }
  /** CSR steps from a 0/1 step-end token tensor. */
  stepsFromMask = stepsFromMask;

  /** The score on the last valid token (or explicit positions); empty rows per emptyRow (docs/kernels.md#placescores). */
  placeScores(args: PlaceScoresArgs): T.PlaceScoresResult { return this.call(args, (s, e, a) => placeScoresRun(e, s, a)); }
  /** PRIME: q = logpRm - logpRef on valid tokens, rm = beta*q (token or whole granularity) (docs/kernels.md#prime). */
  primeImplicitReward(args: T.PrimeImplicitArgs): T.PrimeImplicitResult { return this.call(args, (s, e, a) => primeImplicitRun(e, s, a)); }
  /** PRIME batch normalisation: x / (max |reverse cumsum| + 1e-6). */
  primeBatchNorm(args: T.PrimeBatchNormArgs): T.PrimeBatchNormResult { return this.call(args, (s, e, a) => primeBatchNormRun(e, s, a)); }
  /** PRIME advantages: per-source leave-one-out, discounted returns, whitening. */
  primeAdvantage(args: T.PrimeAdvantageArgs): T.PrimeAdvantageResult<PrimeDiagnostics> { return this.call(args, (s, e, a) => primeAdvantageRun(e, s, a)); }
  /** Likelihood rewards from answer-token log-probs: sum, prob, avgProb, mean (provisional) (docs/kernels.md#likelihoodreward). */
  likelihoodReward(args: T.LikelihoodArgs): Float32Array { return this.call(args, (s, e, a) => likelihoodRun(e, s, a)); }
  /** SAR, the self-aligned reward from two perplexities (docs/kernels.md#selfalignedreward). */
  selfAlignedReward(args: T.SarArgs): Float32Array { return this.call(args, (s, e, a) => sarRun(e, s, a)); }
  /** TGDPO token weights, z and the sigmoid loss (docs/kernels.md#tgdpo). */
  tgdpo(args: T.TgdpoArgs): TgdpoResult { return this.call(args, (s, e, a) => tgdpoRun(e, s, a)); }
  /** Clip for PRM step rewards (provisional): min(r - eta, 0). */
  clipStepRewards = clipStepRewards;
  /** Delta for PRM step rewards (provisional): r_k - r_{k+1}, last step "zero" or "keep". */
  deltaStepRewards = deltaStepRewards;
  /** IGPO information-gain turn rewards (docs/kernels.md#igpo). */
  igpoTurnRewards = igpoTurnRewards;
  /** IGPO advantages: pooled normalisation, discounted scan over turns, broadcast to the turn's tokens. */
  igpoAdvantage(args: IgpoArgs): T.IgpoResult { return this.call(args, (s, e, a) => igpoAdvantageRun(e, s, a)); }
  /** Loss aggregation with verl's newest semantics (docs/kernels.md#aggloss). */
  aggLoss(args: AggLossArgs): number { return this.call(args, (s, e, a) => aggLossRun(e, s, a)); }
  /** Best-of-N reranking: combine K heads, top k per prompt, stable ties (docs/kernels.md#rerank). */
  rerank(args: RerankArgs): RerankResult { return this.call(args, (s, e, a) => rerankRun(e, s, a), { negInf: ["combined", "topScores"] }); }

  // Reward shapers (docs/shapers.md): sequence-level values in, new arrays out.
  /** PAR's shaping pipeline and the shapers of its paper, steps in PAR's order; stateful steps update `stats` (docs/shapers.md#parshape). */
  parShape(args: ParShapeArgs): Float32Array { return this.call(args, (s, e, a) => parShapeRun(e, s, a)); }
  /** LSC: logσ(r - refReward), the reference the q-quantile of a Normal fitted to reference samples (docs/shapers.md#lsc). */
  lscTransform(args: LscTransformArgs): Float32Array { return this.call(args, (s, e, a) => lscTransformRun(e, s, a)); }
  /** LSC combination of K reward heads: Σ_h w_h logσ(r_h - refReward_h) (docs/shapers.md#lsc). */
  lscCombine(args: LscCombineArgs): Float32Array { return this.call(args, (s, e, a) => lscCombineRun(e, s, a)); }
  /** Kimi k1.5's group length reward (docs/shapers.md#kimilengthreward). */
  kimiLengthReward(args: KimiLengthArgs): KimiLengthResult { return this.call(args, (s, e, a) => kimiLengthRun(e, s, a)); }
  /** LASER, LASER-D and LASER-DE step length rewards (docs/shapers.md#laserreward). */
  laserReward(args: LaserArgs): LaserResult { return this.call(args, (s, e, a) => laserRun(e, s, a)); }
  /** HAPO's history-aware length reward; update the history after the rewards (docs/shapers.md#hapolengthreward). */
  hapoLengthReward(args: HapoArgs): HapoResult { return this.call(args, (s, e, a) => hapoRun(e, s, a)); }
  /** DAPO's soft overlong penalty (docs/shapers.md#overlongpenalty). */
  overlongPenalty(args: OverlongArgs): Float32Array { return this.call(args, (s, e, a) => overlongRun(e, s, a)); }
  /** ProRL's stop-properly penalty on truncated responses (docs/shapers.md#stopproperlypenalty). */
  stopProperlyPenalty(args: StopProperlyArgs): Float32Array { return this.call(args, (s, e, a) => stopProperlyRun(e, s, a)); }
  /** GUI-G² Gaussian point and coverage rewards of boxes (docs/shapers.md#guig2reward). */
  guiG2Reward(args: GuiG2Args): GuiG2Result { return this.call(args, (s, e, a) => guiG2Run(e, s, a)); }
  /** BCO's pair loss against its running reward shift, which this call updates (docs/shapers.md#bcoshift). */
  bcoPairLoss(args: BcoArgs): BcoResult { return this.call(args, (s, e, a) => bcoRun(e, s, a)); }
  /** DRPO's per-sequence coefficients (docs/shapers.md#drpocoefficients). */
  drpoCoefficients(args: DrpoArgs): Float32Array { return this.call(args, (s, e, a) => drpoRun(e, s, a)); }
  /** CANON's advantages from a metric split of each group (docs/shapers.md#canon). */
  canon(args: CanonArgs): Float32Array { return this.call(args, (s, e, a) => canonRun(e, s, a)); }
  /** GRPO-λ (provisional): the Kimi length reward in the most accurate groups only (docs/shapers.md#grpolambda). */
  grpoLambda(args: GrpoLambdaArgs): GrpoLambdaResult { return this.call(args, (s, e, a) => grpoLambdaRun(e, s, a)); }
  /** VeRPO (provisional): dense test rewards weighted by pass rarity (docs/shapers.md#verporeward). */
  verpoReward(args: VerpoArgs): VerpoResult { return this.call(args, (s, e, a) => verpoRun(e, s, a)); }
  /** O1-pruner's length reward (docs/shapers.md#o1prunerreward). */
  o1PrunerReward(args: O1PrunerArgs): Float32Array { return this.call(args, (s, e, a) => o1PrunerRun(e, s, a)); }
  /** ER's length reward (docs/shapers.md#erlengthreward). */
  erLengthReward(args: ErLengthArgs): Float32Array { return this.call(args, (s, e, a) => erLengthRun(e, s, a)); }
  /** ROVER's Q-values and regression targets per token (docs/shapers.md#rovertargets). */
  roverTargets(args: RoverArgs): RoverResult { return this.call(args, (s, e, a) => roverRun(e, s, a)); }
  /** G-RA (provisional): immediate rewards gated by the outcome (docs/shapers.md#gatedrewards). */
  gatedRewards(args: GatedArgs): GatedResult { return this.call(args, (s, e, a) => gatedRun(e, s, a)); }

  /** Per-group f64 statistics (docs/kernels.md#groupstats). */
  groupStats(args: T.GroupStatsArgs): GroupStatsResult { return this.call(args, (s, e, a) => groupStatsRun(e, s, a)); }
  /** Row scores from token rewards (docs/kernels.md#rowscores). */
  rowScores(args: T.RowScoresArgs): Float32Array { return this.call(args, (s, e, a) => rowScoresRun(e, s, a)); }
  /** Broadcast of row values onto the valid tokens; +0 elsewhere. */
  broadcastRows(args: T.BroadcastArgs): Float32Array { return this.call(args, (s, e, a) => broadcastRowsRun(e, s, a)); }

  /** Arbitrary labels to dense group ids in order of first appearance. */
  canonicalizeGroups = canonicalizeGroups;

  /** A zero-copy workspace planned for a batch shape (see Workspace). */
  createWorkspace(plan: WorkspacePlan): Workspace { return new Workspace(this.copyEngine, plan); }
}

/** A copy-API instance, loaded synchronously; `{ build: "simd" | "scalar" }` forces a build. */
export function createSync(opts?: LoadOptions): RlAdvantage { return new RlAdvantage(loadSync(opts)); }
/** A copy-API instance, loaded asynchronously (where synchronous compilation is not allowed). */
export async function create(opts?: LoadOptions): Promise<RlAdvantage> { return new RlAdvantage(await load(opts)); }

export { rangeError };
