// `rl-advantage demo`: a trainer's host loop on an embedded default batch. The batch is made
// from a fixed seed, so every run sees the same data: 512 prompts x 8 samples, response lengths
// up to 2048 (responses that hit the cap are truncated), binary verifier rewards and continuous
// reward-model scores. One workspace is planned once; each step refills the scores in place and
// runs the estimators with no allocation. The same work done by plain-JS loops is timed in the
// same run, and the two results are compared.
import { RlAdvantage, createSync } from "../api.js";
import type { BuildName } from "../core/engine.js";
import { rng } from "../core/rng.js";
import { bnpoRowsJS, broadcastMaskJS, dlerRowsJS, grpoRowsJS, rlooRowsJS } from "./baselines.js";

export interface DemoOptions { prompts?: number; samples?: number; maxLength?: number; steps?: number; build?: BuildName; log?: (s: string) => void }

export interface DemoBatch { B: number; T: number; n: number; lengths: Int32Array; mask: Uint8Array; truncated: Uint8Array; binary: Float32Array; continuous: Float32Array }

export function defaultBatch(prompts = 512, samples = 8, maxLength = 2048, seed = 20261123): DemoBatch {
  const r = rng(seed);
  const B = prompts * samples, T = maxLength;
  const lengths = new Int32Array(B), truncated = new Uint8Array(B), mask = new Uint8Array(B * T);
  const binary = new Float32Array(B), continuous = new Float32Array(B);
  for (let p = 0; p < prompts; p++) {
    const difficulty = r(); // per-prompt solve rate
    for (let j = 0; j < samples; j++) {
      const i = p * samples + j;
      // Long-tailed lengths; ~6% reach the cap and are truncated.
      const L = Math.min(T, 1 + Math.floor(-Math.log(1 - r()) * T * 0.35));
      lengths[i] = L;
      truncated[i] = L === T ? 1 : 0;
      mask.fill(1, i * T, i * T + L);
      binary[i] = !truncated[i] && r() < difficulty ? 1 : 0;
      continuous[i] = Math.fround(Math.min(1, Math.max(0, difficulty + 0.25 * (r() - 0.5) * 2)));
    }
  }
  return { B, T, n: samples, lengths, mask, truncated, binary, continuous };
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]!; };

const fmt = (x: number) => (Object.is(x, -0) ? 0 : x).toFixed(3).padStart(7);

/** What an advantage looks like: 3 prompts x 4 samples, three estimators, one row's tokens. */
export function showSmallBatch(api: RlAdvantage, log: (s: string) => void): void {
  const scores = Float32Array.of(1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 0, 0);
  const lengths = [5, 3, 8, 2, 4, 6, 7, 1, 8, 3, 5, 2], T = 8;
  const ws = api.createWorkspace({ rows: 12, width: T, groupSize: 4 });
  ws.scores.set(scores);
  lengths.forEach((L, i) => ws.mask.fill(1, i * T, i * T + L));
  const grpo = ws.grpo().rowAdvantages.slice(), rloo = ws.rloo().rowAdvantages.slice();
  const bnpo = ws.bnpo(), tokens = ws.grpo().advantages;
  log("A small batch first: 3 prompts x 4 sampled responses, verifier scores 0/1 (groupSize 4).");
  log("prompt  sample  score  length     GRPO     RLOO     BNPO");
  for (let i = 0; i < 12; i++)
    log(`${i % 4 === 0 ? `   ${"ABC"[i / 4]}` : "    "}       ${i % 4}  ${scores[i]!.toFixed(0).padStart(5)}  ${String(lengths[i]).padStart(6)}  ${fmt(grpo[i]!)}  ${fmt(rloo[i]!)}  ${fmt(bnpo.rowAdvantages[i]!)}`);
  log("Prompt B's responses all succeeded: no signal, exactly 0 in every estimator (a zero-variance group).");
  const d = bnpo.diagnostics as { alpha?: number; beta?: number };
  log(`BNPO fitted Beta(${d.alpha!.toFixed(3)}, ${d.beta!.toFixed(3)}) to the groups' success rates.`);
  log(`The token view of row 0 (GRPO, width ${T}, ${lengths[0]} valid tokens; padding is +0):`);
  log(`  mask       ${Array.from(ws.mask.subarray(0, T), (m) => String(m).padStart(7)).join("")}`);
  log(`  advantage  ${Array.from(tokens.subarray(0, T), fmt).join("")}`);
  log("");
  ws.dispose();
}

