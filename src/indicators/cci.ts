import { checkInt, checkOut, checkSameLength, Ring } from "./util.ts";

/**
 * Streaming CCI (TA-Lib CCI): (tp - mean) / (0.015 · mean deviation) over `period` typical prices
 * (h+l+c)/3; 0 where either is 0. The mean deviation needs a pass over the window, so this is
 * O(period) per bar (as in every implementation); the sums run in TA-Lib's buffer order.
 */
export class CciStream {
  private readonly ring: Ring;
  value = Number.NaN;
  constructor(readonly period = 20) {
    checkInt("cci", "period", period, 2);
    this.ring = new Ring(period);
  }
  update(bar: { high: number; low: number; close: number }): number {
    const tp = (bar.high + bar.low + bar.close) / 3;
    this.ring.push(tp);
    if (!this.ring.full) return this.value;
    const p = this.period;
    const buf = this.ring.buf;
    let avg = 0;
    for (let j = 0; j < p; j++) avg += buf[j]!;
    avg /= p;
    let dev = 0;
    for (let j = 0; j < p; j++) dev += Math.abs(buf[j]! - avg);
    const d = tp - avg;
    this.value = d !== 0 && dev !== 0 ? d / (0.015 * (dev / p)) : 0;
    return this.value;
  }
}

/** Commodity channel index (TA-Lib CCI); NaN for the first period-1 bars */
export function cci(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period = 20,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const s = new CciStream(period);
  const n = checkSameLength("cci", high, low, close);
  checkOut("cci", out, n);
  const bar = { high: 0, low: 0, close: 0 };
  for (let i = 0; i < n; i++) {
    bar.high = high[i]!;
    bar.low = low[i]!;
    bar.close = close[i]!;
    out[i] = s.update(bar);
  }
  return out;
}
