// Public API of the indicators module: batch kernels (Float64Array in, same-length out, NaN warm-up,
// optional caller-provided outputs) and streaming classes (`XxxStream.update`) giving the same numbers.
// Where TA-Lib treats |x| < 1e-8 as zero we test for exact zero, so outputs stay scale invariant on
// low-priced coins. Running-sum kernels that match TA-Lib bit for bit (sma, stddev, bollinger, zscore,
// correlation, beta) keep TA-Lib's behaviour on NaN input: the NaN stays in the sum from that bar on.
export * from "./ad.ts";
export * from "./adx.ts";
export * from "./aroon.ts";
export * from "./atr.ts";
export * from "./awesome-oscillator.ts";
export * from "./bollinger.ts";
export * from "./cci.ts";
export * from "./cmf.ts";
export * from "./cmo.ts";
export * from "./correlation.ts";
export * from "./dema.ts";
export * from "./donchian.ts";
export * from "./ema.ts";
export * from "./force-index.ts";
export * from "./hma.ts";
export * from "./ichimoku.ts";
export * from "./kama.ts";
export * from "./keltner.ts";
export * from "./linreg-slope.ts";
export * from "./macd.ts";
export * from "./mfi.ts";
export * from "./momentum.ts";
export * from "./obv.ts";
export * from "./psar.ts";
export * from "./realized-volatility.ts";
export * from "./registry.ts";
export * from "./roc.ts";
export * from "./rolling-extrema.ts";
export * from "./rsi.ts";
export { SmaStream, sma } from "./sma.ts";
export * from "./stddev.ts";
export * from "./stoch-rsi.ts";
export * from "./stochastic.ts";
export * from "./supertrend.ts";
export * from "./tema.ts";
export * from "./trix.ts";
export * from "./true-range.ts";
export * from "./ultimate-oscillator.ts";
export * from "./vwap.ts";
export * from "./vwma.ts";
export * from "./williams-r.ts";
export * from "./wma.ts";
export * from "./zscore.ts";
