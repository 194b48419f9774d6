import { rowStart, rowEnd, validEnd, readEnd, holesMask, maskLanes4, zeroRun } from "../rows";
import { k3CoreF, k3Core4, k3Small4, k3AllSmall4 } from "./k3";
import { normalOrZeroF32 } from "../f32map";

// KL estimators (docs/kernels.md#klpenalty), evaluated in f64 from x = logp - refLogp, except
// k3's core, e^d - 1 - d, which runs in f32 on the clamped d rounded to f32 (k3.ts).
//   est: 0 = k1 (x), 1 = abs, 2 = k2 (x^2/2), 3 = k3 (exp(-x) - 1 + x, as expm1(d) - d with d = -x)
//   clampMode: 0 = verl (k3 only: d to [-20, 20], value to [-10, 10]); 1 = all10 (OpenRLHF: every
//   value to [-10, 10]); 2 = none (TRL).
@inline export function klValue(x: f64, est: i32, clampMode: i32): f64 {
  let v: f64;
  if (est == 0) v = x;
  else if (est == 1) v = Math.abs(x);
  else if (est == 2) v = 0.5 * x * x;
  else {
    let d = -x;
    if (clampMode == 0) d = Math.min(Math.max(d, -20), 20);
    // e^d - 1 - d with no cancellation for small |d| (k3.ts); an overflow gives +inf, then clamps.
    v = <f64>k3CoreF(<f32>d);
    if (clampMode == 0) v = Math.min(Math.max(v, -10), 10);
  }
  if (clampMode == 1) v = Math.min(Math.max(v, -10), 10);
  return v;
}

@inline function hiOf(x: v128): v128 { return v128.shuffle<f32>(x, x, 2, 3, 2, 3); }

// klValue on two lanes; the same f64 operations lane by lane.
@inline function klValue2(x: v128, est: i32, clampMode: i32): v128 {
  let v = x;
  if (est == 1) v = f64x2.abs(x);
  else if (est == 2) v = f64x2.mul(f64x2.mul(f64x2.splat(0.5), x), x);
  if (clampMode == 1) v = f64x2.min(f64x2.max(v, f64x2.splat(-10)), f64x2.splat(10));
  return v;
}

// k3 on four tokens from d = refLogp - logp in f32 (the f64 difference rounded once: the same value,
// as f64 has more than twice f32's digits), clamped as klValue clamps it, the f32x4 core, and the
// output clamp (k3 is clamped unless clampMode is "none"). Returns f32x4. The clamps are pmin/pmax
// (one instruction each; f64x2.min/max lower to about eight): they differ from min/max only on
// NaN and on zeros of both signs, and neither reaches them (the bounds are not zeros; a NaN input
// flags the call, which then discards or poisons its outputs).
// When every |d| < 0.5 (the common case) neither clamp can act (|d| is inside +-20, the series is
// below 0.15): the series on the unclamped d is the answer, and the clamps and the exponential
// branch stay out of the token loop (k3QuadWide, not inlined), which frees V8's registers.
@inline function k3Quad(d: v128, clampMode: i32): v128 {
  const v = k3Small4(d);
  return k3AllSmall4(d) ? v : k3QuadWide(d, clampMode);
}
function k3QuadWide(d: v128, clampMode: i32): v128 {
  if (clampMode == 0) d = f32x4.pmin(f32x4.pmax(d, f32x4.splat(-20)), f32x4.splat(20));
  let v = k3Core4(d);
  if (clampMode != 2) v = f32x4.pmin(f32x4.pmax(v, f32x4.splat(-10)), f32x4.splat(10));
  return v;
}

@inline function valid(mask: usize, t: i32, v: i32): bool {
  return t < v && (mask == 0 || load<u8>(mask + <usize>t) != 0);
}

// klPenalty into out (+0 at masked positions): the fused pass below with no scores and no rewards.
export function kl_penalty_f32(logp: usize, ref: usize, mask: usize, lens: usize, offsets: usize, prefix: usize, B: i32, T: i32, est: i32, clampMode: i32, out: usize, i0: i32): void {
  kl_in_reward_verl_f32(0, logp, ref, mask, lens, offsets, prefix, B, T, est, clampMode, 0, 0, out, 0, 0, i0);
}

