import { checkInt, checkOut, Ring } from "./util.ts";

/**
 * Streaming linear-regression slope per bar (TA-Lib LINEARREG_SLOPE) over the last `period`
 * values. O(1) per bar from running Σy and Σ(age·y); both are re-formed exactly every `period`
 * bars, so rounding cannot drift and a NaN leaves with its bar. Agrees with TA-Lib's direct sum
 * to rounding, not bit for bit.
 */
export class LinregSlopeStream {
  private readonly ring: Ring;
  private readonly sumX: number;
  private readonly divisor: number;
  private sy = 0;
  private sxy = 0;
  private n = 0;
  value = Number.NaN;
  constructor(readonly period = 14) {
    checkInt("linregSlope", "period", period, 2);
    this.ring = new Ring(period);
    this.sumX = period * (period - 1) * 0.5;
    const sumXSqr = (period * (period - 1) * (2 * period - 1)) / 6;
    this.divisor = this.sumX * this.sumX - period * sumXSqr;
  }
  update(y: number): number {
    const p = this.period;
    const old = this.ring.push(y);
    const n = ++this.n;
    if (n % p === 0) {
      let sy = 0;
      let sxy = 0;
      for (let age = p - 1; age >= 0; age--) {
        const v = this.ring.at(age);
        sy += v;
        sxy += age * v;
      }
      this.sy = sy;
      this.sxy = sxy;
    } else if (n > p) {
      // every age grows by one; the evicted value had age p
      this.sxy += this.sy - p * old;
      this.sy += y - old;
    } else {
      this.sxy += this.sy;
      this.sy += y;
    }
    if (n < p) return this.value;
    this.value = (p * this.sxy - this.sumX * this.sy) / this.divisor;
    return this.value;
  }
}

/** Linear-regression slope (TA-Lib LINEARREG_SLOPE); NaN for the first period-1 bars */
export function linregSlope(
  src: Float64Array,
  period = 14,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  const s = new LinregSlopeStream(period);
  checkOut("linregSlope", out, src.length);
  for (let i = 0; i < src.length; i++) out[i] = s.update(src[i]!);
  return out;
}
