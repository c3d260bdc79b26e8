import { checkInt, checkOut } from "./util.ts";

/**
 * Streaming Chande momentum oscillator (TA-Lib CMO): 100·(gain - loss) / (gain + loss) with
 * TA-Lib's Wilder-smoothed gains and losses (as its RSI); 0 where nothing moved.
 */
export class CmoStream {
  private gain = 0;
  private loss = 0;
  private prev = Number.NaN;
  private count = 0;
  value = Number.NaN;
  constructor(readonly period = 14) {
    checkInt("cmo", "period", period, 2);
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
    this.value = s !== 0 ? 100 * ((this.gain - this.loss) / s) : 0;
    return this.value;
  }
}

/** Chande momentum oscillator (TA-Lib CMO); NaN for the first `period` bars */
export function cmo(
  close: Float64Array,
  period = 14,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const s = new CmoStream(period);
  checkOut("cmo", out, close.length);
  for (let i = 0; i < close.length; i++) out[i] = s.update(close[i]!);
  return out;
}
