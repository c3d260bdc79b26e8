// The numbers a brief rests on, read off the candle arrays: returns over a span, regimes with their
// volatility percentile, return correlations, the benchmark's week. The line builders cite them
import { type CandleSeries, sliceSeries } from "../../domain/candle-series.ts";
import { barsPerYear, timeframeMs } from "../../domain/timeframe.ts";
import { RealizedVolatilityStream } from "../../indicators/realized-volatility.ts";
import { regimeOf } from "../regime.ts";
import type { BriefInput, SymbolState } from "./brief-types.ts";

export const DAY = 86_400_000;

/** Index of the last bar with open time <= t (binary search), -1 when none */
export function barAtOrBefore(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length - 1;
  let ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid]! <= t) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Return over `ms` ending at bar i (close[i] / close at or before ts[i]-ms - 1), NaN without history */
export function returnOver(s: CandleSeries, i: number, ms: number): { r: number; from: number } {
  const j = barAtOrBefore(s.ts, s.ts[i]! - ms);
  if (j < 0 || i < 0) return { r: Number.NaN, from: -1 };
  return { r: s.close[i]! / s.close[j]! - 1, from: j };
}

/** The last `len` bars of a series as views (no copy) */
const tail = (s: CandleSeries, len: number): CandleSeries => sliceSeries(s, Math.max(0, s.ts.length - len));

/**
 * regimeOf's trend and volatility with the volatility percentile over the last year computed in one
 * streaming pass (RealizedVolatilityStream, the same close-to-close definition as regimeOf's
 * closeToCloseVolatilityAt): regimeOf re-sums the window for every reading, O(bars × window), 20 s
 * for 100 hourly symbols; the stream is O(bars). regimeOf reads only the tail it needs for the trend.
 */
export function regimeWithPercentile(s: CandleSeries, averageBars: number, volBars: number, perYear: number) {
  const need = Math.max(averageBars + Math.max(1, Math.floor(averageBars / 5)) + 1, volBars + 2);
  const reg = regimeOf(tail(s, need), averageBars, volBars);
  const n = s.close.length;
  const lookback = Math.min(n - 1 - volBars, Math.round(perYear));
  const stream = new RealizedVolatilityStream("close-to-close", volBars, perYear);
  const readings: number[] = [];
  const start = Math.max(0, n - 1 - lookback - volBars);
  for (let t = start; t < n; t++) {
    const v = stream.update({ open: s.open[t]!, high: s.high[t]!, low: s.low[t]!, close: s.close[t]! });
    if (t >= n - 1 - lookback && Number.isFinite(v)) readings.push(v);
  }
  const now = readings.at(-1) ?? Number.NaN;
  let below = 0;
  // relative tolerance: the stream's running sums and the windowed sum differ in the last bits
  for (const v of readings) if (v <= now * (1 + 1e-12)) below++;
  const pctl = readings.length > 0 && Number.isFinite(now) ? Math.round((100 * below) / readings.length) : 50;
  return {
    trend: reg.trend,
    volatility: pctl < 33 ? ("low" as const) : pctl > 67 ? ("high" as const) : ("normal" as const),
    volatilityPercentile: pctl,
    volatilityPct: reg.volatilityPct,
  };
}

/** A fraction in percent, rounded to `d` decimals */
export const pct = (x: number, d = 1): number => Math.round(x * 100 * 10 ** d) / 10 ** d;
/** How a citation names a series */
export const name = (s: CandleSeries): string => `${s.exchange}:${s.symbol}:${s.timeframe}`;

