// Best-of-N reranking (docs/kernels.md#rerank, docs/kernels.md#rerank): K reward heads per candidate combined by
// weighted sum, log-sigmoid conjunction or PAR, then the top k per prompt with stable ties (the
// lower candidate index wins). Combined scores are f64 rounded once to f32 and the ranking uses
// those f32 values, so the order is the same in both builds and on every runtime.
import type { Engine } from "../core/engine.js";
import { rangeError, typeError } from "../core/errors.js";
import { checkFiniteList, msg, numberList, show } from "../core/safe.js";
import { checkF32, checkU8, place, type Scratch } from "../core/layout.js";
import { checkFiniteParam, resolveOptions } from "../core/options.js";

/** `rerank`: best-of-N over N candidates per prompt and K reward heads. */
export interface RerankArgs {
  /** Row-major [prompt][candidate][head]. */
  scores: Float32Array;
  /** Prompts P (default: scores.length / (candidates * heads)). */
  prompts?: number;
  /** Candidates N per prompt. */
  candidates: number;
  /** Reward heads K (default 1). */
  heads?: number;
  /** 1 for candidates that may be selected, Uint8Array[P*N]; excluded ones are not read. */
  valid?: Uint8Array;
  /** How heads combine: `"weightedSum"` (default), `"logSigmoid"` (LSC conjunction) or `"par"`. */
  combine?: "weightedSum" | "logSigmoid" | "par";
  /** One weight per head (default all 1). */
  weights?: ArrayLike<number>;
  /** logSigmoid: reference per prompt and head [P*K], or per head [K]. */
  ref?: Float32Array;
  /** par: M references per prompt and head [P*M*K]. */
  refs?: Float32Array;
  /** par: the sigmoid's slope (default 1). */
  sigmoidK?: number;
  /** par: at most this many references per prompt and head (default 10). */
  maxRef?: number;
  /** Candidates kept per prompt, 1 <= k <= N (default 1). */
  k?: number;
}
/** `rerank`'s result. */
export interface RerankResult {
  /** The combined score of every candidate, Float32Array[P*N] (-Infinity where excluded). */
  combined: Float32Array;
  /** The top k candidate indices per prompt, Int32Array[P*k] (-1 for empty slots). */
  topIndices: Int32Array;
  /** Their combined scores, Float32Array[P*k] (-Infinity for empty slots). */
  topScores: Float32Array;
}

const COMBINE = { weightedSum: 0, logSigmoid: 1, par: 2 } as const;

/** A checked rerank call: every input check is done; `write` combines, ranks and fills the outputs. */
export interface RerankPlan {
  P: number; N: number; k: number;
  /** Combined scores [P*N], top indices [P*k], top scores [P*k] at these addresses; RESULT_OVERFLOW when a combined score leaves the f32 range. */
  write: (combined: number, topIdx: number, topScore: number) => void;
}

