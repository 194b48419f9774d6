// The workspace forms of the kernels that joined it last (ws.primeImplicitReward,
// ws.primeAdvantage, ws.likelihoodReward, ws.softminStepRewards, ws.pureRlooBaseline) equal their
// copy-API calls bitwise on random batches, both builds, mask / lengths / packed layouts; errors
// name the view, and outputs are untouched or poisoned.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { assertBitwise, builds, RUNS } from "./helpers.js";

const f32 = (lim: number) => fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-lim), max: Math.fround(lim) });
const batch = fc.record({ B: fc.integer({ min: 2, max: 8 }), T: fc.integer({ min: 1, max: 24 }), layout: fc.constantFrom("mask", "lengths", "packed") }).chain(({ B, T, layout }) => fc.record({
  B: fc.constant(B), T: fc.constant(T), layout: fc.constant(layout),
  lens: fc.array(fc.integer({ min: 1, max: T }), { minLength: B, maxLength: B }),
  lp: fc.array(f32(8).map((x) => -Math.abs(x)), { minLength: B * T, maxLength: B * T }),
  rp: fc.array(f32(8).map((x) => -Math.abs(x)), { minLength: B * T, maxLength: B * T }),
  scores: fc.array(f32(2), { minLength: B, maxLength: B }),
  beta: fc.constantFrom(0.05, 0.5, 1), granularity: fc.constantFrom("token", "whole"), dropLastToken: fc.boolean(),
  source: fc.constantFrom("logp", "tokenRewards", "none"), outcome: fc.boolean(), whiten: fc.boolean(), batchNorm: fc.boolean(),
  mode: fc.constantFrom("sum", "prob", "avgProb", "mean"),
}));

