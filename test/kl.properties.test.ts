// klPenalty and klInReward (verl) against the f64 oracle on both builds, SIMD = scalar bitwise,
// packed = padded. k1, abs and k2 are evaluated in f64 from the f32 inputs, exactly as the oracle
// does, so they are the oracle rounded once to f32. k3's core runs in f32 (assembly/token/k3.ts),
// so k3 is held to the f32 element-wise bound of docs/numerics.md: 4u(|y| + kappa) with
// kappa = e^d + 1 + |d| + |d (e^d - 1)|, the magnitudes its formula combines.
import { describe, it } from "node:test";
import { readFileSync } from "node:fs";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as ref from "../src/reference/index.js";
import { assertBitwise, builds, logProbPairs, pack, RUNS, toPacked, U32, U64 } from "./helpers.js";

const ESTIMATORS = ["k1", "abs", "k2", "k3"] as const;
const CLAMPS = ["verl", "all10", "none"] as const;
const batch = fc.record({ B: fc.integer({ min: 1, max: 5 }), T: fc.integer({ min: 1, max: 24 }) }).chain(({ B, T }) =>
  fc.record({
    B: fc.constant(B), T: fc.constant(T), pairs: logProbPairs(B * T),
    scores: fc.array(fc.float({ noNaN: true, min: Math.fround(-5), max: Math.fround(5) }), { minLength: B * T, maxLength: B * T }),
    // 0/1 masks with holes and possibly empty rows
    mask: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: B * T, maxLength: B * T }),
    // prefix: every row's ones moved to its front (the kernels' no-mask path for prefix rows)
    prefix: fc.boolean(),
    est: fc.constantFrom(...ESTIMATORS), clamp: fc.constantFrom(...CLAMPS),
    beta: fc.float({ noNaN: true, min: Math.fround(-0.5), max: Math.fround(0.5) }),
  }).map((x) => {
    const mask = Uint8Array.from(x.mask, (m) => (m ? 1 : 0));
    if (x.prefix) for (let i = 0; i < B; i++) { const row = mask.subarray(i * T, i * T + T), n = row.reduce((a, b) => a + b, 0); row.fill(1, 0, n).fill(0, n); }
    return { ...x, lp: x.pairs.a, rp: x.pairs.b, scores: Float32Array.from(x.scores), mask };
  }));

// One f32 rounding of the f64 value (U32 |y|) for k1, abs and k2; the f32 element-wise bound for
// k3, with `terms` its kappa (kappaK3).
const tol = (y: number, est: string, terms: number) => (est === "k3" ? 4 * U32 * (Math.abs(y) + terms) : U32 * Math.abs(y)) + 2 ** -149;
/**
 * The token reward's bound, from its f32 map r = fl(s - fl(b32 * k32)) with b32 = fl(beta) and k32
 * the returned kl, off the oracle's f64 kl value v by at most klErr. With |e_i| <= u per rounding:
 * |beta v - fl(b32 k32)| <= |beta| klErr + (2u + u^2)|beta|(|v| + klErr) + 2^-150 (an underflowing
 * product), and the last rounding adds u|s - fl(b32 k32)| <= u(|r| + that). (The f64 fallback for
 * an extreme beta rounds once from exact or k3-core values: inside the same bound.)
 */
function tolReward(r: number, v: number, beta: number, klErr: number): number {
  const b = Math.abs(beta), carried = b * klErr + (2 * U32 + U32 * U32) * b * (Math.abs(v) + klErr) + 2 ** -150;
  return U32 * Math.abs(r) + (1 + U32) * carried + 2 ** -149;
}
/** The library's rule for the reward's f32 map: beta is 0 or a normal f32. */
const betaFitsF32 = (beta: number) => beta === 0 || (Math.abs(beta) >= 2 ** -126 && Math.abs(beta) <= 3.4028234663852886e38);
/** k3's kappa at x = logp - refLogp: d = -x (clamped to [-20, 20] under verl). */
function kappaK3(x: number, clamp: string): number {
  const d = clamp === "verl" ? Math.min(Math.max(-x, -20), 20) : -x, e = Math.exp(d);
  return e + 1 + Math.abs(d) + Math.abs(d * (e - 1));
}

