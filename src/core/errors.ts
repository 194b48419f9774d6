// Typed errors of docs/contracts.md#errors (docs/contracts.md#errors). Every error names the argument and the first
// offending index (-1 when no element is involved) and carries a stable `.code`.

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

export class RlaRangeError extends RangeError {
  readonly code: RlaErrorCode;
  readonly argument: string;
  readonly index: number;
  constructor(code: RlaErrorCode, argument: string, index: number, message: string) {
    super(text(code, argument, index, message));
    this.name = "RlaRangeError";
    this.code = code;
    this.argument = argument;
    this.index = index;
  }
}

export class RlaTypeError extends TypeError {
  readonly code: RlaErrorCode;
  readonly argument: string;
  readonly index: number;
  constructor(code: RlaErrorCode, argument: string, index: number, message: string) {
    super(text(code, argument, index, message));
    this.name = "RlaTypeError";
    this.code = code;
    this.argument = argument;
    this.index = index;
  }
}

export type RlaError = RlaRangeError | RlaTypeError;

export function isRlaError(e: unknown): e is RlaError {
  return e instanceof RlaRangeError || e instanceof RlaTypeError;
}

export const rangeError = (code: RlaErrorCode, argument: string, index: number, message: string): never => {
  throw new RlaRangeError(code, argument, index, message);
};

export const typeError = (code: RlaErrorCode, argument: string, index: number, message: string): never => {
  throw new RlaTypeError(code, argument, index, message);
};
