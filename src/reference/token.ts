// Float64 references of docs/kernels.md (#prime to #tgdpo) (padded [B,T], 0/1 masks), written for reading.

const rowVals = (x: ArrayLike<number>, mask: ArrayLike<number>, i: number, T: number) => {
  const v: number[] = [];
  for (let t = 0; t < T; t++) if (mask[i * T + t] === 1) v.push(x[i * T + t]!);
  return v;
};

/** Likelihood rewards per row. */
export function likelihoodReward(l: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, mode: "sum" | "prob" | "avgProb" | "mean"): number[] {
  return Array.from({ length: B }, (_, i) => {
    const v = rowVals(l, mask, i, T), S = v.reduce((a, b) => a + b, 0);
    return mode === "sum" ? S : mode === "prob" ? Math.exp(S) : mode === "mean" ? S / v.length : v.reduce((a, b) => a + Math.exp(b), 0) / v.length;
  });
}

/** SAR per row. */
export function selfAlignedReward(q: ArrayLike<number>, z: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, eps = 1e-9, floor = -1): number[] {
  return Array.from({ length: B }, (_, i) => {
    const a = rowVals(q, mask, i, T), b = rowVals(z, mask, i, T);
    const pplQ = Math.exp(-a.reduce((x, y) => x + y, 0) / a.length), ppl0 = Math.exp(-b.reduce((x, y) => x + y, 0) / b.length);
    return Math.max((ppl0 - pplQ) / (ppl0 + eps), floor);
  });
}

/** PRIME advantage pipeline (docs/kernels.md#prime) on consecutive groups of K rows; returns unwhitened returns. */
export function primeReturns(rm: ArrayLike<number> | null, outcome: ArrayLike<number> | null, mask: ArrayLike<number>, B: number, T: number, K: number, o: { baseline: "code" | "paper"; gp: number; go: number; cp: number; co: number }): number[] {
  return primeReturnsRef(rm, outcome, mask, B, T, K, o).values;
}

/** PRIME returns with their tolerance inputs. */
export interface PrimeReturnsRef {
  /** Unrounded f64 returns (0 at masked positions). */
  values: number[];
  /**
   * Per position: the same scan run on the magnitudes of every input that feeds it (the
   * reduction sensitivity S of docs/numerics.md, row-local: nothing of other rows but the
   * group means of the leave-one-out baseline).
   */
  sens: number[];
  /** Valid tokens of each position's row (the number of terms). */
  n: number[];
}

/** PRIME's per-source leave-one-out rewards and their discounted returns, with magnitudes. */
export function primeReturnsRef(rm: ArrayLike<number> | null, outcome: ArrayLike<number> | null, mask: ArrayLike<number>, B: number, T: number, K: number, o: { baseline: "code" | "paper"; gp: number; go: number; cp: number; co: number }): PrimeReturnsRef {
  const L = Array.from({ length: B }, (_, i) => rowVals(mask, mask, i, T).length);
  const last = Array.from({ length: B }, (_, i) => { let l = -1; for (let t = 0; t < T; t++) if (mask[i * T + t] === 1) l = t; return l; });
  const src = (kind: "p" | "o") => {
    const val = (i: number, t: number) => (kind === "p" ? (mask[i * T + t] === 1 ? rm![i * T + t]! : 0) : t === last[i] ? outcome![i]! : 0);
    const mean = Array.from({ length: B }, (_, i) => (L[i] ? (kind === "p" ? rowVals(rm!, mask, i, T).reduce((a, b) => a + b, 0) / L[i]! : outcome![i]!) : 0));
    const meanAbs = Array.from({ length: B }, (_, i) => (L[i] ? (kind === "p" ? rowVals(rm!, mask, i, T).reduce((a, b) => a + Math.abs(b), 0) / L[i]! : Math.abs(outcome![i]!)) : 0));
    const G = new Array(B * T).fill(0), M = new Array(B * T).fill(0);
    for (let i = 0; i < B; i++) {
      const g0 = Math.floor(i / K) * K;
      let S = 0, SA = 0;
      for (let j = g0; j < g0 + K; j++) { S += mean[j]!; SA += meanAbs[j]!; }
      let acc = 0, accAbs = 0;
      for (let t = T - 1; t >= 0; t--) {
        const on = kind === "p" ? mask[i * T + t] === 1 : t === last[i];
        let r = 0, rAbs = 0;
        if (on) {
          const v = val(i, t), va = Math.abs(v);
          if (K === 1) { r = v; rAbs = va; }
          else if (o.baseline === "code" || kind === "o") { r = (v * K) / (K - 1) - S / (K - 1); rAbs = (va * K) / (K - 1) + SA / (K - 1); }
          else { r = v - (S - mean[i]!) / (K - 1); rAbs = va + (SA + meanAbs[i]!) / (K - 1); }
        }
        const g = kind === "p" ? o.gp : o.go;
        acc = r + g * acc;
        accAbs = rAbs + Math.abs(g) * accAbs;
        G[i * T + t] = acc; M[i * T + t] = accAbs;
      }
    }
    return { G, M };
  };
  const gp = rm ? src("p") : null, go = outcome ? src("o") : null;
  const values = Array.from({ length: B * T }, (_, k) => (mask[k] === 1 ? o.cp * (gp ? gp.G[k]! : 0) + o.co * (go ? go.G[k]! : 0) : 0));
  const sens = Array.from({ length: B * T }, (_, k) => (mask[k] === 1 ? Math.abs(o.cp) * (gp ? gp.M[k]! : 0) + Math.abs(o.co) * (go ? go.M[k]! : 0) : 0));
  const n = Array.from({ length: B * T }, (_, k) => L[Math.floor(k / T)]! + K);
  return { values, sens, n };
}

