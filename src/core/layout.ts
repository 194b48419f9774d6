// Validation and placement of inputs, shared by the copy API and the workspace API.
// Order (docs/contracts.md#errors): types, shapes, structure (offsets, lengths, ids), mask values; the
// kernels then check parameter ranges, finiteness and data-dependent domains, in that order,
// before anything is written.
import type { Engine } from "./engine.js";
import { rangeError, typeError } from "./errors.js";
import { alignUp } from "./memory.js";
import { msg, show, typedArrayKind } from "./safe.js";
import { checkGroupTypes, checkInt32, checkNotStale, IDS_CACHE, resolveGroups, type GroupSpec } from "./groups.js";

export type Mask = Uint8Array | Float32Array;

/** Where a call gets temporary memory. */
export interface Scratch {
  alloc(bytes: number): number;
  /** Bytes still free (a planned scratch); absent when it grows as needed. */
  room?(): number;
}

/** Copy API scratch: heap blocks released when the call ends (reused by the next call). */
export class HeapScratch implements Scratch {
  private ptrs: number[] = [];
  constructor(private readonly e: Engine) {}
  alloc(bytes: number): number { const p = this.e.alloc(bytes); this.ptrs.push(p); return p; }
  release(): void { for (const p of this.ptrs) this.e.release(p); this.ptrs.length = 0; }
}

/** Workspace scratch: a region planned up front and bump-allocated per call, so calls never grow memory. */
export class PlannedScratch implements Scratch {
  private top = 0;
  constructor(readonly base: number, readonly capacity: number) {}
  reset(): void { this.top = 0; }
  room(): number { return this.capacity - this.top; }
  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, 16));
    if (this.top + size > this.capacity)
      rangeError("SHAPE_MISMATCH", "workspace", -1, "this call needs more scratch than the workspace planned; plan it with the shape you run");
    const p = this.base + this.top;
    this.top += size;
    return p;
  }
}

/**
 * A row plan for a row kernel over `rows` (Engine.split, weighted by the i32 per row at
 * `weightsPtr` when given), on as many threads as the pool offers and the scratch can give
 * `perThread` bytes each.
 */
export function splitRows(e: Engine, s: Scratch, rows: Rows, perThread: number, weightsPtr = 0): number[] {
  const bounds = e.split(rows.B, rows.N, Infinity, weightsPtr), threads = e.threadsOf(bounds);
  const room = s.room?.() ?? Infinity;
  const fit = Math.max(1, Math.min(threads, Math.floor(room / Math.max(alignUp(perThread), 16))));
  return fit === threads ? bounds : e.split(rows.B, rows.N, fit, weightsPtr);
}

/** Places a typed array in engine memory: in place when it already lives there, else a copy. */
export function place(e: Engine, s: Scratch, arr: ArrayBufferView): number {
  if (arr.buffer === e.buffer) return arr.byteOffset;
  const p = s.alloc(arr.byteLength);
  e.U8.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength), p);
  return p;
}

export function checkF32(name: string, v: unknown): asserts v is Float32Array {
  if (typedArrayKind(v) !== "Float32Array") typeError("WRONG_TYPE", name, -1, msg`must be a Float32Array, got ${show(v)}`);
  checkNotStale(name, v as Float32Array);
}
export function checkU8(name: string, v: unknown): asserts v is Uint8Array {
  if (typedArrayKind(v) !== "Uint8Array") typeError("WRONG_TYPE", name, -1, msg`must be a Uint8Array, got ${show(v)}`);
  checkNotStale(name, v as Uint8Array);
}
export function checkMaskType(name: string, v: unknown): asserts v is Mask {
  const kind = typedArrayKind(v);
  if (kind !== "Uint8Array" && kind !== "Float32Array")
    typeError("WRONG_TYPE", name, -1, msg`must be a Uint8Array or Float32Array of 0/1, got ${show(v)}`);
  checkNotStale(name, v as Mask);
}

/** Token layout inputs of every sequence kernel. */
export interface LayoutInputs {
  mask?: Mask | undefined;
  lengths?: Int32Array | undefined;
  offsets?: Int32Array | undefined;
  width?: number | undefined;
}

