// The code paths a golden case runs through (docs/golden.md#paths). A case's mapping calls the
// library through a Caller with copy-API arguments in the padded layout; the Caller turns each
// call into the path it stands for:
//   - groups: the mapped form, or the other one (contiguous groupIds <-> groupSize), which
//     reach different kernels (the fused per-group pass or the id-indexed one);
//   - layout: padded [B, T] with a mask, or packed (offsets), each row cut after its last
//     position that matters; token outputs are unpacked back to [B, T] with +0 elsewhere;
//   - surface: the copy API, or a workspace planned for the call, inputs written into its views.
// The first run (copy API, padded, mapped groups) records which of these a case can take, so
// only paths that differ from it are run again.
import type { RlAdvantage } from "../api.js";
import type { Workspace, WorkspacePlan } from "../workspace.js";

/** One path through the library. */
export interface Path { surface: "copy" | "workspace"; layout: "padded" | "packed"; groups: "mapped" | "flipped" }
/** What a case's calls could take besides the first path (recorded during its first run). */
export interface PathUse {
  workspace: boolean; packed: boolean;
  /** The groups form the mapping gives ("" when no call takes groups), and whether the other form applies. */
  groups: "" | "groupIds" | "groupSize"; flip: boolean;
}

export const FIRST_PATH: Path = { surface: "copy", layout: "padded", groups: "mapped" };

/** Every path a case can take, the first one first. */
export function pathsFor(use: PathUse): Path[] {
  const out: Path[] = [];
  for (const surface of use.workspace ? ["copy", "workspace"] as const : ["copy"] as const)
    for (const layout of use.packed ? ["padded", "packed"] as const : ["padded"] as const)
      for (const groups of use.flip ? ["mapped", "flipped"] as const : ["mapped"] as const)
        out.push({ surface, layout, groups });
  return out;
}

/** A path's name in reports, e.g. `workspace/packed/groupSize`. */
export function pathName(p: Path, use: PathUse): string {
  const other = use.groups === "groupIds" ? "groupSize" : "groupIds";
  return [p.surface, p.layout, p.groups === "flipped" ? other : use.groups].filter(Boolean).join("/");
}

// Token tensors of the copy API's arguments and results (length B*T padded, N packed).
const TOKEN_INPUTS = ["tokenRewards", "tokenScores", "values", "mask", "actionMask", "logp", "refLogp", "kl", "loss", "returns",
  "processRewards", "logpRm", "logpRef", "tokenValues", "stepEndMask"] as const;
// Tensors whose values count even where the mask is 0 (rowScore "all" sums every column).
const UNMASKED_SUMS = ["tokenRewards", "tokenScores"] as const;
const VALIDITY = ["mask", "actionMask", "stepEndMask"] as const;
const TOKEN_OUTPUTS = ["advantages", "returns", "tokenRewards", "tokenScores", "kl", "processRewards", "q", "values", "output"];
/** Methods whose bare Float32Array result is a token tensor. */
const BARE_TOKEN_RESULT = new Set(["discountedReturns", "maskedWhiten", "klPenalty", "softminStepRewards", "pureRlooBaseline"]);
/** Kernels that read the padded width itself (their packed form takes it as an argument). */
const WIDTH_ARGUMENT: Record<string, string> = { aggLoss: "lossScaleFactor", minFormReturns: "paddedWidth", pureRlooBaseline: "paddedWidth" };
/** The lossAggMode whose divisor is the padded width. */
const WIDTH_MODE = "seq-mean-token-sum-norm";

type Args = Record<string, any>;

function contiguousSize(ids: Int32Array, numGroups: number | undefined): number {
  const B = ids.length, G = numGroups ?? (B ? Math.max(...ids) + 1 : 0);
  if (G <= 0 || B % G) return 0;
  const n = B / G;
  for (let i = 0; i < B; i++) if (ids[i] !== Math.floor(i / n)) return 0;
  return n;
}

/** Runs a case's calls on one path; on the first path, records what else the case can take. */
export class Caller {
  readonly use: PathUse = { workspace: false, packed: false, groups: "", flip: false };
  constructor(readonly api: RlAdvantage, private readonly path: Path = FIRST_PATH) {}

