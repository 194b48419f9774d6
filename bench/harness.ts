// One bench entry: the library's variants, the plain-JS baseline and the memory floor, measured in
// the same run. The floor is the time of the minimal data movement of the kernel: a
// TypedArray.prototype.set copy of its minimal bytes (half read, half written), or a fill of its
// output for a write-only kernel. Rounds are interleaved (every variant once per round, in a
// rotated order) and each timed call starts from a flushed cache, so neither the order nor a warm
// cache favours anyone; ratios are taken per round and their median reported.
import { Bench } from "tinybench";

export interface Variant { name: string; fn: () => void }
export interface Row { title: string; variant: string; p50ms: number; gbps: number; perFloor: number; jsPer: number }
export interface Options {
  /** The floor: a copy of `bytes` (default), a fill of `fillBytes` of output, or none (overhead entries). */
  floor?: "copy" | "fill" | "none";
  fillBytes?: number;
  /** Interleaved rounds (default 7, the minimum the ratios are reported over). */
  rounds?: number;
  /** Timed calls per variant and round (default 5). */
  iterations?: number;
  /** Flush the caches before each timed call (default true; off for per-call overhead). */
  flush?: boolean;
}

const ZERO_PAGE_COPY = "copy, never-written source";
const ROWS: Row[] = [];
/** Every row measured so far (BENCHMARKS.md is generated from them). */
export const results = (): readonly Row[] => ROWS;

// Larger than the last-level cache of the machines this runs on (32 MiB L3 per CCX on EPYC).
const FLUSH = new Uint8Array(96 << 20);
let flushSink = 0;
function flushCaches(): void {
  for (let i = 0; i < FLUSH.length; i += 64) FLUSH[i] = (FLUSH[i]! + 1) & 0xff;
  flushSink += FLUSH[FLUSH.length - 64]!;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2; };
const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "-");
const ms = (x: number) => (x < 0.1 ? `${fmt(x * 1000, 2)} us` : `${fmt(x, 3)} ms`);

async function timeOnce(fn: () => void, iterations: number, flush: boolean): Promise<number> {
  const bench = new Bench({ time: 0, iterations, warmup: false, throws: true });
  bench.add("x", fn, flush ? { beforeEach: flushCaches } : {});
  await bench.run();
  const t = bench.tasks[0]!;
  if (!t.result?.latency) throw new Error(`task failed: ${(t.result as { error?: Error })?.error?.message ?? "no result"}`);
  return t.result.latency.p50!;
}

/**
 * Measures one entry. `bytes` is what the kernel must move: inputs read once, outputs written once
 * (1 byte per position for a u8 mask; padding written but its inputs not read), plus a read and a
 * write of whitened values where whitening needs the global statistics first.
 */
export async function compare(title: string, bytes: number, variants: Variant[], opts: Options = {}): Promise<Row[]> {
  const rounds = opts.rounds ?? 7, iterations = opts.iterations ?? 5, flush = opts.flush ?? true;
  const floorKind = opts.floor ?? "copy";
  const all = [...variants];
  if (floorKind === "copy") {
    // The source is written first: a fresh typed array reads as the kernel's shared zero page (one
    // physical page, always cached) until written, so a copy from it reads no memory at all. On the
    // project VM, 44 MiB: 3.09 ms from a never-written source, 4.40 from a filled one, 4.54 from
    // one written with zeros (the kernels' inputs, written by the caller, are the last two kinds).
    const src = new Uint8Array(Math.ceil(bytes / 2)).fill(1), dst = new Uint8Array(src.length);
    all.push({ name: "floor (copy)", fn: () => dst.set(src) });
    // The floor as this bench took it until 2026-12-02 (a copy from a never-written source), timed
    // beside it so each entry also prints the library against it: runs before and after compare.
    const zsrc = new Uint8Array(src.length), zdst = new Uint8Array(src.length);
    all.push({ name: ZERO_PAGE_COPY, fn: () => zdst.set(zsrc) });
  } else if (floorKind === "fill") {
    const out = new Float32Array(Math.ceil((opts.fillBytes ?? bytes) / 4));
    all.push({ name: "floor (fill)", fn: () => out.fill(0.5) });
  }
  for (const v of all) { v.fn(); v.fn(); } // compile and touch every buffer once
  const times = new Map(all.map((v) => [v.name, [] as number[]]));
  for (let r = 0; r < rounds; r++)
    for (let k = 0; k < all.length; k++) {
      const v = all[(k + r) % all.length]!;
      times.get(v.name)!.push(await timeOnce(v.fn, iterations, flush));
    }
  const floorName = all.find((v) => v.name.startsWith("floor"))?.name;
  const perRound = (a: string, b: string | undefined) => (b ? median(times.get(a)!.map((t, r) => t / times.get(b)![r]!)) : NaN);
  const zeroPage = times.has(ZERO_PAGE_COPY) ? variants.filter((v) => v.name.startsWith("wasm-")).map((v) => `${v.name} ${fmt(perRound(v.name, ZERO_PAGE_COPY))}`) : [];
  const rows: Row[] = variants.map((v) => ({
    title, variant: v.name, p50ms: median(times.get(v.name)!), gbps: bytes / (median(times.get(v.name)!) * 1e-3) / 1e9,
    perFloor: perRound(v.name, floorName), jsPer: times.has("plain JS") ? perRound("plain JS", v.name) : NaN,
  }));
  const floorMs = floorName ? median(times.get(floorName)!) : NaN;
  console.log(`\n${title}\n  ${(bytes / 2 ** 20).toFixed(1)} MiB moved; floor ${floorName ?? "none"} ${Number.isFinite(floorMs) ? ms(floorMs) : ""}; ${rounds} interleaved rounds x ${iterations} calls${flush ? ", caches flushed before each" : ""}`);
  for (const r of rows)
    console.log(`  ${r.variant.padEnd(26)} p50 ${ms(r.p50ms).padStart(11)}   ${fmt(r.gbps).padStart(6)} GB/s   /floor ${fmt(r.perFloor).padStart(6)}   JS/this ${fmt(r.jsPer).padStart(6)}`);
  if (zeroPage.length) console.log(`  against a copy from never-written memory (${ms(median(times.get(ZERO_PAGE_COPY)!))}; reads the zero page, not memory): ${zeroPage.join(", ")}`);
  ROWS.push(...rows);
  if (flushSink === -1) console.log(""); // keeps the flush loop observable
  return rows;
}
