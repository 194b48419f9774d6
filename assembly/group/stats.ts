// Row-level group kernels. Groups are dense ids in [0, G) (validated by the caller). Rows are
// visited in index order, so every f64 sum has the same order in both builds and in the oracle.
// An optional pre-transform x' = (x - preShift) / preDiv is applied in f64 (BNPO's rescaling);
// (0, 1) is an exact identity.

// The pre-transform costs an f64 division per element, so the identity (0, 1) skips it: callers
// pass `pre` as a literal through inlined bodies and Binaryen folds the branch out of the loops.
@inline function xAt<T>(x: usize, i: i32, preShift: f64, preDiv: f64, pre: bool = true): f64 {
  const v = <f64>load<T>(x + (<usize>i << alignof<T>()));
  return pre ? (v - preShift) / preDiv : v;
}
@inline function isIdentity(preShift: f64, preDiv: f64): bool { return preShift == 0 && preDiv == 1; }
@inline function gid(ids: usize, i: i32): usize { return <usize>load<i32>(ids + (<usize>i << 2)); }
@inline function included(include: usize, i: i32): bool { return include == 0 || load<u8>(include + <usize>i) != 0; }

// Two-pass centered moments per group: count, mean, M2, min, max (all f64[G]). The _f64 variant
// reads f64 rows: intermediates that feed a reduction stay f64 (docs/numerics.md#against-the-f64-oracle).
export function group_moments_f32(
  x: usize, include: usize, ids: usize, B: i32, G: i32, preShift: f64, preDiv: f64,
  count: usize, sum: usize, mean: usize, m2: usize, min: usize, max: usize,
): void {
  if (isIdentity(preShift, preDiv)) groupMoments<f32>(x, include, ids, B, G, 0, 1, count, sum, mean, m2, min, max, false);
  else groupMoments<f32>(x, include, ids, B, G, preShift, preDiv, count, sum, mean, m2, min, max, true);
}
export function group_moments_f64(
  x: usize, include: usize, ids: usize, B: i32, G: i32, preShift: f64, preDiv: f64,
  count: usize, sum: usize, mean: usize, m2: usize, min: usize, max: usize,
): void {
  if (isIdentity(preShift, preDiv)) groupMoments<f64>(x, include, ids, B, G, 0, 1, count, sum, mean, m2, min, max, false);
  else groupMoments<f64>(x, include, ids, B, G, preShift, preDiv, count, sum, mean, m2, min, max, true);
}

@inline function groupMoments<T>(
  x: usize, include: usize, ids: usize, B: i32, G: i32, preShift: f64, preDiv: f64,
  count: usize, sum: usize, mean: usize, m2: usize, min: usize, max: usize, pre: bool,
): void {
  for (let g = 0; g < G; g++) {
    const o = <usize>g << 3;
    store<f64>(count + o, 0); store<f64>(mean + o, 0); store<f64>(m2 + o, 0);
    store<f64>(min + o, Infinity); store<f64>(max + o, -Infinity);
  }
  for (let i = 0; i < B; i++) {
    if (!included(include, i)) continue;
    const o = gid(ids, i) << 3;
    const v = xAt<T>(x, i, preShift, preDiv, pre);
    store<f64>(count + o, load<f64>(count + o) + 1);
    store<f64>(mean + o, load<f64>(mean + o) + v);
    if (v < load<f64>(min + o)) store<f64>(min + o, v);
    if (v > load<f64>(max + o)) store<f64>(max + o, v);
  }
  for (let g = 0; g < G; g++) {
    const o = <usize>g << 3;
    const c = load<f64>(count + o);
    const sg = load<f64>(mean + o);
    store<f64>(sum + o, sg);
    if (c > 0) store<f64>(mean + o, sg / c);
  }
  for (let i = 0; i < B; i++) {
    if (!included(include, i)) continue;
    const o = gid(ids, i) << 3;
    const d = xAt<T>(x, i, preShift, preDiv, pre) - load<f64>(mean + o);
    store<f64>(m2 + o, load<f64>(m2 + o) + d * d);
  }
}

// Per-group sums of w_i and w_i*x_i with integer weights (OPO's length-weighted baseline).
export function group_weighted_sums_f32(x: usize, w: usize, ids: usize, B: i32, G: i32, sumW: usize, sumWX: usize): void {
  for (let g = 0; g < G; g++) { store<f64>(sumW + (<usize>g << 3), 0); store<f64>(sumWX + (<usize>g << 3), 0); }
  for (let i = 0; i < B; i++) {
    const o = gid(ids, i) << 3;
    const wi = <f64>load<i32>(w + (<usize>i << 2));
    store<f64>(sumW + o, load<f64>(sumW + o) + wi);
    store<f64>(sumWX + o, load<f64>(sumWX + o) + wi * <f64>load<f32>(x + (<usize>i << 2)));
  }
}

