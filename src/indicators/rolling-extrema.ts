import { checkInt, checkOut, ExtremumWindow, rollingExtremum } from "./util.ts";

/** Highest value of the last `period` bars (TA-Lib MAX); NaN for the first period-1 bars */
export function rollingMax(
  src: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  checkInt("rollingMax", "period", period, 1);
  checkOut("rollingMax", out, src.length);
  rollingExtremum(src, period, true, out);
  return out;
}

/** Lowest value of the last `period` bars (TA-Lib MIN); NaN for the first period-1 bars */
export function rollingMin(
  src: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  checkInt("rollingMin", "period", period, 1);
  checkOut("rollingMin", out, src.length);
  rollingExtremum(src, period, false, out);
  return out;
}

/** Streaming rolling max, O(1) amortised (monotonic deque) */
export class RollingMaxStream {
  private readonly w: ExtremumWindow;
  value = Number.NaN;
  constructor(readonly period: number) {
    checkInt("rollingMax", "period", period, 1);
    this.w = new ExtremumWindow(period, true);
  }
  update(v: number): number {
    this.w.push(v);
    this.value = this.w.n >= this.period ? this.w.value : Number.NaN;
    return this.value;
  }
}

/** Streaming rolling min, O(1) amortised (monotonic deque) */
export class RollingMinStream {
  private readonly w: ExtremumWindow;
  value = Number.NaN;
  constructor(readonly period: number) {
    checkInt("rollingMin", "period", period, 1);
    this.w = new ExtremumWindow(period, false);
  }
  update(v: number): number {
    this.w.push(v);
    this.value = this.w.n >= this.period ? this.w.value : Number.NaN;
    return this.value;
  }
}
