// What a competent user writes without this library: typed arrays, f64 accumulators, output
// arrays reused across calls, contiguous groups of n. Used as the same-run baseline by the demo
// and the benchmarks; it is not part of the public API.
import { logBeta } from "../core/math.js";

export function grpoRowsJS(s: Float32Array, n: number, eps: number, out: Float32Array): void {
  for (let g = 0; g < s.length; g += n) {
    let sum = 0;
    for (let j = g; j < g + n; j++) sum += s[j]!;
    const mean = sum / n;
    let m2 = 0;
    for (let j = g; j < g + n; j++) { const d = s[j]! - mean; m2 += d * d; }
    const den = Math.sqrt(m2 / (n - 1)) + eps;
    for (let j = g; j < g + n; j++) out[j] = (s[j]! - mean) / den;
  }
}

export function rlooRowsJS(s: Float32Array, n: number, out: Float32Array): void {
  for (let g = 0; g < s.length; g += n) {
    let sum = 0;
    for (let j = g; j < g + n; j++) sum += s[j]!;
    for (let j = g; j < g + n; j++) out[j] = s[j]! - (sum - s[j]!) / (n - 1);
  }
}

export function bnpoRowsJS(s: Float32Array, n: number, out: Float32Array): void {
  const G = s.length / n;
  const p = new Float64Array(G);
  let pm = 0;
  for (let g = 0; g < G; g++) { let sum = 0; for (let j = g * n; j < g * n + n; j++) sum += s[j]!; p[g] = sum / n; pm += p[g]!; }
  pm /= G;
  let v = 0;
  for (let g = 0; g < G; g++) v += (p[g]! - pm) ** 2;
  v /= G - 1;
  let alpha = 1, beta = 1;
  if (v > 0) { const k = (pm * (1 - pm)) / v - 1; alpha = Math.max(1 + (k * pm) / 3, 1); beta = Math.max(1 + (k * (1 - pm)) / 3, 1); }
  const logB = logBeta(alpha, beta);
  for (let g = 0; g < G; g++) {
    const pg = p[g]!;
    const lf = (alpha === 1 ? 0 : pg === 0 ? -Infinity : (alpha - 1) * Math.log(pg)) + (beta === 1 ? 0 : pg === 1 ? -Infinity : (beta - 1) * Math.log(1 - pg)) - logB;
    const w = Math.min(Math.exp(-lf), 1e6);
    for (let j = g * n; j < g * n + n; j++) out[j] = w * (s[j]! - pg);
  }
}

/** DLER: truncated rows score 0, group-mean baseline, token-weighted batch whitening. */
export function dlerRowsJS(s: Float32Array, truncated: Uint8Array, lengths: Int32Array, n: number, out: Float32Array): void {
  const B = s.length;
  for (let g = 0; g < B; g += n) {
    let sum = 0;
    for (let j = g; j < g + n; j++) sum += truncated[j] ? 0 : s[j]!;
    const mean = sum / n;
    for (let j = g; j < g + n; j++) out[j] = (truncated[j] ? 0 : s[j]!) - mean;
  }
  let cnt = 0, sum = 0;
  for (let i = 0; i < B; i++) { cnt += lengths[i]!; sum += lengths[i]! * out[i]!; }
  const mu = sum / cnt;
  let m2 = 0;
  for (let i = 0; i < B; i++) { const d = out[i]! - mu; m2 += lengths[i]! * d * d; }
  const rstd = 1 / Math.sqrt(m2 / (cnt - 1) + 1e-8);
  for (let i = 0; i < B; i++) out[i] = (out[i]! - mu) * rstd;
}

/** Broadcast with a byte mask (what a trainer gets back from a GPU bool tensor). */
export function broadcastMaskJS(a: Float32Array, mask: Uint8Array, T: number, out: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    const ai = a[i]!, o = i * T;
    for (let t = 0; t < T; t++) out[o + t] = mask[o + t] ? ai : 0;
  }
}

/** Broadcast with prefix lengths: two loops, the fastest loop shape measured. */
export function broadcastLengthsJS(a: Float32Array, lengths: Int32Array, T: number, out: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    const ai = a[i]!, o = i * T, L = lengths[i]!;
    let t = 0;
    for (; t < L; t++) out[o + t] = ai;
    for (; t < T; t++) out[o + t] = 0;
  }
}

