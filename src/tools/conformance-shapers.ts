// Golden mappings of the reward shapers (test/fixtures/golden-shapers/README.md, docs/golden.md):
// each case runs through the library as a trainer would call it, batch by batch for the stateful
// shapers (one fresh state per run). kappa is 0 where the vectors' max_abs_dev_vs_fp64 already
// holds upstream's own rounding (the library's result is the f64 value rounded once), and the f64
// oracle's magnitude of the terms where upstream rounds in f32 but its f64 run does too (Kimi's
// lengths pass through .float(); BCO's loss reads the f32 running mean).
import type { RlAdvantage } from "../api.js";
import { canonicalizeGroups } from "../core/groups.js";
import { BcoShift } from "../shape/bco.js";
import { HapoHistory, laserTargetLengths } from "../shape/length.js";
import { RunningStats } from "../shape/running-stats.js";
import * as ref from "../reference/shape.js";
import type { Check, GoldenCase, GoldenTensor, Mapped } from "./golden-types.js";

const U = 2 ** -24;
const dec = (v: number | string): number => (v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : (v as number));
const nums = (t: GoldenTensor) => t.data.map(dec);
const f32 = (t: GoldenTensor) => Float32Array.from(t.data, (v) => Math.fround(dec(v)));
const i32 = (t: GoldenTensor) => Int32Array.from(t.data, dec);
const u8 = (t: GoldenTensor) => Uint8Array.from(t.data, (v) => (dec(v) ? 1 : 0));
/** Consecutive batches [start, end) from batch_offsets. */
const batches = (t: GoldenTensor | undefined, n: number): [number, number][] => {
  const o = t ? nums(t) : [0, n];
  return o.slice(1).map((e, k) => [o[k]!, e]);
};
const concat = (parts: ArrayLike<number>[]) => Float32Array.from(parts.flatMap((p) => Array.from(p)));

type M = (c: GoldenCase, api: RlAdvantage) => Mapped;

const parShapers: M = (c, api) => {
  const p = c.params, r = f32(c.inputs.reward!), L = i32(c.inputs.lengths!), vals = f32(c.inputs.sftref_rewards!), offs = nums(c.inputs.sftref_offsets!);
  const opts = {
    ceil: p.reward_ceil ?? null, lengthPenalty: p.reward_penalize_length, lengthThreshold: p.gen_valid_len, lengthCoef: p.len_penalty,
    centered: p.reward_centered, sgfc: p.reward_sgfc, meanstd: p.reward_meanstd, clipping: p.reward_clipping, minmax: p.reward_minmax,
    sigmoid: p.reward_sigmoid, relative: p.reward_relative, tanh: p.reward_tanh, lsc: p.reward_lsc, maxRef: p.reward_maxref, sigmoidK: p.sigmoid_k,
  };
  return {
    codes: ["DOMAIN"],
    run: () => {
      const stats = new RunningStats(), out: Float32Array[] = [];
      for (const [s, e] of batches(c.inputs.batch_offsets, r.length)) {
        const o0 = offs[s]!;
        const refs = { values: vals.slice(o0, offs[e]!), offsets: Int32Array.from(offs.slice(s, e + 1), (v) => v - o0) };
        out.push(api.parShape({ r: r.slice(s, e), lengths: L.slice(s, e), refs, stats, ...opts }));
      }
      const checks: Check[] = [{ name: "shaped_reward", got: concat(out), kappa: 0 }];
      if (c.outputs.running_stats) checks.push({ name: "running_stats", got: [stats.n, stats.mean, stats.M2, stats.min, stats.max], kappa: 0 });
      return checks;
    },
  };
};

