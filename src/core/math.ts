// f64 special functions that JS Math lacks.

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
