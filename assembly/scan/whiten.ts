import { rowStart, rowEnd, validEnd } from "../rows";

// Token-weighted two-pass moments over the valid positions of a batch: [count, mean, M2] in f64.
// Sums run row by row in token order, so packed and padded layouts give the same bits.
export function masked_moments_f32(x: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, out: usize): void {
  maskedMoments<f32>(x, mask, lens, offsets, B, T, out);
}
export function masked_moments_f64(x: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, out: usize): void {
  maskedMoments<f64>(x, mask, lens, offsets, B, T, out);
}
@inline function maskedMoments<T>(x: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, out: usize): void {
  let n: f64 = 0, s: f64 = 0;
  for (let i = 0; i < B; i++) {
    const a = rowStart(offsets, i, T);
    const e = validEnd(lens, i, a, rowEnd(offsets, i, T));
    for (let t = a; t < e; t++) {
      if (mask && load<u8>(mask + <usize>t) == 0) continue;
      n += 1; s += <f64>load<T>(x + (<usize>t << alignof<T>()));
    }
  }
  const mean = n > 0 ? s / n : 0;
  let m2: f64 = 0;
  for (let i = 0; i < B; i++) {
    const a = rowStart(offsets, i, T);
    const e = validEnd(lens, i, a, rowEnd(offsets, i, T));
    for (let t = a; t < e; t++) {
      if (mask && load<u8>(mask + <usize>t) == 0) continue;
      const d = <f64>load<T>(x + (<usize>t << alignof<T>())) - mean;
      m2 += d * d;
    }
  }
  store<f64>(out, n); store<f64>(out, mean, 8); store<f64>(out, m2, 16);
}

// out = (x - mu) * scale + shiftBack at valid positions (f64, rounded once), +0 elsewhere.
// In-place (out == x) is allowed: each element is read before it is written.
export function masked_affine_f32(x: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, mu: f64, scale: f64, shiftBack: f64, out: usize): i32 {
  return maskedAffine<f32>(x, mask, lens, offsets, B, T, mu, scale, shiftBack, out);
}
export function masked_affine_f64_f32(x: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, mu: f64, scale: f64, shiftBack: f64, out: usize): i32 {
  return maskedAffine<f64>(x, mask, lens, offsets, B, T, mu, scale, shiftBack, out);
}
@inline function maskedAffine<T>(x: usize, mask: usize, lens: usize, offsets: usize, B: i32, T: i32, mu: f64, scale: f64, shiftBack: f64, out: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const a = rowStart(offsets, i, T), e = rowEnd(offsets, i, T);
    const v = validEnd(lens, i, a, e);
    for (let t = a; t < e; t++) {
      let r: f32 = 0;
      if (t < v && (mask == 0 || load<u8>(mask + <usize>t) != 0)) {
        r = <f32>((<f64>load<T>(x + (<usize>t << alignof<T>())) - mu) * scale + shiftBack) + 0;
        if (bad < 0 && !isFinite<f32>(r)) bad = t;
      }
      store<f32>(out + (<usize>t << 2), r);
    }
  }
  return bad;
}
