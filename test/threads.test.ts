// The worker pool (plan `threads`, docs/threads.md): every row-parallel workspace call gives
// bitwise the outputs, diagnostics and errors of one thread, on both builds and every layout,
// with tiny batches split across 2 and 3 threads (the work threshold lowered for the test).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { setThreadMinWork, THREAD_MIN_WORK, weightedBounds } from "../src/core/engine.js";
import { threadsSupported } from "../src/core/threads.js";
import type { Workspace } from "../src/workspace.js";
import { builds, RUNS, thrown } from "./helpers.js";

const B = 9, T = 37;
const VIEWS = ["tokenRewards", "values", "returns", "logp", "refLogp", "kl", "tokenScores"] as const;
type Layout = "mask" | "lengths" | "packed";
const LAYOUTS: Layout[] = ["mask", "lengths", "packed"];

function plan(layout: Layout, threads: number) {
  const base = { rows: B, extraViews: [...VIEWS], threads };
  return layout === "packed" ? { ...base, tokens: B * T } : { ...base, width: T, valid: layout === "lengths" ? "lengths" as const : "mask" as const };
}

const f32 = (lim: number) => fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-lim), max: Math.fround(lim) });
/** One batch's contents: row lengths, holes, values, knobs, and maybe a few poisoned or huge inputs. */
const batch = fc.record({
  lens: fc.array(fc.nat({ max: T }), { minLength: B, maxLength: B }),
  holes: fc.array(fc.boolean(), { minLength: B * T, maxLength: B * T }),
  withHoles: fc.boolean(),
  r: fc.array(f32(50), { minLength: B * T, maxLength: B * T }),
  v: fc.array(f32(50), { minLength: B * T, maxLength: B * T }),
  lp: fc.array(f32(20), { minLength: B * T, maxLength: B * T }),
  rp: fc.array(f32(20), { minLength: B * T, maxLength: B * T }),
  gamma: fc.constantFrom(0, 0.5, 0.99, 1), lam: fc.constantFrom(0, 0.95, 1),
  estimator: fc.constantFrom("k1", "k2", "k3", "abs", "low_var_kl", "mse"),
  clamp: fc.constantFrom("verl", "all10", "none"),
  // Up to three bad or huge inputs, so that several row ranges can fail at once (the first wins).
  // A run of 1 to 4 equal huge values overflows a scan; NaN and Infinity fail the check.
  poison: fc.option(fc.array(fc.record({ at: fc.nat({ max: B * T - 1 }), run: fc.integer({ min: 1, max: 4 }), tensor: fc.constantFrom(...VIEWS.slice(0, 5)), value: fc.constantFrom(NaN, Infinity, 3e38, -3e38) }), { minLength: 1, maxLength: 3 }), { freq: 3 }),
});
type Batch = typeof batch extends fc.Arbitrary<infer X> ? X : never;

function fill(ws: Workspace, layout: Layout, x: Batch): void {
  let pos = 0;
  if (layout === "packed") { ws.offsets[0] = 0; for (let i = 0; i < B; i++) ws.offsets[i + 1] = (pos += x.lens[i]!); }
  if (layout === "lengths") ws.lengths.set(x.lens);
  if (layout !== "lengths") {
    for (let i = 0; i < B; i++) for (let t = 0; t < (layout === "packed" ? x.lens[i]! : T); t++) {
      const k = layout === "packed" ? ws.offsets[i]! + t : i * T + t;
      ws.mask[k] = t < x.lens[i]! && !(x.withHoles && t > 0 && x.holes[k]) ? 1 : 0;
    }
  }
  ws.tokenRewards.set(x.r); ws.tokenScores.set(x.r); ws.values.set(x.v); ws.logp.set(x.lp); ws.refLogp.set(x.rp);
  for (const p of x.poison ?? []) ws[p.tensor].fill(p.value, p.at, Math.min(p.at + p.run, B * T));
}

