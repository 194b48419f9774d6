// Where a shaper's main output goes. The copy API copies it out of engine memory into a new array.
// A workspace lets the kernel write its view directly (sink.dest) unless an input lives in its
// own memory, and otherwise copies scratch into the view; either way a failing call leaves the
// view untouched or all NaN (the workspace poisons its outputs on every error), never half written.
import type { Engine } from "../core/engine.js";
import type { Scratch } from "../core/layout.js";

/**
 * Delivers the f32 result at `ptr` (n values, engine memory) and returns what the caller sees.
 * `mainOnly`: the caller keeps only this output (a workspace method), so side outputs are not copied.
 */
export type Sink = ((ptr: number, n: number) => Float32Array) & {
  mainOnly?: boolean;
  /** Where the main output may be written directly (a workspace's view), for `rows` rows only. */
  dest?: number;
  rows?: number;
};

/** The copy API's sink: a new Float32Array. */
export const copyOut = (e: Engine): Sink => (ptr, n) => e.f32(ptr, n).slice();

const NONE = new Float32Array(0);
/**
 * A side output (Kimi's lambda, LASER's terms and targets, ...): a new array for the copy API; not
 * copied when the sink keeps only the main output. At 1M rows each such copy is a fresh 4 MiB
 * array, and its page faults cost more than the kernel (LASER-D: ~9 ms of ~15 ms a call).
 */
export const side = (e: Engine, sink: Sink, ptr: number, n: number): Float32Array => (sink.mainOnly ? NONE : e.f32(ptr, n).slice());

/**
 * The main output's address: the sink's destination when it takes this many rows (a workspace
 * writes its view directly, and poisons it if the call then fails), else scratch for the sink to
 * copy from. Saves a 4-byte-a-row copy and its scratch (overlongPenalty at 1M rows: ~1 ms).
 */
export const mainOut = (s: Scratch, sink: Sink, B: number): number => (sink.dest !== undefined && sink.rows === B ? sink.dest : s.alloc(B * 4 || 4));
