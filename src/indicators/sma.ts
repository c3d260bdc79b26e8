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
  // unrolled by 4 with the loads first: V8 re-checks the arrays on every loop back-edge, so fewer
  // back-edges cut its overhead; the running sum sees the same additions in the same order.
  // The unrolled loop always leaves 1-4 bars to the tail loop, so the tail has type feedback on
  // every call and V8 never deoptimises on it (the sweep calls sma for many lengths)
  let i = warm;
  let j = 0;
  for (const m = n - 4; i < m; i += 4, j += 4) {
    const a0 = src[i]!;
    const a1 = src[i + 1]!;
    const a2 = src[i + 2]!;
    const a3 = src[i + 3]!;
    const b0 = src[j]!;
    const b1 = src[j + 1]!;
    const b2 = src[j + 2]!;
    const b3 = src[j + 3]!;
    sum += a0;
    out[i] = sum / period;
    sum -= b0;
    sum += a1;
    out[i + 1] = sum / period;
    sum -= b1;
    sum += a2;
    out[i + 2] = sum / period;
    sum -= b2;
    sum += a3;
    out[i + 3] = sum / period;
    sum -= b3;
  }
  for (; i < n; i++, j++) {
    sum += src[i]!;
    out[i] = sum / period;
    sum -= src[j]!;
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