const CALLS: [string, (ws: Workspace, x: Batch) => unknown, (typeof VIEWS[number] | "advantages")[]][] = [
  ["gae", (ws, x) => ws.gae({ gamma: x.gamma, lam: x.lam }), ["advantages", "returns"]],
  ["gae, no whitening", (ws, x) => ws.gae({ gamma: x.gamma, lam: x.lam, whiten: false }), ["advantages", "returns"]],
  ["reinforcePP", (ws, x) => ws.reinforcePP({ gamma: x.gamma }), ["advantages", "returns"]],
  ["discountedReturns", (ws, x) => ws.discountedReturns({ gamma: x.gamma, returnsMasked: "reset" }), ["returns"]],
  ["klInReward", (ws, x) => ws.klInReward({ klEstimator: x.estimator as never, klClamp: x.clamp as never, klCoef: 0.05 }), ["tokenRewards", "kl"]],
  ["klPenalty", (ws, x) => ws.klPenalty({ klEstimator: x.estimator as never, klClamp: x.clamp as never }), ["kl"]],
  ["minFormReturns verlCompat", (ws) => ws.minFormReturns({ mode: "verlCompat", paddedWidth: T }), ["returns"]],
];

/** What a call left: its result (or error code, argument and index) and its output views' bits. */
function outcome(ws: Workspace, call: (ws: Workspace) => unknown, outs: string[]) {
  let result: unknown;
  try { result = JSON.stringify(call(ws), (k, v) => (ArrayBuffer.isView(v) ? undefined : v)); } catch (e) {
    const err = e as { code?: string; argument?: string; index?: number };
    if (!err.code) throw e;
    result = `${err.code} ${err.argument} ${err.index}`;
  }
  const bits = outs.map((o) => Array.from(new Uint32Array(new Float32Array((ws as unknown as Record<string, Float32Array>)[o]!).buffer)));
  return { result, bits };
}

describe("row ranges of equal work (scans split by the positions each row scans)", () => {
  it("sorted lengths: two ranges hold about half the tokens each, not half the rows", () => {
    const w = Int32Array.from({ length: 1024 }, (_, i) => 8 * i); // rows sorted by length
    const [a, mid, b] = weightedBounds(w, 2);
    assert.equal(a, 0); assert.equal(b, 1024);
    const left = w.subarray(0, mid).reduce((x, y) => x + y + 16, 0), right = w.subarray(mid).reduce((x, y) => x + y + 16, 0);
    assert.ok(Math.abs(left - right) <= 8 * 1024 + 16, `left ${left}, right ${right} (boundary ${mid})`);
    assert.ok(mid > 700, `an even split by rows (512) would give the second thread 3/4 of the tokens; got ${mid}`);
  });
  it("every range is contiguous and ordered, empty ranges allowed, for any weights and thread count", () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 1 << 16 }), { maxLength: 200 }), fc.integer({ min: 2, max: 8 }), (ws, n) => {
      const b = weightedBounds(Int32Array.from(ws), n);
      assert.equal(b.length, n + 1); assert.equal(b[0], 0); assert.equal(b[n], ws.length);
      for (let k = 1; k <= n; k++) assert.ok(b[k]! >= b[k - 1]!, `bounds ${b}`);
      // no range is heavier than its fair share by more than one row
      const total = ws.reduce((x, y) => x + y + 16, 0), big = Math.max(0, ...ws) + 16;
      for (let k = 0; k < n; k++) {
        const part = ws.slice(b[k], b[k + 1]).reduce((x, y) => x + y + 16, 0);
        assert.ok(part <= total / n + big, `range ${k} weighs ${part} of ${total} (bounds ${b})`);
      }
    }), RUNS);
  });
});