/** Same broadcast with TypedArray.fill (native memset): a reference point, not a loop. */
export function broadcastLengthsFillJS(a: Float32Array, lengths: Int32Array, T: number, out: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    const o = i * T, L = lengths[i]!;
    out.fill(a[i]!, o, o + L);
    out.fill(0, o + L, o + T);
  }
}

export function gpgRowsJS(s: Float32Array, n: number, out: Float32Array): void {
  let nnz = 0;
  for (let i = 0; i < s.length; i++) if (s[i] !== 0) nnz++;
  const alpha = s.length / Math.max(nnz, 1);
  for (let g = 0; g < s.length; g += n) {
    let sum = 0;
    for (let j = g; j < g + n; j++) sum += s[j]!;
    const mean = sum / n;
    for (let j = g; j < g + n; j++) out[j] = alpha * (s[j]! - mean);
  }
}

export function passKRowsJS(s: Float32Array, n: number, eps: number, out: Float32Array): void {
  for (let g = 0; g < s.length; g += n) {
    let sum = 0, r1 = -Infinity, r2 = -Infinity, top = g;
    for (let j = g; j < g + n; j++) {
      const v = s[j]!;
      sum += v;
      if (v > r1) { r2 = r1; r1 = v; top = j; } else if (v > r2) r2 = v;
    }
    const mean = sum / n;
    let m2 = 0;
    for (let j = g; j < g + n; j++) { const d = s[j]! - mean; m2 += d * d; out[j] = 0; }
    out[top] = (r1 - r2) / (Math.sqrt(m2 / (n - 1)) + eps);
  }
}

/** TRL group scaling with NaN = None (one reward function). */
export function trlRowsJS(r: Float32Array, n: number, eps: number, out: Float32Array): void {
  for (let g = 0; g < r.length; g += n) {
    let c = 0, sum = 0;
    for (let j = g; j < g + n; j++) if (r[j] === r[j]) { c++; sum += r[j]!; }
    const mean = sum / c;
    let m2 = 0;
    for (let j = g; j < g + n; j++) if (r[j] === r[j]) { const d = r[j]! - mean; m2 += d * d; }
    const sd = n > 1 ? (c > 1 ? Math.sqrt(m2 / (c - 1)) : NaN) : 0;
    for (let j = g; j < g + n; j++) { const a = (r[j]! - mean) / (sd + eps); out[j] = a === a ? a : 0; }
  }
}

export function opoRowsJS(s: Float32Array, lengths: Int32Array, n: number, out: Float32Array): void {
  for (let g = 0; g < s.length; g += n) {
    let sw = 0, swx = 0;
    for (let j = g; j < g + n; j++) { sw += lengths[j]!; swx += lengths[j]! * s[j]!; }
    const b = sw === 0 ? 0 : swx / sw;
    for (let j = g; j < g + n; j++) out[j] = s[j]! - b;
  }
}

/** REINFORCE++-baseline rows: group-mean baseline, token-weighted whitening with lengths. */
export function rfppbRowsJS(s: Float32Array, lengths: Int32Array, n: number, out: Float32Array): void {
  dlerRowsJS(s, NO_TRUNCATION(s.length), lengths, n, out);
}
let noTrunc = new Uint8Array(0);
const NO_TRUNCATION = (B: number) => (noTrunc.length === B ? noTrunc : (noTrunc = new Uint8Array(B)));

/** ReMax on a padded batch with prefix lengths: reward-to-go minus the baseline. */
export function remaxJS(r: Float32Array, lengths: Int32Array, b: Float32Array, T: number, ret: Float32Array, adv: Float32Array): void {
  for (let i = 0; i < b.length; i++) {
    const o = i * T, L = lengths[i]!, bi = b[i]!;
    let R = 0;
    for (let t = T - 1; t >= L; t--) { ret[o + t] = 0; adv[o + t] = 0; }
    for (let t = L - 1; t >= 0; t--) { R += r[o + t]!; ret[o + t] = R; adv[o + t] = R - bi; }
  }
}

