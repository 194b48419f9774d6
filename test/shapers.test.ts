// Reward shapers against the f64 oracle (src/reference/shape.ts) on random inputs, both builds,
// with the oracle tolerance of docs/numerics.md#against-the-f64-oracle: for shapers kappa is the
// largest |intermediate| of the row's formula and n the size of its inner sum.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { builds, RUNS, tolOracle, assertBitwise } from "./helpers.js";
import * as ref from "../src/reference/shape.js";
import { RunningStats } from "../src/shape/running-stats.js";
import { HapoHistory } from "../src/shape/length.js";
import { BcoShift } from "../src/shape/bco.js";

/** got (f32) vs the oracle's f64 y within tol_oracle(fround(y), kappa, n, S = kappa). */
function near(got: ArrayLike<number>, y: ArrayLike<number>, kappa: ArrayLike<number> | number, n: number, what: string): void {
  assert.equal(got.length, y.length, `${what}: length`);
  for (let i = 0; i < y.length; i++) {
    const k = typeof kappa === "number" ? kappa : kappa[i]!, want = Math.fround(y[i]!);
    const tol = tolOracle(want, k, n, k), err = Math.abs(got[i]! - want);
    if (!(err <= tol)) assert.fail(`${what}[${i}]: got ${got[i]}, oracle ${y[i]}, |err| ${err} > tol ${tol}`);
  }
}

// Non-dyadic values: f32 of a decimal with three places.
const val = (lo: number, hi: number) => fc.integer({ min: Math.round(lo * 1000), max: Math.round(hi * 1000) }).map((k) => Math.fround(k / 1000 + 1e-4));
const refsArb = (B: number, minPer: number) => fc.array(fc.array(val(-20, 20), { minLength: minPer, maxLength: 12 }), { minLength: B, maxLength: B })
  .map((rows) => ({ values: Float32Array.from(rows.flat()), offsets: Int32Array.from([0, ...rows.map((r) => r.length)].map((_, i, a) => a.slice(0, i + 1).reduce((p, v) => p + v, 0))) }));

const parBatch = fc.integer({ min: 1, max: 24 }).chain((B) => fc.record({
  r: fc.array(val(-20, 20), { minLength: B, maxLength: B }).map((a) => Float32Array.from(a)),
  r2: fc.array(val(-20, 20), { minLength: B, maxLength: B }).map((a) => Float32Array.from(a)),
  refs: refsArb(B, 1),
  lengths: fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: B, maxLength: B }).map((a) => Int32Array.from(a)),
  flags: fc.record({
    lengthPenalty: fc.boolean(), centered: fc.boolean(), sgfc: fc.boolean(), meanstd: fc.boolean(), clipping: fc.boolean(),
    minmax: fc.boolean(), sigmoid: fc.boolean(), tanh: fc.boolean(), lsc: fc.boolean(), relative: fc.boolean(),
  }),
  ceil: fc.option(val(-5, 15), { nil: null }),
  sigmoidK: fc.constantFrom(1, 2, 3, 0.7),
  maxRef: fc.constantFrom(1, 3, 5, 8, 10),
  q: fc.constantFrom(0.85, 0.5, 0.1, 0.97),
}));

