// Row inputs every shaper checks the same way: lengths, 0/1 flags and f32 values per row. The
// kernels' forms place the array once in engine memory and check it there in one pass (SIMD for
// lengths and flags), returning the address the kernel reads; the host forms (laserTargetLengths,
// HapoHistory) check in JS.
import type { Engine } from "../core/engine.js";
import { rangeError } from "../core/errors.js";
import { checkInt32 } from "../core/groups.js";
import { checkF32, checkU8, place, type Scratch } from "../core/layout.js";
import { msg } from "../core/safe.js";

function shaped<T extends ArrayBufferView & { length: number }>(name: string, v: T, n: number | undefined): T {
  if (n !== undefined && v.length !== n) rangeError("SHAPE_MISMATCH", name, -1, msg`length ${v.length} != ${n}`);
  return v;
}

/** Lengths (Int32Array, each >= minimum; PARAM_OUT_OF_RANGE at the row), host side. */
export function checkLengths(v: unknown, n: number | undefined, name = "lengths", minimum = 0): Int32Array {
  checkInt32(name, v);
  const L = shaped(name, v as Int32Array, n), bad = L.findIndex((x) => x < minimum);
  if (bad >= 0) rangeError("PARAM_OUT_OF_RANGE", name, bad, msg`must be >= ${minimum}, got ${L[bad]}`);
  return L;
}
/** 0/1 flags (Uint8Array; MASK_NOT_BINARY at the index), host side. */
export function checkBinary(name: string, v: unknown, n: number): Uint8Array {
  checkU8(name, v);
  const m = shaped(name, v as Uint8Array, n), bad = m.findIndex((x) => x > 1);
  if (bad >= 0) rangeError("MASK_NOT_BINARY", name, bad, msg`must be 0 or 1, got ${m[bad]}`);
  return m;
}
/** Lengths placed and checked in engine memory: [the array, its address]. */
export function placeLengths(e: Engine, s: Scratch, v: unknown, n: number | undefined, name = "lengths", minimum = 0): [Int32Array, number] {
  checkInt32(name, v);
  const L = shaped(name, v as Int32Array, n), p = place(e, s, L), bad = e.exports.first_outside_i32(p, L.length, minimum, 2147483647);
  if (bad >= 0) rangeError("PARAM_OUT_OF_RANGE", name, bad, msg`must be >= ${minimum}, got ${L[bad]}`);
  return [L, p];
}
/** 0/1 flags placed and checked in engine memory; returns the address. */
export function placeBinary(e: Engine, s: Scratch, name: string, v: unknown, n: number): number {
  checkU8(name, v);
  const m = shaped(name, v as Uint8Array, n), p = place(e, s, m), bad = e.exports.mask_check_u8(p, n);
  if (bad >= 0) rangeError("MASK_NOT_BINARY", name, bad, msg`must be 0 or 1, got ${m[bad]}`);
  return p;
}
/**
 * f32 values placed and checked (NON_FINITE at the index); with `range` [lo, hi] (finite), also
 * PARAM_OUT_OF_RANGE at the first value outside it. One pass either way: a NaN or an infinity is
 * outside any finite range, so the non-finite search runs only when the range test fails, and
 * NON_FINITE still wins wherever it sits. Returns [the array, its address].
 */
export function placeValues(e: Engine, s: Scratch, name: string, v: unknown, n?: number, range?: readonly [number, number]): [Float32Array, number] {
  checkF32(name, v);
  const x = shaped(name, v as Float32Array, n), p = place(e, s, x);
  const out = range ? e.exports.first_outside_f32(p, x.length, range[0], range[1]) : -1;
  const bad = !range || out >= 0 ? e.exports.first_nonfinite_f32(p, x.length) : -1;
  if (bad >= 0) rangeError("NON_FINITE", name, bad, msg`value is ${x[bad]}`);
  if (out >= 0) rangeError("PARAM_OUT_OF_RANGE", name, out, msg`must lie in [${range![0]}, ${range![1]}], got ${x[out]}`);
  return [x, p];
}
