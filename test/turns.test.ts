// Clip and Delta (provisional) and IGPO: the invariants of docs/numerics.md#properties on both builds, and
// the IGPO turn advantages against a plain f64 reading of docs/kernels.md#igpo.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { builds, RUNS, assertBitwise, toPacked, pack, tolOracle } from "./helpers.js";
import * as ref from "../src/reference/token.js";

const igpoCase = fc.record({ n: fc.integer({ min: 1, max: 4 }), g: fc.integer({ min: 1, max: 3 }), T: fc.integer({ min: 2, max: 16 }), seed: fc.nat() }).chain(({ n, g, T }) =>
  fc.record({
    n: fc.constant(n), g: fc.constant(g), T: fc.constant(T),
    turns: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: n * g, maxLength: n * g }),
    vals: fc.array(fc.float({ noNaN: true, min: -2, max: 2 }), { minLength: 3 * n * g, maxLength: 3 * n * g }),
    zeroGain: fc.boolean(),
  }));

/** Turn advantages in f64, with per turn the magnitude of what cancels (kappa) and of the scan's terms (S). */
function igpoRef(r: Float32Array, to: Int32Array, ids: number[], o: { joint: boolean; norm: boolean; gamma: number; eps: number; varEps: number }): { a: number[]; kappa: number[]; S: number[]; n: number[] } {
  const B = to.length - 1, pools = new Map<string, number[]>();
  const key = (i: number, k: number) => `${ids[i]}:${o.joint || k !== to[i + 1]! - 1 ? "g" : "o"}`;
  for (let i = 0; i < B; i++) for (let k = to[i]!; k < to[i + 1]!; k++) { const p = key(i, k); if (!pools.has(p)) pools.set(p, []); pools.get(p)!.push(r[k]!); }
  const out = new Array(r.length).fill(0), kappa = new Array(r.length).fill(0), S = new Array(r.length).fill(0), n = new Array(r.length).fill(0);
  for (let i = 0; i < B; i++) {
    let A = 0, K = 0, M = 0;
    for (let k = to[i + 1]! - 1; k >= to[i]!; k--) {
      const v = pools.get(key(i, k))!, c = v.length;
      const mu = c <= 1 ? r[k]! : v.reduce((x, y) => x + y, 0) / c;
      const sd = c <= 1 ? 1 : Math.sqrt(v.reduce((x, y) => x + (y - mu) ** 2, 0) / c + o.varEps);
      const den = o.norm ? sd + o.eps : 1;
      const rhat = (r[k]! - mu) / den;
      // r - mu cancels |r| + |mu|; the pool's sum feeds mu (Σ|v|/c) and, through the std, rhat.
      const kap = (Math.abs(r[k]!) + Math.abs(mu)) / den, sens = (Math.abs(r[k]!) + v.reduce((x, y) => x + Math.abs(y), 0)) / den;
      A = rhat + o.gamma * A; K = kap + Math.abs(o.gamma) * K; M = sens + Math.abs(o.gamma) * M;
      out[k] = A; kappa[k] = K; S[k] = M; n[k] = c + (to[i + 1]! - to[i]!);
    }
  }
  return { a: out, kappa, S, n };
}

