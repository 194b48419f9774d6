import { rowStart, rowEnd, holesMask, maskLanes4, zeroDirty, zeroPaddingStreamed } from "../rows";
import { normalOrZeroF32 } from "../f32map";

// GAE and discounted returns over a scan plan: row i is scanned on [start, start + scanLen[i])
// (its valid prefix, the mask's prefix length, or the whole row); the rest is zeroed just before
// it in the same streams (zeroPaddingStreamed: rows run last to first, each from its end). Each
// row's f64 values go to `buf`, its two-pass moments to rowMom[i], merged later in row order
// (merge_rows_f64), so whitening sees unrounded values.
//
// Strategy. First round, 1024 x 8192 with uniform lengths (4.2M valid tokens), a 2-core Xeon VM:
//   one row at a time, backwards            13.1 ms
//   four rows interleaved (four f64 chains)  13.2 ms   no gain there
//   f64x2 across two rows x2 (inner part)    10.4 ms   + lane inserts/extracts, per-lane masking
//   the same loop with no recurrence at all   8.3 ms   (the floor of loads, converts, stores)
//   per-token finiteness check              +10 ms    -> checked per call instead (below)
// Second round, the same batch on a 2-core AMD EPYC VM, gae_rows_f32 alone with moments:
//   one row at a time, backwards            17.9 ms   (13.2 ms without the moments)
//   blocked, 8 tokens per step (below)      11.6 ms   (10.2 ms without the moments)
//   blocked, carry forced to 0              10.9 ms   -> no longer bound by the recurrence
//   blocked, output stores removed           9.8 ms   -> bound by loads, f32<->f64 converts, ops
// The blocked scan won: one f64 multiply-add per 8 tokens on the critical path, full f64x2 lanes,
// no lane inserts (rows stay contiguous), and both builds run the same lane operations, so they
// still agree bitwise and packed = padded (blocks are aligned to each row's end). The row-at-a-
// time loop remains for rows with holes and for the checked (overflow-possible) path. Doing less
// work paid off too: no per-token checks when the caller's overflow bound is safe, no arithmetic
// on padding (scan plan), and whitening statistics from per-row moments (the sum taken during the
// scan) instead of extra passes.

@inline function ld(p: usize, t: i32): f64 { return <f64>load<f32>(p + (<usize>t << 2)); }

@inline function finishRow(i: i32, buf: usize, n: i32, sum: f64, rowMom: usize): void {
  if (!rowMom) return;
  const o = rowMom + (<usize>(i * 3) << 3);
  if (n == 0) { store<f64>(o, 0); store<f64>(o, 0, 8); store<f64>(o, 0, 16); return; }
  // The scan summed the values (lane-wise in blocks, the same order in both builds); M2 is a second
  // pass over the row's f64 values (still in cache) with four accumulators by position k & 3 in
  // both builds, so the SIMD build's f64x2 pairs add in the scalar build's order.
  const nf = <f64>n, mean = sum / nf;
  store<f64>(o, nf); store<f64>(o, mean, 8); store<f64>(o, m2Of(buf, n, mean), 16);
}

// Σ_k (buf[k] - c)^2 over k < n, as (acc0 + acc1) + (acc2 + acc3) with acc_j over k ≡ j (mod 4).
@inline function m2Of(buf: usize, n: i32, c: f64): f64 {
  let a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, k = 0;
  if (ASC_FEATURE_SIMD) {
    const cv = f64x2.splat(c);
    let lo = f64x2.splat(0), hi = lo;
    for (; k + 4 <= n; k += 4) {
      const p = buf + (<usize>k << 3);
      const x = f64x2.sub(v128.load(p), cv), y = f64x2.sub(v128.load(p, 16), cv);
      lo = f64x2.add(lo, f64x2.mul(x, x)); hi = f64x2.add(hi, f64x2.mul(y, y));
    }
    a0 = f64x2.extract_lane(lo, 0); a1 = f64x2.extract_lane(lo, 1); a2 = f64x2.extract_lane(hi, 0); a3 = f64x2.extract_lane(hi, 1);
  } else {
    for (; k + 4 <= n; k += 4) {
      const p = buf + (<usize>k << 3);
      const x0 = load<f64>(p) - c, x1 = load<f64>(p, 8) - c, x2 = load<f64>(p, 16) - c, x3 = load<f64>(p, 24) - c;
      a0 += x0 * x0; a1 += x1 * x1; a2 += x2 * x2; a3 += x3 * x3;
    }
  }
  for (; k < n; k++) {
    const x = load<f64>(buf + (<usize>k << 3)) - c, j = k & 3;
    if (j == 0) a0 += x * x; else if (j == 1) a1 += x * x; else if (j == 2) a2 += x * x; else a3 += x * x;
  }
  return (a0 + a1) + (a2 + a3);
}