describe("PRIME and likelihood rewards in the workspace equal the copy API bitwise", () => {
  for (const [build, api] of builds) it(build, () => {
    fc.assert(fc.property(batch, (x) => {
      if (x.source === "none" && !x.outcome) return;
      const { B, T } = x, n = B * T;
      const packed = x.layout === "packed";
      const ws = api.createWorkspace({ rows: B, ...(packed ? { tokens: n } : { width: T, valid: x.layout === "lengths" ? "lengths" as const : "mask" as const }), groupSize: 2 * Math.floor(B / 2) === B ? 2 : 1, extraViews: ["logp", "refLogp", "tokenRewards", "returns", "q"] });
      // The copy API's layout and the same tensors, dense (packed: offsets over the row lengths).
      const offsets = Int32Array.from({ length: B + 1 }, (_, i) => x.lens.slice(0, i).reduce((a, b) => a + b, 0));
      const N = packed ? offsets[B]! : n;
      const mask = new Uint8Array(N);
      for (let i = 0; i < B; i++) for (let t = 0; t < x.lens[i]!; t++) mask[(packed ? offsets[i]! : i * T) + t] = 1;
      const layout: Record<string, unknown> = packed ? { offsets, mask } : x.layout === "lengths" ? { lengths: Int32Array.from(x.lens), width: T } : { mask, width: T };
      const lp = Float32Array.from(x.lp.slice(0, N)), rp = Float32Array.from(x.rp.slice(0, N)), sc = Float32Array.from(x.scores);
      if (packed) ws.offsets.set(offsets); else if (x.layout === "lengths") ws.lengths.set(x.lens); else ws.mask.set(mask);
      if (packed) ws.mask.set(mask);
      ws.logp.set(lp); ws.refLogp.set(rp); ws.scores.set(sc);
      const groups = { groupSize: ws.plan.groupSize! };
      // primeImplicitReward
      const want = api.primeImplicitReward({ logpRm: lp, logpRef: rp, ...layout, beta: x.beta, granularity: x.granularity as never, dropLastToken: x.dropLastToken });
      const got = ws.primeImplicitReward({ beta: x.beta, granularity: x.granularity as never, dropLastToken: x.dropLastToken });
      assertBitwise(got.tokenRewards, want.processRewards, "implicit rewards");
      assertBitwise(got.q!, want.q, "implicit q");
      // primeAdvantage (the process rewards just written are the tokenRewards source)
      const src = x.source === "logp" ? { logpRm: lp, logpRef: rp } : x.source === "tokenRewards" ? { processRewards: want.processRewards } : {};
      const knobs = { beta: x.beta, granularity: x.granularity as never, whiten: x.whiten, batchNorm: x.batchNorm };
      let wantA: ReturnType<typeof api.primeAdvantage> | string, gotA: ReturnType<typeof ws.primeAdvantage> | string;
      try { wantA = api.primeAdvantage({ ...src, ...(x.outcome ? { outcome: sc } : {}), ...layout, ...groups, ...knobs }); } catch (e: any) { wantA = e.code; }
      try { gotA = ws.primeAdvantage({ source: x.source as never, outcome: x.outcome, ...knobs }); } catch (e: any) { gotA = e.code; }
      if (typeof wantA === "string") {
        assert.equal(gotA, wantA, "the same error");
        assert.ok(ws.advantages.every(Number.isNaN) || ws.advantages.every((v) => v === 0), "advantages untouched or poisoned");
      } else {
        assert.ok(typeof gotA !== "string", `workspace threw ${gotA}`);
        assertBitwise(gotA.advantages, wantA.advantages, "advantages");
        assertBitwise(gotA.returns, wantA.returns, "returns");
        assert.deepEqual(gotA.diagnostics, wantA.diagnostics, "diagnostics");
      }
      // likelihoodReward
      let wantL: Float32Array | string, gotL: Float32Array | string;
      try { wantL = api.likelihoodReward({ answerLogp: lp, ...layout, mode: x.mode as never }); } catch (e: any) { wantL = e.code; }
      try { gotL = ws.likelihoodReward({ mode: x.mode as never }).slice(); } catch (e: any) { gotL = e.code; }
      if (typeof wantL === "string") assert.equal(gotL, wantL, "likelihood error");
      else assertBitwise(gotL as Float32Array, wantL, "likelihood rewards");
      ws.dispose();
    }), RUNS);
  });

  for (const [build, api] of builds) it(`${build}: PURE's softmin (token form) and leave-one-out (return mode)`, () => {
    const arb = fc.record({ B: fc.integer({ min: 2, max: 6 }), T: fc.integer({ min: 1, max: 20 }), packed: fc.boolean(), seed: fc.nat(),
      temperature: fc.constantFrom(0.1, 1, 5), uniform: fc.boolean(), singleton: fc.constantFrom("raw", "zero") });
    fc.assert(fc.property(arb, ({ B, T, packed, seed, temperature, uniform, singleton }) => {
      let z = seed;
      const rnd = () => ((z = (z * 1103515245 + 12345) % 2147483648) / 2147483648);
      const lens = Array.from({ length: B }, () => Math.floor(rnd() * (T + 1)));
      const offsets = Int32Array.from({ length: B + 1 }, (_, i) => lens.slice(0, i).reduce((a, b) => a + b, 0));
      const N = packed ? offsets[B]! : B * T;
      const mask = new Uint8Array(N), ends = new Uint8Array(N), vals = new Float32Array(N), rets = new Float32Array(N);
      for (let i = 0; i < B; i++) for (let t = 0; t < (packed ? lens[i]! : T); t++) {
        const k = (packed ? offsets[i]! : i * T) + t;
        if (t < lens[i]!) { mask[k] = 1; ends[k] = rnd() < 0.3 || t === lens[i]! - 1 ? 1 : 0; }
        vals[k] = Math.fround(rnd() * 2 - 1); rets[k] = Math.fround(rnd() * 4 - 2);
      }
      const layout = packed ? { offsets } : { width: T };
      const ws = api.createWorkspace({ rows: B, ...(packed ? { tokens: Math.max(N, 1) } : { width: T }), groupSize: B % 2 ? 1 : 2, extraViews: ["values", "stepEndMask", "tokenRewards", "returns"] });
      if (packed) ws.offsets.set(offsets);
      ws.mask.set(mask); ws.stepEndMask.set(ends); ws.values.set(vals); ws.returns.set(rets);
      assertBitwise(ws.softminStepRewards({ temperature, uniform }), api.softminStepRewards({ tokenValues: vals, stepEndMask: ends, ...layout, temperature, uniform }), "softmin");
      const groups = { groupSize: B % 2 ? 1 : 2 }, pw = packed ? { paddedWidth: T } : {};
      assertBitwise(ws.pureRlooBaseline({ singleton: singleton as never, ...pw }), api.pureRlooBaseline({ mode: "return", returns: rets, mask, ...layout, ...groups, singleton: singleton as never, ...pw }), "leave-one-out");
      ws.dispose();
    }), RUNS);
  });

  it("pinned (fuzz suite): finite inputs whose implicit reward, return or leave-one-out shift leaves the f32 range are RESULT_OVERFLOW, not Infinity", () => {
    for (const [build, api] of builds) {
      const logpRm = Float32Array.from([-1, -20, -3, -4]), logpRef = Float32Array.from([-2, -1, -3, -4]), mask = new Uint8Array(4).fill(1);
      assert.throws(() => api.primeImplicitReward({ logpRm, logpRef, mask, width: 2, beta: 3e38 }), (e: any) => e.code === "RESULT_OVERFLOW" && e.argument === "logpRm" && e.index === 1, build);
      assert.throws(() => api.primeAdvantage({ outcome: Float32Array.from([3e38, 3e38]), mask, width: 2, groupSize: 1, singleton: "raw", batchNorm: false, coefOutcome: 3 }), (e: any) => e.code === "RESULT_OVERFLOW" && e.argument === "outcome", build);
      // PURE's return-mode leave-one-out: 3e38 minus a baseline of -3e38
      const rets = Float32Array.from([3e38, 0, -3e38, 0]);
      assert.throws(() => api.pureRlooBaseline({ mode: "return", returns: rets, mask, width: 2, groupSize: 2 }), (e: any) => e.code === "RESULT_OVERFLOW" && e.argument === "returns" && e.index === 0, build);
      const ws = api.createWorkspace({ rows: 2, width: 2, groupSize: 2, extraViews: ["logp", "refLogp", "tokenRewards", "returns"] });
      ws.mask.fill(1); ws.logp.set(logpRm); ws.refLogp.set(logpRef); ws.returns.set(rets);
      assert.throws(() => ws.pureRlooBaseline(), (e: any) => e.code === "RESULT_OVERFLOW" && e.argument === "returns", build);
      assert.ok(ws.advantages.every(Number.isNaN), "leave-one-out output poisoned");
      assert.throws(() => ws.primeImplicitReward({ beta: 3e38 }), (e: any) => e.code === "RESULT_OVERFLOW" && e.argument === "logp", build);
      assert.ok(ws.tokenRewards.every(Number.isNaN), "poisoned");
      ws.dispose();
    }
  });

  it("errors name the views: NON_FINITE logp, missing views", () => {
    const api = builds[0]![1];
    const ws = api.createWorkspace({ rows: 2, width: 4, extraViews: ["logp", "refLogp", "tokenRewards"] });
    ws.mask.fill(1); ws.logp[5] = NaN; ws.tokenRewards.fill(7);
    assert.throws(() => ws.primeImplicitReward(), (e: any) => e.code === "NON_FINITE" && e.argument === "logp" && e.index === 5);
    assert.ok(ws.tokenRewards.every((v) => v === 7), "checked before writing");
    assert.throws(() => ws.likelihoodReward(), (e: any) => e.code === "NON_FINITE" && e.argument === "logp" && e.index === 5);
    assert.throws(() => ws.primeAdvantage(), (e: any) => e.code === "SHAPE_MISMATCH" && e.argument === "returns");
    assert.throws(() => ws.primeAdvantage({ source: "none", outcome: false }), (e: any) => e.code === "WRONG_TYPE" && e.argument === "source");
    assert.throws(() => ws.primeAdvantage({ source: "kl" as never }), (e: any) => e.code === "UNKNOWN_OPTION" && e.argument === "source");
    ws.dispose();
  });
});

