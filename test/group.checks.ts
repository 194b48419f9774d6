// Checks of the group family, shared by the property tests and the pinned regressions (docs/numerics.md#properties): every estimator against the f64
// oracle on both builds, with packed = padded, groupSize = groupIds, relabelling, SIMD = scalar,
// broadcast and input-immutability checked on every generated batch.
import assert from "node:assert/strict";
import * as ref from "../src/reference/index.js";
import { isRlaError } from "../src/core/errors.js";
import type { RlAdvantage } from "../src/api.js";
import {
  assertBitwise, assertBroadcastOf, assertMatchesOracle, builds, groupBatch, lengthsOf, pack, RUNS, toPacked, tolOracle, U64, type GroupBatch,
} from "./helpers.js";

type Res = { rowAdvantages: Float32Array; advantages?: Float32Array; diagnostics: any };
type Call = (api: RlAdvantage, inputs: Record<string, unknown>) => Res;

/**
 * Runs `call` on every build and layout and checks the structural properties; returns the
 * padded result of the SIMD build, or the error code when the library threw (after checking
 * every build and layout threw the same code).
 */
function runEverywhere(b: GroupBatch, call: Call, seed: number): Res | string {
  const p = toPacked(b.mask, b.B, b.T, (i, last) => last + 1 + ((seed + i) % (b.T - last)));
  const groupsForms: Record<string, unknown>[] = [{ groupIds: b.ids, numGroups: b.G }];
  if (b.groupSize) groupsForms.push({ groupSize: b.groupSize });
  // Relabel: a bijection of the ids (reverse order) must not change anything.
  groupsForms.push({ groupIds: b.ids.map((g) => b.G - 1 - g), numGroups: b.G });
  const snapshot = [b.scores.slice(), b.mask.slice(), b.ids.slice()];
  const results: Res[] = [];
  let code: string | null = null;
  for (const [name, api] of builds) {
    for (const groups of groupsForms) {
      for (const layout of ["padded", "packed"] as const) {
        const inputs = layout === "padded"
          ? { scores: b.scores, mask: b.mask, ...groups }
          : { scores: b.scores, mask: pack(b.mask, b.T, p), offsets: p.offsets, ...groups };
        let r: Res;
        try { r = call(api, inputs); } catch (e) {
          if (!isRlaError(e)) throw e;
          if (code !== null && code !== e.code) assert.fail(`${name}/${layout}: ${e.code} but another run threw ${code}`);
          code = e.code;
          continue;
        }
        if (code !== null) assert.fail(`${name}/${layout}: returned but another run threw ${code}`);
        if (layout === "packed") {
          assertBitwise(r.rowAdvantages, results[results.length - 1]!.rowAdvantages, `${name}: packed vs padded rows`);
          assertBitwise(r.advantages!, pack(results[results.length - 1]!.advantages!, b.T, p), `${name}: packed vs padded tokens`);
        } else {
          assertBroadcastOf(r.advantages!, r.rowAdvantages, b.mask, b.T, `${name}: broadcast`);
          if (results.length) {
            assertBitwise(r.rowAdvantages, results[0]!.rowAdvantages, `${name}: groups form / build`);
            assert.deepEqual(r.diagnostics, results[0]!.diagnostics, `${name}: diagnostics agree across group forms and builds`);
          }
          results.push(r);
        }
      }
    }
  }
  assertBitwise(b.scores, snapshot[0]!, "scores unchanged");
  assertBitwise(b.mask, snapshot[1]!, "mask unchanged");
  assertBitwise(b.ids, snapshot[2]!, "ids unchanged");
  return code ?? results[0]!;
}

/** Oracle result or its error code. */
function oracle<T>(f: () => T): T | string {
  try { return f(); } catch (e) { if (e instanceof ref.ReferenceError) return e.code; throw e; }
}

function checkAgainstOracle(got: Res | string, want: ref.RowResult | string, what: string): Res | null {
  if (typeof want === "string" || typeof got === "string") {
    assert.equal(got, want, `${what}: library ${typeof got === "string" ? "threw " + got : "returned"}, oracle ${typeof want === "string" ? "threw " + want : "returned"}`);
    return null;
  }
  assertMatchesOracle(got.rowAdvantages, want, what);
  return got;
}

/** Groups whose scores are all equal (size >= 2) get exactly +0. */
function assertConstantGroupsZero(b: GroupBatch, r: Res, what: string): void {
  const members = ref.membersOf(b.ids, b.G);
  for (const rows of members) {
    if (rows.length < 2 || !rows.every((i) => b.scores[i] === b.scores[rows[0]!])) continue;
    for (const i of rows) if (!Object.is(r.rowAdvantages[i], 0)) assert.fail(`${what}: constant group row ${i} = ${r.rowAdvantages[i]}`);
  }
}

