import { checkInt, checkOut, Ring } from "./util.ts";

/** Streaming rate of change in % (TA-Lib ROC): 100·(x / x[t-period] - 1); 0 where x[t-period] is 0 */
export class RocStream {
  private readonly ring: Ring;
  value = Number.NaN;
  constructor(readonly period = 10) {
    checkInt("roc", "period", period, 1);
    this.ring = new Ring(period + 1);
  }
  update(x: number): number {
    this.ring.push(x);
    if (!this.ring.full) return this.value;
    const prev = this.ring.at(this.period);
    this.value = prev !== 0 ? (x / prev - 1) * 100 : 0;
    return this.value;
  }
}

/** Rate of change (TA-Lib ROC); NaN for the first `period` bars */
export function roc(
  src: Float64Array,
  period = 10,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  const s = new RocStream(period);
  checkOut("roc", out, src.length);
  for (let i = 0; i < src.length; i++) out[i] = s.update(src[i]!);
  return out;
}
