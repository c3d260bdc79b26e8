import { checkInt, checkOut, checkSameLength, ExtremumWindow } from "./util.ts";

/** %R where the window's high equals its low: the middle of the range (TA-Lib gives 0) */
export const FLAT_WILLR = -50;

/** Streaming Williams %R (TA-Lib WILLR): -100·(HH - close) / (HH - LL) over `period` bars */
export class WilliamsRStream {
  private readonly hi: ExtremumWindow;
  private readonly lo: ExtremumWindow;
  value = Number.NaN;
  constructor(readonly period = 14) {
    checkInt("williamsR", "period", period, 1);
    this.hi = new ExtremumWindow(period, true);
    this.lo = new ExtremumWindow(period, false);
  }
  update(bar: { high: number; low: number; close: number }): number {
    this.hi.push(bar.high);
    this.lo.push(bar.low);
    if (this.hi.n < this.period) return this.value;
    const hh = this.hi.value;
    const diff = (hh - this.lo.value) / -100;
    this.value = diff !== 0 ? (hh - bar.close) / diff : FLAT_WILLR;
    return this.value;
  }
}

/** Williams %R in [-100, 0]; NaN for the first period-1 bars */
export function williamsR(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period = 14,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const s = new WilliamsRStream(period);
  const n = checkSameLength("williamsR", high, low, close);
  checkOut("williamsR", out, n);
  const bar = { high: 0, low: 0, close: 0 };
  for (let i = 0; i < n; i++) {
    bar.high = high[i]!;
    bar.low = low[i]!;
    bar.close = close[i]!;
    out[i] = s.update(bar);
  }
  return out;
}