// useMask / through / check are literals at every call site below, so each combination compiles
// to its own loop with no per-token mode branches. Scans [s, s+L) backwards from carried state
// (A, nv); returns the first non-finite index when check (else -1) and stores the number of
// values written to buf at nOut, and their sum (continuing `sum`) at nOut + 8.
@inline function gaeRow(
  r: usize, V: usize, mask: usize, s: i32, L: i32, A: f64, nv: f64, gamma: f64, gl: f64, raw: usize, ret: usize, buf: usize, n: i32, sum: f64, moments: bool,
  useMask: bool, through: bool, check: bool, nOut: usize,
): i32 {
  let bad = -1;
  for (let t = s + L - 1; t >= s; t--) {
    const o = <usize>t << 2;
    if (useMask && load<u8>(mask + <usize>t) == 0) {
      if (through) { A = gamma * nv + gl * A; nv = 0; }
      store<f32>(raw + o, 0); store<f32>(ret + o, 0);
      continue;
    }
    const v = ld(V, t);
    A = (ld(r, t) + gamma * nv - v) + gl * A;
    nv = v;
    const a32 = <f32>A + 0, r32 = <f32>(A + v) + 0;
    if (check && !(isFinite<f32>(a32) && isFinite<f32>(r32))) bad = t; // backwards: the last found is the first
    store<f32>(raw + o, a32); store<f32>(ret + o, r32);
    if (moments) { store<f64>(buf + (<usize>n << 3), A); sum += A; n++; }
  }
  store<i32>(nOut, n); store<f64>(nOut, sum, 8);
  return bad;
}

