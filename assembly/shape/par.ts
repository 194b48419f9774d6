// PAR and the shapers of its paper, LSC (docs/shapers.md#parshape, #lsc). The shaping pipeline
// runs on an f64 working copy x[B] of the rewards: every step reads and writes it in place, and
// the result is rounded to f32 once at the end (f64_to_f32_rows), so a chain of steps costs no
// intermediate f32 rounding. References are CSR: refs (f32 values), offs (i32, B+1).
import { logSigmoid, sigmoid } from "./logistic";

// x <- f64(src); returns the first index whose value is NaN or infinite, or -1.
export function f32_to_f64_rows(src: usize, B: i32, x: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const v = load<f32>(src + (<usize>i << 2));
    if (bad < 0 && !isFinite<f32>(v)) bad = i;
    store<f64>(x + (<usize>i << 3), <f64>v);
  }
  return bad;
}

// out <- f32(x) (+0 for -0); returns the first index whose rounded value is not finite, or -1.
export function f64_to_f32_rows(x: usize, B: i32, out: usize): i32 {
  let bad = -1;
  for (let i = 0; i < B; i++) {
    const v = <f32>load<f64>(x + (<usize>i << 3)) + 0;
    if (bad < 0 && !isFinite<f32>(v)) bad = i;
    store<f32>(out + (<usize>i << 2), v);
  }
  return bad;
}

// The first row with no references, or -1 (a relative step there is DOMAIN).
export function refs_first_empty_i32(offs: usize, B: i32): i32 {
  for (let i = 0; i < B; i++) if (load<i32>(offs + (<usize>(i + 1) << 2)) <= load<i32>(offs + (<usize>i << 2))) return i;
  return -1;
}

// Relative steps against the first M = min(maxRef, #refs_i) references of each row:
//   mode 0 centered: (1/M) Σ (x - ref) ; 1 sgfc: (1/M) Σ σ(k (x - 3 - ref)) ;
//   mode 2 sigmoid (PAR): (1/M) Σ σ(k (x - ref)) ; 3 tanh: (1/M) Σ tanh(x - ref).
// Every row has at least one reference (checked by the caller).
export function par_relative_f64(x: usize, B: i32, refs: usize, offs: usize, maxRef: i32, mode: i32, k: f64): void {
  for (let i = 0; i < B; i++) {
    const o = load<i32>(offs + (<usize>i << 2));
    const M = min(maxRef, load<i32>(offs + (<usize>(i + 1) << 2)) - o);
    const r = load<f64>(x + (<usize>i << 3));
    let acc: f64 = 0;
    for (let m = 0; m < M; m++) {
      const ref = <f64>load<f32>(refs + (<usize>(o + m) << 2));
      if (mode == 0) acc += r - ref;
      else if (mode == 1) acc += sigmoid(k * (r - 3 - ref));
      else if (mode == 2) acc += sigmoid(k * (r - ref));
      else acc += Math.tanh(r - ref);
    }
    store<f64>(x + (<usize>i << 3), acc / <f64>M);
  }
}

// Absolute steps: mode 2 sigmoid σ(k x), 3 tanh(x).
export function par_absolute_f64(x: usize, B: i32, mode: i32, k: f64): void {
  for (let i = 0; i < B; i++) {
    const r = load<f64>(x + (<usize>i << 3));
    store<f64>(x + (<usize>i << 3), mode == 2 ? sigmoid(k * r) : Math.tanh(r));
  }
}

// x <- clamp(x, lo, hi): the ceiling (lo = -inf) and the clipping step.
export function clamp_f64(x: usize, B: i32, lo: f64, hi: f64): void {
  for (let i = 0; i < B; i++) store<f64>(x + (<usize>i << 3), min(max(load<f64>(x + (<usize>i << 3)), lo), hi));
}

