// Long runs, as a trainer's host loop lives them: workspaces planned and dropped without dispose()
// are reclaimed by the garbage collector with their memory, and a million small calls leak
// neither WebAssembly memory nor JS heap.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { builds } from "./helpers.js";

const MiB = 2 ** 20;
const rss = () => process.memoryUsage().rss;

describe("long runs", () => {
  it("10,000 workspaces of varied sizes, each filled and used, dropped without dispose(): memory stays bounded", () => {
    const api = builds[0]![1];
    const start = rss();
    let peak = start, touched = 0;
    for (let k = 0; k < 10_000; k++) {
      const rows = 8 * (1 + (k % 16)), width = 256 + ((k * 37) % 1024);
      const ws = api.createWorkspace({ rows, width, groupSize: 8 });
      ws.mask.fill(1); ws.scores.fill(0.5); ws.scores[0] = 1;
      ws.grpo();
      touched += ws.bytes;
      if (k % 500 === 0) peak = Math.max(peak, rss());
    }
    peak = Math.max(peak, rss());
    // Kept alive, these would hold `touched` bytes (about 2.6 GiB); reclaimed, the process stays
    // within a few hundred MiB of where it started.
    assert.ok(touched > 2 * 1024 * MiB, `the run touched ${(touched / MiB).toFixed(0)} MiB`);
    console.log(`# 10,000 dropped workspaces: touched ${(touched / MiB).toFixed(0)} MiB, peak RSS growth ${((peak - start) / MiB).toFixed(0)} MiB`);
    assert.ok(peak - start < 1024 * MiB, `RSS grew by ${((peak - start) / MiB).toFixed(0)} MiB while the workspaces touched ${(touched / MiB).toFixed(0)} MiB`);
  });

  it("a million small calls (copy API and workspace) leave wasm memory and the JS heap bounded", () => {
    const api = builds[0]![1];
    const ws = api.createWorkspace({ rows: 8, width: 16, groupSize: 4 });
    ws.mask.fill(1);
    const scores = Float32Array.of(1, 0, 0.5, 0.25, 1, 1, 0, 0.75), mask = new Uint8Array(8 * 16).fill(1);
    const wsMemory = ws.engine.memory.buffer.byteLength;
    const warm = () => { for (let k = 0; k < 20_000; k++) { ws.scores[k & 7] = (k % 5) / 4; ws.grpo(); api.grpo({ scores, mask, groupSize: 4 }); } };
    warm();
    const copyMemory = api.engine.memory.buffer.byteLength, heap0 = process.memoryUsage().heapUsed;
    for (let k = 0; k < 500_000; k++) {
      ws.scores[k & 7] = (k % 5) / 4;
      ws.grpo();
      api.grpo({ scores, mask, groupSize: 4 });
    }
    assert.equal(ws.engine.memory.buffer.byteLength, wsMemory, "the workspace's memory never grew");
    assert.equal(api.engine.memory.buffer.byteLength, copyMemory, "the copy API's memory did not grow after warm-up");
    const heapGrowth = process.memoryUsage().heapUsed - heap0;
    assert.ok(heapGrowth < 64 * MiB, `JS heap grew by ${(heapGrowth / MiB).toFixed(1)} MiB over a million calls`);
    ws.dispose();
  });
});
