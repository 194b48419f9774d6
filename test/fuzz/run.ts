// The fuzz runner: one case = a random batch, a good call from the catalog, and one mutation of
// it. Every case checks the error contract:
//  - the outcome is a result or a typed error (RlaRangeError / RlaTypeError) with a known code, a
//    string argument and an integer index >= -1; a mutation aimed at one argument is reported
//    against that argument (and, for a bad element, at its index);
//  - results hold no NaN or Inf (except where NaN is defined);
//  - inputs are unchanged, whatever happened;
//  - workspace outputs are untouched or entirely NaN after an error, no guard band was written,
//    and the workspace still computes exactly what it computed before the bad call.
import fc from "fast-check";
import * as lib from "../../src/index.js";
import type { RlAdvantage } from "../../src/api.js";
import { setGuardBands, type Workspace } from "../../src/workspace.js";
import { COPY, WS, makeBatch, wsFill, wsPlan, WS_INPUT_VIEWS, type Batch, type CopyEntry, type Family, type WsEntry } from "./catalog.js";

export const CODES = new Set(["WRONG_TYPE", "STALE_VIEW", "SHAPE_MISMATCH", "BAD_OFFSETS", "GROUP_ID_OUT_OF_RANGE", "GROUP_SIZE_INVALID",
  "MASK_NOT_BINARY", "PARAM_OUT_OF_RANGE", "UNKNOWN_OPTION", "NON_FINITE", "EMPTY_ROW", "TOO_FEW_VALID", "GROUP_TOO_SMALL", "DOMAIN",
  "RESULT_OVERFLOW", "ALIAS", "CAPACITY"]);

export const MUTATIONS = ["none", "symbol", "bigint", "proxy", "cyclic", "getter", "wrongKind", "nonFinite", "shorter", "badNumber",
  "protoEnum", "unknownKey", "maskByte", "badInt", "elementSymbol", "wholeArgs"] as const;
export const WS_MUTATIONS = [...MUTATIONS, "viewNonFinite", "viewMaskByte", "viewGroupId"] as const;
export type Mutation = (typeof WS_MUTATIONS)[number];

export interface Case { n: number; G: number; T: number; family: Family; seed: number; emptyRows: boolean; ids: boolean; mutation: Mutation; pick: number; pick2: number }

export const caseArb = (mutations: readonly Mutation[]): fc.Arbitrary<Case> => fc.record({
  n: fc.integer({ min: 1, max: 4 }), G: fc.integer({ min: 1, max: 3 }), T: fc.integer({ min: 1, max: 6 }),
  family: fc.constantFrom<Family>("normal", "normal", "binary", "huge", "tinySpread", "deepLogp"),
  seed: fc.integer(), emptyRows: fc.boolean(), ids: fc.boolean(),
  mutation: fc.constantFrom(...mutations), pick: fc.nat(), pick2: fc.nat(),
});

/** What one case ended in: "ok" or the error code. */
export type Outcome = string;

const BAD_NUMBERS = [NaN, Infinity, -Infinity, -1, 0, 1e300, 2 ** 31, 0.5, -0, 3e38];
const PROTO = ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"];

function cyclic(): object { const o: Record<string, unknown> = {}; o.self = o; return o; }
function throwingGetter(obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const out = { ...obj };
  Object.defineProperty(out, key, { enumerable: true, get() { throw new Error("boom"); } });
  return out;
}
const WHOLE = [() => null, () => 42, () => "args", () => Symbol("args"), () => 10n, () => [], () => new Float32Array(2), cyclic,
  () => new Proxy({}, { ownKeys() { throw new Error("trap"); } }),
  () => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; }];

interface Expect { argument?: string; code?: string; index?: number; mayPass: boolean }

const isTyped = (v: unknown) => ArrayBuffer.isView(v) && !(v instanceof DataView);
const kindOf = (v: unknown) => (isTyped(v) ? (v as object).constructor.name : typeof v);

