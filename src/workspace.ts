// Zero-copy workspace (docs/contracts.md#memory). All buffers of a batch shape are planned up front inside
// WebAssembly memory; the caller fills the input views, runs kernels, and reads the output views.
// Memory grows only in the constructor and in resize(), never in a kernel call, so a host loop
// can run batch after batch with no allocation and no detached views.
//
// Why views are getters: memory.grow() (here, or in another workspace on the same engine)
// replaces memory.buffer and detaches every typed array made on the old one. The getters compare
// the buffer and rebuild the views when it changed, so `ws.scores` is always live. A view you
// kept from before a growth reads as length 0; passing it to any API call throws STALE_VIEW.
import type { Engine } from "./core/engine.js";
import { broadcast, checkF32, PlannedScratch, VOUCHED_SHAPE, type LayoutShape, type Scratch } from "./core/layout.js";
import { isRlaError, rangeError, RlaRangeError, RlaTypeError, typeError } from "./core/errors.js";
import { alignUp, capacityError, MEMORY_LIMIT } from "./core/memory.js";
import { checkEnum, msg, ownArray, ownOptions } from "./core/safe.js";
import { threadsSupported } from "./core/threads.js";
import { IDS_CACHE, MAX_GROUPS } from "./core/groups.js";
import {
  runBnpo, runDler, runGpg, runGrpo, runGrpoPassK, runOpenrlhfOutcome, runOpo, runReinforcePPBaseline, runRemax, runRloo,
  runTrl, type BindOpts, type Ran,
} from "./group/estimators.js";
import type * as T from "./types.js";
import { runDiscountedReturns, runGae, runReinforcePP } from "./scan/returns.js";
import { minFormPlan, pureRlooPlan, softminRun } from "./scan/pure.js";
import { rerankPlan, type RerankArgs } from "./token/rerank.js";
import type { TokenRan } from "./core/outcome.js";
import { runKlInReward, runKlPenalty, type KlRewardDiagnostics } from "./token/kl.js";
import { primeAdvantageRun, primeImplicitPlan, type PrimeDiagnostics } from "./token/prime.js";
import { likelihoodRun } from "./token/likelihood.js";
import { aggLossRun, type AggLossArgs } from "./token/agg-loss.js";
import { placeScoresPlan } from "./token/place-scores.js";
import type { Preset } from "./core/options.js";
import { lscCombineRun, lscTransformRun, parShapeRun, type LscCombineArgs, type LscTransformArgs, type ParShapeArgs } from "./shape/par.js";
import {
  hapoRun, kimiLengthRun, laserRun, overlongRun, stopProperlyRun,
  type HapoArgs, type KimiLengthArgs, type LaserArgs, type OverlongArgs, type StopProperlyArgs,
} from "./shape/length.js";
import { guiG2Run, type GuiG2Args } from "./shape/guig2.js";
import { canonRun, drpoRun, erLengthRun, grpoLambdaRun, o1PrunerRun, verpoRun, type CanonArgs, type DrpoArgs, type ErLengthArgs, type GrpoLambdaArgs, type O1PrunerArgs, type VerpoArgs } from "./shape/group.js";
import { gatedRun, roverRun, type GatedArgs, type GatedResult, type RoverArgs, type RoverResult } from "./shape/rover.js";
import type { Sink } from "./shape/sink.js";

/** What `createWorkspace` plans: the batch shape, the layout, the groups and the optional views. */
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
   * "loss" (aggLoss); ROVER's inputs "oldLogp", "qLogits", "oldQLogits" and outputs "q", "nextQ",
   * "target" (roverTargets).
   */
  extraViews?: ("tokenRewards" | "tokenScores" | "kl" | "returns" | "values" | "logp" | "refLogp" | "loss"
    | "oldLogp" | "qLogits" | "oldQLogits" | "q" | "nextQ" | "target" | "stepEndMask")[];
  /**
   * Reranking (`ws.rerank()`): candidates N per prompt; rows = prompts x N, and the heads' scores
   * go in `rewardsPerFunc` ([rows][rewardFunctions]). Plans the `combined`, `topIndices` and
   * `topScores` views.
   */
  candidates?: number;
  /** Reranking: candidates kept per prompt, 1 <= topK <= candidates (default 1). */
  topK?: number;
  /**
   * Threads for the row-parallel token kernels (gae, discountedReturns, reinforcePP, klInReward,
   * klPenalty, minFormReturns verlCompat): 1 to 64, default 1. Above 1 the workspace lives in a
   * shared WebAssembly memory and `threads - 1` workers share the rows with the caller; results
   * are bitwise those of one thread. Needs shared memory and workers (Node, Deno, Bun; a browser
   * page only when cross-origin isolated, and a worker to call from, since the caller blocks);
   * elsewhere the workspace runs on one thread (`ws.threads` says which). Workers start in the
   * background: `await ws.threadsReady()` before timing. No upstream equivalent.
   */
  threads?: number;
}

type ViewKind = "f32" | "u8" | "i32";
interface Region { ptr: number; len: number; kind: ViewKind }

/** The largest `threads` a plan accepts. */
export const MAX_THREADS = 64;

/** The optional token views a plan can ask for. */
export const EXTRA_VIEWS = ["tokenRewards", "tokenScores", "kl", "returns", "values", "logp", "refLogp", "loss",
  "oldLogp", "qLogits", "oldQLogits", "q", "nextQ", "target", "stepEndMask"] as const;
export type ExtraView = (typeof EXTRA_VIEWS)[number];
const PLAN_KEYS = ["rows", "width", "tokens", "valid", "groupSize", "maxGroups", "rewardFunctions", "extraViews", "candidates", "topK", "threads"] as const;
const BYTES: Record<ViewKind, number> = { f32: 4, u8: 1, i32: 4 };

/** Per-call options of a workspace kernel: the knobs of the estimator, plus where the scores come from. */
export type WsCall<A> = Omit<A, "scores" | "tokenRewards" | "values" | "mask" | "lengths" | "offsets" | "width" | "groupSize" | "groupIds" | "numGroups" | "baselines" | "truncated" | "rewardsPerFunc" | "weights" | "kl" | "actionMask" | "rewards" | "components"> & {
  /** Read row scores from `scores` (default) or sum them from `tokenRewards`. */
  input?: "scores" | "tokenRewards" | "shapedRewards";
  /** Groups this call uses with the `groupIds` view (at most the plan's maxGroups). */
  numGroups?: number;
  /** Fills the knobs not given: "verl" (default), "openrlhf", "trl". */
  preset?: Preset;
};

/**
 * A shaper's per-call arguments on a workspace: the copy API's, without the inputs the workspace
 * supplies (`Fixed`), and with `lengths` optional (a plan with valid "lengths" supplies them).
 */
export type WsShaperCall<A, Fixed extends keyof A> = Omit<A, Fixed | "lengths"> & {
  /** Response lengths per row, when the plan does not supply them (valid "lengths"). */
  lengths?: Int32Array;
};

/** What `ws.rerank` returns: the output views (no copy). */
export interface WsRerankResult {
  /** Every candidate's combined score (the `combined` view). */
  combined: Float32Array;
  /** The top candidates per prompt (the `topIndices` view). */
  topIndices: Int32Array;
  /** Their combined scores (the `topScores` view). */
  topScores: Float32Array;
}

/** What `ws.minFormReturns` returns: the `returns` view, and the step returns (steps mode; a copy). */
export interface WsMinFormResult {
  /** The token returns: the `returns` view (no copy). */
  returns: Float32Array;
  /** Steps mode: the min-form return of each step, Float32Array[S] (a copy). */
  stepReturns?: Float32Array;
  /** Empty rows, and (steps mode) the valid positions after each row's last step. */
  diagnostics: WsMinFormDiagnostics;
}
/** Diagnostics of `ws.minFormReturns`. */
export interface WsMinFormDiagnostics {
  /** Steps mode: valid positions after their row's last step end (they get 0). */
  positionsAfterLastStep?: number;
  /** Rows with no valid token. */
  emptyRows: number;
}

/** What a workspace token kernel returns: views into the workspace (no copy). */
export interface WsTokenResult<D> {
  advantages: Float32Array;
  /** The `returns` view when the kernel writes returns apart (GAE, REINFORCE++), else `advantages`. */
  returns: Float32Array;
  diagnostics: D;
}

