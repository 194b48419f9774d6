// The reward shapers on workspace views: bitwise the copy API's results, written into the
// shapedRewards view (or ROVER's and G-RA's token views), chained into an estimator with
// input: "shapedRewards", state committed only on success, and no view written on an error.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { builds, assertBitwise } from "./helpers.js";
import { RunningStats } from "../src/shape/running-stats.js";
import { HapoHistory } from "../src/shape/length.js";
import { rng } from "../src/core/rng.js";

for (const [build, api] of builds) {
  describe(`shapers on workspace views (${build})`, () => {
    const B = 12, n = 4, T = 6, r = rng(7);
    const scores = Float32Array.from({ length: B }, () => Math.fround(r() * 4 - 2));
    const lengths = Int32Array.from({ length: B }, () => 1 + Math.floor(r() * T));
    const correct = Uint8Array.from({ length: B }, () => (r() < 0.5 ? 1 : 0));
    const refs = { values: Float32Array.from({ length: B * 3 }, () => Math.fround(r() * 4 - 2)), perRow: 3 };
    const ws = api.createWorkspace({ rows: B, width: T, valid: "lengths", groupSize: n, rewardFunctions: 2, extraViews: ["tokenRewards", "logp", "oldLogp", "qLogits", "oldQLogits", "q", "nextQ", "target"] });
    ws.scores.set(scores); ws.lengths.set(lengths);
    const groups = { groupSize: n };

    it("every row shaper writes shapedRewards bitwise as the copy API returns it", () => {
      const s1 = new RunningStats(), s2 = new RunningStats();
      const cases: [string, () => Float32Array, () => Float32Array][] = [
        ["parShape", () => ws.parShape({ refs, stats: s1, meanstd: true, sigmoid: true }), () => api.parShape({ r: scores, refs, lengths, stats: s2, meanstd: true, sigmoid: true })],
        ["lscTransform", () => ws.lscTransform({ refs }), () => api.lscTransform({ r: scores, refs })],
        ["kimiLengthReward", () => ws.kimiLengthReward({ correct, weight: 0.4 }), () => api.kimiLengthReward({ lengths, correct, ...groups, base: scores, weight: 0.4 }).reward!],
        ["laserReward", () => ws.laserReward({ status: Int8Array.from(correct), variant: "d", bandTargets: { low: 5, medium: 3, high: 2 } }), () => api.laserReward({ status: Int8Array.from(correct), lengths, ...groups, variant: "d", bandTargets: { low: 5, medium: 3, high: 2 } }).scores],
        ["hapoLengthReward", () => ws.hapoLengthReward({ correct, promptIds: Int32Array.from({ length: B }, (_, i) => i % 3), history: new HapoHistory().update(Int32Array.of(3), Uint8Array.of(1), Int32Array.of(1)) }),
          () => api.hapoLengthReward({ lengths, correct, promptIds: Int32Array.from({ length: B }, (_, i) => i % 3), history: new HapoHistory().update(Int32Array.of(3), Uint8Array.of(1), Int32Array.of(1)), base: scores }).reward!],
        ["overlongPenalty", () => ws.overlongPenalty({ maxNewTokens: T, bufferLen: 3 }), () => api.overlongPenalty({ r: scores, lengths, maxNewTokens: T, bufferLen: 3 })],
        ["canon", () => ws.canon({ metric: scores.map((v) => -v) }), () => api.canon({ scores, metric: scores.map((v) => -v), ...groups })],
        ["o1PrunerReward", () => ws.o1PrunerReward(), () => api.o1PrunerReward({ lengths, ...groups })],
        ["erLengthReward", () => ws.erLengthReward({ correct: Float32Array.from(correct) }), () => api.erLengthReward({ lengths, correct: Float32Array.from(correct), ...groups })],
        ["grpoLambda", () => ws.grpoLambda({ correct, lambda: 0.5, lengthWeight: 0.3 }), () => api.grpoLambda({ correct, lengths, ...groups, lambda: 0.5, lengthWeight: 0.3 }).rewards],
        ["verpoReward", () => ws.verpoReward({ pass: Uint8Array.from({ length: 2 * B }, (_, j) => j % 3 ? 1 : 0), tests: 2, localWeight: 0.5 }), () => api.verpoReward({ pass: Uint8Array.from({ length: 2 * B }, (_, j) => j % 3 ? 1 : 0), tests: 2, ...groups, localWeight: 0.5 }).rewards],
      ];
      for (const [name, onWs, copy] of cases) {
        const got = onWs();
        assert.equal(got, ws.shapedRewards, `${name} returns the view`);
        assertBitwise(got, copy(), name);
      }
      assert.deepEqual(s1.toJSON(), s2.toJSON());
    });

    it("a shaper chains into GRPO through input: \"shapedRewards\" without a copy; an error leaves shapedRewards untouched or all NaN and the stats as they were", () => {
      ws.overlongPenalty({ maxNewTokens: T, bufferLen: 3 });
      const shaped = ws.shapedRewards.slice();
      const a = ws.grpo({ input: "shapedRewards" }).rowAdvantages.slice();
      assertBitwise(a, api.grpo({ scores: shaped, ...groups }).rowAdvantages, "grpo over shapedRewards");
      const stats = new RunningStats().update([1, 2]), before = JSON.stringify(stats);
      assert.throws(() => ws.parShape({ refs: { values: new Float32Array(0), offsets: new Int32Array(B + 1) }, sigmoid: true, meanstd: true, stats }), (e: any) => e.code === "DOMAIN");
      assert.equal(JSON.stringify(stats), before);
      assert.ok(ws.shapedRewards.every((v, i) => Object.is(v, shaped[i])) || ws.shapedRewards.every(Number.isNaN), "ws.shapedRewards.every((v, i) => Object.is(v, shaped[i])) || ws.shapedRewards.every(Num...");
      assert.throws(() => ws.overlongPenalty({ lengths, maxNewTokens: T, bufferLen: 3 }), (e: any) => e.code === "UNKNOWN_OPTION" && e.argument === "lengths");
      assert.throws(() => ws.grpo({ input: "shaped" as never }), (e: any) => e.code === "UNKNOWN_OPTION");
    });

    it("a per-call input that is the output view itself gives the copy API's result (written through scratch, not in place)", () => {
      const R = 64, w = api.createWorkspace({ rows: R, groupSize: 8 }), rr = rng(11);
      const L = Int32Array.from({ length: R }, () => 1 + Math.floor(rr() * 50)), s0 = Float32Array.from({ length: R }, () => Math.fround(rr() * 2 - 1));
      w.scores.set(s0);
      const metric = Float32Array.from({ length: R }, () => Math.fround(rr() * 4));
      w.shapedRewards.set(metric);
      assertBitwise(w.canon({ metric: w.shapedRewards }), api.canon({ scores: s0, metric, groupSize: 8 }), "canon, metric = shapedRewards");
      const correct = Float32Array.from({ length: R }, () => (rr() < 0.5 ? 0 : Math.fround(rr())));
      w.shapedRewards.set(correct);
      assertBitwise(w.erLengthReward({ lengths: L, correct: w.shapedRewards }), api.erLengthReward({ lengths: L, correct, groupSize: 8 }), "erLengthReward, correct = shapedRewards");
      w.shapedRewards.set(metric);
      w.scores.set(s0.map((v) => (v > 0 ? 1 : 0)));
      assertBitwise(w.drpoCoefficients({ meanLogp: w.shapedRewards, lengths: L, width: 64 }), api.drpoCoefficients({ rewards: s0.map((v) => (v > 0 ? 1 : 0)), meanLogp: metric, lengths: L, width: 64, groupSize: 8 }), "drpo, meanLogp = shapedRewards");
    });

    it("a per-call row input of the wrong length is SHAPE_MISMATCH naming it, before any view is written", () => {
      // A rows-only workspace takes lengths and the other row inputs per call; their length must be
      // the planned rows (times the values per row), or the outputs would spill past shapedRewards.
      const R = 16, w = api.createWorkspace({ rows: R, groupSize: 8, extraViews: [] });
      w.scores.set(Float32Array.from({ length: R }, (_, i) => (i % 3 ? 1 : 0)));
      const rows = (k: number) => ({
        lengths: Int32Array.from({ length: k }, (_, i) => 1 + (i % 5)), correct: Uint8Array.from({ length: k }, (_, i) => i & 1),
        correctF: Float32Array.from({ length: k }, (_, i) => (i & 1) * 0.5), status: Int8Array.from({ length: k }, (_, i) => (i % 3) - 1),
        metric: Float32Array.from({ length: k }, (_, i) => i * 0.25), promptIds: Int32Array.from({ length: k }, (_, i) => i % 4),
        pred: Float32Array.from({ length: 4 * k }, (_, j) => j), gt: Float32Array.from({ length: 4 * k }, (_, j) => j + 1),
        pass: Uint8Array.from({ length: 2 * k }, (_, j) => j & 1), refs: { values: Float32Array.from({ length: 3 * k }, (_, j) => Math.sin(j)), perRow: 3 },
        meanLogp: Float32Array.from({ length: k }, (_, i) => -i * 0.1),
      });
      const calls: [string, string, (a: ReturnType<typeof rows>) => unknown][] = [
        ["kimiLengthReward", "lengths", (a) => w.kimiLengthReward({ lengths: a.lengths, correct: rows(R).correct, weight: 0.4 })],
        ["kimiLengthReward", "correct", (a) => w.kimiLengthReward({ lengths: rows(R).lengths, correct: a.correct, weight: 0.4 })],
        ["laserReward", "status", (a) => w.laserReward({ status: a.status, lengths: rows(R).lengths, variant: "d", bandTargets: { low: 5, medium: 3, high: 2 } })],
        ["laserReward", "lengths", (a) => w.laserReward({ status: rows(R).status, lengths: a.lengths, variant: "d", bandTargets: { low: 5, medium: 3, high: 2 } })],
        ["hapoLengthReward", "lengths", (a) => w.hapoLengthReward({ lengths: a.lengths, correct: rows(R).correct, promptIds: rows(R).promptIds, history: new HapoHistory() })],
        ["hapoLengthReward", "promptIds", (a) => w.hapoLengthReward({ lengths: rows(R).lengths, correct: rows(R).correct, promptIds: a.promptIds, history: new HapoHistory() })],
        ["overlongPenalty", "lengths", (a) => w.overlongPenalty({ lengths: a.lengths, maxNewTokens: 6, bufferLen: 3 })],
        ["canon", "metric", (a) => w.canon({ metric: a.metric })],
        ["o1PrunerReward", "lengths", (a) => w.o1PrunerReward({ lengths: a.lengths })],
        ["erLengthReward", "lengths", (a) => w.erLengthReward({ lengths: a.lengths, correct: rows(R).correctF })],
        ["erLengthReward", "correct", (a) => w.erLengthReward({ lengths: rows(R).lengths, correct: a.correctF })],
        ["grpoLambda", "correct", (a) => w.grpoLambda({ correct: a.correct, lengths: rows(R).lengths, lambda: 0.5, lengthWeight: 0.3 })],
        ["grpoLambda", "lengths", (a) => w.grpoLambda({ correct: rows(R).correct, lengths: a.lengths, lambda: 0.5, lengthWeight: 0.3 })],
        ["verpoReward", "pass", (a) => w.verpoReward({ pass: a.pass, tests: 2, localWeight: 0.5 })],
        ["drpoCoefficients", "lengths", (a) => w.drpoCoefficients({ meanLogp: rows(R).meanLogp, lengths: a.lengths, width: 8 })],
        ["drpoCoefficients", "meanLogp", (a) => w.drpoCoefficients({ meanLogp: a.meanLogp, lengths: rows(R).lengths, width: 8 })],
        ["parShape", "lengths", (a) => w.parShape({ refs: rows(R).refs, lengths: a.lengths, lengthPenalty: true, sigmoid: true })],
        ["parShape", "refs", (a) => w.parShape({ refs: a.refs, sigmoid: true })],
        ["lscTransform", "refs", (a) => w.lscTransform({ refs: a.refs })],
        ["guiG2Reward", "pred", (a) => w.guiG2Reward({ pred: a.pred, gt: rows(R).gt })],
        ["guiG2Reward", "gt", (a) => w.guiG2Reward({ pred: rows(R).pred, gt: a.gt })],
      ];
      for (const [name, arg, call] of calls) {
        call(rows(R)); // the right length runs
        for (const k of [R / 2, R + 1, 2 * R]) {
          w.shapedRewards.fill(7); w.rowAdvantages.fill(5);
          const before = w.scores.slice();
          assert.throws(() => call(rows(k)), (e: any) => e.code === "SHAPE_MISMATCH" && e.argument === arg, `${name}: ${arg} of length ${k} for ${R} rows`);
          assert.ok(w.shapedRewards.every((v) => v === 7) && w.rowAdvantages.every((v) => v === 5), `${name}: no view written`);
          assertBitwise(w.scores, before, `${name}: scores`);
        }
      }
    });

    it("lscCombine reads the heads from rewardsPerFunc; ROVER and G-RA on the token views match the copy API", () => {
      const heads = Float32Array.from({ length: 2 * B }, () => Math.fround(r() * 6 - 3)), refReward = Float32Array.from({ length: 2 * B }, () => Math.fround(r()));
      ws.rewardsPerFunc.set(heads);
      assertBitwise(ws.lscCombine({ refReward, weights: [1, 0.5] }), api.lscCombine({ r: heads, heads: 2, refReward, weights: [1, 0.5] }), "lscCombine");
      const tok = (k: number) => Float32Array.from({ length: B * T }, (_, j) => Math.fround(Math.sin(j * 0.7 + k) * 3));
      ws.logp.set(tok(1)); ws.oldLogp.set(tok(2)); ws.qLogits.set(tok(3)); ws.oldQLogits.set(tok(4)); ws.advantages.set(tok(5));
      const got = ws.roverTargets({ rho: 0.8, clipRatio: 0.2 });
      const want = api.roverTargets({ logp: tok(1), oldLogp: tok(2), qLogits: tok(3), oldQLogits: tok(4), advantages: tok(5), lengths, width: T, rho: 0.8, clipRatio: 0.2 });
      assertBitwise(got.q, want.q, "q"); assertBitwise(got.nextQ, want.nextQ, "nextQ"); assertBitwise(got.target, want.target, "target");
      assert.equal(got.q, ws.q);
      ws.tokenRewards.set(tok(6));
      const g = ws.gatedRewards({ tau: 0 });
      const gw = api.gatedRewards({ outcome: scores, tokenRewards: tok(6), lengths, width: T, tau: 0 });
      assertBitwise(g.tokenRewards, gw.tokenRewards, "gated tokens (in place)"); assertBitwise(g.rewards, gw.rewards, "gated rows");
    });
  });
}
