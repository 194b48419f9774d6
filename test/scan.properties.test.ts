// Properties of the scans (docs/numerics.md#properties): against the f64 oracle on both builds, GAE with
// lam = 1 equals discounted returns minus values, packed = padded bitwise, whitening merged over
// k parts equals whitening the whole, min-form returns are the minimum of the future step rewards.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as ref from "../src/reference/index.js";
import { assertBitwise, builds, pack, RUNS, toPacked, tolOracle, U32 } from "./helpers.js";

const U = 2 ** -24;
const finite = (lim = 100) => fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-lim), max: Math.fround(lim) });

/** A padded batch with token rewards, values and a mask with holes and empty rows. */
const tokenBatch = fc.record({ B: fc.integer({ min: 1, max: 5 }), T: fc.integer({ min: 1, max: 40 }), seed: fc.nat() }).chain(({ B, T }) =>
  fc.record({
    B: fc.constant(B), T: fc.constant(T),
    r: fc.array(fc.oneof(finite(), fc.constant(0)), { minLength: B * T, maxLength: B * T }),
    V: fc.array(finite(), { minLength: B * T, maxLength: B * T }),
    lens: fc.array(fc.nat({ max: T }), { minLength: B, maxLength: B }),
    holes: fc.array(fc.boolean(), { minLength: B * T, maxLength: B * T }),
    withHoles: fc.boolean(),
    gamma: fc.constantFrom(0, 1, 0.99, 0.95, 0.5), lam: fc.constantFrom(0, 1, 0.95, 0.8),
  }).map((x) => {
    const mask = new Uint8Array(B * T);
    for (let i = 0; i < B; i++) for (let t = 0; t < x.lens[i]!; t++) mask[i * T + t] = x.withHoles && x.holes[i * T + t] && t > 0 ? 0 : 1;
    return { ...x, r: Float32Array.from(x.r), V: Float32Array.from(x.V), mask };
  }));

function within(got: ArrayLike<number>, want: ArrayLike<number>, kappa: (k: number) => number, n: number, sens: (k: number) => number, what: string, mask?: ArrayLike<number>, extra?: (k: number) => number) {
  for (let k = 0; k < want.length; k++) {
    if (mask && !mask[k]) { assert.ok(Object.is(got[k], 0), `${what}[${k}] masked must be +0, got ${got[k]}`); continue; }
    const y = Math.fround(want[k]!);
    const tol = tolOracle(y, kappa(k), n, sens(k)) + (extra ? extra(k) : 0);
    if (!(Math.abs(got[k]! - y) <= tol)) assert.fail(`${what}[${k}]: ${got[k]} vs ${want[k]} (tol ${tol})`);
  }
}

/**
 * The scans' whitening runs the f32 map y = fl(fl(x32 - mu32) * s32) (mu and s = rstd rounded
 * once, each 0 or a normal f32; x32 the stored raw value). With every rounding at most u:
 * |y - (x - mu) s| <= |y|((1+u)^3 - 1) + s(u|x| + u|mu|)(1+u)^3 (+ the subnormal floors the
 * suite already adds), and s|x| <= |y| + kappa (kappa = |mu| s), so the error is at most
 * 4u|y| + 2u kappa + 12u^2 (|y| + kappa): inside tolOracle's 4u(|y| + kappa) but for the u^2
 * term, which this adds.
 */
const whitenMapSecondOrder = (w: { out: ArrayLike<number>; kappa: number }) => (k: number) => 12 * U32 * U32 * (Math.abs(w.out[k]!) + w.kappa);

/**
 * Whitening with merged moments vs the whole batch's (verl defaults: unbiased, eps 1e-8 added).
 * Each output is (x - mu) * rstd rounded once, so the two differ by at most
 * |mu - mu'| * rstd + |x - mu'| * |rstd - rstd'| plus one rounding of each.
 */
function whitenAgrees(api: (typeof builds)[number][1], values: Float32Array, whole: Float64Array, rec: Float64Array) {
  const a = api.maskedWhiten({ values, width: values.length });
  const m = api.maskedWhiten({ values, width: values.length, moments: rec });
  const rstd = (r: Float64Array) => 1 / Math.sqrt(r[2]! / (r[0]! - 1) + 1e-8);
  const r0 = rstd(whole), r1 = rstd(rec);
  for (let t = 0; t < values.length; t++) {
    const tol = U * (Math.abs(a[t]!) + Math.abs(m[t]!)) + Math.abs(whole[1]! - rec[1]!) * r0 + Math.abs(values[t]! - rec[1]!) * Math.abs(r0 - r1) + 2 ** -149;
    assert.ok(Math.abs(a[t]! - m[t]!) <= tol, `[${t}] ${a[t]} vs ${m[t]} (tol ${tol})`);
  }
}