/** Applies a mutation to an argument object. Returns the mutated object and what must happen. */
export function mutate(args: Record<string, unknown>, m: Mutation, pick: number, pick2: number, argName: (k: string) => string, positional: boolean): { args: unknown; expect: Expect } {
  const keys = Object.keys(args);
  const key = keys.length ? keys[pick % keys.length]! : "";
  const v = args[key];
  const set = (x: unknown) => ({ ...args, [key]: x });
  const typeLevel = (x: unknown): { args: unknown; expect: Expect } => ({ args: set(x), expect: { argument: argName(key), mayPass: false } });
  switch (m) {
    case "none": return { args, expect: { mayPass: true } };
    case "symbol": return key ? typeLevel(Symbol("bad")) : { args, expect: { mayPass: true } };
    case "bigint": return key ? typeLevel(7n) : { args, expect: { mayPass: true } };
    case "cyclic": return key ? typeLevel(cyclic()) : { args, expect: { mayPass: true } };
    case "proxy":
      if (!key) return { args, expect: { mayPass: true } };
      // A Proxy over a plain array behaves as the array (it is read element by element); over a
      // typed array it is not one (no internal slot): WRONG_TYPE.
      if (Array.isArray(v)) return { args: set(new Proxy(v, {})), expect: { mayPass: true } };
      // So does a Proxy over a record or a state object (references, band targets, RunningStats):
      // nothing tells it apart, and it is read and written through as the object itself.
      if (typeof v === "object" && v !== null && !isTyped(v)) return { args: set(new Proxy(v, {})), expect: { mayPass: true } };
      return typeLevel(typeof v === "object" && v !== null ? new Proxy(v, {}) : new Proxy({}, {}));
    case "getter":
      if (!key || positional) return { args, expect: { mayPass: true } };
      return { args: throwingGetter(args, key), expect: { argument: argName(key), mayPass: false } };
    case "wrongKind":
      if (!isTyped(v)) return { args, expect: { mayPass: true } };
      // A kind no input accepts (a mask may be Uint8Array or Float32Array; moments are Float64Array).
      return typeLevel(v instanceof Float64Array ? new Int16Array(v.length) : v instanceof Uint8Array ? new Uint16Array(v.length)
        : v instanceof Int32Array ? new Uint32Array(v.length) : new Float64Array((v as ArrayLike<number>).length));
    case "elementSymbol":
      if (!Array.isArray(v) || v.length === 0) return { args, expect: { mayPass: true } };
      return { args: set(v.map((x, k) => (k === pick2 % v.length ? Symbol("el") : x))), expect: { argument: argName(key), mayPass: false } };
    case "nonFinite": {
      if (!(v instanceof Float32Array || v instanceof Float64Array) || v.length === 0) return { args, expect: { mayPass: true } };
      const j = pick2 % v.length, c = v.slice();
      c[j] = [NaN, Infinity, -Infinity][pick2 % 3]!;
      return { args: set(c), expect: { argument: argName(key), code: "NON_FINITE", index: j, mayPass: true } };
    }
    case "shorter":
      if (!isTyped(v) || (v as ArrayLike<number>).length === 0) return { args, expect: { mayPass: true } };
      return { args: set((v as Float32Array).slice(0, (v as ArrayLike<number>).length - 1)), expect: { mayPass: true } };
    case "badNumber":
      if (typeof v !== "number") return { args, expect: { mayPass: true } };
      return { args: set(BAD_NUMBERS[pick2 % BAD_NUMBERS.length]), expect: { mayPass: true } };
    case "protoEnum":
      if (typeof v !== "string") return { args, expect: { mayPass: true } };
      return { args: set(PROTO[pick2 % PROTO.length]), expect: { argument: argName(key), code: "UNKNOWN_OPTION", mayPass: false } };
    case "unknownKey":
      if (positional) return { args, expect: { mayPass: true } };
      return { args: { ...args, [["widht", "toString", "__proto__", "constructor", "epss"][pick2 % 5]!]: 1 }, expect: { code: "UNKNOWN_OPTION", mayPass: false } };
    case "maskByte": {
      if (!(v instanceof Uint8Array) || v.length === 0) return { args, expect: { mayPass: true } };
      const j = pick2 % v.length, c = v.slice();
      c[j] = 2 + (pick2 % 254);
      return { args: set(c), expect: { argument: argName(key), code: "MASK_NOT_BINARY", index: j, mayPass: true } };
    }
    case "badInt": {
      if (!(v instanceof Int32Array) || v.length === 0) return { args, expect: { mayPass: true } };
      const j = pick2 % v.length, c = v.slice();
      c[j] = [-1, 2 ** 31 - 1, 5e7, -(2 ** 31)][pick2 % 4]!;
      return { args: set(c), expect: { mayPass: true } };
    }
    case "wholeArgs":
      if (positional) return { args, expect: { mayPass: true } };
      return { args: WHOLE[pick2 % WHOLE.length]!(), expect: { code: "WRONG_TYPE", mayPass: false } };
    default: return { args, expect: { mayPass: true } };
  }
}

