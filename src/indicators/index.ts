// Public API of the indicators module: batch kernels, streaming classes, the registry
export * from "./adx.ts";
export * from "./atr.ts";
export * from "./bollinger.ts";
export * from "./donchian.ts";
export * from "./ema.ts";
export * from "./macd.ts";
export * from "./rolling-extrema.ts";
export * from "./rsi.ts";
export { SmaStream, sma } from "./sma.ts";
export * from "./stddev.ts";
export * from "./true-range.ts";
export * from "./zscore.ts";