/**
 * GAE with verl semantics (masked positions skipped) and unbiased whitening, padded [B,T]:
 * mask (Uint8Array) or prefix lengths. Raw advantages go to `adv`, then are whitened in place.
 */
export function gaeJS(r: Float32Array, V: Float32Array, mask: Uint8Array | null, lengths: Int32Array | null, B: number, T: number, gamma: number, lam: number, adv: Float32Array, ret: Float32Array): void {
  const gl = gamma * lam;
  let n = 0, sum = 0;
  for (let i = 0; i < B; i++) {
    const o = i * T, L = lengths ? lengths[i]! : T;
    let A = 0, nv = 0;
    for (let t = T - 1; t >= L; t--) { adv[o + t] = 0; ret[o + t] = 0; }
    for (let t = L - 1; t >= 0; t--) {
      const k = o + t;
      if (mask && !mask[k]) { adv[k] = 0; ret[k] = 0; continue; }
      const v = V[k]!;
      A = r[k]! + gamma * nv - v + gl * A;
      nv = v;
      adv[k] = A; ret[k] = A + v;
      n++; sum += A;
    }
  }
  const mean = sum / n;
  let m2 = 0;
  for (let i = 0; i < B; i++) {
    const o = i * T, L = lengths ? lengths[i]! : T;
    for (let t = 0; t < L; t++) { const k = o + t; if (mask && !mask[k]) continue; const d = adv[k]! - mean; m2 += d * d; }
  }
  const rstd = 1 / Math.sqrt(m2 / (n - 1) + 1e-8);
  for (let i = 0; i < B; i++) {
    const o = i * T, L = lengths ? lengths[i]! : T;
    for (let t = 0; t < L; t++) { const k = o + t; if (mask && !mask[k]) continue; adv[k] = (adv[k]! - mean) * rstd; }
  }
}

/** REINFORCE++ (verl): discounted returns over a padded [B,T] byte mask, then unbiased whitening into adv. */
export function reinforcePPJS(r: Float32Array, mask: Uint8Array, B: number, T: number, gamma: number, adv: Float32Array, ret: Float32Array): void {
  let n = 0, sum = 0;
  for (let i = 0; i < B; i++) {
    const o = i * T;
    let R = 0;
    for (let t = T - 1; t >= 0; t--) {
      const k = o + t;
      if (!mask[k]) { ret[k] = 0; adv[k] = 0; continue; }
      R = r[k]! + gamma * R;
      ret[k] = R; n++; sum += R;
    }
  }
  const mean = sum / n;
  let m2 = 0;
  for (let k = 0; k < B * T; k++) if (mask[k]) { const d = ret[k]! - mean; m2 += d * d; }
  const rstd = 1 / Math.sqrt(m2 / (n - 1) + 1e-8);
  for (let k = 0; k < B * T; k++) if (mask[k]) adv[k] = (ret[k]! - mean) * rstd;
}

/** verl apply_kl_penalty with k1, padded [B,T] byte mask: rewards = scores - beta*(logp - ref) at valid positions. */
export function klInRewardJS(scores: Float32Array, logp: Float32Array, ref: Float32Array, mask: Uint8Array, B: number, T: number, beta: number, out: Float32Array): number {
  let total = 0;
  for (let i = 0; i < B; i++) {
    const o = i * T;
    let s = 0, n = 0;
    for (let t = 0; t < T; t++) {
      const k = o + t;
      if (mask[k]) { const x = logp[k]! - ref[k]!; out[k] = scores[k]! - beta * x; s += x; n++; }
      else out[k] = 0;
    }
    total += n ? s / n : 0;
  }
  return total / B;
}

/** verl KL-in-reward with low_var_kl (k3, verl clamps) over a padded [B,T] byte mask; returns currentKl. */
export function klInRewardK3JS(scores: Float32Array, logp: Float32Array, ref: Float32Array, mask: Uint8Array, B: number, T: number, beta: number, out: Float32Array): number {
  let total = 0;
  for (let i = 0; i < B; i++) {
    const o = i * T;
    let s = 0, n = 0;
    for (let t = 0; t < T; t++) {
      const k = o + t;
      if (mask[k]) {
        const d = Math.min(Math.max(ref[k]! - logp[k]!, -20), 20);
        const x = Math.min(Math.max(Math.expm1(d) - d, -10), 10);
        out[k] = scores[k]! - beta * x; s += x; n++;
      } else out[k] = 0;
    }
    total += n ? s / n : 0;
  }
  return total / B;
}