/**
 * expm1(d) - d in f64. Near 0, Math.expm1(d) - d cancels (expm1(d) ~ d: at d = 1e-12 the result
 * keeps only ~4 digits), so |d| < 0.5 sums the series d^2/2! + d^3/3! + ... instead, largest term
 * first, until the terms no longer change the sum. Elsewhere the subtraction loses at most a
 * factor ~11 (at |d| = 0.5).
 */
export function expm1MinusSelf(d: number): number {
  if (Math.abs(d) >= 0.5) return Math.expm1(d) - d;
  let sum = 0, term = (d * d) / 2;
  for (let n = 2; n < 40 && sum + term !== sum; n++) { sum += term; term *= d / (n + 1); }
  return sum;
}

/** KL estimators of docs/kernels.md#klpenalty in f64 from x = logp - refLogp, with the three clamp modes. */
export function klValue(x: number, est: "k1" | "abs" | "k2" | "k3", clamp: "verl" | "all10" | "none"): number {
  let v: number;
  if (est === "k1") v = x;
  else if (est === "abs") v = Math.abs(x);
  else if (est === "k2") v = 0.5 * x * x;
  else {
    // verl clamps the exponent's argument to [-20, 20] and the value to [-10, 10]
    const d = clamp === "verl" ? Math.min(Math.max(-x, -20), 20) : -x;
    v = expm1MinusSelf(d);
    if (clamp === "verl") v = Math.min(Math.max(v, -10), 10);
  }
  return clamp === "all10" ? Math.min(Math.max(v, -10), 10) : v;
}

/** verl apply_kl_penalty (docs/kernels.md#klinreward): rewards = scores - beta*kl on valid tokens, 0 elsewhere; currentKl = mean of row means. */
/** verl's KL in the reward, from the oracle. */
export interface KlInRewardRef {
  /** Token rewards. */
  rewards: number[];
  /** Per-token KL. */
  kl: number[];
  /** Mean over rows of each row's mean KL. */
  currentKl: number;
}
/** verl `apply_kl_penalty` in f64. */
export function klInRewardVerl(scores: ArrayLike<number>, logp: ArrayLike<number>, ref: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, est: "k1" | "abs" | "k2" | "k3", clamp: "verl" | "all10" | "none", beta: number): KlInRewardRef {
  const rewards: number[] = [], kl: number[] = [];
  let meanSum = 0;
  for (let i = 0; i < B; i++) {
    let sum = 0, n = 0;
    for (let t = 0; t < T; t++) {
      const k = i * T + t;
      if (mask[k] !== 1) { rewards.push(0); kl.push(0); continue; }
      const v = klValue(logp[k]! - ref[k]!, est, clamp);
      kl.push(v); rewards.push(scores[k]! - beta * v);
      sum += v; n++;
    }
    meanSum += n ? sum / n : 0;
  }
  return { rewards, kl, currentKl: B ? meanSum / B : 0 };
}

/** aggLoss's knobs (docs/kernels.md#aggloss). */
export interface AggLossRefOpts {
  /** token-mean (default), token-sum, seq-mean-token-sum, seq-mean-token-mean, seq-mean-token-sum-norm. */
  lossAggMode?: string;
  /** Data-parallel size (default 1). */
  dpSize?: number;
  /** Global valid-token count (token-mean; default this batch's). */
  batchNumTokens?: number | null;
  /** Global sequence count (seq-mean modes; default this batch's non-empty rows). */
  globalBatchSize?: number | null;
  /** The -norm divisor (default T). */
  lossScaleFactor?: number | null;
}
/** verl's agg_loss over the valid tokens of a padded [B, T] loss, in f64; 0 when nothing aggregates. */
export function aggLoss(l: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, o: AggLossRefOpts): number {
  const mode = o.lossAggMode ?? "token-mean", dp = o.dpSize ?? 1;
  const div = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const rows = Array.from({ length: B }, (_, i) => rowVals(l, mask, i, T));
  const sums = rows.map((v) => v.reduce((a, b) => a + b, 0));
  const nonEmpty = rows.filter((v) => v.length > 0).length;
  if (mode === "token-sum") return sums.reduce((a, b) => a + b, 0) * dp;
  if (mode === "token-mean") return div(sums.reduce((a, b) => a + b, 0), o.batchNumTokens ?? rows.reduce((a, v) => a + v.length, 0)) * dp;
  if (mode === "seq-mean-token-mean") return div(rows.reduce((a, v, i) => a + (v.length ? sums[i]! / v.length : 0), 0), o.globalBatchSize ?? nonEmpty) * dp;
  const seq = div(sums.reduce((a, b) => a + b, 0), o.globalBatchSize ?? nonEmpty) * dp;
  return mode === "seq-mean-token-sum-norm" ? seq / (o.lossScaleFactor ?? T) : seq;
}

