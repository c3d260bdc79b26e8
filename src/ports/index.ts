export type * from "./candle-store.ts";
export type * from "./clock.ts";
export type * from "./data-files.ts";
export type * from "./funding-store.ts";
export type * from "./market-data-source.ts";
export type * from "./model-store.ts";
export type * from "./tensor-backend.ts";
export type * from "./worker-pool.ts";