/** k3 with verl clamps over a padded [B,T] byte mask. */
export function klPenaltyK3JS(logp: Float32Array, ref: Float32Array, mask: Uint8Array, out: Float32Array): void {
  for (let k = 0; k < logp.length; k++) {
    if (!mask[k]) { out[k] = 0; continue; }
    const d = Math.min(Math.max(ref[k]! - logp[k]!, -20), 20);
    out[k] = Math.min(Math.max(Math.expm1(d) - d, -10), 10);
  }
}

/** verl agg_loss token-mean and seq-mean-token-mean over a padded byte mask. */
export function aggLossJS(loss: Float32Array, mask: Uint8Array, B: number, T: number): [number, number] {
  let total = 0, tokens = 0, seqMean = 0, rows = 0;
  for (let i = 0; i < B; i++) {
    let s = 0, n = 0;
    for (let t = 0; t < T; t++) { const k = i * T + t; if (mask[k]) { s += loss[k]!; n++; } }
    total += s; tokens += n;
    if (n) { seqMean += s / n; rows++; }
  }
  return [total / tokens, seqMean / rows];
}

/** The score on the last valid token of each row (prefix lengths). */
export function placeScoresJS(scores: Float32Array, lengths: Int32Array, T: number, out: Float32Array): void {
  out.fill(0);
  for (let i = 0; i < scores.length; i++) if (lengths[i]! > 0) out[i * T + lengths[i]! - 1] = scores[i]!;
}

/** PURE's verl-branch min-form: the reverse running minimum of r*m over every column, at valid t. */
export function minFormVerlCompatJS(r: Float32Array, mask: Uint8Array, B: number, T: number, out: Float32Array): void {
  for (let i = 0; i < B; i++) {
    let m = Infinity;
    for (let t = i * T + T - 1; t >= i * T; t--) {
      const valid = mask[t] === 1;
      const u = valid ? r[t]! : 0;
      if (u < m) m = u;
      out[t] = valid ? m + 0 : 0;
    }
  }
}

/** Best-of-N in plain JS: weighted sum of the heads per candidate, then each prompt's candidates sorted (ties to the lower index) and the top k kept. */
export function rerankWeightedSumJS(scores: Float32Array, P: number, N: number, K: number, w: ArrayLike<number>, k: number, combined: Float32Array, topIdx: Int32Array, topScore: Float32Array): void {
  const order = new Int32Array(N);
  for (let p = 0; p < P; p++) {
    for (let c = 0; c < N; c++) {
      let acc = 0;
      const j = (p * N + c) * K;
      for (let h = 0; h < K; h++) acc += w[h]! * scores[j + h]!;
      combined[p * N + c] = acc;
      order[c] = c;
    }
    const base = p * N;
    order.sort((a, b) => combined[base + b]! - combined[base + a]! || a - b);
    for (let r = 0; r < k; r++) { topIdx[p * k + r] = order[r]!; topScore[p * k + r] = combined[base + order[r]!]!; }
  }
}

// --- Reward shapers: the loops a user writes from the papers' formulas --------------------------
const sig = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** PAR (relative sigmoid) over M references per row (uniform), after the length penalty. */
export function parJS(r: Float32Array, refs: Float32Array, M: number, L: Int32Array, thr: number, coef: number, out: Float32Array): void {
  for (let i = 0; i < r.length; i++) {
    let x = r[i]!;
    if (L[i]! > thr) x -= coef * (L[i]! - thr);
    let acc = 0;
    for (let m = 0; m < M; m++) acc += sig(x - refs[i * M + m]!);
    out[i] = acc / M;
  }
}

