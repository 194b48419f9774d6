export interface Sample {
  prompt: string; weights: number[]; references: number[]; candidates: { text: string; reward: number; logprobs: number[] }[];
}
export function rankSample(lib: { maskedMean(a: object): unknown; rerank(a: object): unknown }, sample: Sample): { order: number[]; combined: number[]; meanLogp: number[] };
export const SHAPERS: Record<string, { label: string; params: Record<string, number> }>;
export function shapeSample(lib: object, sample: Sample, shaper: string, params?: Record<string, number>): { order: number[]; shaped: number[]; params: Record<string, number> };
