// The bench's second floor: the fewest WebAssembly loads and stores that move a token kernel's
// minimal bytes (valid inputs read once, every output written once, the mask read once), with
// no arithmetic beyond joining the inputs. On a machine where a store to an uncached line reads
// it first and TypedArray.prototype.set does not, this is the floor a wasm kernel can reach.
// Row layout: padded [B, T], row i valid on its first lens[i] positions.
// Padding is cleared the cheaper of the two ways the kernels clear it, so the floor stays below
// what a kernel can do: after streaming inputs to outputs, one memory.fill sweep after the rows
// (as GAE, returns and min-form do since it measured 0.85 and 0.8 of their time with zeroDirty per
// row; memset writes whole lines without reading them, and a sweep keeps it apart from the
// streams); for the write-only broadcast, zeroDirty after each row (assembly/rows.ts, imported:
// read first, only blocks that are not zero written), 2.2x faster there than a sweep (the padding
// is clean from the previous call, and reading it is cheaper than rewriting it when nothing else
// is read).
import { zeroDirty } from "../../assembly/rows";

// Rows' positions past lens[i] set to +0, one memset per row, after every row was streamed.
function clearTails(d: usize, lens: usize, B: i32, T: i32): void {
  for (let i = 0; i < B; i++) {
    const s = i * T, L = load<i32>(lens + (<usize>i << 2));
    if (L < T) memory.fill(d + (<usize>(s + L) << 2), 0, <usize>(T - L) << 2);
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
// row is cleared as the kernels clear it.
export function stream_rows(a: usize, b: usize, c: usize, d1: usize, d2: usize, lens: usize, B: i32, T: i32): void {
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
  }
  clearTails(d1, lens, B, T);
  if (d2) clearTails(d2, lens, B, T);
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
  }
}

// Write-only rows (the broadcast of one value per row): the row's value on its valid positions,
// the rest of the row cleared as the kernels clear it. Nothing is read but the lengths.
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
    zeroDirty(d + (<usize>t << 2), <usize>(s + T - t) << 2);
  }
}

