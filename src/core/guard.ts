// The last line of the "no NaN or Inf from finite inputs" contract for the copy API: every float
// output of a call is scanned once before it is returned, and a non-finite value is
// RESULT_OVERFLOW naming the output and its index. Kernels check their own overflow first, with
// better messages; this catches what a kernel's own bounds missed. Token tensors are scanned in
// wasm before they are copied out (verifiedFinite); the rest here, once. Workspace kernels do not
// pay it: the fuzz suite holds them to the same contract.
import { rangeError } from "./errors.js";
import { msg, typedArrayKind } from "./safe.js";

/**
 * What a kernel defines beyond finite values: NaN (TRL's nanAsMissing marks an unscorable row),
 * or -Infinity in named outputs (reranking: excluded candidates and empty top-k slots).
 */
export interface ResultRules { allowNaN?: boolean; negInf?: readonly string[] }

/**
 * Outputs already found finite by the wasm scan while they were still in WebAssembly memory (the
 * token tensors of the copy API): the JS scan skips them. A SIMD pass over 8M floats takes ~2 ms,
 * the JS loop ~10 ms.
 */
export const verifiedFinite = new WeakSet<object>();

export function checkResult(kernel: string, result: unknown, rules: ResultRules = {}): void {
  visit(kernel, "result", result, rules, 0);
}

function visit(kernel: string, name: string, v: unknown, rules: ResultRules, depth: number): void {
  if (typeof v === "number") {
    if (!Number.isFinite(v) && !(rules.allowNaN && Number.isNaN(v)))
      rangeError("RESULT_OVERFLOW", name, -1, msg`${kernel} computed ${v} from finite inputs (outside the float range)`);
    return;
  }
  if (v === null || typeof v !== "object" || depth > 2) return;
  const kind = typedArrayKind(v);
  if (kind === "Float32Array" || kind === "Float64Array") {
    if (verifiedFinite.has(v as object)) return;
    const x = v as Float32Array | Float64Array, negInf = rules.negInf?.includes(name) ?? false;
    for (let i = 0; i < x.length; i++) {
      const y = x[i]!;
      if (y - y !== 0 && !(rules.allowNaN && y !== y) && !(negInf && y === -Infinity))
        rangeError("RESULT_OVERFLOW", name, i, msg`${kernel} computed ${y} from finite inputs (outside the float32 range)`);
    }
    return;
  }
  if (kind !== undefined) return;
  for (const key of Object.keys(v)) if (key !== "diagnostics") visit(kernel, name === "result" ? key : `${name}.${key}`, (v as Record<string, unknown>)[key], rules, depth + 1);
}
