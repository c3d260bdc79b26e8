import type { CandleSeries } from "../../domain/candle-series.ts";
import {
  blockCount,
  blockMinMax,
  type F64Alloc,
  heapAlloc,
  superCount,
  superMinMax,
} from "../../indicators/cache/block-summary.ts";

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
  /** the same per super block of 64 bars */
  readonly closeMin64: Float64Array;
  readonly closeMax64: Float64Array;
}

/**
 * p1/p2 of PreparedSeries. Its own function: prepareSeries calls a different allocator per sweep
 * mode, and V8 deoptimised it on that call every sweep, finishing this 100k-bar loop unoptimised.
 */
function prefixReturns(close: Float64Array, p1: Float64Array, p2: Float64Array): void {
  const n = close.length;
  // written, not assumed: the allocator may hand out a reused, non-zeroed buffer
  if (n > 0) {
    p1[0] = 0;
    p2[0] = 0;
  }
  let s1 = 0;
  let s2 = 0;
  for (let t = 1; t < n; t++) {
    const r = close[t]! / close[t - 1]! - 1;
    s1 += r;
    s2 += r * r;
    p1[t] = s1;
    p2[t] = s2;
  }
}

/** Builds the shared per-series arrays once; `alloc` decides where they live */
export function prepareSeries(series: CandleSeries, alloc: F64Alloc = heapAlloc): PreparedSeries {
  const n = series.close.length;
  // on the heap the caller's arrays are read in place; shared memory needs a copy
  const copy = (a: Float64Array): Float64Array => {
    if (alloc === heapAlloc) return a;
    const o = alloc(n);
    o.set(a);
    return o;
  };
  const close = copy(series.close);
  const p1 = alloc(n);
  const p2 = alloc(n);
  prefixReturns(close, p1, p2);
  const nb = blockCount(n);
  const closeMin = alloc(nb);
  const closeMax = alloc(nb);
  blockMinMax(close, closeMin, closeMax);
  const closeMin64 = alloc(superCount(n));
  const closeMax64 = alloc(superCount(n));
  superMinMax(closeMin, closeMax, closeMin64, closeMax64);
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
    closeMin64,
    closeMax64,
  };
}
