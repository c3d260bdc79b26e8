import type { CandleSeries } from "../domain/candle-series.ts";
import { barsPerYear } from "../domain/timeframe.ts";
import { closeToCloseVolatilityAt } from "../indicators/realized-volatility.ts";
import { round } from "./format.ts";

/** Annualised realised volatility over the `bars` log returns ending at `end` (closeToCloseVolatilityAt) */
export function realisedVol(close: Float64Array, end: number, bars: number, perYear: number): number {
  return closeToCloseVolatilityAt(close, end, bars, perYear);
}

/** Trend from the close against its moving average and that average's slope; volatility by percentile */
export function regimeOf(
  s: CandleSeries,
  averageBars: number,
  volBars: number,
): {
  trend: "up" | "down" | "sideways";
  closeVsAveragePct: number;
  volatility: "low" | "normal" | "high";
  volatilityPercentile: number;
  volatilityPct: number;
} {
  const n = s.close.length;
  const perYear = barsPerYear(s.timeframe);
  const avg = (end: number): number => {
    let sum = 0;
    const from = Math.max(0, end - averageBars + 1);
    for (let t = from; t <= end; t++) sum += s.close[t]!;
    return sum / (end - from + 1);
  };
  const a = avg(n - 1);
  const aBefore = avg(Math.max(0, n - 1 - Math.max(1, Math.floor(averageBars / 5))));
  const c = s.close[n - 1]!;
  const trend = c > a && a > aBefore ? "up" : c < a && a < aBefore ? "down" : "sideways";
  const vol = realisedVol(s.close, n - 1, volBars, perYear);
  // percentile of today's volatility among the readings of the last year (at most)
  const lookback = Math.min(n - 1 - volBars, Math.round(perYear));
  let below = 0;
  let count = 0;
  for (let t = n - 1 - lookback; t <= n - 1; t++) {
    const v = realisedVol(s.close, t, volBars, perYear);
    if (!Number.isFinite(v)) continue;
    count++;
    if (v <= vol) below++;
  }
  const pct = count > 0 ? Math.round((100 * below) / count) : 50;
  return {
    trend,
    closeVsAveragePct: round((c / a - 1) * 100, 2),
    volatility: pct < 33 ? "low" : pct > 67 ? "high" : "normal",
    volatilityPercentile: pct,
    volatilityPct: round((Number.isFinite(vol) ? vol : 0) * 100, 1),
  };
}

/** Correlation of per-bar returns of `a` and `b` over their last `bars` common timestamps */
export function returnCorrelation(a: CandleSeries, b: CandleSeries, bars: number): number {
  const idx = new Map<number, number>();
  for (let j = 0; j < b.ts.length; j++) idx.set(b.ts[j]!, j);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = a.ts.length - 1; i >= 1 && xs.length < bars; i--) {
    const j = idx.get(a.ts[i]!);
    const jp = idx.get(a.ts[i - 1]!);
    if (j === undefined || jp === undefined) continue;
    xs.push(a.close[i]! / a.close[i - 1]! - 1);
    ys.push(b.close[j]! / b.close[jp]! - 1);
  }
  const n = xs.length;
  if (n < 3) return Number.NaN;
  const mx = xs.reduce((p, v) => p + v, 0) / n;
  const my = ys.reduce((p, v) => p + v, 0) / n;
  let cov = 0;
  let vx = 0;
  let vy = 0;
  for (let k = 0; k < n; k++) {
    cov += (xs[k]! - mx) * (ys[k]! - my);
    vx += (xs[k]! - mx) ** 2;
    vy += (ys[k]! - my) ** 2;
  }
  return vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : Number.NaN;
}
