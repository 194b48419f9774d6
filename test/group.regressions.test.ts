// Counterexamples that fast-check shrank while the group family was written, pinned as
// examples. Each names the defect it caught.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { GroupBatch } from "./helpers.js";
import * as C from "./group.checks.js";

const batch = (o: { ids: number[]; scores: number[]; mask: number[]; T: number; groupSize?: number }): GroupBatch => {
  const b: GroupBatch = { B: o.ids.length, G: Math.max(...o.ids) + 1, T: o.T, ids: Int32Array.from(o.ids), scores: Float32Array.from(o.scores), mask: Uint8Array.from(o.mask) };
  if (o.groupSize) b.groupSize = o.groupSize;
  return b;
};
const rep = <T>(v: T, n: number): T[] => new Array<T>(n).fill(v);

describe("pinned counterexamples (group family)", () => {
  it("RF++-baseline: the baseline-subtracted rows must stay f64 into the whitening (mean of a cancelling batch)", () => {
    C.checkRfppb(batch({
      ids: [...rep(0, 10), ...rep(1, 10), ...rep(2, 10), ...rep(3, 10)], T: 10, groupSize: 10,
      scores: [...rep(0.699999988079071, 10), ...rep(0.5, 10), 0, 0, 0, 0, 1, 1, 0, 0, 1, 0, ...rep(0.5, 10)],
      mask: [...rep(0, 200), 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, ...rep(0, 119)],
    }), "raw", "unbiased", "add", 0);
    C.checkRfppb(batch({
      ids: [...rep(0, 7), ...rep(1, 13), ...rep(2, 10)], T: 1,
      scores: [...rep(10000, 7), 0, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, ...rep(0, 9)],
      mask: [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0],
    }), "raw", "unbiased", "add", 0);
  });

  it("DLER: same f64 intermediate, with a constant non-dyadic group and truncated rows", () => {
    C.checkDler(batch({
      ids: [...rep(0, 13), ...rep(1, 10), 2], T: 1,
      scores: [...rep(-2.9000000953674316, 13), 1, ...rep(0, 9), 10000],
      mask: [0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, ...rep(0, 12)],
    }), [true, true, true, true, true, true, false, true, true, false, false, false, false, false, false, false, true, false, true, true, true, true, true, ...rep(false, 41)], 0, 0);
  });

  it("BNPO: alpha ~ 6e9 (nearly equal p): the weight's f64 conditioning is part of the tolerance", () => {
    C.checkBnpo(batch({ ids: [0, 0, 1, 1, 2, 2], T: 1, groupSize: 2, scores: [0, 0.9999911189079285, 0, 1, 0, 1], mask: rep(0, 6) }), "raw", 0);
  });

  it("BNPO: beta ~ 1.6e16: log B needs the Stirling difference (three-term lgamma cancels to garbage)", () => {
    C.checkBnpo(batch({ ids: [0, 1, 1, 1, 1, 1, 1], T: 1, scores: [0, 1.2475388444270014e-16, 0, 0, 0, 0, 3.697785493223493e-32], mask: rep(0, 7) }), "raw", 0);
  });

  it("BNPO: every group at p = 2/5 takes the zero-variance fallback (the f64 mean of equal p's is inexact)", () => {
    C.checkBnpo(batch({ ids: [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2], T: 1, groupSize: 5, scores: [1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 0, 0], mask: rep(0, 15) }), "raw", 0);
  });

  it("TRL: subnormal rewards times a weight: row rewards must stay f64", () => {
    C.checkTrl({ n: 4, g: 5, K: 1, R: [0, 0, NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1.401298464324817e-45, NaN, 0, 0, 0], w: [1.04], scale: "group", agg: "sumThenNormalize" });
    C.checkTrl({ n: 6, g: 3, K: 3, R: [0, 0, 92.45280456542969, 0, NaN, 0, 0, 1, -83.08464813232422, 0, 0, 0, 0, 75.06746673583984, -68.33135223388672, 0, NaN, 1, ...rep(0, 10), NaN, 0, NaN, ...rep(0, 23)], w: [1, 0.79, 0.79], scale: "group", agg: "sumThenNormalize" });
  });

  it("TRL: a group with no scorable row (NaN mean) under batch scaling gives 0", () => {
    C.checkTrl({ n: 2, g: 5, K: 1, R: [0, NaN, 0, 0, 0, 0, NaN, NaN, 0, 0], w: [1], scale: "batch", agg: "sumThenNormalize" });
  });

  it("OPO: subnormal scores: f32 rounding has an absolute floor", () => {
    C.checkOpo(batch({ ids: [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4], T: 1, groupSize: 3, scores: [0, 1.401298464324817e-44, 0, 10000, 10000, 10000, ...rep(0.699999988079071, 3), ...rep(0, 6)], mask: [1, 1, 1, ...rep(0, 12)] }), "raw", 0);
  });

  it("OpenRLHF reinforce, centre only: the normalisation reads f64 returns", () => {
    C.checkOrl(batch({ ids: [0, 0, 1, 1, 2, 2], T: 3, groupSize: 2, scores: [3.299999952316284, 3.299999952316284, 0, 0, 0, -8.077253341674805], mask: [1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 0] }), "reinforce", 0, 0.99, true);
  });
});

