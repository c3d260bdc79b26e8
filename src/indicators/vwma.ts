import { checkInt, checkOut, checkSameLength, Ring } from "./util.ts";

/**
 * Streaming volume-weighted moving average: Σ close·volume / Σ volume over `period` bars; where the
 * window has no volume, the plain mean of its closes (equal weights). Sums are re-formed exactly
 * every `period` bars so rounding cannot drift and a NaN leaves the window with its bar.
 */
export class VwmaStream {
  private readonly c: Ring;
  private readonly v: Ring;
  private pv = 0;
  private vs = 0;
  private cs = 0;
  private n = 0;
  value = Number.NaN;
  constructor(readonly period = 20) {
    checkInt("vwma", "period", period, 1);
    this.c = new Ring(period);
    this.v = new Ring(period);
  }
  update(bar: { close: number; volume: number }): number {
    const p = this.period;
    const x = bar.close;
    const vol = bar.volume;
    const oc = this.c.push(x);
    const ov = this.v.push(vol);
    const n = ++this.n;
    if (n > p && n % p === 0) {
      let pv = 0;
      let vs = 0;
      let cs = 0;
      for (let j = p - 1; j >= 0; j--) {
        const cj = this.c.at(j);
        const vj = this.v.at(j);
        pv += cj * vj;
        vs += vj;
        cs += cj;
      }
      this.pv = pv;
      this.vs = vs;
      this.cs = cs;
    } else {
      if (n > p) {
        this.pv -= oc * ov;
        this.vs -= ov;
        this.cs -= oc;
      }
      this.pv += x * vol;
      this.vs += vol;
      this.cs += x;
    }
    if (n < p) return this.value;
    this.value = this.vs > 0 ? this.pv / this.vs : this.cs / p;
    return this.value;
  }
}

/** Volume-weighted moving average (not in TA-Lib); NaN for the first period-1 bars */
export function vwma(
  close: Float64Array,
  volume: Float64Array,
  period = 20,
  out: Float64Array = new Float64Array(close.length),
): Float64Array {
  const s = new VwmaStream(period);
  const n = checkSameLength("vwma", close, volume);
  checkOut("vwma", out, n);
  const bar = { close: 0, volume: 0 };
  for (let i = 0; i < n; i++) {
    bar.close = close[i]!;
    bar.volume = volume[i]!;
    out[i] = s.update(bar);
  }
  return out;
}
