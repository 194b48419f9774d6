// Runs golden-vector files (format in test/fixtures/golden/README.md and docs/golden.md) through the public API.
// Each family maps a case's upstream function and parameters onto an estimator and a preset;
// outputs are compared on valid (mask = 1) positions with the golden tolerance of
// docs/numerics.md#against-the-golden-vectors:  tol(y) = max(dev + 4u(|y| + kappa), 2u|y|), kappa from the f64 oracle.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { RlAdvantage } from "../api.js";
import type { KlEstimator } from "../types.js";
import { canonicalizeGroups } from "../core/groups.js";
import { isRlaError } from "../core/errors.js";
import * as ref from "../reference/index.js";
import { Caller, FIRST_PATH, pathName, pathsFor, type Path } from "./paths.js";
import { SHAPER_FAMILIES } from "./conformance-shapers.js";

const U = 2 ** -24;

import type { Check, GoldenCase, GoldenFile, GoldenTensor, Mapped } from "./golden-types.js";
export type { Check, GoldenCase, GoldenFile, GoldenTensor, Mapped };
type Mapper = (c: GoldenCase, api: RlAdvantage) => Mapped;

export const decode = (v: number | string): number =>
  v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : (v as number);
export const f32 = (t: GoldenTensor) => Float32Array.from(t.data, (v) => Math.fround(decode(v)));
export const u8 = (t: GoldenTensor) => Uint8Array.from(t.data, (v) => (decode(v) ? 1 : 0));
const numbers = (t: GoldenTensor) => t.data.map(decode);

function groupsOf(c: GoldenCase) {
  const g = canonicalizeGroups(numbers(c.inputs.index!));
  return { groupIds: g.ids, numGroups: g.numGroups };
}
/** Broadcast a per-row kappa onto [B,T]. */
const perToken = (rowKappa: number[], B: number, T: number) => Float64Array.from({ length: B * T }, (_, k) => rowKappa[Math.floor(k / T)]!);

/** Outcome estimators on verl's (token_level_rewards, response_mask, index) inputs. */
function verlOutcome(call: (api: RlAdvantage, a: any) => { advantages?: Float32Array }, oracle: (s: Float32Array, ids: Int32Array, G: number, c: GoldenCase, L: number[]) => number[], opts: (c: GoldenCase) => Record<string, unknown> = () => ({}), codes?: string[]): Mapper {
  return (c, api) => {
    const [B, T] = c.inputs.token_level_rewards!.shape as [number, number];
    const r = f32(c.inputs.token_level_rewards!), mask = u8(c.inputs.response_mask!);
    const g = groupsOf(c);
    return {
      codes,
      run: () => {
        const res = call(api, { tokenRewards: r, mask, ...g, preset: "verl", ...opts(c) });
        const s = ref.rowScores(r, mask, B, T, "all");
        const kappa = oracleKappa(() => oracle(s, g.groupIds, g.numGroups, c, ref.rowLengths(mask, B, T)));
        return [{ name: "advantages", got: res.advantages!, kappa: kappa ? perToken(kappa, B, T) : 0, valid: mask }];
      },
    };
  };
}
function oracleKappa(f: () => number[]): number[] | null { try { return f(); } catch { return null; } }

const grpoOpts = (c: GoldenCase) => ({ eps: c.params.epsilon ?? 1e-6, normalizeByStd: c.params.norm_adv_by_std_in_grpo ?? true });
const VERL_GRPO = { eps: 1e-6, epsMode: "std", stdKind: "unbiased", stdScope: "group", normalizeByStd: true, singleton: "raw" } as const;
const VERL_WHITEN = { whitenVariance: "unbiased", whitenEps: 1e-8, whitenEpsMode: "add" } as const;

