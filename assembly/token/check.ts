import { rowStart, rowEnd, validEnd, prefixLen, maskLanes4 } from "../rows";

// The input check every token kernel runs before it writes: the largest |x| over the valid
// positions, returned as its f32 bit pattern with the sign cleared (an i32). A result at or above
// 0x7f800000 means a NaN or an infinity sits at a valid position; the caller then finds its index
// with first_nonfinite_valid_f32 (the rare, slow path). Working on bit patterns costs one and + one
// integer max per 4 values and needs no branch; only valid positions are read, so a batch of short
// responses in a wide padded tensor costs what its tokens cost, not what its padding costs.
export function valid_absbits_f32(x: usize, mask: usize, lens: usize, offsets: usize, prefix: usize, B: i32, T: i32): i32 {
  let m: i32 = 0;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    let v = validEnd(lens, i, s, e), mk = mask;
    const p = prefixLen(prefix, i);
    if (p >= 0) { v = s + p; mk = 0; }
    let t = s;
    if (ASC_FEATURE_SIMD) {
      const absMask = i32x4.splat(0x7fffffff);
      let m0 = i32x4.splat(0), m1 = m0, m2 = m0, m3 = m0;
      if (mk == 0) {
        for (; t + 16 <= v; t += 16) {
          const q = x + (<usize>t << 2);
          m0 = i32x4.max_s(m0, v128.and(v128.load(q), absMask));
          m1 = i32x4.max_s(m1, v128.and(v128.load(q, 16), absMask));
          m2 = i32x4.max_s(m2, v128.and(v128.load(q, 32), absMask));
          m3 = i32x4.max_s(m3, v128.and(v128.load(q, 48), absMask));
        }
        for (; t + 4 <= v; t += 4) m0 = i32x4.max_s(m0, v128.and(v128.load(x + (<usize>t << 2)), absMask));
      } else {
        for (; t + 4 <= v; t += 4) m0 = i32x4.max_s(m0, v128.and(v128.and(v128.load(x + (<usize>t << 2)), absMask), maskLanes4(mk + <usize>t)));
      }
      const vm = i32x4.max_s(i32x4.max_s(m0, m1), i32x4.max_s(m2, m3));
      m = max(m, max(max(i32x4.extract_lane(vm, 0), i32x4.extract_lane(vm, 1)), max(i32x4.extract_lane(vm, 2), i32x4.extract_lane(vm, 3))));
    }
    for (; t < v; t++) {
      if (mk && load<u8>(mk + <usize>t) == 0) continue;
      m = max(m, load<i32>(x + (<usize>t << 2)) & 0x7fffffff);
    }
  }
  return m;
}