export function rerankPlan(e: Engine, s: Scratch, a: RerankArgs): RerankPlan {
  const o = resolveOptions("rerank", a as any, ["scores", "prompts", "candidates", "heads", "valid", "weights", "ref", "refs"], ["combine", "sigmoidK", "maxRef", "k"] as const, { combine: "weightedSum", sigmoidK: 1, maxRef: 10, k: 1 });
  checkF32("scores", a.scores);
  if (a.valid !== undefined) checkU8("valid", a.valid);
  const N = a.candidates, K = a.heads ?? 1;
  for (const [n, v] of [["candidates", N], ["heads", K]] as const) if (!Number.isInteger(v) || v < 1) typeError("WRONG_TYPE", n, -1, msg`must be a positive integer, got ${v}`);
  if (a.prompts !== undefined && (!Number.isSafeInteger(a.prompts) || a.prompts < 0)) typeError("WRONG_TYPE", "prompts", -1, msg`must be a non-negative integer, got ${a.prompts}`);
  const P = a.prompts ?? a.scores.length / (N * K);
  if (!Number.isInteger(P) || P * N * K !== a.scores.length) rangeError("SHAPE_MISMATCH", "scores", -1, msg`length ${a.scores.length} is not prompts x ${N} candidates x ${K} heads`);
  if (a.valid && a.valid.length !== P * N) rangeError("SHAPE_MISMATCH", "valid", -1, msg`length ${a.valid.length} != prompts x candidates = ${P * N}`);
  const combine = Object.hasOwn(COMBINE, o.combine) ? COMBINE[o.combine as keyof typeof COMBINE] : undefined;
  if (combine === undefined) rangeError("UNKNOWN_OPTION", "combine", -1, msg`unknown value ${show(o.combine)}`);
  const w = a.weights !== undefined ? numberList(a.weights, "weights").values : new Array<number>(K).fill(1);
  if (w.length !== K) rangeError("SHAPE_MISMATCH", "weights", -1, msg`length ${w.length} != heads ${K}`);
  let refPerPrompt = 1, M = 0;
  if (combine === 1) {
    checkF32("ref", a.ref);
    if (a.ref!.length === K) refPerPrompt = 0;
    else if (a.ref!.length !== P * K) rangeError("SHAPE_MISMATCH", "ref", -1, msg`length ${a.ref!.length} is neither heads (${K}) nor prompts x heads (${P * K})`);
  }
  if (combine === 2) {
    checkF32("refs", a.refs);
    M = a.refs!.length / (P * K);
    if (!Number.isInteger(M) || M < 1) rangeError("SHAPE_MISMATCH", "refs", -1, msg`length ${a.refs!.length} is not prompts x M x heads`);
  }
  if (a.valid) for (let j = 0; j < P * N; j++) if (a.valid[j]! > 1) rangeError("MASK_NOT_BINARY", "valid", j, msg`must be 0 or 1, got ${a.valid[j]}`);
  if (!Number.isInteger(o.k) || o.k < 1 || o.k > N) rangeError("PARAM_OUT_OF_RANGE", "k", -1, msg`must be an integer in [1, ${N}], got ${o.k}`);
  checkFiniteParam("sigmoidK", o.sigmoidK);
  if (!Number.isInteger(o.maxRef) || o.maxRef < 1) rangeError("PARAM_OUT_OF_RANGE", "maxRef", -1, msg`must be a positive integer, got ${o.maxRef}`);
  checkFiniteList("weights", w);
  for (const [name, arr] of [["ref", a.ref], ["refs", a.refs]] as const) if (arr && (combine === 1 ? name === "ref" : combine === 2 && name === "refs"))
    for (let q = 0; q < arr.length; q++) if (!Number.isFinite(arr[q]!)) rangeError("NON_FINITE", name, q, msg`value is ${arr[q]}`);
  const sp = place(e, s, a.scores), vp = a.valid ? place(e, s, a.valid) : 0;
  const wp = s.alloc(K * 8);
  e.F64.set(w, wp >>> 3);
  const rp = combine === 1 ? place(e, s, a.ref!) : 0, rsp = combine === 2 ? place(e, s, a.refs!) : 0;
  const k = o.k, info = s.alloc(8);
  return {
    P, N, k,
    // The scores of valid candidates are checked in the pass that combines them (the outputs are
    // never in place over them): a failure leaves garbage only in outputs the caller discards
    // (copy API) or that are poisoned (workspace).
    write: (out, topIdx, topScore) => {
      e.exports.rerank_combine_f32(sp, vp, P, N, K, wp, combine!, rp, refPerPrompt, rsp, M, o.maxRef, o.sigmoidK, out, info);
      const badIn = e.I32[info >>> 2]!, bad = e.I32[(info >>> 2) + 1]!;
      if (badIn >= 0) rangeError("NON_FINITE", "scores", badIn, msg`score is ${e.F32[(sp >>> 2) + badIn]}`);
      if (bad >= 0) rangeError("RESULT_OVERFLOW", "scores", bad * K, msg`the combined score of candidate ${bad} is outside the float32 range`);
      // Selection in wasm: higher score first, ties to the lower index, -1 / -Infinity for empty slots.
      e.exports.rerank_topk_f32(out, P, N, k, topIdx, topScore);
    },
  };
}

export function rerankRun(e: Engine, s: Scratch, a: RerankArgs): RerankResult {
  const p = rerankPlan(e, s, a);
  const out = s.alloc(p.P * p.N * 4), ti = s.alloc(p.P * p.k * 4), ts = s.alloc(p.P * p.k * 4);
  p.write(out, ti, ts);
  return { combined: e.f32(out, p.P * p.N).slice(), topIndices: e.i32(ti, p.P * p.k).slice(), topScores: e.f32(ts, p.P * p.k).slice() };
}