/** `ws.klPenalty()`'s result. */
export interface WsKlResult {
  /** The `kl` view. */
  kl: Float32Array;
  /** Which gradient the estimator name asks for (`"value"` or `"k2-straight-through"`). */
  diagnostics: { /** The gradient variant of the estimator name. */ gradient: string };
}
/** `ws.primeAdvantage()`'s result: the views it wrote (no copy) and the diagnostics. */
export interface WsPrimeResult {
  /** The `advantages` view. */
  advantages: Float32Array;
  /** The `returns` view. */
  returns: Float32Array;
  /** The batch maximum of the normalisation, the whitening statistics, the empty rows. */
  diagnostics: PrimeDiagnostics;
}
/** `ws.primeImplicitReward()`'s result: the views it wrote (no copy). */
export interface WsPrimeImplicitResult {
  /** The process rewards: the `tokenRewards` view. */
  tokenRewards: Float32Array;
  /** The implicit Q per token: the `q` view, when planned. */
  q?: Float32Array;
}
/** `ws.klInReward()`'s result. */
export interface WsKlInRewardResult {
  /** The `tokenRewards` view. */
  tokenRewards: Float32Array;
  /** The mean over rows of each row's mean KL (what verl's controller reads). */
  currentKl: number;
  /** The mode and the coefficient used. */
  diagnostics: KlRewardDiagnostics;
}

/** What a workspace outcome estimator returns: views into the workspace (no copy). */
export interface WsResult<D> {
  /** The `rowAdvantages` view. */
  rowAdvantages: Float32Array;
  /** The `advantages` view (packed: its first offsets[B] tokens). */
  advantages: Float32Array;
  /** The same view as `advantages`, except for ReMax and openrlhfOutcome. */
  returns: Float32Array;
  /** Group counts and the estimator's own statistics. */
  diagnostics: D;
}

let guardBytes = 0;
const GUARD_BYTE = 0xa5;
/** Test hook: plan every later workspace with guard bands of `bytes` after each region (0: off). */
export function setGuardBands(bytes: number): void { guardBytes = bytes; }

/**
 * Whether a call's per-call inputs (or the arrays of an object input such as refs) are views of
 * this workspace's own memory: its shaper then writes scratch and copies, since writing the
 * output view directly could overwrite an input the kernel still reads.
 */
function readsOwnMemory(o: Record<string, unknown>, buffer: ArrayBufferLike): boolean {
  const own = (v: unknown) => ArrayBuffer.isView(v) && v.buffer === buffer;
  for (const k in o) {
    const v = o[k];
    if (own(v)) return true;
    if (v !== null && typeof v === "object" && !ArrayBuffer.isView(v)) for (const x of Object.values(v)) if (own(x)) return true;
  }
  return false;
}

/** The shapers' per-call row inputs and their values per row (checkRowInputs). */
const ROW_INPUTS: Record<string, number> = {
  lengths: 1, correct: 1, status: 1, eligible: 1, repetitive: 1, metric: 1, meanLogp: 1, promptIds: 1, truncated: 1, pred: 4, gt: 4,
};
/**
 * A shaper's per-call row inputs hold one value (pred, gt: four; pass: `tests`; refs: `perRow`)
 * per planned row: SHAPE_MISMATCH naming the input otherwise. Some kernels take their row count
 * from such an input, so it is checked before anything runs.
 */
function checkRowInputs(o: Record<string, unknown>, B: number): void {
  const want = (k: string, got: number, n: number) => {
    if (got !== n) rangeError("SHAPE_MISMATCH", k, -1, msg`length ${got} != ${n} (the workspace's ${B} rows)`);
  };
  for (const k in o) {
    const v = o[k];
    if (ArrayBuffer.isView(v) && ROW_INPUTS[k] !== undefined) want(k, (v as unknown as ArrayLike<number>).length, B * ROW_INPUTS[k]!);
  }
  if (ArrayBuffer.isView(o.pass) && Number.isInteger(o.tests) && (o.tests as number) > 0) want("pass", (o.pass as Uint8Array).length, B * (o.tests as number));
  const refs = o.refs as { values?: unknown; perRow?: unknown; offsets?: unknown } | undefined;
  if (refs !== null && typeof refs === "object") {
    if (ArrayBuffer.isView(refs.offsets)) want("refs", (refs.offsets as Int32Array).length, B + 1);
    else if (ArrayBuffer.isView(refs.values) && Number.isInteger(refs.perRow) && (refs.perRow as number) > 0) want("refs", (refs.values as Float32Array).length, B * (refs.perRow as number));
  }
}
/** Names that are inputs of a workspace (views), never per-call options. */
const WS_INPUTS = new Set(["scores", "tokenRewards", "tokenScores", "values", "mask", "lengths", "offsets", "width", "groupSize", "groupIds",
  "baselines", "truncated", "rewardsPerFunc", "kl", "actionMask", "rewards", "logp", "refLogp", "loss", "components", "mode",
  "returns", "stepEndMask", "tokenValues", "answerLogp", "logpRm", "logpRef", "processRewards"]);

const NO_OPTIONS: Record<string, unknown> = Object.freeze(Object.create(null));

function isEmpty(o: Record<string, unknown>): boolean {
  for (const _ in o) return false;
  return true;
}

/** Runs `fn`; a typed error that names a copy-API argument is re-thrown naming the view the user filled. */
function renamed<R>(names: Record<string, string> | undefined, fn: () => R): R {
  if (!names) return fn();
  try { return fn(); } catch (err) {
    if (isRlaError(err) && Object.hasOwn(names, err.argument)) {
      const Ctor = err instanceof RlaTypeError ? RlaTypeError : RlaRangeError;
      const again = new Ctor(err.code, names[err.argument]!, err.index, err.message.slice(err.message.indexOf(": ", err.code.length + 2) + 2));
      throw again;
    }
    throw err;
  }
}

interface CheckedPlan { plan: Readonly<WorkspacePlan>; rowsOnly: boolean; packed: boolean; B: number; T: number; N: number; maxGroups: number; extra: ExtraView[] }

/** Validates a plan (own keys, types, ranges) and derives its shape; nothing is allocated. */
function checkPlan(plan: WorkspacePlan): CheckedPlan {
  const p = ownOptions(plan, "plan", PLAN_KEYS) as unknown as WorkspacePlan;
  const count = (k: keyof WorkspacePlan, min: number) => {
    const v = p[k];
    if (v === undefined) return;
    if (typeof v !== "number" || !Number.isInteger(v)) typeError("WRONG_TYPE", k, -1, msg`must be an integer, got ${v}`);
    if ((v as number) < min || !Number.isSafeInteger(v)) rangeError("PARAM_OUT_OF_RANGE", k, -1, msg`must be an integer >= ${min}, got ${v}`);
  };
  if (p.rows === undefined) typeError("WRONG_TYPE", "rows", -1, "the plan needs rows");
  count("rows", 0); count("width", 0); count("tokens", 0); count("groupSize", 1); count("maxGroups", 1); count("rewardFunctions", 1);
  count("candidates", 1); count("topK", 1); count("threads", 1);
  if (p.threads !== undefined && p.threads > MAX_THREADS) rangeError("PARAM_OUT_OF_RANGE", "threads", -1, msg`must lie in [1, ${MAX_THREADS}], got ${p.threads}`);
  if (p.candidates !== undefined && p.rows % p.candidates !== 0)
    rangeError("SHAPE_MISMATCH", "candidates", -1, msg`rows (${p.rows}) must be prompts x candidates (${p.candidates})`);
  if (p.topK !== undefined && (p.candidates === undefined || p.topK > p.candidates))
    rangeError("PARAM_OUT_OF_RANGE", "topK", -1, msg`must lie in [1, candidates], got ${p.topK}${p.candidates === undefined ? " without candidates" : ""}`);
  if (p.width !== undefined && p.tokens !== undefined) rangeError("SHAPE_MISMATCH", "width", -1, "plan either a padded layout (width) or a packed one (tokens), not both");
  const rowsOnly = p.width === undefined && p.tokens === undefined;
  if (p.valid !== undefined) checkEnum("valid", p.valid, ["mask", "lengths", "all"]);
  const valid = rowsOnly ? "all" : (p.valid ?? "mask");
  if (valid === "lengths" && p.tokens !== undefined) rangeError("UNKNOWN_OPTION", "valid", -1, "lengths is a padded-layout input");
  if (p.groupSize !== undefined && p.rows % p.groupSize !== 0)
    rangeError("GROUP_SIZE_INVALID", "groupSize", -1, msg`rows (${p.rows}) must be a multiple of groupSize (${p.groupSize})`);
  if (p.maxGroups !== undefined && p.maxGroups > Math.max(p.rows, 1))
    rangeError("PARAM_OUT_OF_RANGE", "maxGroups", -1, msg`group ids are dense: maxGroups (${p.maxGroups}) must be <= rows (${p.rows})`);
  let extra: ExtraView[] = [];
  if (p.extraViews !== undefined) extra = [...new Set(ownArray(p.extraViews, "extraViews").map((x, k) => checkEnum("extraViews", x, EXTRA_VIEWS, k)))];
  const packed = p.tokens !== undefined, B = p.rows;
  const T = packed || rowsOnly ? 0 : p.width!;
  return {
    plan: Object.freeze({ ...p, valid, ...(p.extraViews ? { extraViews: Object.freeze(extra) as ExtraView[] } : {}) }),
    rowsOnly, packed, B, T, N: packed ? p.tokens! : B * T,
    maxGroups: p.groupSize ? B / p.groupSize : Math.max(p.maxGroups ?? B, 1), extra,
  };
}

