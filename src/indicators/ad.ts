import { checkOut, checkSameLength } from "./util.ts";

/** Money-flow multiplier ((c-l) - (h-c)) / (h-l); 0 for a bar with no range */
export function moneyFlowMultiplier(h: number, l: number, c: number): number {
  const r = h - l;
  return r > 0 ? (c - l - (h - c)) / r : 0;
}

/** Streaming accumulation/distribution line (TA-Lib AD); a bar with no range adds nothing */
export class AdStream {
  value = 0;
  update(bar: { high: number; low: number; close: number; volume: number }): number {
    const r = bar.high - bar.low;
    if (r > 0) this.value += ((bar.close - bar.low - (bar.high - bar.close)) / r) * bar.volume;
    return this.value;
  }
}

/** Accumulation/distribution line (TA-Lib AD); defined from bar 0 */
export function ad(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const n = checkSameLength("ad", high, low, close, volume);
  checkOut("ad", out, n);
  const s = new AdStream();
  const bar = { high: 0, low: 0, close: 0, volume: 0 };
  for (let i = 0; i < n; i++) {
    bar.high = high[i]!;
    bar.low = low[i]!;
    bar.close = close[i]!;
    bar.volume = volume[i]!;
    out[i] = s.update(bar);
  }
  return out;
}
