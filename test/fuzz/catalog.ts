// The fuzz catalog: for every exported function and every workspace method, how to build a good
// call from a random batch. The fuzz suite mutates these calls into bad ones (mutations.ts) and
// checks the error contract. test/fuzz.test.ts checks that the catalog covers every export and
// every public workspace method, so a new function cannot be left out.
import type * as Lib from "../../src/index.js";
import type { RlAdvantage } from "../../src/api.js";
import type { Workspace, WorkspacePlan } from "../../src/workspace.js";
import { rng } from "../../src/core/rng.js";
import { RunningStats } from "../../src/shape/running-stats.js";
import { HapoHistory } from "../../src/shape/length.js";
import { BcoShift } from "../../src/shape/bco.js";

/** Value families of docs/numerics.md#input-generators plus the extremes the fuzz suite must survive. */
export type Family = "normal" | "binary" | "huge" | "tinySpread" | "deepLogp";

export interface Batch {
  n: number; G: number; B: number; T: number;
  family: Family;
  /** Prefix lengths per row (some rows empty). */
  lengths: Int32Array;
  mask: Uint8Array;
  rand: () => number;
}

export function makeBatch(n: number, G: number, T: number, family: Family, seed: number, emptyRows: boolean): Batch {
  const rand = rng(seed), B = n * G; // fast-check's seed fixes every value of a case
  const lengths = new Int32Array(B), mask = new Uint8Array(B * T);
  for (let i = 0; i < B; i++) {
    const L = emptyRows && rand() < 0.2 ? 0 : 1 + Math.floor(rand() * T);
    lengths[i] = L;
    mask.fill(1, i * T, i * T + L);
  }
  return { n, G, B, T, family, lengths, mask, rand };
}

/** Values of the batch's family, non-dyadic. */
export function values(b: Batch, len: number, kind: "any" | "logp" | "unit" = "any"): Float32Array {
  const x = new Float32Array(len), r = b.rand;
  for (let k = 0; k < len; k++) {
    let v: number;
    switch (b.family) {
      case "binary": v = r() < 0.5 ? 0 : 1; break;
      case "huge": v = (r() < 0.5 ? -1 : 1) * (r() < 0.3 ? 3e38 : 1e30 * (1 + r())); break;
      case "tinySpread": v = 1e4 + Math.floor(r() * 10) * 1e-3; break;
      case "deepLogp": v = r() < 0.3 ? -1e30 * (1 + r()) : -60 * r(); break;
      default: v = (r() - 0.5) * 7.3;
    }
    if (kind === "logp") v = b.family === "huge" || b.family === "deepLogp" ? -Math.abs(v) : -Math.abs(v) / 3;
    if (kind === "unit") v = b.family === "binary" ? v : Math.min(1, Math.max(0, Math.abs(v) % 1.0001));
    x[k] = v;
  }
  return x;
}

const bytes = (b: Batch, len: number) => Uint8Array.from({ length: len }, () => (b.rand() < 0.5 ? 1 : 0));

/** CSR steps over the valid prefix of each row: ends at odd positions and at the last valid token. */
export function steps(b: Batch): { stepOffsets: Int32Array; stepEnds: Int32Array; S: number } {
  const offs = new Int32Array(b.B + 1), ends: number[] = [];
  for (let i = 0; i < b.B; i++) {
    const L = b.lengths[i]!;
    for (let t = 0; t < L; t++) if (t % 2 === 1 || t === L - 1) ends.push(t);
    offs[i + 1] = ends.length;
  }
  return { stepOffsets: offs, stepEnds: Int32Array.from(ends), S: ends.length };
}

export function packedOffsets(b: Batch): Int32Array {
  const o = new Int32Array(b.B + 1);
  for (let i = 0; i < b.B; i++) o[i + 1] = o[i]! + b.lengths[i]!;
  return o;
}

export interface CopyEntry {
  kind: "copy";
  name: string;
  /** Skip batches the function cannot take at all (for example Pass@k needs groups of 2). */
  when?: (b: Batch) => boolean;
  args: (b: Batch) => Record<string, unknown>;
  /** How to call it; default `api[name](args)`. */
  call?: (api: RlAdvantage, lib: typeof Lib, a: Record<string, unknown>) => unknown;
  /** Positional functions: the keys are argument positions, so key mutations do not apply. */
  positional?: boolean;
  /** NaN is a defined output (TRL's nanAsMissing). */
  allowNaN?: boolean;
  /** -Infinity is a defined output (reranking: excluded candidates, empty top-k slots). */
  negInf?: boolean;
  /** Any value is a valid input (a predicate such as isRlaError). */
  anyInput?: boolean;
  /** The argument name errors use for a key, where it differs from the key. */
  argName?: Record<string, string>;
}

