import { checkOut, checkSameLength } from "./util.ts";

/**
 * max(high - low, |high - prevClose|, |low - prevClose|) as max(high, prevClose) - min(low, prevClose):
 * the same subtraction TA-Lib ends up doing (so the same bits), without unpredictable branches
 */
export function trueRangeOf(h: number, l: number, prevClose: number): number {
  return (h > prevClose ? h : prevClose) - (l < prevClose ? l : prevClose);
}

/** True range (TA-Lib TRANGE): NaN at bar 0, which has no previous close */
export function trueRange(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const n = checkSameLength("trueRange", high, low, close);
  checkOut("trueRange", out, n);
  if (n > 0) out[0] = Number.NaN;
  for (let i = 1; i < n; i++) out[i] = trueRangeOf(high[i]!, low[i]!, close[i - 1]!);
  return out;
}

/** Streaming true range */
export class TrueRangeStream {
  private prevClose = Number.NaN;
  private started = false;
  value = Number.NaN;
  update(bar: { high: number; low: number; close: number }): number {
    if (this.started) this.value = trueRangeOf(bar.high, bar.low, this.prevClose);
    this.started = true;
    this.prevClose = bar.close;
    return this.value;
  }
}
