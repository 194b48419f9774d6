import { rowStart, rowEnd, readEnd, holesMask, maskLanes4 } from "../rows";

// The input check every token kernel runs before it writes: the largest |x| over the valid
// positions of up to three tensors, as f32 bit patterns with the sign cleared (i32s at out[0..2]).
// A result at or above 0x7f800000 means a NaN or an infinity sits at a valid position; the caller
// then finds its index with first_nonfinite_valid_f32 (the rare, slow path).
// - Bit patterns: one and + one integer max per 4 values, and no branch.
// - Only valid positions are read (a prefix row of a mask is read like lengths), so a batch of short
//   responses in a wide padded tensor costs what its tokens cost, not what its padding costs.
// - The tensors are read in one pass, side by side (8192 x 1024, three tensors: 6.6 ms as three
//   passes, 5.5-6.5 ms as one). Fewer tensors: repeat a pointer (y == x, z == y); the repeated
//   ones are then not read at all (a loop per count).
export function valid_absbits3_f32(x: usize, y: usize, z: usize, mask: usize, lens: usize, offsets: usize, prefix: usize, B: i32, T: i32, out: usize, i0: i32): void {
  if (y == x && z == x) absbitsRows(x, x, x, mask, lens, offsets, prefix, i0, B, T, out, 1);
  else if (z == y) absbitsRows(x, y, y, mask, lens, offsets, prefix, i0, B, T, out, 2);
  else absbitsRows(x, y, z, mask, lens, offsets, prefix, i0, B, T, out, 3);
}

// k (a literal at each call) is the number of distinct tensors; out[j] for j >= k repeats out[k-1].
@inline function absbitsRows(x: usize, y: usize, z: usize, mask: usize, lens: usize, offsets: usize, prefix: usize, i0: i32, B: i32, T: i32, out: usize, k: i32): void {
  let mx: i32 = 0, my: i32 = 0, mz: i32 = 0;
  for (let i = i0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = readEnd(lens, prefix, i, s, e), mk = holesMask(mask, prefix, i);
    let t = s;
    if (ASC_FEATURE_SIMD) {
      const absMask = i32x4.splat(0x7fffffff);
      let x0 = i32x4.splat(0), x1 = x0, y0 = x0, y1 = x0, z0 = x0, z1 = x0;
      if (mk == 0) {
        for (; t + 8 <= v; t += 8) {
          const o = <usize>t << 2;
          x0 = i32x4.max_s(x0, v128.and(v128.load(x + o), absMask)); x1 = i32x4.max_s(x1, v128.and(v128.load(x + o, 16), absMask));
          if (k >= 2) { y0 = i32x4.max_s(y0, v128.and(v128.load(y + o), absMask)); y1 = i32x4.max_s(y1, v128.and(v128.load(y + o, 16), absMask)); }
          if (k >= 3) { z0 = i32x4.max_s(z0, v128.and(v128.load(z + o), absMask)); z1 = i32x4.max_s(z1, v128.and(v128.load(z + o, 16), absMask)); }
        }
        for (; t + 4 <= v; t += 4) {
          const o = <usize>t << 2;
          x0 = i32x4.max_s(x0, v128.and(v128.load(x + o), absMask));
          if (k >= 2) y0 = i32x4.max_s(y0, v128.and(v128.load(y + o), absMask));
          if (k >= 3) z0 = i32x4.max_s(z0, v128.and(v128.load(z + o), absMask));
        }
      } else {
        for (; t + 4 <= v; t += 4) {
          const o = <usize>t << 2, m = v128.and(maskLanes4(mk + <usize>t), absMask);
          x0 = i32x4.max_s(x0, v128.and(v128.load(x + o), m));
          if (k >= 2) y0 = i32x4.max_s(y0, v128.and(v128.load(y + o), m));
          if (k >= 3) z0 = i32x4.max_s(z0, v128.and(v128.load(z + o), m));
        }
      }
      mx = max(mx, hmax(i32x4.max_s(x0, x1))); my = max(my, hmax(i32x4.max_s(y0, y1))); mz = max(mz, hmax(i32x4.max_s(z0, z1)));
    }
    for (; t < v; t++) {
      if (mk && load<u8>(mk + <usize>t) == 0) continue;
      const o = <usize>t << 2;
      mx = max(mx, load<i32>(x + o) & 0x7fffffff);
      if (k >= 2) my = max(my, load<i32>(y + o) & 0x7fffffff);
      if (k >= 3) mz = max(mz, load<i32>(z + o) & 0x7fffffff);
    }
  }
  if (k < 2) my = mx;
  if (k < 3) mz = my;
  store<i32>(out, mx); store<i32>(out, my, 4); store<i32>(out, mz, 8);
}

@inline function hmax(v: v128): i32 {
  return max(max(i32x4.extract_lane(v, 0), i32x4.extract_lane(v, 1)), max(i32x4.extract_lane(v, 2), i32x4.extract_lane(v, 3)));
}

// The first x[i] outside [lo, hi] (a NaN is outside), or -1, four at a time in the SIMD build:
// the lengths checks (0 <= L <= T for a token layout, L >= 1 for some shapers, L <= width for
// DRPO) and value ranges (ER's correctness in [0, 1]).
@inline function firstOutside<T>(x: usize, n: i32, lo: T, hi: T): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const l = isFloat<T>() ? f32x4.splat(<f32>lo) : i32x4.splat(<i32>lo), h = isFloat<T>() ? f32x4.splat(<f32>hi) : i32x4.splat(<i32>hi);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      const inside = isFloat<T>() ? v128.and(f32x4.ge(v, l), f32x4.le(v, h)) : v128.and(i32x4.ge_s(v, l), i32x4.le_s(v, h));
      if (!i32x4.all_true(inside)) break;
    }
  }
  for (; i < n; i++) { const v = load<T>(x + (<usize>i << 2)); if (!(v >= lo && v <= hi)) return i; }
  return -1;
}
export function first_outside_i32(x: usize, n: i32, lo: i32, hi: i32): i32 { return firstOutside<i32>(x, n, lo, hi); }
export function first_outside_f32(x: usize, n: i32, lo: f32, hi: f32): i32 { return firstOutside<f32>(x, n, lo, hi); }
