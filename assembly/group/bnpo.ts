// BNPO's two passes over contiguous groups of n rows (the groupSize fast path), bitwise the general
// path (group_moments then group_affine with den = 1):
//   group_means_contig_f32: p_g, the mean of x' = (x - preShift) / preDiv over the group's rows in
//     order, and the count of groups whose M2 (two-pass, in order) is 0. Four groups at once in
//     the SIMD build, one per f64x2 lane: each group's sum is a chain of dependent adds, and lanes
//     let four chains overlap while each performs exactly the scalar operations.
//   group_scale_contig_f32: out = <f32>((x' - shift_g) * mul_g); the first row whose result is not
//     finite as f32, or -1.

@inline function xv(x: usize, i: i32, preShift: f64, preDiv: f64, pre: bool): f64 {
  const v = <f64>load<f32>(x + (<usize>i << 2));
  return pre ? (v - preShift) / preDiv : v;
}
@inline function xv2(x: usize, i: i32, n: i32, preShift: v128, preDiv: v128, pre: bool): v128 {
  const p = x + (<usize>i << 2);
  const v = f64x2.promote_low_f32x4(v128.load32_lane(p + (<usize>n << 2), v128.load32_zero(p), 1));
  return pre ? f64x2.div(f64x2.sub(v, preShift), preDiv) : v;
}

export function group_means_contig_f32(x: usize, B: i32, n: i32, preShift: f64, preDiv: f64, mean: usize): i32 {
  return preShift == 0 && preDiv == 1 ? means(x, B, n, 0, 1, mean, false) : means(x, B, n, preShift, preDiv, mean, true);
}

@inline function means(x: usize, B: i32, n: i32, preShift: f64, preDiv: f64, mean: usize, pre: bool): i32 {
  const G = n > 0 ? B / n : 0, nf = <f64>n;
  let zeroVar = 0, g = 0;
  if (ASC_FEATURE_SIMD) {
    const ps = f64x2.splat(preShift), pd = f64x2.splat(preDiv), vn = f64x2.splat(nf);
    for (; g + 4 <= G; g += 4) {
      const a = g * n, c = a + 2 * n;
      let sA = f64x2.splat(0), sC = f64x2.splat(0);
      for (let k = 0; k < n; k++) { sA = f64x2.add(sA, xv2(x, a + k, n, ps, pd, pre)); sC = f64x2.add(sC, xv2(x, c + k, n, ps, pd, pre)); }
      const mA = f64x2.div(sA, vn), mC = f64x2.div(sC, vn);
      let qA = f64x2.splat(0), qC = f64x2.splat(0);
      for (let k = 0; k < n; k++) {
        const dA = f64x2.sub(xv2(x, a + k, n, ps, pd, pre), mA), dC = f64x2.sub(xv2(x, c + k, n, ps, pd, pre), mC);
        qA = f64x2.add(qA, f64x2.mul(dA, dA)); qC = f64x2.add(qC, f64x2.mul(dC, dC));
      }
      v128.store(mean + (<usize>g << 3), mA); v128.store(mean + (<usize>(g + 2) << 3), mC);
      zeroVar += <i32>(f64x2.extract_lane(qA, 0) == 0) + <i32>(f64x2.extract_lane(qA, 1) == 0) + <i32>(f64x2.extract_lane(qC, 0) == 0) + <i32>(f64x2.extract_lane(qC, 1) == 0);
    }
  }
  for (; g < G; g++) {
    const a = g * n;
    let s: f64 = 0;
    for (let i = a; i < a + n; i++) s += xv(x, i, preShift, preDiv, pre);
    const mu = s / nf;
    let q: f64 = 0;
    for (let i = a; i < a + n; i++) { const d = xv(x, i, preShift, preDiv, pre) - mu; q += d * d; }
    store<f64>(mean + (<usize>g << 3), mu);
    if (q == 0) zeroVar++;
  }
  return zeroVar;
}

export function group_scale_contig_f32(x: usize, B: i32, n: i32, preShift: f64, preDiv: f64, shift: usize, mul: usize, out: usize): i32 {
  return preShift == 0 && preDiv == 1 ? scale(x, B, n, 0, 1, shift, mul, out, false) : scale(x, B, n, preShift, preDiv, shift, mul, out, true);
}

