import type { Timeframe } from "./timeframe.ts";

/**
 * OHLCV candles as a struct of arrays. `ts` is the candle's open time in epoch ms, UTC.
 * Never an array of candle objects on a hot path.
 */
export interface CandleSeries {
  readonly exchange: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** The six columns of a series without its identity: reusable buffers a store can read into */
export type CandleColumns = Pick<CandleSeries, "ts" | "open" | "high" | "low" | "close" | "volume">;

/** One bar, for streaming indicators and live code */
export interface Bar {
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export const seriesLength = (s: CandleSeries): number => s.ts.length;

/** The bar at index i as an object (not for hot loops) */
export function barAt(s: CandleSeries, i: number): Bar {
  return {
    ts: s.ts[i]!,
    open: s.open[i]!,
    high: s.high[i]!,
    low: s.low[i]!,
    close: s.close[i]!,
    volume: s.volume[i]!,
  };
}

/** A view of bars [from, to) sharing memory with the original */
export function sliceSeries(s: CandleSeries, from: number, to: number = s.ts.length): CandleSeries {
  return {
    exchange: s.exchange,
    symbol: s.symbol,
    timeframe: s.timeframe,
    ts: s.ts.subarray(from, to),
    open: s.open.subarray(from, to),
    high: s.high.subarray(from, to),
    low: s.low.subarray(from, to),
    close: s.close.subarray(from, to),
    volume: s.volume.subarray(from, to),
  };
}

/** A view of the bars opened between `fromTs` and `toTs`, both included (a stored run's own bars) */
export function sliceSeriesByTime(s: CandleSeries, fromTs: number, toTs: number): CandleSeries {
  let a = 0;
  while (a < s.ts.length && s.ts[a]! < fromTs) a++;
  let b = s.ts.length;
  while (b > a && s.ts[b - 1]! > toTs) b--;
  return sliceSeries(s, a, b);
}

/** Six zeroed columns of n bars */
export function allocColumns(n: number): CandleColumns {
  return {
    ts: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
}

/** Allocates an empty series of n bars */
export function allocSeries(
  meta: { exchange: string; symbol: string; timeframe: Timeframe },
  n: number,
): CandleSeries {
  return { ...meta, ...allocColumns(n) };
}