export interface Rows {
  B: number;
  /** Padded width; 0 in the packed layout. */
  T: number;
  /** Token positions (B*T padded, offsets[B] packed). */
  N: number;
  packed: boolean;
  /** True when a token layout was given (tokens in or out). */
  hasTokens: boolean;
  offsetsPtr: number;
  maskPtr: number;
  /** Prefix lengths given by the caller (padded lengths fast path), else 0. */
  lensPtr: number;
  /** Valid tokens per row (Int32Array[B] in engine memory), 0 when not computed (see placeLayout). */
  rowLensPtr: number;
  /** Rows with no valid token, when rowLensPtr is 0 (-1: no token layout). */
  emptyRows: number;
  /** Per-row prefix length of a byte mask (-1: the row has holes), or 0 when not scanned. */
  prefixPtr: number;
}

/** Writes row values onto the valid tokens (+0 elsewhere), using the mask's prefix scan when there is one. */
export function broadcast(e: Engine, rows: Rows, rowPtr: number, out: number): void {
  e.exports.broadcast_rows_prefix_f32(rowPtr, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T, out, rows.prefixPtr);
}

/**
 * Set by a workspace on the arguments it builds over a padded or rows-only layout: every array in
 * them is one of its own views, whose types and lengths it fixed at planning, so the shape is its
 * plan's and the type and length checks below have nothing to find. Their contents (mask, lengths,
 * values) are still checked by every call. Symbol-keyed, so no caller's options can set it.
 */
export const VOUCHED_SHAPE: unique symbol = Symbol("rl-advantage.vouchedShape");
export type LayoutShape = { B: number; T: number; N: number; packed: boolean; hasTokens: boolean };

/**
 * Checks layout types and shapes and infers B, T, N. `rowsHint` is B when a row-level input fixes
 * it; `tokenLen` is the length of the token tensors given (they must agree). Arguments a
 * workspace vouched for (VOUCHED_SHAPE) return its plan's shape.
 */
export function layoutShape(
  inp: LayoutInputs, rowsHint: number | undefined, tokenInputs: [string, ArrayBufferView | undefined][], maskName = "mask",
): LayoutShape {
  const vouched = (inp as { [VOUCHED_SHAPE]?: LayoutShape })[VOUCHED_SHAPE];
  if (vouched) return vouched;
  if (inp.mask !== undefined) checkMaskType(maskName, inp.mask);
  if (inp.lengths !== undefined) checkInt32("lengths", inp.lengths);
  if (inp.offsets !== undefined) checkInt32("offsets", inp.offsets);
  if (inp.width !== undefined && (typeof inp.width !== "number" || !Number.isInteger(inp.width) || inp.width < 0))
    typeError("WRONG_TYPE", "width", -1, msg`must be a non-negative integer, got ${inp.width}`);
  if (inp.offsets && inp.lengths) rangeError("UNKNOWN_OPTION", "lengths", -1, "lengths is a padded-layout input; the packed layout takes offsets (and an optional mask)");
  if (inp.mask && inp.lengths) rangeError("UNKNOWN_OPTION", "lengths", -1, "give either a mask or lengths, not both");

  // The first token tensor given fixes the token count; every other one must agree.
  let tokName = "", tokLen = -1;
  for (let k = 0; k < tokenInputs.length; k++) {
    const v = tokenInputs[k]![1] as Float32Array | undefined;
    if (v !== undefined && tokLen < 0) { tokName = tokenInputs[k]![0]; tokLen = v.length; }
  }
  if (inp.mask && tokLen < 0) { tokName = maskName; tokLen = inp.mask.length; }

  if (inp.offsets) {
    const B = inp.offsets.length - 1;
    if (B < 0) rangeError("SHAPE_MISMATCH", "offsets", -1, "offsets needs B+1 entries (at least 1)");
    if (rowsHint !== undefined && rowsHint !== B) rangeError("SHAPE_MISMATCH", "offsets", -1, msg`offsets.length - 1 = ${B} but rows = ${rowsHint}`);
    const N = tokLen >= 0 ? tokLen : inp.offsets[B]!;
    checkTokenLengths(tokenInputs, inp.mask, maskName, N);
    return { B, T: 0, N, packed: true, hasTokens: true };
  }
  let B = rowsHint ?? inp.lengths?.length;
  if (inp.lengths && B !== inp.lengths.length) rangeError("SHAPE_MISMATCH", "lengths", -1, msg`length ${inp.lengths.length} != rows ${B}`);
  const hasTokens = tokLen >= 0 || inp.lengths !== undefined || inp.width !== undefined;
  if (!hasTokens) {
    if (B === undefined) rangeError("SHAPE_MISMATCH", "scores", -1, "cannot infer the number of rows");
    return { B: B!, T: 0, N: 0, packed: false, hasTokens: false };
  }
  let T = inp.width;
  if (B === undefined) {
    if (T === undefined || tokLen < 0) rangeError("SHAPE_MISMATCH", "width", -1, "cannot infer rows: give a row-level input, groupIds or width");
    B = T === 0 ? 0 : tokLen / T!;
    if (!Number.isInteger(B)) rangeError("SHAPE_MISMATCH", tokName, -1, msg`length ${tokLen} is not a multiple of width ${T}`);
  }
  if (T === undefined) {
    if (tokLen < 0) rangeError("SHAPE_MISMATCH", "width", -1, "the padded layout with lengths needs width (the padded T)");
    T = B === 0 ? 0 : tokLen / B!;
    if (!Number.isInteger(T)) rangeError("SHAPE_MISMATCH", tokName, -1, msg`length ${tokLen} is not rows (${B}) x width`);
  }
  const N = B! * T!;
  checkTokenLengths(tokenInputs, inp.mask, maskName, N, B, T);
  return { B: B!, T: T!, N, packed: false, hasTokens: true };
}

