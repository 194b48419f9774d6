import { rowStart, rowEnd, validEnd } from "../rows";

// Per-row Σ l and Σ exp(l) over valid positions, in f64 (likelihood rewards, SAR).
export function row_logp_sums_f32(x: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, sumOut: usize, expOut: usize): void {
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = validEnd(lens, i, s, e);
    let a: f64 = 0, b: f64 = 0;
    for (let t = s; t < v; t++) {
      if (mask && load<u8>(mask + <usize>t) == 0) continue;
      const l = <f64>load<f32>(x + (<usize>t << 2));
      a += l;
      if (expOut) b += Math.exp(l);
    }
    store<f64>(sumOut + (<usize>i << 3), a);
    if (expOut) store<f64>(expOut + (<usize>i << 3), b);
  }
}

// TGDPO (docs/kernels.md#tgdpo), one side of the pairs: w_t = beta*(1 + sign*alpha*beta*(rewardLogp - refLogp)),
// delta_t = logp - refLogp; writes w (f32, +0 at masked positions) and Σ_t w*delta per row (f64).
export function tgdpo_side_f32(logp: usize, ref: usize, rlogp: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, beta: f64, alpha: f64, sign: f64, wOut: usize, sumOut: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const s = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = validEnd(lens, i, s, e);
    let z: f64 = 0;
    for (let t = s; t < e; t++) {
      const o = <usize>t << 2;
      let w32: f32 = 0;
      if (t < v && (mask == 0 || load<u8>(mask + <usize>t) != 0)) {
        const r = <f64>load<f32>(ref + o);
        const w = beta * (1 + sign * alpha * beta * (<f64>load<f32>(rlogp + o) - r));
        z += w * (<f64>load<f32>(logp + o) - r);
        w32 = <f32>w + 0;
        if (bad < 0 && !isFinite<f32>(w32)) bad = t;
      }
      store<f32>(wOut + o, w32);
    }
    store<f64>(sumOut + (<usize>i << 3), z);
  }
  return bad;
}
