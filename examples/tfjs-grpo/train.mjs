// A real (tiny) GRPO training loop: a policy written with TensorFlow.js (@tensorflow/tfjs, pure
// JS on its CPU backend, no native binary) learns a verifiable toy task, with its advantages computed by
// rl-advantage in a planned workspace.
//
// The task: given a target t in [8, 28], emit 4 digits (0-9) whose sum is t. The verifier scores a
// response 1 when the sum hits t exactly, else 0.5 * max(0, 1 - |sum - t| / 10) (partial credit).
// Each step samples `samples` responses for each of `prompts` targets, scores them, writes the
// scores into the workspace's `scores` view, runs ws.grpo() (groups = the samples of one target)
// and takes a policy-gradient step on -mean(advantage * log p(token)) with tfjs autograd.
//
//   node examples/tfjs-grpo/train.mjs [--steps N] [--seed S] [--svg path]
//
// Prints the mean reward per step, writes the reward curve as an SVG, and ends with a line
// "reward: first 10 steps X, last 10 steps Y".
import * as tf from "@tensorflow/tfjs";
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createWorkspace } from "../../dist/index.js";

const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i >= 0 ? process.argv[i + 1] : dflt; };
const steps = Number(arg("--steps", 150)), seed = Number(arg("--seed", 7)), svgPath = arg("--svg", "test-output/tfjs-grpo-reward.svg");
const DIGITS = 4, VOCAB = 10, T_MIN = 8, T_MAX = 28, TARGETS = T_MAX - T_MIN + 1;
const prompts = 16, samples = 8, B = prompts * samples, HIDDEN = 64;

// Production mode: skips tfjs debug checks and its banner recommending the native Node backend,
// which this example avoids on purpose (no native binary).
tf.enableProdMode();
await tf.setBackend("cpu");
// A seeded generator for sampling and targets, so a run is reproducible.
let s = seed >>> 0;
const rand = () => { s = (s + 0x6d2b79f5) >>> 0; let t = Math.imul(s ^ (s >>> 15), s | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

// The policy: one-hot target -> hidden (tanh) -> logits for each of the 4 digit positions.
const init = (r, c, scale) => tf.variable(tf.tensor2d(Float32Array.from({ length: r * c }, () => normal() * scale), [r, c]));
const W1 = init(TARGETS, HIDDEN, 0.3), b1 = tf.variable(tf.zeros([HIDDEN])), W2 = init(HIDDEN, DIGITS * VOCAB, 0.1), b2 = tf.variable(tf.zeros([DIGITS * VOCAB]));
const logitsOf = (x) => tf.reshape(tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(x, W1), b1)), W2), b2), [-1, DIGITS, VOCAB]);
const optimizer = tf.train.adam(0.03);

// The workspace: B rows (prompts x samples), one token per digit, groups of `samples`.
const ws = createWorkspace({ rows: B, width: DIGITS, groupSize: samples });
ws.mask.fill(1); // every digit is a valid token

function score(digits, target) {
  const sum = digits.reduce((a, d) => a + d, 0), miss = Math.abs(sum - target);
  return miss === 0 ? 1 : 0.5 * Math.max(0, 1 - miss / 10);
}

const curve = [];
for (let step = 1; step <= steps; step++) {
  const targets = Array.from({ length: prompts }, () => T_MIN + Math.floor(rand() * TARGETS));
  const rowTargets = Int32Array.from({ length: B }, (_, i) => targets[Math.floor(i / samples)]);
  const x = tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(rowTargets, (t) => t - T_MIN), "int32"), TARGETS), "float32");
  // Sample each digit from the current policy (outside the gradient).
  const probs = tf.tidy(() => tf.softmax(logitsOf(x)).arraySync());
  const tokens = new Int32Array(B * DIGITS);
  let rewardSum = 0;
  for (let i = 0; i < B; i++) {
    for (let p = 0; p < DIGITS; p++) {
      let u = rand(), d = 0;
      const pr = probs[i][p];
      while (d < VOCAB - 1 && u >= pr[d]) { u -= pr[d]; d++; }
      tokens[i * DIGITS + p] = d;
    }
    const r = score(Array.from(tokens.subarray(i * DIGITS, (i + 1) * DIGITS)), rowTargets[i]);
    ws.scores[i] = r; // the verifier writes straight into the workspace
    rewardSum += r;
  }
  const { advantages } = ws.grpo(); // a view: [B * DIGITS], each row's advantage on its tokens
  const adv = tf.tensor2d(advantages.slice(), [B, DIGITS]);
  const chosen = tf.reshape(tf.oneHot(tf.tensor1d(tokens, "int32"), VOCAB), [B, DIGITS, VOCAB]);
  optimizer.minimize(() => {
    const logp = tf.sum(tf.mul(tf.logSoftmax(logitsOf(x)), chosen), -1); // [B, DIGITS]
    return tf.neg(tf.mean(tf.mul(logp, adv)));
  });
  tf.dispose([x, adv, chosen]);
  const mean = rewardSum / B;
  curve.push(mean);
  if (step === 1 || step % 10 === 0) console.log(`step ${String(step).padStart(3)}: mean reward ${mean.toFixed(3)}`);
}

// The reward curve as an SVG (step on x, mean reward on y, a 10-step moving average on top).
const W = 640, H = 320, P = 40;
const xs = (i) => P + (i / Math.max(1, steps - 1)) * (W - 2 * P), ys = (v) => H - P - v * (H - 2 * P);
const avg = curve.map((_, i) => { const a = curve.slice(Math.max(0, i - 9), i + 1); return a.reduce((p, q) => p + q, 0) / a.length; });
const path = (vs) => vs.map((v, i) => `${i ? "L" : "M"}${xs(i).toFixed(1)},${ys(v).toFixed(1)}`).join(" ");
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="${W}" height="${H}" fill="white"/>
<line x1="${P}" y1="${H - P}" x2="${W - P}" y2="${H - P}" stroke="black"/><line x1="${P}" y1="${P}" x2="${P}" y2="${H - P}" stroke="black"/>
${[0, 0.25, 0.5, 0.75, 1].map((v) => `<text x="${P - 6}" y="${ys(v) + 4}" text-anchor="end">${v}</text><line x1="${P}" y1="${ys(v)}" x2="${W - P}" y2="${ys(v)}" stroke="#eee"/>`).join("\n")}
<text x="${W / 2}" y="${H - 8}" text-anchor="middle">step (GRPO, ${prompts} targets x ${samples} samples)</text>
<text x="12" y="${H / 2}" transform="rotate(-90 12 ${H / 2})" text-anchor="middle">mean reward</text>
<path d="${path(curve)}" fill="none" stroke="#9ab" stroke-width="1"/>
<path d="${path(avg)}" fill="none" stroke="#c33" stroke-width="2"/>
<text x="${W - P}" y="${P - 10}" text-anchor="end">tfjs policy, advantages from rl-advantage (red: 10-step mean)</text>
</svg>
`;
mkdirSync(dirname(svgPath), { recursive: true });
writeFileSync(svgPath, svg);
ws.dispose();
const first = curve.slice(0, 10).reduce((a, b) => a + b, 0) / 10, last = curve.slice(-10).reduce((a, b) => a + b, 0) / 10;
console.log(`reward curve written to ${svgPath}`);
console.log(`reward: first 10 steps ${first.toFixed(3)}, last 10 steps ${last.toFixed(3)}`);
