import type { CandleSeries } from "../../domain/candle-series.ts";
import { timeframeMs } from "../../domain/timeframe.ts";

/**
 * Continues a series to `length` bars by repeating its sequence of bar-to-bar returns: each
 * repetition of bars 1..n-1 is scaled so its first bar's previous close is the last close so far,
 * so there is no price jump at a seam. Timestamps continue one timeframe apart.
 */
export function extendByReturns(series: CandleSeries, length: number): CandleSeries {
  const n = series.close.length;
  const out = {
    exchange: series.exchange,
    symbol: series.symbol,
    timeframe: series.timeframe,
    ts: new Float64Array(length),
    open: new Float64Array(length),
    high: new Float64Array(length),
    low: new Float64Array(length),
    close: new Float64Array(length),
    volume: new Float64Array(length),
  };
  const step = timeframeMs(series.timeframe);
  let scale = 1;
  for (let k = 0; k < length; k++) {
    let m = k;
    if (k >= n) {
      m = 1 + ((k - n) % (n - 1));
      // a new repetition starts: rescale so bar m's previous close meets the last close so far
      if (m === 1) scale = out.close[k - 1]! / series.close[0]!;
    }
    const s = k < n ? 1 : scale;
    out.ts[k] = k < n ? series.ts[k]! : out.ts[k - 1]! + step;
    out.open[k] = series.open[m]! * s;
    out.high[k] = series.high[m]! * s;
    out.low[k] = series.low[m]! * s;
    out.close[k] = series.close[m]! * s;
    out.volume[k] = series.volume[m]!;
  }
  return out;
}
