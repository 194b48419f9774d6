import { createSync } from "/work/main/src/index.ts";
const api = createSync();
const B = 8192, T = 1024, N = B * T;
let s = 7; const g = () => { s = (s * 1103515245 + 12345) >>> 0; return s / 2 ** 32; };
const ws = api.createWorkspace({ rows: B, width: T, extraViews: ["tokenRewards", "logp", "refLogp"] });
for (let i = 0; i < B; i++) { const L = 1 + Math.floor(g() * T); ws.mask.fill(1, i * T, i * T + L); }
for (let k = 0; k < N; k++) { ws.logp[k] = -g() * 3; ws.refLogp[k] = ws.logp[k]! - (g() - 0.5) * 0.2; }
const ts: number[] = [];
for (let r = 0; r < 30; r++) { const t0 = performance.now(); ws.klInReward({ klCoef: 0.001, klEstimator: "k1" }); ts.push(performance.now() - t0); }
ts.sort((a, b) => a - b); console.log("median ms", ts[15]);
