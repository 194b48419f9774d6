// A first-fit allocator over one engine's linear memory, run from JS. The kernels allocate
// nothing (stub runtime, pointer arguments only), so JS owns the whole heap above __heap_base.
// Memory grows only here. A workspace's engine grows once, when it is planned (`reserve`); the
// copy API's private engine grows as its calls need.
//
// Addresses reach 4 GiB, past the int32 range: sizes and pointers are plain numbers here (exact
// to 2^53), and nothing uses the 32-bit bitwise operators on them.
import { rangeError } from "./errors.js";

export const ALIGN = 16; // v128 loads and stores prefer 16-byte aligned rows
/** Bytes one WebAssembly (wasm32) memory can address: 65536 pages of 64 KiB. */
export const MEMORY_LIMIT = 65536 * 65536;

const PAGE = 65536;
/** Rounds up to a multiple of 16 without 32-bit wrap-around. */
export const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/** CAPACITY: a request that no single WebAssembly memory (or this runtime) can hold. */
export function capacityError(what: string, needed: number, limit: number, why = ""): never {
  return rangeError("CAPACITY", what, -1,
    `needs ${needed} bytes of WebAssembly memory, more than the limit of ${limit} bytes${why}; plan a smaller batch or split it`);
}

export class Heap {
  /** Free segments, sorted by address, never adjacent (always coalesced). */
  private free: { ptr: number; size: number }[] = [];
  private used = new Map<number, number>();
  /** Bumped on every memory.grow: views made before it are detached. */
  generation = 0;
  readonly base: number;

  constructor(private readonly memory: WebAssembly.Memory, heapBase: number) {
    this.base = alignUp(heapBase);
    const end = memory.buffer.byteLength;
    if (end > this.base) this.free.push({ ptr: this.base, size: end - this.base });
  }

  get bytesReserved(): number {
    let s = 0;
    for (const v of this.used.values()) s += v;
    return s;
  }

  /** Bytes of the memory (grown so far). */
  get bytesTotal(): number { return this.memory.buffer.byteLength; }

  alloc(bytes: number, what = "memory"): number {
    const size = alignUp(Math.max(bytes, ALIGN));
    for (let k = 0; k < this.free.length; k++) {
      const f = this.free[k]!;
      if (f.size >= size) {
        const ptr = f.ptr;
        if (f.size === size) this.free.splice(k, 1);
        else { f.ptr += size; f.size -= size; }
        this.used.set(ptr, size);
        return ptr;
      }
    }
    this.grow(size, false, what);
    return this.alloc(bytes, what);
  }

  /**
   * Grows once so that `bytes` more (in segments aligned as `alloc` aligns them) fit at the end,
   * exactly, with no geometric slack: a workspace plans its whole size here. CAPACITY, with
   * nothing grown, when the memory cannot hold it.
   */
  reserve(bytes: number, what: string): void { this.grow(bytes, true, what); }

  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) return;
    this.used.delete(ptr);
    this.insertFree(ptr, size);
  }

  private grow(need: number, exact: boolean, what: string): void {
    const oldEnd = this.memory.buffer.byteLength;
    const last = this.free[this.free.length - 1];
    const tailFree = last && last.ptr + last.size === oldEnd ? last.size : 0;
    const missing = need - tailFree;
    if (missing <= 0) return;
    const room = MEMORY_LIMIT - oldEnd;
    if (missing > room) capacityError(what, oldEnd - tailFree + need, MEMORY_LIMIT);
    // Grow geometrically (the copy API's memory) so a sequence of calls does not grow every time.
    const want = exact ? missing : Math.min(Math.max(missing, Math.floor(oldEnd / 4)), room);
    const pages = Math.ceil(want / PAGE);
    try {
      this.memory.grow(pages);
    } catch {
      // The runtime refused (its own limit, or the machine's memory): nothing was grown.
      capacityError(what, oldEnd + pages * PAGE, MEMORY_LIMIT, " (the runtime refused to grow the memory that far)");
    }
    this.generation++;
    this.insertFree(oldEnd, pages * PAGE);
  }

  private insertFree(ptr: number, size: number): void {
    const fl = this.free;
    let k = 0;
    while (k < fl.length && fl[k]!.ptr < ptr) k++;
    fl.splice(k, 0, { ptr, size });
    if (k + 1 < fl.length && ptr + size === fl[k + 1]!.ptr) {
      fl[k]!.size += fl[k + 1]!.size;
      fl.splice(k + 1, 1);
    }
    if (k > 0 && fl[k - 1]!.ptr + fl[k - 1]!.size === ptr) {
      fl[k - 1]!.size += fl[k]!.size;
      fl.splice(k, 1);
    }
  }
}
