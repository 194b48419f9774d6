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


// k3's core in f32: e^d - 1 - d on four lanes (f32x4), and the same operations on one value
// (the scalar build, and the SIMD build's row tails), so both builds agree bitwise. The KL
// kernels use these; the f64 forms above stay as the reference the f32 ones were checked against.
// Why f32: k3 is evaluated once per token and its f64 form (two f64x2 halves, 13-term series)
// made KL-in-reward with k3 ~10x its memory floor; four f32 lanes with 8-term series take a
// third of the time. The error stays inside the f32 element-wise bound of docs/numerics.md,
// 4u(|y| + kappa) with kappa = e^d + 1 + |d| + |d (e^d - 1)|: measured against expm1(d) - d in
// f64 over 4M points of d in [-30, 30], at most 2.6 f32 ulps (8.2 when e^r was rounded before
// subtracting 1; verl's own f32 e^d - d - 1 keeps no digit below |d| ~ 1e-3).
// - |d| < 0.5: d^2 * Σ_{n=0..7} d^n / (n+2)!; the next term is below 2^-26 of the sum.
// - otherwise k = round(d / ln 2), r = d - k ln 2 (hi/lo split; ln2 hi has 9 trailing zero bits,
//   so k * hi is exact), expm1(r) = r + r^2 q(r) to r^7/7! (next term < 5e-9 for |r| <= ln2/2),
//   and e^d - 1 - d = 2^k expm1(r) + ((2^k - 1) - d), which never rounds a leading 1 away; for
//   k >= 64 (d > 44, TRL's unclamped k3 only) (2^k1 2^k2 (1 + expm1(r)) - 1) - d, the scale as two
//   factors so that k = 128 (d up to 89) does not overflow it.
// - d > 89: +Infinity; d < -20: -1 - d (e^d is below half an f32 ulp of it).
const F2: f32 = 0.5, F3: f32 = <f32>(1.0 / 6.0), F4: f32 = <f32>(1.0 / 24.0), F5: f32 = <f32>(1.0 / 120.0), F6: f32 = <f32>(1.0 / 720.0),
  F7: f32 = <f32>(1.0 / 5040.0), F8: f32 = <f32>(1.0 / 40320.0), F9: f32 = <f32>(1.0 / 362880.0);
const INV_LN2F: f32 = 1.44269502162933349609375, LN2_HIF: f32 = 0.693145751953125, LN2_LOF: f32 = 1.428606765330187045e-06;
const MAGICF: f32 = 12582912.0; // 1.5 * 2^23

@inline function smallSeriesF(d: f32): f32 {
  const d2 = d * d, d4 = d2 * d2;
  return d2 * (((F2 + F3 * d) + (F4 + F5 * d) * d2) + ((F6 + F7 * d) + (F8 + F9 * d) * d2) * d4);
}
@inline function expBranchF(d: f32): f32 {
  const t = MAGICF + INV_LN2F * d, k = t - MAGICF;
  const r = (d - k * LN2_HIF) - k * LN2_LOF;
  const r2 = r * r, r4 = r2 * r2;
  const em1 = r + r2 * (((F2 + F3 * r) + (F4 + F5 * r) * r2) + (F6 + F7 * r) * r4);
  const ki = reinterpret<i32>(t) - reinterpret<i32>(MAGICF);
  if (ki < 64) {
    const sc = reinterpret<f32>((ki + 127) << 23);
    return sc * em1 + ((sc - 1) - d);
  }
  const k1 = ki >> 1, k2 = ki - k1;
  return (((<f32>1 + em1) * reinterpret<f32>((k1 + 127) << 23)) * reinterpret<f32>((k2 + 127) << 23) - 1) - d;
}
export function k3CoreF(d: f32): f32 {
  if (Math.abs(d) < 0.5) return smallSeriesF(d);
  if (d > 89) return Infinity;
  if (d < -20) return -1 - d;
  return expBranchF(d);
}

@inline function fmad(a: v128, b: v128, c: v128): v128 { return f32x4.add(a, f32x4.mul(b, c)); }
@inline function sf(x: f32): v128 { return f32x4.splat(x); }
@inline export function k3Core4(d: v128): v128 {
  const d2 = f32x4.mul(d, d), d4 = f32x4.mul(d2, d2);
  let v = f32x4.mul(d2, fmad(fmad(fmad(sf(F2), sf(F3), d), fmad(sf(F4), sf(F5), d), d2), fmad(fmad(sf(F6), sf(F7), d), fmad(sf(F8), sf(F9), d), d2), d4));
  const small = f32x4.lt(f32x4.abs(d), sf(0.5));
  if (i32x4.all_true(small)) return v; // log-prob differences are mostly small
  const t = fmad(sf(MAGICF), sf(INV_LN2F), d), k = f32x4.sub(t, sf(MAGICF));
  const r = f32x4.sub(f32x4.sub(d, f32x4.mul(k, sf(LN2_HIF))), f32x4.mul(k, sf(LN2_LOF)));
  const r2 = f32x4.mul(r, r), r4 = f32x4.mul(r2, r2);
  const em1 = fmad(r, r2, fmad(fmad(fmad(sf(F2), sf(F3), r), fmad(sf(F4), sf(F5), r), r2), fmad(sf(F6), sf(F7), r), r4));
  const ki = i32x4.sub(t, sf(MAGICF));
  const sc = i32x4.shl(i32x4.add(ki, i32x4.splat(127)), 23);
  const near = f32x4.add(f32x4.mul(sc, em1), f32x4.sub(f32x4.sub(sc, sf(1)), d));
  const k1 = i32x4.shr_s(ki, 1), k2 = i32x4.sub(ki, k1);
  const far = f32x4.sub(f32x4.sub(f32x4.mul(f32x4.mul(f32x4.add(sf(1), em1), i32x4.shl(i32x4.add(k1, i32x4.splat(127)), 23)), i32x4.shl(i32x4.add(k2, i32x4.splat(127)), 23)), sf(1)), d);
  v = v128.bitselect(v, v128.bitselect(near, far, i32x4.lt_s(ki, i32x4.splat(64))), small);
  v = v128.bitselect(sf(Infinity), v, f32x4.gt(d, sf(89)));
  return v128.bitselect(f32x4.sub(sf(-1), d), v, f32x4.lt(d, sf(-20)));
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
