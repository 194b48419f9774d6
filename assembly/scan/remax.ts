import { rowStart, rowEnd, validEnd } from "../rows";

// ReMax (docs/kernels.md#remax): returns = undiscounted reward-to-go over valid rewards, advantages =
// returns - b_i, both +0 at masked positions. One reverse pass, f64 state.
// Returns the first flat index whose f32 output is not finite, or -1.
export function remax_f32(r: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, b: usize, retOut: usize, advOut: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const a = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = validEnd(lens, i, a, e);
    const bi = <f64>load<f32>(b + (<usize>i << 2));
    let R: f64 = 0, rowBad = -1;
    for (let t = e - 1; t >= a; t--) {
      let ret: f32 = 0, adv: f32 = 0;
      if (t < v && (mask == 0 || load<u8>(mask + <usize>t) != 0)) {
        R += <f64>load<f32>(r + (<usize>t << 2));
        ret = <f32>R + 0;
        adv = <f32>(R - bi) + 0;
        if (!(isFinite<f32>(ret) && isFinite<f32>(adv))) rowBad = t; // backwards: the last found is the row's first
      }
      store<f32>(retOut + (<usize>t << 2), ret);
      store<f32>(advOut + (<usize>t << 2), adv);
    }
    if (bad < 0) bad = rowBad;
  }
  return bad;
}
