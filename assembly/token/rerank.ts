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
    // Weighted sums of two candidates per f64x2 (each lane the scalar sum, heads in order). One
    // test covers inputs and outputs: a NaN or infinite score makes its sum NaN or infinite (even
    // times a zero weight), and so does an overflow, so the largest |combined| bits are kept (a
    // max, no loop-carried add) and the inputs, then the outputs, are searched only if one is
    // not finite.
    const n = P * N, absBits = i32x4.splat(0x7fffffff);
    let fl = i32x4.splat(0), j = 0;
    for (; j + 2 <= n; j += 2) {
      let sum = f64x2.splat(0);
      const p0 = scores + (<usize>(j * K) << 2), p1 = p0 + (<usize>K << 2);
      for (let h = 0; h < K; h++) {
        const v = f64x2.promote_low_f32x4(v128.load32_lane(p1 + (<usize>h << 2), v128.load32_zero(p0 + (<usize>h << 2)), 1));
        sum = f64x2.add(sum, f64x2.mul(f64x2.splat(load<f64>(w + (<usize>h << 3))), v));
      }
      const c32 = f32x4.add(f32x4.demote_f64x2_zero(sum), f32x4.splat(0));
      v128.store64_lane(out + (<usize>j << 2), c32, 0);
      fl = i32x4.max_u(fl, v128.and(c32, absBits));
    }
    const paired = j;
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
    if (v128.any_true(i32x4.ge_u(fl, i32x4.splat(0x7f800000)))) {
      for (let q = 0; q < paired * K; q++) if (!isFinite<f32>(load<f32>(scores + (<usize>q << 2)))) { badIn = q; break; }
      for (let q = 0; q < paired; q++) if (!isFinite<f32>(load<f32>(out + (<usize>q << 2)))) { bad = q; break; }
    }
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
  if (ASC_FEATURE_SIMD && k <= 4) { topk4(combined, P, N, k, topIdx, topScore); return; }
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

// k <= 4 (SIMD build): the best four of a prompt kept sorted in one f32x4 (scores) and one i32x4
// (indices), a candidate inserted with no branch: lanes it beats strictly (a suffix, the scores
// being sorted) take the candidate or their upper neighbour. The same order as the selection
// above (ties to the lower index, -Infinity never enters), so the builds agree. Four prompts at a
// time: each insertion waits on the previous one of its prompt (compare, shuffle, two selects),
// so one prompt alone ran no faster than the branchy loop (0.27 ms at 4096 x 16).
@inline function into(S: v128, v: v128, beats: v128): v128 {
  // lane i: beats[i - 1] ? S[i - 1] : v, then that where beats[i], else S[i]
  const above = i32x4.shuffle(beats, i32x4.splat(0), 4, 0, 1, 2);
  return v128.bitselect(v128.bitselect(i32x4.shuffle(S, v, 4, 0, 1, 2), v, above), S, beats);
}
@inline function storeTop(S: v128, I: v128, k: i32, ts: usize, ti: usize): void {
  if (k == 4) { v128.store(ts, S); v128.store(ti, I); return; }
  store<f32>(ts, f32x4.extract_lane(S, 0)); store<i32>(ti, i32x4.extract_lane(I, 0));
  if (k > 1) { store<f32>(ts, f32x4.extract_lane(S, 1), 4); store<i32>(ti, i32x4.extract_lane(I, 1), 4); }
  if (k > 2) { store<f32>(ts, f32x4.extract_lane(S, 2), 8); store<i32>(ti, i32x4.extract_lane(I, 2), 8); }
}
function topk4(combined: usize, P: i32, N: i32, k: i32, topIdx: usize, topScore: usize): void {
  const none = f32x4.splat(-Infinity), noIdx = i32x4.splat(-1), rowBytes = <usize>N << 2;
  let p = 0;
  for (; p + 4 <= P; p += 4) {
    let S0 = none, S1 = none, S2 = none, S3 = none, I0 = noIdx, I1 = noIdx, I2 = noIdx, I3 = noIdx;
    const r0 = combined + (<usize>(p * N) << 2), r1 = r0 + rowBytes, r2 = r1 + rowBytes, r3 = r2 + rowBytes;
    for (let c = 0; c < N; c++) {
      const o = <usize>c << 2, vi = i32x4.splat(c);
      const v0 = f32x4.splat(load<f32>(r0 + o)), v1 = f32x4.splat(load<f32>(r1 + o)), v2 = f32x4.splat(load<f32>(r2 + o)), v3 = f32x4.splat(load<f32>(r3 + o));
      const b0 = f32x4.gt(v0, S0), b1 = f32x4.gt(v1, S1), b2 = f32x4.gt(v2, S2), b3 = f32x4.gt(v3, S3);
      S0 = into(S0, v0, b0); I0 = into(I0, vi, b0); S1 = into(S1, v1, b1); I1 = into(I1, vi, b1);
      S2 = into(S2, v2, b2); I2 = into(I2, vi, b2); S3 = into(S3, v3, b3); I3 = into(I3, vi, b3);
    }
    const ts = topScore + (<usize>(p * k) << 2), ti = topIdx + (<usize>(p * k) << 2), kb = <usize>k << 2;
    storeTop(S0, I0, k, ts, ti); storeTop(S1, I1, k, ts + kb, ti + kb); storeTop(S2, I2, k, ts + 2 * kb, ti + 2 * kb); storeTop(S3, I3, k, ts + 3 * kb, ti + 3 * kb);
  }
  for (; p < P; p++) {
    let S = none, I = noIdx;
    const row = combined + (<usize>(p * N) << 2);
    for (let c = 0; c < N; c++) {
      const v = f32x4.splat(load<f32>(row + (<usize>c << 2))), b = f32x4.gt(v, S);
      S = into(S, v, b); I = into(I, i32x4.splat(c), b);
    }
    storeTop(S, I, k, topScore + (<usize>(p * k) << 2), topIdx + (<usize>(p * k) << 2));
  }
}
