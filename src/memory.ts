// A first-fit allocator over the module's linear memory, run from JS. The kernels allocate
// nothing (stub runtime, pointer arguments only), so JS owns the whole heap above __heap_base.
// Memory grows only here, which is what lets a planned workspace run step after step with no
// growth and therefore no detached views.

export const ALIGN = 16; // v128 loads and stores prefer 16-byte aligned rows

const PAGE = 65536;
const align = (n: number) => (n + ALIGN - 1) & ~(ALIGN - 1);

export class Heap {
  /** Free segments, sorted by address, never adjacent (always coalesced). */
  private free: { ptr: number; size: number }[] = [];
  private used = new Map<number, number>();
  /** Bumped on every memory.grow: views made before it are detached. */
  generation = 0;

  constructor(private readonly memory: WebAssembly.Memory, heapBase: number) {
    const start = align(heapBase);
    const end = memory.buffer.byteLength;
    if (end > start) this.free.push({ ptr: start, size: end - start });
  }

  get bytesReserved(): number {
    let s = 0;
    for (const v of this.used.values()) s += v;
    return s;
  }

  alloc(bytes: number): number {
    const size = align(Math.max(bytes, ALIGN));
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
    this.grow(size);
    return this.alloc(bytes);
  }

  release(ptr: number): void {
    const size = this.used.get(ptr);
    if (size === undefined) return;
    this.used.delete(ptr);
    this.insertFree(ptr, size);
  }

  private grow(need: number): void {
    const oldEnd = this.memory.buffer.byteLength;
    const last = this.free[this.free.length - 1];
    const tailFree = last && last.ptr + last.size === oldEnd ? last.size : 0;
    // Grow geometrically so a sequence of plans does not grow (and detach views) every time.
    const want = Math.max(need - tailFree, oldEnd >>> 2);
    const pages = Math.ceil(want / PAGE);
    this.memory.grow(pages);
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