export interface WsEntry {
  kind: "ws";
  name: string;
  when?: (b: Batch) => boolean;
  /** Per-call options of a good call. */
  options: (b: Batch) => Record<string, unknown>;
  /** The views this call writes. */
  outputs: string[];
  /** The call writes one of its inputs (documented in-place). */
  inPlace?: string;
}

export type Entry = CopyEntry | WsEntry;

const group = (b: Batch, ids: boolean) => (ids
  ? { groupIds: Int32Array.from({ length: b.B }, (_, i) => (i % b.G)) }
  : { groupSize: b.n });
const layout = (b: Batch) => ({ mask: b.mask.slice(), width: b.T });
const tok = (b: Batch, kind: "any" | "logp" = "any") => values(b, b.B * b.T, kind);
const atLeast2 = (b: Batch) => b.n >= 2;
/**
 * A workspace entry's per-call inputs, made once per batch: the suite calls options() again for
 * the "still usable" check, which must repeat the first good call exactly. State objects (stats,
 * history) stay outside, fresh on every call.
 */
const onceCache = new WeakMap<Batch, Map<string, unknown>>();
function once<T>(b: Batch, key: string, make: () => T): T {
  let m = onceCache.get(b);
  if (!m) onceCache.set(b, (m = new Map()));
  if (!m.has(key)) m.set(key, make());
  return m.get(key) as T;
}
/** 1..3 references per row, CSR. */
const refsOf = (b: Batch) => {
  const offsets = new Int32Array(b.B + 1);
  for (let i = 0; i < b.B; i++) offsets[i + 1] = offsets[i]! + 1 + (i % 3);
  return { values: values(b, offsets[b.B]!), offsets };
};
/** Boxes x1, y1, x2, y2 with positive sides (the batch's values as offsets). */
const boxes = (b: Batch, scale: number) => {
  const v = values(b, b.B * 2);
  return Float32Array.from({ length: b.B * 4 }, (_, k) => { const i = k >> 2, c = k & 3; return c < 2 ? 10 * i + c : 10 * i + c + scale * (1 + Math.abs(v[2 * i + (c & 1)]!) % 50); });
};

