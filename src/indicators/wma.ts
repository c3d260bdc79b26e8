import { checkInt, checkOut, Ring } from "./util.ts";

/** Streaming WMA (TA-Lib WMA: weights 1..period, newest heaviest), running sums in TA-Lib's order */
export class WmaStream {
  private readonly ring: Ring;
  private readonly divider: number;
  private sum = 0;
  private sub = 0;
  private trailing = 0;
  private count = 0;
  value = Number.NaN;
  constructor(readonly period: number) {
    checkInt("wma", "period", period, 1);
    this.ring = new Ring(period);
    this.divider = (period * (period + 1)) / 2;
  }
  update(x: number): number {
    const p = this.period;
    if (p === 1) {
      this.value = x;
      return x;
    }
    this.ring.push(x);
    const k = ++this.count;
    if (k < p) {
      this.sub += x;
      this.sum += x * k;
      return this.value;
    }
    this.sub += x;
    this.sub -= this.trailing;
    this.sum += x * p;
    this.trailing = this.ring.at(p - 1);
    this.value = this.sum / this.divider;
    this.sum -= this.sub;
    return this.value;
  }
}

/** Weighted moving average (TA-Lib WMA); NaN for the first period-1 bars */
export function wma(
  src: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  const s = new WmaStream(period);
  checkOut("wma", out, src.length);
  for (let i = 0; i < src.length; i++) out[i] = s.update(src[i]!);
  return out;
}
