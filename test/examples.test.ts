// Worked examples of the spec (docs/kernels.md), pinned exactly, and lgamma check values.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { builds, f32, U64 } from "./helpers.js";
import { LGAMMA_METHOD_ERROR, lgamma, logBeta } from "../src/core/math.js";

// A documented example value is printed to some decimals: the library's f32 result may differ from
// it by half a unit of the last printed digit plus its own one rounding (u|w|), and a computed
// expectation (1/3, pi/8...) by a few f64 roundings.
const printedHalfUnit = (w: number) => { const d = (String(w).split(".")[1] ?? "").replace(/e.*/, "").length; return d >= 15 ? 0 : 0.5 * 10 ** -d; };
const close = (got: ArrayLike<number>, want: number[]) =>
  want.forEach((w, i) => {
    const tol = printedHalfUnit(w) + 2 ** -24 * Math.abs(w) + 2 ** -50 * Math.abs(w);
    assert.ok(Math.abs(got[i]! - w) <= tol, `[${i}] ${got[i]} vs ${w} (tol ${tol})`);
  });

for (const [build, api] of builds) {
  describe(`spec examples (${build})`, () => {
    const s = f32([1, 0, 0, 1, 0.7, 1, 1]);
    const groupIds = Int32Array.from([0, 0, 0, 0, 1, 2, 2]);
    it("GRPO, Dr.GRPO, GPG on groups {1,0,0,1},{0.7},{1,1}", () => {
      close(api.grpo({ scores: s, groupIds }).rowAdvantages, [0.8660239, -0.8660239, -0.8660239, 0.8660239, 0.6999993, 0, 0]);
      close(api.grpo({ scores: s, groupIds, normalizeByStd: false }).rowAdvantages, [0.5, -0.5, -0.5, 0.5, 0.7, 0, 0]);
      close(api.gpg({ scores: s, groupIds }).rowAdvantages, [0.7, -0.7, -0.7, 0.7, 0.98, 0, 0]);
    });
    it("TRL group / batch / none", () => {
      const R = f32([1, 0, 0, 1, 1, 1, 1, 1]);
      close(api.trlGroupAdvantage({ rewardsPerFunc: R, groupSize: 4 }).rowAdvantages, [0.8658754, -0.8658754, -0.8658754, 0.8658754, 0, 0, 0, 0]);
      close(api.trlGroupAdvantage({ rewardsPerFunc: R, groupSize: 4, scaleRewards: "batch" }).rowAdvantages, [1.0798901, -1.0798901, -1.0798901, 1.0798901, 0, 0, 0, 0]);
      close(api.trlGroupAdvantage({ rewardsPerFunc: R, groupSize: 4, scaleRewards: "none" }).rowAdvantages, [0.5, -0.5, -0.5, 0.5, 0, 0, 0, 0]);
    });
    it("RLOO, Pass@k, OPO", () => {
      close(api.rloo({ scores: f32([1, 0, 0, 1]), groupSize: 4 }).rowAdvantages, [0.6666667, -0.6666667, -0.6666667, 0.6666667]);
      close(api.grpoPassK({ scores: f32([3, 1, 2, 0]), groupSize: 4 }).rowAdvantages, [0.7745961, 0, 0, 0]);
      close(api.grpoPassK({ scores: f32([3, 1, 2, 0]), groupSize: 4, normalizeByStd: false }).rowAdvantages, [1, 0, 0, 0]);
      close(api.opo({ scores: f32([1, 0, 1]), groupSize: 3, lengths: Int32Array.from([2, 4, 6]), width: 6 }).rowAdvantages, [1 / 3, -2 / 3, 1 / 3]);
    });
    it("REINFORCE++-baseline with 4 valid tokens per row", () => {
      close(api.reinforcePPBaseline({ scores: s, groupIds, mask: new Uint8Array(28).fill(1) }).rowAdvantages, [0.8721029, -1.3081542, -1.3081542, 0.8721029, 1.3081542, -0.2180257, -0.2180257]);
    });
    it("ReMax", () => {
      const r = api.remax({ tokenRewards: f32([0, 0, 1, 0, 0, 1, 0, 0]), mask: Uint8Array.from([1, 1, 1, 0, 1, 1, 0, 0]), baselines: f32([0.25, 0.5]) });
      assert.deepEqual(Array.from(r.returns), [1, 1, 1, 0, 1, 1, 0, 0]);
      assert.deepEqual(Array.from(r.advantages), [0.75, 0.75, 0.75, 0, 0.5, 0.5, 0, 0]);
    });
    it("BNPO: successes 1,2,3,4 of 4", () => {
      const x = new Float32Array(16);
      [1, 2, 3, 4].forEach((k, g) => x.fill(1, g * 4, g * 4 + k));
      const r = api.bnpo({ scores: x, groupSize: 4 });
      const d = r.diagnostics as any;
      // The fit in f64 from p = 1/4, 1/2, 3/4, 1 (dyadic: the mean is exact), against the same
      // formulas evaluated here; only the order of a few f64 operations can differ (a few U each).
      const U = 2 ** -53, p = [0.25, 0.5, 0.75, 1], mu = 0.625, v = p.reduce((a, q) => a + (q - mu) ** 2, 0) / (p.length - 1);
      const k = (mu * (1 - mu)) / v - 1, alpha = Math.max(1 + (k * mu) / 3, 1), beta = Math.max(1 + (k * (1 - mu)) / 3, 1);
      assert.equal(d.mu, mu);
      assert.ok(Math.abs(d.v - v) <= 8 * U * v && Math.abs(d.alpha - alpha) <= 16 * U * alpha && Math.abs(d.beta - beta) <= 16 * U * beta, `v ${d.v} alpha ${d.alpha} beta ${d.beta}`);
      close(r.rowAdvantages, [0.7545748, -0.2515249, -0.2515249, -0.2515249, 0.4474372, 0.4474372, -0.4474372, -0.4474372, 0.2243267, 0.2243267, 0.2243267, -0.67298, 0, 0, 0, 0]);
      // One component is plain BNPO; two identical components average to the same.
      assert.deepEqual(api.bnpo({ components: [x], groupSize: 4 }).rowAdvantages, r.rowAdvantages);
      assert.deepEqual(api.bnpo({ components: [x, x], groupSize: 4 }).rowAdvantages, r.rowAdvantages);
      // Every group at the same p: the zero-variance fallback gives x - p.
      const half = f32([1, 0, 1, 0, 0, 1, 1, 0]);
      const z = api.bnpo({ scores: half, groupSize: 4 });
      assert.equal((z.diagnostics as any).fallback, "zeroVariance");
      close(z.rowAdvantages, [0.5, -0.5, 0.5, -0.5, -0.5, 0.5, 0.5, -0.5]);
      // alpha = beta = 1.5 override: (pi/8)/sqrt(p(1-p)) * (x - p).
      const o = api.bnpo({ scores: f32([1, 0, 0, 0]), groupSize: 4, alpha: 1.5, beta: 1.5 });
      close(o.rowAdvantages, [0.75, -0.25, -0.25, -0.25].map((d) => (Math.PI / 8) / Math.sqrt(0.25 * 0.75) * d));
    });
    it("constant groups of non-dyadic values give exactly +0 (n up to 64)", () => {
      for (const n of [2, 3, 7, 64]) for (const v of [0.7, 3.3, 7.1]) {
        const x = new Float32Array(n).fill(v);
        for (const r of [api.grpo({ scores: x, groupSize: n }), api.rloo({ scores: x, groupSize: n }), api.gpg({ scores: x, groupSize: n }), api.trlGroupAdvantage({ rewardsPerFunc: x, groupSize: n }), api.grpo({ scores: x, groupSize: n, eps: 0 })])
          assert.ok(r.rowAdvantages.every((a) => Object.is(a, 0)), `n=${n} v=${v}`);
      }
    });
  });
}