/** Every region of a checked plan and the bytes they take, in plain numbers (exact far past 4 GiB). */
function layoutOf(v: CheckedPlan): { want: [string, ViewKind, number][]; cap: number; total: number } {
  const { B, N, plan: p } = v;
  const K = p.rewardFunctions ?? 1, G = v.maxGroups, xs = new Set(v.extra);
  const want: [string, ViewKind, number][] = [
    ["scores", "f32", B], ["rowAdvantages", "f32", B], ["groupIds", "i32", B], ["baselines", "f32", B],
    ["truncated", "u8", B], ["rewardsPerFunc", "f32", B * K], ["shapedRewards", "f32", B], ["advantages", "f32", N],
  ];
  if (v.packed) want.push(["offsets", "i32", B + 1]);
  if (p.candidates !== undefined) {
    const slots = (B / p.candidates) * (p.topK ?? 1);
    want.push(["combined", "f32", B], ["topIndices", "i32", slots], ["topScores", "f32", slots]);
  }
  if (p.valid === "mask") want.push(["mask", "u8", N]);
  if (p.valid === "lengths") want.push(["lengths", "i32", B]);
  for (const x of xs) want.push([x, x === "stepEndMask" ? "u8" : "f32", N]);
  // Scratch: every row-level temporary of the largest runner, per-group f64 arrays, TRL's
  // G*K moments, and (with "returns" or "logp") the token temporaries of ReMax,
  // openrlhfOutcome (f32 returns, their f64 copy and the normalised f32 advantages: 16 bytes
  // a token) or the KL kernels (8 bytes a token). Scratch is reset by every call, so the token
  // part is the larger of the two, not their sum.
  const tokenScratch = Math.max(xs.has("returns") ? 4 * N * 4 + 64 : 0, xs.has("logp") ? 2 * N * 4 + 64 : 0);
  // Each extra thread of a row kernel needs its own row buffer (the longest row in f64: GAE's and
  // the returns' moments) and a few small records (with the 16-byte result slots of its share of
  // a split call's chunks, at most 8 a thread); a packed plan reserves rows up to 64 Ki tokens,
  // and a longer one runs on fewer threads.
  const threadScratch = ((p.threads ?? 1) - 1) * ((v.packed ? Math.min(N, 65536) : v.T) * 8 + 1024);
  const cap = 4096 + B * 96 + G * 8 * 32 + 3 * G * K * 8 + B * 8 + tokenScratch + threadScratch;
  let total = alignUp(cap) + alignUp(Math.max(B * 4, 16));
  for (const [, kind, len] of want) total += alignUp(Math.max(len * BYTES[kind], 16));
  total += (want.length + 3) * alignUp(guardBytes);
  return { want, cap, total };
}

/**
 * A zero-copy workspace: every buffer of a batch shape planned once in a WebAssembly memory of
 * its own. Fill the input views, call a kernel, read the output views: no copy and no allocation
 * per call. A view stays valid until this workspace is resized or disposed.
 */
export class Workspace {
  /** Rows B. */
  readonly B: number;
  /** Padded width T (0 in the packed layout and rows-only workspaces). */
  readonly T: number;
  /** Token capacity: B*T padded, the planned tokens packed. */
  readonly N: number;
  /** Packed (varlen) layout with an `offsets` view. */
  readonly packed: boolean;
  /** No token layout: kernels produce row advantages only. */
  readonly rowsOnly: boolean;
  /** The plan, checked and frozen. */
  readonly plan: Readonly<WorkspacePlan>;
  /** Upper bound on group ids (groupIds path): the plan's maxGroups, default rows. */
  readonly maxGroups: number;
  private readonly e: Engine;
  private regions = new Map<string, Region>();
  private viewCache = new Map<string, Float32Array | Uint8Array | Int32Array>();
  private scratch!: PlannedScratch;
  private idsCache!: { ptr: number; size: number; rows: number };
  private disposed = false;

  /**
   * Plans a workspace on an engine of its own (a new instance of `parent`'s compiled module), so
   * that nothing outside this workspace can grow its memory or write into its views. All sizes
   * are computed before anything is allocated; a plan that does not fit throws CAPACITY and
   * leaves nothing reserved.
   */
  constructor(parent: Engine, plan: WorkspacePlan) {
    const v = checkPlan(plan);
    this.plan = v.plan; this.rowsOnly = v.rowsOnly; this.packed = v.packed;
    this.B = v.B; this.T = v.T; this.N = v.N; this.maxGroups = v.maxGroups;
    const { want, cap, total } = layoutOf(v);
    if (parent.heap.base + total > MEMORY_LIMIT) capacityError("plan", parent.heap.base + total, MEMORY_LIMIT);
    const threads = v.plan.threads ?? 1;
    this.e = threads > 1 && threadsSupported() ? parent.spawnShared(total, threads, this) : parent.spawn();
    this.e.heap.reserve(total, "plan");
    this.guard("start");
    for (const [name, kind, len] of want) { this.regions.set(name, { ptr: this.e.alloc(len * BYTES[kind]), len, kind }); this.guard(name); }
    this.scratch = new PlannedScratch(this.e.alloc(cap), cap);
    this.guard("scratch");
    this.idsCache = { ptr: this.e.alloc(this.B * 4), size: 0, rows: this.B };
    this.guard("ids");
  }

  // Guard bands (a test hook, off in production): a filled band after every region, so a test
  // can assert that no kernel writes past the end of its output.
  private guards: { after: string; ptr: number }[] = [];
  private guard(after: string): void {
    if (!guardBytes) return;
    const ptr = this.e.alloc(guardBytes);
    this.e.U8.fill(GUARD_BYTE, ptr, ptr + guardBytes);
    this.guards.push({ after, ptr });
  }
  /** Test hook: the regions whose guard band was written (empty when none, or bands are off). */
  guardViolations(): string[] {
    const U = this.e.U8, bad: string[] = [];
    for (const g of this.guards) for (let k = 0; k < guardBytes; k++) if (U[g.ptr + k] !== GUARD_BYTE) { bad.push(g.after); break; }
    return bad;
  }

  /**
   * Bytes a plan reserves in its own WebAssembly memory (views, scratch and bookkeeping), without
   * allocating anything; the same typed errors as planning it. A plan fits while this stays below
   * `MEMORY_LIMIT` (4 GiB) minus the module's static data (a few KiB).
   */
  static bytesFor(plan: WorkspacePlan): number { return layoutOf(checkPlan(plan)).total; }

  /**
   * Threads this workspace's token kernels can use now: 1 without a pool (plan `threads` 1, or a
   * runtime without shared memory or workers), else 1 plus the workers that have started.
   */
  get threads(): number { return this.disposed ? 0 : (this.e.pool?.active ?? 1); }

  /** Resolves when the pool's workers have started (at once without a pool): the threads usable then. */
  async threadsReady(): Promise<number> { return this.e.pool ? this.e.pool.ready() : 1; }

  /** The engine (instance and memory) this workspace owns. */
  get engine(): Engine { return this.e; }

  /**
   * Re-plans for a new shape: returns a new workspace (with memory of its own) and disposes this
   * one, so every view of this workspace becomes stale (STALE_VIEW when passed to a call).
   */
  resize(plan: Partial<WorkspacePlan>): Workspace {
    if (this.disposed) typeError("STALE_VIEW", "workspace", -1, "the workspace was disposed");
    const next = new Workspace(this.e, { ...this.plan, ...ownOptions(plan, "plan", PLAN_KEYS) } as unknown as WorkspacePlan);
    this.dispose();
    return next;
  }

  /**
   * Releases the workspace: its memory is no longer used by anything, and its views, passed to
   * any call, throw STALE_VIEW. Optional: a workspace that is simply dropped is reclaimed by the
   * garbage collector with its memory.
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.e.stopThreads();
    this.e.retire();
    this.regions.clear();
    this.viewCache.clear();
  }

  /** Bytes this workspace reserved in WebAssembly memory. */
  get bytes(): number {
    let s = this.scratch.capacity + this.B * 4;
    for (const r of this.regions.values()) s += r.len * BYTES[r.kind];
    return s;
  }

