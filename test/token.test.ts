// Token-level kernels: loss aggregation, KL estimators, KL in the reward, the KL controller.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { builds, RUNS, assertBitwise, toPacked, pack, U32, U64 } from "./helpers.js";
import * as refToken from "../src/reference/token.js";

for (const [build, api] of builds) {
  describe(`aggLoss (${build})`, () => {
    const loss = Float32Array.from([1, 2, 3, 4, 5, 6, 0, 0]), mask = Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 0]);
    it("spec example: token-mean 3.5, seq-mean-token-sum 10.5, seq-mean-token-mean 4, -norm 2.625", () => {
      assert.equal(api.aggLoss({ loss: loss, mask, width: 4, lossAggMode: "token-mean" }), 3.5);
      assert.equal(api.aggLoss({ loss: loss, mask, width: 4, lossAggMode: "seq-mean-token-sum" }), 10.5);
      assert.equal(api.aggLoss({ loss: loss, mask, width: 4, lossAggMode: "seq-mean-token-mean" }), 4);
      assert.equal(api.aggLoss({ loss: loss, mask, width: 4, lossAggMode: "seq-mean-token-sum-norm" }), 2.625);
    });
    it("properties: constant loss, norm = sum / factor, linear in dpSize, 0 when nothing aggregates, packed = padded", () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), fc.nat(), fc.float({ noNaN: true, min: -5, max: 5 }), (B, T, seed, c) => {
        const m = Uint8Array.from({ length: B * T }, (_, k) => (((k * 7 + seed) % 5) < 3 ? 1 : 0));
        const l = new Float32Array(B * T).fill(c);
        const anyValid = m.some((v) => v === 1);
        const tm = api.aggLoss({ loss: l, mask: m, width: T, lossAggMode: "token-mean" });
        // Exact: n equal f32 values sum exactly in f64 (n < 2^29) and the division by n is correctly
        // rounded, so the token mean of a constant loss is the constant itself.
        assert.ok(anyValid ? tm === Math.fround(c) : tm === 0, `token-mean of the constant ${c} is ${tm}`);
        const s = api.aggLoss({ loss: l, mask: m, width: T, lossAggMode: "seq-mean-token-sum" });
        assert.equal(api.aggLoss({ loss: l, mask: m, width: T, lossAggMode: "seq-mean-token-sum-norm" }), s / T);
        assert.equal(api.aggLoss({ loss: l, mask: m, width: T, lossAggMode: "token-sum", dpSize: 3 }), 3 * api.aggLoss({ loss: l, mask: m, width: T, lossAggMode: "token-sum" }));
        const p = toPacked(m, B, T, (_i, last) => last + 1);
        assert.equal(api.aggLoss({ loss: pack(l, T, p), mask: pack(m, T, p), offsets: p.offsets, lossAggMode: "seq-mean-token-mean" }), api.aggLoss({ loss: l, mask: m, width: T, lossAggMode: "seq-mean-token-mean" }));
      }), RUNS);
      assert.equal(api.aggLoss({ loss: new Float32Array(4), mask: new Uint8Array(4), width: 2, lossAggMode: "token-mean" }), 0);
    });
    it("errors: unknown mode, dpSize > 1 without the global count, packed -norm without a factor", () => {
      assert.throws(() => api.aggLoss({ loss: loss, mask, width: 4, lossAggMode: "mean" as any }), /UNKNOWN_OPTION: lossAggMode/);
      assert.throws(() => api.aggLoss({ loss: loss, mask, width: 4, dpSize: 2 }), /PARAM_OUT_OF_RANGE: batchNumTokens/);
      assert.throws(() => api.aggLoss({ loss: loss, mask, offsets: Int32Array.from([0, 4, 8]), lossAggMode: "seq-mean-token-sum-norm" }), /PARAM_OUT_OF_RANGE: lossScaleFactor/);
    });
  });

  describe(`placeScores (${build})`, () => {
    it("rowScores(valid) of the placed scores equals the scores bitwise; exactly one non-zero per row, at last_i; skip leaves empty rows at 0", () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 20 }), fc.nat(), fc.boolean(), (B, T, seed, prefix) => {
        const mask = Uint8Array.from({ length: B * T }, (_, k) => (((k * 13 + seed) % 7) < 4 ? 1 : 0));
        // prefix: each row's ones moved to its front (the kernel then reads the mask scan's lengths)
        if (prefix) for (let i = 0; i < B; i++) { const row = mask.subarray(i * T, i * T + T), n = row.reduce((a, b) => a + b, 0); row.fill(1, 0, n).fill(0, n); }
        const scores = Float32Array.from({ length: B }, (_, i) => ((i + seed) % 5) - 2.25);
        const empty = Array.from({ length: B }, (_, i) => mask.subarray(i * T, i * T + T).every((v) => v === 0));
        if (empty.some(Boolean)) {
          assert.throws(() => api.placeScores({ scores, mask, width: T }), (e: any) => e.code === "EMPTY_ROW" && e.index === empty.indexOf(true));
        }
        const r = api.placeScores({ scores, mask, width: T, emptyRow: "skip" });
        assert.equal(r.diagnostics.skippedRows, empty.filter(Boolean).length);
        const back = api.rowScores({ tokenRewards: r.tokenScores, mask, width: T, rowScore: "valid" });
        for (let i = 0; i < B; i++) {
          if (empty[i]) { assert.ok(r.tokenScores.subarray(i * T, i * T + T).every((v) => Object.is(v, 0)), "r.tokenScores.subarray(i * T, i * T + T).every((v) => Object.is(v, 0))"); continue; }
          assert.ok(Object.is(back[i], scores[i]! + 0), "Object.is(back[i], scores[i]! + 0)");
          let last = -1;
          for (let t = 0; t < T; t++) if (mask[i * T + t]) last = t;
          for (let t = 0; t < T; t++) assert.ok(t === last ? r.tokenScores[i * T + t] === scores[i] : Object.is(r.tokenScores[i * T + t], 0), "t === last ? r.tokenScores[i * T + t] === scores[i] : Object.is(r.tokenScores[i * T + t...");
        }
        const p = toPacked(mask, B, T, (_i, last) => last + 1);
        assertBitwise(api.placeScores({ scores, mask: pack(mask, T, p), offsets: p.offsets, emptyRow: "skip" }).tokenScores, pack(r.tokenScores, T, p), "packed");
      }), RUNS);
    });
    it("explicit positions: outside the row is BAD_OFFSETS, on a masked token is DOMAIN", () => {
      const mask = Uint8Array.from([1, 1, 0, 0, 1, 1, 1, 0]);
      assert.deepEqual(Array.from(api.placeScores({ scores: Float32Array.from([5, 7]), mask, width: 4, scorePlacement: "explicit", positions: Int32Array.from([0, 2]) }).tokenScores), [5, 0, 0, 0, 0, 0, 7, 0]);
      assert.throws(() => api.placeScores({ scores: Float32Array.from([5, 7]), mask, width: 4, scorePlacement: "explicit", positions: Int32Array.from([0, 4]) }), (e: any) => e.code === "BAD_OFFSETS" && e.index === 1);
      assert.throws(() => api.placeScores({ scores: Float32Array.from([5, 7]), mask, width: 4, scorePlacement: "explicit", positions: Int32Array.from([2, 0]) }), (e: any) => e.code === "DOMAIN" && e.index === 0);
    });
  });

  describe(`KL (${build})`, () => {
    it("spec examples: verl k1/k3 and OpenRLHF k1/k2 clamps", () => {
      const logp = Float32Array.from([-1, -2, -30, -0.1]), ref = Float32Array.from([-1.5, -1, -0.5, -40]);
      assert.deepEqual(Array.from(api.klPenalty({ logp, refLogp: ref, klEstimator: "k1", klClamp: "verl" })), [0.5, -1, -29.5, Math.fround(39.9)]);
      const k3 = api.klPenalty({ logp, refLogp: ref, klEstimator: "low_var_kl", klClamp: "verl" });
      // Against the f64 oracle: within 2u|y| here (the f32 core is within a few ulps everywhere,
      // kl.properties.test.ts holds it to the derived bound). Against the printed spec values:
      // within half a unit of their last printed digit (7 decimals).
      [0.1065307, 0.7182818, 10, 10].forEach((w, i) => {
        const want = refToken.klValue(logp[i]! - ref[i]!, "k3", "verl");
        assert.ok(Math.abs(k3[i]! - Math.fround(want)) <= 2 * 2 ** -24 * Math.abs(want), `${k3[i]} vs oracle ${want}`);
        const halfLastDigit = 0.5 * 10 ** -7; // the spec prints 7 decimals
        assert.ok(Math.abs(k3[i]! - w) <= halfLastDigit, `${k3[i]} vs printed ${w}`);
      });
      assert.deepEqual(Array.from(api.klPenalty({ logp, refLogp: ref, klEstimator: "k1", klClamp: "all10" })), [0.5, -1, -10, 10]);
      assert.deepEqual(Array.from(api.klPenalty({ logp, refLogp: ref, klEstimator: "k2", klClamp: "all10" })), [0.125, 0.5, 10, 10]);
    });
    it("properties: k1 antisymmetric; k2, k3, abs >= 0; k3 = 0 iff x = 0; '+' equals the base bitwise; all10 within [-10, 10]", () => {
      fc.assert(fc.property(fc.array(fc.tuple(fc.float({ noNaN: true, min: -60, max: 0 }), fc.float({ noNaN: true, min: -60, max: 0 })), { minLength: 1, maxLength: 40 }), (pairs) => {
        const a = Float32Array.from(pairs.map((p) => p[0])), b = Float32Array.from(pairs.map((p) => p[1]));
        const k1 = api.klPenalty({ logp: a, refLogp: b, klEstimator: "k1", klClamp: "none" }), k1r = api.klPenalty({ logp: b, refLogp: a, klEstimator: "k1", klClamp: "none" });
        k1.forEach((v, i) => assert.ok(Object.is(v, -k1r[i]! + 0) || v === -k1r[i]!, "Object.is(v, -k1r[i]! + 0) || v === -k1r[i]!"));
        for (const est of ["k2", "k3", "abs"] as const) for (const c of ["verl", "all10"] as const) {
          const v = api.klPenalty({ logp: a, refLogp: b, klEstimator: est, klClamp: c });
          v.forEach((x, i) => { assert.ok(x >= 0, `${est} ${x}`); if (c === "all10") assert.ok(x <= 10, "x <= 10"); if (est === "k3" && a[i] === b[i]) assert.equal(x, 0); });
          assertBitwise(api.klPenalty({ logp: a, refLogp: b, klEstimator: `${est}+`, klClamp: c }), v, `${est}+`);
        }
      }), RUNS);
      const tiny = api.klPenalty({ logp: Float32Array.from([1e-8]), refLogp: Float32Array.from([0]), klEstimator: "k3", klClamp: "none" });
      // k3(x) = x^2/2 + O(x^3): at x = fl32(1e-8) the series gives it to f64 precision, so the one
      // f32 rounding (u|y|) is all that separates the kernel from x^2/2 - x^3/6.
      const x = Math.fround(1e-8), k3Tiny = (x * x) / 2 - (x * x * x) / 6;
      assert.ok(Math.abs(tiny[0]! - Math.fround(k3Tiny)) <= 2 ** -24 * k3Tiny, "no cancellation for tiny log-ratios");
    });
    it("errors: -Infinity and NaN log-probs name the argument and index; unknown estimator", () => {
      const a = Float32Array.from([-1, -Infinity, -2]), b = new Float32Array(3);
      assert.throws(() => api.klPenalty({ logp: a, refLogp: b }), (e: any) => e.code === "NON_FINITE" && e.argument === "logp" && e.index === 1);
      assert.throws(() => api.klPenalty({ logp: b, refLogp: Float32Array.from([0, 0, NaN]) }), (e: any) => e.code === "NON_FINITE" && e.argument === "refLogp" && e.index === 2);
      assert.throws(() => api.klPenalty({ logp: b, refLogp: b, klEstimator: "full" as never }), /UNKNOWN_OPTION: klEstimator/);
      assert.throws(() => api.klPenalty({ logp: Float32Array.from([-200]), refLogp: Float32Array.from([0]), klEstimator: "k3", klClamp: "none" }), /RESULT_OVERFLOW/);
      // the first valid overflow is named (a masked one before it is not read)
      assert.throws(() => api.klPenalty({ logp: Float32Array.from([0, -200, 0, 0, 0, -200]), refLogp: new Float32Array(6), mask: Uint8Array.from([1, 0, 1, 1, 1, 1]), width: 6, klEstimator: "k3", klClamp: "none" }),
        (e: any) => e.code === "RESULT_OVERFLOW" && e.argument === "logp" && e.index === 5);
    });
    it("klInReward (verl): rewards + beta*kl = scores on valid positions; currentKl is the mean of row means", () => {
      const scores = Float32Array.from([0, 0, 1, 0, 0, 2, 0, 0]), mask = Uint8Array.from([1, 1, 1, 0, 1, 1, 0, 0]);
      const logp = Float32Array.from([-1, -2, -1, -1, -0.5, -0.2, 0, 0]), ref = Float32Array.from([-1.5, -1, -1, -1, -1, -0.1, 0, 0]);
      const r = api.klInReward({ mode: "verl", tokenScores: scores, logp: logp, refLogp: ref, mask, width: 4, klCoef: 0.1, klEstimator: "k1" });
      // rewards = fl32(s - beta*kl) and kl = fl32(kl): each rounded once, so
      // |rewards + beta*kl_out - s| <= u|rewards| + beta*u|kl_out| (plus f64 slack in this check).
      const u = 2 ** -24, U = 2 ** -53;
      for (let k = 0; k < 8; k++) {
        if (!mask[k]) { assert.ok(Object.is(r.tokenRewards[k], 0), "Object.is(r.tokenRewards[k], 0)"); continue; }
        const err = Math.abs(r.tokenRewards[k]! + 0.1 * r.kl![k]! - scores[k]!);
        assert.ok(err <= u * (Math.abs(r.tokenRewards[k]!) + 0.1 * Math.abs(r.kl![k]!)) + 4 * U * (Math.abs(scores[k]!) + 1), `[${k}] ${err}`);
      }
      // currentKl in f64 from the f32 inputs (k1 = logp - ref per valid token): only the order of
      // the f64 sums can differ, 2nU times the sum of magnitudes.
      let want = 0, mag = 0;
      for (let i = 0; i < 2; i++) {
        let sum = 0, sAbs = 0, n = 0;
        for (let t = 0; t < 4; t++) if (mask[i * 4 + t]) { const d = logp[i * 4 + t]! - ref[i * 4 + t]!; sum += d; sAbs += Math.abs(d); n++; }
        want += sum / n / 2; mag += sAbs / n / 2;
      }
      assert.ok(Math.abs(r.currentKl! - want) <= 2 * 8 * U * mag, `currentKl ${r.currentKl} vs ${want}`);
      const ctl = new api.KlController({ type: "adaptive", value: 0.1, target: 0.05, horizon: 10 });
      assert.equal(ctl.update(0.5, 2), 0.1 * (1 + (0.2 * 2) / 10), "error clamped at +0.2 (the same f64 operations)");
      assert.equal(new api.KlController({ value: 0.3 }).update(9, 100), 0.3, "fixed never changes");
    });
  });
}

