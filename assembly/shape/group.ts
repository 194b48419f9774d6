// Group-level shapers (docs/shapers.md#drpocoefficients, #canon, #verporeward, #o1prunerreward,
// #erlengthreward): per-group statistics in f64 scratch, then one pass per row, each output
// rounded once. ids: dense group id per row, G groups.
import { sigmoid } from "./logistic";

// DRPO's per-sequence coefficients. Active groups have a positive (r = 1) and a negative row;
// positives share +1/Q by softmax((1 - L/width)/lambda), negatives -1/Q by softmax(meanLogp/tau),
// Q the number of non-empty groups. st: 4 f64 per group (max+, max-, sum+, sum-); cnt: 3 i32 (n+, n-, n).
// ex: f64 [B], each row's exp(z - max) from the sum pass, reused by the output pass (one exp a
// row instead of two: the same number). Runs of rows with one group id keep the group's record
// in registers (as in o1_pruner_f32: the same operations in the same order).
export function drpo_coef_f32(r: usize, meanLogp: usize, lengths: usize, ids: usize, B: i32, G: i32, width: f64, lambda: f64, tau: f64,
  out: usize, st: usize, cnt: usize, ex: usize): void {
  for (let g = 0; g < G; g++) {
    store<f64>(st + (<usize>(4 * g) << 3), -Infinity); store<f64>(st + (<usize>(4 * g + 1) << 3), -Infinity);
    store<f64>(st + (<usize>(4 * g + 2) << 3), 0); store<f64>(st + (<usize>(4 * g + 3) << 3), 0);
    for (let k = 0; k < 3; k++) store<i32>(cnt + (<usize>(3 * g + k) << 2), 0);
  }
  let cur = -1, sp: usize = 0, cp: usize = 0, mxP: f64 = 0, mxN: f64 = 0, nP = 0, nN = 0, nA = 0;
  for (let i = 0; i < B; i++) {
    const g = load<i32>(ids + (<usize>i << 2)), pos = load<f32>(r + (<usize>i << 2)) == 1;
    if (g != cur) {
      if (cur >= 0) { store<f64>(sp, mxP); store<f64>(sp, mxN, 8); store<i32>(cp, nP); store<i32>(cp, nN, 4); store<i32>(cp, nA, 8); }
      cur = g; sp = st + (<usize>(4 * g) << 3); cp = cnt + (<usize>(3 * g) << 2);
      mxP = load<f64>(sp); mxN = load<f64>(sp, 8); nP = load<i32>(cp); nN = load<i32>(cp, 4); nA = load<i32>(cp, 8);
    }
    const z = drpoZ(r, meanLogp, lengths, i, width, lambda, tau);
    if (pos) { if (z > mxP) mxP = z; nP++; } else { if (z > mxN) mxN = z; nN++; }
    nA++;
  }
  if (cur >= 0) { store<f64>(sp, mxP); store<f64>(sp, mxN, 8); store<i32>(cp, nP); store<i32>(cp, nN, 4); store<i32>(cp, nA, 8); }
  cur = -1;
  let sP: f64 = 0, sN: f64 = 0;
  for (let i = 0; i < B; i++) {
    const g = load<i32>(ids + (<usize>i << 2)), pos = load<f32>(r + (<usize>i << 2)) == 1;
    if (g != cur) {
      if (cur >= 0) { store<f64>(sp, sP, 16); store<f64>(sp, sN, 24); }
      cur = g; sp = st + (<usize>(4 * g) << 3);
      mxP = load<f64>(sp); mxN = load<f64>(sp, 8); sP = load<f64>(sp, 16); sN = load<f64>(sp, 24);
    }
    const x = Math.exp(drpoZ(r, meanLogp, lengths, i, width, lambda, tau) - (pos ? mxP : mxN));
    store<f64>(ex + (<usize>i << 3), x);
    if (pos) sP += x; else sN += x;
  }
  if (cur >= 0) { store<f64>(sp, sP, 16); store<f64>(sp, sN, 24); }
  let Q = 0;
  for (let g = 0; g < G; g++) if (load<i32>(cnt + (<usize>(3 * g + 2) << 2)) > 0) Q++;
  for (let i = 0; i < B; i++) {
    const g = load<i32>(ids + (<usize>i << 2)), pos = load<f32>(r + (<usize>i << 2)) == 1 ? 0 : 1;
    const active = load<i32>(cnt + (<usize>(3 * g) << 2)) > 0 && load<i32>(cnt + (<usize>(3 * g + 1) << 2)) > 0;
    let c: f64 = 0;
    if (active) {
      const w = load<f64>(ex + (<usize>i << 3)) / load<f64>(st + (<usize>(4 * g + 2 + pos) << 3));
      c = (pos == 0 ? w : -w) / <f64>Q;
    }
    store<f32>(out + (<usize>i << 2), <f32>c + 0);
  }
}
@inline function drpoZ(r: usize, meanLogp: usize, lengths: usize, i: i32, width: f64, lambda: f64, tau: f64): f64 {
  return load<f32>(r + (<usize>i << 2)) == 1
    ? (1 - <f64>load<i32>(lengths + (<usize>i << 2)) / width) / lambda
    : <f64>load<f32>(meanLogp + (<usize>i << 2)) / tau;
}

