// Capacity: addresses past 2 GiB compute exactly what small workspaces compute; sizes never wrap;
// past the limit of one WebAssembly memory a plan or call is CAPACITY (bytes needed and the limit)
// before anything is allocated; group ids are dense. The large workspaces here take about 3.5 GiB
// and a few seconds: they fit the 24 GiB project machines.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { builds, assertBitwise } from "./helpers.js";
import { MEMORY_LIMIT } from "../src/core/engine.js";
import { Workspace } from "../src/workspace.js";

const api = builds[0]![1];

function expectCode(f: () => unknown, code: string, argument?: string, index?: number) {
  assert.throws(f, (e: any) => {
    assert.equal(e.code, code, e.message);
    if (argument !== undefined) assert.equal(e.argument, argument, e.message);
    if (index !== undefined) assert.equal(e.index, index, e.message);
    return true;
  });
}

describe("capacity past 2 GiB", () => {
  it("a 3.5 GiB workspace (4096 x 20480, GAE and KL views) computes bitwise what an 8-row one computes, on rows stored above 2 GiB", () => {
    const B = 4096, T = 20480, R = 8, base = (B - R) * T;
    const big = api.createWorkspace({ rows: B, width: T, maxGroups: B / 8, extraViews: ["tokenRewards", "values", "returns", "logp", "refLogp", "kl"] });
    assert.ok(big.engine.memory.buffer.byteLength > 2 ** 31 + 2 ** 30, "the memory is above 3 GiB");
    const small = api.createWorkspace({ rows: R, width: T, groupSize: 8, extraViews: ["tokenRewards", "values", "returns", "logp", "refLogp", "kl"] });
    // Only the last R rows hold tokens; every other row is empty, so the batch statistics are theirs.
    big.mask.fill(0);
    for (let i = 0; i < B; i++) big.groupIds[i] = (B - 1 - i) >> 3; // groups by id, rows in reverse order
    for (let i = 0; i < R; i++) {
      const s = Math.fround(((i * 0.37) % 1) + 0.01);
      big.scores[B - R + i] = s; small.scores[i] = s;
      const L = 100 + i * 977;
      for (let t = 0; t < L; t++) {
        const k = i * T + t, r = Math.fround(Math.sin(i + t * 0.1)), v = Math.fround(Math.cos(i * t * 0.01)), lp = Math.fround(-1 - Math.sin(t) ** 2), rp = Math.fround(lp - 0.3 * Math.cos(t * 0.7));
        big.mask[base + k] = 1; small.mask[k] = 1;
        big.tokenRewards[base + k] = r; small.tokenRewards[k] = r;
        big.values[base + k] = v; small.values[k] = v;
        big.logp[base + k] = lp; small.logp[k] = lp;
        big.refLogp[base + k] = rp; small.refLogp[k] = rp;
      }
    }
    const tail = (v: Float32Array) => v.subarray(base);
    const g1 = big.grpo(), g2 = small.grpo();
    assertBitwise(g1.rowAdvantages.subarray(B - R), g2.rowAdvantages, "grpo (groupIds) row advantages");
    assertBitwise(tail(g1.advantages), g2.advantages, "grpo token advantages");
    const a1 = big.gae({ gamma: 0.99, lam: 0.95 }), a2 = small.gae({ gamma: 0.99, lam: 0.95 });
    assertBitwise(tail(a1.advantages), a2.advantages, "gae whitened advantages");
    assertBitwise(tail(a1.returns), a2.returns, "gae returns");
    const k1 = big.klPenalty({ klEstimator: "low_var_kl" }), k2 = small.klPenalty({ klEstimator: "low_var_kl" });
    assertBitwise(tail(k1.kl), k2.kl, "klPenalty k3");
    const r1 = big.klInReward({ klCoef: 0.05, klEstimator: "k1" }), r2 = small.klInReward({ klCoef: 0.05, klEstimator: "k1" });
    assertBitwise(tail(r1.tokenRewards), r2.tokenRewards, "klInReward in place");
    assert.equal(r1.currentKl * B, r2.currentKl * R, "current KL (a mean over rows)");
    assertBitwise(tail(big.discountedReturns({ gamma: 0.9 }).advantages), small.discountedReturns({ gamma: 0.9 }).advantages, "discounted returns");
    big.dispose(); small.dispose();
  });

  it("rows: 1, width: 2^29 plans its own 2.5 GiB and runs; the copy API keeps working beside it", () => {
    const ws = api.createWorkspace({ rows: 1, width: 2 ** 29, groupSize: 1 });
    ws.scores[0] = 0.75; ws.mask.fill(1, 0, 5);
    const r = ws.grpo();
    assert.equal(r.advantages.length, 2 ** 29);
    assert.deepEqual(Array.from(r.advantages.subarray(0, 6)), [Math.fround(0.75 / (1 + 1e-6)), Math.fround(0.75 / (1 + 1e-6)), Math.fround(0.75 / (1 + 1e-6)), Math.fround(0.75 / (1 + 1e-6)), Math.fround(0.75 / (1 + 1e-6)), 0]);
    assert.equal(r.advantages[2 ** 29 - 1], 0);
    assert.equal(api.grpo({ scores: Float32Array.of(1, 0), groupSize: 2 }).rowAdvantages.length, 2);
    ws.dispose();
  });
});