// out_i = ((x'_i - shift[g]) * mul[g]) / den[g], evaluated in f64 and rounded once to the output
// type. den == 0 only happens with a zero numerator (docs/numerics.md), and gives 0. Rows left out by
// `include` get 0. Adding +0 turns a -0 result into +0 so "exactly 0" is one bit pattern.
// Returns the first row whose result is not finite as f32 (RESULT_OVERFLOW), or -1.
// Variants: f32 -> f32 (final outputs), f32 -> f64 (an intermediate that is reduced again),
// f64 -> f32.
export function group_affine_f32(x: usize, include: usize, ids: usize, B: i32, preShift: f64, preDiv: f64, shift: usize, mul: usize, den: usize, out: usize): i32 {
  return isIdentity(preShift, preDiv)
    ? groupAffine<f32, f32>(x, include, ids, B, 0, 1, shift, mul, den, out, false)
    : groupAffine<f32, f32>(x, include, ids, B, preShift, preDiv, shift, mul, den, out, true);
}
export function group_affine_f32_f64(x: usize, include: usize, ids: usize, B: i32, preShift: f64, preDiv: f64, shift: usize, mul: usize, den: usize, out: usize): i32 {
  return isIdentity(preShift, preDiv)
    ? groupAffine<f32, f64>(x, include, ids, B, 0, 1, shift, mul, den, out, false)
    : groupAffine<f32, f64>(x, include, ids, B, preShift, preDiv, shift, mul, den, out, true);
}
export function group_affine_f64_f32(x: usize, include: usize, ids: usize, B: i32, preShift: f64, preDiv: f64, shift: usize, mul: usize, den: usize, out: usize): i32 {
  return isIdentity(preShift, preDiv)
    ? groupAffine<f64, f32>(x, include, ids, B, 0, 1, shift, mul, den, out, false)
    : groupAffine<f64, f32>(x, include, ids, B, preShift, preDiv, shift, mul, den, out, true);
}

@inline function groupAffine<TI, TO>(
  x: usize, include: usize, ids: usize, B: i32, preShift: f64, preDiv: f64,
  shift: usize, mul: usize, den: usize, out: usize, pre: bool,
): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    let r: f64 = 0;
    if (included(include, i)) {
      const o = gid(ids, i) << 3;
      const dn = load<f64>(den + o);
      if (dn != 0) r = ((xAt<TI>(x, i, preShift, preDiv, pre) - load<f64>(shift + o)) * load<f64>(mul + o)) / dn;
      if (bad < 0 && !isFinite<f32>(<f32>r)) bad = i;
    }
    store<TO>(out + (<usize>i << alignof<TO>()), <TO>r + 0);
  }
  return bad;
}

// Largest and second-largest value per group (a tie at the top makes r2 = r1) and the lowest row
// index holding the largest (Pass@k).
export function group_top2_f32(x: usize, ids: usize, B: i32, G: i32, r1: usize, r2: usize, top: usize): void {
  for (let g = 0; g < G; g++) {
    store<f64>(r1 + (<usize>g << 3), -Infinity); store<f64>(r2 + (<usize>g << 3), -Infinity);
    store<i32>(top + (<usize>g << 2), -1);
  }
  for (let i = 0; i < B; i++) {
    const g = gid(ids, i);
    const v = <f64>load<f32>(x + (<usize>i << 2));
    const a = load<f64>(r1 + (g << 3));
    if (v > a) {
      store<f64>(r2 + (g << 3), a); store<f64>(r1 + (g << 3), v); store<i32>(top + (g << 2), i);
    } else if (v > load<f64>(r2 + (g << 3))) store<f64>(r2 + (g << 3), v);
  }
}

// Pass@k scatter: the top row of each group gets adv[g] (rounded once), every other row +0.
export function group_top_apply_f32(ids: usize, B: i32, top: usize, adv: usize, out: usize): void {
  for (let i = 0; i < B; i++) {
    const g = gid(ids, i);
    const r: f32 = load<i32>(top + (g << 2)) == i ? <f32>load<f64>(adv + (g << 3)) + 0 : 0;
    store<f32>(out + (<usize>i << 2), r);
  }
}

