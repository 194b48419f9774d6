// Zero-copy workspace (decision D7). All buffers of a batch shape are planned up front inside
// WebAssembly memory; the caller fills the input views, runs kernels, and reads the output views.
// Memory grows only in the constructor and in resize(), never in a kernel call, so a host loop
// can run batch after batch with no allocation and no detached views.
//
// Why views are getters: memory.grow() (here, or in another workspace on the same engine)
// replaces memory.buffer and detaches every typed array made on the old one. The getters compare
// the buffer and rebuild the views when it changed, so `ws.scores` is always live. A view you
// kept from before a growth reads as length 0; passing it to any API call throws STALE_VIEW.
import type { Engine } from "./engine.js";
import { broadcast, PlannedScratch, type Scratch } from "./bind.js";
import { rangeError, typeError } from "./errors.js";
import {
  runBnpo, runDler, runGpg, runGrpo, runGrpoPassK, runOpenrlhfOutcome, runOpo, runReinforcePPBaseline, runRemax, runRloo,
  runTrl, type BindOpts, type Ran,
} from "./estimators.js";
import type * as T from "./types.js";
import { runDiscountedReturns, runGae, runReinforcePP, type TokenRan } from "./scans.js";
import { runKlInReward, runKlPenalty } from "./kl.js";
import { aggLossRun, type AggLossArgs } from "./aggloss.js";
import { placeScoresPlan } from "./place.js";
import type { Preset } from "./options.js";

export interface WorkspacePlan {
  /** Rows B. */
  rows: number;
  /** Padded width T (padded layout). Omit both width and tokens for a rows-only workspace (row advantages only). */
  width?: number;
  /** Token capacity N (packed layout: each batch uses offsets[B] <= tokens). */
  tokens?: number;
  /** How validity is given: a byte mask view, prefix `lengths` (padded only), or every token valid. Default "mask". */
  valid?: "mask" | "lengths" | "all";
  /** Contiguous groups of this size (fast path). Otherwise fill the `groupIds` view. */
  groupSize?: number;
  /** Upper bound on the number of groups when groupIds are used (default rows). */
  maxGroups?: number;
  /** Reward functions K for trlGroupAdvantage's `rewardsPerFunc` view (default 1). */
  rewardFunctions?: number;
  /**
   * Optional token views, planned only when asked for so a large batch does not pay for them:
   * "tokenRewards" (row scores from token rewards), "kl" (openrlhfOutcome), "returns" (ReMax,
   * openrlhfOutcome; also reserves their token scratch), "values" (gae), "logp" and "refLogp"
   * (klInReward, klPenalty), "tokenScores" (klInReward reads its scores here instead of in place),
   * "loss" (aggLoss).
   */
  extraViews?: ("tokenRewards" | "tokenScores" | "kl" | "returns" | "values" | "logp" | "refLogp" | "loss")[];
}

type ViewKind = "f32" | "u8" | "i32";
interface Region { ptr: number; len: number; kind: ViewKind }

/** Per-call options of a workspace kernel: the knobs of the estimator, plus where the scores come from. */
export type WsCall<A> = Omit<A, "scores" | "tokenRewards" | "values" | "mask" | "lengths" | "offsets" | "width" | "groupSize" | "groupIds" | "numGroups" | "baselines" | "truncated" | "rewardsPerFunc" | "weights" | "kl" | "actionMask" | "rewards" | "components"> & {
  /** Read row scores from `scores` (default) or sum them from `tokenRewards`. */
  input?: "scores" | "tokenRewards";
  numGroups?: number;
  preset?: Preset;
};

export interface WsResult<D> {
  /** Views into the workspace (no copy). */
  rowAdvantages: Float32Array;
  advantages: Float32Array;
  /** The same view as `advantages`, except for ReMax and openrlhfOutcome. */
  returns: Float32Array;
  diagnostics: D;
}

export class Workspace {
  readonly B: number;
  readonly T: number;
  readonly N: number;
  readonly packed: boolean;
  /** No token layout: kernels produce row advantages only. */
  readonly rowsOnly: boolean;
  readonly plan: Readonly<WorkspacePlan>;
  private regions = new Map<string, Region>();
  private viewCache = new Map<string, Float32Array | Uint8Array | Int32Array>();
  private viewGen = -1;
  private scratch!: PlannedScratch;
  private idsCache!: { ptr: number; size: number };
  private disposed = false;