/** placeScores: each row's score at its last valid token (or at `positions`), 0 elsewhere; empty rows stay 0. */
export function placeScores(scores: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, positions?: ArrayLike<number>): number[] {
  const out = new Array(B * T).fill(0);
  for (let i = 0; i < B; i++) {
    let last = -1;
    for (let t = 0; t < T; t++) if (mask[i * T + t] === 1) last = t;
    const at = positions ? positions[i]! : last;
    if (at >= 0) out[i * T + at] = scores[i]!;
  }
  return out;
}

/** A rerank reference: f64 combined scores (unrounded) and their magnitudes (Σ_h |w_h term_h|). */
export interface RerankRef {
  /** Unrounded combined score per candidate (-Infinity where excluded). */
  combined: number[];
  /** Σ_h |w_h term_h| per candidate: the magnitude its f64 roundings scale with. */
  magnitude: number[];
}
/** IGPO turn rewards in f64 with the magnitude of each difference. */
export interface IgpoTurnRewardsRef {
  /** Unrounded turn rewards. */
  values: number[];
  /** |val(v_k)| + |val(v_k-1)| (the answer turn: |its reward|). */
  magnitude: number[];
}
/** Best-of-N combined scores of docs/kernels.md#rerank, in f64 from the definitions; -Infinity where excluded. */
export function rerankCombined(scores: ArrayLike<number>, P: number, N: number, K: number, o: {
  combine: "weightedSum" | "logSigmoid" | "par"; weights: ArrayLike<number>; valid?: ArrayLike<number>;
  ref?: ArrayLike<number>; refs?: ArrayLike<number>; sigmoidK?: number; maxRef?: number;
}): RerankRef {
  const combined: number[] = [], magnitude: number[] = [];
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const logSigmoid = (z: number) => -Math.log1p(Math.exp(-z)); // accurate for z >= -700; the tests stay there
  const M = o.refs ? o.refs.length / (P * K) : 0, Mp = Math.min(M, o.maxRef ?? 10), k = o.sigmoidK ?? 1;
  for (let p = 0; p < P; p++) for (let c = 0; c < N; c++) {
    const j = p * N + c;
    if (o.valid && !o.valid[j]) { combined.push(-Infinity); magnitude.push(0); continue; }
    let acc = 0, mag = 0;
    for (let h = 0; h < K; h++) {
      const s = scores[j * K + h]!;
      let term: number;
      if (o.combine === "weightedSum") term = s;
      else if (o.combine === "logSigmoid") term = logSigmoid(s - o.ref![(o.ref!.length === K ? 0 : p * K) + h]!);
      else { let q = 0; for (let m = 0; m < Mp; m++) q += sigmoid(k * (s - o.refs![(p * M + m) * K + h]!)); term = Mp ? q / Mp : 0; }
      acc += o.weights[h]! * term; mag += Math.abs(o.weights[h]! * term);
    }
    combined.push(acc); magnitude.push(mag);
  }
  return { combined, magnitude };
}

/** IGPO turn rewards: information gains val(v_k) - val(v_{k-1}) from v0, the answer turn gets weight * outcome. */
export function igpoTurnRewards(v0: ArrayLike<number>, vTurn: ArrayLike<number>, turnOffsets: ArrayLike<number>, outcome: ArrayLike<number>, mode: "prob" | "logProb", weight: number): IgpoTurnRewardsRef {
  const val = (x: number) => (mode === "prob" ? Math.exp(x) : x);
  const values = new Array(vTurn.length).fill(0), magnitude = new Array(vTurn.length).fill(0);
  for (let i = 0; i + 1 < turnOffsets.length; i++) {
    let prev = v0[i]!;
    for (let k = turnOffsets[i]!; k < turnOffsets[i + 1]!; k++) {
      if (k === turnOffsets[i + 1]! - 1) { values[k] = weight * outcome[i]!; magnitude[k] = Math.abs(values[k]); continue; }
      values[k] = val(vTurn[k]!) - val(prev); magnitude[k] = Math.abs(val(vTurn[k]!)) + Math.abs(val(prev));
      prev = vTurn[k]!;
    }
  }
  return { values, magnitude };
}