describe("fused contiguous paths at sizes the random batches do not reach", () => {
  it("BNPO with more distinct success rates than its weight table holds (4096 groups of 2, continuous scores): every layout against the oracle", () => {
    // Groups of 2 with scores k/4096: up to 4096 distinct rates, past the 2048 entries the fused
    // path deduplicates, so it evaluates the weight per group instead.
    const G = 4096, n = 2, B = G * n;
    const scores = Array.from({ length: B }, (_, i) => ((i * 2654435761) >>> 0) % 4096 / 4096);
    C.checkBnpo(batch({ ids: Array.from({ length: B }, (_, i) => Math.floor(i / n)), scores, mask: rep(1, B), T: 1, groupSize: n }), "raw", 0);
  });
});

describe("NON_FINITE found by the fused group pass (validated while computing)", () => {
  it("GRPO, Dr.GRPO, RLOO, GPG, Pass@k: the first non-finite score, with groupSize and groupIds, copy API and workspace, both builds; rowAdvantages all NaN or untouched, never partial", async () => {
    const { builds } = await import("./helpers.js");
    // The fused pass (groupSize) no longer checks the scores first: a non-finite group sum flags
    // them and the index is looked up afterwards. The groupIds path checks first. Both must name
    // the same first index; singleton groups with singleton "error" still report NON_FINITE first.
    const B = 40;
    for (const n of [1, 4, 8]) for (const bads of [[0], [17], [39], [9, 3], [22, 23]]) for (const v of [NaN, Infinity, -Infinity]) {
      const scores = Float32Array.from({ length: B }, (_, i) => Math.fround(Math.sin(i * 1.7) * 0.9));
      for (const b of bads) scores[b] = v;
      const want = Math.min(...bads);
      const ids = Int32Array.from({ length: B }, (_, i) => Math.floor(i / n));
      for (const [build, api] of builds) {
        for (const [name, opts] of [["grpo", {}], ["drGrpo", {}], ["rloo", n === 1 ? { singleton: "error" } : {}], ["gpg", { fNorm: 2 }], ["grpoPassK", {}]] as const) {
          const wsSize = api.createWorkspace({ rows: B, groupSize: n }), wsIds = api.createWorkspace({ rows: B });
          wsSize.scores.set(scores); wsIds.scores.set(scores); wsIds.groupIds.set(ids);
          const calls: [string, () => unknown, Float32Array | null][] = [
            ["copy groupSize", () => (api as any)[name]({ scores, groupSize: n, ...opts }), null],
            ["copy groupIds", () => (api as any)[name]({ scores, groupIds: ids, ...opts }), null],
            ["workspace groupSize", () => (wsSize as any)[name](opts), wsSize.rowAdvantages],
            ["workspace groupIds", () => (wsIds as any)[name](opts), wsIds.rowAdvantages],
          ];
          for (const [what, call, view] of calls) {
            view?.fill(0.25);
            let err: any;
            try { call(); } catch (e) { err = e; }
            const where = `${build} ${name} n=${n} bad at ${bads} (${v}), ${what}`;
            assert.ok(err && err.code === "NON_FINITE" && err.index === want && err.argument === "scores", `${where}: got ${err ? `${err.code} ${err.argument} at ${err.index}` : "a result"}`);
            if (view) assert.ok(view.every((x) => x === 0.25) || view.every((x) => Number.isNaN(x)), `${where}: rowAdvantages partly written`);
          }
          for (const ws of [wsSize, wsIds]) {
            // Still usable: the same call on finite scores succeeds.
            ws.scores.set(scores.map((x) => (Number.isFinite(x) ? x : 0.5)));
            if (!(name === "grpoPassK" && n === 1)) (ws as any)[name](name === "rloo" && n === 1 ? {} : opts);
            ws.dispose();
          }
        }
      }
    }
  });
});