// A row with no holes (lengths, a prefix row of a mask, or no mask), blocked: 8 tokens per step
// from the row end. Within a block, d_j = (r_j + gamma*V_{j+1}) - V_j, then three shift-and-add
// steps (by 1, 2, 4 lanes, times a = gamma*lam, a^2, a^4) give z_j = Σ_k a^k d_{j+k} over the
// block, and A_j = z_j + a^(8-j) * C with C the advantage just above the block. Only C = A_0
// is carried from block to block: one f64 multiply-add per 8 tokens on the critical path instead
// of one per token. The sums are reassociated (f64 state throughout, docs/kernels.md), so results are
// within rounding of the sequential loop, not bitwise; both builds run these same operations,
// lane by lane, and agree bitwise. The first L mod 8 tokens of the row finish in the sequential
// loop from the carried state; the count of values written to buf goes to nOut, their sum to nOut + 8.
// With isGae false (a literal) the same scan computes discounted returns: d_j = r_j, a = gamma
// (pass gl = gamma), and only `ret` is written.
// With flag (a literal), the written f32 outputs are also summed times 0 in f32 lanes: NaN exactly
// when one of them is NaN or infinite (or, rarely, when finite ones sum past the f32 range), at
// 5 lane operations per 8 tokens instead of a separate check pass. Returns -2 when flagged, else
// the first non-finite index of the sequential tail, else -1 (always -1 without flag).
@inline function gaeRowBlocked(r: usize, V: usize, s: i32, L: i32, gamma: f64, gl: f64, raw: usize, ret: usize, buf: usize, moments: bool, pw: usize, nOut: usize, isGae: bool, flag: bool): i32 {
  const lo = s + (L & 7);
  let t = s + L, C: f64 = 0, n = 0, sum: f64 = 0, flagged = false;
  if (ASC_FEATURE_SIMD) {
    const g = f64x2.splat(gamma), a1 = f64x2.splat(gl), a2 = f64x2.splat(load<f64>(pw, 16)), a4 = f64x2.splat(load<f64>(pw, 32));
    const p01 = v128.load(pw, 72), p23 = v128.load(pw, 88), p45 = v128.load(pw, 104), p67 = v128.load(pw, 120); // (a^8,a^7) ... (a^2,a^1)
    const z = f32x4.splat(0), zd = f64x2.splat(0);
    let acc = zd; // the row sum for the moments: (A01 + A23) + (A45 + A67), lane-wise
    let fl = z; // flag lanes: sum of outputs times 0
    let vUp = zd; // (V[t], V[t+1]) of the block above, as f64 (V at the row end reads as 0)
    // C in both lanes, carried as a vector: a lane extract and a splat per block sent it through
    // the stack on V8, on the one dependency chain of the loop.
    let cv = zd;
    while (t - 8 >= lo) {
      t -= 8;
      const o = <usize>t << 2;
      // Two f32 at a time straight into f64 lanes (x64: one vcvtps2pd from memory, no shuffle).
      let d01 = ld2f(r + o, 0), d23 = ld2f(r + o, 8), d45 = ld2f(r + o, 16), d67 = ld2f(r + o, 24);
      let v01 = zd, v23 = zd, v45 = zd, v67 = zd;
      if (isGae) {
        v01 = ld2f(V + o, 0); v23 = ld2f(V + o, 8); v45 = ld2f(V + o, 16); v67 = ld2f(V + o, 24);
        // next values V[t+j+1] as f64 lanes (exact conversions, so the same numbers either way)
        const n01 = v128.shuffle<f64>(v01, v23, 1, 2), n23 = v128.shuffle<f64>(v23, v45, 1, 2), n45 = v128.shuffle<f64>(v45, v67, 1, 2), n67 = v128.shuffle<f64>(v67, vUp, 1, 2);
        vUp = v01;
        d01 = f64x2.sub(f64x2.add(d01, f64x2.mul(g, n01)), v01);
        d23 = f64x2.sub(f64x2.add(d23, f64x2.mul(g, n23)), v23);
        d45 = f64x2.sub(f64x2.add(d45, f64x2.mul(g, n45)), v45);
        d67 = f64x2.sub(f64x2.add(d67, f64x2.mul(g, n67)), v67);
      }
      // shift by 1
      const x01 = f64x2.add(d01, f64x2.mul(a1, v128.shuffle<f64>(d01, d23, 1, 2)));
      const x23 = f64x2.add(d23, f64x2.mul(a1, v128.shuffle<f64>(d23, d45, 1, 2)));
      const x45 = f64x2.add(d45, f64x2.mul(a1, v128.shuffle<f64>(d45, d67, 1, 2)));
      const x67 = f64x2.add(d67, f64x2.mul(a1, v128.shuffle<f64>(d67, zd, 1, 2)));
      // shift by 2, then by 4 (lanes past the block contribute nothing and are not added)
      const y01 = f64x2.add(x01, f64x2.mul(a2, x23)), y23 = f64x2.add(x23, f64x2.mul(a2, x45)), y45 = f64x2.add(x45, f64x2.mul(a2, x67));
      const z01 = f64x2.add(y01, f64x2.mul(a4, y45)), z23 = f64x2.add(y23, f64x2.mul(a4, x67));
      const A01 = f64x2.add(z01, f64x2.mul(p01, cv)), A23 = f64x2.add(z23, f64x2.mul(p23, cv));
      const A45 = f64x2.add(y45, f64x2.mul(p45, cv)), A67 = f64x2.add(x67, f64x2.mul(p67, cv));
      cv = v128.shuffle<f64>(A01, A01, 0, 0);
      let R01 = A01, R23 = A23, R45 = A45, R67 = A67;
      let rawSum = z;
      if (isGae) {
        const rawA = f32x4.add(v128.shuffle<f32>(f32x4.demote_f64x2_zero(A01), f32x4.demote_f64x2_zero(A23), 0, 1, 4, 5), z);
        const rawB = f32x4.add(v128.shuffle<f32>(f32x4.demote_f64x2_zero(A45), f32x4.demote_f64x2_zero(A67), 0, 1, 4, 5), z);
        v128.store(raw + o, rawA); v128.store(raw + o, rawB, 16);
        if (flag) rawSum = f32x4.add(rawA, rawB);
        R01 = f64x2.add(A01, v01); R23 = f64x2.add(A23, v23); R45 = f64x2.add(A45, v45); R67 = f64x2.add(A67, v67);
      }
      const retA = f32x4.add(v128.shuffle<f32>(f32x4.demote_f64x2_zero(R01), f32x4.demote_f64x2_zero(R23), 0, 1, 4, 5), z);
      const retB = f32x4.add(v128.shuffle<f32>(f32x4.demote_f64x2_zero(R45), f32x4.demote_f64x2_zero(R67), 0, 1, 4, 5), z);
      v128.store(ret + o, retA); v128.store(ret + o, retB, 16);
      if (flag) fl = f32x4.add(fl, f32x4.mul(f32x4.add(f32x4.add(retA, retB), rawSum), z));
      if (moments) {
        const q = buf + (<usize>n << 3);
        v128.store(q, A01); v128.store(q, A23, 16); v128.store(q, A45, 32); v128.store(q, A67, 48);
        acc = f64x2.add(acc, f64x2.add(f64x2.add(A01, A23), f64x2.add(A45, A67)));
        n += 8;
      }
    }
    C = f64x2.extract_lane(cv, 0);
    sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    if (flag) flagged = v128.any_true(f32x4.ne(fl, fl));
  } else {
    // The same lane operations in scalar locals (d_j, then x_j, y_j, z_j), no SIMD.
    const a2 = load<f64>(pw, 16), a4 = load<f64>(pw, 32);
    let vUp: f64 = 0; // V[t+8] (0 at the row end)
    let acc0: f64 = 0, acc1: f64 = 0; // the SIMD build's two sum lanes
    let fl: f32 = 0;
    while (t - 8 >= lo) {
      t -= 8;
      let d0 = ld(r, t), d1 = ld(r, t + 1), d2 = ld(r, t + 2), d3 = ld(r, t + 3), d4 = ld(r, t + 4), d5 = ld(r, t + 5), d6 = ld(r, t + 6), d7 = ld(r, t + 7);
      let v0: f64 = 0, v1: f64 = 0, v2: f64 = 0, v3: f64 = 0, v4: f64 = 0, v5: f64 = 0, v6: f64 = 0, v7: f64 = 0;
      if (isGae) {
        v0 = ld(V, t); v1 = ld(V, t + 1); v2 = ld(V, t + 2); v3 = ld(V, t + 3); v4 = ld(V, t + 4); v5 = ld(V, t + 5); v6 = ld(V, t + 6); v7 = ld(V, t + 7);
        d0 = (d0 + gamma * v1) - v0; d1 = (d1 + gamma * v2) - v1; d2 = (d2 + gamma * v3) - v2; d3 = (d3 + gamma * v4) - v3;
        d4 = (d4 + gamma * v5) - v4; d5 = (d5 + gamma * v6) - v5; d6 = (d6 + gamma * v7) - v6; d7 = (d7 + gamma * vUp) - v7;
        vUp = v0;
      }
      const x0 = d0 + gl * d1, x1 = d1 + gl * d2, x2 = d2 + gl * d3, x3 = d3 + gl * d4, x4 = d4 + gl * d5, x5 = d5 + gl * d6, x6 = d6 + gl * d7, x7 = d7 + gl * 0.0;
      const y0 = x0 + a2 * x2, y1 = x1 + a2 * x3, y2 = x2 + a2 * x4, y3 = x3 + a2 * x5, y4 = x4 + a2 * x6, y5 = x5 + a2 * x7;
      const z0 = y0 + a4 * y4, z1 = y1 + a4 * y5, z2 = y2 + a4 * x6, z3 = y3 + a4 * x7;
      const A0 = z0 + load<f64>(pw, 72) * C, A1 = z1 + load<f64>(pw, 80) * C, A2 = z2 + load<f64>(pw, 88) * C, A3 = z3 + load<f64>(pw, 96) * C;
      const A4 = y4 + load<f64>(pw, 104) * C, A5 = y5 + load<f64>(pw, 112) * C, A6 = x6 + load<f64>(pw, 120) * C, A7 = x7 + load<f64>(pw, 128) * C;
      C = A0;
      const o = <usize>t << 2;
      if (isGae) {
        store<f32>(raw + o, <f32>A0 + 0); store<f32>(raw + o, <f32>A1 + 0, 4); store<f32>(raw + o, <f32>A2 + 0, 8); store<f32>(raw + o, <f32>A3 + 0, 12);
        store<f32>(raw + o, <f32>A4 + 0, 16); store<f32>(raw + o, <f32>A5 + 0, 20); store<f32>(raw + o, <f32>A6 + 0, 24); store<f32>(raw + o, <f32>A7 + 0, 28);
      }
      // returns: A + V for GAE; the discounted return itself (v = 0 is added, as in the SIMD lanes)
      store<f32>(ret + o, <f32>(A0 + v0) + 0); store<f32>(ret + o, <f32>(A1 + v1) + 0, 4); store<f32>(ret + o, <f32>(A2 + v2) + 0, 8); store<f32>(ret + o, <f32>(A3 + v3) + 0, 12);
      store<f32>(ret + o, <f32>(A4 + v4) + 0, 16); store<f32>(ret + o, <f32>(A5 + v5) + 0, 20); store<f32>(ret + o, <f32>(A6 + v6) + 0, 24); store<f32>(ret + o, <f32>(A7 + v7) + 0, 28);
      if (flag) {
        let w: f32 = 0;
        for (let j = 0; j < 8; j++) w += load<f32>(ret + o + (<usize>j << 2)) + (isGae ? load<f32>(raw + o + (<usize>j << 2)) : 0);
        fl += w * 0;
      }
      if (moments) {
        const q = buf + (<usize>n << 3);
        store<f64>(q, A0); store<f64>(q, A1, 8); store<f64>(q, A2, 16); store<f64>(q, A3, 24);
        store<f64>(q, A4, 32); store<f64>(q, A5, 40); store<f64>(q, A6, 48); store<f64>(q, A7, 56);
        acc0 += (A0 + A2) + (A4 + A6); acc1 += (A1 + A3) + (A5 + A7);
        n += 8;
      }
    }
    sum = acc0 + acc1;
    if (flag) flagged = isNaN<f32>(fl);
  }
  // the row's first L mod 8 tokens: the sequential loop from the carried state (checked, with flag)
  let bad = -1;
  if (isGae) bad = flag ? gaeRow(r, V, 0, s, t - s, C, t < s + L ? ld(V, t) : 0, gamma, gl, raw, ret, buf, n, sum, moments, false, false, true, nOut) : gaeRow(r, V, 0, s, t - s, C, t < s + L ? ld(V, t) : 0, gamma, gl, raw, ret, buf, n, sum, moments, false, false, false, nOut);
  else bad = flag ? returnsRow(r, 0, s, t - s, gamma, 0, ret, buf, moments, false, true, nOut, C, n, sum) : returnsRow(r, 0, s, t - s, gamma, 0, ret, buf, moments, false, false, nOut, C, n, sum);
  return flagged ? -2 : bad;
}

