// The shared-memory variant of a build, derived from its bytes at run time instead of shipping a
// third and fourth binary: the module's own memory section is dropped and an import of
// env.memory (shared, with a maximum) takes its place. The code is byte for byte the build's own,
// so a worker runs exactly the kernels the caller runs (docs/threads.md).
//
// Wasm binary layout: 8 header bytes, then sections (id byte, LEB128 size, body). Imports (id 2)
// must come before every section with a larger id; the builds have none, so one is inserted
// before the first non-custom section whose id is above 2.

function readLeb(b: Uint8Array, p: number): [number, number] {
  let v = 0, scale = 1, x: number;
  do { x = b[p++]!; v += (x & 0x7f) * scale; scale *= 128; } while (x & 0x80);
  return [v, p];
}
function leb(n: number): number[] {
  const out: number[] = [];
  do { let x = n % 128; n = Math.floor(n / 128); if (n) x |= 0x80; out.push(x); } while (n);
  return out;
}
function name(s: string): number[] { return [...leb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]; }

/** The build's bytes with its memory turned into an imported shared memory of at most `maxPages`. */
export function sharedMemoryVariant(bytes: Uint8Array, maxPages: number): Uint8Array {
  const sections: { id: number; start: number; body: number; end: number }[] = [];
  for (let p = 8; p < bytes.length;) {
    const [size, body] = readLeb(bytes, p + 1);
    sections.push({ id: bytes[p]!, start: p, body, end: body + size });
    p = body + size;
  }
  const mem = sections.find((s) => s.id === 5);
  if (!mem || sections.some((s) => s.id === 2)) throw new Error("unexpected module layout: one own memory and no imports expected");
  let [, q] = readLeb(bytes, mem.body); // count (1)
  q++; // limits flags
  const [minPages] = readLeb(bytes, q);
  // import: "env" "memory", kind 2 (memory), limits 3 (shared, with maximum), min, max
  const entry = [1, ...name("env"), ...name("memory"), 2, 3, ...leb(minPages), ...leb(maxPages)];
  const out: number[] = Array.from(bytes.subarray(0, 8));
  let inserted = false;
  for (const s of sections) {
    if (!inserted && s.id > 2) { out.push(2, ...leb(entry.length), ...entry); inserted = true; }
    if (s.id === 5) continue;
    for (let i = s.start; i < s.end; i++) out.push(bytes[i]!);
  }
  return new Uint8Array(out);
}
