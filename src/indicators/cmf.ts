import { moneyFlowMultiplier } from "./ad.ts";
import { checkInt, checkOut, checkSameLength, Ring } from "./util.ts";

/**
 * Streaming Chaikin money flow (not in TA-Lib): Σ multiplier·volume / Σ volume over `period` bars;
 * 0 where the window has no volume. Sums are re-formed every `period` bars (no drift).
 */
export class CmfStream {
  private readonly mv: Ring;
  private readonly v: Ring;
  private n = 0;
  private smv = 0;
  private sv = 0;
  value = Number.NaN;
  constructor(readonly period = 20) {
    checkInt("cmf", "period", period, 1);
    this.mv = new Ring(period);
    this.v = new Ring(period);
  }
  update(bar: { high: number; low: number; close: number; volume: number }): number {
    const p = this.period;
    const x = moneyFlowMultiplier(bar.high, bar.low, bar.close) * bar.volume;
    const om = this.mv.push(x);
    const ov = this.v.push(bar.volume);
    const n = ++this.n;
    if (n % p === 0) {
      let a = 0;
      let b = 0;
      for (let j = p - 1; j >= 0; j--) {
        a += this.mv.at(j);
        b += this.v.at(j);
      }
      this.smv = a;
      this.sv = b;
    } else {
      if (n > p) {
        this.smv -= om;
        this.sv -= ov;
      }
      this.smv += x;
      this.sv += bar.volume;
    }
    if (n < p) return this.value;
    this.value = this.sv > 0 ? this.smv / this.sv : 0;
    return this.value;
  }
}

/** Chaikin money flow in [-1, 1]; NaN for the first period-1 bars */
export function cmf(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  period = 20,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const s = new CmfStream(period);
  const n = checkSameLength("cmf", high, low, close, volume);
  checkOut("cmf", out, n);
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