@inline function hiOf(x: v128): v128 { return v128.shuffle<f32>(x, x, 2, 3, 2, 3); }
// f32 at p + off and p + off + 4 as two f64 lanes.
@inline function ld2f(p: usize, off: usize): v128 { return f64x2.promote_low_f32x4(v128.load64_zero(p + off)); }

// pw[k] = a^k for k = 0..8, then a^8..a^1 again (descending: the lane order of A_0..A_7).
@inline function powers(pw: usize, a: f64): void {
  const a2 = a * a, a4 = a2 * a2;
  store<f64>(pw, 1); store<f64>(pw, a, 8); store<f64>(pw, a2, 16); store<f64>(pw, a2 * a, 24); store<f64>(pw, a4, 32);
  store<f64>(pw, a4 * a, 40); store<f64>(pw, a4 * a2, 48); store<f64>(pw, a4 * (a2 * a), 56); store<f64>(pw, a4 * a4, 64);
  for (let j = 0; j < 8; j++) store<f64>(pw + 72 + (<usize>j << 3), load<f64>(pw + (<usize>(8 - j) << 3)));
}

// tmp: 160 bytes: the row's buf count and sum (16), then the powers of gamma*lam (see powers).
// check: 0 none; 1 returns the first index whose output is not finite (or -1); 2 validates
// while computing: -1 when every output is finite, else the first failing row's index, or -2
// when a blocked row was flagged (the caller then finds the cause on the error path).
// touchPadding: load the inputs over each row's padding too (zeroPaddingStreamed); callers pass 0
// on several threads (GAE, 1024 x 8192, paired against the loads: two threads 0.935-1.020, median
// of five 0.976; one thread 1.065, so one thread keeps them).
// Rows [i0, B): a worker pool splits the rows between threads (docs/threads.md).
export function gae_rows_f32(
  r: usize, V: usize, mask: usize, offsets: usize, prefix: usize, B: i32, T: i32, scanLen: usize,
  gamma: f64, lam: f64, through: i32, check: i32, rawOut: usize, retOut: usize, buf: usize, rowMom: usize, tmp: usize, touchPadding: i32, i0: i32,
): i32 {
  const gl = gamma * lam, mom = rowMom != 0, pw = tmp + 16;
  powers(pw, gl);
  let bad = -1;
  for (let i = B - 1; i >= i0; i--) {
    const s = rowStart(offsets, i, T), L = load<i32>(scanLen + (<usize>i << 2));
    zeroPaddingStreamed(touchPadding ? r : 0, touchPadding ? V : 0, rawOut, retOut, s + L, rowEnd(offsets, i, T));
    let b = -1;
    // no holes in the scanned range: lengths, no mask, or a prefix row of the mask
    const solid = holesMask(mask, prefix, i) == 0;
    if (solid && check == 2) b = gaeRowBlocked(r, V, s, L, gamma, gl, rawOut, retOut, buf, mom, pw, tmp, true, true);
    else if (solid && !check) gaeRowBlocked(r, V, s, L, gamma, gl, rawOut, retOut, buf, mom, pw, tmp, true, false);
    else if (mask && !solid) {
      if (through) b = check ? gaeRow(r, V, mask, s, L, 0, 0, gamma, gl, rawOut, retOut, buf, 0, 0, mom, true, true, true, tmp) : gaeRow(r, V, mask, s, L, 0, 0, gamma, gl, rawOut, retOut, buf, 0, 0, mom, true, true, false, tmp);
      else b = check ? gaeRow(r, V, mask, s, L, 0, 0, gamma, gl, rawOut, retOut, buf, 0, 0, mom, true, false, true, tmp) : gaeRow(r, V, mask, s, L, 0, 0, gamma, gl, rawOut, retOut, buf, 0, 0, mom, true, false, false, tmp);
    } else b = gaeRow(r, V, 0, s, L, 0, 0, gamma, gl, rawOut, retOut, buf, 0, 0, mom, false, false, true, tmp);
    if (b != -1) bad = b; // rows run last to first: the last one found is the first failing row
    finishRow(i, buf, load<i32>(tmp), load<f64>(tmp, 8), rowMom);
  }
  return bad;
}

