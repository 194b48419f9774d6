// Fused group normalisation for contiguous groups of n rows (the groupSize fast path): each
// group's mean, M2, parameters and outputs are computed in registers in one visit, with the same
// f64 formulas, in the same order, as the general path (group_moments_* then group_affine_*), so
// the two agree bitwise.
//
//   mode 0 (GRPO):   a = (x - mu) / den(var)        den from epsMode; epsMode -1 = no division
//   mode 1 (RLOO):   a = (x - mu) * f with f = n / (n - 1) rounded once (no division per row)
//   mode 2 (scaled): a = ((x - mu) * mulP) / denP   (mean baseline: 1, 1; GPG: alpha, fNorm)
//
// Singleton groups: singletonZero ? 0 : raw (mu = 0; GRPO's var = 1, or the batch variance).
// info[0] <- number of groups of size >= 2 with M2 == 0; info[1] <- first row whose result is
// not finite as f32, or -1; info[2] <- 1 when a score is NaN or infinite, else 0 (validated while
// computing: a group's f64 sum of finite f32 scores is finite, so a non-finite sum is the test;
// the caller then finds the index and discards or poisons the outputs).
//
// Only GRPO's outputs need M2. Modes 1 and 2 use it for two things, the zero-variance count and
// the overflow bound, and the group's range R = max - min serves both from the sum pass: for
// f32 inputs M2 == 0 exactly when every row is equal, i.e. R == 0 (otherwise some |x_i - mu| is
// at least half an f32 spacing, whose square is far above the f64 underflow), and every
// |x_i - mu| <= R + e, with e = n 2^-52 max|x| above the rounding of mu = (sum in f64) / n (at
// most (n - 1) 2^-53 n max|x| for the sum, over n, plus the division's half ulp). So those modes
// skip the second pass over the group and pass Q = (R + e)^2 (0 when R == 0: every row equal,
// mu exact, outputs exactly 0) where GRPO passes M2.

import { den, ld, ld2 } from "./rows_f32";

@inline function center<TO>(
  x: usize, B: i32, n: i32, mode: i32, eps: f64, epsMode: i32, unbiased: i32, batchVar: f64, useBatchVar: i32,
  mulP: f64, denP: f64, singletonZero: i32, out: usize, info: usize,
): void {
  // `useRange` is a literal in each instantiation: no mode test in the row loops.
  if (mode == 0) centerWith<TO>(x, B, n, mode, eps, epsMode, unbiased, batchVar, useBatchVar, mulP, denP, singletonZero, out, info, false);
  else centerWith<TO>(x, B, n, mode, eps, epsMode, unbiased, batchVar, useBatchVar, mulP, denP, singletonZero, out, info, true);
}

