// BCO's pair loss against a running reward shift (docs/shapers.md#bcoshift). Rewards are
// r = beta (logp - refLogp) per sequence, in f64.
import { logSigmoid } from "./logistic";

// Chosen and rejected rewards (f32 out) and the f64 mean of all 2P of them into mean[0]; returns
// the first pair whose reward is not finite in f32, or -1.
export function bco_rewards_f32(pc: usize, rc: usize, pr: usize, rr: usize, P: i32, beta: f64, chosen: usize, rejected: usize, mean: usize): i32 {
  let s: f64 = 0, bad = -1;
  for (let i = 0; i < P; i++) {
    const a = beta * (<f64>load<f32>(pc + (<usize>i << 2)) - <f64>load<f32>(rc + (<usize>i << 2)));
    const b = beta * (<f64>load<f32>(pr + (<usize>i << 2)) - <f64>load<f32>(rr + (<usize>i << 2)));
    s += a + b;
    const a32 = <f32>a + 0, b32 = <f32>b + 0;
    if (bad < 0 && !(isFinite<f32>(a32) && isFinite<f32>(b32))) bad = i;
    store<f32>(chosen + (<usize>i << 2), a32);
    store<f32>(rejected + (<usize>i << 2), b32);
  }
  store<f64>(mean, s / <f64>(2 * P));
  return bad;
}

// loss_p = -logσ(r_w - delta) - logσ(-(r_l - delta)); returns the first pair whose loss is not
// finite in f32, or -1.
export function bco_loss_f32(pc: usize, rc: usize, pr: usize, rr: usize, P: i32, beta: f64, delta: f64, loss: usize): i32 {
  let bad = -1;
  for (let i = 0; i < P; i++) {
    const a = beta * (<f64>load<f32>(pc + (<usize>i << 2)) - <f64>load<f32>(rc + (<usize>i << 2)));
    const b = beta * (<f64>load<f32>(pr + (<usize>i << 2)) - <f64>load<f32>(rr + (<usize>i << 2)));
    const l = <f32>(-logSigmoid(a - delta) - logSigmoid(-(b - delta))) + 0;
    if (bad < 0 && !isFinite<f32>(l)) bad = i;
    store<f32>(loss + (<usize>i << 2), l);
  }
  return bad;
}
