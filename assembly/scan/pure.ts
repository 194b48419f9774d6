import { rowStart, rowEnd, validEnd, prefixLen, zeroPaddingStreamed } from "../rows";

// PURE min-form credit assignment (docs/kernels.md#pure).

// r_k = softmax(l)_1 - softmax(l)_0 = tanh((l1 - l0)/2), in f64 (no cancellation near 0).
export function prm_step_reward_f32(l0: usize, l1: usize, n: i32, out: usize): void {
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 2;
    store<f32>(out + o, <f32>Math.tanh((<f64>load<f32>(l1 + o) - <f64>load<f32>(l0 + o)) * 0.5) + 0);
  }
}

// Softmin transform, token form: the steps of row i are its positions with stepMask = 1.
// r*_k = w_k * r_k with w = softmax(-r/temperature) over the row's steps (f64, max subtracted),
// or w = 1/K (uniform). Every other position gets +0; a row with no steps gets all +0.
export function softmin_tokens_f32(x: usize, stepMask: usize, offsets: usize, B: i32, T: i32, temperature: f64, uniform: i32, out: usize): void {
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    let K = 0, lo: f64 = Infinity;
    for (let t = s; t < e; t++) if (load<u8>(stepMask + <usize>t)) { K++; lo = min(lo, <f64>load<f32>(x + (<usize>t << 2))); }
    // z_k = -r_k/temperature; the largest z belongs to the smallest r.
    const zmax = -lo / temperature;
    let z: f64 = 0;
    if (!uniform) for (let t = s; t < e; t++) if (load<u8>(stepMask + <usize>t)) z += Math.exp(-<f64>load<f32>(x + (<usize>t << 2)) / temperature - zmax);
    for (let t = s; t < e; t++) {
      let y: f32 = 0;
      if (load<u8>(stepMask + <usize>t)) {
        const r = <f64>load<f32>(x + (<usize>t << 2));
        const w = uniform ? 1 / <f64>K : Math.exp(-r / temperature - zmax) / z;
        y = <f32>(w * r) + 0;
      }
      store<f32>(out + (<usize>t << 2), y);
    }
  }
}

// Softmin transform, CSR form: steps of row i are values[stepOffsets[i] .. stepOffsets[i+1]).
export function softmin_steps_f32(values: usize, stepOffsets: usize, B: i32, temperature: f64, uniform: i32, out: usize): void {
  for (let i = 0; i < B; i++) {
    const a = load<i32>(stepOffsets + (<usize>i << 2)), b = load<i32>(stepOffsets + (<usize>(i + 1) << 2));
    let lo: f64 = Infinity;
    for (let k = a; k < b; k++) lo = min(lo, <f64>load<f32>(values + (<usize>k << 2)));
    const zmax = -lo / temperature;
    let z: f64 = 0;
    if (!uniform) for (let k = a; k < b; k++) z += Math.exp(-<f64>load<f32>(values + (<usize>k << 2)) / temperature - zmax);
    for (let k = a; k < b; k++) {
      const r = <f64>load<f32>(values + (<usize>k << 2));
      const w = uniform ? 1 / <f64>(b - a) : Math.exp(-r / temperature - zmax) / z;
      store<f32>(out + (<usize>k << 2), <f32>(w * r) + 0);
    }
  }
}