@inline function centerWith<TO>(
  x: usize, B: i32, n: i32, mode: i32, eps: f64, epsMode: i32, unbiased: i32, batchVar: f64, useBatchVar: i32,
  mulP: f64, denP: f64, singletonZero: i32, out: usize, info: usize, useRange: bool,
): void {
  let zeroVar = 0, bad = -1;
  let finite: f64 = 0; // x - x over the group sums: NaN for good at the first non-finite score
  const G = n > 0 ? B / n : 0;
  const nf = <f64>n;
  let g = 0;
  // Four groups at a time: four independent f64 add chains hide the add latency, while each
  // group's sum still runs over its rows in order (bitwise equal to the general path).
  if (n > 1) for (; g + 4 <= G; g += 4) {
    const a0 = g * n, a1 = a0 + n, a2 = a1 + n, a3 = a2 + n;
    let m0: f64, m1: f64, m2: f64, m3: f64, q0: f64, q1: f64, q2: f64, q3: f64;
    if (ASC_FEATURE_SIMD) {
      // The same chains, one group per f64x2 lane: half the instructions.
      let sA = f64x2.splat(0), sC = f64x2.splat(0);
      let qA = f64x2.splat(0), qC = f64x2.splat(0);
      if (useRange) {
        // pmin/pmax: one instruction each; the inputs are finite, so NaN rules do not matter.
        let loA = ld2(x, a0, n), hiA = loA, loC = ld2(x, a2, n), hiC = loC;
        for (let k = 0; k < n; k++) {
          const vA = ld2(x, a0 + k, n), vC = ld2(x, a2 + k, n);
          sA = f64x2.add(sA, vA); sC = f64x2.add(sC, vC);
          loA = f64x2.pmin(loA, vA); hiA = f64x2.pmax(hiA, vA); loC = f64x2.pmin(loC, vC); hiC = f64x2.pmax(hiC, vC);
        }
        qA = rangeQ2(loA, hiA, n); qC = rangeQ2(loC, hiC, n);
      } else for (let k = 0; k < n; k++) { sA = f64x2.add(sA, ld2(x, a0 + k, n)); sC = f64x2.add(sC, ld2(x, a2 + k, n)); }
      const fv = f64x2.add(f64x2.sub(sA, sA), f64x2.sub(sC, sC));
      finite += f64x2.extract_lane(fv, 0) + f64x2.extract_lane(fv, 1);
      const mA = f64x2.div(sA, f64x2.splat(nf)), mC = f64x2.div(sC, f64x2.splat(nf));
      if (!useRange) for (let k = 0; k < n; k++) {
        const dA = f64x2.sub(ld2(x, a0 + k, n), mA), dC = f64x2.sub(ld2(x, a2 + k, n), mC);
        qA = f64x2.add(qA, f64x2.mul(dA, dA)); qC = f64x2.add(qC, f64x2.mul(dC, dC));
      }
      m0 = f64x2.extract_lane(mA, 0); m1 = f64x2.extract_lane(mA, 1); m2 = f64x2.extract_lane(mC, 0); m3 = f64x2.extract_lane(mC, 1);
      q0 = f64x2.extract_lane(qA, 0); q1 = f64x2.extract_lane(qA, 1); q2 = f64x2.extract_lane(qC, 0); q3 = f64x2.extract_lane(qC, 1);
    } else {
      let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
      for (let k = 0; k < n; k++) {
        s0 += ld(x, a0 + k); s1 += ld(x, a1 + k); s2 += ld(x, a2 + k); s3 += ld(x, a3 + k);
      }
      finite += ((s0 - s0) + (s1 - s1)) + ((s2 - s2) + (s3 - s3));
      m0 = s0 / nf; m1 = s1 / nf; m2 = s2 / nf; m3 = s3 / nf;
      q0 = 0; q1 = 0; q2 = 0; q3 = 0;
      if (useRange) {
        q0 = rangeSq(x, a0, n); q1 = rangeSq(x, a1, n); q2 = rangeSq(x, a2, n); q3 = rangeSq(x, a3, n);
      } else for (let k = 0; k < n; k++) {
        const d0 = ld(x, a0 + k) - m0, d1 = ld(x, a1 + k) - m1, d2 = ld(x, a2 + k) - m2, d3 = ld(x, a3 + k) - m3;
        q0 += d0 * d0; q1 += d1 * d1; q2 += d2 * d2; q3 += d3 * d3;
      }
    }
    bad = emitGroup<TO>(x, a0, n, m0, q0, mode, eps, epsMode, unbiased, batchVar, useBatchVar, mulP, denP, out, bad);
    bad = emitGroup<TO>(x, a1, n, m1, q1, mode, eps, epsMode, unbiased, batchVar, useBatchVar, mulP, denP, out, bad);
    bad = emitGroup<TO>(x, a2, n, m2, q2, mode, eps, epsMode, unbiased, batchVar, useBatchVar, mulP, denP, out, bad);
    bad = emitGroup<TO>(x, a3, n, m3, q3, mode, eps, epsMode, unbiased, batchVar, useBatchVar, mulP, denP, out, bad);
    zeroVar += <i32>(q0 == 0) + <i32>(q1 == 0) + <i32>(q2 == 0) + <i32>(q3 == 0);
  }
  for (; g < G; g++) {
    const a = g * n;
    if (n == 1) {
      // Singleton: raw (mu = 0; GRPO's variance 1 or the batch variance) or zero.
      let mul: f64 = singletonZero ? 0 : 1, dn: f64 = 1;
      if (mode == 0) dn = den(useBatchVar ? batchVar : 1, eps, epsMode);
      else if (mode == 2) { mul *= mulP; dn = denP; }
      finite += ld(x, a) - ld(x, a);
      bad = emitRows<TO>(x, a, 1, 0, mul, dn, out, bad, true);
      continue;
    }
    let s: f64 = 0;
    for (let i = a; i < a + n; i++) s += ld(x, i);
    finite += s - s;
    const mu = s / nf;
    let q: f64 = 0;
    if (useRange) q = rangeSq(x, a, n);
    else for (let i = a; i < a + n; i++) { const d = ld(x, i) - mu; q += d * d; }
    if (q == 0) zeroVar++;
    bad = emitGroup<TO>(x, a, n, mu, q, mode, eps, epsMode, unbiased, batchVar, useBatchVar, mulP, denP, out, bad);
  }
  store<i32>(info, zeroVar);
  store<i32>(info, bad, 4);
  store<i32>(info, finite == 0 ? 0 : 1, 8);
}

