// npm run bench [-- <filter>]: group-family kernels at 64K and 1M sequences (groups of 8 and 16),
// GRPO with the token broadcast at 8M tokens (mask and lengths), per-call overhead at 64 rows,
// and a memory-copy reference. Machine facts are printed first.
import os from "node:os";
import { createSync, type RlAdvantage } from "../dist/index.js";
import { compare, type Variant } from "./harness.js";
import * as js from "../src/tools/baselines.js";
import { rng } from "../src/core/rng.js";

const filter = process.argv[2];
const want = (name: string) => !filter || name.includes(filter);
const apis: [string, RlAdvantage][] = [["wasm-simd", createSync({ build: "simd" })], ["wasm-scalar", createSync({ build: "scalar" })]];

console.log(`rl-advantage bench  node ${process.version}  ${os.cpus()[0]?.model} x${os.cpus().length}  ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`);
console.log("p50 = median latency; ratio = plain-JS p50 / variant p50; GB/s over the bytes the kernel must move");

function scores(B: number, seed: number, binary: boolean): Float32Array {
  const r = rng(seed), s = new Float32Array(B);
  for (let i = 0; i < B; i++) s[i] = binary ? (r() < 0.4 ? 1 : 0) : Math.fround(r() * 2 - 1);
  return s;
}
function lengthsOf(B: number, T: number, seed: number): Int32Array {
  const r = rng(seed), L = new Int32Array(B);
  for (let i = 0; i < B; i++) L[i] = 1 + Math.floor(r() * T);
  return L;
}

async function memcpy(bytes: number) {
  const a = new Uint8Array(bytes), b = new Uint8Array(bytes);
  await compare(`reference: TypedArray.set copy of ${(bytes / 2 ** 20).toFixed(0)} MiB`, 2 * bytes, [{ name: "plain JS", fn: () => b.set(a) }]);
}

// --- Row-level kernels ------------------------------------------------------------------------
async function rowKernels() {
  for (const B of [65536, 1 << 20]) for (const n of [8, 16]) {
    const s = scores(B, B + n, true), sc = scores(B, B + n + 1, false);
    const out = new Float32Array(B);
    const wss = apis.map(([name, api]) => [name, api.createWorkspace({ rows: B, groupSize: n })] as const);
    const lay = `${B >= 1 << 20 ? "1M" : "64K"} rows, groups of ${n}`;
    const kernels: [string, Float32Array, (ws: any) => void, () => void][] = [
      ["grpo", s, (ws) => ws.grpo(), () => js.grpoRowsJS(s, n, 1e-6, out)],
      ["rloo", sc, (ws) => ws.rloo(), () => js.rlooRowsJS(sc, n, out)],
      ["gpg", s, (ws) => ws.gpg(), () => js.gpgRowsJS(s, n, out)],
      ["grpoPassK", sc, (ws) => ws.grpoPassK(), () => js.passKRowsJS(sc, n, 1e-6, out)],
      ["bnpo", s, (ws) => ws.bnpo(), () => js.bnpoRowsJS(s, n, out)],
    ];
    for (const [name, src, run, base] of kernels) {
      if (!want(name)) continue;
      const v: Variant[] = wss.map(([nm, ws]) => { ws.scores.set(src); return { name: nm, fn: () => run(ws) }; });
      await compare(`${name}: ${lay} (scores -> row advantages)`, B * 8, [...v, { name: "plain JS", fn: base }]);
    }
    if (want("trlGroupAdvantage")) {
      const v: Variant[] = apis.map(([nm, api]) => { const ws = api.createWorkspace({ rows: B, groupSize: n }); ws.rewardsPerFunc.set(sc); return { name: nm, fn: () => ws.trlGroupAdvantage({ preset: "trl" }) }; });
      await compare(`trlGroupAdvantage: ${lay}, K=1 (rewards -> row advantages)`, B * 8, [...v, { name: "plain JS", fn: () => js.trlRowsJS(sc, n, 1e-4, out) }]);
    }
    // Kernels that need lengths: a narrow padded layout (width 8) with prefix lengths.
    const T = 8, L = lengthsOf(B, T, 7), tok = new Float32Array(B * T);
    const tr = new Uint8Array(B).map((_, i) => (L[i] === T ? 1 : 0));
    const tw = apis.map(([nm, api]) => {
      const ws = api.createWorkspace({ rows: B, width: T, valid: "lengths", groupSize: n });
      ws.lengths.set(L); ws.truncated.set(tr); ws.scores.set(sc);
      return [nm, ws] as const;
    });
    const withLens: [string, (ws: any) => void, () => void][] = [
      ["reinforcePPBaseline", (ws) => ws.reinforcePPBaseline(), () => { js.rfppbRowsJS(sc, L, n, out); js.broadcastLengthsJS(out, L, T, tok); }],
      ["opo", (ws) => ws.opo(), () => { js.opoRowsJS(sc, L, n, out); js.broadcastLengthsJS(out, L, T, tok); }],
      ["dler", (ws) => ws.dler(), () => { js.dlerRowsJS(sc, tr, L, n, out); js.broadcastLengthsJS(out, L, T, tok); }],
    ];
    for (const [name, run, base] of withLens) {
      if (!want(name)) continue;
      await compare(`${name}: ${lay}, width ${T} with lengths (-> token advantages)`, B * 12 + B * T * 4, [...tw.map(([nm, ws]) => ({ name: nm, fn: () => run(ws) })), { name: "plain JS", fn: base }]);
    }
    for (const [, ws] of wss) ws.dispose();
    for (const [, ws] of tw) ws.dispose();
  }
}

