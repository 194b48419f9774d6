// Builds bench/floor/stream.ts with the project's asc and gives each token entry its "wasm
// floor": the same minimal bytes moved by WebAssembly loads and stores (see that file). Built at
// bench time into the OS temp folder, so no binary of it is committed.
import { execFileSync } from "node:child_process";
import { readFileSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";

interface StreamExports {
  memory: WebAssembly.Memory;
  read_u8(mask: number, n: number): number;
  stream_rows(a: number, b: number, c: number, d1: number, d2: number, lens: number, B: number, T: number, touch: number): void;
  inplace_rows(x: number, lens: number, B: number, T: number): void;
  fill_rows(d: number, lens: number, B: number, T: number): void;
}

let exportsOnce: StreamExports | null = null;
function streamModule(): StreamExports {
  if (exportsOnce) return exportsOnce;
  const out = join(mkdtempSync(join(tmpdir(), "rl-adv-floor-")), "stream.wasm");
  const asc = createRequire(import.meta.url).resolve("assemblyscript/bin/asc.js");
  execFileSync(process.execPath, [asc, new URL("./floor/stream.ts", import.meta.url).pathname, "-O3", "--enable", "simd", "--runtime", "stub", "-o", out], { stdio: "inherit" });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(out)), { env: { abort() { throw new Error("abort"); } } });
  return (exportsOnce = inst.exports as unknown as StreamExports);
}

/** A padded batch in the floor module's memory: f32 regions by name, the mask and the lengths. */
export function wasmFloorBatch(B: number, T: number, lengths: Int32Array, f32Names: string[]) {
  const x = streamModule(), N = B * T;
  const need = 64 + B * 4 + N + f32Names.length * N * 4 + 4096;
  const have = x.memory.buffer.byteLength;
  if (need > have) x.memory.grow(Math.ceil((need - have) / 65536));
  const lens = 64, mask = lens + B * 4;
  let at = (mask + N + 63) & ~63;
  const f32: Record<string, number> = {};
  for (const n of f32Names) { f32[n] = at; at += N * 4; }
  new Int32Array(x.memory.buffer, lens, B).set(lengths);
  // Every mask byte written (padding too): never-written memory reads as the zero page, for free.
  const m = new Uint8Array(x.memory.buffer, mask, N).fill(0);
  for (let i = 0; i < B; i++) m.fill(1, i * T, i * T + lengths[i]!);
  for (const n of f32Names) new Float32Array(x.memory.buffer, f32[n], N).fill(0.25);
  return { x, lens, mask, f32, B, T, N };
}
