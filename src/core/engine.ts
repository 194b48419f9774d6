// Loads one of the two builds and owns its memory. Everything else (workspaces, the copy API)
// runs on an Engine. The wasm is inlined as base64, so loading is synchronous where the runtime
// allows synchronous compilation (Node, Deno, Bun, workers; browsers cap the main thread at 4 KB
// modules for sync compile in some engines, hence the async `load` as well).
import type { KernelExports } from "./wasm/exports.js";
import { SCALAR_WASM_BASE64, SIMD_WASM_BASE64 } from "./wasm/binaries.js";
import { Heap } from "./memory.js";
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

  /**
   * Instantiates `module` (compiled from `build`) with a memory of its own.
   * @param build the build the module was compiled from
   * @param module the compiled module, shared by every engine of that build
   */
  constructor(readonly build: BuildName, readonly module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, {});
    this.exports = instance.exports as unknown as KernelExports;
    this.heap = new Heap(this.exports.memory, this.exports.heap_base());
  }

  /** A new engine of the same build: a fresh instance and memory, no recompilation. */
  spawn(): Engine { return new Engine(this.build, this.module); }

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
