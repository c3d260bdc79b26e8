import { EmaStream } from "./ema.ts";
import { checkInt, checkOut, checkSameLength } from "./util.ts";

/**
 * Streaming force index (not in TA-Lib): EMA(period) of (close - previous close)·volume, the EMA
 * seeded TA-Lib style with the mean of the first `period` raw forces. Defined from bar `period`.
 */
export class ForceIndexStream {
  private readonly ema: EmaStream;
  private prevClose = Number.NaN;
  private started = false;
  value = Number.NaN;
  constructor(readonly period = 13) {
    checkInt("forceIndex", "period", period, 1);
    this.ema = new EmaStream(period);
  }
  update(bar: { close: number; volume: number }): number {
    const pc = this.prevClose;
    this.prevClose = bar.close;
    if (!this.started) {
      this.started = true;
      return this.value;
    }
    this.value = this.ema.update((bar.close - pc) * bar.volume);
    return this.value;
  }
}

/** Force index; NaN for the first `period` bars */
export function forceIndex(
  close: Float64Array,
  volume: Float64Array,
  period = 13,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const s = new ForceIndexStream(period);
  const n = checkSameLength("forceIndex", close, volume);
  checkOut("forceIndex", out, n);
  const bar = { close: 0, volume: 0 };
  for (let i = 0; i < n; i++) {
    bar.close = close[i]!;
    bar.volume = volume[i]!;
    out[i] = s.update(bar);
  }
  return out;
}
