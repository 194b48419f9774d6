// Float64 references of the token-level parts used by the group family, on the padded layout
// (a packed batch is checked by comparing the library's packed and padded results).
import { grpo, meanBaseline, membersOf, mean, rloo, ReferenceError, type RowResult } from "./group.js";

/** out[i,t] = a_i where mask = 1, +0 elsewhere; values rounded once to f32. */
export function broadcast(a: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number): Float32Array {
  const out = new Float32Array(B * T);
  for (let i = 0; i < B; i++) for (let t = 0; t < T; t++) if (mask[i * T + t] === 1) out[i * T + t] = a[i]! + 0;
  return out;
}

/** Valid tokens per row of a padded mask. */
export function rowLengths(mask: ArrayLike<number>, B: number, T: number): number[] {
  const L = new Array(B).fill(0);
  for (let i = 0; i < B; i++) for (let t = 0; t < T; t++) if (mask[i * T + t] === 1) L[i]++;
  return L;
}

/** ReMax (docs/kernels.md#remax): reward-to-go over valid rewards minus the baseline; unrounded f64. */
/** ReMax's oracle result. */
export interface RemaxRef {
  /** Reward-to-go per token. */
  returns: number[];
  /** Returns minus the baseline per token. */
  advantages: number[];
  /** Cancellation magnitude per token. */
  kappa: number[];
  /** Reduction sensitivity per token. */
  sens: number[];
}
/** ReMax: reward-to-go of the valid rewards minus the greedy baseline. */
export function remax(r: ArrayLike<number>, mask: ArrayLike<number>, b: ArrayLike<number>, B: number, T: number): RemaxRef {
  const returns = new Array(B * T).fill(0), advantages = new Array(B * T).fill(0), sens = new Array(B * T).fill(0);
  for (let i = 0; i < B; i++) {
    let R = 0, S = 0;
    for (let t = T - 1; t >= 0; t--) {
      if (mask[i * T + t] !== 1) continue;
      R += r[i * T + t]!; S += Math.abs(r[i * T + t]!);
      returns[i * T + t] = R; advantages[i * T + t] = R - b[i]!; sens[i * T + t] = S;
    }
  }
  return { returns, advantages, kappa: Array.from({ length: B * T }, (_, k) => Math.abs(b[Math.floor(k / T)]!)), sens };
}

/** The OpenRLHF pipeline's knobs, all given. */
export interface OrlOpts {
  /** The estimator. */
  estimator: "group_norm" | "rloo" | "dr_grpo" | "reinforce_baseline" | "reinforce";
  /** KL coefficient. */
  klCoef: number;
  /** A negative coefficient: kept or 0. */
  klCoefNegative: "keep" | "zero";
  /** Clip of the shaped reward. */
  rewardClip: readonly [number, number] | null;
  /** Discount. */
  gamma: number;
  /** Centre only. */
  noStdNorm: boolean;
  /** group_norm eps. */
  eps: number;
  /** Whitening variance kind. */
  whitenVariance: "unbiased" | "biased";
  /** Whitening eps. */
  whitenEps: number;
  /** Whitening eps placement. */
  whitenEpsMode: "add" | "max";
}
/** The OpenRLHF pipeline's oracle result. */
export interface OrlRef {
  /** Token advantages. */
  advantages: number[];
  /** Token returns. */
  returns: number[];
  /** Shaped scalar rewards per row. */
  shapedRewards: number[];
  /** Cancellation magnitude per token. */
  kappa: number[];
  /** Reduction sensitivity of the returns per token. */
  sens: number[];
  /** Reduction sensitivity of the normalised advantages per token. */
  advSens: number[];
  /** Valid tokens. */
  count: number;
}

/** OpenRLHF compute_advantages_and_returns (docs/kernels.md#openrlhfoutcome) on consecutive groups of n. */
export function openrlhfOutcome(rewards: ArrayLike<number>, mask: ArrayLike<number>, kl: ArrayLike<number> | null, B: number, T: number, n: number, o: OrlOpts): OrlRef {
  const ids = Array.from({ length: B }, (_, i) => Math.floor(i / n));
  const G = B / n;
  if (o.estimator !== "reinforce") for (const rows of membersOf(ids, G)) if (rows.length < 2) throw new ReferenceError("GROUP_TOO_SMALL", "n must be > 1");
  let shaped: RowResult;
  if (o.estimator === "rloo") shaped = rloo(rewards, ids, G, { singleton: "error" });
  else if (o.estimator === "group_norm") shaped = grpo(rewards, ids, G, { eps: o.eps, epsMode: "std", stdKind: "unbiased", stdScope: "group", normalizeByStd: true, singleton: "error" });
  else if (o.estimator === "reinforce") shaped = { a: Array.from(rewards), kappa: new Array(B).fill(0), sens: new Array(B).fill(0), n: new Array(B).fill(1) };
  else shaped = meanBaseline(rewards, ids, G, "error");
  // The shaped reward is a float32 tensor upstream and in the library.
  const r = shaped.a.map((v) => Math.fround(o.rewardClip ? Math.min(Math.max(v, o.rewardClip[0]), o.rewardClip[1]) : v));
  const gamma = o.estimator === "reinforce" ? o.gamma : 1;
  const klCoef = o.klCoefNegative === "zero" ? Math.max(o.klCoef, 0) : o.klCoef;
  const returns = new Array(B * T).fill(0), sens = new Array(B * T).fill(0);
  for (let i = 0; i < B; i++) {
    let last = -1;
    for (let t = 0; t < T; t++) if (mask[i * T + t] === 1) last = t;
    let R = 0, S = 0;
    for (let t = T - 1; t >= 0; t--) {
      const m = mask[i * T + t] === 1 ? 1 : 0;
      const reward = m ? -klCoef * (kl ? kl[i * T + t]! : 0) + (t === last ? r[i]! : 0) : 0;
      R = reward + gamma * R; S = Math.abs(reward) + gamma * S;
      if (m) { returns[i * T + t] = R; sens[i * T + t] = S; }
    }
  }
  let advantages = returns.slice(), kappa = new Array(B * T).fill(0), advSens = sens.slice(), count = T;
  if (o.estimator === "reinforce" || o.estimator === "reinforce_baseline") {
    const vals: number[] = [];
    for (let k = 0; k < B * T; k++) if (mask[k] === 1) vals.push(returns[k]);
    const need = o.whitenVariance === "unbiased" ? 2 : 1;
    if (vals.length < need) throw new ReferenceError("TOO_FEW_VALID", "whitening");
    const mu = mean(vals);
    let m2 = 0;
    for (const v of vals) m2 += (v - mu) * (v - mu);
    const v = o.whitenVariance === "unbiased" ? m2 / (vals.length - 1) : m2 / vals.length;
    const rstd = o.noStdNorm ? 1 : o.whitenEpsMode === "add" ? 1 / Math.sqrt(v + o.whitenEps) : 1 / Math.sqrt(Math.max(v, o.whitenEps));
    advantages = returns.map((x, k) => (mask[k] === 1 ? (x - mu) * rstd : 0));
    kappa = kappa.map(() => Math.abs(mu) * rstd);
    // The batch statistics sum every valid return: S = Σ|R|*rstd over vals.length terms.
    const S = vals.reduce((acc, x) => acc + Math.abs(x), 0) * rstd;
    advSens = advSens.map(() => S);
    count = vals.length;
  }
  return { advantages, returns, shapedRewards: r, kappa, sens, advSens, count };
}