  private view(name: string): any {
    if (this.disposed) typeError("STALE_VIEW", name, -1, "the workspace was disposed");
    let v = this.viewCache.get(name);
    if (!v) {
      const r = this.regions.get(name);
      if (!r) rangeError("SHAPE_MISMATCH", name, -1, msg`this workspace has no "${name}" view; add it to the plan (valid / extraViews)`);
      const buf = this.e.buffer; // never replaced: the memory grew once, when the plan was made
      v = r!.kind === "f32" ? new Float32Array(buf, r!.ptr, r!.len) : r!.kind === "u8" ? new Uint8Array(buf, r!.ptr, r!.len) : new Int32Array(buf, r!.ptr, r!.len);
      this.viewCache.set(name, v);
    }
    return v;
  }

  // Input views (fill these).
  /** Input: one score per row, Float32Array[B] (the verifier or reward model output). */
  get scores(): Float32Array { return this.view("scores"); }
  /** Input (extraViews "tokenRewards"): token rewards [N]; also the output of klInReward and placeScores without a tokenScores view. */
  get tokenRewards(): Float32Array { return this.view("tokenRewards"); }
  /** Input (extraViews "tokenScores"): token scores [N] that klInReward reads (placeScores writes them). */
  get tokenScores(): Float32Array { return this.view("tokenScores"); }
  /** Input (valid "mask", the default): 0/1 per token [N], Uint8Array. */
  get mask(): Uint8Array { return this.view("mask"); }
  /** Input (valid "lengths"): valid tokens per row, Int32Array[B] (padded layout). */
  get lengths(): Int32Array { return this.view("lengths"); }
  /** Input (packed layout): Int32Array[B+1], offsets[B] <= the planned tokens. */
  get offsets(): Int32Array { return this.view("offsets"); }
  /** Input (no groupSize in the plan): dense group id per row, Int32Array[B], below maxGroups. */
  get groupIds(): Int32Array { return this.view("groupIds"); }
  /** Input of remax: the greedy baseline per row, Float32Array[B]. */
  get baselines(): Float32Array { return this.view("baselines"); }
  /** Input of dler: 1 where the response hit the length cap, Uint8Array[B]. */
  get truncated(): Uint8Array { return this.view("truncated"); }
  /** Input of trlGroupAdvantage: row-major [B][K] rewards, NaN = None (K = plan.rewardFunctions). */
  get rewardsPerFunc(): Float32Array { return this.view("rewardsPerFunc"); }
  /** Input of openrlhfOutcome; output of klPenalty and klInReward (extraViews "kl"), [N]. */
  get kl(): Float32Array { return this.view("kl"); }
  /** Input of gae (extraViews "values"): value estimates [N]. */
  get values(): Float32Array { return this.view("values"); }
  /** Input of klPenalty and klInReward (extraViews "logp"): policy log-probs [N]. */
  get logp(): Float32Array { return this.view("logp"); }
  /** Input of klPenalty and klInReward (extraViews "refLogp"): reference log-probs [N]. */
  get refLogp(): Float32Array { return this.view("refLogp"); }
  /** Input of aggLoss (extraViews "loss"): per-token loss [N]. */
  get loss(): Float32Array { return this.view("loss"); }
  // Output views (read these).
  /** Output: token advantages [N] (packed: offsets[B] of them), +0 at masked positions. */
  get advantages(): Float32Array { return this.view("advantages"); }
  /** Output (extraViews "returns"): token returns of gae, reinforcePP, remax and openrlhfOutcome. */
  get returns(): Float32Array { return this.view("returns"); }
  /** Output: one advantage per row, Float32Array[B]. */
  get rowAdvantages(): Float32Array { return this.view("rowAdvantages"); }
  /** Output of rerank (plan `candidates`): every candidate's combined score, Float32Array[rows] (-Infinity where excluded). */
  get combined(): Float32Array { return this.view("combined"); }
  /** Output of rerank: the top candidates of each prompt, Int32Array[prompts * topK] (-1 for empty slots). */
  get topIndices(): Int32Array { return this.view("topIndices"); }
  /** Output of rerank: their combined scores, Float32Array[prompts * topK] (-Infinity for empty slots). */
  get topScores(): Float32Array { return this.view("topScores"); }
  /** Output of openrlhfOutcome and of every reward shaper: the shaped reward per row, Float32Array[B]. Group estimators read it with `input: "shapedRewards"`. */
  get shapedRewards(): Float32Array { return this.view("shapedRewards"); }
  /** Input of roverTargets (extraViews "oldLogp"): the old policy's log-probs [N]. */
  get oldLogp(): Float32Array { return this.view("oldLogp"); }
  /** Input of roverTargets (extraViews "qLogits"): the current policy's per-position vocabulary reduction [N]. */
  get qLogits(): Float32Array { return this.view("qLogits"); }
  /** Input of roverTargets (extraViews "oldQLogits"): the old policy's [N]. */
  get oldQLogits(): Float32Array { return this.view("oldQLogits"); }
  /** Output of roverTargets (extraViews "q"): Q-values [N]. */
  get q(): Float32Array { return this.view("q"); }
  /** Output of roverTargets (extraViews "nextQ"): the next position's Q [N]. */
  get nextQ(): Float32Array { return this.view("nextQ"); }
  /** Input of softminStepRewards (extraViews "stepEndMask"): 1 at each step's end token, Uint8Array[N]. */
  get stepEndMask(): Uint8Array { return this.view("stepEndMask"); }
  /** Output of roverTargets (extraViews "target"): regression targets [N]. */
  get target(): Float32Array { return this.view("target"); }

  // A padded or rows-only layout never changes: it is built once (the per-call cost of a small
  // batch is mostly such bookkeeping). A packed one depends on offsets[B], read per call.
  private layoutCache: (T.Layout & T.Groups) | null = null;

  /** The layout and group inputs of this workspace, as views. */
  private layout(): T.Layout & T.Groups {
    if (this.layoutCache) return this.layoutCache;
    const out: T.Layout & T.Groups = {};
    let n = this.N;
    if (this.packed) {
      const o = this.offsets;
      n = o[this.B]!;
      if (!(n >= 0 && n <= this.N)) rangeError("BAD_OFFSETS", "offsets", this.B, msg`offsets[B] = ${n} outside the planned token capacity [0, ${this.N}]`);
      out.offsets = o;
    } else if (!this.rowsOnly) out.width = this.T;
    if (this.plan.valid === "mask") out.mask = this.mask.subarray(0, n);
    if (this.plan.valid === "lengths") out.lengths = this.lengths;
    if (this.plan.groupSize) { out.groupSize = this.plan.groupSize; (out as Record<symbol, unknown>)[IDS_CACHE] = this.idsCache; }
    else { out.groupIds = this.groupIds; (out as Record<symbol, number>)[MAX_GROUPS] = this.maxGroups; }
    if (!this.packed) {
      // Every array of a padded layout is a view planned here: the kernels skip its type and length checks.
      (out as { [VOUCHED_SHAPE]?: LayoutShape })[VOUCHED_SHAPE] = Object.freeze(this.rowsOnly
        ? { B: this.B, T: 0, N: 0, packed: false, hasTokens: false }
        : { B: this.B, T: this.T, N: this.N, packed: false, hasTokens: true });
      this.layoutCache = Object.freeze(out);
    }
    return out;
  }

  /**
   * The per-call options, read once by their own keys. Inputs come from the views, so an input
   * name among the options is UNKNOWN_OPTION (it would otherwise be silently ignored), except the
   * names in `own`: this call's own knobs that are a workspace-set input elsewhere ("mode").
   * `alsoRefused` names more keys the call's views fix (a shaper's).
   */
  private options(call: unknown, own: readonly string[] = [], alsoRefused?: (k: string) => boolean): Record<string, unknown> {
    if (this.disposed) typeError("STALE_VIEW", "workspace", -1, "the workspace was disposed");
    // The hot loop's call passes nothing: no options object to read.
    const o = call === undefined || call === null ? NO_OPTIONS : ownOptions(call, "options");
    for (const k in o) if ((WS_INPUTS.has(k) && !own.includes(k)) || alsoRefused?.(k))
      rangeError("UNKNOWN_OPTION", k, -1, msg`${k} is set by the workspace (an input view, or fixed for this call), not per call`);
    return o;
  }

  /** A kernel's arguments: the call's knobs, the layout (with or without the groups), the input views; scratch reset. */
  private args(knobs: Record<string, unknown>, inputs: Record<string, unknown>, groups: boolean): Record<string, unknown> {
    // No `delete` on the result: it would turn the arguments into a dictionary-mode object, whose
    // every later lookup (options, inputs) is a hash probe; a cold call paid for it.
    const args: Record<string, unknown> = { ...knobs, ...(groups ? this.layout() : this.layoutWithoutGroups()), ...inputs };
    this.scratch.reset();
    return args;
  }