/** Kimi's length reward over contiguous groups of n: base + w * len. */
export function kimiJS(L: Int32Array, correct: Uint8Array, base: Float32Array, n: number, w: number, out: Float32Array): void {
  for (let g = 0; g < L.length; g += n) {
    let lo = Infinity, hi = -Infinity;
    for (let j = g; j < g + n; j++) { if (L[j]! < lo) lo = L[j]!; if (L[j]! > hi) hi = L[j]!; }
    for (let j = g; j < g + n; j++) {
      const lam = hi === lo ? 0 : 0.5 - (L[j]! - lo) / (hi - lo + 1e-6);
      out[j] = base[j]! + w * (correct[j] ? lam : Math.min(0, lam));
    }
  }
}

/** DAPO's overlong penalty. */
export function overlongJS(r: Float32Array, L: Int32Array, maxNew: number, buf: number, out: Float32Array): void {
  const expected = maxNew - buf;
  for (let i = 0; i < r.length; i++) { const ex = Math.min(L[i]! - expected, buf); out[i] = ex > 0 ? r[i]! - ex / buf : r[i]!; }
}

/** HAPO cosine, h looked up per row in the prompt history (a Map, as a trainer keeps it): base + w * len. */
export function hapoJS(L: Int32Array, correct: Uint8Array, prompts: Int32Array, history: Map<number, number>, base: Float32Array, w: number, out: Float32Array): void {
  for (let i = 0; i < L.length; i++) {
    const H = history.get(prompts[i]!) ?? 0;
    let len = 0;
    if (H > 0 && H < 100000) { const f = L[i]! < 2 * H ? Math.cos((L[i]! / H) * Math.PI / 2) : -1; len = correct[i] ? Math.max(f, -0.7) : Math.min(f, 0); }
    out[i] = base[i]! + w * len;
  }
}

/** CANON (entropy variant) over contiguous groups of n, metric split. */
export function canonJS(s: Float32Array, metric: Float32Array, n: number, lambda: number, maxLength: number, out: Float32Array): void {
  const idx = new Int32Array(n);
  for (let g = 0; g < s.length; g += n) {
    for (let k = 0; k < n; k++) idx[k] = g + k;
    idx.sort((a, b) => metric[a]! - metric[b]! || a - b);
    const h = n >> 1;
    let sl = 0, sh = 0;
    for (let k = 0; k < n; k++) if (k < h) sl += s[idx[k]!]!; else sh += s[idx[k]!]!;
    const muLow = h ? sl / h : 0, muHigh = sh / (n - h);
    for (let k = 0; k < n; k++) {
      const i = idx[k]!, v = s[i]!;
      out[i] = (k >= h ? lambda * (v - muLow) + (1 - lambda) * (v - muHigh) : lambda * (v - muHigh) + (1 - lambda) * (v - muLow)) / maxLength;
    }
  }
}

/** GUI-G² total reward per box. */
export function guiG2JS(pred: Float32Array, gt: Float32Array, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const p = 4 * i;
    const dx = (pred[p]! + pred[p + 2]!) / 2 - (gt[p]! + gt[p + 2]!) / 2, dy = (pred[p + 1]! + pred[p + 3]!) / 2 - (gt[p + 1]! + gt[p + 3]!) / 2;
    const spx = 0.5 * (pred[p + 2]! - pred[p]!), spy = 0.5 * (pred[p + 3]! - pred[p + 1]!), sgx = 0.5 * (gt[p + 2]! - gt[p]!), sgy = 0.5 * (gt[p + 3]! - gt[p + 1]!);
    const pt = Math.exp(-0.5 * (dx * dx / (sgx * sgx) + dy * dy / (sgy * sgy)));
    const sx = (spx * spx + sgx * sgx) / 2, sy = (spy * spy + sgy * sgy) / 2;
    const t1 = 0.125 * (dx * dx / (sx + 1e-8) + dy * dy / (sy + 1e-8));
    const t2 = 0.5 * Math.log(sx * sy / Math.sqrt(spx * spx * spy * spy * sgx * sgx * sgy * sgy + 1e-8));
    out[i] = pt + Math.exp(-(t1 + t2));
  }
}