// Strict min-form, verl-branch compatible: u = r*m extended with zeros up to width W; ret_t =
// min_{t <= t' < W} u_t' at valid t, +0 elsewhere. The minimum is exact (f32 values).
// `prefix` is the mask scan's per-row prefix lengths (or 0): a prefix row reads only its valid
// rewards, without reading its mask again, and its padding is written as zeros on the way.
// Rows go last to first and each row right to left, so rewards and returns are each one
// descending stream over the whole batch; in the SIMD build a prefix row's padding rewards are
// loaded (and dropped) as its zeros are stored, to keep that stream unbroken. A stream that skips
// the padding restarts the hardware prefetcher at every row: on 1024 x 8192 a copy pass shaped
// like that took 1.55x a `TypedArray.set` of the same bytes, and 1.27x as one descending stream.
// Returns 1 when a valid reward is NaN or infinite (the outputs are then garbage: the caller
// finds the index and throws), else 0: the finiteness check rides on the pass that reads them.
export function minform_verlcompat_f32(r: usize, mask: usize, prefix: usize, offsets: usize, B: i32, T: i32, W: i32, out: usize, i0: i32): i32 {
  let bad = false;
  for (let i = B - 1; i >= i0; i--) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T), p = mask ? prefixLen(prefix, i) : e - s;
    // Columns past the row's segment (packed rows shorter than W) and the padding after a prefix
    // are zeros of u.
    let m: f32 = e - s < W || (p >= 0 && p < e - s) ? 0 : Infinity;
    const rowMask: usize = p >= 0 ? 0 : mask, end = p >= 0 ? s + p : e;
    zeroPaddingStreamed(r, 0, out, 0, end, e);
    // The last (end - s) % 4 positions one by one, then blocks (SIMD build).
    const blocks = ASC_FEATURE_SIMD ? s + ((end - s) & ~3) : s;
    for (let t = end - 1; t >= blocks; t--) {
      const valid = !rowMask || load<u8>(rowMask + <usize>t) != 0;
      const u: f32 = valid ? load<f32>(r + (<usize>t << 2)) : 0;
      bad = bad || !isFinite<f32>(u);
      m = min(m, u);
      store<f32>(out + (<usize>t << 2), valid ? m + 0 : 0);
    }
    if (ASC_FEATURE_SIMD) bad = (rowMask ? minformBlocks(r, rowMask, s, blocks, m, out, true) : minformBlocks(r, 0, s, blocks, m, out, false)) || bad;
  }
  return bad ? 1 : 0;
}

// Blocks going backwards, 16 positions a step, then the last 0-3 blocks of four. In a block of four
// the suffix minimum takes two shift-and-min steps; the four blocks of a step are joined right to
// left without the carry, and only then take the carry (everything to the step's right), so the
// chain from step to step is one min and one lane broadcast per 16 positions (a carry through
// extract/splat per 4 positions had been the bottleneck: 7.0 -> 5.7 ms on 8M positions, then
// 4.8-5.4 ms with the padding skip). The valid values are finite (a NaN flags the call), so pmin
// (b < a ? b : a, one instruction) gives the minimum; where it differs from min, on the sign of a
// zero, the output's + 0 erases the difference. Masked lanes read as +0 and write +0; a step whose
// 16 mask bytes are all 0 (the padding of a prefix row) reads no rewards at all.
@inline function minformBlocks(r: usize, mask: usize, s: i32, end: i32, m0: f32, out: usize, useMask: bool): bool {
  const inf = f32x4.splat(Infinity), zero = f32x4.splat(0), none = i8x16.splat(0), all = i32x4.splat(-1);
  let m = f32x4.splat(m0);
  let acc = zero; // v - v: NaN for good at the first NaN or infinity among the valid values
  let b = end;
  while (b - 16 >= s) {
    b -= 16;
    const q = out + (<usize>b << 2), p = r + (<usize>b << 2);
    let l0 = all, l1 = all, l2 = all, l3 = all;
    if (useMask) {
      const raw = v128.load(mask + <usize>b);
      if (!v128.any_true(raw)) {
        m = f32x4.pmin(m, zero);
        v128.store(q, zero); v128.store(q, zero, 16); v128.store(q, zero, 32); v128.store(q, zero, 48);
        continue;
      }
      const mk = i8x16.ne(raw, none);
      const w0 = i16x8.extend_low_i8x16_s(mk), w1 = i16x8.extend_high_i8x16_s(mk);
      l0 = i32x4.extend_low_i16x8_s(w0); l1 = i32x4.extend_high_i16x8_s(w0); l2 = i32x4.extend_low_i16x8_s(w1); l3 = i32x4.extend_high_i16x8_s(w1);
    }
    // (Without a mask the lanes are all ones: no and at all. Binaryen and V8 keep an and with an
    // all-ones constant, eight instructions per 16 positions.)
    let v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
    if (useMask) { v0 = v128.and(v0, l0); v1 = v128.and(v1, l1); v2 = v128.and(v2, l2); v3 = v128.and(v3, l3); }
    acc = f32x4.add(acc, f32x4.add(f32x4.add(f32x4.sub(v0, v0), f32x4.sub(v1, v1)), f32x4.add(f32x4.sub(v2, v2), f32x4.sub(v3, v3))));
    v0 = suffixMin4(v0, inf); v1 = suffixMin4(v1, inf); v2 = suffixMin4(v2, inf); v3 = suffixMin4(v3, inf);
    v2 = f32x4.pmin(v2, lane0(v3)); v1 = f32x4.pmin(v1, lane0(v2)); v0 = f32x4.pmin(v0, lane0(v1));
    v3 = f32x4.pmin(v3, m); v2 = f32x4.pmin(v2, m); v1 = f32x4.pmin(v1, m); v0 = f32x4.pmin(v0, m);
    m = lane0(v0);
    v0 = f32x4.add(v0, zero); v1 = f32x4.add(v1, zero); v2 = f32x4.add(v2, zero); v3 = f32x4.add(v3, zero);
    if (useMask) { v0 = v128.and(v0, l0); v1 = v128.and(v1, l1); v2 = v128.and(v2, l2); v3 = v128.and(v3, l3); }
    v128.store(q, v0); v128.store(q, v1, 16); v128.store(q, v2, 32); v128.store(q, v3, 48);
  }
  while (b - 4 >= s) {
    b -= 4;
    const lanes = useMask ? i32x4.ne(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(mask + <usize>b))), i32x4.splat(0)) : all;
    let v = v128.load(r + (<usize>b << 2));
    if (useMask) v = v128.and(v, lanes);
    acc = f32x4.add(acc, f32x4.sub(v, v));
    v = f32x4.pmin(suffixMin4(v, inf), m);
    m = lane0(v);
    v = f32x4.add(v, zero);
    v128.store(out + (<usize>b << 2), useMask ? v128.and(v, lanes) : v);
  }
  return !i32x4.all_true(f32x4.eq(acc, acc));
}