  private layoutNoGroupsCache: T.Layout | null = null;
  /** The layout without the group inputs (a token kernel's), cached with the layout. */
  private layoutWithoutGroups(): T.Layout {
    if (this.layoutNoGroupsCache) return this.layoutNoGroupsCache;
    const lay = this.layout();
    const { groupSize: _size, groupIds: _ids, ...rest } = lay;
    if (this.layoutCache) this.layoutNoGroupsCache = Object.freeze(rest);
    return rest;
  }

  // A call with no knobs on a padded or rows-only layout (the hot loop) builds the same arguments
  // every time: they are built once per runner, frozen, and reused while the input views are the
  // same ones (they are, but for a kernel given a fresh array per call). Frozen arguments also
  // resolve their options once (resolveOptions).
  private plainCache = new Map<unknown, { inputs: Record<string, unknown>; args: Record<string, unknown> }>();
  private plainArgs(runner: unknown, inputs: Record<string, unknown>): Record<string, unknown> | null {
    const hit = this.plainCache.get(runner);
    if (!hit) return null;
    let n = 0;
    for (const k in inputs) { if (hit.inputs[k] !== inputs[k]) return null; n++; }
    for (const _ in hit.inputs) n--;
    if (n !== 0) return null;
    this.scratch.reset();
    return hit.args;
  }

  /** Arguments of a token kernel that takes no groups. */
  private tokenArgs(call: unknown, inputs: Record<string, unknown>): Record<string, unknown> {
    return this.args(this.options(call), inputs, false);
  }

  /** A token view, cut to offsets[B] in the packed layout. */
  private tokens<V extends Float32Array | Uint8Array = Float32Array>(name: string): NoInfer<V> {
    const v = this.view(name) as V;
    return (this.packed ? v.subarray(0, this.offsets[this.B]!) : v) as V;
  }

  private region(name: string): number {
    const r = this.regions.get(name);
    if (!r) rangeError("SHAPE_MISMATCH", name, -1, msg`this call writes the "${name}" view: plan the workspace with extraViews: ["${name}"]`);
    return r!.ptr;
  }

  /**
   * The write phase of a call. The outputs it names are filled entirely with NaN when a write
   * fails part-way, so an error never leaves a mix of new and old values behind.
   */
  private writing<R>(outputs: readonly string[], fn: () => R): R {
    try { return fn(); } catch (err) {
      for (const name of outputs) {
        const r = this.regions.get(name);
        if (r && r.kind === "f32") this.e.f32(r.ptr, r.len).fill(NaN);
      }
      throw err;
    }
  }

  private run<D>(
    runner: (e: Engine, s: Scratch, a: any, bo?: BindOpts) => Ran<D>, call: unknown, inputs: Record<string, unknown>,
    how: { scores?: boolean; maskAs?: string; groups?: boolean; rename?: Record<string, string> } = {},
  ): WsResult<D> {
    const o = this.options(call);
    // No knobs, no renaming, a fixed layout: the arguments can be reused (plainArgs).
    const plain = isEmpty(o) && !how.rename && !how.maskAs && this.layoutCache !== null;
    let args = plain ? this.plainArgs(runner, inputs) : null;
    if (!args) {
      const { input, ...knobs } = o;
      args = this.args(knobs, inputs, how.groups !== false);
      if (how.maskAs && "mask" in args) { args[how.maskAs] = args.mask; delete args.mask; }
      if (how.scores === false) {
        if (input !== undefined) rangeError("UNKNOWN_OPTION", "input", -1, "this kernel does not read scores");
      } else if (input === "tokenRewards") args.tokenRewards = this.tokens("tokenRewards");
      else if (input === undefined || input === "scores") args.scores = this.scores;
      else if (input === "shapedRewards") { args.scores = this.shapedRewards; (how.rename ??= {}).scores = "shapedRewards"; }
      else checkEnum("input", input, ["scores", "tokenRewards", "shapedRewards"]);
      if (plain) this.plainCache.set(runner, { inputs, args: Object.freeze(args) });
    }
    // Every output this call writes must exist before the first write.
    const rowOut = this.region("rowAdvantages"), adv = this.region("advantages");
    // GRPO's, RLOO's and GPG's fused passes write their final rows straight into rowAdvantages.
    const ran = renamed(how.rename, () => runner(this.e, this.scratch, args, { idsCache: this.idsCache, rowOut }));
    const e = this.e, rows = ran.rows;
    const ret = ran.distinctReturns && rows.hasTokens ? this.region("returns") : adv;
    const shaped = ran.extra?.shapedRewards !== undefined ? this.region("shapedRewards") : 0;
    const outputs = ["rowAdvantages", "advantages", ...(ret !== adv ? ["returns"] : []), ...(shaped ? ["shapedRewards"] : [])];
    this.writing(outputs, () => renamed(how.rename, () => {
      if (ran.row !== rowOut) e.U8.copyWithin(rowOut, ran.row, ran.row + rows.B * 4);
      if (!rows.hasTokens) { /* rows-only: nothing to broadcast */ }
      else if (ran.tokens === "broadcast") broadcast(e, rows, rowOut, adv);
      else ran.tokens({ advantages: adv, returns: ret });
      if (shaped) { const p = ran.extra!.shapedRewards as number; e.U8.copyWithin(shaped, p, p + rows.B * 4); }
    }));
    const advantages = this.tokens("advantages");
    return { rowAdvantages: this.rowAdvantages, advantages, returns: ret !== adv ? this.tokens("returns") : advantages, diagnostics: ran.diagnostics };
  }

  /** GRPO from the `scores` (or `input: "tokenRewards"`) view into `rowAdvantages` and `advantages`; knobs per call. Outputs are views (no copy); an error leaves them untouched or all NaN. */
  grpo(call?: WsCall<T.GrpoArgs>) { return this.run(runGrpo, call, {}); }
  /** Dr.GRPO (GRPO without the std division). Outputs are views (no copy); an error leaves them untouched or all NaN. */
  drGrpo(call?: WsCall<T.GrpoArgs>) { return this.run(runGrpo, { ...this.options(call), normalizeByStd: false }, {}); }
  /** RLOO leave-one-out advantages. Outputs are views (no copy); an error leaves them untouched or all NaN. */
  rloo(call?: WsCall<T.RlooArgs>) { return this.run(runRloo, call, {}); }
  /** REINFORCE++-baseline: group-mean baseline, then token-weighted whitening. Outputs are views (no copy); an error leaves them untouched or all NaN. */
  reinforcePPBaseline(call?: WsCall<T.RfppbArgs>) { return this.run(runReinforcePPBaseline, call, {}); }
  /** OPO: a length-weighted group baseline. Outputs are views (no copy); an error leaves them untouched or all NaN. */
  opo(call?: WsCall<T.OpoArgs>) { return this.run(runOpo, call, {}); }
  /** GPG: `B/nnz (s - mean_g) / fNorm`. Outputs are views (no copy); an error leaves them untouched or all NaN. */
  gpg(call?: WsCall<T.GpgArgs>) { return this.run(runGpg, call, {}); }
  /** GRPO Pass@k (groups of at least 2). Outputs are views (no copy); an error leaves them untouched or all NaN. */
  grpoPassK(call?: WsCall<T.PassKArgs>) { return this.run(runGrpoPassK, call, {}); }
  /** BNPO: Beta-normalised advantages with a batch-fitted Beta. Outputs are views (no copy); an error leaves them untouched or all NaN. */
  bnpo(call?: WsCall<T.BnpoArgs>) { return this.run(runBnpo, call, {}); }
  /** Reads the `truncated` view (1 = hit the length cap). */
  dler(call?: WsCall<T.DlerArgs>) { return this.run(runDler, call, { truncated: this.truncated }); }
  /** Reads `rewardsPerFunc` ([B][K], K = plan.rewardFunctions). */
  trlGroupAdvantage(call: WsCall<T.TrlArgs> & { weights?: Float32Array | number[] } = {}) {
    const { weights, ...rest } = this.options(call);
    const K = this.plan.rewardFunctions ?? 1;
    return this.run(runTrl, rest, { rewardsPerFunc: this.rewardsPerFunc, weights: weights ?? new Float32Array(K).fill(1) }, { scores: false });
  }
  /** Reads `tokenRewards` and `baselines`; writes `advantages` and `returns` (plan extraViews: tokenRewards, returns). */
  remax(call: { preset?: Preset } = {}) {
    return this.run(runRemax as any, call, { tokenRewards: this.tokens("tokenRewards"), baselines: this.baselines }, { scores: false, groups: false });
  }
  private runTokens<D>(runner: (e: Engine, s: Scratch, a: any) => TokenRan<D>, call: unknown, inputs: Record<string, unknown>): WsTokenResult<D> {
    const ran = runner(this.e, this.scratch, this.tokenArgs(call, inputs));
    const adv = this.region("advantages"), ret = ran.distinctReturns ? this.region("returns") : adv;
    this.writing(ret === adv ? ["advantages"] : ["advantages", "returns"], () => ran.write({ advantages: adv, returns: ret }));
    const advantages = this.tokens("advantages");
    return { advantages, returns: ran.distinctReturns ? this.tokens("returns") : advantages, diagnostics: ran.diagnostics };
  }
  /**
   * GAE from the `tokenRewards` and `values` views into `advantages` and `returns` (extraViews:
   * tokenRewards, values, returns). The inputs are validated while the scan computes: an input
   * error (NON_FINITE, or RESULT_OVERFLOW) leaves both outputs all NaN; option errors leave them
   * untouched. Splits rows across the plan's `threads`.
   */
  gae(call?: WsCall<T.GaeArgs>) { return this.runTokens(runGae, call, { tokenRewards: this.tokens("tokenRewards"), values: this.tokens("values") }); }
  /** REINFORCE++ from `tokenRewards` into `advantages` (whitened) and `returns`; validated while computing, as `gae`. */
  reinforcePP(call?: WsCall<T.ReinforcePPArgs>) { return this.runTokens(runReinforcePP, call, { tokenRewards: this.tokens("tokenRewards") }); }
  /** Discounted returns from `tokenRewards` into `advantages` (the returns); validated while computing, as `gae`. */
  discountedReturns(call?: WsCall<T.ReturnsArgs>) { return this.runTokens(runDiscountedReturns, call, { tokenRewards: this.tokens("tokenRewards") }); }
  /** The KL estimator per token from `logp` and `refLogp` into the `kl` view (+0 at masked positions). */
  klPenalty(call: { klEstimator?: T.KlEstimator; klClamp?: "verl" | "all10" | "none"; preset?: Preset } = {}): WsKlResult {
    const out = this.tokens("kl");
    const ran = runKlPenalty(this.e, this.scratch, this.tokenArgs(call, { logp: this.tokens("logp"), refLogp: this.tokens("refLogp") }));
    this.writing(["kl"], () => ran.write({ advantages: this.region("kl"), returns: 0 }));
    return { kl: out, diagnostics: ran.diagnostics };
  }