export function runDemo(opts: DemoOptions = {}): { rows: DemoRow[] } {
  const log = opts.log ?? ((s: string) => console.log(s));
  const steps = opts.steps ?? 9;
  const api: RlAdvantage = createSync(opts.build ? { build: opts.build } : undefined);
  showSmallBatch(api, log);
  log("Timing the embedded default batch (built from a fixed seed)...");
  const batch = defaultBatch(opts.prompts, opts.samples, opts.maxLength);
  const { B, T, n } = batch;
  const ws = api.createWorkspace({ rows: B, width: T, groupSize: n });
  // Filled once: the mask and truncation flags of this batch shape.
  ws.mask.set(batch.mask);
  ws.truncated.set(batch.truncated);
  let validTokens = 0;
  for (let i = 0; i < B; i++) validTokens += batch.lengths[i]!;

  const jsRow = new Float32Array(B), jsTok = new Float32Array(B * T);
  type Est = { name: string; rewards: "binary" | "continuous"; wasm: () => void; js: (s: Float32Array) => void };
  const ests: Est[] = [];
  for (const kind of ["binary", "continuous"] as const) {
    ests.push(
      { name: "grpo", rewards: kind, wasm: () => ws.grpo(), js: (s) => { grpoRowsJS(s, n, 1e-6, jsRow); broadcastMaskJS(jsRow, batch.mask, T, jsTok); } },
      { name: "rloo", rewards: kind, wasm: () => ws.rloo(), js: (s) => { rlooRowsJS(s, n, jsRow); broadcastMaskJS(jsRow, batch.mask, T, jsTok); } },
      { name: "bnpo", rewards: kind, wasm: () => ws.bnpo(), js: (s) => { bnpoRowsJS(s, n, jsRow); broadcastMaskJS(jsRow, batch.mask, T, jsTok); } },
      { name: "dler", rewards: kind, wasm: () => ws.dler(), js: (s) => { dlerRowsJS(s, batch.truncated, batch.lengths, n, jsRow); broadcastMaskJS(jsRow, batch.mask, T, jsTok); } },
    );
  }
  log(`rl-advantage demo: ${B / n} prompts x ${n} samples, padded width ${T}, ${(B * T / 1e6).toFixed(1)}M positions, ${(validTokens / 1e6).toFixed(2)}M valid tokens`);
  log(`build: ${api.build}; workspace ${(ws.bytes / 2 ** 20).toFixed(1)} MiB planned once; ${steps} steps per estimator, medians`);
  const rows: DemoRow[] = [];
  const head = ["estimator", "rewards", "wasm ms/step", "Mtok/s", "plain JS ms/step", "Mtok/s", "speedup", "max|wasm-JS|"];
  const w = [9, 10, 12, 6, 16, 6, 7, 12];
  const line = (cells: string[]) => cells.map((x, c) => (c < 2 ? x.padEnd(w[c]!) : x.padStart(w[c]!))).join("  ");
  log(line(head));
  for (const est of ests) {
    const src = est.rewards === "binary" ? batch.binary : batch.continuous;
    const tw: number[] = [], tj: number[] = [];
    for (let k = 0; k < steps; k++) {
      ws.scores.set(src); // the host writes this step's rewards in place
      let t0 = performance.now(); est.wasm(); tw.push(performance.now() - t0);
      t0 = performance.now(); est.js(src); tj.push(performance.now() - t0);
    }
    let maxDiff = 0;
    const adv = ws.advantages;
    for (let k = 0; k < adv.length; k++) { const d = Math.abs(adv[k]! - jsTok[k]!); if (d > maxDiff) maxDiff = d; }
    const r: DemoRow = { estimator: est.name, rewards: est.rewards, wasmMs: median(tw), jsMs: median(tj), validTokens, maxDiff };
    rows.push(r);
    // Each row as soon as it is measured: progress while the table fills.
    log(line([r.estimator, r.rewards, r.wasmMs.toFixed(2), (r.validTokens / r.wasmMs / 1e3).toFixed(0), r.jsMs.toFixed(2), (r.validTokens / r.jsMs / 1e3).toFixed(0), (r.jsMs / r.wasmMs).toFixed(1) + "x", r.maxDiff.toExponential(1)]));
  }
  log("tokens/s counts valid tokens; each step writes all positions (+0 at padding). Differences vs JS are float rounding (JS keeps f64 temporaries).");
  ws.dispose();
  return { rows };
}

export interface DemoRow { estimator: string; rewards: string; wasmMs: number; jsMs: number; validTokens: number; maxDiff: number }