/** Copies of every typed array (and array of numbers) reachable one level down, to check nothing was modified. */
function snapshot(args: unknown): [string, unknown, unknown[]][] {
  const out: [string, unknown, unknown[]][] = [];
  if (args === null || typeof args !== "object") return out;
  let keys: string[] = [];
  try { keys = Object.keys(args); } catch { return out; }
  for (const k of keys) {
    let v: unknown;
    try { v = (args as Record<string, unknown>)[k]; } catch { continue; }
    if (isTyped(v) || Array.isArray(v)) { try { out.push([k, v, Array.from(v as ArrayLike<unknown>)]); } catch { /* a proxy */ } }
  }
  return out;
}
function unchanged(snap: [string, unknown, unknown[]][]): string | null {
  for (const [k, v, copy] of snap) {
    let now: unknown[];
    try { now = Array.from(v as ArrayLike<unknown>); } catch { continue; }
    if (now.length !== copy.length) return `${k}: length changed`;
    for (let i = 0; i < copy.length; i++) if (!Object.is(now[i], copy[i])) return `${k}[${i}] changed from ${String(copy[i])} to ${String(now[i])}`;
  }
  return null;
}

/** The first NaN or Inf in a result (typed arrays and numbers, two levels deep), or null. */
export function nonFinite(r: unknown, allowNaN = false, depth = 0, negInf = false): string | null {
  const ok = (y: number) => Number.isFinite(y) || (allowNaN && Number.isNaN(y)) || (negInf && y === -Infinity);
  if (typeof r === "number") return ok(r) ? null : String(r);
  if (r === null || typeof r !== "object" || depth > 2) return null;
  if (r instanceof Float32Array || r instanceof Float64Array) {
    for (let i = 0; i < r.length; i++) if (!ok(r[i]!)) return `[${i}] = ${r[i]}`;
    return null;
  }
  if (isTyped(r)) return null;
  for (const [k, v] of Object.entries(r)) {
    if (k === "diagnostics") continue;
    const bad = nonFinite(v, allowNaN, depth + 1, negInf);
    if (bad) return `${k}${bad}`;
  }
  return null;
}