// aggLoss, placeScores and rerank against the f64 oracle (src/reference/token.ts) on random
// non-dyadic inputs, at the tolerance each kernel's arithmetic gives (docs/numerics.md).
describe("aggLoss, placeScores, rerank vs the f64 oracle", () => {
  const MODES = ["token-mean", "token-sum", "seq-mean-token-sum", "seq-mean-token-mean", "seq-mean-token-sum-norm"] as const;
  const lossBatch = fc.record({ B: fc.integer({ min: 1, max: 8 }), T: fc.integer({ min: 1, max: 40 }) }).chain(({ B, T }) => fc.record({
    B: fc.constant(B), T: fc.constant(T),
    loss: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e4), max: Math.fround(1e4) }), { minLength: B * T, maxLength: B * T }),
    mask: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: B * T, maxLength: B * T }),
    mode: fc.constantFrom(...MODES), dp: fc.integer({ min: 1, max: 4 }),
  }));

  it("aggLoss of non-constant losses: every mode within 2(T + B + 2) U64 of the aggregation of |loss|", () => {
    fc.assert(fc.property(lossBatch, ({ B, T, loss, mask, mode, dp }) => {
      const l = Float32Array.from(loss), m = Uint8Array.from(mask, (v) => (v ? 1 : 0));
      const n = m.reduce((a, b) => a + b, 0);
      const o = { lossAggMode: mode, dpSize: dp, batchNumTokens: dp > 1 ? Math.max(n, 1) * dp : null, globalBatchSize: dp > 1 ? B * dp : null };
      const want = refToken.aggLoss(l, m, B, T, o);
      // The kernel sums each row in f64 (at most T terms), then the row sums and means in f64 (B
      // terms), then at most three multiplications and divisions: each adds one f64 rounding of a
      // value bounded by the same aggregation of |loss|.
      const S = refToken.aggLoss(Float64Array.from(l, Math.abs), m, B, T, o);
      const tol = 2 * (T + B + 3) * U64 * S;
      for (const [build, api] of builds) {
        const got = api.aggLoss({ loss: l, mask: m, width: T, ...o });
        assert.ok(Math.abs(got - want) <= tol, `${build} ${mode}: ${got} vs ${want} (tol ${tol})`);
      }
    }), RUNS);
  });

  it("placeScores equals the oracle bitwise (no arithmetic: a copy of each score to its row's last valid token)", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 30 }), fc.nat(), (B, T, seed) => {
      const mask = Uint8Array.from({ length: B * T }, (_, k) => (((k * 11 + seed) % 5) < 3 ? 1 : 0));
      for (let i = 0; i < B; i++) mask[i * T] = 1; // no empty row
      const scores = Float32Array.from({ length: B }, (_, i) => Math.fround(Math.sin(i + seed) * 3.7));
      const want = Float32Array.from(refToken.placeScores(scores, mask, B, T), (v) => v + 0);
      for (const [build, api] of builds) assertBitwise(api.placeScores({ scores, mask, width: T }).tokenScores, want, `placeScores ${build}`);
    }), RUNS);
  });

  it("rerank checks the scores it combines: the first NaN or infinity of a candidate that counts is NON_FINITE at its index (copy API and workspace, with and without valid)", () => {
    const P = 3, N = 5, K = 3;
    for (const at of [0, 7, 22, 44]) for (const bad of [NaN, Infinity, -Infinity]) for (const withValid of [false, true]) {
      const scores = Float32Array.from({ length: P * N * K }, (_, q) => Math.fround(Math.sin(q)));
      scores[at] = bad;
      const valid = withValid ? Uint8Array.from({ length: P * N }, (_, j) => (j === Math.floor(at / K) ? 1 : j % 2)) : undefined;
      for (const [build, api] of builds) {
        const ws = api.createWorkspace({ rows: P * N, candidates: N, rewardFunctions: K });
        ws.rewardsPerFunc.set(scores);
        const v = valid ? { valid } : {};
        assert.throws(() => api.rerank({ scores, candidates: N, heads: K, ...v }), (e: any) => e.code === "NON_FINITE" && e.index === at, `${build} copy at ${at}`);
        assert.throws(() => ws.rerank({ ...v }), (e: any) => e.code === "NON_FINITE" && e.argument === "rewardsPerFunc" && e.index === at, `${build} workspace at ${at}`);
        ws.dispose();
      }
    }
  });

  it("rerank's top k with many ties, excluded candidates and prompts beyond a multiple of four: the stable descending order, both builds, every k", () => {
    // Integer scores tie often; the SIMD build keeps k <= 4 in lanes, four prompts at a time.
    fc.assert(fc.property(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 3 }), fc.nat(), fc.boolean(), (P, N, K, seed, withValid) => {
      let x = seed || 1;
      const next = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 16);
      const scores = Float32Array.from({ length: P * N * K }, () => (next() % 5) - 2);
      const valid = Uint8Array.from({ length: P * N }, () => (next() % 4 ? 1 : 0));
      for (let k = 1; k <= Math.min(N, 6); k++) {
        const per = builds.map(([build, api]) => {
          const r = api.rerank({ scores, prompts: P, candidates: N, heads: K, weights: Array.from({ length: K }, (_, h) => 1 / (h + 1)), k, ...(withValid ? { valid } : {}) });
          for (let p = 0; p < P; p++) {
            const order = Array.from({ length: N }, (_, c) => c).filter((c) => !withValid || valid[p * N + c]).sort((a, b) => r.combined[p * N + b]! - r.combined[p * N + a]! || a - b);
            for (let q = 0; q < k; q++) {
              assert.equal(r.topIndices[p * k + q], q < order.length ? order[q] : -1, `${build} P ${P} N ${N} k ${k} prompt ${p} slot ${q}`);
              assert.ok(Object.is(r.topScores[p * k + q], q < order.length ? r.combined[p * N + order[q]!] : -Infinity), `${build} score, prompt ${p} slot ${q}`);
            }
          }
          return r;
        });
        assertBitwise(per[0]!.topScores, per[1]!.topScores, "builds' top scores");
        assert.deepEqual(per[0]!.topIndices, per[1]!.topIndices);
      }
    }), RUNS);
  });

  it("rerank: combined scores within one f32 rounding plus the f64 terms' error of the oracle; top-k is the stable order of the combined scores", () => {
    const arb = fc.record({ P: fc.integer({ min: 1, max: 4 }), N: fc.integer({ min: 1, max: 9 }), K: fc.integer({ min: 1, max: 3 }), M: fc.integer({ min: 1, max: 12 }) }).chain(({ P, N, K, M }) => fc.record({
      P: fc.constant(P), N: fc.constant(N), K: fc.constant(K), M: fc.constant(M),
      scores: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -50, max: 50 }), { minLength: P * N * K, maxLength: P * N * K }),
      refs: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -50, max: 50 }), { minLength: P * M * K, maxLength: P * M * K }),
      weights: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -3, max: 3 }), { minLength: K, maxLength: K }),
      valid: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: P * N, maxLength: P * N }),
      combine: fc.constantFrom("weightedSum", "logSigmoid", "par"), k: fc.integer({ min: 1, max: 9 }),
      sigmoidK: fc.constantFrom(1, 0.3, 4), maxRef: fc.integer({ min: 1, max: 12 }), allValid: fc.boolean(),
    }));
    fc.assert(fc.property(arb, (x) => {
      const scores = Float32Array.from(x.scores), refs = Float32Array.from(x.refs), valid = Uint8Array.from(x.valid, (v) => (x.allValid || v ? 1 : 0));
      const ref = refs.subarray(0, x.P * x.K), k = Math.min(x.k, x.N);
      // allValid: no valid argument at all (the kernels' path without a candidate mask).
      const o = { combine: x.combine, weights: x.weights, ...(x.allValid ? {} : { valid }), ref, refs, sigmoidK: x.sigmoidK, maxRef: x.maxRef };
      const want = refToken.rerankCombined(scores, x.P, x.N, x.K, o);
      // Terms per candidate: K heads, each a mean of up to maxRef sigmoids for par; every
      // transcendental term carries at most 4 f64 roundings (exp, add, log1p or divide, the weight).
      const terms = x.K * (x.combine === "par" ? Math.min(x.M, x.maxRef) : 1) + 4 * x.K;
      for (const [build, api] of builds) {
        const r = api.rerank({ scores, prompts: x.P, candidates: x.N, heads: x.K, ...o, k });
        r.combined.forEach((c, j) => {
          if (!valid[j]) { assert.equal(c, -Infinity); return; }
          const y = want.combined[j]!, tol = U32 * Math.abs(y) + 2 * terms * U64 * want.magnitude[j]! + 2 ** -149;
          assert.ok(Math.abs(c - y) <= tol, `${build} ${x.combine} [${j}]: ${c} vs ${y} (tol ${tol})`);
        });
        for (let p = 0; p < x.P; p++) {
          const order = Array.from({ length: x.N }, (_, c) => c).filter((c) => valid[p * x.N + c]).sort((a, b) => r.combined[p * x.N + b]! - r.combined[p * x.N + a]! || a - b);
          for (let q = 0; q < k; q++) assert.equal(r.topIndices[p * k + q], q < order.length ? order[q] : -1, `${build} prompt ${p} slot ${q}`);
        }
      }
    }), RUNS);
  });
});