// verl apply_kl_penalty, fused: kld = klPenalty * m (f32); rewards = scores - beta * kld at valid
// positions by the f32 map below (+0 elsewhere); rowMean[i] = Σ_t kld / L_i (0 for an empty row),
// in f64. rewardsOut, klOut and rowMean are each optional (0 = not written; without rewardsOut,
// scores are not read). `prefix` is the mask scan's per-row prefix length (or 0): a prefix row
// reads only its valid tokens, with no mask, and its padding is written right after them.
// Without flags the caller has checked the inputs, and a result that is not finite (only possible
// when its bounds did not rule it out) is found afterwards in the outputs; with flags the pass
// tests as it goes (below). The estimator, clamp and mask use are literals in each instantiation
// below, so the per-token loop carries no mode branches.
export function kl_in_reward_verl_f32(
  scores: usize, logp: usize, ref: usize, mask: usize, lens: usize, offsets: usize, prefix: usize, B: i32, T: i32,
  est: i32, clampMode: i32, beta: f64, rewardsOut: usize, klOut: usize, rowMean: usize, flags: usize, i0: i32,
): void {
  // flags != 0 (with rewardsOut: the reward's test also covers k1's and abs's KL value, and its
  // log-probs): validate while computing. flags[0] <- 1 when a valid input is NaN or infinite,
  // flags[1] <- 1 when an output is not finite; the caller then finds the index (and the outputs,
  // never in place over the inputs on this path, are discarded or poisoned).
  if (flags) { store<i32>(flags, 0); store<i32>(flags, 0, 4); }
  // The set of outputs is chosen once per call, by separate functions: were the choice made per
  // row inside one function, Binaryen folds the near-identical row loops back into one and tests
  // the choice inside the token loop again (a branch, and V8 then reloads spilled constants).
  if (ASC_FEATURE_SIMD && flags && rewardsOut && !klOut) klRowsRewardsFlagged(scores, logp, ref, mask, lens, offsets, prefix, B, T, est, clampMode, beta, rewardsOut, rowMean, flags, i0);
  else if (ASC_FEATURE_SIMD && flags && rewardsOut) klRowsBothFlagged(scores, logp, ref, mask, lens, offsets, prefix, B, T, est, clampMode, beta, rewardsOut, klOut, rowMean, flags, i0);
  else if (ASC_FEATURE_SIMD && !flags && !rewardsOut && klOut) klRowsKl(logp, ref, mask, lens, offsets, prefix, B, T, est, clampMode, klOut, rowMean, i0);
  else klRows(scores, logp, ref, mask, lens, offsets, prefix, B, T, est, clampMode, beta, rewardsOut, klOut, rowMean, flags, i0, OUTS_ANY);
}

const OUTS_ANY = 0, OUTS_REWARDS_FLAGGED = 1, OUTS_BOTH_FLAGGED = 2, OUTS_KL = 3;
function klRowsRewardsFlagged(scores: usize, logp: usize, ref: usize, mask: usize, lens: usize, offsets: usize, prefix: usize, B: i32, T: i32, est: i32, clampMode: i32, beta: f64, rewardsOut: usize, rowMean: usize, flags: usize, i0: i32): void {
  klRows(scores, logp, ref, mask, lens, offsets, prefix, B, T, est, clampMode, beta, rewardsOut, 0, rowMean, flags, i0, OUTS_REWARDS_FLAGGED);
}
function klRowsBothFlagged(scores: usize, logp: usize, ref: usize, mask: usize, lens: usize, offsets: usize, prefix: usize, B: i32, T: i32, est: i32, clampMode: i32, beta: f64, rewardsOut: usize, klOut: usize, rowMean: usize, flags: usize, i0: i32): void {
  klRows(scores, logp, ref, mask, lens, offsets, prefix, B, T, est, clampMode, beta, rewardsOut, klOut, rowMean, flags, i0, OUTS_BOTH_FLAGGED);
}
function klRowsKl(logp: usize, ref: usize, mask: usize, lens: usize, offsets: usize, prefix: usize, B: i32, T: i32, est: i32, clampMode: i32, klOut: usize, rowMean: usize, i0: i32): void {
  klRows(0, logp, ref, mask, lens, offsets, prefix, B, T, est, clampMode, 0, 0, klOut, rowMean, 0, i0, OUTS_KL);
}

