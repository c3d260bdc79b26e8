import type { CandleSeries } from "../domain/candle-series.ts";
import { timeframeMs } from "../domain/timeframe.ts";

/** Computes a family's exposure array for a series (the StrategyFamily `exposures` form) */
export type ExposureFn = (series: CandleSeries) => Float64Array;

/**
 * The nearest next close (within +-50%) at which the exposure decided at that next bar differs
 * from the current one, found by a scan then bisection. The hypothetical bar opens at the last
 * close and trades straight to the new close.
 */
export function findFlip(
  series: CandleSeries,
  exposures: ExposureFn,
): { direction: "above" | "below"; price: number; exposureAfter: number } | null {
  const n = series.close.length;
  if (n < 2) return null;
  const last = series.close[n - 1]!;
  const current = exposures(series)[n - 1]!;
  const ext = extend(series);
  const at = (p: number): number => {
    ext.open[n] = last;
    ext.close[n] = p;
    ext.high[n] = Math.max(last, p);
    ext.low[n] = Math.min(last, p);
    return exposures(ext)[n]!;
  };
  let best: { direction: "above" | "below"; price: number; exposureAfter: number } | null = null;
  for (const sign of [1, -1] as const) {
    let prevP = last;
    for (let k = 1; k <= 100; k++) {
      const p = last * (1 + sign * 0.005 * k);
      const e = at(p);
      if (e !== current) {
        let lo = prevP;
        let hi = p;
        for (let it = 0; it < 40; it++) {
          const mid = (lo + hi) / 2;
          if (at(mid) !== current) hi = mid;
          else lo = mid;
        }
        const cand = {
          direction: sign > 0 ? ("above" as const) : ("below" as const),
          price: hi,
          exposureAfter: at(hi),
        };
        if (best === null || Math.abs(hi - last) < Math.abs(best.price - last)) best = cand;
        break;
      }
      prevP = p;
    }
  }
  return best;
}

function extend(
  s: CandleSeries,
): CandleSeries & { open: Float64Array; close: Float64Array; high: Float64Array; low: Float64Array } {
  const n = s.ts.length;
  const grow = (a: Float64Array, v: number): Float64Array => {
    const b = new Float64Array(n + 1);
    b.set(a);
    b[n] = v;
    return b;
  };
  return {
    exchange: s.exchange,
    symbol: s.symbol,
    timeframe: s.timeframe,
    ts: grow(s.ts, s.ts[n - 1]! + timeframeMs(s.timeframe)),
    open: grow(s.open, s.close[n - 1]!),
    high: grow(s.high, s.close[n - 1]!),
    low: grow(s.low, s.close[n - 1]!),
    close: grow(s.close, s.close[n - 1]!),
    volume: grow(s.volume, s.volume[n - 1]!),
  };
}
