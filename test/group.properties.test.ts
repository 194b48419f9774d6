// Property tests of the group family (docs/numerics.md#properties): every estimator against the f64
// oracle on both builds, with packed = padded, groupSize = groupIds, relabelling, SIMD = scalar,
// broadcast and input immutability checked on every generated batch (see group.checks.ts).
// Shrunk counterexamples are pinned in group.regressions.test.ts.
import { describe, it } from "node:test";
import fc from "fast-check";
import { groupBatch, RUNS } from "./helpers.js";
import * as C from "./group.checks.js";

const singletonArb = fc.constantFrom("raw", "zero") as fc.Arbitrary<C.Singleton>;

describe("group estimators: properties against the f64 oracle (SIMD, scalar, padded, packed)", () => {
  it("grpo / Dr.GRPO", () => {
    fc.assert(fc.property(groupBatch(), fc.record({
      eps: fc.constantFrom(0, 1e-6, 1e-4), epsMode: fc.constantFrom("std", "var", "maxVar"), stdKind: fc.constantFrom("unbiased", "biased"),
      stdScope: fc.constantFrom("group", "batch"), normalizeByStd: fc.boolean(), singleton: singletonArb,
    }), fc.nat(), (b, o, seed) => C.checkGrpo(b, o as any, seed)), RUNS);
  });
  it("rloo", () => { fc.assert(fc.property(groupBatch(), singletonArb, fc.nat(), C.checkRloo), RUNS); });
  it("reinforcePPBaseline (token-weighted whitening)", () => {
    fc.assert(fc.property(groupBatch(), singletonArb, fc.constantFrom("unbiased", "biased"), fc.constantFrom("add", "max"), fc.nat(), (b, s, wv, wm, seed) => C.checkRfppb(b, s, wv as any, wm as any, seed)), RUNS);
  });
  it("dler (explicit truncation, then RF++-baseline)", () => {
    fc.assert(fc.property(groupBatch(), fc.array(fc.boolean(), { minLength: 64, maxLength: 64 }), fc.constantFrom(0, -1, 0.5), fc.nat(), C.checkDler), RUNS);
  });
  it("opo (length-weighted baseline)", () => { fc.assert(fc.property(groupBatch(), singletonArb, fc.nat(), C.checkOpo), RUNS); });
  it("gpg", () => { fc.assert(fc.property(groupBatch(), fc.constantFrom(1, 0.5, 3), singletonArb, fc.nat(), C.checkGpg), RUNS); });
  it("grpoPassK", () => { fc.assert(fc.property(groupBatch(), fc.boolean(), fc.constantFrom(0, 1e-6), fc.nat(), C.checkPassK), RUNS); });
  it("bnpo (binary and [0,1] rewards; Beta fit and fallbacks)", () => {
    const unit = (n: number) => fc.oneof(
      fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }),
      fc.array(fc.float({ noNaN: true, min: 0, max: 1 }), { minLength: n, maxLength: n }),
    );
    fc.assert(fc.property(groupBatch({ scores: unit }), singletonArb, fc.nat(), C.checkBnpo), RUNS);
  });
});

describe("TRL advantages (NaN = None, K reward functions)", () => {
  const trlBatch = fc.record({ n: fc.integer({ min: 1, max: 8 }), g: fc.integer({ min: 1, max: 5 }), K: fc.integer({ min: 1, max: 3 }) })
    .chain(({ n, g, K }) => fc.record({
      n: fc.constant(n), g: fc.constant(g), K: fc.constant(K),
      R: fc.array(fc.oneof({ weight: 1, arbitrary: fc.constant(NaN) }, { weight: 5, arbitrary: fc.float({ noNaN: true, noDefaultInfinity: true, min: -100, max: 100 }) }, { weight: 2, arbitrary: fc.constantFrom(0, 1) }), { minLength: n * g * K, maxLength: n * g * K }),
      w: fc.array(fc.constantFrom(1, 0.5, 1.04, 0.79, 2), { minLength: K, maxLength: K }),
      scale: fc.constantFrom("group", "batch", "none"), agg: fc.constantFrom("sumThenNormalize", "normalizeThenSum"),
    }));
  it("matches the oracle on both builds; unscorable rows get 0", () => { fc.assert(fc.property(trlBatch, (c) => C.checkTrl(c as C.TrlCase)), RUNS); });
});

describe("ReMax and the OpenRLHF outcome pipeline", () => {
  it("remax: returns and advantages match the oracle, +0 in holes, packed = padded", () => { fc.assert(fc.property(groupBatch(), fc.nat(), C.checkRemax), RUNS); });
  it("openrlhfOutcome: every estimator against the oracle", () => {
    fc.assert(fc.property(groupBatch({ minSize: 2, maxSize: 8 }).filter((b) => b.groupSize !== undefined),
      fc.constantFrom("group_norm", "rloo", "dr_grpo", "reinforce_baseline", "reinforce"), fc.constantFrom(0, 0.01, -0.1), fc.constantFrom(1, 0.99), fc.boolean(),
      (b, est, klCoef, gamma, noStd) => C.checkOrl(b, est as C.OrlEstimator, klCoef, gamma, noStd)), RUNS);
  });
});
