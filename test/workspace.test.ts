// The zero-copy workspace: views live in WebAssembly memory, calls never grow memory, views are
// re-derived after growth, and results equal the copy API bitwise.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { builds, assertBitwise, f32 } from "./helpers.js";

for (const [build, api] of builds) {
  describe(`workspace (${build})`, () => {
    it("views are 16-byte aligned and live in WebAssembly memory", () => {
      const ws = api.createWorkspace({ rows: 6, width: 5, groupSize: 3, extraViews: ["tokenRewards", "returns", "kl"] });
      for (const v of [ws.scores, ws.mask, ws.advantages, ws.rowAdvantages, ws.groupIds, ws.tokenRewards, ws.returns, ws.kl]) {
        assert.equal(v.buffer, ws.engine.memory.buffer);
        assert.equal(v.byteOffset % 16, 0);
      }
      ws.dispose();
    });

    it("runs many batches with no memory growth and no allocation per call", () => {
      const ws = api.createWorkspace({ rows: 64, width: 32, groupSize: 8 });
      const gen = ws.engine.heap.generation, reserved = ws.engine.heap.bytesReserved;
      const adv = ws.advantages;
      for (let step = 0; step < 200; step++) {
        for (let i = 0; i < 64; i++) ws.scores[i] = ((i * 7 + step) % 5) / 4;
        ws.mask.fill(0);
        for (let i = 0; i < 64; i++) ws.mask.fill(1, i * 32, i * 32 + ((i + step) % 33));
        ws.grpo(); ws.rloo(); ws.bnpo(); ws.dler(); ws.opo(); ws.gpg(); ws.reinforcePPBaseline();
      }
      assert.equal(ws.engine.heap.generation, gen, "memory did not grow");
      assert.equal(ws.engine.heap.bytesReserved, reserved, "nothing was allocated");
      assert.equal(ws.advantages, adv, "the same view object is handed out");
      ws.dispose();
    });

    it("results equal the copy API bitwise (padded mask, lengths, packed)", () => {
      const scores = f32([1, 0, 0, 1, 0.7, 0.2, 1, 1]);
      const lens = Int32Array.from([3, 0, 4, 1, 2, 4, 4, 3]);
      const mask = new Uint8Array(32);
      lens.forEach((L, i) => mask.fill(1, i * 4, i * 4 + L));
      for (const valid of ["mask", "lengths"] as const) {
        const ws = api.createWorkspace({ rows: 8, width: 4, groupSize: 4, valid });
        ws.scores.set(scores);
        if (valid === "mask") ws.mask.set(mask); else ws.lengths.set(lens);
        const r = ws.grpo();
        const c = api.grpo({ scores, groupSize: 4, ...(valid === "mask" ? { mask } : { lengths: lens, width: 4 }) });
        assertBitwise(r.rowAdvantages, c.rowAdvantages, valid);
        assertBitwise(r.advantages, c.advantages!, valid);
        assert.equal(r.returns, r.advantages, "returns is the advantages view for group estimators");
        ws.dispose();
      }
      const offsets = Int32Array.from([0, 3, 3, 7, 8, 10, 14, 18, 21]);
      const ws = api.createWorkspace({ rows: 8, tokens: 32, groupSize: 4 });
      ws.scores.set(scores); ws.offsets.set(offsets); ws.mask.fill(1);
      const r = ws.grpo();
      assert.equal(r.advantages.length, 21, "packed views cover offsets[B] tokens");
      const c = api.grpo({ scores, groupSize: 4, offsets, mask: new Uint8Array(21).fill(1) });
      assertBitwise(r.advantages, c.advantages!, "packed");
      ws.offsets[8] = 40;
      assert.throws(() => ws.grpo(), /BAD_OFFSETS/);
      ws.dispose();
    });

    it("klInReward: the tokenScores view leaves the scores untouched; in place and copy API give the same rewards", () => {
      const B = 3, T = 9, mask = new Uint8Array(B * T), scores = new Float32Array(B * T), lp = new Float32Array(B * T), rp = new Float32Array(B * T);
      for (let i = 0; i < B; i++) { const L = [9, 4, 6][i]!; mask.fill(1, i * T, i * T + L); scores[i * T + L - 1] = i + 0.5; }
      mask[T + 1] = 0; // a hole: row 1 is not a prefix
      for (let k = 0; k < B * T; k++) { lp[k] = -((k * 37) % 11) / 7; rp[k] = lp[k]! + ((k % 5) - 2) / 9; }
      const call = { klCoef: 0.05, klEstimator: "k1" as const };
      const copy = api.klInReward({ mode: "verl", tokenScores: scores, logp: lp, refLogp: rp, mask, width: T, ...call });
      const ws = api.createWorkspace({ rows: B, width: T, extraViews: ["tokenScores", "tokenRewards", "logp", "refLogp", "kl"] });
      ws.mask.set(mask); ws.logp.set(lp); ws.refLogp.set(rp); ws.tokenScores.set(scores);
      ws.tokenRewards.fill(7); // stale rewards from an earlier step: every position is rewritten
      const a = ws.klInReward(call);
      assertBitwise(a.tokenRewards, copy.tokenRewards, "tokenScores -> tokenRewards vs copy API");
      assertBitwise(ws.kl, copy.kl!, "kl view");
      assert.equal(a.currentKl, copy.currentKl);
      assertBitwise(ws.tokenScores, scores, "the scores are not modified");
      const inPlace = api.createWorkspace({ rows: B, width: T, extraViews: ["tokenRewards", "logp", "refLogp"] });
      inPlace.mask.set(mask); inPlace.logp.set(lp); inPlace.refLogp.set(rp); inPlace.tokenRewards.set(scores);
      assertBitwise(inPlace.klInReward(call).tokenRewards, copy.tokenRewards, "in place");
      ws.dispose(); inPlace.dispose();
    });

    it("placeScores writes tokenScores (or tokenRewards) from the scores view; equals the copy API; errors write nothing", () => {
      const B = 4, T = 7, mask = new Uint8Array(B * T), scores = Float32Array.from([0.5, -1, 2, 3]);
      [7, 3, 0, 5].forEach((L, i) => mask.fill(1, i * T, i * T + L));
      mask[3 * T + 4] = 0; mask[3 * T + 6] = 1; // row 3 has holes; its last valid token is column 6
      const copy = api.placeScores({ scores, mask, width: T, emptyRow: "skip" }).tokenScores;
      for (const [views, into] of [[["tokenScores", "tokenRewards"], "tokenScores"], [["tokenRewards"], "tokenRewards"]] as const) {
        const ws = api.createWorkspace({ rows: B, width: T, extraViews: [...views] });
        ws.scores.set(scores); ws.mask.set(mask); (ws as any)[into].fill(9);
        const heapBefore = ws.engine.heap.bytesReserved;
        assert.throws(() => ws.placeScores(), (e: any) => e.code === "EMPTY_ROW" && e.index === 2);
        assert.ok((ws as any)[into].every((v: number) => v === 9), "nothing written before the error");
        const r = ws.placeScores({ emptyRow: "skip" });
        assert.equal(r.tokenScores, (ws as any)[into], `writes the ${into} view`);
        assertBitwise(r.tokenScores, copy, `${into} vs copy API`);
        assert.equal(r.diagnostics.skippedRows, 1);
        assert.equal(ws.engine.heap.bytesReserved, heapBefore, "no allocation");
        ws.dispose();
      }
      const lw = api.createWorkspace({ rows: B, width: T, valid: "lengths", extraViews: ["tokenScores"] });
      lw.scores.set(scores); lw.lengths.set([7, 3, 1, 5]);
      assert.deepEqual(Array.from(lw.placeScores().tokenScores.subarray(0, 2 * T)), [0, 0, 0, 0, 0, 0, 0.5, 0, 0, -1, 0, 0, 0, 0]);
      lw.dispose();
    });

    it("klPenalty writes the kl view and aggLoss reads the loss view; both equal the copy API, with no allocation", () => {
      const B = 3, T = 10, mask = new Uint8Array(B * T), lp = new Float32Array(B * T), rp = new Float32Array(B * T), loss = new Float32Array(B * T);
      [10, 6, 0].forEach((L, i) => mask.fill(1, i * T, i * T + L));
      mask[4] = 0; // a hole in row 0
      for (let k = 0; k < B * T; k++) { lp[k] = -((k * 31) % 13) / 5; rp[k] = lp[k]! - ((k % 7) - 3) / 4; loss[k] = ((k * 17) % 11) / 3 - 1; }
      const ws = api.createWorkspace({ rows: B, width: T, extraViews: ["logp", "refLogp", "kl", "loss"] });
      ws.mask.set(mask); ws.logp.set(lp); ws.refLogp.set(rp); ws.loss.set(loss); ws.kl.fill(5);
      const heapBefore = ws.engine.heap.bytesReserved;
      for (const klEstimator of ["k1", "low_var_kl"] as const) {
        const r = ws.klPenalty({ klEstimator });
        assert.equal(r.kl, ws.kl, "the kl view");
        assertBitwise(r.kl, api.klPenalty({ logp: lp, refLogp: rp, mask, width: T, klEstimator }), klEstimator);
      }
      for (const lossAggMode of ["token-mean", "seq-mean-token-mean", "seq-mean-token-sum-norm"] as const)
        assert.equal(ws.aggLoss({ lossAggMode }), api.aggLoss({ loss: loss, mask, width: T, lossAggMode }), lossAggMode);
      assert.equal(ws.engine.heap.bytesReserved, heapBefore, "no allocation");
      ws.logp[3] = NaN; ws.kl.fill(5);
      assert.throws(() => ws.klPenalty(), (e: any) => e.code === "NON_FINITE" && e.argument === "logp" && e.index === 3);
      assert.ok(ws.kl.every((v) => v === 5), "nothing written before the error");
      ws.dispose();
    });

    it("views held by the caller stay valid while other workspaces are planned, used and disposed", () => {
      const ws = api.createWorkspace({ rows: 4, width: 4, groupSize: 2 });
      ws.scores.set([1, 0, 2, 2]); ws.mask.fill(1);
      const before = ws.grpo().rowAdvantages.slice();
      const held = ws.advantages;
      const big = api.createWorkspace({ rows: 1 << 20, width: 64, groupSize: 2 });
      big.scores.fill(1); big.grpo(); big.dispose();
      assert.equal(held.length, 16, "a view held across another workspace's growth keeps its length");
      assert.equal(held, ws.advantages, "and is still the workspace's view");
      assertBitwise(ws.grpo().rowAdvantages, before, "same result");
      ws.dispose();
      assert.throws(() => ws.scores, /STALE_VIEW/);
    });

    it("rows-only workspaces, TRL, ReMax and OpenRLHF views", () => {
      const ws = api.createWorkspace({ rows: 4, groupSize: 2 });
      ws.scores.set([1, 0, 3, 3]);
      const r = ws.grpo();
      assert.equal(r.advantages.length, 0);
      assert.deepEqual(Array.from(r.rowAdvantages).map((x) => Math.round(x * 1e6) / 1e6), [0.707106, -0.707106, 0, 0]);
      const t = api.createWorkspace({ rows: 4, groupSize: 2, rewardFunctions: 2 });
      t.rewardsPerFunc.set([1, 0, 0, NaN, NaN, NaN, 1, 1]);
      const tr = t.trlGroupAdvantage({ preset: "trl" });
      assertBitwise(tr.rowAdvantages, api.trlGroupAdvantage({ rewardsPerFunc: t.rewardsPerFunc.slice(), weights: [1, 1], groupSize: 2, preset: "trl" }).rowAdvantages, "trl");
      const rm = api.createWorkspace({ rows: 2, width: 4, extraViews: ["tokenRewards", "returns"] });
      rm.tokenRewards.set([0, 0, 1, 0, 0, 1, 0, 0]); rm.mask.set([1, 1, 1, 0, 1, 1, 0, 0]); rm.baselines.set([0.25, 0.5]);
      const x = rm.remax();
      assert.deepEqual(Array.from(x.returns), [1, 1, 1, 0, 1, 1, 0, 0]);
      assert.deepEqual(Array.from(x.advantages), [0.75, 0.75, 0.75, 0, 0.5, 0.5, 0, 0]);
      const orl = api.createWorkspace({ rows: 4, width: 3, groupSize: 2, extraViews: ["kl", "returns"] });
      orl.scores.set([1, 0, 0.5, 0.5]); orl.mask.fill(1); orl.kl.fill(0.1);
      const o = orl.openrlhfOutcome({ estimator: "rloo", klCoef: 0.01 });
      const oc = api.openrlhfOutcome({ rewards: f32([1, 0, 0.5, 0.5]), actionMask: new Uint8Array(12).fill(1), kl: new Float32Array(12).fill(0.1), groupSize: 2, estimator: "rloo", klCoef: 0.01 });
      assertBitwise(o.returns, oc.returns, "orl returns");
      assertBitwise(orl.shapedRewards, oc.shapedRewards, "orl shaped");
      for (const w of [ws, t, rm, orl]) w.dispose();
    });
    it("rerank on the views: combined scores and top-k bitwise the copy API's, every combine mode, excluded candidates, topK > 1", () => {
      const P = 5, N = 7, K = 3, k = 3;
      const w = api.createWorkspace({ rows: P * N, candidates: N, topK: k, rewardFunctions: K });
      const scores = Float32Array.from({ length: P * N * K }, (_, q) => Math.fround(Math.sin(q * 0.7) * 3));
      scores[4 * K] = scores[2 * K]!; scores[4 * K + 1] = scores[2 * K + 1]!; scores[4 * K + 2] = scores[2 * K + 2]!; // a tie: the lower index first
      const valid = Uint8Array.from({ length: P * N }, (_, j) => (j % 6 === 5 ? 0 : 1));
      const ref = Float32Array.from({ length: P * K }, (_, q) => Math.fround(Math.cos(q)));
      const refs = Float32Array.from({ length: P * 4 * K }, (_, q) => Math.fround(Math.cos(q * 1.3)));
      w.rewardsPerFunc.set(scores);
      for (const o of [{ combine: "weightedSum", weights: [1, 0.5, -0.25] }, { combine: "logSigmoid", ref }, { combine: "par", refs, sigmoidK: 2 }] as const) {
        const got = w.rerank({ ...o, valid });
        const want = api.rerank({ scores, candidates: N, heads: K, k, valid, ...o });
        assert.equal(got.combined, w.combined);
        assertBitwise(got.combined, want.combined, `${o.combine} combined`);
        assert.deepEqual(Array.from(got.topIndices), Array.from(want.topIndices), `${o.combine} top`);
        assertBitwise(got.topScores, want.topScores, `${o.combine} top scores`);
      }
      w.dispose();
    });
    it("minFormReturns (verlCompat and steps) writes the returns view bitwise as the copy API computes, on random masks with holes", () => {
      for (const [B, T, seed] of [[3, 7, 1], [5, 33, 2], [16, 130, 3]] as const) {
        const w = api.createWorkspace({ rows: B, width: T, extraViews: ["tokenRewards", "returns"] });
        const mask = Uint8Array.from({ length: B * T }, (_, k) => ((k * 7 + seed) % 5 < 3 ? 1 : 0));
        const r = Float32Array.from({ length: B * T }, (_, k) => Math.fround(Math.sin(k * 1.3 + seed) * 2));
        w.mask.set(mask); w.tokenRewards.set(r);
        const got = w.minFormReturns({ mode: "verlCompat" });
        assert.equal(got.returns, w.returns, "the result is the view itself");
        assertBitwise(got.returns, api.minFormReturns({ mode: "verlCompat", tokenRewards: r, mask, width: T }).returns, `verlCompat ${B}x${T}`);
        const steps = api.stepsFromMask({ stepEndMask: mask, width: T });
        const stepValues = Float32Array.from({ length: steps.stepEnds.length }, (_, k) => Math.fround(Math.cos(k + seed)));
        const s = w.minFormReturns({ stepValues, ...steps });
        const want = api.minFormReturns({ stepValues, ...steps, mask, width: T });
        assertBitwise(s.returns, want.returns, `steps ${B}x${T}`);
        assertBitwise(s.stepReturns!, want.stepReturns!, "step returns");
        w.dispose();
      }
    });
    it("minFormReturns verlCompat checks while it computes: the first non-finite valid reward is NON_FINITE at its index; masked NaN is ignored; the view is poisoned", () => {
      const B = 6, T = 37, w = api.createWorkspace({ rows: B, width: T, extraViews: ["tokenRewards", "returns"] });
      const mask = Uint8Array.from({ length: B * T }, (_, k) => ((k * 5 + 1) % 7 < 5 ? 1 : 0));
      for (const at of [0, 3, 36, 40, 111, B * T - 1]) for (const bad of [NaN, Infinity, -Infinity]) {
        const r = Float32Array.from({ length: B * T }, (_, k) => Math.fround(Math.cos(k)));
        r[at] = bad;
        for (let k = 0; k < at; k++) if (!mask[k]) r[k] = NaN; // masked NaN before it: never read
        w.mask.set(mask); w.tokenRewards.set(r);
        const first = (() => { for (let k = 0; k < B * T; k++) if (mask[k] && !Number.isFinite(r[k])) return k; return -1; })();
        if (first < 0) { assert.doesNotThrow(() => w.minFormReturns({ mode: "verlCompat" })); continue; }
        assert.throws(() => w.minFormReturns({ mode: "verlCompat" }), (e: any) => e.code === "NON_FINITE" && e.argument === "tokenRewards" && e.index === first, `at ${at}`);
        assert.ok(w.returns.every(Number.isNaN), "poisoned");
        assert.throws(() => api.minFormReturns({ mode: "verlCompat", tokenRewards: r, mask, width: T }), (e: any) => e.code === "NON_FINITE" && e.index === first);
      }
      w.dispose();
    });
    it("openrlhfOutcome's normalising estimators fit the scratch a plan reserves (found by the golden run through the workspace)", () => {
      // reinforce and reinforce_baseline keep f32 returns, their f64 copy and the normalised
      // advantages: 16 bytes a token, which a long row used to overflow (SHAPE_MISMATCH).
      for (const estimator of ["reinforce", "reinforce_baseline"] as const) {
        const B = 16, T = 512, w = api.createWorkspace({ rows: B, width: T, groupSize: 8, extraViews: ["kl", "returns"] });
        w.scores.set(Float32Array.from({ length: B }, (_, i) => (i % 3) * 0.37)); w.mask.fill(1); w.kl.set(Float32Array.from({ length: B * T }, (_, k) => ((k % 7) - 3) * 0.011));
        const got = w.openrlhfOutcome({ estimator, klCoef: 0.01 });
        const want = api.openrlhfOutcome({ rewards: w.scores.slice(), actionMask: w.mask.slice(), kl: w.kl.slice(), groupSize: 8, estimator, klCoef: 0.01 });
        assertBitwise(got.advantages, want.advantages, estimator);
        w.dispose();
      }
    });
  });
}