/** ROVER targets on a padded [B,T] batch with prefix lengths (clip off). */
export function roverJS(logp: Float32Array, old: Float32Array, q: Float32Array, oq: Float32Array, adv: Float32Array, L: Int32Array, T: number, rho: number,
  outQ: Float32Array, outN: Float32Array, outT: Float32Array): void {
  for (let i = 0; i < L.length; i++) {
    const s = i * T, e = s + L[i]!;
    for (let t = s; t < e; t++) {
      const nq = t + 1 < e ? rho * (q[t + 1]! - oq[t + 1]!) : 0;
      outQ[t] = rho * (logp[t]! - old[t]!); outN[t] = nq; outT[t] = adv[t]! + nq;
    }
    outQ.fill(0, e, s + T); outN.fill(0, e, s + T); outT.fill(0, e, s + T);
  }
}

/** LSC with 4 uniform references per row: logσ(r - (mean + (sd + 1e-5) z)). */
export function lscJS(r: Float32Array, refs: Float32Array, M: number, z: number, out: Float32Array): void {
  for (let i = 0; i < r.length; i++) {
    let s = 0;
    for (let m = 0; m < M; m++) s += refs[i * M + m]!;
    const mean = s / M;
    let q = 0;
    for (let m = 0; m < M; m++) { const d = refs[i * M + m]! - mean; q += d * d; }
    const x = r[i]! - (mean + (Math.sqrt(q / (M - 1)) + 1e-5) * z);
    out[i] = Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x)));
  }
}

/** LASER-D over contiguous groups of n (reward mode), band targets by accuracy. */
export function laserDJS(status: Int8Array, L: Int32Array, n: number, alpha: number, low: number, medium: number, high: number, out: Float32Array): void {
  for (let g = 0; g < L.length; g += n) {
    let c = 0;
    for (let j = g; j < g + n; j++) if (status[j] === 1) c++;
    const LT = 3 * c >= 2 * n ? high : 3 * c >= n ? medium : low;
    for (let j = g; j < g + n; j++) out[j] = status[j] === 1 ? 1 + (L[j]! <= LT ? alpha : 0) : status[j] === 0 ? -0.5 : -1;
  }
}

/** ProRL's stop-properly penalty. */
export function stopProperlyJS(r: Float32Array, truncated: Uint8Array, coef: number, out: Float32Array): void {
  for (let i = 0; i < r.length; i++) out[i] = truncated[i] ? (coef >= 0 ? r[i]! * coef : coef) : r[i]!;
}

/** O1-pruner over contiguous groups of n. */
export function o1JS(L: Int32Array, n: number, out: Float32Array): void {
  for (let g = 0; g < L.length; g += n) {
    let s = 0;
    for (let j = g; j < g + n; j++) s += L[j]!;
    const mean = s / n;
    for (let j = g; j < g + n; j++) out[j] = -Math.min(Math.max((L[j]! - mean) / L[j]!, -1), 1);
  }
}

/** DRPO over contiguous groups of n (0/1 rewards). */
export function drpoJS(r: Float32Array, lp: Float32Array, L: Int32Array, n: number, width: number, lambda: number, tau: number, out: Float32Array): void {
  const Q = L.length / n;
  for (let g = 0; g < L.length; g += n) {
    let mp = -Infinity, mn = -Infinity, np = 0, nn = 0;
    for (let j = g; j < g + n; j++) {
      if (r[j] === 1) { np++; mp = Math.max(mp, (1 - L[j]! / width) / lambda); } else { nn++; mn = Math.max(mn, lp[j]! / tau); }
    }
    if (!np || !nn) { out.fill(0, g, g + n); continue; }
    let sp = 0, sn = 0;
    for (let j = g; j < g + n; j++) { if (r[j] === 1) sp += Math.exp((1 - L[j]! / width) / lambda - mp); else sn += Math.exp(lp[j]! / tau - mn); }
    for (let j = g; j < g + n; j++) out[j] = r[j] === 1 ? Math.exp((1 - L[j]! / width) / lambda - mp) / sp / Q : -Math.exp(lp[j]! / tau - mn) / sn / Q;
  }
}

