// Memory ownership and the hostile-input regressions of the first release: each test here is one
// scenario that gave wrong numbers or a raw exception before (a view detached by a copy-API call,
// a disposed workspace's views accepted, partial writes, broken error objects, loose options,
// NaN from finite inputs).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as lib from "../src/index.js";
import { builds, assertBitwise } from "./helpers.js";

function expectCode(f: () => unknown, code: string, argument?: string, index?: number) {
  assert.throws(f, (e: any) => {
    assert.ok(lib.isRlaError(e), `a typed error, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (argument !== undefined) assert.equal(e.argument, argument, e.message);
    if (index !== undefined) assert.equal(e.index, index, e.message);
    return true;
  });
}
const f32 = (xs: number[]) => Float32Array.from(xs);

for (const [build, api] of builds) {
  describe(`ownership (${build}): a view stays valid until its own workspace is resized or disposed`, () => {
    it("a larger copy-API call (maskedMean for logging) leaves the views a trainer holds intact", () => {
      const ws = api.createWorkspace({ rows: 4, width: 8, groupSize: 2 });
      ws.scores.set([1, 0, 0.5, 0.25]); ws.mask.fill(1);
      const { advantages } = ws.grpo();
      const copy = advantages.slice();
      const n = 1 << 22;
      api.maskedMean({ values: new Float32Array(n).fill(0.5), mask: new Uint8Array(n).fill(1), width: 1024 });
      assert.equal(advantages.length, 32, "not detached");
      assertBitwise(advantages, copy, "not overwritten");
      ws.dispose();
    });

    it("a workspace view passed to a copy-API call that grows its memory is read, not detached", () => {
      const B = 1 << 14, T = 256, N = B * T;
      const ws = api.createWorkspace({ rows: B, width: T, extraViews: ["tokenRewards", "values", "returns"] });
      for (let k = 0; k < N; k += 97) ws.tokenRewards[k] = (k % 7) / 3;
      ws.mask.fill(1);
      // The copy API copies `values` in and allocates two outputs of N floats: its memory grows.
      const values = new Float32Array(N).fill(0.25);
      const r = api.gae({ tokenRewards: ws.tokenRewards, values, mask: ws.mask, width: T, gamma: 0.9, lam: 0.8 });
      ws.values.set(values);
      const w = ws.gae({ gamma: 0.9, lam: 0.8 });
      assertBitwise(r.advantages, w.advantages, "same numbers");
      assert.equal(ws.tokenRewards.length, N);
      ws.dispose();
    });

    it("views of a disposed workspace are STALE_VIEW everywhere; other workspaces' kept views are never written", () => {
      const a = api.createWorkspace({ rows: 4, width: 4, groupSize: 2, extraViews: ["tokenScores"] });
      const b = api.createWorkspace({ rows: 4, width: 4, groupSize: 2, extraViews: ["tokenScores"] });
      b.scores.set([3, 1, 4, 1]); b.mask.fill(1);
      const kept = b.grpo().advantages, keptCopy = kept.slice();
      const oldScores = a.scores, oldMask = a.mask;
      a.dispose();
      expectCode(() => api.grpo({ scores: oldScores, groupSize: 2 }), "STALE_VIEW", "scores");
      expectCode(() => api.rloo({ scores: f32([1, 2, 3, 4]), mask: oldMask, groupSize: 2 }), "STALE_VIEW", "mask");
      expectCode(() => b.placeScores({ scorePlacement: "explicit", positions: new Int32Array(oldScores.buffer, 0, 4) }), "STALE_VIEW");
      expectCode(() => a.grpo(), "STALE_VIEW");
      assertBitwise(kept, keptCopy, "b's views untouched");
      b.dispose();
    });

    it("resize hands out new views and makes the old ones stale", () => {
      const a = api.createWorkspace({ rows: 4, width: 4, groupSize: 2 });
      const old = a.advantages;
      const b = a.resize({ rows: 8 });
      assert.equal(b.advantages.length, 32);
      expectCode(() => api.broadcastRows({ values: f32([1, 2, 3, 4]), mask: new Uint8Array(16), width: 4, ...({} as object) }) && api.maskedSum({ values: old, width: 4 }), "STALE_VIEW", "values");
      expectCode(() => a.grpo(), "STALE_VIEW");
      expectCode(() => a.resize({ rows: 2 }), "STALE_VIEW");
      b.dispose();
    });

    it("each workspace owns its memory: views of two workspaces are in different buffers, none in the copy API's", () => {
      const a = api.createWorkspace({ rows: 2, width: 2 }), b = api.createWorkspace({ rows: 2, width: 2 });
      assert.notEqual(a.scores.buffer, b.scores.buffer);
      assert.notEqual(a.scores.buffer, api.engine.memory.buffer);
      a.dispose(); b.dispose();
    });
  });

  describe(`no partial results (${build})`, () => {
    it("ReMax and openrlhfOutcome without a returns view: SHAPE_MISMATCH naming returns, nothing written", () => {
      const ws = api.createWorkspace({ rows: 2, width: 3, groupSize: 2, extraViews: ["tokenRewards"] });
      ws.tokenRewards.set([0, 0, 1, 0, 1, 0]); ws.mask.fill(1); ws.scores.set([1, 0]);
      ws.rowAdvantages.fill(7); ws.advantages.fill(7);
      expectCode(() => ws.remax(), "SHAPE_MISMATCH", "returns");
      expectCode(() => ws.openrlhfOutcome({ estimator: "rloo" }), "SHAPE_MISMATCH", "returns");
      assert.ok(ws.rowAdvantages.every((v) => v === 7) && ws.advantages.every((v) => v === 7), "untouched");
      ws.dispose();
    });
  });

  describe(`errors from any input (${build})`, () => {
    it("a Symbol, a BigInt, a Proxy, a cyclic object or a throwing getter gives the typed error naming the argument", () => {
      const cyc: any = {}; cyc.self = cyc;
      const base = { scores: f32([1, 0, 1, 1]), groupSize: 2 };
      for (const bad of [Symbol("s"), 3n, new Proxy(f32([1, 0, 1, 1]), {}), cyc]) {
        expectCode(() => api.grpo({ ...base, scores: bad as any }), "WRONG_TYPE", "scores");
        expectCode(() => api.grpo({ ...base, eps: bad as any }), "WRONG_TYPE", "eps");
        expectCode(() => api.gae({ tokenRewards: f32([1, 2]), values: f32([0, 0]), width: 2, gamma: bad as any }), "WRONG_TYPE", "gamma");
      }
      const getter = Object.defineProperty({ ...base }, "eps", { enumerable: true, get() { throw new Error("boom"); } });
      expectCode(() => api.grpo(getter as any), "WRONG_TYPE", "eps");
      expectCode(() => api.grpo(new Proxy({}, { ownKeys() { throw new Error("trap"); } }) as any), "WRONG_TYPE", "args");
      expectCode(() => api.grpo(null as any), "WRONG_TYPE", "args");
      expectCode(() => api.maskedMean({ values: f32([1]), width: 1, axis: Symbol("all") as any }), "UNKNOWN_OPTION", "axis");
    });

    it("enums and option keys match own keys only; unknown keys are refused everywhere", () => {
      for (const est of ["toString", "constructor", "__proto__", "hasOwnProperty"])
        expectCode(() => api.klPenalty({ logp: f32([-1]), refLogp: f32([-2]), klEstimator: est as never }), "UNKNOWN_OPTION", "klEstimator");
      expectCode(() => api.createWorkspace({ rows: 2, widht: 4 } as any), "UNKNOWN_OPTION", "widht");
      expectCode(() => api.createWorkspace({ rows: 2, width: 4, extraViews: ["value"] as any }), "UNKNOWN_OPTION", "extraViews", 0);
      for (const v of ["mask", "scores", "advantages", "__proto__"])
        expectCode(() => api.createWorkspace({ rows: 2, width: 4, extraViews: ["values", v] as any }), "UNKNOWN_OPTION", "extraViews", 1);
      expectCode(() => new lib.KlController({ value: 0.1, tagret: 1 } as any), "UNKNOWN_OPTION", "tagret");
      const ws = api.createWorkspace({ rows: 2, width: 2, groupSize: 2 });
      expectCode(() => ws.grpo({ epss: 1 } as any), "UNKNOWN_OPTION", "epss");
      expectCode(() => ws.grpo({ scores: f32([1, 2]) } as any), "UNKNOWN_OPTION", "scores");
      ws.dispose();
    });

    it("workspace errors name the views the user filled, with the right index", () => {
      const ws = api.createWorkspace({ rows: 2, width: 3, groupSize: 2, extraViews: ["logp", "refLogp", "kl", "loss", "tokenRewards", "returns"] });
      ws.mask.fill(1); ws.logp.fill(-1); ws.refLogp.fill(-1); ws.loss.fill(0.5);
      ws.logp[4] = NaN;
      expectCode(() => ws.klInReward(), "NON_FINITE", "logp", 4);
      expectCode(() => ws.klPenalty(), "NON_FINITE", "logp", 4);
      ws.logp[4] = -1; ws.loss[2] = Infinity;
      expectCode(() => ws.aggLoss(), "NON_FINITE", "loss", 2);
      ws.loss[2] = 0; ws.tokenRewards.fill(0); ws.tokenRewards[5] = NaN;
      expectCode(() => ws.klInReward(), "NON_FINITE", "tokenRewards", 5);
      ws.scores.set([1, NaN]);
      expectCode(() => ws.openrlhfOutcome({ estimator: "rloo" }), "NON_FINITE", "scores", 1);
      ws.scores.set([1, 0]); ws.mask[4] = 3;
      expectCode(() => ws.openrlhfOutcome({ estimator: "rloo" }), "MASK_NOT_BINARY", "mask", 4);
      ws.dispose();
      expectCode(() => api.openrlhfOutcome({ rewards: f32([1, 0, 1]), actionMask: new Uint8Array(3).fill(1), width: 1, groupIds: Int32Array.of(0, 0, 1), estimator: "rloo" }), "GROUP_TOO_SMALL", "groupIds", 2);
    });
  });

  describe(`no NaN or Inf from finite inputs (${build})`, () => {
    const mask = new Uint8Array(8).fill(1), same = new Float32Array(8).fill(0.3), zeros = new Float32Array(8);
    it("whitenEps 0 on a zero-variance batch gives exact zeros (0/0 is defined as 0)", () => {
      for (const r of [api.maskedWhiten({ values: same, mask, width: 4, whitenEps: 0 }),
        api.gae({ tokenRewards: zeros, values: zeros, mask, width: 4, whitenEps: 0 }).advantages,
        api.reinforcePP({ tokenRewards: zeros, mask, width: 4, whitenEps: 0, gamma: 1 }).advantages]) assert.ok(r.every((v) => Object.is(v, 0)), String(r));
      const ws = api.createWorkspace({ rows: 2, width: 4, extraViews: ["tokenRewards", "values", "returns"] });
      ws.mask.fill(1); ws.tokenRewards.fill(0); ws.values.fill(0);
      assert.ok(ws.gae({ whitenEps: 0 }).advantages.every((v) => Object.is(v, 0)), "ws.gae({ whitenEps: 0 }).advantages.every((v) => Object.is(v, 0))");
      ws.dispose();
    });
    it("every other case is a typed error or a defined finite value", () => {
      const big = f32([3e38, 3e38, 3e38, -3e38, 3e38, 3e38, 3e38, 3e38]); // -3e38 - mean leaves the f32 range
      expectCode(() => api.maskedWhiten({ values: big, mask, width: 4, centerOnly: true, whitenVariance: "biased" }), "RESULT_OVERFLOW");
      expectCode(() => api.maskedWhiten({ values: same, mask, width: 4, moments: Float64Array.of(3, 0, -1) }), "DOMAIN", "moments", 2);
      expectCode(() => api.maskedSum({ values: f32([3e38, 3e38, 0, 0]), width: 2, axis: "row" }), "RESULT_OVERFLOW");
      expectCode(() => lib.clipStepRewards({ stepValues: f32([-3e38]), eta: 3e38 }), "RESULT_OVERFLOW");
      expectCode(() => lib.deltaStepRewards({ stepValues: f32([-3e38, 3e38]), stepOffsets: Int32Array.of(0, 2) }), "RESULT_OVERFLOW");
      expectCode(() => lib.igpoTurnRewards({ v0: f32([800]), vTurn: f32([900, 0]), turnOffsets: Int32Array.of(0, 2), outcome: f32([1]) }), "RESULT_OVERFLOW");
      expectCode(() => api.igpoAdvantage({ turnRewards: f32([1, 2]), turnOffsets: Int32Array.of(0, 1, 2), turnEnds: Int32Array.of(0, 0), mask: new Uint8Array(2).fill(1), width: 1, groupSize: 2, eps: -1 }), "PARAM_OUT_OF_RANGE", "eps");
      expectCode(() => api.selfAlignedReward({ logpWithQuery: f32([-1, -1]), logpWithoutQuery: f32([-1, -1]), mask: new Uint8Array(2).fill(1), width: 2, eps: -1 }), "PARAM_OUT_OF_RANGE", "eps");
      expectCode(() => api.pureRlooBaseline({ mode: "return", returns: f32([3e38, -3e38, 3e38, -3e38]), mask: new Uint8Array(4).fill(1), width: 1, groupSize: 2 }), "RESULT_OVERFLOW");
      expectCode(() => api.rerank({ scores: f32([3e38, 3e38, -3e38, 1]), candidates: 2, heads: 2, weights: [3e38, 3e38] }), "RESULT_OVERFLOW");
      expectCode(() => api.tgdpo({ chosenLogp: f32([-1e30]), chosenRefLogp: f32([0]), chosenRewardLogp: f32([0]), chosenMask: Uint8Array.of(1), rejectedLogp: f32([0]), rejectedRefLogp: f32([-1e30]), rejectedRewardLogp: f32([0]), rejectedMask: Uint8Array.of(1), width: 1 }), "RESULT_OVERFLOW");
      expectCode(() => api.broadcastRows({ values: f32([NaN, 1]), mask: new Uint8Array(4).fill(1), width: 2 }), "NON_FINITE", "values", 0);
      expectCode(() => api.groupStats({ x: f32([NaN, 1, 2, NaN]), include: Uint8Array.of(0, 1, 1, 1), groupSize: 2 }), "NON_FINITE", "x", 3);
      const st = api.groupStats({ x: f32([1, 2]), groupIds: Int32Array.of(1, 1), numGroups: 2 });
      assert.deepEqual([st.mean[0], st.min[0], st.max[0], st.varUnbiased[0], st.varBiased[0]], [0, 0, 0, 0, 0], "an empty group's statistics are 0");
      expectCode(() => lib.mergeMoments(Float64Array.of(1, 0, 0), Float64Array.of(-1, 0, 0)), "DOMAIN", "b", 0);
      expectCode(() => lib.mergeMoments(Float64Array.of(2, 1e300, 0), Float64Array.of(2, -1e300, 0)), "RESULT_OVERFLOW");
      expectCode(() => lib.finalizeMoments(Float64Array.of(2, NaN, 0)), "NON_FINITE", "moments", 1);
      expectCode(() => lib.finalizeMoments(Float64Array.of(2, 0, 1), "toString" as any), "UNKNOWN_OPTION", "kind");
      const rr = api.rerank({ scores: f32([1, 2, 3, 4]), candidates: 2, valid: Uint8Array.of(1, 0, 0, 0), k: 2 });
      assert.deepEqual([...rr.topIndices], [0, -1, -1, -1], "fewer valid candidates than k: index -1");
      assert.deepEqual([...rr.topScores], [1, -Infinity, -Infinity, -Infinity], "and score -Infinity, as defined");
      const c = new lib.KlController({ type: "adaptive", value: 1e305, target: 0.1, horizon: 1 });
      expectCode(() => c.update(10, 1e6), "RESULT_OVERFLOW");
      assert.equal(c.value, 1e305, "the controller is unchanged");
    });
  });
}

describe("a copy API call whose memory grows mid-call gives the numbers of a call that does not grow it", () => {
  // The copy API's instance grows its memory as a call allocates scratch, which detaches every
  // typed view made before the growth. A binding that kept a view across an allocation read zeros
  // (undefined) after it: grpoLambda reset every row to its correctness, lscTransform with
  // sampled references, PRIME's advantages and PURE's leave-one-out read stale views. The first
  // call on a fresh instance grows its memory; the second, the same, finds it large enough.
  const B = 1 << 15, n = 8, T = 16;
  let x = 11;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const correct = Uint8Array.from({ length: B }, () => (rnd() < 0.5 ? 1 : 0)), lengths = Int32Array.from({ length: B }, () => 1 + Math.floor(rnd() * T));
  const r = Float32Array.from({ length: B }, () => Math.fround(rnd() * 4 - 2));
  const per = Int32Array.from({ length: B + 1 }, (_, i) => 3 * i);
  const refs = { values: Float32Array.from({ length: 3 * B }, () => Math.fround(rnd() * 4 - 2)), offsets: per };
  const mask = new Uint8Array(B * T);
  for (let i = 0; i < B; i++) mask.fill(1, i * T, i * T + lengths[i]!);
  const tokens = Float32Array.from({ length: B * T }, (_, k) => (mask[k] ? Math.fround(rnd() - 0.5) : 0));
  const outcome = Float32Array.from({ length: B }, () => (rnd() < 0.5 ? 1 : 0));
  const cases: [string, (api: lib.RlAdvantage) => unknown][] = [
    ["grpoLambda", (api) => api.grpoLambda({ correct, lengths, groupSize: n, lambda: 0.5, lengthWeight: 0.3 })],
    ["lscTransform (sampled references)", (api) => api.lscTransform({ r, refs, q: 0.85 })],
    ["primeAdvantage", (api) => api.primeAdvantage({ processRewards: tokens, outcome, mask, width: T, groupSize: n, whiten: false })],
    ["pureRlooBaseline (return mode)", (api) => api.pureRlooBaseline({ mode: "return", returns: tokens, mask, width: T, groupSize: n })],
  ];
  for (const [name, call] of cases) it(name, () => {
    for (const build of ["simd", "scalar"] as const) {
      const api = lib.createSync({ build });
      const grown = api.engine.memory.buffer.byteLength;
      const first = call(api);
      assert.ok(api.engine.memory.buffer.byteLength > grown, `${name}: the first call did not grow the memory (the test would prove nothing)`);
      const second = call(api);
      const flat = (v: unknown): number[] => v instanceof Float32Array || v instanceof Int32Array ? Array.from(new Uint32Array(new Float32Array(v as Float32Array).buffer)) :
        typeof v === "object" && v ? Object.keys(v).sort().flatMap((k) => (typeof (v as any)[k] === "object" ? flat((v as any)[k]) : [])) : [];
      assert.deepEqual(flat(first), flat(second), `${build} ${name}: the call that grew the memory differs`);
    }
  });
});
