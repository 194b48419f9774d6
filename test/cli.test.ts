// The shipped CLI (dist/cli.js, built by `npm test` first): conformance and the demo.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runFamily, type GoldenFile } from "../src/tools/conformance.js";
import { builds } from "./helpers.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ["dist/cli.js", ...args], { cwd: root, encoding: "utf8" });

describe("rl-advantage CLI", () => {
  it("conformance on the project's golden copy: 0 failed, exit 0, closing line", () => {
    for (const build of ["simd", "scalar"]) {
      const r = cli("conformance", "test/fixtures/golden", "--build", build);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const lines = r.stdout.trim().split("\n");
      assert.match(lines[lines.length - 1]!, /^\d+ passed, 0 failed$/);
      // (case, path) pairs: 20 GRPO cases on up to 8 paths each, GAE's 10 defined cases on 4.
      assert.match(r.stdout, /verl_grpo\s+passed\s+1\d\d\s+failed\s+0\s+\(20 cases x 8 paths\)/);
      assert.match(r.stdout, /verl_gae\s+passed\s+40\s+failed\s+0\s+\(11 cases x 4 paths\)/);
      assert.match(r.stdout, /^upstream-undefined: \d+ passed, 0 failed$/m);
      assert.match(r.stdout, /^263 cases, \d{4} \(case, path\) pairs$/m);
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
    assert.match(r.stdout, /^0 passed, 8 failed$/m); // one case on its 8 paths, each failing
  });

  it("nothing passes unseen: an unknown family, renamed outputs, an empty directory, only ulp-fragile cases, altered exact zeros all fail", () => {
    execFileSync("mkdir", ["-p", `${root}/test-output/empty-golden-dir`]);
    const golden = JSON.parse(readFileSync(`${root}/test/fixtures/golden/verl_grpo.json`, "utf8"));
    const write = (name: string, d: unknown) => { const f = `${root}/test-output/${name}.json`; writeFileSync(f, JSON.stringify(d)); return f; };
    const unknown = write("unknown-family", { family: "some_future_family", cases: [{ id: "x", params: {}, inputs: {}, outputs: {} }] });
    const renamed = write("renamed-outputs", { ...golden, cases: golden.cases.map((c: any) => ({ ...c, outputs: { advantages_renamed: { ...c.outputs.advantages, data: c.outputs.advantages.data.map(() => 123) } } })) });
    const fragile = write("only-fragile", { ...golden, cases: golden.cases.slice(0, 2).map((c: any) => ({ ...c, notes: `ulp-fragile: ${c.notes ?? ""}` })) });
    const exactCase = golden.cases.find((c: any) => /\bexact:/.test(c.notes ?? ""));
    assert.ok(exactCase, "the golden set has a case whose notes say exact");
    const data = [...exactCase.outputs.advantages.data];
    const mask = exactCase.inputs.response_mask.data as number[];
    const z = data.findIndex((v: number, k: number) => v === 0 && mask[k] === 1); // a constant group's 0 at a valid position
    data[z] = 1e-12; // far inside the tolerance of a non-exact comparison
    const altered = write("altered-exact-zero", { ...golden, cases: [{ ...exactCase, outputs: { ...exactCase.outputs, advantages: { ...exactCase.outputs.advantages, data } } }] });
    for (const [file, want] of [[unknown, /some_future_family\s+failed: unknown family/], [renamed, /output advantages_renamed is not mapped/], [fragile, /no runnable case/], [altered, /\|err\| 1\.00e-12 > tol 0\.00e\+0/]] as const) {
      const r = cli("conformance", file, "--verbose");
      assert.equal(r.status, 1, `${file}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, want);
      assert.match(r.stdout, /^\d+ passed, [1-9]\d* failed$/m);
    }
    const e = cli("conformance", "test-output/empty-golden-dir");
    assert.equal(e.status, 1);
    assert.match(e.stderr, /no golden-vector file/);
  });

  it("upstream-undefined cases (rule 6): own counts; the documented cause's code; finite where upstream wrote NaN; BNPO falls back per component", () => {
    const load = (f: string) => JSON.parse(readFileSync(`${root}/test/fixtures/golden/${f}.json`, "utf8")) as GoldenFile;
    const api = builds[0]![1];
    const gae = load("verl_gae"), single = gae.cases.find((c) => c.error)!;
    // The documented cause (sum of the mask is one) must give TOO_FEW_VALID: passes, on its own line.
    let rep = runFamily({ family: "verl_gae", cases: [single] }, api);
    assert.deepEqual([rep.undefinedPassed > 0, rep.undefinedFailed, rep.passed, rep.failed], [true, 0, 0, 0], rep.failures.join("\n"));
    // Upstream raised, the library returns values: a failure on every path.
    const grpo = load("verl_grpo"), ok = grpo.cases[0]!;
    rep = runFamily({ family: "verl_grpo", cases: [{ ...ok, error: { type: "ValueError", message: "The sum of the mask is one" } }] }, api);
    assert.ok(rep.undefinedFailed > 0 && rep.undefinedPassed === 0 && /expected TOO_FEW_VALID, got a result/.test(rep.failures[0]!), rep.failures[0]);
    // Upstream NaN at a valid position: the library's finite value passes, counted apart.
    const mask = ok.inputs.response_mask!.data as number[], k = mask.indexOf(1);
    const nanData = [...ok.outputs.advantages!.data]; nanData[k] = "NaN";
    rep = runFamily({ family: "verl_grpo", cases: [{ ...ok, outputs: { advantages: { ...ok.outputs.advantages!, data: nanData } } }] }, api);
    assert.ok(rep.undefinedPassed > 0 && rep.undefinedFailed === 0 && rep.passed === 0, rep.failures.join("\n"));
    // BNPO decomposition with one degenerate component (every row's format reward 1, so every
    // group has p = 1): only that component falls back; upstream's outputs are all NaN.
    const bnpo = load("bnpo"), dec = bnpo.cases.find((c) => c.params.use_advantage_decomposition)!;
    const [B, T] = dec.inputs.eos_mask!.shape as [number, number], m = dec.inputs.eos_mask!.data as number[];
    const fmt = Array.from({ length: B * T }, (_, q) => { const i = Math.floor(q / T), t = q % T; return m[q] && !m.slice(i * T + t + 1, i * T + T).some(Boolean) ? 1 : 0; });
    const degenerate = { ...dec, id: "one_component_degenerate", notes: "upstream-degenerate: the format component has zero variance",
      inputs: { ...dec.inputs, format_reward_tensor: { ...dec.inputs.format_reward_tensor!, data: fmt } },
      outputs: { advantages: { ...dec.outputs.advantages!, data: dec.outputs.advantages!.data.map(() => "NaN") } } };
    rep = runFamily({ family: "bnpo", cases: [degenerate] }, api);
    assert.ok(rep.undefinedPassed > 0 && rep.undefinedFailed === 0, rep.failures.join("\n"));
    // The same case with the accuracy component degenerate too is judged against the oracle's fits.
    const both = { ...degenerate, inputs: { ...degenerate.inputs, acc_reward_tensor: { ...dec.inputs.acc_reward_tensor!, data: fmt } } };
    assert.equal(runFamily({ family: "bnpo", cases: [both] }, api).undefinedFailed, 0);
  });

  it("demo shows a small readable batch, then the table", () => {
    const r = cli("demo", "--steps", "1");
    assert.equal(r.status, 0, r.stderr);
    assert.ok(r.stdout.indexOf("A small batch first") < r.stdout.indexOf("512 prompts x 8 samples"), "the small batch comes first");
    assert.match(r.stdout, /^ {3}A {7}0 {6}1 {7}5 {4}0\.866 {4}0\.667/m);
    assert.match(r.stdout, /advantage {4}0\.866  0\.866  0\.866  0\.866  0\.866  0\.000  0\.000  0\.000/);
    for (const est of ["grpo", "rloo", "bnpo", "dler"]) assert.match(r.stdout, new RegExp(`^${est}\\s+binary`, "m"));
  });

  it("--help and --version on stdout; help per subcommand, which does not run it", () => {
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, "utf8"));
    for (const [args, want] of [[["--help"], /usage:\n  rl-advantage demo/], [["--version"], new RegExp(`^${pkg.version}\n$`)],
      [["demo", "--help"], /^usage: rl-advantage demo/], [["conformance", "--help"], /^usage: rl-advantage conformance/]] as const) {
      const r = cli(...args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, "");
      assert.match(r.stdout, want);
      assert.doesNotMatch(r.stdout, /A small batch first/, "help does not run the demo");
    }
  });

  it("errors are one line naming the flag or the file, with a non-zero exit and no stack trace", () => {
    execFileSync("mkdir", ["-p", `${root}/test-output`]);
    writeFileSync(`${root}/test-output/malformed.json`, "{");
    writeFileSync(`${root}/test-output/empty-object.json`, "{}");
    for (const [args, code, want] of [
      [["demo", "--steps", "0"], 2, /--steps/], [["demo", "--build", "gpu"], 2, /--build .*"gpu"/], [["demo", "--stpes", "3"], 2, /unknown flag --stpes/],
      [["conformance", "/no/such/path"], 1, /\/no\/such\/path: no such file/], [["conformance", "test-output/malformed.json"], 1, /malformed\.json: not valid JSON/],
      [["conformance", "test-output/empty-object.json"], 1, /empty-object\.json: not a golden-vector file/], [["frobnicate"], 2, /unknown command/],
    ] as const) {
      const r = cli(...args);
      assert.equal(r.status, code, `${args.join(" ")}: ${r.stderr}`);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, `one line: ${r.stderr}`);
      assert.match(lines[0]!, /^rl-advantage: /);
      assert.match(lines[0]!, want);
    }
  });

  it("conformance with no path runs the golden vectors shipped in the package; --build all runs both builds", () => {
    const r = cli("conformance", "--build", "all");
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /golden vectors shipped with rl-advantage \(build simd\)/);
    assert.match(r.stdout, /golden vectors shipped with rl-advantage \(build scalar\)/);
    assert.equal((r.stdout.match(/^\d+ passed, 0 failed$/gm) ?? []).length, 2);
  });
});
