// A real training loop learns: examples/tfjs-grpo trains a tiny TensorFlow.js policy with GRPO
// advantages from a planned workspace, on a verifiable toy task (4 digits whose sum hits a target).
// The run is seeded; the assertion is a clear margin, not a fixed value.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");

describe("examples/tfjs-grpo: a tfjs policy trained with rl-advantage's GRPO", () => {
  it("the mean reward of the last 10 steps beats the first 10 by a clear margin; the SVG curve is written", () => {
    const svg = join(root, "test-output/tfjs-grpo-test.svg");
    const r = spawnSync(process.execPath, ["examples/tfjs-grpo/train.mjs", "--steps", "100", "--svg", svg], { cwd: root, encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const m = /reward: first 10 steps ([\d.]+), last 10 steps ([\d.]+)/.exec(r.stdout);
    assert.ok(m, r.stdout);
    const [first, last] = [Number(m![1]), Number(m![2])];
    console.log(`# tfjs-grpo: mean reward ${first} over the first 10 steps, ${last} over the last 10`);
    assert.ok(last >= first + 0.3, `the policy learned: ${first} -> ${last}`);
    assert.ok(existsSync(svg), "existsSync(svg)");
    assert.match(readFileSync(svg, "utf8"), /^<svg[^>]*>[\s\S]*<path d="M[\s\S]*<\/svg>\n$/);
  });
});