export const COPY: CopyEntry[] = [
  { kind: "copy", name: "grpo", args: (b) => ({ scores: values(b, b.B), ...layout(b), ...group(b, b.rand() < 0.5), eps: 1e-6, epsMode: "std", stdKind: "unbiased", preset: "verl" }) },
  { kind: "copy", name: "drGrpo", args: (b) => ({ scores: values(b, b.B), ...layout(b), ...group(b, false), singleton: "raw" }) },
  { kind: "copy", name: "rloo", args: (b) => ({ scores: values(b, b.B), ...layout(b), ...group(b, b.rand() < 0.5), singleton: "raw", batchNormalize: false }) },
  { kind: "copy", name: "reinforcePPBaseline", args: (b) => ({ scores: values(b, b.B), ...layout(b), ...group(b, false), whitenEps: 1e-8, whitenVariance: "biased" }) },
  { kind: "copy", name: "remax", args: (b) => ({ tokenRewards: tok(b), baselines: values(b, b.B), ...layout(b) }) },
  { kind: "copy", name: "opo", args: (b) => ({ scores: values(b, b.B), ...layout(b), ...group(b, false) }) },
  { kind: "copy", name: "gpg", args: (b) => ({ scores: values(b, b.B), ...layout(b), ...group(b, false), fNorm: 1 }) },
  { kind: "copy", name: "grpoPassK", when: atLeast2, args: (b) => ({ scores: values(b, b.B), ...layout(b), ...group(b, false), eps: 1e-6 }) },
  { kind: "copy", name: "bnpo", args: (b) => ({ scores: values(b, b.B, "unit"), ...layout(b), ...group(b, false), lo: 0, hi: 1 }) },
  { kind: "copy", name: "dler", args: (b) => ({ scores: values(b, b.B), truncated: bytes(b, b.B), ...layout(b), ...group(b, false), truncatedValue: 0 }) },
  { kind: "copy", name: "trlGroupAdvantage", allowNaN: true, args: (b) => ({ rewardsPerFunc: values(b, b.B * 2), weights: [1, 0.5], ...group(b, false), scaleRewards: "group", preset: "trl" }) },
  { kind: "copy", name: "openrlhfOutcome", when: atLeast2, args: (b) => ({ rewards: values(b, b.B), actionMask: b.mask.slice(), width: b.T, kl: tok(b), ...group(b, false), estimator: "group_norm", klCoef: 0.01, gamma: 1 }) },
  { kind: "copy", name: "groupStats", args: (b) => ({ x: values(b, b.B), ...group(b, true) }) },
  { kind: "copy", name: "rowScores", args: (b) => ({ tokenRewards: tok(b), ...layout(b), rowScore: "valid" }) },
  { kind: "copy", name: "broadcastRows", args: (b) => ({ values: values(b, b.B), ...layout(b) }) },
  { kind: "copy", name: "gae", args: (b) => ({ tokenRewards: tok(b), values: tok(b), ...layout(b), gamma: 0.99, lam: 0.95, gaeMasked: "skip", whitenEps: 1e-8, whitenEpsMode: "add" }) },
  { kind: "copy", name: "discountedReturns", args: (b) => ({ tokenRewards: tok(b), ...layout(b), gamma: 0.9, returnsMasked: "carry" }) },
  { kind: "copy", name: "reinforcePP", args: (b) => ({ tokenRewards: tok(b), ...layout(b), gamma: 1, whitenEps: 1e-8 }) },
  { kind: "copy", name: "maskedWhiten", args: (b) => ({ values: tok(b), ...layout(b), whitenEps: 1e-8, shiftMean: true, centerOnly: b.rand() < 0.3 }) },
  { kind: "copy", name: "maskedSum", args: (b) => ({ values: tok(b), ...layout(b), axis: "all" }) },
  { kind: "copy", name: "maskedMean", args: (b) => ({ values: tok(b), ...layout(b), axis: "row" }) },
  { kind: "copy", name: "maskedVar", args: (b) => ({ values: tok(b), ...layout(b), unbiased: true }) },
  { kind: "copy", name: "moments", args: (b) => ({ values: tok(b), ...layout(b) }) },
  { kind: "copy", name: "klPenalty", args: (b) => ({ logp: tok(b, "logp"), refLogp: tok(b, "logp"), ...layout(b), klEstimator: "k3", klClamp: "verl" }) },
  { kind: "copy", name: "klInReward", args: (b) => ({ tokenScores: tok(b), logp: tok(b, "logp"), refLogp: tok(b, "logp"), ...layout(b), klCoef: 0.1, klEstimator: "k1" }) },
  { kind: "copy", name: "prmStepReward", args: (b) => ({ logit0: values(b, b.B), logit1: values(b, b.B) }) },
  { kind: "copy", name: "softminStepRewards", args: (b) => { const s = steps(b); return { stepValues: values(b, s.S), stepOffsets: s.stepOffsets, temperature: 0.1 }; } },
  { kind: "copy", name: "minFormReturns", args: (b) => { const s = steps(b); return { mode: "steps", stepValues: values(b, s.S), stepOffsets: s.stepOffsets, stepEnds: s.stepEnds, ...layout(b) }; } },
  { kind: "copy", name: "pureRlooBaseline", args: (b) => ({ mode: "return", returns: tok(b), ...layout(b), ...group(b, false), singleton: "zero" }) },
  { kind: "copy", name: "pureVerifiableReward", args: (b) => ({ solved: bytes(b, b.B), ...group(b, false), coef: 1, singleton: "zero" }) },
  { kind: "copy", name: "zeroStepEnds", args: (b) => { const s = steps(b); return { values: tok(b), stepOffsets: s.stepOffsets, stepEnds: s.stepEnds, ...layout(b) }; } },
  { kind: "copy", name: "stepsFromMask", call: (_api, lib, a) => lib.stepsFromMask(a as any), args: (b) => ({ stepEndMask: bytes(b, b.B * b.T), width: b.T }) },
  { kind: "copy", name: "placeScores", args: (b) => ({ scores: values(b, b.B), ...layout(b), emptyRow: "skip" }) },
  { kind: "copy", name: "aggLoss", args: (b) => ({ loss: tok(b), ...layout(b), lossAggMode: "seq-mean-token-mean", dpSize: 1 }) },
  { kind: "copy", name: "primeImplicitReward", args: (b) => ({ logpRm: tok(b, "logp"), logpRef: tok(b, "logp"), ...layout(b), beta: 0.05, granularity: "token" }) },
  { kind: "copy", name: "primeBatchNorm", args: (b) => ({ values: tok(b), ...layout(b) }) },
  { kind: "copy", name: "primeAdvantage", when: atLeast2, args: (b) => ({ processRewards: tok(b), outcome: values(b, b.B, "unit"), ...layout(b), ...group(b, false), whiten: false }) },
  { kind: "copy", name: "likelihoodReward", args: (b) => ({ answerLogp: tok(b, "logp"), ...layout(b), mode: "avgProb" }) },
  { kind: "copy", name: "selfAlignedReward", args: (b) => ({ logpWithQuery: tok(b, "logp"), logpWithoutQuery: tok(b, "logp"), ...layout(b), eps: 1e-9 }) },
  {
    kind: "copy", name: "tgdpo", args: (b) => ({
      chosenLogp: tok(b, "logp"), chosenRefLogp: tok(b, "logp"), chosenRewardLogp: tok(b, "logp"), chosenMask: b.mask.slice(),
      rejectedLogp: tok(b, "logp"), rejectedRefLogp: tok(b, "logp"), rejectedRewardLogp: tok(b, "logp"), rejectedMask: b.mask.slice(), width: b.T, alpha: 0.5, beta: 0.1,
    }),
  },
  { kind: "copy", name: "clipStepRewards", call: (_api, lib, a) => lib.clipStepRewards(a as any), args: (b) => ({ stepValues: values(b, b.B), eta: 0.5 }) },
  { kind: "copy", name: "deltaStepRewards", call: (_api, lib, a) => lib.deltaStepRewards(a as any), args: (b) => { const s = steps(b); return { stepValues: values(b, s.S), stepOffsets: s.stepOffsets, lastStep: "keep" }; } },
  {
    kind: "copy", name: "igpoTurnRewards", call: (_api, lib, a) => lib.igpoTurnRewards(a as any), args: (b) => {
      const s = steps(b); return { v0: values(b, b.B, "logp"), vTurn: values(b, s.S, "logp"), turnOffsets: s.stepOffsets, outcome: values(b, b.B, "unit"), valueMode: "prob" };
    },
  },
  {
    kind: "copy", name: "igpoAdvantage", args: (b) => {
      const s = steps(b); return { turnRewards: values(b, s.S), turnOffsets: s.stepOffsets, turnEnds: s.stepEnds, ...layout(b), ...group(b, false), gamma: 1, normMode: "separate" };
    },
  },
  { kind: "copy", name: "rerank", negInf: true, args: (b) => ({ scores: values(b, b.B * 2), prompts: b.G, candidates: b.n, heads: 2, weights: [1, 0.5], k: 1 + Math.floor(b.rand() * b.n), combine: "weightedSum", ...(b.rand() < 0.5 ? { valid: bytes(b, b.B) } : {}) }) },
  // Reward shapers: rows are the batch's rows, groups its groups; references 1..3 per row.
  { kind: "copy", name: "parShape", args: (b) => ({ r: values(b, b.B), refs: refsOf(b), lengths: Int32Array.from(b.lengths), stats: new RunningStats(), lengthPenalty: true, lengthThreshold: 2, centered: b.rand() < 0.3, meanstd: b.rand() < 0.5, minmax: b.rand() < 0.5, sigmoid: true, relative: true, lsc: b.rand() < 0.3, sigmoidK: 1.5, maxRef: 2, q: 0.85, ceil: b.rand() < 0.5 ? null : 3 }) },
  { kind: "copy", name: "lscTransform", args: (b) => ({ r: values(b, b.B), refs: refsOf(b), q: 0.85 }) },
  { kind: "copy", name: "lscCombine", args: (b) => ({ r: values(b, b.B * 2), heads: 2, refReward: values(b, b.B * 2), weights: [1, 0.5], q: 0.7 }) },
  { kind: "copy", name: "kimiLengthReward", args: (b) => ({ lengths: Int32Array.from(b.lengths), correct: bytes(b, b.B), eligible: bytes(b, b.B), ...group(b, b.rand() < 0.5), eps: 1e-6, singleton: "laserCompat", base: values(b, b.B), weight: 0.4 }) },
  { kind: "copy", name: "laserReward", args: (b) => ({ status: Int8Array.from({ length: b.B }, () => Math.floor(b.rand() * 3) - 1), lengths: Int32Array.from(b.lengths), ...group(b, b.rand() < 0.5), alpha: 0.5, mode: "hybrid", variant: "de", bandTargets: { low: 4, medium: 3, high: 2 }, repetitive: bytes(b, b.B) }) },
  { kind: "copy", name: "laserTargetLengths", call: (_api, lib, a) => lib.laserTargetLengths(a as any), args: (b) => ({ lengths: Int32Array.from(b.lengths), correct: bytes(b, b.B), ...group(b, false), n: b.n, lower: 1, upper: 5, interval: 2, expectedCorrect: 1, roundMethod: "floor", fallbackLength: 6 }) },
  { kind: "copy", name: "hapoLengthReward", args: (b) => { const h = new HapoHistory().update(Int32Array.of(3, 4), Uint8Array.of(1, 1), Int32Array.of(0, 1)); return { lengths: Int32Array.from(b.lengths), correct: bytes(b, b.B), promptIds: Int32Array.from({ length: b.B }, (_, i) => i % b.G), history: h, type: b.rand() < 0.5 ? "cosine" : "linear", tau: 0.1, weight: 0.8, base: values(b, b.B) }; } },
  { kind: "copy", name: "HapoHistory", positional: true, call: (_api, lib, a) => new lib.HapoHistory().update(a.lengths as any, a.correct as any, a.promptIds as any).toJSON(), args: (b) => ({ lengths: Int32Array.from(b.lengths), correct: bytes(b, b.B), promptIds: Int32Array.from({ length: b.B }, (_, i) => i % b.G) }) },
  { kind: "copy", name: "overlongPenalty", args: (b) => ({ r: values(b, b.B), lengths: Int32Array.from(b.lengths), maxNewTokens: b.T, bufferLen: Math.floor(b.T / 2), factor: 1 }) },
  { kind: "copy", name: "stopProperlyPenalty", args: (b) => ({ r: values(b, b.B), truncated: bytes(b, b.B), coef: b.rand() < 0.5 ? 0.5 : -1 }) },
  { kind: "copy", name: "guiG2Reward", args: (b) => ({ pred: boxes(b, 0.5), gt: boxes(b, 1), alpha: 0.5, nu: 1, gammaCov: 1, eps: 1e-8 }) },
  { kind: "copy", name: "bcoPairLoss", args: (b) => ({ chosenLogps: values(b, b.B, "logp"), rejectedLogps: values(b, b.B, "logp"), refChosenLogps: values(b, b.B, "logp"), refRejectedLogps: values(b, b.B, "logp"), shift: new BcoShift(), beta: 0.1 }) },
  { kind: "copy", name: "BcoShift", argName: { count: "shift.count", mean: "shift.mean" }, call: (_api, lib, a) => lib.BcoShift.fromJSON(a).push(0.5).toJSON(), args: (b) => ({ count: 1 + Math.floor(b.rand() * 5), mean: values(b, 1)[0]! }) },
  { kind: "copy", name: "RunningStats", positional: true, call: (_api, lib, a) => { const s = new lib.RunningStats().update(a.x as any); return lib.RunningStats.fromJSON(JSON.parse(JSON.stringify(s))).update(a.x as any).toJSON(); }, args: (b) => ({ x: values(b, b.B) }) },
  { kind: "copy", name: "drpoCoefficients", args: (b) => ({ rewards: bytes(b, b.B).reduce((a, v, i) => { a[i] = v; return a; }, new Float32Array(b.B)), meanLogp: values(b, b.B, "logp"), lengths: Int32Array.from(b.lengths), width: b.T, ...group(b, b.rand() < 0.5), lambda: 0.1, tau: 10 }) },
  { kind: "copy", name: "canon", args: (b) => ({ scores: values(b, b.B), metric: values(b, b.B), ...group(b, b.rand() < 0.5), variant: "length", alpha: 1, beta: 0, lambda: 0.5, maxLength: 8192, singleton: "raw" }) },
  { kind: "copy", name: "grpoLambda", args: (b) => ({ correct: bytes(b, b.B), lengths: Int32Array.from(b.lengths), ...group(b, b.rand() < 0.5), lambda: 0.5, lengthWeight: 0.3 }) },
  { kind: "copy", name: "verpoReward", args: (b) => ({ pass: bytes(b, b.B * 3), tests: 3, testValid: bytes(b, b.B * 3), ...group(b, b.rand() < 0.5), localWeight: 0.5 }) },
  { kind: "copy", name: "o1PrunerReward", args: (b) => ({ lengths: Int32Array.from(b.lengths, (l) => l + 1), ...group(b, b.rand() < 0.5) }) },
  { kind: "copy", name: "erLengthReward", args: (b) => ({ lengths: Int32Array.from(b.lengths, (l) => l + 1), correct: values(b, b.B, "unit"), ...group(b, b.rand() < 0.5) }) },
  { kind: "copy", name: "roverTargets", args: (b) => ({ logp: tok(b, "logp"), oldLogp: tok(b, "logp"), qLogits: tok(b), oldQLogits: tok(b), advantages: tok(b), ...layout(b), rho: 1, nextQScale: 0.9, clipRatio: 0.2 }) },
  { kind: "copy", name: "gatedRewards", args: (b) => ({ outcome: values(b, b.B), tokenRewards: tok(b), ...layout(b), tau: 0 }) },
  { kind: "copy", name: "phiInv", positional: true, call: (_api, lib, a) => ({ z: lib.phiInv(a.p as number) }), args: (b) => ({ p: 0.01 + 0.98 * b.rand() }) },
  { kind: "copy", name: "mergeMoments", positional: true, call: (_api, lib, a) => lib.mergeMoments(a.a as any, a.b as any), args: (b) => ({ a: Float64Array.from([3, values(b, 1)[0]!, 2.5]), b: Float64Array.from([2, values(b, 1)[0]!, 0.5]) }) },
  { kind: "copy", name: "finalizeMoments", positional: true, argName: { rec: "moments" }, call: (_api, lib, a) => lib.finalizeMoments(a.rec as any, a.kind as any), args: (b) => ({ rec: Float64Array.from([5, values(b, 1)[0]!, 4]), kind: "biased" }) },
  { kind: "copy", name: "lgamma", positional: true, call: (_api, lib, a) => lib.lgamma(a.x as number), args: (b) => ({ x: 0.5 + 10 * b.rand() }) },
  { kind: "copy", name: "canonicalizeGroups", positional: true, call: (_api, lib, a) => lib.canonicalizeGroups(a.labels as any), args: (b) => ({ labels: Array.from({ length: b.B }, (_, i) => (i % 3 === 0 ? `p${i % b.G}` : i % b.G)) }) },
  { kind: "copy", name: "parseEstimator", positional: true, argName: { name: "klEstimator" }, call: (_api, lib, a) => lib.parseEstimator(a.name), args: () => ({ name: "low_var_kl" }) },
  { kind: "copy", name: "KlController", call: (_api, lib, a) => new lib.KlController(a as any).update(0.2, 3), args: (b) => ({ type: "adaptive", value: 0.01 + b.rand(), target: 0.1, horizon: 1000 }) },
  { kind: "copy", name: "createWorkspace", call: (api, _lib, a) => { const ws = api.createWorkspace(a as unknown as WorkspacePlan); ws.dispose(); return {}; }, args: (b) => ({ rows: b.B, width: b.T, groupSize: b.n, extraViews: ["values"], threads: 1 }) },
  { kind: "copy", name: "createSync", argName: {}, call: (_api, lib, a) => lib.createSync(a as any).grpo({ scores: Float32Array.of(1, 2), groupSize: 2 }), args: () => ({ build: "scalar" }) },
  { kind: "copy", name: "initSync", call: (_api, lib, a) => { lib.initSync(a as any); return {}; }, args: () => ({ build: "simd" }) },
  { kind: "copy", name: "isRlaError", positional: true, anyInput: true, call: (_api, lib, a) => ({ is: lib.isRlaError(a.x) }), args: () => ({ x: new Error("x") }) },
  { kind: "copy", name: "instance", positional: true, call: (_api, lib) => { lib.instance(); return {}; }, args: () => ({}) },
  { kind: "copy", name: "simdSupported", positional: true, call: (_api, lib) => ({ ok: lib.simdSupported() }), args: () => ({}) },
];

