import { rowStart, rowEnd, validEnd } from "../rows";

// First flat index whose byte is not 0 or 1, or -1. The SIMD pass only finds the 16-byte block;
// the scalar tail loop then pins the exact index, so both builds report the same index.
export function mask_check_u8(mask: usize, n: i32): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const notBit = i8x16.splat(<i8>0xfe);
    for (; i + 16 <= n; i += 16) {
      if (v128.any_true(v128.and(v128.load(mask + <usize>i), notBit))) break;
    }
  }
  for (; i < n; i++) if (load<u8>(mask + <usize>i) > 1) return i;
  return -1;
}

// Converts a Float32 mask (0, -0 or 1) to bytes. Returns the first bad index or -1; on a bad
// index `dst` is partly written, which is fine because it is always library scratch.
export function mask_f32_to_u8(src: usize, dst: usize, n: i32): i32 {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(src + (<usize>i << 2));
    if (v == 0) store<u8>(dst + <usize>i, 0);
    else if (v == 1) store<u8>(dst + <usize>i, 1);
    else return i;
  }
  return -1;
}

// Valid-token count per row, fused with the 0/1 check so the mask is read once. Returns the first
// flat index whose byte is not 0 or 1, or -1 (then `lensOut` is complete). Byte counts are summed
// with pairwise widening adds so the SIMD build never overflows a lane: i8 -> i16 pairs -> i32 quads.
export function row_lengths_u8(mask: usize, offsets: usize, B: i32, T: i32, lensOut: usize): i32 {
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    let c = 0;
    let t = s;
    if (ASC_FEATURE_SIMD) {
      // Byte lanes count up to 255 chunks before they are widened into the i32 total; the byte
      // maximum doubles as the 0/1 check. Three vector ops per 16 mask bytes.
      let total = i32x4.splat(0);
      let hi = i8x16.splat(0);
      while (t + 16 <= e) {
        let acc = i8x16.splat(0);
        const stop = min(e - 15, t + 255 * 16);
        for (; t < stop; t += 16) {
          const v = v128.load(mask + <usize>t);
          acc = i8x16.add(acc, v);
          hi = i8x16.max_u(hi, v);
        }
        total = i32x4.add(total, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(acc)));
      }
      if (i8x16.extract_lane_u(hi, 0) > 1 || v128.any_true(i8x16.gt_u(hi, i8x16.splat(1)))) return firstNonBinary(mask, s, e);
      c = i32x4.extract_lane(total, 0) + i32x4.extract_lane(total, 1) + i32x4.extract_lane(total, 2) + i32x4.extract_lane(total, 3);
    }
    for (; t < e; t++) {
      const b = load<u8>(mask + <usize>t);
      if (b > 1) return t;
      c += <i32>b;
    }
    store<i32>(lensOut + (<usize>i << 2), c);
  }
  return -1;
}

function firstNonBinary(mask: usize, s: i32, e: i32): i32 {
  for (let t = s; t < e; t++) if (load<u8>(mask + <usize>t) > 1) return t;
  return -1;
}

// First flat index holding NaN or +-Infinity, or -1.
export function first_nonfinite_f32(x: usize, n: i32): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const expMask = i32x4.splat(0x7f800000);
    for (; i + 4 <= n; i += 4) {
      const v = v128.and(v128.load(x + (<usize>i << 2)), expMask);
      if (v128.any_true(i32x4.eq(v, expMask))) break;
    }
  }
  for (; i < n; i++) if (!isFinite<f32>(load<f32>(x + (<usize>i << 2)))) return i;
  return -1;
}

// First flat index at a valid position holding NaN or +-Infinity, or -1.
export function first_nonfinite_valid_f32(x: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32): i32 {
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T);
    const e = validEnd(lens, i, s, rowEnd(offsets, i, T));
    // SIMD build: a row is first tested as a whole, branch-free (v - v is NaN exactly for NaN and
    // the infinities; masked lanes read as +0); only a row that fails is searched for its index.
    if (ASC_FEATURE_SIMD && rowFinite(x, mask, s, e)) continue;
    for (let t = s; t < e; t++) {
      if (mask && load<u8>(mask + <usize>t) == 0) continue;
      if (!isFinite<f32>(load<f32>(x + (<usize>t << 2)))) return t;
    }
  }
  return -1;
}

@inline function rowFinite(x: usize, mask: usize, s: i32, e: i32): bool {
  let acc = f32x4.splat(0);
  let t = s;
  const none = i32x4.splat(0);
  if (mask) for (; t + 4 <= e; t += 4) {
    const lanes = i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(mask + <usize>t))), none);
    const v = v128.and(v128.load(x + (<usize>t << 2)), lanes);
    acc = f32x4.add(acc, f32x4.sub(v, v));
  } else for (; t + 4 <= e; t += 4) {
    const v = v128.load(x + (<usize>t << 2));
    acc = f32x4.add(acc, f32x4.sub(v, v));
  }
  let ok = i32x4.all_true(f32x4.eq(acc, acc));
  for (; t < e; t++) if ((mask == 0 || load<u8>(mask + <usize>t) != 0) && !isFinite<f32>(load<f32>(x + (<usize>t << 2)))) ok = false;
  return ok;
}

