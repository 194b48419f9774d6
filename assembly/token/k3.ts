// k3's core, expm1(d) - d, in f64 without the libm expm1 (a software routine costing ~26 ns per
// call here, which made k3 ~100 ms per 8M tokens). Two branches:
// - |d| < 0.5: the Taylor series d^2 * Σ_{n=0..12} d^n / (n+2)!. The first term
//   left out, d^15/15!, is below 2^-53 of d^2/2 for |d| < 0.5; no cancellation at small d.
// - otherwise exp(d) - 1 - d, with exp(d) = 2^k * exp(r), k = round(d / ln 2), r = d - k ln 2 split
//   into fdlibm's hi/lo parts (|r| <= 0.35), exp(r) by its Taylor series to r^13/13! (next term
//   < 4e-18). The subtraction loses at most a factor 11 (at d = 0.5) to cancellation.
// Either way the f64 value is within ~1e-14 relative of expm1(d) - d, far inside the single f32
// rounding of the output. d > 709 gives +Infinity (the true value overflows f32 long before);
// d < -50 gives -1 - d (exp(d) is below half an ulp there). The scalar and the f64x2 forms run the
// same IEEE operations per lane, so the two builds agree bitwise.

// 1/(n+2)! for n = 0..12 and 1/n! for n = 0..13
const T2: f64 = 0.5, T3: f64 = 1.0 / 6.0, T4: f64 = 1.0 / 24.0, T5: f64 = 1.0 / 120.0, T6: f64 = 1.0 / 720.0, T7: f64 = 1.0 / 5040.0,
  T8: f64 = 1.0 / 40320.0, T9: f64 = 1.0 / 362880.0, T10: f64 = 1.0 / 3628800.0, T11: f64 = 1.0 / 39916800.0, T12: f64 = 1.0 / 479001600.0,
  T13: f64 = 1.0 / 6227020800.0, T14: f64 = 1.0 / 87178291200.0;
const INV_LN2: f64 = 1.44269504088896338700e+00, LN2_HI: f64 = 6.93147180369123816490e-01, LN2_LO: f64 = 1.90821492927058770002e-10;
const MAGIC: f64 = 6755399441055744.0; // 1.5 * 2^52: adding it rounds to an integer held in the low mantissa bits

// Polynomials in Estrin's form (pairs, then powers d^2, d^4, d^8): the same operation count as
// Horner's but a dependency depth of 5 instead of 13, so consecutive tokens overlap (Horner made
// k3 on 8M tokens cost 50 ms against 9 ms for k1).
@inline function smallSeries(d: f64): f64 {
  const d2 = d * d, d4 = d2 * d2, d8 = d4 * d4;
  const r0 = (T2 + T3 * d) + (T4 + T5 * d) * d2, r1 = (T6 + T7 * d) + (T8 + T9 * d) * d2;
  const r2 = (T10 + T11 * d) + (T12 + T13 * d) * d2;
  return d2 * ((r0 + r1 * d4) + (r2 + T14 * d4) * d8);
}

@inline function expBranch(d: f64): f64 {
  const t = d * INV_LN2 + MAGIC, k = t - MAGIC;
  const r = (d - k * LN2_HI) - k * LN2_LO;
  const r2 = r * r, r4 = r2 * r2, r8 = r4 * r4;
  const z0 = (1.0 + 1.0 * r) + (T2 + T3 * r) * r2, z1 = (T4 + T5 * r) + (T6 + T7 * r) * r2;
  const z2 = (T8 + T9 * r) + (T10 + T11 * r) * r2;
  const p = (z0 + z1 * r4) + (z2 + (T12 + T13 * r) * r4) * r8;
  const scale = reinterpret<f64>((reinterpret<i64>(t) - reinterpret<i64>(MAGIC) + 1023) << 52);
  return (p * scale - 1.0) - d;
}

export function k3Core(d: f64): f64 {
  if (Math.abs(d) < 0.5) return smallSeries(d);
  if (d > 709) return Infinity;
  if (d < -50) return -1.0 - d;
  return expBranch(d);
}

// The same on two lanes, operation for operation.
@inline function mad(a: v128, b: v128, c: v128): v128 { return f64x2.add(a, f64x2.mul(b, c)); }
@inline function sp(x: f64): v128 { return f64x2.splat(x); }

@inline function smallSeries2(d: v128): v128 {
  const d2 = f64x2.mul(d, d), d4 = f64x2.mul(d2, d2), d8 = f64x2.mul(d4, d4);
  const r0 = mad(mad(sp(T2), sp(T3), d), mad(sp(T4), sp(T5), d), d2), r1 = mad(mad(sp(T6), sp(T7), d), mad(sp(T8), sp(T9), d), d2);
  const r2 = mad(mad(sp(T10), sp(T11), d), mad(sp(T12), sp(T13), d), d2);
  return f64x2.mul(d2, mad(mad(r0, r1, d4), mad(r2, sp(T14), d4), d8));
}

@inline function expBranch2(d: v128): v128 {
  const magic = sp(MAGIC);
  const t = mad(magic, d, sp(INV_LN2)), k = f64x2.sub(t, magic);
  const r = f64x2.sub(f64x2.sub(d, f64x2.mul(k, sp(LN2_HI))), f64x2.mul(k, sp(LN2_LO)));
  const r2 = f64x2.mul(r, r), r4 = f64x2.mul(r2, r2), r8 = f64x2.mul(r4, r4);
  const z0 = mad(mad(sp(1.0), sp(1.0), r), mad(sp(T2), sp(T3), r), r2), z1 = mad(mad(sp(T4), sp(T5), r), mad(sp(T6), sp(T7), r), r2);
  const z2 = mad(mad(sp(T8), sp(T9), r), mad(sp(T10), sp(T11), r), r2);
  const p = mad(mad(z0, z1, r4), mad(z2, mad(sp(T12), sp(T13), r), r4), r8);
  const scale = i64x2.shl(i64x2.add(i64x2.sub(t, magic), i64x2.splat(1023)), 52);
  return f64x2.sub(f64x2.sub(f64x2.mul(p, scale), sp(1.0)), d);
}

// The exp branch is evaluated only when a lane needs it (log-prob differences are mostly small).
@inline export function k3Core2(d: v128): v128 {
  const small = f64x2.lt(f64x2.abs(d), f64x2.splat(0.5));
  let v = smallSeries2(d);
  if (!i64x2.all_true(small)) v = v128.bitselect(v, expBranch2(d), small);
  v = v128.bitselect(f64x2.splat(Infinity), v, f64x2.gt(d, f64x2.splat(709)));
  return v128.bitselect(f64x2.sub(f64x2.splat(-1.0), d), v, f64x2.lt(d, f64x2.splat(-50)));
}