  constructor(private readonly e: Engine, plan: WorkspacePlan) {
    const p = { ...plan };
    const isInt = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;
    if (!isInt(p.rows)) typeError("WRONG_TYPE", "rows", -1, `must be a non-negative integer, got ${p.rows}`);
    if (p.width !== undefined && p.tokens !== undefined) rangeError("SHAPE_MISMATCH", "width", -1, "plan either a padded layout (width) or a packed one (tokens), not both");
    for (const k of ["width", "tokens", "groupSize", "maxGroups", "rewardFunctions"] as const)
      if (p[k] !== undefined && !isInt(p[k])) typeError("WRONG_TYPE", k, -1, `must be a non-negative integer, got ${p[k]}`);
    this.rowsOnly = p.width === undefined && p.tokens === undefined;
    const valid = this.rowsOnly ? "all" : (p.valid ?? "mask");
    if (!["mask", "lengths", "all"].includes(valid)) rangeError("UNKNOWN_OPTION", "valid", -1, `unknown value ${JSON.stringify(valid)}`);
    if (valid === "lengths" && p.tokens !== undefined) rangeError("UNKNOWN_OPTION", "valid", -1, "lengths is a padded-layout input");
    if (p.groupSize !== undefined && (p.groupSize < 1 || p.rows % p.groupSize !== 0))
      rangeError("GROUP_SIZE_INVALID", "groupSize", -1, `rows (${p.rows}) must be a positive multiple of groupSize (${p.groupSize})`);
    this.plan = Object.freeze({ ...p, valid });
    this.B = p.rows;
    this.packed = p.tokens !== undefined;
    this.T = this.packed || this.rowsOnly ? 0 : p.width!;
    this.N = this.packed ? p.tokens! : this.B * this.T;
    this.allocate();
  }

  private allocate(): void {
    const { B, N } = this, p = this.plan;
    const K = p.rewardFunctions ?? 1;
    const G = p.groupSize ? B / p.groupSize : Math.max(p.maxGroups ?? B, 1);
    const extra = new Set(p.extraViews ?? []);
    const want: [string, ViewKind, number][] = [
      ["scores", "f32", B], ["rowAdvantages", "f32", B], ["groupIds", "i32", B], ["baselines", "f32", B],
      ["truncated", "u8", B], ["rewardsPerFunc", "f32", B * K], ["shapedRewards", "f32", B], ["advantages", "f32", N],
    ];
    if (this.packed) want.push(["offsets", "i32", B + 1]);
    if (p.valid === "mask") want.push(["mask", "u8", N]);
    if (p.valid === "lengths") want.push(["lengths", "i32", B]);
    for (const x of extra) want.push([x, "f32", N]);
    for (const [name, kind, len] of want) {
      const bytes = len * (kind === "u8" ? 1 : 4);
      this.regions.set(name, { ptr: this.e.alloc(bytes), len, kind });
    }
    // Scratch: every row-level temporary of the largest runner, per-group f64 arrays, TRL's
    // G*K moments, and (with "returns") the token temporaries of ReMax and openrlhfOutcome.
    const cap = 4096 + B * 96 + G * 8 * 32 + 3 * G * K * 8 + B * 8 + (extra.has("returns") ? 2 * N * 4 + 64 : 0) + (extra.has("logp") ? 2 * N * 4 + 64 : 0);
    this.scratch = new PlannedScratch(this.e.alloc(cap), cap);
    this.idsCache = { ptr: this.e.alloc(B * 4), size: 0 };
    this.viewGen = -1;
  }

  /** Re-plans for a new shape (memory may grow here; every view is re-derived). */
  resize(plan: Partial<WorkspacePlan>): Workspace {
    const next = new Workspace(this.e, { ...this.plan, ...plan });
    this.dispose();
    return next;
  }

  /** Returns the workspace's memory to the engine. Views become unusable. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const r of this.regions.values()) this.e.release(r.ptr);
    this.e.release(this.scratch.base);
    this.e.release(this.idsCache.ptr);
    this.regions.clear();
    this.viewCache.clear();
  }

  /** Bytes this workspace reserved in WebAssembly memory. */
  get bytes(): number {
    let s = this.scratch.capacity + this.B * 4;
    for (const r of this.regions.values()) s += r.len * (r.kind === "u8" ? 1 : 4);
    return s;
  }

