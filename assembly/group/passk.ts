// Fused GRPO Pass@k for contiguous groups of n >= 2 rows (the groupSize fast path): one visit per
// group computes its mean and M2 (the same two passes, in row order, as group_moments_contig), its
// best and second-best scores (the same strict comparisons, in row order, as group_top2), and
// writes the advantage d / den(var) (or d) on the best row, +0 on the others: bitwise the result
// of the general path (moments, top-2, then the scatter).
//   info[0] <- groups with M2 == 0; info[1] <- first row of the first group whose advantage is not
//   finite as f32, or -1; info[2] <- 1 when a score is NaN or infinite (a group's f64 sum of
//   finite f32 scores is finite), else 0: the caller then finds the index and discards the rows.
// Each group is a chain of dependent adds and comparisons, so the SIMD build runs four groups at
// once, two per f64x2 (lane k = one group, its rows still in order): the chains overlap and each
// lane performs exactly the scalar operations.

import { den, ld, ld2 } from "./rows_f32";

/** The advantage of a group from its M2, best and second-best; written on `top`, +0 elsewhere. */
@inline function finish(out: usize, a: i32, n: i32, q: f64, r1: f64, r2: f64, top: i32, eps: f64, epsMode: i32, unbiased: i32, normalize: i32): f32 {
  const nf = <f64>n;
  let adv = r1 - r2;
  if (normalize) {
    const dn = den(unbiased ? q / (nf - 1) : q / nf, eps, epsMode);
    adv = dn == 0 ? 0 : adv / dn;
  }
  const r32 = <f32>adv + 0;
  // +0 on the group's rows (four at a time), then the advantage on the best row. `top` is in the
  // group unless a score was NaN (no comparison succeeds): the call then fails, nothing to write.
  let i = a;
  if (ASC_FEATURE_SIMD) for (; i + 4 <= a + n; i += 4) v128.store(out + (<usize>i << 2), f32x4.splat(0));
  for (; i < a + n; i++) store<f32>(out + (<usize>i << 2), 0);
  if (top >= a) store<f32>(out + (<usize>top << 2), r32);
  return r32;
}

export function group_passk_contig_f32(x: usize, B: i32, n: i32, eps: f64, epsMode: i32, unbiased: i32, normalize: i32, out: usize, info: usize): void {
  const G = n > 1 ? B / n : 0, nf = <f64>n;
  let zeroVar = 0, bad = -1, g = 0;
  let finite: f64 = 0; // x - x over the group sums: NaN for good at the first non-finite score
  if (ASC_FEATURE_SIMD) for (; g + 4 <= G; g += 4) {
    // Lanes: A = groups g, g+1; C = groups g+2, g+3.
    const a = g * n, c = a + 2 * n;
    let sA = f64x2.splat(0), sC = f64x2.splat(0);
    let r1A = f64x2.splat(-Infinity), r2A = r1A, r1C = r1A, r2C = r1A;
    let tA = i64x2.splat(-1), tC = tA;
    for (let k = 0; k < n; k++) {
      const vA = ld2(x, a + k, n), vC = ld2(x, c + k, n);
      sA = f64x2.add(sA, vA); sC = f64x2.add(sC, vC);
      const upA = f64x2.gt(vA, r1A), upC = f64x2.gt(vC, r1C);
      r2A = v128.bitselect(r1A, v128.bitselect(vA, r2A, f64x2.gt(vA, r2A)), upA);
      r2C = v128.bitselect(r1C, v128.bitselect(vC, r2C, f64x2.gt(vC, r2C)), upC);
      r1A = v128.bitselect(vA, r1A, upA); r1C = v128.bitselect(vC, r1C, upC);
      tA = v128.bitselect(i64x2.splat(k), tA, upA); tC = v128.bitselect(i64x2.splat(k), tC, upC);
    }
    const fv = f64x2.add(f64x2.sub(sA, sA), f64x2.sub(sC, sC));
    finite += f64x2.extract_lane(fv, 0) + f64x2.extract_lane(fv, 1);
    const muA = f64x2.div(sA, f64x2.splat(nf)), muC = f64x2.div(sC, f64x2.splat(nf));
    let qA = f64x2.splat(0), qC = f64x2.splat(0);
    for (let k = 0; k < n; k++) {
      const dA = f64x2.sub(ld2(x, a + k, n), muA), dC = f64x2.sub(ld2(x, c + k, n), muC);
      qA = f64x2.add(qA, f64x2.mul(dA, dA)); qC = f64x2.add(qC, f64x2.mul(dC, dC));
    }
    const q0 = f64x2.extract_lane(qA, 0), q1 = f64x2.extract_lane(qA, 1), q2 = f64x2.extract_lane(qC, 0), q3 = f64x2.extract_lane(qC, 1);
    zeroVar += <i32>(q0 == 0) + <i32>(q1 == 0) + <i32>(q2 == 0) + <i32>(q3 == 0);
    const v0 = finish(out, a, n, q0, f64x2.extract_lane(r1A, 0), f64x2.extract_lane(r2A, 0), a + <i32>i64x2.extract_lane(tA, 0), eps, epsMode, unbiased, normalize);
    const v1 = finish(out, a + n, n, q1, f64x2.extract_lane(r1A, 1), f64x2.extract_lane(r2A, 1), a + n + <i32>i64x2.extract_lane(tA, 1), eps, epsMode, unbiased, normalize);
    const v2 = finish(out, c, n, q2, f64x2.extract_lane(r1C, 0), f64x2.extract_lane(r2C, 0), c + <i32>i64x2.extract_lane(tC, 0), eps, epsMode, unbiased, normalize);
    const v3 = finish(out, c + n, n, q3, f64x2.extract_lane(r1C, 1), f64x2.extract_lane(r2C, 1), c + n + <i32>i64x2.extract_lane(tC, 1), eps, epsMode, unbiased, normalize);
    if (bad < 0) {
      if (!isFinite<f32>(v0)) bad = a; else if (!isFinite<f32>(v1)) bad = a + n; else if (!isFinite<f32>(v2)) bad = c; else if (!isFinite<f32>(v3)) bad = c + n;
    }
  }
  for (; g < G; g++) {
    const a = g * n;
    let s: f64 = 0, r1: f64 = -Infinity, r2: f64 = -Infinity, top = -1;
    for (let i = a; i < a + n; i++) {
      const v = ld(x, i);
      s += v;
      const above1 = v > r1;
      r2 = select<f64>(r1, select<f64>(v, r2, v > r2), above1);
      r1 = select<f64>(v, r1, above1);
      top = select<i32>(i, top, above1);
    }
    finite += s - s;
    const mu = s / nf;
    let q: f64 = 0;
    for (let i = a; i < a + n; i++) { const d = ld(x, i) - mu; q += d * d; }
    if (q == 0) zeroVar++;
    const r32 = finish(out, a, n, q, r1, r2, top, eps, epsMode, unbiased, normalize);
    if (bad < 0 && !isFinite<f32>(r32)) bad = a;
  }
  store<i32>(info, zeroVar);
  store<i32>(info, bad, 4);
  store<i32>(info, finite == 0 ? 0 : 1, 8);
}