describe("scans: GAE, returns, whitening, moments, min-form", () => {
  it("gae (skip and through, raw) matches the oracle on both builds; packed = padded bitwise", () => {
    fc.assert(fc.property(tokenBatch, fc.constantFrom("skip", "through"), (b, mode) => {
      const want = ref.gae(b.r, b.V, b.mask, b.B, b.T, b.gamma, b.lam, mode as "skip");
      const p = toPacked(b.mask, b.B, b.T, (i, last) => last + 1 + (i % 3));
      const outs = builds.map(([, api]) => api.gae({ tokenRewards: b.r, values: b.V, mask: b.mask, width: b.T, gamma: b.gamma, lam: b.lam, gaeMasked: mode as "skip", whiten: false }));
      within(outs[0]!.advantages, want.raw, () => 0, b.T, (k) => want.sens[k]!, "raw", b.mask);
      within(outs[0]!.returns, want.returns, () => 0, b.T, (k) => want.sens[k]!, "returns", b.mask);
      assertBitwise(outs[0]!.advantages, outs[1]!.advantages, "simd vs scalar");
      assertBitwise(outs[0]!.returns, outs[1]!.returns, "simd vs scalar returns");
      const packed = builds[0]![1].gae({ tokenRewards: pack(b.r, b.T, p), values: pack(b.V, b.T, p), mask: pack(b.mask, b.T, p), offsets: p.offsets, gamma: b.gamma, lam: b.lam, gaeMasked: mode as "skip", whiten: false });
      assertBitwise(packed.advantages, pack(outs[0]!.advantages, b.T, p), "packed vs padded");
      // Same batch through the lengths fast path when the mask is a prefix.
      if (!b.withHoles) {
        const byLens = builds[0]![1].gae({ tokenRewards: b.r, values: b.V, lengths: Int32Array.from(b.lens), width: b.T, gamma: b.gamma, lam: b.lam, gaeMasked: mode as "skip", whiten: false });
        assertBitwise(byLens.advantages, outs[0]!.advantages, "lengths vs mask");
      }
    }), RUNS);
  });

  it("gae with lam = 1 equals discountedReturns minus values (skip~carry, through~through)", () => {
    fc.assert(fc.property(tokenBatch, fc.constantFrom("skip", "through"), (b, mode) => {
      const want = ref.gae(b.r, b.V, b.mask, b.B, b.T, b.gamma, 1, mode as "skip");
      for (const [build, api] of builds) {
        const g = api.gae({ tokenRewards: b.r, values: b.V, mask: b.mask, width: b.T, gamma: b.gamma, lam: 1, gaeMasked: mode as "skip", whiten: false });
        const R = api.discountedReturns({ tokenRewards: b.r, mask: b.mask, width: b.T, gamma: b.gamma, returnsMasked: mode === "skip" ? "carry" : "through" });
        for (let k = 0; k < b.B * b.T; k++) {
          if (!b.mask[k]) continue;
          const tol = 2 * tolOracle(g.advantages[k]!, Math.abs(R[k]!) + Math.abs(b.V[k]!), b.T, want.sens[k]!);
          assert.ok(Math.abs(g.advantages[k]! - (R[k]! - b.V[k]!)) <= tol, `${build} [${k}] ${g.advantages[k]} vs ${R[k]} - ${b.V[k]}`);
        }
      }
    }), RUNS);
  });

  it("discountedReturns (carry, through, reset) against the oracle; packed = padded", () => {
    fc.assert(fc.property(tokenBatch, fc.constantFrom("carry", "through", "reset"), (b, mode) => {
      const want = ref.discountedReturns(b.r, b.mask, b.B, b.T, b.gamma, mode as "carry");
      const outs = builds.map(([, api]) => api.discountedReturns({ tokenRewards: b.r, mask: b.mask, width: b.T, gamma: b.gamma, returnsMasked: mode as "carry" }));
      within(outs[0]!, want.returns, () => 0, b.T, (k) => want.sens[k]!, "returns", b.mask);
      assertBitwise(outs[0]!, outs[1]!, "simd vs scalar");
      const p = toPacked(b.mask, b.B, b.T, (_i, last) => last + 1);
      assertBitwise(builds[1]![1].discountedReturns({ tokenRewards: pack(b.r, b.T, p), mask: pack(b.mask, b.T, p), offsets: p.offsets, gamma: b.gamma, returnsMasked: mode as "carry" }), pack(outs[0]!, b.T, p), "packed");
    }), RUNS);
  });

  it("gae whitened: matches the oracle; mean 0 and unbiased variance var/(var+eps) over valid tokens", () => {
    fc.assert(fc.property(tokenBatch, (b) => {
      const want = ref.gae(b.r, b.V, b.mask, b.B, b.T, b.gamma, b.lam, "skip");
      let w: ref.WhitenRef;
      try { w = ref.maskedWhiten(want.raw, b.mask, { whitenVariance: "unbiased", whitenEps: 1e-8, whitenEpsMode: "add" }); } catch {
        assert.throws(() => builds[0]![1].gae({ tokenRewards: b.r, values: b.V, mask: b.mask, width: b.T, gamma: b.gamma, lam: b.lam }), /TOO_FEW_VALID/);
        return;
      }
      const outs = builds.map(([, api]) => api.gae({ tokenRewards: b.r, values: b.V, mask: b.mask, width: b.T, gamma: b.gamma, lam: b.lam }));
      // The raw values feed the statistic; their own scan error enters scaled by rstd, and so does
      // the f32 storage of each raw value that whitening reads back (relative part inside 4u(|y| +
      // kappa); the absolute floor of subnormal rounding, 2^-150, is added here).
      const rawErr = (k: number) => (b.mask[k] ? (2 * b.T * 2 ** -53 * want.sens[k]! + 2 ** -150) * w.rstd : 0);
      within(outs[0]!.advantages, w.out, () => w.kappa, w.count, (k) => w.sens + rawErr(k) / (2 * w.count * 2 ** -53), "whitened", b.mask, whitenMapSecondOrder(w));
      assertBitwise(outs[0]!.advantages, outs[1]!.advantages, "simd vs scalar");
    }), RUNS);
  });

  it("reinforcePP: advantages are the whitened discounted returns (oracle), returns are discountedReturns; both builds; packed = padded", () => {
    fc.assert(fc.property(tokenBatch, fc.constantFrom("carry", "through"), (b, mode) => {
      const want = ref.discountedReturns(b.r, b.mask, b.B, b.T, b.gamma, mode as "carry");
      let w: ref.WhitenRef;
      try { w = ref.maskedWhiten(want.returns, b.mask, { whitenVariance: "unbiased", whitenEps: 1e-8, whitenEpsMode: "add" }); } catch {
        assert.throws(() => builds[0]![1].reinforcePP({ tokenRewards: b.r, mask: b.mask, width: b.T, gamma: b.gamma, returnsMasked: mode as "carry" }), /TOO_FEW_VALID/);
        return;
      }
      const args = { tokenRewards: b.r, mask: b.mask, width: b.T, gamma: b.gamma, returnsMasked: mode as "carry" };
      const outs = builds.map(([, api]) => api.reinforcePP(args));
      // as for GAE: the returns' own scan error and their f32 storage enter scaled by rstd
      const rawErr = (k: number) => (b.mask[k] ? (2 * b.T * 2 ** -53 * want.sens[k]! + 2 ** -150) * w.rstd : 0);
      within(outs[0]!.advantages, w.out, () => w.kappa, w.count, (k) => w.sens + rawErr(k) / (2 * w.count * 2 ** -53), "whitened", b.mask, whitenMapSecondOrder(w));
      assertBitwise(outs[0]!.returns, builds[0]![1].discountedReturns(args), "returns = discountedReturns");
      assertBitwise(outs[0]!.advantages, outs[1]!.advantages, "simd vs scalar");
      assertBitwise(outs[0]!.returns, outs[1]!.returns, "simd vs scalar returns");
      const p = toPacked(b.mask, b.B, b.T, (i, last) => last + 1 + (i % 3));
      const packed = builds[0]![1].reinforcePP({ tokenRewards: pack(b.r, b.T, p), mask: pack(b.mask, b.T, p), offsets: p.offsets, gamma: b.gamma, returnsMasked: mode as "carry" });
      assertBitwise(packed.advantages, pack(outs[0]!.advantages, b.T, p), "packed");
    }), RUNS);
  });

  it("moments merged over k in {2,3,7} parts equal the whole; whitening with merged moments matches within 1 ulp", () => {
    fc.assert(fc.property(fc.array(finite(1e4), { minLength: 1, maxLength: 300 }), fc.array(fc.nat(), { minLength: 7, maxLength: 7 }), fc.constantFrom(0, 1), (xs, cuts, bi) => {
      const api = builds[bi]![1];
      const values = Float32Array.from(xs);
      const whole = api.moments({ values, width: values.length });
      for (const k of [2, 3, 7]) {
        const points = cuts.slice(0, k - 1).map((c) => c % (values.length + 1)).sort((a, b) => a - b);
        const bounds = [0, ...points, values.length];
        let rec: Float64Array = new Float64Array(3);
        for (let j = 0; j < k; j++) {
          const part = values.subarray(bounds[j]!, bounds[j + 1]!);
          rec = api.mergeMoments(rec, part.length ? api.moments({ values: part, width: part.length }) : new Float64Array(3));
        }
        assert.equal(rec[0], whole[0]);
        const sumAbs = xs.reduce((a, x) => a + Math.abs(x), 0);
        assert.ok(Math.abs(rec[1]! - whole[1]!) <= 4 * values.length * 2 ** -53 * (sumAbs / values.length + Math.abs(whole[1]!)), `mean ${rec[1]} vs ${whole[1]}`);
        assert.ok(Math.abs(rec[2]! - whole[2]!) <= 16 * values.length * 2 ** -53 * (xs.reduce((a, x) => a + (x - whole[1]!) ** 2, 0) + values.length * (whole[1]! ** 2 + Number.MIN_VALUE)), `M2 ${rec[2]} vs ${whole[2]}`);
        if (whole[0]! >= 2) whitenAgrees(api, values, whole, rec);
      }
      assertBitwise(api.mergeMoments(whole, new Float64Array(3)), whole, "merge with empty is the identity");
    }), RUNS);
  });

  it("pinned: gae whitened with subnormal raw advantages (shrunk by fast-check)", () => {
    // V = [0, -2^-149], lam 0.8: raw advantages ~1e-45 round to f32 subnormals before whitening
    // reads them back, and rstd = 1e4 (eps) scales that absolute rounding to ~1e-41.
    const V = new Float32Array(20); V[1] = -1.401298464324817e-45;
    const mask = new Uint8Array(20); mask[0] = mask[1] = 1;
    const r = new Float32Array(20);
    const want = ref.gae(r, V, mask, 1, 20, 1, 0.8, "skip");
    const w = ref.maskedWhiten(want.raw, mask, { whitenVariance: "unbiased", whitenEps: 1e-8, whitenEpsMode: "add" });
    for (const [build, api] of builds) {
      const got = api.gae({ tokenRewards: r, values: V, mask, width: 20, gamma: 1, lam: 0.8 }).advantages;
      for (const k of [0, 1]) assert.ok(Math.abs(got[k]! - w.out[k]!) <= 4 * U * (Math.abs(w.out[k]!) + w.kappa) + 2 * 2 ** -150 * w.rstd, `${build} [${k}] ${got[k]} vs ${w.out[k]}`);
    }
  });

  it("pinned: whitening with merged moments, a value next to the mean (shrunk by fast-check)", () => {
    // [9999.995, -9999.995, -3.27e-26, 0] split at index 1: the merged mean differs from the
    // whole batch's by ~1e-26, which moves the whitened -3e-30 by more than one of its ulps.
    const values = Float32Array.from([9999.9951171875, -9999.9951171875, -3.2659852204184703e-26, 0]);
    const api = builds[0]![1];
    const whole = api.moments({ values, width: 4 });
    const rec = api.mergeMoments(api.moments({ values: values.subarray(0, 1), width: 1 }), api.moments({ values: values.subarray(1), width: 3 }));
    for (const [, a] of builds) whitenAgrees(a, values, whole, rec);
  });

  it("min-form ('steps') return is the minimum of the future step rewards (exact) and <= each of them", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 30 }), fc.array(fc.boolean(), { minLength: 120, maxLength: 120 }), fc.array(fc.float({ noNaN: true, min: -1, max: 1 }), { minLength: 120, maxLength: 120 }), (B, T, ends, vals) => {
        const mask = new Uint8Array(B * T).fill(1);
        const stepEndMask = Uint8Array.from({ length: B * T }, (_, k) => (ends[k % 120] ? 1 : 0));
        const { stepOffsets, stepEnds } = builds[0]![1].stepsFromMask({ stepEndMask, width: T });
        const stepValues = Float32Array.from({ length: stepEnds.length }, (_, k) => vals[k % 120]!);
        const want = ref.minFormSteps(stepValues, stepOffsets, stepEnds, mask, B, T);
        for (const [, api] of builds) {
          const got = api.minFormReturns({ mode: "steps", stepValues, stepOffsets, stepEnds, mask, width: T });
          assertBitwise(got.returns, Float32Array.from(want.map((v) => v + 0)), "min-form"); // exact zeros are +0
          for (let i = 0; i < B; i++) for (let t = 0; t < T; t++) for (let k = stepOffsets[i]!; k < stepOffsets[i + 1]!; k++)
            if (stepEnds[k]! >= t) assert.ok(got.returns[i * T + t]! <= stepValues[k]!, "got.returns[i * T + t]! <= stepValues[k]!");
        }
      }), RUNS);
  });

  it("verlCompat min-form equals a brute-force suffix minimum over r*m padded to W; <= 0 wherever a zero lies ahead", () => {
    fc.assert(fc.property(tokenBatch, (b) => {
      const want = ref.minFormVerlCompat(b.r, b.mask, b.B, b.T);
      for (const [, api] of builds) assertBitwise(api.minFormReturns({ mode: "verlCompat", tokenRewards: b.r, mask: b.mask, width: b.T }).returns, Float32Array.from(want.map((v) => v + 0)), "verlCompat");
    }), RUNS);
  });

  it("softmin: weights sum to 1 (the sum lies in [min r, min r + T ln K]); uniform gives the mean", () => {
    fc.assert(fc.property(fc.array(fc.float({ noNaN: true, min: -1, max: 1 }), { minLength: 1, maxLength: 12 }), fc.constantFrom(1e-6, 1e-4, 0.01, 0.1, 0.5, 2), (vals, temp) => { // temperatures near 0 included: the weights become one-hot
      const stepValues = Float32Array.from(vals), stepOffsets = Int32Array.from([0, vals.length]);
      for (const [, api] of builds) {
        const w = api.softminStepRewards({ stepValues, stepOffsets, temperature: temp });
        const sum = w.reduce((a, b) => a + b, 0), lo = Math.min(...stepValues);
        const slack = 8 * U * (vals.length + 1) * (1 + Math.abs(lo));
        assert.ok(sum - lo >= -slack && sum - lo <= temp * Math.log(vals.length) + slack, `sum ${sum}, min ${lo}, T ${temp}`);
        const u = api.softminStepRewards({ stepValues, stepOffsets, uniform: true });
        const mean = stepValues.reduce((a, b) => a + b, 0) / vals.length;
        assert.ok(Math.abs(u.reduce((a, b) => a + b, 0) - mean) <= slack, "Math.abs(u.reduce((a, b) => a + b, 0) - mean) <= slack");
      }
    }), RUNS);
  });

  it("prmStepReward lies in [-1, 1] and swapping the logits negates it", () => {
    fc.assert(fc.property(fc.array(fc.tuple(finite(50), finite(50)), { minLength: 1, maxLength: 20 }), (pairs) => {
      const l0 = Float32Array.from(pairs.map((p) => p[0])), l1 = Float32Array.from(pairs.map((p) => p[1]));
      const a = builds[0]![1].prmStepReward({ logit0: l0, logit1: l1 }), b2 = builds[1]![1].prmStepReward({ logit0: l1, logit1: l0 });
      a.forEach((v, k) => { assert.ok(v >= -1 && v <= 1, "v >= -1 && v <= 1"); assert.ok(Object.is(v, -b2[k]!) || v === -b2[k]!, "Object.is(v, -b2[k]!) || v === -b2[k]!"); });
    }), RUNS);
  });
});

