import { checkInt, checkOut } from "./util.ts";
import { WmaStream } from "./wma.ts";

/** Streaming Hull moving average: WMA(2·WMA(n/2) - WMA(n), √n), halves and roots floored */
export class HmaStream {
  private readonly half: WmaStream;
  private readonly full: WmaStream;
  private readonly root: WmaStream;
  private n = 0;
  value = Number.NaN;
  constructor(readonly period = 20) {
    checkInt("hma", "period", period, 2);
    this.half = new WmaStream(Math.floor(period / 2));
    this.full = new WmaStream(period);
    this.root = new WmaStream(Math.floor(Math.sqrt(period)));
  }
  update(x: number): number {
    const h = this.half.update(x);
    const f = this.full.update(x);
    if (++this.n < this.period) return this.value;
    this.value = this.root.update(2 * h - f);
    return this.value;
  }
}

/** Hull moving average (not in TA-Lib); NaN for the first period + ⌊√period⌋ - 2 bars */
export function hma(
  src: Float64Array,
  period = 20,
  out: Float64Array = new Float64Array(src.length),
): Float64Array {
  const s = new HmaStream(period);
  checkOut("hma", out, src.length);
  for (let i = 0; i < src.length; i++) out[i] = s.update(src[i]!);
  return out;
}
