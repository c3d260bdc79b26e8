import { checkInt, checkOut, checkSameLength, ExtremumWindow, rollingExtremum } from "./util.ts";

export interface DonchianOutput {
  upper: Float64Array;
  lower: Float64Array;
  middle: Float64Array;
}

/**
 * Donchian channel: highest high and lowest low of the last `period` bars (including the current
 * one) and their midpoint. NaN for the first period-1 bars. Not in TA-Lib.
 */
export function donchian(
  high: Float64Array,
  low: Float64Array,
  period = 20,
  out: DonchianOutput = {
    upper: new Float64Array(high.length),
    lower: new Float64Array(high.length),
    middle: new Float64Array(high.length),
  },
): DonchianOutput {
  checkInt("donchian", "period", period, 1);
  const n = checkSameLength("donchian", high, low);
  const u = checkOut("donchian", out.upper, n, "upper");
  const l = checkOut("donchian", out.lower, n, "lower");
  const m = checkOut("donchian", out.middle, n, "middle");
  rollingExtremum(high, period, true, u, 0);
  rollingExtremum(low, period, false, l, 1);
  for (let i = 0; i < n; i++) m[i] = (u[i]! + l[i]!) / 2;
  return out;
}

/** Streaming Donchian channel; `update` returns the middle */
export class DonchianStream {
  private readonly hi: ExtremumWindow;
  private readonly lo: ExtremumWindow;
  value = Number.NaN;
  upper = Number.NaN;
  lower = Number.NaN;
  constructor(readonly period = 20) {
    checkInt("donchian", "period", period, 1);
    this.hi = new ExtremumWindow(period, true);
    this.lo = new ExtremumWindow(period, false);
  }
  update(bar: { high: number; low: number }): number {
    this.hi.push(bar.high);
    this.lo.push(bar.low);
    if (this.hi.n < this.period) return this.value;
    this.upper = this.hi.value;
    this.lower = this.lo.value;
    this.value = (this.upper + this.lower) / 2;
    return this.value;
  }
}
