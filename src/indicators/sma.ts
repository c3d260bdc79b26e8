import { invalidInput } from "../errors.ts";

/**
 * Simple moving average. Batch form: NaN for the first period-1 bars; writes into `out` when given.
 * A running sum keeps it O(1) per bar.
 */
export function sma(
  src: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  if (!Number.isInteger(period) || period < 1)
    throw invalidInput(`sma: period must be an integer >= 1, got ${period}`);
  const n = src.length;
  let sum = 0;
  const warm = Math.min(period - 1, n);
  for (let i = 0; i < warm; i++) {
    sum += src[i]!;
    out[i] = Number.NaN;
  }
  const inv = 1 / period;
  for (let i = warm; i < n; i++) {
    sum += src[i]!;
    out[i] = sum * inv;
    sum -= src[i - period + 1]!;
  }
  return out;
}

/** Exponential moving average, seeded TA-Lib style with the SMA of the first `period` values */
export function ema(
  src: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  if (!Number.isInteger(period) || period < 1)
    throw invalidInput(`ema: period must be an integer >= 1, got ${period}`);
  const n = src.length;
  const k = 2 / (period + 1);
  let seed = 0;
  for (let i = 0; i < Math.min(period, n); i++) {
    seed += src[i]!;
    out[i] = Number.NaN;
  }
  if (n < period) return out;
  let prev = seed / period;
  out[period - 1] = prev;
  for (let i = period; i < n; i++) {
    prev = prev + k * (src[i]! - prev);
    out[i] = prev;
  }
  return out;
}
