// Length rewards (docs/shapers.md#length-rewards): Kimi k1.5, LASER / LASER-D / LASER-DE, HAPO,
// DAPO's overlong penalty and ProRL's stop-properly penalty. One pass per row, f64 arithmetic,
// each output rounded once to f32. Every function returns the first row whose output leaves the
// f32 range, or -1. Optional inputs are 0 pointers.

// Kimi k1.5: lambda = 0.5 - (L - minL)/(maxL - minL + eps) over ALL rows of the group (0 when
// maxL == minL); len = correct ? lambda : min(0, lambda), 0 where not eligible. laserCompat: a
// singleton group uses minL = 0, maxL = 1 (LASER's code). reward = base + weight * len.
// mm: scratch of 3 i32 per group (min, max, count).
export function kimi_len_f32(
  lengths: usize, correct: usize, eligible: usize, ids: usize, B: i32, G: i32, eps: f64, laserCompat: i32,
  base: usize, weight: f64, lenOut: usize, lambdaOut: usize, rewardOut: usize, mm: usize,
): i32 {
  for (let g = 0; g < G; g++) { store<i32>(mm + (<usize>(3 * g) << 2), i32.MAX_VALUE); store<i32>(mm + (<usize>(3 * g + 1) << 2), i32.MIN_VALUE); store<i32>(mm + (<usize>(3 * g + 2) << 2), 0); }
  // A run of rows with one group id works in registers, from and back to the group's record (no
  // store-to-load chain through memory from row to row; exact integer min, max and count).
  let cur = -1, p: usize = 0, a = 0, b = 0, c = 0;
  for (let i = 0; i < B; i++) {
    const g = load<i32>(ids + (<usize>i << 2)), L = load<i32>(lengths + (<usize>i << 2));
    if (g != cur) {
      if (cur >= 0) { store<i32>(p, a); store<i32>(p, b, 4); store<i32>(p, c, 8); }
      cur = g; p = mm + (<usize>(3 * g) << 2); a = load<i32>(p); b = load<i32>(p, 4); c = load<i32>(p, 8);
    }
    a = min(a, L); b = max(b, L); c++;
  }
  if (cur >= 0) { store<i32>(p, a); store<i32>(p, b, 4); store<i32>(p, c, 8); }
  let bad = -1, lo: f64 = 0, hi: f64 = 0;
  cur = -1;
  for (let i = 0; i < B; i++) {
    const g = load<i32>(ids + (<usize>i << 2));
    if (g != cur) {
      cur = g; p = mm + (<usize>(3 * g) << 2);
      lo = <f64>load<i32>(p); hi = <f64>load<i32>(p, 4);
      if (laserCompat && load<i32>(p, 8) == 1) { lo = 0; hi = 1; }
    }
    const L = <f64>load<i32>(lengths + (<usize>i << 2));
    const lambda: f64 = hi == lo ? 0 : 0.5 - (L - lo) / (hi - lo + eps);
    const ok = eligible == 0 || load<u8>(eligible + <usize>i) != 0;
    const len: f64 = !ok ? 0 : load<u8>(correct + <usize>i) ? lambda : min(lambda, 0);
    store<f32>(lambdaOut + (<usize>i << 2), <f32>lambda + 0);
    bad = storeTerm(i, len, lenOut, base, weight, rewardOut, bad);
  }
  return bad;
}

// The length term of row i, and base + weight*term when a reward output is given; returns the
// first row whose reward is not finite in f32 (bad so far, or i).
@inline function storeTerm(i: i32, len: f64, lenOut: usize, base: usize, weight: f64, rewardOut: usize, bad: i32): i32 {
  store<f32>(lenOut + (<usize>i << 2), <f32>len + 0);
  if (rewardOut) {
    const v = <f32>(<f64>load<f32>(base + (<usize>i << 2)) + weight * len) + 0;
    if (bad < 0 && !isFinite<f32>(v)) bad = i;
    store<f32>(rewardOut + (<usize>i << 2), v);
  }
  return bad;
}

