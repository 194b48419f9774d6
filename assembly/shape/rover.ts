// ROVER's Q-values and regression targets (docs/shapers.md#rovertargets), one pass per row over
// the token layout: the next position is the next column of a padded row (the next token of a
// packed row), counted only when it is valid itself. Masked positions get +0 in all three outputs.
import { rowStart, rowEnd, validEnd } from "../rows";

@inline function isValid(mask: usize, t: i32, ve: i32): bool { return t < ve && (mask == 0 || load<u8>(mask + <usize>t) != 0); }

// clip != 0: Q is clipped to hi = log(1+e) / lo = log(1-e) where the target lies beyond it.
// Returns the first flat position whose q, nextQ or target is not finite in f32, or -1.
export function rover_targets_f32(logp: usize, oldLogp: usize, qL: usize, oqL: usize, adv: usize, mask: usize, lens: usize, offsets: usize,
  B: i32, T: i32, rho: f64, nextQScale: f64, clip: i32, hi: f64, lo: f64, q: usize, nextQ: usize, target: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T), ve = validEnd(lens, i, s, e);
    for (let t = s; t < e; t++) {
      const o = <usize>t << 2;
      if (!isValid(mask, t, ve)) { store<f32>(q + o, 0); store<f32>(nextQ + o, 0); store<f32>(target + o, 0); continue; }
      const nq: f64 = t + 1 < e && isValid(mask, t + 1, ve) ? rho * (<f64>load<f32>(qL + o + 4) - <f64>load<f32>(oqL + o + 4)) : 0;
      const tg = <f64>load<f32>(adv + o) + nextQScale * nq;
      let Q = rho * (<f64>load<f32>(logp + o) - <f64>load<f32>(oldLogp + o));
      if (clip) { if (tg > Q && Q > hi) Q = hi; else if (tg < Q && Q < lo) Q = lo; }
      const a = <f32>Q + 0, b = <f32>nq + 0, c = <f32>tg + 0;
      if (bad < 0 && !(isFinite<f32>(a) && isFinite<f32>(b) && isFinite<f32>(c))) bad = t;
      store<f32>(q + o, a); store<f32>(nextQ + o, b); store<f32>(target + o, c);
    }
  }
  return bad;
}

// G-RA (provisional): gate_i = outcome_i >= tau; the token rewards times the gate (+0 at masked
// positions and in closed gates), and R_i = outcome_i + gate_i * Σ_t r_t (f64). The rows are
// computed and checked first and the tokens written only when every R is finite, so the token
// output may be the input itself (a workspace's tokenRewards, in place). Returns the first row
// whose R is not finite in f32 (tokens then unwritten), or -1.
export function gated_rewards_f32(outcome: usize, r: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, tau: f64,
  outTok: usize, outRow: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T), ve = validEnd(lens, i, s, e);
    const out = <f64>load<f32>(outcome + (<usize>i << 2));
    let sum: f64 = 0;
    if (out >= tau) for (let t = s; t < e; t++) if (isValid(mask, t, ve)) sum += <f64>load<f32>(r + (<usize>t << 2));
    const R = <f32>(out + sum) + 0;
    if (bad < 0 && !isFinite<f32>(R)) bad = i;
    store<f32>(outRow + (<usize>i << 2), R);
  }
  if (bad >= 0) return bad;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T), ve = validEnd(lens, i, s, e);
    const open = <f64>load<f32>(outcome + (<usize>i << 2)) >= tau;
    for (let t = s; t < e; t++) {
      const o = <usize>t << 2;
      store<f32>(outTok + o, open && isValid(mask, t, ve) ? load<f32>(r + o) + 0 : 0);
    }
  }
  return -1;
}
