// Where a shaper's main output goes. The copy API copies it out of engine memory into a new array;
// a workspace copies it (inside engine memory, after every check passed) into one of its views,
// so a failing call never leaves a view half written.
import type { Engine } from "../core/engine.js";

/** Delivers the f32 result at `ptr` (n values, engine memory) and returns what the caller sees. */
export type Sink = (ptr: number, n: number) => Float32Array;

/** The copy API's sink: a new Float32Array. */
export const copyOut = (e: Engine): Sink => (ptr, n) => e.f32(ptr, n).slice();