export const FAMILIES: Record<string, Mapper> = {
  verl_grpo: verlOutcome((api, a) => api.grpo(a), (s, ids, G, c) => ref.grpo(s, ids, G, { ...VERL_GRPO, ...grpoOpts(c) }).kappa, grpoOpts),
  verl_rloo: (c, api) => verlOutcome((api2, a) => api2.rloo(a), (s, ids, G) => ref.rloo(s, ids, G, { singleton: "raw" }).kappa,
    () => (c.id.startsWith("rloo_vectorized") ? { singleton: "zero" } : {}))(c, api),
  verl_reinforce_plus_plus_baseline: verlOutcome((api, a) => api.reinforcePPBaseline(a), (s, ids, G, _c, L) => ref.reinforcePPBaseline(s, ids, G, L, { ...VERL_WHITEN, singleton: "raw" }).kappa, () => ({}), ["TOO_FEW_VALID"]),
  verl_opo: verlOutcome((api, a) => api.opo(a), (s, ids, G, _c, L) => ref.opo(s, ids, G, L, "raw").kappa),
  verl_gpg: verlOutcome((api, a) => api.gpg(a), (s, ids, G, c) => ref.gpg(s, ids, G, { fNorm: c.params.f_norm ?? 1, singleton: "raw" }).kappa, (c) => ({ fNorm: c.params.f_norm ?? 1 })),
  verl_grpo_passk: verlOutcome((api, a) => api.grpoPassK(a), (s, ids, G, c) => ref.grpoPassK(s, ids, G, { eps: c.params.epsilon ?? 1e-6, epsMode: "std", stdKind: "unbiased", normalizeByStd: c.params.norm_adv_by_std_in_grpo ?? true }).kappa, grpoOpts, ["GROUP_TOO_SMALL"]),

  verl_remax: (c, api) => {
    const [B, T] = c.inputs.token_level_rewards!.shape as [number, number];
    const r = f32(c.inputs.token_level_rewards!), mask = u8(c.inputs.response_mask!), b = f32(c.inputs.reward_baselines!);
    return {
      run: () => {
        const res = api.remax({ tokenRewards: r, mask, baselines: b, preset: "verl" });
        const o = ref.remax(r, mask, b, B, T);
        return [{ name: "advantages", got: res.advantages, kappa: o.kappa, valid: mask }, { name: "returns", got: res.returns, kappa: 0, valid: mask }];
      },
    };
  },

  bnpo: (c, api) => {
    const [B, T] = (c.inputs.token_level_rewards ?? c.inputs.acc_reward_tensor)!.shape as [number, number];
    const mask = u8(c.inputs.eos_mask!);
    const g = groupsOf(c);
    const lohi = { lo: c.params.min_value ?? 0, hi: c.params.max_value ?? 1 };
    const comps: Float32Array[] | null = c.params.use_advantage_decomposition ? (c.params.reward_keys as string[]).map((k) => f32(c.inputs[k]!)) : null;
    const call = () => comps
      ? api.bnpo({ components: comps, mask, ...g, ...lohi, preset: "verl" })
      : api.bnpo({ tokenRewards: f32(c.inputs.token_level_rewards!), mask, ...g, ...lohi, preset: "verl" });
    const opts = { ...lohi, alpha: null, beta: null, wMax: 1e6, singleton: "raw" as const };
    const notes = c.notes ?? "";
    return {
      codes: ["DOMAIN"],
      // Upstream-degenerate (rule 6b): each component falls back exactly where the f64 oracle's
      // fit does, and every position upstream defined still matches.
      degenerate: notes.startsWith("upstream-degenerate") ? () => {
        const res = call(), d = res.diagnostics as any;
        const got: string[] = d.components ? d.components.map((x: any) => x.fallback) : [d.fallback];
        const want = (comps ?? [f32(c.inputs.token_level_rewards!)]).map((r) => ref.bnpo(ref.rowScores(r, mask, B, T, "all"), g.groupIds, g.numGroups, opts).fallback);
        if (got.join() !== want.join()) return `fallback per component ${got.join(", ")}, the oracle's ${want.join(", ")}`;
        const exp = c.outputs.advantages ? numbers(c.outputs.advantages) : [];
        for (let k = 0; k < exp.length; k++) {
          if (!mask[k]) continue;
          const a = res.advantages![k]!;
          if (!Number.isFinite(a)) return `advantages[${k}] = ${a}: the fallback must give a finite value`;
          if (Number.isFinite(exp[k]!) && !(Math.abs(a - exp[k]!) <= tolerance(exp[k]!, 0, c.max_abs_dev_vs_fp64?.advantages ?? 0))) return `advantages[${k}] = ${a}, upstream ${exp[k]}`;
        }
        return null;
      } : undefined,
      run: () => {
        const res = call();
        const kap = (r: Float32Array) => ref.bnpo(ref.rowScores(r, mask, B, T, "all"), g.groupIds, g.numGroups, opts).kappa;
        const kappa = comps ? comps.map(kap).reduce((acc, k) => acc.map((v, i) => v + k[i]! / comps.length)) : kap(f32(c.inputs.token_level_rewards!));
        return [{ name: "advantages", got: res.advantages!, kappa: perToken(kappa, B, T), valid: mask }];
      },
    };
  },

  trl_grpo_advantages: (c, api) => {
    const [B, K] = c.inputs.rewards_per_func!.shape as [number, number];
    const R = f32(c.inputs.rewards_per_func!);
    const w = Float32Array.from(c.params.reward_weights ?? new Array(K).fill(1));
    const n = c.params.num_generations;
    const o = {
      scaleRewards: c.params.scale_rewards ?? "group",
      aggregation: c.params.multi_objective_aggregation === "normalize_then_sum" ? "normalizeThenSum" : "sumThenNormalize",
      eps: c.params.std_eps ?? 1e-4,
    } as const;
    return {
      run: () => {
        const res = api.trlGroupAdvantage({ rewardsPerFunc: R, weights: w, groupSize: n, preset: "trl", ...o });
        const ids = Int32Array.from({ length: B }, (_, i) => Math.floor(i / n));
        return [{ name: "advantages", got: res.rowAdvantages, kappa: ref.trlGroupAdvantage(R, B, K, w, ids, B / n, o).kappa }];
      },
    };
  },

  openrlhf_advantages: (c, api) => {
    const [B, T] = c.inputs.action_mask!.shape as [number, number];
    const mask = u8(c.inputs.action_mask!), rw = f32(c.inputs.rewards!), kl = f32(c.inputs.kl!);
    const p = c.params;
    const o = {
      estimator: p.advantage_estimator, klCoef: p.kl_coef, klCoefNegative: "zero", rewardClip: p.reward_clip_range ?? null,
      gamma: p.gamma, noStdNorm: !!p.no_std_norm, eps: 1e-9, whitenVariance: "biased", whitenEps: 1e-8, whitenEpsMode: "max",
    } as const;
    return {
      run: () => {
        const res = api.openrlhfOutcome({ rewards: rw, actionMask: mask, kl, groupSize: p.n_samples_per_prompt, preset: "openrlhf", ...o } as any);
        if (p.gamma_effective !== undefined && res.diagnostics.gammaEffective !== p.gamma_effective)
          throw new Error(`gammaEffective ${res.diagnostics.gammaEffective} != ${p.gamma_effective}`);
        const r = ref.openrlhfOutcome(rw, mask, kl, B, T, p.n_samples_per_prompt, o as any);
        return [{ name: "advantages", got: res.advantages, kappa: r.kappa, valid: mask }, { name: "returns", got: res.returns, kappa: 0, valid: mask }];
      },
    };
  },
};

