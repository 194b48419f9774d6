// The package a user installs: `npm pack`, install the tarball into a fresh consumer project, and
// run a 10-line program as ESM and as CJS, type-check it with tsc against the shipped .d.ts, and
// resolve the exported raw .wasm files (for strict-CSP pages). Everything comes from the tarball.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const program = (imp: string) => `${imp}
const scores = Float32Array.from([1, 0, 0, 1, 0.5, 0.5, 1, 0]);
const mask = new Uint8Array(8 * 4).fill(1);
const { rowAdvantages, advantages } = grpo({ scores, mask, groupSize: 4 });
const ws = createWorkspace({ rows: 8, width: 4, groupSize: 4 });
ws.scores.set(scores); ws.mask.set(mask);
const r = ws.grpo();
// With a mask given, advantages is present (no "!" needed under strict TypeScript).
if (r.advantages.length !== advantages.length || r.advantages[0] !== advantages[0]) throw new Error("workspace differs");
const kl = klInReward({ tokenScores: new Float32Array(4), logp: new Float32Array(4).fill(-1), refLogp: new Float32Array(4).fill(-2), mask: new Uint8Array(4).fill(1), width: 2 });
if (kl.currentKl.toFixed(1) !== "1.0") throw new Error("currentKl " + kl.currentKl);
console.log("consumer ok", rowAdvantages[0].toFixed(6), instance().build);
`;

describe("the packed tarball in a consumer project", () => {
  let dir = "", installWarnings = "", contents: string[] = [];
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "rla-consumer-"));
    execFileSync("npm", ["pack", "--pack-destination", dir, "--silent"], { cwd: root, stdio: "pipe" });
    const tgz = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
    // No runtime dependencies, so this install needs no network.
    const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--offline", join(dir, tgz)], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    installWarnings = r.stderr;
    contents = execFileSync("tar", ["tzf", join(dir, tgz)], { encoding: "utf8" }).split("\n");
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  const run = (file: string) => {
    const r = spawnSync(process.execPath, [file], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^consumer ok 0\.86602\d simd$/m);
  };

  it("installing the tarball prints no warning (no install script in the manifest)", () => {
    assert.equal(installWarnings.trim(), "", installWarnings);
  });

  it("ships LICENSE, CHANGELOG, the docs the README links to, and the golden vectors for conformance", () => {
    for (const f of ["package/LICENSE", "package/CHANGELOG.md", "package/README.md", "package/ARCHITECTURE.md", "package/BENCHMARKS.md", "package/docs/README.md",
      "package/docs/kernels.md", "package/test/fixtures/golden/verl_grpo.json", "package/dist/cli.js"]) assert.ok(contents.includes(f), f);
    const readme = readFileSync(join(dir, "node_modules/rl-advantage/README.md"), "utf8");
    for (const [, link] of readme.matchAll(/\]\(((?!https?:)[^)#]+)(#[^)]*)?\)/g))
      assert.ok(existsSync(join(dir, "node_modules/rl-advantage", link!)), `README link ${link} resolves inside the package`);
    const pkg = JSON.parse(readFileSync(join(dir, "node_modules/rl-advantage/package.json"), "utf8"));
    assert.equal(pkg.scripts?.prepare, undefined, "no prepare script");
  });

  it("npx rl-advantage from the install: --version, and conformance on the shipped vectors", () => {
    const v = spawnSync(join(dir, "node_modules/.bin/rl-advantage"), ["--version"], { cwd: dir, encoding: "utf8" });
    assert.equal(v.status, 0, v.stderr);
    const c = spawnSync(join(dir, "node_modules/.bin/rl-advantage"), ["conformance"], { cwd: dir, encoding: "utf8" });
    assert.equal(c.status, 0, c.stdout + c.stderr);
    assert.match(c.stdout, /^\d+ passed, 0 failed$/m);
  });

  it("ESM", () => {
    writeFileSync(join(dir, "esm.mjs"), program('import { grpo, createWorkspace, instance, klInReward } from "rl-advantage";'));
    run("esm.mjs");
  });

  it("CJS", () => {
    writeFileSync(join(dir, "cjs.cjs"), program('const { grpo, createWorkspace, instance, klInReward } = require("rl-advantage");'));
    run("cjs.cjs");
  });

  it("TypeScript 5.0 (the oldest supported) and this project's (5.9): tsc --noEmit against the shipped .d.ts, skipLibCheck false, ESM and CJS resolution", () => {
    // The oldest supported compiler comes from the npm registry into the consumer project (cached
    // after the first run); the newest is this project's own.
    const old = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--no-save", "typescript@5.0.4"], { cwd: dir, encoding: "utf8" });
    assert.equal(old.status, 0, old.stderr);
    writeFileSync(join(dir, "main.ts"), program('import { grpo, createWorkspace, instance, klInReward } from "rl-advantage";'));
    for (const tsc of [join(dir, "node_modules/typescript/bin/tsc"), join(root, "node_modules/typescript/bin/tsc")]) {
      const v = spawnSync(process.execPath, [tsc, "--version"], { encoding: "utf8" }).stdout.trim();
      for (const [mod, res] of [["NodeNext", "NodeNext"], ["ESNext", "Bundler"]]) {
        writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: mod, moduleResolution: res, target: "ES2022", strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ["ES2022", "DOM"] }, files: ["main.ts"] }));
        const r = spawnSync(process.execPath, [tsc, "-p", "."], { cwd: dir, encoding: "utf8" });
        assert.equal(r.status, 0, `${v} ${mod}: ${r.stdout}${r.stderr}`);
      }
    }
  });

  it("the raw .wasm binaries are exported", () => {
    const r = spawnSync(process.execPath, ["-e", 'const p = require.resolve("rl-advantage/wasm/simd"); const q = require.resolve("rl-advantage/wasm/scalar"); const fs = require("fs"); for (const f of [p, q]) if (!WebAssembly.validate(fs.readFileSync(f))) throw new Error(f); console.log("wasm ok")'], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wasm ok/);
  });
});
