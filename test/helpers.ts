// Shared test helpers: both builds, generators for group batches (fast-check), layouts, and the
// oracle tolerance of docs/numerics.md#against-the-f64-oracle:  tol = 4u(|y| + kappa) + 2n*U*S.
import fc from "fast-check";
import assert from "node:assert/strict";
import { createSync, type RlAdvantage } from "../src/api.js";
import type { RowResult } from "../src/reference/group.js";

export const U32 = 2 ** -24;
export const U64 = 2 ** -53;
export const builds: [string, RlAdvantage][] = [["simd", createSync({ build: "simd" })], ["scalar", createSync({ build: "scalar" })]];
export const [simd, scalar] = [builds[0]![1], builds[1]![1]];

/** fast-check settings: bounded runs so the suite stays fast; seed printed on failure. */
export const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 150), includeErrorInReport: true,
  // npm run mutate only needs to know that a property fails, not its smallest counterexample:
  // shrinking an expensive property can take minutes per mutant.
  endOnFailure: process.env.FC_END_ON_FAILURE === "1" };

/** Half the smallest f32 subnormal: the absolute floor of f32 rounding (relative bounds fail there). */
export const F32_FLOOR = 2 ** -150;

export function tolOracle(y: number, kappa: number, n: number, S: number): number {
  return 4 * U32 * (Math.abs(y) + kappa) + 2 * n * U64 * S + 4 * F32_FLOOR;
}

/** Library row output vs the oracle's unrounded f64 values, with the derived tolerance. */
export function assertMatchesOracle(got: ArrayLike<number>, ref: RowResult, what: string): void {
  for (let i = 0; i < got.length; i++) {
    const y = Math.fround(ref.a[i]!);
    const tol = tolOracle(y, ref.kappa[i]!, ref.n[i]!, ref.sens[i]!) + (ref.extra?.[i] ?? 0);
    const err = Math.abs(got[i]! - y);
    if (!(err <= tol)) assert.fail(`${what}: row ${i}: got ${got[i]}, oracle ${ref.a[i]} (f32 ${y}), |err| ${err} > tol ${tol}`);
  }
}