// The mask check for kernels that need no row lengths: every byte 0/1 (one flat SIMD pass), and
// the number of empty rows (a row stops being scanned at its first non-zero chunk).
// Returns -1 - (first bad flat index) on a bad byte, else the number of empty rows.
export function mask_check_rows_u8(mask: usize, offsets: usize, B: i32, T: i32): i32 {
  const n = offsets ? load<i32>(offsets + (<usize>B << 2)) : B * T;
  const bad = mask_check_u8(mask, n);
  if (bad >= 0) return -1 - bad;
  let empty = 0;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    let t = s, any = false;
    if (ASC_FEATURE_SIMD) {
      for (; t + 16 <= e; t += 16) if (v128.any_true(v128.load(mask + <usize>t))) { any = true; break; }
    }
    if (!any) for (; t < e; t++) if (load<u8>(mask + <usize>t)) { any = true; break; }
    if (!any) empty++;
  }
  return empty;
}

// The 0/1 check of a byte mask fused with a per-row shape scan, for the broadcast that follows:
// prefixOut[i] = L when row i is a prefix mask (L ones, then zeros), else -1 (it has holes);
// lensOut[i] (when lensOut != 0) = the row's valid-token count.
// Most masks are prefixes, and a prefix row is then written like the lengths path (value stores
// plus a memset), which is much cheaper than per-chunk masking.
// Returns -1 - (first bad flat index) on a byte that is not 0/1, else the number of empty rows.
// Rows [i0, B): a worker pool splits the rows between threads (docs/threads.md).
export function mask_scan_rows_u8(mask: usize, offsets: usize, B: i32, T: i32, prefixOut: usize, lensOut: usize, i0: i32): i32 {
  let empty = 0;
  for (let i = i0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    let t = s;
    let L = -1; // end of the leading run of ones, once known
    let prefix = true, count = 0;
    if (ASC_FEATURE_SIMD) {
      const ones = i8x16.splat(1);
      let hv = i8x16.splat(0);
      // Leading run of ones: 64 bytes per step while every byte is 1 (most of a prefix row).
      for (; t + 64 <= e; t += 64) {
        const p = mask + <usize>t;
        const all = v128.and(v128.and(i8x16.eq(v128.load(p), ones), i8x16.eq(v128.load(p, 16), ones)), v128.and(i8x16.eq(v128.load(p, 32), ones), i8x16.eq(v128.load(p, 48), ones)));
        if (!i8x16.all_true(all)) break;
      }
      for (; t + 16 <= e; t += 16) {
        const v = v128.load(mask + <usize>t);
        if (i8x16.all_true(i8x16.eq(v, ones))) continue;
        hv = i8x16.max_u(hv, v);
        const lead = ctz<u32>(~i8x16.bitmask(i8x16.eq(v, ones)) & 0xffff);
        L = t + <i32>lead;
        // The rest of this chunk must be zeros for a prefix.
        const restOnes = i8x16.bitmask(i8x16.ne(v, i8x16.splat(0))) >> lead;
        if (restOnes != 0) prefix = false;
        t += 16;
        break;
      }
      // Everything after the run: zeros for a prefix; still 0/1 in any case. 64 bytes per step
      // while they are all zero (the padding of a prefix row).
      if (prefix) for (; t + 64 <= e; t += 64) {
        const p = mask + <usize>t;
        if (v128.any_true(v128.or(v128.or(v128.load(p), v128.load(p, 16)), v128.or(v128.load(p, 32), v128.load(p, 48))))) break;
      }
      for (; t + 16 <= e; t += 16) {
        const v = v128.load(mask + <usize>t);
        hv = i8x16.max_u(hv, v);
        if (v128.any_true(v)) prefix = false;
      }
      if (v128.any_true(i8x16.gt_u(hv, ones))) return -1 - firstNonBinary(mask, s, e);
    }
    // Scalar tail (and the whole row in the scalar build).
    for (; t < e; t++) {
      const b = load<u8>(mask + <usize>t);
      if (b > 1) return -1 - t;
      if (L < 0) { if (b == 0) L = t; }
      else if (b != 0) prefix = false;
    }
    if (L < 0) L = e; // all ones
    const len = L - s;
    if (prefix) count = len;
    else for (let k = s; k < e; k++) count += <i32>load<u8>(mask + <usize>k); // holes: count them
    if (count == 0) empty++;
    store<i32>(prefixOut + (<usize>i << 2), prefix ? len : -1);
    if (lensOut) store<i32>(lensOut + (<usize>i << 2), count);
  }
  return empty;
}
