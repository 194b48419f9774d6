// Groups (docs/layouts.md#groups, docs/layouts.md#groups): `groupSize` (contiguous blocks) or `groupIds` (verl uid
// semantics: grouping by label value, rows in any order).
import { rangeError, typeError } from "./errors.js";
import { msg, show, typedArrayKind } from "./safe.js";
import { isRetired } from "./engine.js";

/** `canonicalizeGroups`' result. */
export interface CanonicalGroups {
  /** Dense id per label, in order of first appearance, Int32Array[B]. */
  ids: Int32Array;
  /** The number of distinct labels. */
  numGroups: number;
  /** Rows per group, Int32Array[numGroups]. */
  sizes: Int32Array;
}

/**
 * Maps arbitrary labels (numbers, strings, bigints) to dense ids 0..G-1 in order of first
 * appearance. Labels compare by value (-0 equals 0); a NaN label is a TypeError.
 */
export function canonicalizeGroups(labels: ArrayLike<number | string | bigint> | Iterable<number | string | bigint>): CanonicalGroups {
  const arr = Array.isArray(labels) || ArrayBuffer.isView(labels) ? (labels as ArrayLike<unknown>) : Array.from(labels as Iterable<unknown>);
  const map = new Map<unknown, number>();
  const ids = new Int32Array(arr.length);
  const sizes: number[] = [];
  for (let i = 0; i < arr.length; i++) {
    let v = arr[i];
    if (typeof v === "number") {
      if (Number.isNaN(v)) typeError("WRONG_TYPE", "labels", i, "a group label is NaN");
      if (v === 0) v = 0; // -0 -> 0
    } else if (typeof v !== "string" && typeof v !== "bigint")
      typeError("WRONG_TYPE", "labels", i, msg`labels must be numbers, strings or bigints, got ${typeof v}`);
    // A number and a bigint of equal value are the same label.
    const key = typeof v === "bigint" && Number.isSafeInteger(Number(v)) ? Number(v) : v;
    let id = map.get(key);
    if (id === undefined) { id = sizes.length; map.set(key, id); sizes.push(0); }
    ids[i] = id;
    sizes[id]!++;
  }
  return { ids, numGroups: sizes.length, sizes: Int32Array.from(sizes) };
}

/** Symbol-keyed (so never an option key): the largest group count a call may use; default rows. */
export const MAX_GROUPS = Symbol("maxGroups");
/**
 * Symbol-keyed: a workspace's region for generated group ids (`{ ptr, size, rows }`), kept between
 * calls, so a groupSize call does not write B ids again (~2 ms a call at 1M rows).
 */
export const IDS_CACHE = Symbol("idsCache");

export interface GroupSpec {
  groupSize?: number | undefined;
  groupIds?: Int32Array | undefined;
  numGroups?: number | undefined;
}

export function checkGroupTypes(g: GroupSpec): void {
  if (g.groupSize !== undefined && g.groupIds !== undefined)
    rangeError("UNKNOWN_OPTION", "groupIds", -1, "give either groupSize or groupIds, not both");
  if (g.groupSize !== undefined && (typeof g.groupSize !== "number" || !Number.isInteger(g.groupSize)))
    typeError("WRONG_TYPE", "groupSize", -1, msg`must be an integer, got ${g.groupSize}`);
  if (g.groupIds !== undefined) checkInt32("groupIds", g.groupIds);
  if (g.numGroups !== undefined && (typeof g.numGroups !== "number" || !Number.isInteger(g.numGroups) || g.numGroups < 0))
    typeError("WRONG_TYPE", "numGroups", -1, msg`must be a non-negative integer, got ${g.numGroups}`);
  if (g.groupSize === undefined && g.groupIds === undefined)
    rangeError("SHAPE_MISMATCH", "groupSize", -1, "groups are required: give groupSize or groupIds");
}

export function checkInt32(name: string, v: unknown): void {
  if (typedArrayKind(v) !== "Int32Array") typeError("WRONG_TYPE", name, -1, msg`must be an Int32Array, got ${show(v)}`);
  checkNotStale(name, v as Int32Array);
}

/**
 * STALE_VIEW for a view whose memory is gone: detached (its memory grew or was transferred), or
 * the memory of a disposed or resized workspace.
 */
export function checkNotStale(name: string, v: ArrayBufferView): void {
  const buf = v.buffer as ArrayBuffer & { detached?: boolean };
  if (isRetired(buf)) typeError("STALE_VIEW", name, -1, "this view belongs to a workspace that was disposed or resized; take the view from the live workspace");
  if (buf.detached === true || (buf.byteLength === 0 && isDetached(buf)))
    typeError("STALE_VIEW", name, -1, "this view's memory was detached (WebAssembly memory grew); take a fresh view from the workspace");
}

function isDetached(buf: ArrayBuffer): boolean {
  try { new Uint8Array(buf); return false; } catch { return true; }
}


/** Resolves group shape and structure (GROUP_SIZE_INVALID, SHAPE_MISMATCH, GROUP_ID_OUT_OF_RANGE). */
export function resolveGroups(g: GroupSpec, B: number): { G: number; size: number } {
  if (g.groupSize !== undefined) {
    const n = g.groupSize;
    if (n < 1) rangeError("GROUP_SIZE_INVALID", "groupSize", -1, msg`must be >= 1, got ${n}`);
    if (B % n !== 0) rangeError("GROUP_SIZE_INVALID", "groupSize", -1, msg`rows (${B}) must be divisible by groupSize (${n})`);
    return { G: B / n, size: n };
  }
  const ids = g.groupIds!;
  if (ids.length !== B) rangeError("SHAPE_MISMATCH", "groupIds", -1, msg`length ${ids.length} != rows ${B}`);
  // Group ids are dense: at most one group per row (a workspace: per planned group), so a stray
  // large id is an error, not a reason to size per-group scratch by it.
  const limit = (g as { [MAX_GROUPS]?: number })[MAX_GROUPS] ?? B;
  let G = g.numGroups;
  if (G !== undefined && G > limit)
    rangeError("PARAM_OUT_OF_RANGE", "numGroups", -1, msg`numGroups (${G}) must be <= ${limit} (${limit === B ? "rows" : "the workspace's maxGroups"})`);
  const bound = G ?? limit;
  let mx = -1;
  for (let i = 0; i < B; i++) {
    const v = ids[i]!;
    if (v < 0 || v >= bound)
      rangeError("GROUP_ID_OUT_OF_RANGE", "groupIds", i, G === undefined
        ? `group id ${v} outside [0, ${bound}): ids are dense, below ${limit === B ? "the number of rows" : "the workspace's maxGroups"} (map labels with canonicalizeGroups)`
        : `group id ${v} outside [0, ${G})`);
    if (v > mx) mx = v;
  }
  if (G === undefined) G = mx + 1;
  return { G, size: 0 };
}