  /** Aggregates the per-token `loss` view over the valid tokens (verl agg_loss; a number). */
  aggLoss(call: Omit<AggLossArgs, "loss" | "mask" | "lengths" | "offsets" | "width"> = {}): number {
    return aggLossRun(this.e, this.scratch, this.tokenArgs(call, { loss: this.tokens("loss") }) as unknown as AggLossArgs);
  }

  /**
   * Places the row scores of `scores` on each row's last valid token (or at `positions`), +0
   * elsewhere, into `tokenScores` when that view is planned, else into `tokenRewards`: the token
   * scores that `klInReward` (or `gae`) reads next.
   */
  placeScores(call: { scorePlacement?: "lastValid" | "explicit"; positions?: Int32Array; emptyRow?: "error" | "skip"; preset?: Preset } = {}): T.PlaceScoresResult {
    const into = this.regions.has("tokenScores") ? "tokenScores" : "tokenRewards";
    const out = this.tokens(into); // SHAPE_MISMATCH naming the view when neither is planned
    const plan = placeScoresPlan(this.e, this.scratch, this.tokenArgs(call, { scores: this.scores }) as any);
    this.writing([into], () => plan.write(this.region(into)));
    return { tokenScores: out, diagnostics: plan.diagnostics };
  }

  /**
   * KL in the reward, verl mode: reads the token scores and the log-probs from `logp` and
   * `refLogp`, writes `tokenRewards = scores - klCoef * kl * mask` and the per-token KL into `kl`
   * when planned (extraViews: tokenRewards, logp, refLogp, kl). The scores come from `tokenScores`
   * when that view is planned (they then stay untouched across steps), else from `tokenRewards`,
   * **in place**: every check runs before the first write.
   */
  klInReward(call: { klCoef?: number; klEstimator?: T.KlEstimator; klClamp?: "verl" | "all10" | "none"; preset?: Preset } = {}): WsKlInRewardResult {
    const scoresView = this.regions.has("tokenScores") ? "tokenScores" : "tokenRewards";
    const rename = scoresView === "tokenRewards" ? { tokenScores: "tokenRewards" } : undefined;
    const args = this.tokenArgs(call, { mode: "verl", tokenScores: this.tokens(scoresView), logp: this.tokens("logp"), refLogp: this.tokens("refLogp") });
    const ran = renamed(rename, () => runKlInReward(this.e, this.scratch, args, scoresView === "tokenRewards"));
    const tr = this.region("tokenRewards"), kl = this.regions.get("kl")?.ptr ?? 0;
    // In place when there is no tokenScores view: each token's score is read before its reward is written.
    this.writing(kl ? ["tokenRewards", "kl"] : ["tokenRewards"], () => renamed(rename, () => ran.write({ advantages: tr, returns: kl })));
    return { tokenRewards: this.tokens("tokenRewards"), currentKl: ran.diagnostics.currentKl!, diagnostics: ran.diagnostics };
  }

  /**
   * PURE's min-form returns into the `returns` view (extraViews: returns; verlCompat also
   * tokenRewards). `mode: "verlCompat"` reads the token rewards from `tokenRewards` and the
   * `mask` view (the minimum runs over every column, masked ones as 0); `"steps"` (default) takes
   * `stepValues`, `stepOffsets` and `stepEnds` per call (CSR over rows, copied: they are small)
   * and also returns the step returns (a copy). No copy of any token tensor. An error leaves
   * `returns` untouched or all NaN.
   */
  minFormReturns(call: { mode?: "steps" | "verlCompat"; stepValues?: Float32Array; stepOffsets?: Int32Array; stepEnds?: Int32Array; paddedWidth?: number } = {}): WsMinFormResult {
    const o = this.options(call, ["mode"]);
    const args = this.args(o, o.mode === "verlCompat" ? { tokenRewards: this.tokens("tokenRewards") } : {}, false);
    const plan = minFormPlan(this.e, this.scratch, args);
    const out = this.region("returns");
    this.writing(["returns"], () => plan.write(out));
    const res: WsMinFormResult = { returns: this.tokens("returns"), diagnostics: plan.diagnostics };
    if (plan.stepReturns) res.stepReturns = plan.stepReturns();
    return res;
  }

  /**
   * PRIME's implicit process rewards, `beta * (logp - refLogp)` per valid token (or the row sum
   * on its last token, `granularity: "whole"`), from the `logp` (the implicit reward model's
   * log-probs) and `refLogp` views into `tokenRewards`, and the implicit Q into `q` when planned
   * (extraViews: logp, refLogp, tokenRewards[, q]). No copy. Per call: `beta` (default 0.05),
   * `granularity`, `dropLastToken`. Upstream: PRIME's `compute_implicit_reward` (copy API
   * `primeImplicitReward`). An input error leaves the outputs untouched; RESULT_OVERFLOW (finite
   * inputs, a result past the f32 range) leaves them all NaN.
   */
  primeImplicitReward(call: Omit<T.PrimeImplicitArgs, "logpRm" | "logpRef" | "mask" | "lengths" | "offsets" | "width"> = {}): WsPrimeImplicitResult {
    const args = this.tokenArgs(call, { logpRm: this.tokens("logp"), logpRef: this.tokens("refLogp") });
    const rw = this.region("tokenRewards"), q = this.regions.get("q")?.ptr ?? 0, rename = { logpRm: "logp", logpRef: "refLogp" };
    // The inputs are checked before the kernel writes; an overflow found after it poisons the views.
    const plan = renamed(rename, () => primeImplicitPlan(this.e, this.scratch, args));
    this.writing(q ? ["tokenRewards", "q"] : ["tokenRewards"], () => renamed(rename, () => plan.write(rw, q)));
    return q ? { tokenRewards: this.tokens("tokenRewards"), q: this.tokens("q") } : { tokenRewards: this.tokens("tokenRewards") };
  }