  private view(name: string): any {
    if (this.disposed) typeError("STALE_VIEW", name, -1, "the workspace was disposed");
    if (this.e.heap.generation !== this.viewGen) { this.viewCache.clear(); this.viewGen = this.e.heap.generation; }
    const buf = this.e.buffer;
    let v = this.viewCache.get(name);
    if (!v) {
      const r = this.regions.get(name);
      if (!r) rangeError("SHAPE_MISMATCH", name, -1, `this workspace has no "${name}" view; add it to the plan (valid / extraViews)`);
      v = r!.kind === "f32" ? new Float32Array(buf, r!.ptr, r!.len) : r!.kind === "u8" ? new Uint8Array(buf, r!.ptr, r!.len) : new Int32Array(buf, r!.ptr, r!.len);
      this.viewCache.set(name, v);
    }
    return v;
  }

  // Input views (fill these).
  get scores(): Float32Array { return this.view("scores"); }
  get tokenRewards(): Float32Array { return this.view("tokenRewards"); }
  get tokenScores(): Float32Array { return this.view("tokenScores"); }
  get mask(): Uint8Array { return this.view("mask"); }
  get lengths(): Int32Array { return this.view("lengths"); }
  get offsets(): Int32Array { return this.view("offsets"); }
  get groupIds(): Int32Array { return this.view("groupIds"); }
  get baselines(): Float32Array { return this.view("baselines"); }
  get truncated(): Uint8Array { return this.view("truncated"); }
  get rewardsPerFunc(): Float32Array { return this.view("rewardsPerFunc"); }
  get kl(): Float32Array { return this.view("kl"); }
  get values(): Float32Array { return this.view("values"); }
  get logp(): Float32Array { return this.view("logp"); }
  get refLogp(): Float32Array { return this.view("refLogp"); }
  get loss(): Float32Array { return this.view("loss"); }
  // Output views (read these).
  get advantages(): Float32Array { return this.view("advantages"); }
  get returns(): Float32Array { return this.view("returns"); }
  get rowAdvantages(): Float32Array { return this.view("rowAdvantages"); }
  get shapedRewards(): Float32Array { return this.view("shapedRewards"); }

  /** The layout and group inputs of this workspace, as views. */
  private layout(): T.Layout & T.Groups {
    const out: T.Layout & T.Groups = {};
    let n = this.N;
    if (this.packed) {
      const o = this.offsets;
      n = o[this.B]!;
      if (!(n >= 0 && n <= this.N)) rangeError("BAD_OFFSETS", "offsets", this.B, `offsets[B] = ${n} outside the planned token capacity [0, ${this.N}]`);
      out.offsets = o;
    } else if (!this.rowsOnly) out.width = this.T;
    if (this.plan.valid === "mask") out.mask = this.mask.subarray(0, n);
    if (this.plan.valid === "lengths") out.lengths = this.lengths;
    if (this.plan.groupSize) out.groupSize = this.plan.groupSize;
    else out.groupIds = this.groupIds;
    return out;
  }

  /** Arguments of a token kernel that takes no groups: the call's knobs, the layout, the inputs; scratch reset. */
  private tokenArgs(call: object, inputs: Record<string, unknown>): Record<string, unknown> {
    const args: Record<string, unknown> = { ...call, ...this.layout(), ...inputs };
    delete args.groupSize; delete args.groupIds;
    this.scratch.reset();
    return args;
  }

  private tokens(name: string): Float32Array {
    const v = this.view(name) as Float32Array;
    return this.packed ? v.subarray(0, this.offsets[this.B]!) : v;
  }