describe("lgamma and log B (BNPO)", () => {
  it("check values of docs/numerics.md#properties", () => {
    assert.equal(lgamma(1), 0);
    assert.equal(lgamma(2), 0);
    // Bounds: the coefficient set's own error (LGAMMA_METHOD_ERROR, absolute in log Γ) plus one f64
    // rounding per operation on the magnitudes involved: lgamma adds 4 terms up to |(x + 0.5) log t|
    // and t, and the reference values carry their own roundings (n terms for a sum of n logs).
    const lgTol = (x: number) => LGAMMA_METHOD_ERROR + 8 * U64 * ((x + 0.5) * Math.abs(Math.log(x + 6.5)) + x + 7.5 + 1);
    assert.ok(Math.abs(lgamma(0.5) - Math.log(Math.sqrt(Math.PI))) <= lgTol(1 - 0.5) + 2 * U64, "Math.abs(lgamma(0.5) - Math.log(Math.sqrt(Math.PI))) <= lgTol(1 - 0.5) + 2 * U64");
    let f = 0;
    for (let n = 2; n <= 30; n++) { f += Math.log(n - 1); assert.ok(Math.abs(lgamma(n) - f) <= lgTol(n) + n * U64 * f, `lgamma(${n})`); }
    assert.ok(Math.abs(logBeta(1.5, 1.5) - Math.log(Math.PI / 8)) <= 3 * lgTol(3) + 2 * U64, "Math.abs(logBeta(1.5, 1.5) - Math.log(Math.PI / 8)) <= 3 * lgTol(3) + 2 * U64");
    const x = 1e6, stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x);
    // Stirling's next term, 1/(360 x^3), is 3e-21; both sides round terms of size (x - 0.5) log x and x.
    assert.ok(Math.abs(lgamma(x) - stirling) <= 16 * U64 * ((x - 0.5) * Math.log(x) + x) + 1 / (360 * x ** 3), "Math.abs(lgamma(x) - stirling) <= 16 * U64 * ((x - 0.5) * Math.log(x) + x) + 1 / (360 *...");
    for (const x of [1, 10, 1e3, 1e6, 1e12]) assert.ok(Number.isFinite(lgamma(x)), "Number.isFinite(lgamma(x))");
    // The Stirling difference agrees with the three-term form where that one is accurate: within
    // the three-term form's own error (three lgamma bounds and the cancellation of its sum).
    for (const [a, b] of [[2, 12], [3.5, 40], [1.2, 300]] as const) {
      const three = lgamma(a) + lgamma(b) - lgamma(a + b);
      const tol = lgTol(a) + lgTol(b) + lgTol(a + b) + 2 * U64 * (Math.abs(lgamma(a)) + Math.abs(lgamma(b)) + Math.abs(lgamma(a + b)));
      assert.ok(Math.abs(logBeta(a, b) - three) <= tol, `log B(${a}, ${b})`);
    }
  });
});
