import { rowStart, rowEnd, validEnd } from "../rows";

// OpenRLHF outcome returns (docs/kernels.md#openrlhfoutcome steps 4-5) in one reverse pass per row:
//   reward_t = -klCoef*kl_t + (t == last valid ? r_i : 0)
//   R_t = m_t*reward_t + gamma*R_{t+1}  ("through"), ret_t = m_t ? R_t : 0
// kl == 0 (null pointer) means no KL term. State is f64. Masked kl values are never read.
// Writes the returns as f32 (`out`) and, when out64 != 0, as f64 too: the normalisation that
// follows reads the f64 values, so every output is rounded once.
export function orl_outcome_returns_f32(kl: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, r: usize, klCoef: f64, gamma: f64, out: usize, out64: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const a = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = validEnd(lens, i, a, e);
    const ri = <f64>load<f32>(r + (<usize>i << 2));
    let R: f64 = 0, rowBad = -1;
    let seenLast = false;
    for (let t = e - 1; t >= a; t--) {
      const valid = t < v && (mask == 0 || load<u8>(mask + <usize>t) != 0);
      let o: f32 = 0;
      let o64: f64 = 0;
      if (valid) {
        let rw: f64 = kl ? -klCoef * <f64>load<f32>(kl + (<usize>t << 2)) : 0;
        if (!seenLast) { rw += ri; seenLast = true; }
        R = rw + gamma * R;
        o = <f32>R + 0;
        o64 = R + 0;
        if (!isFinite<f32>(o)) rowBad = t; // backwards: the last found is the row's first
      } else R = gamma * R;
      store<f32>(out + (<usize>t << 2), o);
      if (out64) store<f64>(out64 + (<usize>t << 3), o64);
    }
    if (bad < 0) bad = rowBad;
  }
  return bad;
}