describe("worker pool: threads > 1 gives bitwise the results of one thread", { skip: !threadsSupported() && "no shared memory or workers here" }, () => {
  const spaces: Workspace[] = [];
  before(() => setThreadMinWork(1));
  after(() => { setThreadMinWork(THREAD_MIN_WORK); for (const ws of spaces) ws.dispose(); });

  for (const [build, api] of builds) for (const layout of LAYOUTS) {
    it(`${build}, ${layout}: every row-parallel call, 1 vs 2 vs 3 threads`, async () => {
      const ws = [1, 2, 3].map((n) => api.createWorkspace(plan(layout, n)));
      spaces.push(...ws);
      const ready = await Promise.all(ws.map((w) => w.threadsReady()));
      assert.deepEqual(ready, [1, 2, 3], "every worker started");
      let split = 0;
      fc.assert(fc.property(batch, (x) => {
        for (const [name, call, outs] of CALLS) {
          const got = ws.map((w) => { fill(w, layout, x); return outcome(w, (v) => call(v, x), outs); });
          for (const k of [1, 2]) {
            assert.deepEqual(got[k]!.result, got[0]!.result, `${name}: result with ${k + 1} threads`);
            got[k]!.bits.forEach((b, j) => assert.deepEqual(b, got[0]!.bits[j], `${name}: ${outs[j]} bits with ${k + 1} threads`));
          }
          split++;
        }
      }), { ...RUNS, numRuns: Math.min(RUNS.numRuns, 60) });
      assert.ok(split > 0, "calls ran");
    });
  }

  it("pinned: two row ranges that both overflow report the first range's index (a scan, two threads)", async () => {
    for (const [build, api] of builds) {
      const ws = api.createWorkspace({ rows: 4, width: 16, valid: "lengths", extraViews: ["tokenRewards", "values", "returns"], threads: 2 });
      spaces.push(ws);
      assert.equal(await ws.threadsReady(), 2, build);
      ws.lengths.fill(16);
      ws.tokenRewards.fill(3e38, 0, 4); ws.tokenRewards.fill(3e38, 48, 52); // rows 0 and 3: ranges [0, 2) and [2, 4)
      const err = thrown(() => ws.discountedReturns({ gamma: 1 }));
      assert.ok(err.code === "RESULT_OVERFLOW" && err.index < 16, `${build}: ${err.message}`);
    }
  });

  it("long rows on two threads at once: each range scans with its own row buffer (whitened GAE, bitwise)", async () => {
    for (const [build, api] of builds) {
      const one = api.createWorkspace({ rows: 2, width: 1 << 15, valid: "lengths", extraViews: ["tokenRewards", "values", "returns"] });
      const two = api.createWorkspace({ rows: 2, width: 1 << 15, valid: "lengths", extraViews: ["tokenRewards", "values", "returns"], threads: 2 });
      spaces.push(one, two);
      assert.equal(await two.threadsReady(), 2, build);
      for (const ws of [one, two]) {
        ws.lengths.fill(1 << 15);
        for (let k = 0; k < ws.N; k++) { ws.tokenRewards[k] = Math.fround(Math.sin(k) * (k < ws.T ? 1 : 100)); ws.values[k] = Math.fround(Math.cos(k)); }
      }
      for (let r = 0; r < 5; r++) {
        const a = one.gae({ gamma: 0.99, lam: 0.95 }).diagnostics.whiten, b = two.gae({ gamma: 0.99, lam: 0.95 }).diagnostics.whiten;
        assert.deepEqual(b, a, `${build}: whitening statistics, round ${r}`);
        assert.ok(two.advantages.every((v, k) => Object.is(v, one.advantages[k])), `${build}: advantages, round ${r}`);
      }
    }
  });

  it("the plan: threads in [1, 64]; resize keeps it; dispose stops the workers", async () => {
    const [, api] = builds[0]!;
    assert.equal(thrown(() => api.createWorkspace({ rows: 2, width: 4, threads: 0 })).code, "PARAM_OUT_OF_RANGE");
    assert.equal(thrown(() => api.createWorkspace({ rows: 2, width: 4, threads: 65 })).argument, "threads");
    assert.equal(thrown(() => api.createWorkspace({ rows: 2, width: 4, threads: 1.5 })).code, "WRONG_TYPE");
    const one = api.createWorkspace({ rows: 2, width: 4 });
    assert.equal(one.threads, 1, "default one thread");
    assert.equal(await one.threadsReady(), 1, "no pool");
    const ws = api.createWorkspace({ rows: 2, width: 4, threads: 2 });
    assert.equal(await ws.threadsReady(), 2, "one worker started");
    const next = ws.resize({ rows: 4 });
    assert.equal(await next.threadsReady(), 2, "resize keeps threads");
    assert.equal(ws.threads, 0, "a disposed workspace has no threads");
    next.dispose();
    one.dispose();
  });
});
