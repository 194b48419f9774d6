// Likelihood rewards, SAR, TGDPO and PRIME: against the f64 oracle on both builds, packed = padded,
// and the invariants of docs/numerics.md#properties.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as ref from "../src/reference/index.js";
import { assertBitwise, builds, logProbPairs, pack, RUNS, toPacked, tolOracle } from "./helpers.js";

// Log-probs in [-60, 0], some pairs (a, b) with log-ratios in [5, 60] either way (helpers.logProbPairs).
const batch = fc.record({ B: fc.integer({ min: 1, max: 5 }), T: fc.integer({ min: 1, max: 20 }), seed: fc.nat() }).chain(({ B, T, seed }) =>
  fc.record({ B: fc.constant(B), T: fc.constant(T), ab: logProbPairs(B * T), cb: logProbPairs(B * T) }).map((x) => {
    const mask = new Uint8Array(B * T);
    for (let i = 0; i < B; i++) mask.fill(1, i * T, i * T + 1 + ((i * 7 + seed) % T)); // non-empty prefix rows
    return { B: x.B, T: x.T, mask, a: x.ab.a, b: x.ab.b, c: x.cb.a };
  }));

describe("likelihood rewards, SAR, TGDPO", () => {
  it("likelihoodReward: every mode matches the oracle; prob = exp(sum); mean = sum/n; avgProb in (0, 1]", () => {
    fc.assert(fc.property(batch, ({ B, T, a, mask }) => {
      const p = toPacked(mask, B, T, (_i, last) => last + 1);
      for (const mode of ["sum", "prob", "avgProb", "mean"] as const) {
        const want = ref.likelihoodReward(a, mask, B, T, mode);
        const outs = builds.map(([, api]) => api.likelihoodReward({ answerLogp: a, mask, width: T, mode }));
        outs[0]!.forEach((v, i) => { const y = Math.fround(want[i]!); assert.ok(Math.abs(v - y) <= tolOracle(y, 0, T, 30 * T) + (mode === "prob" ? 8 * T * 30 * 2 ** -53 * Math.abs(y) : 0), `${mode}[${i}] ${v} vs ${y}`); });
        assertBitwise(outs[0]!, outs[1]!, "simd vs scalar");
        assertBitwise(builds[0]![1].likelihoodReward({ answerLogp: pack(a, T, p), mask: pack(mask, T, p), offsets: p.offsets, mode }), outs[0]!, "packed");
        if (mode === "avgProb") outs[0]!.forEach((v) => assert.ok(v > 0 && v <= 1, `${v}`));
      }
    }), RUNS);
    assert.throws(() => builds[0]![1].likelihoodReward({ answerLogp: new Float32Array(4), mask: Uint8Array.from([1, 1, 0, 0]), width: 2 }), (e: any) => e.code === "EMPTY_ROW" && e.index === 1);
  });

  it("SAR: oracle; lies in [-1, 1); identical tensors give 0; non-decreasing in logpWithQuery", () => {
    fc.assert(fc.property(batch, fc.float({ noNaN: true, min: 0, max: 2 }), ({ B, T, a, b, mask }, bump) => {
      const want = ref.selfAlignedReward(a, b, mask, B, T);
      const outs = builds.map(([, api]) => api.selfAlignedReward({ logpWithQuery: a, logpWithoutQuery: b, mask, width: T }));
      // [-1, 1) holds for the real value; its f64 and f32 roundings may reach 1 (1 - 1/ppl0 with
      // ppl0 = exp(36) is 1 in f64). S: each perplexity carries the f64 error of its row mean
      // (Σ|l| / n, n terms) through exp, and the ratio pplQ/ppl0 that multiplies it is <= 2 where
      // the floor does not apply.
      const tolOf = (q: Float32Array, i: number, y: number) => {
        let sa = 0, n = 0;
        for (let t = 0; t < T; t++) if (mask[i * T + t]) { sa += Math.abs(q[i * T + t]!) + Math.abs(b[i * T + t]!); n++; }
        return tolOracle(y, 1, T, (2 * sa) / n);
      };
      outs[0]!.forEach((v, i) => {
        const y = Math.fround(want[i]!), tol = tolOf(a, i, y);
        assert.ok(Math.abs(v - y) <= tol, `[${i}] ${v} vs ${y} (tol ${tol})`);
        assert.ok(want[i]! >= -1 && want[i]! <= 1 && v >= -1 && v <= 1, "want[i]! >= -1 && want[i]! <= 1 && v >= -1 && v <= 1");
      });
      assertBitwise(outs[0]!, outs[1]!, "simd vs scalar");
      const p = toPacked(mask, B, T, (_i, last) => last + 1);
      assertBitwise(builds[0]![1].selfAlignedReward({ logpWithQuery: pack(a, T, p), logpWithoutQuery: pack(b, T, p), mask: pack(mask, T, p), offsets: p.offsets }), outs[0]!, "packed");
      assert.ok(builds[0]![1].selfAlignedReward({ logpWithQuery: a, logpWithoutQuery: a, mask, width: T }).every((v) => v === 0), "builds[0]![1].selfAlignedReward({ logpWithQuery: a, logpWithoutQuery: a, mask, width: T...");
      const aUp = a.map((x) => Math.min(0, x + bump));
      const up = builds[0]![1].selfAlignedReward({ logpWithQuery: aUp, logpWithoutQuery: b, mask, width: T });
      // The real values are monotone; each computed one lies within its own bound of them.
      up.forEach((v, i) => assert.ok(v >= outs[0]![i]! - tolOf(a, i, outs[0]![i]!) - tolOf(aUp, i, v), `monotone [${i}]`));
    }), RUNS);
  });

  it("TGDPO: alpha = 0 gives weights beta; z and loss match the f64 oracle at the derived tolerance; loss >= 0 and finite", () => {
    fc.assert(fc.property(batch, fc.constantFrom(0, 0.5, 1), fc.constantFrom(0.1, 0.5), ({ T, a, b, c, mask }, alpha, beta) => {
      const args = { chosenLogp: a, chosenRefLogp: b, chosenRewardLogp: c, chosenMask: mask, rejectedLogp: b, rejectedRefLogp: c, rejectedRewardLogp: a, rejectedMask: mask, width: T, alpha, beta };
      const outs = builds.map(([, api]) => api.tgdpo(args));
      assertBitwise(outs[0]!.z, outs[1]!.z, "simd vs scalar");
      const p = toPacked(mask, mask.length / T, T, (_i, last) => last + 1), pk = (x: Float32Array) => pack(x, T, p), pm = pack(mask, T, p);
      const packed = builds[0]![1].tgdpo({ chosenLogp: pk(a), chosenRefLogp: pk(b), chosenRewardLogp: pk(c), chosenMask: pm, rejectedLogp: pk(b), rejectedRefLogp: pk(c), rejectedRewardLogp: pk(a), rejectedMask: pm, offsets: p.offsets, alpha, beta });
      assertBitwise(packed.z, outs[0]!.z, "packed z");
      assertBitwise(packed.chosenWeights, pk(outs[0]!.chosenWeights), "packed chosen weights");
      outs[0]!.loss.forEach((l) => assert.ok(l >= 0 && Number.isFinite(l), "l >= 0 && Number.isFinite(l)"));
      if (alpha === 0) outs[0]!.chosenWeights.forEach((w, k) => assert.ok(mask[k] ? w === Math.fround(beta) : Object.is(w, 0), "mask[k] ? w === Math.fround(beta) : Object.is(w, 0)"));
      const B = mask.length / T;
      for (let p = 0; p < B; p++) {
        let zw = 0, zl = 0;
        for (let t = 0; t < T; t++) if (mask[p * T + t]) {
          const k = p * T + t;
          zw += beta * (1 + alpha * beta * (c[k]! - b[k]!)) * (a[k]! - b[k]!);
          zl += beta * (1 - alpha * beta * (a[k]! - c[k]!)) * (b[k]! - c[k]!);
        }
        const z = zw - zl, tolZ = tolOracle(z, Math.abs(zw) + Math.abs(zl), T, 60 * T);
        assert.ok(Math.abs(outs[0]!.z[p]! - Math.fround(z)) <= tolZ, `z[${p}]`);
        // loss = -log σ(z) = softplus(-z); |d loss / dz| = σ(-z) <= 1, so z's error passes through
        // at most once, plus the loss's own rounding.
        const lossRef = Math.max(-z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
        assert.ok(Math.abs(outs[0]!.loss[p]! - Math.fround(lossRef)) <= tolZ + tolOracle(lossRef, 0, 1, 0), `loss[${p}]: ${outs[0]!.loss[p]} vs ${lossRef}`);
      }
    }), RUNS);
  });
});

describe("PRIME", () => {
  it("advantage returns match the oracle (code and paper), packed = padded; outcome part = outcome - mean of the others at the last token", () => {
    fc.assert(fc.property(batch, fc.constantFrom(1, 2, 3), fc.constantFrom("code", "paper"), fc.constantFrom(1, 0.9), ({ B, T, a, mask }, K0, baseline, gp) => {
      const K = B % K0 === 0 ? K0 : 1;
      const outcome = Float32Array.from({ length: B }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0);
      const o = { baseline: baseline as "code", gp, go: 1, cp: 1, co: 1 };
      const want = ref.primeReturnsRef(a, outcome, mask, B, T, K, o);
      const args = { processRewards: a, outcome, mask, width: T, groupSize: K, batchNorm: false, processBaseline: baseline, gammaProcess: gp, whiten: false, singleton: "raw" as const };
      const outs = builds.map(([, api]) => api.primeAdvantage(args));
      // The kernel runs the whole scan in f64, as the oracle does: no f32 intermediate, so kappa is
      // 0 and only the reduction term (row-local S, per position) and the one rounding remain.
      outs[0]!.returns.forEach((v, k) => {
        if (!mask[k]) { assert.ok(Object.is(v, 0), "Object.is(v, 0)"); return; }
        const y = Math.fround(want.values[k]!);
        assert.ok(Math.abs(v - y) <= tolOracle(y, 0, want.n[k]!, want.sens[k]!), `[${k}] ${v} vs ${y} (tol ${tolOracle(y, 0, want.n[k]!, want.sens[k]!)})`);
      });
      assertBitwise(outs[0]!.returns, outs[1]!.returns, "simd vs scalar");
      const p = toPacked(mask, B, T, (_i, last) => last + 1);
      assertBitwise(builds[0]![1].primeAdvantage({ ...args, processRewards: pack(a, T, p), mask: pack(mask, T, p), offsets: p.offsets, width: undefined }).returns, pack(outs[0]!.returns, T, p), "packed");
      if (K > 1) {
        const only = builds[0]![1].primeAdvantage({ outcome, mask, width: T, groupSize: K, whiten: false });
        for (let i = 0; i < B; i++) {
          let last = -1; for (let t = 0; t < T; t++) if (mask[i * T + t]) last = t;
          const g0 = Math.floor(i / K) * K; let others = 0, mag = 0; for (let j = g0; j < g0 + K; j++) { if (j !== i) others += outcome[j]!; mag += Math.abs(outcome[j]!); }
          // f64 leave-one-out then one rounding: the derived oracle tolerance, S = the group's magnitudes.
          const y = outcome[i]! - others / (K - 1);
          assert.ok(Math.abs(only.returns[i * T + last]! - Math.fround(y)) <= tolOracle(y, 0, K, mag * K / (K - 1)), `row ${i}: ${only.returns[i * T + last]} vs ${y}`);
        }
      }
    }), RUNS);
  });

  it("batchNorm: max |reverse cumsum| after normalisation is M/(M + 1e-6) < 1; scaling beta changes it only through the 1e-6", () => {
    fc.assert(fc.property(batch, checkBatchNorm), RUNS);
  });

  it("pinned counterexamples: subnormal log-ratios (beta*q underflows; a subnormal output)", () => {
    const f = (xs: number[]) => Float32Array.from(xs);
    checkBatchNorm({ B: 2, T: 2, a: f([0, 0, 0, 0]), b: f([0, 0, 0, -2.1205689648695625e-8]), c: f([0, 0, 0, 0]), mask: Uint8Array.from([1, 0, 1, 1]) });
    checkBatchNorm({ B: 4, T: 1, a: f([0, 0, -1.401298464324817e-45, -0.020000001415610313]), b: f([0, 0, -4.203895392974451e-45, 0]), c: f([0, 0, 0, 0]), mask: Uint8Array.from([1, 1, 1, 1]) });
    checkBatchNorm({ B: 1, T: 3, a: f([-1.1135867783304514e-37, 0, -29.935562133789062]), b: f([0, 0, 0]), c: f([0, 0, 0]), mask: Uint8Array.from([1, 1, 1]) });
  });
});

function checkBatchNorm({ T, a, b, mask }: { B: number; T: number; a: Float32Array; b: Float32Array; c: Float32Array; mask: Uint8Array }): void {
  {
    {
      const api = builds[0]![1];
      const r1 = api.primeImplicitReward({ logpRm: a, logpRef: b, mask, width: T, beta: 0.05 }).processRewards;
      const n = api.primeBatchNorm({ values: r1, mask, width: T });
      const m2 = api.primeBatchNorm({ values: n.values, mask, width: T }).batchMax;
      // Each normalised value is rounded once to f32 (relative u), so the largest |reverse cumsum|
      // moves by at most u times the largest row sum of |values| (A); the f64 sums add 2TU(A + 1).
      let A = 0;
      for (let i = 0; i < n.values.length / T; i++) { let rs = 0; for (let t = 0; t < T; t++) rs += Math.abs(n.values[i * T + t]!); A = Math.max(A, rs); }
      const NORM_EPS = 1e-6; // the constant PRIME's batch normalisation adds to its denominator (docs/kernels.md#prime)
      const want = n.batchMax / (n.batchMax + NORM_EPS);
      assert.ok(m2 < 1 && Math.abs(m2 - want) <= 2 ** -24 * A + 2 * T * 2 ** -53 * (A + 1), `${m2} vs ${want}`);
      const r2 = api.primeImplicitReward({ logpRm: a, logpRef: b, mask, width: T, beta: 0.5 }).processRewards;
      const n2 = api.primeBatchNorm({ values: r2, mask, width: T });
      // n = r/(M + 1e-6) and n2 = 10r/(10M + 1e-6): equal up to a relative 1e-6/M, plus f32 rounding.
      // An f32 value of beta*q can underflow (subnormal q): its absolute floor 2^-149, scaled by 1/M.
      if (n.batchMax > 1e-3) n.values.forEach((v, k) => assert.ok(Math.abs(v - n2.values[k]!) <= Math.abs(v) * (NORM_EPS / n.batchMax + 4 * 2 ** -24) + 4 * 2 ** -149 * (1 + 1 / n.batchMax), `[${k}] ${v} vs ${n2.values[k]}`));
    }
  }
}
