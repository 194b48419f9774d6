// k3's core, e^d - 1 - d, in f32 on four lanes (f32x4), and the same operations on one value
// (the scalar build, and the SIMD build's row tails), so both builds agree bitwise. No libm:
// its expm1 cost ~26 ns a call (k3 ~100 ms per 8M tokens). Why f32: k3 is evaluated once per
// token, and its earlier f64 form (two f64x2 halves, a 13-term series, BENCHMARKS.md) made
// KL-in-reward with k3 ~10x its memory floor; four f32 lanes with 8-term series take a third of
// the time. Both series are in Estrin's form (pairs, then powers): Horner's chain of dependent
// multiply-adds kept consecutive tokens from overlapping. The error stays inside the f32
// element-wise bound of docs/numerics.md, 4u(|y| + kappa) with kappa = e^d + 1 + |d| +
// |d (e^d - 1)|: measured against expm1(d) - d in
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
// The series on four lanes: k3 itself wherever |d| < 0.5 (k3Core4 picks the lanes).
@inline export function k3Small4(d: v128): v128 {
  const d2 = f32x4.mul(d, d), d4 = f32x4.mul(d2, d2);
  return f32x4.mul(d2, fmad(fmad(fmad(sf(F2), sf(F3), d), fmad(sf(F4), sf(F5), d), d2), fmad(fmad(sf(F6), sf(F7), d), fmad(sf(F8), sf(F9), d), d2), d4));
}
// True when every lane has |d| < 0.5, so that k3Small4 is the whole answer (false for NaN).
@inline export function k3AllSmall4(d: v128): bool {
  return i32x4.all_true(f32x4.lt(f32x4.abs(d), sf(0.5)));
}
// k3 on four lanes: the series where |d| < 0.5 (v = k3Small4(d)), the exponential branch elsewhere.
@inline export function k3Core4(d: v128): v128 {
  const v = k3Small4(d);
  return k3AllSmall4(d) ? v : k3Wide4(d, v);
}

// Not inlined: log-prob differences are mostly small, and on V8 this branch's constants, inlined
// into a token loop, crowd the registers that the series and the loop's state need.
function k3Wide4(d: v128, v: v128): v128 {
  const small = f32x4.lt(f32x4.abs(d), sf(0.5));
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