/** Q = (R + e)^2 over the rows [a, a+n), 0 when R == 0: M2's stand-in outside GRPO (top of the file). */
@inline function rangeSq(x: usize, a: i32, n: i32): f64 {
  let lo = ld(x, a), hi = lo;
  for (let i = a + 1; i < a + n; i++) { const v = ld(x, i); lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const r = hi - lo;
  if (r == 0) return 0;
  const t = r + <f64>n * 2.220446049250313e-16 * Math.max(Math.abs(lo), Math.abs(hi));
  return t * t;
}

/** rangeSq for two groups, one per f64x2 lane, from their minima and maxima. */
@inline function rangeQ2(lo: v128, hi: v128, n: i32): v128 {
  const r = f64x2.sub(hi, lo);
  const e = f64x2.mul(f64x2.splat(<f64>n * 2.220446049250313e-16), f64x2.pmax(f64x2.abs(lo), f64x2.abs(hi)));
  const t = f64x2.add(r, e);
  return v128.andnot(f64x2.mul(t, t), f64x2.eq(r, f64x2.splat(0)));
}

/** Parameters of a group of n >= 2 rows from its mean and M2 (R^2 outside GRPO), then its outputs. */
@inline function emitGroup<TO>(
  x: usize, a: i32, n: i32, mu: f64, q: f64, mode: i32, eps: f64, epsMode: i32, unbiased: i32, batchVar: f64, useBatchVar: i32,
  mulP: f64, denP: f64, out: usize, bad: i32,
): i32 {
  const nf = <f64>n;
  let mul: f64 = 1, dn: f64 = 1;
  if (mode == 0) dn = den(useBatchVar ? batchVar : (unbiased ? q / (nf - 1) : q / nf), eps, epsMode);
  // RLOO multiplies by the rounded factor (one more f64 rounding, 2^-53 relative, far inside the
  // f32 output's) instead of dividing every row (with the range in place of M2: 1.46-1.48 ms ->
  // 1.32-1.41 ms at 1M rows in groups of 8).
  else if (mode == 1) { mul = nf / (nf - 1); dn = 1; }
  else { mul = mulP; dn = denP; }
  // Every |x_i - mu| <= sqrt(M2) (or sqrt(Q)), so no output of the group can leave the f32 range while
  // M2 mul^2 < (3e38 dn)^2 (the largest f32 is 3.4e38; the bound's own rounding is a few ulps,
  // and squares keep a sqrt and a division off the per-group path): GRPO's bound is
  // sqrt(n - 1) whatever the scores. Only a group past it pays the per-row test.
  const safe = dn != 0 && q * (mul * mul) < 9.0e76 * (dn * dn);
  return emitRows<TO>(x, a, n, mu, mul, dn, out, bad, !safe);
}

/**
 * out_i = ((x_i - mu) * mul) / dn for the rows [a, a+n), rounded once, +0 for -0; 0 when dn == 0.
 * `bad` is the first non-finite row so far (-1: none); `check` is false when the caller proved
 * that no row of the group can overflow, true when the rows must be tested one by one.
 */
@inline function emitRows<TO>(x: usize, a: i32, n: i32, mu: f64, mul: f64, dn: f64, out: usize, bad: i32, check: bool): i32 {
  let i = a;
  if (ASC_FEATURE_SIMD && dn == 1 && !check) {
    // Division by 1 is exact (the same bits): RLOO and the unscaled modes skip the divider.
    const vmu = f64x2.splat(mu), vmul = f64x2.splat(mul);
    for (; i + 2 <= a + n; i += 2) {
      const v = f64x2.promote_low_f32x4(v128.load64_zero(x + (<usize>i << 2)));
      const r = f64x2.mul(f64x2.sub(v, vmu), vmul);
      if (sizeof<TO>() == 4) v128.store64_lane(out + (<usize>i << 2), f32x4.add(f32x4.demote_f64x2_zero(r), f32x4.splat(0)), 0);
      else v128.store(out + (<usize>i << 3), f64x2.add(r, f64x2.splat(0)));
    }
  }
  if (ASC_FEATURE_SIMD && dn != 0 && dn != 1 && !check) {
    // Proven finite: two rows per f64x2 with no test (the same IEEE operations per element as the
    // scalar loop below). Kept apart from the tested loop: one loop with `check &&` in it measured
    // 1.4x slower (V8 does not unswitch the loop-invariant test).
    const vmu = f64x2.splat(mu), vmul = f64x2.splat(mul), vdn = f64x2.splat(dn);
    for (; i + 2 <= a + n; i += 2) {
      const v = f64x2.promote_low_f32x4(v128.load64_zero(x + (<usize>i << 2)));
      const r = f64x2.div(f64x2.mul(f64x2.sub(v, vmu), vmul), vdn);
      if (sizeof<TO>() == 4) v128.store64_lane(out + (<usize>i << 2), f32x4.add(f32x4.demote_f64x2_zero(r), f32x4.splat(0)), 0);
      else v128.store(out + (<usize>i << 3), f64x2.add(r, f64x2.splat(0)));
    }
  }
  if (ASC_FEATURE_SIMD && dn != 0 && check) {
    // Two rows per f64x2: the same IEEE operations per element as the scalar loop below.
    const vmu = f64x2.splat(mu), vmul = f64x2.splat(mul), vdn = f64x2.splat(dn);
    for (; i + 2 <= a + n; i += 2) {
      const v = f64x2.promote_low_f32x4(v128.load64_zero(x + (<usize>i << 2)));
      const r = f64x2.div(f64x2.mul(f64x2.sub(v, vmu), vmul), vdn);
      const r32 = f32x4.add(f32x4.demote_f64x2_zero(r), f32x4.splat(0)); // +0 for -0
      if (bad < 0 && !i32x4.all_true(f32x4.lt(f32x4.abs(r32), f32x4.splat(Infinity)))) {
        if (!isFinite<f32>(f32x4.extract_lane(r32, 0))) bad = i; else if (!isFinite<f32>(f32x4.extract_lane(r32, 1))) bad = i + 1;
      }
      if (sizeof<TO>() == 4) v128.store64_lane(out + (<usize>i << 2), r32, 0);
      else v128.store(out + (<usize>i << 3), f64x2.add(r, f64x2.splat(0)));
    }
  }
  for (; i < a + n; i++) {
    let r: f64 = 0;
    if (dn != 0) r = ((ld(x, i) - mu) * mul) / dn;
    if (bad < 0 && !isFinite<f32>(<f32>r)) bad = i;
    store<TO>(out + (<usize>i << alignof<TO>()), <TO>r + 0);
  }
  return bad;
}

export function group_center_contig_f32(
  x: usize, B: i32, n: i32, mode: i32, eps: f64, epsMode: i32, unbiased: i32, batchVar: f64, useBatchVar: i32,
  mulP: f64, denP: f64, singletonZero: i32, out: usize, info: usize,
): void { center<f32>(x, B, n, mode, eps, epsMode, unbiased, batchVar, useBatchVar, mulP, denP, singletonZero, out, info); }

export function group_center_contig_f32_f64(
  x: usize, B: i32, n: i32, mode: i32, eps: f64, epsMode: i32, unbiased: i32, batchVar: f64, useBatchVar: i32,
  mulP: f64, denP: f64, singletonZero: i32, out: usize, info: usize,
): void { center<f64>(x, B, n, mode, eps, epsMode, unbiased, batchVar, useBatchVar, mulP, denP, singletonZero, out, info); }