describe("scans: typed errors", () => {
  const api = builds[0]![1];
  const r = new Float32Array(8), V = new Float32Array(8), mask = new Uint8Array(8).fill(1);
  it("gamma or lam outside [0,1], NaN gamma", () => {
    assert.throws(() => api.gae({ tokenRewards: r, values: V, mask, width: 4, gamma: 1.01 }), (e: any) => e.code === "PARAM_OUT_OF_RANGE" && e.argument === "gamma");
    assert.throws(() => api.gae({ tokenRewards: r, values: V, mask, width: 4, lam: -0.1 }), (e: any) => e.code === "PARAM_OUT_OF_RANGE" && e.argument === "lam");
    assert.throws(() => api.discountedReturns({ tokenRewards: r, mask, width: 4, gamma: NaN }), (e: any) => e.code === "NON_FINITE" && e.argument === "gamma");
  });
  it("mask values other than 0/1, offsets not monotone, step ends outside their row or on a masked token", () => {
    const m = mask.slice(); m[5] = 3;
    assert.throws(() => api.gae({ tokenRewards: r, values: V, mask: m, width: 4 }), (e: any) => e.code === "MASK_NOT_BINARY" && e.index === 5);
    assert.throws(() => api.gae({ tokenRewards: r, values: V, offsets: Int32Array.from([0, 6, 4, 8]) }), (e: any) => e.code === "BAD_OFFSETS" && e.index === 2);
    assert.throws(() => api.minFormReturns({ stepValues: new Float32Array(2), stepOffsets: Int32Array.from([0, 1, 2]), stepEnds: Int32Array.from([1, 4]), mask, width: 4 }), (e: any) => e.code === "BAD_OFFSETS" && e.argument === "stepEnds" && e.index === 1);
    const m2 = mask.slice(); m2[1] = 0;
    assert.throws(() => api.minFormReturns({ stepValues: new Float32Array(2), stepOffsets: Int32Array.from([0, 1, 2]), stepEnds: Int32Array.from([1, 2]), mask: m2, width: 4 }), (e: any) => e.code === "DOMAIN" && e.argument === "stepEnds" && e.index === 0);
  });
  it("a batch with no valid token (or one, unbiased) cannot be whitened; NaN in a read position", () => {
    assert.throws(() => api.gae({ tokenRewards: r, values: V, mask: new Uint8Array(8), width: 4 }), (e: any) => e.code === "TOO_FEW_VALID");
    const one = new Uint8Array(8); one[3] = 1;
    assert.throws(() => api.reinforcePP({ tokenRewards: r, mask: one, width: 4 }), (e: any) => e.code === "TOO_FEW_VALID");
    assert.throws(() => api.maskedWhiten({ values: r, mask: new Uint8Array(8), width: 4, whitenVariance: "biased" }), (e: any) => e.code === "TOO_FEW_VALID");
    const bad = V.slice(); bad[6] = NaN;
    assert.throws(() => api.gae({ tokenRewards: r, values: bad, mask, width: 4 }), (e: any) => e.code === "NON_FINITE" && e.argument === "values" && e.index === 6);
    const hole = mask.slice(); hole[6] = 0;
    assert.doesNotThrow(() => api.gae({ tokenRewards: r, values: bad, mask: hole, width: 4 }), "NaN at a masked position is never read");
  });
  it("a NaN or infinity at any valid position is NON_FINITE at the first one (tokenRewards before values), blocked rows and min-form steps included; the workspace poisons", () => {
    // The scans validate while computing (blocked rows flag, the tail and holes give indices):
    // every position of every path must still be found, with the index of the check-first form.
    const arb = fc.record({
      B: fc.integer({ min: 1, max: 4 }), T: fc.integer({ min: 1, max: 40 }), seed: fc.nat(),
      bad: fc.array(fc.record({ at: fc.nat(), values: fc.boolean(), v: fc.constantFrom(NaN, Infinity, -Infinity) }), { minLength: 1, maxLength: 3 }),
      holes: fc.boolean(), build: fc.constantFrom(0, 1),
    });
    fc.assert(fc.property(arb, ({ B, T, seed, bad, holes, build }) => {
      const api = builds[build]![1], N = B * T;
      let x = seed;
      const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
      const r = Float32Array.from({ length: N }, () => Math.fround(rnd() - 0.5)), V = Float32Array.from({ length: N }, () => Math.fround(rnd()));
      const mask = new Uint8Array(N);
      for (let i = 0; i < B; i++) { const L = Math.floor(rnd() * (T + 1)); for (let t = 0; t < L; t++) mask[i * T + t] = holes && t > 0 && rnd() < 0.2 ? 0 : 1; }
      for (const b of bad) (b.values ? V : r)[b.at % N] = b.v;
      const first = (a: Float32Array) => { for (let k = 0; k < N; k++) if (mask[k] && !Number.isFinite(a[k]!)) return k; return -1; };
      const fr = first(r), fv = first(V);
      const want = fr >= 0 ? `NON_FINITE tokenRewards ${fr}` : fv >= 0 ? `NON_FINITE values ${fv}` : "ok";
      const wantR = fr >= 0 ? `NON_FINITE tokenRewards ${fr}` : "ok";
      const outcome = (f: () => unknown) => { try { f(); return "ok"; } catch (e: any) { return e.code === "TOO_FEW_VALID" ? "ok" : `${e.code} ${e.argument} ${e.index}`; } };
      assert.equal(outcome(() => api.gae({ tokenRewards: r, values: V, mask, width: T })), want, "gae");
      assert.equal(outcome(() => api.gae({ tokenRewards: r, values: V, mask, width: T, whiten: false })), want, "gae, no whitening");
      assert.equal(outcome(() => api.reinforcePP({ tokenRewards: r, mask, width: T })), wantR, "reinforcePP");
      assert.equal(outcome(() => api.discountedReturns({ tokenRewards: r, mask, width: T })), wantR, "discountedReturns");
      assert.equal(outcome(() => api.minFormReturns({ mode: "verlCompat", tokenRewards: r, mask, width: T })), wantR, "min-form (verlCompat)");
      const ws = api.createWorkspace({ rows: B, width: T, extraViews: ["tokenRewards", "values", "returns"] });
      ws.tokenRewards.set(r); ws.values.set(V); ws.mask.set(mask);
      assert.equal(outcome(() => ws.gae({ whiten: false })), want, "ws.gae");
      if (want !== "ok") assert.ok(ws.advantages.every(Number.isNaN) && ws.returns.every(Number.isNaN), "ws.gae poisons both outputs");
      assert.equal(outcome(() => ws.minFormReturns({ mode: "verlCompat" })), wantR, "ws.minFormReturns");
      if (wantR !== "ok") assert.ok(ws.returns.every(Number.isNaN), "ws.minFormReturns poisons its output");
      ws.dispose();
    }), RUNS);
  });
  it("RESULT_OVERFLOW names the first overflowing position in row order, when several positions and rows overflow (GAE, returns, REINFORCE++, ReMax, OpenRLHF outcome)", () => {
    // gamma = lam = 1 and V = 0: every advantage and return is the suffix sum of its row's valid
    // rewards, so a position overflows exactly when its suffix holds two of the 2e38 rewards.
    const arb = fc.record({
      B: fc.integer({ min: 2, max: 6 }), T: fc.integer({ min: 1, max: 40 }), seed: fc.nat(),
      big: fc.array(fc.nat(), { minLength: 2, maxLength: 8 }), build: fc.constantFrom(0, 1), lengths: fc.boolean(),
    });
    fc.assert(fc.property(arb, ({ B, T, seed, big, build, lengths }) => {
      const api = builds[build]![1], N = B * T;
      let x = seed;
      const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
      const L = Array.from({ length: B }, () => Math.floor(rnd() * (T + 1)));
      const mask = new Uint8Array(N), r = new Float32Array(N);
      for (let i = 0; i < B; i++) mask.fill(1, i * T, i * T + L[i]!);
      for (const b of big) r[b % N] = 2e38;
      let want = "ok";
      for (let k = 0; k < N && want === "ok"; k++) {
        const i = Math.floor(k / T);
        if (!mask[k]) continue;
        let n = 0;
        for (let t = k; t < i * T + L[i]!; t++) if (r[t] !== 0) n++;
        if (n >= 2) want = `RESULT_OVERFLOW ${k}`;
      }
      // (reinforcePP whitens: fewer than two valid tokens, which cannot overflow, is TOO_FEW_VALID)
      const outcome = (f: () => unknown) => { try { f(); return "ok"; } catch (e: any) { return e.code === "TOO_FEW_VALID" ? "ok" : `${e.code} ${e.index}`; } };
      const ws = api.createWorkspace({ rows: B, width: T, extraViews: ["tokenRewards", "values", "returns"], ...(lengths ? { valid: "lengths" as const } : {}) });
      ws.tokenRewards.set(r);
      if (lengths) ws.lengths.set(L); else ws.mask.set(mask);
      assert.equal(outcome(() => ws.gae({ gamma: 1, lam: 1, whiten: false })), want, "ws.gae");
      assert.equal(outcome(() => ws.discountedReturns({ gamma: 1 })), want, "ws.discountedReturns");
      assert.equal(outcome(() => ws.reinforcePP({ gamma: 1 })), want, "ws.reinforcePP");
      assert.equal(outcome(() => api.gae({ tokenRewards: r, values: new Float32Array(N), mask, width: T, gamma: 1, lam: 1, whiten: false })), want, "gae (copy API)");
      // ReMax's and OpenRLHF's outcome returns are reverse passes too (rows first to last).
      assert.equal(outcome(() => api.remax({ tokenRewards: r, mask, width: T, baselines: new Float32Array(B) })), want, "remax");
      assert.equal(outcome(() => api.openrlhfOutcome({ rewards: new Float32Array(B), kl: r, actionMask: mask, width: T, estimator: "reinforce", klCoef: 1, gamma: 1 })), want, "openrlhfOutcome");
      ws.dispose();
    }), RUNS);
  });
  it("pinned: NaN inside the blocked part of a row of 25 (lengths), found with one thread (the flag was read as success)", () => {
    for (const [build, api] of builds) {
      const ws = api.createWorkspace({ rows: 9, width: 37, valid: "lengths", extraViews: ["tokenRewards", "values", "returns"] });
      ws.lengths.set([25, 0, 0, 0, 3, 0, 0, 0, 0]);
      ws.tokenRewards.fill(NaN, 0, 2); ws.tokenRewards.fill(NaN, 146, 149);
      assert.throws(() => ws.gae({ gamma: 0, lam: 0 }), (e: any) => e.code === "NON_FINITE" && e.index === 0, build);
      ws.dispose();
    }
  });
  it("a failed call leaves the outputs untouched (parameters) or all NaN (inputs, validated while computing) (workspace)", () => {
    const ws = api.createWorkspace({ rows: 2, width: 4, extraViews: ["tokenRewards", "values", "returns"] });
    ws.mask.fill(1); ws.values[6] = NaN; ws.advantages.fill(7); ws.returns.fill(7);
    assert.throws(() => ws.gae(), (e: any) => e.code === "NON_FINITE" && e.argument === "values" && e.index === 6);
    assert.ok(ws.advantages.every(Number.isNaN) && ws.returns.every(Number.isNaN), "both outputs poisoned");
    ws.values[6] = 0; ws.tokenRewards.fill(3e38, 0, 3);
    assert.throws(() => ws.reinforcePP({ gamma: 1 }), (e: any) => e.code === "RESULT_OVERFLOW" && e.argument === "tokenRewards");
    assert.ok(ws.advantages.every(Number.isNaN) && ws.returns.every(Number.isNaN), "reinforcePP's outputs poisoned");
    ws.tokenRewards.fill(0); ws.advantages.fill(7); ws.returns.fill(7);
    assert.throws(() => ws.gae({ gamma: 2 }), /PARAM_OUT_OF_RANGE/);
    assert.ok(ws.advantages.every((v) => v === 7), "ws.advantages.every((v) => v === 7)");
    ws.dispose();
  });
});

