// The same built package under every runtime: Node (ESM and CJS), Deno, Bun and Chromium (a
// page served from localhost, driven by playwright-core). Each runtime's pass line is printed.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser } from "playwright-core";
import { serve } from "../scripts/static-server.mjs";
import * as lib from "../dist/index.js";
import { rankSample, shapeSample } from "../examples/browser-rerank/rank.js";
// @ts-expect-error: a plain .mjs helper shared with scripts/ensure-chromium.mjs
import { findChromium } from "../scripts/chromium.mjs";

function chromiumPath(): string {
  const found = findChromium() as { path: string } | null;
  if (!found) throw new Error("no Chromium: set CHROMIUM_PATH (npm test installs Debian's chromium where it can)");
  return found.path;
}

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name: string) => `${root}node_modules/.bin/${name}`;

function runtime(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } });
  const out = (r.stdout ?? "") + (r.stderr ?? "");
  assert.equal(r.status, 0, out);
  const line = out.trim().split("\n").pop()!;
  assert.match(line, /: \d+ passed, 0 failed$/, out);
  console.log(line);
  return line;
}

describe("runtimes", () => {
  it("Node ESM", () => { runtime(process.execPath, ["test/runtime/node-esm.mjs"]); });
  it("Node CJS", () => { runtime(process.execPath, ["test/runtime/node-cjs.cjs"]); });
  it("Deno (local import of the built package)", () => { runtime(bin("deno"), ["run", "--allow-read", "test/runtime/deno.mjs"]); });
  it("Bun", () => { runtime(bin("bun"), ["test/runtime/bun.mjs"]); });
  it("examples/node-trainer-loop: place, KL-in-reward, GAE and GRPO for 20 steps with no allocation", () => {
    const r = spawnSync(process.execPath, ["examples/node-trainer-loop/index.mjs"], { cwd: root, encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /step 20: place \+ kl-in-reward/);
    assert.match(r.stdout.trim().split("\n").pop()!, /^no allocation and no memory growth across 20 steps$/);
    // --threads 2: two threads, no allocation, and the same numbers (KL, GAE, GRPO) at every step.
    const t = spawnSync(process.execPath, ["examples/node-trainer-loop/index.mjs", "--threads", "2"], { cwd: root, encoding: "utf8" });
    assert.equal(t.status, 0, t.stdout + t.stderr);
    assert.match(t.stdout, /2 thread\(s\)/);
    const numbers = (out: string) => out.split("\n").filter((l) => l.startsWith("step")).map((l) => l.split("|")[1]);
    assert.deepEqual(numbers(t.stdout), numbers(r.stdout), "the same KL, coefficients, gae[0] and groups with 2 threads");
    assert.match(t.stdout.trim().split("\n").pop()!, /^no allocation and no memory growth across 20 steps$/);
  });

  describe("Chromium (via playwright-core; CHROMIUM_PATH, else the one on the machine)", () => {
    let browser: Browser, server: Awaited<ReturnType<typeof serve>>;
    before(async () => {
      server = await serve(root);
      browser = await chromium.launch({
        executablePath: chromiumPath(),
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      });
    });
    after(async () => { await browser?.close(); await server?.close(); });

    it("the runtime suite in a page", async () => {
      const page = await browser.newPage();
      await page.goto(`${server.url}/test/runtime/browser.html`);
      const r = await page.waitForFunction(() => (window as any).__result, undefined, { timeout: 30000 }).then((h) => h.jsonValue()) as { failed: number; lines: string[] };
      const line = r.lines[r.lines.length - 1]!;
      assert.equal(r.failed, 0, r.lines.join("\n"));
      console.log(line);
      await page.close();
    });

    it("the runtime suite in a cross-origin isolated page: threads: 2 starts a module worker, the main thread spins while it waits, one thread's bits", async () => {
      const isolated = await serve(root, 0, { isolated: true });
      try {
        const page = await browser.newPage();
        await page.goto(`${isolated.url}/test/runtime/browser.html`);
        assert.equal(await page.evaluate(() => (globalThis as any).crossOriginIsolated), true, "the page is cross-origin isolated");
        const r = await page.waitForFunction(() => (window as any).__result, undefined, { timeout: 30000 }).then((h) => h.jsonValue()) as { failed: number; lines: string[] };
        assert.equal(r.failed, 0, r.lines.join("\n"));
        assert.ok(r.lines.some((l) => l.startsWith("ok threads: 2")), r.lines.join("\n"));
        console.log(`${r.lines[r.lines.length - 1]} (cross-origin isolated)`);
        await page.close();
      } finally { await isolated.close(); }
    });

    it("examples/browser-rerank shows the same ranking as Node; screenshot saved", async () => {
      const sample = JSON.parse(readFileSync(`${root}examples/browser-rerank/sample.json`, "utf8"));
      const expected = rankSample(lib, sample).order;
      const page = await browser.newPage({ viewport: { width: 1000, height: 720 } });
      await page.goto(`${server.url}/examples/browser-rerank/index.html`);
      const shown = await page.waitForFunction(() => (window as any).__ranking, undefined, { timeout: 30000 }).then((h) => h.jsonValue()) as number[];
      const listed = await page.$$eval("#ranking li", (els) => els.map((e) => Number((e as HTMLElement).dataset.candidate)));
      assert.deepEqual(shown, expected);
      assert.deepEqual(listed, expected, "the list on screen is in the Node order");
      mkdirSync(`${root}test-output`, { recursive: true });
      await page.screenshot({ path: `${root}test-output/browser-rerank.png`, fullPage: true });
      console.log(`browser-rerank: ranking ${expected.join(",")} (screenshot test-output/browser-rerank.png)`);
      await page.close();
    });

    it("examples/browser-rerank's shaper panel: pick Kimi, set its weight; the shaped ranking equals Node's; screenshot saved", async () => {
      const sample = JSON.parse(readFileSync(`${root}examples/browser-rerank/sample.json`, "utf8"));
      const page = await browser.newPage({ viewport: { width: 1000, height: 1100 } });
      await page.goto(`${server.url}/examples/browser-rerank/index.html`);
      await page.waitForFunction(() => (window as any).__shaped, undefined, { timeout: 30000 });
      const first = await page.evaluate(() => (window as any).__shaped) as { shaper: string; order: number[] };
      assert.deepEqual(first.order, shapeSample(lib, sample, first.shaper).order, `${first.shaper} ranking`);
      await page.selectOption("#shaper", "kimi");
      await page.fill('input[data-param="weight"]', "2");
      const shown = await page.waitForFunction(() => { const s = (window as any).__shaped; return s.shaper === "kimi" && s.params.weight === 2 && s; }, undefined, { timeout: 30000 }).then((h) => h.jsonValue()) as { order: number[] };
      const expected = shapeSample(lib, sample, "kimi", { weight: 2 }).order;
      assert.deepEqual(shown.order, expected);
      assert.notDeepEqual(expected, shapeSample(lib, sample, "kimi", { weight: 0 }).order, "the weight changes the ranking (the test can fail)");
      const listed = await page.$$eval("#shaped li", (els) => els.map((e) => Number((e as HTMLElement).dataset.candidate)));
      assert.deepEqual(listed, expected, "the shaped list on screen is in the Node order");
      mkdirSync(`${root}test-output`, { recursive: true });
      await page.screenshot({ path: `${root}test-output/browser-shapers.png`, fullPage: true });
      console.log(`browser-shapers: kimi weight 2 ranking ${expected.join(",")} (screenshot test-output/browser-shapers.png)`);
      await page.close();
    });
  });
});