// --- Scans, whitening, KL (docs/kernels.md, docs/kernels.md) ---------------------------------------------------

const VERL_WHITEN_KNOBS = { whitenVariance: "unbiased", whitenEps: 1e-8, whitenEpsMode: "add" } as const;
const shapeBT = (t: GoldenTensor) => [t.shape[0]!, t.shape[1] ?? 1] as [number, number];
/** Whitened outputs: kappa = |mu|*rstd (docs/numerics.md#against-the-f64-oracle). */
const whitenKappa = (x: ArrayLike<number>, mask: ArrayLike<number>, o: typeof VERL_WHITEN_KNOBS & { shiftMean?: boolean }) => {
  const w = ref.maskedWhiten(x, mask, o);
  return w.kappa;
};

function k3Kappa(x: number, clampMode: "verl" | "all10" | "none"): number {
  let d = -x;
  if (clampMode === "verl") d = Math.min(Math.max(d, -20), 20);
  const v = Math.expm1(d) - d;
  if (clampMode !== "none" && (v >= 10 || v <= -10)) return 0; // on a clamp bound: exact
  return Math.exp(d) + 1 + Math.abs(d) + Math.abs(d * Math.expm1(d));
}
function klKappa(x: number, est: string, clampMode: "verl" | "all10" | "none"): number {
  const base = est.replace(/\+$/, "");
  if (base === "k3" || base === "low_var_kl") return k3Kappa(x, clampMode);
  const clampAll = clampMode === "all10";
  if (base === "k2" || base === "mse") return clampAll && 0.5 * x * x >= 10 ? 0 : x * x;
  return clampAll && Math.abs(x) >= 10 ? 0 : Math.abs(x);
}

