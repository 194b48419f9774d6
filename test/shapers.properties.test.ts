// Properties of the reward shapers (docs/shapers.md), tested as properties on random non-dyadic
// inputs, and the persistence of their state: a run split in two with a save / restore between
// the halves gives bitwise the results of an uninterrupted run.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { builds, RUNS, U32, U64 } from "./helpers.js";
import { RunningStats } from "../src/shape/running-stats.js";
import { HapoHistory, laserTargetLengths } from "../src/shape/length.js";
import { BcoShift } from "../src/shape/bco.js";
import { phiInv } from "../src/core/math.js";
import * as refShape from "../src/reference/shape.js";

const val = (lo: number, hi: number) => fc.integer({ min: Math.round(lo * 1000), max: Math.round(hi * 1000) }).map((k) => Math.fround(k / 1000 + 1e-4));
const f32s = (n: number, lo: number, hi: number) => fc.array(val(lo, hi), { minLength: n, maxLength: n }).map((a) => Float32Array.from(a));
const sorted = (a: ArrayLike<number>) => Array.from(a).sort((x, y) => x - y);

/** Φ(x) by its Taylor series 0.5 + φ(x) Σ x^(2n+1)/(2n+1)!!, accurate to ~1e-15 for |x| < 3. */
function phi(x: number): number {
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) { term *= (x * x) / (2 * n + 1); sum += term; if (Math.abs(term) < 1e-18 * Math.abs(sum)) break; }
  return 0.5 + Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) * sum;
}

