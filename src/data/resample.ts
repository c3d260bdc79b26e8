import { allocSeries, type CandleSeries, sliceSeries } from "../domain/candle-series.ts";
import { type Timeframe, timeframeMs } from "../domain/timeframe.ts";
import { invalidInput } from "../errors.ts";
import { alignOffset } from "./validate-candles.ts";

export interface ResampleResult {
  series: CandleSeries;
  /** buckets kept although some source candles inside them are missing (real exchange gaps) */
  partial: number;
  /** a leading bucket whose first candle is missing (its open would be wrong) or a trailing bucket
   * whose last candle is missing (it may not have closed): dropped, with how many source rows */
  dropped: { position: "first" | "last"; bucket: number; rows: number }[];
}

/**
 * Aggregates candles into a coarser timeframe (open first, high max, low min, close last, volume
 * sum). Buckets are aligned to UTC (weeks to Mondays). Sorted, aligned input is assumed (the store
 * guarantees it). The target must be a whole multiple of the source timeframe.
 */
export function resampleCandles(src: CandleSeries, to: Timeframe): ResampleResult {
  const srcMs = timeframeMs(src.timeframe);
  const dstMs = timeframeMs(to);
  if (dstMs <= srcMs || dstMs % srcMs !== 0) {
    throw invalidInput(
      `cannot resample ${src.timeframe} to ${to}: the target must be a whole multiple of ${src.timeframe}`,
    );
  }
  const off = alignOffset(dstMs);
  const per = dstMs / srcMs;
  const n = src.ts.length;
  const out = allocSeries({ exchange: src.exchange, symbol: src.symbol, timeframe: to }, n);
  let k = 0;
  let partial = 0;
  const dropped: ResampleResult["dropped"] = [];
  let i = 0;
  while (i < n) {
    const bucket = Math.floor((src.ts[i]! - off) / dstMs) * dstMs + off;
    const end = bucket + dstMs;
    let hi = src.high[i]!;
    let lo = src.low[i]!;
    let vol = 0;
    let j = i;
    for (; j < n && src.ts[j]! < end; j++) {
      const h = src.high[j]!;
      const l = src.low[j]!;
      if (h > hi) hi = h;
      if (l < lo) lo = l;
      vol += src.volume[j]!;
    }
    const rows = j - i;
    const startsOnTime = src.ts[i] === bucket;
    const endsOnTime = src.ts[j - 1] === end - srcMs;
    if (i === 0 && !startsOnTime) dropped.push({ position: "first", bucket, rows });
    else if (j === n && !endsOnTime) dropped.push({ position: "last", bucket, rows });
    else {
      if (rows < per) partial++;
      out.ts[k] = bucket;
      out.open[k] = src.open[i]!;
      out.high[k] = hi;
      out.low[k] = lo;
      out.close[k] = src.close[j - 1]!;
      out.volume[k] = vol;
      k++;
    }
    i = j;
  }
  return { series: sliceSeries(out, 0, k), partial, dropped };
}