Object.assign(FAMILIES, {
  verl_gae: (c: GoldenCase, api: RlAdvantage): Mapped => {
    const [B, T] = shapeBT(c.inputs.token_level_rewards!);
    const r = f32(c.inputs.token_level_rewards!), V = f32(c.inputs.values!), mask = u8(c.inputs.response_mask!);
    return {
      codes: ["TOO_FEW_VALID"],
      run: () => {
        const res = api.gae({ tokenRewards: r, values: V, mask, width: T, gamma: c.params.gamma, lam: c.params.lam, preset: "verl" });
        const g = ref.gae(r, V, mask, B, T, c.params.gamma, c.params.lam, "skip");
        return [{ name: "advantages", got: res.advantages, kappa: whitenKappa(g.raw, mask, VERL_WHITEN_KNOBS), valid: mask }, { name: "returns", got: res.returns, kappa: 0, valid: mask }];
      },
    };
  },
  openrlhf_gae: (c: GoldenCase, api: RlAdvantage): Mapped => {
    const [, T] = shapeBT(c.inputs.rewards!);
    const r = f32(c.inputs.rewards!), V = f32(c.inputs.values!), mask = u8(c.inputs.action_mask!);
    return {
      run: () => {
        const res = api.gae({ tokenRewards: r, values: V, mask, width: T, gamma: c.params.gamma, lam: c.params.lambd, preset: "openrlhf", whiten: false });
        return [{ name: "advantages", got: res.advantages, kappa: 0, valid: mask }, { name: "returns", got: res.returns, kappa: 0, valid: mask }];
      },
    };
  },
  verl_reinforce_plus_plus: (c: GoldenCase, api: RlAdvantage): Mapped => {
    const [B, T] = shapeBT(c.inputs.token_level_rewards!);
    const r = f32(c.inputs.token_level_rewards!), mask = u8(c.inputs.response_mask!);
    return {
      codes: ["TOO_FEW_VALID"],
      run: () => {
        const res = api.reinforcePP({ tokenRewards: r, mask, width: T, gamma: c.params.gamma, preset: "verl" });
        const ret = ref.discountedReturns(r, mask, B, T, c.params.gamma, "carry").returns;
        return [{ name: "advantages", got: res.advantages, kappa: whitenKappa(ret, mask, VERL_WHITEN_KNOBS), valid: mask }, { name: "returns", got: res.returns, kappa: 0, valid: mask }];
      },
    };
  },
  verl_masked_stats: (c: GoldenCase, api: RlAdvantage): Mapped => {
    const [B, T] = shapeBT(c.inputs.values!);
    const x = f32(c.inputs.values!), mask = u8(c.inputs.mask!);
    const axis = c.params.axis === -1 ? "row" : "all";
    const absx = Float32Array.from(x, (v, k) => (mask[k] ? Math.abs(v) : 0));
    return {
      codes: ["TOO_FEW_VALID"],
      run: () => {
        if (c.id.startsWith("masked_whiten")) {
          const o = { ...VERL_WHITEN_KNOBS, shiftMean: c.params.shift_mean !== false };
          const got = api.maskedWhiten({ values: x, mask, width: T, preset: "verl", shiftMean: o.shiftMean });
          return [{ name: "output", got, kappa: whitenKappa(x, mask, o), valid: mask }];
        }
        if (c.id.startsWith("masked_var")) {
          const got = api.maskedVar({ values: x, mask, width: T, unbiased: c.params.unbiased !== false });
          const m = ref.maskedMean(x, mask, B, T, "all") as number;
          return [{ name: "output", got: [got], kappa: m * m }];
        }
        const kind = c.id.startsWith("masked_sum") ? "sum" : "mean";
        const got = kind === "sum" ? api.maskedSum({ values: x, mask, width: T, axis }) : api.maskedMean({ values: x, mask, width: T, axis });
        const mag = (kind === "sum" ? ref.maskedSum(absx, mask, B, T, axis) : ref.maskedMean(absx, mask, B, T, axis)) as number[] | number;
        return [{ name: "output", got: typeof got === "number" ? [got] : got, kappa: typeof mag === "number" ? [mag] : mag }];
      },
    };
  },
  openrlhf_reward_returns: (c: GoldenCase, api: RlAdvantage): Mapped => {
    if (c.inputs.r) {
      const [, T] = shapeBT(c.inputs.kl!);
      const rw = f32(c.inputs.r!), kl = f32(c.inputs.kl!), mask = u8(c.inputs.action_mask!);
      return {
        run: () => {
          const res = api.klInReward({ mode: "openrlhf", rewards: rw, kl, mask, width: T, klCoef: c.params.kl_coef, klCoefNegative: "zero", rewardClip: c.params.reward_clip_range ?? null, emptyRow: "skip", preset: "openrlhf" });
          const beta = Math.max(c.params.kl_coef, 0);
          return [{ name: "reward", got: res.tokenRewards, kappa: Float64Array.from(kl, (v) => Math.abs(beta * v)), valid: mask }];
        },
      };
    }
    const [, T] = shapeBT(c.inputs.rewards!);
    const r = f32(c.inputs.rewards!), mask = u8(c.inputs.action_mask!);
    return { run: () => [{ name: "returns", got: api.discountedReturns({ tokenRewards: r, mask, width: T, gamma: c.params.gamma, returnsMasked: "through" }), kappa: 0, valid: mask }] };
  },
  verl_kl_penalty: (c: GoldenCase, api: RlAdvantage): Mapped => {
    const lp = f32(c.inputs.logprob!), rp = f32(c.inputs.ref_logprob!);
    const est = c.params.kl_penalty as string;
    return { run: () => [{ name: "kl", got: api.klPenalty({ logp: lp, refLogp: rp, klEstimator: est as KlEstimator, klClamp: "verl" }), kappa: Float64Array.from(lp, (v, k) => klKappa(v - rp[k]!, est, "verl")) }] };
  },
  openrlhf_approx_kl: (c: GoldenCase, api: RlAdvantage): Mapped => {
    const lp = f32(c.inputs.log_probs!), rp = f32(c.inputs.log_probs_base!);
    const est = c.params.kl_estimator as string;
    return { run: () => [{ name: "kl", got: api.klPenalty({ logp: lp, refLogp: rp, klEstimator: est as KlEstimator, klClamp: "all10" }), kappa: Float64Array.from(lp, (v, k) => klKappa(v - rp[k]!, est, "all10")) }] };
  },
  verl_kl_reward: (c: GoldenCase, api: RlAdvantage): Mapped => {
    const [B, T] = shapeBT(c.inputs.token_level_scores!);
    const sc = f32(c.inputs.token_level_scores!), lp = f32(c.inputs.old_log_probs!), rp = f32(c.inputs.ref_log_prob!), mask = u8(c.inputs.response_mask!);
    const p = c.params;
    return {
      run: () => {
        const res = api.klInReward({ mode: "verl", tokenScores: sc, logp: lp, refLogp: rp, mask, width: T, klEstimator: p.kl_penalty, klClamp: "verl", klCoef: p.kl_coef });
        const ctl = new api.KlController({ type: p.kl_ctrl === "adaptive" ? "adaptive" : "fixed", value: p.kl_coef, target: p.target_kl ?? 0.1, horizon: p.horizon ?? 10000 });
        const after = ctl.update(res.currentKl!, B);
        const kap = Float64Array.from(lp, (v, k) => Math.abs(p.kl_coef) * (Math.abs(klPenaltyRef(v - rp[k]!, p.kl_penalty)) + klKappa(v - rp[k]!, p.kl_penalty, "verl")) + Math.abs(sc[k]!));
        let absKl = 0;
        for (let i = 0; i < B; i++) { let s = 0, n = 0; for (let t = 0; t < T; t++) if (mask[i * T + t]) { s += Math.abs(klPenaltyRef(lp[i * T + t]! - rp[i * T + t]!, p.kl_penalty)) + klKappa(lp[i * T + t]! - rp[i * T + t]!, p.kl_penalty, "verl"); n++; } absKl += n ? s / n : 0; }
        absKl /= B;
        return [
          { name: "token_level_rewards", got: res.tokenRewards, kappa: kap, valid: mask },
          { name: "current_kl", got: [res.currentKl!], kappa: [absKl] },
          { name: "kl_coef_after_update", got: [after], kappa: [Math.abs(after)] },
        ];
      },
    };
  },
});

