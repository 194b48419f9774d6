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
  // No mask and no clip: each row is a valid prefix [s, ve), then padding.
  if (mask == 0 && clip == 0) return roverPrefixRows(logp, oldLogp, qL, oqL, adv, lens, offsets, B, T, rho, nextQScale, q, nextQ, target);
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

// The valid prefix of every row (lengths, packed rows or full rows; no clip): the same f64
// operations, four tokens at a time in the SIMD build (two f64x2 per quantity); the last valid
// token's next Q is 0; the padding is cleared by memory.fill. A flag lane sums the outputs times
// 0 (NaN exactly when one is not finite, or rarely when finite ones overflow the sum); the index
// is then searched. Both builds store the same numbers.
function roverPrefixRows(logp: usize, oldLogp: usize, qL: usize, oqL: usize, adv: usize, lens: usize, offsets: usize,
  B: i32, T: i32, rho: f64, nextQScale: f64, q: usize, nextQ: usize, target: usize): i32 {
  let bad = -1, flagged = false;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T), ve = validEnd(lens, i, s, e);
    let t = s;
    if (ASC_FEATURE_SIMD) {
      const vr = f64x2.splat(rho), vs = f64x2.splat(nextQScale), z = f32x4.splat(0);
      let fl = z;
      // t + 4 < ve: the next token of the last lane is valid too
      for (; t + 4 < ve; t += 4) {
        const o = <usize>t << 2;
        const Q = pair32(f64x2.mul(vr, f64x2.sub(lo64(logp + o), lo64(oldLogp + o))), f64x2.mul(vr, f64x2.sub(hi64(logp + o), hi64(oldLogp + o))));
        const nqLo = f64x2.mul(vr, f64x2.sub(lo64(qL + o + 4), lo64(oqL + o + 4))), nqHi = f64x2.mul(vr, f64x2.sub(hi64(qL + o + 4), hi64(oqL + o + 4)));
        const NQ = pair32(nqLo, nqHi);
        const TG = pair32(f64x2.add(lo64(adv + o), f64x2.mul(vs, nqLo)), f64x2.add(hi64(adv + o), f64x2.mul(vs, nqHi)));
        v128.store(q + o, Q); v128.store(nextQ + o, NQ); v128.store(target + o, TG);
        fl = f32x4.add(fl, f32x4.mul(f32x4.add(f32x4.add(Q, NQ), TG), z));
      }
      if (v128.any_true(f32x4.ne(fl, fl))) flagged = true;
    }
    for (; t < ve; t++) {
      const o = <usize>t << 2;
      const nq: f64 = t + 1 < ve ? rho * (<f64>load<f32>(qL + o + 4) - <f64>load<f32>(oqL + o + 4)) : 0;
      const tg = <f64>load<f32>(adv + o) + nextQScale * nq;
      const Q = rho * (<f64>load<f32>(logp + o) - <f64>load<f32>(oldLogp + o));
      const a = <f32>Q + 0, b = <f32>nq + 0, c = <f32>tg + 0;
      if (bad < 0 && !(isFinite<f32>(a) && isFinite<f32>(b) && isFinite<f32>(c))) bad = t;
      store<f32>(q + o, a); store<f32>(nextQ + o, b); store<f32>(target + o, c);
    }
    if (e > ve) {
      const o = <usize>ve << 2, n = <usize>(e - ve) << 2;
      memory.fill(q + o, 0, n); memory.fill(nextQ + o, 0, n); memory.fill(target + o, 0, n);
    }
  }
  if (flagged) {
    // the first non-finite output of a valid position, in flat order (bad of the tails included)
    for (let i = 0; i < B; i++) {
      const s = rowStart(offsets, i, T), ve = validEnd(lens, i, s, rowEnd(offsets, i, T));
      for (let t = s; t < ve; t++) {
        const o = <usize>t << 2;
        if (!(isFinite<f32>(load<f32>(q + o)) && isFinite<f32>(load<f32>(nextQ + o)) && isFinite<f32>(load<f32>(target + o)))) return t;
      }
    }
  }
  return bad;
}
@inline function lo64(p: usize): v128 { return f64x2.promote_low_f32x4(v128.load64_zero(p)); }
@inline function hi64(p: usize): v128 { return f64x2.promote_low_f32x4(v128.load64_zero(p + 8)); }
// two f64x2 rounded to one f32x4, -0 made +0 (as the scalar stores' + 0)
@inline function pair32(a: v128, b: v128): v128 {
  return f32x4.add(i32x4.shuffle(f32x4.demote_f64x2_zero(a), f32x4.demote_f64x2_zero(b), 0, 1, 4, 5), f32x4.splat(0));
}

// G-RA (provisional): gate_i = outcome_i >= tau; the token rewards times the gate (+0 at masked
// positions and in closed gates), and R_i = outcome_i + gate_i * Σ_t r_t (f64). The rows are
// computed and checked first and the tokens written only when every R is finite, so the token
// output may be the input itself (a workspace's tokenRewards, in place). Returns the first row
// whose R is not finite in f32 (tokens then unwritten), or -1.
export function gated_rewards_f32(outcome: usize, r: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, tau: f64,
  outTok: usize, outRow: usize): i32 {
  if (mask == 0) return gatedPrefixRows(outcome, r, lens, offsets, B, T, tau, outTok, outRow);
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

// G-RA without a mask: each row is its valid prefix [s, ve). The same row sums (in order, f64),
// no per-token validity test, the padding (and closed rows) cleared by memory.fill, and open rows'
// tokens copied with -0 made +0 (four at a time in the SIMD build: the same bits).
function gatedPrefixRows(outcome: usize, r: usize, lens: usize, offsets: usize, B: i32, T: i32, tau: f64, outTok: usize, outRow: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), ve = validEnd(lens, i, s, rowEnd(offsets, i, T));
    const out = <f64>load<f32>(outcome + (<usize>i << 2));
    let sum: f64 = 0;
    if (out >= tau) for (let t = s; t < ve; t++) sum += <f64>load<f32>(r + (<usize>t << 2));
    const R = <f32>(out + sum) + 0;
    if (bad < 0 && !isFinite<f32>(R)) bad = i;
    store<f32>(outRow + (<usize>i << 2), R);
  }
  if (bad >= 0) return bad;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const ve = <f64>load<f32>(outcome + (<usize>i << 2)) >= tau ? validEnd(lens, i, s, e) : s;
    let t = s;
    if (ASC_FEATURE_SIMD) {
      const z = f32x4.splat(0);
      for (; t + 4 <= ve; t += 4) { const o = <usize>t << 2; v128.store(outTok + o, f32x4.add(v128.load(r + o), z)); }
    }
    for (; t < ve; t++) { const o = <usize>t << 2; store<f32>(outTok + o, load<f32>(r + o) + 0); }
    if (e > ve) memory.fill(outTok + (<usize>ve << 2), 0, <usize>(e - ve) << 2);
  }
  return -1;
}