// Discounted returns: mode 0 carry, 1 through, 2 reset (docs/kernels.md#discountedreturns).
// Scans [s, s+L) backwards from the carried return R (buf count n, sum `sum`), like gaeRow.
@inline function returnsRow(r: usize, mask: usize, s: i32, L: i32, gamma: f64, mode: i32, ret: usize, buf: usize, moments: bool, useMask: bool, check: bool, nOut: usize, R: f64, n: i32, sum: f64): i32 {
  let bad = -1;
  for (let t = s + L - 1; t >= s; t--) {
    const o = <usize>t << 2;
    if (useMask && load<u8>(mask + <usize>t) == 0) {
      if (mode == 1) R = gamma * R; else if (mode == 2) R = 0;
      store<f32>(ret + o, 0);
      continue;
    }
    R = ld(r, t) + gamma * R;
    const r32 = <f32>R + 0;
    if (check && !isFinite<f32>(r32)) bad = t; // backwards: the last found is the first
    store<f32>(ret + o, r32);
    if (moments) { store<f64>(buf + (<usize>n << 3), R); sum += R; n++; }
  }
  store<i32>(nOut, n); store<f64>(nOut, sum, 8);
  return bad;
}

// tmp: as gae_rows_f32's (160 bytes), with the powers of gamma; touchPadding as there.
export function returns_rows_f32(
  r: usize, mask: usize, offsets: usize, prefix: usize, B: i32, T: i32, scanLen: usize, gamma: f64, mode: i32, check: i32,
  retOut: usize, buf: usize, rowMom: usize, tmp: usize, touchPadding: i32, i0: i32,
): i32 {
  const mom = rowMom != 0, pw = tmp + 16;
  powers(pw, gamma);
  let bad = -1;
  for (let i = B - 1; i >= i0; i--) {
    const s = rowStart(offsets, i, T), L = load<i32>(scanLen + (<usize>i << 2));
    zeroPaddingStreamed(touchPadding ? r : 0, 0, 0, retOut, s + L, rowEnd(offsets, i, T));
    let b = -1;
    // no holes in the scanned range: the blocked scan (the three modes differ only at holes)
    const solid = holesMask(mask, prefix, i) == 0;
    if (solid && check == 2) b = gaeRowBlocked(r, 0, s, L, gamma, gamma, 0, retOut, buf, mom, pw, tmp, false, true);
    else if (solid && !check) gaeRowBlocked(r, 0, s, L, gamma, gamma, 0, retOut, buf, mom, pw, tmp, false, false);
    else if (mask && !solid) b = check ? returnsRow(r, mask, s, L, gamma, mode, retOut, buf, mom, true, true, tmp, 0, 0, 0) : returnsRow(r, mask, s, L, gamma, mode, retOut, buf, mom, true, false, tmp, 0, 0, 0);
    else b = returnsRow(r, 0, s, L, gamma, mode, retOut, buf, mom, false, true, tmp, 0, 0, 0);
    if (b != -1) bad = b; // last row to first, as in gae_rows_f32
    finishRow(i, buf, load<i32>(tmp), load<f64>(tmp, 8), rowMom);
  }
  return bad;
}

