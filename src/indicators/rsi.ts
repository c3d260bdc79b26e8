import { checkInt, checkOut, fillNaN } from "./util.ts";

/**
 * Relative strength index (TA-Lib RSI, Wilder smoothing seeded with the plain mean of the first
 * `period` changes). NaN for the first `period` bars. Where no price moved in the smoothing
 * (avg gain + avg loss = 0) it is 50; TA-Lib returns 0 whenever that sum is below 1e-8, which
 * would break scale invariance on low-priced coins.
 */
export function rsi(
  close: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  checkInt("rsi", "period", period, 2);
  const n = close.length;
  checkOut("rsi", out, n);
  fillNaN(out, 0, Math.min(period, n));
  if (n <= period) return out;
  let gain = 0;
  let loss = 0;
  let prev = close[0]!;
  for (let i = 1; i <= period; i++) {
    const c = close[i]!;
    const d = c - prev;
    prev = c;
    // (|d| + d) / 2 is exactly max(d, 0) and branch-free: price moves do not predict well
    const a = Math.abs(d);
    gain += (a + d) * 0.5;
    loss += (a - d) * 0.5;
  }
  gain /= period;
  loss /= period;
  let s = gain + loss;
  out[period] = s !== 0 ? 100 * (gain / s) : 50;
  const pm1 = period - 1;
  for (let i = period + 1; i < n; i++) {
    const c = close[i]!;
    const d = c - prev;
    prev = c;
    const a = Math.abs(d);
    gain = (gain * pm1 + (a + d) * 0.5) / period;
    loss = (loss * pm1 + (a - d) * 0.5) / period;
    s = gain + loss;
    out[i] = s !== 0 ? 100 * (gain / s) : 50;
  }
  return out;
}

/** Streaming RSI: the same recurrences as `rsi` */
export class RsiStream {
  private gain = 0;
  private loss = 0;
  private prev = Number.NaN;
  private count = 0;
  value = Number.NaN;
  constructor(readonly period: number) {
    checkInt("rsi", "period", period, 2);
  }
  update(c: number): number {
    const p = this.period;
    const k = this.count++;
    if (k === 0) {
      this.prev = c;
      return this.value;
    }
    const d = c - this.prev;
    this.prev = c;
    if (k < p) {
      this.gain += d > 0 ? d : 0;
      this.loss += d < 0 ? -d : 0;
      return this.value;
    }
    if (k === p) {
      this.gain = (this.gain + (d > 0 ? d : 0)) / p;
      this.loss = (this.loss + (d < 0 ? -d : 0)) / p;
    } else {
      this.gain = (this.gain * (p - 1) + (d > 0 ? d : 0)) / p;
      this.loss = (this.loss * (p - 1) + (d < 0 ? -d : 0)) / p;
    }
    const s = this.gain + this.loss;
    this.value = s !== 0 ? 100 * (this.gain / s) : 50;
    return this.value;
  }
}
