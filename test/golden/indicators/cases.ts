// The golden cases: which indicator, with which parameters, against which independent reference
export interface GoldenCase {
  /** registry name */
  indicator: string;
  params: Record<string, number | string>;
  /** registry output compared */
  output: string;
  /** where the reference values come from */
  reference: string;
  /**
   * First bar compared. After the warm-up by default; later where the reference seeds a recursive
   * smoothing differently (trading-signals' EMA/ATR), so the seeds' effect (≤ 0.9^300) is gone.
   */
  from?: number;
}

const talib = (
  indicator: string,
  params: Record<string, number | string>,
  outputs: Record<string, string>,
): GoldenCase[] =>
  Object.entries(outputs).map(([output, fn]) => ({ indicator, params, output, reference: `talib ${fn}` }));

export const CONVERGED = 300;

export const CASES: GoldenCase[] = [
  ...talib("sma", { period: 20 }, { value: "SMA" }),
  ...talib("sma", { period: 200 }, { value: "SMA" }),
  ...talib("ema", { period: 20 }, { value: "EMA" }),
  ...talib("ema", { period: 50, source: "hlc3" }, { value: "EMA" }),
  ...talib("wma", { period: 20 }, { value: "WMA" }),
  ...talib("dema", { period: 20 }, { value: "DEMA" }),
  ...talib("tema", { period: 20 }, { value: "TEMA" }),
  ...talib("kama", { period: 30 }, { value: "KAMA" }),
  ...talib("kama", { period: 10 }, { value: "KAMA" }),
  ...talib("macd", {}, { macd: "MACD", signal: "MACD", hist: "MACD" }),
  ...talib("macd", { fast: 5, slow: 35, signal: 5 }, { macd: "MACD", signal: "MACD", hist: "MACD" }),
  ...talib("adx", { period: 14 }, { adx: "ADX", plusDi: "PLUS_DI", minusDi: "MINUS_DI" }),
  ...talib("aroon", { period: 14 }, { up: "AROON", down: "AROON", oscillator: "AROONOSC" }),
  ...talib("psar", {}, { value: "SAR" }),
  ...talib("psar", { acceleration: 0.01, maximum: 0.1 }, { value: "SAR" }),
  ...talib("linreg-slope", { period: 14 }, { value: "LINEARREG_SLOPE" }),
  ...talib("rsi", { period: 14 }, { value: "RSI" }),
  ...talib("rsi", { period: 2 }, { value: "RSI" }),
  ...talib("roc", { period: 10 }, { value: "ROC" }),
  ...talib("momentum", { period: 10 }, { value: "MOM" }),
  ...talib("trix", { period: 18 }, { value: "TRIX" }),
  ...talib("cmo", { period: 14 }, { value: "CMO" }),
  ...talib("cci", { period: 20 }, { value: "CCI" }),
  ...talib("williams-r", { period: 14 }, { value: "WILLR" }),
  ...talib("mfi", { period: 14 }, { value: "MFI" }),
  ...talib("stochastic", {}, { k: "STOCH", d: "STOCH" }),
  ...talib("stochastic", { kPeriod: 5, kSmooth: 1, dPeriod: 3 }, { k: "STOCH", d: "STOCH" }),
  ...talib("stoch-rsi", {}, { k: "STOCHRSI", d: "STOCHRSI" }),
  ...talib("ultimate-oscillator", {}, { value: "ULTOSC" }),
  ...talib("atr", { period: 14 }, { value: "ATR" }),
  ...talib("natr", { period: 14 }, { value: "NATR" }),
  ...talib("true-range", {}, { value: "TRANGE" }),
  ...talib(
    "bollinger",
    { period: 20, k: 2 },
    { upper: "BBANDS", middle: "BBANDS", lower: "BBANDS", percentB: "BBANDS", bandwidth: "BBANDS" },
  ),
  ...talib("bollinger", { period: 10, k: 1.5 }, { upper: "BBANDS", lower: "BBANDS", percentB: "BBANDS" }),
  ...talib("stddev", { period: 20 }, { value: "STDDEV" }),
  ...talib("obv", {}, { value: "OBV" }),
  ...talib("ad", {}, { value: "AD" }),
  ...talib("rolling-max", { period: 20 }, { value: "MAX" }),
  ...talib("rolling-min", { period: 20 }, { value: "MIN" }),
  ...talib("donchian", { period: 20 }, { upper: "MAX", lower: "MIN", middle: "MAX+MIN" }),
  ...talib("correlation", { period: 30 }, { value: "CORREL" }),
  ...talib("beta", { period: 5 }, { value: "BETA" }),
  { indicator: "hma", params: { period: 20 }, output: "value", reference: "trading-signals HMA" },
  { indicator: "hma", params: { period: 9 }, output: "value", reference: "@ixjb94/indicators hma" },
  { indicator: "vwma", params: { period: 20 }, output: "value", reference: "trading-signals VWMA" },
  ...["supertrend", "direction"].map((output) => ({
    indicator: "supertrend",
    params: { period: 10, multiplier: 3 },
    output,
    reference: "trading-signals SuperTrend",
    from: CONVERGED,
  })),
  ...["tenkan", "kijun", "spanA", "spanB"].map((output) => ({
    indicator: "ichimoku",
    params: {},
    output,
    reference: "trading-signals IchimokuCloud",
  })),
  ...["upper", "middle", "lower"].map((output) => ({
    indicator: "keltner",
    params: {},
    output,
    reference: "trading-signals KeltnerChannels",
    from: CONVERGED,
  })),
  { indicator: "awesome-oscillator", params: {}, output: "value", reference: "trading-signals AO" },
  { indicator: "vwap", params: {}, output: "value", reference: "trading-signals VWAP, restarted each UTC day" },
  { indicator: "rolling-vwap", params: { period: 20 }, output: "value", reference: "@ixjb94/indicators vwap" },
  { indicator: "cmf", params: { period: 20 }, output: "value", reference: "trading-signals CMF" },
  { indicator: "force-index", params: { period: 13 }, output: "value", reference: "trading-signals ForceIndex", from: CONVERGED },
  { indicator: "zscore", params: { period: 20 }, output: "value", reference: "trading-signals getZScore" },
  { indicator: "realized-volatility", params: { period: 20 }, output: "value", reference: "pandas" },
  { indicator: "parkinson-volatility", params: { period: 20 }, output: "value", reference: "pandas" },
  { indicator: "garman-klass-volatility", params: { period: 20 }, output: "value", reference: "pandas" },
];

/** The bundled series the golden files are made from: all of BTC 1d, the last HOURLY_BARS of 1h */
export const HOURLY_BARS = 2000;
export const DATASETS = [
  { key: "btc-1d", exchange: "binance", symbol: "BTC/USDT", timeframe: "1d" as const, last: 0 },
  { key: "btc-1h", exchange: "binance", symbol: "BTC/USDT", timeframe: "1h" as const, last: HOURLY_BARS },
];
