// Ranking logic shared by the page and the Node test: the same library calls on the same sample.
// Heads: the reward model's score and the candidate's mean token log-prob (a likelihood prior),
// combined by a weighted sum; `rerank` returns the full order with stable ties.
export function rankSample(lib, sample) {
  const N = sample.candidates.length;
  // Per-token log-probs of all candidates, packed (varlen) with offsets: no padding needed.
  const offsets = new Int32Array(N + 1);
  sample.candidates.forEach((c, i) => { offsets[i + 1] = offsets[i] + c.logprobs.length; });
  const logprobs = new Float32Array(offsets[N]);
  sample.candidates.forEach((c, i) => logprobs.set(c.logprobs, offsets[i]));
  const meanLogp = lib.maskedMean({ values: logprobs, offsets, axis: "row" });
  const scores = new Float32Array(N * 2);
  sample.candidates.forEach((c, i) => { scores[2 * i] = c.reward; scores[2 * i + 1] = meanLogp[i]; });
  const r = lib.rerank({ scores, candidates: N, heads: 2, weights: sample.weights, k: N });
  return { order: Array.from(r.topIndices), combined: Array.from(r.combined), meanLogp: Array.from(meanLogp) };
}
