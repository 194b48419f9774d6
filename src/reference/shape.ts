// Float64 references of docs/shapers.md, written for reading: plain loops over number arrays, no
// wasm. Each returns unrounded f64 values; tests compare the kernels' f32 outputs against them.

// Φ⁻¹ for the oracle, by another method than the library's rational approximation: bisection on
// the normal tail, itself a Taylor series near 0 and Laplace's continued fraction beyond 3.
const density = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
/** Upper tail Q(z) = 1 - Φ(z) for z >= 0. */
function upperTail(z: number): number {
  if (z < 3) {
    let term = z, sum = z;
    for (let n = 1; n < 300 && Math.abs(term) > 1e-18 * Math.abs(sum); n++) { term *= (z * z) / (2 * n + 1); sum += term; }
    return 0.5 - density(z) * sum;
  }
  let f = z;
  for (let k = 120; k >= 1; k--) f = z + k / f;
  return density(z) / f;
}
/** Φ⁻¹(p), p in (0, 1). */
export function phiInvRef(p: number): number {
  if (p === 0.5) return 0;
  const tail = p < 0.5 ? p : 1 - p;
  let lo = 0, hi = 40;
  for (let it = 0; it < 200 && hi - lo > 0; it++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (upperTail(mid) > tail) lo = mid; else hi = mid;
  }
  const z = (lo + hi) / 2;
  return p < 0.5 ? -z : z;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
/** log σ(z), stable: min(z, 0) - log1p(exp(-|z|)). */
export const logSigmoidRef = (z: number) => Math.min(z, 0) - Math.log1p(Math.exp(-Math.abs(z)));

/** Reference rewards of row i (CSR). */
const rowRefs = (values: ArrayLike<number>, offsets: ArrayLike<number>, i: number) => Array.from({ length: offsets[i + 1]! - offsets[i]! }, (_, m) => values[offsets[i]! + m]!);

/** An oracle's values with the cancellation magnitude of each (the kappa of the oracle tolerance). */
export interface ValuesWithKappa {
  /** Unrounded f64 values. */
  y: number[];
  /** The largest |intermediate| of each value's formula. */
  kappa: number[];
}
/** Kimi's oracle outputs. */
export interface KimiOracle {
  /** lambda per row. */
  lambda: number[];
  /** The length term per row. */
  len: number[];
  /** base + weight * len. */
  reward: number[];
  /** |base| + |weight| (0.5 + |ratio|). */
  kappa: number[];
}
/** LASER's oracle outputs. */
export interface LaserOracle {
  /** base + term. */
  scores: number[];
  /** The length term. */
  terms: number[];
  /** The target each row was compared with. */
  targets: number[];
}
/** GUI-G²'s oracle outputs. */
export interface GuiG2Oracle {
  /** Point rewards. */
  point: number[];
  /** Coverage rewards. */
  coverage: number[];
  /** nu*point + gammaCov*coverage. */
  total: number[];
}
/** One BCO batch of the oracle. */
export interface BcoOracle {
  /** The shift after the batch. */
  delta: number;
  /** Loss per pair. */
  loss: number[];
  /** Chosen rewards. */
  chosen: number[];
  /** Rejected rewards. */
  rejected: number[];
  /** |r_w| + |r_l| + 2|delta| per pair. */
  kappa: number[];
}
/** GRPO-λ's oracle outputs. */
export interface GrpoLambdaOracle {
  /** Shaped rewards. */
  rewards: number[];
  /** Selected group ids, most accurate first. */
  selected: number[];
  /** Kimi's kappa per row. */
  kappa: number[];
}
/** VeRPO's oracle outputs. */
export interface VerpoOracle {
  /** Rglobal + localWeight * Rlocal. */
  rewards: number[];
  /** Rlocal. */
  local: number[];
  /** Rglobal. */
  global: number[];
}
/** ROVER's oracle outputs. */
export interface RoverOracle {
  /** Q-values. */
  q: number[];
  /** Next-position Q. */
  nextQ: number[];
  /** Regression targets. */
  target: number[];
}
/** G-RA's oracle outputs. */
export interface GatedOracle {
  /** Gated token rewards. */
  tok: number[];
  /** Row rewards. */
  rows: number[];
}

/** State of PAR's running statistics: {n, mean, M2, min, max}. */
export interface StatsRef {
  /** Observations. */
  n: number;
  /** Their mean. */
  mean: number;
  /** Sum of squared deviations. */
  M2: number;
  /** Smallest observation. */
  min: number;
  /** Largest observation. */
  max: number;
}
/** The initial state: n 0, mean 0, M2 0, min +Infinity, max -Infinity. */
export const newStatsRef = (): StatsRef => ({ n: 0, mean: 0, M2: 0, min: Infinity, max: -Infinity });
/** PAR's update: batch mean and population variance, then the Chan merge. */
export function statsUpdateRef(s: StatsRef, x: number[]): void {
  const b = x.length;
  if (b === 0) return;
  const mb = x.reduce((p, v) => p + v, 0) / b;
  const vb = x.reduce((p, v) => p + (v - mb) ** 2, 0) / b;
  const d = mb - s.mean, n1 = s.n + b;
  s.M2 += vb * b + d * d * s.n * b / n1;
  s.mean += d * b / n1;
  s.n = n1;
  s.min = Math.min(s.min, ...x); s.max = Math.max(s.max, ...x);
}
const statsStd = (s: StatsRef) => Math.sqrt(s.n > 1 ? s.M2 / s.n : 0);

/** LSC's reference reward of one row's samples: mean + (sd + 1e-5) Φ⁻¹(q), sd with n - 1 (0 for one). */
export function lscRefReward(refs: number[], q: number): number {
  const n = refs.length, mean = refs.reduce((p, v) => p + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(refs.reduce((p, v) => p + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return mean + (sd + 1e-5) * phiInvRef(q);
}

/**
 * PAR's pipeline, steps in PAR's order; `stats` is updated in place. `kappa` per row: the largest
 * |intermediate| the row's formula touched (its values after each step, its references, the
 * statistics it was normalised by), the cancellation magnitude of the oracle tolerance.
 */
export function parShapeRef(r: ArrayLike<number>, o: {
  refs?: { values: ArrayLike<number>; offsets: ArrayLike<number> }; lengths?: ArrayLike<number>; stats?: StatsRef;
  ceil?: number | null; lengthPenalty?: boolean; lengthThreshold?: number; lengthCoef?: number; centered?: boolean; sgfc?: boolean;
  meanstd?: boolean; clipping?: boolean; minmax?: boolean; sigmoid?: boolean; tanh?: boolean; lsc?: boolean; relative?: boolean;
  sigmoidK?: number; maxRef?: number; q?: number;
}): ValuesWithKappa {
  const k = o.sigmoidK ?? 1, maxRef = o.maxRef ?? 10, rel = o.relative ?? true, B = r.length;
  let x = Array.from(r, Number);
  const kappa = x.map(Math.abs);
  const seen = (v: number, i: number) => { kappa[i] = Math.max(kappa[i]!, Math.abs(v)); return v; };
  if (o.refs) for (let i = 0; i < B; i++) for (const v of rowRefs(o.refs.values, o.refs.offsets, i)) seen(v, i);
  const refs = (i: number, all = false) => { const v = rowRefs(o.refs!.values, o.refs!.offsets, i); return all ? v : v.slice(0, maxRef); };
  const meanOver = (i: number, f: (ref: number) => number) => { const v = refs(i); return v.reduce((p, ref) => p + f(ref), 0) / v.length; };
  const ceil = o.ceil ?? null;
  if (ceil !== null) x = x.map((v) => Math.min(v, ceil));
  x.forEach(seen);
  if (o.lengthPenalty) { const th = o.lengthThreshold ?? 300, c = o.lengthCoef ?? 0.01; x = x.map((v, i) => (o.lengths![i]! > th ? v - c * (o.lengths![i]! - th) : v)); }
  x.forEach(seen);
  if (o.centered) x = x.map((v, i) => meanOver(i, (ref) => v - ref));
  x.forEach(seen);
  if (o.sgfc) x = x.map((v, i) => meanOver(i, (ref) => sigmoid(k * (v - 3 - ref))));
  x.forEach(seen);
  if (o.meanstd) { statsUpdateRef(o.stats!, x); const sd = statsStd(o.stats!); x.forEach((_, i) => seen(o.stats!.mean, i)); x = x.map((v) => (v - o.stats!.mean) / (sd > 0 ? sd : 1)); }
  x.forEach(seen);
  if (o.clipping) { statsUpdateRef(o.stats!, x); const sd = statsStd(o.stats!), m = o.stats!.mean; x = x.map((v) => Math.min(Math.max(v, m - sd), m + sd)); }
  if (ceil !== null) x = x.map((v) => Math.min(v, ceil));
  x.forEach(seen);
  if (o.minmax) { statsUpdateRef(o.stats!, x); const s = o.stats!; x.forEach((_, i) => { seen(s.min, i); seen(s.max, i); }); x = x.map((v) => (s.max === s.min ? 0 : (v - s.min) / (s.max - s.min))); }
  x.forEach(seen);
  if (o.sigmoid) x = x.map((v, i) => (rel ? meanOver(i, (ref) => sigmoid(k * (v - ref))) : sigmoid(k * v)));
  x.forEach(seen);
  if (o.tanh) x = x.map((v, i) => (rel ? meanOver(i, (ref) => Math.tanh(v - ref)) : Math.tanh(v)));
  x.forEach(seen);
  if (o.lsc) x = x.map((v, i) => logSigmoidRef(v - seen(lscRefReward(refs(i, true), o.q ?? 0.85), i)));
  x.forEach(seen);
  return { y: x, kappa };
}

/** Kimi k1.5: lambda, the length term, and its sensitivity |base| + |w| (0.5 + |ratio|). */
export function kimiRef(L: ArrayLike<number>, correct: ArrayLike<number>, ids: ArrayLike<number>, o: { eps?: number; singleton?: "zero" | "laserCompat"; eligible?: ArrayLike<number>; base?: ArrayLike<number>; weight?: number }): KimiOracle {
  const eps = o.eps ?? 1e-6, w = o.weight ?? 1, B = L.length;
  const lambda: number[] = [], len: number[] = [], reward: number[] = [], kappa: number[] = [];
  for (let i = 0; i < B; i++) {
    const members = Array.from({ length: B }, (_, j) => j).filter((j) => ids[j] === ids[i]);
    let lo = Math.min(...members.map((j) => L[j]!)), hi = Math.max(...members.map((j) => L[j]!));
    if (o.singleton === "laserCompat" && members.length === 1) { lo = 0; hi = 1; }
    const ratio = hi === lo ? 0 : (L[i]! - lo) / (hi - lo + eps);
    const lam = hi === lo ? 0 : 0.5 - ratio;
    const t = o.eligible && !o.eligible[i] ? 0 : correct[i] ? lam : Math.min(0, lam);
    lambda.push(lam); len.push(t);
    reward.push((o.base ? o.base[i]! : 0) + w * t);
    kappa.push((o.base ? Math.abs(o.base[i]!) : 0) + Math.abs(w) * (0.5 + Math.abs(ratio)));
  }
  return { lambda, len, reward, kappa };
}

/** LASER, D and DE: score, length term and target per row. */
export function laserRef(status: ArrayLike<number>, L: ArrayLike<number>, ids: ArrayLike<number> | null, o: {
  alpha?: number; mode?: "reward" | "penalty" | "hybrid"; baseScores?: { correct: number; wrong: number; invalid: number };
  variant?: "laser" | "d" | "de"; targetLength?: number; bandTargets?: { low: number; medium: number; high: number }; repetitive?: ArrayLike<number>;
}): LaserOracle {
  const alpha = o.alpha ?? 0.5, mode = o.mode ?? "reward", bs = o.baseScores ?? { correct: 1, wrong: -0.5, invalid: -1 }, variant = o.variant ?? "laser";
  const scores: number[] = [], terms: number[] = [], targets: number[] = [];
  for (let i = 0; i < status.length; i++) {
    let LT = o.targetLength ?? 8192;
    if (variant !== "laser") {
      let n = 0, c = 0;
      for (let j = 0; j < status.length; j++) if (ids![j] === ids![i]) { n++; if (status[j] === 1) c++; }
      const acc = c / n;
      LT = acc >= 2 / 3 ? o.bandTargets!.high : acc >= 1 / 3 ? o.bandTargets!.medium : o.bandTargets!.low;
    }
    const s = status[i], base = s === 1 ? bs.correct : s === 0 ? bs.wrong : bs.invalid;
    let t = 0;
    if (s === 1) {
      if (variant === "de" || mode === "reward") t = L[i]! <= LT ? alpha : 0;
      else if (mode === "penalty") t = L[i]! > LT ? -alpha : 0;
      else t = L[i]! <= LT ? alpha : -alpha;
    } else if (s === 0 && variant === "de" && L[i]! > LT && !(o.repetitive && o.repetitive[i])) t = alpha;
    scores.push(base + t); terms.push(t); targets.push(LT);
  }
  return { scores, terms, targets };
}

/** HAPO's length term; h per row (null = no history). */
export function hapoRef(L: ArrayLike<number>, correct: ArrayLike<number>, h: (number | null)[], o: { type?: "cosine" | "linear"; correctFloor?: number; tau?: number; wrongFloor?: number }): number[] {
  const cf = o.correctFloor ?? -0.7, tau = o.tau ?? 0.1, wf = o.wrongFloor ?? -1;
  return Array.from(L, (l, i) => {
    const H = h[i];
    if (H === null || H === undefined || H === 0 || H >= 100000) return 0;
    if ((o.type ?? "cosine") === "cosine") {
      const f = l < 2 * H ? Math.cos((l / H) * Math.PI / 2) : -1;
      return correct[i] ? Math.max(f, cf) : Math.min(f, 0);
    }
    const edge = (1 + tau) * H;
    if (correct[i]) return l < H ? 1 - l / H : l < edge ? 0 : Math.max(cf, -(l - edge) / H);
    return l < edge ? 0 : Math.max(wf, -(l - edge) / H);
  });
}

/** DAPO's overlong penalty. */
export function overlongRef(r: ArrayLike<number>, L: ArrayLike<number>, maxNew: number, buf: number, factor = 1): number[] {
  return Array.from(r, (v, i) => { const ex = Math.min(L[i]! - (maxNew - buf), buf); return buf > 0 && ex > 0 ? v - ex / buf * factor : v; });
}
/** ProRL's stop-properly penalty. */
export function stopProperlyRef(r: ArrayLike<number>, truncated: ArrayLike<number>, coef: number): number[] {
  return Array.from(r, (v, i) => (truncated[i] ? (coef >= 0 ? v * coef : coef) : v));
}

/** GUI-G²: point, coverage, total per box. */
export function guiG2Ref(pred: ArrayLike<number>, gt: ArrayLike<number>, o: { alpha?: number; nu?: number; gammaCov?: number; eps?: number } = {}): GuiG2Oracle {
  const alpha = o.alpha ?? 0.5, nu = o.nu ?? 1, gc = o.gammaCov ?? 1, eps = o.eps ?? 1e-8;
  const point: number[] = [], coverage: number[] = [], total: number[] = [];
  for (let i = 0; i < gt.length / 4; i++) {
    const [a1, b1, a2, b2] = [0, 1, 2, 3].map((k) => pred[4 * i + k]!) as [number, number, number, number];
    const [g1, h1, g2, h2] = [0, 1, 2, 3].map((k) => gt[4 * i + k]!) as [number, number, number, number];
    const cp = [(a1 + a2) / 2, (b1 + b2) / 2], cg = [(g1 + g2) / 2, (h1 + h2) / 2];
    const sp = [alpha * (a2 - a1), alpha * (b2 - b1)], sg = [alpha * (g2 - g1), alpha * (h2 - h1)];
    const pt = Math.exp(-0.5 * ((cp[0]! - cg[0]!) ** 2 / sg[0]! ** 2 + (cp[1]! - cg[1]!) ** 2 / sg[1]! ** 2));
    const sd = [0, 1].map((d) => (sp[d]! ** 2 + sg[d]! ** 2) / 2);
    const t1 = (1 / 8) * [0, 1].reduce((p, d) => p + (cp[d]! - cg[d]!) ** 2 / (sd[d]! + eps), 0);
    const t2 = 0.5 * Math.log((sd[0]! * sd[1]!) / Math.sqrt(sp[0]! ** 2 * sp[1]! ** 2 * sg[0]! ** 2 * sg[1]! ** 2 + eps));
    const cov = Math.exp(-(t1 + t2));
    point.push(pt); coverage.push(cov); total.push(nu * pt + gc * cov);
  }
  return { point, coverage, total };
}

/** BCO over batches: {count, mean} state; per batch the shift and the losses, with a loss sensitivity. */
export function bcoRef(state: { count: number; mean: number }, pc: ArrayLike<number>, pr: ArrayLike<number>, rc: ArrayLike<number>, rr: ArrayLike<number>, beta: number): BcoOracle {
  const P = pc.length, a = Array.from({ length: P }, (_, i) => beta * (pc[i]! - rc[i]!)), b = Array.from({ length: P }, (_, i) => beta * (pr[i]! - rr[i]!));
  const m = (a.reduce((p, v) => p + v, 0) + b.reduce((p, v) => p + v, 0)) / (2 * P);
  state.count += 1;
  state.mean += (m - state.mean) / state.count;
  const d = state.mean;
  const loss = a.map((x, i) => -logSigmoidRef(x - d) - logSigmoidRef(-(b[i]! - d)));
  const kappa = a.map((x, i) => Math.abs(x) + Math.abs(b[i]!) + 2 * Math.abs(d));
  return { delta: d, loss, chosen: a, rejected: b, kappa };
}

/** Members of each group (row indices ascending), keyed by group id. */
function members(ids: ArrayLike<number>): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (let i = 0; i < ids.length; i++) { const g = ids[i]!; if (!m.has(g)) m.set(g, []); m.get(g)!.push(i); }
  return m;
}
const softmax = (z: number[]) => { const mx = Math.max(...z), e = z.map((v) => Math.exp(v - mx)), s = e.reduce((p, v) => p + v, 0); return e.map((v) => v / s); };

/** DRPO coefficients. */
export function drpoRef(r: ArrayLike<number>, meanLogp: ArrayLike<number>, L: ArrayLike<number>, ids: ArrayLike<number>, width: number, lambda = 0.1, tau = 10): number[] {
  const out = new Array<number>(r.length).fill(0), groups = members(ids), Q = groups.size;
  for (const rows of groups.values()) {
    const P = rows.filter((i) => r[i] === 1), Nn = rows.filter((i) => r[i] !== 1);
    if (!P.length || !Nn.length) continue;
    softmax(P.map((i) => (1 - L[i]! / width) / lambda)).forEach((w, k) => { out[P[k]!] = w / Q; });
    softmax(Nn.map((i) => meanLogp[i]! / tau)).forEach((w, k) => { out[Nn[k]!] = -w / Q; });
  }
  return out;
}

/** CANON advantages; kappa per row: the largest |term| of its formula. */
export function canonRef(s: ArrayLike<number>, metric: ArrayLike<number>, ids: ArrayLike<number>, o: { variant?: "entropy" | "length"; alpha?: number; beta?: number; lambda?: number; maxLength?: number; singleton?: "raw" | "zero" }): ValuesWithKappa {
  const al = o.alpha ?? 1, be = o.beta ?? 0, la = o.lambda ?? 1, ml = o.maxLength ?? 8192, ent = (o.variant ?? "entropy") === "entropy";
  const y = new Array<number>(s.length).fill(0), kappa = new Array<number>(s.length).fill(0);
  for (const rows of members(ids).values()) {
    const sorted = [...rows].sort((a, b) => metric[a]! - metric[b]! || a - b), h = Math.floor(rows.length / 2);
    const low = sorted.slice(0, h), high = sorted.slice(h), mean = (xs: number[]) => (xs.length ? xs.reduce((p, i) => p + s[i]!, 0) / xs.length : 0);
    let muLow = mean(low), muHigh = mean(high);
    if (rows.length === 1) { muLow = 0; muHigh = 0; if (o.singleton === "zero") continue; }
    for (const i of rows) {
      const v = s[i]!, isHigh = high.includes(i);
      const t = isHigh
        ? (ent ? [la * (v - al * muLow + be), (1 - la) * (v - muHigh)] : [la * (al * v - muLow + be), (1 - la) * (v - muHigh)])
        : (ent ? [la * (al * v - muHigh - be), (1 - la) * (v - muLow)] : [la * (v - al * muHigh - be), (1 - la) * (v - muLow)]);
      y[i] = (t[0]! + t[1]!) / ml;
      kappa[i] = (Math.abs(la) * (Math.abs(al) + 1) * (Math.abs(v) + Math.abs(muLow) + Math.abs(muHigh) + Math.abs(be)) + Math.abs(1 - la) * (Math.abs(v) + Math.abs(muLow) + Math.abs(muHigh))) / ml;
    }
  }
  return { y, kappa };
}

/** GRPO-λ: rewards and the selected groups. */
export function grpoLambdaRef(correct: ArrayLike<number>, L: ArrayLike<number>, ids: ArrayLike<number>, lambda: number, w: number): GrpoLambdaOracle {
  const groups = [...members(ids).entries()];
  const acc = (rows: number[]) => rows.reduce((p, i) => p + correct[i]!, 0) / rows.length;
  groups.sort((a, b) => acc(b[1]) - acc(a[1]) || a[1][0]! - b[1][0]!);
  const chosen = new Set(groups.slice(0, Math.floor(lambda * groups.length)).map((g) => g[0]));
  const k = kimiRef(L, correct, ids, { base: Array.from(correct), weight: w });
  return { rewards: Array.from(correct, (c, i) => (chosen.has(ids[i]!) ? k.reward[i]! : c)), selected: groups.slice(0, chosen.size).map((g) => g[0]), kappa: k.kappa };
}

/** VeRPO: rewards, Rlocal, Rglobal. */
export function verpoRef(pass: ArrayLike<number>, U: number, valid: ArrayLike<number> | null, ids: ArrayLike<number>, localWeight: number): VerpoOracle {
  const B = pass.length / U, local = new Array<number>(B).fill(0), global = new Array<number>(B).fill(0), rewards = new Array<number>(B).fill(0);
  const ok = (i: number, j: number) => !valid || valid[i * U + j] === 1;
  for (const rows of members(ids).values()) {
    const rho = Array.from({ length: U }, (_, j) => { const r = rows.filter((i) => ok(i, j)); return r.length ? r.reduce((p, i) => p + pass[i * U + j]!, 0) / r.length : NaN; });
    const W = rho.reduce((p, v) => (Number.isNaN(v) ? p : p + (1 - v)), 0);
    for (const i of rows) {
      let rl = 0, all = 1;
      for (let j = 0; j < U; j++) { if (!ok(i, j)) continue; if (!pass[i * U + j]) { all = 0; continue; } if (W > 0) rl += (1 - rho[j]!) / W; }
      local[i] = rl; global[i] = all; rewards[i] = all + localWeight * rl;
    }
  }
  return { rewards, local, global };
}

/** O1-pruner. */
export function o1PrunerRef(L: ArrayLike<number>, ids: ArrayLike<number>): number[] {
  const out = new Array<number>(L.length).fill(0);
  for (const rows of members(ids).values()) {
    const mean = rows.reduce((p, i) => p + L[i]!, 0) / rows.length;
    for (const i of rows) out[i] = -Math.min(Math.max((L[i]! - mean) / L[i]!, -1), 1);
  }
  return out;
}

/** ER. */
export function erLengthRef(L: ArrayLike<number>, correct: ArrayLike<number>, ids: ArrayLike<number>): number[] {
  const out = new Array<number>(L.length).fill(0);
  for (const rows of members(ids).values()) {
    const C = rows.filter((i) => correct[i]! > 0);
    if (C.length <= 1) continue;
    const mu = C.reduce((p, i) => p + L[i]!, 0) / C.length, sd = Math.sqrt(C.reduce((p, i) => p + (L[i]! - mu) ** 2, 0) / C.length);
    for (const i of rows) if (correct[i]! >= 1e-5) out[i] = -correct[i]! * 2 * (sigmoid((L[i]! - mu) / (sd + 1e-5)) - 0.5);
  }
  return out;
}

/** ROVER on a padded [B,T] batch with a 0/1 mask: q, nextQ, target (0 at masked positions). */
export function roverRef(B: number, T: number, mask: ArrayLike<number>, x: { logp: ArrayLike<number>; oldLogp: ArrayLike<number>; qLogits: ArrayLike<number>; oldQLogits: ArrayLike<number>; advantages: ArrayLike<number> },
  o: { rho?: number; nextQScale?: number; clipRatio?: number }): RoverOracle {
  const rho = o.rho ?? 1, sc = o.nextQScale ?? 1, n = B * T;
  const q = new Array<number>(n).fill(0), nextQ = new Array<number>(n).fill(0), target = new Array<number>(n).fill(0);
  for (let i = 0; i < B; i++) for (let t = 0; t < T; t++) {
    const k = i * T + t;
    if (!mask[k]) continue;
    nextQ[k] = t + 1 < T && mask[k + 1] ? rho * (x.qLogits[k + 1]! - x.oldQLogits[k + 1]!) : 0;
    target[k] = x.advantages[k]! + sc * nextQ[k]!;
    let Q = rho * (x.logp[k]! - x.oldLogp[k]!);
    if (o.clipRatio !== undefined) {
      const hi = Math.log(1 + o.clipRatio), lo = Math.log(1 - o.clipRatio);
      if (target[k]! > Q && Q > hi) Q = hi; else if (target[k]! < Q && Q < lo) Q = lo;
    }
    q[k] = Q;
  }
  return { q, nextQ, target };
}

/** G-RA on a padded [B,T] batch with a 0/1 mask. */
export function gatedRef(outcome: ArrayLike<number>, r: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, tau: number): GatedOracle {
  const tok = new Array<number>(B * T).fill(0), rows = new Array<number>(B).fill(0);
  for (let i = 0; i < B; i++) {
    const open = outcome[i]! >= tau;
    let s = 0;
    for (let t = 0; t < T; t++) if (open && mask[i * T + t]) { tok[i * T + t] = r[i * T + t]!; s += r[i * T + t]!; }
    rows[i] = outcome[i]! + s;
  }
  return { tok, rows };
}