// Rows ordered by group, ascending row index inside each group: order[B], start[G+1] (a counting
// sort: start[g] advances as group g's rows are placed, then the bounds shift back by one).
function groupOrder(ids: usize, B: i32, G: i32, order: usize, start: usize): void {
  for (let g = 0; g <= G; g++) store<i32>(start + (<usize>g << 2), 0);
  for (let i = 0; i < B; i++) { const p = start + (<usize>(load<i32>(ids + (<usize>i << 2)) + 1) << 2); store<i32>(p, load<i32>(p) + 1); }
  for (let g = 0; g < G; g++) store<i32>(start + (<usize>(g + 1) << 2), load<i32>(start + (<usize>(g + 1) << 2)) + load<i32>(start + (<usize>g << 2)));
  for (let i = 0; i < B; i++) {
    const c = start + (<usize>load<i32>(ids + (<usize>i << 2)) << 2), at = load<i32>(c);
    store<i32>(order + (<usize>at << 2), i);
    store<i32>(c, at + 1);
  }
  for (let g = G; g > 0; g--) store<i32>(start + (<usize>g << 2), load<i32>(start + (<usize>(g - 1) << 2)));
  store<i32>(start, 0);
}

// CANON: each group split by the metric (stable ascending; low = first floor(n/2) rows, high = the
// rest), each row compared with the other half and with its own half. variant 0 entropy, 1 length.
// singleton: 0 raw (muLow = muHigh = 0, the row counts as high), 1 zero. order: i32[B]; start: i32[G+1].
// Returns the first row whose advantage is not finite in f32, or -1.
export function canon_f32(s: usize, metric: usize, ids: usize, B: i32, G: i32, variant: i32, alpha: f64, beta: f64, lambda: f64, maxLength: f64,
  singletonZero: i32, out: usize, order: usize, start: usize): i32 {
  let bad = -1;
  groupOrder(ids, B, G, order, start);
  for (let g = 0; g < G; g++) {
    const a = load<i32>(start + (<usize>g << 2)), e = load<i32>(start + (<usize>(g + 1) << 2)), n = e - a;
    // Insertion sort of the group's rows by metric; equal metrics keep ascending row order.
    for (let p = a + 1; p < e; p++) {
      const row = load<i32>(order + (<usize>p << 2)), m = load<f32>(metric + (<usize>row << 2));
      let q = p;
      while (q > a && load<f32>(metric + (<usize>load<i32>(order + (<usize>(q - 1) << 2)) << 2)) > m) {
        store<i32>(order + (<usize>q << 2), load<i32>(order + (<usize>(q - 1) << 2))); q--;
      }
      store<i32>(order + (<usize>q << 2), row);
    }
    const h = n / 2;
    let sl: f64 = 0, sh: f64 = 0;
    for (let p = a; p < e; p++) { const v = <f64>load<f32>(s + (<usize>load<i32>(order + (<usize>p << 2)) << 2)); if (p - a < h) sl += v; else sh += v; }
    let muLow: f64 = h > 0 ? sl / <f64>h : 0, muHigh: f64 = sh / <f64>(n - h);
    if (n == 1) { muLow = 0; muHigh = 0; }
    for (let p = a; p < e; p++) {
      const row = load<i32>(order + (<usize>p << 2)), v = <f64>load<f32>(s + (<usize>row << 2));
      let x: f64;
      if (n == 1 && singletonZero) x = 0;
      else if (p - a >= h) x = variant == 0 ? lambda * (v - alpha * muLow + beta) + (1 - lambda) * (v - muHigh) : lambda * (alpha * v - muLow + beta) + (1 - lambda) * (v - muHigh);
      else x = variant == 0 ? lambda * (alpha * v - muHigh - beta) + (1 - lambda) * (v - muLow) : lambda * (v - alpha * muHigh - beta) + (1 - lambda) * (v - muLow);
      const y = <f32>(x / maxLength) + 0;
      if (!isFinite<f32>(y) && (bad < 0 || row < bad)) bad = row;
      store<f32>(out + (<usize>row << 2), y);
    }
  }
  return bad;
}