describe("RESULT_OVERFLOW on the fused paths", () => {
  it("GPG near the float32 limit (a tiny fNorm): the fused pass's range bound decides as the general path's row test does", async () => {
    const { builds } = await import("./helpers.js");
    // RLOO and GPG bound a group by its range (max - min) instead of its M2 (assembly/group/center.ts):
    // with scale alpha / fNorm set so the largest |x - mu| lands just below, at, or just above the
    // largest float32, the groupSize pass (range bound, then rows tested only past it) and the
    // groupIds pass (every row tested) must give the same error at the same row, or the same bits.
    const n = 4, G = 9, B = n * G, ids = Int32Array.from({ length: B }, (_, i) => Math.floor(i / n));
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 40; trial++) {
      const scores = Float32Array.from({ length: B }, () => Math.fround((rnd() - 0.5) * 2 * 10 ** (rnd() * 6 - 3)));
      if (trial % 3 === 0) scores.fill(scores[0]!, 0, n); // a constant group: exactly 0, never a bound
      // alpha = B / nonzero rows = 1 here; fNorm puts the batch's largest |x - mu| near 3.4028e38.
      let worst = 0;
      for (let g = 0; g < G; g++) {
        let s = 0; for (let k = 0; k < n; k++) s += scores[g * n + k]!;
        for (let k = 0; k < n; k++) worst = Math.max(worst, Math.abs(scores[g * n + k]! - s / n));
      }
      const fNorm = worst / (3.4028234663852886e38 * (1 + (rnd() - 0.5) * 2e-7));
      for (const [build, api] of builds) {
        const wsSize = api.createWorkspace({ rows: B, groupSize: n }), wsIds = api.createWorkspace({ rows: B });
        wsSize.scores.set(scores); wsIds.scores.set(scores); wsIds.groupIds.set(ids);
        const outcome = (call: () => unknown, view: Float32Array) => {
          try { call(); return Array.from(new Uint32Array(view.slice().buffer)).join(","); } catch (e: any) { return `${e.code} at ${e.index}`; }
        };
        const a = outcome(() => wsSize.gpg({ fNorm }), wsSize.rowAdvantages), b = outcome(() => wsIds.gpg({ fNorm }), wsIds.rowAdvantages);
        assert.equal(a, b, `${build} trial ${trial}: groupSize and groupIds disagree`);
        wsSize.dispose(); wsIds.dispose();
      }
    }
  });


  it("RLOO: a group past the f32 range throws at the same row with groupSize and groupIds, copy API and workspace, on both builds", async () => {
    const { builds } = await import("./helpers.js");
    // 8 groups of 4 (the fused pass's four-group blocks and its tail); the huge pair sits in
    // group g: RLOO's (x - mu) * 4 / 3 and GPG's scaling leave the f32 range there only.
    for (const g of [0, 3, 5, 7]) {
      const scores = Float32Array.from({ length: 32 }, (_, i) => ((i * 7) % 5) * 0.1);
      scores[g * 4 + 1] = 3e38; scores[g * 4 + 2] = -3e38;
      const ids = Int32Array.from({ length: 32 }, (_, i) => i >> 2);
      for (const [build, api] of builds) {
        // The copy API also scans its outputs; the workspace relies on the kernel's own test.
        const wsSize = api.createWorkspace({ rows: 32, groupSize: 4 }), wsIds = api.createWorkspace({ rows: 32 });
        wsSize.scores.set(scores); wsIds.scores.set(scores); wsIds.groupIds.set(ids);
        const calls: [string, () => unknown][] = [
          ["copy groupSize", () => api.rloo({ scores, groupSize: 4 })], ["copy groupIds", () => api.rloo({ scores, groupIds: ids })],
          ["workspace groupSize", () => wsSize.rloo()], ["workspace groupIds", () => wsIds.rloo()],
        ];
        for (const [what, call] of calls) {
          let err: any;
          try { call(); } catch (e) { err = e; }
          if (!err || err.code !== "RESULT_OVERFLOW" || err.index !== g * 4 + 1)
            throw new Error(`${build} ${what} group ${g}: expected RESULT_OVERFLOW at ${g * 4 + 1}, got ${err ? `${err.code} at ${err.index}` : "a result"}`);
        }
        wsSize.dispose(); wsIds.dispose();
      }
    }
  });
});
