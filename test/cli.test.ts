// The shipped CLI (dist/cli.js, built by `npm test` first): conformance and the demo.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ["dist/cli.js", ...args], { cwd: root, encoding: "utf8" });

describe("rl-advantage CLI", () => {
  it("conformance on the project's golden copy: 0 failed, exit 0, closing line", () => {
    for (const build of ["simd", "scalar"]) {
      const r = cli("conformance", "test/fixtures/golden", "--build", build);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const lines = r.stdout.trim().split("\n");
      assert.match(lines[lines.length - 1]!, /^\d+ passed, 0 failed$/);
      assert.match(r.stdout, /verl_grpo\s+passed\s+20\s+failed\s+0/);
      assert.match(r.stdout, /verl_gae\s+passed\s+11\s+failed\s+0/);
    }
  });

  it("conformance exits non-zero when a case fails", () => {
    const bad = JSON.stringify({ family: "verl_grpo", cases: [{ id: "tampered", params: { epsilon: 1e-6, norm_adv_by_std_in_grpo: true },
      inputs: { token_level_rewards: { dtype: "float32", shape: [2, 1], data: [1, 0] }, response_mask: { dtype: "int64", shape: [2, 1], data: [1, 1] }, index: { dtype: "int64", shape: [2], data: [0, 0] } },
      outputs: { advantages: { dtype: "float32", shape: [2, 1], data: [0.5, -0.7071] } }, max_abs_dev_vs_fp64: { advantages: 0 } }] });
    const file = `${root}/test-output/tampered.json`;
    execFileSync("mkdir", ["-p", `${root}/test-output`]);
    execFileSync(process.execPath, ["-e", `require("fs").writeFileSync(${JSON.stringify(file)}, ${JSON.stringify(bad)})`]);
    const r = cli("conformance", file);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /0 passed, 1 failed/);
  });

  it("a family the library does not implement is reported as skipped, not failed", () => {
    execFileSync("mkdir", ["-p", `${root}/test-output`]);
    const file = `${root}/test-output/unknown-family.json`;
    execFileSync(process.execPath, ["-e", `require("fs").writeFileSync(${JSON.stringify(file)}, JSON.stringify({ family: "some_future_family", cases: [{ id: "x", params: {}, inputs: {}, outputs: {} }] }))`]);
    const r = cli("conformance", file);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /some_future_family\s+skipped 1: family not implemented yet/);
    assert.match(r.stdout, /0 passed, 0 failed/);
  });

  it("demo prints the table", () => {
    const r = cli("demo", "--steps", "1");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /512 prompts x 8 samples/);
    for (const est of ["grpo", "rloo", "bnpo", "dler"]) assert.match(r.stdout, new RegExp(`^${est}\\s+binary`, "m"));
  });
});
