// Typed errors of docs/contracts.md#errors (docs/contracts.md#errors). Every error names the argument and the first
// offending index (-1 when no element is involved) and carries a stable `.code`.

/** The stable error codes (docs/contracts.md#errors). */
export type RlaErrorCode =
  | "WRONG_TYPE" | "STALE_VIEW" | "SHAPE_MISMATCH" | "BAD_OFFSETS" | "GROUP_ID_OUT_OF_RANGE"
  | "GROUP_SIZE_INVALID" | "MASK_NOT_BINARY" | "PARAM_OUT_OF_RANGE" | "UNKNOWN_OPTION"
  | "NON_FINITE" | "EMPTY_ROW" | "TOO_FEW_VALID" | "GROUP_TOO_SMALL" | "DOMAIN"
  | "RESULT_OVERFLOW" | "ALIAS" | "CAPACITY";

// Only strings and numbers reach here (callers format values with safe.ts), but a message must
// never be the thing that throws.
function text(code: string, argument: string, index: number, message: string): string {
  return `${code}: ${String(argument)}${index >= 0 ? `[${index}]` : ""}: ${String(message)}`;
}

/** A typed RangeError: a value, shape, structure or result out of range (every code but WRONG_TYPE and STALE_VIEW). */
export class RlaRangeError extends RangeError {
  /** The stable error code. */
  readonly code: RlaErrorCode;
  /** The input or option at fault, as the caller spelled it (in a workspace: the view filled). */
  readonly argument: string;
  /** The flat index of the first offending element, the first row of an offending group, or -1. */
  readonly index: number;
  /** Builds the error; the message starts with `CODE: argument[index]:`. */
  constructor(code: RlaErrorCode, argument: string, index: number, message: string) {
    super(text(code, argument, index, message));
    this.name = "RlaRangeError";
    this.code = code;
    this.argument = argument;
    this.index = index;
  }
}

/** A typed TypeError: the wrong kind of value (WRONG_TYPE) or a stale view (STALE_VIEW). */
export class RlaTypeError extends TypeError {
  /** The stable error code. */
  readonly code: RlaErrorCode;
  /** The input or option at fault, as the caller spelled it (in a workspace: the view filled). */
  readonly argument: string;
  /** The flat index of the first offending element, or -1. */
  readonly index: number;
  /** Builds the error; the message starts with `CODE: argument[index]:`. */
  constructor(code: RlaErrorCode, argument: string, index: number, message: string) {
    super(text(code, argument, index, message));
    this.name = "RlaTypeError";
    this.code = code;
    this.argument = argument;
    this.index = index;
  }
}

/** Either typed error. */
export type RlaError = RlaRangeError | RlaTypeError;

/** True for the library's typed errors. */
export function isRlaError(e: unknown): e is RlaError {
  return e instanceof RlaRangeError || e instanceof RlaTypeError;
}

export const rangeError = (code: RlaErrorCode, argument: string, index: number, message: string): never => {
  throw new RlaRangeError(code, argument, index, message);
};

export const typeError = (code: RlaErrorCode, argument: string, index: number, message: string): never => {
  throw new RlaTypeError(code, argument, index, message);
};
