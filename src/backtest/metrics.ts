import type { Timeframe } from "../domain/timeframe.ts";
import { barsPerYear } from "../domain/timeframe.ts";
import type { Trade } from "../domain/trade.ts";
import type { BuyAndHold, Metrics } from "./types.ts";

/**
 * Figures of a close-marked equity curve, per DESIGN.md. Returns r_i = E_i / E_{i-1} - 1 for
 * i = 1..n-1. Sharpe = mean(r) / sd(r, ddof 1) * sqrt(bpy) (0 when sd = 0); Sortino = mean(r) /
 * sqrt(sum(min(r, 0)^2) / (m - 1)) * sqrt(bpy) over the same m returns; volatility = sd * sqrt(bpy);
 * annual return = (E_last / E_0)^(bpy / m) - 1. No allocation: the sweep engine calls these per combo.
 */
export interface CurveStats {
  totalReturn: number;
  annualReturn: number;
  volatility: number;
  sharpe: number;
  sortino: number;
  maxDrawdown: number;
  /** longest peak-to-recovery span (or peak-to-end when never recovered), in bars */
  maxDrawdownBars: number;
  /** index of the peak that starts that span */
  maxDrawdownPeak: number;
}

/** Mean of per-bar simple returns of `equity` */
export function meanReturn(equity: ArrayLike<number>): number {
  const n = equity.length;
  if (n < 2) return 0;
  let s = 0;
  for (let i = 1; i < n; i++) s += equity[i]! / equity[i - 1]! - 1;
  return s / (n - 1);
}

/** Sharpe of per-bar simple returns, ddof 1, annualised with sqrt(bpy); 0 when returns do not vary */
export function sharpeOf(equity: ArrayLike<number>, bpy: number): number {
  const n = equity.length;
  if (n < 3) return 0;
  const m = meanReturn(equity);
  let ss = 0;
  for (let i = 1; i < n; i++) {
    const d = equity[i]! / equity[i - 1]! - 1 - m;
    ss += d * d;
  }
  const sd = Math.sqrt(ss / (n - 2));
  return sd > 0 ? (m / sd) * Math.sqrt(bpy) : 0;
}

/** Largest fall below the running peak, as a positive fraction */
export function maxDrawdownOf(equity: ArrayLike<number>): number {
  let peak = Number.NEGATIVE_INFINITY;
  let mdd = 0;
  for (let i = 0; i < equity.length; i++) {
    const e = equity[i]!;
    if (e > peak) peak = e;
    else if (peak > 0) {
      const dd = 1 - e / peak;
      if (dd > mdd) mdd = dd;
    }
  }
  return mdd;
}

/** All curve figures in two passes */
export function curveStats(equity: ArrayLike<number>, bpy: number): CurveStats {
  const n = equity.length;
  const first = n > 0 ? equity[0]! : Number.NaN;
  const last = n > 0 ? equity[n - 1]! : Number.NaN;
  const m = n - 1;
  const totalReturn = n > 0 ? last / first - 1 : 0;
  const annualReturn = m > 0 ? (last <= 0 ? -1 : (last / first) ** (bpy / m) - 1) : 0;
  const mean = meanReturn(equity);
  let ss = 0;
  let down = 0;
  let peak = Number.NEGATIVE_INFINITY;
  let peakAt = 0;
  let mdd = 0;
  let longest = 0;
  let longestPeak = 0;
  let below = false;
  for (let i = 0; i < n; i++) {
    const e = equity[i]!;
    if (i > 0) {
      const r = e / equity[i - 1]! - 1;
      const d = r - mean;
      ss += d * d;
      if (r < 0) down += r * r;
    }
    if (e >= peak) {
      if (below && i - peakAt > longest) {
        longest = i - peakAt;
        longestPeak = peakAt;
      }
      below = false;
      peakAt = i;
      peak = e;
    } else {
      below = true;
      if (peak > 0) {
        const dd = 1 - e / peak;
        if (dd > mdd) mdd = dd;
      }
    }
  }
  // a drawdown still open at the end counts up to the last bar
  if (below && n - 1 - peakAt > longest) {
    longest = n - 1 - peakAt;
    longestPeak = peakAt;
  }
  const sd = m > 1 ? Math.sqrt(ss / (m - 1)) : 0;
  const dsd = m > 1 ? Math.sqrt(down / (m - 1)) : 0;
  const ann = Math.sqrt(bpy);
  return {
    totalReturn,
    annualReturn,
    volatility: sd * ann,
    sharpe: sd > 0 ? (mean / sd) * ann : 0,
    sortino: dsd > 0 ? (mean / dsd) * ann : 0,
    maxDrawdown: mdd,
    maxDrawdownBars: longest,
    maxDrawdownPeak: longestPeak,
  };
}

