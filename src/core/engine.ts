// Loads one of the two builds and owns its memory. Everything else (workspaces, the copy API)
// runs on an Engine. The wasm is inlined as base64, so loading is synchronous where the runtime
// allows synchronous compilation (Node, Deno, Bun, workers; browsers cap the main thread at 4 KB
// modules for sync compile in some engines, hence the async `load` as well).
import type { KernelExports } from "./wasm/exports.js";
import { SCALAR_WASM_BASE64, SIMD_WASM_BASE64 } from "./wasm/binaries.js";
import { Heap, alignUp } from "./memory.js";
import { sharedMemoryVariant } from "./wasm/shared.js";
import { ThreadPool, MAX_CHUNKS, type RowKernel } from "./threads.js";
export { MEMORY_LIMIT } from "./memory.js";
import { rangeError } from "./errors.js";
import { checkEnum, ownOptions } from "./safe.js";

/** The two builds of the kernels: f32x4 SIMD, or scalar. */
export type BuildName = "simd" | "scalar";

/** How to load: which build. */
export interface LoadOptions {
  /** Force a build. Default: SIMD when `WebAssembly.validate` accepts it, else scalar. */
  build?: BuildName;
}

const decoded: Partial<Record<BuildName, Uint8Array>> = {};
function bytesOf(build: BuildName): Uint8Array {
  let b = decoded[build];
  if (!b) {
    const s = atob(build === "simd" ? SIMD_WASM_BASE64 : SCALAR_WASM_BASE64);
    b = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
    decoded[build] = b;
  }
  return b;
}

let simdProbe: boolean | undefined;
/** True when this runtime can compile the SIMD build (checked once, synchronously). */
export function simdSupported(): boolean {
  if (simdProbe === undefined) simdProbe = WebAssembly.validate(bytesOf("simd") as BufferSource);
  return simdProbe;
}

function pickBuild(options?: LoadOptions): BuildName {
  const opts = options === undefined ? undefined : (ownOptions(options, "options", ["build"]) as LoadOptions);
  const want = opts?.build === undefined ? undefined : checkEnum<BuildName>("build", opts.build, ["simd", "scalar"]);
  if (want === "simd" && !simdSupported())
    rangeError("PARAM_OUT_OF_RANGE", "build", -1, "this runtime does not support WebAssembly SIMD");
  return want ?? (simdSupported() ? "simd" : "scalar");
}

// Compiled once per build; every Engine is an instance of it with a memory of its own.
const compiled: Partial<Record<BuildName, WebAssembly.Module>> = {};
function compileSync(build: BuildName): WebAssembly.Module {
  return (compiled[build] ??= new WebAssembly.Module(bytesOf(build) as BufferSource));
}
async function compile(build: BuildName): Promise<WebAssembly.Module> {
  return (compiled[build] ??= await WebAssembly.compile(bytesOf(build) as BufferSource));
}

// The shared-memory variant of each build (imports a shared env.memory), compiled on first use.
const sharedCompiled: Partial<Record<BuildName, { module: WebAssembly.Module; bytes: Uint8Array }>> = {};
function compileShared(build: BuildName): { module: WebAssembly.Module; bytes: Uint8Array } {
  let c = sharedCompiled[build];
  if (!c) {
    const bytes = sharedMemoryVariant(bytesOf(build), 65536);
    c = sharedCompiled[build] = { module: new WebAssembly.Module(bytes as BufferSource), bytes };
  }
  return c;
}

/** Work (token positions) below which a row kernel runs on one thread: waking a worker costs more. */
export const THREAD_MIN_WORK = 1 << 16;
let threadMinWork = THREAD_MIN_WORK;
/**
 * `[0, b1, ..., B]`: `n` contiguous ranges of the `B = w.length` rows, of about equal total weight
 * (each row weighs `w[i] + 16`: a visit and a memset cost a little even for an empty row). A row
 * that straddles a boundary goes to the range holding more of it.
 */
export function weightedBounds(w: Int32Array, n: number): number[] {
  const B = w.length, b = [0];
  let total = 0;
  for (let i = 0; i < B; i++) total += w[i]! + 16;
  let acc = 0, i = 0;
  for (let k = 1; k < n; k++) {
    const goal = (total * k) / n;
    while (i < B && acc + (w[i]! + 16) / 2 < goal) acc += w[i++]! + 16;
    b.push(i);
  }
  b.push(B);
  return b;
}

/** Chunks per thread of a split call: enough that a thread slower on this call runs fewer rows. */
const CHUNKS_PER_THREAD = 8;
// Row plans made by split() for several threads (bounds of chunks -> threads).
const chunkedPlans = new WeakMap<number[], number>();

