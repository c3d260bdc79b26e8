import { checkInt, checkNum, checkOut, checkSameLength, Ring } from "./util.ts";

/** Which realised-volatility estimator */
export type VolatilityEstimator = "close-to-close" | "parkinson" | "garman-klass";

const LN2 = Math.log(2);
const GK_C = 2 * LN2 - 1;

/**
 * Streaming realised volatility over `period` bars, times √annualization (pass bars per year to
 * annualise, 1 for per-bar):
 * - close-to-close: sample sd (ddof 1) of log returns ln(c/c[t-1]) (needs period+1 closes);
 * - parkinson: √(Σ ln(h/l)² / (4·ln2·period));
 * - garman-klass: √(Σ [½·ln(h/l)² - (2·ln2-1)·ln(c/o)²] / period), 0 if that mean is negative.
 * Sums are re-formed exactly every `period` bars (O(1) amortised), so a non-positive or NaN price
 * gives NaN only while it is inside the window. Not in TA-Lib.
 */
export class RealizedVolatilityStream {
  private readonly ring: Ring;
  private readonly scale: number;
  private prevClose = Number.NaN;
  private n = 0;
  private s1 = 0;
  private s2 = 0;
  value = Number.NaN;
  constructor(
    readonly estimator: VolatilityEstimator = "close-to-close",
    readonly period = 20,
    readonly annualization = 1,
  ) {
    checkInt("realizedVolatility", "period", period, 2);
    checkNum("realizedVolatility", "annualization", annualization, 1e-9, 1e9);
    this.ring = new Ring(period);
    this.scale = Math.sqrt(annualization);
  }
  update(bar: { open: number; high: number; low: number; close: number }): number {
    const p = this.period;
    let x: number;
    if (this.estimator === "close-to-close") {
      const pc = this.prevClose;
      this.prevClose = bar.close;
      if (this.n++ === 0) return this.value;
      x = Math.log(bar.close / pc);
    } else {
      this.n++;
      const hl = Math.log(bar.high / bar.low);
      if (this.estimator === "parkinson") x = hl * hl;
      else {
        const co = Math.log(bar.close / bar.open);
        x = 0.5 * hl * hl - GK_C * co * co;
      }
    }
    const old = this.ring.push(x);
    const count = this.ring.count;
    const pushes = this.estimator === "close-to-close" ? this.n - 1 : this.n;
    if (pushes % p === 0) {
      let s1 = 0;
      let s2 = 0;
      for (let j = p - 1; j >= 0; j--) {
        const v = this.ring.at(j);
        s1 += v;
        s2 += v * v;
      }
      this.s1 = s1;
      this.s2 = s2;
    } else {
      if (pushes > p) {
        this.s1 -= old;
        this.s2 -= old * old;
      }
      this.s1 += x;
      this.s2 += x * x;
    }
    if (count < p) return this.value;
    let v: number;
    if (this.estimator === "close-to-close") {
      v = (this.s2 - (this.s1 * this.s1) / p) / (p - 1);
    } else if (this.estimator === "parkinson") {
      v = this.s1 / (4 * LN2 * p);
    } else {
      v = this.s1 / p;
    }
    this.value = Number.isNaN(v) ? v : v > 0 ? Math.sqrt(v) * this.scale : 0;
    return this.value;
  }
}

/** Realised volatility (see RealizedVolatilityStream); NaN during warm-up */
export function realizedVolatility(
  bars: { open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array },
  estimator: VolatilityEstimator = "close-to-close",
  period = 20,
  annualization = 1,
  out: Float64Array = new Float64Array(bars.close.length),
): Float64Array {
  const s = new RealizedVolatilityStream(estimator, period, annualization);
  const n = checkSameLength("realizedVolatility", bars.open, bars.high, bars.low, bars.close);
  checkOut("realizedVolatility", out, n);
  const bar = { open: 0, high: 0, low: 0, close: 0 };
  for (let i = 0; i < n; i++) {
    bar.open = bars.open[i]!;
    bar.high = bars.high[i]!;
    bar.low = bars.low[i]!;
    bar.close = bars.close[i]!;
    out[i] = s.update(bar);
  }
  return out;
}

/**
 * Realised volatility as kairos means it everywhere (the vol-target family, `--vol-target` sizing,
 * the forecasting features, the regime in explanations; README "Realised volatility"): the sample
 * standard deviation (ddof 1) of the last `period` one-bar log returns ln(c[t] / c[t-1]) ending at
 * bar t, times √annualization (bars per year to annualise, 1 for per bar). Needs period + 1 closes:
 * NaN before bar `period`; 0 when the returns do not vary. The close-to-close estimator of
 * realizedVolatility, over closes alone.
 */
export function closeToCloseVolatility(
  close: Float64Array,
  period: number,
  annualization = 1,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const s = new RealizedVolatilityStream("close-to-close", period, annualization);
  checkOut("realizedVolatility", out, close.length);
  const bar = { open: 0, high: 0, low: 0, close: 0 };
  for (let i = 0; i < close.length; i++) {
    bar.close = close[i]!;
    out[i] = s.update(bar);
  }
  return out;
}

/**
 * closeToCloseVolatility at one bar t, from the window alone (two passes: mean, then squared
 * deviations), for callers that need it bar by bar (sizing, explanations). Agrees with the array
 * form to rounding (realized-volatility.test.ts); NaN when t < period.
 */
export function closeToCloseVolatilityAt(
  close: ArrayLike<number>,
  t: number,
  period: number,
  annualization = 1,
): number {
  checkInt("realizedVolatility", "period", period, 2);
  if (!(t >= period && t < close.length)) return Number.NaN;
  let mean = 0;
  for (let i = t - period + 1; i <= t; i++) mean += Math.log(close[i]! / close[i - 1]!);
  mean /= period;
  let ss = 0;
  for (let i = t - period + 1; i <= t; i++) {
    const d = Math.log(close[i]! / close[i - 1]!) - mean;
    ss += d * d;
  }
  const v = ss / (period - 1);
  return Number.isNaN(v) ? v : v > 0 ? Math.sqrt(v) * Math.sqrt(annualization) : 0;
}
