import { checkInt, checkOut, FLAT_VARIANCE, fillNaN, Ring } from "./util.ts";

/**
 * Rolling z-score: (x - mean) / population sd over the last `period` values, with the same
 * running sums as `stddev`; 0 where the window is flat, i.e. the variance is within running-sum
 * rounding (1e-12·mean²) of zero. NaN for the first period-1 bars.
 */
export function zscore(
  src: Float64Array,
  period = 20,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  checkInt("zscore", "period", period, 2);
  const n = src.length;
  checkOut("zscore", out, n);
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
    const m = s1 / period;
    const v = s2 / period - m * m;
    const t = src[i - period + 1]!;
    s1 -= t;
    s2 -= t * t;
    out[i] = v > flat * m * m ? (x - m) / Math.sqrt(v) : 0;
  }
  return out;
}

/** Streaming z-score, same arithmetic as `zscore` */
export class ZscoreStream {
  private readonly ring: Ring;
  private s1 = 0;
  private s2 = 0;
  value = Number.NaN;
  constructor(readonly period = 20) {
    checkInt("zscore", "period", period, 2);
    this.ring = new Ring(period);
  }
  update(x: number): number {
    this.ring.push(x);
    this.s1 += x;
    this.s2 += x * x;
    if (!this.ring.full) return this.value;
    const p = this.period;
    const m = this.s1 / p;
    const v = this.s2 / p - m * m;
    const t = this.ring.at(p - 1);
    this.s1 -= t;
    this.s2 -= t * t;
    this.value = v > FLAT_VARIANCE * m * m ? (x - m) / Math.sqrt(v) : 0;
    return this.value;
  }
}