// VeRPO (provisional): per group and test the pass rate rho over the rows where the test exists;
// weights w = (1 - rho)/Σ(1 - rho) over the group's tests; Rlocal = Σ pass*w; Rglobal = every
// existing test passed; R = Rglobal + localWeight*Rlocal. acc: f64 [G*U*2] (passes, rows); wsum
// f64 [G]; wt: f64 [U], the weights of the group being written. local and global may be 0.
// Returns the first row whose R is not finite in f32, or -1.
// Rows are visited in runs of one group id: a run sums each test's record in registers (rows in
// order, as a store per row did, without each row waiting on the previous row's store), and the
// output pass computes a run's U weights once (the same quotients every row computed).
export function verpo_f32(pass: usize, valid: usize, ids: usize, B: i32, G: i32, U: i32, localWeight: f64, acc: usize, wsum: usize,
  out: usize, local: usize, global: usize, wt: usize): i32 {
  let bad = -1;
  for (let k = 0; k < 2 * G * U; k++) store<f64>(acc + (<usize>k << 3), 0);
  for (let i = 0; i < B;) {
    const g = load<i32>(ids + (<usize>i << 2));
    let e = i + 1;
    while (e < B && load<i32>(ids + (<usize>e << 2)) == g) e++;
    for (let j = 0; j < U; j++) {
      const p = acc + (<usize>(2 * (g * U + j)) << 3);
      let np = load<f64>(p), nr = load<f64>(p, 8);
      for (let k = i; k < e; k++) {
        const t = k * U + j;
        if (valid && load<u8>(valid + <usize>t) == 0) continue;
        np += <f64>load<u8>(pass + <usize>t);
        nr += 1;
      }
      store<f64>(p, np); store<f64>(p, nr, 8);
    }
    i = e;
  }
  for (let g = 0; g < G; g++) {
    let w: f64 = 0;
    for (let j = 0; j < U; j++) { const p = acc + (<usize>(2 * (g * U + j)) << 3), n = load<f64>(p, 8); if (n > 0) w += 1 - load<f64>(p) / n; }
    store<f64>(wsum + (<usize>g << 3), w);
  }
  let cur = -1, W: f64 = 0;
  for (let i = 0; i < B; i++) {
    const g = load<i32>(ids + (<usize>i << 2));
    if (g != cur) {
      cur = g; W = load<f64>(wsum + (<usize>g << 3));
      // a test's weight is only read where a row passed it, so where it exists (n > 0)
      if (W > 0) for (let j = 0; j < U; j++) { const p = acc + (<usize>(2 * (g * U + j)) << 3); store<f64>(wt + (<usize>j << 3), (1 - load<f64>(p) / load<f64>(p, 8)) / W); }
    }
    let rl: f64 = 0, all = 1;
    for (let j = 0; j < U; j++) {
      const t = i * U + j;
      if (valid && load<u8>(valid + <usize>t) == 0) continue;
      const ok = load<u8>(pass + <usize>t);
      if (!ok) { all = 0; continue; }
      if (W > 0) rl += load<f64>(wt + (<usize>j << 3));
    }
    if (local) store<f32>(local + (<usize>i << 2), <f32>rl + 0);
    if (global) store<f32>(global + (<usize>i << 2), <f32>all);
    const R = <f32>(<f64>all + localWeight * rl) + 0;
    if (bad < 0 && !isFinite<f32>(R)) bad = i;
    store<f32>(out + (<usize>i << 2), R);
  }
  return bad;
}

