// rl-advantage CLI: `demo` (the main job) and `conformance [file-or-dir]` (golden vectors).
// Errors are one line on stderr naming the flag or file, with exit code 2 (usage) or 1 (a failed
// run); help and version go to stdout.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { runDemo } from "./demo.js";
import { formatReport, loadGolden, runFamily } from "./conformance.js";
import { createSync } from "../api.js";
import { simdSupported, type BuildName } from "../core/engine.js";

const HELP: Record<string, string> = {
  main: `rl-advantage: rewards and advantages for LLM RL trainers (WebAssembly SIMD core)

usage:
  rl-advantage demo [--build simd|scalar] [--steps N]
  rl-advantage conformance [file-or-dir] [--build simd|scalar|all] [--verbose]
  rl-advantage --help | --version
  rl-advantage <command> --help`,
  demo: `usage: rl-advantage demo [--build simd|scalar] [--steps N]

Shows a small batch (3 prompts x 4 samples: scores, GRPO/RLOO/BNPO advantages, the token view of
one row), then times the estimators on the embedded default batch (512 prompts x 8 samples,
responses up to 2048 tokens) in one planned workspace against plain-JS loops.
  --build   force a build (default: SIMD where the runtime supports it)
  --steps   timed steps per estimator, a positive integer (default 9)`,
  conformance: `usage: rl-advantage conformance [file-or-dir] [--build simd|scalar|all] [--verbose]

Runs golden vectors produced by verl, OpenRLHF and TRL through the public API and compares every
output with its derived tolerance. Without a path, runs the vectors shipped in the package.
  --build    simd, scalar or all (both, one after the other; the default, or scalar alone where
             the runtime has no SIMD)
  --verbose  every failure, every upstream-undefined case and the pairs run on each path

Every case runs through every path the library has for it (copy API and workspace, padded and
packed layouts, groupIds and groupSize); the summary counts (case, path) pairs.`,
};

class UsageError extends Error {}

function version(): string {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8")) as { version: string };
  return pkg.version;
}

/** Parses `--flag value` pairs and positional arguments against the flags a command knows. */
function parse(args: string[], valued: string[], bare: string[]): { flags: Map<string, string>; positional: string[] } {
  const flags = new Map<string, string>(), positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("--")) {
      if (bare.includes(a)) { flags.set(a, ""); continue; }
      if (!valued.includes(a)) throw new UsageError(`unknown flag ${a}`);
      const v = args[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`${a} needs a value`);
      flags.set(a, v);
    } else positional.push(a);
  }
  return { flags, positional };
}

function builds(v: string | undefined, allowAll: boolean): (BuildName | undefined)[] {
  if (v === undefined) return [undefined];
  if (v === "simd" || v === "scalar") return [v];
  if (allowAll && v === "all") return ["simd", "scalar"];
  throw new UsageError(`--build must be simd${allowAll ? ", scalar or all" : " or scalar"}, got ${JSON.stringify(v)}`);
}

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") { console.log(HELP.main); return 0; }
  if (cmd === "--version" || cmd === "-v") { console.log(version()); return 0; }
  if (cmd !== "demo" && cmd !== "conformance") throw new UsageError(`unknown command ${JSON.stringify(cmd)} (try --help)`);
  if (rest.includes("--help") || rest.includes("-h")) { console.log(HELP[cmd]); return 0; }
  if (cmd === "demo") {
    const { flags, positional } = parse(rest, ["--build", "--steps"], []);
    if (positional.length) throw new UsageError(`demo takes no argument, got ${JSON.stringify(positional[0])}`);
    const s = flags.get("--steps");
    const steps = s === undefined ? undefined : Number(s);
    if (steps !== undefined && !(Number.isInteger(steps) && steps >= 1 && steps <= 1000)) throw new UsageError(`--steps must be an integer from 1 to 1000, got ${JSON.stringify(s)}`);
    runDemo({ build: builds(flags.get("--build"), false)[0], steps });
    return 0;
  }
  const { flags, positional } = parse(rest, ["--build"], ["--verbose"]);
  if (positional.length > 1) throw new UsageError(`conformance takes one file or directory, got ${positional.length}`);
  // With no path: the trainers' vectors and the shapers' vectors shipped with the package.
  const files = positional[0] !== undefined ? loadGolden(positional[0])
    : ["golden", "golden-shapers"].flatMap((d) => loadGolden(fileURLToPath(new URL(`../test/fixtures/${d}/`, import.meta.url))));
  let failed = 0, passed = 0;
  const which = flags.has("--build") ? builds(flags.get("--build"), true) : simdSupported() ? ["simd", "scalar"] as const : ["scalar"] as const;
  for (const build of which) {
    const api = createSync(build ? { build } : undefined);
    console.log(`conformance: ${positional[0] ?? "the golden vectors shipped with rl-advantage"} (build ${api.build})`);
    const { text, passed: p, failed: f } = formatReport(files.map((g) => runFamily(g, api)), flags.has("--verbose"));
    console.log(text + "\n");
    failed += f; passed += p;
  }
  if (which.length > 1) console.log(`all builds: ${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  // One line, no stack trace: the message names the flag or the file.
  console.error(`rl-advantage: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = err instanceof UsageError ? 2 : 1;
}