describe("KL estimators and KL in the reward: oracle, both builds, both layouts", () => {
  it("klPenalty equals the f64 estimator rounded once; SIMD = scalar; packed = padded", () => {
    fc.assert(fc.property(batch, ({ B, T, lp, rp, mask, est, clamp }) => {
      const outs = builds.map(([, api]) => api.klPenalty({ logp: lp, refLogp: rp, mask, width: T, klEstimator: est, klClamp: clamp }));
      for (let k = 0; k < B * T; k++) {
        const y = mask[k] ? ref.klValue(lp[k]! - rp[k]!, est, clamp) : 0;
        assert.ok(Math.abs(outs[0]![k]! - y) <= tol(y, est, kappaK3(lp[k]! - rp[k]!, clamp)), `${est}/${clamp}[${k}] ${outs[0]![k]} vs ${y}`);
        if (est !== "k3") assert.ok(Object.is(outs[0]![k], Math.fround(y) + 0), `${est}/${clamp}[${k}] is the oracle rounded once`);
      }
      assertBitwise(outs[0]!, outs[1]!, "simd vs scalar");
      const p = toPacked(mask, B, T, (_i, last) => last + 1 + (last % 2 ? 1 : 0));
      assertBitwise(builds[0]![1].klPenalty({ logp: pack(lp, T, p), refLogp: pack(rp, T, p), mask: pack(mask, T, p), offsets: p.offsets, klEstimator: est, klClamp: clamp }), pack(outs[0]!, T, p), "packed");
    }), RUNS);
  });

  it("klInReward (verl): rewards, kl and currentKl match the oracle; SIMD = scalar; packed = padded", () => {
    fc.assert(fc.property(batch, ({ B, T, lp, rp, scores, mask, prefix, est, clamp, beta }) => {
      const args = { mode: "verl" as const, tokenScores: scores, logp: lp, refLogp: rp, klEstimator: est, klClamp: clamp, klCoef: beta };
      const want = ref.klInRewardVerl(scores, lp, rp, mask, B, T, est, clamp, beta);
      const outs = builds.map(([, api]) => api.klInReward({ ...args, mask, width: T }));
      let absMeans = 0;
      for (let i = 0; i < B; i++) {
        let s = 0, n = 0;
        for (let t = 0; t < T; t++) if (mask[i * T + t]) { s += Math.abs(want.kl[i * T + t]!); n++; }
        absMeans += n ? s / n : 0;
      }
      for (let k = 0; k < B * T; k++) {
        const r = want.rewards[k]!, v = want.kl[k]!;
        const kap = kappaK3(lp[k]! - rp[k]!, clamp);
        assert.ok(Math.abs(outs[0]!.kl![k]! - v) <= tol(v, est, kap), `kl[${k}] ${outs[0]!.kl![k]} vs ${v}`);
        const got = outs[0]!.tokenRewards[k]!, kl32 = outs[0]!.kl![k]!;
        if (mask[k]) {
          // Exactly the map the library documents: f32(score - f32(f32(beta) * kl32)) from the kl it
          // returns (verl's float32 arithmetic), or, for a beta outside the normal f32 range, the
          // f64 value of the KL (k3: its f32 core's value) in s - beta*kl, rounded once.
          const exact = betaFitsF32(beta) ? Math.fround(scores[k]! - Math.fround(Math.fround(beta) * kl32)) + 0
            : Math.fround(scores[k]! - beta * (est === "k3" ? kl32 : v)) + 0;
          assert.ok(Object.is(got, exact), `rewards[${k}] ${got} is not the documented map ${exact}`);
        }
        assert.ok(Math.abs(got - r) <= tolReward(r, v, beta, tol(v, est, kap)), `rewards[${k}] ${got} vs ${r}`);
        if (!mask[k]) assert.ok(Object.is(got, 0) && Object.is(kl32, 0), `masked [${k}] is +0`);
      }
      // f64 sums of at most T terms per row, then a mean over B rows, of the f32 kl values: each
      // off the oracle's f64 value by its own bound (tol above), averaged the same way.
      let klErr = 0;
      for (let i = 0; i < B; i++) {
        let s = 0, n = 0;
        for (let t = 0; t < T; t++) if (mask[i * T + t]) { s += tol(want.kl[i * T + t]!, est, kappaK3(lp[i * T + t]! - rp[i * T + t]!, clamp)); n++; }
        klErr += n ? s / n : 0;
      }
      const kTol = (T + B + 2) * U64 * absMeans / B + klErr / B;
      assert.ok(Math.abs(outs[0]!.currentKl! - want.currentKl) <= kTol, `currentKl ${outs[0]!.currentKl} vs ${want.currentKl}`);
      assertBitwise(outs[0]!.tokenRewards, outs[1]!.tokenRewards, "simd vs scalar rewards");
      assertBitwise(outs[0]!.kl!, outs[1]!.kl!, "simd vs scalar kl");
      assert.equal(outs[0]!.currentKl, outs[1]!.currentKl, "simd vs scalar currentKl (same lane-wise sum order)");
      const p = toPacked(mask, B, T, (_i, last) => last + 1);
      const packed = builds[0]![1].klInReward({ ...args, tokenScores: pack(scores, T, p), logp: pack(lp, T, p), refLogp: pack(rp, T, p), mask: pack(mask, T, p), offsets: p.offsets });
      assertBitwise(packed.tokenRewards, pack(outs[0]!.tokenRewards, T, p), "packed rewards");
      assert.equal(packed.currentKl, outs[0]!.currentKl, "packed currentKl");
      if (prefix) {
        const lengths = Int32Array.from({ length: B }, (_, i) => mask.subarray(i * T, i * T + T).reduce((a, b) => a + b, 0));
        const byLengths = builds[0]![1].klInReward({ ...args, lengths, width: T });
        assertBitwise(byLengths.tokenRewards, outs[0]!.tokenRewards, "lengths = prefix mask");
        assert.equal(byLengths.currentKl, outs[0]!.currentKl, "lengths currentKl");
      }
    }), RUNS);
  });
});

