import { checkInt, checkOut, FLAT_VARIANCE, fillNaN, Ring } from "./util.ts";

/**
 * Rolling population standard deviation (TA-Lib STDDEV with nbDev 1), from running sums of x and
 * x² exactly as TA-Lib forms them. NaN for the first period-1 bars; 0 where the variance is within
 * the running sums' rounding of zero (≤ 1e-12·mean²; TA-Lib uses an absolute 1e-8, not scale invariant).
 */
export function stddev(
  src: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  checkInt("stddev", "period", period, 1);
  const n = src.length;
  checkOut("stddev", out, n);
  const warm = Math.min(period - 1, n);
  // a local copy: V8 reloads imported bindings on every use in a hot loop
  const flat = FLAT_VARIANCE;
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < warm; i++) {
    const x = src[i]!;
    s1 += x;
    s2 += x * x;
  }
  fillNaN(out, 0, warm);
  for (let i = warm; i < n; i++) {
    const x = src[i]!;
    s1 += x;
    s2 += x * x;
    const m1 = s1 / period;
    const v = s2 / period - m1 * m1;
    const t = src[i - period + 1]!;
    s1 -= t;
    s2 -= t * t;
    out[i] = v > flat * m1 * m1 ? Math.sqrt(v) : 0;
  }
  return out;
}

/** Streaming population standard deviation, same arithmetic as `stddev` */
export class StddevStream {
  private readonly ring: Ring;
  private s1 = 0;
  private s2 = 0;
  value = Number.NaN;
  constructor(readonly period: number) {
    checkInt("stddev", "period", period, 1);
    this.ring = new Ring(period);
  }
  update(x: number): number {
    this.ring.push(x);
    this.s1 += x;
    this.s2 += x * x;
    if (this.ring.full) {
      const m1 = this.s1 / this.period;
      const v = this.s2 / this.period - m1 * m1;
      const t = this.ring.at(this.period - 1);
      this.s1 -= t;
      this.s2 -= t * t;
      this.value = v > FLAT_VARIANCE * m1 * m1 ? Math.sqrt(v) : 0;
    }
    return this.value;
  }
}