// O1-pruner: r = -clip((L - mean_g L)/L, -1, 1), the mean over the whole group. sum: f64 [G*2].
export function o1_pruner_f32(lengths: usize, ids: usize, B: i32, G: i32, out: usize, sum: usize): void {
  for (let k = 0; k < 2 * G; k++) store<f64>(sum + (<usize>k << 3), 0);
  // A run of rows with one group id sums in registers, from and back to the group's record: the
  // same additions in the same order as a store per row, without the store-to-load chain through
  // memory that made each row wait for the previous one (contiguous groups: 4.6 -> 1.3 ms at 1M rows).
  let cur = -1, p: usize = 0, sL: f64 = 0, sN: f64 = 0;
  for (let i = 0; i < B; i++) {
    const g = load<i32>(ids + (<usize>i << 2));
    if (g != cur) {
      if (cur >= 0) { store<f64>(p, sL); store<f64>(p, sN, 8); }
      cur = g; p = sum + (<usize>(2 * g) << 3); sL = load<f64>(p); sN = load<f64>(p, 8);
    }
    sL += <f64>load<i32>(lengths + (<usize>i << 2)); sN += 1;
  }
  if (cur >= 0) { store<f64>(p, sL); store<f64>(p, sN, 8); }
  // The group mean once per run of rows (the same quotient each time).
  cur = -1;
  let mean: f64 = 0;
  for (let i = 0; i < B; i++) {
    const g = load<i32>(ids + (<usize>i << 2)), L = <f64>load<i32>(lengths + (<usize>i << 2));
    if (g != cur) { cur = g; p = sum + (<usize>(2 * g) << 3); mean = load<f64>(p) / load<f64>(p, 8); }
    const v = (L - mean) / L;
    store<f32>(out + (<usize>i << 2), <f32>(-min(max(v, -1), 1)) + 0);
  }
}

// ER: 0 for rows with correct < 1e-5 and in groups with at most one correct (> 0) row; otherwise
// -correct * 2 (σ((L - mu_C)/(sd_C + 1e-5)) - 0.5), mu_C and the population sd_C over the group's
// correct rows. st: f64 [G*3] (count, sum, then M2).
export function er_length_f32(lengths: usize, correct: usize, ids: usize, B: i32, G: i32, out: usize, st: usize): void {
  for (let k = 0; k < 3 * G; k++) store<f64>(st + (<usize>k << 3), 0);
  // Runs of one group id accumulate in registers (as in o1_pruner_f32: same order, no chain
  // through memory).
  // Rows that are not correct add +0 (select, no branch: correctness is data, and a mispredicted
  // branch per row cost more than the add); the sums are non-negative, so x + 0 == x exactly.
  let cur = -1, p: usize = 0, a: f64 = 0, b: f64 = 0, mu: f64 = 0;
  for (let i = 0; i < B; i++) {
    const g = load<i32>(ids + (<usize>i << 2)), on = load<f32>(correct + (<usize>i << 2)) > 0;
    if (g != cur) {
      if (cur >= 0) { store<f64>(p, a); store<f64>(p, b, 8); }
      cur = g; p = st + (<usize>(3 * g) << 3); a = load<f64>(p); b = load<f64>(p, 8);
    }
    a += select<f64>(1, 0, on); b += select<f64>(<f64>load<i32>(lengths + (<usize>i << 2)), 0, on);
  }
  if (cur >= 0) { store<f64>(p, a); store<f64>(p, b, 8); }
  cur = -1;
  for (let i = 0; i < B; i++) {
    const g = load<i32>(ids + (<usize>i << 2)), on = load<f32>(correct + (<usize>i << 2)) > 0;
    if (g != cur) {
      if (cur >= 0) store<f64>(p, a, 16);
      cur = g; p = st + (<usize>(3 * g) << 3); a = load<f64>(p, 16); mu = load<f64>(p, 8) / load<f64>(p);
    }
    const d = <f64>load<i32>(lengths + (<usize>i << 2)) - mu;
    a += select<f64>(d * d, 0, on);
  }
  if (cur >= 0) store<f64>(p, a, 16);
  cur = -1;
  let n: f64 = 0, sd: f64 = 0;
  for (let i = 0; i < B; i++) {
    const c = <f64>load<f32>(correct + (<usize>i << 2)), g = load<i32>(ids + (<usize>i << 2));
    if (g != cur) { cur = g; p = st + (<usize>(3 * g) << 3); n = load<f64>(p); mu = load<f64>(p, 8) / n; sd = Math.sqrt(load<f64>(p, 16) / n); }
    let v: f64 = 0;
    if (c >= 1e-5 && n > 1) {
      v = -c * 2 * (sigmoid((<f64>load<i32>(lengths + (<usize>i << 2)) - mu) / (sd + 1e-5)) - 0.5);
    }
    store<f32>(out + (<usize>i << 2), <f32>v + 0);
  }
}