describe("k3 core (e^d - 1 - d in f32): both branches, their boundaries, both builds", () => {
  it("is within 4u(|y| + kappa) of expm1(d) - d (the oracle: a series near 0, Math.expm1 elsewhere) over d in [-60, 88]; near 0 within a few ulps relative", () => {
    // d = refLogp - logp with logp = 0 and klClamp "none": the core is evaluated on d itself.
    const ds: number[] = [0, 2 ** -149, -(2 ** -149), 1e-30, -1e-30, 1e-8, -1e-8, 0.1, -0.1];
    for (const b of [0.5, -0.5, 50, -50]) for (const k of [-2, -1, 0, 1, 2]) ds.push(b + k * 2 ** -20, b * (1 + k * 2 ** -23));
    for (let d = -60; d <= 88; d += 0.0137) ds.push(d);
    for (let e = -40; e <= 6; e += 0.25) ds.push(2 ** e, -(2 ** e));
    const refLogp = Float32Array.from(ds), logp = new Float32Array(ds.length);
    const outs = builds.map(([, api]) => api.klPenalty({ logp, refLogp, klEstimator: "k3", klClamp: "none" }));
    for (let i = 0; i < ds.length; i++) {
      const d = refLogp[i]!, want = ref.expm1MinusSelf(d), got = outs[0]![i]!;
      assert.ok(Math.abs(got - want) <= tol(want, "k3", kappaK3(-d, "none")), `d = ${d}: ${got} vs ${want}`);
      // Below |d| = 0.5 the series has no cancellation: its 9 f32 operations on terms no larger
      // than the result (alternating for d < 0, whose partial sums stay within 2|y|) give at most
      // 2 * 9u relative, plus the f32 rounding of d (relative 2u on d^2).
      if (Math.abs(d) < 0.5 && want > 2 ** -100) assert.ok(Math.abs(got - want) <= 21 * U32 * want, `d = ${d}: ${got} vs ${want} (relative)`);
    }
    assertBitwise(outs[0]!, outs[1]!, "simd vs scalar");
  });

  it("k3 in the fused KL-in-reward SIMD path equals the scalar build (4-token steps and tails)", () => {
    const n = 4 * 37 + 3, lp = new Float32Array(n), rp = Float32Array.from({ length: n }, (_, i) => (i % 29) * 0.71 - 9.5 + (i % 3) * 1e-6);
    const outs = builds.map(([, api]) => api.klInReward({ mode: "verl", tokenScores: new Float32Array(n).fill(1), logp: lp, refLogp: rp, klEstimator: "k3", klClamp: "verl", klCoef: 0.1 }));
    assertBitwise(outs[0]!.tokenRewards, outs[1]!.tokenRewards, "rewards");
    assertBitwise(outs[0]!.kl!, outs[1]!.kl!, "kl");
    for (let i = 0; i < n; i++) {
      const d = Math.min(Math.max(rp[i]!, -20), 20), w64 = Math.min(Math.max(ref.expm1MinusSelf(d), -10), 10);
      // The same derived bound as the property above: one rounding, plus k3's f64 error over the
      // terms it combines (e^d, 1, |d|).
      assert.ok(Math.abs(outs[0]!.kl![i]! - Math.fround(w64)) <= tol(w64, "k3", Math.exp(d) + 1 + Math.abs(d)), `[${i}] ${outs[0]!.kl![i]} vs ${w64}`);
    }
  });
});

