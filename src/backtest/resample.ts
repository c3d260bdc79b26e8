import { allocSeries, type CandleSeries, sliceSeries } from "../domain/candle-series.ts";
import { type Timeframe, timeframeMs } from "../domain/timeframe.ts";

// weekly candles open on Monday 00:00 UTC; the epoch fell on a Thursday
const WEEK_OFFSET = 4 * 86_400_000;

/**
 * Higher-timeframe bars built from base bars, plus for each base bar how many of them had closed
 * by that base bar's close. A higher bar counts as closed only once its whole period has passed.
 */
export interface Resampled {
  series: CandleSeries;
  /** closedBy[t] = number of higher bars closed at base bar t's close */
  closedBy: Int32Array;
}

export function resample(base: CandleSeries, to: Timeframe): Resampled {
  const hm = timeframeMs(to);
  const bm = timeframeMs(base.timeframe);
  const n = base.ts.length;
  const offset = to === "1w" ? WEEK_OFFSET : 0;
  const bucketOf = (ts: number): number => Math.floor((ts - offset) / hm) * hm + offset;
  let count = 0;
  let last = Number.NaN;
  for (let i = 0; i < n; i++) {
    const b = bucketOf(base.ts[i]!);
    if (b !== last) {
      count++;
      last = b;
    }
  }
  const out = allocSeries({ exchange: base.exchange, symbol: base.symbol, timeframe: to }, count);
  let k = -1;
  last = Number.NaN;
  for (let i = 0; i < n; i++) {
    const b = bucketOf(base.ts[i]!);
    if (b !== last) {
      k++;
      last = b;
      out.ts[k] = b;
      out.open[k] = base.open[i]!;
      out.high[k] = base.high[i]!;
      out.low[k] = base.low[i]!;
      out.volume[k] = 0;
    }
    if (base.high[i]! > out.high[k]!) out.high[k] = base.high[i]!;
    if (base.low[i]! < out.low[k]!) out.low[k] = base.low[i]!;
    out.close[k] = base.close[i]!;
    out.volume[k] = out.volume[k]! + base.volume[i]!;
  }
  const closedBy = new Int32Array(n);
  let c = 0;
  for (let i = 0; i < n; i++) {
    const closeTime = base.ts[i]! + bm;
    while (c < count && out.ts[c]! + hm <= closeTime) c++;
    closedBy[i] = c;
  }
  return { series: out, closedBy };
}

/** The closed higher bars visible at base bar t */
export const closedHigher = (r: Resampled, t: number): CandleSeries =>
  sliceSeries(r.series, 0, r.closedBy[t]!);
