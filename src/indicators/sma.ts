import { checkInt, checkOut, fillNaN, Ring } from "./util.ts";

export { EmaStream, ema } from "./ema.ts";

/**
 * Simple moving average (TA-Lib SMA): NaN for the first period-1 bars; writes into `out` when given.
 * A running sum keeps it O(1) per bar; a NaN input poisons the running sum from that bar on.
 */
export function sma(
  src: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  checkInt("sma", "period", period, 1);
  const n = src.length;
  checkOut("sma", out, n);
  let sum = 0;
  const warm = Math.min(period - 1, n);
  for (let i = 0; i < warm; i++) sum += src[i]!;
  fillNaN(out, 0, warm);
  for (let i = warm; i < n; i++) {
    sum += src[i]!;
    out[i] = sum / period;
    sum -= src[i - period + 1]!;
  }
  return out;
}

/** Streaming SMA: same arithmetic as `sma`, bit for bit */
export class SmaStream {
  private readonly ring: Ring;
  private sum = 0;
  value = Number.NaN;
  constructor(readonly period: number) {
    checkInt("sma", "period", period, 1);
    this.ring = new Ring(period);
  }
  update(v: number): number {
    this.ring.push(v);
    this.sum += v;
    if (this.ring.full) {
      this.value = this.sum / this.period;
      this.sum -= this.ring.at(this.period - 1);
    }
    return this.value;
  }
}
