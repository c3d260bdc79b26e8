import type { CandleSeries } from "../../domain/candle-series.ts";

/** log2 of the block size used by every block summary (8 bars) */
export const BLOCK_SHIFT = 3;
export const BLOCK = 1 << BLOCK_SHIFT;

/** Allocates a Float64Array; the parallel path passes one backed by a SharedArrayBuffer */
export type F64Alloc = (n: number) => Float64Array;
export const heapAlloc: F64Alloc = (n) => new Float64Array(n);

/**
 * Per-series arrays every combination reads: the prices, prefix sums of close-to-close simple
 * returns (and their squares) for per-trade Sharpe sums, and per-block min/max of closes for
 * per-trade drawdown scans that skip blocks which cannot change the peak or the drawdown.
 */
export interface PreparedSeries {
  readonly n: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  /** p1[t] = sum over k in 1..t of (close_k / close_{k-1} - 1); p1[0] = 0 */
  readonly p1: Float64Array;
  /** p2[t] = sum over k in 1..t of that return squared */
  readonly p2: Float64Array;
  readonly closeMin: Float64Array;
  readonly closeMax: Float64Array;
}

/** Per-block min and max of `src` (a block holding a NaN gets -Inf/+Inf so it is never skipped) */
export function blockMinMax(src: Float64Array, min: Float64Array, max: Float64Array): void {
  const n = src.length;
  const blocks = (n + BLOCK - 1) >> BLOCK_SHIFT;
  for (let b = 0; b < blocks; b++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let nan = false;
    const end = Math.min(n, (b + 1) << BLOCK_SHIFT);
    for (let i = b << BLOCK_SHIFT; i < end; i++) {
      const v = src[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (v !== v) nan = true;
    }
    min[b] = nan ? Number.NEGATIVE_INFINITY : lo;
    max[b] = nan ? Number.POSITIVE_INFINITY : hi;
  }
}

export const blockCount = (n: number): number => (n + BLOCK - 1) >> BLOCK_SHIFT;

/** Builds the shared per-series arrays once; `alloc` decides where they live */
export function prepareSeries(series: CandleSeries, alloc: F64Alloc = heapAlloc): PreparedSeries {
  const n = series.close.length;
  const copy = (a: Float64Array): Float64Array => {
    const o = alloc(n);
    o.set(a);
    return o;
  };
  const close = copy(series.close);
  const p1 = alloc(n);
  const p2 = alloc(n);
  let s1 = 0;
  let s2 = 0;
  for (let t = 1; t < n; t++) {
    const r = close[t]! / close[t - 1]! - 1;
    s1 += r;
    s2 += r * r;
    p1[t] = s1;
    p2[t] = s2;
  }
  const nb = blockCount(n);
  const closeMin = alloc(nb);
  const closeMax = alloc(nb);
  blockMinMax(close, closeMin, closeMax);
  return {
    n,
    ts: copy(series.ts),
    open: copy(series.open),
    high: copy(series.high),
    low: copy(series.low),
    close,
    p1,
    p2,
    closeMin,
    closeMax,
  };
}
