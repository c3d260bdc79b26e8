import { checkInt, checkOut, fillNaN } from "./util.ts";

/**
 * Exponential moving average, seeded TA-Lib style with the SMA of the first `period` values;
 * k = 2 / (period + 1). NaN for the first period-1 bars.
 */
export function ema(
  src: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  checkInt("ema", "period", period, 1);
  const n = src.length;
  checkOut("ema", out, n);
  return emaFrom(src, 0, n, period, out);
}

/** EMA of src[from, to) written to out[from, to); out before from + period - 1 is NaN */
export function emaFrom(
  src: Float64Array,
  from: number,
  to: number,
  period: number,
  out: Float64Array,
): Float64Array {
  const k = 2 / (period + 1);
  const seedEnd = Math.min(from + period, to);
  let seed = 0;
  for (let i = from; i < seedEnd; i++) seed += src[i]!;
  fillNaN(out, from, seedEnd);
  if (to - from < period) return out;
  let prev = seed / period;
  out[seedEnd - 1] = prev;
  for (let i = seedEnd; i < to; i++) {
    prev = (src[i]! - prev) * k + prev;
    out[i] = prev;
  }
  return out;
}

/** Streaming EMA: same seeding and arithmetic as `ema` */
export class EmaStream {
  private readonly k: number;
  private seed = 0;
  private count = 0;
  value = Number.NaN;
  constructor(readonly period: number) {
    checkInt("ema", "period", period, 1);
    this.k = 2 / (period + 1);
  }
  update(v: number): number {
    if (this.count < this.period) {
      this.seed += v;
      this.count++;
      if (this.count === this.period) this.value = this.seed / this.period;
      return this.value;
    }
    this.value = (v - this.value) * this.k + this.value;
    return this.value;
  }
}