  private run<D>(
    runner: (e: Engine, s: Scratch, a: any, bo?: BindOpts) => Ran<D>, call: Record<string, unknown>, inputs: Record<string, unknown>,
    how: { scores?: boolean; maskAs?: string; groups?: boolean } = {},
  ): WsResult<D> {
    const { input, ...knobs } = (call ?? {}) as { input?: string };
    const args: Record<string, unknown> = { ...knobs, ...this.layout(), ...inputs };
    if (how.groups === false) { delete args.groupSize; delete args.groupIds; }
    if (how.maskAs && "mask" in args) { args[how.maskAs] = args.mask; delete args.mask; }
    if (how.scores === false) {
      if (input !== undefined) rangeError("UNKNOWN_OPTION", "input", -1, "this kernel does not read scores");
    } else if (input === "tokenRewards") args.tokenRewards = this.tokens("tokenRewards");
    else if (input === undefined || input === "scores") args.scores = this.scores;
    else rangeError("UNKNOWN_OPTION", "input", -1, `unknown value ${JSON.stringify(input)}; expected "scores" or "tokenRewards"`);
    this.scratch.reset();
    const ran = runner(this.e, this.scratch, args, { idsCache: this.idsCache });
    const e = this.e, rows = ran.rows;
    const rowOut = this.regions.get("rowAdvantages")!.ptr;
    const adv = this.regions.get("advantages")!.ptr;
    e.U8.copyWithin(rowOut, ran.row, ran.row + rows.B * 4);
    if (!rows.hasTokens) { /* rows-only: nothing to broadcast */ }
    else if (ran.tokens === "broadcast") broadcast(e, rows, rowOut, adv);
    else ran.tokens({ advantages: adv, returns: this.regions.get("returns")!.ptr });
    if (ran.extra?.shapedRewards !== undefined) { const p = ran.extra.shapedRewards as number; e.U8.copyWithin(this.regions.get("shapedRewards")!.ptr, p, p + rows.B * 4); }
    const advantages = this.tokens("advantages");
    return { rowAdvantages: this.rowAdvantages, advantages, returns: ran.distinctReturns ? this.tokens("returns") : advantages, diagnostics: ran.diagnostics };
  }

  grpo(call: WsCall<T.GrpoArgs> = {}) { return this.run(runGrpo, call, {}); }
  drGrpo(call: WsCall<T.GrpoArgs> = {}) { return this.run(runGrpo, { ...call, normalizeByStd: false }, {}); }
  rloo(call: WsCall<T.RlooArgs> = {}) { return this.run(runRloo, call, {}); }
  reinforcePPBaseline(call: WsCall<T.RfppbArgs> = {}) { return this.run(runReinforcePPBaseline, call, {}); }
  opo(call: WsCall<T.OpoArgs> = {}) { return this.run(runOpo, call, {}); }
  gpg(call: WsCall<T.GpgArgs> = {}) { return this.run(runGpg, call, {}); }
  grpoPassK(call: WsCall<T.PassKArgs> = {}) { return this.run(runGrpoPassK, call, {}); }
  bnpo(call: WsCall<T.BnpoArgs> = {}) { return this.run(runBnpo, call, {}); }
  /** Reads the `truncated` view (1 = hit the length cap). */
  dler(call: WsCall<T.DlerArgs> = {}) { return this.run(runDler, call, { truncated: this.truncated }); }
  /** Reads `rewardsPerFunc` ([B][K], K = plan.rewardFunctions). */
  trlGroupAdvantage(call: WsCall<T.TrlArgs> & { weights?: Float32Array | number[] } = {}) {
    const { weights, ...rest } = call;
    const K = this.plan.rewardFunctions ?? 1;
    return this.run(runTrl, rest, { rewardsPerFunc: this.rewardsPerFunc, weights: weights ?? new Float32Array(K).fill(1) }, { scores: false });
  }
  /** Reads `tokenRewards` and `baselines`; writes `advantages` and `returns` (plan extraViews: tokenRewards, returns). */
  remax(call: { preset?: Preset } = {}) {
    return this.run(runRemax as any, call, { tokenRewards: this.tokens("tokenRewards"), baselines: this.baselines }, { scores: false, groups: false });
  }
  private runTokens<D>(runner: (e: Engine, s: Scratch, a: any) => TokenRan<D>, call: Record<string, unknown>, inputs: Record<string, unknown>) {
    const ran = runner(this.e, this.scratch, this.tokenArgs(call, inputs));
    const ret = this.regions.get("returns");
    if (ran.distinctReturns && !ret) rangeError("SHAPE_MISMATCH", "returns", -1, 'plan the workspace with extraViews: ["returns"]');
    const adv = this.regions.get("advantages")!.ptr;
    ran.write({ advantages: adv, returns: ran.distinctReturns ? ret!.ptr : adv });
    const advantages = this.tokens("advantages");
    return { advantages, returns: ran.distinctReturns ? this.tokens("returns") : advantages, diagnostics: ran.diagnostics };
  }
  /** GAE from the `tokenRewards` and `values` views into `advantages` and `returns` (extraViews: tokenRewards, values, returns). */
  gae(call: WsCall<T.GaeArgs> = {}) { return this.runTokens(runGae, call, { tokenRewards: this.tokens("tokenRewards"), values: this.tokens("values") }); }
  /** REINFORCE++ from `tokenRewards` into `advantages` (whitened) and `returns`. */
  reinforcePP(call: WsCall<T.ReinforcePPArgs> = {}) { return this.runTokens(runReinforcePP, call, { tokenRewards: this.tokens("tokenRewards") }); }
  /** Discounted returns from `tokenRewards` into `advantages` (the returns). */
  discountedReturns(call: WsCall<T.ReturnsArgs> = {}) { return this.runTokens(runDiscountedReturns, call, { tokenRewards: this.tokens("tokenRewards") }); }
  /** The KL estimator per token from `logp` and `refLogp` into the `kl` view (+0 at masked positions). */
  klPenalty(call: { klEstimator?: string; klClamp?: "verl" | "all10" | "none"; preset?: Preset } = {}) {
    const out = this.tokens("kl");
    const ran = runKlPenalty(this.e, this.scratch, this.tokenArgs(call, { logp: this.tokens("logp"), refLogp: this.tokens("refLogp") }));
    ran.write({ advantages: this.regions.get("kl")!.ptr, returns: 0 });
    return { kl: out, diagnostics: ran.diagnostics };
  }

