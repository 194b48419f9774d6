// The curated mutants of `npm run mutate`: small, realistic bugs in the kernels and bindings, each
// of which the numeric tests must catch. Add one here whenever a real bug is found.
export interface Mutant {
  id: string;
  /** What a real bug of this kind would look like. */
  what: string;
  file: string;
  find: string;
  replace: string;
}

export const MUTANTS: Mutant[] = [
  { id: "gae-gamma-lam", what: "GAE decays by gamma instead of gamma*lam", file: "assembly/scan/gae.ts", find: "const gl = gamma * lam, mom", replace: "const gl = gamma, mom" },
  { id: "gae-f32-state", what: "GAE's carried advantage rounded to f32 every step (rows with holes)", file: "assembly/scan/gae.ts", find: "A = (ld(r, t) + gamma * nv - v) + gl * A;", replace: "A = <f64><f32>((ld(r, t) + gamma * nv - v) + gl * A);" },
  { id: "prime-f32-state", what: "PRIME's process return state rounded to f32 every step", file: "assembly/scan/prime.ts", find: "Gp = rp + gp * Gp;", replace: "Gp = <f64><f32>(rp + gp * Gp);" },
  { id: "fused-eps-in-sqrt", what: "the fused contiguous-group passes put eps inside the sqrt for epsMode std", file: "assembly/group/rows_f32.ts", find: "if (epsMode == 0) return Math.sqrt(v) + eps;", replace: "if (epsMode == 0) return Math.sqrt(v + eps);" },
  { id: "general-eps-in-sqrt", what: "the general (groupIds) path puts eps inside the sqrt for epsMode std", file: "src/core/group-stats.ts", find: 'if (epsMode === "std") return Math.sqrt(v) + eps;', replace: 'if (epsMode === "std") return Math.sqrt(v + eps);' },
  { id: "fused-rloo-factor", what: "the fused RLOO pass scales by n/n instead of n/(n-1)", file: "assembly/group/center.ts", find: "else if (mode == 1) { mul = nf; dn = nf - 1; }", replace: "else if (mode == 1) { mul = nf; dn = nf; }" },
  { id: "general-rloo-factor", what: "the groupIds RLOO path divides by n instead of n - 1", file: "src/core/group-stats.ts", find: "mul = n, den = n - 1;", replace: "mul = n, den = n;" },
  { id: "k3-clamp-20", what: "verl's k3 value clamp at 20 instead of 10", file: "assembly/token/kl.ts", find: "if (clampMode == 0) v = Math.min(Math.max(v, -10), 10);", replace: "if (clampMode == 0) v = Math.min(Math.max(v, -20), 20);" },
  { id: "place-off-by-one", what: "the score lands one token before the last valid one", file: "assembly/token/place.ts", find: "if (v > a) p = v - 1;", replace: "if (v > a + 1) p = v - 2; else if (v > a) p = v - 1;" },
  { id: "whiten-biased-unbiased", what: "whitening swaps the biased and unbiased variance", file: "src/core/moments.ts", find: 'return kind === "unbiased" ? m2 / (n - 1) : m2 / n;', replace: 'return kind === "unbiased" ? m2 / n : m2 / (n - 1);' },
  { id: "whiten-drops-mask", what: "masked moments count masked positions", file: "assembly/scan/whiten.ts", find: "      if (mask && load<u8>(mask + <usize>t) == 0) continue;\n", replace: "      if (false && mask) continue;\n" },
  { id: "tgdpo-loss-sign", what: "TGDPO's loss -log σ(z) with the sign of z flipped", file: "src/token/likelihood.ts", find: "const lp = Math.max(-zp, 0) + Math.log1p(Math.exp(-Math.abs(zp)));", replace: "const lp = Math.max(zp, 0) + Math.log1p(Math.exp(-Math.abs(zp)));" },
  { id: "passk-second-best", what: "Pass@k subtracts the group mean instead of the second-best score", file: "src/group/rows.ts", find: "const d = F[(r1 >>> 3) + g]! - F[(r2 >>> 3) + g]!;", replace: "const d = F[(r1 >>> 3) + g]! - 0.5 * (F[(r1 >>> 3) + g]! + F[(r2 >>> 3) + g]!);" },
  { id: "bnpo-lgamma-term", what: "BNPO's log B(a, b) adds lgamma(a + b) instead of subtracting it", file: "src/core/math.ts", find: "if (x < 10) return lgamma(a) + lgamma(b) - lgamma(a + b);", replace: "if (x < 10) return lgamma(a) + lgamma(b) + lgamma(a + b);" },
  { id: "gpg-alpha", what: "GPG's alpha counts every row instead of the non-zero ones", file: "src/group/rows.ts", find: "const alpha = c.rows.B / Math.max(nnz, 1);", replace: "const alpha = c.rows.B / Math.max(c.rows.B, 1);" },
  { id: "chan-merge", what: "Chan's merge forgets to divide the cross term by n", file: "src/core/moments.ts", find: "d * d * ((na * nb) / n)", replace: "d * d * (na * nb)" },
  { id: "k3-sign", what: "k3 evaluated at +x instead of -x (exp(x) - 1 - x)", file: "assembly/token/kl.ts", find: "    let d = -x;\n    if (clampMode == 0) d = Math.min(Math.max(d, -20), 20);\n    // expm1", replace: "    let d = x;\n    if (clampMode == 0) d = Math.min(Math.max(d, -20), 20);\n    // expm1" },
  { id: "ws-orl-scratch", what: "found by the golden run through the workspace: the plan reserved 8 bytes a token for openrlhfOutcome's 16 (SHAPE_MISMATCH on long rows)", file: "src/workspace.ts", find: 'xs.has("returns") ? 4 * N * 4 + 64 : 0', replace: 'xs.has("returns") ? 2 * N * 4 + 64 : 0' },
  { id: "fused-overflow-bound", what: "found while speeding up the fused pass: a group whose outputs can overflow skips the per-row test (RESULT_OVERFLOW missed)", file: "assembly/group/center.ts", find: "return emitRows<TO>(x, a, n, mu, mul, dn, out, bad, !safe);", replace: "return emitRows<TO>(x, a, n, mu, mul, dn, out, bad, false);" },
  { id: "passk-fused-second-best", what: "the fused Pass@k pass keeps the old best as second best only when the new one ties", file: "assembly/group/passk.ts", find: "r2A = v128.bitselect(r1A, v128.bitselect(vA, r2A, f64x2.gt(vA, r2A)), upA);", replace: "r2A = v128.bitselect(r2A, v128.bitselect(vA, r2A, f64x2.gt(vA, r2A)), upA);" },
  { id: "trl-fused-unbiased", what: "the fused TRL pass divides M2 by n instead of n - 1", file: "assembly/group/trl.ts", find: "const nm1 = f64x2.splat(nf - 1), ve = f64x2.splat(eps);", replace: "const nm1 = f64x2.splat(nf), ve = f64x2.splat(eps);" },
  { id: "bnpo-distinct-slot", what: "the distinct-rate table hands every group the first weight", file: "assembly/group/bnpo.ts", find: "if (load<i64>(table + (<usize>h << 3)) == bits) { store<i32>(slot + (<usize>g << 2), k); break; }", replace: "if (load<i64>(table + (<usize>h << 3)) == bits) { store<i32>(slot + (<usize>g << 2), 0); break; }" },
  { id: "minform-unchecked-block", what: "the min-form pass stops flagging non-finite rewards in its SIMD blocks (validate-while-computing)", file: "assembly/scan/pure.ts", find: "    acc = f32x4.add(acc, f32x4.sub(v, v));\n    v = f32x4.pmin(", replace: "    v = f32x4.pmin(" },
  { id: "finite-row-test", what: "the SIMD finiteness test of a row ignores its masked-in lanes' infinities", file: "assembly/token/mask.ts", find: "  let ok = i32x4.all_true(f32x4.eq(acc, acc));", replace: "  let ok = true;" },
  { id: "rerank-topk-ties", what: "the top-k selection lets a later candidate displace an equal earlier one (ties to the higher index)", file: "assembly/token/rerank.ts", find: "while (j > 0 && v > load<f32>(ts + (<usize>(j - 1) << 2))) {", replace: "while (j > 0 && v >= load<f32>(ts + (<usize>(j - 1) << 2))) {" },
  { id: "rerank-simd-unchecked", what: "the SIMD weighted-sum pass of rerank stops testing the scores it reads", file: "assembly/token/rerank.ts", find: "        acc = f64x2.add(acc, f64x2.sub(v, v));\n", replace: "" },
  { id: "kl-unchecked-logp", what: "KL in the reward, validated while computing, stops flagging non-finite log-probs in its SIMD blocks", file: "assembly/token/kl.ts", find: "        inBad = f32x4.add(inBad, f32x4.add(f32x4.sub(a, a), f32x4.sub(b, b)));", replace: "" },
  { id: "opo-fused-unweighted", what: "the fused OPO pass weights every row by 1 instead of its length", file: "assembly/group/opo.ts", find: "sw += wi; swx += wi * xi;", replace: "sw += 1; swx += xi;" },
  { id: "broadcast-padding", what: "the broadcast writes the row value at masked positions", file: "assembly/token/broadcast.ts", find: "store<f32>(out + (<usize>t << 2), load<u8>(mask + <usize>t) ? v : 0);", replace: "store<f32>(out + (<usize>t << 2), v);" },
];