function checkTokenLengths(tokenInputs: [string, ArrayBufferView | undefined][], mask: Mask | undefined, maskName: string, N: number, B?: number, T?: number): void {
  const what = B === undefined ? `${N} (token tensors must agree)` : `rows*width = ${B}*${T}`;
  for (let k = 0; k < tokenInputs.length; k++) {
    const v = tokenInputs[k]![1] as Float32Array | undefined;
    if (v !== undefined && v.length !== N) rangeError("SHAPE_MISMATCH", tokenInputs[k]![0], -1, msg`length ${v.length} != ${what}`);
  }
  if (mask && mask.length !== N) rangeError("SHAPE_MISMATCH", maskName, -1, msg`length ${mask.length} != ${what}`);
}

/** Structure checks: offsets monotone from 0 to N, lengths within [0, T]. */
export function checkLayoutStructure(inp: LayoutInputs, shape: { B: number; T: number; N: number }, e?: Engine): void {
  const o = inp.offsets;
  if (o) {
    if (o[0] !== 0) rangeError("BAD_OFFSETS", "offsets", 0, msg`offsets[0] must be 0, got ${o[0]}`);
    for (let i = 1; i < o.length; i++)
      if (o[i]! < o[i - 1]!) rangeError("BAD_OFFSETS", "offsets", i, msg`offsets must be non-decreasing (${o[i - 1]} then ${o[i]})`);
    if (o[o.length - 1] !== shape.N) rangeError("BAD_OFFSETS", "offsets", o.length - 1, msg`offsets[B] = ${o[o.length - 1]} must equal the token count ${shape.N}`);
  }
  const L = inp.lengths, T = shape.T;
  if (!L) return;
  // One unsigned compare per row in JS (a negative length reads as a huge one). Lengths already in the
  // engine's memory (a workspace's view) are scanned there, four at a time: the JS loop took
  // ~1.5 ms at 1M rows, a tenth of a group estimator's call with a token layout.
  let bad = -1;
  if (e && L.buffer === e.buffer && (L.byteOffset & 3) === 0) bad = e.exports.first_outside_i32(L.byteOffset, L.length, 0, T);
  else for (let i = 0, n = L.length; i < n; i++) if ((L[i]! >>> 0) > T) { bad = i; break; }
  if (bad >= 0) rangeError("BAD_OFFSETS", "lengths", bad, msg`length ${L[bad]} outside [0, ${T}]`);
}

/** A mask scan range's result: its empty rows, or MASK_NOT_BINARY at its first bad byte. */
function maskScanned(e: Engine, rows: Rows, maskName: string, r: number): number {
  if (r < 0) rangeError("MASK_NOT_BINARY", maskName, -1 - r, msg`mask values must be 0 or 1, got ${e.U8[rows.maskPtr - 1 - r]}`);
  return r;
}