/** Async entry points: checked once each with a good and a bad argument (fuzz.test.ts). */
export const ASYNC_EXPORTS = ["create", "init"];
/** Classes and error types: constructed by the entries above or by every error. */
export const NOT_CALLED = ["Engine", "RlAdvantage", "RlaRangeError", "RlaTypeError", "Workspace"];

export const WS: WsEntry[] = [
  { kind: "ws", name: "grpo", options: () => ({ eps: 1e-6, epsMode: "std", stdScope: "group", singleton: "raw", input: "scores" }), outputs: ["rowAdvantages", "advantages"] },
  { kind: "ws", name: "drGrpo", options: () => ({}), outputs: ["rowAdvantages", "advantages"] },
  { kind: "ws", name: "rloo", options: () => ({ singleton: "raw" }), outputs: ["rowAdvantages", "advantages"] },
  { kind: "ws", name: "reinforcePPBaseline", options: () => ({ whitenEps: 1e-8, whitenVariance: "unbiased", whitenEpsMode: "add" }), outputs: ["rowAdvantages", "advantages"] },
  { kind: "ws", name: "opo", options: () => ({}), outputs: ["rowAdvantages", "advantages"] },
  { kind: "ws", name: "gpg", options: () => ({ fNorm: 1 }), outputs: ["rowAdvantages", "advantages"] },
  { kind: "ws", name: "grpoPassK", when: atLeast2, options: () => ({ eps: 1e-6 }), outputs: ["rowAdvantages", "advantages"] },
  { kind: "ws", name: "bnpo", options: () => ({ lo: 0, hi: 1 }), outputs: ["rowAdvantages", "advantages"] },
  { kind: "ws", name: "dler", options: () => ({ truncatedValue: 0 }), outputs: ["rowAdvantages", "advantages"] },
  { kind: "ws", name: "trlGroupAdvantage", options: () => ({ weights: [1, 0.5], preset: "trl" }), outputs: ["rowAdvantages", "advantages"] },
  { kind: "ws", name: "remax", options: () => ({}), outputs: ["rowAdvantages", "advantages", "returns"] },
  { kind: "ws", name: "gae", options: () => ({ gamma: 0.99, lam: 0.95, whitenEps: 1e-8, whitenVariance: "unbiased", gaeMasked: "skip", whiten: true }), outputs: ["advantages", "returns"] },
  { kind: "ws", name: "reinforcePP", options: () => ({ gamma: 1, whitenEps: 1e-8, whitenEpsMode: "max", returnsMasked: "carry" }), outputs: ["advantages", "returns"] },
  { kind: "ws", name: "discountedReturns", options: () => ({ gamma: 0.9 }), outputs: ["advantages"] },
  { kind: "ws", name: "klPenalty", options: () => ({ klEstimator: "k3", klClamp: "none" }), outputs: ["kl"] },
  { kind: "ws", name: "aggLoss", options: () => ({ lossAggMode: "seq-mean-token-sum-norm", dpSize: 1, lossScaleFactor: 2 }), outputs: [] },
  { kind: "ws", name: "placeScores", options: () => ({ emptyRow: "skip" }), outputs: ["tokenScores"] },
  { kind: "ws", name: "klInReward", options: () => ({ klCoef: 0.1, klEstimator: "k1", klClamp: "verl" }), outputs: ["tokenRewards", "kl"] },
  { kind: "ws", name: "rerank", options: () => ({ combine: "weightedSum", weights: [1, 0.5] }), outputs: ["combined", "topScores"] },
  { kind: "ws", name: "minFormReturns", options: () => ({ mode: "verlCompat" }), outputs: ["returns"] },
  { kind: "ws", name: "primeImplicitReward", options: () => ({ beta: 0.05, granularity: "token" }), outputs: ["tokenRewards", "q"] },
  { kind: "ws", name: "primeAdvantage", options: () => ({ source: "logp", outcome: true, beta: 0.05, whiten: true }), outputs: ["advantages", "returns"] },
  { kind: "ws", name: "likelihoodReward", options: () => ({ mode: "sum" }), outputs: ["shapedRewards"] },
  { kind: "ws", name: "softminStepRewards", options: () => ({ temperature: 0.5 }), outputs: ["tokenRewards"] },
  { kind: "ws", name: "pureRlooBaseline", options: () => ({ singleton: "zero" }), outputs: ["advantages"] },
  { kind: "ws", name: "openrlhfOutcome", when: atLeast2, options: () => ({ estimator: "group_norm", klCoef: 0.01, gamma: 0.9, whitenEps: 1e-8, rewardClip: [-10, 10] }), outputs: ["rowAdvantages", "advantages", "returns", "shapedRewards"] },
  // Reward shapers on the views: scores in, shapedRewards out (per-call row inputs built from the batch).
  { kind: "ws", name: "parShape", options: (b) => ({ ...once(b, "parShape", () => ({ refs: refsOf(b) })), stats: new RunningStats(), meanstd: true, sigmoid: true, lsc: true, maxRef: 2 }), outputs: ["shapedRewards"] },
  { kind: "ws", name: "lscTransform", options: (b) => once(b, "lscTransform", () => ({ refs: refsOf(b), q: 0.85 })), outputs: ["shapedRewards"] },
  { kind: "ws", name: "lscCombine", options: (b) => once(b, "lscCombine", () => ({ refReward: values(b, b.B * 2), weights: [1, 0.5] })), outputs: ["shapedRewards"] },
  { kind: "ws", name: "kimiLengthReward", options: (b) => once(b, "kimiLengthReward", () => ({ correct: bytes(b, b.B), lengths: Int32Array.from(b.lengths), weight: 0.4 })), outputs: ["shapedRewards"] },
  { kind: "ws", name: "laserReward", options: (b) => once(b, "laserReward", () => ({ status: Int8Array.from({ length: b.B }, () => Math.floor(b.rand() * 3) - 1), lengths: Int32Array.from(b.lengths), variant: "d", bandTargets: { low: 4, medium: 3, high: 2 } })), outputs: ["shapedRewards"] },
  { kind: "ws", name: "hapoLengthReward", options: (b) => ({ ...once(b, "hapo", () => ({ lengths: Int32Array.from(b.lengths), correct: bytes(b, b.B), promptIds: Int32Array.from({ length: b.B }, (_, i) => i % b.G) })), history: new HapoHistory().update(Int32Array.of(3), Uint8Array.of(1), Int32Array.of(0)), weight: 0.8 }), outputs: ["shapedRewards"] },
  { kind: "ws", name: "overlongPenalty", options: (b) => once(b, "overlongPenalty", () => ({ lengths: Int32Array.from(b.lengths), maxNewTokens: b.T, bufferLen: Math.floor(b.T / 2) })), outputs: ["shapedRewards"] },
  { kind: "ws", name: "stopProperlyPenalty", options: () => ({ coef: 0.5 }), outputs: ["shapedRewards"] },
  { kind: "ws", name: "guiG2Reward", options: (b) => once(b, "guiG2Reward", () => ({ pred: boxes(b, 0.5), gt: boxes(b, 1) })), outputs: ["shapedRewards"] },
  { kind: "ws", name: "drpoCoefficients", options: (b) => once(b, "drpoCoefficients", () => ({ meanLogp: values(b, b.B, "logp") })), outputs: ["shapedRewards"] },
  { kind: "ws", name: "canon", options: (b) => once(b, "canon", () => ({ metric: values(b, b.B), lambda: 0.5 })), outputs: ["shapedRewards"] },
  { kind: "ws", name: "grpoLambda", options: (b) => once(b, "grpoLambda", () => ({ correct: bytes(b, b.B), lengths: Int32Array.from(b.lengths), lambda: 0.5, lengthWeight: 0.3 })), outputs: ["shapedRewards"] },
  { kind: "ws", name: "verpoReward", options: (b) => once(b, "verpoReward", () => ({ pass: bytes(b, b.B * 2), tests: 2, localWeight: 0.5 })), outputs: ["shapedRewards"] },
  { kind: "ws", name: "o1PrunerReward", options: (b) => once(b, "o1PrunerReward", () => ({ lengths: Int32Array.from(b.lengths, (l) => l + 1) })), outputs: ["shapedRewards"] },
  { kind: "ws", name: "erLengthReward", options: (b) => once(b, "erLengthReward", () => ({ lengths: Int32Array.from(b.lengths, (l) => l + 1), correct: values(b, b.B, "unit") })), outputs: ["shapedRewards"] },
  { kind: "ws", name: "roverTargets", options: () => ({ rho: 1, nextQScale: 0.9, clipRatio: 0.2 }), outputs: ["q", "nextQ", "target"] },
  { kind: "ws", name: "gatedRewards", options: () => ({ tau: 0 }), outputs: ["shapedRewards"], inPlace: "tokenRewards" },
];
/** Workspace members that are not kernels: views (getters), lifecycle, and internals. */
// Lifecycle and inspection, no inputs to fuzz (threadsReady: test/threads.test.ts).
export const WS_NOT_KERNELS = ["constructor", "engine", "resize", "dispose", "bytes", "guardViolations", "threadsReady"];

