// Layout equivalences (docs/layouts.md#token-layouts): padded mask = prefix lengths = packed, Uint8 = Float32 masks,
// NaN at masked positions never read (P-nan-off-mask), token rewards summed in a layout-
// independent order (bitwise).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { builds, assertBitwise, RUNS, toPacked, pack } from "./helpers.js";
import * as ref from "../src/reference/index.js";

for (const [build, api] of builds) {
  describe(`layouts (${build})`, () => {
    it("prefix masks: mask = lengths = packed, Uint8 = Float32 mask (bitwise)", () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 70 }), fc.nat(), (n, g, T, seed) => {
        const B = n * g;
        const lengths = Int32Array.from({ length: B }, (_, i) => (i * 31 + seed) % (T + 1));
        const mask = new Uint8Array(B * T);
        lengths.forEach((L, i) => mask.fill(1, i * T, i * T + L));
        // Non-dyadic values: their sums round, so only a layout-independent summation order is bitwise equal.
        const tok = Float32Array.from({ length: B * T }, (_, k) => Math.fround(Math.sin(k * 12.9898 + seed * 78.233) * 3.7));
        const byMask = api.grpo({ tokenRewards: tok, mask, width: T, groupSize: n, rowScore: "valid" });
        const byLens = api.grpo({ tokenRewards: tok, lengths, width: T, groupSize: n, rowScore: "valid" });
        const byF32 = api.grpo({ tokenRewards: tok, mask: Float32Array.from(mask), width: T, groupSize: n, rowScore: "valid" });
        assertBitwise(byMask.advantages!, byLens.advantages!, "mask vs lengths");
        assertBitwise(byMask.advantages!, byF32.advantages!, "u8 vs f32 mask");
        const p = toPacked(mask, B, T, (i, last) => last + 1 + (i % 2));
        const packed = api.grpo({ tokenRewards: pack(tok, T, p), mask: pack(mask, T, p), offsets: p.offsets, groupSize: n, rowScore: "valid" });
        assertBitwise(packed.rowAdvantages, byMask.rowAdvantages, "packed rows");
        const noMask = api.grpo({ tokenRewards: pack(tok, T, toPacked(mask, B, T, (_i, last) => last + 1)), offsets: toPacked(mask, B, T, (_i, last) => last + 1).offsets, groupSize: n });
        // Packed without a mask: every packed token valid; the prefix rows make that the same batch.
        assertBitwise(noMask.rowAdvantages, byMask.rowAdvantages, "packed, no mask");
      }), RUNS);
    });

    it("NaN at masked positions changes nothing (rowScore 'valid'); rowScore 'all' reads and rejects it", () => {
      const tok = Float32Array.from([1, 2, NaN, 0, 0, 0, 3, NaN]);
      const mask = Uint8Array.from([1, 1, 0, 0, 1, 1, 1, 0]);
      const clean = tok.map((v) => (Number.isNaN(v) ? 0 : v));
      const a = api.grpo({ tokenRewards: tok, mask, width: 4, groupSize: 2, rowScore: "valid" });
      const b = api.grpo({ tokenRewards: clean, mask, width: 4, groupSize: 2, rowScore: "valid" });
      assertBitwise(a.advantages!, b.advantages!, "nan off mask");
      assert.throws(() => api.grpo({ tokenRewards: tok, mask, width: 4, groupSize: 2, rowScore: "all" }), /NON_FINITE: tokenRewards\[2\]/);
      assert.throws(() => api.grpo({ tokenRewards: tok, mask, groupSize: 2 }), /SHAPE_MISMATCH: width/, "padded token tensors need rows or width");
    });

    it("rowScores and broadcastRows on their own", () => {
      const tok = Float32Array.from([1, 2, 3, 4, 5, 6]);
      assert.deepEqual(Array.from(api.rowScores({ tokenRewards: tok, mask: Uint8Array.from([1, 0, 1, 1, 1, 0]), width: 3, rowScore: "valid" })), [4, 9]);
      assert.deepEqual(Array.from(api.rowScores({ tokenRewards: tok, offsets: Int32Array.from([0, 1, 6]) })), [1, 20]);
      assert.deepEqual(Array.from(api.broadcastRows({ values: Float32Array.from([2, -1]), lengths: Int32Array.from([1, 3]), width: 3 })), [2, 0, 0, -1, -1, -1]);
    });
  });
}

describe("byte-mask scan and broadcast on wide rows (prefix detection, holes, bad bytes)", () => {
  const maskArb = fc.record({ B: fc.integer({ min: 1, max: 6 }), T: fc.integer({ min: 1, max: 100 }), seed: fc.nat(), kinds: fc.array(fc.constantFrom("prefix", "holes", "random", "zeros", "ones"), { minLength: 6, maxLength: 6 }) })
    .map(({ B, T, seed, kinds }) => {
      const mask = new Uint8Array(B * T);
      let r = seed;
      const next = () => (r = (r * 1103515245 + 12345) >>> 0);
      for (let i = 0; i < B; i++) {
        const L = next() % (T + 1), k = kinds[i]!;
        if (k === "prefix" || k === "holes") mask.fill(1, i * T, i * T + L);
        if (k === "ones") mask.fill(1, i * T, i * T + T);
        if (k === "holes" && L > 0) mask[i * T + (next() % L)] = 0;
        if (k === "random") for (let t = 0; t < T; t++) mask[i * T + t] = next() & 1;
      }
      return { B, T, mask, bad: next() % (B * T) };
    });
  for (const [build, api] of builds) {
    it(`broadcast equals the oracle bitwise; empty rows counted; first bad byte reported (${build})`, () => {
      fc.assert(fc.property(maskArb, ({ B, T, mask, bad }) => {
        const values = Float32Array.from({ length: B }, (_, i) => i - 2.5);
        const got = api.broadcastRows({ values, mask, width: T });
        assertBitwise(got, ref.broadcast(values, mask, B, T), "broadcast");
        const empty = ref.rowLengths(mask, B, T).filter((L) => L === 0).length;
        assert.equal(api.grpo({ scores: values, mask, groupSize: 1, singleton: "zero" }).diagnostics.emptyRows, empty);
        const broken = mask.slice();
        broken[bad] = 2 + (bad % 3);
        assert.throws(() => api.broadcastRows({ values, mask: broken, width: T }), (e: any) => e.code === "MASK_NOT_BINARY" && e.index === bad);
      }), RUNS);
    });
  }
});
