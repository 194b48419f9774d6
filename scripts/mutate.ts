// npm run mutate: applies each curated mutant (test/mutants/list.ts) to a copy of the project, one
// at a time, rebuilds, and runs the numeric tests and the conformance CLI on the project's golden
// vectors. Prints the table (mutant, caught by the tests, caught by conformance) and exits non-zero
// when a mutant survives the tests. MUTATE_ONLY=id[,id...] runs those; MUTATE_SHARD=k/n runs every n-th
// mutant from the k-th (0-based), so n processes can share the list.
// A mutant counts as caught only against a baseline: the same tests, on an unmutated copy, must
// pass first (a renamed test file once made every mutant look caught).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MUTANTS } from "../test/mutants/list.js";
import { withProjectCopy } from "../test/project-copy.js";

const NUMERIC = ["group.properties", "group.regressions", "scan.properties", "kl.properties", "token", "token2", "turns", "layout", "golden", "workspace", "check", "shapers", "shapers.properties", "shapers.errors", "shapers.workspace", "threads", "workspace.hot", "errors", "padding", "ownership"]
  .map((t) => `test/${t}.test.ts`);
const only = process.env.MUTATE_ONLY?.split(",");
const [shard, shards] = (process.env.MUTATE_SHARD ?? "0/1").split("/").map(Number) as [number, number];
const run = (cwd: string, cmd: string, args: string[]) => spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 1 << 28, env: { ...process.env, FC_END_ON_FAILURE: "1" } });
const COPY = ["assembly", "src", "test", "scripts", "package.json", "tsconfig.json", "tsup.config.ts"];

const missing = NUMERIC.filter((f) => !existsSync(f));
if (missing.length) { console.error(`mutate: no such test file: ${missing.join(", ")}`); process.exit(2); }
// Every mutant's text must still be in its file: checked before the first build, so a stale entry
// stops the run at once instead of half-way through.
const stale = MUTANTS.filter((m) => !readFileSync(m.file, "utf8").includes(m.find)).map((m) => m.id);
if (stale.length) { console.error(`mutate: the text to mutate is no longer in its file for ${stale.join(", ")}; update test/mutants/list.ts`); process.exit(2); }
withProjectCopy("mutant-baseline", COPY, (dir) => {
  const build = run(dir, "npm", ["run", "build", "--silent"]);
  const t = build.status === 0 ? run(dir, process.execPath, ["--import", "tsx", "--test", "--test-reporter=dot", ...NUMERIC]) : build;
  if (t.status !== 0) { console.error(`mutate: the unmutated project fails its tests, so no mutant can be judged\n${t.stdout}${t.stderr}`); process.exit(2); }
});

const rows: [string, string, string, string][] = [];
let survivors = 0;
for (const [k, m] of MUTANTS.entries()) {
  if (only ? !only.includes(m.id) : k % shards !== shard) continue;
  withProjectCopy(`mutant-${m.id}`, COPY, (dir) => {
    const file = join(dir, m.file), text = readFileSync(file, "utf8");
    if (!text.includes(m.find)) throw new Error(`${m.id}: the text to mutate is no longer in ${m.file}; update the list`);
    writeFileSync(file, text.replace(m.find, m.replace));
    const build = run(dir, "npm", ["run", "build", "--silent"]);
    if (build.status !== 0) { rows.push([m.id, m.what, "build failed", "-"]); return; }
    const t = run(dir, process.execPath, ["--import", "tsx", "--test", "--test-reporter=dot", ...NUMERIC]);
    const c = run(dir, process.execPath, ["dist/cli.js", "conformance", "--build", "all"]); // trainers and shapers
    const byTests = t.status !== 0, byConf = c.status !== 0;
    if (!byTests) survivors++;
    rows.push([m.id, m.what, byTests ? "caught" : "SURVIVED", byConf ? "caught" : "passed"]);
    console.log(`${m.id}: tests ${byTests ? "caught" : "SURVIVED"}, conformance ${byConf ? "caught" : "passed"}`);
  });
}
console.log("\n| mutant | the bug | numeric tests | conformance CLI |\n| --- | --- | --- | --- |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
console.log(`\nmutate: ${rows.length - survivors} passed, ${survivors} failed`);
if (survivors) process.exit(1);