/** The plan of a workspace for a batch: every view planned, groups by size or ids. */
export function wsPlan(b: Batch, ids: boolean): WorkspacePlan {
  return {
    rows: b.B, width: b.T, ...(ids ? { maxGroups: b.G } : { groupSize: b.n }), rewardFunctions: 2, candidates: b.n, topK: 1,
    extraViews: ["tokenRewards", "tokenScores", "kl", "returns", "values", "logp", "refLogp", "loss", "oldLogp", "qLogits", "oldQLogits", "q", "nextQ", "target", "stepEndMask"],
  };
}

/** Fills every input view with good values of the batch's family. */
export function wsFill(ws: Workspace, b: Batch, ids: boolean): void {
  ws.scores.set(b.family === "huge" ? values(b, b.B) : values(b, b.B, "unit"));
  ws.mask.set(b.mask);
  if (ids) ws.groupIds.set(Int32Array.from({ length: b.B }, (_, i) => i % b.G));
  ws.baselines.set(values(b, b.B));
  ws.truncated.set(bytes(b, b.B));
  ws.rewardsPerFunc.set(values(b, b.B * 2));
  for (const v of ["tokenRewards", "tokenScores", "values", "loss", "kl"] as const) ws[v].set(tok(b));
  ws.logp.set(tok(b, "logp")); ws.refLogp.set(tok(b, "logp"));
  ws.oldLogp.set(tok(b, "logp")); ws.qLogits.set(tok(b)); ws.oldQLogits.set(tok(b)); ws.advantages.set(tok(b));
  ws.returns.set(tok(b)); ws.stepEndMask.set(b.mask.map((m, k) => (m && (k % b.T === b.T - 1 || b.rand() < 0.3) ? 1 : 0)));
}

/** Every input view of a workspace (name, view). */
export const WS_INPUT_VIEWS = ["scores", "mask", "groupIds", "baselines", "truncated", "rewardsPerFunc", "tokenRewards", "tokenScores", "values", "loss", "kl", "logp", "refLogp",
  "oldLogp", "qLogits", "oldQLogits", "advantages", "returns", "stepEndMask"] as const;