for (const [build, api] of builds) {
  describe(`Clip, Delta (provisional) and IGPO (${build})`, () => {
    it("Clip output is <= 0; Delta telescopes to r_k - r_{K-1} (zero) or r_k (keep)", () => {
      fc.assert(fc.property(fc.array(fc.float({ noNaN: true, min: -1, max: 1 }), { minLength: 1, maxLength: 8 }), fc.float({ noNaN: true, min: -1, max: 1 }), (vals, eta) => {
        const stepValues = Float32Array.from(vals), stepOffsets = Int32Array.from([0, vals.length]);
        assert.ok(api.clipStepRewards({ stepValues, eta }).every((v) => v <= 0), "api.clipStepRewards({ stepValues, eta }).every((v) => v <= 0)");
        for (const lastStep of ["zero", "keep"] as const) {
          const d = api.deltaStepRewards({ stepValues, stepOffsets, lastStep });
          for (let k = 0; k < vals.length; k++) {
            let sum = 0; for (let j = k; j < vals.length; j++) sum += d[j]!;
            const want = lastStep === "zero" ? stepValues[k]! - stepValues[vals.length - 1]! : stepValues[k]!;
            assert.ok(Math.abs(sum - want) <= 4 * 2 ** -24 * vals.length * 2, `k=${k} ${sum} vs ${want}`);
          }
        }
      }), RUNS);
      assert.throws(() => api.clipStepRewards({ stepValues: new Float32Array(2) } as any), /WRONG_TYPE: eta/);
    });

    it("IGPO: turn advantages match the spec reading; gamma 0 gives rhat; tokens of turn k get A_k, after the last turn 0; packed = padded", () => {
      fc.assert(fc.property(igpoCase, fc.constantFrom(0, 1, 0.9), fc.boolean(), fc.boolean(), ({ n, g, T, turns, vals, zeroGain }, gamma, joint, norm) => {
        const B = n * g, to = new Int32Array(B + 1), ends: number[] = [], rs: number[] = [];
        for (let i = 0; i < B; i++) {
          const K = Math.min(turns[i]!, T);
          for (let k = 0; k < K; k++) { ends.push(Math.floor(((k + 1) * T) / (K + 1)) + (k === K - 1 ? 0 : 0)); rs.push(zeroGain && k === 0 && K > 1 ? 0 : vals[(i * 3 + k) % vals.length]!); }
          to[i + 1] = ends.length;
        }
        // strictly increasing ends within a row
        for (let i = 0; i < B; i++) for (let k = to[i]! + 1; k < to[i + 1]!; k++) if (ends[k]! <= ends[k - 1]!) ends[k] = ends[k - 1]! + 1;
        if (ends.some((t) => t >= T)) return;
        const turnRewards = Float32Array.from(rs), turnEnds = Int32Array.from(ends), mask = new Uint8Array(B * T).fill(1);
        const o = { normMode: joint ? "joint" : "separate", normalizeByStd: norm, gamma } as const;
        const r = api.igpoAdvantage({ turnRewards, turnOffsets: to, turnEnds, mask, width: T, groupSize: n, ...o });
        const want = igpoRef(turnRewards, to, Array.from({ length: B }, (_, i) => Math.floor(i / n)), { joint, norm, gamma, eps: 1e-6, varEps: 1e-8 });
        // The derived oracle tolerance: 4u(|y| + kappa) + 2nUS, kappa and S scanned along the turns.
        r.turnAdvantages.forEach((v, k) => {
          const y = Math.fround(want.a[k]!), tol = tolOracle(y, want.kappa[k]!, want.n[k]!, want.S[k]!);
          assert.ok(Math.abs(v - y) <= tol, `turn ${k}: ${v} vs ${want.a[k]} (tol ${tol})`);
        });
        for (let i = 0; i < B; i++) {
          let from = 0;
          for (let k = to[i]!; k < to[i + 1]!; k++) { for (let t = from; t <= turnEnds[k]!; t++) assert.equal(r.advantages[i * T + t], r.turnAdvantages[k]); from = turnEnds[k]! + 1; }
          for (let t = from; t < T; t++) assert.ok(Object.is(r.advantages[i * T + t], 0), "Object.is(r.advantages[i * T + t], 0)");
        }
        const p = toPacked(mask, B, T, () => T);
        assertBitwise(api.igpoAdvantage({ turnRewards, turnOffsets: to, turnEnds, mask: pack(mask, T, p), offsets: p.offsets, groupSize: n, ...o }).advantages, pack(r.advantages, T, p), "packed");
      }), RUNS);
    });

    it("IGPO turn rewards: gains of exp(value) (prob) or value (logProb), the answer turn gets the outcome", () => {
      const r = api.igpoTurnRewards({ v0: Float32Array.from([Math.log(0.2)]), vTurn: Float32Array.from([Math.log(0.5), Math.log(0.6), 0]), turnOffsets: Int32Array.from([0, 3]), outcome: Float32Array.from([0.8]) });
      // In f64 from the f32 inputs: exp(v_k) - exp(v_{k-1}), then one rounding (exp is correctly
      // rounded within an ulp of f64, far below the f32 rounding); the answer turn is 1 * 0.8.
      const v = [Math.log(0.2), Math.log(0.5), Math.log(0.6)].map(Math.fround);
      const gains = [Math.exp(v[1]!) - Math.exp(v[0]!), Math.exp(v[2]!) - Math.exp(v[1]!)];
      gains.forEach((gk, k) => assert.ok(Math.abs(r[k]! - Math.fround(gk)) <= tolOracle(gk, Math.exp(v[k + 1]!) + Math.exp(v[k]!), 2, 0), `gain ${k}: ${r[k]} vs ${gk}`));
      assert.equal(r[2], Math.fround(0.8));
      const l = api.igpoTurnRewards({ v0: Float32Array.from([-2]), vTurn: Float32Array.from([-1, 0]), turnOffsets: Int32Array.from([0, 2]), outcome: Float32Array.from([1]), valueMode: "logProb", outcomeWeight: 2 });
      assert.deepEqual(Array.from(l), [1, 2]);
    });
  });
}

describe("IGPO turn rewards vs the f64 oracle", () => {
  it("gains and the answer turn on random rows: one f32 rounding of the f64 difference (n = 2 terms of magnitude |val(v_k)| + |val(v_k-1)|)", () => {
    const arb = fc.record({ turns: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 5 }), mode: fc.constantFrom("prob", "logProb"), w: fc.constantFrom(1, 0.5, 2.5), seed: fc.nat() });
    fc.assert(fc.property(arb, ({ turns, mode, w, seed }) => {
      const B = turns.length, turnOffsets = new Int32Array(B + 1);
      turns.forEach((n, i) => { turnOffsets[i + 1] = turnOffsets[i]! + n; });
      const vTurn = Float32Array.from({ length: turnOffsets[B]! }, (_, k) => -Math.abs(Math.sin(k * 1.7 + seed)) * 6);
      const v0 = Float32Array.from({ length: B }, (_, i) => -Math.abs(Math.cos(i + seed)) * 6), outcome = Float32Array.from({ length: B }, (_, i) => ((i + seed) % 3) / 3);
      const want = ref.igpoTurnRewards(v0, vTurn, turnOffsets, outcome, mode, w);
      for (const [build, api] of builds) {
        const got = api.igpoTurnRewards({ v0, vTurn, turnOffsets, outcome, valueMode: mode, outcomeWeight: w });
        got.forEach((g, k) => {
          const y = Math.fround(want.values[k]!), tol = tolOracle(y, 0, 2, want.magnitude[k]!);
          assert.ok(Math.abs(g - y) <= tol, `${build} ${mode} [${k}]: ${g} vs ${want.values[k]} (tol ${tol})`);
        });
      }
    }), RUNS);
  });
});