/** Alpha (annualised), beta and information ratio of the curve's returns against a benchmark price series */
export function relativeStats(
  equity: ArrayLike<number>,
  benchmark: ArrayLike<number>,
  bpy: number,
): { alpha: number; beta: number; informationRatio: number } {
  const n = Math.min(equity.length, benchmark.length);
  if (n < 3) return { alpha: Number.NaN, beta: Number.NaN, informationRatio: Number.NaN };
  let ms = 0;
  let mb = 0;
  for (let i = 1; i < n; i++) {
    ms += equity[i]! / equity[i - 1]! - 1;
    mb += benchmark[i]! / benchmark[i - 1]! - 1;
  }
  ms /= n - 1;
  mb /= n - 1;
  const md = ms - mb;
  let cov = 0;
  let varB = 0;
  let varD = 0;
  for (let i = 1; i < n; i++) {
    const rs = equity[i]! / equity[i - 1]! - 1 - ms;
    const rb = benchmark[i]! / benchmark[i - 1]! - 1 - mb;
    cov += rs * rb;
    varB += rb * rb;
    varD += (rs - rb) * (rs - rb);
  }
  const beta = varB > 0 ? cov / varB : Number.NaN;
  const sdD = Math.sqrt(varD / (n - 2));
  return {
    alpha: Number.isNaN(beta) ? Number.NaN : (ms - beta * mb) * bpy,
    beta,
    informationRatio: sdD > 0 ? (md / sdD) * Math.sqrt(bpy) : 0,
  };
}

export interface MetricsInput {
  timeframe: Timeframe;
  ts: ArrayLike<number>;
  equity: ArrayLike<number>;
  trades: readonly Trade[];
  fees: number;
  funding: number;
  /** sum of |qty| * price over all fills */
  tradedNotional: number;
  /** bars whose close found a position open */
  exposedBars: number;
  /** close-marked buy-and-hold equity over the same bars */
  buyAndHoldEquity?: ArrayLike<number>;
  /** benchmark closes (BTC) aligned with `equity` */
  benchmarkClose?: ArrayLike<number>;
}

/** Every figure of Metrics from the equity curve, trades and totals */
export function computeMetrics(input: MetricsInput): Metrics {
  const { equity, ts, trades } = input;
  const bpy = barsPerYear(input.timeframe);
  const n = equity.length;
  const c = curveStats(equity, bpy);
  let wins = 0;
  let grossWin = 0;
  let grossLoss = 0;
  let pnlSum = 0;
  let retSum = 0;
  for (const t of trades) {
    if (t.pnl > 0) {
      wins++;
      grossWin += t.pnl;
    } else grossLoss -= t.pnl;
    pnlSum += t.pnl;
    retSum += t.returnPct;
  }
  let eqSum = 0;
  for (let i = 0; i < n; i++) eqSum += equity[i]!;
  const meanEq = n > 0 ? eqSum / n : Number.NaN;
  const rel =
    input.benchmarkClose === undefined
      ? { alpha: Number.NaN, beta: Number.NaN, informationRatio: Number.NaN }
      : relativeStats(equity, input.benchmarkClose, bpy);
  const ddEnd = Math.min(c.maxDrawdownPeak + c.maxDrawdownBars, n - 1);
  return {
    bars: n,
    startTs: n > 0 ? ts[0]! : Number.NaN,
    endTs: n > 0 ? ts[n - 1]! : Number.NaN,
    initialEquity: n > 0 ? equity[0]! : Number.NaN,
    finalEquity: n > 0 ? equity[n - 1]! : Number.NaN,
    totalReturn: c.totalReturn,
    annualReturn: c.annualReturn,
    volatility: c.volatility,
    sharpe: c.sharpe,
    sortino: c.sortino,
    calmar: c.maxDrawdown > 0 ? c.annualReturn / c.maxDrawdown : 0,
    maxDrawdown: c.maxDrawdown,
    maxDrawdownBars: c.maxDrawdownBars,
    maxDrawdownMs: n > 0 ? ts[ddEnd]! - ts[c.maxDrawdownPeak]! : 0,
    trades: trades.length,
    winRate: trades.length > 0 ? wins / trades.length : 0,
    profitFactor: grossLoss > 0 ? grossWin / grossLoss : grossWin > 0 ? Number.POSITIVE_INFINITY : 0,
    expectancy: trades.length > 0 ? pnlSum / trades.length : 0,
    avgTradeReturn: trades.length > 0 ? retSum / trades.length : 0,
    exposure: n > 0 ? input.exposedBars / n : 0,
    turnover: meanEq > 0 ? input.tradedNotional / meanEq : 0,
    fees: input.fees,
    funding: input.funding,
    alpha: rel.alpha,
    beta: rel.beta,
    informationRatio: rel.informationRatio,
    buyAndHold: buyAndHoldOf(input.buyAndHoldEquity ?? equity, bpy),
  };
}

function buyAndHoldOf(equity: ArrayLike<number>, bpy: number): BuyAndHold {
  const c = curveStats(equity, bpy);
  return {
    totalReturn: c.totalReturn,
    annualReturn: c.annualReturn,
    volatility: c.volatility,
    sharpe: c.sharpe,
    maxDrawdown: c.maxDrawdown,
  };
}

/** Close-to-close equity of holding `closes` (equal-weighted when several), starting at `start` */
export function buyAndHoldCurve(
  closes: readonly ArrayLike<number>[],
  start: number,
  out: Float64Array = new Float64Array(closes[0]?.length ?? 0),
): Float64Array {
  const k = closes.length;
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (const c of closes) s += c[i]! / c[0]!;
    out[i] = k > 0 ? (start * s) / k : start;
  }
  return out;
}