describe("repeated workspace calls (the hot loop reuses their arguments)", () => {
  it("each call reads the arrays it is given now: trlGroupAdvantage with new weights every call, and a knob-free call after calls with knobs, equal the copy API", () => {
    for (const [build, api] of builds) {
      const B = 8, K = 3, n = 4;
      const ws = api.createWorkspace({ rows: B, groupSize: n, rewardFunctions: K });
      const R = Float32Array.from({ length: B * K }, (_, k) => Math.fround(Math.sin(k * 1.7) * 2));
      ws.rewardsPerFunc.set(R);
      for (const w of [[1, 1, 1], [0.5, 2, 0], [3, 0, 1]]) {
        const weights = Float32Array.from(w);
        assertBitwise(ws.trlGroupAdvantage({ weights }).rowAdvantages, api.trlGroupAdvantage({ rewardsPerFunc: R, weights, groupSize: n }).rowAdvantages, `${build} trl weights ${w}`);
      }
      const s = Float32Array.from({ length: B }, (_, i) => Math.fround(Math.cos(i * 2.3)));
      ws.scores.set(s);
      for (const call of [undefined, { eps: 0.5 }, undefined, { normalizeByStd: false }, {}]) {
        assertBitwise(ws.grpo(call).rowAdvantages, api.grpo({ scores: s, groupSize: n, ...(call ?? {}) }).rowAdvantages, `${build} grpo ${JSON.stringify(call)}`);
        // The content is still checked on a reused call.
        ws.scores[3] = NaN;
        assert.throws(() => ws.grpo(call), (e: any) => e.code === "NON_FINITE" && e.argument === "scores" && e.index === 3);
        ws.scores.set(s);
      }
      ws.dispose();
    }
  });
});
