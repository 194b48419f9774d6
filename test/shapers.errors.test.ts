// Bad input to the shapers and the reranker: the typed error names the argument (and the index
// where an element is at fault); a stateful shaper's state and the inputs are unchanged after it.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { builds } from "./helpers.js";
import { RunningStats } from "../src/shape/running-stats.js";
import { HapoHistory, laserTargetLengths } from "../src/shape/length.js";
import { BcoShift } from "../src/shape/bco.js";

const code = (c: string, arg: string, index?: number) => (e: any) =>
  e.code === c && e.argument === arg && (index === undefined || e.index === index) || assert.fail(`expected ${c} ${arg}${index !== undefined ? `[${index}]` : ""}, got ${e.message}`);

for (const [build, api] of builds) {
  describe(`shaper errors (${build})`, () => {
    const r = Float32Array.of(0.5, 1.5, 2.5), refs = { values: Float32Array.of(0, 1, 2, 3, 4, 5), perRow: 2 };
    it("rerank: K mismatch, N = 0, k > N, NaN scores", () => {
      const scores = Float32Array.from({ length: 12 }, (_, j) => j * 0.1);
      assert.throws(() => api.rerank({ scores, candidates: 2, heads: 3, weights: [1, 1] }), code("SHAPE_MISMATCH", "weights"));
      assert.throws(() => api.rerank({ scores, candidates: 5, heads: 2 }), code("SHAPE_MISMATCH", "scores"));
      assert.throws(() => api.rerank({ scores, candidates: 0 }), code("WRONG_TYPE", "candidates"));
      assert.throws(() => api.rerank({ scores, candidates: 4, heads: 3, k: 5 }), code("PARAM_OUT_OF_RANGE", "k"));
      const bad = scores.slice(); bad[7] = NaN;
      assert.throws(() => api.rerank({ scores: bad, candidates: 4, heads: 3, k: 2 }), code("NON_FINITE", "scores", 7));
    });
    it("parShape: relative steps without references are DOMAIN at the row; NaN rewards and references; stats left as they were", () => {
      const stats = new RunningStats().update([1, 2, 3]), before = JSON.stringify(stats);
      assert.throws(() => api.parShape({ r, refs: { values: Float32Array.of(1, 2), offsets: Int32Array.of(0, 1, 1, 2) }, sigmoid: true, meanstd: true, stats }), code("DOMAIN", "refs", 1));
      assert.equal(JSON.stringify(stats), before);
      assert.throws(() => api.parShape({ r, centered: true }), code("DOMAIN", "refs"));
      assert.throws(() => api.parShape({ r: Float32Array.of(1, NaN), clipping: true, stats }), code("NON_FINITE", "r", 1));
      assert.throws(() => api.parShape({ r, refs: { values: Float32Array.of(0, 1, NaN, 3, 4, 5), perRow: 2 }, sigmoid: true }), code("NON_FINITE", "refs.values", 2));
      assert.throws(() => api.parShape({ r, refs: { values: Float32Array.of(0, 1), offsets: Int32Array.of(0, 2, 1, 2) }, sigmoid: true }), code("BAD_OFFSETS", "refs.offsets", 2));
      assert.throws(() => api.parShape({ r, meanstd: true }), code("WRONG_TYPE", "stats"));
      assert.throws(() => api.parShape({ r, lsc: true, refs, q: 1 }), code("PARAM_OUT_OF_RANGE", "q"));
      assert.throws(() => api.parShape({ r, sigmoid: true, refs, maxRef: 0 }), code("PARAM_OUT_OF_RANGE", "maxRef"));
      assert.throws(() => api.parShape({ r, lengthPenalty: true }), code("WRONG_TYPE", "lengths"));
      assert.throws(() => api.parShape({ r, sigmoid: "yes" as never, refs }), code("WRONG_TYPE", "sigmoid"));
      assert.throws(() => api.parShape({ r, sigmoidd: true } as never), code("UNKNOWN_OPTION", "sigmoidd"));
      assert.equal(JSON.stringify(stats), before);
      assert.deepEqual(Array.from(r), [0.5, 1.5, 2.5]);
    });
    it("LSC: refs or refReward, not both or neither; heads that do not divide r", () => {
      assert.throws(() => api.lscTransform({ r }), code("SHAPE_MISMATCH", "refs"));
      assert.throws(() => api.lscTransform({ r, refs, refReward: r }), code("SHAPE_MISMATCH", "refs"));
      assert.throws(() => api.lscTransform({ r, refReward: Float32Array.of(0, Infinity, 0) }), code("NON_FINITE", "refReward", 1));
      assert.throws(() => api.lscCombine({ r, heads: 2, refReward: r }), code("SHAPE_MISMATCH", "r"));
      assert.throws(() => api.lscCombine({ r: Float32Array.of(1, 2, 3, 4), heads: 2, refs: [refs] }), code("SHAPE_MISMATCH", "refs"));
    });
    it("length rewards: lengths, masks, groups, modes and parameter ranges", () => {
      const L = Int32Array.of(10, 20, 30, 40), c = Uint8Array.of(1, 0, 1, 1);
      assert.throws(() => api.kimiLengthReward({ lengths: L, correct: Uint8Array.of(1, 2, 0, 0), groupSize: 2 }), code("MASK_NOT_BINARY", "correct", 1));
      assert.throws(() => api.kimiLengthReward({ lengths: Int32Array.of(10, -1, 3, 4), correct: c, groupSize: 2 }), code("PARAM_OUT_OF_RANGE", "lengths", 1));
      assert.throws(() => api.kimiLengthReward({ lengths: L, correct: c, groupSize: 3 }), code("GROUP_SIZE_INVALID", "groupSize"));
      assert.throws(() => api.kimiLengthReward({ lengths: L, correct: c, groupSize: 2, singleton: "raw" as never }), code("UNKNOWN_OPTION", "singleton"));
      assert.throws(() => api.laserReward({ status: Int8Array.of(1, 2), lengths: Int32Array.of(1, 2) }), code("PARAM_OUT_OF_RANGE", "status", 1));
      assert.throws(() => api.laserReward({ status: Int8Array.of(1, 0), lengths: Int32Array.of(1, 2), mode: "linear" as never }), code("UNKNOWN_OPTION", "mode"));
      assert.throws(() => api.laserReward({ status: Int8Array.of(1, 0), lengths: Int32Array.of(1, 2), variant: "d", groupSize: 2 }), code("SHAPE_MISMATCH", "bandTargets"));
      assert.throws(() => laserTargetLengths({ lengths: L, correct: c, groupSize: 2, lower: 1024, upper: 2048, fallbackLength: 4096, roundMethod: "round" as never }), code("UNKNOWN_OPTION", "roundMethod"));
      const h = new HapoHistory().update(Int32Array.of(5), Uint8Array.of(1), Int32Array.of(0)), before = JSON.stringify(h);
      assert.throws(() => api.hapoLengthReward({ lengths: L, correct: c, promptIds: Int32Array.of(0, 0, 0, 0), history: h, type: "sigmoid" as never }), code("UNKNOWN_OPTION", "type"));
      assert.throws(() => api.hapoLengthReward({ lengths: L, correct: c, promptIds: Int32Array.of(0, 0), history: h }), code("SHAPE_MISMATCH", "promptIds"));
      assert.throws(() => api.hapoLengthReward({ lengths: L, correct: c, promptIds: Int32Array.of(0, 0, 0, 0), history: {} as never }), code("WRONG_TYPE", "history"));
      assert.throws(() => h.update(L, Uint8Array.of(1, 1, 1, 7), Int32Array.of(0, 0, 0, 0)), code("MASK_NOT_BINARY", "correct", 3));
      assert.equal(JSON.stringify(h), before);
      assert.throws(() => api.overlongPenalty({ r: Float32Array.of(1), lengths: Int32Array.of(1), maxNewTokens: 512, bufferLen: 640 }), code("PARAM_OUT_OF_RANGE", "bufferLen"));
      assert.throws(() => api.overlongPenalty({ r: Float32Array.of(1), lengths: Int32Array.of(1), maxNewTokens: 512, bufferLen: -1 }), code("PARAM_OUT_OF_RANGE", "bufferLen"));
      assert.throws(() => api.overlongPenalty({ r: Float32Array.of(1), lengths: Int32Array.of(1), bufferLen: 1 } as never), code("WRONG_TYPE", "maxNewTokens"));
      assert.throws(() => api.stopProperlyPenalty({ r: Float32Array.of(1), truncated: Uint8Array.of(1), coef: 1.2 }), code("PARAM_OUT_OF_RANGE", "coef"));
      assert.throws(() => api.stopProperlyPenalty({ r: Float32Array.of(NaN), truncated: Uint8Array.of(1), coef: 0.5 }), code("NON_FINITE", "r", 0));
    });
    it("GUI-G²: a degenerate ground-truth box is DOMAIN at its x2 or y2; NaN boxes; length not a multiple of 4", () => {
      const pred = Float32Array.of(0, 0, 10, 10, 5, 5, 9, 9);
      assert.throws(() => api.guiG2Reward({ pred, gt: Float32Array.of(0, 0, 10, 10, 4, 4, 4, 8) }), code("DOMAIN", "gt", 6));
      assert.throws(() => api.guiG2Reward({ pred, gt: Float32Array.of(0, 0, 10, 10, 4, 4, 8, 3) }), code("DOMAIN", "gt", 7));
      assert.throws(() => api.guiG2Reward({ pred: Float32Array.of(0, 0, NaN, 10, 5, 5, 9, 9), gt: pred }), code("NON_FINITE", "pred", 2));
      assert.throws(() => api.guiG2Reward({ pred: pred.subarray(0, 6), gt: pred.subarray(0, 6) }), code("SHAPE_MISMATCH", "gt"));
      assert.throws(() => api.guiG2Reward({ pred, gt: pred, alpha: 0 }), code("PARAM_OUT_OF_RANGE", "alpha"));
    });
    it("BCO: mismatched pairs, an empty batch and NaN log-probs leave the shift as it was", () => {
      const s = new BcoShift(), x = Float32Array.of(-1, -2);
      s.push(0.25);
      const before = JSON.stringify(s);
      assert.throws(() => api.bcoPairLoss({ chosenLogps: x, rejectedLogps: x, refChosenLogps: x, refRejectedLogps: Float32Array.of(-1), shift: s }), code("SHAPE_MISMATCH", "refRejectedLogps"));
      assert.throws(() => api.bcoPairLoss({ chosenLogps: new Float32Array(0), rejectedLogps: new Float32Array(0), refChosenLogps: new Float32Array(0), refRejectedLogps: new Float32Array(0), shift: s }), code("SHAPE_MISMATCH", "chosenLogps"));
      assert.throws(() => api.bcoPairLoss({ chosenLogps: x, rejectedLogps: Float32Array.of(-1, NaN), refChosenLogps: x, refRejectedLogps: x, shift: s }), code("NON_FINITE", "rejectedLogps", 1));
      assert.equal(JSON.stringify(s), before);
      assert.throws(() => BcoShift.fromJSON({ count: 0, mean: 0 }), code("WRONG_TYPE", "shift.count"));
    });
    it("GUI-G2's box check in wasm names the first bad coordinate in row order (width before height)", () => {
      const B = 37, gt = Float32Array.from({ length: 4 * B }, (_, k) => (k & 3) < 2 ? (k >> 2) : (k >> 2) + 3 + (k & 1)), pred = gt.slice();
      api.guiG2Reward({ pred, gt });
      const cases: [number, number, number, number][] = [[29, 2, 29, 0], [29, 3, 29, 1], [5, 3, 29, 2], [0, 2, 0, 3]]; // [row, coordinate broken, second row, second coordinate]
      for (const [row, c, row2, c2] of cases) {
        const g = gt.slice();
        g[4 * row + c] = g[4 * row + c - 2]!; // x2 = x1 or y2 = y1: zero width or height
        g[4 * row2 + (c2 & 1)] = g[4 * row2 + 2 + (c2 & 1)]! + 1; // x1 past x2 (or y1 past y2)
        const want = Math.min(4 * row + c, 4 * row2 + 2 + (c2 & 1));
        assert.throws(() => api.guiG2Reward({ pred, gt: g }), code("DOMAIN", "gt", want), `rows ${row}, ${row2}`);
      }
    });

    it("DRPO's checks in wasm name the first bad row past the SIMD blocks: rewards not 0/1, lengths past any width", () => {
      const B = 37, L = Int32Array.from({ length: B }, (_, i) => 5 + (i % 30)), ok = Float32Array.from({ length: B }, (_, i) => i & 1);
      const call = (rewards: Float32Array, width: number, lengths = L) => api.drpoCoefficients({ rewards, meanLogp: new Float32Array(B), lengths, width, groupSize: 1 });
      for (const bad of [0.5, NaN, 2, -1, Infinity]) {
        const r = ok.slice(); r[29] = bad; r[33] = 0.25;
        assert.throws(() => call(r, 64), code("DOMAIN", "rewards", 29), `reward ${bad}`);
      }
      const negZero = ok.slice(); negZero[3] = -0;
      call(negZero, 64); // -0 is a 0
      // L[i] = 5 + (i % 30): the first row over each width, as the JS comparison L[i] > width finds it.
      for (const width of [33, 33.5, 20.25, 5, 0.5, 0, -3, -Infinity]) {
        const want = Array.from(L).findIndex((l) => l > width);
        assert.throws(() => call(ok, width), (e: any) => (e.argument === "lengths" && e.index === want) || (want < 0 && e.argument === "width"), `width ${width}`);
      }
      for (const width of [34, 1e12, Infinity]) call(ok, width);
    });

    it("group-level and token-level shapers: DRPO's 0/1 rewards, CANON's singletons, ranges, NaN at a valid token", () => {
      const ids = Int32Array.of(0, 0, 1, 1), L = Int32Array.of(10, 20, 30, 40);
      assert.throws(() => api.drpoCoefficients({ rewards: Float32Array.of(1, 0.5, 0, 1), meanLogp: new Float32Array(4), lengths: L, width: 64, groupIds: ids }), code("DOMAIN", "rewards", 1));
      assert.throws(() => api.drpoCoefficients({ rewards: Float32Array.of(1, 0, 0, 1), meanLogp: new Float32Array(4), lengths: L, groupIds: ids }), code("WRONG_TYPE", "width"));
      assert.throws(() => api.drpoCoefficients({ rewards: Float32Array.of(1, 0, 0, 1), meanLogp: new Float32Array(4), lengths: L, width: 64, groupIds: ids, lambda: 0 }), code("PARAM_OUT_OF_RANGE", "lambda"));
      assert.throws(() => api.canon({ scores: Float32Array.of(1, 2, 3), metric: Float32Array.of(1, 2, 3), groupIds: Int32Array.of(0, 0, 1), singleton: "error" }), code("GROUP_TOO_SMALL", "groupIds", 1));
      assert.throws(() => api.canon({ scores: Float32Array.of(1, 2), metric: Float32Array.of(1, NaN), groupSize: 2 }), code("NON_FINITE", "metric", 1));
      assert.throws(() => api.grpoLambda({ correct: Uint8Array.of(1, 0), lengths: Int32Array.of(1, 2), groupSize: 2, lambda: 1.5, lengthWeight: 1 }), code("PARAM_OUT_OF_RANGE", "lambda"));
      assert.throws(() => api.verpoReward({ pass: new Uint8Array(5), tests: 2, groupSize: 1, localWeight: 1 }), code("SHAPE_MISMATCH", "pass"));
      assert.throws(() => api.o1PrunerReward({ lengths: Int32Array.of(5, 0), groupSize: 2 }), code("PARAM_OUT_OF_RANGE", "lengths", 1));
      assert.throws(() => api.erLengthReward({ lengths: Int32Array.of(5, 6), correct: Float32Array.of(0, 1.5), groupSize: 2 }), code("PARAM_OUT_OF_RANGE", "correct", 1));
      // NON_FINITE wins over an earlier value out of range (one range pass, then the search)
      assert.throws(() => api.erLengthReward({ lengths: Int32Array.of(5, 6, 7, 8, 9, 10), correct: Float32Array.of(0, 1.5, 1, 0, 0.5, Infinity), groupSize: 2 }), code("NON_FINITE", "correct", 5));
      assert.throws(() => api.erLengthReward({ lengths: Int32Array.of(5, 6, 7, 8, 9, 10), correct: Float32Array.of(0, 1, 1, 0, -0.5, 0.25), groupSize: 2 }), code("PARAM_OUT_OF_RANGE", "correct", 4));
      const x = Float32Array.of(-1, -2, -3, -4), mask = Uint8Array.of(1, 1, 1, 0);
      const rv = { logp: x, oldLogp: x, qLogits: x, oldQLogits: x, advantages: x, mask, width: 2 };
      assert.throws(() => api.roverTargets({ ...rv, clipRatio: 1 }), code("PARAM_OUT_OF_RANGE", "clipRatio"));
      assert.throws(() => api.roverTargets({ ...rv, qLogits: Float32Array.of(0, 0, NaN, 0) }), code("NON_FINITE", "qLogits", 2));
      assert.deepEqual(api.roverTargets({ ...rv, qLogits: Float32Array.of(0, 0, 0, NaN) }).q.length, 4, "NaN at a masked position is not read");
      assert.throws(() => api.gatedRewards({ outcome: Float32Array.of(1), tokenRewards: x, mask, width: 2, tau: 0 }), code("SHAPE_MISMATCH", "outcome"));
      assert.throws(() => api.gatedRewards({ outcome: Float32Array.of(1, 2), tokenRewards: x, mask, width: 2 } as never), code("WRONG_TYPE", "tau"));
    });
    it("found by the fuzz suite: a candidate span of 1e300 lengths is refused (it grew an array until V8 aborted); an overflowing CANON or VeRPO result is RESULT_OVERFLOW, not Infinity", () => {
      assert.throws(() => laserTargetLengths({ lengths: Int32Array.of(1, 2), correct: Uint8Array.of(1, 0), groupSize: 2, lower: 1, upper: 1e300, interval: 2, fallbackLength: 6 }), code("PARAM_OUT_OF_RANGE", "upper"));
      assert.throws(() => api.canon({ scores: Float32Array.of(1, 2, 3, 4), metric: Float32Array.of(1, 2, 3, 4), groupSize: 4, alpha: 1e300, maxLength: 1 }), code("RESULT_OVERFLOW", "scores"));
      assert.throws(() => api.verpoReward({ pass: Uint8Array.of(1, 0, 0, 1), tests: 2, groupSize: 2, localWeight: 1e300 }), code("RESULT_OVERFLOW", "localWeight"));
    });
  });
}