/**
 * Places the layout and validates the mask (0/1). With `needLengths`, also the valid tokens per
 * row (OPO, whitening weights); otherwise only the number of empty rows, which is cheaper.
 */
export function placeLayout(
  e: Engine, s: Scratch, inp: LayoutInputs, shape: { B: number; T: number; N: number; packed: boolean; hasTokens: boolean }, maskName = "mask", needLengths = false,
): Rows {
  const { B, T, N, packed, hasTokens } = shape;
  const rows: Rows = { B, T, N, packed, hasTokens, offsetsPtr: 0, maskPtr: 0, lensPtr: 0, rowLensPtr: 0, emptyRows: -1, prefixPtr: 0 };
  if (!hasTokens) return rows;
  const x = e.exports;
  if (inp.offsets) rows.offsetsPtr = place(e, s, inp.offsets);
  if (inp.mask) {
    if (inp.mask instanceof Float32Array) {
      const src = place(e, s, inp.mask);
      rows.maskPtr = s.alloc(N);
      const bad = x.mask_f32_to_u8(src, rows.maskPtr, N);
      if (bad >= 0) rangeError("MASK_NOT_BINARY", maskName, bad, msg`mask values must be 0 or 1, got ${inp.mask[bad]}`);
    } else rows.maskPtr = place(e, s, inp.mask);
    // One pass: 0/1 check, empty rows, which rows are prefixes (for faster broadcasts and scans)
    // and, when asked, the valid count of every row.
    rows.prefixPtr = s.alloc(B * 4);
    if (needLengths) rows.rowLensPtr = s.alloc(B * 4);
    // Split between threads like a row kernel (an 8 MiB mask takes ~0.8 ms on one core); each
    // range reports its first bad byte or its empty rows, read here in row order.
    // One range calls it directly: no arrays built (the per-call cost of small batches).
    if (e.parts(B, N) === 1) rows.emptyRows = maskScanned(e, rows, maskName, x.mask_scan_rows_u8(rows.maskPtr, rows.offsetsPtr, B, T, rows.prefixPtr, rows.rowLensPtr, 0));
    else {
      let empty = 0;
      for (const r of e.rows("mask_scan_rows_u8", e.split(B, N), (i0, i1) => [rows.maskPtr, rows.offsetsPtr, i1, T, rows.prefixPtr, rows.rowLensPtr, i0])) empty += maskScanned(e, rows, maskName, r);
      rows.emptyRows = empty;
    }
  } else if (inp.lengths) {
    rows.lensPtr = place(e, s, inp.lengths);
    rows.rowLensPtr = rows.lensPtr;
    rows.emptyRows = x.count_zero_i32(rows.lensPtr, B);
  } else if (needLengths) {
    // No mask: every position of the layout is valid.
    rows.rowLensPtr = s.alloc(B * 4);
    const L = e.I32;
    const base = rows.rowLensPtr >>> 2;
    if (inp.offsets) for (let i = 0; i < B; i++) L[base + i] = inp.offsets[i + 1]! - inp.offsets[i]!;
    else L.fill(T, base, base + B);
  } else if (inp.offsets) {
    let empty = 0;
    for (let i = 0; i < B; i++) if (inp.offsets[i + 1] === inp.offsets[i]) empty++;
    rows.emptyRows = empty;
  } else rows.emptyRows = T === 0 ? B : 0;
  return rows;
}

/** Group ids placed in memory: the caller's ids, or generated ids for groupSize. */
export interface PlacedGroups { idsPtr: number; G: number; groupSize: number }

/** The input that defined the groups, for errors about a group: "groupSize" or "groupIds". */
export const groupsArgument = (g: PlacedGroups) => (g.groupSize > 0 ? "groupSize" : "groupIds");

export function placeGroups(e: Engine, s: Scratch, g: GroupSpec, B: number, cached?: { ptr: number; size: number; rows?: number }): PlacedGroups {
  const { G, size } = resolveGroups(g, B);
  if (g.groupIds) return { idsPtr: place(e, s, g.groupIds), G, groupSize: 0 };
  cached ??= (g as { [IDS_CACHE]?: { ptr: number; size: number; rows: number } })[IDS_CACHE];
  if (cached?.rows !== undefined && B > cached.rows) cached = undefined;
  // groupSize: ids are i / size. A workspace keeps them between calls (its own region).
  if (cached && cached.size === size) return { idsPtr: cached.ptr, G, groupSize: size };
  const ptr = cached ? cached.ptr : s.alloc(B * 4);
  const ids = e.I32;
  const base = ptr >>> 2;
  for (let i = 0; i < B; i++) ids[base + i] = (i / size) | 0;
  if (cached) cached.size = size;
  return { idsPtr: ptr, G, groupSize: size };
}