for (const [build, api] of builds) {
  describe(`reward shapers vs the f64 oracle (${build})`, () => {
    it("parShape: every combination of steps, two batches sharing one RunningStats (state equal to the oracle's)", () => {
      fc.assert(fc.property(parBatch, (b) => {
        const stats = new RunningStats(), oStats = ref.newStatsRef(), kap: number[] = [];
        const o = { ...b.flags, ceil: b.ceil, sigmoidK: b.sigmoidK, maxRef: b.maxRef, q: b.q, lengthThreshold: 300, lengthCoef: 0.01 };
        for (const r of [b.r, b.r2]) {
          const got = api.parShape({ r, refs: b.refs, lengths: b.lengths, stats, ...o });
          const want = ref.parShapeRef(r, { ...o, refs: b.refs, lengths: b.lengths, stats: oStats });
          near(got, want.y, want.kappa, 12 + 2 * b.maxRef, "parShape");
          kap.push(...want.kappa);
        }
        // The statistics are f64 sums of the pipeline's f64 values, which differ from the oracle's
        // by the f64 error of up to 12 steps on intermediates of size K (the largest kappa): mean,
        // min and max within 2n U K per step, M2 (a sum of n squares of size K) within 4n U K^2 per step.
        const K = Math.max(0, ...kap), n = stats.n;
        for (const k of ["n", "mean", "M2", "min", "max"] as const) {
          const tol = k === "n" ? 0 : 12 * 2 * (n + 1) * 2 ** -53 * (k === "M2" ? 2 * (n + 1) * K * K : K);
          assert.ok(Math.abs(stats[k] - oStats[k]) <= tol || Object.is(stats[k], oStats[k]), `stats.${k}: ${stats[k]} vs ${oStats[k]}`);
        }
      }), RUNS);
    });

    it("lscTransform and lscCombine (K heads, weights, given or sampled references)", () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), fc.nat(), fc.constantFrom(0.85, 0.3, 0.999), (B, K, seed, q) => {
        const r = Float32Array.from({ length: B * K }, (_, j) => Math.fround(Math.sin(seed + j * 1.7) * 30));
        const refs = Array.from({ length: K }, (_, h) => {
          const per = Array.from({ length: B }, (_, i) => 1 + ((seed + i + h) % 5));
          const offsets = Int32Array.from([0, ...per].map((_, i, a) => a.slice(0, i + 1).reduce((p, v) => p + v, 0)));
          return { values: Float32Array.from({ length: offsets[B]! }, (_, m) => Math.fround(Math.cos(seed * 3 + m + h) * 10)), offsets };
        });
        const w = Array.from({ length: K }, (_, h) => 0.25 + h * 0.6);
        const got = api.lscCombine({ r, heads: K, refs, weights: w, q });
        const want: number[] = [], kappa: number[] = [];
        for (let i = 0; i < B; i++) {
          let acc = 0, mag = 0;
          for (let h = 0; h < K; h++) {
            const rr = ref.lscRefReward(Array.from(refs[h]!.values.subarray(refs[h]!.offsets[i]!, refs[h]!.offsets[i + 1]!)), q);
            const t = w[h]! * ref.logSigmoidRef(r[i * K + h]! - rr);
            acc += t; mag = Math.max(mag, Math.abs(t), Math.abs(rr), Math.abs(r[i * K + h]!));
          }
          want.push(acc); kappa.push(mag * K);
        }
        near(got, want, kappa, 4 * K + 12, "lscCombine");
        // One head: lscCombine = lscTransform, bitwise.
        const r1 = r.subarray(0, B);
        const a = api.lscTransform({ r: r1, refs: refs[0]!, q }), c = api.lscCombine({ r: r1, refs: [refs[0]!], q });
        assert.deepEqual(a, c);
      }), RUNS);
    });

    it("kimiLengthReward: lambda, len and base + weight*len, shuffled groups, both singleton modes, eligibility", () => {
      fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 8000 }), fc.boolean(), fc.boolean(), val(-1, 1)), { minLength: 1, maxLength: 40 }),
        fc.constantFrom("zero", "laserCompat"), fc.constantFrom(1e-6, 0, 0.5), val(-2, 2), (rows, singleton, eps, weight) => {
          const ids0 = rows.map((r) => r[0]), dense = [...new Set(ids0)];
          const ids = Int32Array.from(ids0, (v) => dense.indexOf(v));
          const L = Int32Array.from(rows, (r) => r[1]), correct = Uint8Array.from(rows, (r) => +r[2]), eligible = Uint8Array.from(rows, (r) => +r[3]), base = Float32Array.from(rows, (r) => r[4]);
          const got = api.kimiLengthReward({ lengths: L, correct, eligible, groupIds: ids, singleton: singleton as "zero", eps, base, weight });
          const want = ref.kimiRef(L, correct, ids, { eps, singleton: singleton as "zero", eligible, base, weight });
          near(got.lambda, want.lambda, want.kappa.map((k, i) => k - Math.abs(base[i]!)), 4, "lambda");
          near(got.len, want.len, want.kappa.map((k, i) => k - Math.abs(base[i]!)), 4, "len");
          near(got.reward!, want.reward, want.kappa, 6, "reward");
        }), RUNS);
    });

    it("laserReward: every variant and mode, band targets, repetition flags (exact: every value is a sum of two parameters)", () => {
      fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 6000 }), fc.constantFrom(-1, 0, 1), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.constantFrom("laser", "d", "de"), fc.constantFrom("reward", "penalty", "hybrid"), val(0, 1), (rows, variant, mode, alpha) => {
          const dense = [...new Set(rows.map((r) => r[0]))], ids = Int32Array.from(rows, (r) => dense.indexOf(r[0]));
          const status = Int8Array.from(rows, (r) => r[2]), L = Int32Array.from(rows, (r) => r[1]), rep = Uint8Array.from(rows, (r) => +r[3]);
          const bandTargets = { low: 4096, medium: 2048, high: 1024 };
          const o = { alpha, mode: mode as "reward", variant: variant as "laser", targetLength: 3000, bandTargets, repetitive: rep };
          const got = api.laserReward({ status, lengths: L, groupIds: ids, ...o });
          const want = ref.laserRef(status, L, ids, o);
          assert.deepEqual(Array.from(got.scores), want.scores.map(Math.fround));
          assert.deepEqual(Array.from(got.lengthTerms), want.terms.map(Math.fround));
          assert.deepEqual(Array.from(got.targets), want.targets);
        }), RUNS);
    });

    it("hapoLengthReward: cosine and linear against histories seen and unseen, floors as parameters", () => {
      fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 5000 }), fc.boolean()), { minLength: 1, maxLength: 30 }),
        fc.array(fc.option(fc.integer({ min: 1, max: 4000 }), { nil: null }), { minLength: 4, maxLength: 4 }), fc.constantFrom("cosine", "linear"), val(0, 0.5), val(-2, 2),
        (rows, hs, type, tau, weight) => {
          const history = new HapoHistory();
          hs.forEach((h, p) => { if (h !== null) history.update(Int32Array.of(h), Uint8Array.of(1), Int32Array.of(p)); });
          const L = Int32Array.from(rows, (r) => r[1]), correct = Uint8Array.from(rows, (r) => +r[2]), prompts = Int32Array.from(rows, (r) => r[0]);
          const base = Float32Array.from(correct);
          const got = api.hapoLengthReward({ lengths: L, correct, promptIds: prompts, history, type: type as "cosine", tau, weight, base });
          const len = ref.hapoRef(L, correct, Array.from(prompts, (p) => hs[p]!), { type: type as "cosine", tau });
          const kap = Array.from(L, (l, i) => { const h = hs[prompts[i]!]; return h ? 2 + l / h + 1 + tau : 0; });
          near(got.len, len, kap, 4, "len");
          near(got.reward!, len.map((v, i) => base[i]! + weight * v), kap.map((k, i) => 1 + Math.abs(weight) * k + base[i]!), 6, "reward");
        }), RUNS);
    });

    it("overlongPenalty and stopProperlyPenalty", () => {
      fc.assert(fc.property(fc.array(fc.tuple(val(-10, 10), fc.integer({ min: 0, max: 4096 }), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 4096 }), fc.nat(), val(0, 3), val(-2, 0.99), (rows, maxNew, bufSeed, factor, coef) => {
          const buf = bufSeed % (maxNew + 1);
          const r = Float32Array.from(rows, (x) => x[0]), L = Int32Array.from(rows, (x) => x[1]), tr = Uint8Array.from(rows, (x) => +x[2]);
          const got = api.overlongPenalty({ r, lengths: L, maxNewTokens: maxNew, bufferLen: buf, factor });
          near(got, ref.overlongRef(r, L, maxNew, buf, factor), Array.from(r, (v) => Math.abs(v) + factor), 3, "overlong");
          near(api.stopProperlyPenalty({ r, truncated: tr, coef }), ref.stopProperlyRef(r, tr, coef), Array.from(r, Math.abs), 1, "stopProperly");
        }), RUNS);
    });

    it("guiG2Reward: point, coverage and total for jittered, scaled and degenerate predictions", () => {
      fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 1800 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 200 }),
        val(-80, 80), val(-80, 80), val(0, 3), val(0, 3)), { minLength: 1, maxLength: 20 }), val(0.1, 1), (rows, alpha) => {
        const gt = Float32Array.from(rows.flatMap(([x, y, w, h]) => [x, y, x + w, y + h]));
        const pred = Float32Array.from(rows.flatMap(([x, y, w, h, dx, dy, sx, sy]) => { const cx = x + w / 2 + dx, cy = y + h / 2 + dy; return [cx - sx * w / 2, cy - sy * h / 2, cx + sx * w / 2, cy + sy * h / 2]; }));
        const got = api.guiG2Reward({ pred, gt, alpha, nu: 0.7, gammaCov: 1.3 });
        const want = ref.guiG2Ref(pred, gt, { alpha, nu: 0.7, gammaCov: 1.3 });
        // exp of an f64 argument whose terms reach |t|: the relative error of the argument is
        // carried as kappa = |y| * (the largest |term|) on top of the output rounding.
        const mag = rows.map((_, i) => { const gw = gt[4 * i + 2]! - gt[4 * i]!, gh = gt[4 * i + 3]! - gt[4 * i + 1]!; return 4 + (6400 + 6400) / Math.min(gw, gh) ** 2 + Math.abs(Math.log(1e-8 + gw * gh)) * 2; });
        near(got.point, want.point, want.point.map((y, i) => Math.abs(y) * mag[i]!), 8, "point");
        near(got.coverage, want.coverage, want.coverage.map((y, i) => Math.abs(y) * mag[i]!), 12, "coverage");
        near(got.total, want.total, want.total.map((y, i) => (Math.abs(want.point[i]!) + Math.abs(want.coverage[i]!)) * (1.3 + mag[i]!)), 14, "total");
      }), RUNS);
    });

    it("bcoPairLoss: three batches sharing one shift, losses and rewards", () => {
      fc.assert(fc.property(fc.array(fc.array(fc.tuple(val(-80, 0), val(-80, 0), val(-80, 0), val(-80, 0)), { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 3 }), val(0.01, 1), (bs, beta) => {
        const shift = new BcoShift(), st = { count: 1e-24, mean: 0 };
        for (const rows of bs) {
          const [pc, pr, rc, rr] = [0, 1, 2, 3].map((k) => Float32Array.from(rows, (x) => x[k]!)) as [Float32Array, Float32Array, Float32Array, Float32Array];
          const got = api.bcoPairLoss({ chosenLogps: pc, rejectedLogps: pr, refChosenLogps: rc, refRejectedLogps: rr, beta, shift });
          const want = ref.bcoRef(st, pc, pr, rc, rr, beta);
          assert.ok(Math.abs(got.delta - want.delta) <= 2 * rows.length * 2 ** -53 * want.kappa.reduce((p, v) => p + v, 0) + 2 ** -53 * Math.abs(want.delta), `delta ${got.delta} vs ${want.delta}`);
          near(got.loss, want.loss, want.kappa, 2 * rows.length + 4, "loss");
          near(got.chosenRewards, want.chosen, want.chosen.map(Math.abs), 2, "chosen");
          near(got.rejectedRewards, want.rejected, want.rejected.map(Math.abs), 2, "rejected");
        }
      }), RUNS);
    });

    const groupRows = (maxG: number, maxB: number) => fc.array(fc.integer({ min: 0, max: maxG }), { minLength: 1, maxLength: maxB })
      .map((g) => { const d = [...new Set(g)]; return Int32Array.from(g, (v) => d.indexOf(v)); });

    it("grpoLambda with one group size (the counting-sort ranking): the reference's selection, ties by first row, for contiguous and shuffled ids", () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 1000 }), fc.nat(), (n, G, lamK, seed) => {
        const B = n * G, lam = lamK / 1000;
        let x = seed;
        const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
        // Few distinct accuracies, so ties are common.
        const c8 = Uint8Array.from({ length: B }, () => (rnd() < 0.5 ? 1 : 0)), Li = Int32Array.from({ length: B }, () => 1 + Math.floor(rnd() * 50));
        const ids = Int32Array.from({ length: B }, (_, i) => Math.floor(i / n));
        const gl = api.grpoLambda({ correct: c8, lengths: Li, groupSize: n, lambda: lam, lengthWeight: 0.4 });
        const gr = ref.grpoLambdaRef(c8, Li, ids, lam, 0.4);
        assert.deepEqual(Array.from(gl.selectedGroups), gr.selected);
        near(gl.rewards, gr.rewards, gr.kappa, 6, "grpoLambda");
        // The same sizes with the rows shuffled among the groups: group ids no longer follow
        // their first rows' order, which the ranking's ties still do.
        const mixed = ids.slice();
        for (let i = B - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [mixed[i], mixed[j]] = [mixed[j]!, mixed[i]!]; }
        const gm = api.grpoLambda({ correct: c8, lengths: Li, groupIds: mixed, lambda: lam, lengthWeight: 0.4 });
        const rm = ref.grpoLambdaRef(c8, Li, mixed, lam, 0.4);
        assert.deepEqual(Array.from(gm.selectedGroups), rm.selected, "shuffled ids");
        near(gm.rewards, rm.rewards, rm.kappa, 6, "grpoLambda, shuffled ids");
      }), { numRuns: 300 });
    });

    it("drpoCoefficients, canon, grpoLambda, verpoReward, o1PrunerReward, erLengthReward", () => {
      fc.assert(fc.property(groupRows(5, 40).chain((ids) => fc.record({
        ids: fc.constant(ids),
        r: fc.array(fc.boolean(), { minLength: ids.length, maxLength: ids.length }),
        lp: fc.array(val(-30, 0), { minLength: ids.length, maxLength: ids.length }),
        L: fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: ids.length, maxLength: ids.length }),
        score: fc.array(val(-3, 3), { minLength: ids.length, maxLength: ids.length }),
        metric: fc.array(fc.integer({ min: 0, max: 6 }).map((k) => Math.fround(k * 0.37)), { minLength: ids.length, maxLength: ids.length }),
        pass: fc.array(fc.boolean(), { minLength: ids.length * 3, maxLength: ids.length * 3 }),
        valid: fc.array(fc.boolean(), { minLength: ids.length * 3, maxLength: ids.length * 3 }),
        cs: fc.array(fc.constantFrom(0, 1, 0.5, 0.3, 1e-6), { minLength: ids.length, maxLength: ids.length }),
      })), val(0.05, 2), fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000), fc.constantFrom("entropy", "length"), ({ ids, r, lp, L, score, metric, pass, valid, cs }, t, lam, variant) => {
        const B = ids.length, rw = Float32Array.from(r, Number), mlp = Float32Array.from(lp), Li = Int32Array.from(L);
        // DRPO: softmax weights in (0,1] over a group's rows; kappa 1/Q bounds every term.
        const d = api.drpoCoefficients({ rewards: rw, meanLogp: mlp, lengths: Li, width: 4096, groupIds: ids, lambda: t, tau: 10 * t });
        near(d, ref.drpoRef(rw, mlp, Li, ids, 4096, t, 10 * t), 1, B + 4, "drpo");
        const cr = ref.canonRef(Float32Array.from(score), Float32Array.from(metric), ids, { variant: variant as "entropy", alpha: 0.8, beta: 0.1, lambda: lam, maxLength: 1000 });
        near(api.canon({ scores: Float32Array.from(score), metric: Float32Array.from(metric), groupIds: ids, variant: variant as "entropy", alpha: 0.8, beta: 0.1, lambda: lam, maxLength: 1000 }), cr.y, cr.kappa, B + 8, "canon");
        const c8 = Uint8Array.from(r, Number), gl = api.grpoLambda({ correct: c8, lengths: Li, groupIds: ids, lambda: lam, lengthWeight: 0.4 });
        const gr = ref.grpoLambdaRef(c8, Li, ids, lam, 0.4);
        near(gl.rewards, gr.rewards, gr.kappa, 6, "grpoLambda");
        assert.deepEqual(Array.from(gl.selectedGroups), gr.selected);
        const ps = Uint8Array.from(pass, Number), vs = Uint8Array.from(valid, Number), v = api.verpoReward({ pass: ps, tests: 3, testValid: vs, groupIds: ids, localWeight: t });
        const vr = ref.verpoRef(ps, 3, vs, ids, t);
        near(v.local, vr.local, 1, 2 * B + 6, "verpo local"); near(v.rewards, vr.rewards, 1 + t, 2 * B + 6, "verpo");
        assert.deepEqual(Array.from(v.global), vr.global);
        near(api.o1PrunerReward({ lengths: Li, groupIds: ids }), ref.o1PrunerRef(Li, ids), Array.from(Li, (l) => 1 + 4096 / l), B + 2, "o1");
        const cf = Float32Array.from(cs);
        near(api.erLengthReward({ lengths: Li, correct: cf, groupIds: ids }), ref.erLengthRef(Li, cf, ids), 2 * 4096, 2 * B + 8, "er");
      }), RUNS);
    });

    it("roverTargets and gatedRewards on lengths and full rows (their prefix paths): the oracle, the mask path bitwise, packed = padded, RESULT_OVERFLOW at the first bad position", () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 23 }), fc.nat(), fc.boolean(), (B, T, seed, full) => {
        const n = B * T, mk = (k: number, sc: number) => Float32Array.from({ length: n }, (_, j) => Math.fround(Math.sin(seed + j * 1.3 + k) * sc));
        const lengths = Int32Array.from({ length: B }, (_, i) => (full ? T : (seed + i * 7) % (T + 1)));
        const mask = Uint8Array.from({ length: n }, (_, j) => (j % T < lengths[Math.floor(j / T)]! ? 1 : 0));
        const x = { logp: mk(1, 3), oldLogp: mk(2, 3), qLogits: mk(3, 20), oldQLogits: mk(4, 20), advantages: mk(5, 2) };
        const got = full ? api.roverTargets({ ...x, width: T, rho: 0.7, nextQScale: 0.9 }) : api.roverTargets({ ...x, lengths, width: T, rho: 0.7, nextQScale: 0.9 });
        const want = ref.roverRef(B, T, mask, x, { rho: 0.7, nextQScale: 0.9 });
        const kq = Array.from({ length: n }, (_, j) => Math.abs(x.logp[j]!) + Math.abs(x.oldLogp[j]!) + 1);
        const kn = Array.from({ length: n }, (_, j) => (j + 1 < n ? Math.abs(x.qLogits[j + 1]!) + Math.abs(x.oldQLogits[j + 1]!) : 0));
        near(got.q, want.q, kq, 3, "q"); near(got.nextQ, want.nextQ, kn, 3, "nextQ");
        near(got.target, want.target, kn.map((k, j) => k + Math.abs(x.advantages[j]!)), 4, "target");
        // the same numbers through the mask path (each row a prefix of the mask)
        const viaMask = api.roverTargets({ ...x, mask, width: T, rho: 0.7, nextQScale: 0.9 });
        assertBitwise(got.q, viaMask.q, "q"); assertBitwise(got.nextQ, viaMask.nextQ, "nextQ"); assertBitwise(got.target, viaMask.target, "target");
        // packed rows, cut at their lengths
        const offsets = Int32Array.from({ length: B + 1 }, (_, i) => lengths.slice(0, i).reduce((p, v) => p + v, 0));
        const pk = (v: Float32Array) => { const o = new Float32Array(offsets[B]!); for (let i = 0; i < B; i++) o.set(v.subarray(i * T, i * T + lengths[i]!), offsets[i]!); return o; };
        const p = api.roverTargets({ logp: pk(x.logp), oldLogp: pk(x.oldLogp), qLogits: pk(x.qLogits), oldQLogits: pk(x.oldQLogits), advantages: pk(x.advantages), offsets, rho: 0.7, nextQScale: 0.9 });
        assertBitwise(p.q, pk(got.q), "packed q"); assertBitwise(p.target, pk(got.target), "packed target");
        // G-RA on the same layouts (its prefix path): the oracle's tokens exactly, its rows within
        // their sums' rounding, and the mask path bitwise.
        const outcome = mk(6, 1).subarray(0, B), tau = Math.sin(seed) * 0.5;
        const g = full ? api.gatedRewards({ outcome, tokenRewards: x.advantages, width: T, tau }) : api.gatedRewards({ outcome, tokenRewards: x.advantages, lengths, width: T, tau });
        const gw = ref.gatedRef(outcome, x.advantages, mask, B, T, tau);
        assert.deepEqual(Array.from(g.tokenRewards), gw.tok.map(Math.fround));
        near(g.rewards, gw.rows, Array.from({ length: B }, (_, i) => 1 + Array.from(x.advantages.subarray(i * T, i * T + T)).reduce((p, v) => p + Math.abs(v), 0)), T + 1, "gated rows");
        const gm = api.gatedRewards({ outcome, tokenRewards: x.advantages, mask, width: T, tau });
        assertBitwise(g.tokenRewards, gm.tokenRewards, "gated tokens, mask path"); assertBitwise(g.rewards, gm.rewards, "gated rows, mask path");
        // A Q past the f32 range at one valid position (logp - oldLogp = 4 there, rho 1e38).
        const valid = Array.from({ length: n }, (_, j) => j).filter((j) => mask[j]);
        if (valid.length) {
          const at = valid[seed % valid.length]!, lp = new Float32Array(n), olp = new Float32Array(n);
          lp[at] = 2; olp[at] = -2;
          const zero = new Float32Array(n);
          assert.throws(() => api.roverTargets({ logp: lp, oldLogp: olp, qLogits: zero, oldQLogits: zero, advantages: zero, ...(full ? {} : { lengths }), width: T, rho: 1e38 }),
            (e: any) => e.code === "RESULT_OVERFLOW" && e.index === at, `overflow at ${at}`);
          // The workspace has no copy to scan afterwards: the kernel's own test must find it.
          const ws = api.createWorkspace({ rows: B, width: T, valid: "lengths", extraViews: ["logp", "oldLogp", "qLogits", "oldQLogits", "q", "nextQ", "target"] });
          ws.lengths.set(lengths);
          ws.logp.set(lp); ws.oldLogp.set(olp);
          assert.throws(() => ws.roverTargets({ rho: 1e38 }), (e: any) => e.code === "RESULT_OVERFLOW" && e.index === at, `workspace overflow at ${at}`);
          assert.ok(ws.q.every((v) => v === 0) || ws.q.every(Number.isNaN), "q untouched or all NaN");
          ws.dispose();
        }
      }), RUNS);
    });

    it("roverTargets and gatedRewards on padded batches with holes, and packed = padded", () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), fc.nat(), fc.option(val(0.05, 0.9), { nil: undefined }), val(-1, 1), (B, T, seed, clipRatio, tau) => {
        const n = B * T, mk = (k: number, sc: number) => Float32Array.from({ length: n }, (_, j) => Math.fround(Math.sin(seed + j * 1.3 + k) * sc));
        const mask = Uint8Array.from({ length: n }, (_, j) => ((seed + j * 5) % 7 < 5 ? 1 : 0));
        const x = { logp: mk(1, 3), oldLogp: mk(2, 3), qLogits: mk(3, 20), oldQLogits: mk(4, 20), advantages: mk(5, 2) };
        const got = api.roverTargets({ ...x, mask, width: T, rho: 0.7, nextQScale: 0.9, clipRatio });
        const want = ref.roverRef(B, T, mask, x, { rho: 0.7, nextQScale: 0.9, clipRatio });
        const kq = Array.from({ length: n }, (_, j) => Math.abs(x.logp[j]!) + Math.abs(x.oldLogp[j]!) + 1);
        const kn = Array.from({ length: n }, (_, j) => (j + 1 < n ? Math.abs(x.qLogits[j + 1]!) + Math.abs(x.oldQLogits[j + 1]!) : 0));
        near(got.q, want.q, kq, 3, "q"); near(got.nextQ, want.nextQ, kn, 3, "nextQ");
        near(got.target, want.target, kn.map((k, j) => k + Math.abs(x.advantages[j]!)), 4, "target");
        const outcome = mk(6, 1).subarray(0, B);
        const g = api.gatedRewards({ outcome, tokenRewards: x.advantages, mask, width: T, tau });
        const gw = ref.gatedRef(outcome, x.advantages, mask, B, T, tau);
        assert.deepEqual(Array.from(g.tokenRewards), gw.tok.map(Math.fround));
        near(g.rewards, gw.rows, Array.from({ length: B }, (_, i) => 1 + Array.from(x.advantages.subarray(i * T, i * T + T)).reduce((p, v) => p + Math.abs(v), 0)), T + 1, "gated rows");
        // Packed: each row cut after its last valid position.
        const lens = Array.from({ length: B }, (_, i) => { let e = 0; for (let t = 0; t < T; t++) if (mask[i * T + t]) e = t + 1; return e; });
        const offsets = Int32Array.from([0, ...lens].map((_, i, a) => a.slice(0, i + 1).reduce((p, v) => p + v, 0)));
        const pk = (v: Float32Array | Uint8Array) => { const o = new (v.constructor as any)(offsets[B]); for (let i = 0; i < B; i++) for (let t = 0; t < lens[i]!; t++) o[offsets[i]! + t] = v[i * T + t]; return o; };
        const p = api.roverTargets({ logp: pk(x.logp), oldLogp: pk(x.oldLogp), qLogits: pk(x.qLogits), oldQLogits: pk(x.oldQLogits), advantages: pk(x.advantages), mask: pk(mask), offsets, rho: 0.7, nextQScale: 0.9, clipRatio });
        assert.deepEqual(p.target, pk(got.target)); assert.deepEqual(p.q, pk(got.q));
      }), RUNS);
    });
  });
}

describe("reward shapers: the two builds agree bitwise (scalar f64 code in both)", () => {
  it("parShape, kimi, hapo, guiG2, bco on one input", () => {
    const [[, a], [, b]] = builds;
    const r = Float32Array.from([0.3, 2.7, -1.1, 5.9]), refs = { values: Float32Array.from([0.1, 1.3, 2.2, -0.7, 3.3, 0.9, 1.1, 4.4]), perRow: 2 };
    const run = (api: typeof a) => [
      api.parShape({ r, refs, sigmoid: true, lsc: true, tanh: true, relative: true }),
      api.kimiLengthReward({ lengths: Int32Array.of(10, 20, 30, 40), correct: Uint8Array.of(1, 0, 1, 0), groupSize: 2 }).len,
      api.guiG2Reward({ pred: Float32Array.of(1, 2, 30, 40), gt: Float32Array.of(0, 0, 33, 44) }).coverage,
    ];
    assert.deepEqual(run(a), run(b));
  });
});