  /** Aggregates the per-token `loss` view over the valid tokens (verl agg_loss; a number). */
  aggLoss(call: Omit<AggLossArgs, "lossMat" | "mask" | "lengths" | "offsets" | "width"> = {}): number {
    return aggLossRun(this.e, this.scratch, this.tokenArgs(call, { lossMat: this.tokens("loss") }) as unknown as AggLossArgs);
  }

  /**
   * Places the row scores of `scores` on each row's last valid token (or at `positions`), +0
   * elsewhere, into `tokenScores` when that view is planned, else into `tokenRewards`: the token
   * scores that `klInReward` (or `gae`) reads next.
   */
  placeScores(call: { scorePlacement?: "lastValid" | "explicit"; positions?: Int32Array; emptyRow?: "error" | "skip"; preset?: Preset } = {}) {
    const into = this.regions.has("tokenScores") ? "tokenScores" : "tokenRewards";
    const out = this.tokens(into); // SHAPE_MISMATCH naming the view when neither is planned
    const plan = placeScoresPlan(this.e, this.scratch, this.tokenArgs(call, { scores: this.scores }) as any);
    plan.write(this.regions.get(into)!.ptr);
    return { tokenScores: out, diagnostics: plan.diagnostics };
  }

  /**
   * KL in the reward, verl mode: reads the token scores and the log-probs from `logp` and
   * `refLogp`, writes `tokenRewards = scores - klCoef * kl * mask` and the per-token KL into `kl`
   * when planned (extraViews: tokenRewards, logp, refLogp, kl). The scores come from `tokenScores`
   * when that view is planned (they then stay untouched across steps), else from `tokenRewards`,
   * **in place**.
   */
  klInReward(call: { klCoef?: number; klEstimator?: string; klClamp?: "verl" | "all10" | "none"; preset?: Preset } = {}) {
    const scoresView = this.regions.has("tokenScores") ? "tokenScores" : "tokenRewards";
    const ran = runKlInReward(this.e, this.scratch, this.tokenArgs(call, { mode: "verl", tokenScores: this.tokens(scoresView), oldLogp: this.tokens("logp"), refLogp: this.tokens("refLogp") }));
    const tr = this.regions.get("tokenRewards")!.ptr;
    // In place when there is no tokenScores view: each token's score is read before its reward is written.
    ran.write({ advantages: tr, returns: this.regions.get("kl")?.ptr ?? 0 });
    return { tokenRewards: this.tokens("tokenRewards"), currentKl: ran.diagnostics.currentKl!, diagnostics: ran.diagnostics };
  }

  /** Reads `scores` as the scalar rewards (and `kl` when planned); writes advantages, returns and shapedRewards. */
  openrlhfOutcome(call: WsCall<T.OrlArgs> = {}) {
    const inputs: Record<string, unknown> = { rewards: this.scores };
    if (this.regions.has("kl")) inputs.kl = this.tokens("kl");
    return this.run(runOpenrlhfOutcome, call, inputs, { scores: false, maskAs: "actionMask" });
  }
}
