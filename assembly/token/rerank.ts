// Best-of-N reranking (docs/kernels.md#rerank): combined scores per candidate, f64, rounded once.
//   combine 0 = weightedSum: c = Σ_h w_h s_h
//   combine 1 = logSigmoid:  c = Σ_h w_h logσ(s_h - ref_h)       (ref: [P*K], or [K] when refPerPrompt = 0)
//   combine 2 = par:         c = Σ_h w_h (1/M') Σ_{m<M'} σ(k (s_h - refs[p,m,h])), M' = min(maxRef, M)
// Invalid candidates are not read and get -Infinity.

@inline function logSigmoid(z: f64): f64 {
  // Stable: logσ(z) = -log1p(exp(-z)) for z >= 0, z - log1p(exp(z)) otherwise.
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}
@inline function sigmoid(z: f64): f64 { return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)); }

export function rerank_combine_f32(
  scores: usize, valid: usize, P: i32, N: i32, K: i32, w: usize, combine: i32,
  ref: usize, refPerPrompt: i32, refs: usize, M: i32, maxRef: i32, sigK: f64, out: usize,
): void {
  const Mp = min(M, maxRef);
  for (let p = 0; p < P; p++) {
    for (let c = 0; c < N; c++) {
      const j = p * N + c;
      if (valid && load<u8>(valid + <usize>j) == 0) { store<f32>(out + (<usize>j << 2), -Infinity); continue; }
      let acc: f64 = 0;
      for (let h = 0; h < K; h++) {
        const s = <f64>load<f32>(scores + (<usize>(j * K + h) << 2));
        const wh = load<f64>(w + (<usize>h << 3));
        if (combine == 0) acc += wh * s;
        else if (combine == 1) {
          const row: i32 = refPerPrompt ? p * K : 0;
          const r = <f64>load<f32>(ref + (<usize>(row + h) << 2));
          acc += wh * logSigmoid(s - r);
        } else {
          let q: f64 = 0;
          for (let m = 0; m < Mp; m++) q += sigmoid(sigK * (s - <f64>load<f32>(refs + (<usize>((p * M + m) * K + h) << 2))));
          acc += wh * (Mp > 0 ? q / <f64>Mp : 0);
        }
      }
      store<f32>(out + (<usize>j << 2), <f32>acc + 0);
    }
  }
}