Object.assign(FAMILIES, {
  pure_minform: (c: GoldenCase, api: RlAdvantage): Mapped => {
    const p = c.params;
    if (c.inputs.rm_score || (c.inputs.logits && c.inputs.logits.shape.length === 3 && !("disable_weighted_reward" in p))) {
      // verl branch: approximate min-form weighting on the token tensor (pure_tail_*: from logits).
      const mask = u8(c.inputs.reward_mask!);
      const [B, T] = shapeBT(c.inputs.reward_mask!);
      return {
        run: () => {
          let rm: Float32Array;
          if (c.inputs.rm_score) rm = f32(c.inputs.rm_score);
          else {
            const lg = f32(c.inputs.logits!), n = B * T;
            const l0 = new Float32Array(n), l1 = new Float32Array(n);
            for (let k = 0; k < n; k++) { l0[k] = lg[2 * k]!; l1[k] = lg[2 * k + 1]!; }
            rm = api.prmStepReward({ logit0: l0, logit1: l1 }).map((v, k) => (mask[k] ? v : 0));
          }
          return [{ name: "rm_score", got: api.softminStepRewards({ tokenValues: rm, stepEndMask: mask, width: T, temperature: p.temperature }), kappa: 0 }];
        },
      };
    }
    if (c.inputs.logits) {
      // OpenRLHF branch: step-level logits (B, S, 2), reward_mask = valid steps.
      const mask = u8(c.inputs.reward_mask!);
      const [B, S] = shapeBT(c.inputs.reward_mask!);
      return {
        run: () => {
          const lg = f32(c.inputs.logits!), n = B * S;
          const l0 = new Float32Array(n), l1 = new Float32Array(n);
          for (let k = 0; k < n; k++) { l0[k] = lg[2 * k]!; l1[k] = lg[2 * k + 1]!; }
          const pr = api.prmStepReward({ logit0: l0, logit1: l1 }).map((v, k) => (mask[k] ? v : 0));
          const proc = api.softminStepRewards({ tokenValues: pr, stepEndMask: mask, width: S, temperature: p.temperature, uniform: !!p.disable_weighted_reward });
          const checks: Check[] = [{ name: "process_reward", got: proc, kappa: 0 }];
          if (p.return_outcome_reward) {
            // kappa: the row sum of |process rewards| the f64 oracle computes from the logits.
            const prRef = Array.from({ length: n }, (_, k) => (mask[k] ? ref.prmStepReward(l0[k]!, l1[k]!) : 0));
            const procRef = ref.softminTokens(prRef, mask, B, S, p.temperature, !!p.disable_weighted_reward);
            const absProc = Float64Array.from({ length: B }, (_, i) => { let a = 0; for (let t = 0; t < S; t++) a += Math.abs(procRef[i * S + t]!); return a; });
            checks.push({ name: "outcome_reward", got: api.rowScores({ tokenRewards: proc, width: S, rowScore: "all" }), kappa: absProc });
          }
          return checks;
        },
      };
    }
    // compute_rloo_outcome_advantage with return_aggregate_method min | sum, then the RLOO
    // "return" baseline and, with adv_norm, verl whitening.
    const [B, T] = shapeBT(c.inputs.token_level_rewards!);
    const r = f32(c.inputs.token_level_rewards!), mask = u8(c.inputs.eos_mask!);
    const g = groupsOf(c);
    return {
      codes: ["GROUP_TOO_SMALL", "EMPTY_ROW"],
      run: () => {
        const min = p.return_aggregate_method === "min";
        const ret = min
          ? api.minFormReturns({ mode: "verlCompat", tokenRewards: r, mask, width: T }).returns
          : api.discountedReturns({ tokenRewards: r, mask, width: T, gamma: 1, returnsMasked: "carry" });
        const based = api.pureRlooBaseline({ mode: "return", returns: ret, mask, width: T, ...g, singleton: "error" });
        // kappa from the f64 oracle alone: its returns, its baseline on their magnitudes, its whitening.
        const retRef = min ? ref.minFormVerlCompat(r, mask, B, T) : ref.discountedReturns(r, mask, B, T, 1, "carry").returns;
        const absRet = Array.from(retRef, Math.abs);
        const kb = perToken(ref.pureRlooReturn(absRet, mask, g.groupIds, g.numGroups, B, T).b, B, T);
        if (!p.adv_norm) return [{ name: "advantages", got: based, kappa: kb, valid: mask }];
        const basedRef = ref.pureRlooReturn(retRef, mask, g.groupIds, g.numGroups, B, T).out;
        const w = ref.maskedWhiten(basedRef, mask, VERL_WHITEN_KNOBS);
        const adv = api.maskedWhiten({ values: based, mask, width: T, preset: "verl" });
        return [
          { name: "advantages", got: adv, kappa: Float64Array.from(kb, (v, k) => v * w.rstd + w.kappa), valid: mask },
          { name: "returns", got: based, kappa: kb, valid: mask },
        ];
      },
    };
  },
});

Object.assign(FAMILIES, {
  verl_agg_loss: (c: GoldenCase, api: RlAdvantage): Mapped => {
    const [B, T] = shapeBT(c.inputs.loss_mat!);
    const l = f32(c.inputs.loss_mat!), mask = u8(c.inputs.loss_mask!), p = c.params;
    const o = { lossAggMode: p.loss_agg_mode, dpSize: p.dp_size ?? 1, batchNumTokens: p.batch_num_tokens ?? null, globalBatchSize: p.global_batch_size ?? null, lossScaleFactor: p.loss_scale_factor ?? null };
    return {
      run: () => {
        const v = api.aggLoss({ loss: l, mask, width: T, ...o });
        // kappa: the f64 oracle's aggregation of |l| (signs can cancel), docs/numerics.md#against-the-f64-oracle.
        const k = ref.aggLoss(Float64Array.from(l, Math.abs), mask, B, T, o);
        return [{ name: "loss", got: [v], kappa: [k] }];
      },
    };
  },
});

