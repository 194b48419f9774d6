// OPO over contiguous groups of n >= 2 rows (the groupSize fast path): the length-weighted group
// mean b_g = Σ L_i x_i / Σ L_i (0 when Σ L_i = 0), then a_i = x_i - b_g; bitwise the general path
// (group_weighted_sums, then group_affine with mul = den = 1: (x - b) * 1 / 1 is exactly x - b).
// The M2 of each group (two passes, in order) counts the zero-variance groups for the diagnostics.
//   info[0] <- groups with M2 == 0; returns the first row whose advantage is not finite as f32, or -1.

import { ld } from "./rows_f32";

@inline function lw(w: usize, i: i32): f64 { return <f64>load<i32>(w + (<usize>i << 2)); }

export function group_opo_contig_f32(x: usize, lens: usize, B: i32, n: i32, out: usize, info: usize): i32 {
  const G = n > 1 ? B / n : 0, nf = <f64>n;
  let zeroVar = 0, bad = -1;
  for (let g = 0; g < G; g++) {
    const a = g * n;
    let sw: f64 = 0, swx: f64 = 0, s: f64 = 0;
    for (let i = a; i < a + n; i++) { const wi = lw(lens, i), xi = ld(x, i); sw += wi; swx += wi * xi; s += xi; }
    const mu = s / nf;
    let q: f64 = 0;
    for (let i = a; i < a + n; i++) { const d = ld(x, i) - mu; q += d * d; }
    if (q == 0) zeroVar++;
    const b = sw == 0 ? 0 : swx / sw;
    let i = a;
    if (ASC_FEATURE_SIMD) {
      // Two rows per f64x2; x - x of the results turns NaN for good at a row past the f32 range.
      const vb = f64x2.splat(b);
      let acc = f32x4.splat(0);
      for (; i + 2 <= a + n; i += 2) {
        const v = f64x2.promote_low_f32x4(v128.load64_zero(x + (<usize>i << 2)));
        const r32 = f32x4.add(f32x4.demote_f64x2_zero(f64x2.sub(v, vb)), f32x4.splat(0));
        acc = f32x4.add(acc, f32x4.sub(r32, r32));
        v128.store64_lane(out + (<usize>i << 2), r32, 0);
      }
      if (bad < 0 && (f32x4.extract_lane(acc, 0) != f32x4.extract_lane(acc, 0) || f32x4.extract_lane(acc, 1) != f32x4.extract_lane(acc, 1)))
        for (let k = a; k < i; k++) if (!isFinite<f32>(load<f32>(out + (<usize>k << 2)))) { bad = k; break; }
    }
    for (; i < a + n; i++) {
      const r = <f32>(ld(x, i) - b) + 0;
      if (bad < 0 && !isFinite<f32>(r)) bad = i;
      store<f32>(out + (<usize>i << 2), r);
    }
  }
  store<i32>(info, zeroVar);
  return bad;
}
