import { rowStart, rowEnd, validEnd } from "../rows";

// PRIME implicit process rewards (docs/kernels.md#prime).

// rm = beta*(logpRm - logpRef) at valid positions (token granularity; dropLast: 0 at the last
// valid token), or their sum placed at the last valid token (whole). q (unscaled) at valid positions.
export function prime_implicit_f32(lp: usize, ref: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, beta: f64, whole: i32, dropLast: i32, out: usize, qOut: usize): void {
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = validEnd(lens, i, s, e);
    let last = -1, sum: f64 = 0;
    for (let t = s; t < e; t++) {
      const o = <usize>t << 2;
      const valid = t < v && (mask == 0 || load<u8>(mask + <usize>t) != 0);
      let q: f64 = 0;
      if (valid) { q = <f64>load<f32>(lp + o) - <f64>load<f32>(ref + o); last = t; sum += q; }
      store<f32>(qOut + o, <f32>q + 0);
      store<f32>(out + o, whole ? 0 : <f32>(beta * q) + 0);
    }
    if (last >= 0) {
      if (whole) store<f32>(out + (<usize>last << 2), <f32>(beta * sum) + 0);
      else if (dropLast) store<f32>(out + (<usize>last << 2), 0);
    }
  }
}

// M = max over rows and positions of |Σ_{t' >= t} x[t']| (valid positions only), in f64.
export function prime_batch_max_f32(x: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32): f64 {
  let M: f64 = 0;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = validEnd(lens, i, s, e);
    let c: f64 = 0;
    for (let t = e - 1; t >= s; t--) {
      if (t < v && (mask == 0 || load<u8>(mask + <usize>t) != 0)) c += <f64>load<f32>(x + (<usize>t << 2));
      M = max(M, Math.abs(c));
    }
  }
  return M;
}

// The two sources' leave-one-out rewards and discounted returns in one reverse pass per row:
//   process r'_t = rm_t * pA_i - pC_i at valid t (rm == 0: no process source)
//   outcome r'   = oVal_i at the last valid position (hasOutcome)
//   G_src = r' + gamma_src * G_src (over every position; masked r' = 0)
//   returns_t = coefP*G_p + coefO*G_o at valid t, +0 elsewhere
// Per-row (count, mean, M2) of the valid returns go to rowMom for the whitening (merged in row order).
export function prime_returns_f32(
  rm: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, pA: usize, pC: usize, hasOutcome: i32, oVal: usize,
  gp: f64, go: f64, coefP: f64, coefO: f64, out: usize, buf: usize, rowMom: usize,
): void {
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = validEnd(lens, i, s, e);
    const a = rm ? load<f64>(pA + (<usize>i << 3)) : 0, c = rm ? load<f64>(pC + (<usize>i << 3)) : 0;
    const ov = hasOutcome ? load<f64>(oVal + (<usize>i << 3)) : 0;
    let Gp: f64 = 0, Go: f64 = 0, sum: f64 = 0, n = 0;
    let seenLast = false;
    for (let t = e - 1; t >= s; t--) {
      const valid = t < v && (mask == 0 || load<u8>(mask + <usize>t) != 0);
      let rp: f64 = 0, ro: f64 = 0;
      if (valid) {
        if (rm) rp = <f64>load<f32>(rm + (<usize>t << 2)) * a - c;
        if (!seenLast) { ro = ov; seenLast = true; }
      }
      Gp = rp + gp * Gp;
      Go = ro + go * Go;
      let y: f32 = 0;
      if (valid) {
        const R = coefP * Gp + coefO * Go;
        y = <f32>R + 0;
        store<f64>(buf + (<usize>n << 3), R); sum += R; n++;
      }
      store<f32>(out + (<usize>t << 2), y);
    }
    const o = rowMom + (<usize>(i * 3) << 3);
    if (n == 0) { store<f64>(o, 0); store<f64>(o, 0, 8); store<f64>(o, 0, 16); continue; }
    const mean = sum / <f64>n;
    let m2: f64 = 0;
    for (let k = 0; k < n; k++) { const d = load<f64>(buf + (<usize>k << 3)) - mean; m2 += d * d; }
    store<f64>(o, <f64>n); store<f64>(o, mean, 8); store<f64>(o, m2, 16);
  }
}