Object.assign(FAMILIES, {
  prime: (c: GoldenCase, api: RlAdvantage): Mapped => {
    const p = c.params;
    if (c.inputs.log_probs) {
      const [, T] = shapeBT(c.inputs.log_probs);
      const lp = f32(c.inputs.log_probs), rp = f32(c.inputs.ref_log_probs!), mask = u8(c.inputs.eos_mask!);
      return {
        run: () => {
          const r = api.primeImplicitReward({ logpRm: lp, logpRef: rp, mask, width: T, beta: 1, granularity: p.prime_granularity });
          const kq = Float64Array.from(lp, (v, k) => Math.abs(v) + Math.abs(rp[k]!));
          const rowAbs = Float64Array.from({ length: lp.length }, (_, k) => { const i = Math.floor(k / T); let a = 0; for (let t = 0; t < T; t++) if (mask[i * T + t]) a += kq[i * T + t]!; return a; });
          return [{ name: "token_level_score", got: r.processRewards, kappa: p.prime_granularity === "whole" ? rowAbs : kq, valid: mask }, { name: "q", got: r.q, kappa: kq, valid: mask }];
        },
      };
    }
    if (c.inputs.token_level_scores) {
      const [, T] = shapeBT(c.inputs.token_level_scores);
      const x = f32(c.inputs.token_level_scores);
      return { run: () => [{ name: "token_level_scores", got: api.primeBatchNorm({ values: x, width: T }).values, kappa: 0 }] };
    }
    const mask = u8(c.inputs.eos_mask!);
    const [B, T] = shapeBT(c.inputs.eos_mask!);
    const rm = c.inputs.rm_scores ? f32(c.inputs.rm_scores) : undefined;
    let outcome: Float32Array | undefined;
    if (c.inputs.gt_scores) {
      const gt = f32(c.inputs.gt_scores);
      outcome = Float32Array.from({ length: B }, (_, i) => { let last = T - 1; for (let t = 0; t < T; t++) if (mask[i * T + t]) last = t; return gt[i * T + last]!; });
    }
    return {
      codes: ["EMPTY_ROW", "GROUP_SIZE_INVALID", "GROUP_TOO_SMALL", "TOO_FEW_VALID"],
      run: () => {
        const r = api.primeAdvantage({ processRewards: rm, outcome, mask, width: T, groupSize: p.n_samples, batchNorm: false, processBaseline: "code", gammaProcess: p.reward_model_gamma, gammaOutcome: p.verifier_gamma, singleton: "error", preset: "verl" });
        // kappa per position from the f64 oracle: the scan of the magnitudes of everything that
        // feeds it (its row and its group's means), never a batch-wide magnitude.
        const want = ref.primeReturnsRef(rm ?? null, outcome ?? null, mask, B, T, p.n_samples, { baseline: "code", gp: p.reward_model_gamma, go: p.verifier_gamma, cp: 1, co: 1 });
        const w = ref.maskedWhiten(want.values, mask, VERL_WHITEN_KNOBS);
        return [
          { name: "returns", got: r.returns, kappa: want.sens, valid: mask },
          { name: "advantages", got: r.advantages, kappa: Float64Array.from(want.sens, (v, k) => v * w.rstd + w.kappa), valid: mask },
        ];
      },
    };
  },
});

/** f64 value of a KL estimator with verl clamps (for kappa magnitudes). */
function klPenaltyRef(x: number, est: string): number {
  const base = est.replace(/\+$/, "");
  if (base === "k1" || base === "kl") return x;
  if (base === "abs") return Math.abs(x);
  if (base === "k2" || base === "mse") return 0.5 * x * x;
  const d = Math.min(Math.max(-x, -20), 20);
  return Math.min(Math.max(Math.expm1(d) - d, -10), 10);
}

Object.assign(FAMILIES, SHAPER_FAMILIES);

/** The result of one (case, path) pair. */
interface PairOutcome { ok: boolean; why: string; undefinedCase: boolean }

/** One family's report: (case, path) pairs, defined and upstream-undefined apart. */
export interface FamilyReport {
  family: string;
  /** Pairs of upstream-defined cases. */
  passed: number; failed: number;
  /** Pairs of upstream-undefined cases (rule 6), on their own line. */
  undefinedPassed: number; undefinedFailed: number;
  /** Cases run, and ulp-fragile cases reported apart (not compared). */
  cases: number; fragile: number;
  /** How many pairs ran on each path. */
  paths: Record<string, number>;
  maxErr: number; worstRatio: number; failures: string[]; notes: string[]; implemented: boolean;
}

function tolerance(y: number, kappa: number, dev: number): number {
  return Math.max(dev + 4 * U * (Math.abs(y) + kappa), 2 * U * Math.abs(y));
}

// Rule 6 of docs/golden.md: the codes an upstream-undefined case may throw. A documented cause of an
// upstream raise names the one code that must be thrown; otherwise the family's codes or these.
const UNDEFINED_CODES = ["NON_FINITE", "RESULT_OVERFLOW", "GROUP_TOO_SMALL", "GROUP_SIZE_INVALID", "TOO_FEW_VALID", "EMPTY_ROW", "DOMAIN"];
const CAUSES: [RegExp, string][] = [
  [/sum of the mask is one/i, "TOO_FEW_VALID"],
  [/at least 2 samples|requires at least 2/i, "GROUP_TOO_SMALL"],
  [/divisible by|must be a multiple of|not a multiple of/i, "GROUP_SIZE_INVALID"],
  [/^AssertionError$/, "DOMAIN"],
];
// The shaper vectors name the library's code for each upstream raise in the case notes.
const NOTED_CAUSE = /shaping\.md:[^)]*?\b([A-Z][A-Z_]{3,})\b/;
function causeOf(e: { type: string; message: string }, notes = ""): string | null {
  const noted = NOTED_CAUSE.exec(notes);
  if (noted) return noted[1]!;
  for (const [re, code] of CAUSES) if (re.test(e.message) || re.test(e.type)) return code;
  return null;
}