describe("KL pinned counterexamples", () => {
  it("packed currentKl equals padded when a row's last valid tokens fall in the SIMD build's scalar tail", () => {
    // Shrunk by fast-check: the SIMD row sum once depended on where the row ended (4-token steps
    // vs the scalar tail). Tail tokens now add into their lane's accumulator.
    const B = 4, T = 12;
    const lp = Float32Array.from([0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,-1.3523578643798828,0,-0.0000016299891285598278,0,-10,0,0,0,-5.865206866191575e-13,0,0,-0.0001283682940993458,0,-6.832437515258789,0,0,0,0,0,0]);
    const rp = Float32Array.from([0,-8.545275688171387,-0.000001423907974640315,0,-10,0,-5.990053592030975e-11,0,0,0,0,0,0,-8.334933437881276e-11,0,-10,0,0,-0.008239615708589554,-4.3520745953437925e-14,0,0,0,0,-1.1181390015269077e-11,0,-2.098499152225486e-11,-1.0661257476840547e-7,0,0,0,0,0,0,0,-1.6866135155169104e-9,0,0,0,0,-7.288513325862112e-13,0,0,0,0,-9.960569381713867,0,0]);
    const mask = Uint8Array.from([0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,1,0,0,0,0,0,0,0,0,0,1,1,0,0,0,1,0,0]);
    const args = { mode: "verl" as const, klEstimator: "k1" as const, klClamp: "verl" as const, klCoef: 0 };
    const p = toPacked(mask, B, T, (_i, last) => last + 1);
    for (const [build, api] of builds) {
      const padded = api.klInReward({ ...args, tokenScores: new Float32Array(B * T), logp: lp, refLogp: rp, mask, width: T });
      const packed = api.klInReward({ ...args, tokenScores: new Float32Array(p.offsets[B]!), logp: pack(lp, T, p), refLogp: pack(rp, T, p), mask: pack(mask, T, p), offsets: p.offsets });
      assert.equal(packed.currentKl, padded.currentKl, build);
    }
  });

  it("a reward outside the f32 range inside a 4-token SIMD step names its flat index, not a masked neighbour's", () => {
    // Row 1, position 6 overflows (k1 = 5, beta = 1e38); position 5 would too but is masked.
    const B = 2, T = 9, lp = new Float32Array(B * T).fill(-1), rp = new Float32Array(B * T).fill(-1.001);
    const mask = new Uint8Array(B * T).fill(1);
    lp[T + 5] = 0; rp[T + 5] = -5; mask[T + 5] = 0;
    lp[T + 6] = 0; rp[T + 6] = -5;
    for (const [build, api] of builds) {
      assert.throws(() => api.klInReward({ mode: "verl", tokenScores: new Float32Array(B * T), logp: lp, refLogp: rp, mask, width: T, klEstimator: "k1", klClamp: "none", klCoef: 1e38 }),
        (e: any) => e.code === "RESULT_OVERFLOW" && e.argument === "logp" && e.index === T + 6, build);
    }
  });
});