// x <- (x - shift)/den, or 0 when den == 0 (minmax on a constant history; PAR divides by zero).
export function shift_div_f64(x: usize, B: i32, shift: f64, den: f64): void {
  for (let i = 0; i < B; i++) store<f64>(x + (<usize>i << 3), den == 0 ? 0 : (load<f64>(x + (<usize>i << 3)) - shift) / den);
}

// PAR's length penalty: x -= coef (L - threshold) where L > threshold.
export function length_penalty_f64(x: usize, lengths: usize, B: i32, threshold: f64, coef: f64): void {
  for (let i = 0; i < B; i++) {
    const L = <f64>load<i32>(lengths + (<usize>i << 2));
    if (L > threshold) store<f64>(x + (<usize>i << 3), load<f64>(x + (<usize>i << 3)) - coef * (L - threshold));
  }
}

// The batch moments RunningStats merges: out = [mean, population variance (two-pass), min, max].
export function batch_moments_f64(x: usize, B: i32, out: usize): void {
  let s: f64 = 0, lo = Infinity, hi = -Infinity;
  for (let i = 0; i < B; i++) { const v = load<f64>(x + (<usize>i << 3)); s += v; lo = min(lo, v); hi = max(hi, v); }
  const mean = s / <f64>B;
  let q: f64 = 0;
  for (let i = 0; i < B; i++) { const d = load<f64>(x + (<usize>i << 3)) - mean; q += d * d; }
  store<f64>(out, mean); store<f64>(out, q / <f64>B, 8); store<f64>(out, lo, 16); store<f64>(out, hi, 24);
}

// LSC's reference reward per row: mean(refs_i) + (sd(refs_i) + 1e-5) * z, z = PhiInv(q); sd is the
// sample sd (n - 1), 0 for a single reference. Every row has at least one reference.
export function lsc_ref_f64(refs: usize, offs: usize, B: i32, z: f64, out: usize): void {
  for (let i = 0; i < B; i++) {
    const o = load<i32>(offs + (<usize>i << 2)), n = load<i32>(offs + (<usize>(i + 1) << 2)) - o;
    let s: f64 = 0;
    for (let m = 0; m < n; m++) s += <f64>load<f32>(refs + (<usize>(o + m) << 2));
    const mean = s / <f64>n;
    let q: f64 = 0;
    for (let m = 0; m < n; m++) { const d = <f64>load<f32>(refs + (<usize>(o + m) << 2)) - mean; q += d * d; }
    const sd = n > 1 ? Math.sqrt(q / <f64>(n - 1)) : 0;
    store<f64>(out + (<usize>i << 3), mean + (sd + 1e-5) * z);
  }
}

// x <- logσ(x - ref_i) (ref f64 per row).
export function log_sigmoid_diff_f64(x: usize, ref: usize, B: i32): void {
  for (let i = 0; i < B; i++)
    store<f64>(x + (<usize>i << 3), logSigmoid(load<f64>(x + (<usize>i << 3)) - load<f64>(ref + (<usize>i << 3))));
}

// LSC combination of K heads: out_i = Σ_h w_h logσ(r_{i,h} - ref_{i,h}), r f32 [B*K], ref f64 [B*K].
// Returns the first flat index of r that is NaN or infinite (-1: none); a row whose sum leaves
// the f32 range is reported as -2 - i.
export function lsc_combine_f32(r: usize, ref: usize, w: usize, B: i32, K: i32, out: usize): i32 {
  let badOut = -1;
  for (let i = 0; i < B; i++) {
    let acc: f64 = 0;
    for (let h = 0; h < K; h++) {
      const j = i * K + h, v = load<f32>(r + (<usize>j << 2));
      if (!isFinite<f32>(v)) return j;
      acc += load<f64>(w + (<usize>h << 3)) * logSigmoid(<f64>v - load<f64>(ref + (<usize>j << 3)));
    }
    const c = <f32>acc + 0;
    if (badOut < 0 && !isFinite<f32>(c)) badOut = i;
    store<f32>(out + (<usize>i << 2), c);
  }
  return badOut < 0 ? -1 : -2 - badOut;
}