/** Runs every case of a golden file through every path the library has for it. */
export function runFamily(file: GoldenFile, api: RlAdvantage): FamilyReport {
  const rep: FamilyReport = { family: file.family, passed: 0, failed: 0, undefinedPassed: 0, undefinedFailed: 0, cases: 0, fragile: 0, paths: {}, maxErr: 0, worstRatio: 0, failures: [], notes: [], implemented: true };
  const mapper = Object.hasOwn(FAMILIES, file.family) ? FAMILIES[file.family] : undefined;
  // Nothing passes unseen: an unknown family fails every case it holds.
  if (!mapper) { rep.implemented = false; rep.failed = Math.max(file.cases.length, 1); rep.failures.push(`${file.family}: no mapping for this family; none of its ${file.cases.length} case(s) was compared`); return rep; }
  for (const c of file.cases) {
    if ((c.notes ?? "").startsWith("ulp-fragile")) { rep.fragile++; rep.notes.push(`${c.id}: ulp-fragile, not compared`); continue; }
    rep.cases++;
    const first = new Caller(api, FIRST_PATH);
    const outcomes: [Path, PairOutcome][] = [[FIRST_PATH, judge(c, mapper, first, rep)]];
    for (const p of pathsFor(first.use).slice(1)) outcomes.push([p, judge(c, mapper, new Caller(api, p), rep)]);
    for (const [p, o] of outcomes) {
      const name = pathName(p, first.use);
      rep.paths[name] = (rep.paths[name] ?? 0) + 1;
      if (o.undefinedCase) { if (o.ok) rep.undefinedPassed++; else rep.undefinedFailed++; } else if (o.ok) rep.passed++; else rep.failed++;
      if (!o.ok) rep.failures.push(`${c.id} [${name}]: ${o.why}`);
      else if (o.undefinedCase && p === FIRST_PATH) rep.notes.push(`${c.id}: upstream-undefined, ${o.why}`);
    }
  }
  // A file with no runnable case (every case reported apart) proves nothing: it fails.
  if (rep.cases === 0) { rep.failed = 1; rep.failures.push(`${file.family}: no runnable case (${file.cases.length} case(s), all reported apart)`); }
  return rep;
}

/** Judges one case on one path (rules 1, 2, 6 and 7 of docs/golden.md). */
function judge(c: GoldenCase, mapper: Mapper, caller: Caller, rep: FamilyReport): PairOutcome {
  const notes = c.notes ?? "";
  const lib = routed(caller);
  let m: Mapped;
  try { m = mapper(c, lib); } catch (e) { return { ok: false, why: `mapping failed: ${(e as Error).message}`, undefinedCase: false }; }
  const codes = m.codes ?? [];
  const typed = (e: unknown): string | null => (isRlaError(e) ? e.code : null);

  // BNPO's upstream-degenerate cases: the fallback of each component against the oracle's.
  if (m.degenerate) {
    let msg: string | null;
    try { msg = m.degenerate(); } catch (e) { msg = `threw ${(e as Error).message}`; }
    return { ok: msg === null, why: msg ?? "the zero-variance fallback where the oracle has it, component by component", undefinedCase: true };
  }
  // Upstream raised: the library must throw the cause's code, or (no documented cause) a code of rule 6.
  if (c.error) {
    const cause = causeOf(c.error, notes);
    const accepted = cause ? [cause] : [...codes, ...UNDEFINED_CODES];
    try {
      m.run();
      return { ok: false, why: `upstream raised ${c.error.type}; expected ${accepted.join(" or ")}, got a result`, undefinedCase: true };
    } catch (e) {
      const code = typed(e);
      return code && accepted.includes(code)
        ? { ok: true, why: `threw ${code} (upstream ${c.error.type})`, undefinedCase: true }
        : { ok: false, why: `upstream raised ${c.error.type}; expected ${accepted.join(" or ")}, got ${(e as Error).message}`, undefinedCase: true };
    }
  }
  let checks: Check[] | null = null, thrown: unknown;
  try { checks = m.run(); } catch (e) { thrown = e; }
  // Upstream-undefined: NaN or an infinity upstream wrote at a valid position.
  const undefinedAt = (ch: Check, k: number) => { const y = c.outputs[ch.name] ? decode(c.outputs[ch.name]!.data[k]!) : 0; return !Number.isFinite(y); };
  const upstreamUndefined = !checks || checks.some((ch) => c.outputs[ch.name] && c.outputs[ch.name]!.data.some((_, k) => (!ch.valid || ch.valid[k]) && undefinedAt(ch, k)));
  if (!checks) {
    const code = typed(thrown);
    const hasNonFinite = Object.values(c.outputs).some((t) => t.data.some((v) => !Number.isFinite(decode(v))));
    if (hasNonFinite && code && [...codes, ...UNDEFINED_CODES].includes(code)) return { ok: true, why: `threw ${code} where upstream wrote non-finite values`, undefinedCase: true };
    return { ok: false, why: `threw ${(thrown as Error)?.message ?? String(thrown)}`, undefinedCase: hasNonFinite };
  }
  let ok = true, compared = 0, finiteChecked = 0;
  const why: string[] = [];
  const fail = (s: string) => { if (ok) why.push(s); ok = false; };
  // A case whose notes state an exact result (a constant group's advantage 0) compares those
  // results bitwise: every position where upstream or the library has exactly 0, so neither a
  // library that misses the exact 0 nor an altered expectation passes within a tolerance.
  const exact = /\bexact:/.test(notes);
  // Every output upstream wrote must be compared: an unmapped field is a failure, not a skip.
  const mapped = new Set(checks.map((ch) => ch.name));
  for (const name of Object.keys(c.outputs)) if (!mapped.has(name)) fail(`output ${name} is not mapped to anything the library computes`);
  for (const ch of checks) {
    const exp = c.outputs[ch.name];
    if (!exp) continue;
    const want = numbers(exp);
    const dev = c.max_abs_dev_vs_fp64?.[ch.name] ?? 0;
    if (want.length !== ch.got.length) { fail(`${ch.name} length ${ch.got.length} != ${want.length}`); continue; }
    for (let k = 0; k < want.length; k++) {
      if (ch.valid && !ch.valid[k]) continue;
      const y = want[k]!, got = ch.got[k]!;
      if (!Number.isFinite(y)) { finiteChecked++; if (!Number.isFinite(got)) fail(`${ch.name}[${k}] upstream ${y}, library ${got} (rule 6 asks for a defined value)`); continue; }
      const kap = typeof ch.kappa === "number" ? ch.kappa : ch.kappa[k]!;
      const bitwise = exact && (y === 0 || got === 0);
      const tol = bitwise ? 0 : tolerance(y, kap, dev), err = bitwise && !Object.is(got, y) ? Math.max(Math.abs(got - y), Number.MIN_VALUE) : Math.abs(got - y);
      compared++;
      rep.maxErr = Math.max(rep.maxErr, err);
      if (tol > 0) rep.worstRatio = Math.max(rep.worstRatio, err / tol);
      if (!(err <= tol)) fail(`${ch.name}[${k}] = ${got}, upstream ${y}, |err| ${err.toExponential(2)} > tol ${tol.toExponential(2)}`);
    }
  }
  if (compared + finiteChecked === 0) fail("no element was compared");
  return { ok, why: ok ? (upstreamUndefined ? `finite where upstream wrote NaN (${finiteChecked} positions), ${compared} defined positions match` : "") : why[0]!, undefinedCase: upstreamUndefined };
}

