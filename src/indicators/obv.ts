import { checkOut, checkSameLength } from "./util.ts";

/** Streaming on-balance volume (TA-Lib OBV): starts at bar 0's volume, ± volume as close rises/falls */
export class ObvStream {
  private prev = Number.NaN;
  private started = false;
  value = Number.NaN;
  update(bar: { close: number; volume: number }): number {
    const c = bar.close;
    if (!this.started) {
      this.started = true;
      this.value = bar.volume;
    } else if (c > this.prev) this.value += bar.volume;
    else if (c < this.prev) this.value -= bar.volume;
    this.prev = c;
    return this.value;
  }
}

/** On-balance volume (TA-Lib OBV); defined from bar 0 */
export function obv(
  close: Float64Array,
  volume: Float64Array,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const n = checkSameLength("obv", close, volume);
  checkOut("obv", out, n);
  const s = new ObvStream();
  const bar = { close: 0, volume: 0 };
  for (let i = 0; i < n; i++) {
    bar.close = close[i]!;
    bar.volume = volume[i]!;
    out[i] = s.update(bar);
  }
  return out;
}