/** Pearson correlation of bar returns of a and b over common bars with open time in (from, to] */
export function correlationIn(a: CandleSeries, b: CandleSeries, from: number, to: number): number {
  let i = barAtOrBefore(a.ts, from) + 1;
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let j = Math.max(1, barAtOrBefore(b.ts, from) + 1);
  for (i = Math.max(1, i); i < a.ts.length && a.ts[i]! <= to; i++) {
    const t = a.ts[i]!;
    while (j < b.ts.length && b.ts[j]! < t) j++;
    if (j >= b.ts.length) break;
    if (b.ts[j] !== t || a.ts[i - 1] !== b.ts[j - 1]) continue;
    const x = a.close[i]! / a.close[i - 1]! - 1;
    const y = b.close[j]! / b.close[j - 1]! - 1;
    n++;
    sx += x;
    sy += y;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  if (n < 3) return Number.NaN;
  const cov = sxy - (sx * sy) / n;
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  return vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : Number.NaN;
}

/** The benchmark's 7-day return ending at its bar at or before `s`'s last bar: "X against BTC this week" compares the same days */
export function benchmarkWeek(
  bench: CandleSeries | undefined,
  s: CandleSeries,
): { benchmark7d?: { barTime: number; return7d: number } } {
  if (bench === undefined || bench === s) return {};
  const bi = barAtOrBefore(bench.ts, s.ts[s.ts.length - 1]!);
  if (bi < 0) return {};
  const r = returnOver(bench, bi, 7 * DAY).r;
  return Number.isFinite(r) ? { benchmark7d: { barTime: bench.ts[bi]!, return7d: r } } : {};
}

/** What every line builder reads: the input, the series with two bars or more, each symbol's state */
export interface BriefFacts {
  input: BriefInput;
  series: CandleSeries[];
  timeframe: string;
  bySymbol: Map<string, CandleSeries>;
  symbols: SymbolState[];
  /** the sector's series among `series` */
  sector: CandleSeries[];
  bench: string;
  /** the benchmark's series, when read */
  btc: CandleSeries | undefined;
  /** open time of the newest bar */
  asOf: number;
  barMs: number;
  /** bars of the 20-day average the regimes and the sector's breadth read */
  avgBars: number;
  threshold: number;
}

/** The facts of a brief: each symbol's state (regime, returns, the benchmark's week) and the settings */
export function briefFacts(input: BriefInput): BriefFacts {
  const series = input.series.filter((s) => s.ts.length >= 2);
  if (series.length === 0) throw new Error("brief: no series with two bars or more");
  const tf = series[0]!.timeframe;
  const bench = input.benchmark ?? "BTC/USDT";
  const threshold = input.shockThreshold ?? 0.1;
  const perYear = barsPerYear(tf);
  const barMs = timeframeMs(tf);
  // regimes read a 20-day average and 20-day volatility, whatever the bar length
  const avgBars = Math.max(5, Math.round((20 * DAY) / barMs));
  const volBars = Math.max(5, Math.min(Math.round((20 * DAY) / barMs), Math.round(perYear / 4)));
  const asOf = Math.max(...series.map((s) => s.ts[s.ts.length - 1]!));
  const bySymbol = new Map(series.map((s) => [s.symbol, s]));
  const benchSeries = bySymbol.get(bench);

  const symbols: SymbolState[] = series.map((s) => {
    const i = s.ts.length - 1;
    const enough = s.ts.length > volBars + 2;
    const reg = enough
      ? regimeWithPercentile(s, Math.min(avgBars, s.ts.length), volBars, perYear)
      : {
          trend: "sideways" as const,
          volatility: "normal" as const,
          volatilityPercentile: 50,
          volatilityPct: 0,
        };
    return {
      symbol: s.symbol,
      barTime: s.ts[i]!,
      close: s.close[i]!,
      trend: reg.trend,
      volatility: reg.volatility,
      volatilityPercentile: reg.volatilityPercentile,
      volatilityPct: reg.volatilityPct,
      return1d: returnOver(s, i, DAY).r,
      return7d: returnOver(s, i, 7 * DAY).r,
      ...benchmarkWeek(benchSeries, s),
    };
  });
  const sector = input.sector.map((x) => bySymbol.get(x)).filter((s): s is CandleSeries => s !== undefined);
  return {
    input,
    series,
    timeframe: tf,
    bySymbol,
    symbols,
    sector,
    bench,
    btc: benchSeries,
    asOf,
    barMs,
    avgBars,
    threshold,
  };
}
