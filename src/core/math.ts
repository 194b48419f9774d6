// f64 special functions that JS Math lacks.
import { rangeError, typeError } from "./errors.js";
import { msg, show } from "./safe.js";

// Lanczos approximation, g = 7, n = 9 (relative error ~1e-15 for x >= 0.5); reflection below.
/** The approximation error of that coefficient set in log Γ (absolute, x >= 0.5), before any rounding. */
export const LGAMMA_METHOD_ERROR = 1e-15;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.9189385332046728;

/** log|Γ(x)| for x > 0 (BNPO only evaluates it at alpha, beta >= 1). */
export function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  if (x === 1 || x === 2) return 0;
  x -= 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return HALF_LOG_2PI + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Stirling series remainder: lgamma(x) = (x - 0.5)log x - x + log(2π)/2 + stirlingTail(x), x >= 10. */
function stirlingTail(x: number): number {
  const r = 1 / (x * x);
  return (1 / 12 - r * (1 / 360 - r * (1 / 1260 - r * (1 / 1680 - r / 1188)))) / x;
}

/**
 * log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b), without the cancellation of the three
 * large terms when an argument is large (BNPO, docs/kernels.md#bnpo): for x = max(a, b) >= 10 and
 * s = min(a, b), lgamma(x) - lgamma(x + s) is taken from the Stirling difference
 *   -(s log(x + s) + (x - 0.5) log1p(s / x) - s) + tail(x) - tail(x + s),
 * whose terms are all well conditioned.
 */
export function logBeta(a: number, b: number): number {
  const s = Math.min(a, b), x = Math.max(a, b);
  if (x < 10) return lgamma(a) + lgamma(b) - lgamma(a + b);
  const y = x + s;
  const diff = -(s * Math.log(y) + (x - 0.5) * Math.log1p(s / x) - s) + stirlingTail(x) - stirlingTail(y);
  return lgamma(s) + diff;
}

// Wichura's AS241 (PPND16): rational approximations in three regions of p, absolute error about
// 1e-16 on (0, 1). JS has no inverse normal CDF; LSC's reference reward needs one in f64.
const PPND_A = [3.3871328727963666080e0, 1.3314166789178437745e+2, 1.9715909503065514427e+3, 1.3731693765509461125e+4,
  4.5921953931549871457e+4, 6.7265770927008700853e+4, 3.3430575583588128105e+4, 2.5090809287301226727e+3];
const PPND_B = [1, 4.2313330701600911252e+1, 6.8718700749205790830e+2, 5.3941960214247511077e+3, 2.1213794301586595867e+4,
  3.9307895800092710610e+4, 2.8729085735721942674e+4, 5.2264952788528545610e+3];
const PPND_C = [1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0, 3.64784832476320460504e0,
  1.27045825245236838258e0, 2.41780725177450611770e-1, 2.27238449892691845833e-2, 7.74545014278341407640e-4];
const PPND_D = [1, 2.05319162663775882187e0, 1.67638483018380384940e0, 6.89767334985100004550e-1, 1.48103976427480074590e-1,
  1.51986665636164571966e-2, 5.47593808499534494600e-4, 1.05075007164441684324e-9];
const PPND_E = [6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0, 2.96560571828504891230e-1,
  2.65321895265761230930e-2, 1.24266094738807843860e-3, 2.71155556874348757815e-5, 2.01033439929228813265e-7];
const PPND_F = [1, 5.99832206555887937690e-1, 1.36929880922735805310e-1, 1.48753612908506148525e-2, 7.86869131145613259100e-4,
  1.84631831751005468180e-5, 1.42151175831644588870e-7, 2.04426310338993978564e-15];
const horner = (c: number[], x: number) => { let s = c[7]!; for (let k = 6; k >= 0; k--) s = s * x + c[k]!; return s; };

/** The inverse standard normal CDF, Φ⁻¹(p) for p in (0, 1) (AS241 / PPND16, f64). */
export function phiInv(p: number): number {
  if (typeof p !== "number") typeError("WRONG_TYPE", "p", -1, msg`must be a number, got ${show(p)}`);
  if (Number.isNaN(p)) rangeError("NON_FINITE", "p", -1, "is NaN");
  if (!(p > 0 && p < 1)) rangeError("PARAM_OUT_OF_RANGE", "p", -1, msg`must lie in (0, 1), got ${p}`);
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) { const r = 0.180625 - q * q; return q * horner(PPND_A, r) / horner(PPND_B, r); }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let z: number;
  if (r <= 5) { r -= 1.6; z = horner(PPND_C, r) / horner(PPND_D, r); } else { r -= 5; z = horner(PPND_E, r) / horner(PPND_F, r); }
  return q < 0 ? -z : z;
}
