// What each strategy parameter means, in one line, for `kairos strategies show` (the zod schemas give
// type, default and bounds; this gives the words). A family's own entry wins over the shared one.

/** Shared meanings by parameter name */
const SHARED: Readonly<Record<string, string>> = {
  short: "go short (-1) when the signal is down instead of flat; needs a perpetual market",
  period: "bars in the indicator's window",
  entry: "a close above the highest high of this many prior bars enters",
  exit: "a close below the lowest low of this many prior bars exits",
  signal: "bars of the EMA of the MACD line (the signal line)",
  multiplier: "ATR multiple between the close and the trailing band",
  adxMin: "ADX floor: below it there is no trend and the family stays flat",
  k: "standard deviations between the middle band and the lower band",
  entryZ: "enter when the z-score of the close falls below minus this",
  exitZ: "leave when the z-score rises above minus this",
  levels: "grid levels below the anchor, each buying 1/levels of equity",
  spacing: "distance between grid levels, as a fraction of the anchor",
  anchor: "bars of the moving average the grid hangs from",
  every: "bars between two purchases",
  step: "fraction of the starting cash each purchase spends",
  takeProfit: "sell everything when the close is this fraction above the average cost (0: never)",
  targetVol: "annual volatility the exposure is scaled to (0.5 = 50% a year)",
  volLookback: "bars of realised volatility the scaling is measured on",
  regime:
    "which regime lets trades through: 0 = trend (close above its regimeLength-bar average), 1 = calm (realised volatility below its median)",
  regimeLength: "bars of the average (trend) or of the volatility median (calm) that defines the regime",
  lookback: "bars of return the symbols are ranked by",
  topK: "how many of the best-ranked symbols are held, 1/K of equity each",
  rebalance: "bars between two re-rankings",
  horizon: "bars ahead the model forecasts the sign of the return over",
  threshold: "long while the forecast up-probability is above this",
  retrainEvery: "bars between two refits of the model (on labels known at the refit bar)",
  trainWindow: "most recent bars each refit trains on",
};

/** Meanings that differ by family */
const BY_FAMILY: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "sma-cross": {
    fast: "bars of the fast simple moving average",
    slow: "bars of the slow simple moving average",
  },
  "ema-cross": {
    fast: "bars of the fast exponential moving average",
    slow: "bars of the slow exponential moving average",
  },
  macd: { fast: "bars of the fast EMA of the MACD line", slow: "bars of the slow EMA of the MACD line" },
  "rsi-reversion": {
    period: "bars of Wilder's RSI",
    lower: "buy when RSI falls below this (oversold)",
    upper: "sell when RSI rises above this (overbought)",
  },
  supertrend: { period: "bars of the ATR behind the band" },
  "adx-trend": { period: "bars of ADX and the directional indicators" },
  "bollinger-reversion": { period: "bars of the middle band (SMA) and of the standard deviation" },
  "zscore-reversion": { period: "bars of the rolling mean and standard deviation of the close" },
};

/** The meaning of `param` in `family` (wrappers such as vol-target(macd) fall back to the inner family) */
export function paramMeaning(family: string, param: string): string {
  const inner = /^[a-z-]+\((.+)\)$/.exec(family)?.[1];
  return (
    BY_FAMILY[family]?.[param] ??
    (inner === undefined ? undefined : BY_FAMILY[inner]?.[param]) ??
    SHARED[param] ??
    "no description recorded"
  );
}
