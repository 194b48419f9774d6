// TRL's sumThenNormalize over contiguous groups of n >= 2 rows whose row rewards r (f64) are all
// scorable: a = (r - mean_g) / d_g with d_g = sd_g + eps (sd the unbiased std, scale "group") or a
// fixed d (scale "batch" or "none"). Bitwise the general path (group_moments_f64, then
// group_affine_f64_f32 with mul 1): the same two passes in row order and the same final ops.
// Four groups at once in the SIMD build (one per f64x2 lane), so the add chains overlap.
//   info[0] <- groups with M2 == 0; returns the first row whose result is not finite as f32, or -1.

@inline function ld(r: usize, i: i32): f64 { return load<f64>(r + (<usize>i << 3)); }
@inline function ld2(r: usize, i: i32, n: i32): v128 {
  const p = r + (<usize>i << 3);
  return v128.load64_lane(p + (<usize>n << 3), v128.load64_zero(p), 1);
}

@inline function emit(r: usize, a: i32, n: i32, mu: f64, dn: f64, q: f64, out: usize, bad: i32): i32 {
  let i = a;
  // |r_i - mu| <= sqrt(M2): while M2 < (3e38 dn)^2 no output can leave the f32 range, so the rows go
  // two per f64x2 with no test (for a group's own std, dn >= sqrt(M2 / (n - 1)) always holds).
  if (ASC_FEATURE_SIMD && dn != 0 && q < 9.0e76 * (dn * dn)) {
    const vmu = f64x2.splat(mu), vdn = f64x2.splat(dn), one = f64x2.splat(1);
    for (; i + 2 <= a + n; i += 2) {
      const v = f64x2.div(f64x2.mul(f64x2.sub(v128.load(r + (<usize>i << 3)), vmu), one), vdn);
      v128.store64_lane(out + (<usize>i << 2), f32x4.add(f32x4.demote_f64x2_zero(v), f32x4.splat(0)), 0);
    }
  }
  for (; i < a + n; i++) {
    const v = dn != 0 ? <f32>(((ld(r, i) - mu) * 1) / dn) + 0 : <f32>0;
    if (bad < 0 && !isFinite<f32>(v)) bad = i;
    store<f32>(out + (<usize>i << 2), v);
  }
  return bad;
}

export function group_trl_contig_f64(r: usize, B: i32, n: i32, fixedDen: f64, useFixed: i32, eps: f64, out: usize, info: usize): i32 {
  const G = n > 1 ? B / n : 0, nf = <f64>n;
  let zeroVar = 0, bad = -1, g = 0;
  if (ASC_FEATURE_SIMD) for (; g + 4 <= G; g += 4) {
    const a = g * n, c = a + 2 * n;
    let sA = f64x2.splat(0), sC = f64x2.splat(0);
    for (let k = 0; k < n; k++) { sA = f64x2.add(sA, ld2(r, a + k, n)); sC = f64x2.add(sC, ld2(r, c + k, n)); }
    const mA = f64x2.div(sA, f64x2.splat(nf)), mC = f64x2.div(sC, f64x2.splat(nf));
    let qA = f64x2.splat(0), qC = f64x2.splat(0);
    for (let k = 0; k < n; k++) {
      const dA = f64x2.sub(ld2(r, a + k, n), mA), dC = f64x2.sub(ld2(r, c + k, n), mC);
      qA = f64x2.add(qA, f64x2.mul(dA, dA)); qC = f64x2.add(qC, f64x2.mul(dC, dC));
    }
    const nm1 = f64x2.splat(nf - 1), ve = f64x2.splat(eps);
    const dA = useFixed ? f64x2.splat(fixedDen) : f64x2.add(f64x2.sqrt(f64x2.div(qA, nm1)), ve);
    const dC = useFixed ? f64x2.splat(fixedDen) : f64x2.add(f64x2.sqrt(f64x2.div(qC, nm1)), ve);
    zeroVar += <i32>(f64x2.extract_lane(qA, 0) == 0) + <i32>(f64x2.extract_lane(qA, 1) == 0) + <i32>(f64x2.extract_lane(qC, 0) == 0) + <i32>(f64x2.extract_lane(qC, 1) == 0);
    bad = emit(r, a, n, f64x2.extract_lane(mA, 0), f64x2.extract_lane(dA, 0), f64x2.extract_lane(qA, 0), out, bad);
    bad = emit(r, a + n, n, f64x2.extract_lane(mA, 1), f64x2.extract_lane(dA, 1), f64x2.extract_lane(qA, 1), out, bad);
    bad = emit(r, c, n, f64x2.extract_lane(mC, 0), f64x2.extract_lane(dC, 0), f64x2.extract_lane(qC, 0), out, bad);
    bad = emit(r, c + n, n, f64x2.extract_lane(mC, 1), f64x2.extract_lane(dC, 1), f64x2.extract_lane(qC, 1), out, bad);
  }
  for (; g < G; g++) {
    const a = g * n;
    let s: f64 = 0;
    for (let i = a; i < a + n; i++) s += ld(r, i);
    const mu = s / nf;
    let q: f64 = 0;
    for (let i = a; i < a + n; i++) { const d = ld(r, i) - mu; q += d * d; }
    if (q == 0) zeroVar++;
    bad = emit(r, a, n, mu, useFixed ? fixedDen : Math.sqrt(q / (nf - 1)) + eps, q, out, bad);
  }
  store<i32>(info, zeroVar);
  return bad;
}

// TRL's row rewards when no value is NaN (every row scorable): r_i = 0 + Σ_k w_k R[i,k] in k order,
// two rows per f64x2 (each lane the scalar sum of trl_row_rewards_f32).
export function trl_row_rewards_dense_f32(R: usize, B: i32, K: i32, w: usize, out: usize): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) for (; i + 2 <= B; i += 2) {
    let s = f64x2.splat(0);
    for (let k = 0; k < K; k++) {
      const p = R + (<usize>(i * K + k) << 2);
      const v = f64x2.promote_low_f32x4(v128.load32_lane(p + (<usize>K << 2), v128.load32_zero(p), 1));
      s = f64x2.add(s, f64x2.mul(f64x2.splat(load<f64>(w + (<usize>k << 3))), v));
    }
    v128.store(out + (<usize>i << 3), s);
  }
  for (; i < B; i++) {
    let s: f64 = 0;
    for (let k = 0; k < K; k++) s += load<f64>(w + (<usize>k << 3)) * <f64>load<f32>(R + (<usize>(i * K + k) << 2));
    store<f64>(out + (<usize>i << 3), s);
  }
}
