export function rankSample(lib: { maskedMean(a: object): unknown; rerank(a: object): unknown }, sample: {
  prompt: string; weights: number[]; candidates: { text: string; reward: number; logprobs: number[] }[];
}): { order: number[]; combined: number[]; meanLogp: number[] };
