// The exported functions that compute in JS without an engine (step structure, Clip/Delta, IGPO
// turn rewards, moment records, labels, lgamma), each behind the same guards as a copy-API call:
// the argument object read once by its own keys, typed errors for anything else thrown while
// reading a hostile argument, and no NaN or Inf returned from finite inputs.
import { isRlaError, rangeError, typeError } from "./core/errors.js";
import { checkResult } from "./core/guard.js";
import { checkEnum, msg, ownOptions, typedArrayKind } from "./core/safe.js";
import { clipStepRewards as clipRaw, deltaStepRewards as deltaRaw, igpoTurnRewards as igpoRaw } from "./scan/turns.js";
import { stepsFromMask as stepsRaw } from "./scan/pure.js";
import { checkMoments, finalizeMomentRecord as finalizeRaw, mergeMomentRecords as mergeRaw, type FinalMoments, type MomentRecord } from "./core/moments.js";
import { canonicalizeGroups as canonicalRaw, type CanonicalGroups } from "./core/groups.js";
import { lgamma as lgammaRaw } from "./core/math.js";
import { checkNumber, type StdKind } from "./core/options.js";

function guarded<A, R>(kernel: string, fn: (a: A) => R): (a: A) => R {
  return (a: A) => {
    const r = fn(ownOptions(a, "args") as A);
    checkResult(kernel, r);
    return r;
  };
}

/** Clip for PRM step rewards (provisional): `min(r - eta, 0)` per step. */
export const clipStepRewards: typeof clipRaw = guarded("clipStepRewards", clipRaw);
/** Delta for PRM step rewards (provisional): `r_k - r_{k+1}`, the last step "zero" or "keep". */
export const deltaStepRewards: typeof deltaRaw = guarded("deltaStepRewards", deltaRaw);
/** IGPO information-gain turn rewards. */
export const igpoTurnRewards: typeof igpoRaw = guarded("igpoTurnRewards", igpoRaw);
/** The CSR step structure (`stepOffsets`, `stepEnds`) of a 0/1 step-end token tensor. */
export const stepsFromMask: typeof stepsRaw = guarded("stepsFromMask", stepsRaw);

/** Chan's merge of two moment records (exact order: `a` then `b`). */
export function mergeMoments(a: ArrayLike<number>, b: ArrayLike<number>): MomentRecord {
  const r = mergeRaw(checkMoments("a", a), checkMoments("b", b));
  checkResult("mergeMoments", r);
  return r;
}

/** `{ count, mean, var }` of a moment record; `kind` "unbiased" (default) or "biased". */
export function finalizeMoments(rec: ArrayLike<number>, kind: StdKind = "unbiased"): FinalMoments {
  const r = finalizeRaw(checkMoments("moments", rec), checkEnum<StdKind>("kind", kind, ["unbiased", "biased"]));
  checkResult("finalizeMoments", r);
  return r;
}

/** Arbitrary labels to dense ids in order of first appearance. */
export function canonicalizeGroups(labels: ArrayLike<number | string | bigint> | Iterable<number | string | bigint>): CanonicalGroups {
  try {
    let iterable = false;
    try { iterable = labels !== null && typeof labels === "object" && typeof (labels as Iterable<unknown>)[Symbol.iterator] === "function"; } catch { /* a hostile Proxy */ }
    if (!iterable) typeError("WRONG_TYPE", "labels", -1, msg`must be an array (or iterable) of labels, got ${labels}`);
    return canonicalRaw(labels);
  } catch (err) {
    if (isRlaError(err)) throw err;
    return typeError("WRONG_TYPE", "labels", -1, "must be an array or iterable of numbers, strings or bigints, and readable");
  }
}

/** log|Γ(x)| for finite x that is not a pole (0, -1, -2, ...: DOMAIN). */
export function lgamma(x: number): number {
  checkNumber("x", x);
  if (!Number.isFinite(x)) rangeError("NON_FINITE", "x", -1, msg`must be finite, got ${x}`);
  if (x <= 0 && Number.isInteger(x)) rangeError("DOMAIN", "x", -1, msg`lgamma has a pole at ${x}`);
  const y = lgammaRaw(x);
  checkResult("lgamma", y);
  return y;
}
