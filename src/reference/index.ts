// The float64 oracle, exported for researchers who want to check a number by reading code.
export * from "./group.js";
export * from "./tokens.js";
export * from "./scan.js";
export * from "./pure.js";
export * from "./token.js";
export * from "./shape.js";
