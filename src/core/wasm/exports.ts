// Raw exports of assembly/index.ts. Pointers and sizes are plain numbers (i32/usize).
export interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  simd_build(): number;
  mask_check_u8(mask: number, n: number): number;
  mask_f32_to_u8(src: number, dst: number, n: number): number;
  row_lengths_u8(mask: number, offsets: number, B: number, T: number, lensOut: number): number;
  first_nonfinite_f32(x: number, n: number): number;
  first_nonfinite_valid_f32(x: number, mask: number, lens: number, offsets: number, B: number, T: number): number;
  row_sum_f32(x: number, mask: number, lens: number, offsets: number, B: number, T: number, out: number): number;
  broadcast_rows_f32(a: number, mask: number, lens: number, offsets: number, B: number, T: number, out: number): void;
  group_moments_f32(x: number, include: number, ids: number, B: number, G: number, preShift: number, preDiv: number,
    count: number, sum: number, mean: number, m2: number, min: number, max: number): void;
  group_moments_contig_f32(x: number, B: number, n: number, preShift: number, preDiv: number,
    count: number, sum: number, mean: number, m2: number, min: number, max: number): void;
  group_affine_contig_f32(x: number, B: number, n: number, preShift: number, preDiv: number,
    shift: number, mul: number, den: number, out: number): number;
  mask_check_rows_u8(mask: number, offsets: number, B: number, T: number): number;
  mask_scan_rows_u8(mask: number, offsets: number, B: number, T: number, prefixOut: number, lensOut: number, i0: number): number;
  gae_rows_f32(r: number, V: number, mask: number, offsets: number, prefix: number, B: number, T: number, scanLen: number,
    gamma: number, lam: number, through: number, check: number, rawOut: number, retOut: number, buf: number, rowMom: number, tmp: number, touchPadding: number, i0: number): number;
  returns_rows_f32(r: number, mask: number, offsets: number, prefix: number, B: number, T: number, scanLen: number, gamma: number, mode: number, check: number,
    retOut: number, buf: number, rowMom: number, tmp: number, touchPadding: number, i0: number): number;
  merge_rows_f64(rowMom: number, B: number, out: number): void;
  whiten_scanned_f32(x: number, out: number, mask: number, offsets: number, prefix: number, B: number, T: number, scanLen: number, mu: number, scale: number, back: number, i0: number): void;
  broadcast_rows_prefix_f32(a: number, mask: number, lens: number, offsets: number, B: number, T: number, out: number, prefix: number): void;
  group_passk_contig_f32(x: number, B: number, n: number, eps: number, epsMode: number, unbiased: number, normalize: number, out: number, info: number): void;
  group_means_contig_f32(x: number, B: number, n: number, preShift: number, preDiv: number, mean: number): number;
  group_scale_contig_f32(x: number, B: number, n: number, preShift: number, preDiv: number, shift: number, mul: number, out: number): number;
  f64_distinct(x: number, G: number, keys: number, slot: number, cap: number, table: number): number;
  f64_gather(values: number, slot: number, G: number, out: number): void;
  group_trl_contig_f64(r: number, B: number, n: number, fixedDen: number, useFixed: number, eps: number, out: number, info: number): number;
  trl_row_rewards_dense_f32(R: number, B: number, K: number, w: number, out: number): void;
  first_outside_i32(x: number, n: number, lo: number, hi: number): number;
  count_zero_i32(x: number, n: number): number;
  dler_truncate_f32(s: number, tr: number, B: number, tv: number, r: number): number;
  group_opo_contig_f32(x: number, lens: number, B: number, n: number, out: number, info: number): number;
  group_center_contig_f32(x: number, B: number, n: number, mode: number, eps: number, epsMode: number, unbiased: number,
    batchVar: number, useBatchVar: number, mulP: number, denP: number, singletonZero: number, out: number, info: number): void;
  group_center_contig_f32_f64(x: number, B: number, n: number, mode: number, eps: number, epsMode: number, unbiased: number,
    batchVar: number, useBatchVar: number, mulP: number, denP: number, singletonZero: number, out: number, info: number): void;
  valid_absbits3_f32(x: number, y: number, z: number, mask: number, lens: number, offsets: number, prefix: number, B: number, T: number, out: number, i0: number): void;
  row_sum_f64(x: number, mask: number, lens: number, offsets: number, B: number, T: number, out: number): void;
  kl_penalty_f32(logp: number, ref: number, mask: number, lens: number, offsets: number, prefix: number, B: number, T: number, est: number, clampMode: number, out: number, i0: number): void;
  kl_in_reward_verl_f32(scores: number, logp: number, ref: number, mask: number, lens: number, offsets: number, prefix: number, B: number, T: number,
    est: number, clampMode: number, beta: number, rewardsOut: number, klOut: number, rowMean: number, flags: number, i0: number): void;
  kl_reward_orl_f32(kl: number, mask: number, lens: number, offsets: number, B: number, T: number, r: number, beta: number, out: number): number;
  prm_step_reward_f32(l0: number, l1: number, n: number, out: number): void;
  softmin_tokens_f32(x: number, stepMask: number, offsets: number, B: number, T: number, temperature: number, uniform: number, out: number): void;
  softmin_steps_f32(values: number, stepOffsets: number, B: number, temperature: number, uniform: number, out: number): void;
  minform_verlcompat_f32(r: number, mask: number, prefix: number, offsets: number, B: number, T: number, W: number, out: number, i0: number): number;
  minform_steps_f32(values: number, stepOffsets: number, stepEnds: number, mask: number, offsets: number, B: number, T: number, out: number, stepReturn: number): number;
  row_shift_f32(x: number, b: number, mask: number, lens: number, offsets: number, B: number, T: number, out: number): number;
  pure_rloo_steps_f32(values: number, stepOffsets: number, stepEnds: number, rowLen: number, ids: number, B: number, G: number, mode: number, singletonZero: number, scratch: number, out: number): void;
  rerank_combine_f32(scores: number, valid: number, P: number, N: number, K: number, w: number, combine: number,
    ref: number, refPerPrompt: number, refs: number, M: number, maxRef: number, sigK: number, out: number, info: number): void;
  rerank_topk_f32(combined: number, P: number, N: number, k: number, topIdx: number, topScore: number): void;
  place_scores_f32(s: number, mask: number, lens: number, offsets: number, prefix: number, B: number, T: number, positions: number, out: number): void;
  prime_implicit_f32(lp: number, ref: number, mask: number, lens: number, offsets: number, B: number, T: number, beta: number, whole: number, dropLast: number, out: number, qOut: number): void;
  prime_batch_max_f32(x: number, mask: number, lens: number, offsets: number, B: number, T: number): number;
  prime_returns_f32(rm: number, mask: number, lens: number, offsets: number, B: number, T: number, pA: number, pC: number, hasOutcome: number, oVal: number,
    gp: number, go: number, coefP: number, coefO: number, out: number, buf: number, rowMom: number): void;
  row_logp_sums_f32(x: number, mask: number, lens: number, offsets: number, B: number, T: number, sumOut: number, expOut: number): void;
  tgdpo_side_f32(logp: number, ref: number, rlogp: number, mask: number, lens: number, offsets: number, B: number, T: number, beta: number, alpha: number, sign: number, wOut: number, sumOut: number): number;
  segments_broadcast_f32(values: number, stepOffsets: number, stepEnds: number, mask: number, offsets: number, B: number, T: number, out: number): void;
  moments_f32(x: number, include: number, n: number, out: number): void;
  trl_normalize_then_sum_f32(R: number, B: number, K: number, w: number, ids: number, G: number, groupRows: number,
    eps: number, scratch: number, rOut: number): void;
  affine_nan0_f64(x: number, B: number, mu: number, den: number, out: number): void;
  nan_moments_f64(x: number, n: number, out: number): void;
  remax_f32(r: number, mask: number, lens: number, offsets: number, B: number, T: number, b: number, retOut: number, advOut: number): number;
  group_weighted_sums_f32(x: number, w: number, ids: number, B: number, G: number, sumW: number, sumWX: number): void;
  group_affine_f32(x: number, include: number, ids: number, B: number, preShift: number, preDiv: number,
    shift: number, mul: number, den: number, out: number): number;
  group_top2_f32(x: number, ids: number, B: number, G: number, r1: number, r2: number, top: number): void;
  group_top_apply_f32(ids: number, B: number, top: number, adv: number, out: number): void;
  count_nonzero_f32(x: number, n: number): number;
  weighted_moments_f64(x: number, w: number, B: number, out: number): void;
  row_affine_f32(x: number, B: number, mu: number, scale: number, shiftBack: number, out: number): number;
  row_affine_f64_f32(x: number, B: number, mu: number, scale: number, shiftBack: number, out: number): number;
  group_moments_f64(x: number, include: number, ids: number, B: number, G: number, preShift: number, preDiv: number,
    count: number, sum: number, mean: number, m2: number, min: number, max: number): void;
  group_moments_contig_f64(x: number, B: number, n: number, preShift: number, preDiv: number,
    count: number, sum: number, mean: number, m2: number, min: number, max: number): void;
  group_affine_f32_f64(x: number, include: number, ids: number, B: number, preShift: number, preDiv: number,
    shift: number, mul: number, den: number, out: number): number;
  group_affine_f64_f32(x: number, include: number, ids: number, B: number, preShift: number, preDiv: number,
    shift: number, mul: number, den: number, out: number): number;
  group_affine_contig_f32_f64(x: number, B: number, n: number, preShift: number, preDiv: number,
    shift: number, mul: number, den: number, out: number): number;
  moments_f64(x: number, include: number, n: number, out: number): void;
  trl_row_rewards_f32(R: number, B: number, K: number, w: number, out: number, scorable: number): number;
  masked_moments_f32(x: number, mask: number, lens: number, offsets: number, B: number, T: number, out: number): void;
  masked_affine_f32(x: number, mask: number, lens: number, offsets: number, B: number, T: number,
    mu: number, scale: number, shiftBack: number, out: number): number;
  orl_outcome_returns_f32(kl: number, mask: number, lens: number, offsets: number, B: number, T: number,
    r: number, klCoef: number, gamma: number, out: number, out64: number): number;
  masked_moments_f64(x: number, mask: number, lens: number, offsets: number, B: number, T: number, out: number): void;
  masked_affine_f64_f32(x: number, mask: number, lens: number, offsets: number, B: number, T: number,
    mu: number, scale: number, shiftBack: number, out: number): number;
  // Reward shapers (assembly/shape/).
  first_outside_i8(x: number, n: number, lo: number, hi: number): number;
  first_not01_f32(x: number, n: number): number;
  first_outside_f32(x: number, n: number, lo: number, hi: number): number;
  first_bad_box_f32(gt: number, B: number): number;
  f32_to_f64_rows(src: number, B: number, x: number): number;
  f64_to_f32_rows(x: number, B: number, out: number): number;
  refs_first_empty_i32(offs: number, B: number): number;
  par_relative_f64(x: number, B: number, refs: number, offs: number, maxRef: number, mode: number, k: number): void;
  par_absolute_f64(x: number, B: number, mode: number, k: number): void;
  clamp_f64(x: number, B: number, lo: number, hi: number): void;
  shift_div_f64(x: number, B: number, shift: number, den: number): void;
  length_penalty_f64(x: number, lengths: number, B: number, threshold: number, coef: number): void;
  batch_moments_f64(x: number, B: number, out: number): void;
  lsc_ref_f64(refs: number, offs: number, B: number, z: number, out: number): void;
  log_sigmoid_diff_f64(x: number, ref: number, B: number): void;
  lsc_combine_f32(r: number, ref: number, w: number, B: number, K: number, out: number): number;
  kimi_len_f32(lengths: number, correct: number, eligible: number, ids: number, B: number, G: number, eps: number, laserCompat: number,
    base: number, weight: number, lenOut: number, lambdaOut: number, rewardOut: number, mm: number): number;
  laser_reward_f32(status: number, lengths: number, ids: number, B: number, G: number, alpha: number, mode: number,
    cCorrect: number, cWrong: number, cInvalid: number, variant: number, targetLength: number, low: number, medium: number, high: number,
    repetitive: number, scoreOut: number, termOut: number, targetOut: number, cnt: number): number;
  hapo_len_f32(lengths: number, correct: number, h: number, B: number, type: number, correctFloor: number, tau: number, wrongFloor: number,
    base: number, weight: number, lenOut: number, rewardOut: number): number;
  overlong_penalty_f32(r: number, lengths: number, B: number, maxNew: number, buf: number, factor: number, out: number): number;
  stop_properly_f32(r: number, truncated: number, B: number, coef: number, out: number): void;
  guig2_f32(pred: number, gt: number, B: number, alpha: number, nu: number, gammaCov: number, eps: number, point: number, coverage: number, total: number): number;
  bco_rewards_f32(pc: number, rc: number, pr: number, rr: number, P: number, beta: number, chosen: number, rejected: number, mean: number): number;
  bco_loss_f32(pc: number, rc: number, pr: number, rr: number, P: number, beta: number, delta: number, loss: number): number;
  drpo_coef_f32(r: number, meanLogp: number, lengths: number, ids: number, B: number, G: number, width: number, lambda: number, tau: number, out: number, st: number, cnt: number, ex: number): void;
  canon_f32(s: number, metric: number, ids: number, B: number, G: number, variant: number, alpha: number, beta: number, lambda: number, maxLength: number,
    singletonZero: number, out: number, order: number, start: number): number;
  verpo_f32(pass: number, valid: number, ids: number, B: number, G: number, U: number, localWeight: number, acc: number, wsum: number, out: number, local: number, global: number, wt: number): number;
  o1_pruner_f32(lengths: number, ids: number, B: number, G: number, out: number, sum: number): void;
  er_length_f32(lengths: number, correct: number, ids: number, B: number, G: number, out: number, st: number): void;
  rover_targets_f32(logp: number, oldLogp: number, qL: number, oqL: number, adv: number, mask: number, lens: number, offsets: number,
    B: number, T: number, rho: number, nextQScale: number, clip: number, hi: number, lo: number, q: number, nextQ: number, target: number): number;
  gated_rewards_f32(outcome: number, r: number, mask: number, lens: number, offsets: number, B: number, T: number, tau: number, outTok: number, outRow: number): number;
}