// Unweighted two-pass moments of x over rows with include != 0 (or all): [count, mean, M2].
export function moments_f32(x: usize, include: usize, n: i32, out: usize): void { moments<f32>(x, include, n, out); }
export function moments_f64(x: usize, include: usize, n: i32, out: usize): void { moments<f64>(x, include, n, out); }
@inline function moments<T>(x: usize, include: usize, n: i32, out: usize): void {
  let c: f64 = 0, s: f64 = 0;
  for (let i = 0; i < n; i++) {
    if (!included(include, i)) continue;
    c += 1; s += <f64>load<T>(x + (<usize>i << alignof<T>()));
  }
  const mean = c > 0 ? s / c : 0;
  let m2: f64 = 0;
  for (let i = 0; i < n; i++) {
    if (!included(include, i)) continue;
    const d = <f64>load<T>(x + (<usize>i << alignof<T>())) - mean;
    m2 += d * d;
  }
  store<f64>(out, c); store<f64>(out, mean, 8); store<f64>(out, m2, 16);
}

// Number of non-zero entries (GPG's alpha).
export function count_nonzero_f32(x: usize, n: i32): i32 {
  let c = 0;
  for (let i = 0; i < n; i++) if (load<f32>(x + (<usize>i << 2)) != 0) c++;
  return c;
}

// Moments of x weighted by integer row weights (token-weighted whitening of a broadcast row
// vector: row i stands for w_i identical tokens). Writes [count, mean, M2] as f64.
export function weighted_moments_f64(x: usize, w: usize, B: i32, out: usize): void {
  let n: f64 = 0, s: f64 = 0;
  for (let i = 0; i < B; i++) {
    const wi = <f64>load<i32>(w + (<usize>i << 2));
    if (wi == 0) continue;
    n += wi; s += wi * load<f64>(x + (<usize>i << 3));
  }
  const mean = n > 0 ? s / n : 0;
  let m2: f64 = 0;
  for (let i = 0; i < B; i++) {
    const wi = <f64>load<i32>(w + (<usize>i << 2));
    if (wi == 0) continue;
    const d = load<f64>(x + (<usize>i << 3)) - mean;
    m2 += wi * d * d;
  }
  store<f64>(out, n); store<f64>(out, mean, 8); store<f64>(out, m2, 16);
}

// y_i = (x_i - mu) * scale + shiftBack, rounded once to f32, +0 normalised (whitening of a row
// vector). Returns the first non-finite row or -1.
export function row_affine_f32(x: usize, B: i32, mu: f64, scale: f64, shiftBack: f64, out: usize): i32 {
  return rowAffine<f32>(x, B, mu, scale, shiftBack, out);
}
export function row_affine_f64_f32(x: usize, B: i32, mu: f64, scale: f64, shiftBack: f64, out: usize): i32 {
  return rowAffine<f64>(x, B, mu, scale, shiftBack, out);
}
@inline function rowAffine<T>(x: usize, B: i32, mu: f64, scale: f64, shiftBack: f64, out: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const r = <f32>((<f64>load<T>(x + (<usize>i << alignof<T>())) - mu) * scale + shiftBack) + 0;
    if (bad < 0 && !isFinite<f32>(r)) bad = i;
    store<f32>(out + (<usize>i << 2), r);
  }
  return bad;
}

// TRL: r_i = Σ_k w_k R[i,k] skipping NaN entries (nansum), NaN when all K are NaN (unscorable).
// Writes r (f64: it is reduced again) and scorable flags; returns the number of scorable rows.
export function trl_row_rewards_f32(R: usize, B: i32, K: i32, w: usize, out: usize, scorable: usize): i32 {
  let n = 0;
  for (let i = 0; i < B; i++) {
    let s: f64 = 0;
    let any = false;
    for (let k = 0; k < K; k++) {
      const v = load<f32>(R + (<usize>(i * K + k) << 2));
      if (isNaN(v)) continue;
      any = true;
      s += load<f64>(w + (<usize>k << 3)) * <f64>v;
    }
    store<f64>(out + (<usize>i << 3), any ? s : NaN);
    store<u8>(scorable + <usize>i, any ? 1 : 0);
    if (any) n++;
  }
  return n;
}