  /** Calls `method` with copy-API arguments (padded layout) on this path; token outputs come back padded. */
  call(method: string, args: Args): any {
    let a: Args = withWidth({ ...args });
    a = this.groups(a);
    const packed = this.pack(method, a);
    if (packed) a = packed.args;
    const ws = this.workspaceCall(method, a);
    const res = ws ? ws() : (this.api as any)[method](a);
    return packed ? packed.unpack(method, res) : res;
  }

  private groups(a: Args): Args {
    if (a.groupIds instanceof Int32Array) {
      this.use.groups ||= "groupIds";
      const n = contiguousSize(a.groupIds, a.numGroups);
      if (!n) return a;
      this.use.flip = true;
      if (this.path.groups !== "flipped") return a;
      const { groupIds: _i, numGroups: _g, ...rest } = a;
      return { ...rest, groupSize: n };
    }
    if (typeof a.groupSize === "number") {
      this.use.groups ||= "groupSize";
      this.use.flip = true;
      if (this.path.groups !== "flipped") return a;
      const B = rowsOf(a);
      if (!(B > 0)) return a;
      const { groupSize: n, ...rest } = a;
      return { ...rest, groupIds: Int32Array.from({ length: B }, (_, i) => Math.floor(i / n)), numGroups: Math.ceil(B / n) };
    }
    return a;
  }

  /** The packed form of a padded call: rows cut after their last valid (or, for summed rewards, non-zero) position. */
  private pack(method: string, a: Args): { args: Args; unpack: (m: string, r: any) => any } | null {
    const T = a.width;
    if (typeof T !== "number" || !(T > 0) || a.offsets || a.lengths) return null;
    const present = TOKEN_INPUTS.filter((k) => a[k] !== undefined && a[k] !== null && (a[k] as ArrayLike<number>).length !== undefined);
    const comps: Float32Array[] | undefined = Array.isArray(a.components) ? a.components : undefined;
    const first = present.length ? (a[present[0]!] as ArrayLike<number>) : comps?.[0];
    if (!first || first.length % T) return null;
    const B = first.length / T;
    this.use.packed = true;
    if (this.path.layout !== "packed") return null;
    const L = new Int32Array(B);
    for (let i = 0; i < B; i++) {
      let last = -1;
      for (let t = 0; t < T; t++) {
        const k = i * T + t;
        let keep = VALIDITY.some((m) => a[m] && a[m][k]);
        if (!keep) keep = UNMASKED_SUMS.some((m) => a[m] && a[m][k] !== 0) || !!comps?.some((c) => c[k] !== 0);
        if (!keep && !VALIDITY.some((m) => a[m])) keep = true; // no mask: every position is valid
        if (keep) last = t;
      }
      L[i] = last + 1;
    }
    const offsets = new Int32Array(B + 1);
    for (let i = 0; i < B; i++) offsets[i + 1] = offsets[i]! + L[i]!;
    const N = offsets[B]!;
    const cut = <A extends Float32Array | Uint8Array>(x: A): A => {
      const out = new (x.constructor as new (n: number) => A)(N);
      for (let i = 0; i < B; i++) out.set(x.subarray(i * T, i * T + L[i]!), offsets[i]!);
      return out;
    };
    const out: Args = { ...a, offsets };
    delete out.width;
    for (const k of present) out[k] = cut(a[k]);
    if (comps) out.components = comps.map(cut);
    const wArg = WIDTH_ARGUMENT[method];
    if (wArg && out[wArg] == null && (method !== "aggLoss" || out.lossAggMode === WIDTH_MODE)) out[wArg] = T;
    const spread = (x: Float32Array): Float32Array => {
      const y = new Float32Array(B * T);
      for (let i = 0; i < B; i++) y.set(x.subarray(offsets[i]!, offsets[i + 1]!), i * T);
      return y;
    };
    const unpack = (m: string, r: any): any => {
      if (r instanceof Float32Array) return BARE_TOKEN_RESULT.has(m) && r.length === N ? spread(r) : r;
      if (r === null || typeof r !== "object") return r;
      const o: Args = { ...r };
      for (const k of TOKEN_OUTPUTS) if (o[k] instanceof Float32Array && o[k].length === N && N !== B) o[k] = spread(o[k]);
      return o;
    };
    return { args: out, unpack };
  }

