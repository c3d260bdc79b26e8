import { checkInt, checkOut, checkSameLength, Ring } from "./util.ts";

/** MFI when the window has no money flow at all (no volume or no change): neutral */
export const FLAT_MFI = 50;

/**
 * Streaming money flow index (TA-Lib MFI): 100·Σ positive flow / Σ flow over `period` bars, flow =
 * typical price · volume, signed by the change in typical price (unchanged bars count for neither).
 * Where the window's total flow is 0 it is 50; TA-Lib gives 0 whenever that total is below 1.
 */
export class MfiStream {
  private readonly pos: Ring;
  private readonly neg: Ring;
  private prevTp = Number.NaN;
  private n = 0;
  private ps = 0;
  private ns = 0;
  value = Number.NaN;
  constructor(readonly period = 14) {
    checkInt("mfi", "period", period, 1);
    this.pos = new Ring(period);
    this.neg = new Ring(period);
  }
  update(bar: { high: number; low: number; close: number; volume: number }): number {
    const tp = (bar.high + bar.low + bar.close) / 3;
    const k = this.n++;
    if (k === 0) {
      this.prevTp = tp;
      return this.value;
    }
    const diff = tp - this.prevTp;
    this.prevTp = tp;
    const flow = tp * bar.volume;
    const pf = diff > 0 ? flow : 0;
    const nf = diff < 0 ? flow : 0;
    if (k > this.period) {
      this.ps -= this.pos.at(this.period - 1);
      this.ns -= this.neg.at(this.period - 1);
    }
    this.pos.push(pf);
    this.neg.push(nf);
    this.ps += pf;
    this.ns += nf;
    if (k < this.period) return this.value;
    const total = this.ps + this.ns;
    this.value = total > 0 ? 100 * (this.ps / total) : FLAT_MFI;
    return this.value;
  }
}

/** Money flow index (TA-Lib MFI); NaN for the first `period` bars */
export function mfi(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  period = 14,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const s = new MfiStream(period);
  const n = checkSameLength("mfi", high, low, close, volume);
  checkOut("mfi", out, n);
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
