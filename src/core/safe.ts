// Input safety for every entry point: formatting any value for an error message without throwing
// (Symbol, BigInt, Proxy, cyclic objects, getters that throw), and reading option objects by their
// own keys only, so "toString" or "__proto__" is never mistaken for a known option.
import { rangeError, typeError } from "./errors.js";

const TA_TAG = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag)!.get!;

/**
 * The typed-array kind of `v` ("Float32Array", ...) read from its internal slot, or undefined.
 * Unlike `instanceof`, a Proxy or an object that merely inherits from Float32Array.prototype is
 * not a typed array here, so reading `.length` or elements afterwards cannot throw.
 */
export function typedArrayKind(v: unknown): string | undefined {
  return TA_TAG.call(v) as string | undefined;
}

/** Array.isArray that answers false for a revoked Proxy instead of throwing. */
export function isArraySafe(v: unknown): boolean {
  try { return Array.isArray(v); } catch { return false; } // a revoked Proxy throws
}

/** A short description of any value; never throws, never calls user code. */
export function show(v: unknown): string {
  switch (typeof v) {
    case "number": return Object.is(v, -0) ? "-0" : String(v);
    case "string": return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v);
    case "bigint": return `${v}n (a BigInt)`;
    case "symbol": return v.description === undefined ? "Symbol()" : `Symbol(${JSON.stringify(v.description)})`;
    case "undefined": return "undefined";
    case "boolean": return String(v);
    case "function": return "a function";
    default: {
      if (v === null) return "null";
      const ta = typedArrayKind(v);
      if (ta !== undefined) return `${ta}(${(v as ArrayLike<unknown>).length})`;
      if (v instanceof ArrayBuffer) return "an ArrayBuffer";
      return isArraySafe(v) ? "an array" : "an object";
    }
  }
}

/** Like `show`, but a string or number appears as itself (for message templates). */
function part(v: unknown): string {
  return typeof v === "string" ? v : show(v);
}

/** Tagged template for error messages: every interpolated value goes through `show`. */
export function msg(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0]!;
  for (let k = 0; k < values.length; k++) out += part(values[k]) + strings[k + 1]!;
  return out;
}

/**
 * A snapshot of an options object: its own enumerable string keys and their values, read once
 * (a getter runs once; one that throws is WRONG_TYPE naming its key). With `allowed`, any other
 * key is UNKNOWN_OPTION. Symbol keys are always UNKNOWN_OPTION. The result has no prototype.
 */
export function ownOptions(obj: unknown, argName: string, allowed?: readonly string[]): Record<string, unknown> {
  if (obj === null || typeof obj !== "object" || typedArrayKind(obj) !== undefined || isArraySafe(obj))
    typeError("WRONG_TYPE", argName, -1, msg`must be an options object, got ${obj}`);
  let keys: (string | symbol)[];
  try { keys = Reflect.ownKeys(obj as object); } catch { return typeError("WRONG_TYPE", argName, -1, "its keys cannot be read (a Proxy that throws?)"); }
  const out: Record<string, unknown> = Object.create(null);
  for (const key of keys) {
    let desc: PropertyDescriptor | undefined;
    try { desc = Reflect.getOwnPropertyDescriptor(obj as object, key); } catch { typeError("WRONG_TYPE", argName, -1, msg`the property ${key} cannot be read`); }
    if (!desc || !desc.enumerable) continue;
    if (typeof key === "symbol") rangeError("UNKNOWN_OPTION", argName, -1, msg`unknown key ${key}`);
    const name = key as string;
    if (allowed && !allowed.includes(name)) rangeError("UNKNOWN_OPTION", name, -1, msg`${argName} has no key ${show(name)}; expected one of ${allowed.join(", ")}`);
    let value: unknown;
    try { value = desc!.get ? Reflect.get(obj as object, key) : desc!.value; } catch { typeError("WRONG_TYPE", name, -1, "its getter threw"); }
    out[name] = value;
  }
  return out;
}