/** Σ a_i over each group is 0 within the sum of the rows' tolerances. */
function assertZeroSum(b: GroupBatch, r: Res, want: ref.RowResult, weights: ArrayLike<number> | null, what: string): void {
  for (const rows of ref.membersOf(b.ids, b.G)) {
    if (rows.length < 2) continue;
    let s = 0, tol = 0;
    for (const i of rows) {
      const w = weights ? weights[i]! : 1;
      s += w * r.rowAdvantages[i]!;
      tol += w * (tolOracle(r.rowAdvantages[i]!, want.kappa[i]!, want.n[i]!, want.sens[i]!) + (want.extra?.[i] ?? 0) + 2 ** -24 * Math.abs(r.rowAdvantages[i]!));
    }
    if (!(Math.abs(s) <= tol)) assert.fail(`${what}: group sum ${s} > ${tol}`);
  }
}

export type Singleton = "raw" | "zero";

export function checkGrpo(b: GroupBatch, o: ref.GrpoOpts, seed: number): void {
  const got = runEverywhere(b, (api, inp) => api.grpo({ ...inp, ...o } as any), seed);
  const want = oracle(() => ref.grpo(b.scores, b.ids, b.G, o));
  const r = checkAgainstOracle(got, want, "grpo");
  if (r && typeof want !== "string") {
    assertConstantGroupsZero(b, r, "grpo");
    if (o.stdScope === "group") assertZeroSum(b, r, want, null, "grpo");
  }
}

export function checkRloo(b: GroupBatch, singleton: Singleton, seed: number): void {
  const got = runEverywhere(b, (api, inp) => api.rloo({ ...inp, singleton } as any), seed);
  const want = oracle(() => ref.rloo(b.scores, b.ids, b.G, { singleton }));
  const r = checkAgainstOracle(got, want, "rloo");
  if (r && typeof want !== "string") { assertConstantGroupsZero(b, r, "rloo"); assertZeroSum(b, r, want, null, "rloo"); }
}

export function checkRfppb(b: GroupBatch, singleton: Singleton, wv: "unbiased" | "biased", wm: "add" | "max", seed: number): void {
  const o = { singleton, whitenVariance: wv, whitenEps: 1e-8, whitenEpsMode: wm } as const;
  const got = runEverywhere(b, (api, inp) => api.reinforcePPBaseline({ ...inp, ...o } as any), seed);
  const want = oracle(() => ref.reinforcePPBaseline(b.scores, b.ids, b.G, lengthsOf(b.mask, b.B, b.T), o));
  const r = checkAgainstOracle(got, want, "reinforcePPBaseline");
  if (r && typeof want !== "string") {
    // Mean 0 over the valid tokens.
    const L = lengthsOf(b.mask, b.B, b.T);
    let s = 0, tol = 0;
    for (let i = 0; i < b.B; i++) { s += L[i]! * r.rowAdvantages[i]!; tol += L[i]! * tolOracle(r.rowAdvantages[i]!, want.kappa[i]!, want.n[i]!, want.sens[i]!); }
    assert.ok(Math.abs(s) <= tol, `token mean ${s} > ${tol}`);
  }
}

export function checkDler(b: GroupBatch, trunc: boolean[], tv: number, seed: number): void {
  const truncated = Uint8Array.from({ length: b.B }, (_, i) => (trunc[i % trunc.length] ? 1 : 0));
  const got = runEverywhere(b, (api, inp) => api.dler({ ...inp, truncated, truncatedValue: tv } as any), seed);
  const want = oracle(() => ref.dler(b.scores, truncated, tv, b.ids, b.G, lengthsOf(b.mask, b.B, b.T), { singleton: "raw", whitenVariance: "unbiased", whitenEps: 1e-8, whitenEpsMode: "add" }));
  checkAgainstOracle(got, want, "dler");
}

export function checkOpo(b: GroupBatch, singleton: Singleton, seed: number): void {
  const got = runEverywhere(b, (api, inp) => api.opo({ ...inp, singleton } as any), seed);
  const L = lengthsOf(b.mask, b.B, b.T);
  const want = oracle(() => ref.opo(b.scores, b.ids, b.G, L, singleton));
  const r = checkAgainstOracle(got, want, "opo");
  if (r && typeof want !== "string") assertZeroSum(b, r, want, L, "opo Σ L a");
}

export function checkGpg(b: GroupBatch, fNorm: number, singleton: Singleton, seed: number): void {
  const got = runEverywhere(b, (api, inp) => api.gpg({ ...inp, fNorm, singleton } as any), seed);
  const want = oracle(() => ref.gpg(b.scores, b.ids, b.G, { fNorm, singleton }));
  const r = checkAgainstOracle(got, want, "gpg");
  if (r) assert.ok(r.diagnostics.alpha >= 1);
}

