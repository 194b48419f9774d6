// npm run fuzz: FUZZ_RUNS (default 10,000) cases per exported function and per workspace method,
// on both builds, each a random batch with one mutation (test/fuzz/run.ts says what each case
// checks). Prints the table of outcomes per function and exits non-zero on any violation.
import fc from "fast-check";
import { createSync } from "../src/api.js";
import { caseArb, COPY, MUTATIONS, runCopyCase, runWsCase, WS, WS_MUTATIONS, type Case } from "../test/fuzz/run.js";

const runs = Number(process.env.FUZZ_RUNS ?? 10000);
const only = process.env.FUZZ_ONLY;
const builds = [["simd", createSync({ build: "simd" })], ["scalar", createSync({ build: "scalar" })]] as const;
const rows: { name: string; counts: Map<string, number>; failures: string[]; ms: number }[] = [];
let failed = 0;
const t0 = performance.now();
for (const entry of [...COPY, ...WS]) {
  const name = entry.kind === "ws" ? `ws.${entry.name}` : entry.name;
  if (only && !name.includes(only)) continue;
  const counts = new Map<string, number>(), failures: string[] = [];
  const t = performance.now();
  const cases = fc.sample(caseArb(entry.kind === "ws" ? WS_MUTATIONS : MUTATIONS), { numRuns: runs, seed: 42 }) as Case[];
  cases.forEach((c, k) => {
    const api = builds[k % 2]![1];
    try {
      const out = entry.kind === "ws" ? runWsCase(api, entry, c) : runCopyCase(api, entry, c);
      counts.set(out, (counts.get(out) ?? 0) + 1);
    } catch (err) {
      counts.set("VIOLATION", (counts.get("VIOLATION") ?? 0) + 1);
      if (failures.length < 3) failures.push(`${String(err instanceof Error ? err.message : err)}\n      case ${JSON.stringify(c)}`);
    }
  });
  failed += counts.get("VIOLATION") ?? 0;
  rows.push({ name, counts, failures, ms: performance.now() - t });
}
const codes = [...new Set(rows.flatMap((r) => [...r.counts.keys()]))].sort((a, b) => (a === "ok" ? -1 : b === "ok" ? 1 : a.localeCompare(b)));
console.log(`| function | ${codes.join(" | ")} | ms |`);
console.log(`| --- | ${codes.map(() => "---:").join(" | ")} | ---: |`);
for (const r of rows) console.log(`| ${r.name} | ${codes.map((c) => r.counts.get(c) ?? 0).join(" | ")} | ${r.ms.toFixed(0)} |`);
for (const r of rows) for (const f of r.failures) console.log(`\n${r.name}: ${f}`);
console.log(`\n${runs} cases per function on alternating builds, ${rows.length} functions, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
console.log(`fuzz: ${rows.length - rows.filter((r) => r.counts.has("VIOLATION")).length} passed, ${rows.filter((r) => r.counts.has("VIOLATION")).length} failed`);
if (failed) process.exit(1);