/**
 * A nested record argument (references, band targets, base scores): like ownOptions, but a key it
 * does not have is an error that names the record, since the record is what the caller got wrong.
 */
export function ownRecord(obj: unknown, name: string, allowed: readonly string[], required: readonly string[] = []): Record<string, unknown> {
  if (obj === null || typeof obj !== "object" || typedArrayKind(obj) !== undefined || isArraySafe(obj))
    typeError("WRONG_TYPE", name, -1, msg`must be an object with ${allowed.join(", ")}, got ${obj}`);
  let keys: (string | symbol)[];
  try { keys = Reflect.ownKeys(obj as object); } catch { return typeError("WRONG_TYPE", name, -1, "its keys cannot be read (a Proxy that throws?)"); }
  for (const k of keys) if (typeof k === "symbol" || !allowed.includes(k))
    rangeError("UNKNOWN_OPTION", name, -1, msg`has no key ${typeof k === "symbol" ? k.toString() : k}; expected ${allowed.join(", ")}`);
  const out: Record<string, unknown> = Object.create(null);
  for (const k of keys as string[]) {
    let desc: PropertyDescriptor | undefined;
    try { desc = Reflect.getOwnPropertyDescriptor(obj as object, k); } catch { typeError("WRONG_TYPE", `${name}.${k}`, -1, "cannot be read"); }
    if (!desc || !desc.enumerable) continue;
    try { out[k] = desc!.get ? Reflect.get(obj as object, k) : desc!.value; } catch { typeError("WRONG_TYPE", `${name}.${k}`, -1, "its getter threw"); }
  }
  for (const k of required) if (out[k] === undefined) typeError("WRONG_TYPE", name, -1, msg`needs the key ${k}`);
  return out;
}

/** A plain copy of an array argument, element by element (WRONG_TYPE when it is not an array). */
export function ownArray(v: unknown, name: string): unknown[] {
  if (!isArraySafe(v)) typeError("WRONG_TYPE", name, -1, msg`must be an array, got ${v}`);
  let n: number;
  try { n = (v as unknown[]).length; } catch { return typeError("WRONG_TYPE", name, -1, "its length cannot be read"); }
  const out = new Array<unknown>(n);
  for (let k = 0; k < n; k++) {
    try { out[k] = (v as unknown[])[k]; } catch { typeError("WRONG_TYPE", name, k, "an element cannot be read"); }
  }
  return out;
}

/** An enum value, matched exactly against the list (UNKNOWN_OPTION otherwise). */
export function checkEnum<V extends string>(name: string, v: unknown, values: readonly V[], index = -1): V {
  if (typeof v !== "string" || !(values as readonly string[]).includes(v))
    rangeError("UNKNOWN_OPTION", name, index, msg`unknown value ${show(v)}; expected one of ${values.join(", ")}`);
  return v as V;
}

/**
 * A list of numbers given as a Float32Array, a Float64Array or a plain array (WRONG_TYPE
 * otherwise, or for an element that is not a number, with its index). Elements are read once.
 */
export function numberList(v: unknown, name: string): { values: number[]; f32: boolean } {
  const kind = typedArrayKind(v);
  if (kind === "Float32Array" || kind === "Float64Array") return { values: Array.from(v as Float32Array), f32: kind === "Float32Array" };
  if (kind !== undefined || !isArraySafe(v)) typeError("WRONG_TYPE", name, -1, msg`must be a Float32Array or an array of numbers, got ${v}`);
  const xs = ownArray(v, name);
  xs.forEach((x, k) => { if (typeof x !== "number") typeError("WRONG_TYPE", name, k, msg`must be a number, got ${x}`); });
  return { values: xs as number[], f32: false };
}

/** NON_FINITE naming `name` and the element's index, for parameter lists such as weights. */
export function checkFiniteList(name: string, xs: readonly number[]): void {
  xs.forEach((x, k) => { if (!Number.isFinite(x)) rangeError("NON_FINITE", name, k, msg`must be finite, got ${x}`); });
}