describe("sizes never wrap: CAPACITY before anything is allocated", () => {
  it("plans past one WebAssembly memory are CAPACITY with the bytes needed and the limit", () => {
    for (const plan of [{ rows: 1, width: 2 ** 31 }, { rows: 2 ** 20, width: 2 ** 10 }, { rows: 1, tokens: 2 ** 30 }, { rows: 2 ** 16, width: 2 ** 13, extraViews: ["values", "returns", "logp"] as any }]) {
      assert.throws(() => api.createWorkspace(plan), (e: any) => {
        assert.equal(e.code, "CAPACITY", e.message);
        assert.match(e.message, new RegExp(`limit of ${MEMORY_LIMIT} bytes`));
        const needed = Number(/needs (\d+) bytes/.exec(e.message)![1]);
        assert.ok(needed > MEMORY_LIMIT, `${needed} bytes needed`);
        return true;
      }, JSON.stringify(plan));
    }
  });
  it("Workspace.bytesFor(plan) is exactly what a plan reserves, without allocating", () => {
    for (const plan of [{ rows: 8, width: 16 }, { rows: 64, tokens: 999, groupSize: 4, extraViews: ["values", "returns"] as any }, { rows: 6, maxGroups: 3, rewardFunctions: 3 }]) {
      const ws = api.createWorkspace(plan);
      assert.equal(Workspace.bytesFor(plan), ws.engine.heap.bytesReserved, JSON.stringify(plan));
      ws.dispose();
    }
    assert.ok(Workspace.bytesFor({ rows: 1, width: 2 ** 31 }) > MEMORY_LIMIT, "Workspace.bytesFor({ rows: 1, width: 2 ** 31 }) > MEMORY_LIMIT");
  });
  it("a failed plan leaves the copy API's memory as it was, and the next plan works", () => {
    const before = api.engine.memory.buffer.byteLength;
    for (let k = 0; k < 20; k++) expectCode(() => api.createWorkspace({ rows: 1, width: 2 ** 31 }), "CAPACITY", "plan");
    assert.equal(api.engine.memory.buffer.byteLength, before);
    const ws = api.createWorkspace({ rows: 4, width: 4, groupSize: 2 });
    ws.scores.set([1, 0, 1, 1]); ws.mask.fill(1);
    assert.equal(ws.grpo().rowAdvantages[2], 0);
    ws.dispose();
  });
  it("absurd counts are typed errors, never a wrapped size", () => {
    expectCode(() => api.createWorkspace({ rows: 4, maxGroups: 1e300 }), "PARAM_OUT_OF_RANGE", "maxGroups");
    expectCode(() => api.createWorkspace({ rows: 4, maxGroups: 5 }), "PARAM_OUT_OF_RANGE", "maxGroups");
    expectCode(() => api.createWorkspace({ rows: 2 ** 53, width: 2 }), "PARAM_OUT_OF_RANGE", "rows");
    expectCode(() => api.createWorkspace({ rows: 4, width: 1.5 }), "WRONG_TYPE", "width");
    expectCode(() => api.createWorkspace({ rows: 4, rewardFunctions: 2 ** 40 }), "CAPACITY", "plan");
  });
  it("offsets[B] = 2^31 - 1: BAD_OFFSETS or CAPACITY, no trap, the engine still works", () => {
    const offsets = Int32Array.of(0, 2 ** 31 - 1);
    assert.throws(() => api.grpo({ scores: Float32Array.of(1), offsets, groupSize: 1 }), (e: any) => e.code === "CAPACITY" || e.code === "BAD_OFFSETS");
    assert.throws(() => api.grpo({ scores: Float32Array.of(1), offsets, mask: new Uint8Array(3), groupSize: 1 }), (e: any) => e.code === "BAD_OFFSETS" || e.code === "SHAPE_MISMATCH");
    const ws = api.createWorkspace({ rows: 1, tokens: 8, groupSize: 1 });
    ws.offsets.set([0, 2 ** 31 - 1]);
    expectCode(() => ws.grpo(), "BAD_OFFSETS", "offsets", 1);
    ws.offsets.set([0, 3]); ws.mask.fill(1); ws.scores[0] = 2;
    assert.equal(ws.grpo().advantages.length, 3);
    ws.dispose();
    assert.equal(api.grpo({ scores: Float32Array.of(1, 3), groupSize: 2 }).rowAdvantages.length, 2);
  });
});

