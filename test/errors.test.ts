// Spec docs/contracts.md#errors (docs/contracts.md#errors): every bad input throws a typed error naming the argument and the
// first offending index, before any output is written; inputs are never modified.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { RlaRangeError, RlaTypeError } from "../src/core/errors.js";
import { builds, f32, thrown } from "./helpers.js";
import type { RlAdvantage } from "../src/api.js";

const SENTINEL = 12345.5;

/** A padded workspace with valid inputs; `spoil` breaks one, then the call must throw. */
function wsCase(api: RlAdvantage, opts: { valid?: "mask" | "lengths"; groupSize?: number } = {}) {
  const ws = api.createWorkspace({ rows: 8, width: 4, valid: opts.valid ?? "mask", ...(opts.groupSize ? { groupSize: opts.groupSize } : { maxGroups: 4 }), extraViews: ["tokenRewards"] });
  ws.scores.set([1, 0, 0, 1, 0.5, 0.25, 1, 0]);
  ws.groupIds.set([0, 0, 0, 0, 1, 1, 2, 2]);
  if ((opts.valid ?? "mask") === "mask") ws.mask.fill(1); else ws.lengths.fill(4);
  ws.advantages.fill(SENTINEL);
  ws.rowAdvantages.fill(SENTINEL);
  return ws;
}
function assertUntouched(ws: { advantages: Float32Array; rowAdvantages: Float32Array }) {
  assert.ok(ws.advantages.every((v) => v === SENTINEL), "token output written before the throw");
  assert.ok(ws.rowAdvantages.every((v) => v === SENTINEL), "row output written before the throw");
}
function expectError(e: unknown, cls: typeof RlaRangeError | typeof RlaTypeError, code: string, argument: string, index: number) {
  assert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
  assert.equal((e as RlaRangeError).code, code, (e as Error).message);
  assert.equal((e as RlaRangeError).argument, argument, (e as Error).message);
  assert.equal((e as RlaRangeError).index, index, (e as Error).message);
}

