// npm run bench [-- <filter>]: every entry measures, in one run, the library (workspace, both
// builds), the plain-JS loop a competent user would write (typed arrays, f64 accumulators, reused
// outputs; src/tools/baselines.ts) and the memory floor, and prints library/floor and JS/library
// (medians of per-round ratios, 7 interleaved rounds, caches flushed; bench/harness.ts).
// `npm run bench -- --markdown` also writes BENCHMARKS.md's table from the run.
import os from "node:os";
import { writeFileSync } from "node:fs";
import { createSync, type RlAdvantage } from "../dist/index.js";
import { compare, results, type Variant } from "./harness.js";
import * as js from "../src/tools/baselines.js";
import { rng } from "../src/core/rng.js";
// The threshold entry runs the source build (the same wasm) for its test hook on the threshold.
import { createSync as createFromSource } from "../src/index.js";
import { setThreadMinWork, THREAD_MIN_WORK } from "../src/core/engine.js";
import { wasmFloorBatch } from "./wasm-floor.js";

const args = process.argv.slice(2);
const markdown = args.includes("--markdown");
const filter = args.find((a) => !a.startsWith("--"));
const want = (name: string) => !filter || name.includes(filter);
const apis: [string, RlAdvantage][] = [["wasm-simd", createSync({ build: "simd" })], ["wasm-scalar", createSync({ build: "scalar" })]];
// The token scans and KL estimators also run with a worker pool (plan threads: 2), against the
// same one-thread floor.
const tokenApis: [string, RlAdvantage, number][] = [...apis.map(([n, a]) => [n, a, 1] as [string, RlAdvantage, number]), ["wasm-simd, threads: 2", apis[0]![1], 2]];
async function ready<W extends { threadsReady(): Promise<number> }>(ws: W, threads: number): Promise<W> {
  const got = await ws.threadsReady();
  if (got !== threads) throw new Error(`the pool started ${got} of ${threads} threads`);
  return ws;
}
const machine = `${os.cpus()[0]?.model.trim()} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;

console.log(`rl-advantage bench  ${machine}`);
console.log("p50: median latency; /floor: library time over the floor's (median of per-round ratios); JS/this: plain-JS time over this variant's");

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
const sum = (L: Int32Array) => L.reduce((a, b) => a + b, 0);
// A new array of n zeros, every page written: a fresh typed array reads as the kernel's shared zero
// page (always cached) until written, which would spare whoever reads it (here the plain-JS loops)
// the memory traffic that the library's inputs, set by the caller, cost.
const zeros = <A extends Float32Array | Uint8Array>(A: new (n: number) => A, n: number): A => new A(n).fill(0) as A;

// --- Group estimators at 1M rows, groups of 8 (rows in, rows out: 8 bytes a row) ----------------
async function rowKernels() {
  const B = 1 << 20, n = 8;
  const s = scores(B, B + n, true), sc = scores(B, B + n + 1, false), out = new Float32Array(B);
  const T = 8, L = lengthsOf(B, T, 7), tok = new Float32Array(B * T), tr = new Uint8Array(B).map((_, i) => (L[i] === T ? 1 : 0));
  const kernels: [string, Float32Array, (ws: any) => void, () => void, boolean][] = [
    ["grpo", s, (ws) => ws.grpo(), () => js.grpoRowsJS(s, n, 1e-6, out), false],
    ["gpg", s, (ws) => ws.gpg(), () => js.gpgRowsJS(s, n, out), false],
    ["rloo", sc, (ws) => ws.rloo(), () => js.rlooRowsJS(sc, n, out), false],
    ["grpoPassK", sc, (ws) => ws.grpoPassK(), () => js.passKRowsJS(sc, n, 1e-6, out), false],
    ["bnpo", s, (ws) => ws.bnpo(), () => js.bnpoRowsJS(s, n, out), false],
    ["trlGroupAdvantage", sc, (ws) => ws.trlGroupAdvantage({ preset: "trl" }), () => js.trlRowsJS(sc, n, 1e-4, out), false],
    // Length-weighted estimators on a narrow padded layout (width 8, prefix lengths), tokens out.
    ["reinforcePPBaseline", sc, (ws) => ws.reinforcePPBaseline(), () => { js.rfppbRowsJS(sc, L, n, out); js.broadcastLengthsJS(out, L, T, tok); }, true],
    ["opo", sc, (ws) => ws.opo(), () => { js.opoRowsJS(sc, L, n, out); js.broadcastLengthsJS(out, L, T, tok); }, true],
    ["dler", sc, (ws) => ws.dler(), () => { js.dlerRowsJS(sc, tr, L, n, out); js.broadcastLengthsJS(out, L, T, tok); }, true],
  ];
  for (const [name, src, run, base, tokens] of kernels) {
    if (!want(name)) continue;
    const v: Variant[] = apis.map(([nm, api]) => {
      const ws = tokens ? api.createWorkspace({ rows: B, width: T, valid: "lengths", groupSize: n }) : api.createWorkspace({ rows: B, groupSize: n });
      ws.scores.set(src); ws.rewardsPerFunc.set(src);
      if (tokens) { ws.lengths.set(L); ws.truncated.set(tr); }
      return { name: nm, fn: () => run(ws) };
    });
    const bytes = tokens ? B * 12 + B * T * 4 : B * 8;
    await compare(`${name}: 1M rows, groups of 8${tokens ? `, width ${T} with lengths (-> token advantages)` : " (scores -> row advantages)"}`, bytes, [...v, { name: "plain JS", fn: base }]);
  }
}

// --- Reward shapers on workspace views: 1M rows (scores + per-row inputs -> shapedRewards) ------
async function shaperBench() {
  const B = 1 << 20, n = 8, T = 4096, M = 4, g = rng(41);
  const r = scores(B, 43, false), L = lengthsOf(B, T, 44), correct = Uint8Array.from({ length: B }, () => (g() < 0.5 ? 1 : 0));
  const refs = Float32Array.from({ length: B * M }, () => Math.fround(g() * 2 - 1)), out = new Float32Array(B);
  const h = Float64Array.from({ length: B }, () => (g() < 0.8 ? 1 + Math.floor(g() * T) : 0)), metric = scores(B, 45, false);
  const prompts = Int32Array.from({ length: B }, (_, i) => i >> 3), hist = new Map<number, number>();
  const boxes = (jitter: number) => Float32Array.from({ length: B * 4 }, (_, k) => { const i = k >> 2, c = k & 3; return (i % 1000) + (c >= 2 ? 20 + 10 * (c - 2) : 0) + jitter * g(); });
  const pred = boxes(4), gt = boxes(0), binary = scores(B, 46, true);
  const wss = apis.map(([nm, api]) => {
    // Rows only (no token views): the lengths come per call, copied into scratch (4 bytes a row).
    const ws = api.createWorkspace({ rows: B, groupSize: n });
    ws.scores.set(r); ws.truncated.set(correct);
    return [nm, ws] as const;
  });
  const binaryWs = new Map(wss.map(([nm, ws]) => {
    const b = apis.find(([n2]) => n2 === nm)![1].createWorkspace({ rows: B, groupSize: n });
    b.scores.set(binary);
    return [ws, b] as const;
  }));
  const history = new (await import("../dist/index.js")).HapoHistory();
  for (let i = 0; i < B; i++) if (h[i]) { hist.set(prompts[i]!, h[i]!); }
  for (const [p, v] of hist) history.update(Int32Array.of(v), Uint8Array.of(1), Int32Array.of(p));
  const perRef = { values: refs, perRow: M };
  const z85 = (await import("../dist/index.js")).phiInv(0.85), bands = { low: 3000, medium: 2000, high: 1000 };
  const status = Int8Array.from({ length: B }, () => Math.floor(g() * 3) - 1);
  const L1 = Int32Array.from(L, (l) => l + 1), cf = Float32Array.from({ length: B }, () => (g() < 0.5 ? 0 : g()));
  const pass = Uint8Array.from({ length: B * 4 }, () => (g() < 0.6 ? 1 : 0));
  const entries: [string, number, (ws: any) => void, () => void][] = [
    // bytes: what the kernel must read and write per row (inputs once, output once).
    ["parShape (PAR, 4 references, length penalty)", B * (4 + 4 + 4 * M + 4), (ws) => ws.parShape({ refs: perRef, lengths: L, lengthPenalty: true, sigmoid: true, maxRef: M }), () => js.parJS(r, refs, M, L, 300, 0.01, out)],
    ["kimiLengthReward (groups of 8)", B * (4 + 4 + 1 + 4), (ws) => ws.kimiLengthReward({ lengths: L, correct, weight: 0.4 }), () => js.kimiJS(L, correct, r, n, 0.4, out)],
    ["hapoLengthReward (cosine, history per prompt)", B * (4 + 4 + 1 + 4 + 4), (ws) => ws.hapoLengthReward({ lengths: L, correct, promptIds: prompts, history }), () => js.hapoJS(L, correct, prompts, hist, r, 1, out)],
    ["overlongPenalty", B * 12, (ws) => ws.overlongPenalty({ lengths: L, maxNewTokens: T, bufferLen: 512 }), () => js.overlongJS(r, L, T, 512, out)],
    ["canon (entropy split, groups of 8)", B * 12, (ws) => ws.canon({ metric, lambda: 0.5, maxLength: 8192 }), () => js.canonJS(r, metric, n, 0.5, 8192, out)],
    ["guiG2Reward (boxes)", B * 36, (ws) => ws.guiG2Reward({ pred, gt }), () => js.guiG2JS(pred, gt, out)],
    ["lscTransform (4 references)", B * (4 + 4 * M + 4), (ws) => ws.lscTransform({ refs: perRef, q: 0.85 }), () => js.lscJS(r, refs, M, z85, out)],
    ["laserReward (LASER-D, groups of 8)", B * (1 + 4 + 4), (ws) => ws.laserReward({ status, lengths: L, variant: "d", bandTargets: bands }), () => js.laserDJS(status, L, n, 0.5, bands.low, bands.medium, bands.high, out)],
    ["stopProperlyPenalty", B * 9, (ws) => ws.stopProperlyPenalty({ coef: 0.5 }), () => js.stopProperlyJS(r, correct, 0.5, out)],
    ["o1PrunerReward (groups of 8)", B * 8, (ws) => ws.o1PrunerReward({ lengths: L }), () => js.o1JS(L, n, out)],
    ["erLengthReward (groups of 8)", B * 12, (ws) => ws.erLengthReward({ lengths: L1, correct: cf }), () => js.erJS(L1, cf, n, out)],
    ["verpoReward (4 tests, groups of 8)", B * 8, (ws) => ws.verpoReward({ pass, tests: 4, localWeight: 0.5 }), () => js.verpoJS(pass, 4, n, 0.5, out)],
    ["grpoLambda (half the groups, groups of 8)", B * 9, (ws) => ws.grpoLambda({ correct, lengths: L, lambda: 0.5, lengthWeight: 0.3 }), () => js.grpoLambdaJS(L, correct, n, 0.5, 0.3, out)],
    // DRPO reads 0/1 rewards: its own workspaces, whose scores are binary.
    ["drpoCoefficients (groups of 8)", B * 16, (ws) => binaryWs.get(ws)!.drpoCoefficients({ meanLogp: metric, lengths: L, width: T }), () => js.drpoJS(binary, metric, L, n, T, 0.1, 10, out)],
  ];
  for (const [name, bytes, run, base] of entries) {
    if (!want("shapers") && !want(name.split(" ")[0]!)) continue;
    await compare(`${name}: 1M rows -> shapedRewards`, bytes, [...wss.map(([nm, ws]) => ({ name: nm, fn: () => run(ws) })), { name: "plain JS", fn: base }]);
  }
}

// --- ROVER targets: 1024 x 4096 tokens, lengths (5 token tensors in, 3 out) ------------------------
async function roverBench() {
  const B = 1024, T = 4096, N = B * T, L = lengthsOf(B, T, 51), Nv = sum(L), g = rng(52);
  const t = () => Float32Array.from({ length: N }, () => Math.fround(g() * 2 - 1));
  const [lp, old, q, oq, adv] = [t(), t(), t(), t(), t()], oQ = new Float32Array(N), oN = new Float32Array(N), oT = new Float32Array(N);
  const v: Variant[] = apis.map(([nm, api]) => {
    const ws = api.createWorkspace({ rows: B, width: T, valid: "lengths", extraViews: ["logp", "oldLogp", "qLogits", "oldQLogits", "q", "nextQ", "target"] });
    ws.lengths.set(L); ws.logp.set(lp); ws.oldLogp.set(old); ws.qLogits.set(q); ws.oldQLogits.set(oq); ws.advantages.set(adv);
    return { name: nm, fn: () => ws.roverTargets({ rho: 1 }) };
  });
  // 5 inputs read on valid tokens (20 B), 3 outputs written everywhere (12 B).
  await compare(`roverTargets: 1024 x 4096, lengths`, 20 * Nv + 12 * N, [...v, { name: "plain JS", fn: () => js.roverJS(lp, old, q, oq, adv, L, T, 1, oQ, oN, oT) }]);
}

// --- BCO's pair loss (copy API: pairs are not rows of a workspace batch): 1M pairs ----------------
async function bcoBench() {
  const P = 1 << 20, g = rng(61), lp = () => Float32Array.from({ length: P }, () => Math.fround(-60 * g()));
  const [pc, pr, rc, rr] = [lp(), lp(), lp(), lp()], loss = new Float32Array(P);
  const lib = await import("../dist/index.js");
  await compare(`bcoPairLoss: 1M pairs (copy API: inputs copied in, three outputs copied out)`, P * 16 + P * 12,
    [...apis.map(([nm, api]) => ({ name: nm, fn: () => api.bcoPairLoss({ chosenLogps: pc, rejectedLogps: pr, refChosenLogps: rc, refRejectedLogps: rr, beta: 0.1, shift: new lib.BcoShift() }) })),
      { name: "plain JS", fn: () => js.bcoJS(pc, pr, rc, rr, 0.1, { count: 1e-24, mean: 0 }, loss) }]);
}

// --- G-RA: 1024 x 4096, lengths, gated in place in tokenRewards ----------------------------------
async function gatedBench() {
  const B = 1024, T = 4096, N = B * T, L = lengthsOf(B, T, 71), Nv = sum(L), g = rng(72);
  const r = Float32Array.from({ length: N }, () => Math.fround(g() - 0.5)), outcome = scores(B, 73, false);
  const tok = new Float32Array(N), row = new Float32Array(B);
  const v: Variant[] = apis.map(([nm, api]) => {
    const ws = api.createWorkspace({ rows: B, width: T, valid: "lengths", extraViews: ["tokenRewards"] });
    ws.lengths.set(L); ws.scores.set(outcome); ws.tokenRewards.set(r);
    // In place: every call re-gates the previous result; the gate is the same, so is the work.
    return { name: nm, fn: () => ws.gatedRewards({ tau: -2 }) };
  });
  await compare(`gatedRewards: 1024 x 4096, lengths (tokens in place, rows out)`, 4 * Nv + 4 * N + 8 * B, [...v, { name: "plain JS", fn: () => js.gatedJS(outcome, r, L, T, -2, tok, row) }]);
}

// --- GRPO with the token broadcast: 8192 x 1024, lengths (floor: a fill of the output) ---------
async function grpoTokens() {
  const B = 8192, T = 1024, n = 8, N = B * T;
  const s = scores(B, 11, true), L = lengthsOf(B, T, 12), row = new Float32Array(B), out = new Float32Array(N);
  const v: Variant[] = apis.map(([nm, api]) => {
    const ws = api.createWorkspace({ rows: B, width: T, groupSize: n, valid: "lengths" });
    ws.scores.set(s); ws.lengths.set(L);
    return { name: nm, fn: () => ws.grpo() };
  });
  // The wasm floor: the same rows written by v128 stores (valid part) and memory.fill (padding).
  const wf = wasmFloorBatch(B, T, L, ["out"]);
  await compare(`grpo + broadcast: 8192 x 1024, groups of 8, lengths`, B * 12 + N * 4,
    [...v, { name: "plain JS", fn: () => { js.grpoRowsJS(s, n, 1e-6, row); js.broadcastLengthsFillJS(row, L, T, out); } },
      { name: WASM_FLOOR, fn: () => wf.x.fill_rows(wf.f32.out!, wf.lens, B, T) }], { floor: "fill", fillBytes: N * 4 });
}

// The same minimal bytes moved by WebAssembly loads and stores alone (bench/floor/stream.ts): how
// close a wasm kernel can come to the copy floor on this machine.
const WASM_FLOOR = "wasm floor: loads + stores";

// --- GAE with verl whitening: 1024 x 8192, byte mask --------------------------------------------
async function gaeBench() {
  const B = 1024, T = 8192, N = B * T, L = lengthsOf(B, T, 21), Nv = sum(L);
  const r = zeros(Float32Array, N), V = new Float32Array(N), mask = zeros(Uint8Array, N), g = rng(5);
  for (let k = 0; k < N; k++) V[k] = Math.fround(g() * 2 - 1);
  for (let i = 0; i < B; i++) { mask.fill(1, i * T, i * T + L[i]!); r[i * T + L[i]! - 1] = g() < 0.5 ? 1 : 0; }
  const adv = new Float32Array(N), ret = new Float32Array(N);
  const v: Variant[] = await Promise.all(tokenApis.map(async ([nm, api, threads]) => {
    const ws = await ready(api.createWorkspace({ rows: B, width: T, extraViews: ["tokenRewards", "values", "returns"], threads }), threads);
    ws.tokenRewards.set(r); ws.values.set(V); ws.mask.set(mask);
    return { name: nm, fn: () => ws.gae({ gamma: 0.99, lam: 0.95 }) };
  }));
  // mask (1 B) + rewards and values on valid tokens (8 B) + advantages and returns (8 B) + the
  // whitening pass's read and write of the valid advantages (8 B).
  const wf = wasmFloorBatch(B, T, L, ["r", "V", "adv", "ret"]), f = wf.f32;
  await compare(`gae + verl whitening: 1024 x 8192, Uint8 mask, gamma 0.99, lam 0.95`, N + 8 * Nv + 8 * N + 8 * Nv,
    [...v, { name: "plain JS", fn: () => js.gaeJS(r, V, mask, null, B, T, 0.99, 0.95, adv, ret) },
      { name: WASM_FLOOR, fn: () => { wf.x.read_u8(wf.mask, N); wf.x.stream_rows(f.r!, f.V!, 0, f.adv!, f.ret!, wf.lens, B, T, 1); wf.x.inplace_rows(f.adv!, wf.lens, B, T); } }]);
}

// --- KL in the reward: 1024 x 8192, byte mask, tokenScores -> tokenRewards ------------------------
async function klBench() {
  const B = 1024, T = 8192, N = B * T, L = lengthsOf(B, T, 31), Nv = sum(L), g = rng(9);
  const mask = zeros(Uint8Array, N), sc = zeros(Float32Array, N), logp = new Float32Array(N), ref = new Float32Array(N), out = new Float32Array(N);
  for (let i = 0; i < B; i++) { mask.fill(1, i * T, i * T + L[i]!); sc[i * T + L[i]! - 1] = g() < 0.5 ? 1 : 0; }
  for (let k = 0; k < N; k++) { logp[k] = -g() * 3; ref[k] = logp[k]! - (g() - 0.5) * 0.2; }
  const ws = await Promise.all(tokenApis.map(async ([nm, api, threads]) => {
    // No "kl" view: verl keeps only the rewards and the mean KL, and so do the JS loop and the floor.
    const w = await ready(api.createWorkspace({ rows: B, width: T, extraViews: ["tokenScores", "tokenRewards", "logp", "refLogp"], threads }), threads);
    w.mask.set(mask); w.logp.set(logp); w.refLogp.set(ref); w.tokenScores.set(sc);
    return [nm, w] as const;
  }));
  const wsKl = await Promise.all(tokenApis.map(async ([nm, api, threads]) => {
    const w = await ready(api.createWorkspace({ rows: B, width: T, extraViews: ["logp", "refLogp", "kl"], threads }), threads);
    w.mask.set(mask); w.logp.set(logp); w.refLogp.set(ref);
    return [nm, w] as const;
  }));
  // mask (1 B) + logp, refLogp and scores on valid tokens (12 B) + token rewards written (4 B).
  const bytes = N + 12 * Nv + 4 * N;
  const wf = wasmFloorBatch(B, T, L, ["sc", "logp", "ref", "out"]), f = wf.f32;
  const klFloor = { name: WASM_FLOOR, fn: () => { wf.x.read_u8(wf.mask, N); wf.x.stream_rows(f.sc!, f.logp!, f.ref!, f.out!, 0, wf.lens, B, T, 0); } };
  const penaltyFloor = { name: WASM_FLOOR, fn: () => { wf.x.read_u8(wf.mask, N); wf.x.stream_rows(f.logp!, f.ref!, 0, f.out!, 0, wf.lens, B, T, 0); } };
  if (want("kl-k1")) await compare(`klInReward k1: 1024 x 8192, Uint8 mask, tokenScores -> tokenRewards`, bytes,
    [...ws.map(([nm, w]) => ({ name: nm, fn: () => w.klInReward({ klCoef: 0.001, klEstimator: "k1" }) })), { name: "plain JS", fn: () => js.klInRewardJS(sc, logp, ref, mask, B, T, 0.001, out) }, klFloor]);
  if (want("kl-k3")) await compare(`klInReward low_var_kl (k3, verl clamps): the same batch`, bytes,
    [...ws.map(([nm, w]) => ({ name: nm, fn: () => w.klInReward({ klCoef: 0.001, klEstimator: "low_var_kl" }) })), { name: "plain JS", fn: () => js.klInRewardK3JS(sc, logp, ref, mask, B, T, 0.001, out) }, klFloor]);
  if (want("kl-penalty")) await compare(`klPenalty k3 (verl clamps): the same batch, logp + refLogp -> kl`, N + 8 * Nv + 4 * N,
    [...wsKl.map(([nm, w]) => ({ name: nm, fn: () => w.klPenalty({ klEstimator: "k3", klClamp: "verl" }) })), { name: "plain JS", fn: () => js.klPenaltyK3JS(logp, ref, mask, out) }, penaltyFloor]);
}

// --- Min-form credit (PURE, verl branch) in the workspace: 1024 x 8192, byte mask ----------------
async function minFormBench() {
  const B = 1024, T = 8192, N = B * T, L = lengthsOf(B, T, 41), Nv = sum(L), g = rng(13);
  const r = new Float32Array(N), mask = zeros(Uint8Array, N), out = new Float32Array(N);
  for (let i = 0; i < B; i++) mask.fill(1, i * T, i * T + L[i]!);
  for (let k = 0; k < N; k++) r[k] = Math.fround(g() * 2 - 1);
  const v: Variant[] = await Promise.all(tokenApis.map(async ([nm, api, threads]) => {
    const ws = await ready(api.createWorkspace({ rows: B, width: T, extraViews: ["tokenRewards", "returns"], threads }), threads);
    ws.tokenRewards.set(r); ws.mask.set(mask);
    return { name: nm, fn: () => ws.minFormReturns({ mode: "verlCompat" }) };
  }));
  // mask (1 B) + rewards on valid tokens (4 B) + returns written (4 B).
  const wf = wasmFloorBatch(B, T, L, ["r", "out"]), f = wf.f32;
  await compare(`minFormReturns verlCompat (PURE): 1024 x 8192, Uint8 mask, tokenRewards -> returns`, N + 4 * Nv + 4 * N,
    [...v, { name: "plain JS", fn: () => js.minFormVerlCompatJS(r, mask, B, T, out) },
      { name: WASM_FLOOR, fn: () => { wf.x.read_u8(wf.mask, N); wf.x.stream_rows(f.r!, 0, 0, f.out!, 0, wf.lens, B, T, 1); } }]);
}

// --- Where the pool starts to pay: GAE at growing batch sizes, 1 vs 2 threads, warm caches --------
// The pool splits a call only above THREAD_MIN_WORK positions (src/core/engine.ts); this entry is
// the measurement behind that number. The threshold is lowered for it, so the pool splits at
// every size.
async function threadThreshold() {
  const api = createFromSource({ build: "simd" });
  setThreadMinWork(1);
  for (const [B, T] of [[8, 1024], [16, 2048], [64, 2048], [64, 8192]] as const) {
    const N = B * T, g = rng(B + T);
    const v: Variant[] = await Promise.all([1, 2].map(async (threads) => {
      const ws = await ready(api.createWorkspace({ rows: B, width: T, extraViews: ["tokenRewards", "values", "returns"], threads }), threads);
      for (let k = 0; k < N; k++) { ws.tokenRewards[k] = Math.fround(g() - 0.5); ws.values[k] = Math.fround(g()); }
      ws.mask.fill(1);
      return { name: `threads: ${threads}`, fn: () => ws.gae({ gamma: 0.99, lam: 0.95 }) };
    }));
    await compare(`pool threshold: gae, ${B} x ${T} (${N} positions), warm caches`, 25 * N, v, { floor: "none", flush: false, iterations: 50 });
  }
  setThreadMinWork(THREAD_MIN_WORK);
}

// --- Best-of-N reranking in the workspace: 4096 prompts x 16 candidates x 3 heads -----------------
async function rerankBench() {
  const P = 4096, N = 16, K = 3, k = 4, g = rng(17), w = [1, 0.5, 0.25];
  const scores = Float32Array.from({ length: P * N * K }, () => Math.fround(g() * 4 - 2));
  const combined = new Float32Array(P * N), ti = new Int32Array(P * k), ts = new Float32Array(P * k);
  const wss = apis.map(([nm, api]) => {
    const ws = api.createWorkspace({ rows: P * N, candidates: N, topK: k, rewardFunctions: K });
    ws.rewardsPerFunc.set(scores);
    return [nm, ws] as const;
  });
  // Identical rankings (the acceptance asks for them) before timing.
  js.rerankWeightedSumJS(scores, P, N, K, w, k, combined, ti, ts);
  for (const [nm, ws] of wss) { ws.rerank({ weights: w }); if (ws.topIndices.some((v, q) => v !== ti[q])) throw new Error(`rerank: ${nm} ranks differently from the JS loop`); }
  await compare(`rerank weightedSum, top 4: 4096 prompts x 16 candidates x 3 heads (workspace)`, P * N * K * 4 + P * N * 4 + P * k * 8,
    [...wss.map(([nm, ws]) => ({ name: nm, fn: () => ws.rerank({ weights: w }) })), { name: "plain JS", fn: () => js.rerankWeightedSumJS(scores, P, N, K, w, k, combined, ti, ts) }]);
}

// --- Per-call overhead: 64 x 256 tokens, warm caches, no floor -------------------------------------
async function overhead() {
  const B = 64, T = 256, n = 8, N = B * T;
  const s = scores(B, 5, false), mask = new Uint8Array(N).fill(1), row = new Float32Array(B), out = new Float32Array(N);
  const v: Variant[] = apis.map(([nm, api]) => {
    const ws = api.createWorkspace({ rows: B, width: T, groupSize: n });
    ws.scores.set(s); ws.mask.set(mask);
    return { name: nm, fn: () => ws.grpo() };
  });
  const touch = new Float32Array(N), mask2 = Buffer.from(mask.slice().buffer);
  let sink = 0;
  const rows = await compare(`per-call overhead: grpo, 64 x 256 tokens, zero-copy workspace (warm caches)`, B * 8 + N * 5,
    [...v, { name: "plain JS", fn: () => { js.grpoRowsJS(s, n, 1e-6, row); js.broadcastMaskJS(row, mask, T, out); } },
      { name: "data only: fill of the output", fn: () => touch.fill(0.5) },
      // The call must also read its 16 KiB mask (to check it and find the rows' lengths): the
      // fastest read here is a search for a byte that is not there (Node's Buffer.indexOf: memchr).
      { name: "data only: fill + mask read", fn: () => { touch.fill(0.5); sink += mask2.indexOf(2); } }], { floor: "none", flush: false, iterations: 2000 });
  const data = rows.find((r) => r.variant === "data only: fill + mask read")!.p50ms;
  for (const r of rows) if (r.variant.startsWith("wasm")) console.log(`  ${r.variant}: ${((r.p50ms - data) * 1000).toFixed(2)} us over the data (fill + mask read)`);
  if (sink === 1) console.log("");
}

if (want("overhead")) await overhead();
if (want("gae")) await gaeBench();
if (want("kl")) await klBench();
if (want("minForm")) await minFormBench();
if (want("rerank")) await rerankBench();
if (want("threshold")) await threadThreshold();
if (want("grpo")) await grpoTokens();
await rowKernels();
await shaperBench();
if (want("rover") || want("shapers")) await roverBench();
if (want("bco") || want("shapers")) await bcoBench();
if (want("gated") || want("shapers")) await gatedBench();

if (markdown) {
  const lines = [`| workload | variant | p50 | GB/s | / floor | JS / this |`, `| --- | --- | --- | --- | --- | --- |`];
  for (const r of results()) lines.push(`| ${r.title} | ${r.variant} | ${r.p50ms < 0.1 ? (r.p50ms * 1000).toFixed(2) + " us" : r.p50ms.toFixed(3) + " ms"} | ${r.gbps.toFixed(2)} | ${Number.isFinite(r.perFloor) ? r.perFloor.toFixed(2) : "-"} | ${Number.isFinite(r.jsPer) ? r.jsPer.toFixed(2) : "-"} |`);
  writeFileSync("bench/results/latest.md", `Machine: ${machine}\n\n${lines.join("\n")}\n`);
  console.log("\nwrote bench/results/latest.md");
}
