export type * from "./candle-store.ts";
export type * from "./clock.ts";
export type * from "./model-store.ts";
export type * from "./worker-pool.ts";
