export * from "./candle-series.ts";
export * from "./random.ts";
export * from "./timeframe.ts";
