// Every kernel takes raw pointers into this module's memory and allocates nothing: the JS side
// owns the layout of linear memory (see src/core/memory.ts).
export * from "./token/mask";
export * from "./token/check";
export * from "./token/row_sum";
export * from "./token/broadcast";

export function heap_base(): usize { return __heap_base; }
export function simd_build(): i32 { return ASC_FEATURE_SIMD ? 1 : 0; }
export * from "./group/stats";
export * from "./scan/whiten";
export * from "./scan/returns";
export * from "./scan/remax";
export * from "./group/center";
export * from "./token/kl";
export * from "./scan/gae";
export * from "./scan/pure";
export * from "./token/rerank";
export * from "./token/place";
export * from "./scan/prime";
export * from "./token/likelihood";
export * from "./group/passk";
export * from "./group/bnpo";
export * from "./group/trl";
export * from "./group/opo";
export * from "./shape/par";
export * from "./shape/length";
export * from "./shape/guig2";
export * from "./shape/bco";
export * from "./shape/group";
export * from "./shape/rover";