export function checkPassK(b: GroupBatch, normalizeByStd: boolean, eps: number, seed: number): void {
  const o = { eps, epsMode: "std" as const, stdKind: "unbiased" as const, normalizeByStd };
  const got = runEverywhere(b, (api, inp) => api.grpoPassK({ ...inp, ...o } as any), seed);
  const want = oracle(() => ref.grpoPassK(b.scores, b.ids, b.G, o));
  const r = checkAgainstOracle(got, want, "grpoPassK");
  if (r) for (const rows of ref.membersOf(b.ids, b.G)) {
    const nz = rows.filter((i) => r.rowAdvantages[i] !== 0);
    assert.ok(nz.length <= 1 && nz.every((i) => r.rowAdvantages[i]! > 0), "at most one positive row per group");
  }
}

/**
 * The fitted alpha's error bound, propagated from f64 roundings through the method of moments:
 * each group mean p carries n_g roundings of values <= 1 (dp), their mean mu G more (dmu), their
 * variance v the errors of p and mu plus 4G roundings of its sum (dv); k = mu(1 - mu)/v - 1 and
 * alpha = 1 + k mu / 3 carry them through their derivatives.
 */
function bnpoAlphaTolerance(b: GroupBatch, singleton: Singleton, alpha: number, fallback: string): number {
  if (fallback !== "none") return 0; // a fallback sets alpha = 1 exactly on both sides (max(., 1) only shrinks differences)
  const members = ref.membersOf(b.ids, b.G).filter((rows) => rows.length > (singleton === "raw" ? 0 : 1));
  const p = members.map((rows) => rows.reduce((a, i) => a + b.scores[i]!, 0) / rows.length);
  const G = p.length, mu = p.reduce((a, x) => a + x, 0) / G;
  const m2 = p.reduce((a, x) => a + (x - mu) ** 2, 0), v = m2 / (G - 1);
  const nMax = Math.max(...members.map((r) => r.length));
  const dp = 2 * nMax * U64, dmu = dp + 2 * G * U64 * mu;
  const dv = (2 * p.reduce((a, x) => a + Math.abs(x - mu), 0) * (dp + dmu) + 4 * G * U64 * m2) / (G - 1);
  const k = (mu * (1 - mu)) / v - 1;
  const dk = ((mu * (1 - mu)) / v) * (dv / v) + (Math.abs(1 - 2 * mu) * dmu) / v;
  return (Math.abs(k) * dmu + mu * dk) / 3 + 4 * U64 * alpha;
}

export function checkBnpo(b: GroupBatch, singleton: Singleton, seed: number): void {
  const o = { lo: 0, hi: 1, alpha: null, beta: null, wMax: 1e6, singleton };
  const got = runEverywhere(b, (api, inp) => api.bnpo({ ...inp, singleton } as any), seed);
  const want = oracle(() => ref.bnpo(b.scores, b.ids, b.G, o));
  const r = checkAgainstOracle(got, want, "bnpo");
  if (r && typeof want !== "string") {
    assert.equal(r.diagnostics.fallback, want.fallback);
    const tol = bnpoAlphaTolerance(b, singleton, want.alpha, want.fallback);
    assert.ok(Math.abs(r.diagnostics.alpha - want.alpha) <= tol && r.diagnostics.alpha >= 1 && r.diagnostics.beta >= 1, `alpha ${r.diagnostics.alpha} vs ${want.alpha} (tol ${tol})`);
    assertZeroSum(b, r, want, null, "bnpo");
  }
}

export interface TrlCase { n: number; g: number; K: number; R: number[]; w: number[]; scale: "group" | "batch" | "none"; agg: "sumThenNormalize" | "normalizeThenSum" }
export function checkTrl({ n, g, K, R, w, scale, agg }: TrlCase): void {
  const B = n * g;
  const Rf = Float32Array.from(R), wf = Float32Array.from(w);
  const ids = Int32Array.from({ length: B }, (_, i) => Math.floor(i / n));
  const o = { scaleRewards: scale, aggregation: agg, eps: 1e-4 } as const;
  const want = ref.trlGroupAdvantage(Rf, B, K, wf, ids, g, o);
  const outs = builds.map(([, api]) => api.trlGroupAdvantage({ rewardsPerFunc: Rf, weights: wf, groupSize: n, preset: "trl", ...o }).rowAdvantages);
  assertMatchesOracle(outs[0]!, want, "trl simd");
  assertBitwise(outs[0]!, outs[1]!, "trl simd vs scalar");
  const ids2 = builds[0]![1].trlGroupAdvantage({ rewardsPerFunc: Rf, weights: wf, groupIds: ids, preset: "trl", ...o }).rowAdvantages;
  assertBitwise(outs[0]!, ids2, "groupSize vs groupIds");
  for (let i = 0; i < B; i++) {
    let unscorable = true;
    for (let k = 0; k < K; k++) if (!Number.isNaN(Rf[i * K + k])) unscorable = false;
    if (unscorable) assert.ok(Object.is(outs[0]![i], 0), `unscorable row ${i} -> 0`);
  }
}