describe("the scans' whitening map in f32", () => {
  it("a scale past the f32 range (whitenEps 0, std ~2e-39 around a normal mean) takes the f64 map: finite, the oracle's values", () => {
    // f32(rstd) would be Infinity: (x - mu32) * inf is +-inf, and NaN where x == mu32.
    const T = 6, r = Float32Array.from({ length: T }, (_, k) => 1.2e-38 + k * 1e-39), mask = new Uint8Array(T).fill(1);
    const want = ref.discountedReturns(r, mask, 1, T, 0, "carry");
    const w = ref.maskedWhiten(want.returns, mask, { whitenVariance: "unbiased", whitenEps: 0, whitenEpsMode: "add" });
    assert.ok(w.rstd > 3.5e38 && Math.abs(w.mean) >= 2 ** -126, `rstd ${w.rstd} is past the f32 range, mean ${w.mean} a normal f32`);
    for (const [build, api] of builds) {
      const got = api.reinforcePP({ tokenRewards: r, mask, width: T, gamma: 0, whitenEps: 0 }).advantages;
      for (let k = 0; k < T; k++) assert.ok(Math.abs(got[k]! - w.out[k]!) <= tolOracle(Math.fround(w.out[k]!), w.kappa, w.count, w.sens), `${build}[${k}] ${got[k]} vs ${w.out[k]}`);
    }
  });
});
