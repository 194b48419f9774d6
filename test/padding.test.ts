// Padding is +0 whatever an output view held before the call. The kernels clear padding in their
// row streams (v128 stores, a tail by memory.fill) or by writing only the 64-byte blocks that are
// not all zero bits already (assembly/rows.ts zeroDirty: the score placement, the scalar
// broadcast), so a workspace reused from call to call must still see every stale value, -0 and
// NaN in its padding replaced: here the output views are dirtied in sparse runs (clean and dirty
// blocks interleaved, runs that end at the row end or mid-row, single -0 values) before each call,
// and the result must equal bitwise the same call on freshly zeroed views.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { builds, RUNS } from "./helpers.js";
import type { Workspace } from "../src/workspace.js";

const VIEWS = ["tokenRewards", "values", "returns", "logp", "refLogp", "kl", "tokenScores"] as const;
type Out = "advantages" | "returns" | "tokenRewards" | "kl" | "tokenScores";

// Calls that write token outputs with padding, and the views they write.
const CALLS: [string, (ws: Workspace) => unknown, Out[]][] = [
  ["gae", (ws) => ws.gae({ gamma: 0.99, lam: 0.95 }), ["advantages", "returns"]],
  ["gae, no whitening", (ws) => ws.gae({ gamma: 0.99, lam: 0.95, whiten: false }), ["advantages", "returns"]],
  ["discountedReturns", (ws) => ws.discountedReturns({ gamma: 0.9 }), ["advantages"]],
  ["reinforcePP", (ws) => ws.reinforcePP({ gamma: 0.9 }), ["advantages", "returns"]],
  ["klInReward k3", (ws) => ws.klInReward({ klEstimator: "low_var_kl", klCoef: 0.1 }), ["tokenRewards", "kl"]],
  ["klInReward k1", (ws) => ws.klInReward({ klEstimator: "k1", klCoef: 0.1 }), ["tokenRewards", "kl"]],
  ["klPenalty", (ws) => ws.klPenalty({ klEstimator: "k3" }), ["kl"]],
  ["minFormReturns verlCompat", (ws) => ws.minFormReturns({ mode: "verlCompat" }), ["returns"]],
  ["grpo + broadcast", (ws) => ws.grpo(), ["advantages"]],
  ["placeScores", (ws) => ws.placeScores(), ["tokenScores"]],
];

const garbage = fc.constantFrom(-0, NaN, Infinity, 1e-45, -1, 3.5);
/** Dirt: runs of positions (start, length, value) over the flat output. */
const dirt = fc.array(fc.record({ at: fc.nat(), run: fc.integer({ min: 1, max: 48 }), value: garbage, atRowEnd: fc.boolean() }), { maxLength: 12 });

/** A call's result as JSON without its views, or its error code (verlCompat refuses lengths). */
function result(call: () => unknown): string {
  try { return JSON.stringify(call(), (k, v) => (ArrayBuffer.isView(v) ? undefined : v)); } catch (e) { return `error ${(e as { code?: string }).code}`; }
}
function bits(a: Float32Array): number[] { return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length)); }

describe("padding is +0 whatever the output views held before the call", () => {
  for (const [build, api] of builds) it(build, () => {
    // Rows long enough for many 64-byte blocks (16 floats each) past the 2 KiB below which padding
    // is simply written, and short ones; lengths from empty to full.
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.constantFrom(64, 700, 1100), fc.boolean(), fc.integer({ min: 1, max: 1e6 }), dirt, (B, T, useMask, seed, spots) => {
      const plan = { rows: B, width: T, groupSize: B, extraViews: [...VIEWS], ...(useMask ? {} : { valid: "lengths" as const }) };
      const clean = api.createWorkspace(plan), dirty = api.createWorkspace(plan);
      try {
        let s = seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
        const lens = Array.from({ length: B }, () => Math.floor(rnd() * (T + 1)));
        const u = Float32Array.from({ length: B * T }, rnd), w = Float32Array.from({ length: B * T }, rnd), scores = Float32Array.from({ length: B }, rnd);
        for (const ws of [clean, dirty]) {
          if (useMask) for (let i = 0; i < B; i++) ws.mask.fill(1, i * T, i * T + lens[i]!);
          else ws.lengths.set(lens);
          for (let k = 0; k < B * T; k++) {
            ws.tokenRewards[k] = u[k]! - 0.5; ws.values[k] = w[k]! * 2 - 1;
            ws.logp[k] = -3 * u[k]!; ws.refLogp[k] = -3 * u[k]! + (w[k]! - 0.5) * 0.4;
          }
          ws.scores.set(scores);
        }
        // Inputs equal; then each call on both, the dirty one after its outputs are dirtied.
        for (const [name, call, outs] of CALLS) {
          for (const o of outs) clean[o].fill(0);
          const base = result(() => call(clean));
          for (const o of outs) for (const d of spots) {
            // anywhere, or ending exactly at a row's end (a dirty run that reaches the end of the padding)
            const from = d.atRowEnd ? ((d.at % B) + 1) * T - d.run : d.at % (B * T);
            dirty[o].fill(d.value, Math.max(from, 0), Math.min(from + d.run, B * T));
          }
          const got = result(() => call(dirty));
          assert.equal(got, base, `${name}: the result`);
          if (!base.startsWith("error")) for (const o of outs) assert.deepEqual(bits(dirty[o]), bits(clean[o]), `${name}: ${o}, bit for bit`);
          // inputs the next call reads: equal again on both (placeScores writes tokenScores, klInReward reads it)
          for (const v of VIEWS) dirty[v].set(clean[v]);
        }
      } finally { clean.dispose(); dirty.dispose(); }
    }), RUNS);
  });
});