/** The library as a mapping sees it: every kernel call goes through the path's Caller. */
function routed(caller: Caller): RlAdvantage {
  const api = (caller as unknown as { api: RlAdvantage }).api;
  return new Proxy(api, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver);
      if (typeof key !== "string" || typeof v !== "function" || !/^[a-z]/.test(key) || key === "createWorkspace") return v;
      return (args: Record<string, unknown>) => caller.call(key, args);
    },
  });
}

/** Reads a golden file or every .json of a directory; errors name the file and what is wrong. */
export function loadGolden(pathOrDir: string): GoldenFile[] {
  let st;
  try { st = statSync(pathOrDir); } catch { throw new Error(`${pathOrDir}: no such file or directory`); }
  const files = st.isDirectory() ? readdirSync(pathOrDir).filter((f) => f.endsWith(".json")).sort().map((f) => join(pathOrDir, f)) : [pathOrDir];
  if (files.length === 0) throw new Error(`${pathOrDir}: no golden-vector file (*.json) in this directory`);
  return files.map((f) => {
    let d: unknown;
    try { d = JSON.parse(readFileSync(f, "utf8")); } catch (err) { throw new Error(`${f}: not valid JSON (${err instanceof Error ? err.message : String(err)})`); }
    const o = d as { family?: unknown; cases?: unknown };
    if (o === null || typeof o !== "object" || !Array.isArray(o.cases))
      throw new Error(`${f}: not a golden-vector file (expected an object with a "cases" array)`);
    if (o.family !== undefined && typeof o.family !== "string") throw new Error(`${f}: "family" must be a string`);
    for (const [k, c] of (o.cases as unknown[]).entries())
      if (c === null || typeof c !== "object" || typeof (c as { id?: unknown }).id !== "string")
        throw new Error(`${f}: case ${k} is not an object with a string "id"`);
    return { family: (o.family as string | undefined) ?? basename(f, ".json"), cases: o.cases } as GoldenFile;
  });
}

/** The report as text: one line per family (pairs), upstream-undefined pairs on their own line; the summary counts (case, path) pairs. */
export function formatReport(reps: FamilyReport[], verbose = false): { text: string; passed: number; failed: number } {
  const lines: string[] = [];
  let P = 0, F = 0, UP = 0, UF = 0, cases = 0;
  const paths: Record<string, number> = {};
  const w = Math.max(...reps.map((r) => r.family.length), 6);
  for (const r of reps) {
    P += r.passed; F += r.failed; UP += r.undefinedPassed; UF += r.undefinedFailed; cases += r.cases;
    for (const [k, n] of Object.entries(r.paths)) paths[k] = (paths[k] ?? 0) + n;
    if (!r.implemented) { lines.push(`${r.family.padEnd(w)}  failed: unknown family, nothing compared`); continue; }
    lines.push(`${r.family.padEnd(w)}  passed ${String(r.passed).padStart(3)}  failed ${String(r.failed).padStart(3)}  (${r.cases} cases x ${Object.keys(r.paths).length} paths)  max|err| ${r.maxErr.toExponential(2)}  worst ${(r.worstRatio).toFixed(3)} of tol`);
    if (r.undefinedPassed + r.undefinedFailed) lines.push(`${"".padEnd(w)}  upstream-undefined: passed ${r.undefinedPassed}  failed ${r.undefinedFailed}`);
    if (r.fragile) lines.push(`${"".padEnd(w)}  ulp-fragile: ${r.fragile} case(s) not compared`);
    if (verbose) for (const n of r.notes) lines.push(`${"".padEnd(w)}    ${n}`);
    if (verbose) lines.push(`${"".padEnd(w)}    paths: ${Object.entries(r.paths).map(([k, n]) => `${k} ${n}`).join(", ")}`);
    for (const f of r.failures.slice(0, verbose ? 100 : 5)) lines.push(`${"".padEnd(w)}    FAIL ${f}`);
  }
  lines.push(`paths: ${Object.entries(paths).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  lines.push(`upstream-undefined: ${UP} passed, ${UF} failed`);
  lines.push(`${cases} cases, ${P + F + UP + UF} (case, path) pairs`);
  lines.push(`${P + UP} passed, ${F + UF} failed`);
  return { text: lines.join("\n"), passed: P + UP, failed: F + UF };
}
