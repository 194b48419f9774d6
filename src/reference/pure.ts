// Float64 references of PURE (docs/kernels.md#pure), padded [B,T] with 0/1 masks.

/** PURE's PRM step reward tanh((l1 - l0) / 2). */
export const prmStepReward = (l0: number, l1: number) => Math.tanh((l1 - l0) / 2);

/** Softmin weights over the step positions of each row (token form). */
export function softminTokens(x: ArrayLike<number>, stepMask: ArrayLike<number>, B: number, T: number, temperature: number, uniform: boolean): number[] {
  const out = new Array(B * T).fill(0);
  for (let i = 0; i < B; i++) {
    const ks: number[] = [];
    for (let t = 0; t < T; t++) if (stepMask[i * T + t] === 1) ks.push(i * T + t);
    if (ks.length === 0) continue;
    const z = ks.map((k) => -x[k]! / temperature);
    const zmax = Math.max(...z);
    const e = z.map((v) => Math.exp(v - zmax));
    const Z = e.reduce((a, b) => a + b, 0);
    ks.forEach((k, j) => { out[k] = (uniform ? 1 / ks.length : e[j]! / Z) * x[k]!; });
  }
  return out;
}

/** verl-branch strict min-form: reverse running minimum of r*m over all T columns, at valid t. */
export function minFormVerlCompat(r: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number): number[] {
  const out = new Array(B * T).fill(0);
  for (let i = 0; i < B; i++) {
    let m = Infinity;
    for (let t = T - 1; t >= 0; t--) {
      const k = i * T + t, u = mask[k] === 1 ? r[k]! : 0;
      m = Math.min(m, u);
      if (mask[k] === 1) out[k] = m;
    }
  }
  return out;
}

/** The paper's min-form over steps: min of the step rewards ending at or after t; 0 after the last. */
export function minFormSteps(values: ArrayLike<number>, stepOffsets: ArrayLike<number>, stepEnds: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number): number[] {
  const out = new Array(B * T).fill(0);
  for (let i = 0; i < B; i++) for (let t = 0; t < T; t++) {
    if (mask[i * T + t] !== 1) continue;
    let m = Infinity;
    for (let k = stepOffsets[i]!; k < stepOffsets[i + 1]!; k++) if (stepEnds[k]! >= t) m = Math.min(m, values[k]!);
    out[i * T + t] = m === Infinity ? 0 : m;
  }
  return out;
}

/** PURE "return" baseline: b_i = Σ_{j≠i in g} Σ_t ret_j / ((n-1) W); out = ret - b_i at valid t. */
/** PURE's return-mode leave-one-out result. */
export interface PureRlooRef {
  /** Returns minus the baseline per token. */
  out: number[];
  /** The baseline per row. */
  b: number[];
}
/** PURE's leave-one-out baseline in return mode (the verl branch). */
export function pureRlooReturn(ret: ArrayLike<number>, mask: ArrayLike<number>, ids: ArrayLike<number>, G: number, B: number, T: number): PureRlooRef {
  const rowSum = Array.from({ length: B }, (_, i) => { let s = 0; for (let t = 0; t < T; t++) if (mask[i * T + t] === 1) s += ret[i * T + t]!; return s; });
  const S = new Array(G).fill(0), n = new Array(G).fill(0);
  for (let i = 0; i < B; i++) { S[ids[i]!] += rowSum[i]!; n[ids[i]!]++; }
  const b = Array.from({ length: B }, (_, i) => (n[ids[i]!] > 1 ? (S[ids[i]!] - rowSum[i]!) / ((n[ids[i]!] - 1) * T) : 0));
  const out = Array.from(ret, (v, k) => (mask[k] === 1 ? v - b[Math.floor(k / T)]! : 0));
  return { out, b };
}
