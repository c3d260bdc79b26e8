import { EmaStream } from "./ema.ts";
import { checkInt, checkOut } from "./util.ts";

/** Streaming TEMA: 3·EMA - 3·EMA² + EMA³, each inner EMA seeded TA-Lib style */
export class TemaStream {
  private readonly e1: EmaStream;
  private readonly e2: EmaStream;
  private readonly e3: EmaStream;
  private n = 0;
  value = Number.NaN;
  constructor(readonly period: number) {
    checkInt("tema", "period", period, 1);
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
    if (n >= 3 * p - 2) this.value = c + (3 * a - 3 * b);
    return this.value;
  }
}

/** Triple exponential moving average (TA-Lib TEMA); NaN for the first 3·(period-1) bars */
export function tema(
  src: Float64Array,
  period: number,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  const s = new TemaStream(period);
  checkOut("tema", out, src.length);
  for (let i = 0; i < src.length; i++) out[i] = s.update(src[i]!);
  return out;
}