for (const [build, api] of builds) {
  describe(`typed errors (${build})`, () => {
    it("WRONG_TYPE: Float64Array scores, non-integer groupSize, non-number eps", () => {
      const s = new Float64Array(8);
      expectError(thrown(() => api.grpo({ scores: s as any, groupSize: 4 })), RlaTypeError, "WRONG_TYPE", "scores", -1);
      expectError(thrown(() => api.grpo({ scores: new Float32Array(8), groupSize: 2.5 })), RlaTypeError, "WRONG_TYPE", "groupSize", -1);
      expectError(thrown(() => api.grpo({ scores: new Float32Array(8), groupSize: 4, eps: "1e-6" as any })), RlaTypeError, "WRONG_TYPE", "eps", -1);
      expectError(thrown(() => api.grpo({ scores: new Float32Array(8), groupIds: [0, 0] as any })), RlaTypeError, "WRONG_TYPE", "groupIds", -1);
    });

    it("STALE_VIEW: a view of a disposed or resized workspace is refused by every call", () => {
      const ws = api.createWorkspace({ rows: 4, width: 2, groupSize: 2 });
      const old = ws.scores;
      ws.dispose();
      expectError(thrown(() => api.grpo({ scores: old, groupSize: 2 })), RlaTypeError, "STALE_VIEW", "scores", -1);
      const a = api.createWorkspace({ rows: 4, width: 2, groupSize: 2 });
      const kept = a.scores;
      const b = a.resize({ rows: 8 });
      expectError(thrown(() => api.rloo({ scores: kept, groupSize: 2 })), RlaTypeError, "STALE_VIEW", "scores", -1);
      assert.equal(b.scores.length, 8, "the resized workspace hands out its own views");
      b.dispose();
    });

    it("SHAPE_MISMATCH: mask length, groupIds length, offsets vs tokens, baselines", () => {
      const ws = wsCase(api);
      expectError(thrown(() => api.grpo({ scores: ws.scores, mask: new Uint8Array(31), groupSize: 4 })), RlaRangeError, "SHAPE_MISMATCH", "mask", -1);
      expectError(thrown(() => api.grpo({ scores: f32([1, 2, 3]), groupIds: new Int32Array(4) })), RlaRangeError, "SHAPE_MISMATCH", "groupIds", -1);
      expectError(thrown(() => api.grpo({ tokenRewards: new Float32Array(5), offsets: Int32Array.from([0, 2, 6]), groupSize: 2, mask: new Uint8Array(6) })), RlaRangeError, "SHAPE_MISMATCH", "mask", -1);
      expectError(thrown(() => api.remax({ tokenRewards: new Float32Array(8), mask: new Uint8Array(8).fill(1), width: 4, baselines: new Float32Array(3) })), RlaRangeError, "SHAPE_MISMATCH", "baselines", -1);
    });

    it("BAD_OFFSETS: offsets[0] != 0, not monotone (index), offsets[B] != N; lengths outside [0, T]", () => {
      const s = f32([1, 0, 1, 0]);
      expectError(thrown(() => api.grpo({ scores: s, offsets: Int32Array.from([1, 2, 3, 4, 5]), groupSize: 2, tokenRewards: undefined })), RlaRangeError, "BAD_OFFSETS", "offsets", 0);
      expectError(thrown(() => api.grpo({ scores: s, offsets: Int32Array.from([0, 2, 1, 4, 5]), groupSize: 2 })), RlaRangeError, "BAD_OFFSETS", "offsets", 2);
      expectError(thrown(() => api.grpo({ scores: s, offsets: Int32Array.from([0, 1, 2, 3, 4]), mask: new Uint8Array(5), groupSize: 2 })), RlaRangeError, "BAD_OFFSETS", "offsets", 4);
      const ws = wsCase(api, { valid: "lengths", groupSize: 4 });
      ws.lengths[5] = 5;
      expectError(thrown(() => ws.grpo()), RlaRangeError, "BAD_OFFSETS", "lengths", 5);
      assertUntouched(ws);
      // A workspace's lengths are checked where they live (a SIMD scan): the first bad row past
      // the vector blocks, negative or above the width, as the JS compare of a copy finds it.
      const W = 41, wide = api.createWorkspace({ rows: W, width: 6, valid: "lengths", groupSize: 1 });
      for (const [at, v, also] of [[29, 7, 33], [30, -1, 40], [40, 2 ** 31 - 1, -1], [0, -2147483648, 3]] as const) {
        const L = Int32Array.from({ length: W }, (_, i) => i % 7);
        L[at] = v; if (also >= 0) L[also] = 9;
        wide.lengths.set(L);
        expectError(thrown(() => wide.grpo()), RlaRangeError, "BAD_OFFSETS", "lengths", at);
        expectError(thrown(() => api.grpo({ scores: new Float32Array(W), lengths: L, width: 6, groupSize: 1 })), RlaRangeError, "BAD_OFFSETS", "lengths", at);
      }
    });

    it("GROUP_ID_OUT_OF_RANGE: id >= numGroups, negative id", () => {
      const ws = wsCase(api);
      ws.groupIds[6] = 7;
      expectError(thrown(() => ws.grpo({ numGroups: 3 })), RlaRangeError, "GROUP_ID_OUT_OF_RANGE", "groupIds", 6);
      ws.groupIds[6] = -1;
      expectError(thrown(() => ws.rloo()), RlaRangeError, "GROUP_ID_OUT_OF_RANGE", "groupIds", 6);
      assertUntouched(ws);
    });

    it("GROUP_SIZE_INVALID: B % n != 0 and n < 1", () => {
      expectError(thrown(() => api.grpo({ scores: new Float32Array(6), groupSize: 4 })), RlaRangeError, "GROUP_SIZE_INVALID", "groupSize", -1);
      expectError(thrown(() => api.grpo({ scores: new Float32Array(6), groupSize: 0 })), RlaRangeError, "GROUP_SIZE_INVALID", "groupSize", -1);
      expectError(thrown(() => api.createWorkspace({ rows: 6, width: 2, groupSize: 4 })), RlaRangeError, "GROUP_SIZE_INVALID", "groupSize", -1);
    });

    it("MASK_NOT_BINARY: a byte 2 and a float 0.5, at their flat index", () => {
      const ws = wsCase(api);
      ws.mask[13] = 2;
      expectError(thrown(() => ws.grpo()), RlaRangeError, "MASK_NOT_BINARY", "mask", 13);
      expectError(thrown(() => ws.reinforcePPBaseline()), RlaRangeError, "MASK_NOT_BINARY", "mask", 13);
      assertUntouched(ws);
      const m = new Float32Array(32).fill(1); m[30] = 0.5;
      expectError(thrown(() => api.grpo({ scores: ws.scores, mask: m, groupIds: ws.groupIds })), RlaRangeError, "MASK_NOT_BINARY", "mask", 30);
      const ok = new Float32Array(32).fill(1); ok[3] = -0; // -0 counts as 0
      assert.equal(api.grpo({ scores: ws.scores, mask: ok, groupIds: ws.groupIds }).advantages![3], 0);
      const tr = new Uint8Array(8); tr[2] = 3;
      ws.mask[13] = 1;
      expectError(thrown(() => api.dler({ scores: ws.scores, mask: ws.mask, groupSize: 4, truncated: tr })), RlaRangeError, "MASK_NOT_BINARY", "truncated", 2);
    });

    it("PARAM_OUT_OF_RANGE: eps < 0, hi <= lo, fNorm <= 0, gamma > 1, alpha < 1", () => {
      const ws = wsCase(api, { groupSize: 4 });
      expectError(thrown(() => ws.grpo({ eps: -1e-6 })), RlaRangeError, "PARAM_OUT_OF_RANGE", "eps", -1);
      expectError(thrown(() => ws.bnpo({ lo: 1, hi: 1 })), RlaRangeError, "PARAM_OUT_OF_RANGE", "hi", -1);
      expectError(thrown(() => ws.bnpo({ alpha: 0.5 })), RlaRangeError, "PARAM_OUT_OF_RANGE", "alpha", -1);
      expectError(thrown(() => ws.gpg({ fNorm: 0 })), RlaRangeError, "PARAM_OUT_OF_RANGE", "fNorm", -1);
      expectError(thrown(() => ws.openrlhfOutcome({ estimator: "reinforce", gamma: 1.5 })), RlaRangeError, "PARAM_OUT_OF_RANGE", "gamma", -1);
      expectError(thrown(() => ws.reinforcePPBaseline({ whitenEps: -1 })), RlaRangeError, "PARAM_OUT_OF_RANGE", "whitenEps", -1);
      assertUntouched(ws);
    });

    it("UNKNOWN_OPTION: a misspelt key and an unknown enum value", () => {
      const ws = wsCase(api, { groupSize: 4 });
      expectError(thrown(() => ws.grpo({ epsilon: 1e-6 } as any)), RlaRangeError, "UNKNOWN_OPTION", "epsilon", -1);
      expectError(thrown(() => ws.grpo({ singleton: "drop" as any })), RlaRangeError, "UNKNOWN_OPTION", "singleton", -1);
      expectError(thrown(() => ws.grpo({ preset: "deepspeed" as any })), RlaRangeError, "UNKNOWN_OPTION", "preset", -1);
      expectError(thrown(() => api.grpo({ scores: ws.scores, groupSize: 4, gruopSize: 4 } as any)), RlaRangeError, "UNKNOWN_OPTION", "gruopSize", -1);
      assertUntouched(ws);
    });

    it("NON_FINITE: NaN score, NaN at a read token position, Infinity read by rowScore 'all'", () => {
      const ws = wsCase(api, { groupSize: 4 });
      ws.scores[5] = NaN;
      expectError(thrown(() => ws.grpo()), RlaRangeError, "NON_FINITE", "scores", 5);
      ws.scores[5] = 0.25;
      ws.tokenRewards.fill(0);
      ws.mask[9] = 0;
      ws.tokenRewards[9] = NaN; // a masked position: "valid" never reads it, "all" does
      const rv = ws.grpo({ input: "tokenRewards", rowScore: "valid" });
      assert.ok(rv.rowAdvantages.every(Number.isFinite), "rv.rowAdvantages.every(Number.isFinite)");
      ws.advantages.fill(SENTINEL); ws.rowAdvantages.fill(SENTINEL);
      expectError(thrown(() => ws.grpo({ input: "tokenRewards", rowScore: "all" })), RlaRangeError, "NON_FINITE", "tokenRewards", 9);
      ws.tokenRewards[9] = 0; ws.tokenRewards[17] = Infinity;
      expectError(thrown(() => ws.grpo({ input: "tokenRewards", rowScore: "valid" })), RlaRangeError, "NON_FINITE", "tokenRewards", 17);
      assertUntouched(ws);
      expectError(thrown(() => api.grpo({ scores: ws.scores, groupSize: 4, eps: NaN })), RlaRangeError, "NON_FINITE", "eps", -1);
    });

    it("TOO_FEW_VALID: whitening with one valid token (unbiased) or none (biased)", () => {
      const ws = wsCase(api, { groupSize: 4 });
      ws.mask.fill(0); ws.mask[6] = 1;
      expectError(thrown(() => ws.reinforcePPBaseline()), RlaRangeError, "TOO_FEW_VALID", "mask", -1);
      ws.mask.fill(0);
      expectError(thrown(() => ws.dler({ whitenVariance: "biased" })), RlaRangeError, "TOO_FEW_VALID", "mask", -1);
      assertUntouched(ws);
    });

    it("GROUP_TOO_SMALL: singleton under 'error' (index = the row), Pass@k singleton", () => {
      const ws = wsCase(api);
      ws.groupIds.set([0, 0, 0, 0, 1, 2, 2, 2]);
      expectError(thrown(() => ws.grpo({ singleton: "error" })), RlaRangeError, "GROUP_TOO_SMALL", "groupIds", 4);
      expectError(thrown(() => ws.grpo({ preset: "openrlhf" })), RlaRangeError, "GROUP_TOO_SMALL", "groupIds", 4);
      expectError(thrown(() => ws.grpoPassK()), RlaRangeError, "GROUP_TOO_SMALL", "groupIds", 4);
      assertUntouched(ws);
    });

    it("DOMAIN: BNPO group mean outside [0, 1]", () => {
      const ws = wsCase(api, { groupSize: 4 });
      ws.scores.set([2, 2, 1, 2, 0, 1, 0, 1]); // acc + format in {0,1,2} with the default hi = 1
      expectError(thrown(() => ws.bnpo()), RlaRangeError, "DOMAIN", "scores", 0);
      assertUntouched(ws);
      assert.doesNotThrow(() => ws.bnpo({ lo: 0, hi: 2 }));
    });

    it("RESULT_OVERFLOW: an advantage outside the f32 range", () => {
      const ws = wsCase(api, { groupSize: 4 });
      ws.scores.set([3e38, -3e38, 0, 0, 1, 1, 1, 1]);
      expectError(thrown(() => ws.rloo()), RlaRangeError, "RESULT_OVERFLOW", "scores", 0);
      // The fused pass writes rowAdvantages directly and poisons it when it finds the overflow;
      // the token advantages are never written.
      assert.ok(ws.rowAdvantages.every(Number.isNaN), "row output poisoned");
      assert.ok(ws.advantages.every((v) => v === SENTINEL), "token output untouched");
      ws.rowAdvantages.fill(SENTINEL);
      expectError(thrown(() => ws.rloo({ batchNormalize: true })), RlaRangeError, "RESULT_OVERFLOW", "scores", 0);
      assertUntouched(ws);
    });

    it("validation order: structure before mask values before parameters before finiteness", () => {
      const ws = wsCase(api);
      ws.groupIds[7] = 9; ws.mask[3] = 5; ws.scores[0] = NaN;
      expectError(thrown(() => ws.grpo({ eps: -1, numGroups: 3 })), RlaRangeError, "GROUP_ID_OUT_OF_RANGE", "groupIds", 7);
      ws.groupIds[7] = 2;
      expectError(thrown(() => ws.grpo({ eps: -1 })), RlaRangeError, "MASK_NOT_BINARY", "mask", 3);
      ws.mask[3] = 1;
      expectError(thrown(() => ws.grpo({ eps: -1 })), RlaRangeError, "PARAM_OUT_OF_RANGE", "eps", -1);
      expectError(thrown(() => ws.grpo()), RlaRangeError, "NON_FINITE", "scores", 0);
      assertUntouched(ws);
    });

    it("inputs are bitwise unchanged after successful and failing calls (copy API)", () => {
      const scores = f32([1, 0, 0.5, 0.25, 2, 2, 3, NaN]);
      const mask = new Uint8Array(32).fill(1); mask[3] = 0;
      const ids = Int32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
      const snap = [scores.slice(), mask.slice(), ids.slice()];
      thrown(() => api.grpo({ scores, mask, groupIds: ids }));
      scores[7] = 1;
      snap[0] = scores.slice();
      api.grpo({ scores, mask, groupIds: ids });
      api.rloo({ scores, mask, groupIds: ids });
      api.bnpo({ scores: f32([1, 0, 1, 1, 0, 0, 1, 0]), mask, groupIds: ids });
      assert.deepEqual([scores, mask, ids], snap);
    });
  });
}