/** ER over contiguous groups of n. */
export function erJS(L: Int32Array, c: Float32Array, n: number, out: Float32Array): void {
  for (let g = 0; g < L.length; g += n) {
    let k = 0, s = 0;
    for (let j = g; j < g + n; j++) if (c[j]! > 0) { k++; s += L[j]!; }
    const mu = s / k;
    let q = 0;
    for (let j = g; j < g + n; j++) if (c[j]! > 0) q += (L[j]! - mu) ** 2;
    const sd = Math.sqrt(q / k);
    for (let j = g; j < g + n; j++) out[j] = c[j]! < 1e-5 || k <= 1 ? 0 : -c[j]! * 2 * (sig((L[j]! - mu) / (sd + 1e-5)) - 0.5);
  }
}

/** VeRPO over contiguous groups of n, U tests per row (every test valid). */
export function verpoJS(pass: Uint8Array, U: number, n: number, localWeight: number, out: Float32Array): void {
  const w = new Float64Array(U);
  for (let g = 0; g < out.length; g += n) {
    let W = 0;
    for (let j = 0; j < U; j++) { let p = 0; for (let i = g; i < g + n; i++) p += pass[i * U + j]!; w[j] = 1 - p / n; W += w[j]!; }
    for (let i = g; i < g + n; i++) {
      let rl = 0, all = 1;
      for (let j = 0; j < U; j++) { if (!pass[i * U + j]) { all = 0; continue; } if (W > 0) rl += w[j]! / W; }
      out[i] = all + localWeight * rl;
    }
  }
}

/** BCO over one batch: rewards, the running shift (count, mean), losses. */
export function bcoJS(pc: Float32Array, pr: Float32Array, rc: Float32Array, rr: Float32Array, beta: number, state: { count: number; mean: number }, loss: Float32Array): void {
  let s = 0;
  for (let i = 0; i < pc.length; i++) s += beta * (pc[i]! - rc[i]!) + beta * (pr[i]! - rr[i]!);
  state.count += 1; state.mean += (s / (2 * pc.length) - state.mean) / state.count;
  const d = state.mean, ls = (z: number) => Math.min(z, 0) - Math.log1p(Math.exp(-Math.abs(z)));
  for (let i = 0; i < pc.length; i++) loss[i] = -ls(beta * (pc[i]! - rc[i]!) - d) - ls(-(beta * (pr[i]! - rr[i]!) - d));
}

/** G-RA on a padded [B,T] batch with prefix lengths: gated tokens into outTok, rows into outRow. */
export function gatedJS(outcome: Float32Array, r: Float32Array, L: Int32Array, T: number, tau: number, outTok: Float32Array, outRow: Float32Array): void {
  for (let i = 0; i < L.length; i++) {
    const s = i * T, open = outcome[i]! >= tau;
    let sum = 0;
    for (let t = s; t < s + T; t++) { const v = open && t < s + L[i]! ? r[t]! : 0; outTok[t] = v; sum += v; }
    outRow[i] = outcome[i]! + sum;
  }
}

/** GRPO-λ over contiguous groups of n: rank groups by accuracy, Kimi's term in the top lambda share. */
export function grpoLambdaJS(L: Int32Array, correct: Uint8Array, n: number, lambda: number, w: number, out: Float32Array): void {
  const G = L.length / n, acc = new Float64Array(G), order = new Int32Array(G), pick = new Uint8Array(G);
  for (let g = 0; g < G; g++) { let c = 0; for (let j = g * n; j < g * n + n; j++) c += correct[j]!; acc[g] = c / n; order[g] = g; }
  order.sort((a, b) => acc[b]! - acc[a]! || a - b);
  for (let k = 0; k < Math.floor(lambda * G); k++) pick[order[k]!] = 1;
  for (let g = 0; g < G; g++) {
    const a = g * n;
    if (!pick[g]) { for (let j = a; j < a + n; j++) out[j] = correct[j]!; continue; }
    let lo = Infinity, hi = -Infinity;
    for (let j = a; j < a + n; j++) { if (L[j]! < lo) lo = L[j]!; if (L[j]! > hi) hi = L[j]!; }
    for (let j = a; j < a + n; j++) { const lam = hi === lo ? 0 : 0.5 - (L[j]! - lo) / (hi - lo + 1e-6); out[j] = correct[j]! + w * (correct[j] ? lam : Math.min(0, lam)); }
  }
}
