// The logistic functions every shaper and the reranker share, in f64. Both stay finite for any
// finite argument: exp is only ever taken of a non-positive number.

// logσ(z) = min(z, 0) - log1p(exp(-|z|)); a literal log(σ(z)) is -inf below about -745 (-88 in f32).
@inline export function logSigmoid(z: f64): f64 {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}
@inline export function sigmoid(z: f64): f64 {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
