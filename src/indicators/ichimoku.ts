import { checkInt, checkOut, checkSameLength, ExtremumWindow } from "./util.ts";

export interface IchimokuOutput {
  tenkan: Float64Array;
  kijun: Float64Array;
  spanA: Float64Array;
  spanB: Float64Array;
}

/** How far ahead charts plot the spans (and behind the lagging close); metadata only, never applied */
export const ICHIMOKU_DISPLACEMENT = 26;

class Midpoint {
  private readonly hi: ExtremumWindow;
  private readonly lo: ExtremumWindow;
  constructor(readonly period: number) {
    this.hi = new ExtremumWindow(period, true);
    this.lo = new ExtremumWindow(period, false);
  }
  push(h: number, l: number): number {
    this.hi.push(h);
    this.lo.push(l);
    return this.hi.n >= this.period ? (this.hi.value + this.lo.value) / 2 : Number.NaN;
  }
}

/**
 * Streaming Ichimoku cloud, every line aligned to the bar it is computed on: tenkan and kijun are
 * the (highest high + lowest low) / 2 of the last `tenkan` and `kijun` bars, span A their mean,
 * span B the midpoint of the last `senkou` bars. Charts shift the spans `displacement` bars ahead;
 * we do not, so nothing here looks into the future. `update` returns the tenkan.
 */
export class IchimokuStream {
  private readonly t: Midpoint;
  private readonly k: Midpoint;
  private readonly s: Midpoint;
  value = Number.NaN;
  kijun = Number.NaN;
  spanA = Number.NaN;
  spanB = Number.NaN;
  constructor(
    readonly tenkan = 9,
    readonly kijunPeriod = 26,
    readonly senkou = 52,
    readonly displacement = ICHIMOKU_DISPLACEMENT,
  ) {
    checkInt("ichimoku", "tenkan", tenkan, 1);
    checkInt("ichimoku", "kijun", kijunPeriod, 1);
    checkInt("ichimoku", "senkou", senkou, 1);
    checkInt("ichimoku", "displacement", displacement, 0);
    this.t = new Midpoint(tenkan);
    this.k = new Midpoint(kijunPeriod);
    this.s = new Midpoint(senkou);
  }
  update(bar: { high: number; low: number }): number {
    this.value = this.t.push(bar.high, bar.low);
    this.kijun = this.k.push(bar.high, bar.low);
    this.spanA = (this.value + this.kijun) / 2;
    this.spanB = this.s.push(bar.high, bar.low);
    return this.value;
  }
}

/** Ichimoku lines aligned to the computing bar (see IchimokuStream) */
export function ichimoku(
  high: Float64Array,
  low: Float64Array,
  tenkan = 9,
  kijun = 26,
  senkou = 52,
  out: IchimokuOutput = {
    tenkan: new Float64Array(high.length),
    kijun: new Float64Array(high.length),
    spanA: new Float64Array(high.length),
    spanB: new Float64Array(high.length),
  },
): IchimokuOutput {
  const s = new IchimokuStream(tenkan, kijun, senkou);
  const n = checkSameLength("ichimoku", high, low);
  checkOut("ichimoku", out.tenkan, n, "tenkan");
  checkOut("ichimoku", out.kijun, n, "kijun");
  checkOut("ichimoku", out.spanA, n, "spanA");
  checkOut("ichimoku", out.spanB, n, "spanB");
  const bar = { high: 0, low: 0 };
  for (let i = 0; i < n; i++) {
    bar.high = high[i]!;
    bar.low = low[i]!;
    out.tenkan[i] = s.update(bar);
    out.kijun[i] = s.kijun;
    out.spanA[i] = s.spanA;
    out.spanB[i] = s.spanB;
  }
  return out;
}