describe("group ids are dense", () => {
  it("one large id (5e7, 2^28 - 1, 2^31 - 1) in a batch of 4 is GROUP_ID_OUT_OF_RANGE at once, memory untouched", () => {
    for (const id of [5e7, 2 ** 28 - 1, 2 ** 31 - 1]) {
      const before = api.engine.memory.buffer.byteLength, t0 = performance.now();
      expectCode(() => api.grpo({ scores: Float32Array.of(1, 2, 3, 4), groupIds: Int32Array.of(0, 0, id, 1) }), "GROUP_ID_OUT_OF_RANGE", "groupIds", 2);
      assert.ok(performance.now() - t0 < 100, "no per-group work for an id that is refused");
      assert.equal(api.engine.memory.buffer.byteLength, before);
    }
    expectCode(() => api.grpo({ scores: Float32Array.of(1, 2, 3, 4), groupIds: Int32Array.of(0, 0, 1, 1), numGroups: 5 }), "PARAM_OUT_OF_RANGE", "numGroups");
    assert.equal(api.grpo({ scores: Float32Array.of(1, 2, 3, 4), groupIds: Int32Array.of(0, 0, 3, 3), numGroups: 4 }).diagnostics.emptyGroups, 2);
  });
  it("in a workspace, an id >= maxGroups names groupIds and its row", () => {
    const ws = api.createWorkspace({ rows: 6, maxGroups: 3 });
    ws.scores.set([1, 2, 3, 4, 5, 6]); ws.groupIds.set([0, 0, 1, 1, 2, 3]);
    expectCode(() => ws.grpo(), "GROUP_ID_OUT_OF_RANGE", "groupIds", 5);
    expectCode(() => ws.grpo({ numGroups: 4 }), "PARAM_OUT_OF_RANGE", "numGroups");
    ws.groupIds[5] = 2;
    assert.equal(ws.grpo().rowAdvantages.length, 6);
    ws.dispose();
  });
});