// --- GRPO with the token broadcast at 8M tokens -------------------------------------------------
async function grpoTokens() {
  const B = 8192, T = 1024, n = 8, N = B * T;
  const s = scores(B, 11, true), L = lengthsOf(B, T, 12);
  const mask = new Uint8Array(N);
  for (let i = 0; i < B; i++) mask.fill(1, i * T, i * T + L[i]!);
  const row = new Float32Array(B), out = new Float32Array(N);
  for (const mode of ["mask", "lengths"] as const) {
    const v: Variant[] = apis.map(([nm, api]) => {
      const ws = api.createWorkspace({ rows: B, width: T, groupSize: n, valid: mode });
      ws.scores.set(s);
      if (mode === "mask") ws.mask.set(mask); else ws.lengths.set(L);
      return { name: nm, fn: () => ws.grpo() };
    });
    const base: Variant = mode === "mask"
      ? { name: "plain JS", fn: () => { js.grpoRowsJS(s, n, 1e-6, row); js.broadcastMaskJS(row, mask, T, out); } }
      : { name: "plain JS", fn: () => { js.grpoRowsJS(s, n, 1e-6, row); js.broadcastLengthsJS(row, L, T, out); } };
    const extra: Variant[] = mode === "lengths" ? [{ name: "JS TypedArray.fill", fn: () => { js.grpoRowsJS(s, n, 1e-6, row); js.broadcastLengthsFillJS(row, L, T, out); } }] : [];
    const bytes = B * 8 + N * 4 + (mode === "mask" ? N : B * 4);
    await compare(`grpo + broadcast: 8M tokens (8192 x 1024, groups of 8), ${mode === "mask" ? "Uint8 mask" : "lengths"} input`, bytes, [...v, base, ...extra], { time: 1500 });
  }
  await memcpy(N * 4);
}

// --- GAE with verl whitening (issue: credit over time) -------------------------------------------
async function gaeBench() {
  for (const [B, T] of [[256, 4096], [1024, 8192]] as const) {
    const N = B * T, r = new Float32Array(N), V = new Float32Array(N), L = lengthsOf(B, T, 21), mask = new Uint8Array(N);
    const g = rng(5);
    for (let k = 0; k < N; k++) { V[k] = Math.fround(g() * 2 - 1); }
    for (let i = 0; i < B; i++) { mask.fill(1, i * T, i * T + L[i]!); r[i * T + L[i]! - 1] = g() < 0.5 ? 1 : 0; }
    const adv = new Float32Array(N), ret = new Float32Array(N);
    for (const mode of ["mask", "lengths"] as const) {
      const v: Variant[] = apis.map(([nm, api]) => {
        const ws = api.createWorkspace({ rows: B, width: T, valid: mode, extraViews: ["tokenRewards", "values", "returns"] });
        ws.tokenRewards.set(r); ws.values.set(V);
        if (mode === "mask") ws.mask.set(mask); else ws.lengths.set(L);
        return { name: nm, fn: () => ws.gae({ gamma: 0.99, lam: 0.95 }) };
      });
      const base: Variant = { name: "plain JS", fn: () => js.gaeJS(r, V, mode === "mask" ? mask : null, mode === "mask" ? null : L, B, T, 0.99, 0.95, adv, ret) };
      const bytes = N * (16 + (mode === "mask" ? 1 : 0));
      await compare(`gae + verl whitening: ${B} x ${T} (${(N / 2 ** 20).toFixed(0)}M tokens), gamma 0.99, lam 0.95, ${mode === "mask" ? "Uint8 mask" : "lengths"}`, bytes, [...v, base], { time: 1500 });
    }
    const vr: Variant[] = apis.map(([nm, api]) => {
      const ws = api.createWorkspace({ rows: B, width: T, valid: "mask", extraViews: ["tokenRewards", "returns"] });
      ws.tokenRewards.set(r); ws.mask.set(mask);
      return { name: nm, fn: () => ws.reinforcePP({ gamma: 0.99 }) };
    });
    await compare(`reinforcePP (returns, gamma 0.99, verl whitening): ${B} x ${T}, Uint8 mask`, N * 13, [...vr, { name: "plain JS", fn: () => js.reinforcePPJS(r, mask, B, T, 0.99, adv, ret) }], { time: 1500 });
    const a = new Uint8Array(N * 16), b2 = new Uint8Array(N * 16);
    await compare(`reference: TypedArray.set copy of ${(N * 16 / 2 ** 20).toFixed(0)} MiB (the bytes GAE moves)`, N * 32, [{ name: "plain JS", fn: () => b2.set(a) }]);
  }
}