// Lane j of the result: the minimum of lanes j..3 (lanes past 3 read as +Infinity).
@inline function suffixMin4(v: v128, inf: v128): v128 {
  v = f32x4.pmin(v, v128.shuffle<f32>(v, inf, 1, 2, 3, 4));
  return f32x4.pmin(v, v128.shuffle<f32>(v, inf, 2, 3, 4, 5));
}
@inline function lane0(v: v128): v128 { return v128.shuffle<f32>(v, v, 0, 0, 0, 0); }

// Strict min-form over steps (the paper's definition): ret[t] = min{ r_k : stepEnd_k >= t } at
// valid t, 0 after the row's last step end. stepEnds are row-local, strictly increasing.
// stepReturn[k] = min_{k' >= k} r_k'. Returns the number of valid positions after the last step.
export function minform_steps_f32(values: usize, stepOffsets: usize, stepEnds: usize, mask: usize, offsets: usize, B: i32, T: i32, out: usize, stepReturn: usize): i32 {
  let after = 0;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const a = load<i32>(stepOffsets + (<usize>i << 2)), b = load<i32>(stepOffsets + (<usize>(i + 1) << 2));
    let t = e - 1;
    let m: f32 = Infinity;
    // Positions after the last step end.
    const lastEnd = b > a ? s + load<i32>(stepEnds + (<usize>(b - 1) << 2)) : s - 1;
    for (; t > lastEnd; t--) {
      if (mask == 0 || load<u8>(mask + <usize>t) != 0) after++;
      store<f32>(out + (<usize>t << 2), 0);
    }
    for (let k = b - 1; k >= a; k--) {
      m = min(m, load<f32>(values + (<usize>k << 2)));
      store<f32>(stepReturn + (<usize>k << 2), m + 0);
      const from = k > a ? s + load<i32>(stepEnds + (<usize>(k - 1) << 2)) : s - 1;
      for (; t > from; t--) {
        const valid = mask == 0 || load<u8>(mask + <usize>t) != 0;
        store<f32>(out + (<usize>t << 2), valid ? m + 0 : 0);
      }
    }
  }
  return after;
}

// out = x - b[row] at valid positions (f64, rounded once), +0 elsewhere (the "return" baseline).
// Returns the first index whose result left the f32 range (finite x and b can: x - b with both
// near the limit; found by the fuzz suite), or -1.
export function row_shift_f32(x: usize, b: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, out: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = validEnd(lens, i, s, e);
    const bi = load<f64>(b + (<usize>i << 3));
    for (let t = s; t < e; t++) {
      const valid = t < v && (mask == 0 || load<u8>(mask + <usize>t) != 0);
      const y: f32 = valid ? <f32>(<f64>load<f32>(x + (<usize>t << 2)) - bi) + 0 : 0;
      if (bad < 0 && !isFinite<f32>(y)) bad = t;
      store<f32>(out + (<usize>t << 2), y);
    }
  }
  return bad;
}

