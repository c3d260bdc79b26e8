import { trueRangeOf } from "./true-range.ts";
import { checkInt, checkOut, checkSameLength, fillNaN } from "./util.ts";

/**
 * Average true range (TA-Lib ATR): Wilder smoothing of the true range seeded with the mean of
 * TR[1..period]; NaN for the first `period` bars.
 */
export function atr(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  checkInt("atr", "period", period, 1);
  const n = checkSameLength("atr", high, low, close);
  checkOut("atr", out, n);
  fillNaN(out, 0, Math.min(period, n));
  if (n <= period) return out;
  let sum = 0;
  let pc = close[0]!;
  for (let i = 1; i <= period; i++) {
    sum += trueRangeOf(high[i]!, low[i]!, pc);
    pc = close[i]!;
  }
  let v = sum / period;
  out[period] = v;
  const pm1 = period - 1;
  for (let i = period + 1; i < n; i++) {
    v = (v * pm1 + trueRangeOf(high[i]!, low[i]!, pc)) / period;
    out[i] = v;
    pc = close[i]!;
  }
  return out;
}

/** Streaming ATR: the same recurrences as `atr` */
export class AtrStream {
  private prevClose = Number.NaN;
  private count = 0;
  private sum = 0;
  value = Number.NaN;
  constructor(readonly period: number) {
    checkInt("atr", "period", period, 1);
  }
  update(bar: { high: number; low: number; close: number }): number {
    const k = this.count++;
    if (k > 0) {
      const tr = trueRangeOf(bar.high, bar.low, this.prevClose);
      const p = this.period;
      if (k < p) this.sum += tr;
      else if (k === p) this.value = (this.sum + tr) / p;
      else this.value = (this.value * (p - 1) + tr) / p;
    }
    this.prevClose = bar.close;
    return this.value;
  }
}

/** Normalised ATR (TA-Lib NATR): 100 * ATR / close; 0 where close is 0 */
export function natr(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  checkInt("natr", "period", period, 1);
  atr(high, low, close, period, out);
  for (let i = period; i < close.length; i++) {
    const c = close[i]!;
    out[i] = c !== 0 ? (out[i]! / c) * 100 : 0;
  }
  return out;
}

/** Streaming NATR */
export class NatrStream {
  private readonly inner: AtrStream;
  value = Number.NaN;
  constructor(readonly period: number) {
    checkInt("natr", "period", period, 1);
    this.inner = new AtrStream(period);
  }
  update(bar: { high: number; low: number; close: number }): number {
    const a = this.inner.update(bar);
    this.value = Number.isNaN(a) ? a : bar.close !== 0 ? (a / bar.close) * 100 : 0;
    return this.value;
  }
}
