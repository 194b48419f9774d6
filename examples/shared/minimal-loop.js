// The minimal host loop shared by the Deno and Bun examples: one workspace planned once, then a
// few steps of GAE and GRPO on views (no allocation per step). `lib` is the package namespace.
export function runMinimalLoop(lib, runtime) {
  const B = 256, T = 512;
  const ws = lib.createWorkspace({ rows: B, width: T, groupSize: 8, extraViews: ["tokenRewards", "values", "returns"] });
  for (let step = 1; step <= 5; step++) {
    ws.mask.fill(0); ws.tokenRewards.fill(0);
    for (let i = 0; i < B; i++) {
      const L = 64 + (i % 400);
      ws.scores[i] = Math.random() < 0.5 ? 1 : 0;
      ws.mask.fill(1, i * T, i * T + L);
      ws.tokenRewards[i * T + L - 1] = ws.scores[i];
    }
    ws.values.fill(0.5);
    const t0 = performance.now();
    const gae = ws.gae({ gamma: 1, lam: 0.95 });
    const first = gae.returns[0];
    const grpo = ws.grpo();
    console.log(`${runtime} step ${step}: ${(performance.now() - t0).toFixed(2)} ms (gae + grpo), build ${lib.instance().build}, groups ${grpo.diagnostics.numGroups}, returns[0] ${first.toFixed(3)}`);
  }
}