// PURE leave-one-out baselines over CSR steps (docs/kernels.md#pure), groups by dense id. per-row inputs:
// rowLen (valid tokens L_j). mode 0 = "token": r'_k = r*_k - c_i * n_k with
// c_i = Σ_{j≠i} O_j / Σ_{j≠i} L_j and n_k the tokens of step k without its end token;
// mode 1 = "step": r'_k = r*_k - b_i, b_i = Σ_{j≠i} (O_j / K_j) / (n - 1).
// Singleton groups: singletonZero ? 0 : raw (baseline 0). Scratch: 4*G f64 + B f64.
export function pure_rloo_steps_f32(
  values: usize, stepOffsets: usize, stepEnds: usize, rowLen: usize, ids: usize, B: i32, G: i32, mode: i32, singletonZero: i32,
  scratch: usize, out: usize,
): void {
  const cnt = scratch, sumO = scratch + (<usize>G << 3), sumL = scratch + (<usize>(2 * G) << 3), sumQ = scratch + (<usize>(3 * G) << 3);
  const O = scratch + (<usize>(4 * G) << 3);
  for (let g = 0; g < G; g++) { store<f64>(cnt + (<usize>g << 3), 0); store<f64>(sumO + (<usize>g << 3), 0); store<f64>(sumL + (<usize>g << 3), 0); store<f64>(sumQ + (<usize>g << 3), 0); }
  for (let i = 0; i < B; i++) {
    const a = load<i32>(stepOffsets + (<usize>i << 2)), b = load<i32>(stepOffsets + (<usize>(i + 1) << 2));
    let o: f64 = 0;
    for (let k = a; k < b; k++) o += <f64>load<f32>(values + (<usize>k << 2));
    store<f64>(O + (<usize>i << 3), o);
    const g = <usize>load<i32>(ids + (<usize>i << 2)) << 3;
    store<f64>(cnt + g, load<f64>(cnt + g) + 1);
    store<f64>(sumO + g, load<f64>(sumO + g) + o);
    store<f64>(sumL + g, load<f64>(sumL + g) + <f64>load<i32>(rowLen + (<usize>i << 2)));
    if (b > a) store<f64>(sumQ + g, load<f64>(sumQ + g) + o / <f64>(b - a));
  }
  for (let i = 0; i < B; i++) {
    const a = load<i32>(stepOffsets + (<usize>i << 2)), b = load<i32>(stepOffsets + (<usize>(i + 1) << 2));
    const g = <usize>load<i32>(ids + (<usize>i << 2)) << 3;
    const n = load<f64>(cnt + g), oi = load<f64>(O + (<usize>i << 3));
    let c: f64 = 0;
    if (n > 1) {
      if (mode == 0) {
        const l = load<f64>(sumL + g) - <f64>load<i32>(rowLen + (<usize>i << 2));
        c = l == 0 ? 0 : (load<f64>(sumO + g) - oi) / l;
      } else c = (load<f64>(sumQ + g) - (b > a ? oi / <f64>(b - a) : 0)) / (n - 1);
    }
    let prev = -1;
    for (let k = a; k < b; k++) {
      const end = load<i32>(stepEnds + (<usize>k << 2));
      const r = <f64>load<f32>(values + (<usize>k << 2));
      let y: f64 = mode == 0 ? r - c * <f64>(end - prev - 1) : r - c;
      if (n == 1 && singletonZero) y = 0;
      store<f32>(out + (<usize>k << 2), <f32>y + 0);
      prev = end;
    }
  }
}

// Segment broadcast over CSR steps/turns: tokens t with end_{k-1} < t <= end_k (row-local) and
// mask 1 get values[k]; positions after the last end, and masked positions, get +0.
export function segments_broadcast_f32(values: usize, stepOffsets: usize, stepEnds: usize, mask: usize, offsets: usize, B: i32, T: i32, out: usize): void {
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const a = load<i32>(stepOffsets + (<usize>i << 2)), b = load<i32>(stepOffsets + (<usize>(i + 1) << 2));
    memory.fill(out + (<usize>s << 2), 0, <usize>(e - s) << 2);
    let from = s;
    for (let k = a; k < b; k++) {
      const to = s + load<i32>(stepEnds + (<usize>k << 2));
      const v = load<f32>(values + (<usize>k << 2)) + 0;
      for (let t = from; t <= to; t++) if (mask == 0 || load<u8>(mask + <usize>t) != 0) store<f32>(out + (<usize>t << 2), v);
      from = to + 1;
    }
  }
}
