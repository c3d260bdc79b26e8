import { EmaStream } from "./ema.ts";
import { checkInt, checkOut } from "./util.ts";

/** Streaming TRIX: 1-bar rate of change (in %) of a triple EMA; 0 where the previous value is 0 */
export class TrixStream {
  private readonly e1: EmaStream;
  private readonly e2: EmaStream;
  private readonly e3: EmaStream;
  private n = 0;
  private prev = Number.NaN;
  value = Number.NaN;
  constructor(readonly period = 18) {
    checkInt("trix", "period", period, 1);
    this.e1 = new EmaStream(period);
    this.e2 = new EmaStream(period);
    this.e3 = new EmaStream(period);
  }
  update(x: number): number {
    const p = this.period;
    const a = this.e1.update(x);
    const n = ++this.n;
    if (n < p) return this.value;
    const b = this.e2.update(a);
    if (n < 2 * p - 1) return this.value;
    const c = this.e3.update(b);
    if (n < 3 * p - 2) return this.value;
    if (n > 3 * p - 2) this.value = this.prev !== 0 ? (c / this.prev - 1) * 100 : 0;
    this.prev = c;
    return this.value;
  }
}

/** TRIX (TA-Lib TRIX); NaN for the first 3·(period-1)+1 bars */
export function trix(
  src: Float64Array,
  period = 18,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  const s = new TrixStream(period);
  checkOut("trix", out, src.length);
  for (let i = 0; i < src.length; i++) out[i] = s.update(src[i]!);
  return out;
}