export { checkGroupTypes };

const bitsI32 = new Int32Array(3), bitsF32 = new Float32Array(bitsI32.buffer);

/**
 * NON_FINITE check of up to three token inputs at the positions the kernel reads, and the largest
 * |x| of each there, in argument order. One SIMD pass reads them side by side over the valid
 * positions only (prefix rows of a mask are read like lengths); the index of a bad value is looked
 * up only when there is one, in the first tensor (in argument order) that has one.
 */
export function checkTokens(e: Engine, s: Scratch, rows: Rows, ...tensors: [string, number][]): number[] {
  const p = tensors.map(([, ptr]) => ptr), bounds = e.split(rows.B, rows.N);
  const outs = bounds.slice(1).map(() => s.alloc(16));
  e.rows("valid_absbits3_f32", bounds, (i0, i1, _k, j) => [p[0]!, p[1] ?? p[0]!, p[2] ?? p[0]!, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.prefixPtr, i1, rows.T, outs[j]!, i0]);
  // The largest bit pattern of each tensor over the chunks (an integer max: exact in any order).
  const I = e.I32;
  for (let j = 0; j < 3; j++) { let m = 0; for (const o of outs) m = Math.max(m, I[(o >>> 2) + j]!); bitsI32[j] = m; }
  return tensors.map(([name, ptr], j) => {
    if (bitsI32[j]! < 0x7f800000) return bitsF32[j]!;
    const bad = e.exports.first_nonfinite_valid_f32(ptr, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T);
    return rangeError("NON_FINITE", name, bad, msg`value is ${e.F32[(ptr >>> 2) + bad]} at a valid position`);
  });
}

/**
 * Token tensors of one layout (mask, lengths or offsets; width), checked and placed: NON_FINITE
 * at the first bad value of a valid position, in argument order. Returns the placed rows and the
 * tensors' addresses.
 */
export function placeTokenRows(e: Engine, s: Scratch, a: Record<string, any>, tensors: [string, Float32Array | undefined][], maskName = "mask"): { rows: Rows; ptrs: number[] } {
  for (const [n, v] of tensors) checkF32(n, v);
  const lay = { mask: a[maskName], lengths: a.lengths, offsets: a.offsets, width: a.width };
  const shape = layoutShape(lay, undefined, tensors, maskName);
  if (!shape.hasTokens) rangeError("SHAPE_MISMATCH", "width", -1, "a token layout is required (mask, width or offsets)");
  checkLayoutStructure(lay, shape, e);
  const rows = placeLayout(e, s, lay, shape, maskName, true);
  const ptrs = tensors.map(([n, v]) => {
    const p = place(e, s, v!);
    const bad = e.exports.first_nonfinite_valid_f32(p, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T);
    if (bad >= 0) rangeError("NON_FINITE", n, bad, msg`value is ${v![bad]} at a valid position`);
    return p;
  });
  return { rows, ptrs };
}
/** The first flat index at a valid position where any of these tensors is not finite, or -1 (RESULT_OVERFLOW's index). */
export function firstNonFiniteValid(e: Engine, rows: Rows, ...ptrs: number[]): number {
  let first = -1;
  for (const p of ptrs) {
    const k = e.exports.first_nonfinite_valid_f32(p, rows.maskPtr, rows.lensPtr, rows.offsetsPtr, rows.B, rows.T);
    if (k >= 0 && (first < 0 || k < first)) first = k;
  }
  return first;
}

/** EMPTY_ROW at the first row with no valid token. */
export function requireNonEmpty(e: Engine, rows: Rows, maskName = "mask"): void {
  const L = e.I32, b = rows.rowLensPtr >>> 2;
  for (let i = 0; i < rows.B; i++) if (L[b + i] === 0) rangeError("EMPTY_ROW", maskName, i, msg`row ${i} has no valid token`);
}

