import { checkInt, checkOut, Ring } from "./util.ts";

const FAST_SC = 2 / (2 + 1);
const SLOW_SC = 2 / (30 + 1);

/**
 * Streaming KAMA (TA-Lib KAMA: efficiency ratio over `period` changes, fast 2, slow 30). As in
 * TA-Lib the ratio is 1 when the noise sum is 0 or not above the signed net change.
 */
export class KamaStream {
  private readonly ring: Ring;
  private n = 0;
  private noise = 0;
  private kama = Number.NaN;
  value = Number.NaN;
  constructor(readonly period = 30) {
    checkInt("kama", "period", period, 1);
    this.ring = new Ring(period + 1);
  }
  update(x: number): number {
    const p = this.period;
    const n = this.n++;
    const prevX = n > 0 ? this.ring.at(0) : Number.NaN;
    const evicted = this.ring.push(x);
    if (n === 0) return this.value;
    if (n <= p) {
      this.noise += Math.abs(prevX - x);
      if (n < p) return this.value;
      this.kama = prevX;
    } else {
      // evicted is x[n-p-1]; the ring's oldest is now x[n-p]
      this.noise -= Math.abs(evicted - this.ring.at(p));
      this.noise += Math.abs(x - prevX);
    }
    const change = x - this.ring.at(p);
    const er = this.noise <= change || this.noise === 0 ? 1 : Math.abs(change / this.noise);
    let sc = er * (FAST_SC - SLOW_SC) + SLOW_SC;
    sc *= sc;
    this.kama = (x - this.kama) * sc + this.kama;
    this.value = this.kama;
    return this.value;
  }
}

/** Kaufman adaptive moving average (TA-Lib KAMA); NaN for the first `period` bars */
export function kama(
  src: Float64Array,
  period = 30,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  const s = new KamaStream(period);
  checkOut("kama", out, src.length);
  for (let i = 0; i < src.length; i++) out[i] = s.update(src[i]!);
  return out;
}