export function checkRemax(b: GroupBatch, seed: number): void {
  // Non-dyadic rewards and baselines: the reward-to-go sums round, so SIMD = scalar and packed =
  // padded hold bitwise only because the summation order does not depend on the build or layout.
  const r = Float32Array.from({ length: b.B * b.T }, (_, k) => Math.fround(Math.sin(k * 12.9898 + seed * 78.233) * 1.7));
  const base = Float32Array.from({ length: b.B }, (_, i) => Math.fround(Math.cos(i * 4.1414 + seed) * 1.3));
  const want = ref.remax(r, b.mask, base, b.B, b.T);
  const p = toPacked(b.mask, b.B, b.T, (i, last) => last + 1);
  const outs = builds.map(([, api]) => api.remax({ tokenRewards: r, mask: b.mask, baselines: base }));
  for (let k = 0; k < b.B * b.T; k++) {
    const y = Math.fround(want.returns[k]), a = Math.fround(want.advantages[k]);
    assert.ok(Math.abs(outs[0]!.returns[k]! - y) <= tolOracle(y, 0, b.T, want.sens[k]!), `returns[${k}]`);
    assert.ok(Math.abs(outs[0]!.advantages[k]! - a) <= tolOracle(a, want.kappa[k]!, b.T, want.sens[k]!), `advantages[${k}]`);
    if (!b.mask[k]) assert.ok(Object.is(outs[0]!.returns[k], 0) && Object.is(outs[0]!.advantages[k], 0));
  }
  assertBitwise(outs[0]!.advantages, outs[1]!.advantages, "remax simd vs scalar");
  const packed = builds[0]![1].remax({ tokenRewards: pack(r, b.T, p), mask: pack(b.mask, b.T, p), offsets: p.offsets, baselines: base });
  assertBitwise(packed.returns, pack(outs[0]!.returns, b.T, p), "remax packed vs padded");
}

export type OrlEstimator = "group_norm" | "rloo" | "dr_grpo" | "reinforce_baseline" | "reinforce";
export function checkOrl(b: GroupBatch, estimator: OrlEstimator, klCoef: number, gamma: number, noStdNorm: boolean): void {
  const kl = Float32Array.from({ length: b.B * b.T }, (_, k) => Math.fround(Math.sin(k * 7.7177 + 0.3) * 0.9)); // non-dyadic
  const o = { estimator, klCoef, klCoefNegative: "zero", rewardClip: [-10, 10], gamma, noStdNorm, eps: 1e-9, whitenVariance: "biased", whitenEps: 1e-8, whitenEpsMode: "max" } as const;
  let want: ReturnType<typeof ref.openrlhfOutcome> | string;
  try { want = ref.openrlhfOutcome(b.scores, b.mask, kl, b.B, b.T, b.groupSize!, o); } catch (e) { want = (e as ref.ReferenceError).code; }
  const outs = builds.map(([, api]) => { try { return api.openrlhfOutcome({ rewards: b.scores, actionMask: b.mask, kl, groupSize: b.groupSize!, preset: "openrlhf", ...o }); } catch (e) { if (isRlaError(e)) return e.code; throw e; } });
  if (typeof want === "string") { assert.equal(outs[0], want); assert.equal(outs[1], want); return; }
  const got = outs[0] as Exclude<typeof outs[0], string>;
  assertBitwise(got.advantages, (outs[1] as typeof got).advantages, "orl simd vs scalar");
  assert.equal(got.diagnostics.gammaEffective, estimator === "reinforce" ? gamma : 1);
  for (let k = 0; k < b.B * b.T; k++) {
    if (!b.mask[k]) { assert.ok(Object.is(got.returns[k], 0) && Object.is(got.advantages[k], 0)); continue; }
    const y = Math.fround(want.returns[k]!), a = Math.fround(want.advantages[k]!);
    assert.ok(Math.abs(got.returns[k]! - y) <= tolOracle(y, 0, b.T, want.sens[k]!), `returns[${k}] ${got.returns[k]} vs ${y}`);
    assert.ok(Math.abs(got.advantages[k]! - a) <= tolOracle(a, want.kappa[k]!, want.count, want.advSens[k]!), `advantages[${k}] ${got.advantages[k]} vs ${a}`);
  }
}
