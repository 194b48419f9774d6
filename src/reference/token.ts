// Float64 references of token.md §6-§9 (padded [B,T], 0/1 masks), written for reading.

const rowVals = (x: ArrayLike<number>, mask: ArrayLike<number>, i: number, T: number) => {
  const v: number[] = [];
  for (let t = 0; t < T; t++) if (mask[i * T + t] === 1) v.push(x[i * T + t]!);
  return v;
};

export function likelihoodReward(l: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, mode: "sum" | "prob" | "avgProb" | "mean"): number[] {
  return Array.from({ length: B }, (_, i) => {
    const v = rowVals(l, mask, i, T), S = v.reduce((a, b) => a + b, 0);
    return mode === "sum" ? S : mode === "prob" ? Math.exp(S) : mode === "mean" ? S / v.length : v.reduce((a, b) => a + Math.exp(b), 0) / v.length;
  });
}

export function selfAlignedReward(q: ArrayLike<number>, z: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, eps = 1e-9, floor = -1): number[] {
  return Array.from({ length: B }, (_, i) => {
    const a = rowVals(q, mask, i, T), b = rowVals(z, mask, i, T);
    const pplQ = Math.exp(-a.reduce((x, y) => x + y, 0) / a.length), ppl0 = Math.exp(-b.reduce((x, y) => x + y, 0) / b.length);
    return Math.max((ppl0 - pplQ) / (ppl0 + eps), floor);
  });
}

/** PRIME advantage pipeline (token.md §6) on consecutive groups of K rows; returns unwhitened returns. */
export function primeReturns(rm: ArrayLike<number> | null, outcome: ArrayLike<number> | null, mask: ArrayLike<number>, B: number, T: number, K: number, o: { baseline: "code" | "paper"; gp: number; go: number; cp: number; co: number }): number[] {
  const L = Array.from({ length: B }, (_, i) => rowVals(mask, mask, i, T).length);
  const last = Array.from({ length: B }, (_, i) => { let l = -1; for (let t = 0; t < T; t++) if (mask[i * T + t] === 1) l = t; return l; });
  const src = (kind: "p" | "o") => {
    const val = (i: number, t: number) => (kind === "p" ? (mask[i * T + t] === 1 ? rm![i * T + t]! : 0) : t === last[i] ? outcome![i]! : 0);
    const mean = Array.from({ length: B }, (_, i) => (L[i] ? (kind === "p" ? rowVals(rm!, mask, i, T).reduce((a, b) => a + b, 0) / L[i]! : outcome![i]!) : 0));
    const G = new Array(B * T).fill(0);
    for (let i = 0; i < B; i++) {
      const g0 = Math.floor(i / K) * K;
      let S = 0;
      for (let j = g0; j < g0 + K; j++) S += mean[j]!;
      let acc = 0;
      for (let t = T - 1; t >= 0; t--) {
        const on = kind === "p" ? mask[i * T + t] === 1 : t === last[i];
        let r = 0;
        if (on) r = K === 1 ? val(i, t) : o.baseline === "code" || kind === "o" ? (val(i, t) * K) / (K - 1) - S / (K - 1) : val(i, t) - (S - mean[i]!) / (K - 1);
        acc = r + (kind === "p" ? o.gp : o.go) * acc;
        G[i * T + t] = acc;
      }
    }
    return G;
  };
  const gp = rm ? src("p") : null, go = outcome ? src("o") : null;
  return Array.from({ length: B * T }, (_, k) => (mask[k] === 1 ? o.cp * (gp ? gp[k]! : 0) + o.co * (go ? go[k]! : 0) : 0));
}