@inline function scale(x: usize, B: i32, n: i32, preShift: f64, preDiv: f64, shift: usize, mul: usize, out: usize, pre: bool): i32 {
  const G = n > 0 ? B / n : 0;
  let bad = -1;
  if (ASC_FEATURE_SIMD) {
    // No per-pair test: r - r accumulates NaN for good at the first non-finite lane; only then are
    // the rows searched for the first one.
    let acc = f32x4.splat(0);
    const ps = f64x2.splat(preShift), pd = f64x2.splat(preDiv);
    for (let g = 0; g < G; g++) {
      const sh = f64x2.splat(load<f64>(shift + (<usize>g << 3))), mu = f64x2.splat(load<f64>(mul + (<usize>g << 3)));
      let i = g * n;
      const end = i + n;
      for (; i + 2 <= end; i += 2) {
        let v = f64x2.promote_low_f32x4(v128.load64_zero(x + (<usize>i << 2)));
        if (pre) v = f64x2.div(f64x2.sub(v, ps), pd);
        const r32 = f32x4.add(f32x4.demote_f64x2_zero(f64x2.mul(f64x2.sub(v, sh), mu)), f32x4.splat(0));
        acc = f32x4.add(acc, f32x4.sub(r32, r32));
        v128.store64_lane(out + (<usize>i << 2), r32, 0);
      }
      for (; i < end; i++) {
        const r = <f32>((xv(x, i, preShift, preDiv, pre) - f64x2.extract_lane(sh, 0)) * f64x2.extract_lane(mu, 0)) + 0;
        if (bad < 0 && !isFinite<f32>(r)) bad = i;
        store<f32>(out + (<usize>i << 2), r);
      }
    }
    if (f32x4.extract_lane(acc, 0) != f32x4.extract_lane(acc, 0) || f32x4.extract_lane(acc, 1) != f32x4.extract_lane(acc, 1))
      for (let i = 0; i < B; i++) if (!isFinite<f32>(load<f32>(out + (<usize>i << 2)))) { bad = i; break; }
    return bad;
  }
  for (let g = 0; g < G; g++) {
    const sh = load<f64>(shift + (<usize>g << 3)), mu = load<f64>(mul + (<usize>g << 3));
    for (let i = g * n; i < g * n + n; i++) {
      const r = <f32>((xv(x, i, preShift, preDiv, pre) - sh) * mu) + 0;
      if (bad < 0 && !isFinite<f32>(r)) bad = i;
      store<f32>(out + (<usize>i << 2), r);
    }
  }
  return bad;
}

// The distinct values of x[0..G) (by bit pattern, in order of first appearance) into keys, and
// each element's index among them into slot; -1 once more than cap are found. BNPO's weight is a
// function of p alone, and binary rewards leave n + 1 distinct p for groups of n, so the caller
// evaluates the weight once per distinct value instead of once per group. The table (2 cap
// entries of i64 bits, then i32 indices) lives at `table`.
export function f64_distinct(x: usize, G: i32, keys: usize, slot: usize, cap: i32, table: usize): i32 {
  const size = 2 * cap, mask = size - 1; // cap is a power of two
  const idx = table + (<usize>size << 3);
  for (let h = 0; h < size; h++) store<i32>(idx + (<usize>h << 2), -1);
  let count = 0;
  for (let g = 0; g < G; g++) {
    const bits = load<i64>(x + (<usize>g << 3));
    let h = <i32>((<u64>bits * 0x9E3779B97F4A7C15) >>> 40) & mask;
    while (true) {
      const k = load<i32>(idx + (<usize>h << 2));
      if (k < 0) {
        if (count == cap) return -1;
        store<i64>(table + (<usize>h << 3), bits); store<i32>(idx + (<usize>h << 2), count);
        store<i64>(keys + (<usize>count << 3), bits);
        store<i32>(slot + (<usize>g << 2), count++);
        break;
      }
      if (load<i64>(table + (<usize>h << 3)) == bits) { store<i32>(slot + (<usize>g << 2), k); break; }
      h = (h + 1) & mask;
    }
  }
  return count;
}

// out[g] = values[slot[g]].
export function f64_gather(values: usize, slot: usize, G: i32, out: usize): void {
  for (let g = 0; g < G; g++) store<f64>(out + (<usize>g << 3), load<f64>(values + (<usize>load<i32>(slot + (<usize>g << 2)) << 3)));
}