/** Checks a thrown value against the contract; returns the outcome or throws a failure. */
function judgeError(err: unknown, expect: Expect, what: string): Outcome {
  if (!lib.isRlaError(err)) throw new Error(`${what}: untyped error ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  if (!CODES.has(err.code)) throw new Error(`${what}: unknown code ${err.code}`);
  if (typeof err.argument !== "string" || err.argument === "") throw new Error(`${what}: argument ${String(err.argument)}`);
  if (!Number.isInteger(err.index) || err.index < -1) throw new Error(`${what}: index ${err.index}`);
  if (typeof err.message !== "string" || typeof String(err) !== "string") throw new Error(`${what}: message`);
  if (expect.code !== undefined && expect.mayPass === false && err.code !== expect.code && !(expect.code === "WRONG_TYPE" && err.code === "UNKNOWN_OPTION"))
    throw new Error(`${what}: expected ${expect.code}, got ${err.message}`);
  if (expect.argument !== undefined && !expect.mayPass && err.argument !== expect.argument)
    throw new Error(`${what}: the error names ${err.argument}, expected ${expect.argument}: ${err.message}`);
  if (expect.code !== undefined && expect.mayPass && err.code === expect.code && expect.index !== undefined
      && (err.argument !== expect.argument || err.index !== expect.index))
    throw new Error(`${what}: ${err.code} names ${err.argument}[${err.index}], expected ${expect.argument}[${expect.index}]: ${err.message}`);
  return err.code;
}

export function batchOf(c: Case): Batch { return makeBatch(c.n, c.G, c.T, c.family, c.seed, c.emptyRows); }

/** One copy-API (or engine-free) case. */
export function runCopyCase(api: RlAdvantage, entry: CopyEntry, c: Case): Outcome {
  const b = batchOf(c);
  if (entry.when && !entry.when(b)) return "skipped";
  const good = entry.args(b);
  const argName = (k: string) => entry.argName?.[k] ?? k;
  const m = mutate(good, c.mutation, c.pick, c.pick2, argName, entry.positional ?? false);
  const args = m.args, expect = entry.anyInput ? { mayPass: true } : m.expect;
  const snap = snapshot(args);
  const call = entry.call ?? ((a: RlAdvantage, _l: typeof lib, x: Record<string, unknown>) => (a as any)[entry.name](x));
  const what = `${entry.name} ${c.mutation}`;
  let outcome: Outcome;
  try {
    const r = call(api, lib, args as Record<string, unknown>);
    if (!expect.mayPass) throw new Error(`${what}: expected an error, got a result`);
    const bad = nonFinite(r, entry.allowNaN, 0, entry.negInf);
    if (bad) throw new Error(`${what}: non-finite result ${bad}`);
    outcome = "ok";
  } catch (err) {
    if (err instanceof Error && err.message.startsWith(what)) throw err;
    outcome = judgeError(err, expect, what);
  }
  const changed = unchanged(snap);
  if (changed) throw new Error(`${what}: input modified: ${changed}`);
  return outcome;
}

const SENTINEL = 1234.5;
function views(ws: Workspace, names: readonly string[]): Map<string, Float32Array | Uint8Array | Int32Array> {
  const m = new Map<string, Float32Array | Uint8Array | Int32Array>();
  for (const n of names) m.set(n, (ws as any)[n]);
  return m;
}
function runWs(ws: Workspace, entry: WsEntry, opts: unknown): unknown { return (ws as any)[entry.name](opts); }
function outputsOf(ws: Workspace, entry: WsEntry): Float32Array[] { return entry.outputs.map((n) => ((ws as any)[n] as Float32Array)); }

/** One workspace case: a planned workspace with guard bands, a good call, the mutated call, the good call again. */
export function runWsCase(api: RlAdvantage, entry: WsEntry, c: Case): Outcome {
  const b = batchOf(c);
  if (entry.when && !entry.when(b)) return "skipped";
  setGuardBands(64);
  let ws: Workspace;
  try { ws = api.createWorkspace(wsPlan(b, c.ids)); } finally { setGuardBands(0); }
  const what = `ws.${entry.name} ${c.mutation}`;
  try {
    wsFill(ws, b, c.ids);
    const inputNames = WS_INPUT_VIEWS.filter((n) => !entry.outputs.includes(n));
    const saved = new Map([...views(ws, WS_INPUT_VIEWS)].map(([n, v]) => [n, v.slice()]));
    const restore = () => { for (const [n, v] of saved) ((ws as any)[n] as Float32Array).set(v as Float32Array); };
    // The good call, for reference.
    let ref: Float32Array[] | string;
    try { runWs(ws, entry, entry.options(b)); ref = outputsOf(ws, entry).map((o) => o.slice()); } catch (err) { ref = judgeError(err, { mayPass: true }, `${what} (good call)`); }
    restore();

    let opts: unknown = entry.options(b), expect: Expect = { mayPass: true };
    const m = c.mutation;
    if (m === "viewNonFinite" || m === "viewMaskByte" || m === "viewGroupId") {
      const floatInputs = inputNames.filter((n) => ((ws as any)[n] instanceof Float32Array));
      if (m === "viewNonFinite") {
        const name = floatInputs[c.pick % floatInputs.length]!, v = (ws as any)[name] as Float32Array, j = c.pick2 % v.length;
        v[j] = [NaN, Infinity, -Infinity][c.pick2 % 3]!;
        expect = { argument: name, code: "NON_FINITE", index: j, mayPass: true };
      } else if (m === "viewMaskByte") {
        const j = c.pick2 % ws.mask.length;
        ws.mask[j] = 2 + (c.pick % 254);
        expect = { argument: "mask", code: "MASK_NOT_BINARY", index: j, mayPass: true };
      } else if (c.ids) {
        const j = c.pick2 % b.B;
        ws.groupIds[j] = [-1, b.G, 5e7, 2 ** 31 - 1][c.pick % 4]!;
        expect = { argument: "groupIds", code: "GROUP_ID_OUT_OF_RANGE", index: j, mayPass: true };
      }
    } else {
      const r = mutate(opts as Record<string, unknown>, m, c.pick, c.pick2, (k) => k, false);
      opts = r.args; expect = r.expect;
      if (m === "wholeArgs" && (opts === null || opts === undefined)) expect = { mayPass: true }; // null/undefined mean "no options"
    }
    const before = views(ws, inputNames);
    const inputsBefore = new Map([...before].map(([n, v]) => [n, v.slice()]));
    for (const o of outputsOf(ws, entry)) o.fill(SENTINEL);
    let outcome: Outcome;
    try {
      const r = runWs(ws, entry, opts);
      if (!expect.mayPass) throw new Error(`${what}: expected an error, got a result`);
      const bad = nonFinite(r, false) ?? outputsOf(ws, entry).map((o, k) => { const x = nonFinite(o); return x ? `${entry.outputs[k]}${x}` : null; }).find((x) => x) ?? null;
      if (bad && !(entry.name === "trlGroupAdvantage")) throw new Error(`${what}: non-finite output ${bad}`);
      outcome = "ok";
    } catch (err) {
      if (err instanceof Error && err.message.startsWith(what)) throw err;
      outcome = judgeError(err, expect, what);
      outputsOf(ws, entry).forEach((o, k) => {
        const allSentinel = o.every((x) => x === SENTINEL), allNaN = o.every((x) => Number.isNaN(x));
        if (!allSentinel && !allNaN) throw new Error(`${what}: output ${entry.outputs[k]} partly written after ${outcome}`);
      });
    }
    for (const [n, v] of inputsBefore) {
      if (entry.inPlace === n) continue;
      const now = (ws as any)[n] as Float32Array;
      for (let i = 0; i < v.length; i++) if (!Object.is(now[i], v[i])) throw new Error(`${what}: input view ${n}[${i}] modified`);
    }
    const guards = ws.guardViolations();
    if (guards.length) throw new Error(`${what}: guard band written after ${guards.join(", ")}`);
    // Still usable: the good call on the good inputs gives what it gave before.
    restore();
    try {
      runWs(ws, entry, entry.options(b));
      if (typeof ref === "string") throw new Error(`${what}: the good call now passes, it threw ${ref} before`);
      const now = outputsOf(ws, entry);
      ref.forEach((o, k) => { for (let i = 0; i < o.length; i++) if (!Object.is(o[i], now[k]![i])) throw new Error(`${what}: after the error, ${entry.outputs[k]}[${i}] = ${now[k]![i]}, was ${o[i]}`); });
    } catch (err) {
      if (err instanceof Error && err.message.startsWith(what)) throw err;
      if (typeof ref !== "string" || !lib.isRlaError(err) || err.code !== ref) throw new Error(`${what}: the workspace is not usable after the error: ${String(err)}`);
    }
    return outcome;
  } finally { ws.dispose(); }
}

export { COPY, WS };
export type { CopyEntry, WsEntry };
