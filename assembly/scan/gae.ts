import { rowStart, rowEnd } from "../rows";

// Reverse scans with f64 state (spec scan.md §4, §6), one row at a time.
//
// Each kernel writes its f32 outputs and, when `mom` != 0, the whitening statistics of the scanned
// value (GAE's raw advantage, or the return) as an f64 record [count, mean, M2]: every row's
// values are kept in the f64 row buffer `buf` (>= the longest row), reduced there with the
// two-pass centred formulas, and the per-row records are merged in row order (Chan et al., as
// for distributed ranks, scan.md §5). The batch statistic therefore sees the unrounded f64
// values, without an f64 token-sized intermediate.

@inline function merge(mom: usize, n: f64, mean: f64, m2: f64): void {
  if (n == 0) return;
  const N = load<f64>(mom);
  if (N == 0) { store<f64>(mom, n); store<f64>(mom, mean, 8); store<f64>(mom, m2, 16); return; }
  const tot = N + n, M = load<f64>(mom, 8);
  const d = mean - M;
  store<f64>(mom, tot);
  store<f64>(mom, M + d * (n / tot), 8);
  store<f64>(mom, load<f64>(mom, 16) + m2 + d * d * ((N * n) / tot), 16);
}

@inline function mergeRow(buf: usize, n: i32, sum: f64, mom: usize): void {
  if (n == 0) return;
  const nf = <f64>n, mean = sum / nf;
  let m2: f64 = 0;
  for (let k = 0; k < n; k++) { const d = load<f64>(buf + (<usize>k << 3)) - mean; m2 += d * d; }
  merge(mom, nf, mean, m2);
}

@inline function isValid(mask: usize, t: i32, v: i32): bool {
  return t < v && (mask == 0 || load<u8>(mask + <usize>t) != 0);
}

// GAE. mode 0 = skip (verl): a masked position is invisible. mode 1 = through (OpenRLHF, TRL):
// it takes part with reward 0 and value 0 and costs a discount step.
//   raw_t = A_t at valid t; returns_t = raw_t + V_t at valid t; +0 elsewhere.
// Returns the first flat index whose f32 output is not finite, or -1.
export function gae_f32(
  r: usize, V: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32,
  gamma: f64, lam: f64, through: i32, rawOut: usize, retOut: usize, buf: usize, mom: usize,
): i32 {
  const gl = gamma * lam;
  let bad = -1;
  if (mom) { store<f64>(mom, 0); store<f64>(mom, 0, 8); store<f64>(mom, 0, 16); }
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = lens ? s + load<i32>(lens + (<usize>i << 2)) : e;
    let A: f64 = 0, nv: f64 = 0, sum: f64 = 0;
    let n = 0;
    for (let t = e - 1; t >= s; t--) {
      const o = <usize>t << 2;
      let raw: f32 = 0, ret: f32 = 0;
      if (isValid(mask, t, v)) {
        const vt = <f64>load<f32>(V + o);
        A = (<f64>load<f32>(r + o) + gamma * nv - vt) + gl * A;
        nv = vt;
        raw = <f32>A + 0;
        ret = <f32>(A + vt) + 0;
        if (bad < 0 && !(isFinite<f32>(raw) && isFinite<f32>(ret))) bad = t;
        if (mom) { store<f64>(buf + (<usize>n << 3), A); sum += A; n++; }
      } else if (through) {
        // r' = V' = 0 here: delta = gamma*V'_{t+1}, and the next position sees V' = 0.
        A = gamma * nv + gl * A;
        nv = 0;
      }
      store<f32>(rawOut + o, raw);
      store<f32>(retOut + o, ret);
    }
    if (mom) mergeRow(buf, n, sum, mom);
  }
  return bad;
}

// Discounted returns. mode 0 = carry (newest verl): a masked position is skipped (its reward
// dropped, the return carried). 1 = through (OpenRLHF): R = m*r + gamma*R. 2 = reset (old verl):
// the return restarts after a masked span.
export function discounted_returns_f32(
  r: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32,
  gamma: f64, mode: i32, retOut: usize, buf: usize, mom: usize,
): i32 {
  let bad = -1;
  if (mom) { store<f64>(mom, 0); store<f64>(mom, 0, 8); store<f64>(mom, 0, 16); }
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = lens ? s + load<i32>(lens + (<usize>i << 2)) : e;
    let R: f64 = 0, sum: f64 = 0;
    let n = 0;
    for (let t = e - 1; t >= s; t--) {
      const o = <usize>t << 2;
      let ret: f32 = 0;
      if (isValid(mask, t, v)) {
        R = <f64>load<f32>(r + o) + gamma * R;
        ret = <f32>R + 0;
        if (bad < 0 && !isFinite<f32>(ret)) bad = t;
        if (mom) { store<f64>(buf + (<usize>n << 3), R); sum += R; n++; }
      } else if (mode == 1) R = gamma * R;
      else if (mode == 2) R = 0;
      store<f32>(retOut + o, ret);
    }
    if (mom) mergeRow(buf, n, sum, mom);
  }
  return bad;
}