const laserLength: M = (c, api) => {
  const p = c.params, src = String(c.source ?? "");
  const fn = src.slice(src.lastIndexOf(".") + 1);
  const targetsOf = () => {
    const g = canonicalizeGroups(nums(c.inputs.monitor_index!));
    return laserTargetLengths({
      lengths: i32(c.inputs.monitor_lengths!), correct: u8(c.inputs.monitor_correct!), groupIds: g.ids, numGroups: g.numGroups,
      n: p.n_rollout, lower: p.lower_bound, upper: p.upper_bound, interval: p.interval ?? 1024, expectedCorrect: p.expected_n_correct,
      roundMethod: p.round_method, fallbackLength: p.max_response_length ?? Math.max(...nums(c.inputs.lengths!)),
    });
  };
  const asList = (t: { low: number; medium: number; high: number }) => [t.low, t.medium, t.high];
  if (fn === "_choose_target_length") return { codes: ["UNKNOWN_OPTION"], run: () => [{ name: "target_lengths", got: asList(targetsOf()), kappa: 0 }] };
  const score = f32(c.inputs.score!), L = i32(c.inputs.lengths!), g = canonicalizeGroups(nums(c.inputs.index!));
  if (fn === "compute_kimi_penalty") {
    const correct = Uint8Array.from(score, (v) => (v === 1 ? 1 : 0)), eligible = Uint8Array.from(score, (v) => (v !== -1 ? 1 : 0));
    return {
      run: () => {
        const res = api.kimiLengthReward({ lengths: L, correct, eligible, groupIds: g.ids, numGroups: g.numGroups, eps: p.epsilon, singleton: "laserCompat", base: score, weight: p.len_coef });
        const k = ref.kimiRef(L, correct, g.ids, { eps: p.epsilon, singleton: "laserCompat", eligible, base: score, weight: p.len_coef });
        return [
          { name: "score", got: res.reward!, kappa: k.kappa },
          { name: "length_scores", got: res.lambda, kappa: k.kappa.map((v, i) => v - Math.abs(score[i]!)) },
        ];
      },
    };
  }
  const variant = fn === "compute_length_reward_larse" ? "laser" : fn === "compute_length_reward_larse_d" ? "d" : "de";
  const status = Int8Array.from(score, (v) => (v === 1 ? 1 : v === -1 ? -1 : 0));
  return {
    codes: ["UNKNOWN_OPTION"],
    run: () => {
      const monitored = c.inputs.monitor_lengths !== undefined;
      const bands = variant === "laser" ? undefined : monitored ? targetsOf() : { low: p.target_length, medium: p.target_length, high: p.target_length };
      const res = api.laserReward({
        status, lengths: L, groupIds: g.ids, numGroups: g.numGroups, alpha: p.length_reward_scalar, mode: p.length_reward_type,
        baseScores: { correct: 1, wrong: -0.5, invalid: -1 }, variant, targetLength: p.target_length, bandTargets: bands,
        repetitive: c.inputs.repetitive ? u8(c.inputs.repetitive) : undefined,
      });
      const checks: Check[] = [{ name: "score", got: res.scores, kappa: 0 }, { name: "length_scores", got: res.lengthTerms, kappa: 0 }];
      if (c.outputs.dynamic_target_lengths) checks.push({ name: "dynamic_target_lengths", got: res.targets, kappa: 0 });
      if (c.outputs.target_lengths) checks.push({ name: "target_lengths", got: asList(bands!), kappa: 0 });
      return checks;
    },
  };
};

// GUI-G²'s rounded outputs: upstream rounds to 3 decimals, so they match within 5e-4 on top of
// the usual tolerance; kappa carries that bound (tol = dev + 4u(|y| + kappa)).
const ROUNDED_KAPPA = 5e-4 / (4 * U);
const guiG2: M = (c, api) => ({
  run: () => {
    const r = api.guiG2Reward({ pred: f32(c.inputs.pred!), gt: f32(c.inputs.gt!) });
    return [
      { name: "point_raw", got: r.point, kappa: 0 }, { name: "coverage_raw", got: r.coverage, kappa: 0 },
      { name: "point", got: r.point, kappa: ROUNDED_KAPPA }, { name: "coverage", got: r.coverage, kappa: ROUNDED_KAPPA },
    ];
  },
});