// Rows [i0, B) with one output set (`outs`, a literal; OUTS_ANY reads the pointers). Rows with
// holes (a runtime mask) take the generic loop: fewer instantiations.
@inline function klRows(scores: usize, logp: usize, ref: usize, mask: usize, lens: usize, offsets: usize, prefix: usize, B: i32, T: i32,
  est: i32, clampMode: i32, beta: f64, rewardsOut: usize, klOut: usize, rowMean: usize, flags: usize, i0: i32, outs: i32): void {
  const f32map = normalOrZeroF32(beta);
  for (let i = i0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = readEnd(lens, prefix, i, s, e), m = holesMask(mask, prefix, i);
    let mean: f64;
    if (m) mean = klRowAny(scores, logp, ref, m, s, v, est, clampMode, beta, rewardsOut, klOut, flags, OUTS_ANY, f32map);
    else mean = klRowAny(scores, logp, ref, 0, s, v, est, clampMode, beta, rewardsOut, klOut, flags, outs, f32map);
    // Padding as zeros right after the row's values, so each output is one unbroken stream of
    // stores. Paired on 1024 x 8192 (one thread, cold): 0.95-0.97 of the time of zeroDirty, which
    // read the padding back; also loading the inputs' padding (which pays in GAE and min-form,
    // zeroPaddingStreamed) measured the same or slower here, with three input streams.
    if (e > v) { if (rewardsOut) zeroRun(rewardsOut, v, e); if (klOut) zeroRun(klOut, v, e); }
    if (rowMean) store<f64>(rowMean + (<usize>i << 3), mean);
  }
}

// One row [s, v): the estimator and the clamp as literals (7 instantiations per output set).
@inline function klRowAny(scores: usize, logp: usize, ref: usize, mask: usize, s: i32, v: i32, est: i32, clampMode: i32, beta: f64, rewardsOut: usize, klOut: usize, flags: usize, outs: i32, f32map: bool): f64 {
  if (est == 0) return clampMode == 1 ? klRow(scores, logp, ref, mask, s, v, 0, 1, beta, rewardsOut, klOut, flags, outs, f32map) : klRow(scores, logp, ref, mask, s, v, 0, 0, beta, rewardsOut, klOut, flags, outs, f32map);
  if (est == 1) return clampMode == 1 ? klRow(scores, logp, ref, mask, s, v, 1, 1, beta, rewardsOut, klOut, flags, outs, f32map) : klRow(scores, logp, ref, mask, s, v, 1, 0, beta, rewardsOut, klOut, flags, outs, f32map);
  if (est == 2) return clampMode == 1 ? klRow(scores, logp, ref, mask, s, v, 2, 1, beta, rewardsOut, klOut, flags, outs, f32map) : klRow(scores, logp, ref, mask, s, v, 2, 0, beta, rewardsOut, klOut, flags, outs, f32map);
  if (clampMode == 0) return klRow(scores, logp, ref, mask, s, v, 3, 0, beta, rewardsOut, klOut, flags, outs, f32map);
  if (clampMode == 1) return klRow(scores, logp, ref, mask, s, v, 3, 1, beta, rewardsOut, klOut, flags, outs, f32map);
  return klRow(scores, logp, ref, mask, s, v, 3, 2, beta, rewardsOut, klOut, flags, outs, f32map);
}

// The token reward is the f32 map `score - beta32 * kl32` of the f32 KL value (kl32, what the
// kl output holds) and beta32 = f32(beta), each operation rounded to f32: verl's own arithmetic
// (its `token_level_scores - beta * kld` runs in float32), so for k1 and abs the rewards are
// verl's bitwise, and a map of 4 f32 lanes instead of two f64x2 halves (k1 in the reward, 1024 x
// 8192, one thread: 0.70-0.74 of the time of the f64 map; docs/numerics.md#kl-map). Both builds
// run it, so they agree bitwise. Its error, ~4u(|r| + |beta kl|), is the f32 element-wise bound.
// A beta that is not 0 and not a normal f32 (|beta| < 2^-126, or past the f32 range) would lose
// that bound (or turn 0 * inf into NaN): the reward is then f64 from the f64 KL, rounded once.

