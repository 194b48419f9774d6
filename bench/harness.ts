// Each comparison runs wasm-simd, wasm-scalar and the plain-JS baseline in the same tinybench
// run and prints medians (p50), the ratio to the baseline, and the GB/s achieved against the
// bytes the kernel must move (inputs read once + outputs written once).
import { Bench } from "tinybench";

export interface Variant { name: string; fn: () => void }
export interface Row { title: string; variant: string; p50ms: number; ratio: number; gbps: number }

const fmt = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : "-");

export async function compare(title: string, bytes: number, variants: Variant[], opts: { time?: number } = {}): Promise<Row[]> {
  const bench = new Bench({ time: opts.time ?? 400, warmupTime: 100, warmupIterations: 5 });
  for (const v of variants) bench.add(v.name, v.fn);
  await bench.run();
  for (const t of bench.tasks) if (!t.result?.latency) throw new Error(`${title}: task "${t.name}" failed: ${(t.result as any)?.error?.message ?? "no result"}`);
  const p50 = new Map(bench.tasks.map((t) => [t.name, t.result!.latency.p50!]));
  const base = p50.get("plain JS") ?? NaN;
  const rows = variants.map((v) => {
    const ms = p50.get(v.name)!;
    return { title, variant: v.name, p50ms: ms, ratio: base / ms, gbps: bytes / (ms * 1e-3) / 1e9 };
  });
  console.log(`\n${title}  (${(bytes / 2 ** 20).toFixed(1)} MiB moved)`);
  for (const r of rows)
    console.log(`  ${r.variant.padEnd(22)} p50 ${fmt(r.p50ms < 0.1 ? r.p50ms * 1000 : r.p50ms, r.p50ms < 0.1 ? 2 : 3).padStart(9)} ${r.p50ms < 0.1 ? "us" : "ms"}   x${fmt(r.ratio).padStart(6)} vs plain JS   ${fmt(r.gbps).padStart(6)} GB/s`);
  return rows;
}
