import { checkInt, checkOut, Ring } from "./util.ts";

/** Streaming momentum (TA-Lib MOM): x - x[t-period] */
export class MomentumStream {
  private readonly ring: Ring;
  value = Number.NaN;
  constructor(readonly period = 10) {
    checkInt("momentum", "period", period, 1);
    this.ring = new Ring(period + 1);
  }
  update(x: number): number {
    this.ring.push(x);
    if (this.ring.full) this.value = x - this.ring.at(this.period);
    return this.value;
  }
}

/** Momentum (TA-Lib MOM); NaN for the first `period` bars */
export function momentum(
  src: Float64Array,
  period = 10,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  const s = new MomentumStream(period);
  checkOut("momentum", out, src.length);
  for (let i = 0; i < src.length; i++) out[i] = s.update(src[i]!);
  return out;
}
