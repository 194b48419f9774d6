// The token input check (valid_absbits3_f32): it reads exactly the valid positions of every layout
// (holey mask rows, prefix mask rows, lengths, packed), on both builds. Through the public API: a
// NaN or an infinity at a valid position is NON_FINITE with that flat index, anywhere else it is
// never read. On the raw export: the returned bits are the largest |x| over the valid positions.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { builds, RUNS } from "./helpers.js";

const SPECIAL = [NaN, Infinity, -Infinity];

const batch = fc.record({ B: fc.integer({ min: 1, max: 5 }), T: fc.integer({ min: 1, max: 40 }) }).chain(({ B, T }) =>
  fc.record({
    B: fc.constant(B), T: fc.constant(T),
    x: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e30), max: Math.fround(1e30) }), { minLength: B * T, maxLength: B * T }),
    // per row: a prefix length, and whether to punch holes into it (then the row is not a prefix)
    lens: fc.array(fc.integer({ min: 0, max: T }), { minLength: B, maxLength: B }),
    holes: fc.array(fc.integer({ min: 0, max: 4 * T }), { maxLength: 4 }),
    // non-finite values at random flat positions (valid or not)
    bad: fc.array(fc.tuple(fc.integer({ min: 0, max: B * T - 1 }), fc.constantFrom(...SPECIAL)), { maxLength: 3 }),
  }));

function layouts(B: number, T: number, lens: number[], holes: number[]) {
  const mask = new Uint8Array(B * T);
  for (let i = 0; i < B; i++) mask.fill(1, i * T, i * T + lens[i]!);
  for (const h of holes) if (h < B * T) mask[h] = 0;
  return mask;
}

describe("token input check: only valid positions are read, in every layout", () => {
  it("NON_FINITE names the first valid non-finite flat index; invalid positions are ignored (both builds)", () => {
    fc.assert(fc.property(batch, ({ B, T, x, lens, holes, bad }) => {
      const r = Float32Array.from(x);
      for (const [k, v] of bad) r[k] = v;
      const holey = layouts(B, T, lens, holes), prefix = layouts(B, T, lens, []);
      const firstBad = (m: Uint8Array) => { for (let k = 0; k < B * T; k++) if (m[k] && !Number.isFinite(r[k])) return k; return -1; };
      for (const [build, api] of builds) {
        const cases: [string, Record<string, unknown>, number][] = [
          ["holey mask", { mask: holey, width: T }, firstBad(holey)],
          ["prefix mask", { mask: prefix, width: T }, firstBad(prefix)],
          ["lengths", { lengths: Int32Array.from(lens), width: T }, firstBad(prefix)],
        ];
        for (const [what, layout, want] of cases) {
          const run = () => api.discountedReturns({ tokenRewards: r, gamma: 1, ...layout } as any);
          if (want < 0) {
            // finite valid values may still overflow the f32 sum; that is a different error
            try { run(); } catch (e: any) { assert.equal(e.code, "RESULT_OVERFLOW", `${build} ${what}: ${e.message}`); }
          } else assert.throws(run, (e: any) => e.code === "NON_FINITE" && e.argument === "tokenRewards" && e.index === want, `${build} ${what}: index ${want}`);
        }
      }
    }), RUNS);
  });

  it("returns max |x| of each of three tensors over the valid positions as f32 bits (>= 0x7f800000 when one is not finite)", () => {
    fc.assert(fc.property(batch, fc.boolean(), ({ B, T, x, lens, holes, bad }, usePrefix) => {
      const r = Float32Array.from(x);
      for (const [k, v] of bad) r[k] = v;
      // three different tensors: r, r reversed, and r halved with its first bad value moved
      const tensors = [r, r.slice().reverse(), r.map((v) => v / 2)];
      const mask = layouts(B, T, lens, holes);
      const want = tensors.map((a) => {
        const bits = new Int32Array(a.buffer);
        let m = 0;
        for (let k = 0; k < B * T; k++) if (mask[k]) m = Math.max(m, bits[k]! & 0x7fffffff);
        return m;
      });
      for (const [build, api] of builds) {
        const e = (api as any).engine;
        const ps = tensors.map((a) => { const p = e.alloc(B * T * 4); e.F32.set(a, p >> 2); return p; });
        const mp = e.alloc(B * T + 16), pp = e.alloc(B * 4), out = e.alloc(16);
        e.U8.set(mask, mp);
        if (usePrefix) assert.ok(e.exports.mask_scan_rows_u8(mp, 0, B, T, pp, 0, 0) >= 0, "e.exports.mask_scan_rows_u8(mp, 0, B, T, pp, 0, 0) >= 0");
        e.exports.valid_absbits3_f32(ps[0], ps[1], ps[2], mp, 0, 0, usePrefix ? pp : 0, B, T, out, 0);
        assert.deepEqual(Array.from(e.I32.subarray(out >> 2, (out >> 2) + 3)), want, `${build} prefix=${usePrefix}`);
        // fewer tensors: repeated pointers (the one- and two-tensor loops)
        e.exports.valid_absbits3_f32(ps[0], ps[0], ps[0], mp, 0, 0, usePrefix ? pp : 0, B, T, out, 0);
        assert.deepEqual(Array.from(e.I32.subarray(out >> 2, (out >> 2) + 3)), [want[0], want[0], want[0]], `${build} one tensor`);
        e.exports.valid_absbits3_f32(ps[0], ps[1], ps[1], mp, 0, 0, usePrefix ? pp : 0, B, T, out, 0);
        assert.deepEqual(Array.from(e.I32.subarray(out >> 2, (out >> 2) + 3)), [want[0], want[1], want[1]], `${build} two tensors`);
        for (const p of [...ps, mp, pp, out]) e.release(p);
      }
    }), RUNS);
  });
});
