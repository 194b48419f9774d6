// The hostile-input suite: every exported function and every workspace method, FUZZ_RUNS (default
// 200) random cases each on both builds, each case a good call with one mutation (test/fuzz/run.ts
// lists the mutations and what each case asserts). `npm run fuzz` runs 10,000 per function and
// prints the table of outcomes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import * as lib from "../src/index.js";
import { Workspace } from "../src/workspace.js";
import { ASYNC_EXPORTS, NOT_CALLED, WS_NOT_KERNELS } from "./fuzz/catalog.js";
import { caseArb, COPY, MUTATIONS, runCopyCase, runWsCase, WS, WS_MUTATIONS } from "./fuzz/run.js";
import { builds } from "./helpers.js";

const runs = Number(process.env.FUZZ_RUNS ?? 200);

describe("fuzz: the catalog covers the whole public surface", () => {
  it("every exported function has an entry (a new export cannot be forgotten)", () => {
    const covered = new Set([...COPY.map((e) => e.name), ...ASYNC_EXPORTS, ...NOT_CALLED]);
    const missing = Object.keys(lib).filter((k) => typeof (lib as Record<string, unknown>)[k] === "function" && !covered.has(k));
    assert.deepEqual(missing, [], `exports without a fuzz entry: ${missing.join(", ")}`);
  });
  it("every public workspace method has an entry", () => {
    const methods = Object.getOwnPropertyNames(Workspace.prototype).filter((k) => {
      const d = Object.getOwnPropertyDescriptor(Workspace.prototype, k)!;
      return typeof d.value === "function" && !WS_NOT_KERNELS.includes(k) && !["view", "layout", "layoutWithoutGroups", "options", "args", "tokenArgs", "tokens", "region", "writing", "run", "runTokens", "plainArgs", "guard", "shape"].includes(k);
    });
    const covered = new Set(WS.map((e) => e.name));
    assert.deepEqual(methods.filter((m) => !covered.has(m)), [], "workspace methods without a fuzz entry");
  });
  it("the async entry points refuse bad options with a typed error", async () => {
    for (const name of ASYNC_EXPORTS) {
      const f = (lib as any)[name] as (o: unknown) => Promise<unknown>;
      await f({ build: "scalar" });
      for (const bad of [{ build: "gpu" }, { bulid: "simd" }, 42, Symbol("x")])
        await assert.rejects(f(bad), (e: unknown) => lib.isRlaError(e), `${name}(${String(typeof bad)})`);
    }
    lib.initSync();
  });
});

for (const [build, api] of builds) {
  describe(`fuzz (${build}): typed errors, untouched inputs, untouched or poisoned outputs, finite results`, () => {
    for (const entry of COPY)
      it(entry.name, () => { fc.assert(fc.property(caseArb(MUTATIONS), (c) => { runCopyCase(api, entry, c); }), { numRuns: runs }); });
    for (const entry of WS)
      it(`ws.${entry.name} (guard bands, still usable after the error)`, () => { fc.assert(fc.property(caseArb(WS_MUTATIONS), (c) => { runWsCase(api, entry, c); }), { numRuns: runs }); });
  });
}