// Chan merge of per-row records in row order: [count, mean, M2].
export function merge_rows_f64(rowMom: usize, B: i32, out: usize): void {
  let N: f64 = 0, M: f64 = 0, Q: f64 = 0;
  for (let i = 0; i < B; i++) {
    const o = rowMom + (<usize>(i * 3) << 3);
    const n = load<f64>(o);
    if (n == 0) continue;
    if (N == 0) { N = n; M = load<f64>(o, 8); Q = load<f64>(o, 16); continue; }
    const tot = N + n, d = load<f64>(o, 8) - M;
    M = M + d * (n / tot);
    Q = Q + load<f64>(o, 16) + d * d * ((N * n) / tot);
    N = tot;
  }
  store<f64>(out, N); store<f64>(out, M, 8); store<f64>(out, Q, 16);
}

// out = (x - mu) * scale + back at the valid positions of the scanned region (+0 at its masked
// positions). In place (out == x) the rest of each row is already +0; out of place it is cleared
// here, so REINFORCE++ whitens its returns into the advantages without copying them first.
// With back == 0 (every caller) and mu, scale 0 or normal f32s, the map runs in f32, as
// `(x - mu32) * scale32` (the final element-wise map in f32 that docs/numerics.md allows: four
// lanes a step instead of two f64x2 halves; GAE with whitening, 1024 x 8192, one thread, paired:
// 0.96 of the time); otherwise in f64, rounded once. Both builds run the same operations.
export function whiten_scanned_f32(x: usize, out: usize, maskIn: usize, offsets: usize, prefix: usize, B: i32, T: i32, scanLen: usize, mu: f64, scale: f64, back: f64, i0: i32): void {
  // back == 0 (every caller today): the add is left out, bitwise the same (the final + 0 turns a
  // -0 into +0 as the f64 add of +0 did), two lane operations fewer per 4 tokens.
  if (back == 0 && normalOrZeroF32(mu) && normalOrZeroF32(scale)) whitenRowsF32(x, out, maskIn, offsets, prefix, B, T, scanLen, mu, scale, i0);
  else if (back == 0) whitenRows(x, out, maskIn, offsets, prefix, B, T, scanLen, mu, scale, 0, i0, false, false);
  else whitenRows(x, out, maskIn, offsets, prefix, B, T, scanLen, mu, scale, back, i0, true, false);
}
// The f32 map in a function of its own (not inlined into the export beside the f64 ones).
function whitenRowsF32(x: usize, out: usize, maskIn: usize, offsets: usize, prefix: usize, B: i32, T: i32, scanLen: usize, mu: f64, scale: f64, i0: i32): void {
  whitenRows(x, out, maskIn, offsets, prefix, B, T, scanLen, mu, scale, 0, i0, false, true);
}

