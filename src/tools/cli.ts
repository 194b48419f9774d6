// rl-advantage CLI: `demo` (the main job) and `conformance <file-or-dir>` (golden vectors).
import { runDemo } from "./demo.js";
import { formatReport, loadGolden, runFamily } from "./conformance.js";
import { createSync } from "../api.js";
import type { BuildName } from "../core/engine.js";

const usage = `usage:
  rl-advantage demo [--build simd|scalar] [--steps N]
  rl-advantage conformance <file-or-dir> [--build simd|scalar] [--verbose]`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  const build = flag(rest, "--build") as BuildName | undefined;
  if (cmd === "demo") {
    const steps = flag(rest, "--steps");
    runDemo({ build, steps: steps ? Number(steps) : undefined });
    return 0;
  }
  if (cmd === "conformance") {
    const target = rest.find((a, i) => !a.startsWith("--") && !(i > 0 && rest[i - 1]!.startsWith("--build")));
    if (!target) { console.error(usage); return 2; }
    const api = createSync(build ? { build } : undefined);
    console.log(`conformance: ${target} (build ${api.build})`);
    const reps = loadGolden(target).map((f) => runFamily(f, api));
    const { text, failed } = formatReport(reps, rest.includes("--verbose"));
    console.log(text);
    return failed ? 1 : 0;
  }
  console.error(usage);
  return cmd === undefined || cmd === "--help" || cmd === "-h" ? 0 : 2;
}

process.exitCode = main(process.argv.slice(2));