// Returns the row's mean KL over its valid tokens (0 when it has none): the f64 sum of the f32
// KL values, so currentKl is the mean of the kl output's values.
@inline function klRow(scores: usize, logp: usize, ref: usize, mask: usize, s: i32, v: i32, est: i32, clampMode: i32, beta: f64, rewardsOut: usize, klOut: usize, flags: usize, outs: i32, f32map: bool): f64 {
  // The row sum keeps four f64 accumulators, lane (t - s) & 3, in both builds and on every path:
  // the order then depends only on positions within the row, so packed and padded rows, and
  // the SIMD and scalar builds, give the same currentKl (a padded row's extra steps add +0).
  let a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, n = 0, t = s;
  const beta32 = <f32>beta;
  // SIMD: 4 tokens per step with the scalar loop's operations lane by lane (f64x2 halves where
  // the KL value is f64), so outputs are bitwise identical. Without the f32 map (an extreme
  // beta) the scalar loop takes the whole row.
  if (ASC_FEATURE_SIMD && f32map) {
    const zero = f32x4.splat(0), b32 = f32x4.splat(beta32);
    const plainX = est <= 1 && clampMode != 1; // k1 or abs with no value clamp: the f32 difference
    // literals unless outs is OUTS_ANY
    const wantRw = outs == OUTS_ANY ? rewardsOut != 0 : outs != OUTS_KL, wantKl = outs == OUTS_ANY ? klOut != 0 : outs != OUTS_REWARDS_FLAGGED;
    const wantFlags = outs == OUTS_ANY ? flags != 0 : outs != OUTS_KL;
    let accLo = f64x2.splat(0), accHi = accLo;
    // x - x over the valid lanes: NaN for good at the first NaN or infinity (inputs and outputs apart).
    let inBad = zero, outBad = zero;
    if (plainX && !mask && wantRw && !wantKl) {
      // k1 or abs into the rewards only (verl's common case): 8 tokens a step, two 4-token halves
      // with the operations of the loop below (k32 needs no -0 fix: it is not stored, and
      // s - b * (-0) is s + 0).
      for (; t + 8 <= v; t += 8) {
        const o = <usize>t << 2;
        let k0 = f32x4.sub(v128.load(logp + o), v128.load(ref + o)), k1 = f32x4.sub(v128.load(logp + o, 16), v128.load(ref + o, 16));
        if (est == 1) { k0 = f32x4.abs(k0); k1 = f32x4.abs(k1); }
        accLo = f64x2.add(accLo, f64x2.promote_low_f32x4(k0));
        accHi = f64x2.add(accHi, f64x2.promote_low_f32x4(hiOf(k0)));
        accLo = f64x2.add(accLo, f64x2.promote_low_f32x4(k1));
        accHi = f64x2.add(accHi, f64x2.promote_low_f32x4(hiOf(k1)));
        const r0 = f32x4.add(f32x4.sub(v128.load(scores + o), f32x4.mul(b32, k0)), zero);
        const r1 = f32x4.add(f32x4.sub(v128.load(scores + o, 16), f32x4.mul(b32, k1)), zero);
        v128.store(rewardsOut + o, r0); v128.store(rewardsOut + o, r1, 16);
        if (wantFlags) outBad = f32x4.add(outBad, f32x4.add(f32x4.sub(r0, r0), f32x4.sub(r1, r1)));
      }
      n += t - s;
    }
    for (; t + 4 <= v; t += 4) {
      const o = <usize>t << 2;
      const lp = v128.load(logp + o), rp = v128.load(ref + o);
      let k32: v128, d = zero;
      if (est == 3) {
        d = f32x4.sub(rp, lp);
        k32 = k3Quad(d, clampMode);
      } else if (plainX) {
        // the f64 difference rounded once is the f32 difference
        d = f32x4.sub(lp, rp);
        k32 = est == 1 ? f32x4.abs(d) : d;
      } else {
        const kLo = klValue2(f64x2.sub(f64x2.promote_low_f32x4(lp), f64x2.promote_low_f32x4(rp)), est, clampMode);
        const kHi = klValue2(f64x2.sub(f64x2.promote_low_f32x4(hiOf(lp)), f64x2.promote_low_f32x4(hiOf(rp))), est, clampMode);
        k32 = v128.shuffle<f32>(f32x4.demote_f64x2_zero(kLo), f32x4.demote_f64x2_zero(kHi), 0, 1, 4, 5);
      }
      k32 = f32x4.add(k32, zero); // -0 -> +0
      let m32 = i32x4.splat(-1);
      if (mask) {
        m32 = maskLanes4(mask + <usize>t);
        n += <i32>popcnt<u32>(load<u32>(mask + <usize>t));
        k32 = v128.and(k32, m32);
      } else n += 4;
      accLo = f64x2.add(accLo, f64x2.promote_low_f32x4(k32));
      accHi = f64x2.add(accHi, f64x2.promote_low_f32x4(hiOf(k32)));
      if (wantRw) {
        let rw = f32x4.add(f32x4.sub(v128.load(scores + o), f32x4.mul(b32, k32)), zero);
        if (mask) rw = v128.and(rw, m32);
        v128.store(rewardsOut + o, rw);
        // Not finite when a score, a log-prob or the KL value is not (beta32 * inf is +-inf,
        // 0 * inf NaN), or when the reward leaves the f32 range: the caller checks the inputs
        // first, so a NaN input is still NON_FINITE.
        if (wantFlags) outBad = f32x4.add(outBad, f32x4.sub(rw, rw));
      }
      if (wantKl) v128.store(klOut + o, k32);
      if (wantFlags) {
        if (est == 3) {
          // One test for both log-probs: d is not finite when either is (a finite pair whose
          // difference overflows flags too; the caller's input check then finds nothing).
          const x = mask ? v128.and(d, m32) : d;
          inBad = f32x4.add(inBad, f32x4.sub(x, x));
        } else if (!plainX) {
          const a = mask ? v128.and(lp, m32) : lp, b = mask ? v128.and(rp, m32) : rp;
          inBad = f32x4.add(inBad, f32x4.add(f32x4.sub(a, a), f32x4.sub(b, b)));
        }
        // A clamped k3 of finite inputs is finite: only the unclamped one (or another estimator)
        // can overflow.
        if ((est != 3 && !plainX) || (est == 3 && clampMode == 2)) outBad = f32x4.add(outBad, f32x4.sub(k32, k32));
      }
    }
    if (wantFlags) {
      if (!i32x4.all_true(f32x4.eq(inBad, inBad))) store<i32>(flags, 1);
      if (!i32x4.all_true(f32x4.eq(outBad, outBad))) store<i32>(flags, 1, 4);
    }
    a0 = f64x2.extract_lane(accLo, 0); a1 = f64x2.extract_lane(accLo, 1);
    a2 = f64x2.extract_lane(accHi, 0); a3 = f64x2.extract_lane(accHi, 1);
  }
  for (; t < v; t++) {
    const o = <usize>t << 2;
    let rw: f32 = 0, k32: f32 = 0;
    if (mask == 0 || load<u8>(mask + <usize>t) != 0) {
      const k = klValue(<f64>load<f32>(logp + o) - <f64>load<f32>(ref + o), est, clampMode);
      k32 = <f32>k + 0;
      const j = (t - s) & 3;
      if (j == 0) a0 += <f64>k32; else if (j == 1) a1 += <f64>k32; else if (j == 2) a2 += <f64>k32; else a3 += <f64>k32;
      n++;
      if (rewardsOut) rw = (f32map ? load<f32>(scores + o) - beta32 * k32 : <f32>(<f64>load<f32>(scores + o) - beta * k)) + 0;
      if (flags) {
        if (!isFinite<f32>(load<f32>(logp + o)) || !isFinite<f32>(load<f32>(ref + o)) || (rewardsOut && !isFinite<f32>(load<f32>(scores + o)))) store<i32>(flags, 1);
        if (!isFinite<f32>(k32) || !isFinite<f32>(rw)) store<i32>(flags, 1, 4);
      }
    }
    if (rewardsOut) store<f32>(rewardsOut + o, rw);
    if (klOut) store<f32>(klOut + o, k32);
  }
  return n ? ((a0 + a1) + (a2 + a3)) / <f64>n : 0;
}

// OpenRLHF compute_reward: out = -beta*kl + (t == last valid ? r_i : 0) at valid positions, +0
// elsewhere. r is already clipped; an empty row gets nothing (the caller applied emptyRow).
export function kl_reward_orl_f32(kl: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, r: usize, beta: f64, out: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = validEnd(lens, i, s, e);
    let last = true;
    const ri = <f64>load<f32>(r + (<usize>i << 2));
    for (let t = e - 1; t >= s; t--) {
      const o = <usize>t << 2;
      let y: f32 = 0;
      if (valid(mask, t, v)) {
        let w = kl ? -beta * <f64>load<f32>(kl + o) : 0;
        if (last) { w += ri; last = false; }
        y = <f32>w + 0;
        if (bad < 0 && !isFinite<f32>(y)) bad = t;
      }
      store<f32>(out + o, y);
    }
  }
  return bad;
}