// The rest of row i past its scanned region [.., e): cleared out of place; in place it is already
// +0 and only its lines are touched (below).
@inline function finishWhitenRow(x: usize, out: usize, offsets: usize, i: i32, T: i32, e: i32): void {
  const end = rowEnd(offsets, i, T);
  if (out != x && end > e) zeroDirty(out + (<usize>e << 2), <usize>(end - e) << 2);
  // In place, the padding is already +0 and is not written; its lines are still touched (one
  // load a line, dropped) so that x stays one unbroken stream (the prefetcher restarts at every
  // gap). GAE with whitening, 1024 x 8192, one thread, paired: this and the scan's inline
  // padding (zeroPaddingStreamed) 0.86-0.87 of the time before both; the scan's change alone 0.91-1.0.
  else if (ASC_FEATURE_SIMD) for (let q = (<usize>e << 2) + 64; q < (<usize>end << 2); q += 64) v128.load(x + q);
}

// f32map (a literal): (x - mu32) * scale32 in f32 lanes; else f64x2 halves, rounded once.
@inline function whitenRows(x: usize, out: usize, maskIn: usize, offsets: usize, prefix: usize, B: i32, T: i32, scanLen: usize, mu: f64, scale: f64, back: f64, i0: i32, withBack: bool, f32map: bool): void {
  const mu32 = <f32>mu, scale32 = <f32>scale;
  for (let i = i0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = s + load<i32>(scanLen + (<usize>i << 2));
    const mask = holesMask(maskIn, prefix, i);
    let t = s;
    if (ASC_FEATURE_SIMD) {
      const vm = f64x2.splat(mu), vs = f64x2.splat(scale), vb = f64x2.splat(back), z = f32x4.splat(0);
      const vm32 = f32x4.splat(mu32), vs32 = f32x4.splat(scale32);
      for (; t + 4 <= e; t += 4) {
        const o = <usize>t << 2;
        const v = v128.load(x + o);
        let y: v128;
        if (f32map) y = f32x4.add(f32x4.mul(f32x4.sub(v, vm32), vs32), z);
        else {
          let lo = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), vm), vs);
          let hi = f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), vm), vs);
          if (withBack) { lo = f64x2.add(lo, vb); hi = f64x2.add(hi, vb); }
          y = f32x4.add(i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5), z);
        }
        if (mask) y = v128.and(y, maskLanes4(mask + <usize>t));
        v128.store(out + o, y);
      }
    }
    for (; t < e; t++) {
      const o = <usize>t << 2;
      const xv = load<f32>(x + o);
      const y: f32 = f32map ? (xv - mu32) * scale32 + 0 : <f32>(withBack ? (<f64>xv - mu) * scale + back : (<f64>xv - mu) * scale) + 0;
      store<f32>(out + o, mask != 0 && load<u8>(mask + <usize>t) == 0 ? 0 : y);
    }
    finishWhitenRow(x, out, offsets, i, T, e);
  }
}
