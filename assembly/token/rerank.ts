// Best-of-N reranking (docs/kernels.md#rerank): combined scores per candidate, f64, rounded once.
//   combine 0 = weightedSum: c = Σ_h w_h s_h
//   combine 1 = logSigmoid:  c = Σ_h w_h logσ(s_h - ref_h)       (ref: [P*K], or [K] when refPerPrompt = 0)
//   combine 2 = par:         c = Σ_h w_h (1/M') Σ_{m<M'} σ(k (s_h - refs[p,m,h])), M' = min(maxRef, M)
// Invalid candidates are not read and get -Infinity.

import { logSigmoid, sigmoid } from "../shape/logistic";

// info[0] <- the first flat score index (valid candidates only) that is NaN or infinite, or -1:
// the inputs are checked in the pass that reads them; info[1] <- the first valid candidate whose
// combined score leaves the f32 range, or -1. The combine mode is chosen outside the loops.
export function rerank_combine_f32(
  scores: usize, valid: usize, P: i32, N: i32, K: i32, w: usize, combine: i32,
  ref: usize, refPerPrompt: i32, refs: usize, M: i32, maxRef: i32, sigK: f64, out: usize, info: usize,
): void {
  let badIn = -1, bad = -1;
  const Mp = min(M, maxRef);
  if (ASC_FEATURE_SIMD && combine == 0 && valid == 0) {
    // Weighted sums of two candidates per f64x2 (each lane the scalar sum, heads in order); the
    // scores are tested for NaN and infinities by one accumulator (v - v) and searched only if
    // it turns NaN.
    const n = P * N;
    let acc = f64x2.splat(0), j = 0;
    for (; j + 2 <= n; j += 2) {
      let sum = f64x2.splat(0);
      const p0 = scores + (<usize>(j * K) << 2), p1 = p0 + (<usize>K << 2);
      for (let h = 0; h < K; h++) {
        const v = f64x2.promote_low_f32x4(v128.load32_lane(p1 + (<usize>h << 2), v128.load32_zero(p0 + (<usize>h << 2)), 1));
        acc = f64x2.add(acc, f64x2.sub(v, v));
        sum = f64x2.add(sum, f64x2.mul(f64x2.splat(load<f64>(w + (<usize>h << 3))), v));
      }
      const c32 = f32x4.add(f32x4.demote_f64x2_zero(sum), f32x4.splat(0));
      v128.store64_lane(out + (<usize>j << 2), c32, 0);
      if (bad < 0 && !isFinite<f32>(f32x4.extract_lane(c32, 0))) bad = j;
      if (bad < 0 && !isFinite<f32>(f32x4.extract_lane(c32, 1))) bad = j + 1;
    }
    for (; j < n; j++) {
      let sum: f64 = 0;
      for (let h = 0; h < K; h++) {
        const v = load<f32>(scores + (<usize>(j * K + h) << 2));
        if (badIn < 0 && !isFinite<f32>(v)) badIn = j * K + h;
        sum += load<f64>(w + (<usize>h << 3)) * <f64>v;
      }
      const c32 = <f32>sum + 0;
      if (bad < 0 && !isFinite<f32>(c32)) bad = j;
      store<f32>(out + (<usize>j << 2), c32);
    }
    if (f64x2.extract_lane(acc, 0) != f64x2.extract_lane(acc, 0) || f64x2.extract_lane(acc, 1) != f64x2.extract_lane(acc, 1))
      for (let q = 0; q < n * K; q++) if (!isFinite<f32>(load<f32>(scores + (<usize>q << 2)))) { badIn = q; break; }
    store<i32>(info, badIn);
    store<i32>(info, bad, 4);
    return;
  }
  for (let p = 0; p < P; p++) {
    for (let c = 0; c < N; c++) {
      const j = p * N + c;
      if (valid && load<u8>(valid + <usize>j) == 0) { store<f32>(out + (<usize>j << 2), -Infinity); continue; }
      let acc: f64 = 0;
      const sj = scores + (<usize>(j * K) << 2);
      if (combine == 0) {
        for (let h = 0; h < K; h++) {
          const s = load<f32>(sj + (<usize>h << 2));
          if (badIn < 0 && !isFinite<f32>(s)) badIn = j * K + h;
          acc += load<f64>(w + (<usize>h << 3)) * <f64>s;
        }
      } else if (combine == 1) {
        const row: i32 = refPerPrompt ? p * K : 0;
        for (let h = 0; h < K; h++) {
          const s = load<f32>(sj + (<usize>h << 2));
          if (badIn < 0 && !isFinite<f32>(s)) badIn = j * K + h;
          acc += load<f64>(w + (<usize>h << 3)) * logSigmoid(<f64>s - <f64>load<f32>(ref + (<usize>(row + h) << 2)));
        }
      } else {
        for (let h = 0; h < K; h++) {
          const s = load<f32>(sj + (<usize>h << 2));
          if (badIn < 0 && !isFinite<f32>(s)) badIn = j * K + h;
          let q: f64 = 0;
          for (let m = 0; m < Mp; m++) q += sigmoid(sigK * (<f64>s - <f64>load<f32>(refs + (<usize>((p * M + m) * K + h) << 2))));
          acc += load<f64>(w + (<usize>h << 3)) * (Mp > 0 ? q / <f64>Mp : 0);
        }
      }
      const c32 = <f32>acc + 0;
      if (bad < 0 && !isFinite<f32>(c32)) bad = j;
      store<f32>(out + (<usize>j << 2), c32);
    }
  }
  store<i32>(info, badIn);
  store<i32>(info, bad, 4);
}

// Top k per prompt from the combined scores, by selection (O(N k), no sort): a candidate enters
// when it beats the current k-th strictly, after every kept candidate it does not beat, so ties
// go to the lower index (a stable descending order). Excluded candidates (-Infinity) never
// enter; slots left empty keep index -1 and score -Infinity.
export function rerank_topk_f32(combined: usize, P: i32, N: i32, k: i32, topIdx: usize, topScore: usize): void {
  for (let p = 0; p < P; p++) {
    const ti = topIdx + (<usize>(p * k) << 2), ts = topScore + (<usize>(p * k) << 2);
    for (let j = 0; j < k; j++) { store<i32>(ti + (<usize>j << 2), -1); store<f32>(ts + (<usize>j << 2), -Infinity); }
    let kept = 0;
    for (let c = 0; c < N; c++) {
      const v = load<f32>(combined + (<usize>(p * N + c) << 2));
      if (v == -Infinity) continue;
      if (kept == k && !(v > load<f32>(ts + (<usize>(k - 1) << 2)))) continue;
      let j = kept < k ? kept++ : k - 1;
      while (j > 0 && v > load<f32>(ts + (<usize>(j - 1) << 2))) {
        store<f32>(ts + (<usize>j << 2), load<f32>(ts + (<usize>(j - 1) << 2)));
        store<i32>(ti + (<usize>j << 2), load<i32>(ti + (<usize>(j - 1) << 2)));
        j--;
      }
      store<f32>(ts + (<usize>j << 2), v);
      store<i32>(ti + (<usize>j << 2), c);
    }
  }
}