// TRL normalizeThenSum (docs/kernels.md#trlgroupadvantage), row level, all in f64:
//   z[i,k] = (R[i,k] - mu_kg) / (sd_kg + eps), NaN where R is NaN or sd_kg is NaN
//   r_i = nansum_k(w_k z[i,k]); NaN when row i is unscorable (all R[i,.] NaN)
// sd_kg is the unbiased nanstd of column k over group g when the group has more than one row
// (NaN with <= 1 non-NaN entry), else 0. Scratch: 3*G*K f64. Writes r as f64 into rOut.
export function trl_normalize_then_sum_f32(
  R: usize, B: i32, K: i32, w: usize, ids: usize, G: i32, groupRows: usize, eps: f64, scratch: usize, rOut: usize,
): void {
  const GK = G * K;
  const cnt = scratch, mean = scratch + (<usize>GK << 3), m2 = scratch + (<usize>(2 * GK) << 3);
  for (let j = 0; j < GK; j++) { store<f64>(cnt + (<usize>j << 3), 0); store<f64>(mean + (<usize>j << 3), 0); store<f64>(m2 + (<usize>j << 3), 0); }
  for (let i = 0; i < B; i++) {
    const g = <i32>gid(ids, i);
    for (let k = 0; k < K; k++) {
      const v = load<f32>(R + (<usize>(i * K + k) << 2));
      if (isNaN(v)) continue;
      const o = <usize>(g * K + k) << 3;
      store<f64>(cnt + o, load<f64>(cnt + o) + 1);
      store<f64>(mean + o, load<f64>(mean + o) + <f64>v);
    }
  }
  for (let j = 0; j < GK; j++) {
    const c = load<f64>(cnt + (<usize>j << 3));
    if (c > 0) store<f64>(mean + (<usize>j << 3), load<f64>(mean + (<usize>j << 3)) / c);
  }
  for (let i = 0; i < B; i++) {
    const g = <i32>gid(ids, i);
    for (let k = 0; k < K; k++) {
      const v = load<f32>(R + (<usize>(i * K + k) << 2));
      if (isNaN(v)) continue;
      const o = <usize>(g * K + k) << 3;
      const d = <f64>v - load<f64>(mean + o);
      store<f64>(m2 + o, load<f64>(m2 + o) + d * d);
    }
  }
  for (let i = 0; i < B; i++) {
    const g = <i32>gid(ids, i);
    const many = load<i32>(groupRows + (<usize>g << 2)) > 1;
    let r: f64 = 0;
    let any = false;
    for (let k = 0; k < K; k++) {
      const v = load<f32>(R + (<usize>(i * K + k) << 2));
      if (isNaN(v)) continue;
      any = true;
      const o = <usize>(g * K + k) << 3;
      const c = load<f64>(cnt + o);
      let sd: f64 = 0;
      if (many) sd = c > 1 ? Math.sqrt(load<f64>(m2 + o) / (c - 1)) : NaN;
      const z = (<f64>v - load<f64>(mean + o)) / (sd + eps);
      if (!isNaN(z)) r += load<f64>(w + (<usize>k << 3)) * z;
    }
    store<f64>(rOut + (<usize>i << 3), any ? r : NaN);
  }
}

// out_i = (x_i - mu) / den rounded once to f32, 0 where x_i is NaN or den is NaN; den == 0 gives 0.
export function affine_nan0_f64(x: usize, B: i32, mu: f64, den: f64, out: usize): void {
  for (let i = 0; i < B; i++) {
    const v = load<f64>(x + (<usize>i << 3));
    let r: f64 = den != 0 ? (v - mu) / den : 0;
    if (isNaN(r)) r = 0;
    store<f32>(out + (<usize>i << 2), <f32>r + 0);
  }
}

// Two-pass moments over the non-NaN entries of an f64 vector: [count, mean, M2].
export function nan_moments_f64(x: usize, n: i32, out: usize): void {
  let c: f64 = 0, s: f64 = 0;
  for (let i = 0; i < n; i++) { const v = load<f64>(x + (<usize>i << 3)); if (!isNaN(v)) { c += 1; s += v; } }
  const mean = c > 0 ? s / c : 0;
  let m2: f64 = 0;
  for (let i = 0; i < n; i++) { const v = load<f64>(x + (<usize>i << 3)); if (!isNaN(v)) { const d = v - mean; m2 += d * d; } }
  store<f64>(out, c); store<f64>(out, mean, 8); store<f64>(out, m2, 16);
}

