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

// The shaper panel: the same candidates' rewards through one reward shaper, then ranked by the
// shaped score (rerank with one head, so ties stay stable). Lengths are the candidates' token counts.
export const SHAPERS = {
  par: { label: "PAR (mean win-probability against the reference rewards)", params: { sigmoidK: 5 } },
  lsc: { label: "LSC (log-sigmoid against the 0.85-quantile reference)", params: { q: 0.85 } },
  kimi: { label: "Kimi k1.5 length reward (shorter correct answers win)", params: { weight: 0.5 } },
  overlong: { label: "DAPO overlong penalty", params: { maxNewTokens: 28, bufferLen: 12 } },
  tanh: { label: "tanh against the references (PAR paper)", params: {} },
};

export function shapeSample(lib, sample, shaper, params = {}) {
  const N = sample.candidates.length, p = { ...SHAPERS[shaper].params, ...params };
  const r = Float32Array.from(sample.candidates, (c) => c.reward);
  const lengths = Int32Array.from(sample.candidates, (c) => c.logprobs.length);
  const refs = { values: Float32Array.from({ length: N * sample.references.length }, (_, j) => sample.references[j % sample.references.length]), perRow: sample.references.length };
  let shaped;
  if (shaper === "par") shaped = lib.parShape({ r, refs, sigmoid: true, sigmoidK: p.sigmoidK });
  else if (shaper === "lsc") shaped = lib.lscTransform({ r, refs, q: p.q });
  else if (shaper === "kimi") shaped = lib.kimiLengthReward({ lengths, correct: Uint8Array.from(r, (v) => (v >= 0.5 ? 1 : 0)), groupSize: N, base: r, weight: p.weight }).reward;
  else if (shaper === "overlong") shaped = lib.overlongPenalty({ r, lengths, maxNewTokens: p.maxNewTokens, bufferLen: p.bufferLen });
  else if (shaper === "tanh") shaped = lib.parShape({ r, refs, tanh: true });
  else throw new Error(`unknown shaper ${shaper}`);
  const ranked = lib.rerank({ scores: shaped, candidates: N, k: N });
  return { order: Array.from(ranked.topIndices), shaped: Array.from(shaped), params: p };
}