  /**
   * PRIME's advantages into `advantages` and `returns` (extraViews: returns, and the sources).
   * The process rewards come from `source`: `"logp"` (default: implicit rewards of the `logp` and
   * `refLogp` views), `"tokenRewards"` (the view, e.g. after `ws.primeImplicitReward()`) or
   * `"none"`; the outcome per row from `scores` unless `outcome: false`. Groups from the plan. No
   * copy of any token tensor. Per call: every knob of the copy API's `primeAdvantage` (beta,
   * batchNorm, processBaseline, gammas, coefficients, singleton, whitening). An error leaves the
   * outputs untouched, or all NaN when the whitening finds too few valid tokens.
   */
  primeAdvantage(call: Omit<T.PrimeAdvantageArgs, "processRewards" | "logpRm" | "logpRef" | "outcome" | "mask" | "lengths" | "offsets" | "width" | "groupSize" | "groupIds"> & { source?: "logp" | "tokenRewards" | "none"; outcome?: boolean } = {}): WsPrimeResult {
    if (this.disposed) typeError("STALE_VIEW", "workspace", -1, "the workspace was disposed");
    const { source = "logp", outcome = true, ...rest } = ownOptions(call ?? {}, "options") as Record<string, unknown>;
    checkEnum("source", source, ["logp", "tokenRewards", "none"]);
    if (typeof outcome !== "boolean") typeError("WRONG_TYPE", "outcome", -1, msg`must be a boolean, got ${outcome}`);
    if (source === "none" && !outcome) typeError("WRONG_TYPE", "source", -1, "PRIME needs process rewards (source) or the outcome (scores), or both");
    const inputs: Record<string, unknown> = source === "logp" ? { logpRm: this.tokens("logp"), logpRef: this.tokens("refLogp") } : source === "tokenRewards" ? { processRewards: this.tokens("tokenRewards") } : {};
    if (outcome) inputs.outcome = this.scores;
    const args = this.args(this.options(rest), inputs, true);
    const adv = this.region("advantages"), ret = this.region("returns");
    const rename = { logpRm: "logp", logpRef: "refLogp", processRewards: "tokenRewards", outcome: "scores" };
    const r = this.writing(["advantages", "returns"], () => renamed(rename, () => primeAdvantageRun(this.e, this.scratch, args, { advantages: adv, returns: ret })));
    return { advantages: this.tokens("advantages"), returns: this.tokens("returns"), diagnostics: r.diagnostics };
  }

  /**
   * PURE's softmin step rewards, token form: the step values in `values` at the step ends marked
   * in `stepEndMask`, their softmin weights (`temperature`, default 0.1; `uniform: true` for the
   * plain mean) into `tokenRewards` (extraViews: values, stepEndMask, tokenRewards). No copy.
   * Upstream: PURE's `softmin` credit assignment (copy API `softminStepRewards`; its CSR form
   * takes per-step arrays and stays there). Every check runs first; an error leaves
   * `tokenRewards` untouched.
   */
  softminStepRewards(call: Pick<T.SoftminArgs, "temperature" | "uniform"> = {}): Float32Array {
    const o = this.options(call);
    this.scratch.reset();
    const args: Record<string, unknown> = { ...o, tokenValues: this.tokens("values"), stepEndMask: this.tokens<Uint8Array>("stepEndMask") };
    if (this.packed) args.offsets = this.offsets; else args.width = this.T;
    const out = this.region("tokenRewards");
    renamed({ tokenValues: "values" }, () => softminRun(this.e, this.scratch, args, out));
    return this.tokens("tokenRewards");
  }

  /**
   * PURE's leave-one-out baseline in return mode: each row's `returns` minus the mean of the other
   * rows of its group (the plan's groups), per valid token, into `advantages` (extraViews:
   * returns). `singleton` (default "raw"); `paddedWidth` for the packed layout (the padded T that
   * verl's branch divides by). No copy. Upstream: PURE's verl `compute_rloo_advantage_return`
   * (copy API `pureRlooBaseline`; its token and step modes take per-step arrays and stay
   * there). Every check runs first; an error leaves `advantages` untouched.
   */
  pureRlooBaseline(call: Pick<T.PureRlooArgs, "singleton" | "paddedWidth"> = {}): Float32Array {
    const args = this.args(this.options(call), { returns: this.tokens("returns") }, true);
    args.mode = "return";
    const out = this.region("advantages");
    // The inputs are checked before anything is written; an overflow found by the write poisons the view.
    const plan = pureRlooPlan(this.e, this.scratch, args) as Exclude<ReturnType<typeof pureRlooPlan>, Float32Array>;
    this.writing(["advantages"], () => plan.write(out));
    return this.tokens("advantages");
  }

  /**
   * Likelihood rewards of the answer tokens' log-probs in the `logp` view, one per row, into
   * `shapedRewards` (extraViews: logp): `mode` `"sum"` (default, Σ log p), `"prob"` (its exp),
   * `"avgProb"` (mean of exp), `"mean"` (provisional). No copy of the token tensor (the rows are
   * 4 bytes each). Upstream: the likelihood-as-reward baselines (copy API `likelihoodReward`).
   * Errors: EMPTY_ROW, NON_FINITE, RESULT_OVERFLOW; `shapedRewards` is then untouched.
   */
  likelihoodReward(call: Omit<T.LikelihoodArgs, "answerLogp" | "mask" | "lengths" | "offsets" | "width"> = {}): Float32Array {
    const args = this.args(this.options(call, ["mode"]), { answerLogp: this.tokens("logp") }, false);
    const dst = this.region("shapedRewards");
    // The rows are computed and checked (RESULT_OVERFLOW) before anything is written.
    const rows = renamed({ answerLogp: "logp" }, () => likelihoodRun(this.e, this.scratch, args));
    this.e.F32.set(rows, dst >>> 2);
    return this.shapedRewards;
  }

  /**
   * Best-of-N reranking on the views (plan `candidates`, `topK`, `rewardFunctions` = heads): reads
   * the heads' scores from `rewardsPerFunc` ([prompts x candidates][heads]), writes `combined`,
   * `topIndices` and `topScores`; no copy of any of them. Per call: `combine`, `weights`,
   * `ref`/`refs`, `sigmoidK`, `maxRef`, and `valid` (Uint8Array[rows], copied). An error leaves
   * the outputs untouched or the score views all NaN.
   */
  rerank(call: Omit<RerankArgs, "scores" | "prompts" | "candidates" | "heads" | "k"> = {}): WsRerankResult {
    const o = this.options(call);
    const N = this.plan.candidates;
    if (N === undefined) rangeError("SHAPE_MISMATCH", "candidates", -1, "plan the workspace with candidates (and topK) to rerank");
    this.scratch.reset();
    // Errors name the view the caller filled (rewardsPerFunc), not the copy API's "scores".
    const rename = { scores: "rewardsPerFunc" };
    const plan = renamed(rename, () => rerankPlan(this.e, this.scratch, { ...o, scores: this.rewardsPerFunc, candidates: N!, heads: this.plan.rewardFunctions ?? 1, k: this.plan.topK ?? 1 } as RerankArgs));
    const out = this.region("combined"), ti = this.region("topIndices"), ts = this.region("topScores");
    this.writing(["combined", "topScores"], () => renamed(rename, () => plan.write(out, ti, ts)));
    return { combined: this.combined, topIndices: this.topIndices, topScores: this.topScores };
  }

  // ---- Reward shapers (docs/shapers.md): read `scores` (and the plan's lengths, truncated, groups),
  // take their other row inputs per call (copied into scratch: a few bytes a row), and write the
  // shaped reward into the `shapedRewards` view after every check passed (a failed call leaves it
  // untouched or all NaN). Chain them into an estimator with `ws.grpo({ input: "shapedRewards" })`.

  /**
   * A row shaper on the views. `viewInputs` are the views it reads (never per call); `perCall`
   * the row inputs a call may give; `rename` maps the copy API's argument names to the views.
   */
  private shape<R>(call: unknown, viewInputs: Record<string, unknown>, perCall: readonly string[],
    run: (e: Engine, s: Scratch, a: Record<string, any>, sink: Sink) => R, how: { groups?: boolean; lengths?: boolean; rename?: Record<string, string> } = {}): R {
    const fromView = how.lengths === true && this.plan.valid === "lengths";
    const o = this.options(call, perCall, (k) => k in viewInputs || (k === "lengths" && fromView));
    const args: Record<string, unknown> = { ...o, ...viewInputs };
    if (fromView) args.lengths = this.lengths;
    if (how.groups) {
      const l = this.layout();
      if (l.groupSize !== undefined) { args.groupSize = l.groupSize; (args as Record<symbol, unknown>)[IDS_CACHE] = this.idsCache; }
      else { args.groupIds = l.groupIds; (args as Record<symbol, number>)[MAX_GROUPS] = this.maxGroups; }
    }
    checkRowInputs(o, this.B);
    this.scratch.reset();
    const dst = this.region("shapedRewards"), e = this.e;
    // Never more or fewer rows than the view holds: the kernel writes the view directly only for
    // exactly its rows (mainOut); one whose rows come from an input not listed in ROW_INPUTS
    // wrote scratch and fails here, before the copy.
    const sink: Sink = Object.assign((ptr: number, n: number) => {
      if (n !== this.B) rangeError("SHAPE_MISMATCH", Object.keys(o).find((k) => ArrayBuffer.isView(o[k])) ?? "rows", -1, msg`the call describes ${n} rows; the workspace has ${this.B}`);
      if (ptr !== dst) e.U8.copyWithin(dst, ptr, ptr + n * 4);
      return this.shapedRewards;
    }, { mainOnly: true, rows: this.B, dest: readsOwnMemory(o, e.buffer) ? undefined : dst });
    return this.writing(["shapedRewards"], () => renamed(how.rename, () => run(e, this.scratch, args, sink)));
  }

