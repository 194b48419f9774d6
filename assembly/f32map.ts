// A final element-wise map may run in f32 (docs/numerics.md): the f64 statistics or coefficients
// it uses are rounded once to f32 first. That keeps the f32 error bound only when the rounded
// value is 0 or a normal f32: a subnormal has no relative bound, and a value past the f32 range
// becomes infinite (and inf * 0 is NaN where the f64 map gave a number). Kernels take their f64
// map otherwise.
@inline export function normalOrZeroF32(x: f64): bool {
  const a = Math.abs(x);
  return x == 0 || (a >= 1.1754943508222875e-38 && a <= 3.4028234663852886e38);
}