const openrlhfLength: M = (c, api) => {
  const p = c.params, src = String(c.source ?? ""), r = f32(c.inputs.rewards!), L = i32(c.inputs.response_length!), tr = u8(c.inputs.truncated!);
  return {
    codes: ["PARAM_OUT_OF_RANGE"],
    run: () => {
      // Experiences are rows split as upstream splits them; the split does not change the result.
      const out: Float32Array[] = [];
      let at = 0;
      for (const n of (p.experience_sizes as number[]) ?? [r.length]) {
        let x: Float32Array = r.slice(at, at + n);
        if (!src.endsWith("apply_stop_properly_penalty")) x = api.overlongPenalty({ r: x, lengths: L.slice(at, at + n), maxNewTokens: p.max_new_tokens, bufferLen: p.overlong_buffer_len, factor: p.overlong_penalty_factor });
        if (!src.endsWith("apply_overlong_penalty")) x = api.stopProperlyPenalty({ r: x, truncated: tr.slice(at, at + n), coef: p.stop_properly_penalty_coef });
        out.push(x);
        at += n;
      }
      return [{ name: "rewards", got: concat(out), kappa: 0 }];
    },
  };
};

const hapoLength: M = (c, api) => {
  const p = c.params, L = i32(c.inputs.lengths!), correct = u8(c.inputs.correct!), prompts = i32(c.inputs.prompt_idx!);
  return {
    codes: ["UNKNOWN_OPTION"],
    run: () => {
      const history = new HapoHistory(), out: Float32Array[] = [];
      for (const [s, e] of batches(c.inputs.batch_offsets, L.length)) {
        const b = { lengths: L.slice(s, e), correct: correct.slice(s, e), promptIds: prompts.slice(s, e) };
        const res = api.hapoLengthReward({ ...b, history, type: p.type_lr, correctFloor: -0.7, tau: p.tolerance_ratio, wrongFloor: -1, weight: p.w_lr, base: Float32Array.from(b.correct) });
        out.push(res.reward!);
        history.update(b.lengths, b.correct, b.promptIds);
      }
      const h = nums(c.inputs.history_prompt_ids!).map((k) => history.get(k) ?? 100000);
      return [{ name: "rewards", got: concat(out), kappa: 0 }, { name: "history", got: h, kappa: 0 }];
    },
  };
};

const bcoShift: M = (c, api) => {
  const p = c.params, t = ["policy_chosen_logps", "policy_rejected_logps", "reference_chosen_logps", "reference_rejected_logps"].map((k) => f32(c.inputs[k]!));
  return {
    run: () => {
      const shift = new BcoShift(), oracle = { count: 1e-24, mean: 0 };
      const loss: Float32Array[] = [], cw: Float32Array[] = [], rw: Float32Array[] = [], delta: number[] = [], kappa: number[] = [];
      for (const [s, e] of batches(c.inputs.batch_offsets, t[0]!.length)) {
        const [pc, pr, rc, rr] = t.map((x) => x.slice(s, e)) as [Float32Array, Float32Array, Float32Array, Float32Array];
        const res = api.bcoPairLoss({ chosenLogps: pc, rejectedLogps: pr, refChosenLogps: rc, refRejectedLogps: rr, beta: p.beta, shift });
        loss.push(res.loss); cw.push(res.chosenRewards); rw.push(res.rejectedRewards); delta.push(res.delta);
        kappa.push(...ref.bcoRef(oracle, pc, pr, rc, rr, p.beta).kappa);
      }
      return [
        { name: "losses", got: concat(loss), kappa }, { name: "delta", got: delta, kappa: 0 },
        { name: "chosen_rewards", got: concat(cw), kappa: 0 }, { name: "rejected_rewards", got: concat(rw), kappa: 0 },
      ];
    },
  };
};

/** The shaper families of the golden-shapers set. */
export const SHAPER_FAMILIES: Record<string, M> = {
  par_shapers: parShapers,
  laser_length: laserLength,
  gui_g2: guiG2,
  openrlhf_length_penalty: openrlhfLength,
  hapo_length: hapoLength,
  bco_shift: bcoShift,
};
