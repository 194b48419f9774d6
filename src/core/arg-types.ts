// The argument shapes every family shares: the token layout, the groups, where row scores come
// from, and the preset. Each family's own arguments extend these (types.ts collects them).
import type { Preset } from "./options.js";
export type Mask = Uint8Array | Float32Array;

/** Token layout: padded [B,T] (mask or lengths, `width` when it cannot be inferred) or packed (offsets). */
export interface Layout {
  /** 0/1 per token, Uint8Array (fast path) or Float32Array. Padded [B*T] or packed [N]. */
  mask?: Mask;
  /** Padded layout with prefix masks: valid tokens per row, Int32Array[B]. */
  lengths?: Int32Array;
  /** Packed layout: Int32Array[B+1] (cu_seqlens). */
  offsets?: Int32Array;
  /** Padded width T, when no token tensor fixes it. */
  width?: number;
}

/** Groups: contiguous blocks of `groupSize`, or dense ids in [0, numGroups) in any row order. */
export interface Groups {
  groupSize?: number;
  groupIds?: Int32Array;
  numGroups?: number;
}

export interface ScoreInput {
  /** One score per row, Float32Array[B]. */
  scores?: Float32Array;
  /** Token rewards (token tensor); the row score is their sum (`rowScore`). */
  tokenRewards?: Float32Array;
}

/** Every kernel takes a preset (default "verl") that fills its knob defaults. */
export interface Common { preset?: Preset }