describe("klInReward validates while it computes (not in place)", () => {
  it("a non-finite log-prob or score inside the SIMD blocks is NON_FINITE at its index (k3, k1, abs, k2), even where the clamps would hide it in the output", () => {
    const B = 3, T = 24, N = B * T;
    // Each SIMD path: k3 (verl clamps), k1 and abs (no value clamp), k2 and k1 under all10 (the
    // value clamp would turn an infinite log-prob into a finite 10).
    const paths = [["low_var_kl", "verl"], ["k1", "verl"], ["abs", "verl"], ["k2", "verl"], ["k2", "all10"], ["k1", "all10"]] as const;
    for (const [name, at, bad] of [["logp", 9, -Infinity], ["refLogp", 30, NaN], ["tokenScores", 50, Infinity], ["logp", 70, NaN]] as const) for (const [klEstimator, klClamp] of paths) {
      for (const [build, api] of builds) {
        const logp = Float32Array.from({ length: N }, (_, k) => -1 - (k % 7) * 0.1), refLogp = Float32Array.from({ length: N }, (_, k) => -1.2 - (k % 5) * 0.1);
        const tokenScores = new Float32Array(N), mask = new Uint8Array(N).fill(1);
        const inputs = { logp, refLogp, tokenScores };
        inputs[name][at] = bad;
        // k3 with verl's clamps maps -Infinity log-probs to a finite 10: only the input check sees them.
        assert.throws(() => api.klInReward({ mode: "verl", ...inputs, mask, width: T, klEstimator, klClamp, klCoef: 0.1 }),
          (e: any) => e.code === "NON_FINITE" && e.argument === name && e.index === at, `${build} ${klEstimator} ${klClamp} copy ${name}[${at}]`);
        const ws = api.createWorkspace({ rows: B, width: T, extraViews: ["tokenScores", "tokenRewards", "logp", "refLogp"] });
        ws.logp.set(logp); ws.refLogp.set(refLogp); ws.tokenScores.set(tokenScores); ws.mask.set(mask);
        assert.throws(() => ws.klInReward({ klEstimator, klClamp, klCoef: 0.1 }),
          (e: any) => e.code === "NON_FINITE" && e.argument === name && e.index === at, `${build} ${klEstimator} ${klClamp} workspace ${name}[${at}]`);
        assert.ok(ws.tokenRewards.every(Number.isNaN), "the output view is poisoned");
        ws.dispose();
      }
    }
  });
  it("pinned: finite log-probs whose difference overflows f32 are no error for the clamped k3 (both builds agree), RESULT_OVERFLOW for k1 and abs", () => {
    const B = 2, T = 12, N = B * T;
    const logp = Float32Array.from({ length: N }, (_, k) => (k === 5 ? -3e38 : k === 17 ? 3e38 : -1 - k * 0.01));
    const refLogp = Float32Array.from({ length: N }, (_, k) => (k === 5 ? 3e38 : k === 17 ? -3e38 : -1.1 - k * 0.01));
    const tokenScores = Float32Array.from({ length: N }, (_, k) => (k % T === T - 1 ? 1 : 0)), mask = new Uint8Array(N).fill(1);
    const got = builds.map(([, api]) => api.klInReward({ mode: "verl", logp, refLogp, tokenScores, mask, width: T, klEstimator: "low_var_kl", klClamp: "verl", klCoef: 0.1 }).tokenRewards);
    assertBitwise(got[0]!, got[1]!, "simd = scalar");
    // d = +-6e38 clamps to +-20, k3 to its clamp 10 (d = 20) or to e^-20 - 1 + 20 = 19 -> 10.
    assert.equal(got[0]![5], Math.fround(0 - 0.1 * 10));
    assert.equal(got[0]![17], Math.fround(0 - 0.1 * 10));
    // k1 and abs: the same difference is the KL value itself, outside the f32 range (and so is
    // the reward, the f32 map of it). The workspace has no output guard after the kernel: its kl
    // view must be flagged by the pass itself, and poisoned.
    for (const [build, api] of builds) for (const klEstimator of ["k1", "abs"] as const) {
      assert.throws(() => api.klInReward({ mode: "verl", logp, refLogp, tokenScores, mask, width: T, klEstimator, klCoef: 0.1 }),
        (e: any) => e.code === "RESULT_OVERFLOW" && e.index === 5, `${build} ${klEstimator}`);
      const ws = api.createWorkspace({ rows: B, width: T, extraViews: ["tokenScores", "tokenRewards", "logp", "refLogp", "kl"] });
      ws.logp.set(logp); ws.refLogp.set(refLogp); ws.tokenScores.set(tokenScores); ws.mask.set(mask);
      assert.throws(() => ws.klInReward({ klEstimator, klCoef: 0.1 }), (e: any) => e.code === "RESULT_OVERFLOW" && e.index === 5, `${build} ${klEstimator} workspace`);
      assert.ok(ws.kl.every(Number.isNaN) && ws.tokenRewards.every(Number.isNaN), "both outputs poisoned");
      ws.dispose();
    }
  });
});

