import { checkInt, checkOut, checkSameLength, ExtremumWindow } from "./util.ts";

export interface AroonOutput {
  up: Float64Array;
  down: Float64Array;
  oscillator: Float64Array;
}

/**
 * Streaming Aroon (TA-Lib AROON, AROONOSC): 100·(period - bars since the highest high / lowest
 * low) / period over the last period+1 bars; ties go to the most recent bar, as in TA-Lib.
 */
export class AroonStream {
  private readonly hi: ExtremumWindow;
  private readonly lo: ExtremumWindow;
  private readonly factor: number;
  value = Number.NaN;
  up = Number.NaN;
  down = Number.NaN;
  constructor(readonly period = 14) {
    checkInt("aroon", "period", period, 1);
    this.hi = new ExtremumWindow(period + 1, true);
    this.lo = new ExtremumWindow(period + 1, false);
    this.factor = 100 / period;
  }
  /** Returns the oscillator (up - down) and sets `up` and `down` */
  update(bar: { high: number; low: number }): number {
    this.hi.push(bar.high);
    this.lo.push(bar.low);
    if (this.hi.n <= this.period) return this.value;
    const ha = this.hi.age;
    const la = this.lo.age;
    this.up = this.factor * (this.period - ha);
    this.down = this.factor * (this.period - la);
    this.value = this.factor * (la - ha);
    return this.value;
  }
}

/** Aroon up, down and oscillator; NaN for the first `period` bars */
export function aroon(
  high: Float64Array,
  low: Float64Array,
  period = 14,
  out: AroonOutput = {
    up: new Float64Array(high.length),
    down: new Float64Array(high.length),
    oscillator: new Float64Array(high.length),
  },
): AroonOutput {
  const s = new AroonStream(period);
  const n = checkSameLength("aroon", high, low);
  checkOut("aroon", out.up, n, "up");
  checkOut("aroon", out.down, n, "down");
  checkOut("aroon", out.oscillator, n, "oscillator");
  const bar = { high: 0, low: 0 };
  for (let i = 0; i < n; i++) {
    bar.high = high[i]!;
    bar.low = low[i]!;
    out.oscillator[i] = s.update(bar);
    out.up[i] = s.up;
    out.down[i] = s.down;
  }
  return out;
}