  /** PAR's pipeline on `scores` (r) into `shapedRewards`; per call: refs, lengths (unless planned), stats and the step flags. */
  parShape(call: Omit<ParShapeArgs, "r"> = {}): Float32Array {
    return this.shape(call, { r: this.scores }, ["lengths"], parShapeRun, { lengths: true, rename: { r: "scores" } });
  }
  /** LSC of `scores` into `shapedRewards`; per call: refs or refReward, q. */
  lscTransform(call: Omit<LscTransformArgs, "r"> = {}): Float32Array {
    return this.shape(call, { r: this.scores }, [], lscTransformRun, { rename: { r: "scores" } });
  }
  /** LSC over the heads of `rewardsPerFunc` (plan rewardFunctions) into `shapedRewards`; per call: refs or refReward, weights, q. */
  lscCombine(call: Omit<LscCombineArgs, "r" | "heads"> = {}): Float32Array {
    return this.shape(call, { r: this.rewardsPerFunc, heads: this.plan.rewardFunctions ?? 1 }, [], lscCombineRun, { rename: { r: "rewardsPerFunc" } });
  }
  /** Kimi's length reward: `shapedRewards = scores + weight * len`; per call: correct, lengths (unless planned), eligible, eps, singleton, weight. */
  kimiLengthReward(call: WsShaperCall<KimiLengthArgs, "base" | "groupSize" | "groupIds"> = {} as never): Float32Array {
    return this.shape(call, { base: this.scores }, ["lengths"], (e, s, a, k) => kimiLengthRun(e, s, a, k).reward!, { groups: true, lengths: true, rename: { base: "scores" } });
  }
  /** LASER / D / DE scores into `shapedRewards`; per call: status, lengths (unless planned), repetitive and the knobs. */
  laserReward(call: WsShaperCall<LaserArgs, "groupSize" | "groupIds"> = {} as never): Float32Array {
    return this.shape(call, {}, ["lengths"], (e, s, a, k) => laserRun(e, s, a, k).scores, { groups: true, lengths: true });
  }
  /** HAPO: `shapedRewards = scores + weight * len`; per call: lengths (unless planned), correct, promptIds, history (read only). */
  hapoLengthReward(call: WsShaperCall<HapoArgs, "base"> = {} as never): Float32Array {
    return this.shape(call, { base: this.scores }, ["lengths"], (e, s, a, k) => hapoRun(e, s, a, k).reward!, { lengths: true, rename: { base: "scores" } });
  }
  /** DAPO's overlong penalty of `scores` into `shapedRewards`; per call: lengths (unless planned), maxNewTokens, bufferLen, factor. */
  overlongPenalty(call: WsShaperCall<OverlongArgs, "r"> = {} as never): Float32Array {
    return this.shape(call, { r: this.scores }, ["lengths"], overlongRun, { lengths: true, rename: { r: "scores" } });
  }
  /** ProRL's stop-properly penalty of `scores` by the `truncated` view into `shapedRewards`; per call: coef. */
  stopProperlyPenalty(call: Omit<StopProperlyArgs, "r" | "truncated"> = {} as never): Float32Array {
    return this.shape(call, { r: this.scores, truncated: this.truncated }, [], stopProperlyRun, { rename: { r: "scores" } });
  }
  /** GUI-G²'s total reward into `shapedRewards`; per call: pred and gt boxes (Float32Array[rows*4]) and the knobs. */
  guiG2Reward(call: GuiG2Args = {} as never): Float32Array {
    return this.shape(call, {}, [], (e, s, a, k) => {
      checkF32("gt", a.gt);
      if ((a.gt as Float32Array).length !== 4 * this.B) rangeError("SHAPE_MISMATCH", "gt", -1, msg`this workspace has ${this.B} rows: gt needs ${4 * this.B} values`);
      return guiG2Run(e, s, a, k).total;
    });
  }
  /** DRPO's coefficients of the 0/1 `scores` into `shapedRewards`; per call: meanLogp, lengths (unless planned) and width, or the plan's mask. */
  drpoCoefficients(call: WsShaperCall<DrpoArgs, "rewards" | "groupSize" | "groupIds" | "mask"> = {} as never): Float32Array {
    const extra: Record<string, unknown> = { rewards: this.scores };
    if (this.plan.valid === "mask" && !this.rowsOnly && !this.packed) { extra.mask = this.mask; extra.width = this.T; }
    else if (this.plan.valid === "lengths") extra.width = this.T;
    return this.shape(call, extra, ["lengths", "width"], drpoRun, { groups: true, lengths: true, rename: { rewards: "scores" } });
  }
  /** CANON's advantages of `scores` into `shapedRewards`; per call: metric and the knobs. */
  canon(call: Omit<CanonArgs, "scores" | "groupSize" | "groupIds"> = {} as never): Float32Array {
    return this.shape(call, { scores: this.scores }, [], canonRun, { groups: true });
  }
  /** GRPO-λ (provisional) into `shapedRewards`; per call: correct, lengths (unless planned), lambda, lengthWeight. */
  grpoLambda(call: WsShaperCall<GrpoLambdaArgs, "groupSize" | "groupIds"> = {} as never): Float32Array {
    return this.shape(call, {}, ["lengths"], (e, s, a, k) => grpoLambdaRun(e, s, a, k).rewards, { groups: true, lengths: true });
  }
  /** VeRPO (provisional) into `shapedRewards`; per call: pass, tests, testValid, localWeight. */
  verpoReward(call: Omit<VerpoArgs, "groupSize" | "groupIds"> = {} as never): Float32Array {
    return this.shape(call, {}, [], (e, s, a, k) => verpoRun(e, s, a, k).rewards, { groups: true });
  }
  /** O1-pruner into `shapedRewards`; per call: lengths (unless planned). */
  o1PrunerReward(call: WsShaperCall<O1PrunerArgs, "groupSize" | "groupIds"> = {} as never): Float32Array {
    return this.shape(call, {}, ["lengths"], o1PrunerRun, { groups: true, lengths: true });
  }
  /** ER into `shapedRewards`; per call: lengths (unless planned), correct. */
  erLengthReward(call: WsShaperCall<ErLengthArgs, "groupSize" | "groupIds"> = {} as never): Float32Array {
    return this.shape(call, {}, ["lengths"], erLengthRun, { groups: true, lengths: true });
  }

  /**
   * ROVER's targets on the token views: reads `logp`, `oldLogp`, `qLogits`, `oldQLogits` and the
   * `advantages` view (the GRPO advantages a previous call wrote there), writes `q`, `nextQ` and
   * `target` (extraViews). Per call: rho, nextQScale, clipRatio. An error leaves the outputs
   * untouched or all NaN.
   */
  roverTargets(call: Pick<RoverArgs, "rho" | "nextQScale" | "clipRatio"> = {}): RoverResult {
    const args = this.tokenArgs(call, { logp: this.tokens("logp"), oldLogp: this.tokens("oldLogp"), qLogits: this.tokens("qLogits"), oldQLogits: this.tokens("oldQLogits"), advantages: this.tokens("advantages") });
    const outs = { q: this.region("q"), nextQ: this.region("nextQ"), target: this.region("target") };
    this.writing(["q", "nextQ", "target"], () => roverRun(this.e, this.scratch, args, outs));
    return { q: this.tokens("q"), nextQ: this.tokens("nextQ"), target: this.tokens("target") };
  }

  /**
   * G-RA (provisional): the outcome from `scores`, the immediate rewards from `tokenRewards`,
   * gated **in place** in `tokenRewards` (rows are checked before any token is written), and
   * `R = outcome + gate * Σ r` into `shapedRewards`. Per call: tau.
   */
  gatedRewards(call: Pick<GatedArgs, "tau"> = {} as never): GatedResult {
    const args = this.tokenArgs(call, { outcome: this.scores, tokenRewards: this.tokens("tokenRewards") });
    const outs = { tok: this.region("tokenRewards"), row: this.region("shapedRewards") };
    this.writing(["shapedRewards"], () => renamed({ outcome: "scores" }, () => gatedRun(this.e, this.scratch, args, outs)));
    return { tokenRewards: this.tokens("tokenRewards"), rewards: this.shapedRewards };
  }

  /** Reads `scores` as the scalar rewards (and `kl` when planned); writes advantages, returns and shapedRewards. */
  openrlhfOutcome(call?: WsCall<T.OrlArgs>) {
    const inputs: Record<string, unknown> = { rewards: this.scores };
    if (this.regions.has("kl")) inputs.kl = this.tokens("kl");
    return this.run(runOpenrlhfOutcome, call, inputs, { scores: false, maskAs: "actionMask", rename: { rewards: "scores", actionMask: "mask" } });
  }
}