/** Test hook: the work threshold for splitting rows (tests split tiny batches to cover every path). */
export function setThreadMinWork(n: number): void { threadMinWork = n; }

// Pools of workspaces dropped without dispose(): their workers are stopped when it is collected.
const pools = typeof FinalizationRegistry === "function" ? new FinalizationRegistry<ThreadPool>((p) => p.stop()) : null;

// Memories of retired engines (disposed or resized workspaces). A view into one of them is
// refused with STALE_VIEW; weak, so a retired memory is still reclaimed once its views are gone.
const retiredBuffers = new WeakSet<ArrayBuffer>();
/** True when `buf` is the memory of an engine that was retired (a disposed or resized workspace). */
export function isRetired(buf: ArrayBufferLike): boolean { return retiredBuffers.has(buf as ArrayBuffer); }

/**
 * One instance of a build, with its own WebAssembly memory. Each workspace owns one, and the copy
 * API owns a private one, so no call can grow (and so detach) or write the memory of a workspace
 * it does not belong to. Instances are cheap: they share the compiled module.
 */
export class Engine {
  /** The raw kernel exports of this instance (pointer arguments). */
  readonly exports: KernelExports;
  /** The allocator over this instance's memory. */
  readonly heap: Heap;
  private viewGen = -1;
  private buf!: ArrayBuffer;
  private u8v!: Uint8Array; private f32v!: Float32Array; private f64v!: Float64Array; private i32v!: Int32Array;

  /** The worker pool sharing this engine's memory (threads > 1), or null. */
  readonly pool: ThreadPool | null = null;

  /** The build this engine runs. */
  readonly build: BuildName;
  /** The compiled module (shared by every engine of this build and memory kind). */
  readonly module: WebAssembly.Module;

  /**
   * Instantiates `module` (compiled from `build`) with a memory of its own, or on `shared`, a
   * shared memory made for it (the module is then the build's shared-memory variant).
   * @param build the build the module was compiled from
   * @param module the compiled module
   * @param shared the shared memory, the pool's thread count and the module's bytes (for workers)
   */
  constructor(build: BuildName, module: WebAssembly.Module, shared?: { memory: WebAssembly.Memory; threads: number; bytes: Uint8Array }) {
    this.build = build; this.module = module;
    const instance = new WebAssembly.Instance(module, shared ? { env: { memory: shared.memory } } : {});
    this.exports = instance.exports as unknown as KernelExports;
    this.heap = new Heap(this.exports.memory, this.exports.heap_base());
    if (shared && shared.threads > 1) this.pool = new ThreadPool(module, shared.bytes, shared.memory, shared.threads);
  }

  /** A new engine of the same build: a fresh instance and memory, no recompilation. */
  spawn(): Engine { return new Engine(this.build, this.module); }

  /**
   * A new engine of the same build on a shared memory sized once for `bytes` above the static
   * data (it never grows), with `threads - 1` workers on it. Throws when the runtime has no
   * shared WebAssembly memory (the caller checks `threadsSupported()` first).
   */
  spawnShared(bytes: number, threads: number, owner: object): Engine {
    const c = compileShared(this.build);
    const pages = Math.max(1, Math.ceil((alignUp(this.heap.base) + bytes) / 65536));
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    const e = new Engine(this.build, c.module, { memory, threads, bytes: c.bytes });
    if (e.pool) pools?.register(owner, e.pool, e);
    return e;
  }

  /** Stops this engine's workers, if any. */
  stopThreads(): void { if (this.pool) { pools?.unregister(this); this.pool.stop(); } }

  /**
   * A row plan for a row kernel over `B` rows and about `work` positions: `[0, B]` for one thread
   * (no pool, or below THREAD_MIN_WORK), else the bounds `[0, b1, ..., B]` of contiguous chunks,
   * a few per thread (at most `maxParts` threads), which the threads claim as they go (`rows`).
   * Chunks are even in rows, or, given `weightsPtr` (an i32 per row at that address, such as the
   * positions each row scans), of about equal weight: batches sorted or bucketed by length would
   * otherwise make some chunks much longer than others. The bounds depend on the batch only.
   */
  split(B: number, work: number, maxParts = Infinity, weightsPtr = 0): number[] {
    const n = this.parts(B, work, maxParts);
    if (n === 1) return [0, B];
    const chunks = Math.min(B, Math.max(n, Math.min(n * CHUNKS_PER_THREAD, MAX_CHUNKS)));
    let b: number[];
    if (weightsPtr) b = weightedBounds(this.I32.subarray(weightsPtr >>> 2, (weightsPtr >>> 2) + B), chunks);
    else { b = [0]; for (let k = 1; k < chunks; k++) b.push(Math.round((B * k) / chunks)); b.push(B); }
    chunkedPlans.set(b, n);
    return b;
  }