  /** A thunk running the call in a fresh workspace, or null when the workspace has no such method for these arguments. */
  private workspaceCall(method: string, a: Args): (() => any) | null {
    const spec = WORKSPACE[method];
    if (!spec || !spec.accepts(a)) return null;
    this.use.workspace = true;
    if (this.path.surface !== "workspace") return null;
    return () => {
      const B = rowsOf(a);
      const plan: WorkspacePlan = { rows: B, extraViews: [...new Set(spec.views(a))] };
      if (a.offsets) plan.tokens = Math.max(a.offsets[B], 1);
      else if (typeof a.width === "number") plan.width = a.width;
      const maskArg = a.mask ?? a.actionMask;
      plan.valid = maskArg ? "mask" : "all";
      if (maskArg && !(maskArg instanceof Uint8Array)) return (this.api as any)[method](a); // the workspace's mask view is bytes
      if (typeof a.groupSize === "number") plan.groupSize = a.groupSize;
      else if (a.groupIds) plan.maxGroups = Math.max(a.numGroups ?? 0, Math.max(...a.groupIds) + 1);
      if (a.rewardsPerFunc) plan.rewardFunctions = a.rewardsPerFunc.length / B;
      const ws = this.api.createWorkspace(plan);
      try {
        if (maskArg) ws.mask.set(maskArg);
        if (a.offsets) ws.offsets.set(a.offsets);
        if (a.groupIds) ws.groupIds.set(a.groupIds);
        const knobs = spec.write(ws, a);
        return copyOut((ws as any)[method](knobs), spec.result);
      } finally { ws.dispose(); }
    };
  }
}

/** The padded width made explicit (a call may leave it to be inferred from its row count). */
function withWidth(a: Args): Args {
  if (a.width !== undefined || a.offsets || a.lengths) return a;
  const B = a.groupIds?.length ?? rowsOf(a);
  const tok = [...TOKEN_INPUTS.map((k) => a[k]), a.components?.[0]].find((x) => x?.length !== undefined);
  if (B > 0 && tok && tok.length > 0 && tok.length % B === 0) a.width = tok.length / B;
  return a;
}

function rowsOf(a: Args): number {
  if (a.groupIds?.length !== undefined) return a.groupIds.length;
  if (a.offsets) return a.offsets.length - 1;
  for (const k of ["scores", "rewards", "baselines", "truncated"]) if (a[k]?.length !== undefined) return a[k].length;
  if (a.rewardsPerFunc && a.weights) return a.rewardsPerFunc.length / a.weights.length;
  if (typeof a.width === "number") for (const k of [...TOKEN_INPUTS, "components"]) {
    const x = k === "components" ? a.components?.[0] : a[k];
    if (x?.length !== undefined) return x.length / a.width;
  }
  return 0;
}

/** A workspace result copied out of the views (which die with the workspace). */
function copyOut(r: any, shape: "object" | "returns" | "kl" | "number"): any {
  if (shape === "number") return r;
  if (shape === "kl") return r.kl.slice();
  if (shape === "returns") return r.advantages.slice();
  const o: Args = {};
  for (const [k, v] of Object.entries(r)) o[k] = ArrayBuffer.isView(v) ? (v as Float32Array).slice() : v;
  return o;
}

interface WsMethod {
  accepts: (a: Args) => boolean;
  views: (a: Args) => NonNullable<WorkspacePlan["extraViews"]>;
  /** Writes the inputs into the views; returns the per-call knobs. */
  write: (ws: Workspace, a: Args) => Args;
  result: "object" | "returns" | "kl" | "number";
}

const INPUT_KEYS = new Set(["scores", "tokenRewards", "tokenScores", "values", "mask", "actionMask", "lengths", "offsets", "width", "groupSize",
  "groupIds", "numGroups", "baselines", "truncated", "rewardsPerFunc", "kl", "rewards", "logp", "refLogp", "loss", "components"]);
