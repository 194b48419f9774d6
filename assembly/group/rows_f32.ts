// Row access and the std denominator shared by the fused contiguous-group passes (center, passk,
// opo): one definition, so the passes cannot drift apart from each other or from the general path.

/** Row i of an f32 row vector, widened to f64. */
@inline export function ld(x: usize, i: i32): f64 { return <f64>load<f32>(x + (<usize>i << 2)); }

/** Rows i and i + n (one per lane) as f64x2: two groups' rows side by side (SIMD build only). */
@inline export function ld2(x: usize, i: i32, n: i32): v128 {
  const p = x + (<usize>i << 2);
  return f64x2.promote_low_f32x4(v128.load32_lane(p + (<usize>n << 2), v128.load32_zero(p), 1));
}

/** The std-based denominator of docs/kernels.md#group-machinery; epsMode -1: no division (1). */
@inline export function den(v: f64, eps: f64, epsMode: i32): f64 {
  if (epsMode == 0) return Math.sqrt(v) + eps;
  if (epsMode == 1) return Math.sqrt(v + eps);
  if (epsMode == 2) return Math.sqrt(Math.max(v, eps));
  return 1;
}