// --- KL in the reward (token-level rewards) -----------------------------------------------------
async function klBench() {
  const B = 8192, T = 1024, N = B * T, L = lengthsOf(B, T, 31), g = rng(9);
  const mask = new Uint8Array(N), scores = new Float32Array(N), logp = new Float32Array(N), ref = new Float32Array(N), out = new Float32Array(N);
  for (let i = 0; i < B; i++) { mask.fill(1, i * T, i * T + L[i]!); scores[i * T + L[i]! - 1] = g() < 0.5 ? 1 : 0; }
  for (let k = 0; k < N; k++) { logp[k] = -g() * 3; ref[k] = logp[k]! - (g() - 0.5) * 0.2; }
  const v: Variant[] = apis.map(([nm, api]) => {
    const ws = api.createWorkspace({ rows: B, width: T, extraViews: ["tokenRewards", "logp", "refLogp"] });
    ws.mask.set(mask); ws.logp.set(logp); ws.refLogp.set(ref);
    return { name: nm, fn: () => { ws.tokenRewards.set(scores); ws.klInReward({ klCoef: 0.001, klEstimator: "k1" }); } };
  });
  const copyCost: Variant = { name: "(the scores refill alone)", fn: () => out.set(scores) };
  const v3: Variant[] = apis.map(([nm, api]) => ({ name: nm, fn: () => api.klPenalty({ logp, refLogp: ref, mask, width: T, klEstimator: "k3", klClamp: "verl" }) }));
  await compare(`klPenalty k3 (verl clamps), copy API (allocates and copies its 32 MiB output each call): 8M tokens`, N * 13, [...v3, { name: "plain JS", fn: () => js.klPenaltyK3JS(logp, ref, mask, out) }], { time: 1500 });
  const va: Variant[] = apis.map(([nm, api]) => ({ name: nm, fn: () => { api.aggLoss({ loss: logp, mask, width: T, lossAggMode: "token-mean" }); api.aggLoss({ loss: logp, mask, width: T, lossAggMode: "seq-mean-token-mean" }); } }));
  await compare(`aggLoss token-mean + seq-mean-token-mean, copy API (copies its 40 MiB of inputs into wasm memory each call): 8M tokens`, 2 * N * 5, [...va, { name: "plain JS", fn: () => js.aggLossJS(logp, mask, B, T) }], { time: 1500 });
  const wk: Variant[] = apis.map(([nm, api]) => {
    const ws = api.createWorkspace({ rows: B, width: T, extraViews: ["logp", "refLogp", "kl"] });
    ws.mask.set(mask); ws.logp.set(logp); ws.refLogp.set(ref);
    return { name: nm, fn: () => ws.klPenalty({ klEstimator: "k3", klClamp: "verl" }) };
  });
  await compare(`klPenalty k3 (verl clamps), workspace (logp, refLogp -> kl view): 8M tokens`, N * 13, [...wk, { name: "plain JS", fn: () => js.klPenaltyK3JS(logp, ref, mask, out) }], { time: 1500 });
  const wa: Variant[] = apis.map(([nm, api]) => {
    const ws = api.createWorkspace({ rows: B, width: T, extraViews: ["loss"] });
    ws.mask.set(mask); ws.loss.set(logp);
    return { name: nm, fn: () => { ws.aggLoss({ lossAggMode: "token-mean" }); ws.aggLoss({ lossAggMode: "seq-mean-token-mean" }); } };
  });
  await compare(`aggLoss token-mean + seq-mean-token-mean, workspace (the loss view): 8M tokens`, 2 * N * 5, [...wa, { name: "plain JS", fn: () => js.aggLossJS(logp, mask, B, T) }], { time: 1500 });
  const sc = Float32Array.from({ length: B }, (_, i) => i % 2);
  const vp: Variant[] = apis.map(([nm, api]) => ({ name: nm, fn: () => api.placeScores({ scores: sc, lengths: L, width: T }) }));
  await compare(`placeScores (lengths), copy API (allocates and copies its 32 MiB output each call): 8M tokens`, N * 4, [...vp, { name: "plain JS", fn: () => js.placeScoresJS(sc, L, T, out) }], { time: 1500 });
  const vpw: Variant[] = apis.map(([nm, api]) => {
    const ws = api.createWorkspace({ rows: B, width: T, valid: "lengths", extraViews: ["tokenScores"] });
    ws.scores.set(sc); ws.lengths.set(L);
    return { name: nm, fn: () => ws.placeScores() };
  });
  await compare(`placeScores (lengths), workspace (writes its tokenScores view): 8M tokens`, N * 4, [...vpw, { name: "plain JS", fn: () => js.placeScoresJS(sc, L, T, out) }], { time: 1500 });
  // Scores in their own view, rewards out: the data flow of the plain-JS loop, with no refill on
  // either side. One workspace per build serves the k1 and the k3 runs.
  const scoreWs = apis.map(([nm, api]) => {
    const ws = api.createWorkspace({ rows: B, width: T, extraViews: ["tokenScores", "tokenRewards", "logp", "refLogp"] });
    ws.mask.set(mask); ws.logp.set(logp); ws.refLogp.set(ref); ws.tokenScores.set(scores);
    return [nm, ws] as const;
  });
  const vs: Variant[] = scoreWs.map(([nm, ws]) => ({ name: nm, fn: () => ws.klInReward({ klCoef: 0.001, klEstimator: "k1" }) }));
  await compare(`klInReward (verl, k1), fused: 8M tokens (8192 x 1024, random lengths as a mask), logp + ref + mask + scores in, token rewards out (workspace tokenScores -> tokenRewards)`, N * 17,
    [...vs, { name: "plain JS", fn: () => js.klInRewardJS(scores, logp, ref, mask, B, T, 0.001, out) }], { time: 1500 });
  const vk3: Variant[] = scoreWs.map(([nm, ws]) => ({ name: nm, fn: () => ws.klInReward({ klCoef: 0.001, klEstimator: "low_var_kl" }) }));
  await compare(`klInReward (verl, low_var_kl = k3 with verl clamps), fused: the same batch (workspace tokenScores -> tokenRewards)`, N * 17,
    [...vk3, { name: "plain JS", fn: () => js.klInRewardK3JS(scores, logp, ref, mask, B, T, 0.001, out) }], { time: 1500 });
  await compare(`klInReward (verl, k1), in place: the same batch, scores refilled into tokenRewards before each call (both sides)`, N * 17,
    [...v, { name: "plain JS", fn: () => { out.set(scores); js.klInRewardJS(scores, logp, ref, mask, B, T, 0.001, out); } }, copyCost], { time: 1500 });
}