export function assertBitwise(a: ArrayLike<number>, b: ArrayLike<number>, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${what}: index ${i}: ${a[i]} vs ${b[i]}`);
}

/** Every output at a mask-0 position is +0; at valid positions it equals the row value bitwise. */
export function assertBroadcastOf(tokens: Float32Array, row: Float32Array, mask: Uint8Array, T: number, what: string): void {
  for (let k = 0; k < tokens.length; k++) {
    const want = mask[k] ? row[Math.floor(k / T)]! : 0;
    if (!Object.is(tokens[k], want)) assert.fail(`${what}: token ${k}: ${tokens[k]} vs ${want}`);
  }
}

export const f32 = (xs: number[]) => Float32Array.from(xs);

// --- Generators ----------------------------------------------------------------------------------

const finite = (min = -1e4, max = 1e4) => fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(min), max: Math.fround(max) });

/** Scores of one group of size n, from the adversarial families of docs/numerics.md#input-generators. */
export function groupScores(n: number): fc.Arbitrary<number[]> {
  return fc.oneof(
    fc.array(finite(), { minLength: n, maxLength: n }),
    fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }),
    fc.constantFrom(0.7, 3.3, 7.1, -2.9).map((v) => new Array(n).fill(Math.fround(v))), // constant, non-dyadic
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((k) => k.map((j) => Math.fround(1e4 + j * 1e-3))), // |mean| >> std
    fc.array(fc.integer({ min: -3, max: 3 }), { minLength: n, maxLength: n }).map((k) => k.map((j) => Math.fround(0.5 + j * 1e-6))), // std near eps
  );
}

export interface GroupBatch {
  B: number; G: number; T: number;
  /** Group of each row (dense, rows in shuffled order unless contiguous). */
  ids: Int32Array;
  /** Set when groups are contiguous blocks of equal size. */
  groupSize?: number;
  scores: Float32Array;
  /** Padded [B,T] byte mask with holes and empty rows. */
  mask: Uint8Array;
}

/** Random group batches: sizes 1..64 (docs/numerics.md#input-generators), contiguous or shuffled, masks with holes and empty rows. */
export function groupBatch(opts: { minSize?: number; maxSize?: number; maxGroups?: number; scores?: (n: number) => fc.Arbitrary<number[]> } = {}): fc.Arbitrary<GroupBatch> {
  const minSize = opts.minSize ?? 1, maxSize = opts.maxSize ?? 64;
  const sizesArb = fc.oneof(
    fc.array(fc.integer({ min: minSize, max: maxSize }), { minLength: 1, maxLength: opts.maxGroups ?? 6 }),
    fc.tuple(fc.integer({ min: Math.max(minSize, 1), max: maxSize }), fc.integer({ min: 1, max: opts.maxGroups ?? 6 })).map(([n, g]) => new Array(g).fill(n)),
  );
  return sizesArb.chain((sizes) => {
    const B = sizes.reduce((a, b) => a + b, 0);
    const scoreArb = fc.tuple(...sizes.map((n) => (opts.scores ?? groupScores)(n)));
    return fc.record({
      scores: scoreArb,
      shuffle: fc.boolean(),
      perm: fc.array(fc.nat(), { minLength: B, maxLength: B }),
      T: fc.integer({ min: 1, max: 24 }),
      lens: fc.array(fc.nat(), { minLength: B, maxLength: B }),
      holes: fc.array(fc.nat(), { minLength: B, maxLength: B }),
    }).map(({ scores, shuffle, perm, T, lens, holes }) => {
      const rowsOfGroup: number[] = [];
      sizes.forEach((n, g) => { for (let k = 0; k < n; k++) rowsOfGroup.push(g); });
      const flat = scores.flat();
      const order = Array.from({ length: B }, (_, i) => i);
      if (shuffle) order.sort((a, b) => (perm[a]! - perm[b]!) || a - b);
      const ids = new Int32Array(B), s = new Float32Array(B);
      order.forEach((src, dst) => { ids[dst] = rowsOfGroup[src]!; s[dst] = flat[src]!; });
      const mask = new Uint8Array(B * T);
      for (let i = 0; i < B; i++) {
        const L = lens[i]! % (T + 1); // 0 = empty row
        mask.fill(1, i * T, i * T + L);
        if (holes[i]! % 3 === 0 && L > 2) mask[i * T + 1 + (holes[i]! % (L - 1))] = 0; // a hole
      }
      const equal = sizes.every((n) => n === sizes[0]);
      const batch: GroupBatch = { B, G: sizes.length, T, ids, scores: s, mask };
      if (!shuffle && equal) batch.groupSize = sizes[0]!;
      return batch;
    });
  });
}

/** Packed form of a padded batch: keep columns 0..e_i-1 of each row, any e_i in (last_i, T]. */
export function toPacked(mask: Uint8Array, B: number, T: number, keep: (i: number, last: number) => number): { offsets: Int32Array; cols: number[][] } {
  const offsets = new Int32Array(B + 1);
  const cols: number[][] = [];
  for (let i = 0; i < B; i++) {
    let last = -1;
    for (let t = 0; t < T; t++) if (mask[i * T + t]) last = t;
    const e = Math.min(T, Math.max(keep(i, last), last + 1));
    cols.push(Array.from({ length: e }, (_, t) => t));
    offsets[i + 1] = offsets[i]! + e;
  }
  return { offsets, cols };
}

export function pack<A extends Float32Array | Uint8Array>(x: A, T: number, p: { offsets: Int32Array; cols: number[][] }): A {
  const out = new (x.constructor as any)(p.offsets[p.offsets.length - 1]) as A;
  p.cols.forEach((cs, i) => cs.forEach((t, k) => { out[p.offsets[i]! + k] = x[i * T + t]!; }));
  return out;
}

export function lengthsOf(mask: Uint8Array, B: number, T: number): number[] {
  const L: number[] = [];
  for (let i = 0; i < B; i++) { let c = 0; for (let t = 0; t < T; t++) c += mask[i * T + t]!; L.push(c); }
  return L;
}

/** Runs fn and returns the thrown error (fails if nothing was thrown). */
export function thrown(fn: () => unknown): any {
  try { fn(); } catch (e) { return e; }
  assert.fail("expected a throw");
}

/**
 * Log-prob pairs of docs/numerics.md#input-generators: each position is either two independent
 * log-probs in [-60, 0], or a pair whose log-ratio lies in [5, 60] in either direction (a
 * confident policy against a surprised reference, and the reverse).
 */
export function logProbPairs(n: number): fc.Arbitrary<{ a: Float32Array; b: Float32Array }> {
  const lp = fc.float({ noNaN: true, min: Math.fround(-60), max: 0 });
  const pair = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(lp, lp) },
    { weight: 1, arbitrary: fc.tuple(fc.float({ noNaN: true, min: Math.fround(-5), max: 0 }), fc.float({ noNaN: true, min: 5, max: 55 }), fc.boolean())
      .map(([x, r, flip]) => { const y = Math.fround(x - r); return (flip ? [y, x] : [x, y]) as [number, number]; }) },
  );
  return fc.array(pair, { minLength: n, maxLength: n }).map((ps) => ({ a: Float32Array.from(ps, (p) => p[0]), b: Float32Array.from(ps, (p) => p[1]) }));
}
