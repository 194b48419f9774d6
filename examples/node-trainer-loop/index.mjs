// A trainer's host loop: each step a batch arrives as if read back from the GPU (Float32 scores,
// log-probs, values; a byte mask). One workspace is planned once; every step writes the batch
// into its views, places the scores on the last tokens, computes KL-in-reward, GAE and GRPO in
// place, and hands out views. No allocation per step (checked below), no copies.
//   node examples/node-trainer-loop/index.mjs [--threads 2]
// With --threads 2 the KL and GAE scans share their rows with a worker (same bits, docs/threads.md).
import { createWorkspace, instance, KlController } from "../../dist/index.js";

const prompts = 64, samples = 8, B = prompts * samples, T = 1024, steps = 20;
const at = process.argv.indexOf("--threads"), threads = at > 0 ? Number(process.argv[at + 1]) : 1;
const ws = createWorkspace({ rows: B, width: T, groupSize: samples, extraViews: ["tokenRewards", "values", "returns", "logp", "refLogp", "kl"], threads });
await ws.threadsReady(); // workers start in the background; wait so every step below uses them
const kl = new KlController({ type: "adaptive", value: 0.02, target: 0.05, horizon: 10000 });

// Stand-in for the GPU read-back: fills the views in place (a real trainer copies device buffers here).
let seed = 1;
const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296);
function readBatchFromGpu(step) {
  ws.mask.fill(0);
  for (let i = 0; i < B; i++) {
    const L = 16 + Math.floor(rand() * (T - 16));
    ws.mask.fill(1, i * T, i * T + L);
    ws.scores[i] = rand() < 0.4 + 0.01 * step ? 1 : 0; // one verifier score per response
  }
  for (let k = 0; k < B * T; k++) { ws.logp[k] = -rand() * 2; ws.refLogp[k] = ws.logp[k] - (rand() - 0.5) * 0.1; ws.values[k] = rand(); }
}

const heap = ws.engine.heap, bytesBefore = heap.bytesReserved, genBefore = heap.generation;
console.log(`${B} rows x ${T} tokens, build ${instance().build}, workspace ${(ws.bytes / 2 ** 20).toFixed(0)} MiB, ${ws.threads} thread(s)`);
for (let step = 1; step <= steps; step++) {
  readBatchFromGpu(step);
  const t0 = performance.now();
  ws.placeScores();                                         // scores -> tokenRewards, on each last valid token
  const { currentKl } = ws.klInReward({ klCoef: kl.value, klEstimator: "low_var_kl" });
  kl.update(currentKl, B);
  const t1 = performance.now();
  const gae = ws.gae({ gamma: 1, lam: 0.95 });            // PPO: advantages and returns views
  const gaeFirst = gae.advantages[0];
  const t2 = performance.now();
  const grpo = ws.grpo();                                   // GRPO: sequence advantages on the same views
  const t3 = performance.now();
  if (step % 5 === 0 || step === 1)
    console.log(`step ${String(step).padStart(2)}: place + kl-in-reward ${(t1 - t0).toFixed(2)} ms, gae ${(t2 - t1).toFixed(2)} ms, grpo ${(t3 - t2).toFixed(2)} ms` +
      ` | kl ${currentKl.toFixed(4)} -> coef ${kl.value.toFixed(5)}, gae[0] ${gaeFirst.toFixed(3)}, zero-variance groups ${grpo.diagnostics.zeroVarianceGroups}`);
}
if (heap.bytesReserved !== bytesBefore || heap.generation !== genBefore) throw new Error("the loop allocated");
console.log("no allocation and no memory growth across", steps, "steps");