const knobsOf = (a: Args, keep: string[] = []): Args => Object.fromEntries(Object.entries(a).filter(([k]) => !INPUT_KEYS.has(k) || keep.includes(k)));

/** Group estimators: scores or token rewards (`input: "tokenRewards"`). */
const groupEstimator = (extra: (ws: Workspace, a: Args) => void = () => {}): WsMethod => ({
  accepts: (a) => !a.components && (a.scores !== undefined || a.tokenRewards !== undefined),
  views: (a) => (a.tokenRewards ? ["tokenRewards"] : []),
  write: (ws, a) => {
    extra(ws, a);
    if (a.tokenRewards) { ws.tokenRewards.set(a.tokenRewards); return { ...knobsOf(a, ["numGroups"]), input: "tokenRewards" }; }
    ws.scores.set(a.scores);
    return knobsOf(a, ["numGroups"]);
  },
  result: "object",
});

const WORKSPACE: Record<string, WsMethod> = {
  grpo: groupEstimator(), drGrpo: groupEstimator(), rloo: groupEstimator(), reinforcePPBaseline: groupEstimator(), opo: groupEstimator(),
  gpg: groupEstimator(), grpoPassK: groupEstimator(), bnpo: groupEstimator(),
  dler: groupEstimator((ws, a) => ws.truncated.set(a.truncated)),
  trlGroupAdvantage: {
    accepts: (a) => !!a.rewardsPerFunc, views: () => [],
    write: (ws, a) => { ws.rewardsPerFunc.set(a.rewardsPerFunc); return { ...knobsOf(a, ["numGroups"]), weights: a.weights }; },
    result: "object",
  },
  remax: {
    accepts: (a) => !!a.tokenRewards && !!a.baselines, views: () => ["tokenRewards", "returns"],
    write: (ws, a) => { ws.tokenRewards.set(a.tokenRewards); ws.baselines.set(a.baselines); return knobsOf(a); },
    result: "object",
  },
  gae: {
    accepts: (a) => !!a.tokenRewards && !!a.values, views: () => ["tokenRewards", "values", "returns"],
    write: (ws, a) => { ws.tokenRewards.set(a.tokenRewards); ws.values.set(a.values); return knobsOf(a); },
    result: "object",
  },
  reinforcePP: {
    accepts: (a) => !!a.tokenRewards, views: () => ["tokenRewards", "returns"],
    write: (ws, a) => { ws.tokenRewards.set(a.tokenRewards); return knobsOf(a); },
    result: "object",
  },
  discountedReturns: {
    accepts: (a) => !!a.tokenRewards, views: () => ["tokenRewards"],
    write: (ws, a) => { ws.tokenRewards.set(a.tokenRewards); return knobsOf(a); },
    result: "returns",
  },
  klPenalty: {
    accepts: (a) => typeof a.width === "number" || !!a.offsets, views: () => ["logp", "refLogp", "kl"],
    write: (ws, a) => { ws.logp.set(a.logp); ws.refLogp.set(a.refLogp); return knobsOf(a); },
    result: "kl",
  },
  aggLoss: {
    accepts: (a) => !!a.loss, views: () => ["loss"],
    write: (ws, a) => { ws.loss.set(a.loss); return knobsOf(a); },
    result: "number",
  },
  klInReward: {
    accepts: (a) => a.mode === "verl" && !!a.tokenScores, views: () => ["tokenScores", "tokenRewards", "logp", "refLogp", "kl"],
    write: (ws, a) => { ws.tokenScores.set(a.tokenScores); ws.logp.set(a.logp); ws.refLogp.set(a.refLogp); const { mode: _m, ...k } = knobsOf(a); return k; },
    result: "object",
  },
  openrlhfOutcome: {
    accepts: (a) => !!a.rewards && !!a.actionMask, views: (a) => (a.kl ? ["kl", "returns"] : ["returns"]),
    write: (ws, a) => { ws.scores.set(a.rewards); if (a.kl) ws.kl.set(a.kl); return knobsOf(a, ["numGroups"]); },
    result: "object",
  },
};