// Contiguous groups of n rows (the groupSize fast path): the same statistics as
// group_moments_f32 with the accumulators in registers instead of scattered f64 slots. Each sum
// runs over the group's rows in index order, exactly as the scatter version does, so the two
// agree bitwise.
export function group_moments_contig_f32(
  x: usize, B: i32, n: i32, preShift: f64, preDiv: f64,
  count: usize, sum: usize, mean: usize, m2: usize, min: usize, max: usize,
): void {
  if (isIdentity(preShift, preDiv)) groupMomentsContig<f32>(x, B, n, 0, 1, count, sum, mean, m2, min, max, false);
  else groupMomentsContig<f32>(x, B, n, preShift, preDiv, count, sum, mean, m2, min, max, true);
}
export function group_moments_contig_f64(
  x: usize, B: i32, n: i32, preShift: f64, preDiv: f64,
  count: usize, sum: usize, mean: usize, m2: usize, min: usize, max: usize,
): void {
  if (isIdentity(preShift, preDiv)) groupMomentsContig<f64>(x, B, n, 0, 1, count, sum, mean, m2, min, max, false);
  else groupMomentsContig<f64>(x, B, n, preShift, preDiv, count, sum, mean, m2, min, max, true);
}

@inline function groupMomentsContig<T>(
  x: usize, B: i32, n: i32, preShift: f64, preDiv: f64,
  count: usize, sum: usize, mean: usize, m2: usize, min: usize, max: usize, pre: bool,
): void {
  const G = n > 0 ? B / n : 0;
  for (let g = 0; g < G; g++) {
    const a = g * n;
    let s: f64 = 0, lo: f64 = Infinity, hi: f64 = -Infinity;
    for (let i = a; i < a + n; i++) {
      const v = xAt<T>(x, i, preShift, preDiv, pre);
      s += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const mu = s / <f64>n;
    let q: f64 = 0;
    for (let i = a; i < a + n; i++) { const d = xAt<T>(x, i, preShift, preDiv, pre) - mu; q += d * d; }
    const o = <usize>g << 3;
    store<f64>(count + o, <f64>n); store<f64>(sum + o, s); store<f64>(mean + o, mu);
    store<f64>(m2 + o, q); store<f64>(min + o, lo); store<f64>(max + o, hi);
  }
}

// group_affine_* for contiguous groups of n rows.
export function group_affine_contig_f32(x: usize, B: i32, n: i32, preShift: f64, preDiv: f64, shift: usize, mul: usize, den: usize, out: usize): i32 {
  return isIdentity(preShift, preDiv)
    ? groupAffineContig<f32, f32>(x, B, n, 0, 1, shift, mul, den, out, false)
    : groupAffineContig<f32, f32>(x, B, n, preShift, preDiv, shift, mul, den, out, true);
}
export function group_affine_contig_f32_f64(x: usize, B: i32, n: i32, preShift: f64, preDiv: f64, shift: usize, mul: usize, den: usize, out: usize): i32 {
  return isIdentity(preShift, preDiv)
    ? groupAffineContig<f32, f64>(x, B, n, 0, 1, shift, mul, den, out, false)
    : groupAffineContig<f32, f64>(x, B, n, preShift, preDiv, shift, mul, den, out, true);
}

@inline function groupAffineContig<TI, TO>(
  x: usize, B: i32, n: i32, preShift: f64, preDiv: f64, shift: usize, mul: usize, den: usize, out: usize, pre: bool,
): i32 {
  let bad = -1;
  const G = n > 0 ? B / n : 0;
  for (let g = 0; g < G; g++) {
    const o = <usize>g << 3;
    const sh = load<f64>(shift + o), mu = load<f64>(mul + o), dn = load<f64>(den + o);
    for (let i = g * n; i < g * n + n; i++) {
      let r: f64 = 0;
      if (dn != 0) r = ((xAt<TI>(x, i, preShift, preDiv, pre) - sh) * mu) / dn;
      if (bad < 0 && !isFinite<f32>(<f32>r)) bad = i;
      store<TO>(out + (<usize>i << alignof<TO>()), <TO>r + 0);
    }
  }
  return bad;
}

// DLER's truncation: r_i = truncated_i ? tv : s_i; returns the number of truncated rows. The
// flags are 0/1 already (mask_check_u8 runs first, in the validation order).
export function dler_truncate_f32(s: usize, tr: usize, B: i32, tv: f32, r: usize): i32 {
  let count = 0;
  for (let i = 0; i < B; i++) {
    const t = load<u8>(tr + <usize>i);
    count += t;
    store<f32>(r + (<usize>i << 2), t ? tv : load<f32>(s + (<usize>i << 2)));
  }
  return count;
}
