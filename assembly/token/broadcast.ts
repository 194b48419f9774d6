import { rowStart, rowEnd, zeroDirty, zeroRun } from "../rows";

// out[t] = a[i] at the valid positions of row i, +0 elsewhere. This is the write-bound pass that
// dominates every outcome estimator, so it is written for store throughput:
//  - every position is written once, in order, by four v128 stores per 64 bytes (values, then
//    the row's padding as zeros): one unbroken stream of stores. On the project's EPYC VM a v128
//    store stream runs at memset speed or better (64 MiB: 2.50 ms against memory.fill's 3.39), and
//    GRPO + broadcast at 8192 x 1024 measured 0.89-0.92 (1.02 in one of five paired runs) of
//    the time of reading the padding back and rewriting only its dirty blocks (zeroDirty; on the
//    Xeon VM of the first runs a v128 store loop ran at less than half memset's speed). The
//    scalar build keeps zeroDirty;
//  - with a byte mask, chunks that are all valid or all padding skip the widening entirely.
export function broadcast_rows_f32(a: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, out: usize): void {
  broadcast_rows_prefix_f32(a, mask, lens, offsets, B, T, out, 0);
}

// As broadcast_rows_f32, with `prefix` from mask_scan_rows_u8 (or 0): a masked row known to be a
// prefix of length L is written like the lengths path.
export function broadcast_rows_prefix_f32(a: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, out: usize, prefix: usize): void {
  // One loop per validity mode, so the per-row cost of short rows carries no mode branches.
  if (mask && prefix) {
    for (let i = 0; i < B; i++) {
      const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
      const v = load<f32>(a + (<usize>i << 2));
      const L = load<i32>(prefix + (<usize>i << 2));
      if (L >= 0) { fillValue(out, s, s + L, v); fillZero(out, s + L, e); }
      else fillMasked(out, mask, s, e, v);
    }
  } else if (mask) {
    for (let i = 0; i < B; i++) fillMasked(out, mask, rowStart(offsets, i, T), rowEnd(offsets, i, T), load<f32>(a + (<usize>i << 2)));
  } else if (lens && !offsets && T <= 32) {
    // Short padded rows (T <= 32): a row is a few v128 stores whose lanes compare their column
    // with L (branch-free); per-row fills and memsets cost more than the row itself here.
    if (ASC_FEATURE_SIMD) shortRowsSimd(a, lens, B, T, out);
    else for (let i = 0; i < B; i++) {
      const Li = load<i32>(lens + (<usize>i << 2)), v = load<f32>(a + (<usize>i << 2)), row = out + (<usize>(i * T) << 2);
      for (let t = 0; t < T; t++) store<f32>(row + (<usize>t << 2), t < Li ? v : 0);
    }
  } else if (lens) {
    for (let i = 0; i < B; i++) {
      const s = rowStart(offsets, i, T);
      const m = s + load<i32>(lens + (<usize>i << 2));
      fillValue(out, s, m, load<f32>(a + (<usize>i << 2)));
      fillZero(out, m, rowEnd(offsets, i, T));
    }
  } else {
    for (let i = 0; i < B; i++) fillValue(out, rowStart(offsets, i, T), rowEnd(offsets, i, T), load<f32>(a + (<usize>i << 2)));
  }
}

// Below this many floats a memset call costs more than it saves.
const ZERO_FILL_MIN: i32 = 64;

@inline function fillZero(out: usize, s: i32, e: i32): void {
  if (ASC_FEATURE_SIMD) { zeroRun(out, s, e); return; }
  if (e - s >= ZERO_FILL_MIN) zeroDirty(out + (<usize>s << 2), <usize>(e - s) << 2);
  else for (let t = s; t < e; t++) store<f32>(out + (<usize>t << 2), 0);
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
    let zs = -1; // start of a pending run of all-padding chunks
    for (; t + 16 <= e; t += 16) {
      const m = v128.load(mask + <usize>t);
      if (!v128.any_true(m)) { if (zs < 0) zs = t; continue; }
      if (zs >= 0) { fillZero(out, zs, t); zs = -1; }
      const p = out + (<usize>t << 2);
      if (i8x16.all_true(m)) {
        v128.store(p, vv); v128.store(p, vv, 16); v128.store(p, vv, 32); v128.store(p, vv, 48);
      } else {
        const lo = i16x8.extend_low_i8x16_u(m), hi = i16x8.extend_high_i8x16_u(m);
        // 0/1 lanes -> all-zero/all-one lanes; AND with the splatted value gives v or +0.
        v128.store(p, v128.and(vv, i32x4.ne(i32x4.extend_low_i16x8_u(lo), zero)));
        v128.store(p, v128.and(vv, i32x4.ne(i32x4.extend_high_i16x8_u(lo), zero)), 16);
        v128.store(p, v128.and(vv, i32x4.ne(i32x4.extend_low_i16x8_u(hi), zero)), 32);
        v128.store(p, v128.and(vv, i32x4.ne(i32x4.extend_high_i16x8_u(hi), zero)), 48);
      }
    }
    if (zs >= 0) fillZero(out, zs, t);
  }
  for (; t < e; t++) store<f32>(out + (<usize>t << 2), load<u8>(mask + <usize>t) ? v : 0);
}

// The number of zeros in x[0..n) (empty rows of a lengths layout).
export function count_zero_i32(x: usize, n: i32): i32 {
  let c = 0, i = 0;
  if (ASC_FEATURE_SIMD) {
    let acc = i32x4.splat(0);
    for (; i + 4 <= n; i += 4) acc = i32x4.sub(acc, i32x4.eq(v128.load(x + (<usize>i << 2)), i32x4.splat(0)));
    c = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  }
  for (; i < n; i++) if (load<i32>(x + (<usize>i << 2)) == 0) c++;
  return c;
}

@inline function shortRowsSimd(a: usize, lens: usize, B: i32, T: i32, out: usize): void {
  const iota = i32x4(0, 1, 2, 3);
  for (let i = 0; i < B; i++) {
    const v = load<f32>(a + (<usize>i << 2)), Li = load<i32>(lens + (<usize>i << 2));
    const vv = f32x4.splat(v), L = i32x4.splat(Li);
    const row = out + (<usize>(i * T) << 2);
    let t = 0;
    for (; t + 4 <= T; t += 4) v128.store(row + (<usize>t << 2), v128.and(vv, i32x4.lt_s(i32x4.add(iota, i32x4.splat(t)), L)));
    for (; t < T; t++) store<f32>(row + (<usize>t << 2), t < Li ? v : 0);
  }
}