describe("RunningStats", () => {
  it("after any sequence of updates, (n, mean, variance) equal the two-pass population statistics of the concatenation; merge equals sequential updates", () => {
    fc.assert(fc.property(fc.array(fc.array(val(-100, 100), { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 6 }), (bs) => {
      const s = new RunningStats();
      for (const b of bs) s.update(b);
      const all = bs.flat(), n = all.length, mean = all.reduce((p, v) => p + v, 0) / n;
      const v = all.reduce((p, x) => p + (x - mean) ** 2, 0) / n, S = all.reduce((p, x) => p + Math.abs(x), 0);
      assert.equal(s.n, n);
      assert.ok(Math.abs(s.mean - mean) <= 4 * n * U64 * S / n, `mean ${s.mean} vs ${mean}`);
      // The variance's reduction bound: 2n U Σ(|x| + |mean|)^2 / n (squares of the centred values).
      const S2 = all.reduce((p, x) => p + (Math.abs(x) + Math.abs(mean)) ** 2, 0);
      assert.ok(Math.abs(s.variance - (n > 1 ? v : 0)) <= 4 * n * U64 * S2 / n, `variance ${s.variance} vs ${v}`);
      assert.equal(s.min, Math.min(...all)); assert.equal(s.max, Math.max(...all));
      // Two ranks, merged.
      const half = Math.ceil(bs.length / 2), a = new RunningStats(), b = new RunningStats();
      bs.slice(0, half).forEach((x) => a.update(x)); bs.slice(half).forEach((x) => b.update(x));
      const m = RunningStats.merge(a, b);
      assert.equal(m.n, s.n);
      assert.ok(Math.abs(m.mean - s.mean) <= 8 * n * U64 * S / n, "Math.abs(m.mean - s.mean) <= 8 * n * U64 * S / n");
      assert.ok(Math.abs(m.M2 - s.M2) <= 8 * n * U64 * S2, "Math.abs(m.M2 - s.M2) <= 8 * n * U64 * S2");
      assert.equal(m.min, s.min); assert.equal(m.max, s.max);
    }), RUNS);
  });
  it("toJSON / fromJSON restore the state bitwise, before and after the first update", () => {
    const s = new RunningStats();
    assert.deepEqual(RunningStats.fromJSON(JSON.parse(JSON.stringify(s))), s);
    s.update([0.1, 0.7, 1 / 3]);
    const t = RunningStats.fromJSON(JSON.parse(JSON.stringify(s)));
    for (const k of ["n", "mean", "M2", "min", "max"] as const) assert.ok(Object.is(t[k], s[k]), k);
    assert.throws(() => RunningStats.fromJSON({ n: 1, mean: "x", M2: 0, min: 0, max: 0 }), /WRONG_TYPE: stats.mean/);
    assert.throws(() => RunningStats.fromJSON({ n: -1, mean: 0, M2: 0, min: 0, max: 0 }), /PARAM_OUT_OF_RANGE: stats.n/);
  });
});

for (const [build, api] of builds) {
  describe(`shaper properties (${build})`, () => {
    it("persistence: PAR with meanstd + clipping + minmax over 6 batches, and HAPO over 6 batches, split in two with a JSON save / restore between, equal the uninterrupted run bitwise", () => {
      fc.assert(fc.property(fc.array(f32s(8, -30, 30), { minLength: 6, maxLength: 6 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3000 }), fc.boolean()), { minLength: 48, maxLength: 48 }), (rs, cut, rows) => {
        const o = { meanstd: true, clipping: true, minmax: true, ceil: 20 };
        const whole = new RunningStats(), a = rs.map((r) => api.parShape({ r, stats: whole, ...o }));
        let part = new RunningStats();
        const b = rs.map((r, k) => { if (k === cut) part = RunningStats.fromJSON(JSON.parse(JSON.stringify(part))); return api.parShape({ r, stats: part, ...o }); });
        assert.deepEqual(b, a);
        assert.deepEqual(part.toJSON(), whole.toJSON());
        const batch = (k: number) => { const x = rows.slice(8 * k, 8 * k + 8); return { lengths: Int32Array.from(x, (v) => v[1]), correct: Uint8Array.from(x, (v) => +v[2]), promptIds: Int32Array.from(x, (v) => v[0]) }; };
        const run = (restoreAt: number) => {
          let h = new HapoHistory();
          return Array.from({ length: 6 }, (_, k) => {
            if (k === restoreAt) h = HapoHistory.fromJSON(JSON.parse(JSON.stringify(h)));
            const bb = batch(k), r = api.hapoLengthReward({ ...bb, history: h, base: Float32Array.from(bb.correct), weight: 0.8 }).reward!;
            h.update(bb.lengths, bb.correct, bb.promptIds);
            return r;
          });
        };
        assert.deepEqual(run(cut), run(-1));
      }), { ...RUNS, numRuns: Math.min(RUNS.numRuns, 60) });
    });

    it("PAR: in (0,1), non-decreasing in r, 0.5 against references equal to r, shift-invariant, and only the first maxRef references count", () => {
      fc.assert(fc.property(f32s(16, -20, 20), fc.array(f32s(16, -20, 20), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 6 }), (r0, refRows, maxRef) => {
        const M = refRows.length, r = Float32Array.from(sorted(r0));
        const refs = { values: Float32Array.from({ length: 16 * M }, (_, j) => refRows[j % M]![Math.floor(j / M)]!), perRow: M };
        const y = api.parShape({ r, refs, sigmoid: true, maxRef });
        // (0,1) in exact arithmetic; rounded to f32 the mean of sigmoids m reaches 1 only when
        // 1 - m < 2^-25 (half the f32 spacing below 1), and 0 only below 2^-150.
        for (let i = 0; i < 16; i++) {
          const used = refRows.slice(0, maxRef), m = used.reduce((p, row) => p + 1 / (1 + Math.exp(-(r[i]! - row[i]!))), 0) / used.length;
          assert.ok(y[i]! > 0 && (y[i]! < 1 || 1 - m < 2 ** -25), `PAR ${y[i]} (f64 ${m})`);
        }
        // Different references per row break monotonicity across rows; the same references for every row do not.
        const same = { values: Float32Array.from({ length: 16 * M }, (_, j) => refRows[j % M]![0]!), perRow: M };
        const z = api.parShape({ r, refs: same, sigmoid: true, maxRef });
        for (let i = 1; i < 16; i++) assert.ok(z[i]! >= z[i - 1]!, `non-decreasing at ${i}`);
        const eq = api.parShape({ r, refs: { values: Float32Array.from({ length: 16 * M }, (_, j) => r[Math.floor(j / M)]!), perRow: M }, sigmoid: true });
        assert.ok(eq.every((v) => v === 0.5), "eq.every((v) => v === 0.5)");
        // Dyadic shift: multiples of 1/64 plus 4 stay exact in f32, so r - ref is unchanged.
        const d = (x: Float32Array) => Float32Array.from(x, (v) => Math.round(v * 64) / 64);
        const rd = d(r), vd = d(refs.values), sh = (x: Float32Array) => Float32Array.from(x, (v) => v + 4);
        assert.deepEqual(api.parShape({ r: sh(rd), refs: { values: sh(vd), perRow: M }, sigmoid: true, maxRef }), api.parShape({ r: rd, refs: { values: vd, perRow: M }, sigmoid: true, maxRef }));
        if (maxRef < M) {
          const changed = Float32Array.from(refs.values, (v, j) => ((j % M) >= maxRef ? v + 7 : v));
          assert.deepEqual(api.parShape({ r, refs: { values: changed, perRow: M }, sigmoid: true, maxRef }), y);
        }
      }), RUNS);
    });

    it("the other PAR-paper shapers: sgfc in (0,1); clipping within mean ± std; minmax in [0,1] and 0 when max == min; meanstd after one update has std 1", () => {
      fc.assert(fc.property(f32s(12, -20, 20), f32s(24, -20, 20), (r, rv) => {
        const refs = { values: rv, perRow: 2 };
        // sgfc lies in (0,1); rounded to f32 it reaches 1 only when 1 - m < 2^-25 (m its f64 value).
        api.parShape({ r, refs, sgfc: true }).forEach((v, i) => {
          const m = [0, 1].reduce((p, k) => p + 1 / (1 + Math.exp(-(r[i]! - 3 - rv[2 * i + k]!))), 0) / 2;
          assert.ok(v > 0 && (v < 1 || 1 - m < 2 ** -25), `sgfc ${v} (f64 ${m})`);
        });
        const cs = new RunningStats(), c = api.parShape({ r, stats: cs, clipping: true });
        const lo = Math.fround(cs.mean - cs.std), hi = Math.fround(cs.mean + cs.std);
        assert.ok(c.every((v) => v >= lo && v <= hi), "clipping");
        const mm = api.parShape({ r, stats: new RunningStats(), minmax: true });
        assert.ok(mm.every((v) => v >= 0 && v <= 1), "mm.every((v) => v >= 0 && v <= 1)");
        assert.ok(api.parShape({ r: new Float32Array(5).fill(2.7), stats: new RunningStats(), minmax: true }).every((v) => v === 0), "api.parShape({ r: new Float32Array(5).fill(2.7), stats: new RunningStats(), minmax: tru...");
        const ms = api.parShape({ r, stats: new RunningStats(), meanstd: true });
        const m = ms.reduce((p, v) => p + v, 0) / ms.length, sd = Math.sqrt(ms.reduce((p, v) => p + (v - m) ** 2, 0) / ms.length);
        const spread = Math.max(...r) - Math.min(...r);
        if (spread > 0) assert.ok(Math.abs(sd - 1) <= 8 * U32 * (1 + Math.max(...ms.map(Math.abs))), `std ${sd}`);
      }), RUNS);
    });

    it("LSC: u <= 0 and increasing in r; logσ(-1e4) = -1e4; PhiInv symmetric and Φ(PhiInv(q)) = q within 1e-12", () => {
      fc.assert(fc.property(f32s(10, -40, 40), f32s(30, -10, 10), (r0, rv) => {
        const r = Float32Array.from(sorted(r0)), refRow = Float32Array.from({ length: 30 }, (_, j) => rv[j % 3]!);
        const u = api.lscTransform({ r, refs: { values: refRow, perRow: 3 } });
        for (let i = 0; i < u.length; i++) { assert.ok(u[i]! <= 0, "u[i]! <= 0"); if (i) assert.ok(u[i]! >= u[i - 1]!, "u[i]! >= u[i - 1]!"); }
      }), RUNS);
      assert.deepEqual(Array.from(api.lscTransform({ r: Float32Array.of(-1e4), refReward: Float32Array.of(0) })), [-1e4]);
      for (const q of [0.01, 0.1, 0.3, 0.5, 0.85, 0.9, 0.99]) {
        // 1 - q rounds by at most U; Φ⁻¹ turns that into U/φ(x), plus the two evaluations' own ulps.
        const x = phiInv(q), dens = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
        assert.ok(Math.abs(phiInv(1 - q) + x) <= 4 * U64 * (Math.abs(x) + 1 / dens), `symmetry at ${q}`);
        assert.ok(Math.abs(phi(phiInv(q)) - q) <= 1e-12, `Φ(Φ⁻¹(${q}))`);
      }
      assert.ok(Math.abs(phiInv(0.85) - 1.0364333894937896) <= 2 * 2.220446049250313e-16, "check value within 2 ulps");
      // Against the oracle's bisection on the normal tail (another method). Its tail below z = 3 is
      // 0.5 - φ S, a cancellation with absolute error up to 0.5 * (terms <= 64) * U; the continued
      // fraction beyond is relative. Either turns into x through 1/φ(x).
      for (let k = 1; k < 400; k++) {
        const p = k / 400 + 1e-7, x = phiInv(p), y = refShape.phiInvRef(p);
        const tail = Math.min(p, 1 - p), dens = Math.exp(-0.5 * y * y) / Math.sqrt(2 * Math.PI);
        assert.ok(Math.abs(x - y) <= 8 * U64 * Math.abs(y) + (0.5 * 64 * U64 + 64 * U64 * tail) / dens, `phiInv(${p}) = ${x}, oracle ${y}`);
      }
    });

    it("Kimi: lambda in [-0.5, 0.5], wrong rows <= 0, equal lengths give 0, the shortest row of a group gets 0.5", () => {
      fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 9000 }), fc.boolean()), { minLength: 2, maxLength: 40 }), (rows) => {
        const dense = [...new Set(rows.map((r) => r[0]))], ids = Int32Array.from(rows, (r) => dense.indexOf(r[0]));
        const L = Int32Array.from(rows, (r) => r[1]), c = Uint8Array.from(rows, (r) => +r[2]);
        const k = api.kimiLengthReward({ lengths: L, correct: c, groupIds: ids });
        for (let i = 0; i < L.length; i++) {
          assert.ok(k.lambda[i]! >= -0.5 && k.lambda[i]! <= 0.5, "k.lambda[i]! >= -0.5 && k.lambda[i]! <= 0.5");
          if (!c[i]) assert.ok(k.len[i]! <= 0, "k.len[i]! <= 0");
          const g = Array.from(L).filter((_, j) => ids[j] === ids[i]);
          if (Math.min(...g) === Math.max(...g)) assert.equal(k.lambda[i], 0);
          else if (L[i] === Math.min(...g)) assert.equal(k.lambda[i], 0.5);
        }
      }), RUNS);
    });

    it("LASER: correct rows get exactly 1 + alpha or 1 (reward mode); band boundaries at accuracy 1/3 and 2/3", () => {
      fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), fc.constantFrom(-1, 0, 1)), { minLength: 1, maxLength: 30 }), val(0, 1), (rows, alpha) => {
        const status = Int8Array.from(rows, (r) => r[1]), L = Int32Array.from(rows, (r) => r[0]);
        const s = api.laserReward({ status, lengths: L, alpha, targetLength: 2500 });
        for (let i = 0; i < rows.length; i++) if (status[i] === 1) assert.ok(s.scores[i] === Math.fround(1 + alpha) || s.scores[i] === 1, "s.scores[i] === Math.fround(1 + alpha) || s.scores[i] === 1");
      }), RUNS);
      // Groups of 3 and 6 at the boundaries: acc 1/3 -> medium, 2/3 -> high, just below -> the band below.
      const bands = { low: 100, medium: 200, high: 300 };
      const st = Int8Array.of(1, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0);
      const r = api.laserReward({ status: st, lengths: new Int32Array(18), groupIds: Int32Array.from({ length: 18 }, (_, i) => (i < 3 ? 0 : i < 6 ? 1 : i < 12 ? 2 : 3)), variant: "d", bandTargets: bands });
      assert.deepEqual(Array.from(r.targets), [200, 200, 200, 300, 300, 300, ...new Array(6).fill(100), ...new Array(6).fill(300)]);
    });

    it("laserTargetLengths matches a brute-force scan over the candidates", () => {
      fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.boolean()), { minLength: 6, maxLength: 60 }), fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 3 }), fc.constantFrom("floor", "ceil"), fc.integer({ min: 256, max: 3000 }), (rows, n, expected, round, lower) => {
          const G = Math.ceil(rows.length / n), ids = Int32Array.from(rows, (_, i) => Math.floor(i / n));
          const L = Int32Array.from(rows, (r) => r[0]), c = Uint8Array.from(rows, (r) => +r[1]);
          const got = laserTargetLengths({ lengths: L, correct: c, groupIds: ids, numGroups: G, n, lower, upper: 4096, expectedCorrect: expected, roundMethod: round as "floor", fallbackLength: 6000 });
          // Brute force: every candidate's expected correct count, then the smallest that qualifies.
          const cands = [...(lower < 1024 ? [lower] : []), ...Array.from({ length: 10 }, (_, k) => (lower < 1024 ? 1024 : lower) + 1024 * k).filter((v) => v < 4096 + 1024)];
          const bandOf = (g: number) => { const m = rows.map((_, i) => i).filter((i) => ids[i] === g); const acc = m.filter((i) => c[i]).length / m.length; return acc <= 1 / 3 ? "low" : acc <= 2 / 3 ? "medium" : "high"; };
          const want: Record<string, number> = {};
          for (const band of ["low", "medium", "high"]) {
            const members = rows.map((_, i) => i).filter((i) => bandOf(ids[i]!) === band);
            const nd = band === "low" ? 1 : round === "ceil" ? Math.ceil((band === "high" ? 2 * n : n) / 3) : Math.floor((band === "high" ? 2 * n : n) / 3);
            const ok = cands.filter((cl) => { if (!members.length) return false; const cov = members.filter((i) => L[i]! <= cl).length / members.length; return (round === "ceil" ? cov * nd : Math.floor(cov * nd)) >= expected; });
            want[band] = Math.min(6000, ...ok);
          }
          assert.deepEqual(got, want);
        }), RUNS);
    });

    it("HAPO: no history gives 0; correct rows >= -0.7, wrong rows <= 0; h never increases; the reward call does not touch the history", () => {
      fc.assert(fc.property(fc.array(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5000 }), fc.boolean()), { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 5 }), fc.constantFrom("cosine", "linear"), (bs, type) => {
        const h = new HapoHistory();
        for (const rows of bs) {
          const b = { lengths: Int32Array.from(rows, (r) => r[1]), correct: Uint8Array.from(rows, (r) => +r[2]), promptIds: Int32Array.from(rows, (r) => r[0]) };
          const before = JSON.stringify(h);
          const len = api.hapoLengthReward({ ...b, history: h, type: type as "cosine" }).len;
          assert.equal(JSON.stringify(h), before);
          for (let i = 0; i < rows.length; i++) {
            if (h.get(b.promptIds[i]!) === null) assert.equal(len[i], 0);
            if (b.correct[i]) assert.ok(len[i]! >= Math.fround(-0.7), "len[i]! >= Math.fround(-0.7)"); else assert.ok(len[i]! <= 0, "len[i]! <= 0");
          }
          const old = [0, 1, 2, 3].map((p) => h.get(p));
          h.update(b.lengths, b.correct, b.promptIds);
          [0, 1, 2, 3].forEach((p, k) => { if (old[k] !== null) assert.ok(h.get(p)! <= old[k]!, "h.get(p)! <= old[k]!"); });
        }
      }), RUNS);
    });

    it("overlong penalty in [-factor, 0] and 0 below maxNewTokens - bufferLen; GUI-G² point in (0,1] (1 at equal centres), coverage symmetric and <= 1 + 1e-6; BCO loss >= 0, first delta = the batch mean", () => {
      fc.assert(fc.property(f32s(20, -5, 5), fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 20, maxLength: 20 }), val(0, 2), (r, Ls, factor) => {
        const L = Int32Array.from(Ls), y = api.overlongPenalty({ r, lengths: L, maxNewTokens: 2048, bufferLen: 512, factor });
        for (let i = 0; i < 20; i++) {
          if (L[i]! <= 1536) assert.ok(Object.is(y[i], r[i]), "Object.is(y[i], r[i])");
          const pen = y[i]! - r[i]!;
          assert.ok(pen <= 2 * U32 * Math.abs(r[i]!) && pen >= -factor - 2 * U32 * (Math.abs(r[i]!) + factor), `penalty ${pen}`);
        }
      }), RUNS);
      fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 })), { minLength: 2, maxLength: 2 }), ([[x, y, w, h], [a, b, c, d]]) => {
        const p = Float32Array.of(a, b, a + c, b + d), g = Float32Array.of(x, y, x + w, y + h);
        const one = api.guiG2Reward({ pred: p, gt: g }), two = api.guiG2Reward({ pred: g, gt: p });
        assert.ok(one.point[0]! > 0 || one.point[0] === 0 && false || one.point[0]! >= 0, "one.point[0]! > 0 || one.point[0] === 0 && false || one.point[0]! >= 0");
        assert.ok(one.point[0]! <= 1, "one.point[0]! <= 1");
        assert.ok(Math.abs(one.coverage[0]! - two.coverage[0]!) <= 4 * U32 * one.coverage[0]! + 2 ** -149, "symmetric");
        assert.ok(one.coverage[0]! <= 1 + 1e-6, "one.coverage[0]! <= 1 + 1e-6");
        const same = api.guiG2Reward({ pred: g, gt: g });
        assert.equal(same.point[0], 1);
        assert.ok(Math.abs(same.coverage[0]! - 1) <= 1e-6, "Math.abs(same.coverage[0]! - 1) <= 1e-6");
        const centred = api.guiG2Reward({ pred: Float32Array.of(x - 3, y - 5, x + w + 3, y + h + 5), gt: g });
        assert.equal(centred.point[0], 1);
      }), RUNS);
      fc.assert(fc.property(f32s(8, -50, 0), f32s(8, -50, 0), f32s(8, -50, 0), f32s(8, -50, 0), (pc, pr, rc, rr) => {
        const shift = new BcoShift(), res = api.bcoPairLoss({ chosenLogps: pc, rejectedLogps: pr, refChosenLogps: rc, refRejectedLogps: rr, beta: 0.3, shift });
        assert.ok(res.loss.every((v) => v >= 0), "res.loss.every((v) => v >= 0)");
        let m = 0, S = 0;
        for (let i = 0; i < 8; i++) { const a = 0.3 * (pc[i]! - rc[i]!), b = 0.3 * (pr[i]! - rr[i]!); m += a + b; S += Math.abs(a) + Math.abs(b); }
        assert.ok(Math.abs(res.delta - m / 16) <= 2 * 16 * U64 * S / 16 + U64 * Math.abs(m / 16), "Math.abs(res.delta - m / 16) <= 2 * 16 * U64 * S / 16 + U64 * Math.abs(m / 16)");
      }), RUNS);
    });

    it("DRPO: correct rows never negative, an active group's positives sum to +1/Q and negatives to -1/Q, inactive groups 0; CANON with lambda 1/2 and even groups is (s - mean)/maxLength", () => {
      fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.boolean(), val(-20, 0), fc.integer({ min: 0, max: 1000 })), { minLength: 1, maxLength: 40 }), (rows) => {
        const d = [...new Set(rows.map((r) => r[0]))], ids = Int32Array.from(rows, (r) => d.indexOf(r[0])), Q = d.length;
        const r = Float32Array.from(rows, (x) => +x[1]), c = api.drpoCoefficients({ rewards: r, meanLogp: Float32Array.from(rows, (x) => x[2]), lengths: Int32Array.from(rows, (x) => x[3]), width: 1000, groupIds: ids });
        for (let g = 0; g < Q; g++) {
          const m = rows.map((_, i) => i).filter((i) => ids[i] === g), P = m.filter((i) => r[i] === 1), N = m.filter((i) => r[i] === 0);
          if (!P.length || !N.length) { assert.ok(m.every((i) => c[i] === 0), "m.every((i) => c[i] === 0)"); continue; }
          const sp = P.reduce((p, i) => p + c[i]!, 0), sn = N.reduce((p, i) => p + c[i]!, 0);
          assert.ok(P.every((i) => c[i]! >= 0) && N.every((i) => c[i]! <= 0), "P.every((i) => c[i]! >= 0) && N.every((i) => c[i]! <= 0)");
          // Each coefficient carries one f32 rounding (u per unit of 1/Q), plus the f64 softmax.
          assert.ok(Math.abs(sp - 1 / Q) <= 4 * U32 * (P.length + 1) / Q && Math.abs(sn + 1 / Q) <= 4 * U32 * (N.length + 1) / Q, `sums ${sp} ${sn} vs ${1 / Q}`);
        }
      }), RUNS);
      fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.nat(), (half, G, seed) => {
        const n = 2 * half, B = n * G, sc = Float32Array.from({ length: B }, (_, j) => Math.fround(Math.sin(seed + j) * 5)), metric = Float32Array.from({ length: B }, (_, j) => (seed * 7 + j * 3) % 5);
        const a = api.canon({ scores: sc, metric, groupSize: n, lambda: 0.5, maxLength: 1000 });
        for (let g = 0; g < G; g++) {
          const mean = Array.from(sc.subarray(g * n, g * n + n)).reduce((p, v) => p + v, 0) / n;
          for (let k = 0; k < n; k++) { const i = g * n + k, y = (sc[i]! - mean) / 1000; assert.ok(Math.abs(a[i]! - y) <= 4 * U32 * (Math.abs(y) + 2 * (Math.abs(sc[i]!) + Math.abs(mean)) / 1000), `canon ${a[i]} vs ${y}`); }
        }
      }), RUNS);
    });

    it("GRPO-λ with lambda 0 is the correctness; VeRPO: Rlocal in [0,1] and R = Rglobal at localWeight 0; O1-pruner 0 for equal lengths; ER 0 on incorrect rows and never positive above the correct mean", () => {
      fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.boolean(), fc.integer({ min: 1, max: 3000 }), fc.constantFrom(0, 0.5, 1), fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 30 }), (rows) => {
        const d = [...new Set(rows.map((r) => r[0]))], ids = Int32Array.from(rows, (r) => d.indexOf(r[0]));
        const c = Uint8Array.from(rows, (r) => +r[1]), L = Int32Array.from(rows, (r) => r[2]);
        assert.deepEqual(Array.from(api.grpoLambda({ correct: c, lengths: L, groupIds: ids, lambda: 0, lengthWeight: 0.5 }).rewards), Array.from(c));
        const pass = Uint8Array.from(rows.flatMap((r) => [+r[4], +r[5], +r[1]])), v0 = api.verpoReward({ pass, tests: 3, groupIds: ids, localWeight: 0 });
        assert.ok(v0.local.every((x) => x >= 0 && x <= 1 + 4 * U32), "v0.local.every((x) => x >= 0 && x <= 1 + 4 * U32)");
        assert.deepEqual(v0.rewards, v0.global);
        assert.ok(api.o1PrunerReward({ lengths: new Int32Array(rows.length).fill(700), groupIds: ids }).every((x) => x === 0), "api.o1PrunerReward({ lengths: new Int32Array(rows.length).fill(700), groupIds: ids }).e...");
        const cf = Float32Array.from(rows, (r) => r[3]), er = api.erLengthReward({ lengths: L, correct: cf, groupIds: ids });
        for (let i = 0; i < rows.length; i++) {
          if (cf[i] === 0) assert.ok(Object.is(er[i], 0), "Object.is(er[i], 0)");
          const C = rows.map((_, j) => j).filter((j) => ids[j] === ids[i] && cf[j]! > 0), mu = C.reduce((p, j) => p + L[j]!, 0) / C.length;
          if (C.length > 1 && L[i]! > mu) assert.ok(er[i]! <= 0, "er[i]! <= 0");
        }
      }), RUNS);
    });

    it("ROVER with nextQScale 0 gives target = advantages; G-RA with every gate closed gives the outcomes and +0 tokens", () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 10 }), fc.nat(), (B, T, seed) => {
        const n = B * T, mk = (k: number) => Float32Array.from({ length: n }, (_, j) => Math.fround(Math.cos(seed + j + k) * 4));
        const mask = Uint8Array.from({ length: n }, (_, j) => ((seed + j) % 4 ? 1 : 0)), adv = mk(5);
        const r = api.roverTargets({ logp: mk(1), oldLogp: mk(2), qLogits: mk(3), oldQLogits: mk(4), advantages: adv, mask, width: T, nextQScale: 0 });
        for (let j = 0; j < n; j++) assert.ok(Object.is(r.target[j], mask[j] ? adv[j]! + 0 : 0), "Object.is(r.target[j], mask[j] ? adv[j]! + 0 : 0)");
        const outcome = Float32Array.from({ length: B }, (_, i) => i * 0.3), g = api.gatedRewards({ outcome, tokenRewards: adv, mask, width: T, tau: 100 });
        assert.deepEqual(g.rewards, outcome);
        assert.ok(g.tokenRewards.every((v) => Object.is(v, 0)), "g.tokenRewards.every((v) => Object.is(v, 0))");
      }), RUNS);
    });
  });
}