// --- Per-call overhead on the zero-copy path ----------------------------------------------------
async function overhead() {
  const B = 64, T = 16, n = 8;
  const s = scores(B, 5, false), mask = new Uint8Array(B * T).fill(1);
  const row = new Float32Array(B), out = new Float32Array(B * T);
  const v: Variant[] = apis.map(([nm, api]) => {
    const ws = api.createWorkspace({ rows: B, width: T, groupSize: n });
    ws.scores.set(s); ws.mask.set(mask);
    return { name: nm, fn: () => ws.grpo() };
  });
  const copy: Variant = { name: "copy API (wasm-simd)", fn: () => apis[0]![1].grpo({ scores: s, mask, groupSize: n }) };
  await compare(`per-call overhead: grpo, 64 rows x 16 tokens, zero-copy workspace`, B * 8 + B * T * 5,
    [...v, copy, { name: "plain JS", fn: () => { js.grpoRowsJS(s, n, 1e-6, row); js.broadcastMaskJS(row, mask, T, out); } }], { time: 600 });
  const rowsOnly = apis.map(([nm, api]) => { const ws = api.createWorkspace({ rows: B, groupSize: n }); ws.scores.set(s); return { name: nm, fn: () => ws.grpo() }; });
  await compare(`per-call overhead: grpo, 64 rows, rows only`, B * 8, [...rowsOnly, { name: "plain JS", fn: () => js.grpoRowsJS(s, n, 1e-6, row) }], { time: 600 });
}

if (want("overhead")) await overhead();
if (want("gae")) await gaeBench();
if (want("kl")) await klBench();
if (want("grpo+broadcast") || want("tokens") || filter === "grpo") await grpoTokens();
if (!filter || !["gae", "overhead", "tokens", "kl"].includes(filter)) await rowKernels();
