// The logistic functions every shaper and the reranker share, in f64. Both stay finite for any
// finite argument: exp is only ever taken of a non-positive number.

// logσ(z) = min(z, 0) - log1p(exp(-|z|)); a literal log(σ(z)) is -inf below about -745 (-88 in f32).
@inline export function logSigmoid(z: f64): f64 {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}
// σ(z) = 1/(1 + e^-z) for z >= 0, e^z/(1 + e^z) below: both branches take exp(-|z|), so one exp
// and a select give the same operations on the same numbers with no data-dependent branch (a
// random sign cost a mispredict every other row).
@inline export function sigmoid(z: f64): f64 {
  const e = Math.exp(-Math.abs(z));
  return select<f64>(1, e, z >= 0) / (1 + e);
}
