import { rowStart, rowEnd } from "../rows";

// out[t] = a[i] at the valid positions of row i, +0 elsewhere. This is the write-bound pass that
// dominates every outcome estimator, so it is written for store throughput: 64 bytes of output
// per 16 mask bytes in the SIMD build, and plain fills for the prefix-length (lengths) path.
export function broadcast_rows_f32(a: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, out: usize): void {
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = load<f32>(a + (<usize>i << 2));
    if (mask) fillMasked(out, mask, s, e, v);
    else if (lens) {
      const m = s + load<i32>(lens + (<usize>i << 2));
      fillValue(out, s, m, v);
      fillValue(out, m, e, 0); // SIMD stores beat memory.fill here: V8 calls out for it
    } else fillValue(out, s, e, v);
  }
}

@inline function fillValue(out: usize, s: i32, e: i32, v: f32): void {
  let t = s;
  if (ASC_FEATURE_SIMD) {
    const vv = f32x4.splat(v);
    for (; t + 16 <= e; t += 16) {
      const p = out + (<usize>t << 2);
      v128.store(p, vv); v128.store(p, vv, 16); v128.store(p, vv, 32); v128.store(p, vv, 48);
    }
    for (; t + 4 <= e; t += 4) v128.store(out + (<usize>t << 2), vv);
  }
  for (; t < e; t++) store<f32>(out + (<usize>t << 2), v);
}

@inline function fillMasked(out: usize, mask: usize, s: i32, e: i32, v: f32): void {
  let t = s;
  if (ASC_FEATURE_SIMD) {
    const vv = f32x4.splat(v);
    const zero = i32x4.splat(0);
    for (; t + 16 <= e; t += 16) {
      const m = v128.load(mask + <usize>t);
      const lo = i16x8.extend_low_i8x16_u(m), hi = i16x8.extend_high_i8x16_u(m);
      const p = out + (<usize>t << 2);
      // 0/1 lanes -> all-zero/all-one lanes; AND with the splatted value gives v or +0.
      v128.store(p, v128.and(vv, i32x4.ne(i32x4.extend_low_i16x8_u(lo), zero)));
      v128.store(p, v128.and(vv, i32x4.ne(i32x4.extend_high_i16x8_u(lo), zero)), 16);
      v128.store(p, v128.and(vv, i32x4.ne(i32x4.extend_low_i16x8_u(hi), zero)), 32);
      v128.store(p, v128.and(vv, i32x4.ne(i32x4.extend_high_i16x8_u(hi), zero)), 48);
    }
  }
  for (; t < e; t++) store<f32>(out + (<usize>t << 2), load<u8>(mask + <usize>t) ? v : 0);
}
