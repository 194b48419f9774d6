// The argument shapes every family shares: the token layout, the groups, where row scores come
// from, and the preset. Each family's own arguments extend these (types.ts collects them).
import type { Preset } from "./options.js";
/** A 0/1 mask: Uint8Array (the fast path) or Float32Array. */
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
  /** Rows `[k n, (k+1) n)` form group `k` (OpenRLHF `n_samples_per_prompt`, TRL `num_generations`); rows must be a multiple. */
  groupSize?: number;
  /** Dense group id per row, in any row order (verl uid semantics); map arbitrary labels with `canonicalizeGroups`. */
  groupIds?: Int32Array;
  /** The number of groups (default max id + 1); at most the number of rows. */
  numGroups?: number;
}

/** Where the row scores come from: `scores`, or the row sums of `tokenRewards`. */
export interface ScoreInput {
  /** One score per row, Float32Array[B]. */
  scores?: Float32Array;
  /** Token rewards (token tensor); the row score is their sum (`rowScore`). */
  tokenRewards?: Float32Array;
}

/** Every kernel takes a preset (default "verl") that fills its knob defaults. */
export interface Common {
  /** `"verl"` (default), `"openrlhf"` or `"trl"`: fills every knob not given (docs/presets.md). */
  preset?: Preset;
}

/** Padded `[B, T]` with a 0/1 mask: `width` is required (no row-level input fixes B). */
export interface PaddedMaskLayout {
  /** 0/1 per token, Uint8Array (fast path) or Float32Array, [B*T]. */
  mask: Mask;
  /** Padded width T. */
  width: number;
  /** Not with a mask. */
  lengths?: undefined;
  /** Not in the padded layout. */
  offsets?: undefined;
}
/** Padded `[B, T]` with prefix lengths (the fastest path). */
export interface PaddedLengthsLayout {
  /** Valid tokens per row, Int32Array[B]. */
  lengths: Int32Array;
  /** Padded width T. */
  width: number;
  /** Not with lengths. */
  mask?: undefined;
  /** Not in the padded layout. */
  offsets?: undefined;
}
/** Padded `[B, T]`, every position valid. */
export interface PaddedDenseLayout {
  /** Padded width T. */
  width: number;
  /** No mask: every position is valid. */
  mask?: undefined;
  /** No lengths: every position is valid. */
  lengths?: undefined;
  /** Not in the padded layout. */
  offsets?: undefined;
}
/** Packed (varlen): rows back to back, with an optional mask over the N positions. */
export interface PackedLayout {
  /** Int32Array[B+1] (cu_seqlens): offsets[0] = 0, non-decreasing, offsets[B] = N. */
  offsets: Int32Array;
  /** 0/1 per position [N] (default: every position valid). */
  mask?: Mask;
  /** Not in the packed layout. */
  width?: undefined;
  /** Not in the packed layout. */
  lengths?: undefined;
}
/**
 * The layout of a token-only kernel (no row-level input fixes the number of rows): padded with
 * `width` (and a mask, lengths, or every position valid), or packed with `offsets`.
 */
export type TokenLayout = PaddedMaskLayout | PaddedLengthsLayout | PaddedDenseLayout | PackedLayout;
/** No layout at all: the tensors are one row, every element valid (element-wise kernels only). */
export interface FlatLayout {
  /** No mask: every element is valid. */
  mask?: undefined;
  /** No lengths. */
  lengths?: undefined;
  /** No offsets. */
  offsets?: undefined;
  /** No width: one row. */
  width?: undefined;
}
/** The layout of an element-wise token kernel: any token layout, or none (one row). */
export type ElementwiseLayout = TokenLayout | FlatLayout;
