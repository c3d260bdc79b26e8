import { EmaStream } from "./ema.ts";
import { checkInt, checkOut } from "./util.ts";

/** Streaming DEMA: 2·EMA - EMA(EMA), the inner EMA seeded TA-Lib style on the first EMA values */
export class DemaStream {
  private readonly e1: EmaStream;
  private readonly e2: EmaStream;
  private n = 0;
  value = Number.NaN;
  constructor(readonly period: number) {
    checkInt("dema", "period", period, 1);
    this.e1 = new EmaStream(period);
    this.e2 = new EmaStream(period);
  }
  update(x: number): number {
    const a = this.e1.update(x);
    // the second EMA starts on the first bar the first one is defined
    if (++this.n < this.period) return this.value;
    const b = this.e2.update(a);
    if (this.n >= 2 * this.period - 1) this.value = 2 * a - b;
    return this.value;
  }
}

/** Double exponential moving average (TA-Lib DEMA); NaN for the first 2·(period-1) bars */
export function dema(
  src: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  const s = new DemaStream(period);
  checkOut("dema", out, src.length);
  for (let i = 0; i < src.length; i++) out[i] = s.update(src[i]!);
  return out;
}