  /** How many threads `split` plans for: 1 without a pool or below THREAD_MIN_WORK (no arrays built). */
  parts(B: number, work: number, maxParts = Infinity): number {
    return this.pool && work >= threadMinWork ? Math.max(1, Math.min(this.pool.active, B, maxParts)) : 1;
  }

  /** The threads a row plan from `split` runs on: how many per-thread scratch areas it needs. */
  threadsOf(bounds: number[]): number { return chunkedPlans.get(bounds) ?? 1; }

  /**
   * Calls the row kernel `fn` over the chunks of `bounds` (from `split`), the arguments of chunk j
   * on thread k from `args(i0, i1, k, j)` (i0 last; k < threadsOf(bounds) picks the thread's own
   * scratch, j a chunk's own result slots), on the pool's threads for a plan of several threads.
   * Returns the chunks' results in chunk order.
   */
  rows(fn: RowKernel, bounds: number[], args: (i0: number, i1: number, k: number, j: number) => number[]): number[] {
    const f = this.exports[fn] as unknown as (...a: number[]) => number;
    const threads = chunkedPlans.get(bounds);
    if (!threads || !this.pool) {
      const out = [];
      for (let j = 0; j + 1 < bounds.length; j++) out.push(f(...args(bounds[j]!, bounds[j + 1]!, 0, j)) ?? 0);
      return out;
    }
    const lists: number[][][] = [];
    for (let k = 0; k < threads; k++) {
      const mine = [];
      for (let j = 0; j + 1 < bounds.length; j++) mine.push(args(bounds[j]!, bounds[j + 1]!, k, j));
      lists.push(mine);
    }
    return this.pool.run(fn, lists, (a) => f(...a) ?? 0);
  }

  /** Marks this engine's memory stale: any view into it passed to a call throws STALE_VIEW. */
  retire(): void { retiredBuffers.add(this.exports.memory.buffer as ArrayBuffer); }

  /** This instance's WebAssembly memory. */
  get memory(): WebAssembly.Memory { return this.exports.memory; }

  // Whole-memory views, rebuilt only when memory.grow replaced the buffer (the old one is
  // detached and every view on it reads as length 0). Only Heap grows memory (kernels never
  // do), so its generation counter says when; reading memory.buffer on every access is slower.
  private refresh(): void {
    if (this.heap.generation === this.viewGen) return;
    this.viewGen = this.heap.generation;
    const buf = (this.buf = this.exports.memory.buffer as ArrayBuffer);
    this.u8v = new Uint8Array(buf); this.f32v = new Float32Array(buf);
    this.f64v = new Float64Array(buf); this.i32v = new Int32Array(buf);
  }
  /** The current memory buffer (changes after growth). */
  get buffer(): ArrayBuffer { this.refresh(); return this.buf; }
  /** A byte view of the whole memory (re-made after growth). */
  get U8(): Uint8Array { this.refresh(); return this.u8v; }
  /** A float32 view of the whole memory. */
  get F32(): Float32Array { this.refresh(); return this.f32v; }
  /** A float64 view of the whole memory. */
  get F64(): Float64Array { this.refresh(); return this.f64v; }
  /** An int32 view of the whole memory. */
  get I32(): Int32Array { this.refresh(); return this.i32v; }

  /** A float32 view of `len` elements at byte address `ptr`. */
  f32(ptr: number, len: number): Float32Array { return new Float32Array(this.buffer, ptr, len); }
  /** A float64 view of `len` elements at byte address `ptr`. */
  f64(ptr: number, len: number): Float64Array { return new Float64Array(this.buffer, ptr, len); }
  /** An int32 view of `len` elements at byte address `ptr`. */
  i32(ptr: number, len: number): Int32Array { return new Int32Array(this.buffer, ptr, len); }
  /** A byte view of `len` bytes at address `ptr`. */
  u8(ptr: number, len: number): Uint8Array { return new Uint8Array(this.buffer, ptr, len); }

  /** Allocates `bytes` (16-byte aligned) in this memory; may grow it (CAPACITY past 4 GiB). */
  alloc(bytes: number): number { return this.heap.alloc(bytes); }
  /** Frees an allocation. */
  release(ptr: number): void { this.heap.release(ptr); }
}

export function loadSync(opts?: LoadOptions): Engine {
  const build = pickBuild(opts);
  return new Engine(build, compileSync(build));
}

export async function load(opts?: LoadOptions): Promise<Engine> {
  const build = pickBuild(opts);
  return new Engine(build, await compile(build));
}