// LASER (variant 0), LASER-D (1), LASER-DE (2). status: i8 1 correct / 0 wrong / -1 invalid.
// Target: variant 0 targetLength; D and DE the band of the row's group (accuracy >= 2/3 high,
// >= 1/3 medium, else low; compared exactly, as integers). mode 0 reward, 1 penalty, 2 hybrid.
// cnt: scratch of 2 i32 per group (rows, correct rows). termOut and targetOut may be 0 (not written).
export function laser_reward_f32(
  status: usize, lengths: usize, ids: usize, B: i32, G: i32, alpha: f64, mode: i32,
  cCorrect: f64, cWrong: f64, cInvalid: f64, variant: i32, targetLength: f64, low: f64, medium: f64, high: f64,
  repetitive: usize, scoreOut: usize, termOut: usize, targetOut: usize, cnt: usize,
): i32 {
  if (variant > 0) {
    for (let g = 0; g < 2 * G; g++) store<i32>(cnt + (<usize>g << 2), 0);
    // Runs of one group id count in registers (as in kimi_len_f32).
    let cur = -1, p: usize = 0, n = 0, c = 0;
    for (let i = 0; i < B; i++) {
      const g = load<i32>(ids + (<usize>i << 2));
      if (g != cur) {
        if (cur >= 0) { store<i32>(p, n); store<i32>(p, c, 4); }
        cur = g; p = cnt + (<usize>(2 * g) << 2); n = load<i32>(p); c = load<i32>(p, 4);
      }
      n++;
      c += <i32>(load<i8>(status + <usize>i) == 1);
    }
    if (cur >= 0) { store<i32>(p, n); store<i32>(p, c, 4); }
  }
  // LT: the target, the row's group band for D and DE (looked up once per run of one group id)
  let bad = -1, cur = -1, LT = targetLength;
  for (let i = 0; i < B; i++) {
    if (variant > 0) {
      const g = load<i32>(ids + (<usize>i << 2));
      if (g != cur) {
        cur = g;
        const p = cnt + (<usize>(2 * g) << 2), n = load<i32>(p), c = load<i32>(p, 4);
        LT = 3 * c >= 2 * n ? high : 3 * c >= n ? medium : low;
      }
    }
    const s = load<i8>(status + <usize>i), L = <f64>load<i32>(lengths + (<usize>i << 2));
    const b = s == 1 ? cCorrect : s == 0 ? cWrong : cInvalid;
    let term: f64 = 0;
    if (s == 1) {
      if (variant == 2 || mode == 0) term = L <= LT ? alpha : 0;
      else if (mode == 1) term = L > LT ? -alpha : 0;
      else term = L <= LT ? alpha : -alpha;
    } else if (s == 0 && variant == 2 && L > LT && (repetitive == 0 || load<u8>(repetitive + <usize>i) == 0)) term = alpha;
    const v = <f32>(b + term) + 0;
    if (bad < 0 && !isFinite<f32>(v)) bad = i;
    store<f32>(scoreOut + (<usize>i << 2), v);
    if (termOut) store<f32>(termOut + (<usize>i << 2), <f32>term + 0);
    if (targetOut) store<f32>(targetOut + (<usize>i << 2), <f32>LT);
  }
  return bad;
}

// HAPO's length term from h[i] (f64, the prompt's shortest correct length so far; 0 = none; a
// value >= 100000 also counts as none, as upstream). type 0 cosine, 1 linear.
export function hapo_len_f32(
  lengths: usize, correct: usize, h: usize, B: i32, type: i32, correctFloor: f64, tau: f64, wrongFloor: f64,
  base: usize, weight: f64, lenOut: usize, rewardOut: usize,
): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const H = load<f64>(h + (<usize>i << 3)), L = <f64>load<i32>(lengths + (<usize>i << 2));
    const ok = load<u8>(correct + <usize>i) != 0;
    let len: f64 = 0;
    if (H > 0 && H < 100000) {
      if (type == 0) {
        const f: f64 = L < 2 * H ? Math.cos(L / H * Math.PI / 2) : -1;
        len = ok ? max(f, correctFloor) : min(f, 0);
      } else {
        const edge = (1 + tau) * H;
        if (ok) len = L < H ? 1 - L / H : L < edge ? 0 : max(correctFloor, -(L - edge) / H);
        else len = L < edge ? 0 : max(wrongFloor, -(L - edge) / H);
      }
    }
    bad = storeTerm(i, len, lenOut, base, weight, rewardOut, bad);
  }
  return bad;
}

// DAPO's overlong penalty: exceed = min(L - (maxNew - buf), buf); r - exceed/buf * factor where
// exceed > 0 (no penalty when buf = 0).
export function overlong_penalty_f32(r: usize, lengths: usize, B: i32, maxNew: f64, buf: f64, factor: f64, out: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    let v = <f64>load<f32>(r + (<usize>i << 2));
    const exceed = min(<f64>load<i32>(lengths + (<usize>i << 2)) - (maxNew - buf), buf);
    if (buf > 0 && exceed > 0) v += -exceed / buf * factor;
    const c = <f32>v + 0;
    if (bad < 0 && !isFinite<f32>(c)) bad = i;
    store<f32>(out + (<usize>i << 2), c);
  }
  return bad;
}

// ProRL's stop-properly penalty on truncated rows: coef >= 0 scales, coef < 0 replaces.
export function stop_properly_f32(r: usize, truncated: usize, B: i32, coef: f64, out: usize): void {
  for (let i = 0; i < B; i++) {
    const v = load<f32>(r + (<usize>i << 2));
    store<f32>(out + (<usize>i << 2), load<u8>(truncated + <usize>i) == 0 ? v : coef >= 0 ? <f32>(<f64>v * coef) + 0 : <f32>coef);
  }
}

// The first f32 that is neither 0 nor 1 (-0 counts as 0; NaN is neither), or -1.
export function first_not01_f32(x: usize, n: i32): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const z = f32x4.splat(0), one = f32x4.splat(1);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      if (!i32x4.all_true(v128.or(f32x4.eq(v, z), f32x4.eq(v, one)))) break;
    }
  }
  for (; i < n; i++) { const v = load<f32>(x + (<usize>i << 2)); if (v != 0 && v != 1) return i; }
  return -1;
}

// The first i8 outside [lo, hi], or -1 (LASER's status: 1, 0 or -1). 16 at a time.
export function first_outside_i8(x: usize, n: i32, lo: i32, hi: i32): i32 {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    const l = i8x16.splat(<i8>lo), h = i8x16.splat(<i8>hi);
    for (; i + 16 <= n; i += 16) {
      const v = v128.load(x + <usize>i);
      if (v128.any_true(v128.or(i8x16.lt_s(v, l), i8x16.gt_s(v, h)))) break;
    }
  }
  for (; i < n; i++) { const v = <i32>load<i8>(x + <usize>i); if (v < lo || v > hi) return i; }
  return -1;
}
