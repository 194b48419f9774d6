// The bench's second floor: the fewest WebAssembly loads and stores that move a token kernel's
// minimal bytes (valid inputs read once, every output written once, the mask read once), with
// no arithmetic beyond joining the inputs: how close a wasm kernel can come to the copy floor.
// Row layout: padded [B, T], row i valid on its first lens[i] positions.
// The shape of the streams matters more than the store instructions here: on the project VM a
// v128 copy loop over 32 MiB takes the time of TypedArray.prototype.set (2.25 and 2.25 ms), and a
// v128 zero fill the time of memory.fill (1.03 and 1.08 ms), but a pass that skips each row's
// padding in its input streams restarts the hardware prefetcher at every row. So each row's
// padding is written right after its valid part (outputs: one unbroken stream of stores), and
// with `touch` the inputs' padding lines are loaded too (one load a line, dropped). Measured on
// the bench's batches against the copy floor as it then was (a copy from a never-written source,
// which reads the zero page: 1.3-1.6x faster than the corrected floor): GAE's shape 1.25-1.29
// touched, 1.26-1.30 not (1.47-1.53 with a memset sweep after the rows, the previous floor);
// min-form's 1.21-1.27 and 1.43-1.49 (1.58-1.63); KL's three inputs 1.47-1.50 and 1.36-1.68
// (1.45-1.48). GAE and min-form touch, KL does not (each the lower, or for KL the kernel's own
// shape). Against the corrected floor these passes take 0.96-1.11 of its time. The write-only
// broadcast writes each row's zeros right after its values, as its kernel now does (reading the
// padding back and writing only dirty blocks, its previous floor, measured slower with it).

// Row positions [t, e) of d1 (and d2) set to +0 by v128 stores; with touch, inputs a, b and c
// (each optional but a) loaded once per 64-byte line over the same positions, results dropped.
function clearTail(a: usize, b: usize, c: usize, d1: usize, d2: usize, t: i32, e: i32, touch: bool): void {
  const z = f32x4.splat(0);
  for (; t + 16 <= e; t += 16) {
    const o = <usize>t << 2;
    if (touch) { v128.load(a + o); if (b) v128.load(b + o); if (c) v128.load(c + o); }
    v128.store(d1 + o, z); v128.store(d1 + o, z, 16); v128.store(d1 + o, z, 32); v128.store(d1 + o, z, 48);
    if (d2) { v128.store(d2 + o, z); v128.store(d2 + o, z, 16); v128.store(d2 + o, z, 32); v128.store(d2 + o, z, 48); }
  }
  if (t < e) {
    memory.fill(d1 + (<usize>t << 2), 0, <usize>(e - t) << 2);
    if (d2) memory.fill(d2 + (<usize>t << 2), 0, <usize>(e - t) << 2);
  }
}

// Reads n mask bytes (an OR over them, so the loads cannot be dropped).
export function read_u8(mask: usize, n: i32): i32 {
  let acc = i8x16.splat(0);
  let k = 0;
  for (; k + 64 <= n; k += 64) {
    const p = mask + <usize>k;
    acc = v128.or(acc, v128.or(v128.or(v128.load(p), v128.load(p, 16)), v128.or(v128.load(p, 32), v128.load(p, 48))));
  }
  return i8x16.bitmask(acc);
}

// Valid positions: d1 = a + b (+ c when c != 0), d2 = the same when d2 != 0; the rest of each
// row cleared right after it (clearTail; touch != 0 loads the inputs' padding lines).
export function stream_rows(a: usize, b: usize, c: usize, d1: usize, d2: usize, lens: usize, B: i32, T: i32, touch: i32): void {
  for (let i = 0; i < B; i++) {
    const s = i * T, L = load<i32>(lens + (<usize>i << 2));
    let t = s;
    if (b == 0) for (; t + 16 <= s + L; t += 16) {
      const o = <usize>t << 2;
      v128.store(d1 + o, v128.load(a + o)); v128.store(d1 + o, v128.load(a + o, 16), 16);
      v128.store(d1 + o, v128.load(a + o, 32), 32); v128.store(d1 + o, v128.load(a + o, 48), 48);
    } else if (c == 0) for (; t + 8 <= s + L; t += 8) {
      const o = <usize>t << 2;
      const x = f32x4.add(v128.load(a + o), v128.load(b + o)), y = f32x4.add(v128.load(a + o, 16), v128.load(b + o, 16));
      v128.store(d1 + o, x); v128.store(d1 + o, y, 16);
      if (d2) { v128.store(d2 + o, x); v128.store(d2 + o, y, 16); }
    } else for (; t + 8 <= s + L; t += 8) {
      const o = <usize>t << 2;
      v128.store(d1 + o, f32x4.add(f32x4.add(v128.load(a + o), v128.load(b + o)), v128.load(c + o)));
      v128.store(d1 + o, f32x4.add(f32x4.add(v128.load(a + o, 16), v128.load(b + o, 16)), v128.load(c + o, 16)), 16);
    }
    for (; t < s + L; t++) {
      const o = <usize>t << 2;
      const x = load<f32>(a + o) + (b ? load<f32>(b + o) : 0) + (c ? load<f32>(c + o) : 0);
      store<f32>(d1 + o, x);
      if (d2) store<f32>(d2 + o, x);
    }
    if (touch) clearTail(a, b, c, d1, d2, t, s + T, true);
    else clearTail(a, b, c, d1, d2, t, s + T, false);
  }
}

// Valid positions read and written in place (the whitening pass).
export function inplace_rows(x: usize, lens: usize, B: i32, T: i32): void {
  const one = f32x4.splat(1);
  for (let i = 0; i < B; i++) {
    const s = i * T, L = load<i32>(lens + (<usize>i << 2));
    let t = s;
    for (; t + 8 <= s + L; t += 8) {
      const o = <usize>t << 2;
      v128.store(x + o, f32x4.mul(v128.load(x + o), one)); v128.store(x + o, f32x4.mul(v128.load(x + o, 16), one), 16);
    }
    for (; t < s + L; t++) store<f32>(x + (<usize>t << 2), load<f32>(x + (<usize>t << 2)) * 1);
    // the padding's lines touched, not written (as the kernels' in-place whitening does)
    for (let q = (<usize>t << 2) + 64; q < (<usize>(s + T) << 2); q += 64) v128.load(x + q);
  }
}

// Write-only rows (the broadcast of one value per row): the row's value on its valid positions,
// then +0 on the rest of the row. Nothing is read but the lengths.
export function fill_rows(d: usize, lens: usize, B: i32, T: i32): void {
  for (let i = 0; i < B; i++) {
    const s = i * T, L = load<i32>(lens + (<usize>i << 2));
    const v = f32x4.splat(<f32>(i & 7) * 0.125);
    let t = s;
    for (; t + 16 <= s + L; t += 16) {
      const o = <usize>t << 2;
      v128.store(d + o, v); v128.store(d + o, v, 16); v128.store(d + o, v, 32); v128.store(d + o, v, 48);
    }
    for (; t < s + L; t++) store<f32>(d + (<usize>t << 2), f32x4.extract_lane(v, 0));
    clearTail(0, 0, 0, d, 0, t, s + T, false);
  }
}

