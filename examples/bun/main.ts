// bun examples/bun/main.ts   (the same host loop, minimal)
import { createWorkspace, instance } from "../../dist/index.js";

const B = 256, T = 512;
const ws = createWorkspace({ rows: B, width: T, groupSize: 8, extraViews: ["tokenRewards", "values", "returns"] });
for (let step = 1; step <= 5; step++) {
  for (let i = 0; i < B; i++) { ws.scores[i] = Math.random() < 0.5 ? 1 : 0; ws.mask.fill(1, i * T, i * T + 64 + (i % 400)); ws.tokenRewards[i * T + 63] = ws.scores[i]!; }
  ws.values.fill(0.5);
  const t0 = performance.now();
  const gae = ws.gae({ gamma: 1, lam: 0.95 });
  const grpo = ws.grpo();
  console.log(`bun ${Bun.version} step ${step}: ${(performance.now() - t0).toFixed(2)} ms (gae + grpo), build ${instance().build}, groups ${grpo.diagnostics.numGroups}, returns[0] ${gae.returns[0]!.toFixed(3)}`);
}
