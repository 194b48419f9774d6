import { rowStart, rowEnd, validEnd } from "../rows";

// Row sums accumulated in f64 over four lanes keyed by the position inside the row (k % 4), then
// folded as (l0 + l1) + (l2 + l3). Both builds use this exact order, so they agree bitwise, and
// packed agrees with padded because the lane of an element does not depend on where the row sits.
// Returns the first row whose f32 sum is not finite (a non-finite input or an f32 overflow), or -1.
export function row_sum_f32(x: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, out: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T);
    const e = validEnd(lens, i, s, rowEnd(offsets, i, T));
    const r = <f32>sumSegment(x, mask, s, e);
    store<f32>(out + (<usize>i << 2), r);
    if (bad < 0 && !isFinite<f32>(r)) bad = i;
  }
  return bad;
}

// The same sums as f64 (maskedSum/maskedMean round once from these).
export function row_sum_f64(x: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, out: usize): void {
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T);
    const e = validEnd(lens, i, s, rowEnd(offsets, i, T));
    store<f64>(out + (<usize>i << 3), sumSegment(x, mask, s, e));
  }
}

@inline function sumSegment(x: usize, mask: usize, s: i32, e: i32): f64 {
  let a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0;
  let t = s;
  if (ASC_FEATURE_SIMD) {
    let lo = f64x2.splat(0), hi = f64x2.splat(0);
    for (; t + 4 <= e; t += 4) {
      let v = v128.load(x + (<usize>t << 2));
      if (mask) {
        const m = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(mask + <usize>t)));
        v = v128.and(v, i32x4.ne(m, i32x4.splat(0)));
      }
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(v));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)));
    }
    a0 = f64x2.extract_lane(lo, 0); a1 = f64x2.extract_lane(lo, 1);
    a2 = f64x2.extract_lane(hi, 0); a3 = f64x2.extract_lane(hi, 1);
  } else {
    for (; t + 4 <= e; t += 4) {
      a0 += term(x, mask, t); a1 += term(x, mask, t + 1);
      a2 += term(x, mask, t + 2); a3 += term(x, mask, t + 3);
    }
  }
  const k = e - t;
  if (k > 0) a0 += term(x, mask, t);
  if (k > 1) a1 += term(x, mask, t + 1);
  if (k > 2) a2 += term(x, mask, t + 2);
  return (a0 + a1) + (a2 + a3);
}

// A masked position contributes +0 and is never read, so NaN there cannot leak in.
@inline function term(x: usize, mask: usize, t: i32): f64 {
  if (mask && load<u8>(mask + <usize>t) == 0) return 0;
  return <f64>load<f32>(x + (<usize>t << 2));
}