describe("the token reward's f32 map (verl's float32 arithmetic)", () => {
  it("k1 and abs give verl's token_level_rewards bitwise on the golden cases, both builds", () => {
    const file = JSON.parse(readFileSync(new URL("./fixtures/golden/verl_kl_reward.json", import.meta.url), "utf8"));
    const f32 = (t: { data: (number | string)[] }) => Float32Array.from(t.data.map(Number));
    let compared = 0;
    for (const c of file.cases) {
      if (c.params.kl_penalty !== "kl" && c.params.kl_penalty !== "abs") continue;
      const T = c.inputs.token_level_scores.shape[1], mask = Uint8Array.from(c.inputs.response_mask.data.map(Number));
      const want = f32(c.outputs.token_level_rewards);
      for (const [build, api] of builds) {
        const got = api.klInReward({ mode: "verl", tokenScores: f32(c.inputs.token_level_scores), logp: f32(c.inputs.old_log_probs), refLogp: f32(c.inputs.ref_log_prob), mask, width: T, klEstimator: c.params.kl_penalty, klClamp: "verl", klCoef: c.params.kl_coef }).tokenRewards;
        for (let k = 0; k < mask.length; k++) if (mask[k]) { assert.ok(Object.is(got[k], want[k]), `${build} ${c.params.kl_penalty}[${k}] ${got[k]} vs verl's ${want[k]}`); compared++; }
      }
    }
    assert.ok(compared >= 400, `${compared} tokens compared`);
  });

  it("k1 on random batches is f32(s - f32(f32(beta) * f32(logp - refLogp))), both builds and layouts", () => {
    fc.assert(fc.property(batch, ({ B, T, lp, rp, scores, mask, beta }) => {
      fc.pre(betaFitsF32(beta));
      for (const [build, api] of builds) {
        const got = api.klInReward({ mode: "verl", tokenScores: scores, logp: lp, refLogp: rp, mask, width: T, klEstimator: "k1", klCoef: beta }).tokenRewards;
        for (let k = 0; k < B * T; k++) {
          const want = mask[k] ? Math.fround(scores[k]! - Math.fround(Math.fround(beta) * Math.fround(lp[k]! - rp[k]!))) + 0 : 0;
          assert.ok(Object.is(got[k], want), `${build}[${k}] ${got[k]} vs ${want}`);
        }
      }
    }), RUNS);
  });

  it("a workspace without a kl view (k1 and abs take an 8-token path there) gives the copy API's rewards and currentKl bitwise, with and without tokenScores", () => {
    fc.assert(fc.property(batch, fc.constantFrom("k1", "abs", "k2", "k3"), ({ B, T, lp, rp, scores, mask, clamp, beta }, est) => {
      const call = { klEstimator: est, klClamp: clamp, klCoef: beta };
      for (const [build, api] of builds) {
        const copy = api.klInReward({ mode: "verl", tokenScores: scores, logp: lp, refLogp: rp, mask, width: T, ...call });
        for (const views of [["tokenScores", "tokenRewards", "logp", "refLogp"], ["tokenRewards", "logp", "refLogp"]] as const) {
          const ws = api.createWorkspace({ rows: B, width: T, extraViews: [...views] });
          ws.mask.set(mask); ws.logp.set(lp); ws.refLogp.set(rp);
          if (views.length === 4) ws.tokenScores.set(scores); else ws.tokenRewards.set(scores);
          const got = ws.klInReward(call);
          assertBitwise(got.tokenRewards, copy.tokenRewards, `${build} ${views.length === 4 ? "tokenScores" : "in place"} rewards`);
          assert.ok(Object.is(got.currentKl, copy.currentKl), `${build} currentKl ${got.currentKl} vs ${copy.currentKl}`);
          ws.dispose();
        }
      }
    }), RUNS);
  });

  it("a klCoef that is not a normal f32 (or 0) takes the f64 map: no NaN from f32(beta) = inf times a zero KL", () => {
    const B = 2, T = 9, N = B * T, mask = new Uint8Array(N).fill(1);
    const lp = Float32Array.from({ length: N }, (_, k) => -1 - (k % 5) * 0.1), rp = Float32Array.from(lp);
    rp[3] = Math.fround(lp[3]! - 2 ** -20); // one small nonzero KL
    const scores = Float32Array.from({ length: N }, (_, k) => (k % T === T - 1 ? 0.75 : 0.1));
    for (const [build, api] of builds) for (const klCoef of [1e39, -1e39, 1e-40, 2 ** -140]) {
      const r = api.klInReward({ mode: "verl", tokenScores: scores, logp: lp, refLogp: rp, mask, width: T, klEstimator: "k1", klCoef });
      for (let k = 0; k < N; k++) {
        const want = Math.fround(scores[k]! - klCoef * (lp[k]! - rp[k]!)) + 0;
        assert.ok(Object.is(r.tokenRewards[k], want), `${build} beta ${klCoef} [${k}] ${r.tokenRewards[k]} vs ${want}`);
      }
    }
  });
});
