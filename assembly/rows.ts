// Row addressing shared by every token kernel.
// A batch is described by (offsets, B, T): when `offsets` is 0 the layout is padded [B,T] and
// row i starts at i*T with width T; otherwise it is packed and row i is [offsets[i], offsets[i+1]).
// Validity is described by (mask, lens): a u8 mask (0/1) at the same flat indices, or a prefix
// length per row (padded only), or neither (every position valid).

@inline export function rowStart(offsets: usize, i: i32, T: i32): i32 {
  return offsets ? load<i32>(offsets + (<usize>i << 2)) : i * T;
}

@inline export function rowEnd(offsets: usize, i: i32, T: i32): i32 {
  return offsets ? load<i32>(offsets + (<usize>(i + 1) << 2)) : i * T + T;
}

// End of row i's valid prefix when lengths are given (padded only); otherwise the row end, and the
// mask (if any) decides validity inside [start, end).
@inline export function validEnd(lens: usize, i: i32, start: i32, end: i32): i32 {
  return lens ? start + load<i32>(lens + (<usize>i << 2)) : end;
}

// Prefix length of row i from the mask scan (mask_scan_rows_u8), or -1 when there is no scan or
// the row has holes. A prefix row is read like the lengths path: no mask inside [start, start+L).
@inline export function prefixLen(prefix: usize, i: i32): i32 {
  return prefix ? load<i32>(prefix + (<usize>i << 2)) : -1;
}

// The mask to consult inside row i: 0 when there is none, or when the mask scan found the row to
// be a prefix (its read range then has no holes).
@inline export function holesMask(mask: usize, prefix: usize, i: i32): usize {
  return prefixLen(prefix, i) >= 0 ? 0 : mask;
}

// End of the positions to read in row i: a prefix row's length from the mask scan, else validEnd.
@inline export function readEnd(lens: usize, prefix: usize, i: i32, start: i32, end: i32): i32 {
  const p = prefixLen(prefix, i);
  return p >= 0 ? start + p : validEnd(lens, i, start, end);
}

// 4 mask bytes at p (validated 0/1) as 4 all-ones / all-zero i32 lanes.
@inline export function maskLanes4(p: usize): v128 {
  return i32x4.neg(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(i32x4.splat(<i32>load<u32>(p)))));
}

// out[s, e) = +0, left to right: a row's padding written right after its values, in the same
// stream of stores (KL in the reward, the broadcast). The SIMD build writes v128 stores (on the
// project VM a v128 store stream runs at memset speed or better), then the last 0-15 positions four
// and one at a time (no memset call for a short tail: small batches have many); the scalar build
// one memory.fill.
@inline export function zeroRun(out: usize, s: i32, e: i32): void {
  if (!ASC_FEATURE_SIMD) { if (e > s) memory.fill(out + (<usize>s << 2), 0, <usize>(e - s) << 2); return; }
  const zero = f32x4.splat(0);
  let t = s;
  for (; t + 16 <= e; t += 16) {
    const p = out + (<usize>t << 2);
    v128.store(p, zero); v128.store(p, zero, 16); v128.store(p, zero, 32); v128.store(p, zero, 48);
  }
  for (; t + 4 <= e; t += 4) v128.store(out + (<usize>t << 2), zero);
  for (; t < e; t++) store<f32>(out + (<usize>t << 2), 0);
}

// Row positions [from, e) of o1 and o2 (each optional) set to +0, right to left: the padding of a
// row in the reverse scans, which run rows last to first and each row from its end, and zero the
// padding just before the row's valid part. In the SIMD build the inputs a and b (each optional)
// are loaded over the same positions and dropped, so that every input and output stays one
// unbroken descending stream over the batch: a stream with a gap at every row restarts the
// hardware prefetcher at every row (docs/design.md has the measurements). On several threads the
// memory's bandwidth, shared by them, binds first: callers then pass no inputs.
@inline export function zeroPaddingStreamed(a: usize, b: usize, o1: usize, o2: usize, from: i32, e: i32): void {
  let t = e;
  if (ASC_FEATURE_SIMD) {
    const zero = i32x4.splat(0);
    while (t - 16 >= from) {
      t -= 16;
      const o = <usize>t << 2;
      let x0 = zero, x1 = zero, x2 = zero, x3 = zero;
      if (a) { x0 = v128.load(a + o); x1 = v128.load(a + o, 16); x2 = v128.load(a + o, 32); x3 = v128.load(a + o, 48); }
      if (b) { x0 = v128.or(x0, v128.load(b + o)); x1 = v128.or(x1, v128.load(b + o, 16)); x2 = v128.or(x2, v128.load(b + o, 32)); x3 = v128.or(x3, v128.load(b + o, 48)); }
      x0 = v128.and(x0, zero); x1 = v128.and(x1, zero); x2 = v128.and(x2, zero); x3 = v128.and(x3, zero);
      if (o1) { v128.store(o1 + o, x0); v128.store(o1 + o, x1, 16); v128.store(o1 + o, x2, 32); v128.store(o1 + o, x3, 48); }
      if (o2) { v128.store(o2 + o, x0); v128.store(o2 + o, x1, 16); v128.store(o2 + o, x2, 32); v128.store(o2 + o, x3, 48); }
    }
  }
  if (t > from) {
    if (o1) memory.fill(o1 + (<usize>from << 2), 0, <usize>(t - from) << 2);
    if (o2) memory.fill(o2 + (<usize>from << 2), 0, <usize>(t - from) << 2);
  }
}

// Sets `bytes` bytes at p to zero, writing only the runs of 64-byte blocks that hold a set bit
// (so -0 is rewritten too). For memory that is usually zero already (a workspace's output from
// its previous call): a read that finds zeros leaves the lines clean, so nothing is written back.
// Whether that beats writing the zeros depends on the machine and on the streams around it: the
// token kernels now write their padding with v128 stores in their row stream (rows of GAE, KL,
// min-form and the broadcast); the score placement's whole-batch clear and the scalar build's
// broadcast still use this.
export function zeroDirty(p: usize, bytes: usize): void {
  // Short padding is cheaper to write: a small batch's rows are in cache, and the per-call bench
  // (64 x 256, 512 bytes of padding a row on average) lost 0.3 us to the test below 2 KiB.
  if (bytes < 2048) { memory.fill(p, 0, bytes); return; }
  let k: usize = 0, start: usize = 0, inRun = false;
  for (; k + 64 <= bytes; k += 64) {
    if (blockHasBits(p + k)) { if (!inRun) { start = k; inRun = true; } }
    else if (inRun) { memory.fill(p + start, 0, k - start); inRun = false; }
  }
  if (inRun) memory.fill(p + start, 0, bytes - start);
  else if (k < bytes) memory.fill(p + k, 0, bytes - k);
}

@inline function blockHasBits(q: usize): bool {
  if (ASC_FEATURE_SIMD) return v128.any_true(v128.or(v128.or(v128.load(q), v128.load(q, 16)), v128.or(v128.load(q, 32), v128.load(q, 48))));
  return ((load<u64>(q) | load<u64>(q, 8)) | (load<u64>(q, 16) | load<u64>(q, 24)) | (load<u64>(q, 32) | load<u64>(q, 40)) | (load<u64>(q, 48) | load<u64>(q, 56))) != 0;
}
