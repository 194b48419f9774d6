// The golden-vector file format and what a family mapping returns (shared by the conformance
// runner and the shaper mappings).
export interface GoldenTensor { dtype: string; shape: number[]; data: (number | string)[] }
export interface GoldenCase {
  id: string; params: Record<string, any>; inputs: Record<string, GoldenTensor>; outputs: Record<string, GoldenTensor>;
  error?: { type: string; message: string }; max_abs_dev_vs_fp64?: Record<string, number>; notes?: string | null;
  /** The upstream function that produced the case (module path and name). */
  source?: string;
}
export interface GoldenFile { family: string; cases: GoldenCase[] }

/** A compared output: library values, oracle kappa per element, and which positions count. */
export interface Check { name: string; got: ArrayLike<number>; kappa: ArrayLike<number> | number; valid?: ArrayLike<number> }
export interface Mapped {
  /** Runs the library; returns the checks (not called twice). */
  run: () => Check[];
  /** The typed-error codes this family's row maps (rule 6); a documented upstream cause narrows them to one. */
  codes?: string[];
  /** upstream-degenerate cases: a predicate on the library's result instead of the outputs. */
  degenerate?: () => string | null;
}
